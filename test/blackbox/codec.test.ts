// Black-box suite of the codecs through the public Codec interface only: the registry (register,
// get, mark unavailable) and every registered codec's compress/decompress on bad buffers, empty and
// detached views, too-small outputs and random garbage. Decompression of garbage is ERR_ZS_CODEC
// and never writes outside `dst`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markUnavailable } from '../../src/internals.js';
import { getCodec, listCodecs, registerCodec } from '../../src/node.js';
import { detachedBytes, NOT_BYTES, NOT_OBJECTS, throwsCode } from '../helpers/bad-inputs.js';

const BAD = 'ERR_ZS_BAD_ARGUMENT';
const NAMES = listCodecs().available;

describe('black box: codec registry', () => {
  it('registerCodec needs a named codec with compress and decompress; a failed call registers nothing', () => {
    const before = listCodecs();
    const fn = () => 0;
    for (const c of [
      ...NOT_OBJECTS,
      undefined,
      {},
      { name: '', compress: fn, decompress: fn },
      { name: 5, compress: fn, decompress: fn },
      { name: 'half', compress: fn },
      { name: 'half', compress: fn, decompress: 'x' },
    ]) {
      throwsCode(() => registerCodec(c as never), BAD, `registerCodec(${JSON.stringify(c) ?? String(c)})`);
    }
    assert.deepEqual(listCodecs(), before);
  });

  it('getCodec: a non-string name is ERR_ZS_BAD_ARGUMENT, an unknown one ERR_ZS_UNAVAILABLE', () => {
    for (const n of [5, null, undefined, {}, ['lz4'], Symbol('lz4')])
      throwsCode(() => getCodec(n as never), BAD, String(n));
    for (const n of ['', 'LZ4', 'lz5', 'constructor', '__proto__', 'toString']) {
      throwsCode(() => getCodec(n), 'ERR_ZS_UNAVAILABLE', n);
    }
    assert.equal(getCodec('lz4').name, 'lz4');
  });

  it('markUnavailable checks its arguments and never hides an available codec', () => {
    for (const [n, r] of [
      [5, 'x'],
      ['', 'x'],
      ['x', 5],
      [null, null],
    ]) {
      throwsCode(() => markUnavailable(n as never, r as never), BAD, `${String(n)}, ${String(r)}`);
    }
    markUnavailable('lz4', 'pretend');
    assert.equal(getCodec('lz4').name, 'lz4');
  });
});

describe('black box: compress and decompress on bad buffers', () => {
  for (const name of NAMES) {
    const codec = getCodec(name);
    const page = new Uint8Array(4096);
    for (let i = 0; i < page.length; i++) page[i] = (i * 7) & 0x3f;

    it(`${name}: src and dst that are not live Uint8Arrays are ERR_ZS_BAD_ARGUMENT`, () => {
      const dst = new Uint8Array(8192);
      const packed = dst.subarray(0, codec.compress(page, dst));
      assert.ok(packed.length > 0);
      const copy = packed.slice();
      for (const bad of [...NOT_BYTES, detachedBytes(0), detachedBytes(64)]) {
        const what = `${name} ${Object.prototype.toString.call(bad)}`;
        throwsCode(() => codec.compress(bad as never, new Uint8Array(100)), BAD, `compress src ${what}`);
        throwsCode(() => codec.compress(page, bad as never), BAD, `compress dst ${what}`);
        throwsCode(() => codec.decompress(bad as never, new Uint8Array(4096)), BAD, `decompress src ${what}`);
        throwsCode(() => codec.decompress(copy, bad as never), BAD, `decompress dst ${what}`);
      }
      // The good data still round-trips (no scratch state was damaged).
      const out = new Uint8Array(4096);
      assert.equal(codec.decompress(copy, out), 4096);
      assert.deepEqual(out, page);
    });

    it(`${name}: outputs that are too small give -1 (compress) or ERR_ZS_CODEC (decompress)`, () => {
      for (const cap of [0, 1, 8]) {
        const r = codec.compress(page, new Uint8Array(cap));
        assert.equal(r, -1, `compress into ${cap} bytes`);
      }
      const dst = new Uint8Array(8192);
      const packed = dst.slice(0, codec.compress(page, dst));
      for (const len of [0, 1, 4095, 4097]) {
        throwsCode(() => codec.decompress(packed, new Uint8Array(len)), 'ERR_ZS_CODEC', `into ${len} bytes`);
      }
      throwsCode(() => codec.decompress(new Uint8Array(0), new Uint8Array(16)), 'ERR_ZS_CODEC', 'empty src');
      // Buffer (a Uint8Array subclass) and views at an offset are fine.
      const inBuf = Buffer.alloc(packed.length + 3);
      inBuf.set(packed, 3);
      const out = Buffer.alloc(4096);
      assert.equal(codec.decompress(inBuf.subarray(3), out), 4096);
      assert.ok(out.equals(Buffer.from(page)));
    });

    it(`${name}: random garbage never decodes outside dst, and fails as ERR_ZS_CODEC when it fails`, () => {
      let seed = 7;
      const rnd = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      const codes = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        const n = 1 + (rnd() % 80);
        const src = new Uint8Array(n);
        for (let j = 0; j < n; j++) src[j] = rnd() & 255;
        const outLen = rnd() % 200;
        const arena = new Uint8Array(outLen + 64).fill(0xa5);
        const out = arena.subarray(32, 32 + outLen);
        let code = 'ok';
        try {
          assert.equal(codec.decompress(src, out), outLen);
        } catch (e) {
          code = String((e as { code?: unknown }).code ?? (e as Error).constructor.name);
        }
        codes.set(code, (codes.get(code) ?? 0) + 1);
        for (let k = 0; k < 32; k++) {
          assert.equal(arena[k], 0xa5, `${name}: wrote before dst`);
          assert.equal(arena[32 + outLen + k], 0xa5, `${name}: wrote after dst`);
        }
      }
      for (const code of codes.keys())
        assert.ok(code === 'ok' || code === 'ERR_ZS_CODEC', `${name}: ${code}`);
    });
  }
});
