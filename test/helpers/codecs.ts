/**
 * Codecs for tests: a tiny reversible "zero-tail" codec (keeps the bytes up to the last non-zero
 * one, so compressibility is easy to control) and codecs that fail on purpose.
 */
import { type Codec, ZsError, ZsErrorCode } from '../../src/index.js';

/** Stores [length as 4 bytes][bytes up to the last non-zero one]; decompress pads with zeros. */
export const zeroTailCodec: Codec = {
  name: 'zero-tail',
  compress(src, dst) {
    let n = src.length;
    while (n > 0 && src[n - 1] === 0) n--;
    if (n + 4 > dst.length) return -1;
    dst[0] = n & 255;
    dst[1] = (n >>> 8) & 255;
    dst[2] = (n >>> 16) & 255;
    dst[3] = n >>> 24;
    dst.set(src.subarray(0, n), 4);
    return n + 4;
  },
  decompress(src, dst) {
    const n = src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24);
    if (src.length !== n + 4 || n > dst.length) throw new ZsError(ZsErrorCode.CODEC, 'zero-tail: corrupt');
    dst.set(src.subarray(4));
    dst.fill(0, n);
    return dst.length;
  },
};

/** A codec whose compress throws when `failing.on` is true. */
export function flakyCodec(failing: { on: boolean }): Codec {
  return {
    name: 'flaky',
    compress(src, dst) {
      if (failing.on) throw new Error('injected compress failure');
      return zeroTailCodec.compress(src, dst);
    },
    decompress(src, dst) {
      return zeroTailCodec.decompress(src, dst);
    },
  };
}
