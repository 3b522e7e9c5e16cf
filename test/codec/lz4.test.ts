// LZ4-specific tests: interoperability with an independent implementation (lz4js) in both
// directions, the block format's end-of-block rules, hand-built blocks for the format's edge
// cases, and rejection of each kind of malformed sequence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compressSync, uncompressSync } from 'lz4-napi';
import * as lz4js from 'lz4js';
import { Lz4Codec, lz4CompressBound, lz4Hash5 } from '../../src/codec/lz4.js';
import { assertZsError, guarded } from './checks.js';
import { anyData, randomBytes, repeat } from './data.js';

const RUNS = Number(process.env.CODEC_RUNS ?? 120);

function compress(codec: Lz4Codec, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(lz4CompressBound(src.length));
  const len = codec.compress(src, dst);
  assert.ok(len > 0);
  return dst.slice(0, len);
}

interface Seq {
  litStart: number;
  litLen: number;
  /** Output position where the match starts; -1 for the last, literal-only sequence. */
  matchAt: number;
  matchLen: number;
  offset: number;
}

/** A strict, independent parse of a block into its sequences (fails on anything malformed). */
function parseBlock(block: Uint8Array): { seqs: Seq[]; outLen: number } {
  const seqs: Seq[] = [];
  let ip = 0;
  let op = 0;
  const readLen = (nibble: number): number => {
    let len = nibble;
    if (nibble === 15) {
      for (;;) {
        assert.ok(ip < block.length, 'length runs off the block');
        const b = block[ip++];
        len += b;
        if (b !== 255) break;
      }
    }
    return len;
  };
  for (;;) {
    assert.ok(ip < block.length, 'missing token');
    const token = block[ip++];
    const litLen = readLen(token >> 4);
    ip += litLen;
    assert.ok(ip <= block.length, 'literals run off the block');
    const litStart = op;
    op += litLen;
    if (ip === block.length) {
      seqs.push({ litStart, litLen, matchAt: -1, matchLen: 0, offset: 0 });
      return { seqs, outLen: op };
    }
    const offset = block[ip] | (block[ip + 1] << 8);
    ip += 2;
    assert.ok(offset > 0 && offset <= op, `offset ${offset} at output ${op}`);
    const matchLen = readLen(token & 15) + 4;
    seqs.push({ litStart, litLen, matchAt: op, matchLen, offset });
    op += matchLen;
  }
}

describe('lz4', () => {
  it('lz4js decodes our blocks', () => {
    const codec = new Lz4Codec();
    fc.assert(
      fc.property(anyData, (src) => {
        const block = compress(codec, src);
        const out = new Uint8Array(src.length);
        assert.equal(lz4js.decompressBlock(block, out, 0, block.length, 0), src.length);
        assert.deepEqual(out, src);
      }),
      { numRuns: RUNS },
    );
  });

  it('we decode lz4js blocks', () => {
    const codec = new Lz4Codec();
    fc.assert(
      fc.property(anyData, (src) => {
        const dst = new Uint8Array(lz4CompressBound(src.length));
        const len = lz4js.compressBlock(src, dst, 0, src.length, new Uint32Array(1 << 16));
        fc.pre(len > 0); // lz4js returns 0 for input it chose not to compress
        const out = guarded(src.length);
        codec.decompress(dst.subarray(0, len), out.view);
        assert.deepEqual(out.view, src);
        out.check();
      }),
      { numRuns: RUNS },
    );
  });

  it('lz4-napi (lz4_flex) decodes our blocks and we decode its blocks, any input', () => {
    const codec = new Lz4Codec();
    fc.assert(
      fc.property(anyData, (src) => {
        const block = compress(codec, src);
        // lz4-napi's block functions put the decoded size in front, as 4 little-endian bytes.
        const framed = Buffer.alloc(block.length + 4);
        framed.writeUInt32LE(src.length, 0);
        framed.set(block, 4);
        assert.equal(Buffer.compare(uncompressSync(framed), src), 0);
        const theirs = compressSync(Buffer.from(src));
        const out = guarded(src.length);
        codec.decompress(theirs.subarray(4), out.view);
        assert.deepEqual(out.view, src);
        out.check();
      }),
      { numRuns: RUNS },
    );
  });

  it('LZ4_hash5 arithmetic equals the 64-bit product it stands for', () => {
    const prime5 = 889523592379n;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 255 }), (lo, b4) => {
        const seq = BigInt(lo) | (BigInt(b4) << 32n);
        const expected = Number((((seq << 24n) * prime5) & 0xffffffffffffffffn) >> 52n);
        assert.equal(lz4Hash5(lo | 0, b4), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('inputs of 64 KiB + 11 bytes and more (the 32-bit table, 64 KiB distance limit) round-trip', () => {
    const codec = new Lz4Codec();
    const text = new TextEncoder().encode('the kernel stores what the compressor returns; '.repeat(40));
    const inputs = [
      repeat(text, 65546), // the last size on the 16-bit table
      repeat(text, 65547), // the first on the 32-bit one
      Uint8Array.from([...randomBytes(70000, 3), ...randomBytes(70000, 3)]), // repeats 70000 back: too far
      repeat(Uint8Array.from([...randomBytes(30000, 4), ...text]), 300000),
    ];
    for (const src of inputs) {
      const block = compress(codec, src);
      const { seqs, outLen } = parseBlock(block);
      assert.equal(outLen, src.length);
      for (const s of seqs) assert.ok(s.offset <= 65535);
      const out = new Uint8Array(src.length);
      assert.equal(lz4js.decompressBlock(block, out, 0, block.length, 0), src.length);
      assert.deepEqual(out, src);
      out.fill(0);
      codec.decompress(block, out);
      assert.deepEqual(out, src);
    }
    // The 140000-byte input repeats itself from 70000 bytes back: no match may reach that far.
    assert.ok(compress(codec, inputs[2]).length > 140000);
  });

  it('acceleration (6.12 algorithm_params level=): blocks stay valid and get longer as the search skips more', () => {
    const accelerations = [1, 2, 8, 65537];
    const codecs = accelerations.map((acceleration) => new Lz4Codec({ acceleration }));
    fc.assert(
      fc.property(anyData, fc.nat(3), (src, k) => {
        const block = compress(codecs[k], src);
        const out = new Uint8Array(src.length);
        assert.equal(lz4js.decompressBlock(block, out, 0, block.length, 0), src.length);
        assert.deepEqual(out, src);
      }),
      { numRuns: RUNS },
    );
    const text = new TextEncoder().encode(
      Array.from({ length: 400 }, (_, i) => `line ${(i * 7919) % 1000}: value ${(i * 104729) % 9973};`).join(
        '\n',
      ),
    );
    const lengths = codecs.map((c) => compress(c, text).length);
    assert.equal(compress(new Lz4Codec(), text).length, lengths[0], 'the default is acceleration 1');
    for (let i = 1; i < lengths.length; i++) assert.ok(lengths[i] > lengths[i - 1], `${lengths}`);
    for (const bad of [0, 1.5, 65538, Number.NaN, '2'])
      assertZsError(() => new Lz4Codec({ acceleration: bad as number }), 'ERR_ZS_BAD_ARGUMENT', String(bad));
  });

  it('our blocks obey the end-of-block rules (last 5 bytes literal, no match in the last 12)', () => {
    const codec = new Lz4Codec();
    fc.assert(
      fc.property(anyData, (src) => {
        const { seqs, outLen } = parseBlock(compress(codec, src));
        assert.equal(outLen, src.length);
        const last = seqs[seqs.length - 1];
        assert.equal(last.matchAt, -1);
        if (src.length < 13) assert.equal(seqs.length, 1, 'short inputs are one literal run');
        else assert.ok(last.litLen >= 5, `last literal run is ${last.litLen} bytes`);
        for (const s of seqs) {
          if (s.matchAt < 0) continue;
          assert.ok(s.matchAt <= src.length - 12, `match starts at ${s.matchAt} of ${src.length}`);
          assert.ok(s.matchAt + s.matchLen <= src.length - 5);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('encodes the empty input as a single zero token and decodes it back', () => {
    const codec = new Lz4Codec();
    const dst = new Uint8Array(4);
    assert.equal(codec.compress(new Uint8Array(0), dst), 1);
    assert.equal(dst[0], 0);
    assert.equal(codec.compress(new Uint8Array(0), new Uint8Array(0)), -1);
    assert.equal(codec.decompress(dst.subarray(0, 1), new Uint8Array(0)), 0);
  });

  it('decodes hand-built blocks: overlapping matches and length-byte boundaries', () => {
    const codec = new Lz4Codec();
    const check = (block: number[], expected: Uint8Array) => {
      const out = new Uint8Array(expected.length);
      assert.equal(codec.decompress(Uint8Array.from(block), out), expected.length);
      assert.deepEqual(out, expected);
    };
    // 1 literal 'a', match offset 1 length 4+15+255+1 = 275, then 5 literals.
    check(
      [0x1f, 97, 1, 0, 255, 1, 0x50, 98, 98, 98, 98, 98],
      Uint8Array.from([...'a'.repeat(276), ...'bbbbb'].map((c) => c.charCodeAt(0))),
    );
    // Offsets 2 and 3 (periodic copies shorter than 4 bytes), match length 19 (nibble 15 + 0).
    check(
      [0x2f, 1, 2, 2, 0, 0, 0x00],
      Uint8Array.from({ length: 21 }, (_, k) => 1 + (k % 2)),
    );
    check(
      [0x3f, 1, 2, 3, 3, 0, 0, 0x00],
      Uint8Array.from({ length: 22 }, (_, k) => 1 + (k % 3)),
    );
    // Literal lengths 15 (nibble 15 + extra 0) and 270 (15 + 255 + 0).
    const lit15 = randomBytes(15, 1);
    check([0xf0, 0, ...lit15], lit15);
    const lit270 = randomBytes(270, 2);
    check([0xf0, 255, 0, ...lit270], lit270);
  });

  it('rejects each kind of malformed sequence with ERR_ZS_CODEC', () => {
    const codec = new Lz4Codec();
    const bad = (block: number[], outLen: number, why: string) =>
      assertZsError(
        () => codec.decompress(Uint8Array.from(block), new Uint8Array(outLen)),
        'ERR_ZS_CODEC',
        why,
      );
    bad([], 0, 'empty block');
    bad([0x14, 97, 0, 0, 0x00], 9, 'offset 0');
    bad([0x14, 97, 2, 0, 0x00], 9, 'offset before the start of the output');
    bad([0x54, 1, 2, 3, 4, 5, 6, 0, 0x00], 14, 'offset before the start, 4-byte copy path');
    bad([0x1f, 97, 1, 0, 255, 255], 600, 'match length runs off the block');
    bad([0x10, 97, 1], 5, 'offset cut short');
    bad([0xf0, 255], 300, 'literal length runs off the block');
    bad([0x50, 1, 2, 3], 5, 'literals run off the block');
    bad([0x30, 1, 2, 3], 2, 'literals longer than dst');
    bad([0x14, 97, 1, 0, 0x00], 4, 'match longer than dst');
    bad([0x14, 97, 1, 0, 0x00], 10, 'block decodes to less than dst');
    bad([0x14, 97, 1, 0], 9, 'missing last sequence');
  });

  it('returns -1 without writing past dst when the output does not fit', () => {
    const codec = new Lz4Codec();
    fc.assert(
      fc.property(anyData, fc.nat(), (src, cutSeed) => {
        const full = compress(codec, src).length;
        const size = cutSeed % full;
        const dst = guarded(size);
        assert.equal(codec.compress(src, dst.view), -1);
        dst.check();
      }),
      { numRuns: RUNS },
    );
  });

  it('a compression given up on (dst too small) does not change the next one', () => {
    fc.assert(
      fc.property(anyData, anyData, fc.nat(), (a, b, cutSeed) => {
        const codec = new Lz4Codec();
        const fresh = compress(new Lz4Codec(), b);
        const full = compress(codec, a).length;
        assert.equal(codec.compress(a, new Uint8Array(cutSeed % full)), -1);
        assert.deepEqual(compress(codec, b), fresh);
      }),
      { numRuns: RUNS },
    );
  });

  it('ignores hash-table entries left by earlier calls, also across a position-counter reset', () => {
    const codec = new Lz4Codec();
    const a = randomBytes(4096, 11);
    const b = Uint8Array.from(a).reverse();
    // Push the position counter to just below the reset point, then keep compressing.
    (codec as unknown as { base: number }).base = 0x7fffffff - 6000;
    for (const src of [a, b, a, b, a]) {
      const block = compress(codec, src);
      const { outLen } = parseBlock(block);
      assert.equal(outLen, src.length);
      const out = new Uint8Array(src.length);
      codec.decompress(block, out);
      assert.deepEqual(out, src);
    }
    assert.ok((codec as unknown as { base: number }).base < 0x1000000, 'the counter was reset');
  });

  it('compresses repetitive pages well and gives -1 for a random page in a page-sized dst', () => {
    const codec = new Lz4Codec();
    const dst = new Uint8Array(4096);
    assert.ok(codec.compress(new Uint8Array(4096), dst) <= 32);
    assert.ok(
      codec.compress(new TextEncoder().encode('hello, world. '.repeat(300).slice(0, 4096)), dst) < 64,
    );
    assert.equal(codec.compress(randomBytes(4096, 5), dst), -1);
  });
});
