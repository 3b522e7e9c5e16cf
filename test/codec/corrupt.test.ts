// Corrupt, truncated and mis-sized input: every codec must throw ERR_ZS_CODEC (or, for a
// corruption that still decodes, return), never another error, a hang, or a write outside dst.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anyData, randomBytes } from './data.js';
import {
  assertZsError,
  codecsUnderTest,
  guarded,
  label,
  returnsOrCodecError,
  roomyBound,
} from './harness.js';

const RUNS = Number(process.env.CODEC_RUNS ?? 120);

function pack(codec: { compress(s: Uint8Array, d: Uint8Array): number }, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(roomyBound(src.length));
  return dst.slice(0, codec.compress(src, dst));
}

describe('corrupt input', () => {
  codecsUnderTest().forEach((codec, i) => {
    describe(label(codec, i), () => {
      it('every truncation throws ERR_ZS_CODEC', () => {
        fc.assert(
          fc.property(anyData, fc.nat(), (src, cutSeed) => {
            const packed = pack(codec, src);
            fc.pre(packed.length > 0);
            const cut = cutSeed % packed.length;
            const out = guarded(src.length);
            assertZsError(
              () => codec.decompress(packed.subarray(0, cut), out.view),
              'ERR_ZS_CODEC',
              `cut ${cut}`,
            );
            out.check();
          }),
          { numRuns: RUNS },
        );
      });

      it('a dst one byte longer or shorter than the original throws ERR_ZS_CODEC', () => {
        fc.assert(
          fc.property(anyData, fc.boolean(), (src, longer) => {
            fc.pre(longer || src.length > 0);
            const packed = pack(codec, src);
            const out = guarded(src.length + (longer ? 1 : -1));
            assertZsError(() => codec.decompress(packed, out.view), 'ERR_ZS_CODEC');
            out.check();
          }),
          { numRuns: RUNS },
        );
      });

      it('flipped bytes throw ERR_ZS_CODEC or decode to something of the right length', () => {
        fc.assert(
          fc.property(anyData, fc.nat(), fc.integer({ min: 1, max: 255 }), (src, at, xor) => {
            const packed = pack(codec, src);
            fc.pre(packed.length > 0);
            packed[at % packed.length] ^= xor;
            const out = guarded(src.length);
            returnsOrCodecError(() => codec.decompress(packed, out.view));
            out.check();
          }),
          { numRuns: RUNS },
        );
      });

      it('random garbage throws ERR_ZS_CODEC or decodes, whatever the dst size', () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 0, max: 5000 }),
            fc.integer(),
            fc.integer({ min: 0, max: 70000 }),
            (n, seed, m) => {
              const out = guarded(m);
              returnsOrCodecError(() => codec.decompress(randomBytes(n, seed), out.view));
              out.check();
            },
          ),
          { numRuns: RUNS },
        );
      });
    });
  });
});
