/**
 * CommandContext: what every CLI command gets — its arguments, its output streams, and helpers
 * that turn bad input into one clear line and the documented exit status (never a stack trace).
 *
 * The CLI's conventions, in one place:
 * - a usage error (unknown option, missing or bad value, wrong arguments) is one line on
 *   standard error, `zsmalloc <command>: <what is wrong> (<what to do>)`, and exit status 2;
 * - a runtime error (missing file, bad trace line, data that cannot be read) is one line in the
 *   same form and exit status 1;
 * - results go to standard output; progress bars and notes to standard error.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Thrown to end a command with a usage error (exit status 2); the message has no prefix. */
export class UsageError extends Error {}

/** Thrown to end a command with a runtime error (exit status 1); the message has no prefix. */
export class CliError extends Error {}

/** Where a CLI run writes: injected so that tests can run commands in-process. */
export interface CliIo {
  /** Writes a line to standard output. */
  out: (line: string) => void;
  /** Writes a line to standard error. */
  err: (line: string) => void;
  /** Writes raw text to standard error (progress bars redraw one line with `\r`). */
  errRaw: (text: string) => void;
  /** True when standard error is a terminal: progress bars are drawn only then. */
  tty: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed options and positionals of one command. */
export interface Parsed {
  /** Option values by long name. */
  values: Record<string, string | boolean | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/** Arguments and I/O of one command run. */
export class CommandContext {
  /** The command's name (`demo`, `replay`, …). */
  readonly command: string;
  /** The command's arguments (after the command name). */
  readonly argv: string[];
  /** Writes a line to standard output. */
  readonly out: (line: string) => void;
  /** Writes a line to standard error. */
  readonly err: (line: string) => void;
  /** Writes raw text to standard error. */
  readonly errRaw: (text: string) => void;
  /** True when standard error is a terminal (progress bars are drawn only then). */
  readonly tty: boolean;

  /** Creates a context for `command` with its `argv`, writing through `io`. */
  constructor(command: string, argv: string[], io: CliIo) {
    this.command = command;
    this.argv = argv;
    this.out = io.out;
    this.err = io.err;
    this.errRaw = io.errRaw;
    this.tty = io.tty;
  }

  /**
   * Parses the arguments strictly: an unknown option, a missing value, a value given to a flag or
   * an unexpected argument is a usage error with a one-line explanation. A negative number after
   * an option that takes a value (`--size -5`) is taken as its value, so that the option's own
   * check can say what is wrong with it.
   */
  parse(options: Options, allowPositionals = false): Parsed {
    const args = this.argv.slice();
    for (let i = 0; i + 1 < args.length; i++) {
      const m = /^--([^=]+)$/.exec(args[i]);
      if (m && options[m[1]]?.type === 'string' && /^-\d/.test(args[i + 1])) {
        args.splice(i, 2, `${args[i]}=${args[i + 1]}`);
      }
    }
    try {
      const r = parseArgs({ args, options, allowPositionals, strict: true });
      return { values: r.values as Parsed['values'], positionals: r.positionals };
    } catch (e) {
      return this.usageError(this.explain(e as Error & { code?: string }));
    }
  }

  /** An integer option in [min, max], or a usage error naming the range. */
  intOption(name: string, value: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    const v = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(v >= min && v <= max)) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      this.usageError(`--${name} must be an integer ${range}, got ${quote(value)}`);
    }
    return v;
  }

  /** One of `valid`, or a usage error listing them (`what`: "profile", "page size", …). */
  choice<T extends string>(what: string, value: string, valid: readonly T[]): T {
    if (!(valid as readonly string[]).includes(value)) {
      const plural = what.endsWith('s') ? what : `${what}s`;
      this.usageError(`unknown ${what} ${quote(value)} (valid ${plural}: ${valid.join(', ')})`);
    }
    return value as T;
  }

  /** Ends the command with a usage error (exit status 2). */
  usageError(message: string): never {
    throw new UsageError(message);
  }

  /** Ends the command with a runtime error (exit status 1). */
  fail(message: string): never {
    throw new CliError(message);
  }

  /** `parseArgs`'s multi-line messages, as one line that says what to do. */
  private explain(e: Error & { code?: string }): string {
    const help = `see: zsmalloc ${this.command} --help`;
    const name = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        return `unknown option ${quote(name)} (${help})`;
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        return `unexpected argument ${quote(/'([^']*)'/.exec(e.message)?.[1] ?? '')} (${help})`;
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/does not take an argument/.test(e.message)) return `${name} takes no value (${help})`;
        return `${name} needs a value (${help})`;
      default:
        return `${e.message.split('\n')[0]} (${help})`;
    }
  }
}

/** A user's text, quoted for a message: `'nope'`, control characters escaped, at most 60 chars. */
export function quote(s: string): string {
  const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  const escaped = JSON.stringify(shown).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}
