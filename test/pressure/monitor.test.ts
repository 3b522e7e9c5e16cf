// The pressure monitor: hysteresis, reclaim policy and targets, one reclaim at a time, timers, notify, failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  budgetSource,
  createPool,
  createPressureMonitor,
  type PressureLevel,
  type ReclaimEvent,
  ShrinkerRegistry,
  ZsError,
  ZsErrorCode,
} from '../../src/index.js';
import { levelRank, PRESSURE_LEVELS, PressureMonitor } from '../../src/internals.js';
import { FakeClock, FakeShrinker, ScriptedSource } from './helpers.js';

const PAGE = 4096;

describe('monitor hysteresis', () => {
  it('property: raises only after raiseAfter higher polls, clears only after clearAfter lower ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...PRESSURE_LEVELS), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        async (levels, raiseAfter, clearAfter) => {
          const src = new ScriptedSource();
          const clock = new FakeClock();
          const m = new PressureMonitor({
            sources: [src],
            registry: null,
            raiseAfter,
            clearAfter,
            now: clock.now,
            timers: clock,
          });
          const seen: number[] = [];
          let level = 0;
          for (const l of levels) {
            src.level = l;
            clock.t += 1000;
            const r = await m.pollNow();
            const w = levelRank(l);
            assert.equal(r.observed, l);
            seen.push(w);
            const next = levelRank(r.level);
            const lastR = seen.slice(-raiseAfter);
            const lastC = seen.slice(-clearAfter);
            const allAbove = lastR.length === raiseAfter && lastR.every((x) => x > level);
            const allBelow = lastC.length === clearAfter && lastC.every((x) => x < level);
            if (next > level) {
              assert.ok(allAbove, `raised ${level}→${next} without ${raiseAfter} higher polls: ${seen}`);
              assert.equal(next, Math.min(...lastR), 'raises to the lowest of the streak');
              assert.equal(r.changed, true);
            } else if (next < level) {
              assert.ok(allBelow, `lowered ${level}→${next} without ${clearAfter} lower polls: ${seen}`);
              assert.equal(next, Math.max(...lastC), 'lowers to the highest of the streak');
            } else {
              assert.ok(!allAbove, `should have raised from ${level}: ${seen}`);
              assert.ok(!allBelow, `should have lowered from ${level}: ${seen}`);
              assert.equal(r.changed, false);
            }
            if (next !== level) seen.length = 0; // streaks restart after a change
            level = next;
            assert.equal(m.level, r.level);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('emits level events with the reasons of the worst samples', async () => {
    const a = new ScriptedSource('a');
    const b = new ScriptedSource('b');
    const m = new PressureMonitor({ sources: [a, b], registry: null, clearAfter: 2 });
    const events: { level: PressureLevel; previous: PressureLevel; reason: string }[] = [];
    m.on('level', (e) => events.push({ level: e.level, previous: e.previous, reason: e.reason }));
    a.level = 'low';
    b.level = 'medium';
    await m.pollNow();
    assert.deepEqual(events, [{ level: 'medium', previous: 'none', reason: 'b: scripted medium' }]);
    a.level = 'none';
    b.level = 'none';
    await m.pollNow();
    assert.equal(events.length, 1, 'one poll below is not enough with clearAfter 2');
    await m.pollNow();
    assert.deepEqual(events[1], { level: 'none', previous: 'medium', reason: '' });
  });
});

describe('monitor reclaim', () => {
  function setup(level: PressureLevel, reclaimBytes = 0) {
    const reg = new ShrinkerRegistry();
    const big = new FakeShrinker('big', 2 ** 16);
    const small = new FakeShrinker('small', 100);
    reg.register(big);
    reg.register(small);
    const src = new ScriptedSource();
    src.level = level;
    src.reclaimBytes = reclaimBytes;
    const m = new PressureMonitor({ sources: [src], registry: reg });
    return { reg, big, small, src, m };
  }

  it('low without a target stops at priority 8: only large caches are scanned, on the async path', async () => {
    const { big, small, m } = setup('low');
    const r = await m.pollNow();
    assert.ok(r.reclaim);
    assert.equal(r.reclaim.minPriority, 8);
    assert.equal(r.reclaim.priority, 8);
    assert.equal(r.reclaim.targetBytes, 0);
    assert.ok(big.scans.length > 0);
    assert.ok(big.scans.every((s) => s.priority >= 8 && s.async));
    assert.equal(small.scans.length, 0, '100 freeable objects are not worth a gentle pass');
    assert.ok(r.reclaim.freed > 0);
    assert.equal(r.reclaim.freedBytes, r.reclaim.freed * PAGE);
    assert.equal(r.reclaim.bytesReturned, r.reclaim.freedBytes, 'usage fell by what was freed');
    assert.ok(r.reclaim.counted >= 2 ** 16);
    assert.ok(r.reclaim.scanned >= r.reclaim.freed);
  });

  it('medium without a target stops at priority 4', async () => {
    const { big, m } = setup('medium');
    const r = await m.pollNow();
    assert.equal(r.reclaim?.minPriority, 4);
    assert.equal(r.reclaim?.priority, 4);
    assert.ok(Math.min(...big.scans.map((s) => s.priority)) >= 4);
  });

  it('a byte target stops reclaim as soon as it is met', async () => {
    const { big, small, m } = setup('medium', 512 * 1024);
    const r = await m.pollNow();
    assert.ok(r.reclaim);
    assert.equal(r.reclaim.targetBytes, 512 * 1024);
    assert.equal(r.reclaim.minPriority, 0);
    assert.ok(r.reclaim.freedBytes >= 512 * 1024);
    // At priority 10 the big cache's share is (2^16 >> 10) · 4 / 2 = 128 objects = 512 KiB.
    assert.equal(r.reclaim.priority, 10);
    assert.equal(big.freeable, 2 ** 16 - 128);
    assert.equal(small.freeable, 100);
  });

  it('a byte target may go below the level’s priority to be met', async () => {
    const { small, m, big } = setup('low', 2 ** 16 * PAGE + 50 * PAGE);
    const r = await m.pollNow();
    assert.ok(r.reclaim);
    assert.ok(r.reclaim.priority < 8);
    assert.ok(small.scans.length > 0);
    assert.ok(r.reclaim.freedBytes >= r.reclaim.targetBytes || big.freeable + small.freeable === 0);
  });

  it('critical reaches priority 0 and frees everything, ignoring targets', async () => {
    const { big, small, m } = setup('critical', 4096);
    const r = await m.pollNow();
    assert.ok(r.reclaim);
    assert.equal(r.reclaim.targetBytes, 0);
    assert.equal(r.reclaim.priority, 0);
    assert.equal(big.freeable, 0);
    assert.equal(small.freeable, 0);
    assert.equal(r.reclaim.bytesReturned, (2 ** 16 + 100) * PAGE);
  });

  it('takes the largest byte target among samples above none', async () => {
    const reg = new ShrinkerRegistry();
    reg.register(new FakeShrinker('big', 2 ** 16));
    const a = new ScriptedSource('a');
    const b = new ScriptedSource('b');
    a.level = 'medium';
    a.reclaimBytes = 1000;
    b.level = 'low';
    b.reclaimBytes = 300_000;
    const m = new PressureMonitor({ sources: [a, b], registry: reg });
    assert.equal((await m.pollNow()).reclaim?.targetBytes, 300_000);
  });

  it('runs one reclaim at a time', async () => {
    const reg = new ShrinkerRegistry();
    const slow = new FakeShrinker('slow', 300);
    slow.scanDelayMs = 20;
    reg.register(slow);
    const src = new ScriptedSource();
    src.level = 'critical';
    const m = new PressureMonitor({ sources: [src], registry: reg });
    const first = m.pollNow();
    assert.equal(m.reclaiming, true);
    const second = await m.pollNow();
    assert.equal(second.reclaimBusy, true);
    assert.equal(second.reclaim, null);
    const r1 = await first;
    assert.ok(r1.reclaim);
    assert.equal(m.reclaiming, false);
    assert.deepEqual(
      { reclaims: m.counters.reclaims, busy: m.counters.reclaimsBusy },
      { reclaims: 1, busy: 1 },
    );
    await m.idle();
  });

  it('does not reclaim at none, nor with registry null', async () => {
    const { big, m } = setup('none');
    assert.equal((await m.pollNow()).reclaim, null);
    assert.equal(big.scans.length, 0);
    const src = new ScriptedSource();
    src.level = 'critical';
    const watch = new PressureMonitor({ sources: [src], registry: null });
    const r = await watch.pollNow();
    assert.equal(r.level, 'critical');
    assert.equal(r.reclaim, null);
  });

  it('reports a throwing shrinker as an error event and keeps going', async () => {
    const reg = new ShrinkerRegistry();
    const bad = new FakeShrinker('bad', 2 ** 16);
    bad.throwOnScan = true;
    reg.register(bad);
    const src = new ScriptedSource();
    src.level = 'critical';
    const m = new PressureMonitor({ sources: [src], registry: reg });
    const errors: unknown[] = [];
    m.on('error', (e) => errors.push(e.error));
    const r = await m.pollNow();
    assert.equal(r.reclaim, null);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /scan failed/);
    assert.equal(m.counters.reclaimErrors, 1);
    bad.throwOnScan = false;
    assert.ok((await m.pollNow()).reclaim);
  });

  it('turns a throwing or lying source into an invalid sample', async () => {
    const thrower = {
      name: 'thrower',
      sample(): never {
        throw new Error('kaboom');
      },
    };
    const liar = { name: 'liar', sample: () => ({ level: 'extreme' }) as never };
    const ok = new ScriptedSource();
    ok.level = 'low';
    const m = new PressureMonitor({ sources: [thrower, liar, ok], registry: null });
    const r = await m.pollNow();
    assert.deepEqual(
      r.samples.map((s) => [s.source, s.status]),
      [
        ['thrower', 'invalid'],
        ['liar', 'invalid'],
        ['scripted', 'ok'],
        ['external', 'ok'],
      ],
    );
    assert.match(r.samples[0].reason, /kaboom/);
    assert.equal(r.level, 'low');
    assert.equal(m.lastSamples.length, 4);
  });

  it('survives throwing listeners and removes listeners', async () => {
    const src = new ScriptedSource();
    src.level = 'medium';
    const m = new PressureMonitor({ sources: [src], registry: null });
    let polls = 0;
    m.on('poll', () => {
      throw new Error('listener bug');
    });
    const off = m.on('poll', () => polls++);
    await m.pollNow();
    off();
    off();
    await m.pollNow();
    assert.equal(polls, 1);
    assert.equal(m.level, 'medium');
    assert.throws(() => m.on('nope' as never, () => {}), ZsError);
    assert.throws(() => m.on('poll', 5 as never), ZsError);
  });

  it('brings a real pool under a budget in one poll, returning the memory', async () => {
    const reg = new ShrinkerRegistry();
    const pool = createPool({ shrinkers: reg, growBytes: 2 ** 20 });
    const hs: number[] = [];
    for (let i = 0; i < 20_000; i++) hs.push(pool.malloc(500 + (i % 1500)));
    for (let i = 0; i < hs.length; i++) if (i % 4 !== 0) pool.free(hs[i]);
    const before = pool.stats({ classes: false }).bytes_committed;
    const budget = Math.floor(before / 2);
    const m = createPressureMonitor({
      registry: reg,
      sources: [budgetSource({ limitBytes: budget, registry: reg })],
    });
    const reclaims: ReclaimEvent[] = [];
    m.on('reclaim', (e) => reclaims.push(e));
    const r = await m.pollNow();
    assert.equal(r.level, 'critical');
    const after = pool.stats({ classes: false }).bytes_committed;
    assert.ok(after < budget, `${after} ≥ ${budget}`);
    assert.equal(reclaims.length, 1);
    assert.equal(reclaims[0].bytesReturned, before - after);
    assert.equal(pool.liveObjects, 5000);
    pool.destroy();
  });
});

describe('monitor timers and notify', () => {
  it('polls at start and every interval on unref’d timers; start/stop are idempotent', async () => {
    const clock = new FakeClock();
    const src = new ScriptedSource();
    const m = new PressureMonitor({
      sources: [src],
      registry: null,
      intervalMs: 500,
      now: clock.now,
      timers: clock,
    });
    assert.equal(m.running, false);
    assert.equal(m.start(), m);
    m.start();
    assert.equal(m.running, true);
    assert.equal(src.calls, 1, 'one poll at start');
    assert.equal(clock.pending.length, 1);
    assert.equal(clock.pending[0].unrefd, true);
    await clock.advance(499);
    assert.equal(src.calls, 1);
    await clock.advance(1);
    assert.equal(src.calls, 2);
    await clock.advance(1000);
    assert.equal(src.calls, 4);
    assert.equal(clock.pending.length, 1);
    m.stop();
    m.stop();
    assert.equal(m.running, false);
    assert.equal(clock.pending.length, 0);
    await clock.advance(5000);
    assert.equal(src.calls, 4);
    m.start();
    assert.equal(src.calls, 5);
    m.stop();
  });

  it('keeps polling while a slow reclaim runs', async () => {
    const clock = new FakeClock();
    const reg = new ShrinkerRegistry();
    const slow = new FakeShrinker('slow', 300);
    slow.scanDelayMs = 30;
    reg.register(slow);
    const src = new ScriptedSource();
    src.level = 'critical';
    const m = new PressureMonitor({
      sources: [src],
      registry: reg,
      intervalMs: 10,
      now: clock.now,
      timers: clock,
    });
    m.start();
    await clock.advance(30);
    assert.equal(src.calls, 4);
    assert.equal(m.counters.reclaimsBusy, 3);
    m.stop();
    await m.idle();
    assert.equal(m.counters.reclaims, 1);
  });

  it('notify raises at once, holds, then clears through hysteresis', async () => {
    const clock = new FakeClock();
    const reg = new ShrinkerRegistry();
    const big = new FakeShrinker('big', 2 ** 16);
    reg.register(big);
    const m = new PressureMonitor({
      registry: reg,
      intervalMs: 1000,
      raiseAfter: 3,
      clearAfter: 2,
      notifyHoldMs: 2500,
      now: clock.now,
      timers: clock,
    });
    const levels: PressureLevel[] = [];
    m.on('level', (e) => levels.push(e.level));
    m.start();
    m.notify('critical', { note: 'bun memoryPressure' });
    await m.idle();
    assert.equal(m.level, 'critical', 'no raiseAfter wait for an explicit signal');
    assert.equal(big.freeable, 0, 'critical reclaim ran right away');
    const ext = m.lastSamples.find((s) => s.source === 'external');
    assert.match(ext?.reason ?? '', /bun memoryPressure/);
    await clock.advance(2000);
    assert.equal(m.level, 'critical', 'held 2.5 s');
    await clock.advance(1000); // t = 3000: hold over, first poll below
    assert.equal(m.level, 'critical');
    await clock.advance(1000); // second poll below
    assert.equal(m.level, 'none');
    assert.deepEqual(levels, ['critical', 'none']);
    m.notify('medium');
    await m.idle();
    assert.equal(m.level, 'medium');
    m.notify('none');
    await m.idle();
    assert.equal(m.external.sample(clock.t).level, 'none', 'notify(none) ends the hold');
    assert.equal(m.level, 'medium', 'the level itself clears through hysteresis');
    await clock.advance(1000);
    assert.equal(m.level, 'none');
    m.stop();
  });

  it('notify on a stopped monitor only records the level', async () => {
    const m = new PressureMonitor({ registry: null });
    m.notify('medium');
    assert.equal(m.level, 'none');
    assert.equal((await m.pollNow()).level, 'medium');
    assert.throws(
      () => m.notify('severe' as never),
      (e: unknown) => e instanceof ZsError && e.code === ZsErrorCode.BAD_ARGUMENT,
    );
    assert.throws(() => m.notify('low', { holdMs: 0 }), ZsError);
  });

  it('validates options', () => {
    const bad: object[] = [
      { intervalMs: 0 },
      { intervalMs: Number.NaN },
      { raiseAfter: 0 },
      { clearAfter: 1.5 },
      { policy: { low: 13 } },
      { policy: { medium: -1 } },
      { sources: [{}] },
      { sources: 'psi' },
      { notifyHoldMs: -1 },
    ];
    for (const o of bad) {
      assert.throws(
        () => new PressureMonitor(o),
        (e: unknown) => e instanceof ZsError && e.code === ZsErrorCode.BAD_ARGUMENT,
        JSON.stringify(o),
      );
    }
    const m = createPressureMonitor({ policy: { low: 10 } });
    assert.deepEqual(m.policy, { low: 10, medium: 4, critical: 0 });
    assert.equal(m.intervalMs, 1000);
    assert.equal(m.running, false, 'created stopped');
    assert.deepEqual(
      m.sources.map((s) => s.name),
      ['external'],
    );
  });
});

describe('reclaim follows what is observed', () => {
  it('a level held up by hysteresis alone (every source reads none) does not reclaim', async () => {
    const reg = new ShrinkerRegistry();
    const sh = new FakeShrinker('cache', 100000, 100);
    reg.register(sh);
    const src = new ScriptedSource();
    const m = createPressureMonitor({ registry: reg, sources: [src], clearAfter: 3 });
    src.level = 'medium';
    const first = await m.pollNow();
    assert.equal(first.level, 'medium');
    assert.ok(first.reclaim !== null);
    const scans = sh.scans.length;
    src.level = 'none';
    for (let i = 0; i < 2; i++) {
      const r = await m.pollNow();
      assert.equal(r.level, 'medium', 'still held by clearAfter');
      assert.equal(r.reclaim, null);
    }
    assert.equal(sh.scans.length, scans, 'no scans while only the hysteresis holds the level');
    assert.equal((await m.pollNow()).level, 'none');
  });
});
