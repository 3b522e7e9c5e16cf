// Shared helpers for codec tests that need the node entry: the codecs under test (every
// registered one plus non-default settings); re-exports the node-free checks.
import type { Codec } from '../../src/codec/codec.js';
import { BrotliCodec, DeflateCodec, getCodec, ZstdCodec } from '../../src/node.js';

export { assertZsError, guarded, returnsOrCodecError } from './checks.js';

/** True when this Node's `node:zlib` should have zstd (added in 23.8, backported to 22.15). */
export function runtimeHasZstd(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15);
}

/** Every registered codec plus non-default configurations of the node ones. */
export function codecsUnderTest(): Codec[] {
  const list: Codec[] = ['none', 'lz4', 'lzo-rle', 'lzo', 'deflate', 'brotli'].map((n) => getCodec(n));
  list.push(new DeflateCodec({ level: 9, windowBits: 9, memLevel: 1 }), new BrotliCodec({ quality: 5 }));
  if (runtimeHasZstd())
    list.push(getCodec('zstd'), new ZstdCodec({ level: -5 }), new ZstdCodec({ level: 9 }));
  return list;
}

/** A label that tells apart codecs of the same name with different settings. */
export function label(c: Codec, i: number): string {
  return `${c.name}#${i}`;
}

/** A destination large enough for any codec's output of `n` input bytes. */
export function roomyBound(n: number): number {
  return n + (n >>> 3) + 1024;
}
