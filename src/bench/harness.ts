/**
 * Benchmark harness: timing with medians, RSS from /proc, deterministic data, and result rows.
 *
 * Benchmarks are programs, not tests: every figure is measured in the run that prints it, and
 * every speed is also given as a ratio to a baseline measured in the same run (these machines
 * are shared and noisy, so ratios and medians mean more than absolutes).
 */
import { readFileSync } from 'node:fs';
import type { ZsPool } from '../pool/pool.js';

/** One printed result. */
export interface BenchRow {
  /** What was measured. */
  name: string;
  /** The measured value. */
  value: number;
  /** Unit of `value`. */
  unit: string;
  /** `value` divided by the baseline measured in the same run, when there is one. */
  ratio?: number;
  /** What the ratio is against. */
  baseline?: string;
  /** The target from the issue, as text (e.g. `≥ 0.8×`). */
  target?: string;
  /** Whether the target is met. */
  met?: boolean;
}

/** Median of `xs` (not modified). */
export function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `min–max` of `xs`, formatted, for the spread beside a median. */
export function spread(xs: readonly number[]): string {
  return `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
}

/**
 * The malloc/free baseline: a bare per-class free-list slab. Sizes are rounded up to 32-byte
 * classes (as a slab allocator's kmalloc caches would), each class keeps a LIFO free list of slot
 * ids linked through one Int32Array, and a slot records its class and size. No pages, no lists by
 * fullness, no validation, no compaction: the least a size-class allocator can do.
 */
export class ClassSlab {
  private readonly next: Int32Array;
  private readonly cls: Uint16Array;
  /** Size of each slot's object. */
  readonly size: Int32Array;
  private readonly head: Int32Array;
  private top = 0;
  /** A slab with room for `n` objects of up to `maxSize` bytes. */
  constructor(n: number, maxSize = 4096) {
    this.next = new Int32Array(n);
    this.cls = new Uint16Array(n);
    this.size = new Int32Array(n);
    this.head = new Int32Array((maxSize >>> 5) + 2).fill(-1);
  }
  /** A slot for `size` bytes. */
  malloc(size: number): number {
    const c = (size + 31) >>> 5;
    let s = this.head[c];
    if (s >= 0) this.head[c] = this.next[s];
    else s = this.top++;
    this.cls[s] = c;
    this.size[s] = size;
    return s;
  }
  /** Returns slot `s` to its class's free list. */
  free(s: number): void {
    const c = this.cls[s];
    this.next[s] = this.head[c];
    this.head[c] = s;
  }
}

/** Runs `fn` `runs` times (after one warm-up) and returns the median duration in ms. */
export function timeMedian(fn: () => void, runs = 5): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Resident set size of this process in bytes (Linux `/proc/self/statm`; else `process.memoryUsage`). */
export function rssBytes(): number {
  try {
    return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
  } catch {
    return process.memoryUsage().rss;
  }
}

/** A small deterministic PRNG (xorshift32), so every run sees the same data. */
export class Rng {
  private s: number;
  /** Seeds the generator (0 is replaced by a fixed constant). */
  constructor(seed = 0x9e3779b9) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s % n;
  }
}

/**
 * Sizes shaped like zram's compressed 4 KiB pages (the oracle's `zram-like` mix): 8% 20..300 B,
 * 62% around 1150 B, 18% 2000..3600 B, 12% near or at 4096 B.
 */
export function zramSizes(n: number, rng: Rng, maxSize = 4096): Uint16Array {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.int(10000);
    let s: number;
    if (u < 800) s = 20 + rng.int(281);
    else if (u < 7000)
      s = 400 + rng.int(1801) * 0.5 + rng.int(901); // ≈ triangular around 1150
    else if (u < 8800) s = 2000 + rng.int(1601);
    else s = rng.int(10) < 6 ? 4096 : 3700 + rng.int(396);
    out[i] = Math.min(maxSize, Math.max(1, Math.round(s)));
  }
  return out;
}

/** Formats a number with a sensible number of digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(2);
}

/** The handles of a filled pool. */
export interface Filled {
  /** Handles, in allocation order (the first `count` entries). */
  handles: Float64Array;
  /** Objects allocated. */
  count: number;
  /** Bytes allocated. */
  bytes: number;
}

/** Fills `pool` with zram-like objects, each written with random bytes, until `bytes` are held. */
export function fillPool(pool: ZsPool, bytes: number, rng: Rng): Filled {
  const src = new Uint8Array(4096);
  for (let i = 0; i < src.length; i++) src[i] = rng.int(256);
  const views = Array.from({ length: 4097 }, (_, k) => src.subarray(0, k));
  const sizes = zramSizes(1 << 16, rng);
  let hs = new Float64Array(1 << 16);
  let n = 0;
  let total = 0;
  while (total < bytes) {
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
  return { handles: hs, count: n, bytes: total };
}
