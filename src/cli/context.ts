/**
 * CommandContext: what every CLI command gets — its arguments, output streams, and helpers that
 * turn bad input into one clear line and a non-zero exit (never a stack trace).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Thrown to end a command with a usage error (exit 2). */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Arguments and I/O of one command run. */
export class CommandContext {
  /** The command's arguments (after the command name). */
  readonly argv: string[];
  /** Writes a line to standard output. */
  readonly out: (line: string) => void;
  /** Writes a line to standard error. */
  readonly err: (line: string) => void;
  /** True when standard error is a terminal (progress bars are drawn only then). */
  readonly tty: boolean;
  private readonly command: string;

  /** Creates a context for `command` with its `argv`. */
  constructor(
    command: string,
    argv: string[],
    out: (s: string) => void,
    err: (s: string) => void,
    tty: boolean,
  ) {
    this.command = command;
    this.argv = argv;
    this.out = out;
    this.err = err;
    this.tty = tty;
  }

  /** Parses the arguments strictly; an unknown or malformed option is a usage error. */
  parse<T extends Options>(
    options: T,
    allowPositionals = false,
  ): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
    try {
      const r = parseArgs({ args: this.argv, options, allowPositionals, strict: true });
      return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
    } catch (e) {
      throw new UsageError(`${this.command}: ${(e as Error).message}`);
    }
  }

  /** A positive integer option or a usage error. */
  intOption(name: string, value: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    if (!/^\d+$/.test(value))
      throw new UsageError(`${this.command}: --${name} must be an integer, got ${JSON.stringify(value)}`);
    const v = Number(value);
    if (v < min || v > max)
      throw new UsageError(`${this.command}: --${name} must be in [${min}, ${max}], got ${v}`);
    return v;
  }

  /** Ends the command with a usage error. */
  usageError(message: string): never {
    throw new UsageError(`${this.command}: ${message}`);
  }
}
