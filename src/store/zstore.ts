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
 * - Per entry, one 32-byte record in a typed array: the pool handle, the number key, the length,
 *   flags with a generation, and the insertion-order links; a lookup touches one index slot and
 *   one record. A cache adds an expiry and the LRU links (16 bytes, allocated only in cache mode).
 *   Number keys are found through an index of entry numbers ({@link EntryIndex}, 4 bytes a slot);
 *   string keys through a `Map` (a string is a heap object anyway).
 * - Every failure (bad key or value, limit reached, codec failure) throws before anything changes:
 *   a failed `set` leaves the previous value readable.
 */
import { type Codec, getCodec } from '../codec/codec.js';
import { checkNonNegative, codecError, destroyedErrorFor, show, ZsError, ZsErrorCode } from '../errors.js';
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import { defaultShrinkers, type ShrinkerRegistry } from '../shrinker/registry.js';
import { DEFAULT_SEEKS, SHRINK_STOP, type ShrinkControl, type Shrinker } from '../shrinker/shrinker.js';
import { EntryIndex, REC_F64, REC_KEY } from './entry-index.js';

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
  /**
   * Most pages per zspage of the pool (`default` profile only, 4..16; default 16). Longer zspages
   * waste less at their ends: on values of 1–4 KiB the pool holds 1.2% more than the values with
   * 16 pages, 2.8% with 8 (the kernel's chain size).
   */
  maxPagesPerZspage?: number;
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
const FLAG_BITS = 0xff;
/** The generation (bumped on every removal) sits above the flags, 24 bits. */
const GEN_ONE = 0x100;

// An entry's record: REC_F64 Float64 numbers = REC_I32 Int32 words over the same bytes.
const REC_I32 = REC_F64 * 2;
/** Float64 position of the pool handle (0 = empty value). */
const R_HANDLE = 0;
/** Int32 positions: value length, flags | generation, insertion-order links. */
const R_LEN = 4;
const R_FLAGS = 5;
const R_OPREV = 6;
const R_ONEXT = 7;
const INITIAL_ENTRIES = 64;

/** Scratch buffers larger than this are released after the call that needed them. */
const SCRATCH_KEEP = 64 * 1024;

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
  private readonly cache: boolean;
  private readonly numKeys = new EntryIndex();
  private readonly strKeys = new Map<string, number>();
  // Entry records: `rf` and `ri` view the same bytes (see R_*).
  private rf = new Float64Array(INITIAL_ENTRIES * REC_F64);
  private ri = new Int32Array(this.rf.buffer);
  /** Entries the records have room for. */
  private capacity = INITIAL_ENTRIES;
  // Cache mode only (empty in a store): expiry, and LRU links (prev, next) interleaved.
  private eExpires: Float64Array;
  private lru: Int32Array;
  /** String keys by entry (holes for number keys). */
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
  /** Bytes held by the payload `storePayload` just wrote. */
  private storedBytes = 0;
  private destroyed = false;

  /** Creates an empty store; throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: ZStoreOptions<K> = {}) {
    const mode = options.mode ?? 'store';
    if (mode !== 'store' && mode !== 'cache') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `mode must be 'store' or 'cache', got ${show(mode)}`);
    }
    this.mode = mode;
    this.cache = mode === 'cache';
    this.eExpires = new Float64Array(this.cache ? INITIAL_ENTRIES : 0);
    this.lru = new Int32Array(this.cache ? 2 * INITIAL_ENTRIES : 0);
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
    const profile = options.profile ?? 'default';
    this.pool = createPool({
      name,
      pageSize: options.pageSize,
      profile,
      maxPagesPerZspage: options.maxPagesPerZspage ?? (profile === 'default' ? 16 : undefined),
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
    if (this.cache) {
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
    if (this.cache && this.expired(e)) {
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
    try {
      return this.setValue(key, value, options);
    } finally {
      this.trimScratch();
    }
  }

  private setValue(key: K, value: ZStoreValue, options?: ZStoreSetOptions): this {
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
        throw codecError(e, 'set', this.codec.name);
      }
      if (clen >= 0) {
        payload = this.cbuf.subarray(0, clen);
        compressed = true;
      }
    }
    // Store the payload first: if that fails, the old value is untouched.
    const handle = this.storePayload(payload);
    const multi = payload.length > this.pool.maxAllocSize;
    let e = this.find(key, 'set');
    if (e >= 0) {
      this.releasePayload(e);
      this.logical -= this.ri[e * REC_I32 + R_LEN];
      if (this.cache) this.touch(e);
    } else {
      e = this.newEntry(key);
    }
    const ri = this.ri;
    const b = e * REC_I32;
    this.rf[e * REC_F64 + R_HANDLE] = handle;
    ri[b + R_LEN] = len;
    if (this.cache) this.eExpires[e] = ttl > 0 ? this.now() + ttl : 0;
    let f = (ri[b + R_FLAGS] & ~(COMPRESSED | STRING | MULTI)) | LIVE;
    if (compressed) f |= COMPRESSED;
    if (isString) f |= STRING;
    if (multi) f |= MULTI;
    ri[b + R_FLAGS] = f;
    this.logical += len;
    this.stored += this.storedBytes;
    if (compressed) this.compressedEntries++;
    if (this.cache && this.maxBytes > 0) this.enforceMaxBytes();
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
      const n = this.ri[e * REC_I32 + R_ONEXT];
      this.removeEntry(e);
      e = n;
    }
  }

  /** Evicts every expired entry now (cache); returns how many. */
  purgeExpired(): number {
    if (this.destroyed) throw destroyedError('purgeExpired');
    if (!this.cache) return 0;
    let n = 0;
    for (let e = this.lTail; e >= 0; ) {
      const p = this.lru[2 * e];
      if (this.expired(e)) {
        this.evict(e, 'expired');
        n++;
      }
      e = p;
    }
    return n;
  }

  /**
   * Entries in insertion order. Entries added during the iteration are not visited; entries
   * deleted before they are reached are skipped.
   */
  *entries(): IterableIterator<[K, ZStoreValue]> {
    for (const e of this.visit()) yield [this.keyOf(e), this.readValue(e)];
  }

  /** Keys in insertion order. */
  *keys(): IterableIterator<K> {
    for (const e of this.visit()) yield this.keyOf(e);
  }

  /** Values in insertion order (copies). */
  *values(): IterableIterator<ZStoreValue> {
    for (const e of this.visit()) yield this.readValue(e);
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[K, ZStoreValue]> {
    return this.entries();
  }

  /** Calls `fn(value, key, store)` for every entry in insertion order. */
  forEach(fn: (value: ZStoreValue, key: K, store: this) => void, thisArg?: unknown): void {
    for (const e of this.visit()) fn.call(thisArg, this.readValue(e), this.keyOf(e), this);
  }

  /** Current figures. */
  stats(): ZStoreStats {
    const p = this.pool.stats({ classes: false });
    const meta = this.rf.byteLength + this.eExpires.byteLength + this.lru.byteLength + this.numKeys.bytes;
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
    return this.evictTail(n, 'pressure');
  }

  /**
   * Evicts least-recently-used entries (reported as `reason`, or `expired` if they are) until `n`
   * are gone — or, with `n` = Infinity, until the stored bytes are within `maxBytes`. Entries whose
   * objects someone mapped through `pool` cannot go: they move to the front instead.
   */
  private evictTail(n: number, reason: EvictReason): number {
    let done = 0;
    const untilFits = n === Number.POSITIVE_INFINITY;
    for (let skipped = 0; this.lTail >= 0 && skipped < this.live; ) {
      if (untilFits ? this.stored <= this.maxBytes : done >= n) break;
      const e = this.lTail;
      if (this.payloadPinned(e)) {
        this.touch(e);
        skipped++;
        continue;
      }
      this.evict(e, this.expired(e) ? 'expired' : reason);
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
    if (typeof key === 'number') return this.numKeys.get(key, this.rf);
    if (typeof key === 'string') return this.strKeys.get(key) ?? -1;
    throw badKey(key, op);
  }

  private keyOf(e: number): K {
    return (this.ri[e * REC_I32 + R_FLAGS] & NUMKEY ? this.rf[e * REC_F64 + REC_KEY] : this.eStrKey[e]) as K;
  }

  /**
   * The entries in insertion order as they are now; each is yielded only if it is still live
   * when reached (a removal bumps the generation above the flags, so a record reused since is
   * not mistaken for the entry that was there).
   */
  private *visit(): Generator<number> {
    if (this.destroyed) throw destroyedError('iterate');
    const ri = this.ri;
    const snap = new Int32Array(2 * this.live);
    let n = 0;
    for (let e = this.oHead; e >= 0; e = ri[e * REC_I32 + R_ONEXT]) {
      snap[n++] = e;
      snap[n++] = ri[e * REC_I32 + R_FLAGS];
    }
    for (let i = 0; i < n; i += 2) {
      if (this.destroyed) throw destroyedError('iterate');
      const e = snap[i];
      const w = this.ri[e * REC_I32 + R_FLAGS];
      if ((w & LIVE) !== 0 && (w & ~FLAG_BITS) === (snap[i + 1] & ~FLAG_BITS)) yield e;
    }
  }

  private expired(e: number): boolean {
    if (!this.cache) return false;
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
    try {
      return this.readEntry(e);
    } finally {
      this.trimScratch();
    }
  }

  /** Scratch buffers grown for one large value are dropped afterwards, not kept for good. */
  private trimScratch(): void {
    if (this.cbuf.length > SCRATCH_KEEP) this.cbuf = new Uint8Array(4096);
    if (this.inbuf.length > SCRATCH_KEEP) this.inbuf = new Uint8Array(4096);
  }

  private readEntry(e: number): ZStoreValue {
    const b = e * REC_I32;
    const len = this.ri[b + R_LEN];
    const f = this.ri[b + R_FLAGS];
    const out = new Uint8Array(len);
    const h = this.rf[e * REC_F64 + R_HANDLE];
    if (h !== 0) {
      if (f & COMPRESSED) {
        // A compressed payload is shorter than the value (see `set`).
        const raw = this.scratchFor(len);
        const stored = f & MULTI ? this.readChunks(h, raw) : this.pool.readInto(h, raw);
        try {
          this.codec!.decompress(raw.subarray(0, stored), out);
        } catch (err) {
          throw codecError(err, 'get', this.codec!.name);
        }
      } else {
        const stored = f & MULTI ? this.readChunks(h, out) : this.pool.readInto(h, out);
        if (stored !== len) {
          throw new ZsError(ZsErrorCode.CORRUPT, `value holds ${stored} bytes, expected ${len}`);
        }
      }
    }
    return f & STRING ? decoder.decode(out) : out;
  }

  private scratchFor(n: number): Uint8Array {
    if (this.cbuf.length < n) this.cbuf = new Uint8Array(growTo(n));
    return this.cbuf;
  }

  /** Reads the chunks listed by the index object `index` into `out`; returns the bytes read. */
  private readChunks(index: number, out: Uint8Array): number {
    const pool = this.pool;
    const n = pool.size(index) / 8;
    const idx = this.idxBuf;
    pool.readInto(index, new Uint8Array(idx.buffer, 0, n * 8));
    let off = 0;
    for (let i = 0; i < n; i++) off += pool.readInto(idx[i], out, off);
    return off;
  }

  /**
   * Writes `payload` into the pool (one object, or chunks + an index; all or nothing) and returns
   * the handle (0 for an empty payload); the bytes held are left in `storedBytes`.
   */
  private storePayload(payload: Uint8Array): number {
    const pool = this.pool;
    const len = payload.length;
    this.storedBytes = len;
    if (len === 0) return 0;
    const max = pool.maxAllocSize;
    if (len <= max) {
      const h = pool.malloc(len);
      pool.write(h, payload);
      return h;
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
    this.storedBytes = len + n * 8;
    return index;
  }

  private releasePayload(e: number): void {
    const h = this.rf[e * REC_F64 + R_HANDLE];
    const f = this.ri[e * REC_I32 + R_FLAGS];
    // Refuse before freeing anything: a half-freed value would be lost.
    if (this.payloadPinned(e)) {
      throw new ZsError(ZsErrorCode.PINNED, "the value is mapped through the store's pool; unmap it first");
    }
    if (h !== 0) {
      const pool = this.pool;
      let stored = pool.size(h);
      if (f & MULTI) {
        const n = stored / 8;
        const idx = this.idxBuf;
        pool.readInto(h, new Uint8Array(idx.buffer, 0, n * 8));
        for (let i = 0; i < n; i++) {
          stored += pool.size(idx[i]);
          pool.free(idx[i]);
        }
      }
      pool.free(h);
      this.stored -= stored;
    }
    if (f & COMPRESSED) this.compressedEntries--;
    this.rf[e * REC_F64 + R_HANDLE] = 0;
  }

  private newEntry(key: K): number {
    let e = this.freeEntry;
    if (e >= 0) {
      this.freeEntry = this.ri[e * REC_I32 + R_ONEXT];
    } else {
      e = this.entryCount++;
      if (e === this.capacity) this.growEntries();
    }
    const ri = this.ri;
    const b = e * REC_I32;
    if (typeof key === 'number') {
      ri[b + R_FLAGS] = (ri[b + R_FLAGS] & ~FLAG_BITS) | NUMKEY;
      const k = key === 0 ? 0 : key; // -0 is stored as +0, as Map does
      this.rf[e * REC_F64 + REC_KEY] = k;
      this.numKeys.add(k, e, this.rf);
    } else {
      ri[b + R_FLAGS] &= ~FLAG_BITS;
      this.eStrKey[e] = key as string;
      this.strKeys.set(key as string, e);
    }
    // Insertion order: at the tail.
    ri[b + R_OPREV] = this.oTail;
    ri[b + R_ONEXT] = -1;
    if (this.oTail >= 0) ri[this.oTail * REC_I32 + R_ONEXT] = e;
    else this.oHead = e;
    this.oTail = e;
    if (this.cache) {
      // LRU: most recent first.
      const lru = this.lru;
      lru[2 * e] = -1;
      lru[2 * e + 1] = this.lHead;
      if (this.lHead >= 0) lru[2 * this.lHead] = e;
      else this.lTail = e;
      this.lHead = e;
    }
    this.live++;
    return e;
  }

  private touch(e: number): void {
    if (this.lHead === e) return;
    const lru = this.lru;
    const p = lru[2 * e];
    const n = lru[2 * e + 1];
    if (p >= 0) lru[2 * p + 1] = n;
    if (n >= 0) lru[2 * n] = p;
    else this.lTail = p;
    lru[2 * e] = -1;
    lru[2 * e + 1] = this.lHead;
    lru[2 * this.lHead] = e;
    this.lHead = e;
  }

  private removeEntry(e: number): void {
    this.releasePayload(e);
    const ri = this.ri;
    const b = e * REC_I32;
    this.logical -= ri[b + R_LEN];
    if (ri[b + R_FLAGS] & NUMKEY) {
      this.numKeys.delete(this.rf[e * REC_F64 + REC_KEY], this.rf);
    } else {
      this.strKeys.delete(this.eStrKey[e] as string);
      this.eStrKey[e] = undefined;
    }
    const p = ri[b + R_OPREV];
    const n = ri[b + R_ONEXT];
    if (p >= 0) ri[p * REC_I32 + R_ONEXT] = n;
    else this.oHead = n;
    if (n >= 0) ri[n * REC_I32 + R_OPREV] = p;
    else this.oTail = p;
    if (this.cache) {
      const lru = this.lru;
      const lp = lru[2 * e];
      const ln = lru[2 * e + 1];
      if (lp >= 0) lru[2 * lp + 1] = ln;
      else this.lHead = ln;
      if (ln >= 0) lru[2 * ln] = lp;
      else this.lTail = lp;
    }
    // Flags cleared, generation bumped (it wraps after 2^24 reuses).
    ri[b + R_FLAGS] = ((ri[b + R_FLAGS] & ~FLAG_BITS) + GEN_ONE) | 0;
    ri[b + R_LEN] = 0;
    ri[b + R_ONEXT] = this.freeEntry;
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
    this.evictTail(Number.POSITIVE_INFINITY, 'size');
  }

  /** True when any object of entry `e` is mapped through `pool` (so it cannot be freed now). */
  private payloadPinned(e: number): boolean {
    const h = this.rf[e * REC_F64 + R_HANDLE];
    if (h === 0) return false;
    const pool = this.pool;
    if (pool.isMapped(h)) return true;
    if (!(this.ri[e * REC_I32 + R_FLAGS] & MULTI)) return false;
    const n = pool.size(h) / 8;
    const idx = this.idxBuf;
    pool.readInto(h, new Uint8Array(idx.buffer, 0, n * 8));
    for (let i = 0; i < n; i++) if (pool.isMapped(idx[i])) return true;
    return false;
  }

  /** Doubles the records (and the cache arrays); the entries keep their numbers. */
  private growEntries(): void {
    const n = this.capacity * 2;
    const rf = new Float64Array(n * REC_F64);
    rf.set(this.rf);
    this.rf = rf;
    this.ri = new Int32Array(rf.buffer);
    if (this.cache) {
      const x = new Float64Array(n);
      x.set(this.eExpires);
      this.eExpires = x;
      const l = new Int32Array(2 * n);
      l.set(this.lru);
      this.lru = l;
    }
    this.capacity = n;
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
   * Entries, but 0 while compaction could still free pages of the store's pool that it has not
   * tried yet: eviction only starts once compaction alone has not met the pressure (the pool's
   * shrinker runs first). Pages pinned by a mapping do not hold eviction back.
   */
  count(_sc: ShrinkControl): number {
    if (this.store.pool.compactionBacklog() > 0) return 0;
    return this.store.size;
  }

  /** Evicts up to `nrToScan` least-recently-used entries, and no more than `sc.targetBytes` worth. */
  scan(sc: ShrinkControl): number {
    let n = sc.nrToScan;
    if (sc.targetBytes !== Number.POSITIVE_INFINITY) {
      const cap = Math.ceil(sc.targetBytes / this.store.avgStored());
      if (cap < n) n = cap;
    }
    if (n <= 0) return SHRINK_STOP;
    const done = this.store.evictLru(n);
    return done > 0 ? done : SHRINK_STOP;
  }

  /** 0: the cache's memory is its pool's, which reports it (so evictions count once compacted). */
  usageBytes(): number {
    return 0;
  }
}

let storeCounter = 0;

function growTo(n: number): number {
  let s = 4096;
  while (s < n) s *= 2;
  return s;
}

const nonNegative = checkNonNegative;

function checkKey(key: unknown, op: string): void {
  if (typeof key !== 'number' && typeof key !== 'string') throw badKey(key, op);
}

function badKey(key: unknown, op: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: keys must be strings or numbers, got ${show(key)}`);
}

const destroyedError = destroyedErrorFor('store');

/** Creates a {@link ZStore}. */
export function createStore<K extends ZStoreKey = ZStoreKey>(options: ZStoreOptions<K> = {}): ZStore<K> {
  return new ZStore<K>(options);
}
