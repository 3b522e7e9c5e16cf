/**
 * zsmalloc/node — everything in the core entry, plus what needs Node.js: streaming trace files
 * and the `node:zlib` codecs (`deflate`, `brotli`, and `zstd` where this Node has it), which
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
export { type ReplayFileOptions, replayFile } from './replay/replay-file.js';

registerNodeCodecs();
