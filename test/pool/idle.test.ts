// Idle-time give-back: after a burst of frees and a quiet period, the pool gives memory back by
// itself; it never starts while malloc/free go on, and stops between two slices when they
// resume. Progress is counted in polls, turns and pages, never in wall-clock time (where timers
// matter, they are node:test's mock timers, advanced by hand).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const poll = () => new Promise((r) => setTimeout(r, 25));
/** One event-loop turn (setImmediate is not mocked). */
const turn = () => new Promise((r) => setImmediate(r));

function burst(idleMs: number, sliceMs?: number) {
  const pool = createPool({ shrinkers: null, idleMs, sliceMs });
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

  it('never starts while a malloc or free comes within every idle period', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { pool } = burst(10);
    const reclaimable0 = pool.reclaimablePages();
    for (let i = 0; i < 50; i++) {
      t.mock.timers.tick(9);
      pool.free(pool.malloc(100)); // busy: the timer that fires next sees it and waits again
      t.mock.timers.tick(1);
    }
    assert.equal(pool.stats().compact_calls, 0);
    assert.equal(pool.reclaimablePages(), reclaimable0);
    // One quiet period: it starts (its first slice runs inside the timer's callback).
    t.mock.timers.tick(10);
    assert.equal(pool.stats().compact_calls, 1);
    pool.destroy();
  });

  it('a malloc between two slices stops it; it starts again after the next quiet period', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    // Slices of a microsecond: every step of the work is a slice of its own.
    const { pool, hs } = burst(10, 0.001);
    const reclaimable0 = pool.reclaimablePages();
    // The timer armed by the burst's first free sees the later frees, and waits one more period.
    t.mock.timers.tick(10);
    assert.equal(pool.stats().compact_calls, 0);
    t.mock.timers.tick(10);
    assert.equal(pool.stats().compact_calls, 1, 'the idle give-back started');
    hs.push(pool.malloc(100)); // work resumes
    for (let i = 0; i < 3; i++) await turn();
    const stopped = pool.reclaimablePages();
    assert.ok(stopped > reclaimable0 / 2, `it stopped early: ${stopped} of ${reclaimable0} pages left`);
    // Stopped, not merely slow: 200 more event-loop turns change nothing.
    for (let i = 0; i < 200; i++) await turn();
    assert.equal(pool.reclaimablePages(), stopped);
    assert.equal(pool.stats().compact_calls, 1);
    // The next quiet period starts it again, and this time it finishes.
    t.mock.timers.tick(10);
    assert.equal(pool.stats().compact_calls, 2);
    let turns = 0;
    while (pool.reclaimablePages() > reclaimable0 / 10 && turns < 1_000_000) {
      await turn();
      turns++;
    }
    assert.ok(pool.reclaimablePages() <= reclaimable0 / 10, `${pool.reclaimablePages()} pages left`);
    assert.equal(pool.stats().compact_calls, 2);
    for (let i = 1; i < 6000; i += 2) assert.equal(pool.size(hs[i]), 3000);
    pool.destroy();
  });

  it('its timer does not keep the process alive', () => {
    // The child arms a 10-minute idle timer and ends; a ref'd timer would hold it open until the
    // spawn timeout kills it.
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'idle-pool-child.ts')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.signal, null, 'the child had to be killed: something kept it alive');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as {
      reclaimable: number;
      compactCalls: number;
      refTimers: number;
    };
    assert.ok(out.reclaimable > 0, 'there was memory to give back');
    assert.equal(out.compactCalls, 0);
    assert.equal(out.refTimers, 0);
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
