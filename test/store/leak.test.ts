// No leaks without destroy(): in a child process with --expose-gc, 10,000 cycles that create, use
// and drop ZStores, ZCaches and pools (never destroyed) leave the process-wide shrinker registry
// at its baseline (no shrinker, no usage) and RSS within 10 MiB of where it started (after a
// warm-up). The child runs with a fixed young generation (--max-semi-space-size=8): Node 22 and 24
// otherwise grow the new space to ~130 MiB under this allocation pattern and keep it, which is V8
// sizing, not retained memory (heapUsed stays flat). It also runs with one glibc malloc arena
// (MALLOC_ARENA_MAX=1): V8's background threads otherwise allocate from arenas of their own, and
// what those keep cached depends on which thread ran when, not on what we retain (Node 24 under
// load: 8.2–9.4 MiB of growth with per-thread arenas, 6.3–6.9 MiB with one; heapTotal, heapUsed
// and arrayBuffers identical before and after in both). Also `using` and `destroy()`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShrinkerRegistry, ZCache, ZStore } from '../../src/index.js';
import { runChild } from '../helpers/rss.js';

interface LeakFigures {
  cycles: number;
  baselineShrinkers: number;
  shrinkersAfter: number;
  peakShrinkers: number;
  baselineUsage: number;
  usageAfter: number;
  rss0: number;
  rss1: number;
}

describe('no leaks without destroy()', () => {
  it('10,000 dropped stores, caches and pools: registry back at its baseline, RSS within 10 MiB', () => {
    const r = runChild<LeakFigures>(
      'test/children/store-leak.ts',
      ['10000'],
      ['--expose-gc', '--max-semi-space-size=8'],
      { MALLOC_ARENA_MAX: '1' },
    );
    assert.equal(r.cycles, 10000);
    assert.ok(r.peakShrinkers > 0, 'the dropped objects were registered while alive');
    assert.equal(r.shrinkersAfter, r.baselineShrinkers, 'every collected shrinker was unregistered');
    assert.equal(r.usageAfter, r.baselineUsage, 'usage figures dropped what was collected');
    const grew = r.rss1 - r.rss0;
    assert.ok(grew < 10 * 2 ** 20, `RSS grew by ${(grew / 2 ** 20).toFixed(1)} MiB`);
  });

  it('`using` and destroy() give the memory back at once and unregister', () => {
    const reg = new ShrinkerRegistry();
    let seen: ZStore<number, string> | undefined;
    {
      using s = new ZStore<number, string>({ encoding: 'string', shrinkers: reg });
      s.set(1, 'x'.repeat(5000));
      seen = s;
      assert.equal(reg.list().length, 1);
    }
    assert.equal(reg.list().length, 0);
    assert.throws(() => seen?.get(1), { code: 'ERR_ZS_DESTROYED' });
    const c = new ZCache<string, string>({ max: 3, shrinkers: reg });
    assert.deepEqual(
      reg.list().map((x) => x.name.split(':')[0]),
      ['zspool', 'zcache'],
    );
    c[Symbol.dispose]();
    assert.equal(reg.list().length, 0);
    assert.throws(() => c.get('a'), { code: 'ERR_ZS_DESTROYED' });
  });
});
