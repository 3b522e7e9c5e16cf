/**
 * Read-speed benchmark of ZStore and ZCache (dev only), side by side with `Map` and lru-cache.
 *
 * Values: N slices of uniform 1–4 KiB cut front to back from this Node.js installation's files
 * (store-child.ts `loadData('node')` / `cut`, the store benchmark's data). Three groups, each in
 * fresh processes of its own, each speed a ratio to a baseline timed in the same process, the
 * contenders interleaved in ROUNDS rounds (so a change of load hits all of them alike):
 * - `lz4`: baseline the lz4 codec alone on the same values — each value the store keeps compressed
 *   decompressed from a plain buffer into a reused one (a value stored raw: copied); contenders
 *   ZStore (lz4) `get`, and `getInto` a reused buffer;
 * - `none`: baseline `Map<number, Uint8Array>.get`; contenders ZStore (codec none) `get`,
 *   `getInto`, `borrow` (a zero-copy view);
 * - `cache`: baseline lru-cache `get`; contenders ZCache (lz4) `get`, uniform and Zipf(1.0) keys;
 * - `hot`: baseline lru-cache `get` with Zipf(1.0) keys (`lruZipf`); contenders ZStore (lz4)
 *   without (`zstoreZipf`) and with a hot tier of HOT (default 0.05) of the payload
 *   (`zstoreZipfHot`), and ZCache with that tier (`zcacheZipfHot`), each after one warm-up pass of
 *   other Zipf keys so the tier is in its steady state; `hotHitRatio` / `zcacheHotHitRatio` of the
 *   measured passes, `hotBytes`, and `hotRssMiB` / `hotArrayBuffersMiB` (growth of RSS and of
 *   ArrayBuffer memory over both tiers' warm-up and passes, after a full GC on both sides).
 * Every read is consumed (`length + first byte`). `Map` and lru-cache hold views of the slices (a
 * copy each would add N × 2.5 KiB of heap without changing what `get` does: it returns a
 * reference). Memory at N = 1M: the lz4 group holds the compressed values twice (≈ 3 GB), the
 * none group the raw ones once (≈ 2.5 GB).
 *
 * Usage: node --import tsx src/bench/candidates/store-read.ts [N=1000000] [READS=400000] [RUNS=3]
 *          [GROUPS=lz4,none,cache,hot] [HOT=0.05]
 * prints one JSON line per process, then per ratio the median and min–max over the processes,
 * with the load average read before each process.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { getCodec } from '../../codec/codec.js';
import { ZCache } from '../../store/zcache.js';
import { ZStore } from '../../store/zstore.js';
import { median, Rng } from '../harness.js';
import { cut, loadData } from '../store-child.js';

declare const gc: (() => void) | undefined;

const ROUNDS = 4;

type Reader = (k: number) => number;

/** Seconds each reader takes over its share of `keys`, the readers interleaved in rounds. */
function timeInterleaved(keys: Uint32Array, readers: Record<string, Reader>): Record<string, number> {
  const names = Object.keys(readers);
  const secs: Record<string, number> = {};
  let sink = 0;
  for (const name of names) {
    secs[name] = 0;
    const f = readers[name];
    for (let i = 0; i < Math.min(20_000, keys.length); i++) sink += f(keys[i]); // warm-up
  }
  const per = Math.floor(keys.length / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) {
      const f = readers[name];
      const t0 = performance.now();
      for (let i = r * per; i < (r + 1) * per; i++) sink += f(keys[i]);
      secs[name] += (performance.now() - t0) / 1000;
    }
  }
  if (sink === 0) throw new Error('nothing read');
  for (const name of names) secs[name] = (per * ROUNDS) / secs[name]; // reads/s
  return secs;
}

function zipfKeys(n: number, reads: number, rng: Rng): Uint32Array {
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

function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]) * 4096;
}

/** One process: group `group` over `n` values, `reads` reads per contender; returns the rates. */
function child(group: string, n: number, reads: number, hotShare: number): Record<string, number | string> {
  const { data } = loadData('node');
  const { offs, lens } = cut(n, data.length);
  const value = (i: number) => data.subarray(offs[i], offs[i] + lens[i]);
  const rng = new Rng(11);
  const uniform = new Uint32Array(reads);
  for (let i = 0; i < reads; i++) uniform[i] = rng.int(n);
  const out: Record<string, number | string> = { group, n, reads };
  const t0 = performance.now();
  if (group === 'lz4') {
    // The compressed values in 64 MiB plain chunks, as the store would keep them (raw when
    // compression saves less than 1/16).
    const lz4 = getCodec('lz4');
    const CHUNK = 64 * 2 ** 20;
    const chunks: Uint8Array[] = [new Uint8Array(CHUNK)];
    const where = new Float64Array(n); // chunk · 2^32 + offset; -1: stored raw
    const clen = new Uint16Array(n);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const v = value(i);
      if (pos + v.length > CHUNK) {
        chunks.push(new Uint8Array(CHUNK));
        pos = 0;
      }
      const c = chunks[chunks.length - 1];
      const room = Math.floor(v.length * (1 - 1 / 16));
      const got = lz4.compress(v, c.subarray(pos, pos + room));
      if (got < 0) {
        where[i] = -1;
        continue;
      }
      where[i] = (chunks.length - 1) * 2 ** 32 + pos;
      clen[i] = got;
      pos += got;
    }
    const s = new ZStore<number, Uint8Array>({ codec: 'lz4', encoding: 'bytes', shrinkers: null });
    for (let i = 0; i < n; i++) s.set(i, value(i));
    out.fillSeconds = (performance.now() - t0) / 1000;
    out.rssMiB = rss() / 2 ** 20;
    const dst = new Uint8Array(8192);
    const buf = new Uint8Array(8192);
    const r = timeInterleaved(uniform, {
      decompress: (k) => {
        const w = where[k];
        const len = lens[k];
        if (w < 0) dst.set(value(k));
        else {
          const c = chunks[Math.floor(w / 2 ** 32)];
          const o = w % 2 ** 32;
          lz4.decompress(c.subarray(o, o + clen[k]), dst.subarray(0, len));
        }
        return len + dst[0];
      },
      get: (k) => {
        const v = s.get(k)!;
        return v.length + v[0];
      },
      getInto: (k) => s.getInto(k, buf)! + buf[0],
    });
    out.decompress = r.decompress;
    out.zstoreLz4 = r.get;
    out.zstoreLz4GetInto = r.getInto;
    s.destroy();
  } else if (group === 'none') {
    const m = new Map<number, Uint8Array>();
    for (let i = 0; i < n; i++) m.set(i, value(i));
    const s = new ZStore<number, Uint8Array>({ codec: 'none', encoding: 'bytes', shrinkers: null });
    for (let i = 0; i < n; i++) s.set(i, value(i));
    out.fillSeconds = (performance.now() - t0) / 1000;
    out.rssMiB = rss() / 2 ** 20;
    const buf = new Uint8Array(8192);
    const first = (v: Uint8Array) => v.length + v[0];
    const r = timeInterleaved(uniform, {
      map: (k) => {
        const v = m.get(k)!;
        return v.length + v[0];
      },
      get: (k) => {
        const v = s.get(k)!;
        return v.length + v[0];
      },
      getInto: (k) => s.getInto(k, buf)! + buf[0],
      borrow: (k) => s.borrow(k, first)!,
    });
    out.map = r.map;
    out.zstoreNone = r.get;
    out.zstoreNoneGetInto = r.getInto;
    out.zstoreNoneBorrow = r.borrow;
    s.destroy();
  } else if (group === 'cache') {
    const zipf = zipfKeys(n, reads, rng);
    const l = new LRUCache<number, Uint8Array>({ max: n });
    for (let i = 0; i < n; i++) l.set(i, value(i));
    const z = new ZCache<number, Uint8Array>({ max: n, encoding: 'bytes', shrinkers: null });
    for (let i = 0; i < n; i++) z.set(i, value(i));
    out.fillSeconds = (performance.now() - t0) / 1000;
    out.rssMiB = rss() / 2 ** 20;
    const read = (c: { get(k: number): Uint8Array | undefined }) => (k: number) => {
      const v = c.get(k)!;
      return v.length + v[0];
    };
    const u = timeInterleaved(uniform, { lru: read(l), zcache: read(z) });
    const zz = timeInterleaved(zipf, { lru: read(l), zcache: read(z) });
    out.lru = u.lru;
    out.zcacheLz4 = u.zcache;
    out.lruZipf = zz.lru;
    out.zcacheZipf = zz.zcache;
    z.destroy();
  } else if (group === 'hot') {
    const zipf = zipfKeys(n, reads, rng);
    const warm = zipfKeys(n, reads, new Rng(13));
    let payload = 0;
    for (let i = 0; i < n; i++) payload += lens[i];
    const hotBytes = Math.floor(payload * hotShare);
    const mem = (): NodeJS.MemoryUsage => {
      if (typeof gc === 'function') gc();
      return process.memoryUsage();
    };
    const l = new LRUCache<number, Uint8Array>({ max: n });
    for (let i = 0; i < n; i++) l.set(i, value(i));
    const read = (c: { get(k: number): Uint8Array | undefined }) => (k: number) => {
      const v = c.get(k)!;
      return v.length + v[0];
    };
    // Without a tier first (then dropped, so at most two stores are held at once).
    const cold = new ZStore<number, Uint8Array>({ encoding: 'bytes', shrinkers: null });
    for (let i = 0; i < n; i++) cold.set(i, value(i));
    const r0 = timeInterleaved(zipf, { lru: read(l), cold: read(cold) });
    out.lruZipfCold = r0.lru;
    out.zstoreZipf = r0.cold;
    cold.destroy();
    const hot = new ZStore<number, Uint8Array>({ encoding: 'bytes', shrinkers: null, hotBytes });
    for (let i = 0; i < n; i++) hot.set(i, value(i));
    const z = new ZCache<number, Uint8Array>({ max: n, encoding: 'bytes', shrinkers: null, hotBytes });
    for (let i = 0; i < n; i++) z.set(i, value(i));
    out.fillSeconds = (performance.now() - t0) / 1000;
    const m0 = mem();
    const readHot = read(hot);
    const readZ = read(z);
    for (let i = 0; i < warm.length; i++) {
      readHot(warm[i]);
      readZ(warm[i]);
    }
    const h0 = hot.stats().hot_hits;
    const zh0 = z.stats().hot_hits;
    const r = timeInterleaved(zipf, { lru: read(l), hot: readHot, zcache: readZ });
    // Reads of the measured passes: the warm-up of 20,000 keys plus ROUNDS shares.
    const measured = Math.min(20_000, zipf.length) + Math.floor(zipf.length / ROUNDS) * ROUNDS;
    out.lruZipf = r.lru;
    out.zstoreZipfHot = r.hot;
    out.zcacheZipfHot = r.zcache;
    const st = hot.stats();
    out.hotHitRatio = (st.hot_hits - h0) / measured;
    out.zcacheHotHitRatio = (z.stats().hot_hits - zh0) / measured;
    out.hotBytes = st.hot_bytes;
    const m1 = mem();
    out.hotRssMiB = (m1.rss - m0.rss) / 2 ** 20;
    out.hotArrayBuffersMiB = (m1.arrayBuffers - m0.arrayBuffers) / 2 ** 20;
    out.rssMiB = rss() / 2 ** 20;
    hot.destroy();
    z.destroy();
  } else {
    throw new Error(`unknown group ${group}`);
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/** The ratios reported: [label, numerator, baseline]. */
const RATIOS: [string, string, string][] = [
  ['cold get (lz4) / lz4 decompress, target >= 0.8', 'zstoreLz4', 'decompress'],
  ['getInto (lz4) / lz4 decompress', 'zstoreLz4GetInto', 'decompress'],
  ['get (none) / Map.get, target >= 0.5', 'zstoreNone', 'map'],
  ['getInto (none) / Map.get', 'zstoreNoneGetInto', 'map'],
  ['borrow (none) / Map.get', 'zstoreNoneBorrow', 'map'],
  ['ZCache get (lz4) / lru-cache get, uniform', 'zcacheLz4', 'lru'],
  ['ZCache get (lz4) / lru-cache get, Zipf(1.0)', 'zcacheZipf', 'lruZipf'],
  ['ZStore get, no hot tier / lru-cache get, Zipf(1.0)', 'zstoreZipf', 'lruZipfCold'],
  ['ZStore get, hot tier / lru-cache get, Zipf(1.0), target >= 0.5', 'zstoreZipfHot', 'lruZipf'],
  ['ZCache get, hot tier / lru-cache get, Zipf(1.0), target >= 0.5', 'zcacheZipfHot', 'lruZipf'],
];

function parent(n: number, reads: number, runs: number, groups: string[], hotShare: number): void {
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, number | string>[] = [];
  const loads: string[] = [];
  for (let run = 0; run < runs; run++) {
    for (const g of groups) {
      const load = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
      loads.push(load);
      const p = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          '--import',
          'tsx',
          self,
          '--read-child',
          g,
          String(n),
          String(reads),
          String(hotShare),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (p.status !== 0) throw new Error(`child ${g} failed (${p.status}): ${p.stderr}`);
      const lines = p.stdout.trim().split('\n');
      const r = JSON.parse(lines[lines.length - 1]) as Record<string, number | string>;
      r.load = load;
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
  console.log(`\n${n} values, ${reads} reads per contender per process, ${runs} processes per group`);
  console.log(`load average before each process: ${loads.join(' | ')}`);
  for (const [label, num, base] of RATIOS) {
    const xs = results
      .filter((r) => typeof r[num] === 'number' && typeof r[base] === 'number')
      .map((r) => (r[num] as number) / (r[base] as number));
    if (xs.length === 0) continue;
    const f = (x: number) => x.toFixed(3);
    console.log(
      `${label.padEnd(48)} median ${f(median(xs))}  [${f(Math.min(...xs))}..${f(Math.max(...xs))}]  runs ${xs.map(f).join(' ')}`,
    );
  }
}

if (process.argv[2] === '--read-child') {
  const [group, nArg, readsArg, hotArg] = process.argv.slice(3);
  if (typeof gc === 'function') gc();
  console.log(JSON.stringify(child(group, Number(nArg), Number(readsArg), Number(hotArg))));
} else {
  const n = Number(process.argv[2] ?? 1_000_000);
  const reads = Number(process.argv[3] ?? 400_000);
  const runs = Number(process.argv[4] ?? 3);
  const groups = (process.argv[5] ?? 'lz4,none,cache,hot').split(',');
  parent(n, reads, runs, groups, Number(process.argv[6] ?? 0.05));
}
