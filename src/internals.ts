/**
 * zsmalloc/internals — building blocks behind the public entries, for the CLI, the benchmarks,
 * the tests and the curious. **Unstable**: any name here may change or go in any release,
 * including a patch release. Applications should use `zsmalloc` and `zsmalloc/node`
 * (docs/api.md). This entry needs Node.js (it includes the `/proc` readers).
 */

export { markUnavailable, noneCodec } from './codec/codec.js';
export { Lz4Codec, lz4Codec, lz4CompressBound } from './codec/lz4.js';
export { LzoCodec, lzoCodec, lzoCompressBound, lzoRleCodec } from './codec/lzo.js';
export { registerNodeCodecs, zstdUnavailableReason } from './codec/node/zlib-codecs.js';
export { checkInt, EINVAL, ENOMEM, ENOSPC, show } from './errors.js';
export { FreeRunTree } from './page/free-run-tree.js';
export { type PageOwner, PageStore, type PageStoreOptions, type PageStoreStats } from './page/page-store.js';
export { ZsPool } from './pool/pool.js';
export { getProfile, PROFILE_NAMES } from './pool/profiles.js';
export {
  buildClassTable,
  chainPagesPerZspage,
  legacyPagesPerZspage,
  sizeClassIndex,
} from './pool/size-class.js';
export { BUDGET_THRESHOLDS, BudgetSource } from './pressure/budget.js';
export { HEAP_THRESHOLDS, HeapSource } from './pressure/heap.js';
export { bandLevel, isPressureLevel, levelRank, PRESSURE_LEVELS, worseLevel } from './pressure/level.js';
export { DEFAULT_RECLAIM_POLICY, PressureMonitor } from './pressure/monitor.js';
export {
  CGROUP_THRESHOLDS,
  type Cgroup2Mount,
  type CgroupLocation,
  CgroupSource,
  keyedValue,
  type ProcCgroup,
  parseCgroup2Mount,
  parseKeyed,
  parseLimit,
  parseProcCgroup,
} from './pressure/node/cgroup.js';
export {
  MEMINFO_THRESHOLDS,
  type MeminfoFigures,
  MeminfoSource,
  parseMeminfo,
} from './pressure/node/meminfo.js';
export {
  PSI_FULL_THRESHOLDS,
  PSI_SOME_THRESHOLDS,
  type PsiFigures,
  type PsiLine,
  type PsiReading,
  PsiSource,
  PsiTracker,
  parsePsi,
} from './pressure/node/psi.js';
export { readProcFile } from './pressure/node/read-file.js';
export { rssBytes, statmRssBytes } from './pressure/node/rss.js';
export { v8HeapFigures } from './pressure/node/v8-heap.js';
export { invalidSample, okSample, unavailableSample } from './pressure/source.js';
export { nextDeferred, shrinkTarget } from './shrinker/registry.js';
export { DEF_PRIORITY, DEFAULT_SEEKS, SHRINK_BATCH } from './shrinker/shrinker.js';
export { yieldToEventLoop } from './util/yield.js';
export { CHUNK_PAGES } from './zram/node/sources.js';
export { isZtrace } from './zram/node/ztrace-file.js';
export { HISTOGRAM_BUCKET, ZramSimGroup } from './zram/simulate.js';
export { memparse } from './zram/ztrace.js';
