/**
 * The Shrinker interface: how a cache tells reclaim what it could free, and frees it.
 *
 * Mirrors the kernel's `struct shrinker` (include/linux/shrinker.h): `count` is a cheap estimate of
 * freeable objects (0 = nothing to do), `scan` frees up to `sc.nrToScan` of them and returns how
 * many it freed, or {@link SHRINK_STOP} when it cannot make progress. `seeks` says how costly an
 * object is to recreate (`DEFAULT_SEEKS` = 2; 0 = free to recreate) and `batch` how many objects
 * one `scan` call should cover (0 → 128, the kernel's `SHRINK_BATCH`).
 */

/** `scan` return value: no progress possible now; stop calling this shrinker in this pass. */
export const SHRINK_STOP = -1;
/** `count` return value: the cache is empty (the kernel's `SHRINK_EMPTY`); treated as 0. */
export const SHRINK_EMPTY = -2;
/** Objects per `scan` call when a shrinker's `batch` is 0. */
export const SHRINK_BATCH = 128;
/** Default `seeks`: one seek to recreate, one to read (the kernel's value). */
export const DEFAULT_SEEKS = 2;
/** Lowest reclaim urgency; each step down doubles the share of freeable objects scanned. */
export const DEF_PRIORITY = 12;

/** What the reclaim driver asks of a shrinker in one call (the kernel's `shrink_control`). */
export interface ShrinkControl {
  /** Objects to scan in this `scan` call. */
  nrToScan: number;
  /** Objects the shrinker actually scanned; preset to `nrToScan`, may be lowered by `scan`. */
  nrScanned: number;
  /** Reclaim priority, 12 (`DEF_PRIORITY`, gentle) down to 0 (everything). */
  priority: number;
  /**
   * Bytes the reclaim still wants (`Infinity` when it has no byte target). A shrinker whose
   * objects are worth keeping (a cache) may free less than `nrToScan` once this is met; the
   * kernel has no such field — its reclaim targets are in pages scanned, not bytes.
   */
  targetBytes: number;
}

/** A cache that can give memory back. */
export interface Shrinker {
  /** Unique name; the pool's is `zspool:<pool name>`. */
  readonly name: string;
  /** Cost of recreating an object, in seeks (default 2, the kernel's `DEFAULT_SEEKS`); 0 = trim aggressively. */
  readonly seeks: number;
  /** Objects per `scan` call; 0 means 128 (`SHRINK_BATCH`). */
  readonly batch: number;
  /** Bytes one counted object stands for, so reclaim can aim at a byte target (pool: page size). */
  readonly unitBytes: number;
  /** Freeable objects now; must be cheap (called on every reclaim pass). 0 = nothing to do. */
  count(sc: ShrinkControl): number;
  /** Frees up to `sc.nrToScan` objects; returns the number freed or {@link SHRINK_STOP}. */
  scan(sc: ShrinkControl): number;
  /**
   * Optional: the same as `scan`, in slices that yield to the event loop, so a large scan never
   * stalls it. The async reclaim driver prefers it when present.
   */
  scanAsync?(sc: ShrinkControl): Promise<number>;
  /**
   * Optional: bytes the cache holds now (a pool: its committed pages), so a byte budget over the
   * registered caches can be enforced (`ShrinkerRegistry.usageBytes`). Must be cheap.
   */
  usageBytes?(): number;
}
