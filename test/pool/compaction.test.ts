// Compaction and the pool's shrinker: predicted vs freed pages, the early stop (no wasted
// migrations), the one-at-a-time guard, pins, return values per profile, LIFO slots and the
// list-insertion rules of each profile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, type ProfileName, SHRINK_STOP, ShrinkerRegistry, type ZsPool } from '../../src/index.js';
import { buildClassTable, getProfile } from '../../src/internals.js';
import { ZspageTable } from '../../src/pool/zspage-table.js';

const KERNEL_PROFILES: ProfileName[] = ['linux-4.3', 'linux-6.1', 'linux-6.12', 'default'];

/** Fills `n` objects of `size`, then frees those whose index satisfies `drop`. */
function fragment(pool: ZsPool, size: number, n: number, drop: (i: number) => boolean): Map<number, number> {
  const live = new Map<number, number>();
  const hs: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = pool.malloc(size);
    pool.write(h, new Uint8Array(size).fill(i & 255));
    hs.push(h);
  }
  hs.forEach((h, i) => {
    if (drop(i)) pool.free(h);
    else live.set(h, i & 255);
  });
  return live;
}

function checkLive(pool: ZsPool, live: Map<number, number>): void {
  for (const [h, v] of live) {
    const b = pool.read(h);
    if (!b.every((x) => x === v)) assert.fail(`handle ${h} lost its bytes`);
  }
}

describe('compaction', () => {
  for (const profile of KERNEL_PROFILES) {
    it(`${profile}: frees exactly Σ zs_can_compact, keeps every byte, then does nothing more`, () => {
      const pool = createPool({ profile, shrinkers: null });
      // Several classes, every other object freed: half the slots free everywhere.
      const live = new Map<number, number>();
      for (const size of [40, 200, 1000, 2000, 3000]) {
        for (const [h, v] of fragment(pool, size, 3000, (i) => i % 2 === 0)) live.set(h, v);
      }
      const predicted = pool.canCompact();
      assert.ok(predicted > 0);
      const before = pool.totalPages();
      const freed = pool.compact().pagesFreed;
      assert.equal(freed, predicted);
      assert.equal(pool.totalPages(), before - freed);
      assert.equal(pool.canCompact(), 0);
      checkLive(pool, live);
      const s = pool.stats();
      assert.equal(s.pages_compacted, freed);
      // Nothing more can be freed: a second compaction migrates nothing.
      const migrated = s.objects_migrated;
      assert.equal(pool.compact().pagesFreed, 0);
      assert.equal(pool.stats().objects_migrated, migrated);
      pool.destroy();
    });
  }

  it('stops before migrating anything when nothing can be freed (free slots spread thin)', () => {
    for (const profile of KERNEL_PROFILES) {
      const pool = createPool({ profile, shrinkers: null });
      // 1000-byte objects: one free slot in each of many zspages, fewer than objs_per_zspage in all.
      const cls = pool.classStats(pool.classTable.sizeToClass[1000]);
      const objs = cls!.objs_per_zspage;
      const n = objs * 3;
      fragment(pool, 1000, n, (i) => i % objs === 0); // one free slot per zspage, 3 in all
      assert.ok(objs > 3);
      assert.equal(pool.canCompact(), 0);
      assert.equal(pool.compact().pagesFreed, 0);
      assert.equal(pool.stats().objects_migrated, 0, `${profile} migrated objects for nothing`);
      pool.destroy();
    }
  });

  it("compact() returns this call's pages freed in every profile; pages_compacted sums them", () => {
    for (const profile of KERNEL_PROFILES) {
      const pool = createPool({ profile, shrinkers: null });
      fragment(pool, 500, 2000, (i) => i % 2 === 0);
      const first = pool.compact().pagesFreed;
      assert.ok(first > 0);
      fragment(pool, 500, 2000, (i) => i % 2 === 0);
      const second = pool.compact().pagesFreed;
      assert.ok(second > 0);
      assert.equal(first + second, pool.stats().pages_compacted);
      pool.destroy();
    }
  });

  it('only one compaction at a time: a second one started meanwhile returns 0', async () => {
    const pool = createPool({ shrinkers: null });
    fragment(pool, 300, 60000, (i) => i % 3 !== 0);
    const predicted = pool.canCompact();
    const running = pool.compactAsync({ sliceMs: 0.05 });
    const r1 = pool.compact();
    assert.equal(r1.ran, false);
    assert.equal(r1.pagesFreed, 0);
    const r2 = await pool.compactAsync();
    assert.equal(r2.ran, false);
    const r = await running;
    assert.ok(r.ran);
    assert.ok(r.slices > 1, 'ran in several slices');
    assert.equal(r.pagesFreed, predicted);
    pool.destroy();
  });

  it('mapped (pinned) zspages are never moved, by migration or by the page store', () => {
    for (const profile of KERNEL_PROFILES) {
      const pool = createPool({ profile, shrinkers: null });
      const live = fragment(pool, 700, 4000, (i) => i % 2 === 1);
      const pinned = [...live.keys()].filter((_, i) => i % 97 === 0);
      const views = pinned.map((h) => pool.map(h));
      const offsets = views.map((v) => v.byteOffset);
      pool.compact();
      pool.trim();
      views.forEach((v, i) => {
        assert.equal(v.byteOffset, offsets[i]);
        const again = pool.map(pinned[i]);
        assert.equal(again.byteOffset, offsets[i]);
        assert.equal(again.buffer, v.buffer);
        pool.unmap(pinned[i]);
      });
      checkLive(pool, live);
      for (const h of pinned) pool.unmap(h);
      // Unpinned, the rest can go now.
      pool.compact();
      assert.equal(pool.canCompact(), 0);
      checkLive(pool, live);
      pool.destroy();
    }
  });

  it('memory goes back: after compaction committed pages equal the pages in use', () => {
    const pool = createPool({ shrinkers: null });
    const live = fragment(pool, 1500, 20000, () => Math.random() < 0.5);
    const s0 = pool.stats({ classes: false });
    const r = pool.compact();
    const s1 = pool.stats({ classes: false });
    assert.ok(r.bytesReturned > 0);
    assert.equal(s1.pages_committed, s1.total_pages);
    assert.equal(s0.bytes_committed - s1.bytes_committed, r.bytesReturned);
    checkLive(pool, live);
    pool.destroy();
  });
});

describe('the pool shrinker', () => {
  it('registers as zspool:<name>, counts, scans, then answers SHRINK_STOP', () => {
    const reg = new ShrinkerRegistry();
    const pool = createPool({ name: 'cache', shrinkers: reg });
    assert.equal(reg.list()[0].name, 'zspool:cache');
    assert.equal(pool.shrinkerEnabled, true);
    const live = fragment(pool, 900, 10000, (i) => i % 4 !== 0);
    const sh = reg.list()[0];
    const sc = { nrToScan: 128, nrScanned: 128, priority: 0, targetBytes: Number.POSITIVE_INFINITY };
    const counted = sh.count(sc);
    assert.equal(counted, pool.reclaimablePages());
    assert.ok(counted > pool.canCompact());
    assert.equal(sh.scan(sc), counted);
    assert.equal(sh.count(sc), 0);
    assert.equal(sh.scan(sc), SHRINK_STOP);
    checkLive(pool, live);
    pool.destroy();
    assert.equal(reg.list().length, 0);
  });

  it('a failed registration is not fatal: the pool works and compacts by hand', () => {
    const full = new ShrinkerRegistry({ maxShrinkers: 0 });
    const pool = createPool({ shrinkers: full });
    assert.equal(pool.shrinkerEnabled, false);
    const live = fragment(pool, 600, 5000, (i) => i % 2 === 0);
    assert.ok(pool.compact().pagesFreed > 0);
    checkLive(pool, live);
    pool.destroy(); // must not try to unregister
    assert.equal(full.list().length, 0);
  });

  it('drop_caches (shrinkAll) and a priority reclaim compact a fragmented pool', () => {
    const reg = new ShrinkerRegistry();
    const pool = createPool({ shrinkers: reg });
    const events: string[] = [];
    reg.onShrink((e) => events.push(`${e.shrinker}:${e.priority}:${e.freed}`));
    fragment(pool, 2500, 20000, (i) => i % 2 === 0);
    const expect = pool.reclaimablePages();
    const r = reg.shrinkAll();
    assert.equal(r.freed, expect);
    assert.equal(pool.reclaimablePages(), 0);
    assert.ok(events.length >= 1 && events[0].startsWith(`zspool:${pool.name}:0:`));
    fragment(pool, 2500, 20000, (i) => i % 2 === 0);
    const r2 = reg.reclaim({ minPriority: 0 });
    assert.ok(r2.freed > 0);
    assert.equal(pool.reclaimablePages(), 0);
    pool.destroy();
  });
});

describe('zspage slots and lists', () => {
  it('a fresh zspage hands out slots 0, 1, 2, …; a freed slot is the next one reused (LIFO)', () => {
    for (const profile of KERNEL_PROFILES) {
      const pool = createPool({ profile, shrinkers: null });
      const size = 504; // class 512 in kernel profiles
      const hs = [0, 1, 2, 3].map(() => pool.malloc(size));
      const offs = hs.map((h) => pool.with(h, (v) => v.byteOffset));
      const slot = pool.classStats(pool.classTable.sizeToClass[size])!.size;
      assert.deepEqual(
        offs.map((o) => o - offs[0]),
        [0, slot, 2 * slot, 3 * slot],
      );
      pool.free(hs[1]);
      pool.free(hs[3]);
      const a = pool.malloc(size);
      const b = pool.malloc(size);
      assert.equal(
        pool.with(a, (v) => v.byteOffset),
        offs[3],
      );
      assert.equal(
        pool.with(b, (v) => v.byteOffset),
        offs[1],
      );
      pool.destroy();
    }
  });

  it('allocation order and regrouping follow each profile — checked against an array model', () => {
    for (const profile of ['linux-4.3', 'linux-6.1', 'linux-6.12'] as const) {
      const pool = createPool({ profile, shrinkers: null });
      const prof = pool.profile;
      const size = 120; // class 128: 32 objects per zspage, 1 page
      const c = pool.classTable.sizeToClass[size];
      const objs = pool.classStats(c)!.objs_per_zspage;
      const zsOf = (h: number) => pool.handles.zs(pool.handles.lookup(h));
      // Model: every group's list as an array of zspage ids.
      const lists = new Map<number, number[]>();
      const groupOf = new Map<number, number>();
      const inuse = new Map<number, number>();
      const list = (g: number) => {
        let l = lists.get(g);
        if (!l) {
          l = [];
          lists.set(g, l);
        }
        return l;
      };
      const insert = (z: number, g: number) => {
        const l = list(g);
        groupOf.set(z, g);
        const head = l[0];
        if (head === undefined || profile === 'linux-6.12' || inuse.get(z)! >= inuse.get(head)!) l.unshift(z);
        else if (profile === 'linux-6.1') l.splice(1, 0, z);
        else l.push(z);
      };
      const remove = (z: number) => {
        const l = list(groupOf.get(z)!);
        l.splice(l.indexOf(z), 1);
      };
      const regroup = (z: number) => {
        const g = prof.fullness(inuse.get(z)!, objs);
        if (g === groupOf.get(z)) return;
        remove(z);
        if (inuse.get(z) === 0) return; // freed at once
        insert(z, g);
      };
      let seed = 11;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const live: number[] = [];
      for (let step = 0; step < 4000; step++) {
        const grow = live.length < 40 || rnd(100) < (step % 1000 < 500 ? 60 : 40);
        if (grow) {
          // Allocation takes the head of the first non-empty list in the profile's order.
          let expect = -1;
          for (const g of prof.allocOrder) if (expect < 0 && list(g).length) expect = list(g)[0];
          const h = pool.malloc(size);
          live.push(h);
          const z = zsOf(h);
          if (expect >= 0)
            assert.equal(z, expect, `${profile} step ${step}: allocated from the wrong zspage`);
          if (expect < 0) {
            inuse.set(z, 1);
            insert(z, prof.fullness(1, objs));
          } else {
            inuse.set(z, inuse.get(z)! + 1);
            regroup(z);
          }
        } else {
          const h = live.splice(rnd(live.length), 1)[0];
          const z = zsOf(h);
          pool.free(h);
          inuse.set(z, inuse.get(z)! - 1);
          regroup(z);
        }
        for (const [g, l] of lists) {
          if (g === pool.zt.unlistedGroup) {
            // Full zspages are counted, not linked (their order is never read).
            assert.equal(pool.zt.groupCount[c * pool.zt.nGroups + g], l.length);
            continue;
          }
          const actual: number[] = [];
          for (let z = pool.zt.first(c, g); z >= 0; z = pool.zt.next(z)) actual.push(z);
          assert.deepEqual(actual, l, `${profile} step ${step} group ${g}`);
        }
      }
      pool.destroy();
    }
  });

  it('insert_zspage rules: 6.4+ always head; 4.8–6.3 second if below the head; 4.3 tail if below', () => {
    const expected: Record<string, number[]> = {
      'linux-6.12': [4, 3, 2, 1, 0],
      'linux-6.1': [0, 4, 3, 2, 1],
      'linux-4.3': [0, 1, 2, 3, 4],
    };
    for (const profile of ['linux-6.12', 'linux-6.1', 'linux-4.3'] as const) {
      const p = getProfile(profile)!;
      const t = new ZspageTable(buildClassTable(p, 4096), p);
      const c = 0; // class 32, 128 objects
      // inuse 100 first (becomes head), then lower ones.
      const inuse = [100, 90, 80, 70, 60];
      const ids = inuse.map((n) => {
        const z = t.create(c);
        t.setInuse(z, n);
        t.insert(z, 1);
        return z;
      });
      const order: number[] = [];
      for (let z = t.first(c, 1); z >= 0; z = t.next(z)) order.push(ids.indexOf(z));
      assert.deepEqual(order, expected[profile], profile);
      // Equal to the head goes first in every profile.
      const z = t.create(c);
      t.setInuse(z, 100);
      t.insert(z, 1);
      assert.equal(t.first(c, 1), z);
      // Removing the head, a middle one and the tail keeps the links consistent.
      t.remove(z);
      t.remove(ids[2]);
      const rest: number[] = [];
      for (let x = t.first(c, 1); x >= 0; x = t.next(x)) rest.push(ids.indexOf(x));
      assert.deepEqual(
        rest,
        expected[profile].filter((i) => i !== 2),
      );
      assert.equal(t.groupCount[c * t.nGroups + 1], 4);
    }
  });

  it('with() and an async callback: the object stays pinned until the promise settles', async () => {
    const pool = createPool({ shrinkers: null });
    const live = fragment(pool, 900, 6000, (i) => i % 2 === 0);
    const [victim] = [...live.keys()];
    const pending = pool.with(victim, async (view) => {
      await new Promise((r) => setTimeout(r, 5));
      view.fill(0xee); // after an await: must still be the victim's bytes
      return view.byteOffset;
    });
    assert.throws(() => pool.free(victim), { code: 'ERR_ZS_PINNED' });
    pool.compact(); // would move the victim if it were not pinned
    pool.trim();
    const off = await pending;
    assert.ok(pool.read(victim).every((b) => b === 0xee));
    live.delete(victim);
    checkLive(pool, live);
    assert.equal(
      pool.with(victim, (v) => v.byteOffset),
      off,
    );
    pool.free(victim); // unpinned now
    // A rejected promise unpins too.
    const [other] = [...live.keys()];
    await assert.rejects(
      pool.with(other, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    pool.free(other);
    pool.destroy();
  });
});
