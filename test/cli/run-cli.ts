// Runs the zsmalloc command in-process through main(argv), capturing what it writes and its exit
// status, and the assertion every user-facing error must pass.
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';

/** What one command run wrote and returned. */
export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `zsmalloc ...args` in this process (standard error is not a terminal). */
export function cli(...args: string[]): Promise<Run> {
  return cliOn(false, ...args);
}

/** Runs `zsmalloc ...args` in this process; `tty`: whether standard error is a terminal. */
export async function cliOn(tty: boolean, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, {
    out: (s) => out.push(`${s}\n`),
    err: (s) => err.push(`${s}\n`),
    errRaw: (s) => err.push(s),
    tty,
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

/** A user-facing error: one line on stderr naming the command, nothing on stdout, no stack. */
export function assertOneLineError(r: Run, status: number, command: string, pattern: RegExp): void {
  assert.equal(r.status, status, `exit status; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.ok(lines[0].startsWith(command ? `zsmalloc ${command}: ` : 'zsmalloc: '), lines[0]);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}
