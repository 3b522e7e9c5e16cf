/**
 * Runs a TypeScript script in a child Node process (through tsx) and returns its JSON output:
 * memory tests must measure RSS in a process that does nothing else.
 */
import { spawnSync } from 'node:child_process';

/** Runs `script` (a path) with `args`; parses the last stdout line as JSON. */
export function runChild<T>(
  script: string,
  args: string[] = [],
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): T {
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`child ${script} failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
