/**
 * Compaction: migrate objects out of sparse zspages into fuller ones and free the emptied zspages.
 *
 * - `canCompact(class)` is the kernel's `zs_can_compact`: ⌊free slots / objs_per_zspage⌋ ×
 *   pages_per_zspage, never negative — the pages that perfect packing would release. It is O(1)
 *   per class and allocation-free, cheap enough for every shrinker `count`.
 * - Two loops, chosen by the profile (mm/zsmalloc.c __zs_compact(), Linux 4.3 … 6.12):
 *   - source-outer (4.3 … 6.3): isolate a source (almost-empty list first), stop if
 *     `canCompact` is 0, then drain it into targets (almost-full first) in slot order, keeping the
 *     scan position across targets; put each target back; free the source if it emptied.
 *   - destination-outer (6.4+): while `canCompact` > 0, keep one destination (fullest group
 *     first) and feed it from sources (least used first), each scanned from slot 0 until the
 *     destination is full or the source is empty; free emptied sources.
 *   Both take list heads, so the list order (the profile's insertion rule) decides who moves.
 * - Pinned (mapped) zspages are never used as a source; they may receive objects.
 * - Time slicing (`deadline`) only yields where the kernel drops its locks (`cond_resched`):
 *   between sources, or when a destination is put back. A yield puts back everything isolated,
 *   so malloc/free between slices see ordinary lists.
 */

import type { HandleTable } from './handle-table.js';
import { CompactRule, type Profile } from './profiles.js';
import { Z_ARENA, Z_CLS, Z_OFF, Z_STRIDE, type ZspageTable } from './zspage-table.js';

/** What compaction needs from its pool. */
export interface CompactionHost {
  /** The pool's zspages and class lists. */
  readonly zt: ZspageTable;
  /** The pool's handles (rewritten when an object moves). */
  readonly handles: HandleTable;
  /** Byte views of the arenas. */
  readonly views: Uint8Array[];
  /** Frees an empty zspage (listed in the empty group or unlisted). */
  freeZspage(z: number): void;
}

/** Runs the profile's compaction loop on one class at a time; see the file comment. */
export class Compactor {
  /** Objects moved since creation. */
  migrated = 0;
  /** Bytes moved since creation. */
  migratedBytes = 0;
  /** False when the last `compactClass` stopped at its deadline before finishing the class. */
  classDone = true;
  private readonly host: CompactionHost;
  private readonly sourceOrder: Int32Array;
  private readonly targetOrder: Int32Array;
  private readonly destinationOuter: boolean;
  private readonly now: () => number;

  /** A compactor for `host` following `profile`'s rules; `now` is the clock for deadlines. */
  constructor(host: CompactionHost, profile: Profile, now: () => number = () => performance.now()) {
    this.host = host;
    this.sourceOrder = Int32Array.from(profile.sourceOrder);
    this.targetOrder = Int32Array.from(profile.targetOrder);
    this.destinationOuter = profile.compact === CompactRule.DestinationOuter;
    this.now = now;
  }

  /** `zs_can_compact`: pages perfect packing of class `c` would free. */
  canCompact(c: number): number {
    const zt = this.host.zt;
    const wasted = zt.objAllocated[c] - zt.objUsed[c];
    if (wasted <= 0) return 0;
    return Math.floor(wasted / zt.clsObjs[c]) * zt.clsPages[c];
  }

  /**
   * Compacts class `c` until nothing more can be freed, or until `deadline` (a `now()` value) has
   * passed at a yield point; sets {@link classDone}. Returns the pages freed.
   */
  compactClass(c: number, deadline: number): number {
    this.classDone = true;
    return this.destinationOuter ? this.destinationOuterLoop(c, deadline) : this.sourceOuterLoop(c, deadline);
  }

  private pastDeadline(deadline: number): boolean {
    return deadline !== Number.POSITIVE_INFINITY && this.now() >= deadline;
  }

  /** 4.3 … 6.3 `__zs_compact`. */
  private sourceOuterLoop(c: number, deadline: number): number {
    const zt = this.host.zt;
    const pages = zt.clsPages[c];
    let freed = 0;
    for (;;) {
      const src = this.isolate(c, this.sourceOrder, true);
      if (src < 0) break;
      if (this.canCompact(c) === 0) {
        this.putback(src);
        break;
      }
      let cursor = 0;
      let dst = -1;
      for (;;) {
        dst = this.isolate(c, this.targetOrder, false);
        if (dst < 0) break;
        cursor = this.migrateFrom(src, dst, cursor);
        if (cursor < 0) break; // source drained
        this.putback(dst); // destination full
      }
      if (dst < 0) {
        // Ran out of targets: the source goes back partly drained.
        this.putback(src);
        break;
      }
      this.putback(dst);
      if (this.putback(src) === -1) freed += pages;
      if (this.pastDeadline(deadline)) {
        this.classDone = this.canCompact(c) === 0;
        break;
      }
    }
    return freed;
  }

  /** 6.4+ `__zs_compact`. */
  private destinationOuterLoop(c: number, deadline: number): number {
    const zt = this.host.zt;
    const pages = zt.clsPages[c];
    const objs = zt.clsObjs[c];
    let freed = 0;
    let dst = -1;
    while (this.canCompact(c) > 0) {
      if (dst < 0) {
        dst = this.isolate(c, this.targetOrder, false);
        if (dst < 0) break;
      }
      const src = this.isolate(c, this.sourceOrder, true);
      if (src < 0) break;
      this.migrateAll(src, dst);
      if (this.putback(src) === -1) freed += pages;
      if (zt.inuse(dst) === objs) {
        this.putback(dst);
        dst = -1;
      }
      if (this.pastDeadline(deadline)) {
        this.classDone = this.canCompact(c) === 0;
        break;
      }
    }
    if (dst >= 0) this.putback(dst);
    return freed;
  }

  /** Head of the first non-empty list of `order` (skipping pinned zspages if asked), unlisted. */
  private isolate(c: number, order: Int32Array, skipPinned: boolean): number {
    const zt = this.host.zt;
    for (let i = 0; i < order.length; i++) {
      let z = zt.first(c, order[i]);
      if (skipPinned) while (z >= 0 && zt.pins(z) > 0) z = zt.next(z);
      if (z >= 0) {
        zt.remove(z);
        return z;
      }
    }
    return -1;
  }

  /** `putback_zspage`: relists `z` by its fullness; frees it if empty (returns -1 then). */
  private putback(z: number): number {
    const zt = this.host.zt;
    if (zt.inuse(z) === 0) {
      this.host.freeZspage(z);
      return -1;
    }
    const g = zt.fullness(z);
    zt.insert(z, g);
    return g;
  }

  /**
   * Source-outer `migrate_zspage`: moves `src`'s objects from slot `cursor` on into `dst`.
   * Returns -1 when `src` has no object left, else the slot to resume at (`dst` is full).
   */
  private migrateFrom(src: number, dst: number, cursor: number): number {
    const zt = this.host.zt;
    const objs = zt.clsObjs[zt.cls(src)];
    const base = zt.slotBase(src);
    this.pair(src, dst);
    for (let s = cursor; s < objs; s++) {
      if (zt.slots[base + s] < 0) continue;
      if (zt.inuse(dst) === objs) return s;
      this.moveObject(src, s, dst);
    }
    return -1;
  }

  /** Destination-outer `migrate_zspage`: from slot 0 until `dst` is full or `src` is empty. */
  private migrateAll(src: number, dst: number): void {
    const zt = this.host.zt;
    const objs = zt.clsObjs[zt.cls(src)];
    const base = zt.slotBase(src);
    this.pair(src, dst);
    for (let s = 0; s < objs; s++) {
      if (zt.slots[base + s] < 0) continue;
      this.moveObject(src, s, dst);
      if (zt.inuse(dst) === objs || zt.inuse(src) === 0) return;
    }
  }

  // What every move between one source and one destination shares, set once by `pair`.
  private size = 0;
  private srcBase = 0;
  private srcOff = 0;
  private dstOff = 0;
  private srcView: Uint8Array = new Uint8Array(0);
  private dstView: Uint8Array = new Uint8Array(0);
  private sameArena = true;

  private pair(src: number, dst: number): void {
    const { zt, views } = this.host;
    const m = zt.m;
    const sb = src * Z_STRIDE;
    const db = dst * Z_STRIDE;
    this.size = zt.clsSize[m[sb + Z_CLS]];
    this.srcBase = zt.slotBase(src);
    this.srcOff = m[sb + Z_OFF];
    this.dstOff = m[db + Z_OFF];
    this.srcView = views[m[sb + Z_ARENA]];
    this.dstView = views[m[db + Z_ARENA]];
    this.sameArena = m[sb + Z_ARENA] === m[db + Z_ARENA];
  }

  /** Moves the object in `slot` of `src` into the next free slot of `dst`; its handle follows. */
  private moveObject(src: number, slot: number, dst: number): void {
    const { zt, handles } = this.host;
    const h = zt.slots[this.srcBase + slot];
    const to = zt.objMalloc(dst, h);
    const len = handles.size(h);
    const from = this.srcOff + slot * this.size;
    const dest = this.dstOff + to * this.size;
    if (this.sameArena) this.srcView.copyWithin(dest, from, from + len);
    else this.dstView.set(this.srcView.subarray(from, from + len), dest);
    handles.move(h, dst, to);
    zt.objFree(src, slot);
    this.migrated++;
    this.migratedBytes += len;
  }
}
