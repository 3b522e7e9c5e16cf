// Model-based property test: random malloc / free / write / read / map / unmap against a plain
// Map of expected bytes, with compaction (sync and time-sliced, with operations running between
// slices), trims, shrinker passes and pins interleaved. All profiles; 4 KiB and 16 KiB pages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type CompactResult, createPool, ShrinkerRegistry, type ZsPool } from '../../src/index.js';
import { PROFILE_NAMES, yieldToEventLoop } from '../../src/internals.js';

type Op =
  | { k: 'malloc'; size: number; fill: number; count: number }
  | { k: 'free'; pick: number }
  | { k: 'write'; pick: number; at: number; len: number; fill: number }
  | { k: 'read'; pick: number }
  | { k: 'map'; pick: number; fill: number }
  | { k: 'unmap'; pick: number }
  | { k: 'compact' }
  | { k: 'startAsync'; sliceUs: number }
  | { k: 'tick' }
  | { k: 'trim' }
  | { k: 'shrink'; priority: number }
  | { k: 'bulkFree'; every: number };

function opArb(pageSize: number): fc.Arbitrary<Op> {
  // Few sizes, many objects each: classes fill and fragment, so compaction has work to do.
  const size = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(24, 100, 700, 1500, pageSize >> 1, pageSize) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 200 }) },
    { weight: 4, arbitrary: fc.integer({ min: 200, max: pageSize >> 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: pageSize >> 1, max: pageSize }) },
  );
  return fc.oneof(
    {
      weight: 30,
      arbitrary: fc.record({
        k: fc.constant('malloc' as const),
        size,
        fill: fc.nat(255),
        count: fc.integer({ min: 1, max: 40 }),
      }),
    },
    { weight: 12, arbitrary: fc.record({ k: fc.constant('free' as const), pick: fc.nat() }) },
    {
      weight: 6,
      arbitrary: fc.record({
        k: fc.constant('write' as const),
        pick: fc.nat(),
        at: fc.nat(),
        len: fc.nat(),
        fill: fc.nat(255),
      }),
    },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('read' as const), pick: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc.record({ k: fc.constant('map' as const), pick: fc.nat(), fill: fc.nat(255) }),
    },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('unmap' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.constant({ k: 'compact' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('startAsync' as const),
        sliceUs: fc.integer({ min: 1, max: 300 }),
      }),
    },
    { weight: 6, arbitrary: fc.constant({ k: 'tick' as const }) },
    { weight: 1, arbitrary: fc.constant({ k: 'trim' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant('shrink' as const), priority: fc.integer({ min: 0, max: 12 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant('bulkFree' as const), every: fc.integer({ min: 2, max: 4 }) }),
    },
  );
}

function checkInvariants(pool: ZsPool, model: Map<number, Uint8Array>): void {
  const s = pool.stats();
  let pages = 0;
  let used = 0;
  let zspages = 0;
  for (const r of s.classes) {
    pages += r.pages_used;
    used += r.obj_used;
    zspages += r.zspages;
    assert.ok(r.freeable >= 0);
    assert.equal(
      r.fullness.reduce((a, b) => a + b, 0),
      r.zspages,
    );
  }
  assert.equal(pages, s.total_pages, 'Σ class pages = total pages');
  assert.equal(used, model.size, 'Σ obj_used = live objects');
  assert.equal(s.live_objects, model.size);
  assert.equal(zspages, s.zspages);
  assert.equal(pool.store.pagesUsed, s.total_pages);
  assert.ok(s.pages_committed >= s.total_pages);
}

function checkAll(pool: ZsPool, model: Map<number, Uint8Array>): void {
  for (const [h, exp] of model) {
    const got = pool.read(h);
    assert.equal(got.length, exp.length);
    if (Buffer.compare(got, exp) !== 0) assert.fail(`object ${h} differs`);
  }
}

async function run(profile: (typeof PROFILE_NAMES)[number], pageSize: number, ops: Op[]): Promise<number> {
  const reg = new ShrinkerRegistry();
  const pool = createPool({ profile, pageSize, shrinkers: reg, arenaBytes: 1 << 22 });
  const model = new Map<number, Uint8Array>();
  const handles: number[] = [];
  const mapped = new Map<number, Uint8Array>(); // handle → its live view
  let pending: Promise<CompactResult> | null = null;
  const pick = (n: number) => (handles.length ? handles[n % handles.length] : -1);
  for (const op of ops) {
    switch (op.k) {
      case 'malloc': {
        for (let i = 0; i < op.count; i++) {
          const h = pool.malloc(op.size);
          const b = new Uint8Array(op.size);
          for (let j = 0; j < b.length; j += 7) b[j] = op.fill + i + j;
          b[b.length - 1] = op.fill ^ i;
          pool.write(h, b);
          model.set(h, b);
          handles.push(h);
        }
        break;
      }
      case 'free': {
        const h = pick(op.pick);
        if (h < 0) break;
        if (mapped.has(h)) {
          assert.throws(() => pool.free(h), { code: 'ERR_ZS_PINNED' });
          break;
        }
        pool.free(h);
        model.delete(h);
        handles.splice(handles.indexOf(h), 1);
        assert.throws(() => pool.read(h), { code: 'ERR_ZS_STALE_HANDLE' });
        break;
      }
      case 'bulkFree': {
        for (const h of handles.filter((_, i) => i % op.every === 0)) {
          if (mapped.has(h)) continue;
          pool.free(h);
          model.delete(h);
        }
        handles.splice(0, handles.length, ...model.keys());
        break;
      }
      case 'write': {
        const h = pick(op.pick);
        if (h < 0) break;
        const exp = model.get(h)!;
        const at = op.at % exp.length;
        const len = op.len % (exp.length - at + 1);
        const data = new Uint8Array(len).fill(op.fill);
        pool.write(h, data, at);
        exp.set(data, at);
        break;
      }
      case 'read': {
        const h = pick(op.pick);
        if (h < 0) break;
        assert.deepEqual(pool.read(h), model.get(h));
        break;
      }
      case 'map': {
        const h = pick(op.pick);
        if (h < 0 || mapped.has(h)) break;
        const v = pool.map(h);
        assert.deepEqual(new Uint8Array(v), model.get(h));
        v[0] = op.fill; // writes through the view are the object's bytes
        model.get(h)![0] = op.fill;
        mapped.set(h, v);
        break;
      }
      case 'unmap': {
        const entries = [...mapped.keys()];
        if (entries.length === 0) break;
        const h = entries[op.pick % entries.length];
        // The view still shows the object until it is unmapped, whatever ran meanwhile.
        assert.deepEqual(new Uint8Array(mapped.get(h)!), model.get(h));
        pool.unmap(h);
        mapped.delete(h);
        break;
      }
      case 'compact': {
        const migrated = pool.stats({ classes: false }).objects_migrated;
        const predicted = pool.canCompact();
        const r = pool.compact();
        if (!r.ran) break; // an async compaction is running
        if (predicted === 0) assert.equal(pool.stats({ classes: false }).objects_migrated, migrated);
        if (mapped.size === 0) assert.equal(r.pagesFreed, predicted);
        break;
      }
      case 'startAsync': {
        if (pending === null) pending = pool.compactAsync({ sliceMs: op.sliceUs / 1000 });
        break;
      }
      case 'tick': {
        await yieldToEventLoop();
        break;
      }
      case 'trim': {
        pool.trim();
        break;
      }
      case 'shrink': {
        reg.shrink(op.priority);
        break;
      }
    }
    checkInvariants(pool, model);
  }
  if (pending) await pending;
  checkAll(pool, model);
  for (const h of mapped.keys()) pool.unmap(h);
  // Finally everything compactable goes and only the zspages stay committed.
  reg.shrinkAll();
  assert.equal(pool.canCompact(), 0);
  assert.equal(pool.stats({ classes: false }).pages_committed, pool.totalPages());
  checkAll(pool, model);
  const migrated = pool.stats({ classes: false }).objects_migrated;
  for (const h of model.keys()) pool.free(h);
  assert.equal(pool.totalPages(), 0);
  pool.destroy();
  return migrated;
}

describe('pool model', () => {
  for (const profile of PROFILE_NAMES) {
    for (const pageSize of [4096, 16384]) {
      it(`${profile}, ${pageSize}-byte pages: random operations never lose or corrupt a byte`, async () => {
        let migrated = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(opArb(pageSize), { minLength: 20, maxLength: 200, size: 'max' }),
            async (ops) => {
              migrated += await run(profile, pageSize, ops);
            },
          ),
          { numRuns: 40 },
        );
        // The runs exercised compaction for real.
        assert.ok(migrated > 200, `only ${migrated} objects migrated`);
      });
    }
  }
});
