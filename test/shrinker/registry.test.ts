// The shrinker core: do_shrink_slab's arithmetic (delta, total_scan, deferral) against the kernel's
// formulas, the batch loop and SHRINK_STOP, drop_slab's termination, reclaim targets, events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  SHRINK_EMPTY,
  SHRINK_STOP,
  type ShrinkControl,
  type Shrinker,
  ShrinkerRegistry,
} from '../../src/index.js';
import { nextDeferred, shrinkTarget } from '../../src/internals.js';

/** A cache of `objects` items; scan frees what it is asked (or stops when told to). */
class FakeCache implements Shrinker {
  readonly name: string;
  readonly seeks: number;
  readonly batch: number;
  readonly unitBytes = 100;
  objects: number;
  calls: number[] = [];
  stopAfter = Number.POSITIVE_INFINITY;
  constructor(name: string, objects: number, seeks = 2, batch = 0) {
    this.name = name;
    this.objects = objects;
    this.seeks = seeks;
    this.batch = batch;
  }
  count(_sc: ShrinkControl): number {
    return this.objects;
  }
  scan(sc: ShrinkControl): number {
    this.calls.push(sc.nrToScan);
    if (this.calls.length > this.stopAfter || this.objects === 0) return SHRINK_STOP;
    const n = Math.min(sc.nrToScan, this.objects);
    this.objects -= n;
    return n;
  }
}

describe('do_shrink_slab arithmetic', () => {
  // Rows computed by hand from the kernel's code (mm/vmscan.c ≥ 4.16):
  // delta = (F >> p) * 4 / seeks; total = min((nr >> p) + delta, 2F).
  const table: [number, number, number, number, number, number][] = [
    // F, nr_deferred, priority, seeks, delta, total_scan
    [1000, 0, 12, 2, 0, 0],
    [1000, 0, 0, 2, 2000, 2000],
    [1000, 0, 3, 2, 250, 250],
    [262144, 0, 12, 2, 128, 128],
    [1000, 5000, 2, 2, 500, 1750],
    [1000, 100000, 0, 2, 2000, 2000],
    [100, 0, 1, 2, 100, 100],
    [100, 0, 0, 0, 50, 50], // seeks 0: F / 2
    [999, 0, 4, 1, 248, 248],
  ];
  for (const [F, nr, p, seeks, delta, total] of table) {
    it(`F=${F} nr=${nr} priority=${p} seeks=${seeks} → delta ${delta}, total ${total}`, () => {
      assert.deepEqual(shrinkTarget(F, nr, p, seeks), { delta, totalScan: total });
    });
  }

  it('deferred work: nr + delta − scanned, clamped to [0, 2F]', () => {
    assert.equal(nextDeferred(1000, 0, 250, 0), 250);
    assert.equal(nextDeferred(1000, 300, 250, 512), 38);
    assert.equal(nextDeferred(1000, 0, 250, 512), 0);
    assert.equal(nextDeferred(10, 5000, 20, 0), 20);
  });

  it('the batch loop: scans in batches while total ≥ batch or total ≥ freeable', () => {
    const reg = new ShrinkerRegistry();
    const c = new FakeCache('c', 1000);
    reg.register(c);
    reg.shrink(0); // total = 2000: 15 batches of 128 and one of 80 (1000 freed, then SHRINK_STOP)
    assert.equal(c.objects, 0);
    assert.deepEqual(c.calls.slice(0, 8), [128, 128, 128, 128, 128, 128, 128, 128]);
    assert.equal(c.calls[c.calls.length - 1], 128, 'stops at SHRINK_STOP, not at the end of the work');
    // A small cache at a low priority is still scanned when total ≥ freeable.
    const small = new FakeCache('s', 50);
    reg.register(small);
    reg.shrink(1); // delta = 2·(50 >> 1) = 50 ≥ F
    assert.deepEqual(small.calls, [50]);
    // …but not at a high one.
    const s2 = new FakeCache('s2', 50);
    reg.register(s2);
    reg.shrink(6);
    assert.deepEqual(s2.calls, []);
  });

  it('deferred work carries over and lowers the bar on later passes', () => {
    const reg = new ShrinkerRegistry();
    const c = new FakeCache('c', 100000);
    reg.register(c);
    reg.shrink(9); // delta = (100000 >> 9)·2 = 390: scans 3 batches of 128 = 384, defers 6
    assert.deepEqual(c.calls, [128, 128, 128]);
    assert.equal(reg.deferredOf(c), 6);
    c.calls = [];
    reg.shrink(10); // delta = 194, total = (6 >> 10) + 194 = 194 → one batch, defers 6 + 194 − 128
    assert.deepEqual(c.calls, [128]);
    assert.equal(reg.deferredOf(c), 72);
  });

  it('property: never scans more than 2·count per pass; deferred stays within [0, 2F]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200000 }), fc.integer({ min: 0, max: 12 })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 300 }),
        (passes, seeks, batch) => {
          const reg = new ShrinkerRegistry();
          const c = new FakeCache('c', 0, seeks, batch);
          reg.register(c);
          for (const [F, p] of passes) {
            c.objects = F;
            c.calls = [];
            reg.shrink(p);
            const scanned = c.calls.reduce((a, b) => a + b, 0);
            assert.ok(scanned <= 2 * F);
            // A pass with nothing counted leaves the deferred work as it was (the kernel returns early).
            if (F > 0) assert.ok(reg.deferredOf(c) >= 0 && reg.deferredOf(c) <= 2 * F);
          }
        },
      ),
    );
  });
});

describe('ShrinkerRegistry', () => {
  it('drop_slab repeats priority-0 passes while (freed >> shift++) > 1', () => {
    const reg = new ShrinkerRegistry();
    // A cache that refills a little before each pass: 1000, then 300, then 40, then 1 freed.
    const refill = [300, 40, 1, 0];
    let pass = 0;
    const c = new FakeCache('c', 1000);
    c.count = () => {
      if (c.objects === 0) c.objects = refill[pass++] ?? 0;
      return c.objects;
    };
    reg.register(c);
    const r = reg.shrinkAll();
    // freed 1000 (>>0 > 1), 300 (>>1 = 150 > 1), 40 (>>2 = 10 > 1), 1 (>>3 = 0): stop.
    assert.equal(r.freed, 1341);
  });

  it('count 0 or SHRINK_EMPTY means no scan; a throwing listener does not break reclaim', () => {
    const reg = new ShrinkerRegistry();
    const empty = new FakeCache('e', 0);
    const x: Shrinker = {
      ...new FakeCache('x', 0),
      name: 'x',
      count: () => SHRINK_EMPTY,
      scan: () => 0,
      seeks: 2,
      batch: 0,
      unitBytes: 1,
    };
    reg.register(empty);
    reg.register(x);
    reg.onShrink(() => {
      throw new Error('listener');
    });
    const r = reg.shrink(0);
    assert.equal(r.passes, 0);
    assert.deepEqual(empty.calls, []);
  });

  it('reclaim walks priorities down until the byte target is met; events describe each pass', () => {
    const reg = new ShrinkerRegistry();
    const a = new FakeCache('a', 100000);
    const b = new FakeCache('b', 100000);
    reg.register(a);
    reg.register(b);
    const events: string[] = [];
    const off = reg.onShrink((e) => events.push(`${e.shrinker}@${e.priority}:${e.freed}`));
    const r = reg.reclaim({ targetBytes: 100 * 5000 });
    assert.ok(r.freedBytes >= 500000);
    assert.ok(r.priority < 12 && r.priority > 0, `stopped at priority ${r.priority}`);
    assert.ok(events.length > 0);
    assert.match(events[0], /^a@\d+:\d+$/);
    off();
    const n = events.length;
    reg.shrink(0);
    assert.equal(events.length, n, 'unsubscribed');
    assert.throws(() => reg.reclaim({ minPriority: 13 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => reg.reclaim({ targetBytes: -1 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
  });

  it('a pass stops between shrinkers once its target is met (registration order)', () => {
    const reg = new ShrinkerRegistry();
    const first = new FakeCache('first', 10000);
    const second = new FakeCache('second', 10000);
    reg.register(first);
    reg.register(second);
    reg.shrink(0, 1);
    assert.ok(first.calls.length > 0);
    assert.deepEqual(second.calls, []);
  });

  it('register / unregister; duplicates and a full registry are refused', () => {
    const reg = new ShrinkerRegistry({ maxShrinkers: 1 });
    const c = new FakeCache('c', 1);
    reg.register(c);
    assert.throws(() => reg.register(c), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => reg.register(new FakeCache('d', 1)), { code: 'ERR_ZS_LIMIT' });
    assert.equal(reg.unregister(c), true);
    assert.equal(reg.unregister(c), false);
    assert.equal(reg.list().length, 0);
  });

  it('async reclaim uses scanAsync when a shrinker has one', async () => {
    const reg = new ShrinkerRegistry();
    const c = new FakeCache('c', 1000);
    let asyncCalls = 0;
    const s: Shrinker = {
      name: 'async',
      seeks: 2,
      batch: 0,
      unitBytes: 1,
      count: (sc) => c.count(sc),
      scan: () => assert.fail('the sync scan must not run'),
      scanAsync: async (sc) => {
        asyncCalls++;
        await new Promise((r) => setImmediate(r));
        return c.scan(sc);
      },
    };
    reg.register(s);
    const r = await reg.reclaimAsync({ minPriority: 0 });
    assert.equal(r.freed, 1000);
    assert.ok(asyncCalls > 0);
  });
});
