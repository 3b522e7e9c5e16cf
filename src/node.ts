/**
 * zsmalloc/node — everything in the core entry, plus what needs Node.js: streaming trace files, the Linux memory-pressure readers (cgroup v2, PSI, MemAvailable, V8 heap, RSS) with
 * {@link startAutoReclaim}, and the `node:zlib` codecs (`deflate`, `brotli`, and `zstd` where this Node has it), which
 * importing this entry registers.
 */
import { registerNodeCodecs } from './codec/node/zlib-codecs.js';

export {
  BrotliCodec,
  type BrotliCodecOptions,
  DeflateCodec,
  type DeflateCodecOptions,
  registerNodeCodecs,
  ZstdCodec,
  type ZstdCodecOptions,
  zstdUnavailableReason,
} from './codec/node/zlib-codecs.js';
export * from './index.js';
export {
  type AutoReclaimOptions,
  type AutoReclaimPlan,
  autoReclaimSources,
  type SkippedSource,
  startAutoReclaim,
} from './pressure/node/auto.js';
export {
  CGROUP_THRESHOLDS,
  type Cgroup2Mount,
  type CgroupLocation,
  CgroupSource,
  type CgroupSourceOptions,
  cgroupSource,
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
  type MeminfoSourceOptions,
  meminfoSource,
  parseMeminfo,
} from './pressure/node/meminfo.js';
export {
  PSI_FULL_THRESHOLDS,
  PSI_SOME_THRESHOLDS,
  type PsiFigures,
  type PsiLine,
  type PsiReading,
  PsiSource,
  type PsiSourceOptions,
  type PsiThresholdOptions,
  PsiTracker,
  parsePsi,
  psiSource,
} from './pressure/node/psi.js';
export { readProcFile } from './pressure/node/read-file.js';
export { rssBytes, statmRssBytes } from './pressure/node/rss.js';
export { v8HeapFigures, v8HeapSource } from './pressure/node/v8-heap.js';
export { type ReplayFileOptions, replayFile } from './replay/replay-file.js';

registerNodeCodecs();

export { FileBacking } from './zram/node/file-backing.js';
export {
  type SimulatedSource,
  type SimulateOptions,
  type SimulationResult,
  simulateZram,
} from './zram/node/simulate-run.js';
export { CHUNK_PAGES, FilePageSource, type PageSourceInfo, ProcessPageSource } from './zram/node/sources.js';
export { isZtrace, replayZtraceFile, type ZtraceFileOptions } from './zram/node/ztrace-file.js';
