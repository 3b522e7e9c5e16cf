// Idle-time give-back: after a burst of frees and a quiet period, the pool gives memory back by
// itself. Progress is counted in polls and pages, never in wall-clock time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool } from '../../src/index.js';

const poll = () => new Promise((r) => setTimeout(r, 25));

function burst(idleMs: number) {
  const pool = createPool({ shrinkers: null, idleMs });
  const hs: number[] = [];
  for (let i = 0; i < 6000; i++) hs.push(pool.malloc(3000));
  // Free every other object: the holes stay committed, no arena top becomes free by itself.
  for (let i = 0; i < hs.length; i += 2) pool.free(hs[i]);
  return { pool, hs };
}

describe('idle-time give-back', () => {
  it('memory freed in a burst leaves the arenas once the pool is idle', async () => {
    const { pool, hs } = burst(20);
    const committed0 = pool.stats().pages_committed;
    const reclaimable0 = pool.reclaimablePages();
    assert.ok(reclaimable0 > 1000, `reclaimable ${reclaimable0}`);
    let polls = 0;
    while (pool.reclaimablePages() > reclaimable0 / 10 && polls < 400) {
      await poll();
      polls++;
    }
    const s = pool.stats();
    assert.ok(s.compact_calls >= 1, 'the pool compacted by itself');
    assert.ok(
      committed0 - s.pages_committed >= reclaimable0 * 0.8,
      `gave back ${committed0 - s.pages_committed} of ${reclaimable0} pages`,
    );
    for (let i = 1; i < hs.length; i += 2) assert.equal(pool.size(hs[i]), 3000);
    pool.destroy();
  });

  it('off by default: nothing happens without being asked', async () => {
    const { pool } = burst(0);
    const before = pool.reclaimablePages();
    for (let i = 0; i < 8; i++) await poll();
    assert.equal(pool.stats().compact_calls, 0);
    assert.equal(pool.reclaimablePages(), before);
    pool.destroy();
  });

  it('destroy cancels the timer; bad values are rejected', async () => {
    const { pool } = burst(10);
    pool.destroy();
    for (let i = 0; i < 4; i++) await poll();
    for (const v of [-1, 1.5, Number.NaN, '5', null, 2 ** 31]) {
      assert.throws(() => createPool({ shrinkers: null, idleMs: v as number }), {
        code: 'ERR_ZS_BAD_ARGUMENT',
      });
    }
  });
});
