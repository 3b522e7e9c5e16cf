/**
 * Child process of the scaling benchmark: one pool of a given size, measured on its own so that
 * RSS figures belong to it. Prints one JSON line.
 *   scaling-child.js --child MiB
 */
import { readFileSync } from 'node:fs';
import { createPool } from '../pool/pool.js';
import { platformCut, timeGiveBack } from './give-back-child.js';
import { ClassSlab, fillPool, median, Rng, zramSizes } from './harness.js';

/** What one child measures. */
export interface ScalingResult {
  /** Pool size filled, in MiB of object bytes. */
  mib: number;
  /** Arenas used. */
  arenas: number;
  /** Live objects after filling. */
  objects: number;
  /** Time to fill, ms. */
  fillMs: number;
  /** malloc+free pairs per second (random churn over the filled pool). */
  pairsPerSec: number;
  /** The same churn on a per-class free-list slab holding as many objects (the baseline). */
  slabPairsPerSec: number;
  /** One shrinker count(), µs. */
  countUs: number;
  /** Pages freed by compaction after freeing a random half. */
  pagesFreed: number;
  /** Compaction (migration) time, ms. */
  compactMs: number;
  /** Give-back (defragment + trim) time, ms. */
  giveBackMs: number;
  /** The part of it spent in arena cuts (`resize`), ms. */
  cutMs: number;
  /** Bytes the give-back returned. */
  returnedBytes: number;
  /** The same number of written bytes cut from a plain resizable ArrayBuffer in one `resize`, ms. */
  platformCutMs: number;
  /** Bytes of the freed half. */
  freedBytes: number;
  /** RSS drop from before the frees to after compaction, bytes. */
  rssReturned: number;
  /** RSS after filling, bytes. */
  rssFull: number;
}

function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
}

/** Runs one size. */
export function scalingChild(mib: number): ScalingResult {
  const rng = new Rng(77);
  const pool = createPool({ shrinkers: null });
  const sizes = zramSizes(1 << 20, rng);
  const t0 = performance.now();
  const f = fillPool(pool, mib * 2 ** 20, rng);
  const hs = f.handles;
  const n = f.count;
  const fillMs = performance.now() - t0;
  const rssFull = rss();
  // Churn: free a random object, allocate a new one of a zram-like size.
  const ops = 1_000_000;
  const picks = new Int32Array(1 << 20);
  for (let i = 0; i < picks.length; i++) picks[i] = rng.int(n);
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const tc = performance.now();
    for (let i = 0; i < ops; i++) {
      const k = picks[i & 0xfffff];
      pool.free(hs[k]);
      hs[k] = pool.malloc(sizes[(i * 7) & 0xfffff]);
    }
    runs.push(performance.now() - tc);
  }
  // The baseline: the same churn (same picks, same sizes) on a per-class slab of n objects.
  const slab = new ClassSlab(2 * n);
  const own = new Int32Array(n);
  for (let i = 0; i < n; i++) own[i] = slab.malloc(sizes[i & 0xfffff]);
  const slabRuns: number[] = [];
  for (let r = 0; r < 3; r++) {
    const tc = performance.now();
    for (let i = 0; i < ops; i++) {
      const k = picks[i & 0xfffff];
      slab.free(own[k]);
      own[k] = slab.malloc(sizes[(i * 7) & 0xfffff]);
    }
    slabRuns.push(performance.now() - tc);
  }
  const sc = { nrToScan: 128, nrScanned: 128, priority: 0, targetBytes: Number.POSITIVE_INFINITY };
  const cts: number[] = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const tq = performance.now();
    for (let i = 0; i < 20000; i++) sink += pool.shrinker.count(sc);
    cts.push(((performance.now() - tq) / 20000) * 1000);
  }
  let freed = 0;
  for (let i = 0; i < n; i++) {
    if (rng.int(2) === 0) {
      freed += pool.size(hs[i]);
      pool.free(hs[i]);
    }
  }
  const rssBefore = rss();
  const tm = performance.now();
  const r = pool.compactSync(false);
  const compactMs = performance.now() - tm;
  const { giveBackMs, cutMs, returnedBytes } = timeGiveBack(pool);
  const out: ScalingResult = {
    mib,
    arenas: pool.stats({ classes: false }).arenas,
    objects: n,
    fillMs,
    pairsPerSec: ops / (median(runs) / 1000),
    slabPairsPerSec: ops / (median(slabRuns) / 1000),
    countUs: median(cts) + (sink < 0 ? 1 : 0),
    pagesFreed: r.pagesFreed,
    compactMs,
    giveBackMs,
    cutMs,
    returnedBytes,
    platformCutMs: 0,
    freedBytes: freed,
    rssReturned: rssBefore - rss(),
    rssFull,
  };
  pool.destroy();
  // The baseline, after the pool is gone: as many written bytes, cut at once.
  out.platformCutMs = platformCut(returnedBytes);
  return out;
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(scalingChild(Number(process.argv[3])))}\n`);
}
