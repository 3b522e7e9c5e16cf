// Kernel-exact codecs against the real kernel's zram: for every logged write of every oracle trace
// whose page the kernel compressed, our compressor's length is the length the kernel stored (or,
// for a page the kernel stored as huge, at least that kernel's huge size), and every page comes
// back byte for byte through our decompressor. Independent decoders then read our blocks
// (lz4-napi for LZ4 here; minilzo for LZO in lzo.test.ts), and ours reads theirs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressSync, uncompressSync } from 'lz4-napi';
import type { Codec } from '../../src/codec/codec.js';
import { Lz4Codec, lz4CompressBound } from '../../src/codec/lz4.js';
import { LzoCodec } from '../../src/codec/lzo.js';
import {
  HUGE_THRESHOLD,
  kernelWrites,
  pageData,
  pageOf,
  ZRAM_KERNELS,
  ZRAM_TRACES,
} from '../helpers/zram-pages.js';

const PAGE = 4096;

/** What checking one codec against one trace found. */
interface Tally {
  exact: number;
  compressed: number;
  huge: number;
  hugeAgree: number;
  mismatches: string[];
}

/**
 * Replays the compressions of `trace` on `kernel` with `codec`: exact lengths for compressed
 * pages, at least the huge size for huge ones (and -1 into a buffer one byte short of it, as zram
 * sizes it), and a byte-exact round trip for every page.
 */
function checkTrace(codec: Codec, kernel: (typeof ZRAM_KERNELS)[number], trace: string): Tally {
  const { writes, data } = kernelWrites(kernel, trace);
  const dst = new Uint8Array(2 * PAGE); // zram's compression buffer is two pages
  const belowHuge = new Uint8Array(HUGE_THRESHOLD[kernel] - 1);
  const out = new Uint8Array(PAGE);
  const t: Tally = { exact: 0, compressed: 0, huge: 0, hugeAgree: 0, mismatches: [] };
  for (const w of writes) {
    if (w.same || w.err) continue; // same-filled pages are not compressed; failed writes log no length
    const page = pageOf(data, w.page);
    const len = codec.compress(page, dst);
    assert.ok(len > 0, `${trace} page ${w.page}: compress returned ${len}`);
    out.fill(0);
    codec.decompress(dst.subarray(0, len), out);
    if (Buffer.compare(out, page) !== 0) t.mismatches.push(`page ${w.page}: round trip differs`);
    if (w.huge) {
      t.huge++;
      if (len >= HUGE_THRESHOLD[kernel] && codec.compress(page, belowHuge) === -1) t.hugeAgree++;
      else t.mismatches.push(`page ${w.page}: kernel huge, ours ${len}`);
    } else {
      t.compressed++;
      if (len === w.len) t.exact++;
      else t.mismatches.push(`page ${w.page} (line ${w.line}): kernel ${w.len}, ours ${len}`);
    }
  }
  return t;
}

describe('lz4 is kernel-exact (LZ4_compress_default, Linux 6.1 and 6.12)', () => {
  const codec = new Lz4Codec();
  for (const kernel of ZRAM_KERNELS) {
    for (const trace of ZRAM_TRACES) {
      if (trace === 'z-mix-lzorle') continue;
      it(`${trace} on ${kernel}: every compressed page has the kernel's length`, () => {
        const t = checkTrace(codec, kernel, trace);
        assert.deepEqual(t.mismatches.slice(0, 10), []);
        assert.ok(t.compressed > 1000 && t.huge > 100, `checked ${t.compressed} + ${t.huge} huge`);
        assert.equal(t.exact, t.compressed);
        assert.equal(t.hugeAgree, t.huge);
      });
    }
  }

  it('lz4-napi (lz4_flex) decodes our blocks of every page of mix.pages, and we decode its blocks', () => {
    const bytes = pageData('mix.pages');
    const dst = new Uint8Array(lz4CompressBound(PAGE) + 4);
    const out = new Uint8Array(PAGE);
    let pages = 0;
    for (let p = 0; p * PAGE < bytes.length; p++) {
      const page = bytes.subarray(p * PAGE, (p + 1) * PAGE);
      // lz4-napi's block functions put the decoded size in front, as 4 little-endian bytes.
      const len = codec.compress(page, dst.subarray(4));
      dst[0] = PAGE & 0xff;
      dst[1] = PAGE >>> 8;
      dst[2] = 0;
      dst[3] = 0;
      const theirs = uncompressSync(Buffer.from(dst.buffer, 0, len + 4));
      assert.equal(Buffer.compare(theirs, page), 0, `lz4-napi decoded page ${p} differently`);
      const block = compressSync(Buffer.from(page));
      assert.equal(block.readUInt32LE(0), PAGE);
      out.fill(0);
      codec.decompress(block.subarray(4), out);
      assert.equal(Buffer.compare(out, page), 0, `we decoded lz4-napi's block of page ${p} differently`);
      pages++;
    }
    assert.equal(pages, 20000);
  });
});

describe('lzo-rle is kernel-exact (lzorle1x_1_compress, Linux 6.1)', () => {
  it("z-mix-lzorle on linux-6.1: every compressed page has the kernel's length", () => {
    const t = checkTrace(new LzoCodec('lzo-rle'), 'linux-6.1', 'z-mix-lzorle');
    assert.deepEqual(t.mismatches.slice(0, 10), []);
    assert.ok(t.compressed > 1000 && t.huge > 100, `checked ${t.compressed} + ${t.huge} huge`);
    assert.equal(t.exact, t.compressed);
    assert.equal(t.hugeAgree, t.huge);
  });

  it('linux-6.12 has no lzo-rle: its z-mix-lzorle result logs no write', () => {
    assert.equal(kernelWrites('linux-6.12', 'z-mix-lzorle').writes.length, 0);
  });
});
