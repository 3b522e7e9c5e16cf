/**
 * ZStore: a `Map` whose values live compressed in a ZsPool, off the JS heap. It never drops data:
 * under memory pressure its pool only compacts (for a cache that evicts, see ZCache).
 *
 * - The `Map` interface: `get`, `set`, `has`, `delete`, `size`, `clear`, iteration in insertion
 *   order (`keys`, `values`, `entries`, `forEach`, `for…of`); `get` returns a fresh copy. Keys are
 *   strings or numbers (SameValueZero, like `Map`).
 * - Values are typed by the `encoding` option (value-encoding.ts): bytes, Buffer, lossless strings,
 *   JSON, structured-cloneable values, or a codec of the caller's; by default strings and byte
 *   arrays natively and anything else structured.
 * - Bytes beyond `get`: `getInto(key, buf)` decodes into the caller's buffer, `borrow(key, fn)`
 *   lends a zero-copy view of a value stored raw.
 * - `hotBytes`: a hot tier (hot-tier.ts) keeps the decoded values of recently read entries; `get`
 *   returns a hot value as it is (the same object while it stays hot, as a `Map` would); every
 *   change of an entry drops its hot value first.
 * - Per entry one 32-byte record (record.ts) and, for number keys, a 4-byte slot of the entry index
 *   (entry-index.ts); string keys go through a `Map` (a string is a heap object anyway).
 * - Every failure (bad key or value, a value mapped through `pool`, limit reached, codec failure)
 *   throws before anything changes.
 * - Nothing leaks without `destroy()`: the pool's shrinker is held weakly by the registry, so a
 *   dropped store is collected with its pages. `using` calls `destroy()` at the end of the scope.
 */
import { type Codec, getCodec } from '../codec/codec.js';
import { destroyedErrorFor, show, ZsError, ZsErrorCode } from '../errors.js';
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import { defaultShrinkers, type ShrinkerRegistry } from '../shrinker/registry.js';
import { HotShrinker } from './cache-shrinker.js';
import { EntryIndex } from './entry-index.js';
import { EntryValues } from './entry-values.js';
import { decodedSize, HotTier } from './hot-tier.js';
import {
  F_COMPRESSED,
  F_KIND_MASK,
  F_KIND_SHIFT,
  F_LIVE,
  F_MULTI,
  F_NUMKEY,
  FLAG_BITS,
  RecordList,
  Records,
} from './record.js';
import { type EncodingName, type EncodingOption, type ValueCodec, ValueEncoder } from './value-encoding.js';

/** Keys a ZStore accepts. */
export type ZStoreKey = string | number;
/** Values of a ZStore with the default encoding when no value type is given. */
export type ZStoreValue = Uint8Array | string;

/** Options shared by {@link ZStore} and ZCache: the pool, the codec, the encoding. */
export interface PoolBackedOptions<V> {
  /**
   * How values become bytes: `auto` (default: strings and byte arrays natively, anything else
   * structured), `bytes`, `buffer`, `string`, `json`, `structured`, or `{ encode, decode }`.
   */
  encoding?: EncodingName | ValueCodec<V>;
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
  /** Name of the pool (`zspool:<name>`) and of any shrinker of the owner. */
  name?: string;
  /** Registry for the shrinkers (default: the process-wide one; `null` for none). */
  shrinkers?: ShrinkerRegistry | null;
  /**
   * Byte budget of the hot tier (default 0: none): the decoded values of recently read entries kept
   * on the heap, so that repeated `get`s of them skip the pool and the decompression. A `get`
   * answered from it returns the same object each time, as `Map` and lru-cache do (do not mutate
   * it). Sizes are estimated (docs/tuning.md); its bytes count toward a ZCache's `maxBytes` and
   * the registry's usage, and its shrinker drops them first under memory pressure.
   */
  hotBytes?: number;
}

/** Options of a {@link ZStore}. */
export interface ZStoreOptions<V = ZStoreValue> extends PoolBackedOptions<V> {}

/** Figures of a {@link ZStore}. */
export interface ZStoreStats {
  /** Entries. */
  entries: number;
  /** Bytes of the values as encoded (strings as UTF-8). */
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
  /** Bytes of typed arrays for per-entry metadata and number keys (and of the hot tier's index). */
  metadata_bytes: number;
  /** Estimated bytes of the decoded values in the hot tier (0 without `hotBytes`). */
  hot_bytes: number;
  /** Values in the hot tier. */
  hot_entries: number;
  /** `get`s answered from the hot tier. */
  hot_hits: number;
  /** `get`s that decoded a value the hot tier did not hold (0 without `hotBytes`). */
  hot_misses: number;
}

/** `Symbol.dispose` where the runtime has it, else the well-known registered symbol. */
export const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ??
  (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
/** Node's `util.inspect.custom`, without importing `node:util`. */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

let storeCounter = 0;

/** @internal What {@link openPool} opens for a store or cache. */
export interface OpenedPool<V> {
  pool: ZsPool;
  values: EntryValues<V>;
  name: string;
  /** The hot tier (budget 0 without `hotBytes`). */
  hot: HotTier<V>;
  /** Its shrinker, registered weakly before the pool's (the owner must hold it), or null. */
  hotShrinker: HotShrinker | null;
  /** The registry the shrinkers are in (null: none). */
  registry: ShrinkerRegistry | null;
}

/** @internal Validated pool-backed options: the pool, the entry values and the hot tier of a store or cache. */
export function openPool<V>(options: PoolBackedOptions<V>, rec: Records, prefix: string): OpenedPool<V> {
  const minSaving = options.minSaving ?? 1 / 16;
  if (typeof minSaving !== 'number' || !(minSaving >= 0 && minSaving < 1)) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `minSaving must be in [0, 1), got ${show(options.minSaving)}`,
    );
  }
  const c = options.codec === undefined ? 'lz4' : options.codec;
  let codec: Codec | null;
  if (c === null || c === 'none') codec = null;
  else if (typeof c === 'string') codec = getCodec(c);
  else if (typeof c === 'object' && typeof c.compress === 'function' && typeof c.decompress === 'function')
    codec = c;
  else
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `codec must be a Codec, a codec name or null, got ${show(c)}`,
    );
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `name must be a string, got ${show(options.name)}`);
  }
  const hotBytes = options.hotBytes === undefined ? 0 : options.hotBytes;
  if (typeof hotBytes !== 'number' || !Number.isSafeInteger(hotBytes) || hotBytes < 0) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `hotBytes must be an integer >= 0, got ${show(options.hotBytes)}`,
    );
  }
  const name = options.name ?? `${prefix}${++storeCounter}`;
  const profile = options.profile ?? 'default';
  // The encoding is checked before the pool (and its shrinker registration) exists.
  const encoder = new ValueEncoder<V>(options.encoding as EncodingOption | undefined);
  const registry = options.shrinkers === undefined ? defaultShrinkers : options.shrinkers;
  const hot = new HotTier<V>(hotBytes);
  let hotShrinker: HotShrinker | null = null;
  if (hotBytes > 0 && registry !== null && typeof registry?.registerWeak === 'function') {
    // Before the pool's shrinker: the registry calls shrinkers in registration order, and hot values
    // are the cheapest memory to give back.
    const sh = new HotShrinker(hot as HotTier<unknown>, `zhot:${name}`);
    try {
      registry.registerWeak(sh);
      hotShrinker = sh;
    } catch {
      // Not critical (a full registry): `hotBytes` still bounds the tier.
    }
  }
  let pool: ZsPool;
  try {
    pool = createPool({
      name,
      pageSize: options.pageSize,
      profile,
      maxPagesPerZspage: options.maxPagesPerZspage ?? (profile === 'default' ? 16 : undefined),
      memLimit: options.memLimit,
      shrinkers: options.shrinkers,
    });
  } catch (e) {
    if (hotShrinker !== null) registry?.unregister(hotShrinker);
    throw e;
  }
  const values = new EntryValues<V>(rec, pool, codec, minSaving, encoder);
  return { pool, values, name, hot, hotShrinker, registry };
}

/**
 * @internal Reads entry `e`'s value through the hot tier: a hot one is returned as it is (marked
 * used when `use`); otherwise it is decoded and, when `use` and the tier is on, kept within
 * `limit` bytes.
 */
export function readThroughHot<V>(
  vals: EntryValues<V>,
  hot: HotTier<V>,
  rec: Records,
  e: number,
  op: string,
  use: boolean,
  limit: number,
): V {
  const s = hot.find(e);
  if (s >= 0) return use ? hot.hit(s) : hot.value(s);
  const v = vals.read(e, op);
  if (use && hot.budget > 0) {
    hot.put(e, v, decodedSize((rec.flags(e) & F_KIND_MASK) >>> F_KIND_SHIFT, rec.len(e), v), limit);
  }
  return v;
}

/** A compressed, off-heap `Map`; see the file comment. */
export class ZStore<K extends ZStoreKey = ZStoreKey, V = ZStoreValue> implements Iterable<[K, V]> {
  /** The pool holding the values. */
  readonly pool: ZsPool;
  /** The codec used (null: values stored raw). */
  readonly codec: Codec | null;
  /** The store's name (its pool is `zspool:<name>`). */
  readonly name: string;
  private readonly rec = new Records();
  private readonly order = new RecordList(this.rec);
  private readonly vals: EntryValues<V>;
  private readonly numKeys = new EntryIndex();
  private readonly strKeys = new Map<string, number>();
  /** String keys by entry (holes for number keys). */
  private strKeyOf: (string | undefined)[] = [];
  private live = 0;
  private destroyed = false;
  private readonly hot: HotTier<V>;
  /** Held here: the registry holds it weakly. */
  private readonly hotShrinker: HotShrinker | null;
  private readonly registry: ShrinkerRegistry | null;

  /** Creates an empty store; throws `ERR_ZS_BAD_ARGUMENT` for bad options (nothing is created). */
  constructor(options: ZStoreOptions<V> = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `options must be an object, got ${show(options)}`);
    }
    const mode = (options as { mode?: unknown }).mode;
    if (mode !== undefined && mode !== 'store') {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `a ZStore never drops data (mode ${show(mode)}); use ZCache for an evicting cache`,
      );
    }
    const o = openPool<V>(options, this.rec, 'zstore');
    this.pool = o.pool;
    this.vals = o.values;
    this.codec = o.values.payloads.codec;
    this.name = o.name;
    this.hot = o.hot;
    this.hotShrinker = o.hotShrinker;
    this.registry = o.registry;
  }

  /** Byte budget of the hot tier (0: none). */
  get hotBytes(): number {
    return this.hot.budget;
  }

  /** Number of entries. */
  get size(): number {
    return this.live;
  }

  /**
   * The value of `key`, or undefined: a fresh copy, or with `hotBytes` the hot tier's value (the
   * same object while it stays hot).
   */
  get(key: K): V | undefined {
    const e = this.find(key, 'get');
    if (e < 0) return undefined;
    const hot = this.hot;
    const s = hot.find(e);
    if (s >= 0) return hot.hit(s);
    try {
      return readThroughHot(this.vals, hot, this.rec, e, 'get', true, hot.budget);
    } finally {
      this.vals.trim();
    }
  }

  /**
   * Decodes the bytes of `key`'s value (as encoded, e.g. UTF-8 for a string) into `buf`; returns
   * their length, or undefined if there is no entry. Throws `ERR_ZS_OUT_OF_RANGE` if `buf` is short.
   */
  getInto(key: K, buf: Uint8Array): number | undefined {
    if (!(buf instanceof Uint8Array)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `getInto: buf must be a Uint8Array, got ${show(buf)}`);
    }
    const e = this.find(key, 'getInto');
    if (e < 0) return undefined;
    return this.vals.readBytes(e, buf, 'getInto');
  }

  /**
   * Calls `fn` with a zero-copy view of `key`'s stored bytes and returns its result (undefined if
   * there is no entry); the view is valid only during the call. Only for a value stored raw in one
   * object (codec `none`, or a value that did not compress); otherwise `ERR_ZS_BAD_STATE`.
   */
  borrow<R>(key: K, fn: (view: Uint8Array) => R): R | undefined {
    if (typeof fn !== 'function')
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'borrow: fn must be a function');
    const e = this.find(key, 'borrow');
    if (e < 0) return undefined;
    const rec = this.rec;
    const h = rec.handle(e);
    if (h === 0) return fn(new Uint8Array(0));
    if (rec.flags(e) & (F_COMPRESSED | F_MULTI)) {
      throw new ZsError(
        ZsErrorCode.BAD_STATE,
        'borrow: the value is stored compressed or in chunks; use get()',
      );
    }
    return this.pool.with(h, fn, 'ro');
  }

  /** True when `key` has an entry. */
  has(key: K): boolean {
    return this.find(key, 'has') >= 0;
  }

  /**
   * Stores `value` under `key`. A new key goes to the end of the insertion order; an existing key
   * keeps its place. Throws (changing nothing) for a bad key or value, a value too large, a value
   * mapped through `pool`, the pool's limit, or a codec failure.
   */
  set(key: K, value: V): this {
    const old = this.find(key, 'set');
    const values = this.vals;
    if (old >= 0) values.checkFree(old, 'set');
    try {
      values.prepare(value, 'set');
      if (old >= 0) {
        this.hot.drop(old);
        values.release(old);
        values.commit(old);
      } else {
        values.commit(this.newEntry(key));
      }
    } finally {
      values.trim();
    }
    return this;
  }

  /** Removes `key`; returns whether it was there. Throws `ERR_ZS_PINNED` if its value is mapped. */
  delete(key: K): boolean {
    const e = this.find(key, 'delete');
    if (e < 0) return false;
    this.vals.checkFree(e, 'delete');
    this.removeEntry(e);
    return true;
  }

  /** Removes every entry; if any value is mapped through `pool`, throws `ERR_ZS_PINNED` and removes none. */
  clear(): void {
    if (this.destroyed) throw destroyedError('clear');
    const rec = this.rec;
    for (let e = this.order.head; e >= 0; e = rec.next(e)) this.vals.checkFree(e, 'clear');
    for (let e = this.order.head; e >= 0; ) {
      const n = rec.next(e);
      this.removeEntry(e);
      e = n;
    }
  }

  /**
   * Entries in insertion order. Entries added during the iteration are not visited; entries
   * deleted before they are reached are skipped.
   */
  *entries(): IterableIterator<[K, V]> {
    for (const e of this.visit()) yield [this.keyOf(e), this.peekValue(e, 'entries')];
  }

  /** Keys in insertion order. */
  *keys(): IterableIterator<K> {
    for (const e of this.visit()) yield this.keyOf(e);
  }

  /** Values in insertion order (copies, or the hot tier's values). */
  *values(): IterableIterator<V> {
    for (const e of this.visit()) yield this.peekValue(e, 'values');
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Calls `fn(value, key, store)` for every entry in insertion order. */
  forEach(fn: (value: V, key: K, store: this) => void, thisArg?: unknown): void {
    for (const e of this.visit()) fn.call(thisArg, this.peekValue(e, 'forEach'), this.keyOf(e), this);
  }

  /** Current figures. */
  stats(): ZStoreStats {
    if (this.destroyed) throw destroyedError('stats');
    const p = this.pool.stats({ classes: false });
    const v = this.vals;
    const hot = this.hot;
    return {
      entries: this.live,
      logical_bytes: v.logical,
      stored_bytes: v.stored,
      ratio: v.stored > 0 ? v.logical / v.stored : 1,
      compressed_entries: v.compressed,
      pool_pages: p.total_pages,
      pool_bytes: p.bytes_committed,
      bytes_returned: p.bytes_returned,
      metadata_bytes: this.rec.bytes + this.numKeys.bytes + hot.metadataBytes,
      hot_bytes: hot.bytes,
      hot_entries: hot.count,
      hot_hits: hot.hits,
      hot_misses: hot.misses,
    };
  }

  /**
   * Frees everything and unregisters the pool's shrinker; the store is unusable afterwards. Not
   * needed to avoid a leak (a dropped store is collected), but gives the memory back at once.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.hotShrinker !== null) this.registry?.unregister(this.hotShrinker);
    this.hot.clear();
    this.pool.destroy();
    this.strKeys.clear();
    this.numKeys.clear();
    this.strKeyOf = [];
    this.rec.reset();
    this.order.clear();
    this.live = 0;
  }

  /** `using store = new ZStore()` destroys it at the end of the scope. */
  [disposeSymbol](): void {
    this.destroy();
  }

  /** `ZStore`. */
  get [Symbol.toStringTag](): string {
    return 'ZStore';
  }

  /** One line for `util.inspect` / `console.log`. */
  [inspectSymbol](): string {
    if (this.destroyed) return `ZStore(${this.name}) { destroyed }`;
    const v = this.vals;
    return `ZStore(${this.name}) { size: ${this.live}, codec: ${this.codec?.name ?? 'none'}, logical: ${v.logical} B, stored: ${v.stored} B }`;
  }

  /** A summary for `JSON.stringify` (the values are not serialised). */
  toJSON(): { type: 'ZStore'; name: string; size: number; destroyed: boolean } {
    return { type: 'ZStore', name: this.name, size: this.live, destroyed: this.destroyed };
  }

  private find(key: K, op: string): number {
    if (this.destroyed) throw destroyedError(op);
    if (typeof key === 'number') return this.numKeys.get(key, this.rec.f64);
    if (typeof key === 'string') return this.strKeys.get(key) ?? -1;
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: keys must be strings or numbers, got ${show(key)}`);
  }

  /** Entry `e`'s value for a read that is not a use (iteration): the hot one if any, else decoded. */
  private peekValue(e: number, op: string): V {
    return readThroughHot(this.vals, this.hot, this.rec, e, op, false, 0);
  }

  private keyOf(e: number): K {
    return (this.rec.flags(e) & F_NUMKEY ? this.rec.key(e) : this.strKeyOf[e]) as K;
  }

  /**
   * The entries in insertion order as they are now; each is yielded only if it is still live
   * when reached (a removal bumps the generation above the flags, so a record reused since is
   * not mistaken for the entry that was there).
   */
  private *visit(): Generator<number> {
    if (this.destroyed) throw destroyedError('iterate');
    const rec = this.rec;
    const snap = new Int32Array(2 * this.live);
    let n = 0;
    for (let e = this.order.head; e >= 0; e = rec.next(e)) {
      snap[n++] = e;
      snap[n++] = rec.flags(e);
    }
    for (let i = 0; i < n; i += 2) {
      if (this.destroyed) throw destroyedError('iterate');
      const e = snap[i];
      const w = rec.flags(e);
      if ((w & F_LIVE) !== 0 && (w & ~FLAG_BITS) === (snap[i + 1] & ~FLAG_BITS)) yield e;
    }
  }

  private newEntry(key: K): number {
    const rec = this.rec;
    const e = rec.alloc();
    const gen = rec.flags(e) & ~FLAG_BITS;
    if (typeof key === 'number') {
      rec.setFlags(e, gen | F_LIVE | F_NUMKEY);
      const k = key === 0 ? 0 : key; // -0 is stored as +0, as Map does
      rec.setKey(e, k);
      this.numKeys.add(k, e, rec.f64);
    } else {
      rec.setFlags(e, gen | F_LIVE);
      this.strKeyOf[e] = key as string;
      this.strKeys.set(key as string, e);
    }
    this.order.push(e);
    this.live++;
    return e;
  }

  private removeEntry(e: number): void {
    const rec = this.rec;
    this.hot.forget(e);
    this.vals.release(e);
    if (rec.flags(e) & F_NUMKEY) {
      this.numKeys.delete(rec.key(e), rec.f64);
    } else {
      this.strKeys.delete(this.strKeyOf[e] as string);
      this.strKeyOf[e] = undefined;
    }
    this.order.remove(e);
    rec.release(e);
    this.live--;
  }
}

const destroyedError = destroyedErrorFor('store');
