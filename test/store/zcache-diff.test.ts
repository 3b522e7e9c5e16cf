// ZCache against lru-cache 11 itself: seeded random sequences of every operation (set/get/has/peek/
// delete/clear/pop/purgeStale/getRemainingTTL/info/dump/load/iteration/find/forEach/fetch/memo) over
// random combinations of options, with one injected `perf` clock and `ttlResolution: 0`. After every
// operation both must have returned the same thing (or both thrown), hold the same entries in the
// same order, and have made the same dispose / disposeAfter / onInsert calls and fetchMethod calls.
// Two runs in three give ZCache a hot tier (`hotBytes`), one so small that it keeps about two
// values: it must not change anything lru-cache's semantics decide.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { ZCache } from '../../src/index.js';

type Val = string | number;
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const keyArb = fc.constantFrom(...KEYS);
const valArb: fc.Arbitrary<Val> = fc.oneof(
  fc.constantFrom('v0', 'v1', 'vv2', 'v3'),
  fc.integer({ min: 0, max: 4 }),
);

const optionsArb = fc.record({
  max: fc.constantFrom(0, 1, 2, 3, 5),
  maxSize: fc.constantFrom(0, 0, 6, 12),
  ttl: fc.constantFrom(0, 0, 10, 40),
  allowStale: fc.boolean(),
  updateAgeOnGet: fc.boolean(),
  updateAgeOnHas: fc.boolean(),
  noDeleteOnStaleGet: fc.boolean(),
  noUpdateTTL: fc.boolean(),
  noDisposeOnSet: fc.boolean(),
  dispose: fc.boolean(),
  disposeAfter: fc.boolean(),
  onInsert: fc.boolean(),
  fetch: fc.boolean(),
  memo: fc.boolean(),
  noDeleteOnFetchRejection: fc.boolean(),
  allowStaleOnFetchRejection: fc.boolean(),
  allowStaleOnFetchAbort: fc.boolean(),
  ignoreFetchAbort: fc.boolean(),
  clock0: fc.constantFrom(0, 1000),
  hotBytes: fc.constantFrom(0, 150, 1 << 20),
});

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const opArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      k: keyArb,
      v: fc.oneof({ weight: 9, arbitrary: valArb }, { weight: 1, arbitrary: fc.constant(undefined) }),
      ttl: maybe(fc.constantFrom(0, 5, 20)),
      size: maybe(fc.constantFrom(1, 3, 7)),
      noDisposeOnSet: maybe(fc.boolean()),
      noUpdateTTL: maybe(fc.boolean()),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('get' as const),
      k: keyArb,
      allowStale: maybe(fc.boolean()),
      updateAgeOnGet: maybe(fc.boolean()),
      noDeleteOnStaleGet: maybe(fc.boolean()),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('has' as const), k: keyArb, updateAgeOnHas: maybe(fc.boolean()) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('peek' as const), k: keyArb, allowStale: maybe(fc.boolean()) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), k: keyArb }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'clear' as const,
        'pop' as const,
        'purgeStale' as const,
        'dump' as const,
        'iter' as const,
        'forEach' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constantFrom('ttlLeft' as const, 'info' as const), k: keyArb }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('find' as const), v: valArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('load' as const),
      entries: fc.array(
        fc.record({
          k: keyArb,
          v: valArb,
          ttl: maybe(fc.constantFrom(0, 15)),
          size: maybe(fc.constantFrom(1, 2)),
        }),
        { maxLength: 4 },
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('fetch' as const),
      k: keyArb,
      forceRefresh: maybe(fc.boolean()),
      allowStale: maybe(fc.boolean()),
      withSignal: fc.boolean(),
      ttl: maybe(fc.constantFrom(0, 25)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('resolve' as const, 'resolveUndefined' as const, 'reject' as const),
      i: fc.nat(20),
      v: valArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('abort' as const), i: fc.nat(20) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('settle' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('memo' as const), k: keyArb, forceRefresh: maybe(fc.boolean()) }),
  },
);

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
type Opts = typeof optionsArb extends fc.Arbitrary<infer T> ? T : never;

/** One side of the comparison: a cache and what it has reported. */
interface Side {
  cache: LRUCache<string, Val> | ZCache<string, Val>;
  log: unknown[];
  /** fetchMethod calls: key, stale value, and how to settle them. */
  calls: {
    k: string;
    stale: Val | undefined;
    resolve: (v: Val | undefined) => void;
    reject: (e: Error) => void;
  }[];
  /** Settled results of fetch() calls, in call order. */
  fetched: unknown[];
  signals: AbortController[];
}

function makeSide(kind: 'lru' | 'z', o: Opts, clock: { t: number }): Side {
  const side: Side = { cache: undefined as never, log: [], calls: [], fetched: [], signals: [] };
  const max = o.max === 0 && o.maxSize === 0 && o.ttl === 0 ? 4 : o.max;
  const options = {
    max,
    ttl: o.ttl,
    ttlResolution: 0,
    perf: { now: () => clock.t },
    allowStale: o.allowStale,
    updateAgeOnGet: o.updateAgeOnGet,
    updateAgeOnHas: o.updateAgeOnHas,
    noDeleteOnStaleGet: o.noDeleteOnStaleGet,
    noUpdateTTL: o.noUpdateTTL,
    noDisposeOnSet: o.noDisposeOnSet,
    noDeleteOnFetchRejection: o.noDeleteOnFetchRejection,
    allowStaleOnFetchRejection: o.allowStaleOnFetchRejection,
    allowStaleOnFetchAbort: o.allowStaleOnFetchAbort,
    ignoreFetchAbort: o.ignoreFetchAbort,
    ...(o.maxSize ? { maxSize: o.maxSize, sizeCalculation: (v: Val) => (String(v).length % 4) + 1 } : {}),
    ...(o.dispose ? { dispose: (v: Val, k: string, r: string) => side.log.push(['dispose', v, k, r]) } : {}),
    ...(o.disposeAfter
      ? { disposeAfter: (v: Val, k: string, r: string) => side.log.push(['after', v, k, r]) }
      : {}),
    ...(o.onInsert ? { onInsert: (v: Val, k: string, r: string) => side.log.push(['insert', v, k, r]) } : {}),
    ...(o.fetch
      ? {
          fetchMethod: (k: string, stale: Val | undefined) => {
            if (k === 'f') return `sync-${stale ?? ''}`;
            return new Promise<Val | undefined>((resolve, reject) => {
              side.calls.push({ k, stale, resolve, reject });
            });
          },
        }
      : {}),
    ...(o.memo ? { memoMethod: (k: string, stale: Val | undefined) => `memo-${k}-${stale ?? ''}` } : {}),
  };
  side.cache =
    kind === 'lru'
      ? new LRUCache<string, Val>(options as never)
      : new ZCache<string, Val>({ ...(options as object), hotBytes: o.hotBytes, shrinkers: null } as never);
  return side;
}

/** Runs `op` on one side; returns what it returned (or that it threw). */
function run(side: Side, op: Op, clock: { t: number }): unknown {
  const c = side.cache as LRUCache<string, Val>;
  try {
    switch (op.op) {
      case 'set': {
        const so: Record<string, unknown> = {};
        if (op.ttl !== undefined) so.ttl = op.ttl;
        if (op.size !== undefined) so.size = op.size;
        if (op.noDisposeOnSet !== undefined) so.noDisposeOnSet = op.noDisposeOnSet;
        if (op.noUpdateTTL !== undefined) so.noUpdateTTL = op.noUpdateTTL;
        c.set(op.k, op.v as Val, so);
        return 'ok';
      }
      case 'get':
        return c.get(
          op.k,
          strip({
            allowStale: op.allowStale,
            updateAgeOnGet: op.updateAgeOnGet,
            noDeleteOnStaleGet: op.noDeleteOnStaleGet,
          }),
        );
      case 'has':
        return c.has(op.k, strip({ updateAgeOnHas: op.updateAgeOnHas }));
      case 'peek':
        return c.peek(op.k, strip({ allowStale: op.allowStale }));
      case 'delete':
        return c.delete(op.k);
      case 'tick':
        clock.t += op.ms;
        return 'ok';
      case 'clear':
        c.clear();
        return 'ok';
      case 'pop':
        return c.pop();
      case 'purgeStale':
        return c.purgeStale();
      case 'dump':
        // lru-cache with max 0 reports no ttl for an entry set before TTL tracking began and never
        // given a TTL since (its arrays are empty then); ZCache reports 0 (docs/migrating.md).
        return c.dump().map(([k, e]) => [k, e.value, e.ttl ?? 0, e.size]);
      case 'iter':
        return [
          [...c.keys()],
          [...c.rkeys()],
          [...c.values()],
          [...c.rvalues()],
          [...c.entries()],
          [...c.rentries()],
        ];
      case 'forEach': {
        const out: unknown[] = [];
        c.forEach((v, k) => {
          out.push([k, v]);
        });
        c.rforEach((v, k) => {
          out.push([k, v]);
        });
        return out;
      }
      case 'ttlLeft':
        return c.getRemainingTTL(op.k);
      case 'info': {
        const e = c.info(op.k);
        return e === undefined ? undefined : [e.value, e.ttl, e.size];
      }
      case 'find':
        return c.find((v) => v === op.v);
      case 'load':
        c.load(
          op.entries.map(
            (e) => [e.k, strip({ value: e.v, ttl: e.ttl, size: e.size })] as [string, { value: Val }],
          ),
        );
        return 'ok';
      case 'fetch': {
        const fo: Record<string, unknown> = strip({
          forceRefresh: op.forceRefresh,
          allowStale: op.allowStale,
          ttl: op.ttl,
        });
        if (op.withSignal) {
          const ac = new AbortController();
          side.signals.push(ac);
          fo.signal = ac.signal;
        }
        const slot = side.fetched.length;
        side.fetched.push('pending');
        c.fetch(op.k, fo).then(
          (v) => {
            side.fetched[slot] = ['ok', v];
          },
          (e: Error) => {
            side.fetched[slot] = ['err', e?.message];
          },
        );
        return 'ok';
      }
      case 'resolve':
      case 'resolveUndefined':
      case 'reject': {
        const call = side.calls[op.i % Math.max(1, side.calls.length)];
        if (call === undefined) return 'none';
        if (op.op === 'resolve') call.resolve(op.v);
        else if (op.op === 'resolveUndefined') call.resolve(undefined);
        else call.reject(new Error(`boom-${op.v}`));
        return 'ok';
      }
      case 'abort': {
        const ac = side.signals[op.i % Math.max(1, side.signals.length)];
        if (ac === undefined) return 'none';
        ac.abort(new Error('user abort'));
        return 'ok';
      }
      case 'settle':
        return 'ok';
      case 'memo':
        return c.memo(op.k, strip({ forceRefresh: op.forceRefresh }));
    }
  } catch {
    return 'threw';
  }
}

function strip<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('ZCache against lru-cache 11', () => {
  it('same results, orders, callbacks and fetches on random operation sequences', async () => {
    const runs = Number(process.env.ZCACHE_DIFF_RUNS ?? 2000);
    await fc.assert(
      fc.asyncProperty(
        optionsArb,
        fc.array(opArb, { minLength: 5, maxLength: 60, size: 'max' }),
        async (o, ops) => {
          const clock = { t: o.clock0 };
          const lru = makeSide('lru', o, clock);
          const z = makeSide('z', o, clock);
          try {
            for (const [n, op] of ops.entries()) {
              const where = `op ${n} ${JSON.stringify(op)}`;
              const a = run(lru, op, clock);
              if (op.op === 'tick') clock.t -= op.ms; // one tick for both
              const b = run(z, op, clock);
              if (
                op.op === 'settle' ||
                op.op === 'resolve' ||
                op.op === 'reject' ||
                op.op === 'resolveUndefined' ||
                op.op === 'abort'
              ) {
                await settle();
              }
              assert.deepEqual(b, a, `${where}: result`);
              assert.equal(z.cache.size, lru.cache.size, `${where}: size`);
              assert.equal(z.cache.calculatedSize, lru.cache.calculatedSize, `${where}: calculatedSize`);
              assert.deepEqual(z.log, lru.log, `${where}: callbacks`);
              assert.deepEqual(
                z.calls.map((c) => [c.k, c.stale]),
                lru.calls.map((c) => [c.k, c.stale]),
                `${where}: fetchMethod calls`,
              );
              assert.deepEqual(z.fetched, lru.fetched, `${where}: fetch results`);
              const st = (z.cache as ZCache<string, Val>).stats();
              assert.ok(st.hot_bytes <= o.hotBytes, `${where}: hot bytes within hotBytes`);
              assert.ok(st.hot_entries <= z.cache.size, `${where}: hot values only of entries`);
            }
            await settle();
            assert.deepEqual(z.fetched, lru.fetched, 'fetch results at the end');
            assert.deepEqual([...z.cache.rentries()], [...lru.cache.rentries()], 'entries at the end');
          } finally {
            for (const s of [lru, z]) for (const c of s.calls) c.resolve(undefined);
            (z.cache as ZCache<string, Val>).destroy();
          }
        },
      ),
      { numRuns: runs },
    );
  });
});
