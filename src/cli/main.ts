#!/usr/bin/env node
/**
 * The `zsmalloc` command: dispatches to the subcommands, prints help and version, and turns every
 * error into one line on standard error and a non-zero exit status (2 for usage errors).
 */
import { readFileSync } from 'node:fs';
import { registerNodeCodecs } from '../codec/node/zlib-codecs.js';
import { ZsError } from '../errors.js';
import { benchHelp, runBench } from './cmd-bench.js';
import { classesHelp, runClasses } from './cmd-classes.js';
import { demoHelp, runDemoCommand } from './cmd-demo.js';
import { replayHelp, runReplay } from './cmd-replay.js';
import { runZram, zramHelp } from './cmd-zram.js';
import { CommandContext, UsageError } from './context.js';

interface Command {
  summary: string;
  help: string;
  run: (ctx: CommandContext) => number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'the whole system on real data: fill, churn, a memory budget, reclaim; HTML report',
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
  ].join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script); resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    const topic = rest[0];
    if (!Object.hasOwn(COMMANDS, topic)) {
      err(`zsmalloc help: unknown command ${JSON.stringify(topic)} (try: zsmalloc --help)`);
      return 2;
    }
    out(COMMANDS[topic].help);
    return 0;
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    out(version());
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd || !Object.hasOwn(COMMANDS, name)) {
    err(`zsmalloc: unknown command ${JSON.stringify(name)} (try: zsmalloc --help)`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    out(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(new CommandContext(name, rest, out, err, Boolean(process.stderr.isTTY)));
  } catch (e) {
    if (e instanceof UsageError) {
      err(`zsmalloc ${e.message}`);
      return 2;
    }
    if (e instanceof ZsError) {
      err(`zsmalloc ${name}: ${e.message}`);
      return 1;
    }
    if (process.env.ZSMALLOC_DEBUG) throw e;
    err(`zsmalloc ${name}: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`zsmalloc: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
