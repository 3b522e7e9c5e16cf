// Handles: another pool's handle, a stale one or a forged number is never taken for a live object.
// The handle format makes a foreign handle's acceptance a count / 2^50 event (see handle-table.ts);
// here it is measured over millions of handles from pools created one after another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, type ZsPool } from '../../src/index.js';
import { HandleTable } from '../../src/pool/handle-table.js';

/** A pool with `live` objects whose entries have been reused `rounds` times; all handles issued. */
function churned(live: number, rounds: number): { pool: ZsPool; issued: number[]; current: number[] } {
  const pool = createPool({ shrinkers: null });
  const issued: number[] = [];
  let current: number[] = [];
  for (let i = 0; i < live; i++) current.push(pool.malloc(16 + (i % 200)));
  issued.push(...current);
  for (let r = 0; r < rounds; r++) {
    // Free every other object and allocate again: the freed entries are reused (new generation).
    const next: number[] = [];
    for (let i = 0; i < current.length; i++) {
      if ((i + r) % 2 === 0) {
        pool.free(current[i]);
        const h = pool.malloc(16 + (i % 200));
        issued.push(h);
        next.push(h);
      } else {
        next.push(current[i]);
      }
    }
    current = next;
  }
  return { pool, issued, current };
}

describe('handles', () => {
  it("consecutive pools: none of A's reused handles is accepted by B (was 50 %)", () => {
    const a = createPool({ shrinkers: null });
    const b = createPool({ shrinkers: null });
    const bHandles: number[] = [];
    for (let i = 0; i < 4000; i++) bHandles.push(b.malloc(32));
    const aHandles: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const h = a.malloc(32);
      a.free(h);
      aHandles.push(a.malloc(32)); // one reuse of the entry
    }
    let accepted = 0;
    for (const h of aHandles) {
      if (b.handles.lookup(h) >= 0) accepted++;
    }
    assert.equal(accepted, 0);
    for (const h of aHandles.slice(0, 200)) {
      assert.throws(
        () => b.free(h),
        (e: { code: string }) => e.code.startsWith('ERR_ZS_'),
      );
    }
    assert.equal(b.liveObjects, 4000);
    a.destroy();
    b.destroy();
  });

  it('millions of foreign handles: acceptances counted, none (expected < 10^-3)', (t) => {
    // 8 pools created in a row, 32k live objects each, entries reused up to 3 times: ~80k issued
    // handles per pool, each looked up in the 7 others ≈ 4.5M lookups. Each is accepted with
    // probability count / 2^50 = 2^15 / 2^50 ≈ 2.9e-11, so ~1.3e-4 acceptances are expected.
    const pools = Array.from({ length: 8 }, () => churned(1 << 15, 3));
    let lookups = 0;
    let accepted = 0;
    let stale = 0;
    for (let x = 0; x < pools.length; x++) {
      for (let y = 0; y < pools.length; y++) {
        if (x === y) continue;
        const table = pools[y].pool.handles;
        for (const h of pools[x].issued) {
          const r = table.lookup(h);
          lookups++;
          if (r >= 0) accepted++;
          else if (r === -2) stale++;
        }
      }
    }
    t.diagnostic(`${lookups} lookups, ${accepted} accepted, ${stale} taken for stale`);
    assert.ok(lookups > 4_000_000);
    assert.equal(accepted, 0);
    // Every pool still knows its own handles: current ones live, replaced ones stale or freed.
    for (const { pool, issued, current } of pools) {
      const live = new Set(current);
      for (const h of issued) {
        const r = pool.handles.lookup(h);
        if (live.has(h)) assert.ok(r >= 0);
        else assert.ok(r === -2 || r === -3, `own replaced handle ${h}: ${r}`);
      }
      pool.destroy();
    }
  });

  it('forged numbers near a live handle are rejected', () => {
    const { pool, current } = churned(1000, 2);
    let accepted = 0;
    const live = new Set(current);
    for (const h of current) {
      // Below 2^50 a double has 3 fractional bits: h + 0.5 or h + 0.1 is never h itself.
      assert.ok(h < 2 ** 50 && h + 0.5 !== h && h + 0.1 !== h);
      for (const d of [-2, -1, 1, 2, 0.5, 0.1, -0.5, 2 ** 22, -(2 ** 22), 2 ** 30]) {
        const f = h + d;
        if (!live.has(f) && pool.handles.lookup(f) >= 0) accepted++;
      }
    }
    assert.equal(accepted, 0);
    for (const bad of [
      0,
      -0,
      2 ** 50,
      2 ** 53,
      2 ** 53 - 1,
      current[0] + 0.1,
      -1,
      0.5,
      current[0] + 0.5,
      Number.MAX_SAFE_INTEGER,
    ]) {
      if (live.has(bad)) continue;
      assert.ok(pool.handles.lookup(bad) < 0, `${bad}`);
    }
    pool.destroy();
  });

  it('the same keys give the same handles; handleOf and lookup are inverse', () => {
    const keys = { k1: 0x7fffffff, k2: 12345 };
    const t1 = new HandleTable(4, keys);
    const t2 = new HandleTable(4, keys);
    for (let i = 0; i < 100; i++) {
      const a = t1.alloc(0, i, 10);
      const b = t2.alloc(0, i, 10);
      assert.equal(t1.handleOf(a), t2.handleOf(b));
      assert.equal(t1.lookup(t1.handleOf(a)), a);
      assert.ok(Number.isSafeInteger(t1.handleOf(a)) && t1.handleOf(a) > 0);
    }
    // Generations: every reuse gives a new number, the old one is stale.
    const i = 7;
    const seen = new Set<number>();
    let prev = t1.handleOf(i);
    for (let g = 0; g < 1000; g++) {
      t1.free(i);
      assert.equal(t1.alloc(0, i, 10), i);
      const h = t1.handleOf(i);
      assert.ok(!seen.has(h));
      seen.add(h);
      assert.equal(t1.lookup(prev), -2);
      prev = h;
    }
  });
});
