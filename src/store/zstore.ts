/**
 * ZStore: a Map-like key/value store whose values live compressed in a ZsPool, off the JS heap.
 *
 * - The `Map` interface: `get`, `set`, `has`, `delete`, `size`, `clear`, iteration in insertion
 *   order (`keys`, `values`, `entries`, `forEach`, `for…of`). Values are `Uint8Array` or string
 *   (strings come back as strings); `get` returns a copy.
 * - A value is compressed with the store's codec when that saves at least `minSaving` of it,
 *   else stored raw. Values larger than one page are cut into page-sized chunks, with an index
 *   object of chunk handles (up to pageSize / 8 chunks: 2 MiB with 4 KiB pages).
 * - Two modes. `store` never drops data: under memory pressure the pool only compacts. `cache`
 *   adds `maxBytes` (a strict bound on the bytes held in the pool for values), a default and
 *   per-entry TTL, LRU order, and a shrinker (`zstore:<name>`, registered after the pool's, so
 *   compaction runs first) that evicts least-recently-used entries when reclaim asks for more.
 *   Every eviction is reported to `onEvict(key, reason)`.
 * - Per entry, in typed arrays: handle, lengths, flags, expiry, two list links each way
 *   (insertion order; LRU). Number keys live in a typed-array hash table ({@link NumberKeyTable});
 *   string keys in a `Map` (a string is a heap object anyway).
 * - Every failure (bad key or value, limit reached, codec failure) throws before anything changes:
 *   a failed `set` leaves the previous value readable.
 */
import { type Codec, getCodec } from '../codec/codec.js';
import { show, ZsError, ZsErrorCode } from '../errors.js';
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import { defaultShrinkers, type ShrinkerRegistry } from '../shrinker/registry.js';
import { DEFAULT_SEEKS, SHRINK_STOP, type ShrinkControl, type Shrinker } from '../shrinker/shrinker.js';
import { NumberKeyTable } from './number-key-table.js';

/** Keys a ZStore accepts. */
export type ZStoreKey = string | number;
/** Values a ZStore accepts. */
export type ZStoreValue = Uint8Array | string;
/** Why an entry was evicted: over `maxBytes`, past its TTL, or by the shrinker under pressure. */
export type EvictReason = 'size' | 'expired' | 'pressure';

/** Options of a {@link ZStore}. */
export interface ZStoreOptions<K extends ZStoreKey = ZStoreKey> {
  /** `store` (default: never drops data) or `cache` (LRU, `maxBytes`, TTL, evicting shrinker). */
  mode?: 'store' | 'cache';
  /** Cache: most bytes the pool may hold for values (compressed sizes); 0 = unlimited (default). */
  maxBytes?: number;
  /** Cache: default time to live of an entry in ms; 0 = forever (default). */
  ttl?: number;
  /** Codec or codec name (default `lz4`); `'none'` or `null` stores values raw. */
  codec?: Codec | string | null;
  /** Store compressed only if that saves at least this fraction of the value (default 1/16). */
  minSaving?: number;
  /** Pool page size (default 4096); also the chunk size of large values. */
  pageSize?: number;
  /** Pool profile (default `default`). */
  profile?: ProfileName;
  /** Most bytes of pages the pool may use (0 = unlimited); past it `set` throws `ERR_ZS_LIMIT`. */
  memLimit?: number;
  /** Name of the store, its pool (`zspool:<name>`) and its cache shrinker (`zstore:<name>`). */
  name?: string;
  /** Registry for the shrinkers (default: the process-wide one; `null` for none). */
  shrinkers?: ShrinkerRegistry | null;
  /** Called after an entry is evicted (not for `delete` or `clear`). */
  onEvict?: (key: K, reason: EvictReason) => void;
  /** Clock for TTLs, in ms (default `Date.now`). */
  now?: () => number;
}

/** Options of one {@link ZStore.set}. */
export interface ZStoreSetOptions {
  /** Cache: time to live of this entry in ms (overrides the store's `ttl`; 0 = forever). */
  ttl?: number;
}

/** Figures of a {@link ZStore}. */
export interface ZStoreStats {
  /** Entries. */
  entries: number;
  /** Bytes of the values as given (strings as UTF-8). */
  logical_bytes: number;
  /** Bytes held in the pool for values (compressed or raw, chunk indexes included). */
  stored_bytes: number;
  /** `logical_bytes / stored_bytes`. */
  ratio: number;
  /** Entries stored compressed. */
  compressed_entries: number;
  /** Pages the pool holds. */
  pool_pages: number;
  /** Bytes committed for the pool (≈ its share of RSS). */
  pool_bytes: number;
  /** Bytes the pool gave back to the OS since creation. */
  bytes_returned: number;
  /** Bytes of typed arrays for per-entry metadata and number keys. */
  metadata_bytes: number;
  /** Evictions since creation, by reason. */
  evictions: Record<EvictReason, number>;
}

const LIVE = 1;
const COMPRESSED = 2;
const STRING = 4;
const MULTI = 8;
const NUMKEY = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A compressed, off-heap `Map`; see the file comment. */
export class ZStore<K extends ZStoreKey = ZStoreKey> implements Iterable<[K, ZStoreValue]> {
  /** The pool holding the values. */
  readonly pool: ZsPool;
  /** The codec used (null: values stored raw). */
  readonly codec: Codec | null;
  /** `store` or `cache`. */
  readonly mode: 'store' | 'cache';
  /** Cache: most bytes held for values (0 = unlimited). */
  maxBytes: number;
  private readonly ttl: number;
  private readonly minSaving: number;
  private readonly maxChunks: number;
  private readonly onEvict: ((key: K, reason: EvictReason) => void) | undefined;
  private readonly now: () => number;
  private readonly registry: ShrinkerRegistry | null;
  private readonly cacheShrinker: Shrinker | null = null;
  private readonly numKeys = new NumberKeyTable();
  private readonly strKeys = new Map<string, number>();
  // Entries (struct of arrays).
  private eHandle = new Float64Array(64);
  private eLen = new Float64Array(64);
  private eStored = new Float64Array(64);
  private eExpires = new Float64Array(64);
  private eNumKey = new Float64Array(64);
  private eFlags = new Uint8Array(64);
  private eGen = new Uint32Array(64);
  private oPrev = new Int32Array(64);
  private oNext = new Int32Array(64);
  private lPrev = new Int32Array(64);
  private lNext = new Int32Array(64);
  private eStrKey: (string | undefined)[] = [];
  private entryCount = 0;
  private freeEntry = -1;
  private oHead = -1;
  private oTail = -1;
  private lHead = -1; // most recently used
  private lTail = -1; // least recently used
  private live = 0;
  private logical = 0;
  private stored = 0;
  private compressedEntries = 0;
  private readonly evicted: Record<EvictReason, number> = { size: 0, expired: 0, pressure: 0 };
  private inbuf = new Uint8Array(4096);
  private cbuf = new Uint8Array(4096);
  private readonly idxBuf: Float64Array;
  private destroyed = false;

  /** Creates an empty store; throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: ZStoreOptions<K> = {}) {
    const mode = options.mode ?? 'store';
    if (mode !== 'store' && mode !== 'cache') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `mode must be 'store' or 'cache', got ${show(mode)}`);
    }
    this.mode = mode;
    this.maxBytes = nonNegative('maxBytes', options.maxBytes ?? 0);
    this.ttl = nonNegative('ttl', options.ttl ?? 0);
    if (mode === 'store' && (this.maxBytes !== 0 || this.ttl !== 0)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        "maxBytes and ttl need mode: 'cache' (a store never drops data)",
      );
    }
    this.minSaving = options.minSaving ?? 1 / 16;
    if (!(this.minSaving >= 0 && this.minSaving < 1)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `minSaving must be in [0, 1), got ${show(options.minSaving)}`,
      );
    }
    const c = options.codec === undefined ? 'lz4' : options.codec;
    this.codec = c === null || c === 'none' ? null : typeof c === 'object' ? c : getCodec(c);
    this.onEvict = options.onEvict;
    this.now = options.now ?? Date.now;
    const name = options.name ?? `zstore${++storeCounter}`;
    this.registry = options.shrinkers === undefined ? defaultShrinkers : options.shrinkers;
    this.pool = createPool({
      name,
      pageSize: options.pageSize,
      profile: options.profile ?? 'default',
      memLimit: options.memLimit,
      shrinkers: this.registry,
    });
    this.maxChunks = this.pool.maxAllocSize / 8;
    this.idxBuf = new Float64Array(this.maxChunks);
    if (mode === 'cache' && this.registry !== null) {
      const sh = new CacheShrinker(this, `zstore:${name}`);
      try {
        this.registry.register(sh);
        this.cacheShrinker = sh;
      } catch {
        // Not critical: maxBytes and TTL still bound the cache.
      }
    }
  }

  /** Number of entries. */
  get size(): number {
    return this.live;
  }

  /** The value of `key` (a copy), or undefined. In a cache, marks the entry most recently used. */
  get(key: K): ZStoreValue | undefined {
    const e = this.find(key, 'get');
    if (e < 0) return undefined;
    if (this.mode === 'cache') {
      if (this.expired(e)) {
        this.evict(e, 'expired');
        return undefined;
      }
      this.touch(e);
    }
    return this.readValue(e);
  }

  /** True when `key` has an entry (an expired cache entry is evicted and reads as absent). */
  has(key: K): boolean {
    const e = this.find(key, 'has');
    if (e < 0) return false;
    if (this.mode === 'cache' && this.expired(e)) {
      this.evict(e, 'expired');
      return false;
    }
    return true;
  }

  /**
   * Stores `value` under `key`. A new key goes to the end of the insertion order; an existing key
   * keeps its place. Throws (changing nothing) for a bad key or value, a value too large, the pool's
   * limit, or a codec failure.
   */
  set(key: K, value: ZStoreValue, options?: ZStoreSetOptions): this {
    if (this.destroyed) throw destroyedError('set');
    checkKey(key, 'set');
    let bytes: Uint8Array;
    let isString = false;
    if (typeof value === 'string') {
      bytes = this.encode(value);
      isString = true;
    } else if (value instanceof Uint8Array) {
      bytes = value;
    } else {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `set: value must be a Uint8Array or a string, got ${show(value)}`,
      );
    }
    let ttl = this.ttl;
    if (options?.ttl !== undefined) {
      if (this.mode !== 'cache') throw new ZsError(ZsErrorCode.BAD_ARGUMENT, "set: ttl needs mode: 'cache'");
      ttl = nonNegative('ttl', options.ttl);
    }
    // Compress if it pays.
    const len = bytes.length;
    let payload = bytes;
    let compressed = false;
    if (this.codec !== null && len >= 32) {
      const room = Math.floor(len * (1 - this.minSaving));
      if (this.cbuf.length < room) this.cbuf = new Uint8Array(growTo(room));
      let clen: number;
      try {
        clen = this.codec.compress(bytes, this.cbuf.subarray(0, room));
      } catch (e) {
        throw e instanceof ZsError
          ? e
          : new ZsError(ZsErrorCode.CODEC, `set: ${this.codec.name}: ${(e as Error).message}`);
      }
      if (clen >= 0) {
        payload = this.cbuf.subarray(0, clen);
        compressed = true;
      }
    }
    // Store the payload first: if that fails, the old value is untouched.
    const { handle, storedBytes, multi } = this.storePayload(payload);
    let e = this.find(key, 'set');
    if (e >= 0) {
      this.releasePayload(e);
      this.logical -= this.eLen[e];
      if (this.mode === 'cache') this.touch(e);
    } else {
      e = this.newEntry(key);
    }
    this.eHandle[e] = handle;
    this.eLen[e] = len;
    this.eStored[e] = storedBytes;
    this.eExpires[e] = ttl > 0 ? this.now() + ttl : 0;
    let f = (this.eFlags[e] & (LIVE | NUMKEY)) | LIVE;
    if (compressed) f |= COMPRESSED;
    if (isString) f |= STRING;
    if (multi) f |= MULTI;
    this.eFlags[e] = f;
    this.logical += len;
    this.stored += storedBytes;
    if (compressed) this.compressedEntries++;
    if (this.mode === 'cache' && this.maxBytes > 0) this.enforceMaxBytes();
    return this;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: K): boolean {
    const e = this.find(key, 'delete');
    if (e < 0) return false;
    this.removeEntry(e);
    return true;
  }

  /** Removes every entry (no evictions are reported). */
  clear(): void {
    if (this.destroyed) throw destroyedError('clear');
    for (let e = this.oHead; e >= 0; ) {
      const n = this.oNext[e];
      this.removeEntry(e);
      e = n;
    }
  }

  /** Evicts every expired entry now (cache); returns how many. */
  purgeExpired(): number {
    if (this.destroyed) throw destroyedError('purgeExpired');
    let n = 0;
    for (let e = this.lTail; e >= 0; ) {
      const p = this.lPrev[e];
      if (this.expired(e)) {
        this.evict(e, 'expired');
        n++;
      }
      e = p;
    }
    return n;
  }

  /** Entries in insertion order. Entries added during the iteration are not visited. */
  *entries(): IterableIterator<[K, ZStoreValue]> {
    for (const e of this.snapshot()) yield [this.keyOf(e), this.readValue(e)];
  }

  /** Keys in insertion order. */
  *keys(): IterableIterator<K> {
    for (const e of this.snapshot()) yield this.keyOf(e);
  }

  /** Values in insertion order (copies). */
  *values(): IterableIterator<ZStoreValue> {
    for (const e of this.snapshot()) yield this.readValue(e);
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[K, ZStoreValue]> {
    return this.entries();
  }

  /** Calls `fn(value, key, store)` for every entry in insertion order. */
  forEach(fn: (value: ZStoreValue, key: K, store: this) => void, thisArg?: unknown): void {
    for (const e of this.snapshot()) fn.call(thisArg, this.readValue(e), this.keyOf(e), this);
  }

  /** Current figures. */
  stats(): ZStoreStats {
    const p = this.pool.stats({ classes: false });
    const meta =
      this.eHandle.byteLength * 5 +
      this.eFlags.byteLength +
      this.eGen.byteLength +
      this.oPrev.byteLength * 4 +
      this.numKeys.bytes;
    return {
      entries: this.live,
      logical_bytes: this.logical,
      stored_bytes: this.stored,
      ratio: this.stored > 0 ? this.logical / this.stored : 1,
      compressed_entries: this.compressedEntries,
      pool_pages: p.total_pages,
      pool_bytes: p.bytes_committed,
      bytes_returned: p.bytes_returned,
      metadata_bytes: meta,
      evictions: { ...this.evicted },
    };
  }

  /** Frees everything and unregisters the shrinkers; the store is unusable afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.cacheShrinker && this.registry) this.registry.unregister(this.cacheShrinker);
    this.destroyed = true;
    this.pool.destroy();
    this.strKeys.clear();
    this.numKeys.clear();
    this.eStrKey = [];
    this.live = 0;
  }

  /** @internal Evicts up to `n` least-recently-used entries for the shrinker; returns how many. */
  evictLru(n: number): number {
    let done = 0;
    while (done < n && this.lTail >= 0) {
      const e = this.lTail;
      this.evict(e, this.expired(e) ? 'expired' : 'pressure');
      done++;
    }
    return done;
  }

  /** @internal Average stored bytes per entry (the cache shrinker's unit). */
  avgStored(): number {
    return this.live > 0 ? Math.max(1, this.stored / this.live) : this.pool.pageSize;
  }

  private find(key: K, op: string): number {
    if (this.destroyed) throw destroyedError(op);
    if (typeof key === 'number') return this.numKeys.get(key);
    if (typeof key === 'string') return this.strKeys.get(key) ?? -1;
    throw badKey(key, op);
  }

  private keyOf(e: number): K {
    return (this.eFlags[e] & NUMKEY ? this.eNumKey[e] : this.eStrKey[e]) as K;
  }

  private snapshot(): number[] {
    if (this.destroyed) throw destroyedError('iterate');
    const out: number[] = [];
    const gens: number[] = [];
    for (let e = this.oHead; e >= 0; e = this.oNext[e]) {
      out.push(e);
      gens.push(this.eGen[e]);
    }
    // Skip entries deleted (or reused) while the caller iterates.
    return out.filter((e, i) => this.eGen[e] === gens[i] && (this.eFlags[e] & LIVE) !== 0);
  }

  private expired(e: number): boolean {
    const x = this.eExpires[e];
    return x !== 0 && this.now() >= x;
  }

  private encode(s: string): Uint8Array {
    const need = s.length * 3;
    if (this.inbuf.length < need) this.inbuf = new Uint8Array(growTo(need));
    const { written } = encoder.encodeInto(s, this.inbuf);
    return this.inbuf.subarray(0, written);
  }

  private readValue(e: number): ZStoreValue {
    const len = this.eLen[e];
    const f = this.eFlags[e];
    const out = new Uint8Array(len);
    const h = this.eHandle[e];
    if (h !== 0) {
      const stored = f & MULTI ? this.eStored[e] - 8 * this.chunkCount(e) : this.eStored[e];
      const raw = f & COMPRESSED ? this.scratchFor(stored) : out;
      if (f & MULTI) this.readChunks(h, raw, stored);
      else this.pool.readInto(h, raw);
      if (f & COMPRESSED) this.codec!.decompress(raw.subarray(0, stored), out);
    }
    return f & STRING ? decoder.decode(out) : out;
  }

  private scratchFor(n: number): Uint8Array {
    if (this.cbuf.length < n) this.cbuf = new Uint8Array(growTo(n));
    return this.cbuf;
  }

  private chunkCount(e: number): number {
    return this.pool.size(this.eHandle[e]) / 8;
  }

  private readChunks(index: number, out: Uint8Array, total: number): void {
    const pool = this.pool;
    const n = pool.size(index) / 8;
    const idx = this.idxBuf;
    pool.readInto(index, new Uint8Array(idx.buffer, 0, n * 8));
    let off = 0;
    for (let i = 0; i < n; i++) off += pool.readInto(idx[i], out, off);
    if (off !== total)
      throw new ZsError(ZsErrorCode.CORRUPT, `chunked value holds ${off} bytes, expected ${total}`);
  }

  /** Writes `payload` into the pool (one object, or chunks + an index); all or nothing. */
  private storePayload(payload: Uint8Array): { handle: number; storedBytes: number; multi: boolean } {
    const pool = this.pool;
    const len = payload.length;
    if (len === 0) return { handle: 0, storedBytes: 0, multi: false };
    const max = pool.maxAllocSize;
    if (len <= max) {
      const h = pool.malloc(len);
      pool.write(h, payload);
      return { handle: h, storedBytes: len, multi: false };
    }
    const n = Math.ceil(len / max);
    if (n > this.maxChunks) {
      throw new ZsError(
        ZsErrorCode.BAD_SIZE,
        `set: a value of ${len} bytes needs ${n} chunks; at most ${this.maxChunks} (${this.maxChunks * max} bytes) with ${max}-byte pages`,
      );
    }
    const idx = this.idxBuf;
    let made = 0;
    let index = 0;
    try {
      for (; made < n; made++) {
        const part = payload.subarray(made * max, Math.min(len, (made + 1) * max));
        const h = pool.malloc(part.length);
        pool.write(h, part);
        idx[made] = h;
      }
      index = pool.malloc(n * 8);
      pool.write(index, new Uint8Array(idx.buffer, 0, n * 8));
    } catch (e) {
      for (let i = 0; i < made; i++) pool.free(idx[i]);
      throw e;
    }
    return { handle: index, storedBytes: len + n * 8, multi: true };
  }

  private releasePayload(e: number): void {
    const h = this.eHandle[e];
    if (h !== 0) {
      if (this.eFlags[e] & MULTI) {
        const n = this.pool.size(h) / 8;
        const idx = this.idxBuf;
        this.pool.readInto(h, new Uint8Array(idx.buffer, 0, n * 8));
        for (let i = 0; i < n; i++) this.pool.free(idx[i]);
      }
      this.pool.free(h);
    }
    this.stored -= this.eStored[e];
    if (this.eFlags[e] & COMPRESSED) this.compressedEntries--;
    this.eHandle[e] = 0;
    this.eStored[e] = 0;
  }

  private newEntry(key: K): number {
    let e = this.freeEntry;
    if (e >= 0) {
      this.freeEntry = this.oNext[e];
    } else {
      e = this.entryCount++;
      if (e === this.eHandle.length) this.growEntries();
    }
    this.eGen[e]++;
    if (typeof key === 'number') {
      this.eFlags[e] = NUMKEY;
      this.eNumKey[e] = key;
      this.eStrKey[e] = undefined;
      this.numKeys.set(key, e);
    } else {
      this.eFlags[e] = 0;
      this.eStrKey[e] = key as string;
      this.strKeys.set(key as string, e);
    }
    // Insertion order: at the tail.
    this.oPrev[e] = this.oTail;
    this.oNext[e] = -1;
    if (this.oTail >= 0) this.oNext[this.oTail] = e;
    else this.oHead = e;
    this.oTail = e;
    // LRU: most recent first.
    this.lPrev[e] = -1;
    this.lNext[e] = this.lHead;
    if (this.lHead >= 0) this.lPrev[this.lHead] = e;
    else this.lTail = e;
    this.lHead = e;
    this.live++;
    return e;
  }

  private touch(e: number): void {
    if (this.lHead === e) return;
    const p = this.lPrev[e];
    const n = this.lNext[e];
    if (p >= 0) this.lNext[p] = n;
    if (n >= 0) this.lPrev[n] = p;
    else this.lTail = p;
    this.lPrev[e] = -1;
    this.lNext[e] = this.lHead;
    this.lPrev[this.lHead] = e;
    this.lHead = e;
  }

  private removeEntry(e: number): void {
    this.releasePayload(e);
    this.logical -= this.eLen[e];
    if (this.eFlags[e] & NUMKEY) this.numKeys.delete(this.eNumKey[e]);
    else this.strKeys.delete(this.eStrKey[e] as string);
    this.eStrKey[e] = undefined;
    const p = this.oPrev[e];
    const n = this.oNext[e];
    if (p >= 0) this.oNext[p] = n;
    else this.oHead = n;
    if (n >= 0) this.oPrev[n] = p;
    else this.oTail = p;
    const lp = this.lPrev[e];
    const ln = this.lNext[e];
    if (lp >= 0) this.lNext[lp] = ln;
    else this.lHead = ln;
    if (ln >= 0) this.lPrev[ln] = lp;
    else this.lTail = lp;
    this.eFlags[e] = 0;
    this.eGen[e]++;
    this.oNext[e] = this.freeEntry;
    this.freeEntry = e;
    this.live--;
  }

  private evict(e: number, reason: EvictReason): void {
    const key = this.keyOf(e);
    this.removeEntry(e);
    this.evicted[reason]++;
    if (this.onEvict) {
      try {
        this.onEvict(key, reason);
      } catch {
        // A callback's failure must not corrupt the store.
      }
    }
  }

  private enforceMaxBytes(): void {
    // Expired entries go first, then the least recently used.
    while (this.stored > this.maxBytes && this.lTail >= 0) {
      const e = this.lTail;
      this.evict(e, this.expired(e) ? 'expired' : 'size');
    }
  }

  private growEntries(): void {
    const n = this.eHandle.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.eHandle = f64(this.eHandle);
    this.eLen = f64(this.eLen);
    this.eStored = f64(this.eStored);
    this.eExpires = f64(this.eExpires);
    this.eNumKey = f64(this.eNumKey);
    this.oPrev = i32(this.oPrev);
    this.oNext = i32(this.oNext);
    this.lPrev = i32(this.lPrev);
    this.lNext = i32(this.lNext);
    const fl = new Uint8Array(n);
    fl.set(this.eFlags);
    this.eFlags = fl;
    const g = new Uint32Array(n);
    g.set(this.eGen);
    this.eGen = g;
  }
}

/** What the cache shrinker needs from its store. */
interface Evictable {
  readonly size: number;
  readonly pool: ZsPool;
  evictLru(n: number): number;
  avgStored(): number;
}

/** The cache's shrinker: counts entries, evicts the least recently used. */
class CacheShrinker implements Shrinker {
  readonly name: string;
  readonly seeks = DEFAULT_SEEKS;
  readonly batch = 0;
  private readonly store: Evictable;

  constructor(store: Evictable, name: string) {
    this.store = store;
    this.name = name;
  }

  get unitBytes(): number {
    return this.store.avgStored();
  }

  /**
   * Entries, but 0 while compaction could still free pages of the store's pool: eviction only
   * starts once compaction alone has not met the pressure (the pool's shrinker runs first).
   */
  count(_sc: ShrinkControl): number {
    if (this.store.pool.canCompact() > 0) return 0;
    return this.store.size;
  }

  scan(sc: ShrinkControl): number {
    const n = this.store.evictLru(sc.nrToScan);
    return n > 0 ? n : SHRINK_STOP;
  }
}

let storeCounter = 0;

function growTo(n: number): number {
  let s = 4096;
  while (s < n) s *= 2;
  return s;
}

function nonNegative(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${name} must be a finite number >= 0, got ${show(v)}`);
  }
  return v;
}

function checkKey(key: unknown, op: string): void {
  if (typeof key !== 'number' && typeof key !== 'string') throw badKey(key, op);
}

function badKey(key: unknown, op: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: keys must be strings or numbers, got ${show(key)}`);
}

function destroyedError(op: string): ZsError {
  return new ZsError(ZsErrorCode.DESTROYED, `${op}: the store has been destroyed`);
}

/** Creates a {@link ZStore}. */
export function createStore<K extends ZStoreKey = ZStoreKey>(options: ZStoreOptions<K> = {}): ZStore<K> {
  return new ZStore<K>(options);
}
