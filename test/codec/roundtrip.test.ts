// Property tests every codec must pass: round trips over many kinds of data, exact-size and
// too-small destinations, and no writes outside the destination view.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anyData, incompressible, MAX_LEN, zeros } from './data.js';
import { codecsUnderTest, guarded, label, roomyBound } from './harness.js';

const RUNS = Number(process.env.CODEC_RUNS ?? 120);

describe('codec round trips', () => {
  codecsUnderTest().forEach((codec, i) => {
    describe(label(codec, i), () => {
      it('decompress(compress(x)) === x; exact dst works; dst one byte short gives -1', () => {
        fc.assert(
          fc.property(anyData, (src) => {
            const roomy = new Uint8Array(roomyBound(src.length));
            const len = codec.compress(src, roomy);
            assert.ok(len >= 0 && len <= roomy.length, `compress returned ${len}`);
            const packed = roomy.slice(0, len);

            const exact = guarded(len);
            assert.equal(codec.compress(src, exact.view), len);
            assert.deepEqual(exact.view, packed);
            exact.check();

            if (len > 0) {
              const short = guarded(len - 1);
              assert.equal(codec.compress(src, short.view), -1);
              short.check();
            }

            const out = guarded(src.length);
            assert.equal(codec.decompress(packed, out.view), src.length);
            assert.deepEqual(out.view, src);
            out.check();
          }),
          { numRuns: RUNS },
        );
      });

      it('incompressible data does not fit a page-sized dst (bails out with -1)', () => {
        fc.assert(
          fc.property(incompressible, (src) => {
            fc.pre(src.length >= 4096);
            const dst = guarded(src.length - 64);
            assert.equal(codec.compress(src, dst.view), -1);
            dst.check();
          }),
          { numRuns: 20 },
        );
      });

      it('zero pages shrink a lot (except none)', () => {
        fc.assert(
          fc.property(zeros, (src) => {
            fc.pre(src.length >= 4096);
            const dst = new Uint8Array(roomyBound(src.length));
            const len = codec.compress(src, dst);
            if (codec.name === 'none') assert.equal(len, src.length);
            else assert.ok(len > 0 && len <= src.length / 50, `${src.length} zero bytes became ${len}`);
          }),
          { numRuns: 10 },
        );
      });

      it('handles the largest tested length after small ones (scratch growth)', () => {
        const big = new Uint8Array(MAX_LEN).map((_, k) => (k * 31) & 0x3f);
        const small = new Uint8Array(100).fill(7);
        for (const src of [small, big, small, big]) {
          const dst = new Uint8Array(roomyBound(src.length));
          const len = codec.compress(src, dst);
          const out = new Uint8Array(src.length);
          codec.decompress(dst.subarray(0, len), out);
          assert.deepEqual(out, src);
        }
      });
    });
  });
});
