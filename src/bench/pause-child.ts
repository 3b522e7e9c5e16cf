/**
 * Child process of the compactAsync pause benchmark: a fragmented pool of a given size, compacted
 * with `compactAsync` while a probe records the gaps between event-loop turns; then the same probe
 * with nothing running (the noise floor). A fresh process, so no other benchmark's garbage is
 * collected in the middle. Prints one JSON line.
 *   pause-child.js --child MiB
 */
import { createPool } from '../pool/pool.js';
import { yieldToEventLoop } from '../util/yield.js';
import { Rng, zramSizes } from './harness.js';

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
  const src = new Uint8Array(4096);
  for (let i = 0; i < src.length; i++) src[i] = rng.int(256);
  const views = Array.from({ length: 4097 }, (_, k) => src.subarray(0, k));
  // Warm the code paths on a small pool first, as a long-running server would have.
  const warm = createPool({ shrinkers: null });
  const wh = new Float64Array(20000);
  for (let i = 0; i < wh.length; i++) wh[i] = warm.malloc(sizes[i]);
  for (let i = 0; i < wh.length; i += 2) warm.free(wh[i]);
  await warm.compactAsync();
  warm.destroy();
  const pool = createPool({ shrinkers: null });
  let hs = new Float64Array(1 << 16);
  let n = 0;
  for (let total = 0; total < mib * 2 ** 20; ) {
    const s = sizes[n & 0xffff];
    const h = pool.malloc(s);
    pool.write(h, views[s]);
    if (n === hs.length) {
      const g = new Float64Array(n * 2);
      g.set(hs);
      hs = g;
    }
    hs[n++] = h;
    total += s;
  }
  for (let i = 0; i < n; i++) if (rng.int(2) === 0) pool.free(hs[i]);
  const t0 = performance.now();
  let r = { longestSliceMs: 0, slices: 0 };
  const maxGap = await probe(async () => {
    r = await pool.compactAsync();
  });
  const durationMs = performance.now() - t0;
  const idleMaxGap = await probe(() => new Promise((res) => setTimeout(res, durationMs)));
  pool.destroy();
  return { maxGap, longestSlice: r.longestSliceMs, slices: r.slices, durationMs, idleMaxGap };
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(await pauseChild(Number(process.argv[3])))}\n`);
}
