/**
 * Child process of the compactAsync pause benchmark: a fragmented pool of a given size, compacted
 * with `compactAsync` while a probe records the gaps between event-loop turns; then the same probe
 * with nothing running (the noise floor). A fresh process, so no other benchmark's garbage is
 * collected in the middle. Prints one JSON line.
 *   pause-child.js --child MiB
 */
import { createPool } from '../pool/pool.js';
import { yieldToEventLoop } from '../util/yield.js';
import { fillPool, Rng, zramSizes } from './harness.js';

/** What one child measures (ms). */
export interface PauseResult {
  /** Longest gap between two event-loop turns while compacting. */
  maxGap: number;
  /** compactAsync's own longest slice of work. */
  longestSlice: number;
  /** Slices used. */
  slices: number;
  /** Wall time of the compaction. */
  durationMs: number;
  /** Longest gap of the same probe with nothing running, for as long. */
  idleMaxGap: number;
  /** Longest single arena cut (`resize` down) of the give-back. */
  longestCut: number;
  /** Arena cuts the give-back made. */
  cuts: number;
  /** Bytes they gave back. */
  cutBytes: number;
}

async function probe(work: () => Promise<unknown>): Promise<number> {
  let max = 0;
  let last = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      await yieldToEventLoop();
      const now = performance.now();
      if (now - last > max) max = now - last;
      last = now;
    }
  })();
  await work();
  running = false;
  await loop;
  return max;
}

/** Fills `mib` MiB, frees a random half, and measures. */
export async function pauseChild(mib: number): Promise<PauseResult> {
  const rng = new Rng(12);
  const sizes = zramSizes(1 << 16, rng);
  // Warm the code paths on a small pool first, as a long-running server would have.
  const warm = createPool({ shrinkers: null });
  const wh = new Float64Array(20000);
  for (let i = 0; i < wh.length; i++) wh[i] = warm.malloc(sizes[i]);
  for (let i = 0; i < wh.length; i += 2) warm.free(wh[i]);
  await warm.compactAsync();
  warm.destroy();
  const pool = createPool({ shrinkers: null });
  const f = fillPool(pool, mib * 2 ** 20, rng);
  for (let i = 0; i < f.count; i++) if (rng.int(2) === 0) pool.free(f.handles[i]);
  // Time every arena cut: the longest is the give-back's longest single step of its kind.
  let longestCut = 0;
  let cuts = 0;
  let cutBytes = 0;
  const resize = ArrayBuffer.prototype.resize;
  ArrayBuffer.prototype.resize = function (this: ArrayBuffer, n: number) {
    if (n >= this.byteLength) return resize.call(this, n);
    const bytes = this.byteLength - n;
    const t = performance.now();
    resize.call(this, n);
    const d = performance.now() - t;
    if (d > longestCut) longestCut = d;
    cuts++;
    cutBytes += bytes;
  };
  const t0 = performance.now();
  let r = { longestSliceMs: 0, slices: 0 };
  let maxGap = 0;
  try {
    maxGap = await probe(async () => {
      r = await pool.compactAsync();
    });
  } finally {
    ArrayBuffer.prototype.resize = resize;
  }
  const durationMs = performance.now() - t0;
  const idleMaxGap = await probe(() => new Promise((res) => setTimeout(res, durationMs)));
  pool.destroy();
  return {
    maxGap,
    longestSlice: r.longestSliceMs,
    slices: r.slices,
    durationMs,
    idleMaxGap,
    longestCut,
    cuts,
    cutBytes,
  };
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(await pauseChild(Number(process.argv[3])))}\n`);
}
