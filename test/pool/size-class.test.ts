// Class tables against the real kernel's (test/fixtures/oracle/*/classes.json) and the kernel
// notes' figures for 16 and 64 KiB pages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileName } from '../../src/index.js';
import {
  buildClassTable,
  chainPagesPerZspage,
  getProfile,
  legacyPagesPerZspage,
  sizeClassIndex,
} from '../../src/internals.js';
import { KERNELS, kernelClasses } from '../helpers/oracle.js';

const FIELDS = [
  'size',
  'pages_per_zspage',
  'objs_per_zspage',
  'huge',
  'waste_per_zspage',
  'merged_indices',
  'alloc_size_min',
  'alloc_size_max',
] as const;

describe('size classes equal the real kernel', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: every class row, index_to_class, size_to_class, huge_class_size`, () => {
      const k = kernelClasses(kernel);
      const t = buildClassTable(getProfile(kernel)!, 4096);
      assert.equal(t.classes.length, k.distinct_classes);
      assert.equal(t.zsSizeClasses, k.zs_size_classes);
      assert.equal(t.hugeClassSize, k.huge_class_size);
      assert.equal(t.maxPagesPerZspage, k.max_pages_per_zspage);
      k.classes.forEach((kc, i) => {
        const c = t.classes[i];
        assert.equal(c.index, kc.class, `row ${i} index`);
        for (const f of FIELDS) assert.deepEqual(c[f], kc[f], `class ${c.index} ${f}`);
      });
      assert.deepEqual(Array.from(t.indexToClass), k.index_to_class);
      assert.deepEqual(Array.from(t.sizeToClass.subarray(1)), k.size_to_class);
    });
  }

  it('kernel errnos for bad sizes follow the profile (6.1 -EINVAL, 6.12 -ENOSPC for size > PAGE_SIZE)', () => {
    for (const kernel of KERNELS) {
      const k = kernelClasses(kernel);
      const p = getProfile(kernel)!;
      assert.equal(p.tooBigErrno, k.zs_malloc_ret_size4097);
      assert.equal(-22, k.zs_malloc_ret_size0);
    }
  });
});

describe('class table rules', () => {
  it('class 208 is the one 4 KiB class where the legacy and chain rules differ with 4 pages', () => {
    assert.equal(legacyPagesPerZspage(208, 4096, 4), 2);
    assert.equal(chainPagesPerZspage(208, 4096, 4), 3);
    const differ: number[] = [];
    for (let size = 32; size <= 4096; size += 16) {
      if (legacyPagesPerZspage(size, 4096, 4) !== chainPagesPerZspage(size, 4096, 4)) differ.push(size);
    }
    // Powers of two always get one page under the chain rule; with 4 pages they agree anyway.
    assert.deepEqual(differ, [208]);
  });

  // Figures derived by hand from mm/zsmalloc.c's class rules (get_pages_per_zspage() in 6.1,
  // calculate_zspage_chain_size() in 6.12).
  const summary: [ProfileName, number, number, number, number][] = [
    ['linux-6.1', 4096, 69, 3257, 255],
    ['linux-6.12', 4096, 119, 3625, 255],
    ['linux-6.1', 16384, 70, 13081, 257],
    ['linux-6.12', 16384, 121, 14553, 257],
    ['linux-6.1', 65536, 72, 52249, 257],
    ['linux-6.12', 65536, 123, 58137, 257],
    ['linux-4.3', 4096, 69, 3257, 255],
  ];
  for (const [p, ps, distinct, huge, logical] of summary) {
    it(`${p} at ${ps}: ${distinct} distinct classes, huge_class_size ${huge}`, () => {
      const t = buildClassTable(getProfile(p)!, ps);
      assert.equal(t.classes.length, distinct);
      assert.equal(t.hugeClassSize, huge);
      assert.equal(t.zsSizeClasses, logical);
    });
  }

  it('chain size 16 gives 192 classes and huge_class_size 3833 (code, not the docs table)', () => {
    const t = buildClassTable(getProfile('linux-6.12')!, 4096, 16);
    assert.equal(t.classes.length, 192);
    assert.equal(t.hugeClassSize, 3833);
  });

  it('lookup adds the 8-byte handle in kernel profiles and not in the default profile', () => {
    const k = buildClassTable(getProfile('linux-6.1')!, 4096);
    const d = buildClassTable(getProfile('default')!, 4096);
    // 24 + 8 = 32 → class 0; 25 + 8 = 33 → class 1.
    assert.equal(k.sizeToClass[24], 0);
    assert.equal(k.sizeToClass[25], 1);
    assert.equal(d.sizeToClass[32], 0);
    assert.equal(d.sizeToClass[33], 1);
    // 4089..4096 all land in the 4096 class.
    assert.equal(k.sizeToClass[4089], 254);
    assert.equal(k.sizeToClass[3256], k.indexToClass[sizeClassIndex(3264, 16, 255)]);
    assert.equal(k.classes.find((c) => c.index === k.sizeToClass[3257])!.huge, true);
    assert.equal(k.classes.find((c) => c.index === k.sizeToClass[3256])!.huge, false);
    // Default profile: huge from size + 1 of the largest non-huge class.
    assert.equal(d.classes.find((c) => c.index === d.sizeToClass[d.hugeClassSize])!.huge, true);
    assert.equal(d.classes.find((c) => c.index === d.sizeToClass[d.hugeClassSize - 1])!.huge, false);
  });

  it('every merged run shares pages and objects, and the real class has the largest size', () => {
    for (const p of ['linux-6.1', 'linux-6.12', 'default'] as const) {
      for (const ps of [4096, 16384, 65536]) {
        const t = buildClassTable(getProfile(p)!, ps);
        for (const c of t.classes) {
          for (const m of c.merged_indices) {
            assert.ok(m < c.index);
            assert.equal(t.indexToClass[m], c.index);
          }
          assert.equal(c.objs_per_zspage, Math.floor((c.pages_per_zspage * ps) / c.size));
        }
      }
    }
  });
});
