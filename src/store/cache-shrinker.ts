/**
 * The store shrinkers: how a ZStore or ZCache gives memory back under pressure, in the order they
 * are registered (the registry calls them in that order):
 * 1. the hot-tier shrinker (`zhot:<name>`, only with `hotBytes`), registered before the pool:
 *    decoded copies are dropped first, they cost only a decode to recreate;
 * 2. the pool's own shrinker (`zspool:<name>`): compaction;
 * 3. the cache shrinker (`zcache:<name>`, ZCache only): evicts least-recently-used entries (reason
 *    `evict`) only once compaction alone has not met the pressure.
 */
import type { ZsPool } from '../pool/pool.js';
import { DEFAULT_SEEKS, SHRINK_STOP, type ShrinkControl, type Shrinker } from '../shrinker/shrinker.js';
import type { HotTier } from './hot-tier.js';

/** @internal What the cache shrinker needs from its cache. */
export interface Evictable {
  /** Entries that could be evicted. */
  readonly size: number;
  /** The pool holding the values. */
  readonly pool: ZsPool;
  /** Evicts up to `n` least-recently-used entries; returns how many went. */
  evictLru(n: number): number;
  /** Average bytes held in the pool per entry. */
  avgStored(): number;
}

/** @internal The cache's shrinker: counts entries, evicts the least recently used. */
export class CacheShrinker implements Shrinker {
  readonly seeks = DEFAULT_SEEKS;
  readonly batch = 0;

  constructor(
    private readonly cache: Evictable,
    readonly name: string,
  ) {}

  get unitBytes(): number {
    return this.cache.avgStored();
  }

  /**
   * Entries, but 0 while compaction could still free pages of the cache's pool that it has not
   * tried yet: eviction only starts once compaction alone has not met the pressure. Pages pinned by
   * a mapping do not hold eviction back.
   */
  count(_sc: ShrinkControl): number {
    if (this.cache.pool.compactionBacklog() > 0) return 0;
    return this.cache.size;
  }

  /** Evicts up to `nrToScan` least-recently-used entries, and no more than `sc.targetBytes` worth. */
  scan(sc: ShrinkControl): number {
    let n = sc.nrToScan;
    if (sc.targetBytes !== Number.POSITIVE_INFINITY) {
      const cap = Math.ceil(sc.targetBytes / this.cache.avgStored());
      if (cap < n) n = cap;
    }
    if (n <= 0) return SHRINK_STOP;
    const done = this.cache.evictLru(n);
    return done > 0 ? done : SHRINK_STOP;
  }

  /** 0: the cache's memory is its pool's, which reports it (so evictions count once compacted). */
  usageBytes(): number {
    return 0;
  }
}

/**
 * @internal The hot tier's shrinker: counts hot values, drops them in CLOCK order. `seeks` 0 (a
 * dropped value is decoded again on its next read), and it reports the hot bytes as usage, so they
 * count toward a budget over the registry and dropping them is progress for `reclaim`.
 */
export class HotShrinker implements Shrinker {
  readonly seeks = 0;
  /** Small: one hot value is kilobytes, and a tier of a few values must be scanned too. */
  readonly batch = 16;

  constructor(
    private readonly hot: HotTier<unknown>,
    readonly name: string,
  ) {}

  get unitBytes(): number {
    const h = this.hot;
    return h.count > 0 ? Math.max(1, h.bytes / h.count) : 1;
  }

  count(_sc: ShrinkControl): number {
    return this.hot.count;
  }

  /** Drops up to `nrToScan` values, and no more than `sc.targetBytes` worth. */
  scan(sc: ShrinkControl): number {
    let n = sc.nrToScan;
    if (sc.targetBytes !== Number.POSITIVE_INFINITY) {
      const cap = Math.ceil(sc.targetBytes / this.unitBytes);
      if (cap < n) n = cap;
    }
    if (n <= 0) return SHRINK_STOP;
    const done = this.hot.evict(n);
    return done > 0 ? done : SHRINK_STOP;
  }

  usageBytes(): number {
    return this.hot.bytes;
  }
}
