/**
 * Pool benchmarks: malloc+free rate, write/read copy throughput, and the kernel-trace replay time,
 * each against a baseline measured in the same run (a bare typed-array slab; a plain
 * `Uint8Array.prototype.set` of the same sizes).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import { replayFile } from '../replay/node/replay-file.js';
import { type BenchRow, ClassSlab, median, Rng, zramSizes } from './harness.js';

/** Options shared by the benchmark suites. */
export interface BenchOptions {
  /** A few seconds instead of a minute: smaller pools, fewer runs. */
  quick: boolean;
  /** Progress lines go here. */
  log: (line: string) => void;
  /** Lines a suite wants printed after its table (e.g. a chart). */
  notes: string[];
}

const MASK = (1 << 20) - 1;

/** Steady-state churn on a pool of `n` live objects: free a random one, allocate a new one. */
function churnPool(
  pool: ZsPool,
  hs: Float64Array,
  picks: Int32Array,
  sizes: Uint16Array,
  ops: number,
): number {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const k = picks[i & MASK];
    pool.free(hs[k]);
    hs[k] = pool.malloc(sizes[i & MASK]);
  }
  return performance.now() - t0;
}

/** malloc immediately followed by free of the same object, on a pool holding live objects. */
function lifoPool(pool: ZsPool, sizes: Uint16Array, ops: number): number {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) pool.free(pool.malloc(sizes[i & MASK]));
  return performance.now() - t0;
}

function churnSlab(
  slab: ClassSlab,
  own: Int32Array,
  picks: Int32Array,
  sizes: Uint16Array,
  ops: number,
): number {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    const k = picks[i & MASK];
    slab.free(own[k]);
    own[k] = slab.malloc(sizes[i & MASK]);
  }
  return performance.now() - t0;
}

function lifoSlab(slab: ClassSlab, sizes: Uint16Array, ops: number): number {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) slab.free(slab.malloc(sizes[i & MASK]));
  return performance.now() - t0;
}

/** malloc+free pairs per second, for the default and the kernel profiles. */
export function benchMallocFree(o: BenchOptions): BenchRow[] {
  const n = o.quick ? 20000 : 100000;
  const ops = o.quick ? 500000 : 3000000;
  const runs = o.quick ? 3 : 5;
  const rng = new Rng(1);
  const sizes = zramSizes(MASK + 1, rng);
  const picks = new Int32Array(MASK + 1);
  for (let i = 0; i <= MASK; i++) picks[i] = rng.int(n);
  const rows: BenchRow[] = [];
  const slab = new ClassSlab(2 * n);
  const own = new Int32Array(n);
  for (let i = 0; i < n; i++) own[i] = slab.malloc(sizes[i]);
  const slabChurn = median(Array.from({ length: runs }, () => churnSlab(slab, own, picks, sizes, ops)));
  const slabLifo = median(Array.from({ length: runs }, () => lifoSlab(slab, sizes, ops)));
  const perSec = (ms: number) => ops / (ms / 1000);
  for (const profile of ['default', 'linux-6.12', 'linux-6.1'] as ProfileName[]) {
    o.log(`malloc/free: ${profile}`);
    const pool = createPool({ profile, shrinkers: null });
    const hs = new Float64Array(n);
    for (let i = 0; i < n; i++) hs[i] = pool.malloc(sizes[i]);
    const churn = median(Array.from({ length: runs }, () => churnPool(pool, hs, picks, sizes, ops)));
    const lifo = median(Array.from({ length: runs }, () => lifoPool(pool, sizes, ops)));
    rows.push({
      name: `malloc+free pairs, random churn over ${n / 1000}k live zram-like objects (${profile})`,
      value: perSec(churn) / 1e6,
      unit: 'M pairs/s',
      ratio: slabChurn / churn,
      baseline: `per-class free-list slab ${(perSec(slabChurn) / 1e6).toFixed(1)}M/s`,
      target: '≥ 0.2×',
      met: slabChurn / churn >= 0.2,
    });
    rows.push({
      name: `malloc then free, same object (${profile})`,
      value: perSec(lifo) / 1e6,
      unit: 'M pairs/s',
      ratio: slabLifo / lifo,
      baseline: `per-class free-list slab ${(perSec(slabLifo) / 1e6).toFixed(1)}M/s`,
    });
    pool.destroy();
  }
  return rows;
}

/**
 * `write` + `readInto` throughput against plain `Uint8Array.prototype.set` of the same sizes, twice:
 * into one contiguous buffer in order (what a `Map` of copies would touch), and at the very same
 * addresses as the pool's objects in plain buffers of the arenas' sizes (same memory pattern, so
 * the ratio is the API's own cost).
 */
export function benchCopy(o: BenchOptions): BenchRow[] {
  const n = o.quick ? 20000 : 100000;
  const runs = o.quick ? 3 : 7;
  const rng = new Rng(2);
  const sizes = zramSizes(n, rng);
  const src = new Uint8Array(4096);
  for (let i = 0; i < src.length; i++) src[i] = rng.int(256);
  // Views made up front, so neither side pays for creating them.
  const views = Array.from({ length: 4097 }, (_, k) => src.subarray(0, k));
  const dst = new Uint8Array(4096);
  const offs = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    offs[i] = total;
    total += sizes[i];
  }
  const plain = new Uint8Array(total);
  const pool = createPool({ shrinkers: null });
  const hs = new Float64Array(n);
  for (let i = 0; i < n; i++) hs[i] = pool.malloc(sizes[i]);
  // The pool's own addresses, mirrored in plain buffers.
  const arenaOf = new Int32Array(n);
  const addr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = pool.map(hs[i]);
    arenaOf[i] = pool.views.findIndex((a) => a.buffer === v.buffer);
    addr[i] = v.byteOffset;
    pool.unmap(hs[i]);
  }
  const mirrors = pool.views.map((a) => new Uint8Array(a.length));
  o.log('copy paths');
  const timed = (f: () => void) =>
    median(
      Array.from({ length: runs }, () => {
        const t0 = performance.now();
        f();
        return performance.now() - t0;
      }),
    );
  const poolWrite = timed(() => {
    for (let i = 0; i < n; i++) pool.write(hs[i], views[sizes[i]]);
  });
  const seqWrite = timed(() => {
    for (let i = 0; i < n; i++) plain.set(views[sizes[i]], offs[i]);
  });
  const sameWrite = timed(() => {
    for (let i = 0; i < n; i++) mirrors[arenaOf[i]].set(views[sizes[i]], addr[i]);
  });
  const poolRead = timed(() => {
    for (let i = 0; i < n; i++) pool.readInto(hs[i], dst);
  });
  const seqRead = timed(() => {
    for (let i = 0; i < n; i++) dst.set(plain.subarray(offs[i], offs[i] + sizes[i]));
  });
  const sameRead = timed(() => {
    for (let i = 0; i < n; i++) dst.set(mirrors[arenaOf[i]].subarray(addr[i], addr[i] + sizes[i]));
  });
  pool.destroy();
  const mbs = (ms: number) => total / 2 ** 20 / (ms / 1000);
  const avg = Math.round(total / n);
  return [
    {
      name: `write(handle, bytes), zram-like sizes (avg ${avg} B)`,
      value: mbs(poolWrite),
      unit: 'MiB/s',
      ratio: sameWrite / poolWrite,
      baseline: `Uint8Array.set at the same addresses ${mbs(sameWrite).toFixed(0)} MiB/s`,
      target: '≥ 0.8×',
      met: sameWrite / poolWrite >= 0.8,
    },
    {
      name: '  same, against one contiguous buffer in order',
      value: mbs(poolWrite),
      unit: 'MiB/s',
      ratio: seqWrite / poolWrite,
      baseline: `Uint8Array.set, sequential ${mbs(seqWrite).toFixed(0)} MiB/s`,
    },
    {
      name: 'readInto(handle, out), zram-like sizes',
      value: mbs(poolRead),
      unit: 'MiB/s',
      ratio: sameRead / poolRead,
      baseline: `Uint8Array.set at the same addresses ${mbs(sameRead).toFixed(0)} MiB/s`,
      target: '≥ 0.8×',
      met: sameRead / poolRead >= 0.8,
    },
    {
      name: '  same, against one contiguous buffer in order',
      value: mbs(poolRead),
      unit: 'MiB/s',
      ratio: seqRead / poolRead,
      baseline: `Uint8Array.set, sequential ${mbs(seqRead).toFixed(0)} MiB/s`,
    },
  ];
}

/** Where the oracle's trace generator is, in a checkout of this repository (not in the npm package). */
export function traceGenerator(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const p = join(here, up, 'test', 'fixtures', 'oracle', 'gen-traces.mjs');
    if (existsSync(p)) return p;
  }
  return null;
}

/** Replays the 1M-operation `churn` trace (pattern writes and checks on), per kernel profile. */
export async function benchReplay(o: BenchOptions): Promise<BenchRow[]> {
  const gen = traceGenerator();
  if (!gen) {
    o.log('replay: skipped (the trace generator ships with the repository, not the package)');
    return [];
  }
  const dir = join(tmpdir(), 'zsmalloc-bench-traces');
  mkdirSync(dir, { recursive: true });
  const trace = join(dir, 'churn.trace');
  if (!existsSync(trace)) {
    const r = spawnSync(process.execPath, [gen, '--out', dir, '--only', 'churn'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`trace generator failed: ${r.stderr}`);
  }
  const rows: BenchRow[] = [];
  for (const profile of ['linux-6.1', 'linux-6.12'] as ProfileName[]) {
    o.log(`replay churn: ${profile}`);
    const times: number[] = [];
    for (let i = 0; i < (o.quick ? 1 : 3); i++) {
      const t0 = performance.now();
      const r = await replayFile(trace, { profile });
      times.push(performance.now() - t0);
      if (r.checks.mismatches !== 0) throw new Error('replay pattern mismatch');
    }
    rows.push({
      name: `replay churn trace (1M ops, patterns checked), ${profile}`,
      value: median(times),
      unit: 'ms',
    });
  }
  return rows;
}
