// node:zlib codecs: their output is the standard format (plain node:zlib decodes it, and they
// decode node:zlib's own output at other settings), options are validated, and zstd is either
// there or reported unavailable with the reason, matching this Node's version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { zstdUnavailableReason } from '../../src/internals.js';
import { BrotliCodec, DeflateCodec, getCodec, listCodecs, ZstdCodec } from '../../src/node.js';
import { anyData, randomBytes } from './data.js';
import { assertZsError, roomyBound, runtimeHasZstd } from './harness.js';

const RUNS = Number(process.env.CODEC_RUNS ?? 60);

interface ZstdZlib {
  zstdCompressSync(src: Uint8Array, opts?: object): Buffer;
  zstdDecompressSync(src: Uint8Array): Buffer;
  constants: Record<string, number>;
}

function pack(codec: { compress(s: Uint8Array, d: Uint8Array): number }, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(roomyBound(src.length));
  return dst.slice(0, codec.compress(src, dst));
}

function unpack(codec: { decompress(s: Uint8Array, d: Uint8Array): number }, packed: Uint8Array, n: number) {
  const out = new Uint8Array(n);
  codec.decompress(packed, out);
  return out;
}

describe('node:zlib codecs', () => {
  it('deflate writes raw DEFLATE and reads node:zlib raw DEFLATE at any level and window', () => {
    const codec = getCodec('deflate');
    fc.assert(
      fc.property(
        anyData,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 9, max: 15 }),
        (src, level, wb) => {
          assert.deepEqual(new Uint8Array(zlib.inflateRawSync(pack(codec, src))), src);
          const theirs = zlib.deflateRawSync(src, { level, windowBits: wb });
          assert.deepEqual(unpack(codec, theirs, src.length), src);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('brotli interoperates with node:zlib brotli', () => {
    const codec = getCodec('brotli');
    fc.assert(
      fc.property(anyData, fc.integer({ min: 0, max: 6 }), (src, quality) => {
        assert.deepEqual(new Uint8Array(zlib.brotliDecompressSync(pack(codec, src))), src);
        const theirs = zlib.brotliCompressSync(src, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality },
        });
        assert.deepEqual(unpack(codec, theirs, src.length), src);
      }),
      { numRuns: RUNS },
    );
  });

  it('validates options with ERR_ZS_BAD_ARGUMENT', () => {
    assertZsError(() => new DeflateCodec({ level: 10 }), 'ERR_ZS_BAD_ARGUMENT');
    assertZsError(() => new DeflateCodec({ windowBits: 8 }), 'ERR_ZS_BAD_ARGUMENT');
    assertZsError(() => new DeflateCodec({ memLevel: 0 }), 'ERR_ZS_BAD_ARGUMENT');
    assertZsError(() => new BrotliCodec({ quality: 1.5 }), 'ERR_ZS_BAD_ARGUMENT');
    if (runtimeHasZstd()) assertZsError(() => new ZstdCodec({ level: 23 }), 'ERR_ZS_BAD_ARGUMENT');
  });

  it('higher settings compress text better than the defaults (the option reaches zlib)', () => {
    const text = new TextEncoder().encode(
      Array.from({ length: 400 }, (_, k) => `line ${k * 7919} of ${k % 13} value=${(k * k) % 1000}`).join(
        '\n',
      ),
    );
    assert.ok(
      pack(new DeflateCodec({ level: 9 }), text).length < pack(new DeflateCodec({ level: 1 }), text).length,
    );
    assert.ok(
      pack(new BrotliCodec({ quality: 9 }), text).length < pack(new BrotliCodec({ quality: 1 }), text).length,
    );
  });

  if (runtimeHasZstd()) {
    it('zstd is registered and interoperates with node:zlib zstd', () => {
      const z = zlib as unknown as ZstdZlib;
      assert.equal(zstdUnavailableReason, undefined);
      assert.ok(listCodecs().available.includes('zstd'));
      const codec = getCodec('zstd');
      fc.assert(
        fc.property(anyData, fc.integer({ min: -5, max: 9 }), (src, level) => {
          assert.deepEqual(new Uint8Array(z.zstdDecompressSync(pack(codec, src))), src);
          const theirs = z.zstdCompressSync(src, {
            params: { [z.constants.ZSTD_c_compressionLevel]: level },
          });
          assert.deepEqual(unpack(codec, theirs, src.length), src);
        }),
        { numRuns: RUNS },
      );
    });

    it('zstd reads node:zlib output that ends in an extra empty frame', () => {
      // 65527 random bytes make one raw block, a 65536-byte frame: exactly four default 16 KiB
      // output chunks, after which zstdCompressSync appends an empty second frame.
      const z = zlib as unknown as ZstdZlib;
      const src = randomBytes(65527, 7);
      const params = { [z.constants.ZSTD_c_checksumFlag]: 0, [z.constants.ZSTD_c_contentSizeFlag]: 0 };
      const theirs = z.zstdCompressSync(src, { params });
      assert.equal(theirs.length, 65536 + 9, 'the quirk this test is about did not occur');
      assert.deepEqual(unpack(getCodec('zstd'), theirs, src.length), src);
      const ours = new Uint8Array(70000);
      const n = getCodec('zstd').compress(src, ours);
      assert.equal(n, 65536, 'our output is one frame');
    });
  } else {
    it('zstd is reported unavailable, with the Node version in the reason', () => {
      assert.ok(zstdUnavailableReason?.includes(process.versions.node));
      const { available, unavailable } = listCodecs();
      assert.ok(!available.includes('zstd'));
      assert.equal(unavailable.zstd, zstdUnavailableReason);
      assert.throws(
        () => getCodec('zstd'),
        (e: Error & { code?: string }) =>
          e.code === 'ERR_ZS_UNAVAILABLE' && e.message.includes(zstdUnavailableReason ?? '?'),
      );
      assertZsError(() => new ZstdCodec(), 'ERR_ZS_UNAVAILABLE');
    });
  }
});
