/**
 * Test helpers for the real-kernel oracle: generates the traces once (deterministic, checked
 * against SHA256SUMS), loads the kernel's results, and runs the vendored compare.mjs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the vendored oracle. */
export const ORACLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oracle');
/** Traces with kernel results. */
export const TRACES = ['one-each', 'smoke', 'fill-uniform', 'fill-uniform-c', 'zram-like', 'churn'] as const;
/** Kernel profiles with results. */
export const KERNELS = ['linux-6.1', 'linux-6.12'] as const;

function sums(): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of readFileSync(join(ORACLE, 'SHA256SUMS'), 'utf8').split('\n')) {
    const x = l.match(/^([0-9a-f]{64}) {2}(\S+)$/);
    if (x) m.set(x[2], x[1]);
  }
  return m;
}

/** Path of trace `name`, generated on first use into a shared temporary folder and checked. */
export function tracePath(name: string): string {
  const expected = sums().get(`${name}.trace`);
  if (!expected) throw new Error(`no checksum for ${name}`);
  const dir = join(tmpdir(), `zsmalloc-traces-${expected.slice(0, 12)}`);
  const file = join(dir, `${name}.trace`);
  const ok = (): boolean =>
    existsSync(file) && createHash('sha256').update(readFileSync(file)).digest('hex') === expected;
  if (!ok()) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(process.execPath, [join(ORACLE, 'gen-traces.mjs'), '--out', dir, '--only', name], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`gen-traces failed: ${r.stderr}`);
    if (!ok()) throw new Error(`${name}.trace does not match SHA256SUMS`);
  }
  return file;
}

/** The kernel's result for `trace` under `kernel`. */
export function kernelResult(kernel: string, trace: string): { events: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(ORACLE, kernel, `${trace}.json`), 'utf8'));
}

/** The kernel's class table for `kernel`. */
export function kernelClasses(
  kernel: string,
): Record<string, unknown> & { classes: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(ORACLE, kernel, 'classes.json'), 'utf8'));
}

/** Runs the vendored compare.mjs on (expected file, actual result); returns its exit code and output. */
export function compareWithKernel(expectedFile: string, actual: unknown): { status: number; output: string } {
  const dir = join(tmpdir(), 'zsmalloc-compare');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `actual-${process.pid}-${Date.now()}.json`);
  writeFileSync(out, JSON.stringify(actual));
  const r = spawnSync(process.execPath, [join(ORACLE, 'compare.mjs'), expectedFile, out], {
    encoding: 'utf8',
  });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}
