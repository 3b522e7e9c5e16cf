// ZStore against a plain Map (model-based, with compaction and shrinker passes in between), ZCache's
// add-ons (maxBytes on stored bytes, eviction under pressure after compaction), refused writes that
// keep old values, iteration while entries are deleted and reused, metadata per entry, the pool's
// zspage length, and the number-key tables against a Map.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ShrinkerRegistry, ZCache, ZStore, type ZStoreValue } from '../../src/index.js';
import { EntryIndex } from '../../src/store/entry-index.js';
import { REC_F64, R_KEY as REC_KEY } from '../../src/store/record.js';
import { flakyCodec, zeroTailCodec } from '../helpers/codecs.js';

const keyArb = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.constantFrom(0, -0, Number.NaN, 1.5, 2 ** 53, -Infinity),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', 'ключ', '🔑', '1'),
);
const bytesArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 20000 }), fc.nat(255)).map(([n, b]) => {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i += 97) a[i] = (b + i) & 255; // mostly zeros: compressible
      return a;
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 4000, maxLength: 13000 }) },
);
const valueArb: fc.Arbitrary<ZStoreValue> = fc.oneof(
  bytesArb,
  fc.string({ maxLength: 200 }),
  fc.constant('x'.repeat(9000)),
);

function same(a: ZStoreValue | undefined, b: ZStoreValue | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || a === undefined || b === undefined) return a === b;
  return Buffer.compare(a, b) === 0;
}

describe('ZStore', () => {
  it('behaves like a Map (get/set/has/delete/size/clear/iteration order), through compaction and reclaim', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.record({ k: fc.constant('set' as const), key: keyArb, v: valueArb }) },
            { weight: 3, arbitrary: fc.record({ k: fc.constant('get' as const), key: keyArb }) },
            { weight: 3, arbitrary: fc.record({ k: fc.constant('del' as const), key: keyArb }) },
            { weight: 1, arbitrary: fc.constant({ k: 'compact' as const }) },
            { weight: 1, arbitrary: fc.constant({ k: 'shrink' as const }) },
            { weight: 1, arbitrary: fc.constant({ k: 'iter' as const }) },
            { weight: 1, arbitrary: fc.constant({ k: 'clear' as const }) },
          ),
          { minLength: 20, maxLength: 200, size: 'max' },
        ),
        fc.constantFrom(4096, 16384),
        (ops, pageSize) => {
          const reg = new ShrinkerRegistry();
          const s = new ZStore<string | number>({ codec: zeroTailCodec, pageSize, shrinkers: reg });
          const m = new Map<string | number, ZStoreValue>();
          for (const op of ops) {
            switch (op.k) {
              case 'set':
                s.set(op.key, op.v);
                m.set(op.key, op.v instanceof Uint8Array ? op.v.slice() : op.v);
                break;
              case 'get':
                assert.ok(same(s.get(op.key), m.get(op.key)));
                assert.equal(s.has(op.key), m.has(op.key));
                break;
              case 'del':
                assert.equal(s.delete(op.key), m.delete(op.key));
                break;
              case 'compact':
                s.pool.compact();
                break;
              case 'shrink':
                reg.shrinkAll(); // a store never drops data: only compaction runs
                break;
              case 'iter': {
                const a = [...s.entries()];
                const b = [...m.entries()];
                assert.equal(a.length, b.length);
                a.forEach(([k, v], i) => {
                  assert.ok(
                    Object.is(k, b[i][0]) || (k === 0 && b[i][0] === 0),
                    `key ${String(k)} vs ${String(b[i][0])}`,
                  );
                  assert.ok(same(v, b[i][1]));
                });
                break;
              }
              case 'clear':
                s.clear();
                m.clear();
                break;
            }
            assert.equal(s.size, m.size);
          }
          for (const [k, v] of m) assert.ok(same(s.get(k), v));
          const st = s.stats();
          assert.equal(st.entries, m.size);
          s.clear();
          assert.equal(s.pool.totalPages(), 0, 'every object freed');
          s.destroy();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stores compressed when it pays and raw when it does not', () => {
    const s = new ZStore({ codec: zeroTailCodec, shrinkers: null });
    const sparse = new Uint8Array(1000);
    sparse[10] = 1;
    const dense = new Uint8Array(1000).fill(7);
    s.set('sparse', sparse).set('dense', dense);
    const st = s.stats();
    assert.equal(st.compressed_entries, 1);
    assert.equal(st.stored_bytes, 11 + 4 + 1000);
    assert.equal(st.logical_bytes, 2000);
    assert.deepEqual(s.get('sparse'), sparse);
    assert.deepEqual(s.get('dense'), dense);
    s.destroy();
  });

  it('a refused set (memory limit, codec failure, too large) leaves every previous value readable', () => {
    const failing = { on: false };
    const s = new ZStore<number, Uint8Array>({
      codec: flakyCodec(failing),
      encoding: 'bytes',
      memLimit: 64 * 4096,
      shrinkers: null,
    });
    const vals = new Map<number, Uint8Array>();
    let i = 0;
    let err: { code?: string } = {};
    try {
      for (; i < 10000; i++) {
        const v = new Uint8Array(3000).fill(i & 255);
        s.set(i % 50, v);
        vals.set(i % 50, v);
      }
    } catch (e) {
      err = e as typeof err;
    }
    // 50 dense 3000-byte values need ~50 pages: all fit; now grow one past the limit.
    assert.equal(err.code, undefined);
    assert.throws(() => s.set(7, new Uint8Array(2_000_000).fill(1)), { code: 'ERR_ZS_LIMIT' });
    failing.on = true;
    assert.throws(() => s.set(8, new Uint8Array(500)), { code: 'ERR_ZS_CODEC' });
    failing.on = false;
    assert.throws(() => s.set(9, new Uint8Array(2_100_000).fill(3)), { code: 'ERR_ZS_BAD_SIZE' });
    assert.throws(() => s.set({} as unknown as number, new Uint8Array(1)), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => s.set(1, 5 as unknown as Uint8Array), { code: 'ERR_ZS_BAD_ARGUMENT' });
    for (const [k, v] of vals) assert.deepEqual(s.get(k), v);
    assert.equal(s.size, 50);
    s.destroy();
    assert.throws(() => s.get(1), { code: 'ERR_ZS_DESTROYED' });
  });

  it('ZCache: LRU eviction past maxBytes (bytes really stored), reported to dispose', () => {
    const evicted: [string, string][] = [];
    const s = new ZCache<string, Uint8Array>({
      codec: null,
      maxBytes: 3000,
      shrinkers: null,
      dispose: (_v, k, r) => evicted.push([k, r]),
    });
    s.set('a', new Uint8Array(1000)).set('b', new Uint8Array(1000)).set('c', new Uint8Array(1000));
    s.get('a'); // a is now the most recently used
    s.set('d', new Uint8Array(1000));
    assert.deepEqual(evicted, [['b', 'evict']]);
    assert.deepEqual([...s.rkeys()], ['c', 'a', 'd'], 'least recently used first');
    s.set('e', new Uint8Array(2500));
    assert.deepEqual(evicted.slice(1), [
      ['c', 'evict'],
      ['a', 'evict'],
      ['d', 'evict'],
    ]);
    assert.ok(s.stats().stored_bytes <= 3000);
    assert.equal(s.stats().evictions.bytes, 4);
    // A value larger than maxBytes on its own does not stay (as one over maxEntrySize).
    s.set('e', new Uint8Array(3500));
    assert.equal(s.has('e'), false);
    assert.deepEqual(evicted.at(-1), ['e', 'set']);
    s.destroy();
  });

  it('a store refuses cache options', () => {
    assert.throws(() => new ZStore({ mode: 'cache', shrinkers: null } as never), {
      code: 'ERR_ZS_BAD_ARGUMENT',
    });
  });

  it('ZCache under pressure: the pool compacts first, then the cache evicts least recently used', () => {
    const reg = new ShrinkerRegistry();
    const evicted: number[] = [];
    const s = new ZCache<number, Uint8Array>({
      max: 100000,
      name: 'c1',
      codec: null,
      shrinkers: reg,
      dispose: (_v, k, r) => {
        if (r === 'evict') evicted.push(k);
      },
    });
    assert.deepEqual(
      reg.list().map((x) => x.name),
      ['zspool:c1', 'zcache:c1'],
    );
    for (let i = 0; i < 2000; i++) s.set(i, new Uint8Array(1000).fill(i & 255));
    for (let i = 0; i < 2000; i += 2) s.delete(i); // fragmentation
    const passes: string[] = [];
    reg.onShrink((e) => passes.push(`${e.shrinker}:${e.freed}`));
    // A gentle pass with a target compaction alone can meet: nothing is evicted.
    const small = s.pool.reclaimablePages() * 4096;
    reg.reclaim({ targetBytes: small / 2 });
    assert.deepEqual(evicted, []);
    assert.ok(passes[0].startsWith('zspool:c1:'));
    // Maximal pressure (drop_caches) evicts too, oldest first.
    reg.shrinkAll();
    assert.ok(evicted.length > 0);
    assert.deepEqual(evicted.slice(0, 3), [1, 3, 5]);
    assert.equal(s.stats().evictions.pressure, evicted.length);
    s.destroy();
    assert.equal(reg.list().length, 0);
  });

  it('a large value does not leave its scratch buffers behind; get wraps codec failures', () => {
    const failing = { on: false };
    const s = new ZStore<string>({ codec: flakyCodec(failing), shrinkers: null });
    const big = 'x'.repeat(1_500_000);
    s.set('big', big);
    assert.equal(s.get('big'), big);
    s.delete('big');
    const vals = (
      s as unknown as { vals: { payloads: { cbuf: Uint8Array }; encoder: { scratch: Uint8Array } } }
    ).vals;
    const held = vals.payloads.cbuf.length;
    const heldIn = vals.encoder.scratch.length;
    assert.ok(held <= 65536 && heldIn <= 65536, `scratch kept ${held} and ${heldIn} bytes`);
    // A codec that fails on decompression: ERR_ZS_CODEC, as set and ZramDevice report.
    const bad = new ZStore<string>({
      codec: {
        name: 'bad',
        compress: (src, dst) => zeroTailCodec.compress(src, dst),
        decompress: () => {
          throw new Error('nope');
        },
      },
      shrinkers: null,
    });
    bad.set('k', new Uint8Array(1000));
    assert.throws(() => bad.get('k'), { code: 'ERR_ZS_CODEC' });
    s.destroy();
    bad.destroy();
  });
});

describe('ZStore entries', () => {
  it('iteration skips entries deleted during it, and does not visit their reused records', () => {
    const s = new ZStore<number>({ shrinkers: null });
    for (let i = 0; i < 5; i++) s.set(i, new Uint8Array([i]));
    const seen: number[] = [];
    for (const [k] of s) {
      seen.push(k);
      if (k === 1) {
        s.delete(2);
        s.set(9, new Uint8Array([9])); // takes entry 2's record
        s.set(3, new Uint8Array([33])); // a new value for a key not yet visited
      }
    }
    assert.deepEqual(seen, [0, 1, 3, 4]);
    assert.deepEqual([...s.keys()], [0, 1, 3, 4, 9]);
    assert.deepEqual(s.get(3), new Uint8Array([33]));
    s.destroy();
  });

  it('a store keeps 32 bytes of record and a 4-byte index slot per entry; a cache with a TTL 16 more', () => {
    const n = 10000;
    const st = new ZStore<number>({ shrinkers: null });
    const ca = new ZCache<number, Uint8Array>({ ttl: 1000, shrinkers: null });
    const v = new Uint8Array(8);
    for (let i = 0; i < n; i++) {
      st.set(i * 7, v);
      ca.set(i * 7, v);
    }
    // Records for 16384 entries (doubling from 64), index of 16384 slots (load ≤ 0.7).
    assert.equal(st.stats().metadata_bytes, 16384 * 32 + 16384 * 4);
    assert.equal(ca.stats().metadata_bytes, 16384 * (32 + 16));
    for (let i = 0; i < n; i += 2) st.delete(i * 7);
    for (let i = 0; i < n; i++) assert.equal(st.has(i * 7), i % 2 === 1);
    st.destroy();
    ca.destroy();
  });

  it('its pool uses zspages of up to 16 pages in the default profile; the option and kernel profiles rule', () => {
    const a = new ZStore({ shrinkers: null });
    assert.equal(a.pool.classTable.maxPagesPerZspage, 16);
    const b = new ZStore({ shrinkers: null, maxPagesPerZspage: 8 });
    assert.equal(b.pool.classTable.maxPagesPerZspage, 8);
    const c = new ZStore({ shrinkers: null, profile: 'linux-6.12' });
    assert.equal(c.pool.classTable.maxPagesPerZspage, 8);
    assert.throws(() => new ZStore({ shrinkers: null, maxPagesPerZspage: 32 }), {
      code: 'ERR_ZS_BAD_ARGUMENT',
    });
    for (const s of [a, b, c]) s.destroy();
  });
});

describe('EntryIndex', () => {
  it('agrees with a Map (SameValueZero keys read from the records), through growth and tombstones', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.boolean(),
            fc.oneof(fc.integer({ min: -300, max: 300 }), fc.double(), fc.constantFrom(0, -0, Number.NaN)),
          ),
          { maxLength: 600, size: 'max' },
        ),
        (ops) => {
          const idx = new EntryIndex(4);
          const rec = new Float64Array(700 * REC_F64);
          const m = new Map<number, number>();
          let next = 0;
          for (const [add, k] of ops) {
            if (add) {
              if (m.has(k)) continue; // the store adds absent keys only
              const e = next++;
              rec[e * REC_F64 + REC_KEY] = k === 0 ? 0 : k;
              idx.add(k, e, rec);
              m.set(k, e);
            } else {
              assert.equal(idx.delete(k, rec), m.has(k) ? m.get(k) : -1);
              m.delete(k);
            }
            assert.equal(idx.size, m.size);
          }
          for (const [k, e] of m) assert.equal(idx.get(k, rec), e);
          assert.equal(idx.get(0.123456789, rec), m.get(0.123456789) ?? -1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ZCache under a byte target', () => {
  it('evicts about the target, not more, and the memory leaves within the same reclaim', () => {
    const reg = new ShrinkerRegistry();
    const evicted: number[] = [];
    const s = new ZCache<number, Uint8Array>({
      max: 1e6,
      codec: null,
      shrinkers: reg,
      dispose: (_v, k) => evicted.push(k),
    });
    for (let i = 0; i < 20000; i++) s.set(i, new Uint8Array(1000).fill(i & 255));
    s.pool.compact(); // nothing to compact: the pool is dense
    const usage = reg.usageBytes();
    const target = Math.floor(usage * 0.05);
    const r = reg.reclaim({ targetBytes: target });
    // The last batch evicted at priority 0 is compacted by the next reclaim.
    assert.ok(r.returnedBytes >= 0.9 * target, `returned ${r.returnedBytes} of ${target}`);
    const evictedBytes = evicted.length * 1000;
    assert.ok(evictedBytes <= target * 1.5 + 128 * 1000, `evicted ${evictedBytes} for a target of ${target}`);
    assert.deepEqual(evicted.slice(0, 3), [0, 1, 2], 'least recently used first');
    for (let i = evicted.length; i < 20000; i += 997)
      assert.deepEqual(s.get(i), new Uint8Array(1000).fill(i & 255));
    s.destroy();
  });

  it('a mapped (pinned) object in the pool does not hold eviction back', () => {
    const reg = new ShrinkerRegistry();
    const s = new ZCache<number, Uint8Array>({ max: 1e6, codec: null, shrinkers: reg });
    for (let i = 0; i < 4000; i++) s.set(i, new Uint8Array(900).fill(1));
    for (let i = 0; i < 4000; i += 2) s.delete(i);
    // Pin one object of the pool: its zspage can never be a compaction source.
    const pool = s.pool;
    const h = (
      pool as unknown as { handles: { handleOf(i: number): number; count: number; zs(i: number): number } }
    ).handles;
    let pinned = -1;
    for (let i = 0; i < h.count && pinned < 0; i++) if (h.zs(i) >= 0) pinned = h.handleOf(i);
    pool.map(pinned);
    pool.compact();
    assert.ok(pool.isMapped(pinned), 'the object is really pinned');
    assert.equal(pool.canCompact(), 0, 'compaction took everything it could around the pin');
    assert.equal(pool.compactionBacklog(), 0, 'the last compaction already tried everything it could');
    const before = s.size;
    reg.reclaim({ minPriority: 0 });
    assert.ok(s.size < before, 'the cache evicted despite the pinned zspage');
    pool.unmap(pinned);
    s.destroy();
  });
});
