/**
 * Codecs built on `node:zlib` (Node-only; registered by the `zsmalloc/node` entry).
 *
 * - `deflate`: raw DEFLATE (no zlib/gzip header or checksum: the store keeps lengths itself).
 * - `brotli`: Brotli at a low quality with the input size as a hint, so the encoder sizes its
 *   window and tables to the page instead of its 4 MiB default.
 * - `zstd`: Zstandard through `node:zlib`, present from Node 22.15 / 23.8; elsewhere it is
 *   reported unavailable with the reason, never silently replaced.
 *
 * All use the synchronous one-shot APIs. Each call builds a zlib stream object inside Node
 * (measured ~10 µs for a tiny deflate, against ~60 µs to deflate a 4 KiB page at level 1), so
 * per-instance state can only save that part: reusing one stream through Node's private
 * handle API measured ~10% faster, not worth depending on internals. The options objects are
 * built once per codec and reused.
 * Both directions size zlib's output chunk to `dst` (one chunk, no 16 KiB default per call);
 * decompression also caps the output at `dst.length` (`maxOutputLength`), so a page is decoded
 * into one buffer and copied once into `dst`.
 */
import * as zlib from 'node:zlib';
import { checkInt, ZsError, ZsErrorCode } from '../../errors.js';
import { checkCodecBuffers } from '../check.js';
import { type Codec, markUnavailable, registerCodec } from '../codec.js';
import { isCompleteZstdFrames } from './zstd-frame.js';

/** zlib's smallest chunk size. */
const MIN_CHUNK = 64;

/** Output cap of the one-shot decompressors; one object per codec, updated for every call. */
interface OutputLimit {
  maxOutputLength: number;
  chunkSize: number;
}

/** A one-shot decompressor from `node:zlib` (`inflateRawSync`, `brotliDecompressSync`, ...). */
type SyncDecompress<O> = (src: Uint8Array, opts: O) => Buffer;

/**
 * Shared decompression step: decodes `src` into `dst` through `fn`, capped at `dst.length`.
 * Any zlib error, an output that would be longer than `dst`, or a shorter one becomes
 * `ERR_ZS_CODEC`.
 */
function decompressInto<O extends OutputLimit>(
  name: string,
  fn: SyncDecompress<O>,
  opts: O,
  src: Uint8Array,
  dst: Uint8Array,
): number {
  const cap = dst.length;
  // Every encoder here emits at least one byte; some Node versions decode an empty zstd input
  // to nothing instead of failing, so reject it up front for all.
  if (src.length === 0) throw new ZsError(ZsErrorCode.CODEC, `${name}: empty input`);
  // One chunk one byte larger than the page: a full page leaves room, so zlib stops at once.
  opts.maxOutputLength = cap > 0 ? cap : 1;
  opts.chunkSize = cap + 1 > MIN_CHUNK ? cap + 1 : MIN_CHUNK;
  let out: Buffer;
  try {
    out = fn(src, opts);
  } catch (err) {
    throw new ZsError(ZsErrorCode.CODEC, `${name}: corrupt input (${(err as Error).message})`);
  }
  if (out.length !== cap) {
    throw new ZsError(ZsErrorCode.CODEC, `${name}: decoded ${out.length} bytes, expected ${cap}`);
  }
  dst.set(out);
  return cap;
}

/**
 * Output chunk size for compressing into `dst`: one chunk holds any output that fits, so no
 * 16 KiB default chunk is allocated per page, and an output that fills it exactly (after which
 * zstd would append an empty frame) is already too long for `dst`.
 */
function compressChunk(dst: Uint8Array): number {
  return dst.length + 1 > MIN_CHUNK ? dst.length + 1 : MIN_CHUNK;
}

/** Copies `out` into `dst` if it fits; returns its length or -1. */
function storeInto(out: Buffer, dst: Uint8Array): number {
  if (out.length > dst.length) return -1;
  dst.set(out);
  return out.length;
}

/** Options of {@link DeflateCodec}. */
export interface DeflateCodecOptions {
  /** zlib level 0–9. Default 1: at page size, higher levels cost speed for little ratio. */
  level?: number;
  /**
   * Window size as a power of two, 9–15. Default 15: 12 (4 KiB) measured the same ratio and
   * speed on pages, and 15 keeps the ratio for objects larger than a page. Decompression
   * accepts any window.
   */
  windowBits?: number;
  /**
   * zlib memLevel 1–9 (hash table and symbol buffer size). Default 8: lower values measured
   * both slower and worse on 4 KiB pages.
   */
  memLevel?: number;
}

/** Raw DEFLATE through `node:zlib`. */
export class DeflateCodec implements Codec {
  /** Always `deflate`. */
  readonly name = 'deflate';
  private readonly opts: zlib.ZlibOptions & { chunkSize: number };
  private readonly limit: zlib.ZlibOptions & OutputLimit = {
    windowBits: 15,
    maxOutputLength: 1,
    chunkSize: MIN_CHUNK,
  };

  /** Creates a codec; see {@link DeflateCodecOptions} for the defaults. */
  constructor(options: DeflateCodecOptions = {}) {
    this.opts = {
      level: checkInt('deflate level', options.level ?? 1, 0, 9),
      windowBits: checkInt('deflate windowBits', options.windowBits ?? 15, 9, 15),
      memLevel: checkInt('deflate memLevel', options.memLevel ?? 8, 1, 9),
      chunkSize: MIN_CHUNK,
    };
  }

  /** Compresses `src` into `dst`; returns the length written, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    this.opts.chunkSize = compressChunk(dst);
    return storeInto(zlib.deflateRawSync(src, this.opts), dst);
  }

  /** Inflates `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt or the wrong size. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    return decompressInto('deflate', zlib.inflateRawSync, this.limit, src, dst);
  }
}

/** Options of {@link BrotliCodec}. */
export interface BrotliCodecOptions {
  /** Brotli quality 0–11. Default 1 (src/bench/candidates/codecs.ts --sweep shows the trade-off). */
  quality?: number;
}

/** Brotli through `node:zlib`. */
export class BrotliCodec implements Codec {
  /** Always `brotli`. */
  readonly name = 'brotli';
  private readonly params: Record<number, number>;
  private readonly opts: zlib.BrotliOptions & { chunkSize: number };
  private readonly limit: zlib.BrotliOptions & OutputLimit = { maxOutputLength: 1, chunkSize: MIN_CHUNK };

  /** Creates a codec; see {@link BrotliCodecOptions} for the defaults. */
  constructor(options: BrotliCodecOptions = {}) {
    this.params = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: checkInt('brotli quality', options.quality ?? 1, 0, 11),
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: 0,
    };
    this.opts = { params: this.params, chunkSize: MIN_CHUNK };
  }

  /** Compresses `src` into `dst`; returns the length written, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    // The size hint lets the encoder shrink its window and tables to the input.
    this.params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = src.length;
    this.opts.chunkSize = compressChunk(dst);
    return storeInto(zlib.brotliCompressSync(src, this.opts), dst);
  }

  /** Decodes `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt or the wrong size. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    return decompressInto('brotli', zlib.brotliDecompressSync, this.limit, src, dst);
  }
}

/** The zstd part of `node:zlib` (Node >= 22.15 / 23.8); absent from older typings and runtimes. */
interface ZstdOptions {
  params?: Record<number, number>;
  maxOutputLength?: number;
  chunkSize?: number;
}
interface ZstdZlib {
  zstdCompressSync?: (src: Uint8Array, opts: ZstdOptions) => Buffer;
  zstdDecompressSync?: (src: Uint8Array, opts: ZstdOptions) => Buffer;
  constants: Record<string, number>;
}
const zz = zlib as unknown as ZstdZlib;

/**
 * Why zstd cannot run here, or undefined when `node:zlib` has it. Node added zstd in 23.8 and
 * backported it to 22.15.
 */
export const zstdUnavailableReason: string | undefined =
  typeof zz.zstdCompressSync === 'function' && typeof zz.zstdDecompressSync === 'function'
    ? undefined
    : `node:zlib has no zstd in Node.js ${process.versions.node} (needs >= 22.15 or >= 23.8)`;

/** Options of {@link ZstdCodec}. */
export interface ZstdCodecOptions {
  /** zstd compression level, -7..22 (negative levels are the fast modes). Default 1. */
  level?: number;
}

/**
 * Zstandard through `node:zlib`. The frame omits the 4-byte checksum and the content size
 * (the store knows the length), which saves 5–6 bytes per page. Before decoding, the frame's
 * block headers are walked to check that it is whole (see zstd-frame.ts).
 */
export class ZstdCodec implements Codec {
  /** Always `zstd`. */
  readonly name = 'zstd';
  private readonly compressSync: (src: Uint8Array, opts: ZstdOptions) => Buffer;
  private readonly decompressSync: (src: Uint8Array, opts: ZstdOptions & OutputLimit) => Buffer;
  private readonly opts: ZstdOptions & { chunkSize: number };
  private readonly limit: ZstdOptions & OutputLimit = { maxOutputLength: 1, chunkSize: MIN_CHUNK };

  /** Creates a codec; throws `ERR_ZS_UNAVAILABLE` where `node:zlib` has no zstd. */
  constructor(options: ZstdCodecOptions = {}) {
    if (zstdUnavailableReason !== undefined || !zz.zstdCompressSync || !zz.zstdDecompressSync) {
      throw new ZsError(ZsErrorCode.UNAVAILABLE, `zstd: ${zstdUnavailableReason}`);
    }
    this.compressSync = zz.zstdCompressSync;
    this.decompressSync = zz.zstdDecompressSync;
    const C = zz.constants;
    this.opts = {
      params: {
        [C.ZSTD_c_compressionLevel]: checkInt('zstd level', options.level ?? 1, -7, 22),
        [C.ZSTD_c_checksumFlag]: 0,
        [C.ZSTD_c_contentSizeFlag]: 0,
      },
      chunkSize: MIN_CHUNK,
    };
  }

  /** Compresses `src` into `dst`; returns the length written, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    this.opts.chunkSize = compressChunk(dst);
    return storeInto(this.compressSync(src, this.opts), dst);
  }

  /** Decodes `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt or the wrong size. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    if (!isCompleteZstdFrames(src))
      throw new ZsError(ZsErrorCode.CODEC, 'zstd: not whole frames (truncated or trailing bytes)');
    return decompressInto('zstd', this.decompressSync, this.limit, src, dst);
  }
}

/**
 * Registers `deflate` and `brotli`, and `zstd` where `node:zlib` has it (otherwise marks it
 * unavailable with the reason). The `zsmalloc/node` entry calls this when it is imported.
 */
export function registerNodeCodecs(): void {
  registerCodec(new DeflateCodec());
  registerCodec(new BrotliCodec());
  if (zstdUnavailableReason === undefined) registerCodec(new ZstdCodec());
  else markUnavailable('zstd', zstdUnavailableReason);
}
