// ZramDevice: mm_stat against hand-computed values, the kernel's write-path rules (same-filled,
// huge, mem_limit checked after allocating), failures that keep old contents, and a model-based
// test against a Map with compaction and shrinker passes in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getCodec, ShrinkerRegistry, ZramDevice } from '../../src/index.js';
import { flakyCodec, zeroTailCodec } from '../helpers/codecs.js';

const P = 4096;

function pageOf(fill: (i: number) => number): Uint8Array {
  const p = new Uint8Array(P);
  for (let i = 0; i < P; i++) p[i] = fill(i);
  return p;
}

/** A page whose first `n` bytes are non-zero noise and the rest zeros (zero-tail stores n + 4). */
function compressible(n: number, seed: number): Uint8Array {
  return pageOf((i) => (i < n ? 1 + ((i * 31 + seed * 7) % 255) : 0));
}

function read(z: ZramDevice, i: number): Uint8Array {
  const out = new Uint8Array(P);
  z.read(i, out);
  return out;
}

describe('ZramDevice', () => {
  it('same-filled pages take no memory and read back, for any repeated 8-byte word', () => {
    const z = new ZramDevice({ disksize: 16 * P, codec: zeroTailCodec, shrinkers: null });
    z.write(0, new Uint8Array(P));
    z.write(1, new Uint8Array(P).fill(0xab));
    const word = pageOf((i) => [1, 2, 3, 4, 5, 6, 7, 8][i % 8]);
    z.write(2, word);
    const m = z.mmStat();
    assert.equal(m.same_pages, 3);
    assert.equal(m.orig_data_size, 3 * P);
    assert.equal(m.compr_data_size, 0);
    assert.equal(m.mem_used_total, 0);
    assert.deepEqual(read(z, 1), new Uint8Array(P).fill(0xab));
    assert.deepEqual(read(z, 2), word);
    assert.deepEqual(read(z, 9), new Uint8Array(P), 'never written reads as zeros');
    // Not same-filled: a 4-byte period differing in the second word.
    const almost = pageOf((i) => (i === P - 1 ? 9 : 0));
    z.write(3, almost);
    assert.equal(z.mmStat().same_pages, 3);
    assert.deepEqual(read(z, 3), almost);
  });

  it('mm_stat columns for compressed, huge, overwritten and discarded pages', () => {
    const z = new ZramDevice({
      disksize: 64 * P,
      codec: zeroTailCodec,
      profile: 'linux-6.12',
      shrinkers: null,
    });
    assert.equal(z.pool.hugeClassSize, 3625);
    z.write(0, compressible(996, 1)); // 1000 bytes → class 1008 (+8 → 1008): 1000+8 = 1008
    z.write(1, compressible(3620, 2)); // 3624 < 3625: not huge
    z.write(2, compressible(3621, 3)); // 3625 ≥ huge_class_size: stored raw
    let m = z.mmStat();
    assert.equal(m.orig_data_size, 3 * P);
    assert.equal(m.compr_data_size, 1000 + 3624 + P);
    assert.equal(m.huge_pages, 1);
    assert.equal(m.huge_pages_since, 1);
    const pages = z.pool.totalPages();
    assert.equal(m.mem_used_total, pages * P);
    assert.equal(m.mem_used_max, pages * P);
    // Overwrite the huge page with a same-filled one, discard page 0.
    z.write(2, new Uint8Array(P));
    z.discard(0, 1);
    m = z.mmStat();
    assert.equal(m.huge_pages, 0);
    assert.equal(m.huge_pages_since, 1);
    assert.equal(m.same_pages, 1);
    assert.equal(m.orig_data_size, 2 * P);
    assert.equal(m.compr_data_size, 3624);
    assert.equal(z.ioStat().notify_free, 1);
    assert.deepEqual(read(z, 0), new Uint8Array(P));
    assert.deepEqual(read(z, 1), compressible(3620, 2));
    assert.equal(m.mem_used_max >= m.mem_used_total, true);
    // The kernel's one-line text forms.
    const text = z.mmStatText();
    assert.match(text, /^( {0,7}\d{1,}\s){8} {0,7}\d+\n$/);
    assert.deepEqual(text.trim().split(/\s+/).map(Number), [
      m.orig_data_size,
      m.compr_data_size,
      m.mem_used_total,
      m.mem_limit,
      m.mem_used_max,
      m.same_pages,
      m.pages_compacted,
      m.huge_pages,
      m.huge_pages_since,
    ]);
    assert.equal(text.split(' ').filter((x) => x !== '').length, 9);
    assert.equal(z.ioStatText(), '       0        0 0        1\n');
    z.resetMemUsedMax();
    assert.equal(z.mmStat().mem_used_max, z.mmStat().mem_used_total);
  });

  it('mem_limit: checked after allocating against total pages; a refused write keeps the old page', () => {
    const z = new ZramDevice({
      disksize: 64 * P,
      codec: zeroTailCodec,
      memLimit: 3 * P - 100,
      shrinkers: null,
    });
    assert.equal(z.mmStat().mem_limit, 3 * P, 'rounded up to pages');
    const pages: Uint8Array[] = [];
    let i = 0;
    let err: { code?: string; errno?: number } = {};
    try {
      for (; i < 64; i++) {
        pages.push(compressible(4000, i)); // huge: one page each
        z.write(i, pages[i]);
      }
    } catch (e) {
      err = e as typeof err;
    }
    assert.equal(err.code, 'ERR_ZS_LIMIT');
    assert.equal(err.errno, -12);
    assert.equal(i, 3, 'exactly three pages fit');
    assert.equal(z.ioStat().failed_writes, 1);
    // Overwriting an existing index over the limit keeps its old contents.
    assert.throws(() => z.write(0, compressible(3900, 99)), { code: 'ERR_ZS_LIMIT' });
    for (let k = 0; k < 3; k++) assert.deepEqual(read(z, k), pages[k]);
    assert.equal(z.mmStat().mem_used_total, 3 * P);
    // Same-filled pages need no memory: still accepted.
    z.write(10, new Uint8Array(P));
  });

  it('a failing codec keeps the old contents and counts a failed write', () => {
    const failing = { on: false };
    const z = new ZramDevice({ disksize: 8 * P, codec: flakyCodec(failing), shrinkers: null });
    const before = compressible(500, 1);
    z.write(0, before);
    failing.on = true;
    assert.throws(() => z.write(0, compressible(700, 2)), { code: 'ERR_ZS_CODEC' });
    assert.deepEqual(read(z, 0), before);
    assert.equal(z.ioStat().failed_writes, 1);
  });

  it('a constructor that throws leaves no shrinker behind; devices are named zram0, zram1, …', () => {
    const reg = new ShrinkerRegistry();
    for (const memLimit of [-1, 0.5]) {
      assert.throws(() => new ZramDevice({ disksize: 4 * P, codec: 'none', memLimit, shrinkers: reg }), {
        code: 'ERR_ZS_BAD_ARGUMENT',
      });
    }
    assert.deepEqual(reg.list(), []);
    const a = new ZramDevice({ disksize: 4 * P, codec: 'none', shrinkers: reg });
    const b = new ZramDevice({ disksize: 4 * P, codec: 'none', shrinkers: reg });
    assert.match(a.name, /^zram\d+$/);
    assert.notEqual(a.name, b.name);
    a.destroy();
    b.destroy();
  });

  it('bad arguments', () => {
    assert.throws(() => new ZramDevice({ disksize: 1000 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => new ZramDevice({ disksize: P, codec: 'no-such' }), { code: 'ERR_ZS_UNAVAILABLE' });
    const z = new ZramDevice({ disksize: 4 * P, codec: 'none', shrinkers: null });
    assert.throws(() => z.write(4, new Uint8Array(P)), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => z.write(-1, new Uint8Array(P)), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => z.write(0, new Uint8Array(100)), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => z.read(0, new Uint8Array(100)), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => z.discard(2, 3), { code: 'ERR_ZS_BAD_ARGUMENT' });
    z.destroy();
    assert.throws(() => z.write(0, new Uint8Array(P)), { code: 'ERR_ZS_DESTROYED' });
    assert.equal(getCodec('none').name, 'none');
  });

  it('model: random writes, reads, discards, compaction and shrinker passes never lose a page', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ k: fc.constant('w' as const), i: fc.nat(255), n: fc.nat(P), seed: fc.nat(1000) }),
            fc.record({ k: fc.constant('same' as const), i: fc.nat(255), b: fc.nat(255) }),
            fc.record({ k: fc.constant('d' as const), i: fc.nat(255), n: fc.nat(16) }),
            fc.constant({ k: 'c' as const }),
            fc.constant({ k: 'shrink' as const }),
          ),
          { minLength: 50, maxLength: 400, size: 'max' },
        ),
        (ops) => {
          const reg = new ShrinkerRegistry();
          const z = new ZramDevice({ disksize: 256 * P, codec: zeroTailCodec, shrinkers: reg });
          const model = new Map<number, Uint8Array>();
          for (const op of ops) {
            if (op.k === 'w') {
              const p = compressible(op.n, op.seed);
              z.write(op.i, p);
              model.set(op.i, p);
            } else if (op.k === 'same') {
              const p = new Uint8Array(P).fill(op.b);
              z.write(op.i, p);
              model.set(op.i, p);
            } else if (op.k === 'd') {
              const n = Math.min(op.n, 256 - op.i);
              z.discard(op.i, n);
              for (let j = op.i; j < op.i + n; j++) model.delete(j);
            } else if (op.k === 'c') {
              z.compact();
            } else {
              reg.shrinkAll();
            }
          }
          const m = z.mmStat();
          assert.equal(m.orig_data_size, model.size * P);
          for (let i = 0; i < 256; i++) assert.deepEqual(read(z, i), model.get(i) ?? new Uint8Array(P));
          z.destroy();
        },
      ),
      { numRuns: 40 },
    );
  });
});
