/**
 * Size classes: a pure function of (page size, profile), reproducing the kernel's table exactly.
 *
 * - `ZS_MIN_ALLOC_SIZE` = 32, `ZS_SIZE_CLASS_DELTA` = PAGE_SIZE >> 8 (16 / 64 / 256 bytes),
 *   `ZS_SIZE_CLASSES` = ⌈(PAGE_SIZE − 32) / delta⌉ + 1 (255 for 4 KiB, 257 for 16 and 64 KiB).
 * - `pages_per_zspage` by the profile's rule: `legacy` keeps the first page count with the best
 *   integer used-percentage (≤ 6.2), `chain` the first with the least tail waste, and 1 for
 *   powers of two (6.3+). `objs_per_zspage` = pages·PAGE_SIZE / size.
 * - Classes are built from the largest down; a class with the same (pages, objs) as the one just
 *   above it is merged into it, so a real class sits at the highest index of its run
 *   (zs_compact() and zs_stats_size_show(), Linux 4.3: `class->index != i` skips the aliases).
 * - A class is huge when it is one page holding one object. `huge_class_size` is set by the first
 *   class (from the top) whose pages and objects both differ from 1, minus the handle bytes − 1.
 * - `zs_malloc(size)` uses the class of `size + handleBytes` (8 in the kernel profiles).
 */
import type { Profile } from './profiles.js';

/** One real (non-alias) size class. */
export interface SizeClass {
  /** Index in the logical table (the highest index of its merged run). */
  readonly index: number;
  /** Slot size in bytes. */
  readonly size: number;
  /** Pages in one zspage of this class. */
  readonly pages_per_zspage: number;
  /** Slots in one zspage of this class. */
  readonly objs_per_zspage: number;
  /** One page holding one object. */
  readonly huge: boolean;
  /** Bytes wasted at the end of each zspage. */
  readonly waste_per_zspage: number;
  /** Lower logical indices that alias this class. */
  readonly merged_indices: readonly number[];
  /** Smallest request size that lands in this class. */
  readonly alloc_size_min: number;
  /** Largest request size that lands in this class. */
  readonly alloc_size_max: number;
}

/** The whole class table of one (page size, profile). */
export interface ClassTable {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Logical classes (`ZS_SIZE_CLASSES`). */
  readonly zsSizeClasses: number;
  /** Bytes between two logical classes. */
  readonly delta: number;
  /** Smallest slot. */
  readonly minAllocSize: number;
  /** Largest request accepted by `malloc` (PAGE_SIZE). */
  readonly maxAllocSize: number;
  /** Requests of at least this size land in a huge class. */
  readonly hugeClassSize: number;
  /** Most pages in one zspage. */
  readonly maxPagesPerZspage: number;
  /** Real classes, ascending. */
  readonly classes: readonly SizeClass[];
  /** Logical index → real class index. */
  readonly indexToClass: Int32Array;
  /** Request size (1..maxAllocSize) → real class index; entry 0 is unused. */
  readonly sizeToClass: Uint16Array;
}

const ZS_MIN_ALLOC_SIZE = 32;
const CLASS_BITS = 8;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** `get_pages_per_zspage` (≤ 6.2): first page count with the strictly best integer used-%. */
export function legacyPagesPerZspage(size: number, pageSize: number, maxPages: number): number {
  let maxUsedpc = 0;
  let best = 1;
  for (let k = 1; k <= maxPages; k++) {
    const zspageSize = k * pageSize;
    const waste = zspageSize % size;
    const usedpc = Math.floor(((zspageSize - waste) * 100) / zspageSize);
    if (usedpc > maxUsedpc) {
      maxUsedpc = usedpc;
      best = k;
    }
  }
  return best;
}

/** `calculate_zspage_chain_size` (6.3+): powers of two → 1, else first page count with least waste. */
export function chainPagesPerZspage(size: number, pageSize: number, maxPages: number): number {
  if (isPowerOfTwo(size)) return 1;
  let minWaste = Number.MAX_SAFE_INTEGER;
  let chain = 1;
  for (let k = 1; k <= maxPages; k++) {
    const waste = (k * pageSize) % size;
    if (waste < minWaste) {
      minWaste = waste;
      chain = k;
    }
  }
  return chain;
}

/** `get_size_class_index`: logical class of an object of `size` bytes (handle already added). */
export function sizeClassIndex(size: number, delta: number, zsSizeClasses: number): number {
  let idx = 0;
  if (size > ZS_MIN_ALLOC_SIZE) idx = Math.ceil((size - ZS_MIN_ALLOC_SIZE) / delta);
  return idx < zsSizeClasses - 1 ? idx : zsSizeClasses - 1;
}

/** Builds the class table of `profile` for pages of `pageSize` bytes. */
export function buildClassTable(profile: Profile, pageSize: number, maxPagesPerZspage?: number): ClassTable {
  const maxPages = maxPagesPerZspage ?? profile.maxPagesPerZspage;
  const delta = pageSize >> CLASS_BITS;
  const maxAlloc = pageSize;
  const zsSizeClasses = Math.ceil((maxAlloc - ZS_MIN_ALLOC_SIZE) / delta) + 1;
  const pagesFor = profile.classRule === 'legacy' ? legacyPagesPerZspage : chainPagesPerZspage;

  interface Draft {
    index: number;
    size: number;
    pages: number;
    objs: number;
    merged: number[];
  }
  const indexToClass = new Int32Array(zsSizeClasses);
  const drafts: Draft[] = [];
  let prev: Draft | null = null;
  let hugeClassSize = 0;
  for (let i = zsSizeClasses - 1; i >= 0; i--) {
    let size = ZS_MIN_ALLOC_SIZE + i * delta;
    if (size > maxAlloc) size = maxAlloc;
    const pages = pagesFor(size, pageSize, maxPages);
    const objs = Math.floor((pages * pageSize) / size);
    // The kernel's test is literally `pages != 1 && objs != 1`.
    if (pages !== 1 && objs !== 1 && hugeClassSize === 0) {
      hugeClassSize = size - (profile.handleBytes - 1);
    }
    if (prev !== null && prev.pages === pages && prev.objs === objs) {
      prev.merged.push(i);
      indexToClass[i] = prev.index;
      continue;
    }
    prev = { index: i, size, pages, objs, merged: [] };
    drafts.push(prev);
    indexToClass[i] = i;
  }
  drafts.reverse();

  const sizeToClass = new Uint16Array(maxAlloc + 1);
  const minReq = new Map<number, number>();
  const maxReq = new Map<number, number>();
  for (let s = 1; s <= maxAlloc; s++) {
    const c = indexToClass[sizeClassIndex(s + profile.handleBytes, delta, zsSizeClasses)];
    sizeToClass[s] = c;
    if (!minReq.has(c)) minReq.set(c, s);
    maxReq.set(c, s);
  }

  const classes: SizeClass[] = drafts.map((d) => ({
    index: d.index,
    size: d.size,
    pages_per_zspage: d.pages,
    objs_per_zspage: d.objs,
    huge: d.pages === 1 && d.objs === 1,
    waste_per_zspage: (d.pages * pageSize) % d.size,
    merged_indices: d.merged.slice().sort((a, b) => a - b),
    alloc_size_min: minReq.get(d.index) ?? 0,
    alloc_size_max: maxReq.get(d.index) ?? 0,
  }));

  return {
    pageSize,
    zsSizeClasses,
    delta,
    minAllocSize: ZS_MIN_ALLOC_SIZE,
    maxAllocSize: maxAlloc,
    hugeClassSize,
    maxPagesPerZspage: maxPages,
    classes,
    indexToClass,
    sizeToClass,
  };
}
