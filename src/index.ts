/**
 * zsmalloc — the core entry (browser-safe: no `node:` imports).
 *
 * - {@link ZsPool} / {@link createPool}: the allocator (size classes, zspages, handles,
 *   compaction), exact to the kernel in the `linux-*` profiles.
 * - {@link ShrinkerRegistry} / {@link defaultShrinkers}: the shrinker core and reclaim driver.
 * - {@link PageStore}: pages on resizable ArrayBuffer arenas that really go back to the OS.
 * - {@link TraceReplayer}: replays allocation traces in the kernel oracle's format.
 * - {@link Codec} / {@link getCodec}: compression codecs by name; `none` and `lz4` here
 *   ({@link Lz4Codec}, a pure TypeScript LZ4 block codec), `deflate`/`brotli`/`zstd` in
 *   `zsmalloc/node`.
 */

export {
  type Codec,
  getCodec,
  listCodecs,
  markUnavailable,
  noneCodec,
  registerCodec,
} from './codec/codec.js';
export { Lz4Codec, lz4Codec, lz4CompressBound } from './codec/lz4.js';
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
  type PoolSnapshot,
  type QuickStats,
  type ReplayEvent,
  type ReplayOptions,
  type ReplayResult,
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
export { yieldToEventLoop } from './util/yield.js';
