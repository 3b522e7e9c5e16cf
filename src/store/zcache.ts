/**
 * ZCache: lru-cache 11's `LRUCache<K, V>` — the same options, methods and semantics — with the
 * values compressed in a ZsPool, off the JS heap.
 *
 * - Recency: the records' list (record.ts) runs from the least recently used entry (head, evicted
 *   first) to the most recent (tail); iteration is most recent first (`keys`, `values`, `entries`,
 *   `forEach`, `find`) or least recent first (`rkeys`, `rvalues`, `rentries`, `rforEach`).
 * - Limits: `max` entries, `maxSize` of `sizeCalculation` units, `ttl` (with `ttlResolution`,
 *   `ttlAutopurge`, an injectable `perf` clock), and, beyond lru-cache, `maxBytes` on the bytes
 *   really held in the pool, plus eviction under memory pressure by a shrinker (`zcache:<name>`,
 *   run after the pool's compaction).
 * - Callbacks (`dispose`, `disposeAfter`, `onInsert`) run once the cache is consistent again, in
 *   the order lru-cache makes them; an exception from one reaches the caller after the others have
 *   run. Calls made from inside callbacks nest at most {@link MAX_CALLBACK_DEPTH} deep.
 * - `fetch` / `memo`: in-flight fetches are de-duplicated and kept on the heap (a promise and an
 *   AbortController per key) with the stale value, exactly as lru-cache's background fetches.
 * - `hotBytes`: a hot tier (hot-tier.ts) of decoded values of recently read entries: `get` and
 *   `fetch` admit and mark them, every read sees them (the same object, as lru-cache hands out),
 *   every change or removal of an entry drops its hot value first; its bytes count toward
 *   `maxBytes` and its shrinker (`zhot:<name>`) runs before the pool's.
 * - Where lru-cache compares values by identity (is a `set` a replacement or an update?), ZCache
 *   compares the encoded bytes — its values are copies. Deliberate differences: docs/migrating.md.
 */
import { checkNonNegative, show, ZsError, ZsErrorCode } from '../errors.js';
import type { ZsPool } from '../pool/pool.js';
import type { ShrinkerRegistry } from '../shrinker/registry.js';
import { defaultShrinkers } from '../shrinker/registry.js';
import { CacheShrinker, type Evictable, type HotShrinker } from './cache-shrinker.js';
import type { EntryValues } from './entry-values.js';
import type { HotTier } from './hot-tier.js';
import { F_LIVE, FLAG_BITS, RecordList, Records } from './record.js';
import { disposeSymbol, inspectSymbol, openPool, type PoolBackedOptions, readThroughHot } from './zstore.js';

/** Any value but `undefined` and `null` (lru-cache's `{}` bound on keys and values). */
export type NonNullish = NonNullable<unknown>;

/** Why a value left the cache (lru-cache's `DisposeReason`). */
export type DisposeReason = 'evict' | 'set' | 'delete' | 'expire' | 'fetch';
/** What a `set` did (lru-cache's `InsertReason`). */
export type InsertReason = 'add' | 'replace' | 'update';
/** A clock with `now()` in ms (lru-cache's `Perf`). */
export interface Perf {
  now(): number;
}

/** Options of one `set` (and of `load` entries). */
export interface ZCacheSetOptions<K, V> {
  /** Time to live of this entry in ms (0 = forever); default the cache's `ttl`. */
  ttl?: number;
  /** Start of the TTL on the `perf` clock (default now). */
  start?: number;
  /** Size of this entry in `maxSize` units. */
  size?: number;
  /** Size function for this call. */
  sizeCalculation?: (value: V, key: K) => number;
  /** Do not call `dispose` for a replaced value. */
  noDisposeOnSet?: boolean;
  /** Keep the TTL of an existing entry. */
  noUpdateTTL?: boolean;
}

/** Options of one `get` / `find`. */
export interface ZCacheGetOptions {
  allowStale?: boolean;
  updateAgeOnGet?: boolean;
  noDeleteOnStaleGet?: boolean;
}

/** Options of one `has`. */
export interface ZCacheHasOptions {
  updateAgeOnHas?: boolean;
}

/** Options of one `peek`. */
export interface ZCachePeekOptions {
  allowStale?: boolean;
}

/** Options of one `fetch` (get, set and fetch options together). */
export interface ZCacheFetchOptions<K, V, FC = unknown> extends ZCacheGetOptions, ZCacheSetOptions<K, V> {
  noDeleteOnFetchRejection?: boolean;
  allowStaleOnFetchRejection?: boolean;
  allowStaleOnFetchAbort?: boolean;
  ignoreFetchAbort?: boolean;
  /** Refetch even if a fresh value is cached. */
  forceRefresh?: boolean;
  /** Aborts the fetch. */
  signal?: AbortSignal;
  /** Passed to `fetchMethod`. */
  context?: FC;
}

/** What `fetchMethod` receives besides the key and the stale value. */
export interface ZCacheFetcherOptions<K, V, FC = unknown> {
  /** Aborted when the fetch is no longer wanted (evicted, deleted, replaced, or the caller's signal). */
  signal: AbortSignal;
  /** The fetch's options; `fetchMethod` may change `ttl`, `size`… before it resolves. */
  options: ZCacheFetchOptions<K, V, FC>;
  /** The `context` given to `fetch`. */
  context: FC | undefined;
}

/** Options of one `memo`. */
export interface ZCacheMemoOptions<K, V, FC = unknown> extends ZCacheGetOptions, ZCacheSetOptions<K, V> {
  forceRefresh?: boolean;
  context?: FC;
}

/** What `info` returns (and each entry of `dump`). */
export interface ZCacheEntry<V> {
  value: V;
  ttl?: number;
  size?: number;
  start?: number;
}

/** What `fetchMethod` may return (lru-cache's `Fetcher`: an async function may return nothing). */
// biome-ignore lint/suspicious/noConfusingVoidType: the same type as lru-cache's Fetcher
export type FetchReturn<V> = Promise<V | undefined | void> | V | undefined | void;

/** Options of a {@link ZCache}: lru-cache 11's, plus the pool-backed ones and `maxBytes`. */
export interface ZCacheOptions<K, V, FC = unknown> extends PoolBackedOptions<V> {
  /** Most entries (0 = no count limit). */
  max?: number;
  /** Most total size in `sizeCalculation` units (0 = none). */
  maxSize?: number;
  /** Largest size of one entry (default `maxSize`). */
  maxEntrySize?: number;
  /** Size of an entry in `maxSize` units. */
  sizeCalculation?: (value: V, key: K) => number;
  /** Most bytes held in the pool for values, compressed, as really stored (0 = none). Not in lru-cache. */
  maxBytes?: number;
  /** Default time to live in ms (0 = none). */
  ttl?: number;
  /** Reuse a clock reading for this many ms (default 1; 0 reads the clock every time). */
  ttlResolution?: number;
  /** Delete expired entries by timer. */
  ttlAutopurge?: boolean;
  /** The clock (default `performance`). */
  perf?: Perf;
  updateAgeOnGet?: boolean;
  updateAgeOnHas?: boolean;
  allowStale?: boolean;
  noDeleteOnStaleGet?: boolean;
  noUpdateTTL?: boolean;
  noDisposeOnSet?: boolean;
  /** Called when a value leaves the cache. */
  dispose?: (value: V, key: K, reason: DisposeReason) => void;
  /** Called after the operation that removed a value has finished. */
  disposeAfter?: (value: V, key: K, reason: DisposeReason) => void;
  /** Called when a value is set. */
  onInsert?: (value: V, key: K, reason: InsertReason) => void;
  /** Loads a value for `fetch` (an async function may return nothing: lru-cache's `Fetcher`). */
  fetchMethod?: (
    key: K,
    staleValue: V | undefined,
    options: ZCacheFetcherOptions<K, V, FC>,
  ) => FetchReturn<V>;
  /** Computes a value for `memo`. */
  memoMethod?: (
    key: K,
    staleValue: V | undefined,
    options: { options: ZCacheMemoOptions<K, V, FC>; context: FC | undefined },
  ) => V;
  noDeleteOnFetchRejection?: boolean;
  allowStaleOnFetchRejection?: boolean;
  allowStaleOnFetchAbort?: boolean;
  ignoreFetchAbort?: boolean;
  /** Size of an in-flight fetch of a new key (default 1). */
  backgroundFetchSize?: number;
}

/** Figures of a {@link ZCache}. */
export interface ZCacheStats {
  entries: number;
  /** Σ of `maxSize` units. */
  calculated_size: number;
  /** Bytes of the values as encoded. */
  logical_bytes: number;
  /** Bytes held in the pool for values. */
  stored_bytes: number;
  /** `logical_bytes / stored_bytes`. */
  ratio: number;
  compressed_entries: number;
  /** Bytes committed for the pool. */
  pool_bytes: number;
  /** Bytes the pool gave back to the OS. */
  bytes_returned: number;
  /** Bytes of typed arrays of per-entry metadata (and of the hot tier's index). */
  metadata_bytes: number;
  /** Estimated bytes of the decoded values in the hot tier (0 without `hotBytes`). */
  hot_bytes: number;
  /** Values in the hot tier. */
  hot_entries: number;
  /** Reads (`get`, `fetch` of a fresh entry) answered from the hot tier. */
  hot_hits: number;
  /** Such reads that decoded a value the hot tier did not hold (0 without `hotBytes`). */
  hot_misses: number;
  /** Evictions by cause: `max`, `maxSize`, `maxBytes`, `pressure`, and expired entries removed. */
  evictions: { max: number; size: number; bytes: number; pressure: number; expired: number };
  hits: number;
  misses: number;
  /** Fetches in flight. */
  fetching: number;
}

/** Calls from inside callbacks may nest this deep; deeper ones throw `ERR_ZS_BAD_STATE`. */
export const MAX_CALLBACK_DEPTH = 32;

interface BgFetch<V> {
  promise: Promise<V | undefined>;
  ac: AbortController;
  /** The value being refreshed (what lru-cache calls `__staleWhileFetching`). */
  stale: V | undefined;
  /** A caller holds the promise (then a rejection is passed on). */
  returned: boolean;
}

type Timer = ReturnType<typeof setTimeout>;

const isPosInt = (n: unknown): n is number =>
  typeof n === 'number' && n > 0 && Number.isFinite(n) && Math.floor(n) === n;

const defaultPerf: Perf =
  typeof performance === 'object' && performance !== null && typeof performance.now === 'function'
    ? performance
    : Date;

/** `get`'s options when none are given: shared, so a `get` allocates nothing for them. */
const NO_GET_OPTIONS: ZCacheGetOptions = Object.freeze({});

const ENTRY_VOID = 8; // record flag: the entry holds no value (see fetchFail)

const EV_DISPOSE = 0;
const EV_INSERT = 1;
const EV_ABORT = 2;

function badArg(msg: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, msg);
}

/** lru-cache's `LRUCache` with compressed off-heap values; see the file comment. */
export class ZCache<K extends NonNullish = NonNullish, V extends NonNullish = NonNullish, FC = unknown>
  implements Iterable<[K, V]>
{
  /** The pool holding the values. */
  readonly pool: ZsPool;
  /** The cache's name (pool `zspool:<name>`, shrinker `zcache:<name>`). */
  readonly name: string;
  ttl: number;
  ttlResolution: number;
  ttlAutopurge: boolean;
  updateAgeOnGet: boolean;
  updateAgeOnHas: boolean;
  allowStale: boolean;
  noDisposeOnSet: boolean;
  noUpdateTTL: boolean;
  maxEntrySize: number;
  sizeCalculation: ((value: V, key: K) => number) | undefined;
  noDeleteOnFetchRejection: boolean;
  noDeleteOnStaleGet: boolean;
  allowStaleOnFetchAbort: boolean;
  allowStaleOnFetchRejection: boolean;
  ignoreFetchAbort: boolean;
  backgroundFetchSize: number;
  /** Most bytes held in the pool for values (0 = no limit). */
  maxBytes: number;

  readonly #max: number;
  readonly #maxSize: number;
  readonly #perf: Perf;
  readonly #dispose: ((v: V, k: K, r: DisposeReason) => void) | undefined;
  readonly #disposeAfter: ((v: V, k: K, r: DisposeReason) => void) | undefined;
  readonly #onInsert: ((v: V, k: K, r: InsertReason) => void) | undefined;
  readonly #fetchMethod: ZCacheOptions<K, V, FC>['fetchMethod'];
  readonly #memoMethod: ZCacheOptions<K, V, FC>['memoMethod'];
  readonly #rec = new Records();
  readonly #list = new RecordList(this.#rec);
  readonly #vals: EntryValues<V>;
  readonly #keyMap = new Map<K, number>();
  #keyList: (K | undefined)[] = [];
  #size = 0;
  #calculatedSize = 0;
  #sizes: Float64Array | null = null;
  #ttls: Float64Array | null = null;
  #starts: Float64Array | null = null;
  #timers: (Timer | undefined)[] | null = null;
  readonly #fetches = new Map<number, BgFetch<V>>();
  /** Callbacks to run once the operation is consistent: [kind, value, key, reason]. */
  #events: unknown[] = [];
  /** disposeAfter calls waiting for the end of their operation (lru-cache's `#disposed`). */
  #disposed: [V, K, DisposeReason][] = [];
  #depth = 0;
  #cachedNow = 0;
  #nowTimer: Timer | undefined;
  readonly #registry: ShrinkerRegistry | null;
  readonly #shrinker: CacheShrinker | null = null;
  readonly #hot: HotTier<V>;
  /** Held here: the registry holds it weakly. */
  readonly #hotShrinker: HotShrinker | null;
  #destroyed = false;
  readonly #evictions = { max: 0, size: 0, bytes: 0, pressure: 0, expired: 0 };
  #hits = 0;
  #misses = 0;

  /** Creates a cache; throws `ERR_ZS_BAD_ARGUMENT` for bad options (nothing is created). */
  constructor(options: ZCacheOptions<K, V, FC>) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw badArg(`ZCache: options must be an object, got ${show(options)}`);
    }
    const o = options;
    const max = o.max ?? 0;
    if (max !== 0 && !isPosInt(max)) throw badArg(`max must be a non-negative integer, got ${show(max)}`);
    const maxSize = o.maxSize ?? 0;
    const maxEntrySize = o.maxEntrySize ?? 0;
    if (o.perf !== undefined && typeof o.perf?.now !== 'function') {
      throw badArg('perf must have a now() method');
    }
    if (o.sizeCalculation !== undefined) {
      if (!maxSize && !maxEntrySize) throw badArg('sizeCalculation needs maxSize or maxEntrySize');
      if (typeof o.sizeCalculation !== 'function') throw badArg('sizeCalculation must be a function');
    }
    for (const f of ['memoMethod', 'fetchMethod', 'dispose', 'disposeAfter', 'onInsert'] as const) {
      if (o[f] !== undefined && typeof o[f] !== 'function') throw badArg(`${f} must be a function`);
    }
    if (maxSize !== 0 && !isPosInt(maxSize))
      throw badArg(`maxSize must be a positive integer, got ${show(maxSize)}`);
    const entryMax = maxEntrySize || maxSize;
    if (entryMax !== 0 && !isPosInt(entryMax)) {
      throw badArg(`maxEntrySize must be a positive integer, got ${show(maxEntrySize)}`);
    }
    const ttl = o.ttl || 0;
    if (ttl !== 0 && !isPosInt(ttl)) throw badArg(`ttl must be a positive integer, got ${show(o.ttl)}`);
    const maxBytes = checkNonNegative('maxBytes', o.maxBytes ?? 0);
    if (max === 0 && ttl === 0 && maxSize === 0 && maxBytes === 0) {
      throw badArg('at least one of max, maxSize, maxBytes or ttl is required');
    }
    const registry = o.shrinkers === undefined ? defaultShrinkers : o.shrinkers;
    const opened = openPool<V>(o, this.#rec, 'zcache');
    this.pool = opened.pool;
    this.#vals = opened.values;
    this.name = opened.name;
    this.#hot = opened.hot;
    this.#hotShrinker = opened.hotShrinker;
    this.#max = max;
    this.#maxSize = maxSize;
    this.maxEntrySize = entryMax;
    this.maxBytes = maxBytes;
    this.sizeCalculation = o.sizeCalculation;
    this.#perf = o.perf ?? defaultPerf;
    this.#fetchMethod = o.fetchMethod;
    this.#memoMethod = o.memoMethod;
    this.#dispose = o.dispose;
    this.#disposeAfter = o.disposeAfter;
    this.#onInsert = o.onInsert;
    this.noDisposeOnSet = !!o.noDisposeOnSet;
    this.noUpdateTTL = !!o.noUpdateTTL;
    this.noDeleteOnFetchRejection = !!o.noDeleteOnFetchRejection;
    this.allowStaleOnFetchRejection = !!o.allowStaleOnFetchRejection;
    this.allowStaleOnFetchAbort = !!o.allowStaleOnFetchAbort;
    this.ignoreFetchAbort = !!o.ignoreFetchAbort;
    this.backgroundFetchSize = o.backgroundFetchSize ?? 1;
    this.allowStale = !!o.allowStale;
    this.noDeleteOnStaleGet = !!o.noDeleteOnStaleGet;
    this.updateAgeOnGet = !!o.updateAgeOnGet;
    this.updateAgeOnHas = !!o.updateAgeOnHas;
    const res = o.ttlResolution ?? 1;
    this.ttlResolution = isPosInt(res) || res === 0 ? res : 1;
    this.ttlAutopurge = !!o.ttlAutopurge;
    this.ttl = ttl;
    this.#rec.onGrow = (n) => this.#grow(n);
    if (entryMax !== 0) this.#sizes = new Float64Array(this.#rec.capacity);
    if (ttl !== 0) this.#initTtl();
    this.#registry = registry;
    if (registry !== null) {
      const sh = new CacheShrinker(this.#evictable(), `zcache:${this.name}`);
      try {
        registry.registerWeak(sh);
        this.#shrinker = sh;
      } catch {
        // Not critical: the limits still bound the cache.
      }
    }
  }

  // ---- lru-cache's read-only properties ----

  /** Most entries (0: none). */
  get max(): number {
    return this.#max;
  }
  /** Most total size (0: none). */
  get maxSize(): number {
    return this.#maxSize;
  }
  /** Σ of the entries' sizes. */
  get calculatedSize(): number {
    return this.#calculatedSize;
  }
  /** Byte budget of the hot tier (0: none); not in lru-cache. */
  get hotBytes(): number {
    return this.#hot.budget;
  }
  /** Entries, in-flight fetches of new keys included. */
  get size(): number {
    return this.#size;
  }
  /** The clock. */
  get perf(): Perf {
    return this.#perf;
  }
  get fetchMethod(): ZCacheOptions<K, V, FC>['fetchMethod'] {
    return this.#fetchMethod;
  }
  get memoMethod(): ZCacheOptions<K, V, FC>['memoMethod'] {
    return this.#memoMethod;
  }
  get dispose(): ((v: V, k: K, r: DisposeReason) => void) | undefined {
    return this.#dispose;
  }
  get disposeAfter(): ((v: V, k: K, r: DisposeReason) => void) | undefined {
    return this.#disposeAfter;
  }
  get onInsert(): ((v: V, k: K, r: InsertReason) => void) | undefined {
    return this.#onInsert;
  }

  // ---- reads ----

  /** The value of `k`, or undefined; marks it most recently used (lru-cache `get`). */
  get(k: K, options: ZCacheGetOptions = NO_GET_OPTIONS): V | undefined {
    this.#enter('get');
    try {
      return this.#get(k, options);
    } finally {
      this.#leave();
    }
  }

  /** True when `k` has a fresh value (an expired one is not deleted). */
  has(k: K, options: ZCacheHasOptions = {}): boolean {
    this.#enter('has');
    try {
      const { updateAgeOnHas = this.updateAgeOnHas } = options;
      const i = this.#keyMap.get(k);
      if (i === undefined) return false;
      const bf = this.#fetches.get(i);
      if (bf !== undefined && bf.stale === undefined) return false;
      if (this.#isStale(i)) return false;
      if (updateAgeOnHas) this.#updateItemAge(i);
      return true;
    } finally {
      this.#leave();
    }
  }

  /** The value of `k` without marking it used, or undefined (stale ones only with `allowStale`). */
  peek(k: K, options: ZCachePeekOptions = {}): V | undefined {
    this.#enter('peek');
    try {
      const { allowStale = this.allowStale } = options;
      const i = this.#keyMap.get(k);
      if (i === undefined || (!allowStale && this.#isStale(i))) return undefined;
      return this.#valueOf(i, 'peek');
    } finally {
      this.#leave();
    }
  }

  /** Ms left of `k`'s TTL (Infinity: none; 0: absent; may be negative when stale). */
  getRemainingTTL(k: K): number {
    this.#check('getRemainingTTL');
    const i = this.#keyMap.get(k);
    if (i === undefined) return 0;
    if (this.#ttls === null) return Number.POSITIVE_INFINITY;
    return this.#remaining(i);
  }

  /** The value, remaining TTL and size of `k` (undefined if absent). */
  info(k: K): ZCacheEntry<V> | undefined {
    this.#check('info');
    const i = this.#keyMap.get(k);
    if (i === undefined) return undefined;
    const value = this.#valueOf(i, 'info');
    if (value === undefined) return undefined;
    const entry: ZCacheEntry<V> = { value };
    if (this.#ttls !== null && this.#starts !== null) {
      const ttl = this.#ttls[i];
      const start = this.#starts[i];
      if (ttl && start) {
        entry.ttl = ttl - (this.#perf.now() - start);
        entry.start = Date.now();
      }
    }
    if (this.#sizes !== null) entry.size = this.#sizes[i];
    return entry;
  }

  // ---- writes ----

  /** Stores `v` under `k` (undefined deletes), evicting as the limits require (lru-cache `set`). */
  set(k: K, v: V | undefined, options: ZCacheSetOptions<K, V> = {}): this {
    this.#enter('set');
    try {
      this.#set(k, v, options);
      return this;
    } finally {
      this.#leave();
    }
  }

  /** Deletes `k`; returns whether it was there. */
  delete(k: K): boolean {
    this.#enter('delete');
    try {
      return this.#delete(k, 'delete');
    } finally {
      this.#leave();
    }
  }

  /** Deletes every entry (`dispose` reason `delete`, least recent first). */
  clear(): void {
    this.#enter('clear');
    try {
      this.#clear('delete');
    } finally {
      this.#leave();
    }
  }

  /** Evicts the least recently used entry and returns its value (undefined if empty). */
  pop(): V | undefined {
    this.#enter('pop');
    try {
      while (this.#size > 0) {
        const head = this.#list.head;
        const bf = this.#fetches.get(head);
        const val = this.#valueOf(head, 'pop');
        this.#evict(null);
        // lru-cache returns a fetch's stale value only when it is truthy (a stale 0 or '' is skipped).
        if (bf !== undefined ? !!val : val !== undefined) return val;
      }
      return undefined;
    } finally {
      try {
        this.#flushEvents();
      } finally {
        this.#flushDisposed();
      }
      this.#leave();
    }
  }

  /** Deletes every expired entry (least recent first); returns whether any was. */
  purgeStale(): boolean {
    this.#enter('purgeStale');
    try {
      let deleted = false;
      for (const i of this.#snapshot(false, true)) {
        if (this.#isStale(i)) {
          this.#delete(this.#keyList[i] as K, 'expire');
          deleted = true;
        }
      }
      return deleted;
    } finally {
      this.#leave();
    }
  }

  // ---- iteration ----

  /** `[key, value]` pairs, most recently used first (skipping stale ones unless `allowStale`). */
  *entries(): IterableIterator<[K, V]> {
    for (const i of this.#snapshot(true, this.allowStale)) {
      if (this.#fetches.has(i)) continue;
      const v = this.#valueOf(i, 'entries');
      if (v !== undefined) yield [this.#keyList[i] as K, v];
    }
  }
  /** `[key, value]` pairs, least recently used first. */
  *rentries(): IterableIterator<[K, V]> {
    for (const i of this.#snapshot(false, this.allowStale)) {
      if (this.#fetches.has(i)) continue;
      const v = this.#valueOf(i, 'rentries');
      if (v !== undefined) yield [this.#keyList[i] as K, v];
    }
  }
  /** Keys, most recently used first. */
  *keys(): IterableIterator<K> {
    for (const i of this.#snapshot(true, this.allowStale))
      if (!this.#fetches.has(i)) yield this.#keyList[i] as K;
  }
  /** Keys, least recently used first. */
  *rkeys(): IterableIterator<K> {
    for (const i of this.#snapshot(false, this.allowStale))
      if (!this.#fetches.has(i)) yield this.#keyList[i] as K;
  }
  /** Values, most recently used first. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  /** Values, least recently used first. */
  *rvalues(): IterableIterator<V> {
    for (const [, v] of this.rentries()) yield v;
  }
  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** The first value (most recent first) for which `fn` is true, read with `get`. */
  find(fn: (value: V, key: K, cache: this) => unknown, options: ZCacheGetOptions = {}): V | undefined {
    for (const i of this.#snapshot(true, this.allowStale)) {
      const value = this.#valueOf(i, 'find');
      if (value === undefined) continue;
      const k = this.#keyList[i] as K;
      if (fn(value, k, this)) return this.get(k, options);
    }
    return undefined;
  }

  /** Calls `fn(value, key, cache)` for each entry, most recently used first. */
  forEach(fn: (value: V, key: K, cache: this) => void, thisArg: unknown = this): void {
    for (const i of this.#snapshot(true, this.allowStale)) {
      const value = this.#valueOf(i, 'forEach');
      if (value !== undefined) fn.call(thisArg, value, this.#keyList[i] as K, this);
    }
  }

  /** Calls `fn(value, key, cache)` for each entry, least recently used first. */
  rforEach(fn: (value: V, key: K, cache: this) => void, thisArg: unknown = this): void {
    for (const i of this.#snapshot(false, this.allowStale)) {
      const value = this.#valueOf(i, 'rforEach');
      if (value !== undefined) fn.call(thisArg, value, this.#keyList[i] as K, this);
    }
  }

  /** Every entry with its TTL, start (a `Date.now()` time) and size, least recent first; for `load`. */
  dump(): [K, ZCacheEntry<V>][] {
    const out: [K, ZCacheEntry<V>][] = [];
    for (const i of this.#snapshot(true, true)) {
      const key = this.#keyList[i];
      const value = this.#valueOf(i, 'dump');
      if (value === undefined || key === undefined) continue;
      const entry: ZCacheEntry<V> = { value };
      if (this.#ttls !== null && this.#starts !== null) {
        entry.ttl = this.#ttls[i];
        entry.start = Math.floor(Date.now() - (this.#perf.now() - this.#starts[i]));
      }
      if (this.#sizes !== null) entry.size = this.#sizes[i];
      out.unshift([key, entry]);
    }
    return out;
  }

  /** Clears the cache and sets the entries of a `dump`. */
  load(entries: readonly (readonly [K, ZCacheEntry<V>])[]): void {
    if (!Array.isArray(entries)) throw badArg(`load: entries must be an array, got ${show(entries)}`);
    this.#enter('load');
    try {
      this.#clear('delete');
      for (const [key, entry] of entries) {
        let start = entry.start;
        if (start) start = this.#perf.now() - (Date.now() - start);
        this.#set(key, entry.value, { ...entry, start } as ZCacheSetOptions<K, V>);
      }
    } finally {
      this.#leave();
    }
  }

  // ---- fetch and memo ----

  /**
   * The value of `k`, loading it with `fetchMethod` when absent or stale; concurrent fetches of one
   * key share one call. Without a `fetchMethod`, a `get`.
   */
  async fetch(k: K, options: ZCacheFetchOptions<K, V, FC> = {}): Promise<V | undefined> {
    this.#check('fetch');
    const {
      allowStale = this.allowStale,
      updateAgeOnGet = this.updateAgeOnGet,
      noDeleteOnStaleGet = this.noDeleteOnStaleGet,
      ttl = this.ttl,
      noDisposeOnSet = this.noDisposeOnSet,
      size = 0,
      sizeCalculation = this.sizeCalculation,
      noUpdateTTL = this.noUpdateTTL,
      noDeleteOnFetchRejection = this.noDeleteOnFetchRejection,
      allowStaleOnFetchRejection = this.allowStaleOnFetchRejection,
      ignoreFetchAbort = this.ignoreFetchAbort,
      allowStaleOnFetchAbort = this.allowStaleOnFetchAbort,
      context,
      forceRefresh = false,
      signal,
    } = options;
    if (this.#fetchMethod === undefined) {
      return this.get(k, { allowStale, updateAgeOnGet, noDeleteOnStaleGet });
    }
    const fopts: ZCacheFetchOptions<K, V, FC> = {
      allowStale,
      updateAgeOnGet,
      noDeleteOnStaleGet,
      ttl,
      noDisposeOnSet,
      size,
      sizeCalculation,
      noUpdateTTL,
      noDeleteOnFetchRejection,
      allowStaleOnFetchRejection,
      allowStaleOnFetchAbort,
      ignoreFetchAbort,
      signal,
    };
    const i = this.#keyMap.get(k);
    if (i === undefined) {
      const bf = this.#backgroundFetch(k, undefined, fopts, context);
      bf.returned = true;
      return bf.promise;
    }
    const inflight = this.#fetches.get(i);
    if (inflight !== undefined) {
      if (allowStale && inflight.stale !== undefined) return inflight.stale;
      inflight.returned = true;
      return inflight.promise;
    }
    const stale = this.#isStale(i);
    if (!forceRefresh && !stale) {
      this.#list.moveToTail(i);
      if (updateAgeOnGet) this.#updateItemAge(i);
      return this.#valueOf(i, 'fetch', true);
    }
    const bf = this.#backgroundFetch(k, i, fopts, context);
    if (bf.stale !== undefined && allowStale) return bf.stale;
    bf.returned = true;
    return bf.promise;
  }

  /** Like {@link fetch}, but rejects instead of resolving to undefined. */
  async forceFetch(k: K, options: ZCacheFetchOptions<K, V, FC> = {}): Promise<V> {
    const v = await this.fetch(k, options);
    if (v === undefined) throw new ZsError(ZsErrorCode.BAD_STATE, 'fetch() returned undefined');
    return v;
  }

  /** The value of `k`, computed with `memoMethod` (and stored) when absent or `forceRefresh`. */
  memo(k: K, options: ZCacheMemoOptions<K, V, FC> = {}): V {
    const memoMethod = this.#memoMethod;
    if (memoMethod === undefined)
      throw new ZsError(ZsErrorCode.BAD_STATE, 'no memoMethod provided to constructor');
    const { context, forceRefresh, ...rest } = options;
    const v = this.get(k, rest);
    if (!forceRefresh && v !== undefined) return v;
    const vv = memoMethod(k, v, { options: rest, context });
    this.set(k, vv, rest);
    return vv;
  }

  // ---- add-ons ----

  /** Current figures. */
  stats(): ZCacheStats {
    this.#check('stats');
    const p = this.pool.stats({ classes: false });
    const v = this.#vals;
    const hot = this.#hot;
    const per = 8 * (this.#sizes ? 1 : 0) + 16 * (this.#ttls ? 1 : 0);
    return {
      entries: this.#size,
      calculated_size: this.#calculatedSize,
      logical_bytes: v.logical,
      stored_bytes: v.stored,
      ratio: v.stored > 0 ? v.logical / v.stored : 1,
      compressed_entries: v.compressed,
      pool_bytes: p.bytes_committed,
      bytes_returned: p.bytes_returned,
      metadata_bytes: this.#rec.bytes + per * this.#rec.capacity + hot.metadataBytes,
      hot_bytes: hot.bytes,
      hot_entries: hot.count,
      hot_hits: hot.hits,
      hot_misses: hot.misses,
      evictions: { ...this.#evictions },
      hits: this.#hits,
      misses: this.#misses,
      fetching: this.#fetches.size,
    };
  }

  /** Frees everything (no dispose calls) and unregisters the shrinkers; unusable afterwards. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#shrinker !== null && this.#registry !== null) this.#registry.unregister(this.#shrinker);
    if (this.#hotShrinker !== null && this.#registry !== null) this.#registry.unregister(this.#hotShrinker);
    this.#hot.clear();
    for (const bf of this.#fetches.values()) bf.ac.abort(new Error('destroyed'));
    this.#fetches.clear();
    if (this.#timers !== null) for (const t of this.#timers) if (t !== undefined) clearTimeout(t);
    if (this.#nowTimer !== undefined) clearTimeout(this.#nowTimer);
    this.pool.destroy();
    this.#keyMap.clear();
    this.#keyList = [];
    this.#size = 0;
  }

  /** `using cache = new ZCache(…)` destroys it at the end of the scope. */
  [disposeSymbol](): void {
    this.destroy();
  }

  /** `ZCache`. */
  get [Symbol.toStringTag](): string {
    return 'ZCache';
  }

  /** One line for `util.inspect` / `console.log`. */
  [inspectSymbol](): string {
    if (this.#destroyed) return `ZCache(${this.name}) { destroyed }`;
    const v = this.#vals;
    return `ZCache(${this.name}) { size: ${this.#size}, max: ${this.#max}, calculatedSize: ${this.#calculatedSize}, logical: ${v.logical} B, stored: ${v.stored} B }`;
  }

  /** A summary for `JSON.stringify` (use `dump()` for the entries). */
  toJSON(): { type: 'ZCache'; name: string; size: number; destroyed: boolean } {
    return { type: 'ZCache', name: this.name, size: this.#size, destroyed: this.#destroyed };
  }

  // ---- internals ----

  #check(op: string): void {
    if (this.#destroyed) throw new ZsError(ZsErrorCode.DESTROYED, `${op}: the cache has been destroyed`);
  }

  #enter(op: string): void {
    this.#check(op);
    if (this.#depth > MAX_CALLBACK_DEPTH) {
      throw new ZsError(
        ZsErrorCode.BAD_STATE,
        `${op}: called from callbacks nested more than ${MAX_CALLBACK_DEPTH} deep`,
      );
    }
  }

  #leave(): void {
    if (this.#destroyed) return;
    this.#vals.trim();
  }

  /** What the cache shrinker sees of the cache. */
  #evictable(): Evictable {
    const cache = this;
    return {
      pool: this.pool,
      get size(): number {
        return cache.#size;
      },
      evictLru: (n: number) => this.#evictLru(n),
      avgStored: () => (this.#size > 0 ? Math.max(1, this.#vals.stored / this.#size) : this.pool.pageSize),
    };
  }

  #grow(n: number): void {
    if (this.#sizes !== null) this.#sizes = growF64(this.#sizes, n);
    if (this.#ttls !== null) this.#ttls = growF64(this.#ttls, n);
    if (this.#starts !== null) this.#starts = growF64(this.#starts, n);
  }

  #initTtl(): void {
    this.#ttls = new Float64Array(this.#rec.capacity);
    this.#starts = new Float64Array(this.#rec.capacity);
    if (this.ttlAutopurge) this.#timers = [];
  }

  /** The clock, reused for `ttlResolution` ms as lru-cache does. */
  #now(): number {
    if (this.#cachedNow) return this.#cachedNow;
    const n = this.#perf.now();
    if (this.ttlResolution > 0) {
      this.#cachedNow = n;
      if (this.#nowTimer === undefined) {
        const t = setTimeout(() => {
          this.#cachedNow = 0;
          this.#nowTimer = undefined;
        }, this.ttlResolution);
        (t as { unref?: () => void }).unref?.();
        this.#nowTimer = t;
      }
    }
    return n;
  }

  #isStale(i: number): boolean {
    const ttls = this.#ttls;
    if (ttls === null) return false;
    const t = ttls[i];
    const s = this.#starts![i];
    return !!t && !!s && this.#now() - s > t;
  }

  #remaining(i: number): number {
    const t = this.#ttls![i];
    const s = this.#starts![i];
    if (!t || !s) return Number.POSITIVE_INFINITY;
    return t - (this.#now() - s);
  }

  #setItemTTL(i: number, ttl: number, start: number | undefined): void {
    this.#starts![i] = ttl !== 0 ? (start ?? this.#perf.now()) : 0;
    this.#ttls![i] = ttl;
    this.#setPurgeTimer(i, ttl);
  }

  #updateItemAge(i: number): void {
    if (this.#ttls === null) return;
    this.#starts![i] = this.#ttls[i] !== 0 ? this.#perf.now() : 0;
    this.#setPurgeTimer(i, this.#ttls[i]);
  }

  #setPurgeTimer(i: number, ttl: number): void {
    const timers = this.#timers;
    if (timers === null) return;
    if (timers[i] !== undefined) {
      clearTimeout(timers[i]);
      timers[i] = undefined;
    }
    if (ttl) {
      const t = setTimeout(() => {
        timers[i] = undefined;
        if (this.#destroyed) return;
        if (this.#isStale(i)) {
          this.#delete(this.#keyList[i] as K, 'expire');
        } else if (this.#keyList[i] !== undefined) {
          this.#setPurgeTimer(i, this.#remaining(i));
        }
      }, ttl + 1);
      (t as { unref?: () => void }).unref?.();
      timers[i] = t;
    }
  }

  #clearTimer(i: number): void {
    const timers = this.#timers;
    if (timers !== null && timers[i] !== undefined) {
      clearTimeout(timers[i]);
      timers[i] = undefined;
    }
  }

  /**
   * The value of entry `i` as lru-cache would see it: the stale value while fetching. `use`: a read
   * by `get` or `fetch`, which marks a hot value used and admits a decoded one to the hot tier.
   */
  #valueOf(i: number, op: string, use = false): V | undefined {
    const bf = this.#fetches.get(i);
    if (bf !== undefined) return bf.stale;
    if (this.#rec.flags(i) & ENTRY_VOID) return undefined;
    return this.#read(i, op, use);
  }

  /** Entry `i`'s value (it has one): the hot tier's, or decoded; see {@link #valueOf} for `use`. */
  #read(i: number, op: string, use: boolean): V {
    const hot = this.#hot;
    let limit = hot.budget;
    if (use && this.maxBytes > 0) {
      // The hot bytes count toward maxBytes.
      const room = this.maxBytes - this.#vals.stored;
      if (room < limit) limit = room;
    }
    return readThroughHot(this.#vals, hot, this.#rec, i, op, use, limit);
  }

  /** Entry numbers in recency order (most recent first if `mruFirst`), fresh ones unless `allowStale`. */
  *#snapshot(mruFirst: boolean, allowStale: boolean): Generator<number> {
    this.#check('iterate');
    const rec = this.#rec;
    const snap = new Int32Array(2 * this.#size);
    let n = 0;
    if (mruFirst) {
      for (let e = this.#list.tail; e >= 0 && n < snap.length; e = rec.prev(e)) {
        snap[n++] = e;
        snap[n++] = rec.flags(e);
      }
    } else {
      for (let e = this.#list.head; e >= 0 && n < snap.length; e = rec.next(e)) {
        snap[n++] = e;
        snap[n++] = rec.flags(e);
      }
    }
    for (let j = 0; j < n; j += 2) {
      const e = snap[j];
      const w = rec.flags(e);
      if ((w & F_LIVE) === 0 || (w & ~FLAG_BITS) !== (snap[j + 1] & ~FLAG_BITS)) continue;
      if (allowStale || !this.#isStale(e)) yield e;
    }
  }

  #get(k: K, options: ZCacheGetOptions): V | undefined {
    const {
      allowStale = this.allowStale,
      updateAgeOnGet = this.updateAgeOnGet,
      noDeleteOnStaleGet = this.noDeleteOnStaleGet,
    } = options;
    const i = this.#keyMap.get(k);
    if (i === undefined) {
      this.#misses++;
      return undefined;
    }
    const bf = this.#fetches.get(i);
    if (this.#isStale(i)) {
      this.#misses++;
      if (bf === undefined) {
        const value = allowStale ? this.#valueOf(i, 'get') : undefined;
        if (!noDeleteOnStaleGet) this.#delete(k, 'expire');
        return value;
      }
      return allowStale ? bf.stale : undefined;
    }
    this.#hits++;
    let value: V | undefined;
    if (bf !== undefined) value = bf.stale;
    else {
      // A hot value: no second look-up of fetches, no decode.
      const hot = this.#hot;
      const s = hot.find(i);
      value = s >= 0 ? hot.hit(s) : this.#valueOf(i, 'get', true);
    }
    this.#list.moveToTail(i);
    if (updateAgeOnGet) this.#updateItemAge(i);
    return value;
  }

  /** Size of a new value in `maxSize` units, as lru-cache's `requireSize`. */
  #requireSize(k: K, v: V | null, size: number, calc: ((v: V, k: K) => number) | undefined): number {
    if (this.#sizes === null) {
      if (size || calc) throw badArg('set: size needs maxSize or maxEntrySize on the cache');
      return 0;
    }
    if (isPosInt(size)) return size;
    if (v === null) return this.backgroundFetchSize;
    if (calc) {
      if (typeof calc !== 'function') throw badArg('sizeCalculation must be a function');
      const s = calc(v, k);
      if (!isPosInt(s)) throw badArg(`sizeCalculation returned ${show(s)}; expected a positive integer`);
      return s;
    }
    throw badArg('set: with maxSize or maxEntrySize, a size or sizeCalculation is needed');
  }

  /**
   * lru-cache's `#set`. `v` null inserts the in-flight fetch `bf` of a new key; `bf` with a value
   * is that fetch resolving.
   */
  #set(k: K, v: V | undefined | null, options: ZCacheSetOptions<K, V>, bf?: BgFetch<V>): void {
    if (k === undefined || k === null) throw badArg(`set: key must not be ${k}`);
    if (v === undefined) {
      this.#delete(k, 'delete');
      return;
    }
    const {
      ttl = this.ttl,
      start,
      noDisposeOnSet = this.noDisposeOnSet,
      sizeCalculation = this.sizeCalculation,
    } = options;
    let { noUpdateTTL = this.noUpdateTTL } = options;
    if (typeof ttl !== 'number' || !(ttl >= 0))
      throw badArg(`set: ttl must be a number >= 0, got ${show(ttl)}`);
    const isBF = v === null;
    const size = this.#requireSize(k, v, options.size || 0, sizeCalculation);
    if (this.maxEntrySize && size > this.maxEntrySize) {
      this.#delete(k, 'set');
      return;
    }
    const vals = this.#vals;
    const known = this.#keyMap.get(k);
    if (known !== undefined && !isBF) vals.checkFree(known, 'set');
    // The clock is read before anything changes: one that throws leaves the cache as it was.
    const begin = start === undefined && ttl !== 0 ? this.#perf.now() : start;
    let index: number | undefined;
    try {
      // Everything that can fail on bad input or memory happens before the cache changes (at the
      // pool's memory limit, after evicting what has to go to make room).
      if (!isBF) this.#prepare(v, 'set');
      index = this.#keyMap.get(k);
      if (index === undefined) {
        if (this.#size === this.#max && this.#max !== 0) this.#evict('max');
        const rec = this.#rec;
        index = rec.alloc();
        rec.setFlags(index, (rec.flags(index) & ~FLAG_BITS) | F_LIVE | (isBF ? ENTRY_VOID : 0));
        if (!isBF) vals.commit(index);
        this.#keyList[index] = k;
        this.#keyMap.set(k, index);
        this.#list.push(index);
        this.#size++;
        if (isBF) this.#fetches.set(index, bf!);
        this.#addItemSize(index, size);
        noUpdateTTL = false;
        if (!isBF && this.#onInsert) this.#events.push(EV_INSERT, v, k, 'add');
      } else {
        // Only a value reaches here: a fetch is inserted for absent keys only.
        this.#list.moveToTail(index);
        const rec = this.#rec;
        const old = this.#fetches.get(index);
        const disposing =
          !noDisposeOnSet && (this.#dispose !== undefined || this.#disposeAfter !== undefined);
        let reason: InsertReason = 'replace';
        let same = false;
        if (old !== undefined) {
          // Setting over an in-flight fetch, or the fetch resolving.
          reason = old.stale === undefined ? 'add' : old.stale !== v ? 'replace' : 'update';
          if (!noDisposeOnSet) {
            if (old !== bf) this.#events.push(EV_ABORT, old, k, 'replaced');
            if (disposing && old.stale !== undefined && old.stale !== v)
              this.#pushDispose(old.stale, k, 'set');
          }
          this.#fetches.delete(index);
        } else if (rec.flags(index) & ENTRY_VOID) {
          reason = 'add';
          if (disposing) this.#pushDispose(undefined as unknown as V, k, 'set');
        } else {
          // lru-cache tells a replacement from an update by identity; ZCache by the bytes.
          const watched =
            this.#dispose !== undefined ||
            this.#disposeAfter !== undefined ||
            this.#onInsert !== undefined ||
            this.#sizes !== null;
          same = watched && vals.samePrepared(index, v as V, 'set');
          if (!same && disposing) this.#pushDispose(this.#read(index, 'set', false), k, 'set');
        }
        // The entry's value is replaced (even by equal bytes: a later get decodes the new one).
        this.#hot.drop(index);
        if (same) {
          vals.discard();
          if (this.#onInsert) this.#events.push(EV_INSERT, v, k, 'update');
        } else {
          this.#removeItemSize(index);
          vals.release(index);
          vals.commit(index);
          rec.setFlags(index, rec.flags(index) & ~ENTRY_VOID);
          this.#addItemSize(index, size);
          if (this.#onInsert) this.#events.push(EV_INSERT, v, k, reason);
        }
      }
      if (ttl !== 0 && this.#ttls === null) this.#initTtl();
      if (this.#ttls !== null && !noUpdateTTL) this.#setItemTTL(index, ttl, begin);
      if (this.maxBytes > 0) this.#enforceMaxBytes(index);
    } finally {
      try {
        this.#flushEvents();
      } finally {
        if (!noDisposeOnSet) this.#flushDisposed();
      }
    }
  }

  /** Encodes and stores `v`; under the pool's memory limit, evicts least recently used entries to make room. */
  #prepare(v: V, op: string): void {
    for (;;) {
      try {
        this.#vals.prepare(v, op);
        return;
      } catch (e) {
        if (!(e instanceof ZsError) || e.code !== ZsErrorCode.LIMIT || this.#size === 0) throw e;
        this.#evict('bytes');
      }
    }
  }

  #pushDispose(v: V, k: K, reason: DisposeReason): void {
    if (this.#dispose) this.#events.push(EV_DISPOSE, v, k, reason);
    if (this.#disposeAfter) this.#disposed.push([v, k, reason]);
  }

  #addItemSize(i: number, size: number): void {
    const sizes = this.#sizes;
    if (sizes === null) return;
    sizes[i] = size;
    if (this.#maxSize) {
      const limit = this.#maxSize - size;
      while (this.#calculatedSize > limit && this.#list.head !== i) this.#evict('size');
    }
    this.#calculatedSize += size;
  }

  #removeItemSize(i: number): void {
    const sizes = this.#sizes;
    if (sizes === null) return;
    this.#calculatedSize -= sizes[i];
    sizes[i] = 0;
  }

  /** Evicts the least recently used entries until the pool holds at most `maxBytes` (sparing `keep`). */
  #enforceMaxBytes(keep: number): void {
    // Hot values go first: the hot tier keeps at most what the pool leaves of maxBytes.
    const hot = this.#hot;
    if (hot.bytes > 0 && hot.bytes > this.maxBytes - this.#vals.stored)
      hot.shrinkTo(this.maxBytes - this.#vals.stored);
    while (this.#vals.stored > this.maxBytes && this.#size > 1 && this.#list.head !== keep)
      this.#evict('bytes');
    if (this.#vals.stored > this.maxBytes && this.#list.head === keep && this.#size === 1) {
      // One value larger than maxBytes does not stay, as an entry over maxEntrySize.
      this.#delete(this.#keyList[keep] as K, 'set');
    }
  }

  /** lru-cache's `#evict`: removes the head (least recently used). */
  #evict(cause: 'max' | 'size' | 'bytes' | 'pressure' | null): void {
    const head = this.#list.head;
    const k = this.#keyList[head] as K;
    const bf = this.#fetches.get(head);
    if (bf !== undefined) this.#events.push(EV_ABORT, bf, k, 'evicted');
    const old = bf !== undefined ? bf.stale : undefined;
    if (this.#dispose || this.#disposeAfter) {
      const v =
        bf !== undefined
          ? old
          : this.#rec.flags(head) & ENTRY_VOID
            ? undefined
            : this.#read(head, 'evict', false);
      if (v !== undefined) this.#pushDispose(v, k, 'evict');
    }
    if (cause !== null) this.#evictions[cause]++;
    this.#removeEntry(head, k);
  }

  #removeEntry(i: number, k: K): void {
    this.#hot.forget(i);
    this.#removeItemSize(i);
    this.#clearTimer(i);
    this.#fetches.delete(i);
    this.#vals.release(i);
    this.#list.remove(i);
    this.#keyMap.delete(k);
    this.#keyList[i] = undefined;
    if (this.#ttls !== null) {
      this.#ttls[i] = 0;
      this.#starts![i] = 0;
    }
    this.#rec.release(i);
    // Entry numbers start again at 0 once the cache is empty, as lru-cache's indexes do (a late
    // fetch result is written only if its entry's number was not reused meanwhile).
    if (--this.#size === 0) this.#rec.restart();
  }

  /** lru-cache's `#delete`: removes `k` for `reason`, then runs the pending callbacks. */
  #delete(k: K, reason: DisposeReason): boolean {
    let deleted = false;
    try {
      const i = this.#keyMap.get(k);
      if (i !== undefined) {
        this.#vals.checkFree(i, 'delete');
        deleted = true;
        if (reason === 'expire') this.#evictions.expired++;
        const bf = this.#fetches.get(i);
        if (bf !== undefined) {
          this.#events.push(EV_ABORT, bf, k, 'deleted');
        } else if ((this.#dispose || this.#disposeAfter) && !(this.#rec.flags(i) & ENTRY_VOID)) {
          this.#pushDispose(this.#read(i, 'delete', false), k, reason);
        } else if ((this.#dispose || this.#disposeAfter) && this.#rec.flags(i) & ENTRY_VOID) {
          this.#pushDispose(undefined as unknown as V, k, reason);
        }
        this.#removeEntry(i, k);
      }
    } finally {
      try {
        this.#flushEvents();
      } finally {
        this.#flushDisposed();
      }
    }
    return deleted;
  }

  /** lru-cache's `#clear`; refuses (changing nothing) if a value is mapped through the pool. */
  #clear(reason: DisposeReason): void {
    const rec = this.#rec;
    for (let e = this.#list.head; e >= 0; e = rec.next(e)) this.#vals.checkFree(e, 'clear');
    try {
      for (let e = this.#list.head; e >= 0; e = rec.next(e)) {
        const k = this.#keyList[e] as K;
        const bf = this.#fetches.get(e);
        if (bf !== undefined) this.#events.push(EV_ABORT, bf, k, 'deleted');
        else if (this.#dispose || this.#disposeAfter) {
          const v = rec.flags(e) & ENTRY_VOID ? (undefined as unknown as V) : this.#read(e, 'clear', false);
          this.#pushDispose(v, k, reason);
        }
      }
      for (let e = this.#list.head; e >= 0; ) {
        const n = rec.next(e);
        this.#removeEntry(e, this.#keyList[e] as K);
        e = n;
      }
      this.#calculatedSize = 0;
    } finally {
      try {
        this.#flushEvents();
      } finally {
        this.#flushDisposed();
      }
    }
  }

  /** The cache shrinker's eviction: up to `n` least recently used entries not mapped through the pool. */
  #evictLru(n: number): number {
    if (this.#destroyed) return 0;
    let done = 0;
    try {
      for (let skipped = 0; done < n && skipped < this.#size; ) {
        const head = this.#list.head;
        if (this.#vals.pinned(head)) {
          // Mapped through the pool by someone: it cannot go now; it moves out of the way.
          this.#list.moveToTail(head);
          skipped++;
          continue;
        }
        this.#evict('pressure');
        done++;
      }
    } finally {
      try {
        this.#flushEvents();
      } finally {
        this.#flushDisposed();
      }
    }
    return done;
  }

  /** Runs the pending dispose / onInsert / abort calls in order; the first exception is rethrown after all ran. */
  #flushEvents(): void {
    const ev = this.#events;
    if (ev.length === 0) return;
    this.#events = [];
    let err: unknown;
    let failed = false;
    this.#depth++;
    try {
      for (let j = 0; j < ev.length; j += 4) {
        try {
          const kind = ev[j];
          if (kind === EV_DISPOSE) this.#dispose!(ev[j + 1] as V, ev[j + 2] as K, ev[j + 3] as DisposeReason);
          else if (kind === EV_INSERT)
            this.#onInsert!(ev[j + 1] as V, ev[j + 2] as K, ev[j + 3] as InsertReason);
          else (ev[j + 1] as BgFetch<V>).ac.abort(new Error(ev[j + 3] as string));
        } catch (e) {
          if (!failed) {
            failed = true;
            err = e;
          }
        }
      }
    } finally {
      this.#depth--;
    }
    if (failed) throw err;
  }

  /** lru-cache's disposeAfter loop. */
  #flushDisposed(): void {
    const after = this.#disposeAfter;
    if (after === undefined) return;
    const dt = this.#disposed;
    this.#depth++;
    try {
      let task = dt.shift();
      while (task !== undefined) {
        after(task[0], task[1], task[2]);
        task = dt.shift();
      }
    } finally {
      this.#depth--;
    }
  }

  /** lru-cache's `#backgroundFetch`: starts a fetch of `k` (entry `index`, if it has one). */
  #backgroundFetch(
    k: K,
    index: number | undefined,
    options: ZCacheFetchOptions<K, V, FC>,
    context: FC | undefined,
  ): BgFetch<V> {
    if (index !== undefined) {
      const cur = this.#fetches.get(index);
      if (cur !== undefined) return cur;
    }
    const stale = index === undefined ? undefined : this.#valueOf(index, 'fetch');
    const ac = new AbortController();
    const { signal } = options;
    signal?.addEventListener('abort', () => ac.abort(signal.reason), { signal: ac.signal });
    const fetchOpts: ZCacheFetcherOptions<K, V, FC> = { signal: ac.signal, options, context };
    // `bf` is assigned before any callback below can run (they run in later microtasks).
    let bf: BgFetch<V>;
    const live = (i: number | undefined): boolean =>
      i !== undefined && !this.#destroyed && (this.#rec.flags(i) & F_LIVE) !== 0;
    const fetchFail = (er: unknown, proceed: boolean): V | undefined => {
      const { aborted } = ac.signal;
      const allowStaleAborted = aborted && options.allowStaleOnFetchAbort;
      const allowStale = allowStaleAborted || options.allowStaleOnFetchRejection;
      const noDelete = allowStale || options.noDeleteOnFetchRejection;
      if (live(index) && this.#fetches.get(index!) === bf) {
        const del = !noDelete || (!proceed && bf.stale === undefined);
        if (del) {
          this.#delete(k, 'fetch');
        } else if (!allowStaleAborted) {
          this.#fetches.delete(index!);
          // The stale value (if any) is still the entry's payload.
        }
      }
      if (allowStale) return bf.stale;
      if (bf.returned) throw er;
      return undefined;
    };
    const cb = (v: V | undefined, updateCache = false): V | undefined => {
      const { aborted } = ac.signal;
      const ignoreAbort = options.ignoreFetchAbort && v !== undefined;
      const proceed = !!options.ignoreFetchAbort || !!(options.allowStaleOnFetchAbort && v !== undefined);
      if (aborted && !ignoreAbort && !updateCache) return fetchFail(ac.signal.reason, proceed);
      if (this.#destroyed) return v;
      const ours = live(index) && this.#fetches.get(index!) === bf;
      if (ours || (!live(index) && ignoreAbort && updateCache)) {
        if (v === undefined) {
          if (bf.stale !== undefined) this.#fetches.delete(index!);
          else this.#delete(k, 'fetch');
        } else {
          this.#set(k, v, options, bf);
        }
      }
      return v;
    };
    const eb = (er: unknown): V | undefined => fetchFail(er, false);
    const fetchMethod = this.#fetchMethod!;
    const p = new Promise<V | undefined>((resolve, reject) => {
      let res = resolve as (v: V | undefined) => void;
      const fmp = fetchMethod(k, stale, fetchOpts);
      ac.signal.addEventListener('abort', () => {
        if (!options.ignoreFetchAbort || options.allowStaleOnFetchAbort) {
          res(undefined);
          if (options.allowStaleOnFetchAbort) res = (v) => cb(v, true);
        }
      });
      if (fmp instanceof Promise) fmp.then((v) => res(v === undefined ? undefined : (v as V)), reject);
      else if (fmp !== undefined) res(fmp as V);
    }).then(cb, eb);
    bf = { promise: p, ac, stale, returned: false };
    if (index === undefined) {
      this.#set(k, null, { ...options }, bf);
      index = this.#keyMap.get(k);
    } else {
      this.#fetches.set(index, bf);
    }
    return bf;
  }
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
