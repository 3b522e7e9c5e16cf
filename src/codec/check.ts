/**
 * Argument checks every codec's `compress` and `decompress` make before touching a byte.
 * @internal
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';

/**
 * Throws `ERR_ZS_BAD_ARGUMENT` unless `src` and `dst` are `Uint8Array`s with live buffers: what every
 * codec's `compress` and `decompress` check first (two `instanceof` tests on the fast path).
 * @internal
 */
export function checkCodecBuffers(codec: string, src: unknown, dst: unknown): void {
  if (!(src instanceof Uint8Array) || (src.length === 0 && isDetached(src))) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `${codec}: src must be a Uint8Array with a live buffer, got ${show(src)}`,
    );
  }
  if (!(dst instanceof Uint8Array) || (dst.length === 0 && isDetached(dst))) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `${codec}: dst must be a Uint8Array with a live buffer, got ${show(dst)}`,
    );
  }
}

/** True when the view's buffer has been detached (transferred away); only asked of empty views. */
function isDetached(v: Uint8Array): boolean {
  const buf = v.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buf.detached === 'boolean') return buf.detached;
  try {
    new Uint8Array(buf, 0, 0);
    return false;
  } catch {
    return true;
  }
}
