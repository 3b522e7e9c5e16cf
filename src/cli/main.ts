#!/usr/bin/env node
/**
 * The `zsmalloc` command: the table of subcommands, help and version, and the one place where an
 * error becomes one line on standard error and an exit status (see context.ts for the
 * conventions). `zsmalloc` with no arguments prints the usage on standard error and exits 2;
 * `zsmalloc --help` prints it on standard output and exits 0.
 *
 * {@link main} takes the arguments and the output streams, so tests run commands in-process;
 * the process entry at the bottom runs only when this file is the program itself.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerNodeCodecs } from '../codec/node/zlib-codecs.js';
import { ZsError } from '../errors.js';
import { benchHelp, runBench } from './cmd-bench.js';
import { classesHelp, runClasses } from './cmd-classes.js';
import { demoHelp, runDemoCommand } from './cmd-demo.js';
import { replayHelp, runReplay } from './cmd-replay.js';
import { runZram, zramHelp } from './cmd-zram.js';
import { CliError, type CliIo, CommandContext, quote, UsageError } from './context.js';

/** One subcommand: a line for the command list, its `--help` text and what runs it. */
interface Command {
  summary: string;
  help: string;
  run: (ctx: CommandContext) => number | Promise<number>;
}

/** The subcommands, in the order `zsmalloc --help` lists them. Add a command with one entry. */
const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'the whole system on real data: fill, churn, a memory budget, reclaim (npm start)',
    help: demoHelp,
    run: runDemoCommand,
  },
  replay: { summary: 'replay an allocation trace (kernel oracle format)', help: replayHelp, run: runReplay },
  classes: { summary: 'print the size-class table of a profile', help: classesHelp, run: runClasses },
  bench: { summary: 'run the benchmark suite', help: benchHelp, run: runBench },
  zram: {
    summary: 'what zram would save on this memory (files or --pid), per algorithm and kernel',
    help: zramHelp,
    run: runZram,
  },
};

// The CLI runs on Node: deflate, brotli and zstd (where this Node has it) are available by name.
registerNodeCodecs();

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'usage: zsmalloc <command> [options]',
    '',
    "The Linux kernel's zsmalloc allocator, with shrinker-driven compaction, for Node.js.",
    'Start with `zsmalloc demo` (what `npm start` runs).',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n].summary}`),
    '',
    'options:',
    '  -h, --help     show help (also: zsmalloc <command> --help, zsmalloc help <command>)',
    '  -v, --version  print the version',
    '',
    'Exit status: 0 success, 1 runtime error (or a failed check), 2 usage error.',
  ].join('\n');
}

/** Standard output and error of this process. */
function processIo(): CliIo {
  return {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    errRaw: (s) => process.stderr.write(s),
    tty: Boolean(process.stderr.isTTY),
  };
}

/**
 * Runs the CLI with `argv` (without `node` and the script), writing through `io` (default: this
 * process's streams); resolves with the exit status: 0 success, 1 runtime error, 2 usage error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const usage = (message: string): number => {
    io.err(`zsmalloc: ${message}`);
    return 2;
  };
  if (name === undefined) {
    io.err(mainHelp());
    return 2;
  }
  if (name === '-h' || name === '--help' || (name === 'help' && rest.length === 0)) {
    io.out(mainHelp());
    return 0;
  }
  if (name === '-v' || name === '--version') {
    io.out(version());
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (!Object.hasOwn(COMMANDS, topic))
      return usage(`help: unknown command ${quote(topic)} (${commandList()})`);
    io.out(COMMANDS[topic].help);
    return 0;
  }
  if (name.startsWith('-')) return usage(`unknown option ${quote(name)} (see: zsmalloc --help)`);
  if (!Object.hasOwn(COMMANDS, name)) return usage(`unknown command ${quote(name)} (${commandList()})`);
  const cmd = COMMANDS[name];
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(new CommandContext(name, rest, io));
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`zsmalloc ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof CliError || e instanceof ZsError) {
      io.err(`zsmalloc ${name}: ${oneLine(e.message)}`);
      return 1;
    }
    if (process.env.ZSMALLOC_DEBUG) throw e;
    io.err(`zsmalloc ${name}: ${oneLine((e as Error)?.message ?? String(e))} (ZSMALLOC_DEBUG=1 shows where)`);
    return 1;
  }
}

function commandList(): string {
  return `commands: ${Object.keys(COMMANDS).join(', ')}`;
}

function oneLine(s: string): string {
  return s.split('\n')[0];
}

/** True when this module is the program node was started with (not imported by a test). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`zsmalloc: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
