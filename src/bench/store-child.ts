/**
 * Child process of the store benchmark: one contender (ZStore, `Map<number, Uint8Array>` or
 * `lru-cache`) in a process of its own, so that its RSS is its own. Run by `store-bench.ts` with
 * `--expose-gc`; prints one JSON line.
 *
 *   store-child.js --child fill CONTENDER DATA N   fill N entries of 1–4 KiB, time set/get, GC,
 *                                                  delete a random half, reclaim once
 *   store-child.js --child tiny CONTENDER KEYS N   N entries of 8 bytes: RSS and metadata per entry
 *
 * CONTENDER: `map`, `lru-cache`, `zstore` (lz4), `zstore-none` (codec none).
 * DATA: `node` (the files of this Node.js installation: the `node` binary, then every regular
 * file under `lib/node_modules`, in name order) or `random` (64 MiB of xorshift bytes).
 * KEYS: `num` (0..N−1) or `str` (`"k:" + i`).
 *
 * Values: the data is cut front to back into slices of uniform 1024..4096 bytes (wrapping to the
 * start when it runs out), one slice per entry. Every contender is handed a view of its slice and
 * must keep a copy: `Map` and `lru-cache` take `slice()` (what holding a copy costs them), ZStore
 * copies it into its pool in `set`.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ShrinkerRegistry } from '../shrinker/registry.js';
import { ZStore } from '../store/zstore.js';
import { median, Rng } from './harness.js';

/** What `fill` reports. */
export interface FillResult {
  contender: string;
  data: string;
  n: number;
  /** Bytes of the data the slices were cut from, and how many files. */
  corpusBytes: number;
  corpusFiles: number;
  /** Sum of the value lengths. */
  payloadBytes: number;
  /** RSS before filling (data loaded, GC'd), after filling (GC'd), after the get phase (GC'd). */
  rss0: number;
  rss1: number;
  rss2: number;
  /** RSS right after the reclaim pass, and 300 ms later. */
  rss3Now: number;
  rss3: number;
  /** `process.memoryUsage()` heapTotal and external bytes beside rss0 and rss1. */
  heap0: number;
  heap1: number;
  external0: number;
  external1: number;
  /** Median set/s and get/s over batches of N/100 operations. */
  setPerSec: number;
  getPerSec: number;
  /** Whole fill, ms. */
  fillMs: number;
  /** Median of 5 `gc()` calls after the fill, ms. */
  gcMs: number;
  /** Payload bytes of the deleted half. */
  deletedBytes: number;
  deleted: number;
  /** The reclaim pass (ZStore: `registry.shrinkAll()`; others: `gc()`), ms. */
  reclaimMs: number;
  /** ZStore only: stats after the fill. */
  stats?: {
    stored_bytes: number;
    ratio: number;
    compressed_entries: number;
    pool_bytes: number;
    metadata_bytes: number;
  };
  /** ZStore only: pool bytes committed after the reclaim pass. */
  poolBytesAfter?: number;
  /** Values read back and compared with their slices (after the fill and after the reclaim). */
  verified: number;
  /** Set when the contender could not run (e.g. `lru-cache` not installed). */
  skipped?: string;
}

/** What `tiny` reports. */
export interface TinyResult {
  contender: string;
  keys: string;
  n: number;
  rss0: number;
  rss1: number;
  gcMs: number;
  /** ZStore only. */
  metadataBytes?: number;
  poolBytes?: number;
}

declare const gc: () => void;

const BATCHES = 100;

/** The files of the Node.js installation running us: the binary, then `lib/node_modules/**`. */
export function nodeInstallFiles(): string[] {
  const exe = realpathSync(process.execPath);
  const files = [exe];
  const root = join(dirname(dirname(exe)), 'lib', 'node_modules');
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size > 0) files.push(p);
    }
  };
  walk(root);
  return files;
}

/** The data values are cut from: `node` (this installation's files) or `random`. */
export function loadData(kind: string): { data: Uint8Array; files: number } {
  if (kind === 'random') {
    const words = new Uint32Array(16 * 2 ** 20);
    let x = 0x2545f491;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    return { data: new Uint8Array(words.buffer), files: 0 };
  }
  if (kind !== 'node') throw new Error(`unknown data ${kind}`);
  const files = nodeInstallFiles();
  let total = 0;
  for (const f of files) total += lstatSync(f).size;
  const data = new Uint8Array(total);
  let off = 0;
  for (const f of files) {
    const b = readFileSync(f);
    data.set(b.subarray(0, Math.min(b.length, total - off)), off);
    off += b.length;
  }
  return { data: data.subarray(0, off), files: files.length };
}

/** Slice i is `data[offs[i], offs[i] + lens[i])`: uniform 1024..4096 bytes, front to back, wrapping. */
export function cut(n: number, size: number): { offs: Float64Array; lens: Uint16Array; payload: number } {
  const rng = new Rng(7);
  const offs = new Float64Array(n);
  const lens = new Uint16Array(n);
  let pos = 0;
  let payload = 0;
  for (let i = 0; i < n; i++) {
    const len = 1024 + rng.int(3073);
    if (pos + len > size) pos = 0;
    offs[i] = pos;
    lens[i] = len;
    pos += len;
    payload += len;
  }
  return { offs, lens, payload };
}

function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]) * 4096;
}

function gcTimes(runs: number): number {
  gc();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    gc();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The operations a contender needs; each is a plain method call, so loops stay monomorphic. */
interface Contender {
  set(k: number, data: Uint8Array, off: number, len: number): void;
  /** Reads `k`; returns `length + first byte` so the read cannot be optimised away. */
  get(k: number): number;
  value(k: number): Uint8Array | undefined;
  delete(k: number): void;
  /** One reclaim pass; returns nothing. */
  reclaim(): void;
}

class MapContender implements Contender {
  readonly m = new Map<number, Uint8Array>();
  set(k: number, data: Uint8Array, off: number, len: number): void {
    this.m.set(k, data.slice(off, off + len));
  }
  get(k: number): number {
    const v = this.m.get(k)!;
    return v.length + v[0];
  }
  value(k: number): Uint8Array | undefined {
    return this.m.get(k);
  }
  delete(k: number): void {
    this.m.delete(k);
  }
  reclaim(): void {
    gc();
  }
}

interface LruLike {
  set(k: number, v: Uint8Array): unknown;
  get(k: number): Uint8Array | undefined;
  delete(k: number): boolean;
}

class LruContender implements Contender {
  constructor(readonly c: LruLike) {}
  set(k: number, data: Uint8Array, off: number, len: number): void {
    this.c.set(k, data.slice(off, off + len));
  }
  get(k: number): number {
    const v = this.c.get(k)!;
    return v.length + v[0];
  }
  value(k: number): Uint8Array | undefined {
    return this.c.get(k);
  }
  delete(k: number): void {
    this.c.delete(k);
  }
  reclaim(): void {
    gc();
  }
}

class ZStoreContender implements Contender {
  readonly reg = new ShrinkerRegistry();
  readonly s: ZStore<number>;
  constructor(codec: string) {
    this.s = new ZStore<number>({ codec, shrinkers: this.reg });
  }
  set(k: number, data: Uint8Array, off: number, len: number): void {
    this.s.set(k, data.subarray(off, off + len));
  }
  get(k: number): number {
    const v = this.s.get(k) as Uint8Array;
    return v.length + v[0];
  }
  value(k: number): Uint8Array | undefined {
    return this.s.get(k) as Uint8Array | undefined;
  }
  delete(k: number): void {
    this.s.delete(k);
  }
  reclaim(): void {
    this.reg.shrinkAll();
  }
}

async function makeContender(name: string, n: number): Promise<Contender | string> {
  if (name === 'map') return new MapContender();
  if (name === 'zstore') return new ZStoreContender('lz4');
  if (name === 'zstore-none') return new ZStoreContender('none');
  if (name === 'lru-cache') {
    try {
      const mod = (await import('lru-cache')) as {
        LRUCache: new (o: { max: number }) => LruLike;
      };
      return new LruContender(new mod.LRUCache({ max: n }));
    } catch (e) {
      return `lru-cache is not installed (${(e as Error).message.split('\n')[0]})`;
    }
  }
  throw new Error(`unknown contender ${name}`);
}

function equal(a: Uint8Array | undefined, data: Uint8Array, off: number, len: number): boolean {
  if (a === undefined || a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== data[off + i]) return false;
  return true;
}

/** `fill`: see the file comment. */
export async function fillChild(contenderName: string, dataKind: string, n: number): Promise<FillResult> {
  const { data, files } = loadData(dataKind);
  const { offs, lens, payload } = cut(n, data.length);
  const rng = new Rng(99);
  const getKeys = new Int32Array(n);
  for (let i = 0; i < n; i++) getKeys[i] = rng.int(n);
  const del = new Uint8Array(n);
  for (let i = 0; i < n; i++) del[i] = rng.int(2);
  const check = new Int32Array(1000);
  for (let i = 0; i < check.length; i++) check[i] = rng.int(n);
  const base: FillResult = {
    contender: contenderName,
    data: dataKind,
    n,
    corpusBytes: data.length,
    corpusFiles: files,
    payloadBytes: payload,
    rss0: 0,
    rss1: 0,
    rss2: 0,
    rss3Now: 0,
    rss3: 0,
    heap0: 0,
    heap1: 0,
    external0: 0,
    external1: 0,
    setPerSec: 0,
    getPerSec: 0,
    fillMs: 0,
    gcMs: 0,
    deletedBytes: 0,
    deleted: 0,
    reclaimMs: 0,
    verified: 0,
  };
  const c = await makeContender(contenderName, n);
  if (typeof c === 'string') return { ...base, skipped: c };
  gc();
  gc();
  base.rss0 = rss();
  ({ heapTotal: base.heap0, external: base.external0 } = process.memoryUsage());

  // Fill, timed in batches.
  const batch = Math.max(1, Math.floor(n / BATCHES));
  const setRates: number[] = [];
  const tFill = performance.now();
  for (let b0 = 0; b0 < n; b0 += batch) {
    const b1 = Math.min(n, b0 + batch);
    const t0 = performance.now();
    for (let i = b0; i < b1; i++) c.set(i, data, offs[i], lens[i]);
    setRates.push((b1 - b0) / ((performance.now() - t0) / 1000));
  }
  base.fillMs = performance.now() - tFill;
  base.setPerSec = median(setRates);
  gc();
  gc();
  await sleep(100);
  base.rss1 = rss();
  ({ heapTotal: base.heap1, external: base.external1 } = process.memoryUsage());
  if (c instanceof ZStoreContender) {
    const st = c.s.stats();
    base.stats = {
      stored_bytes: st.stored_bytes,
      ratio: st.ratio,
      compressed_entries: st.compressed_entries,
      pool_bytes: st.pool_bytes,
      metadata_bytes: st.metadata_bytes,
    };
  }
  base.gcMs = gcTimes(5);
  for (let i = 0; i < check.length; i++) {
    const k = check[i];
    if (!equal(c.value(k), data, offs[k], lens[k])) throw new Error(`${contenderName}: wrong value for ${k}`);
    base.verified++;
  }

  // Random gets, timed in batches.
  const getRates: number[] = [];
  let sink = 0;
  for (let b0 = 0; b0 < n; b0 += batch) {
    const b1 = Math.min(n, b0 + batch);
    const t0 = performance.now();
    for (let i = b0; i < b1; i++) sink += c.get(getKeys[i]);
    getRates.push((b1 - b0) / ((performance.now() - t0) / 1000));
  }
  if (sink < 0) throw new Error('unreachable');
  base.getPerSec = median(getRates);
  gc();
  gc();
  await sleep(100);
  base.rss2 = rss();

  // Delete a random half, then one reclaim pass.
  for (let i = 0; i < n; i++) {
    if (del[i] === 0) {
      c.delete(i);
      base.deleted++;
      base.deletedBytes += lens[i];
    }
  }
  const tr = performance.now();
  c.reclaim();
  base.reclaimMs = performance.now() - tr;
  base.rss3Now = rss();
  await sleep(300);
  base.rss3 = rss();
  for (let i = 0; i < check.length; i++) {
    const k = check[i];
    const v = c.value(k);
    if (del[k] === 0 ? v !== undefined : !equal(v, data, offs[k], lens[k])) {
      throw new Error(`${contenderName}: wrong value for ${k} after the reclaim`);
    }
    base.verified++;
  }
  if (c instanceof ZStoreContender) base.poolBytesAfter = c.s.stats().pool_bytes;
  return base;
}

/** `tiny`: N entries of 8 bytes; RSS per entry, ZStore's own metadata figure, GC pause. */
export function tinyChild(contenderName: string, keys: string, n: number): TinyResult {
  const v = new Uint8Array(8);
  const out: TinyResult = { contender: contenderName, keys, n, rss0: 0, rss1: 0, gcMs: 0 };
  const str = keys === 'str';
  if (!str && keys !== 'num') throw new Error(`unknown keys ${keys}`);
  gc();
  gc();
  out.rss0 = rss();
  if (contenderName === 'map') {
    const m = new Map<number | string, Uint8Array>();
    for (let i = 0; i < n; i++) {
      const a = new Uint8Array(8);
      a[0] = i;
      m.set(str ? `k:${i}` : i, a);
    }
    gc();
    gc();
    out.rss1 = rss();
    out.gcMs = gcTimes(5);
    if (m.size !== n) throw new Error('unreachable');
  } else if (contenderName === 'zstore') {
    const s = new ZStore<number | string>({ shrinkers: null });
    for (let i = 0; i < n; i++) {
      v[0] = i;
      s.set(str ? `k:${i}` : i, v);
    }
    gc();
    gc();
    out.rss1 = rss();
    out.gcMs = gcTimes(5);
    const st = s.stats();
    out.metadataBytes = st.metadata_bytes;
    out.poolBytes = st.pool_bytes;
    if (s.size !== n) throw new Error('unreachable');
  } else {
    throw new Error(`unknown contender ${contenderName}`);
  }
  return out;
}

if (process.argv[2] === '--child') {
  const [mode, contender, arg, nArg] = process.argv.slice(3);
  const n = Number(nArg);
  const r = mode === 'fill' ? await fillChild(contender, arg, n) : tinyChild(contender, arg, n);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
