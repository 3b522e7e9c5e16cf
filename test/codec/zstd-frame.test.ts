// The zstd frame walker: hand-built frames (valid on every Node, with or without zstd) and,
// where node:zlib has zstd, every frame it makes is complete and every truncation is not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { isCompleteZstdFrames } from '../../src/codec/node/zstd-frame.js';
import { anyData } from './data.js';
import { runtimeHasZstd } from './harness.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const frame = (...rest: number[]) => Uint8Array.from([...MAGIC, ...rest]);

describe('isCompleteZstdFrames', () => {
  it('accepts whole hand-built frames', () => {
    // No single segment: window byte, then one empty last raw block.
    assert.ok(isCompleteZstdFrames(frame(0x00, 0x00, 0x01, 0x00, 0x00)));
    // Single segment with a 1-byte content size, a raw block of 3 bytes then a last RLE block.
    assert.ok(isCompleteZstdFrames(frame(0x20, 7, 0x18, 0x00, 0x00, 1, 2, 3, 0x23, 0x00, 0x00, 9)));
    // Content checksum flag: 4 bytes after the last block; 2-byte dictionary id.
    assert.ok(isCompleteZstdFrames(frame(0x06, 0x00, 0xaa, 0xbb, 0x01, 0x00, 0x00, 1, 2, 3, 4)));
  });

  it('accepts concatenated whole frames (zstdCompressSync can append an empty one)', () => {
    const a = [...MAGIC, 0x00, 0x00, 0x01, 0x00, 0x00];
    const b = [...MAGIC, 0x20, 3, 0x19, 0x00, 0x00, 7, 8, 9]; // last raw block of 3 bytes
    assert.ok(isCompleteZstdFrames(Uint8Array.from([...b, ...a])));
    assert.ok(isCompleteZstdFrames(Uint8Array.from([...a, ...b, ...a])));
    for (let k = 1; k < b.length; k++) {
      assert.ok(!isCompleteZstdFrames(Uint8Array.from([...a, ...b.slice(0, k)])), `second frame cut at ${k}`);
    }
  });

  it('rejects truncation, trailing bytes, bad magic, reserved bits and block type 3', () => {
    const whole = frame(0x20, 7, 0x18, 0x00, 0x00, 1, 2, 3, 0x23, 0x00, 0x00, 9);
    for (let k = 0; k < whole.length; k++)
      assert.ok(!isCompleteZstdFrames(whole.subarray(0, k)), `prefix ${k}`);
    assert.ok(!isCompleteZstdFrames(Uint8Array.from([...whole, 0])));
    assert.ok(!isCompleteZstdFrames(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfe, 0x00, 0x00, 0x01, 0x00, 0x00])));
    assert.ok(!isCompleteZstdFrames(frame(0x08, 0x00, 0x01, 0x00, 0x00)));
    assert.ok(!isCompleteZstdFrames(frame(0x00, 0x00, 0x07, 0x00, 0x00)));
  });

  if (runtimeHasZstd()) {
    it('agrees with node:zlib: its output passes, a prefix passes only at a frame boundary', () => {
      const z = zlib as unknown as {
        zstdCompressSync(s: Uint8Array, o?: object): Buffer;
        constants: Record<string, number>;
      };
      fc.assert(
        fc.property(anyData, fc.boolean(), fc.nat(), (src, checksum, cutSeed) => {
          const params = { [z.constants.ZSTD_c_checksumFlag]: checksum ? 1 : 0 };
          const packed = z.zstdCompressSync(src, { params });
          assert.ok(isCompleteZstdFrames(packed));
          const cut = cutSeed % packed.length;
          // A prefix is whole only if it ends where a frame ends (then the rest is whole too).
          if (isCompleteZstdFrames(packed.subarray(0, cut)))
            assert.ok(isCompleteZstdFrames(packed.subarray(cut)));
        }),
        { numRuns: 100 },
      );
    });
  }
});
