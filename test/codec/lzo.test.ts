// LZO-specific tests: interoperability with minilzo (the LZO author's own LZO1X-1, through the
// `lzo` bindings) in both directions, lzo and lzo-rle writing the same stream where their formats
// coincide, the zero-run and 260-byte rules of lzo-rle, hand-built streams for instructions our
// compressor never writes, and rejection of malformed streams.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import minilzo from 'lzo';
import { LzoCodec, lzoCompressBound } from '../../src/codec/lzo.js';
import { pageData } from '../helpers/zram-pages.js';
import { assertZsError, guarded } from './checks.js';
import { anyData, randomBytes } from './data.js';

const RUNS = Number(process.env.CODEC_RUNS ?? 120);
const PAGE = 4096;

function compress(codec: LzoCodec, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(lzoCompressBound(src.length));
  const len = codec.compress(src, dst);
  assert.ok(len > 0);
  return dst.slice(0, len);
}

interface Instr {
  kind: 'literals' | 'match' | 'zeros';
  /** Output position where it starts. */
  at: number;
  len: number;
  /** Match distance; 0 for literals and zero runs. */
  dist: number;
}

/**
 * A strict, independent parse of an LZO1X stream into its instructions (fails on anything
 * malformed). Literals that follow a match through its state bits are listed as literals too.
 */
function parseStream(s: Uint8Array): { version: number; instrs: Instr[]; outLen: number } {
  const instrs: Instr[] = [];
  let ip = 0;
  let op = 0;
  let version = 0;
  const byte = (): number => {
    assert.ok(ip < s.length, 'stream cut short');
    return s[ip++];
  };
  const ext = (base: number): number => {
    let len = base;
    for (;;) {
      const b = byte();
      if (b !== 0) return len + b;
      len += 255;
    }
  };
  const literals = (n: number) => {
    if (n === 0) return;
    ip += n;
    assert.ok(ip <= s.length, 'literals run off the stream');
    instrs.push({ kind: 'literals', at: op, len: n, dist: 0 });
    op += n;
  };
  if (s.length >= 5 && s[0] === 17) {
    version = s[1];
    ip = 2;
  }
  let state = 0;
  if (s[ip] > 17) {
    const t = byte() - 17;
    literals(t);
    state = t < 4 ? t : 4;
  }
  for (;;) {
    const t = byte();
    let len: number;
    let dist: number;
    let next: number;
    if (t >= 64) {
      len = (t >> 5) + 1;
      dist = 1 + ((t >> 2) & 7) + (byte() << 3);
      next = t & 3;
    } else if (t >= 32) {
      len = (t & 31) === 0 ? ext(33) : (t & 31) + 2;
      const w = byte() | (byte() << 8);
      dist = 1 + (w >> 2);
      next = w & 3;
    } else if (t >= 16) {
      if (
        version > 0 &&
        (t & 0xf8) === 0x18 &&
        ip + 1 < s.length &&
        (s[ip] & 0xfc) === 0xfc &&
        s[ip + 1] === 0xff
      ) {
        const w = byte() | (byte() << 8);
        const run = ((t & 7) | (byte() << 3)) + 4;
        instrs.push({ kind: 'zeros', at: op, len: run, dist: 0 });
        op += run;
        literals(w & 3);
        state = w & 3;
        continue;
      }
      len = (t & 7) === 0 ? ext(9) : (t & 7) + 2;
      const w = byte() | (byte() << 8);
      dist = ((t & 8) << 11) + (w >> 2);
      next = w & 3;
      if (dist === 0) {
        assert.equal(len, 3, 'end marker length');
        assert.equal(ip, s.length, 'bytes after the end marker');
        return { version, instrs, outLen: op };
      }
      dist += 0x4000;
    } else if (state === 0) {
      literals(t === 0 ? ext(18) : t + 3);
      state = 4;
      continue;
    } else {
      len = state === 4 ? 3 : 2;
      dist = (state === 4 ? 2049 : 1) + (t >> 2) + (byte() << 2);
      next = t & 3;
    }
    assert.ok(dist <= op, `distance ${dist} at output ${op}`);
    instrs.push({ kind: 'match', at: op, len, dist });
    op += len;
    literals(next);
    state = next;
  }
}

/** `src` with every zero byte made 1: no 4 zero bytes anywhere, so lzo-rle has no zero run. */
function withoutZeros(src: Uint8Array): Uint8Array {
  return src.map((b) => (b === 0 ? 1 : b));
}

describe('lzo and lzo-rle', () => {
  const lzo = new LzoCodec('lzo');
  const rle = new LzoCodec('lzo-rle');

  it('minilzo decodes our lzo streams, and we decode its streams', () => {
    fc.assert(
      fc.property(anyData, (src) => {
        const ours = compress(lzo, src);
        assert.equal(Buffer.compare(minilzo.decompress(ours, src.length), src), 0);
        const theirs = minilzo.compress(src);
        for (const codec of [lzo, rle]) {
          const out = guarded(src.length);
          assert.equal(codec.decompress(theirs, out.view), src.length);
          assert.deepEqual(out.view, src);
          out.check();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('minilzo decodes our lzo stream of every page of the zram oracle mix, and we decode its streams', () => {
    const bytes = pageData('mix.pages');
    const dst = new Uint8Array(lzoCompressBound(PAGE));
    const out = new Uint8Array(PAGE);
    let pages = 0;
    for (let p = 0; p * PAGE < bytes.length; p++) {
      const page = bytes.subarray(p * PAGE, (p + 1) * PAGE);
      const len = lzo.compress(page, dst);
      const theirs = minilzo.decompress(dst.subarray(0, len), PAGE);
      assert.equal(Buffer.compare(theirs, page), 0, `minilzo decoded page ${p} differently`);
      out.fill(0);
      lzo.decompress(minilzo.compress(page), out);
      assert.equal(Buffer.compare(out, page), 0, `we decoded minilzo's stream of page ${p} differently`);
      pages++;
    }
    assert.equal(pages, 20000);
  });

  it('our streams parse strictly: lzo never writes a zero run, distances stay below 48 KiB', () => {
    fc.assert(
      fc.property(anyData, (src) => {
        for (const codec of [lzo, rle]) {
          const { version, instrs, outLen } = parseStream(compress(codec, src));
          assert.equal(outLen, src.length);
          assert.equal(version, codec === rle ? 1 : 0);
          const maxDist = codec === rle ? 0xbffe : 0xbfff;
          for (const x of instrs) {
            if (x.kind === 'zeros') assert.ok(codec === rle && x.len >= 4 && x.len <= 2051);
            if (x.kind === 'match') assert.ok(x.dist <= maxDist && x.len >= 3, `match ${x.len}@${x.dist}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('lzo and lzo-rle write the same stream (after the 2-byte header) where no 4 zero bytes occur', () => {
    fc.assert(
      fc.property(anyData, (raw) => {
        const src = withoutZeros(raw.subarray(0, 49151)); // one block for both variants
        const plain = compress(lzo, src);
        const versioned = compress(rle, src);
        assert.deepEqual([versioned[0], versioned[1]], [17, 1]);
        assert.deepEqual(versioned.subarray(2), plain);
      }),
      { numRuns: RUNS },
    );
  });

  it('lzo-rle writes zero runs of 4..2051 bytes; a zero page is two of them', () => {
    const zeros = parseStream(compress(rle, new Uint8Array(PAGE))).instrs.filter((x) => x.kind === 'zeros');
    assert.deepEqual(
      zeros.map((x) => x.len),
      [2051, 4096 - 20 - 5 - 2051],
    );
    const sparse = randomBytes(PAGE, 9).map((b, i) => (i % 512 < 300 ? 0 : b));
    const stream = compress(rle, sparse);
    assert.ok(stream.length < compress(lzo, sparse).length);
    const out = new Uint8Array(PAGE);
    rle.decompress(stream, out);
    assert.deepEqual(out, sparse);
  });

  it('lzo-rle cuts an M4 match of 261..264 bytes whose distance bits would read as a zero run to 260', () => {
    // A 262-byte random block seen again 0x803f bytes later, in text: distance - 16 KiB has the
    // bits 0x403f, so a long M4 of 261..264 would begin like a zero run.
    const text = new TextEncoder().encode(
      'the kernel stores what the compressor returns, every page of it; ',
    );
    const src = new Uint8Array(0x803f + 1000);
    for (let i = 0; i < src.length; i++) src[i] = text[i % text.length];
    const block = randomBytes(262, 1);
    src.set(block, 101);
    src.set(block, 101 + 0x803f);
    const far = (s: Uint8Array) => parseStream(s).instrs.find((x) => x.kind === 'match' && x.dist === 0x803f);
    const plain = compress(lzo, src);
    const versioned = compress(rle, src);
    assert.equal(far(plain)?.len, 262);
    assert.equal(far(versioned)?.len, 260);
    assert.equal(Buffer.compare(minilzo.decompress(plain, src.length), src), 0);
    const out = new Uint8Array(src.length);
    rle.decompress(versioned, out);
    assert.deepEqual(out, src);
  });

  it('decodes hand-built streams: short matches after literals, zero runs only in lzo-rle', () => {
    const check = (codec: LzoCodec, stream: number[], expected: Uint8Array) => {
      const out = new Uint8Array(expected.length);
      assert.equal(codec.decompress(Uint8Array.from(stream), out), expected.length);
      assert.deepEqual(out, expected);
    };
    const abc = [97, 98, 99];
    // 3 literals (first byte 17 + 3), then with state 3 a 2-byte match at distance 1 + 2 = 3.
    check(lzo, [20, ...abc, 8, 0, 17, 0, 0], Uint8Array.from([...abc, 97, 98]));
    // A 2100-byte literal run (0, eight zero bytes, 42: 18 + 8·255 + 42), then with state 4 a
    // 3-byte match at distance 2049 + 1 + 4·1, followed by 2 literals.
    const lit = randomBytes(2100, 4);
    check(
      lzo,
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 42, ...lit, 6, 1, 120, 121, 17, 0, 0],
      Uint8Array.from([...lit, ...lit.subarray(2100 - 2054, 2100 - 2054 + 3), 120, 121]),
    );
    // lzo-rle: version header, 3 literals, a run of 10 zeros (0x18 | 6, 0xfc, 0xff, 0), end.
    const run = [17, 1, 20, ...abc, 0x1e, 0xfc, 0xff, 0, 17, 0, 0];
    check(rle, run, Uint8Array.from([...abc, ...new Uint8Array(10)]));
    check(lzo, run, Uint8Array.from([...abc, ...new Uint8Array(10)])); // either codec reads either variant
    // Without the header the same bytes are an M4 match 0xbfff back: outside the output.
    assertZsError(
      () => lzo.decompress(Uint8Array.from(run.slice(2)), new Uint8Array(13)),
      'ERR_ZS_CODEC',
      'M4 beyond the output',
    );
  });

  it('rejects each kind of malformed stream with ERR_ZS_CODEC', () => {
    const bad = (stream: number[], outLen: number, why: string) =>
      assertZsError(
        () => lzo.decompress(Uint8Array.from(stream), new Uint8Array(outLen)),
        'ERR_ZS_CODEC',
        why,
      );
    bad([17, 0], 0, 'shorter than the end marker');
    bad([20, 97, 98, 99], 3, 'no end marker');
    bad([20, 97, 98, 99, 17, 0, 0, 0], 3, 'bytes after the end marker');
    bad([20, 97, 98, 99, 18, 0, 0], 3, 'end marker of the wrong length');
    bad([17, 2, 21, 97, 98, 99, 100, 17, 0, 0], 4, 'unknown bitstream version');
    bad([30, 1, 2, 3, 4, 5, 6, 7], 13, 'literals run off the stream');
    bad([20, 97, 98, 99, 17, 0, 0], 2, 'literals longer than dst');
    bad([20, 97, 98, 99, 17, 0, 0], 4, 'stream decodes to less than dst');
    bad([20, 97, 98, 99, 0x40 | (7 << 2), 0, 17, 0, 0], 20, 'M2 distance 8 beyond 3 bytes of output');
    bad([20, 97, 98, 99, 0x20, 0, 0], 300, 'M3 length extension runs off the stream');
    bad([20, 97, 98, 99, 0x21, 0], 300, 'M3 distance cut short');
    bad([20, 97, 98, 99, 0x40 | (2 << 5), 0, 17, 0, 0], 5, 'match longer than dst');
    bad([0, 0, 0], 300, 'literal length extension runs off the stream');
  });

  it('returns -1 without writing past dst when the output does not fit', () => {
    fc.assert(
      fc.property(anyData, fc.nat(), fc.boolean(), (src, cutSeed, useRle) => {
        const codec = useRle ? rle : lzo;
        const full = compress(codec, src).length;
        const dst = guarded(cutSeed % full);
        assert.equal(codec.compress(src, dst.view), -1);
        dst.check();
      }),
      { numRuns: RUNS },
    );
  });

  it('a compression given up on (dst too small) does not change the next one', () => {
    fc.assert(
      fc.property(anyData, anyData, fc.nat(), fc.boolean(), (a, b, cutSeed, useRle) => {
        const codec = new LzoCodec(useRle ? 'lzo-rle' : 'lzo');
        const fresh = compress(new LzoCodec(useRle ? 'lzo-rle' : 'lzo'), b);
        const full = compress(codec, a).length;
        assert.equal(codec.compress(a, new Uint8Array(cutSeed % full)), -1);
        assert.deepEqual(compress(codec, b), fresh);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects an unknown variant with ERR_ZS_BAD_ARGUMENT', () => {
    assertZsError(() => new LzoCodec('lzo1' as 'lzo'), 'ERR_ZS_BAD_ARGUMENT');
  });
});
