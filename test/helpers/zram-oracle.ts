/**
 * Test helpers for the real-kernel zram oracle (test/fixtures/zram-oracle): generates the page
 * data and traces once into a temporary folder (deterministic, checked against SHA256SUMS) and
 * runs the vendored compare-zram.mjs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the vendored zram oracle. */
export const ZRAM_ORACLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'zram-oracle');
/** Traces with kernel results. */
export const ZRAM_TRACES = ['z-mix-lz4', 'z-mix-lzorle', 'z-churn', 'z-limit'] as const;
/** Kernel profiles with results. */
export const ZRAM_KERNELS = ['linux-6.1', 'linux-6.12'] as const;

function sums(): [string, string][] {
  const out: [string, string][] = [];
  for (const l of readFileSync(join(ZRAM_ORACLE, 'zram-traces', 'SHA256SUMS'), 'utf8').split('\n')) {
    const x = l.match(/^([0-9a-f]{64}) {2}(\S+)$/);
    if (x) out.push([x[1], x[2]]);
  }
  return out;
}

function allMatch(dir: string): boolean {
  return sums().every(([hash, rel]) => {
    const f = join(dir, 'zram-traces', rel);
    return existsSync(f) && createHash('sha256').update(readFileSync(f)).digest('hex') === hash;
  });
}

/**
 * The folder holding `zram-traces/` and `zdata/`, generated on first use (≈ 113 MiB, a few
 * seconds) and checked against SHA256SUMS.
 */
export function zramOracleData(): string {
  const key = createHash('sha256')
    .update(readFileSync(join(ZRAM_ORACLE, 'zram-traces', 'SHA256SUMS')))
    .digest('hex');
  const dir = join(tmpdir(), `zsmalloc-zram-${key.slice(0, 12)}`);
  if (existsSync(join(dir, 'ok'))) return dir;
  const tmp = `${dir}.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [join(ZRAM_ORACLE, 'gen-zram.mjs'), '--out', tmp], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gen-zram failed: ${r.stderr}`);
  if (!allMatch(tmp)) throw new Error('generated zram data does not match SHA256SUMS');
  writeFileSync(join(tmp, 'ok'), '');
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process got there first: its copy is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** The kernel's result file of `trace` under `kernel`. */
export function zramKernelResult(kernel: string, trace: string): string {
  return join(ZRAM_ORACLE, kernel, `${trace}.json`);
}

/** Runs the vendored compare-zram.mjs on (expected file, actual result). */
export function compareZram(expectedFile: string, actual: unknown): { status: number; output: string } {
  const dir = join(tmpdir(), 'zsmalloc-compare');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `zram-actual-${process.pid}-${Date.now()}.json`);
  writeFileSync(out, JSON.stringify(actual));
  const r = spawnSync(process.execPath, [join(ZRAM_ORACLE, 'compare-zram.mjs'), expectedFile, out], {
    encoding: 'utf8',
  });
  rmSync(out, { force: true });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}
