// The codec registry: what the core entry registers by itself, what importing zsmalloc/node
// adds, lookups of unknown and unavailable codecs, and replacement.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Codec, getCodec, listCodecs, registerCodec } from '../../src/index.js';
import {
  lz4Codec,
  lzoCodec,
  lzoRleCodec,
  markUnavailable,
  noneCodec,
  zstdUnavailableReason,
} from '../../src/internals.js';
import { assertZsError } from './checks.js';

// Nothing here imports zsmalloc/node until the last test, which checks what importing it adds.
describe('codec registry', () => {
  it('the core entry registers none, lz4, lzo-rle and lzo, and nothing from node:zlib', () => {
    assert.equal(getCodec('none'), noneCodec);
    assert.equal(getCodec('lz4'), lz4Codec);
    assert.equal(getCodec('lzo-rle'), lzoRleCodec);
    assert.equal(getCodec('lzo'), lzoCodec);
    assert.deepEqual(listCodecs().available.sort(), ['lz4', 'lzo', 'lzo-rle', 'none']);
    assertZsError(() => getCodec('deflate'), 'ERR_ZS_UNAVAILABLE');
  });

  it('an unknown name throws ERR_ZS_UNAVAILABLE listing what is available', () => {
    assert.throws(
      () => getCodec('lz5'),
      (e: Error & { code?: string }) =>
        e.code === 'ERR_ZS_UNAVAILABLE' && /unknown codec "lz5"/.test(e.message) && /lzo-rle/.test(e.message),
    );
  });

  it('markUnavailable records a reason; registering the codec clears it', () => {
    markUnavailable('test-codec', 'needs a feature this runtime lacks');
    assert.equal(listCodecs().unavailable['test-codec'], 'needs a feature this runtime lacks');
    assert.throws(
      () => getCodec('test-codec'),
      (e: Error & { code?: string }) =>
        e.code === 'ERR_ZS_UNAVAILABLE' && e.message.includes('needs a feature this runtime lacks'),
    );
    const c: Codec = { name: 'test-codec', compress: () => -1, decompress: (_s, d) => d.length };
    registerCodec(c);
    assert.equal(getCodec('test-codec'), c);
    assert.equal(listCodecs().unavailable['test-codec'], undefined);
  });

  it('markUnavailable does not hide a codec that is registered', () => {
    markUnavailable('lz4', 'should be ignored');
    assert.equal(getCodec('lz4'), lz4Codec);
    assert.equal(listCodecs().unavailable.lz4, undefined);
  });

  it('registering a codec under an existing name replaces it', () => {
    const replacement: Codec = { name: 'test-codec', compress: () => 0, decompress: (_s, d) => d.length };
    registerCodec(replacement);
    assert.equal(getCodec('test-codec'), replacement);
  });

  it('importing zsmalloc/node registers deflate and brotli, and zstd or its reason', async () => {
    const node = await import('../../src/node.js');
    assert.equal(getCodec('deflate').name, 'deflate');
    assert.ok(getCodec('deflate') instanceof node.DeflateCodec);
    assert.ok(getCodec('brotli') instanceof node.BrotliCodec);
    const { available, unavailable } = listCodecs();
    assert.equal(available.includes('zstd'), zstdUnavailableReason === undefined);
    assert.equal(unavailable.zstd, zstdUnavailableReason);
  });
});
