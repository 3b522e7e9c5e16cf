/**
 * ZspageTable: every zspage, every size class's counters and fullness lists, in typed arrays.
 *
 * Layout (no JS object per zspage or per object)
 * - Per class (indexed by the real class index): slot size, objects and pages per zspage,
 *   `obj_allocated`, `obj_used`, and for each fullness group a zspage count and a doubly linked
 *   list (head, tail); a bit mask of the non-empty groups lets allocation find the fullest usable
 *   group with one `Math.clz32`.
 * - Per zspage: what every malloc and free reads — `inuse`, `freeobj` (head of the slot free
 *   list) and the base of its slot segment — in 8 bytes of the dense {@link d} (2 Int32 words:
 *   `inuse | (freeobj + 1) << 16`, base), and the rest in one 64-byte record (16 Int32 words, one
 *   cache line) in {@link m}, fields at the `Z_*` offsets: class, fullness group (-1
 *   while isolated by compaction), list links, first page, arena and byte offset of its pages,
 *   base of its slot segment, pin count. Ids are recycled.
 * - Slots: one Int32 per object slot, in segments of `objs_per_zspage` per zspage. An allocated
 *   slot holds its handle's table index (what the kernel keeps in the object's first 8 bytes); a
 *   free slot holds the next free slot as `-(next + 2)` (-1 ends the list). A fresh zspage's free
 *   list is 0, 1, 2, …; frees push on the head (LIFO), exactly like the kernel's `link_free`.
 *   Freed segments are reused by the next zspage of the same class.
 *
 * The insertion rule (`insert_zspage`) and the fullness function come from the profile, so the
 * lists end up in the kernel's order and allocation and compaction pick the kernel's zspages.
 *
 * The full group is counted but not linked: no kernel path reads its order (allocation and both
 * compaction searches skip it; 4.3 did not list it at all), and in a steady state nearly every
 * free takes a zspage out of it, so unlinking from the middle of a long list — two random
 * neighbours' cache lines — was the largest single cost of malloc/free.
 */

import { InsertRule, type Profile } from './profiles.js';
import type { ClassTable } from './size-class.js';

/** Words per zspage record. */
export const Z_STRIDE = 16;
/** Record field: class index. */
export const Z_CLS = 0;
/** Record field: fullness group it is listed in, -1 when not listed. */
export const Z_GROUP = 3;
/** Record field: previous zspage in its list, -1 at the head. */
export const Z_PREV = 4;
/** Record field: next zspage in its list (or next free id), -1 at the end. */
export const Z_NEXT = 5;
/** Record field: first global page. */
export const Z_PAGE = 6;
/** Record field: arena index. */
export const Z_ARENA = 7;
/** Record field: byte offset in the arena. */
export const Z_OFF = 8;
/** Record field: outstanding pins (maps). */
export const Z_PINS = 10;

/** Zspages and class lists; see the file comment. */
export class ZspageTable {
  /** Fullness groups per class. */
  readonly nGroups: number;
  /** Slot size per class. */
  readonly clsSize: Int32Array;
  /** `objs_per_zspage` per class. */
  readonly clsObjs: Int32Array;
  /** `pages_per_zspage` per class. */
  readonly clsPages: Int32Array;
  /** `obj_allocated` per class: slots in existing zspages. */
  readonly objAllocated: Int32Array;
  /** `obj_used` per class: live objects. */
  readonly objUsed: Int32Array;
  /** Zspages per (class, group), index `class · nGroups + group`. */
  readonly groupCount: Int32Array;
  /** First zspage of each (class, group) list, or -1. */
  readonly head: Int32Array;
  /** Last zspage of each (class, group) list, or -1. */
  readonly tail: Int32Array;
  /** Per class: bit g set when list (class, g) is not empty. */
  readonly groupMask: Int32Array;
  private readonly allocMask: number;
  /** The group whose zspages are counted but not linked (full). */
  readonly unlistedGroup: number;
  private readonly fullOff: Int32Array;
  private readonly fullLut: Uint8Array;
  private readonly segFree: Int32Array;
  private readonly insertRule: InsertRule;

  /** Zspage records, {@link Z_STRIDE} words each. */
  m: Int32Array;
  /**
   * Per zspage, 2 words: `inuse | (freeobj + 1) << 16` and the base of its slot segment. Dense (8
   * bytes per zspage) so that it stays in cache: a malloc or free that leaves the zspage in its
   * fullness group never reads the zspage's record.
   */
  d: Int32Array;
  /**
   * First global page of every zspage (the record's {@link Z_PAGE}, again), 4 bytes per zspage:
   * dense enough to stay in cache, so finding an object's bytes (`read`, `readInto`, `write`)
   * costs no miss on the zspage's record.
   */
  firstPage: Int32Array;
  /** Slot words, see the file comment. */
  slots: Int32Array;
  /** Zspage ids ever used. */
  count = 0;
  /** Live zspages. */
  live = 0;
  private freeIdHead = -1;
  private slotsTop = 0;

  /** Creates the tables for `table`'s classes and `profile`'s fullness groups. */
  constructor(table: ClassTable, profile: Profile) {
    const n = table.zsSizeClasses;
    const g = profile.fullnessNames.length;
    if (g > 31) throw new Error('too many fullness groups');
    this.nGroups = g;
    this.insertRule = profile.insert;
    // Allocation takes the first non-empty group of the profile's order; every profile searches
    // in descending group number, so that is the highest set bit of mask & allocMask.
    let mask = 0;
    for (let i = 0; i < profile.allocOrder.length; i++) {
      if (i > 0 && profile.allocOrder[i] >= profile.allocOrder[i - 1]) {
        throw new Error(`profile ${profile.name}: allocation order must be descending`);
      }
      mask |= 1 << profile.allocOrder[i];
    }
    this.allocMask = mask;
    this.unlistedGroup = profile.fullness(1, 1);
    for (const g of [...profile.allocOrder, ...profile.sourceOrder, ...profile.targetOrder]) {
      if (g === this.unlistedGroup)
        throw new Error(`profile ${profile.name}: the full group must never be searched`);
    }
    this.clsSize = new Int32Array(n);
    this.clsObjs = new Int32Array(n);
    this.clsPages = new Int32Array(n);
    this.objAllocated = new Int32Array(n);
    this.objUsed = new Int32Array(n);
    this.groupCount = new Int32Array(n * g);
    this.head = new Int32Array(n * g).fill(-1);
    this.tail = new Int32Array(n * g).fill(-1);
    this.groupMask = new Int32Array(n);
    this.fullOff = new Int32Array(n);
    this.segFree = new Int32Array(n).fill(-1);
    let lutLen = 0;
    for (const c of table.classes) lutLen += c.objs_per_zspage + 1;
    this.fullLut = new Uint8Array(lutLen);
    let o = 0;
    for (const c of table.classes) {
      const i = c.index;
      this.clsSize[i] = c.size;
      this.clsObjs[i] = c.objs_per_zspage;
      this.clsPages[i] = c.pages_per_zspage;
      this.fullOff[i] = o;
      for (let k = 0; k <= c.objs_per_zspage; k++)
        this.fullLut[o + k] = profile.fullness(k, c.objs_per_zspage);
      o += c.objs_per_zspage + 1;
    }
    this.m = new Int32Array(64 * Z_STRIDE);
    this.d = new Int32Array(64 * 2);
    this.firstPage = new Int32Array(64);
    this.slots = new Int32Array(1024);
  }

  /** Class of zspage `z`. */
  cls(z: number): number {
    return this.m[z * Z_STRIDE + Z_CLS];
  }

  /** Live objects in zspage `z`. */
  inuse(z: number): number {
    return this.d[2 * z] & 0xffff;
  }

  /** Next zspage in `z`'s list, -1 at the end. */
  next(z: number): number {
    return this.m[z * Z_STRIDE + Z_NEXT];
  }

  /** Fullness group `z` is listed in, -1 when not listed. */
  group(z: number): number {
    return this.m[z * Z_STRIDE + Z_GROUP];
  }

  /** Outstanding pins on `z`. */
  pins(z: number): number {
    return this.m[z * Z_STRIDE + Z_PINS];
  }

  /** First global page of `z`. */
  page(z: number): number {
    return this.m[z * Z_STRIDE + Z_PAGE];
  }

  /** Fullness group that zspage `z` belongs in now. */
  fullness(z: number): number {
    const m = this.m;
    const b = z * Z_STRIDE;
    return this.fullLut[this.fullOff[m[b + Z_CLS]] + (this.d[2 * z] & 0xffff)];
  }

  /** Head of list (c, g), or -1. */
  first(c: number, g: number): number {
    return this.head[c * this.nGroups + g];
  }

  /** `find_get_zspage`: head of the first non-empty list in the profile's allocation order, or -1. */
  findAlloc(c: number): number {
    const mask = this.groupMask[c] & this.allocMask;
    if (mask === 0) return -1;
    return this.head[c * this.nGroups + 31 - Math.clz32(mask)];
  }

  /**
   * A new, empty, unlisted zspage of class `c` with its free list 0, 1, 2, …; its pages are set
   * later with {@link place}. Returns its id.
   */
  create(c: number): number {
    let z = this.freeIdHead;
    if (z >= 0) {
      this.freeIdHead = this.m[z * Z_STRIDE + Z_NEXT];
    } else {
      z = this.count;
      if ((z + 1) * Z_STRIDE > this.m.length) this.growZspages();
      this.count = z + 1;
    }
    const objs = this.clsObjs[c];
    let base = this.segFree[c];
    if (base >= 0) {
      this.segFree[c] = -this.slots[base] - 2;
    } else {
      base = this.slotsTop;
      if (base + objs > this.slots.length) this.growSlots(base + objs);
      this.slotsTop = base + objs;
    }
    const slots = this.slots;
    // Slot k links to k + 1; the last ends the list.
    for (let k = 0; k < objs - 1; k++) slots[base + k] = -(k + 1) - 2;
    slots[base + objs - 1] = -1;
    const m = this.m;
    const b = z * Z_STRIDE;
    m[b + Z_CLS] = c;
    this.d[2 * z] = 1 << 16; // inuse 0, freeobj 0
    this.d[2 * z + 1] = base;
    m[b + Z_GROUP] = -1;
    m[b + Z_PREV] = -1;
    m[b + Z_NEXT] = -1;
    m[b + Z_PINS] = 0;
    this.live++;
    return z;
  }

  /** Records where zspage `z`'s pages are. */
  place(z: number, page: number, arena: number, off: number): void {
    const b = z * Z_STRIDE;
    this.m[b + Z_PAGE] = page;
    this.m[b + Z_ARENA] = arena;
    this.m[b + Z_OFF] = off;
    this.firstPage[z] = page;
  }

  /** Returns the id and slot segment of an unlisted zspage. */
  release(z: number): void {
    const m = this.m;
    const b = z * Z_STRIDE;
    const c = m[b + Z_CLS];
    const base = this.d[2 * z + 1];
    this.slots[base] = -(this.segFree[c] + 2);
    this.segFree[c] = base;
    m[b + Z_GROUP] = -1;
    m[b + Z_NEXT] = this.freeIdHead;
    this.freeIdHead = z;
    this.live--;
  }

  /** Slot at the head of zspage `z`'s free list, -1 when full. */
  freeobj(z: number): number {
    return (this.d[2 * z] >>> 16) - 1;
  }

  /** Base of zspage `z`'s slot segment in {@link slots}. */
  slotBase(z: number): number {
    return this.d[2 * z + 1];
  }

  /** Pops the head of zspage `z`'s free list for handle entry `h`; returns the slot. */
  objMalloc(z: number, h: number): number {
    const d = this.d;
    const st = d[2 * z];
    const slot = (st >>> 16) - 1;
    const i = d[2 * z + 1] + slot;
    // New head: the popped slot's link `-(next + 2)`, so next + 1 = -link - 1.
    d[2 * z] = ((st & 0xffff) + 1) | ((-this.slots[i] - 1) << 16);
    this.slots[i] = h;
    return slot;
  }

  /** Pushes `slot` of zspage `z` on its free list; returns the zspage's new `inuse`. */
  objFree(z: number, slot: number): number {
    const d = this.d;
    const st = d[2 * z];
    this.slots[d[2 * z + 1] + slot] = -((st >>> 16) - 1 + 2);
    const inuse = (st & 0xffff) - 1;
    d[2 * z] = inuse | ((slot + 1) << 16);
    return inuse;
  }

  /** Sets `inuse` of an empty zspage `z` (its free list is left as it is; tests build lists with it). */
  setInuse(z: number, inuse: number): void {
    this.d[2 * z] = (this.d[2 * z] & ~0xffff) | inuse;
  }

  /** `insert_zspage`: lists `z` in group `g` by the profile's rule. */
  insert(z: number, g: number): void {
    const m = this.m;
    const b = z * Z_STRIDE;
    const c = m[b + Z_CLS];
    const li = c * this.nGroups + g;
    this.groupCount[li]++;
    this.groupMask[c] |= 1 << g;
    m[b + Z_GROUP] = g;
    if (g === this.unlistedGroup) {
      m[b + Z_PREV] = -1;
      m[b + Z_NEXT] = -1;
      return;
    }
    const h = this.head[li];
    if (h < 0) {
      m[b + Z_PREV] = -1;
      m[b + Z_NEXT] = -1;
      this.head[li] = z;
      this.tail[li] = z;
      return;
    }
    const rule = this.insertRule;
    const hb = h * Z_STRIDE;
    if (rule !== InsertRule.Head && this.inuse(z) < this.inuse(h)) {
      if (rule === InsertRule.SecondIfLess) {
        const after = m[hb + Z_NEXT];
        m[b + Z_PREV] = h;
        m[b + Z_NEXT] = after;
        m[hb + Z_NEXT] = z;
        if (after < 0) this.tail[li] = z;
        else m[after * Z_STRIDE + Z_PREV] = z;
      } else {
        const t = this.tail[li];
        m[b + Z_PREV] = t;
        m[b + Z_NEXT] = -1;
        m[t * Z_STRIDE + Z_NEXT] = z;
        this.tail[li] = z;
      }
      return;
    }
    m[b + Z_PREV] = -1;
    m[b + Z_NEXT] = h;
    m[hb + Z_PREV] = z;
    this.head[li] = z;
  }

  /** `remove_zspage`: unlinks `z` from its group's list; it becomes unlisted (-1). */
  remove(z: number): void {
    const m = this.m;
    const b = z * Z_STRIDE;
    const c = m[b + Z_CLS];
    const g = m[b + Z_GROUP];
    const li = c * this.nGroups + g;
    if (--this.groupCount[li] === 0) this.groupMask[c] &= ~(1 << g);
    m[b + Z_GROUP] = -1;
    if (g === this.unlistedGroup) return;
    const p = m[b + Z_PREV];
    const n = m[b + Z_NEXT];
    if (p < 0) this.head[li] = n;
    else m[p * Z_STRIDE + Z_NEXT] = n;
    if (n < 0) this.tail[li] = p;
    else m[n * Z_STRIDE + Z_PREV] = p;
    m[b + Z_PREV] = -1;
    m[b + Z_NEXT] = -1;
  }

  /**
   * `fix_fullness_group` for a listed zspage `z` of class `c` whose `inuse` just went from `from`
   * to `to` (one malloc or free): it was listed in the group of `from`, so when `to` belongs in
   * the same group nothing — not even its record — is read. Otherwise it moves (a fused remove +
   * insert: this runs on about every other malloc and free).
   */
  fixAfter(z: number, c: number, from: number, to: number): void {
    const lut = this.fullLut;
    const o = this.fullOff[c];
    const g = lut[o + to];
    const old = lut[o + from];
    if (g !== old) this.move(z, c, old, g);
  }

  /** Moves listed `z` of class `c` from group `old` to group `g`; returns `g`. */
  private move(z: number, c: number, old: number, g: number): number {
    const m = this.m;
    const b = z * Z_STRIDE;
    const G = this.nGroups;
    const counts = this.groupCount;
    const oldLi = c * G + old;
    let mask = this.groupMask[c] | (1 << g);
    if (--counts[oldLi] === 0) mask &= ~(1 << old);
    counts[c * G + g]++;
    this.groupMask[c] = mask;
    const unlisted = this.unlistedGroup;
    if (old !== unlisted) {
      const p = m[b + Z_PREV];
      const n = m[b + Z_NEXT];
      if (p < 0) this.head[oldLi] = n;
      else m[p * Z_STRIDE + Z_NEXT] = n;
      if (n < 0) this.tail[oldLi] = p;
      else m[n * Z_STRIDE + Z_PREV] = p;
    }
    if (g === unlisted) {
      m[b + Z_GROUP] = g;
      m[b + Z_PREV] = -1;
      m[b + Z_NEXT] = -1;
      return g;
    }
    // Undo the count (insert counts again) and link by the profile's rule.
    counts[c * G + g]--;
    m[b + Z_GROUP] = -1;
    this.insert(z, g);
    return g;
  }

  private growZspages(): void {
    const m = new Int32Array(this.m.length * 2);
    const firstPage = new Int32Array(this.firstPage.length * 2);
    const d = new Int32Array(this.d.length * 2);
    m.set(this.m);
    firstPage.set(this.firstPage);
    d.set(this.d);
    this.m = m;
    this.firstPage = firstPage;
    this.d = d;
  }

  private growSlots(need: number): void {
    let n = this.slots.length * 2;
    while (n < need) n *= 2;
    const s = new Int32Array(n);
    s.set(this.slots);
    this.slots = s;
  }
}
