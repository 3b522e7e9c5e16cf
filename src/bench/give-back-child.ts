/**
 * Child process of the give-back benchmark: a fragmented pool of a given size (half its objects
 * freed at random), compacted, then given back synchronously (`trim`: defragmenting moves, then
 * arena cuts), timed; then the platform's own cost of cutting as many written bytes from a plain
 * resizable ArrayBuffer in one `resize`, in the same process (the baseline). A fresh process per
 * run, so no other benchmark's garbage or RSS blurs it. Prints one JSON line.
 *   give-back-child.js --child MiB SEED
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPool, type ZsPool } from '../pool/pool.js';
import { fillPool, Rng } from './harness.js';

/** A pool filled with about `bytes` of zram-like objects (bytes written), then half freed at random. */
export function fragmentedPool(bytes: number, seed: number): { pool: ZsPool; live: number; freed: number } {
  const rng = new Rng(seed);
  const pool = createPool({ shrinkers: null });
  const f = fillPool(pool, bytes, rng);
  let freed = 0;
  for (let i = 0; i < f.count; i++) {
    if (rng.int(2) === 0) {
      freed += pool.size(f.handles[i]);
      pool.free(f.handles[i]);
    }
  }
  return { pool, live: f.bytes - freed, freed };
}

/** What one child measures (ms unless named otherwise). */
export interface GiveBackResult {
  /** Pool size filled, MiB of object bytes. */
  mib: number;
  /** Bytes of the freed half. */
  freedBytes: number;
  /** Bytes the compaction's migration moved. */
  migratedBytes: number;
  /** Compaction (migration) time. */
  compactMs: number;
  /** Give-back (`trim`) time: defragmenting moves plus arena cuts. */
  giveBackMs: number;
  /** The part of it spent in `resize` calls. */
  cutMs: number;
  /** Bytes given back by the give-back. */
  returnedBytes: number;
  /** Zspages moved down by the give-back. */
  runsMoved: number;
  /** Bytes those moves copied. */
  movedBytes: number;
  /** The same number of written bytes cut from a plain resizable ArrayBuffer in one `resize`. */
  platformCutMs: number;
}

/** What {@link timeGiveBack} measured. */
export interface GiveBackTiming {
  /** `pool.trim()` time, ms. */
  giveBackMs: number;
  /** The part of it spent in arena cuts (`resize` down), ms. */
  cutMs: number;
  /** Bytes it gave back. */
  returnedBytes: number;
}

/** Runs `pool.trim()` (defragmenting moves, then arena cuts), timing it and its cuts. */
export function timeGiveBack(pool: ZsPool): GiveBackTiming {
  let cutMs = 0;
  const resize = ArrayBuffer.prototype.resize;
  ArrayBuffer.prototype.resize = function (this: ArrayBuffer, n: number) {
    if (n >= this.byteLength) return resize.call(this, n);
    const t = performance.now();
    resize.call(this, n);
    cutMs += performance.now() - t;
  };
  try {
    const t0 = performance.now();
    const returnedBytes = pool.trim();
    return { giveBackMs: performance.now() - t0, cutMs, returnedBytes };
  } finally {
    ArrayBuffer.prototype.resize = resize;
  }
}

/** The platform's own cost: `bytes` written into a plain resizable buffer, then cut in one `resize`, ms. */
export function platformCut(bytes: number): number {
  const buf = new ArrayBuffer(bytes, { maxByteLength: bytes });
  new Uint8Array(buf).fill(1);
  const t0 = performance.now();
  buf.resize(0);
  return performance.now() - t0;
}

/** Fills `mib` MiB, frees a random half, compacts and gives back, timing each part. */
export function giveBackChild(mib: number, seed: number): GiveBackResult {
  const { pool, freed } = fragmentedPool(mib * 2 ** 20, seed);
  const s0 = pool.stats({ classes: false });
  const t0 = performance.now();
  pool.compactSync(false);
  const compactMs = performance.now() - t0;
  const s1 = pool.stats({ classes: false });
  const pagesMoved0 = pool.store.stats().pages_relocated;
  const { giveBackMs, cutMs, returnedBytes } = timeGiveBack(pool);
  const s2 = pool.stats({ classes: false });
  const runsMoved = s2.zspages_relocated - s1.zspages_relocated;
  const movedBytes = (pool.store.stats().pages_relocated - pagesMoved0) * pool.pageSize;
  pool.destroy();
  // The baseline, after the pool is gone: as many written bytes, cut at once.
  const platformCutMs = platformCut(returnedBytes);
  return {
    mib,
    freedBytes: freed,
    migratedBytes: s1.bytes_migrated - s0.bytes_migrated,
    compactMs,
    giveBackMs,
    cutMs,
    returnedBytes,
    runsMoved,
    movedBytes,
    platformCutMs,
  };
}

// Only when run as the script itself: scaling-child.ts imports this file's timers, and its own
// `--child MiB` arguments must not start a give-back run here too (two JSON lines).
const isScript =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isScript && process.argv[2] === '--child') {
  process.stdout.write(
    `${JSON.stringify(giveBackChild(Number(process.argv[3]), Number(process.argv[4])))}\n`,
  );
}
