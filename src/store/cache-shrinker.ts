/**
 * The cache shrinker: how a ZCache gives memory back under pressure. Registered after its pool's
 * own shrinker (`zspool:<name>`), so compaction runs first; it evicts least-recently-used entries
 * (reason `evict`) only once compaction alone has not met the pressure.
 */
import type { ZsPool } from '../pool/pool.js';
import { DEFAULT_SEEKS, SHRINK_STOP, type ShrinkControl, type Shrinker } from '../shrinker/shrinker.js';

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
