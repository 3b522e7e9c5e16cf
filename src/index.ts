/**
 * zsmalloc — the core entry (browser-safe: no `node:` imports). Every name here is listed, with
 * its purpose, in docs/api.md; what the CLI, benchmarks and tests need beyond it is in
 * `zsmalloc/internals` (unstable).
 *
 * - {@link createPool}: the allocator (size classes, zspages, handles, compaction), exact to the
 *   kernel in the `linux-*` profiles.
 * - {@link ZStore}: a `Map`-like compressed key/value store (and LRU/TTL cache) on a pool.
 * - {@link ZramDevice}: a zram-like compressed RAM disk of fixed-size pages.
 * - {@link ShrinkerRegistry} / {@link defaultShrinkers}: the shrinker core and reclaim driver.
 * - {@link createPressureMonitor}: memory-pressure sensing (a byte budget, the JS heap, external
 *   events) that drives the shrinker registry; the Linux readers are in `zsmalloc/node`.
 * - {@link getCodec}: compression codecs by name (`none` and the kernel-exact `lz4`, `lzo-rle`,
 *   `lzo` here; `deflate`, `brotli`, `zstd` once `zsmalloc/node` is imported).
 * - {@link TraceReplayer}: replays allocation traces in the kernel oracle's format.
 */

// Codecs
export { type Codec, type CodecList, getCodec, listCodecs, registerCodec } from './codec/codec.js';
// Errors
export { ZsError, ZsErrorCode } from './errors.js';
// The pool
export {
  type CompactAsyncOptions,
  type CompactResult,
  createPool,
  type MapMode,
  type PoolOptions,
  type ZsPool,
} from './pool/pool.js';
export type { ClassStats, PoolStats } from './pool/pool-stats.js';
export type { Profile, ProfileName } from './pool/profiles.js';
export type { ClassTable, SizeClass } from './pool/size-class.js';
// Memory pressure
export { type BudgetSource, type BudgetSourceOptions, budgetSource } from './pressure/budget.js';
export { ExternalSource } from './pressure/external.js';
export { type HeapFigures, type HeapSource, type HeapSourceOptions, heapSource } from './pressure/heap.js';
export type { LevelThresholds, PressureLevel } from './pressure/level.js';
export {
  createPressureMonitor,
  type LevelEvent,
  type MonitorCounters,
  type MonitorErrorEvent,
  type PollEvent,
  type PollResult,
  type PressureEvents,
  type PressureMonitor,
  type PressureMonitorOptions,
  type PressureTimers,
  type ReclaimEvent,
  type ReclaimPolicy,
} from './pressure/monitor.js';
export type { PressureSample, PressureSource, ReadFile, SampleStatus } from './pressure/source.js';
// Trace replay
export {
  type PoolSnapshot,
  type QuickStats,
  type ReplayChecks,
  type ReplayEvent,
  type ReplayFinal,
  type ReplayOptions,
  type ReplayResult,
  type ShrinkSummary,
  TraceReplayer,
} from './replay/replayer.js';
// Shrinkers
export {
  defaultShrinkers,
  type ReclaimOptions,
  type ReclaimResult,
  type ShrinkEvent,
  ShrinkerRegistry,
  type ShrinkerRegistryOptions,
  type ShrinkListener,
  type ShrinkWork,
} from './shrinker/registry.js';
export { SHRINK_EMPTY, SHRINK_STOP, type ShrinkControl, type Shrinker } from './shrinker/shrinker.js';
// The store and the cache
export type {
  BufferLike,
  EncodedValue,
  EncodingName,
  EncodingOption,
  EncodingValues,
  JsonValue,
  ValueCodec,
} from './store/value-encoding.js';
export {
  type DisposeReason,
  type FetchReturn,
  type InsertReason,
  type NonNullish,
  type Perf,
  ZCache,
  type ZCacheEntry,
  type ZCacheFetcherOptions,
  type ZCacheFetchOptions,
  type ZCacheGetOptions,
  type ZCacheHasOptions,
  type ZCacheMemoOptions,
  type ZCacheOptions,
  type ZCachePeekOptions,
  type ZCacheSetOptions,
  type ZCacheStats,
} from './store/zcache.js';
export {
  type PoolBackedOptions,
  ZStore,
  type ZStoreKey,
  type ZStoreOptions,
  type ZStoreStats,
  type ZStoreValue,
} from './store/zstore.js';
// zram
export { type BackingStore, MemoryBacking } from './zram/backing.js';
export {
  EXACT_ALGORITHMS,
  type ZramSimClass,
  type ZramSimOptions,
  type ZramSimReport,
  type ZramSimSkipped,
  ZramSimulator,
} from './zram/simulate.js';
export {
  type BdStat,
  type IoStat,
  type MmStat,
  type SlotKind,
  WritebackError,
  type WritebackMode,
  ZramDevice,
  type ZramOptions,
} from './zram/zram-device.js';
export {
  ZRAM_ALGORITHMS,
  type ZtraceCounts,
  type ZtraceEvent,
  type ZtraceIoStat,
  type ZtraceOptions,
  type ZtracePageSource,
  ZtraceReplayer,
  type ZtraceResult,
  type ZtraceWrite,
} from './zram/ztrace.js';
