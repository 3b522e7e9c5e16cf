/**
 * zsmalloc/node — everything in the core entry, plus what needs Node.js: streaming trace files,
 * the Linux memory-pressure readers (cgroup v2, PSI, MemAvailable, the V8 heap) with
 * {@link startAutoReclaim}, a file as zram's backing device, and the `node:zlib` codecs
 * (`deflate`, `brotli`, and `zstd` where this Node has it), which importing this entry registers.
 * Every name is listed in docs/api.md.
 */
import { registerNodeCodecs } from './codec/node/zlib-codecs.js';

export {
  BrotliCodec,
  type BrotliCodecOptions,
  DeflateCodec,
  type DeflateCodecOptions,
  ZstdCodec,
  type ZstdCodecOptions,
} from './codec/node/zlib-codecs.js';
export * from './index.js';
export {
  type AutoReclaimOptions,
  type AutoReclaimPlan,
  autoReclaimSources,
  type SkippedSource,
  startAutoReclaim,
} from './pressure/node/auto.js';
export { type CgroupSource, type CgroupSourceOptions, cgroupSource } from './pressure/node/cgroup.js';
export { type MeminfoSource, type MeminfoSourceOptions, meminfoSource } from './pressure/node/meminfo.js';
export {
  type PsiSource,
  type PsiSourceOptions,
  type PsiThresholdOptions,
  psiSource,
} from './pressure/node/psi.js';
export { v8HeapSource } from './pressure/node/v8-heap.js';
export { type ReplayFileOptions, replayFile } from './replay/node/replay-file.js';
export { FileBacking } from './zram/node/file-backing.js';
export {
  type SimulatedSource,
  type SimulateOptions,
  type SimulationResult,
  simulateZram,
} from './zram/node/simulate-run.js';
export { FilePageSource, type PageSourceInfo, ProcessPageSource } from './zram/node/sources.js';
export { replayZtraceFile, type ZtraceFileOptions } from './zram/node/ztrace-file.js';

registerNodeCodecs();
