// The hot tier (`hotBytes`): the tier alone against a model (CLOCK keeps what it says, within its
// limit); ZStore and ZCache with a small tier against a Map model through sets, deletes, clears,
// evictions, expiry and shrinker passes; its bytes inside ZCache's maxBytes; the same object on
// repeated gets; its shrinker registered first and drained before compaction or eviction; bad
// `hotBytes` refused with nothing created.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ShrinkerRegistry, ZCache, ZStore, ZsError } from '../../src/index.js';
import { decodedSize, HOT_OVERHEAD, HotTier } from '../../src/store/hot-tier.js';
import { K_BYTES, K_JSON, K_UTF8, K_UTF16 } from '../../src/store/value-encoding.js';

type Val = Uint8Array | string | { n: number; s: string };
const valArb: fc.Arbitrary<Val> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('é', '🔑', 'ascii only', '\ud800'),
  fc.record({ n: fc.integer(), s: fc.string({ maxLength: 20 }) }).map((r) => ({ ...r })),
);
const keyArb = fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 'a', 'b', 'c', 'd');

describe('HotTier', () => {
  it('holds what it was given until dropped or evicted, within its limit, with exact byte counts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              weight: 5,
              arbitrary: fc.record({
                op: fc.constant('put' as const),
                e: fc.nat(3000),
                size: fc.integer({ min: 1, max: 400 }),
                limit: fc.constantFrom(300, 1000, 5000),
              }),
            },
            { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), e: fc.nat(3000) }) },
            { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), e: fc.nat(3000) }) },
            {
              weight: 1,
              arbitrary: fc.record({
                op: fc.constant('shrink' as const),
                to: fc.integer({ min: 0, max: 2000 }),
              }),
            },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('evict' as const), n: fc.nat(5) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const t = new HotTier<string>(5000);
          const model = new Map<number, { v: string; size: number }>();
          for (const [i, op] of ops.entries()) {
            let mayLose = false;
            let expectGone = 0;
            switch (op.op) {
              case 'put': {
                const bytesBefore = op.size > op.limit ? t.bytes : 0;
                if (t.find(op.e) >= 0) t.drop(op.e); // callers drop before a new value
                model.delete(op.e);
                t.put(op.e, `v${i}`, op.size, op.limit);
                if (op.size <= op.limit) model.set(op.e, { v: `v${i}`, size: op.size });
                assert.ok(t.bytes <= Math.max(op.limit, bytesBefore), 'within the limit after put');
                mayLose = true;
                break;
              }
              case 'get': {
                const s = t.find(op.e);
                const m = model.get(op.e);
                if (m === undefined) assert.equal(s, -1);
                else {
                  assert.ok(s >= 0, 'a held value is found');
                  assert.equal(t.hit(s), m.v);
                }
                break;
              }
              case 'drop':
                t.drop(op.e);
                model.delete(op.e);
                break;
              case 'shrink':
                expectGone = t.shrinkTo(op.to);
                assert.ok(t.bytes <= op.to);
                mayLose = true;
                break;
              case 'evict':
                expectGone = t.evict(op.n);
                assert.equal(expectGone, Math.min(op.n, model.size));
                mayLose = true;
                break;
              case 'clear':
                t.clear();
                model.clear();
                break;
            }
            let gone = 0;
            for (const [e, m] of model) {
              const s = t.find(e);
              if (s < 0) {
                assert.ok(mayLose, `entry ${e} lost on ${op.op}`);
                model.delete(e);
                gone++;
              } else assert.equal(t.value(s), m.v);
            }
            if (op.op === 'shrink' || op.op === 'evict') assert.equal(gone, expectGone);
            let bytes = 0;
            for (const m of model.values()) bytes += m.size;
            assert.equal(t.bytes, bytes, 'bytes = sum of held sizes');
            assert.equal(t.count, model.size);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('when full, keeps a value only if its entry was read more often than the one it would push out', () => {
    const t = new HotTier<string>(1000);
    const read = (e: number): string | undefined => {
      const s = t.find(e);
      if (s >= 0) return t.hit(s);
      t.put(e, `v${e}`, 400, 1000);
      return undefined;
    };
    for (let i = 0; i < 5; i++) {
      read(1);
      read(2);
    }
    assert.equal(t.count, 2);
    for (let e = 10; e < 60; e++) read(e); // one-off reads: none displaces 1 or 2
    assert.equal(read(1), 'v1');
    assert.equal(read(2), 'v2');
    assert.equal(t.count, 2);
    for (let i = 0; i < 8; i++) read(3); // 3 becomes the most read: it gets in
    assert.ok(t.find(3) >= 0);
    assert.equal(t.count, 2);
    t.forget(3);
    assert.equal(t.find(3), -1);
    read(3); // forgotten: counts from zero again, and the tier has room
    assert.ok(t.find(3) >= 0);
  });

  it('estimates decoded sizes: bytes and ASCII exactly, other strings at two bytes a unit, objects twice encoded', () => {
    assert.equal(decodedSize(K_BYTES, 100, new Uint8Array(100)), 100 + HOT_OVERHEAD);
    assert.equal(decodedSize(K_UTF8, 5, 'hello'), 5 + HOT_OVERHEAD);
    assert.equal(decodedSize(K_UTF8, 2, 'é'), 2 + HOT_OVERHEAD);
    assert.equal(decodedSize(K_UTF8, 4, '🔑'), 4 + HOT_OVERHEAD);
    assert.equal(decodedSize(K_UTF16, 2, '\ud800'), 2 + HOT_OVERHEAD);
    assert.equal(decodedSize(K_JSON, 30, { a: 1 }), 60 + HOT_OVERHEAD);
  });
});

function sameVal(a: unknown, b: unknown): void {
  if (a instanceof Uint8Array && b instanceof Uint8Array) assert.deepEqual([...a], [...b]);
  else assert.deepEqual(a, b);
}

describe('ZStore with a hot tier', () => {
  it('reads like a Map through sets, deletes, clears and shrinker passes; the tier stays within hotBytes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), k: keyArb, v: valArb }) },
            { weight: 8, arbitrary: fc.record({ op: fc.constant('get' as const), k: keyArb }) },
            { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), k: keyArb }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('iter' as const) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('shrink' as const) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
          ),
          { maxLength: 150 },
        ),
        fc.constantFrom(200, 600, 100_000),
        (ops, hotBytes) => {
          const reg = new ShrinkerRegistry();
          const s = new ZStore<string | number, Val>({ hotBytes, shrinkers: reg });
          const model = new Map<string | number, Val>();
          try {
            for (const op of ops) {
              switch (op.op) {
                case 'set':
                  s.set(op.k, op.v);
                  model.set(op.k, op.v);
                  break;
                case 'get':
                  sameVal(s.get(op.k), model.get(op.k));
                  break;
                case 'del':
                  assert.equal(s.delete(op.k), model.delete(op.k));
                  break;
                case 'iter': {
                  const got = [...s.entries()];
                  assert.deepEqual(
                    got.map(([k]) => k),
                    [...model.keys()],
                  );
                  for (const [k, v] of got) sameVal(v, model.get(k));
                  break;
                }
                case 'shrink': {
                  // seeks 0: a pass's share is half of what is freeable, and a pass scans nothing
                  // while that share is below both a batch (16) and what is freeable (the
                  // kernel's do_shrink_slab), so a tier of fewer than 32 values may stay whole.
                  // (The next test pins a tier of 100 values.)
                  const before = s.stats().hot_entries;
                  reg.shrinkAll();
                  const after = s.stats().hot_entries;
                  assert.ok(after <= before, 'shrinkAll never adds hot values');
                  break;
                }
                case 'clear':
                  s.clear();
                  model.clear();
                  break;
              }
              const st = s.stats();
              assert.ok(st.hot_bytes <= hotBytes);
              assert.ok(st.hot_entries <= s.size);
              assert.equal(reg.usageBytes() >= st.hot_bytes, true, 'hot bytes are in the registry usage');
            }
            for (const [k, v] of model) sameVal(s.get(k), v);
          } finally {
            s.destroy();
          }
          assert.equal(reg.list().length, 0, 'destroy unregisters both shrinkers');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shrinkAll on the tier: at least a batch from 32 values on (seeks 0: half of what is freeable per pass)', () => {
    const hotAfterShrinkAll = (n: number): [number, number] => {
      const reg = new ShrinkerRegistry();
      const s = new ZStore<number, string>({ encoding: 'string', hotBytes: 1 << 20, shrinkers: reg });
      try {
        for (let i = 0; i < n; i++) s.set(i, `value ${i}`);
        for (let i = 0; i < n; i++) s.get(i);
        const before = s.stats().hot_entries;
        reg.shrinkAll();
        return [before, s.stats().hot_entries];
      } finally {
        s.destroy();
      }
    };
    const [b100, a100] = hotAfterShrinkAll(100);
    assert.equal(b100, 100, 'every value read is hot');
    assert.ok(a100 <= 100 - 16, `shrinkAll dropped ${100 - a100} of 100`);
  });

  it('returns the same object while hot (a Map does too), a fresh copy without a tier', () => {
    const hot = new ZStore<string, { a: number[] }>({ encoding: 'json', hotBytes: 1 << 16, shrinkers: null });
    const cold = new ZStore<string, { a: number[] }>({ encoding: 'json', shrinkers: null });
    for (const s of [hot, cold]) s.set('k', { a: [1, 2, 3] });
    assert.equal(hot.get('k'), hot.get('k'));
    assert.notEqual(cold.get('k'), cold.get('k'));
    assert.deepEqual(hot.stats().hot_hits, 1);
    hot.set('k', { a: [4] });
    assert.deepEqual(hot.get('k'), { a: [4] }, 'a set replaces the hot value');
    hot.destroy();
    cold.destroy();
  });
});

describe('ZCache with a hot tier', () => {
  it('keeps stored + hot bytes within maxBytes and reads every live value right, as the model says', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              weight: 5,
              arbitrary: fc.record({
                op: fc.constant('set' as const),
                k: keyArb,
                v: fc.uint8Array({ minLength: 50, maxLength: 900 }),
              }),
            },
            { weight: 8, arbitrary: fc.record({ op: fc.constant('get' as const), k: keyArb }) },
            { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), k: keyArb }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
            { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.nat(60) }) },
          ),
          { maxLength: 150 },
        ),
        fc.constantFrom(3000, 6000),
        fc.constantFrom(0, 50),
        (ops, maxBytes, ttl) => {
          const clock = { t: 1 };
          const model = new Map<string | number, Uint8Array>();
          const c = new ZCache<string | number, Uint8Array>({
            maxBytes,
            ttl,
            ttlResolution: 0,
            perf: { now: () => clock.t },
            codec: 'none',
            encoding: 'bytes',
            hotBytes: 2000,
            shrinkers: null,
            dispose: (_v, k, r) => {
              if (r !== 'set') model.delete(k);
            },
          });
          try {
            for (const op of ops) {
              switch (op.op) {
                case 'set':
                  c.set(op.k, op.v);
                  model.set(op.k, op.v);
                  break;
                case 'get': {
                  const v = c.get(op.k);
                  if (v !== undefined) sameVal(v, model.get(op.k));
                  else assert.equal(model.has(op.k), false, `${op.k} is in the model but get missed`);
                  break;
                }
                case 'del':
                  c.delete(op.k);
                  model.delete(op.k);
                  break;
                case 'pop':
                  c.pop();
                  break;
                case 'tick':
                  clock.t += op.ms;
                  break;
              }
              const st = c.stats();
              assert.ok(
                st.stored_bytes + st.hot_bytes <= maxBytes,
                `stored ${st.stored_bytes} + hot ${st.hot_bytes} > ${maxBytes}`,
              );
              assert.ok(st.hot_bytes <= 2000);
            }
          } finally {
            c.destroy();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers repeated gets with the same object; ttl and allowStale decide as without the tier', () => {
    const clock = { t: 1 };
    const c = new ZCache<string, { x: number }>({
      max: 10,
      ttl: 100,
      ttlResolution: 0,
      perf: { now: () => clock.t },
      encoding: 'json',
      hotBytes: 4096,
      shrinkers: null,
    });
    c.set('a', { x: 1 });
    const first = c.get('a');
    assert.deepEqual(first, { x: 1 });
    assert.equal(c.get('a'), first);
    assert.equal(c.peek('a'), first, 'peek sees the hot value');
    assert.equal(c.stats().hot_entries, 1);
    clock.t += 101;
    assert.equal(c.get('a', { allowStale: true, noDeleteOnStaleGet: true }), first);
    assert.equal(c.get('a'), undefined, 'expired: gone although it was hot');
    assert.equal(c.stats().hot_entries, 0);
    c.destroy();
  });

  it('registers its shrinker first; reclaim drops hot values before compacting or evicting', () => {
    const reg = new ShrinkerRegistry();
    const c = new ZCache<number, Uint8Array>({
      max: 1000,
      encoding: 'bytes',
      hotBytes: 1 << 20,
      name: 'h',
      shrinkers: reg,
    });
    const v = new Uint8Array(2000);
    for (let i = 0; i < 200; i++) {
      v[0] = i;
      c.set(i, v);
    }
    for (let i = 0; i < 200; i++) assert.equal(c.get(i)?.[0], i);
    assert.deepEqual(
      reg.list().map((s) => s.name),
      ['zhot:h', 'zspool:h', 'zcache:h'],
    );
    const hot0 = c.stats().hot_bytes;
    assert.equal(hot0, 200 * (2000 + HOT_OVERHEAD));
    assert.equal(reg.usageBytes(), hot0 + c.stats().pool_bytes);
    const r = reg.reclaim({ targetBytes: hot0 / 4 });
    const st = c.stats();
    assert.ok(hot0 - st.hot_bytes >= hot0 / 4, 'the target came from the hot tier');
    assert.ok(st.hot_bytes > 0, 'not more than needed');
    assert.equal(c.size, 200, 'no entry evicted');
    assert.equal(st.evictions.pressure, 0);
    assert.ok(r.returnedBytes >= hot0 / 4);
    reg.shrinkAll();
    assert.equal(c.stats().hot_bytes, 0);
    c.destroy();
    assert.equal(reg.list().length, 0);
  });

  it('refuses a bad hotBytes with ERR_ZS_BAD_ARGUMENT and creates nothing', () => {
    const reg = new ShrinkerRegistry();
    for (const hotBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100', 2 ** 53, null]) {
      for (const make of [
        () => new ZStore({ hotBytes: hotBytes as number, shrinkers: reg }),
        () => new ZCache({ max: 2, hotBytes: hotBytes as number, shrinkers: reg }),
      ]) {
        assert.throws(make, (e) => e instanceof ZsError && e.code === 'ERR_ZS_BAD_ARGUMENT');
        assert.equal(reg.list().length, 0);
      }
    }
    // A failure after the hot shrinker was registered (a bad pool option) takes it back.
    assert.throws(
      () => new ZStore({ hotBytes: 100, memLimit: -5, shrinkers: reg }),
      (e) => e instanceof ZsError && e.code === 'ERR_ZS_BAD_ARGUMENT',
    );
    assert.equal(reg.list().length, 0);
    const s = new ZStore({ hotBytes: 0, shrinkers: reg });
    assert.equal(reg.list().length, 1, 'no hot shrinker without a tier');
    assert.equal(s.hotBytes, 0);
    s.destroy();
  });
});
