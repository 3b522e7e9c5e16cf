// The budget source: levels from usage / limit, the overshoot target, usage from a registry, bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { budgetSource, createPool, ShrinkerRegistry, ZsError, ZsErrorCode } from '../../src/index.js';
import { FakeShrinker } from './helpers.js';

const MiB = 2 ** 20;

describe('budget source', () => {
  it('rates usage against the limit with the default bands', () => {
    let used = 0;
    const b = budgetSource({ limitBytes: 100 * MiB, usage: () => used });
    const at = (u: number) => {
      used = u;
      return b.sample(0);
    };
    assert.equal(at(10 * MiB).level, 'none');
    assert.equal(at(89 * MiB).level, 'none');
    const low = at(90 * MiB);
    assert.equal(low.level, 'low');
    assert.equal(low.reclaimBytes, 0, 'below the budget there is no byte target');
    const med = at(110 * MiB);
    assert.equal(med.level, 'medium');
    assert.equal(med.status, 'ok');
    assert.equal(med.reclaimBytes, 20 * MiB, 'usage - 0.9 × limit');
    assert.deepEqual(med.figures, { usageBytes: 110 * MiB, limitBytes: 100 * MiB, ratio: 1.1 });
    assert.match(med.reason, /110 % of the 104857600 B budget/);
    assert.equal(at(125 * MiB).level, 'critical');
    assert.equal(at(125 * MiB).reclaimBytes, 35 * MiB);
  });

  it('clears a level only 5 % below its threshold', () => {
    let used = 0;
    const b = budgetSource({ limitBytes: 1000, usage: () => used });
    used = 1000;
    assert.equal(b.sample(0).level, 'medium');
    used = 960; // below the limit, above 0.95 × limit
    assert.equal(b.sample(1).level, 'medium');
    used = 949;
    assert.equal(b.sample(2).level, 'low');
    used = 850; // 0.85 < 0.9 × 0.95
    assert.equal(b.sample(3).level, 'none');
  });

  it('honours custom thresholds, margin, target ratio and setLimit', () => {
    let used = 600;
    const b = budgetSource({
      limitBytes: 1000,
      usage: () => used,
      thresholds: { low: 0.5, medium: 0.6 },
      margin: 0,
      targetRatio: 0.4,
    });
    assert.equal(b.sample(0).level, 'medium');
    assert.equal(b.sample(0).reclaimBytes, 200);
    b.setLimit(2000);
    assert.equal(b.limitBytes, 2000);
    assert.equal(b.sample(0).level, 'none');
    used = 2500;
    assert.equal(b.sample(0).level, 'critical');
  });

  it('reports a usage function that throws or lies as an invalid sample', () => {
    const thrower = budgetSource({
      limitBytes: 1,
      usage: () => {
        throw new Error('boom');
      },
    });
    const s = thrower.sample(5);
    assert.equal(s.status, 'invalid');
    assert.equal(s.level, 'none');
    assert.match(s.reason, /boom/);
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, '12' as unknown as number]) {
      const x = budgetSource({ limitBytes: 1, usage: () => bad }).sample(0);
      assert.equal(x.status, 'invalid', String(bad));
    }
  });

  it('defaults to the bytes held by the registry’s caches (pool committed pages)', () => {
    const reg = new ShrinkerRegistry();
    const pool = createPool({ shrinkers: reg });
    const other = new FakeShrinker('other', 10, 1000);
    reg.register(other);
    const b = budgetSource({ limitBytes: 1 * MiB, registry: reg });
    assert.equal(b.sample(0).figures.usageBytes, 10_000);
    const hs = [];
    for (let i = 0; i < 2000; i++) hs.push(pool.malloc(1000));
    const committed = pool.stats({ classes: false }).bytes_committed;
    assert.ok(committed >= 2000 * 1000);
    const s = b.sample(1);
    assert.equal(s.figures.usageBytes, committed + 10_000);
    assert.equal(s.level, 'critical');
    pool.destroy();
    assert.equal(b.sample(2).figures.usageBytes, 10_000, 'a destroyed pool holds nothing');
  });

  it('property: the level never falls while usage rises, and targets only from medium up', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 40 }), (xs) => {
        let used = 0;
        const b = budgetSource({ limitBytes: 1000, usage: () => used });
        const sorted = xs.slice().sort((a, c) => a - c);
        let rank = 0;
        for (const u of sorted) {
          used = u;
          const s = b.sample(0);
          const r = ['none', 'low', 'medium', 'critical'].indexOf(s.level);
          assert.ok(r >= rank);
          rank = r;
          if (r < 2) assert.equal(s.reclaimBytes, 0);
          else assert.equal(s.reclaimBytes, u - 900);
        }
      }),
    );
  });

  it('rejects bad options with ERR_ZS_BAD_ARGUMENT', () => {
    const bad = [
      { limitBytes: 0 },
      { limitBytes: -5 },
      { limitBytes: Number.NaN },
      { limitBytes: 10, targetRatio: 0 },
      { limitBytes: 10, targetRatio: 1.5 },
      { limitBytes: 10, thresholds: { low: 2, medium: 1 } },
      { limitBytes: 10, usage: 5 as unknown as () => number },
    ];
    for (const o of bad) {
      assert.throws(
        () => budgetSource(o),
        (e: unknown) => e instanceof ZsError && e.code === ZsErrorCode.BAD_ARGUMENT,
        JSON.stringify(o),
      );
    }
    assert.throws(() => budgetSource(undefined as never), ZsError);
    const b = budgetSource({ limitBytes: 1 });
    assert.throws(() => b.setLimit(0), ZsError);
    assert.equal(b.limitBytes, 1);
  });
});
