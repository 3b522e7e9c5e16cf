// Black-box suite of ShrinkerRegistry through the public entry: bad shrinkers, priorities, targets
// and options are ERR_ZS_BAD_ARGUMENT naming the parameter; a failed call registers, scans and
// defers nothing; re-entrant calls from scans and listeners keep the registry consistent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ShrinkControl, type Shrinker, ShrinkerRegistry } from '../../src/index.js';
import { DEF_PRIORITY } from '../../src/internals.js';
import {
  BAD_COUNTS,
  NOT_FUNCTIONS,
  NOT_NUMBERS,
  NOT_OBJECTS,
  rejectsCode,
  throwsCode,
} from '../helpers/bad-inputs.js';
import { FakeShrinker } from '../pressure/helpers.js';

const BAD = 'ERR_ZS_BAD_ARGUMENT';
/** Every value that is not a priority (an integer 0–12). */
const BAD_PRIORITIES: readonly unknown[] = [...BAD_COUNTS.filter((v) => v !== undefined), 13, -0.5, 12.5];
/** Every value that is not a byte target (a number ≥ 0, Infinity allowed). */
const BAD_TARGETS: readonly unknown[] = [
  ...NOT_NUMBERS.filter((v) => v !== undefined),
  Number.NaN,
  -1,
  Number.NEGATIVE_INFINITY,
];

function setup() {
  const reg = new ShrinkerRegistry();
  const a = new FakeShrinker('a', 10_000);
  reg.register(a);
  return { reg, a };
}

/** What a failed call must leave as it was. */
function state(reg: ShrinkerRegistry, a: FakeShrinker) {
  return {
    list: reg.list().map((s) => s.name),
    deferred: reg.deferredOf(a),
    scans: a.scans.length,
    freeable: a.freeable,
  };
}

describe('black box: ShrinkerRegistry.register', () => {
  it('register(null | {} | 5 | …) fails and registers nothing', () => {
    const { reg, a } = setup();
    const before = state(reg, a);
    for (const s of [null, undefined, {}, 5, 'x', [], () => 0, Symbol('s')]) {
      throwsCode(() => reg.register(s as never), BAD, `register(${String(s)})`);
    }
    assert.deepEqual(state(reg, a), before);
    reg.shrink(0); // still works
  });

  it('every field of a shrinker is checked', () => {
    const { reg, a } = setup();
    const ok = { name: 'x', seeks: 2, batch: 0, unitBytes: 4096, count: () => 0, scan: () => 0 };
    const cases: [string, unknown][] = [
      ['name', 5],
      ['name', ''],
      ['name', undefined],
      ['count', 5],
      ['count', undefined],
      ['scan', 'f'],
      ['seeks', -1],
      ['seeks', 1.5],
      ['seeks', '2'],
      ['seeks', Number.NaN],
      ['batch', -1],
      ['batch', Number.POSITIVE_INFINITY],
      ['unitBytes', Number.NaN],
      ['unitBytes', -1],
      ['unitBytes', Number.POSITIVE_INFINITY],
      ['unitBytes', '4096'],
      ['scanAsync', 5],
      ['usageBytes', 'x'],
    ];
    for (const [k, v] of cases) {
      const e = throwsCode(() => reg.register({ ...ok, [k]: v } as never), BAD, `${k} = ${String(v)}`);
      assert.match(
        e.message,
        new RegExp(k === 'count' || k === 'scan' ? 'count|scan' : k === 'name' ? 'name' : k),
      );
    }
    assert.deepEqual(
      reg.list().map((s) => s.name),
      ['a'],
    );
    // A getter for unitBytes (a cache whose unit is its mean entry size) is fine, so is 0.
    const dyn: Shrinker = {
      name: 'dyn',
      seeks: 2,
      batch: 0,
      get unitBytes() {
        return 0;
      },
      count: () => 0,
      scan: () => 0,
    };
    reg.register(dyn);
    assert.equal(reg.list().length, 2);
    throwsCode(() => reg.register(a), BAD, 'registered twice');
    assert.equal(reg.list().length, 2);
  });

  it('a full registry refuses with ERR_ZS_LIMIT; bad options fail', () => {
    const reg = new ShrinkerRegistry({ maxShrinkers: 1 });
    reg.register(new FakeShrinker('one', 1));
    throwsCode(() => reg.register(new FakeShrinker('two', 1)), 'ERR_ZS_LIMIT');
    assert.equal(reg.list().length, 1);
    for (const o of NOT_OBJECTS)
      throwsCode(() => new ShrinkerRegistry(o as never), BAD, `options ${String(o)}`);
    for (const m of [-1, 1.5, Number.NaN, '5', null, Number.NEGATIVE_INFINITY]) {
      throwsCode(() => new ShrinkerRegistry({ maxShrinkers: m as never }), BAD, `maxShrinkers ${String(m)}`);
    }
    for (const n of NOT_FUNCTIONS.filter((v) => v !== undefined)) {
      throwsCode(() => new ShrinkerRegistry({ now: n as never }), BAD, `now ${String(n)}`);
    }
    assert.equal(new ShrinkerRegistry({ maxShrinkers: 0 }).list().length, 0);
  });

  it('unregister of anything unknown is false and changes nothing', () => {
    const { reg, a } = setup();
    for (const s of [null, 5, {}, new FakeShrinker('a', 1)]) assert.equal(reg.unregister(s as never), false);
    assert.equal(reg.list().length, 1);
    assert.equal(reg.unregister(a), true);
    assert.equal(reg.unregister(a), false);
  });
});

describe('black box: ShrinkerRegistry passes', () => {
  it('shrink(-1 | 13 | NaN | 1.5 | …) fails and scans nothing', async () => {
    const { reg, a } = setup();
    reg.shrink(DEF_PRIORITY); // leaves deferred work behind
    const before = state(reg, a);
    for (const p of BAD_PRIORITIES) {
      const e = throwsCode(() => reg.shrink(p as never), BAD, `shrink(${String(p)})`);
      assert.match(e.message, /priority/);
      await rejectsCode(reg.shrinkAsync(p as never), BAD, `shrinkAsync(${String(p)})`);
      throwsCode(() => reg.countBytes(p as never), BAD, `countBytes(${String(p)})`);
    }
    for (const t of BAD_TARGETS) {
      const e = throwsCode(() => reg.shrink(0, t as never), BAD, `shrink(0, ${String(t)})`);
      assert.match(e.message, /targetBytes/);
      await rejectsCode(reg.shrinkAsync(0, t as never), BAD, `shrinkAsync(0, ${String(t)})`);
    }
    assert.deepEqual(state(reg, a), before);
  });

  it('reclaim options: bad objects, targets and priorities fail before any pass', async () => {
    const { reg, a } = setup();
    const before = state(reg, a);
    for (const o of NOT_OBJECTS) {
      throwsCode(() => reg.reclaim(o as never), BAD, `reclaim(${String(o)})`);
      await rejectsCode(reg.reclaimAsync(o as never), BAD, `reclaimAsync(${String(o)})`);
    }
    for (const t of BAD_TARGETS) {
      throwsCode(() => reg.reclaim({ targetBytes: t as never }), BAD, `targetBytes ${String(t)}`);
      await rejectsCode(reg.reclaimAsync({ targetBytes: t as never }), BAD, `async targetBytes ${String(t)}`);
    }
    for (const p of BAD_PRIORITIES) {
      throwsCode(() => reg.reclaim({ minPriority: p as never }), BAD, `minPriority ${String(p)}`);
    }
    assert.deepEqual(state(reg, a), before);
    // Boundaries are accepted.
    reg.shrink(0, 0);
    reg.shrink(12, Number.POSITIVE_INFINITY);
    reg.reclaim({ targetBytes: 0, minPriority: 12 });
  });

  it('onShrink needs a function; a throwing listener does not break reclaim', () => {
    const { reg, a } = setup();
    for (const f of NOT_FUNCTIONS) throwsCode(() => reg.onShrink(f as never), BAD, `onShrink(${String(f)})`);
    reg.onShrink(() => {
      throw new Error('listener');
    });
    const r = reg.shrinkAll();
    assert.equal(a.freeable, 0);
    assert.equal(r.freed, 10_000);
  });

  it('re-entrant calls: a scan that unregisters itself, registers another or shrinks again', () => {
    const reg = new ShrinkerRegistry();
    const b = new FakeShrinker('b', 500);
    const late = new FakeShrinker('late', 300);
    let nested = 0;
    const weird: Shrinker = {
      name: 'weird',
      seeks: 2,
      batch: 0,
      unitBytes: 1,
      count: () => 1000,
      scan(sc: ShrinkControl) {
        reg.unregister(weird);
        if (!reg.list().includes(late)) reg.register(late);
        if (nested++ === 0) reg.shrink(0); // a nested pass over the others
        return sc.nrToScan;
      },
    };
    reg.register(weird);
    reg.register(b);
    reg.shrink(0);
    assert.deepEqual(
      reg.list().map((s) => s.name),
      ['b', 'late'],
    );
    assert.equal(reg.deferredOf(weird), 0, 'an unregistered shrinker keeps no deferred work');
    assert.equal(b.freeable, 0, 'b was scanned (by the nested pass and the outer one)');
    assert.equal(late.freeable, 0, 'late, registered during the pass, was scanned by the nested one');
    // The registry still works normally.
    reg.register(new FakeShrinker('c', 10));
    assert.equal(reg.shrinkAll().freed, 10);
  });
});
