// FreeRunTree against a brute-force model, and PageStore (runs, moves, trims) against a model of
// which bytes each run holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FreeRunTree, type PageOwner, PageStore } from '../../src/internals.js';

function lowestRun(free: boolean[], n: number, segment: number): number {
  for (let s = 0; s + n <= free.length; s++) {
    if (Math.floor(s / segment) !== Math.floor((s + n - 1) / segment)) continue;
    let ok = true;
    for (let i = s; i < s + n && ok; i++) ok = free[i];
    if (ok) return s;
  }
  return -1;
}

describe('FreeRunTree', () => {
  it('findLowest / findFreeFrom / findUsedFrom / freeTail agree with a brute-force model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 9 }), fc.boolean()), {
          maxLength: 60,
          size: 'max',
        }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat(260)), {
          minLength: 1,
          maxLength: 20,
          size: 'max',
        }),
        (segShift, ops, queries) => {
          const segment = 2 ** segShift;
          const tree = new FreeRunTree(segShift, 64);
          tree.grow(256);
          const free = new Array<boolean>(256).fill(true);
          for (const [start, n, f] of ops) {
            if (start + n > 256) continue;
            tree.set(start, n, f);
            for (let i = start; i < start + n; i++) free[i] = f;
          }
          for (const [n, from] of queries) {
            assert.equal(tree.findLowest(n), n <= segment ? lowestRun(free, n, segment) : -1);
            const ff = free.findIndex((x, i) => i >= from && x);
            assert.equal(tree.findFreeFrom(from), ff);
            const fu = free.findIndex((x, i) => i >= from && !x);
            assert.equal(tree.findUsedFrom(from), fu);
          }
          for (let seg = 0; seg * segment < 256; seg++) {
            let tail = 0;
            for (let i = (seg + 1) * segment - 1; i >= seg * segment && free[i]; i--) tail++;
            assert.equal(tree.freeTail(seg), tail);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('FreeRunTree.setManyFree', () => {
  it('frees many runs at once exactly like freeing them one by one (incremental and rebuild paths)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(fc.nat(250), fc.integer({ min: 1, max: 8 })), { maxLength: 80, size: 'max' }),
        fc.array(fc.boolean(), { maxLength: 80, size: 'max' }),
        (segShift, runs, pick) => {
          const segment = 2 ** segShift;
          const a = new FreeRunTree(segShift, 256);
          const b = new FreeRunTree(segShift, 256);
          const free = new Array<boolean>(256).fill(true);
          // Mark runs used (within bounds and segments), then free a chosen subset in bulk.
          const used: [number, number][] = [];
          for (const [s0, n] of runs) {
            if (s0 + n > 256 || Math.floor(s0 / segment) !== Math.floor((s0 + n - 1) / segment)) continue;
            a.set(s0, n, false);
            b.set(s0, n, false);
            for (let i = s0; i < s0 + n; i++) free[i] = false;
            used.push([s0, n]);
          }
          const chosen = used.filter((_, i) => pick[i % Math.max(1, pick.length)] ?? true);
          const starts = Int32Array.from(chosen.map((r) => r[0]));
          const lens = Int32Array.from(chosen.map((r) => r[1]));
          a.setManyFree(starts, lens, chosen.length);
          for (const [s0, n] of chosen) {
            b.set(s0, n, true);
            for (let i = s0; i < s0 + n; i++) free[i] = true;
          }
          for (let n = 1; n <= segment; n++) {
            assert.equal(a.findLowest(n), b.findLowest(n));
            assert.equal(a.findLowest(n), lowestRun(free, n, segment));
          }
          for (let p = 0; p < 256; p += 7) {
            assert.equal(a.findFreeFrom(p), b.findFreeFrom(p));
            assert.equal(a.findUsedFrom(p), b.findUsedFrom(p));
          }
          for (let seg = 0; seg * segment < 256; seg++) assert.equal(a.freeTail(seg), b.freeTail(seg));
        },
      ),
      { numRuns: 300 },
    );
  });
});

interface Run {
  start: number;
  n: number;
  seed: number;
}

function fillRun(store: PageStore, r: Run): void {
  const v = store.views[store.arenaOf(r.start)];
  const off = store.offsetOf(r.start);
  const bytes = new Uint8Array(r.n * store.pageSize);
  for (let i = 0; i < bytes.length; i += 61) bytes[i] = (r.seed + i) & 255;
  v.set(bytes, off);
}

function checkRun(store: PageStore, r: Run): void {
  const v = store.views[store.arenaOf(r.start)];
  const off = store.offsetOf(r.start);
  for (let i = 0; i < r.n * store.pageSize; i += 61) {
    if (v[off + i] !== ((r.seed + i) & 255)) assert.fail(`run ${r.seed} byte ${i} changed`);
  }
}

describe('PageStore', () => {
  it('allocates lowest first, moves runs down keeping their bytes, and trims to the used top', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(0), fc.constant(-1)), {
          maxLength: 120,
        }),
        fc.array(fc.nat(), { maxLength: 6, size: 'max' }),
        (ops, pinPicks) => {
          // 1 MiB arenas of 4 KiB pages: 256 pages each, so runs spread over several arenas.
          const store = new PageStore({ arenaBytes: 1 << 20, growBytes: 4096 * 4 });
          const runs = new Map<number, Run>();
          let next = 0;
          const pinned = new Set<number>();
          const owner: PageOwner = {
            canMove: (o) => !pinned.has(o),
            moved: (o, page) => {
              runs.get(o)!.start = page;
            },
          };
          for (const op of ops) {
            if (op > 0) {
              for (let k = 0; k < 40; k++) {
                const id = next++;
                const start = store.allocRun(op, id);
                assert.ok(start >= 0);
                const r = { start, n: op, seed: id * 7 };
                runs.set(id, r);
                fillRun(store, r);
              }
            } else if (op === 0 && runs.size > 0) {
              // free every third run
              let i = 0;
              for (const [id, r] of [...runs]) {
                if (i++ % 3 === 0) {
                  store.freeRun(r.start, r.n);
                  runs.delete(id);
                }
              }
            } else if (op === -1) {
              const ids = [...runs.keys()];
              pinned.clear();
              for (const p of pinPicks) if (ids.length) pinned.add(ids[p % ids.length]);
              store.defragment(owner);
              store.trim();
              let used = 0;
              for (const r of runs.values()) used += r.n;
              assert.equal(store.pagesUsed, used);
              if (pinned.size === 0) {
                // Packed solid: nothing committed beyond the runs, except tail gaps of arenas.
                const st = store.stats();
                assert.ok(st.pages_committed - used <= 8 * st.arenas, `${st.pages_committed} vs ${used}`);
              }
            }
            // No two runs overlap; every owner page maps back to its run.
            const seen = new Set<number>();
            for (const [id, r] of runs) {
              for (let p = r.start; p < r.start + r.n; p++) {
                assert.ok(!seen.has(p), 'overlap');
                seen.add(p);
                assert.equal(store.ownerOf(p), id);
              }
              assert.equal(store.arenaOf(r.start), store.arenaOf(r.start + r.n - 1), 'run crosses an arena');
            }
          }
          for (const r of runs.values()) checkRun(store, r);
          store.destroy();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses runs beyond maxPages without changing anything', () => {
    const store = new PageStore({ maxPages: 10 });
    assert.equal(store.allocRun(8, 1), 0);
    assert.equal(store.allocRun(4, 2), -1);
    assert.equal(store.pagesUsed, 8);
    assert.equal(store.allocRun(2, 3), 8);
  });

  it('rejects bad options with ERR_ZS_BAD_ARGUMENT', () => {
    assert.throws(() => new PageStore({ pageSize: 8192 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => new PageStore({ arenaBytes: 3 << 20 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => new PageStore({ arenaBytes: 2 ** 31 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
  });

  it('cuts the arena top on free once enough lies free above the highest used page', () => {
    const store = new PageStore({ growBytes: 64 * 4096 });
    const starts: number[] = [];
    for (let i = 0; i < 100; i++) starts.push(store.allocRun(4, i));
    const committed = store.stats().pages_committed;
    assert.ok(committed >= 400);
    for (let i = 99; i >= 10; i--) store.freeRun(starts[i], 4);
    const st = store.stats();
    // Cut to top + one step once more than two steps lie free above the top.
    assert.ok(st.pages_committed <= 40 + 2 * 64, `committed ${st.pages_committed}`);
    assert.ok(st.pages_committed < committed);
    assert.ok(st.bytes_returned > 0);
  });

  it('an arena the runtime cannot reserve is ERR_ZS_LIMIT (-ENOMEM), not a raw RangeError', () => {
    const Real = globalThis.ArrayBuffer;
    class Refusing extends Real {
      constructor(n: number, o?: { maxByteLength?: number }) {
        if (o?.maxByteLength !== undefined) throw new RangeError('Array buffer allocation failed');
        super(n);
      }
    }
    globalThis.ArrayBuffer = Refusing as ArrayBufferConstructor;
    try {
      assert.throws(() => new PageStore(), { code: 'ERR_ZS_LIMIT', errno: -12 });
    } finally {
      globalThis.ArrayBuffer = Real;
    }
  });

  it('a background cut the runtime refuses is caught: no unhandled rejection, the next trim cuts', async () => {
    const store = new PageStore({ growBytes: 4096, autoTrimMaxBytes: 4096 });
    const starts: number[] = [];
    for (let i = 0; i < 64; i++) starts.push(store.allocRun(4, i));
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    const resize = ArrayBuffer.prototype.resize;
    let refused = 0;
    try {
      // The free cuts one page at once and schedules the rest; the scheduled cut is refused.
      for (let i = 63; i >= 1; i--) store.freeRun(starts[i], 4);
      ArrayBuffer.prototype.resize = function (this: ArrayBuffer) {
        refused++;
        throw new RangeError('refused');
      };
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    } finally {
      ArrayBuffer.prototype.resize = resize;
    }
    await new Promise((r) => setTimeout(r, 10));
    process.off('unhandledRejection', onRejection);
    assert.ok(refused > 0, 'the background cut ran and was refused');
    assert.deepEqual(rejections, []);
    store.trim();
    assert.equal(store.stats().pages_committed, 4);
  });
});
