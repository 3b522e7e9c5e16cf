// The sync/async driver: both runners give the generator the same answers and return its result;
// the async one awaits promise answers and yields to the event loop by the slice clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runAsync, runSync, type SliceStats } from '../../src/util/drive.js';

/** Asks for the square of each number in `xs` and sums the answers; logs what it was told. */
function* sumSquares(xs: number[], log: number[]): Generator<number, number, number> {
  let sum = 0;
  for (const x of xs) {
    const sq = yield x;
    log.push(sq);
    sum += sq;
  }
  return sum;
}

describe('drive', () => {
  it('runSync and runAsync feed the same answers and return the same result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 50 }), async (xs) => {
        const a: number[] = [];
        const b: number[] = [];
        const c: number[] = [];
        const want = xs.reduce((s, x) => s + x * x, 0);
        assert.equal(
          runSync(sumSquares(xs, a), (x) => x * x),
          want,
        );
        assert.equal(await runAsync(sumSquares(xs, b), (x) => x * x), want);
        assert.equal(await runAsync(sumSquares(xs, c), async (x) => x * x), want);
        assert.deepEqual(
          a,
          xs.map((x) => x * x),
        );
        assert.deepEqual(b, a);
        assert.deepEqual(c, a);
      }),
    );
  });

  it('runAsync without slicing never gives the event loop a turn for synchronous answers', async () => {
    let turns = 0;
    const timer = setImmediate(() => turns++);
    await runAsync(sumSquares([1, 2, 3, 4, 5], []), (x) => x * x);
    assert.equal(turns, 0);
    clearImmediate(timer);
  });

  it('slices by the clock: a turn each time a slice reaches sliceMs, none after the last step', async () => {
    let t = 0;
    const now = () => t;
    const stats: SliceStats = { slices: 0, longestSliceMs: 0 };
    const xs = Array.from({ length: 10 }, (_, i) => i);
    const r = await runAsync(
      sumSquares(xs, []),
      (x) => {
        t += 1; // each step takes 1 ms on the fake clock
        return x * x;
      },
      { sliceMs: 3, now, stats },
    );
    assert.equal(r, 285);
    // 10 steps of 1 ms in slices of 3: yields after steps 3, 6, 9; step 10 is the last slice.
    assert.equal(stats.slices, 4);
    assert.equal(stats.longestSliceMs, 3);
  });

  it('an exception in a step reaches the caller of either runner', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    assert.throws(() => runSync(sumSquares([1], []), boom), /boom/);
    await assert.rejects(runAsync(sumSquares([1], []), boom), /boom/);
    await assert.rejects(
      runAsync(sumSquares([1], []), async () => Promise.reject(new Error('async boom'))),
      /async boom/,
    );
  });
});
