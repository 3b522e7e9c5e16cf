// Time-bounded give-back: every step of compactAsync's give-back (defragmenting moves, arena
// cuts) is bounded by the slice, so a large cut becomes many small `resize` calls. Counted in
// calls, pages and bytes — never in wall-clock time.
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
