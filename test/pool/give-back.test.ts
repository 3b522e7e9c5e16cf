// Time-bounded give-back: every step of compactAsync's give-back (defragmenting moves, arena
// cuts) is bounded by the slice, so a large cut becomes many small `resize` calls. Counted in
// calls, pages and bytes — never in wall-clock time (where a clock is needed, it is one that only
// `resize` advances).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool } from '../../src/index.js';
import { PageStore } from '../../src/internals.js';

function fragmented() {
  const pool = createPool({ shrinkers: null });
  const hs: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const h = pool.malloc(3000 + (i % 7) * 100);
    pool.write(h, new Uint8Array(3000).fill(i & 0xff));
    hs.push(h);
  }
  for (let i = 0; i < hs.length; i++) if (i % 3 !== 0) pool.free(hs[i]);
  return { pool, keep: hs.filter((_, i) => i % 3 === 0) };
}

describe('time-bounded give-back', () => {
  it('compactAsync with a tiny slice cuts the arena in many small steps and returns the memory', async () => {
    const { pool, keep } = fragmented();
    const committed0 = pool.stats().pages_committed;
    const cuts: number[] = [];
    const resize = ArrayBuffer.prototype.resize;
    ArrayBuffer.prototype.resize = function (this: ArrayBuffer, n: number) {
      if (n < this.byteLength) cuts.push(this.byteLength - n);
      return resize.call(this, n);
    };
    let r: Awaited<ReturnType<typeof pool.compactAsync>>;
    try {
      r = await pool.compactAsync({ sliceMs: 0.01 });
    } finally {
      ArrayBuffer.prototype.resize = resize;
    }
    const s = pool.stats();
    assert.ok(r.slices > 10, `${r.slices} slices`);
    assert.ok(cuts.length > 1, `${cuts.length} cuts`);
    const returned = cuts.reduce((a, b) => a + b, 0);
    assert.equal(returned, (committed0 - s.pages_committed) * 4096);
    assert.equal(r.bytesReturned, returned);
    assert.ok(committed0 - s.pages_committed > committed0 / 2, `${committed0} → ${s.pages_committed}`);
    // No single cut took everything at once.
    assert.ok(Math.max(...cuts) < returned, 'the give-back was split');
    for (let j = 0; j < keep.length; j++) assert.equal(pool.read(keep[j])[0], (j * 3) & 0xff);
    pool.destroy();
  });

  it('a timed trim splits a large cut into steps that each fit the slice (counting clock)', () => {
    // The clock advances only inside `resize`: 0.01 ms per page cut, so a 2 ms slice holds 200.
    const PER_PAGE = 0.01;
    let clock = 0;
    const store = new PageStore({ autoTrim: false, clock: () => clock });
    const starts: number[] = [];
    for (let i = 0; i < 1000; i++) starts.push(store.allocRun(4, i));
    const written = 4000; // pages ever written; the growth step above them was only committed
    const committed0 = store.stats().pages_committed;
    assert.ok(committed0 > written, `committed ${committed0}`);
    for (let i = 1; i < 1000; i++) store.freeRun(starts[i], 4);
    const cuts: { from: number; to: number }[] = [];
    const resize = ArrayBuffer.prototype.resize;
    ArrayBuffer.prototype.resize = function (this: ArrayBuffer, n: number) {
      if (n < this.byteLength) {
        cuts.push({ from: this.byteLength / 4096, to: n / 4096 });
        clock += ((this.byteLength - n) / 4096) * PER_PAGE;
      }
      return resize.call(this, n);
    };
    let steps = 0;
    let returned = 0;
    try {
      for (;;) {
        returned += store.trim(Number.POSITIVE_INFINITY, clock + 2);
        steps++;
        if (store.trimDone) break;
        assert.ok(steps < 1000);
      }
    } finally {
      ArrayBuffer.prototype.resize = resize;
    }
    assert.equal(store.stats().pages_committed, 4);
    assert.equal(returned, (committed0 - 4) * 4096);
    const total = committed0 - 4;
    // Every cut fits the 2 ms slice, so there are at least total / 200 of them, one per call.
    for (const c of cuts) assert.ok(c.from - c.to <= 200, `a cut of ${c.from - c.to} pages`);
    assert.ok(cuts.length >= Math.ceil(total / 200), `${cuts.length} cuts of ${total} pages`);
    assert.ok(steps >= Math.ceil(total / 200), `${steps} steps`);
    // The never-written top goes first and on its own: no cut crosses the written boundary.
    for (const c of cuts) assert.ok(c.to >= written || c.from <= written, `cut ${c.from} → ${c.to}`);
    assert.equal(cuts[0].from, committed0);
    assert.ok(cuts[0].from - cuts[0].to <= 16, 'the first never-written step is small');
    assert.ok(
      cuts.some((c) => c.to === written),
      'a step ends exactly at the written boundary',
    );
  });

  it('one cut stretched by preemption barely shrinks the next steps', () => {
    let clock = 0;
    const store = new PageStore({ autoTrim: false, clock: () => clock });
    const starts: number[] = [];
    for (let i = 0; i < 2048; i++) starts.push(store.allocRun(4, i));
    for (let i = 1; i < 2048; i++) store.freeRun(starts[i], 4);
    const calls: number[][] = []; // the cuts of each timed trim call, in pages
    const resize = ArrayBuffer.prototype.resize;
    let k = 0;
    ArrayBuffer.prototype.resize = function (this: ArrayBuffer, n: number) {
      if (n < this.byteLength) {
        const pages = (this.byteLength - n) / 4096;
        calls[calls.length - 1].push(pages);
        // 0.01 ms per page, but the fourth cut is preempted for 50 ms.
        clock += pages * 0.01 + (++k === 4 ? 50 : 0);
      }
      return resize.call(this, n);
    };
    try {
      for (let steps = 0; steps < 1000; steps++) {
        calls.push([]);
        store.trim(Number.POSITIVE_INFINITY, clock + 2);
        if (store.trimDone) break;
      }
    } finally {
      ArrayBuffer.prototype.resize = resize;
    }
    assert.equal(store.stats().pages_committed, 4);
    // Each call fills its 2 ms slice: 200 pages. The call with the stretched cut is the first to
    // hold the fourth cut; the next call's first cut is at most a fifth smaller, the one after whole.
    let i = 0;
    for (let seen = calls[0].length; seen < 4; seen += calls[i].length) i++;
    assert.ok(i >= 0 && i + 2 < calls.length, `${calls.length} calls`);
    assert.ok(calls[i + 1][0] >= 150, `the cut after a preempted one took ${calls[i + 1][0]} pages`);
    assert.ok(calls[i + 2][0] >= 190, `the next call's first cut took ${calls[i + 2][0]} pages`);
    for (const c of calls.slice(1, -1)) {
      assert.equal(
        c.reduce((x, y) => x + y, 0),
        200,
        `every full call cuts one slice's worth: ${c}`,
      );
    }
  });

  it('defragment with a past deadline moves one run per call, and resumes', () => {
    const store = new PageStore({ autoTrim: false });
    const moved = new Map<number, number>();
    const owner = { canMove: () => true, moved: (o: number, p: number) => moved.set(o, p) };
    const starts: number[] = [];
    for (let i = 0; i < 200; i++) starts.push(store.allocRun(4, i));
    for (let i = 0; i < 200; i += 2) store.freeRun(starts[i], 4);
    let calls = 0;
    let total = 0;
    for (;;) {
      const m = store.defragment(owner, Number.POSITIVE_INFINITY, 0); // deadline long past
      calls++;
      total += m;
      assert.ok(m <= 4, `one run per call, moved ${m}`);
      if (store.defragmentDone) break;
      assert.ok(calls < 1000);
    }
    assert.ok(calls > 10, `${calls} calls`);
    assert.ok(total >= 200, `moved ${total} pages`);
    // Packed solid: the trim leaves exactly the used pages committed.
    const c = store.stats().pages_committed;
    assert.equal(store.trim(), (c - 400) * 4096);
    assert.equal(store.stats().pages_committed, 400);
  });
});
