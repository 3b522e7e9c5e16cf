// Black-box suite of the pressure layer through the public entries only (`zsmalloc` and
// `zsmalloc/node`): PressureMonitor, every source constructor, startAutoReclaim. Every bad input is
// an ERR_ZS_BAD_ARGUMENT that names the parameter, and a failed call changes nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  autoReclaimSources,
  budgetSource,
  cgroupSource,
  createPressureMonitor,
  ExternalSource,
  heapSource,
  meminfoSource,
  psiSource,
  type ReadFile,
  ShrinkerRegistry,
  startAutoReclaim,
  v8HeapSource,
} from '../../src/node.js';
import { BAD_COUNTS, NOT_FUNCTIONS, NOT_NUMBERS, NOT_OBJECTS, throwsCode } from '../helpers/bad-inputs.js';
import { FakeClock, FakeShrinker, ScriptedSource } from '../pressure/helpers.js';

const BAD = 'ERR_ZS_BAD_ARGUMENT';
const TIMEOUT_MAX = 2 ** 31 - 1;

/** A reader that records every path asked for (and finds nothing). */
function countingReader(): ReadFile & { calls: string[] } {
  const calls: string[] = [];
  const fn = ((path: string) => {
    calls.push(path);
    return null;
  }) as ReadFile & { calls: string[] };
  fn.calls = calls;
  return fn;
}

/** Positive-number options: every non-number and NaN, ±Infinity, 0, −0 and negatives. */
const BAD_POSITIVE: readonly unknown[] = [
  ...NOT_NUMBERS.filter((v) => v !== undefined),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  -1,
];

describe('black box: PressureMonitor options', () => {
  it('rejects options that are not an object', () => {
    for (const o of NOT_OBJECTS)
      throwsCode(() => createPressureMonitor(o as never), BAD, `options ${String(o)}`);
  });

  it('intervalMs above 2^31 − 1 is refused (timers would clamp it to 1 ms), 2^31 − 1 is kept as given', async () => {
    for (const v of [TIMEOUT_MAX + 1, 2 ** 40, Number.MAX_VALUE]) {
      const e = throwsCode(
        () => createPressureMonitor({ intervalMs: v, registry: null }),
        BAD,
        `intervalMs ${v}`,
      );
      assert.match(e.message, /intervalMs/);
    }
    const clock = new FakeClock();
    const asked: number[] = [];
    const m = createPressureMonitor({
      registry: null,
      intervalMs: TIMEOUT_MAX,
      now: clock.now,
      timers: {
        setTimeout: (fn, ms) => {
          asked.push(ms);
          return clock.setTimeout(fn, ms);
        },
        clearTimeout: (h) => clock.clearTimeout(h),
      },
    });
    m.start();
    await clock.advance(1000);
    assert.deepEqual(asked, [TIMEOUT_MAX], 'one timer, for the full interval');
    assert.equal(m.counters.polls, 1, 'no poll before the interval is over');
    m.stop();
  });

  it('rejects bad intervalMs, notifyHoldMs, raiseAfter and clearAfter', () => {
    for (const v of BAD_POSITIVE) {
      throwsCode(() => createPressureMonitor({ intervalMs: v as never }), BAD, `intervalMs ${String(v)}`);
      throwsCode(() => createPressureMonitor({ notifyHoldMs: v as never }), BAD, `notifyHoldMs ${String(v)}`);
    }
    for (const v of [...BAD_COUNTS.filter((x) => x !== undefined), 0, 1001]) {
      throwsCode(() => createPressureMonitor({ raiseAfter: v as never }), BAD, `raiseAfter ${String(v)}`);
      throwsCode(() => createPressureMonitor({ clearAfter: v as never }), BAD, `clearAfter ${String(v)}`);
    }
  });

  it('timers must have setTimeout and clearTimeout functions (a ZsError, not a TypeError at start)', () => {
    const fn = () => 0;
    for (const t of [
      {},
      { setTimeout: fn },
      { clearTimeout: fn },
      { setTimeout: 5, clearTimeout: fn },
      ...NOT_OBJECTS,
    ]) {
      const e = throwsCode(() => createPressureMonitor({ timers: t as never }), BAD, `timers ${String(t)}`);
      assert.match(e.message, /timers/);
    }
  });

  it('registry must be a ShrinkerRegistry or null; now must be a function', () => {
    for (const r of ['x', 5, true, {}, [], { usageBytes: () => 0 }]) {
      const e = throwsCode(
        () => createPressureMonitor({ registry: r as never }),
        BAD,
        `registry ${String(r)}`,
      );
      assert.match(e.message, /registry/);
    }
    for (const n of NOT_FUNCTIONS.filter((v) => v !== undefined)) {
      const e = throwsCode(() => createPressureMonitor({ now: n as never }), BAD, `now ${String(n)}`);
      assert.match(e.message, /now/);
    }
    // A registry of another copy of the package works: it is recognised by shape.
    const reg = new ShrinkerRegistry();
    const lookalike = {
      reclaimAsync: reg.reclaimAsync.bind(reg),
      onShrink: reg.onShrink.bind(reg),
      usageBytes: reg.usageBytes.bind(reg),
    };
    assert.equal(createPressureMonitor({ registry: lookalike as never }).registry, lookalike);
  });

  it('rejects bad sources and policies', () => {
    for (const s of ['x', 5, {}, null]) throwsCode(() => createPressureMonitor({ sources: s as never }), BAD);
    for (const s of [null, 5, {}, { name: 'a' }, { sample: () => null }, { name: 5, sample: () => null }]) {
      throwsCode(() => createPressureMonitor({ sources: [s as never] }), BAD, `source ${JSON.stringify(s)}`);
    }
    for (const p of ['x', 5, [], null]) throwsCode(() => createPressureMonitor({ policy: p as never }), BAD);
    for (const v of [...BAD_COUNTS.filter((x) => x !== undefined), 13]) {
      throwsCode(
        () => createPressureMonitor({ policy: { low: v as never } }),
        BAD,
        `policy.low ${String(v)}`,
      );
    }
  });
});

describe('black box: PressureMonitor calls', () => {
  function monitor() {
    const clock = new FakeClock();
    const reg = new ShrinkerRegistry();
    const sh = new FakeShrinker('fake', 1000);
    reg.register(sh);
    const src = new ScriptedSource();
    const m = createPressureMonitor({
      sources: [src],
      registry: reg,
      intervalMs: 100,
      now: clock.now,
      timers: clock,
    });
    return { clock, reg, sh, src, m };
  }

  it('notify: bad level or options fail and change nothing', async () => {
    const { m, sh } = monitor();
    const before = m.counters;
    for (const l of ['x', 5, null, undefined, 'CRITICAL'])
      throwsCode(() => m.notify(l as never), BAD, String(l));
    for (const o of [null, 5, 'x'])
      throwsCode(() => m.notify('critical', o as never), BAD, `options ${String(o)}`);
    for (const h of BAD_POSITIVE) {
      throwsCode(() => m.notify('critical', { holdMs: h as never }), BAD, `holdMs ${String(h)}`);
    }
    throwsCode(() => m.notify('critical', { note: 5 as never }), BAD, 'note 5');
    assert.equal(m.external.sample(0).level, 'none', 'no failed notify is held');
    await m.pollNow();
    assert.equal(m.level, 'none');
    assert.equal(sh.freeable, 1000, 'nothing was reclaimed');
    assert.equal(m.counters.polls, before.polls + 1);
  });

  it('on: unknown event types and non-function listeners fail', () => {
    const { m } = monitor();
    for (const t of ['x', 'constructor', '__proto__', 'toString', 5])
      throwsCode(() => m.on(t as never, () => {}), BAD);
    for (const f of NOT_FUNCTIONS) throwsCode(() => m.on('poll', f as never), BAD);
  });

  it('a poll listener that stops and restarts the monitor leaves one timer, not two', async () => {
    const { m, clock } = monitor();
    let restarts = 0;
    m.on('poll', () => {
      if (restarts < 3) {
        restarts++;
        m.stop();
        m.start();
      }
    });
    m.start();
    assert.equal(clock.pending.length, 1, 'exactly one poll scheduled');
    const polls = m.counters.polls;
    await clock.advance(1000);
    assert.equal(m.counters.polls - polls, 10, 'one poll per interval');
    m.stop();
    assert.equal(clock.pending.length, 0);
  });

  it('a listener that stops the monitor from inside a poll ends polling; start() and stop() are idempotent', async () => {
    const { m, clock } = monitor();
    m.on('poll', () => m.stop());
    m.start();
    assert.equal(m.running, false);
    assert.equal(clock.pending.length, 0);
    await clock.advance(1000);
    assert.equal(m.counters.polls, 1);
    m.stop().stop();
    assert.equal(m.running, false);
    // Polling by hand after stop still works and does not restart the timer.
    await m.pollNow();
    assert.equal(m.counters.polls, 2);
    assert.equal(clock.pending.length, 0);
  });

  it('a reclaim listener that polls again does not start a second reclaim meanwhile', async () => {
    const { m, src, sh } = monitor();
    src.level = 'critical';
    const inner: boolean[] = [];
    m.on('reclaim', () => {
      if (inner.length === 0) void m.pollNow().then((r) => inner.push(r.reclaimBusy));
    });
    await m.pollNow();
    await m.idle();
    assert.equal(sh.freeable, 0);
    assert.equal(m.counters.reclaimErrors, 0);
  });
});

describe('black box: source constructors', () => {
  const ctors: [string, (o: unknown) => unknown][] = [
    ['heapSource', (o) => heapSource(o as never)],
    ['v8HeapSource', (o) => v8HeapSource(o as never)],
    ['cgroupSource', (o) => cgroupSource(o as never)],
    ['meminfoSource', (o) => meminfoSource(o as never)],
    ['psiSource', (o) => psiSource(o as never)],
    ['budgetSource', (o) => budgetSource({ limitBytes: 100, ...(o as object) } as never)],
  ];

  it('options that are not an object fail', () => {
    for (const [name, make] of ctors.slice(0, 5)) {
      for (const o of NOT_OBJECTS) throwsCode(() => make(o), BAD, `${name}(${String(o)})`);
    }
    for (const o of [undefined, ...NOT_OBJECTS])
      throwsCode(() => budgetSource(o as never), BAD, `budgetSource(${String(o)})`);
  });

  it('name must be a non-empty string', () => {
    for (const [name, make] of ctors) {
      for (const n of [5, '', null, {}, true]) {
        const e = throwsCode(() => make({ name: n }), BAD, `${name} name ${String(n)}`);
        assert.match(e.message, /name/);
      }
    }
  });

  it('thresholds must be an ordered object of numbers, margin in [0, 1)', () => {
    for (const [name, make] of ctors.filter(([n]) => n !== 'psiSource')) {
      for (const t of ['x', 5, null, [], { low: Number.NaN }, { low: 'a' }, { low: 2, medium: 1 }]) {
        throwsCode(() => make({ thresholds: t }), BAD, `${name} thresholds ${JSON.stringify(t)}`);
      }
      for (const mg of ['x', Number.NaN, -0.1, 1, 2, Number.POSITIVE_INFINITY]) {
        throwsCode(() => make({ margin: mg }), BAD, `${name} margin ${String(mg)}`);
      }
    }
    for (const k of ['some', 'full']) {
      for (const t of ['x', 5, null, { low: 3, medium: 2 }])
        throwsCode(() => psiSource({ [k]: t } as never), BAD, `psi ${k}`);
    }
  });

  it('readFile, stats and usage must be functions; paths non-empty strings; flags booleans', () => {
    for (const f of NOT_FUNCTIONS.filter((v) => v !== undefined)) {
      throwsCode(() => cgroupSource({ readFile: f as never }), BAD);
      throwsCode(() => meminfoSource({ readFile: f as never }), BAD);
      throwsCode(() => psiSource({ readFile: f as never }), BAD);
      throwsCode(() => heapSource({ stats: f as never }), BAD);
      throwsCode(() => budgetSource({ limitBytes: 1, usage: f as never }), BAD);
    }
    for (const p of [5, '', null, {}]) {
      throwsCode(() => meminfoSource({ path: p as never }), BAD, `meminfo path ${String(p)}`);
      throwsCode(() => psiSource({ path: p as never }), BAD, `psi path ${String(p)}`);
      throwsCode(() => cgroupSource({ dir: p as never }), BAD, `cgroup dir ${String(p)}`);
    }
    for (const w of ['yes', 1, null]) throwsCode(() => cgroupSource({ workingSet: w as never }), BAD);
    for (const p of [5, 'x', null, true])
      throwsCode(() => cgroupSource({ psi: p as never }), BAD, `cgroup psi ${String(p)}`);
    for (const r of [0, 1.5, Number.NaN, 'x']) {
      throwsCode(() => cgroupSource({ targetRatio: r as never }), BAD);
      throwsCode(() => budgetSource({ limitBytes: 1, targetRatio: r as never }), BAD);
    }
  });

  it('budgetSource: limitBytes and registry are checked; a failed setLimit keeps the limit', () => {
    for (const v of BAD_POSITIVE)
      throwsCode(() => budgetSource({ limitBytes: v as never }), BAD, `limitBytes ${String(v)}`);
    for (const r of ['x', 5, {}, true]) {
      throwsCode(() => budgetSource({ limitBytes: 1, registry: r as never }), BAD, `registry ${String(r)}`);
    }
    const b = budgetSource({ limitBytes: 1000, usage: () => 500 });
    for (const v of BAD_POSITIVE) throwsCode(() => b.setLimit(v as never), BAD, `setLimit ${String(v)}`);
    assert.equal(b.limitBytes, 1000);
    assert.equal(b.sample(0).figures.ratio, 0.5);
  });

  it('sources never throw from sample(): a throwing or lying reader gives an invalid sample', () => {
    const throwing = (() => {
      throw new Error('boom');
    }) as ReadFile;
    for (const s of [
      meminfoSource({ readFile: throwing }),
      psiSource({ readFile: throwing }),
      cgroupSource({ readFile: throwing }),
      heapSource({ stats: () => ({ usedBytes: Number.NaN, limitBytes: 1 }) }),
      budgetSource({ limitBytes: 1, usage: () => -1 }),
      budgetSource({
        limitBytes: 1,
        usage: () => {
          throw new Error('x');
        },
      }),
    ]) {
      const smp = s.sample(0);
      assert.notEqual(smp.status, 'ok', s.name);
      assert.equal(smp.level, 'none');
    }
  });

  it('ExternalSource: name and notify arguments are checked; a failed notify keeps the held level', () => {
    for (const n of [5, '', null]) throwsCode(() => new ExternalSource(n as never), BAD, `name ${String(n)}`);
    const x = new ExternalSource();
    x.notify('medium', 0, 1000);
    for (const [l, now, hold] of [
      ['x', 0, 10],
      ['low', Number.NaN, 10],
      ['low', 'x', 10],
      ['low', 0, 0],
      ['low', 0, Number.NaN],
      ['low', 0, '5'],
    ] as const) {
      throwsCode(
        () => x.notify(l as never, now as never, hold as never),
        BAD,
        `${l} ${String(now)} ${String(hold)}`,
      );
    }
    assert.equal(x.sample(10).level, 'medium');
    throwsCode(() => x.notify('low', 0, 10, 5 as never), BAD, 'note 5');
  });
});

describe('black box: startAutoReclaim', () => {
  it('bad options fail before any source is created or any file read', () => {
    const cases: Record<string, unknown>[] = [
      { cgroup: 5 },
      { meminfo: 'x' },
      { psi: null },
      { heap: [] },
      { budgetBytes: -1 },
      { budgetBytes: '5' },
      { budgetBytes: Number.NaN },
      { budgetOf: 'heap' },
      { sources: 'x' },
      { intervalMs: 2 ** 31 },
      { intervalMs: 0 },
      { registry: 'x' },
      { now: 'x' },
      { timers: {} },
      { raiseAfter: 0 },
      { policy: 'x' },
      { cgroup: { name: 5 } },
      { psi: { margin: 2 } },
    ];
    for (const c of cases) {
      const rf = countingReader();
      const e = throwsCode(() => startAutoReclaim({ ...c, readFile: rf } as never), BAD, JSON.stringify(c));
      const param = Object.keys(c)[0];
      assert.ok(
        e.message.includes(param) || (typeof c[param] === 'object' && c[param] !== null),
        `${e.message} names ${param}`,
      );
      if (!('cgroup' in c && typeof c.cgroup === 'object') && !('psi' in c && typeof c.psi === 'object')) {
        assert.deepEqual(rf.calls, [], `${JSON.stringify(c)}: nothing was read`);
      }
    }
    for (const o of NOT_OBJECTS) {
      throwsCode(() => startAutoReclaim(o as never), BAD, `options ${String(o)}`);
      throwsCode(() => autoReclaimSources(o as never), BAD, `autoReclaimSources(${String(o)})`);
    }
    throwsCode(() => startAutoReclaim({ readFile: 5 as never }), BAD);
  });

  it('good options start a running monitor that stops cleanly', () => {
    const reg = new ShrinkerRegistry();
    const m = startAutoReclaim({
      registry: reg,
      readFile: countingReader(),
      heap: false,
      budgetBytes: 2 ** 20,
      intervalMs: TIMEOUT_MAX,
    });
    assert.equal(m.running, true);
    assert.deepEqual(
      m.sources.map((s) => s.name),
      ['budget', 'external'],
    );
    m.stop();
    assert.equal(m.running, false);
  });
});
