/**
 * FreeRunTree: which pages are free, and where the lowest run of `n` free pages starts.
 *
 * A segment tree over page indices. Every node keeps three numbers about the pages under it:
 * the longest free run (`best`), the free run touching its left edge (`pre`) and the one touching
 * its right edge (`suf`). Finding the lowest-addressed run of at least `n` free pages is one walk
 * from the root, O(log capacity); marking a run used or free touches its leaves and their
 * ancestors, O(n + log capacity).
 *
 * Arenas are `1 << segmentShift` pages long and aligned, so a run must never cross a segment
 * boundary: nodes wider than a segment do not join their children's edge runs.
 *
 * Memory: three Int32Arrays of 2 × capacity entries; capacity doubles on demand and starts small,
 * so a small pool pays a few KiB.
 */
export class FreeRunTree {
  /** Number of leaves (a power of two). Pages at or above it are free and not yet tracked. */
  capacity: number;
  private best: Int32Array;
  private pre: Int32Array;
  private suf: Int32Array;
  private readonly segment: number;

  /** `segmentShift`: log2 of the pages in one arena; runs never cross a multiple of it. */
  constructor(segmentShift: number, initialCapacity = 1024) {
    this.segment = 2 ** segmentShift;
    let cap = 1;
    while (cap < initialCapacity) cap *= 2;
    this.capacity = cap;
    this.best = new Int32Array(2 * cap);
    this.pre = new Int32Array(2 * cap);
    this.suf = new Int32Array(2 * cap);
    this.buildAllFree();
  }

  /** Doubles capacity until it is at least `pages`; new pages are free. */
  grow(pages: number): void {
    if (pages <= this.capacity) return;
    let cap = this.capacity;
    while (cap < pages) cap *= 2;
    const oldCap = this.capacity;
    // Allocate everything first: a failed allocation leaves the tree as it was.
    const best = new Int32Array(2 * cap);
    const pre = new Int32Array(2 * cap);
    const suf = new Int32Array(2 * cap);
    for (let i = 0; i < cap; i++) {
      const f = i < oldCap ? this.best[oldCap + i] : 1;
      best[cap + i] = f;
      pre[cap + i] = f;
      suf[cap + i] = f;
    }
    this.capacity = cap;
    this.best = best;
    this.pre = pre;
    this.suf = suf;
    let width = 2;
    for (let level = cap >> 1; level >= 1; level >>= 1) {
      for (let node = level; node < 2 * level; node++) this.pull(node, width);
      width *= 2;
    }
  }

  private buildAllFree(): void {
    // Every node of width w has best = pre = suf = w, except that nodes wider than a segment hold
    // one segment's worth (runs cannot cross a segment boundary).
    let level = 1;
    let w = this.capacity;
    while (level < 2 * this.capacity) {
      const v = w > this.segment ? this.segment : w;
      this.best.fill(v, level, 2 * level);
      this.pre.fill(v, level, 2 * level);
      this.suf.fill(v, level, 2 * level);
      level *= 2;
      w /= 2;
    }
  }

  /** Recomputes `node` from its two children (`width` pages); returns whether it changed. */
  private pull(node: number, width: number): boolean {
    const l = 2 * node;
    const r = l + 1;
    const half = width >> 1;
    const best = this.best;
    const pre = this.pre;
    const suf = this.suf;
    const lb = best[l];
    const rb = best[r];
    let b: number;
    let p: number;
    let q: number;
    if (width > this.segment) {
      b = lb > rb ? lb : rb;
      p = pre[l];
      q = suf[r];
    } else {
      const cross = suf[l] + pre[r];
      b = lb > rb ? lb : rb;
      if (cross > b) b = cross;
      p = pre[l] === half ? half + pre[r] : pre[l];
      q = suf[r] === half ? half + suf[l] : suf[r];
    }
    if (best[node] === b && pre[node] === p && suf[node] === q) return false;
    best[node] = b;
    pre[node] = p;
    suf[node] = q;
    return true;
  }

  /** Marks pages `[start, start + n)` free (`free` true) or used. */
  set(start: number, n: number, free: boolean): void {
    const cap = this.capacity;
    const v = free ? 1 : 0;
    const best = this.best;
    const pre = this.pre;
    const suf = this.suf;
    for (let i = start + cap, e = start + n + cap; i < e; i++) {
      best[i] = v;
      pre[i] = v;
      suf[i] = v;
    }
    let lo = (start + cap) >> 1;
    let hi = (start + n - 1 + cap) >> 1;
    let width = 2;
    while (lo >= 1) {
      let changed = false;
      for (let node = lo; node <= hi; node++) if (this.pull(node, width)) changed = true;
      // Ancestors depend only on their children: once a level is unchanged, so is everything above.
      if (!changed) return;
      lo >>= 1;
      hi >>= 1;
      width *= 2;
    }
  }

  /**
   * Marks many runs free at once: `starts[i]`, `lengths[i]` for `i < count`. Each dirty node is
   * recomputed once, level by level, instead of once per run — the cost of freeing the many
   * zspages one compaction empties.
   */
  setManyFree(starts: Int32Array, lengths: Int32Array, count: number): void {
    if (count === 0) return;
    const cap = this.capacity;
    let leaves = 0;
    for (let i = 0; i < count; i++) leaves += lengths[i];
    if (leaves * 16 > cap) {
      // Many runs: mark the leaves and recompute every internal node once, bottom-up (inlined:
      // a call per node or per run costs more than the work).
      const best = this.best;
      const pre = this.pre;
      const suf = this.suf;
      for (let i = 0; i < count; i++) {
        for (let p = starts[i] + cap, e = p + lengths[i]; p < e; p++) {
          best[p] = 1;
          pre[p] = 1;
          suf[p] = 1;
        }
      }
      const seg = this.segment;
      let width = 2;
      for (let level = cap >> 1; level >= 1; level >>= 1) {
        const half = width >> 1;
        const joins = width <= seg;
        for (let node = level, end = 2 * level; node < end; node++) {
          const l = 2 * node;
          const r = l + 1;
          const lb = best[l];
          const rb = best[r];
          let b = lb > rb ? lb : rb;
          if (joins) {
            const cross = suf[l] + pre[r];
            if (cross > b) b = cross;
            pre[node] = pre[l] === half ? half + pre[r] : pre[l];
            suf[node] = suf[r] === half ? half + suf[l] : suf[r];
          } else {
            pre[node] = pre[l];
            suf[node] = suf[r];
          }
          best[node] = b;
        }
        width *= 2;
      }
      return;
    }
    // Sort the runs by address: packed as start · 2^21 + length (lengths < 2^21).
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = starts[i] * 2097152 + lengths[i];
    keys.sort();
    let nodes = new Int32Array(leaves);
    let n = 0;
    const best = this.best;
    const pre = this.pre;
    const suf = this.suf;
    for (let i = 0; i < count; i++) {
      const k = keys[i];
      const start = Math.floor(k / 2097152);
      const len = k - start * 2097152;
      for (let p = start + cap, e = start + len + cap; p < e; p++) {
        best[p] = 1;
        pre[p] = 1;
        suf[p] = 1;
        const parent = p >> 1;
        if (n === 0 || nodes[n - 1] !== parent) nodes[n++] = parent;
      }
    }
    let width = 2;
    while (n > 0) {
      const next = nodes;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const node = nodes[i];
        if (node >= 1 && this.pull(node, width)) {
          const parent = node >> 1;
          if (parent >= 1 && (m === 0 || next[m - 1] !== parent)) next[m++] = parent;
        }
      }
      nodes = next;
      n = m;
      width *= 2;
    }
  }

  /** True when page `p` is free. */
  isFree(p: number): boolean {
    return p >= this.capacity || this.best[this.capacity + p] === 1;
  }

  /** Start of the lowest run of at least `n` free pages, or -1 if none lies below `capacity`. */
  findLowest(n: number): number {
    const best = this.best;
    if (best[1] < n) return -1;
    let node = 1;
    let lo = 0;
    let width = this.capacity;
    while (width > 1) {
      const l = 2 * node;
      const half = width >> 1;
      if (best[l] >= n) {
        node = l;
      } else if (width <= this.segment && this.suf[l] + this.pre[l + 1] >= n) {
        return lo + half - this.suf[l];
      } else {
        node = l + 1;
        lo += half;
      }
      width = half;
    }
    return lo;
  }

  /** Lowest free page at or above `from`, or -1 if none lies below `capacity`. */
  findFreeFrom(from: number): number {
    if (from >= this.capacity) return -1;
    return this.freeFrom(1, 0, this.capacity, from);
  }

  /** Lowest used page at or above `from`, or -1 if none. */
  findUsedFrom(from: number): number {
    if (from >= this.capacity) return -1;
    return this.usedFrom(1, 0, this.capacity, from);
  }

  private usedFrom(node: number, lo: number, width: number, from: number): number {
    // A node is entirely free when its best run spans it (segments cap `best`, so compare pre).
    if (this.pre[node] === width || lo + width <= from) return -1;
    if (width === 1) return lo;
    const half = width >> 1;
    const l = this.usedFrom(2 * node, lo, half, from);
    if (l >= 0) return l;
    return this.usedFrom(2 * node + 1, lo + half, half, from);
  }

  private freeFrom(node: number, lo: number, width: number, from: number): number {
    if (this.best[node] === 0 || lo + width <= from) return -1;
    if (width === 1) return lo;
    const half = width >> 1;
    const l = this.freeFrom(2 * node, lo, half, from);
    if (l >= 0) return l;
    return this.freeFrom(2 * node + 1, lo + half, half, from);
  }

  /**
   * Number of free pages at the top of segment `seg` (pages `[seg·S, (seg+1)·S)`), counting the
   * untracked pages above `capacity` as free.
   */
  freeTail(seg: number): number {
    const S = this.segment;
    const cap = this.capacity;
    const segStart = seg * S;
    if (segStart >= cap) return S;
    if (S >= cap) {
      // The whole tree lies inside segment 0.
      return S - cap + this.suf[1];
    }
    // The segment is one aligned node of width S.
    const node = (cap + segStart) / S;
    return this.suf[node];
  }
}
