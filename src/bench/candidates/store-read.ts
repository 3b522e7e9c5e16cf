/**
 * Read-speed benchmark of ZStore and ZCache (dev only): one process per run, values of 1–4 KiB cut
 * from this Node.js installation's files, uniform random and Zipf(1.0) reads. Prints one JSON line
 * of operations per second:
 * - `decompress`: the lz4 codec alone, decompressing the same values into a reused buffer;
 * - `zstoreLz4`, `zstoreNone`, `map`: `get` of ZStore (lz4 / codec none) and `Map<number, Uint8Array>`;
 *   `…GetInto`: `getInto` a reused buffer; `zstoreNoneBorrow`: `borrow` (a zero-copy view);
 * - `zcacheLz4`, `lru`: `get` of ZCache (lz4) and lru-cache, uniform;
 * - `zcacheZipf`, `lruZipf`: the same with Zipf(1.0) keys.
 * - `zcacheZipfHot`, `zstoreZipf`, `zstoreZipfHot`: Zipf(1.0) `get` of ZCache and ZStore (lz4) with
 *   a hot tier of `HOT` (default 0.05) of the payload — after one warm-up pass of other Zipf keys, so
 *   the tier is in its steady state — and ZStore without; `hotHitRatio` of the measured pass,
 *   `hotBytes` (estimated), `hotRssMiB` and `hotArrayBuffersMiB` (growth of RSS and of ArrayBuffer
 *   memory over warm-up and pass; with `--expose-gc` after a full GC on both sides).
 * Usage: node [--expose-gc] --import tsx src/bench/candidates/store-read.ts [N=100000] [READS=300000] [HOT=0.05] [hot]
 * (`hot`: only the hot-tier rows and `lruZipf`.)
 */

import { readFileSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { getCodec } from '../../codec/codec.js';
import { ZCache } from '../../store/zcache.js';
import { ZStore } from '../../store/zstore.js';
import { Rng } from '../harness.js';
import { nodeInstallFiles } from '../store-child.js';

const n = Number(process.argv[2] ?? 100_000);
const reads = Number(process.argv[3] ?? 300_000);

function values(): Uint8Array[] {
  const files = nodeInstallFiles();
  const rng = new Rng(7);
  const out: Uint8Array[] = [];
  let buf = new Uint8Array(0);
  let pos = 0;
  let fi = 0;
  while (out.length < n) {
    const len = 1024 + rng.int(3073);
    if (pos + len > buf.length) {
      buf = readFileSync(files[fi++ % files.length]);
      pos = 0;
      if (buf.length < len) continue;
    }
    out.push(buf.slice(pos, pos + len));
    pos += len;
  }
  return out;
}

/** Ops/s of `fn(i)` over `keys`. */
function rate(keys: Uint32Array, fn: (k: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(20000, keys.length); i++) if (fn(keys[i]) !== undefined) sink++; // warm-up
  const t0 = performance.now();
  for (let i = 0; i < keys.length; i++) if (fn(keys[i]) !== undefined) sink++;
  const ms = performance.now() - t0;
  if (sink === 0) throw new Error('nothing read');
  return (keys.length / ms) * 1000;
}

function zipfKeys(rng: Rng): Uint32Array {
  // Zipf(1.0) over n ranks by inverse CDF on the harmonic numbers.
  const cdf = new Float64Array(n);
  let h = 0;
  for (let i = 0; i < n; i++) {
    h += 1 / (i + 1);
    cdf[i] = h;
  }
  const keys = new Uint32Array(reads);
  for (let i = 0; i < reads; i++) {
    const u = (rng.int(2 ** 30) / 2 ** 30) * h;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    keys[i] = lo;
  }
  return keys;
}

const vals = values();
const rng = new Rng(11);
const uniform = new Uint32Array(reads);
for (let i = 0; i < reads; i++) uniform[i] = rng.int(n);
const zipf = zipfKeys(rng);
const out: Record<string, number> = { n, reads };

{
  // The hot tier: Zipf reads with and without it, its hit ratio and its RSS cost.
  const hotShare = Number(process.argv[4] ?? 0.05);
  const hotOnly = process.argv[5] === 'hot';
  let payload = 0;
  for (const v of vals) payload += v.length;
  const hotBytes = Math.floor(payload * hotShare);
  const warm = zipfKeys(new Rng(13));
  const gc = (globalThis as { gc?: () => void }).gc;
  const mem = (): NodeJS.MemoryUsage => {
    gc?.();
    return process.memoryUsage();
  };
  for (const hot of [0, hotBytes]) {
    const s = new ZStore<number, Uint8Array>({ encoding: 'bytes', shrinkers: null, hotBytes: hot });
    for (let i = 0; i < n; i++) s.set(i, vals[i]);
    const m0 = mem();
    rate(warm, (k) => s.get(k));
    const h0 = s.stats().hot_hits;
    out[hot === 0 ? 'zstoreZipf' : 'zstoreZipfHot'] = rate(zipf, (k) => s.get(k));
    if (hot !== 0) {
      const st = s.stats();
      out.hotHitRatio = (st.hot_hits - h0) / (zipf.length + Math.min(20000, zipf.length));
      out.hotBytes = st.hot_bytes;
      const m1 = mem();
      out.hotRssMiB = (m1.rss - m0.rss) / 2 ** 20;
      out.hotArrayBuffersMiB = (m1.arrayBuffers - m0.arrayBuffers) / 2 ** 20;
    }
    s.destroy();
  }
  const z = new ZCache<number, Uint8Array>({ max: n, encoding: 'bytes', shrinkers: null, hotBytes });
  for (let i = 0; i < n; i++) z.set(i, vals[i]);
  rate(warm, (k) => z.get(k));
  const zh0 = z.stats().hot_hits;
  out.zcacheZipfHot = rate(zipf, (k) => z.get(k));
  out.zcacheHotHitRatio = (z.stats().hot_hits - zh0) / (zipf.length + Math.min(20000, zipf.length));
  z.destroy();
  if (hotOnly) {
    const l = new LRUCache<number, Uint8Array>({ max: n });
    for (let i = 0; i < n; i++) l.set(i, vals[i]);
    out.lruZipf = rate(zipf, (k) => l.get(k));
    console.log(JSON.stringify(out));
    process.exit(0);
  }
}

{
  const lz4 = getCodec('lz4');
  const comp: Uint8Array[] = [];
  const scratch = new Uint8Array(8192);
  for (const v of vals) {
    const c = lz4.compress(v, scratch);
    comp.push(c < 0 ? v : scratch.slice(0, c));
  }
  const dst = new Uint8Array(8192);
  out.decompress = rate(uniform, (k) => {
    const v = vals[k];
    const c = comp[k];
    return c === v ? dst : lz4.decompress(c, dst.subarray(0, v.length));
  });
}
{
  const m = new Map<number, Uint8Array>();
  for (let i = 0; i < n; i++) m.set(i, vals[i]);
  out.map = rate(uniform, (k) => m.get(k));
}
for (const codec of ['lz4', 'none'] as const) {
  const s = new ZStore<number, Uint8Array>({ codec, encoding: 'bytes', shrinkers: null });
  for (let i = 0; i < n; i++) s.set(i, vals[i]);
  const name = codec === 'lz4' ? 'zstoreLz4' : 'zstoreNone';
  out[name] = rate(uniform, (k) => s.get(k));
  const buf = new Uint8Array(8192);
  out[`${name}GetInto`] = rate(uniform, (k) => s.getInto(k, buf));
  if (codec === 'none') out.zstoreNoneBorrow = rate(uniform, (k) => s.borrow(k, (v) => v[0]));
  s.destroy();
}
{
  const l = new LRUCache<number, Uint8Array>({ max: n });
  for (let i = 0; i < n; i++) l.set(i, vals[i]);
  out.lru = rate(uniform, (k) => l.get(k));
  out.lruZipf = rate(zipf, (k) => l.get(k));
}
{
  const z = new ZCache<number, Uint8Array>({ max: n, encoding: 'bytes', shrinkers: null });
  for (let i = 0; i < n; i++) z.set(i, vals[i]);
  out.zcacheLz4 = rate(uniform, (k) => z.get(k));
  out.zcacheZipf = rate(zipf, (k) => z.get(k));
  z.destroy();
}
console.log(JSON.stringify(out));
