/**
 * zsmalloc — the core entry (browser-safe: no `node:` imports).
 *
 * - {@link ZsPool} / {@link createPool}: the allocator (size classes, zspages, handles,
 *   compaction), exact to the kernel in the `linux-*` profiles.
 * - {@link ShrinkerRegistry} / {@link defaultShrinkers}: the shrinker core and reclaim driver.
 * - {@link PageStore}: pages on resizable ArrayBuffer arenas that really go back to the OS.
 * - {@link TraceReplayer}: replays allocation traces in the kernel oracle's format.
 * - {@link PressureMonitor} / {@link createPressureMonitor}: memory-pressure sensing (budget, JS
 *   heap, external events) that drives the shrinker registry; Linux readers are in `zsmalloc/node`.
 * - {@link Codec} / {@link getCodec}: compression codecs by name; `none`, `lz4`, `lzo-rle` and
 *   `lzo` here ({@link Lz4Codec}, {@link LzoCodec}: pure TypeScript, byte for byte the Linux
 *   kernel's compressors), `deflate`/`brotli`/`zstd` in `zsmalloc/node`.
 */

export {
  type Codec,
  type CodecList,
  getCodec,
  listCodecs,
  markUnavailable,
  noneCodec,
  registerCodec,
} from './codec/codec.js';
export { Lz4Codec, lz4Codec, lz4CompressBound } from './codec/lz4.js';
export { LzoCodec, lzoCodec, lzoCompressBound, lzoRleCodec } from './codec/lzo.js';
export { EINVAL, ENOMEM, ENOSPC, ZsError, ZsErrorCode } from './errors.js';
export { FreeRunTree } from './page/free-run-tree.js';
export { type PageOwner, PageStore, type PageStoreOptions, type PageStoreStats } from './page/page-store.js';
export {
  type CompactAsyncOptions,
  type CompactResult,
  createPool,
  type MapMode,
  type PoolOptions,
  ZsPool,
} from './pool/pool.js';
export type { ClassStats, PoolStats } from './pool/pool-stats.js';
export { getProfile, PROFILE_NAMES, type Profile, type ProfileName } from './pool/profiles.js';
export {
  buildClassTable,
  type ClassTable,
  chainPagesPerZspage,
  legacyPagesPerZspage,
  type SizeClass,
  sizeClassIndex,
} from './pool/size-class.js';
export {
  BUDGET_THRESHOLDS,
  BudgetSource,
  type BudgetSourceOptions,
  budgetSource,
} from './pressure/budget.js';
export { ExternalSource } from './pressure/external.js';
export {
  HEAP_THRESHOLDS,
  type HeapFigures,
  HeapSource,
  type HeapSourceOptions,
  heapSource,
} from './pressure/heap.js';
export {
  bandLevel,
  isPressureLevel,
  type LevelThresholds,
  levelRank,
  PRESSURE_LEVELS,
  type PressureLevel,
  worseLevel,
} from './pressure/level.js';
export {
  createPressureMonitor,
  DEFAULT_RECLAIM_POLICY,
  type LevelEvent,
  type MonitorCounters,
  type MonitorErrorEvent,
  type PollEvent,
  type PollResult,
  type PressureEvents,
  PressureMonitor,
  type PressureMonitorOptions,
  type PressureTimers,
  type ReclaimEvent,
  type ReclaimPolicy,
} from './pressure/monitor.js';
export {
  invalidSample,
  okSample,
  type PressureSample,
  type PressureSource,
  type ReadFile,
  type SampleStatus,
  unavailableSample,
} from './pressure/source.js';
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
export {
  defaultShrinkers,
  nextDeferred,
  type ReclaimOptions,
  type ReclaimResult,
  type ShrinkEvent,
  ShrinkerRegistry,
  type ShrinkerRegistryOptions,
  type ShrinkListener,
  type ShrinkWork,
  shrinkTarget,
} from './shrinker/registry.js';
export {
  DEF_PRIORITY,
  DEFAULT_SEEKS,
  SHRINK_BATCH,
  SHRINK_EMPTY,
  SHRINK_STOP,
  type ShrinkControl,
  type Shrinker,
} from './shrinker/shrinker.js';
export {
  createStore,
  type EvictReason,
  ZStore,
  type ZStoreKey,
  type ZStoreOptions,
  type ZStoreSetOptions,
  type ZStoreStats,
  type ZStoreValue,
} from './store/zstore.js';
export { yieldToEventLoop } from './util/yield.js';
export { type BackingStore, MemoryBacking } from './zram/backing.js';
export {
  EXACT_ALGORITHMS,
  HISTOGRAM_BUCKET,
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
  memparse,
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
