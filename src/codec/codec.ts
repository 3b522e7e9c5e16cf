/**
 * The codec registry: names the codecs ZramDevice and ZStore compress with. The {@link Codec}
 * contract itself is in types.ts (a leaf, so codec implementations can import it without a
 * cycle through this registry, which imports them).
 *
 * The core entry registers the codecs that work everywhere (`none`, and the kernel-exact `lz4`,
 * `lzo-rle` and `lzo`; registered here, so that no bundler can drop them as unused);
 * `zsmalloc/node` registers the ones built on `node:zlib`. `getCodec(name)` throws `ERR_ZS_UNAVAILABLE` for a codec this runtime lacks.
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';
import { checkCodecBuffers } from './check.js';
import { lz4Codec } from './lz4.js';
import { lzoCodec, lzoRleCodec } from './lzo.js';
import type { Codec } from './types.js';

export type { Codec } from './types.js';

const codecs = new Map<string, Codec>();
const unavailable = new Map<string, string>();

/**
 * Makes `codec` available by name (replacing one of the same name); throws `ERR_ZS_BAD_ARGUMENT`
 * unless it has a non-empty `name` and `compress` / `decompress` methods.
 */
export function registerCodec(codec: Codec): void {
  const c = codec as Partial<Codec> | null;
  if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || c.name === '') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `registerCodec: a codec needs a non-empty name, got ${show(c?.name)}`,
    );
  }
  if (typeof c.compress !== 'function' || typeof c.decompress !== 'function') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `registerCodec: codec ${c.name} needs compress and decompress methods`,
    );
  }
  codecs.set(codec.name, codec);
  unavailable.delete(codec.name);
}

/** Records that codec `name` exists but cannot run here, and why (shown by `getCodec`). */
export function markUnavailable(name: string, reason: string): void {
  if (typeof name !== 'string' || name === '' || typeof reason !== 'string') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `markUnavailable: name and reason must be strings, got ${show(name)}, ${show(reason)}`,
    );
  }
  if (!codecs.has(name)) unavailable.set(name, reason);
}

/**
 * The codec called `name`; throws `ERR_ZS_UNAVAILABLE` if it is unknown or cannot run here,
 * `ERR_ZS_BAD_ARGUMENT` if `name` is not a string.
 */
export function getCodec(name: string): Codec {
  if (typeof name !== 'string') {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `getCodec: name must be a string, got ${show(name)}`);
  }
  const c = codecs.get(name);
  if (c) return c;
  const why = unavailable.get(name);
  throw new ZsError(
    ZsErrorCode.UNAVAILABLE,
    why
      ? `codec ${JSON.stringify(name)} is not available: ${why}`
      : `unknown codec ${JSON.stringify(name)}; available: ${[...codecs.keys()].join(', ')}`,
  );
}

/** Codecs by availability. */
export interface CodecList {
  /** Names of the codecs that run here. */
  available: string[];
  /** Known codecs that cannot run here, with the reason. */
  unavailable: Record<string, string>;
}

/** Names of the codecs available here, and of the known-but-unavailable ones with the reason. */
export function listCodecs(): CodecList {
  return { available: [...codecs.keys()], unavailable: Object.fromEntries(unavailable) };
}

/** Stores bytes as they are. */
export const noneCodec: Codec = {
  name: 'none',
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers('none', src, dst);
    if (src.length > dst.length) return -1;
    dst.set(src);
    return src.length;
  },
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers('none', src, dst);
    if (src.length !== dst.length) {
      throw new ZsError(ZsErrorCode.CODEC, `none: stored ${src.length} bytes, expected ${dst.length}`);
    }
    dst.set(src);
    return dst.length;
  },
};

registerCodec(noneCodec);
registerCodec(lz4Codec);
registerCodec(lzoRleCodec);
registerCodec(lzoCodec);
