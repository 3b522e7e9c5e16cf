/**
 * ZspageTable: every zspage, every size class's counters and fullness lists, in typed arrays.
 *
 * Layout (struct of arrays; no JS object per zspage or per object)
 * - Per class (indexed by the real class index): slot size, objects and pages per zspage,
 *   `obj_allocated`, `obj_used`, and for each fullness group a zspage count and a doubly linked
 *   list (head, tail).
 * - Per zspage (indexed by zspage id; ids are recycled): class, `inuse`, `freeobj` (head of the
 *   slot free list), fullness group (-1 while isolated by compaction), list links, first page,
 *   arena and byte offset of its pages, base of its slot segment, pin count.
 * - Slots: one Int32 per object slot, in segments of `objs_per_zspage` per zspage. An allocated
 *   slot holds its handle's table index (what the kernel keeps in the object's first 8 bytes); a
 *   free slot holds the next free slot as `-(next + 2)` (-1 ends the list). A fresh zspage's free
 *   list is 0, 1, 2, …; frees push on the head (LIFO), exactly like the kernel's `link_free`.
 *   Freed segments are reused by the next zspage of the same class.
 *
 * The insertion rule (`insert_zspage`) and the fullness function come from the profile, so the
 * lists end up in the kernel's order and allocation and compaction pick the kernel's zspages.
 */

import { InsertRule, type Profile } from './profiles.js';
import type { ClassTable } from './size-class.js';

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
  readonly objAllocated: Float64Array;
  /** `obj_used` per class: live objects. */
  readonly objUsed: Float64Array;
  /** Zspages per (class, group), index `class · nGroups + group`. */
  readonly groupCount: Float64Array;
  /** First zspage of each (class, group) list, or -1. */
  readonly head: Int32Array;
  /** Last zspage of each (class, group) list, or -1. */
  readonly tail: Int32Array;
  private readonly fullOff: Int32Array;
  private readonly fullLut: Uint8Array;
  private readonly segFree: Int32Array;
  private readonly insertRule: InsertRule;

  /** Class of each zspage. */
  cls: Int32Array;
  /** Live objects in each zspage. */
  inuse: Int32Array;
  /** Head of each zspage's free slot list, -1 when full. */
  freeobj: Int32Array;
  /** Fullness group each zspage is listed in, -1 when not listed (isolated or free id). */
  group: Int8Array;
  /** Previous zspage in its list, -1 at the head. */
  prev: Int32Array;
  /** Next zspage in its list (or next free id), -1 at the end. */
  next: Int32Array;
  /** First global page of each zspage. */
  page: Int32Array;
  /** Arena of each zspage. */
  arena: Int32Array;
  /** Byte offset of each zspage in its arena. */
  off: Int32Array;
  /** Base of each zspage's slot segment in {@link slots}. */
  slotBase: Int32Array;
  /** Outstanding pins (maps) on each zspage. */
  pins: Int32Array;
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
    this.nGroups = g;
    this.insertRule = profile.insert;
    this.clsSize = new Int32Array(n);
    this.clsObjs = new Int32Array(n);
    this.clsPages = new Int32Array(n);
    this.objAllocated = new Float64Array(n);
    this.objUsed = new Float64Array(n);
    this.groupCount = new Float64Array(n * g);
    this.head = new Int32Array(n * g).fill(-1);
    this.tail = new Int32Array(n * g).fill(-1);
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
    const cap = 64;
    this.cls = new Int32Array(cap);
    this.inuse = new Int32Array(cap);
    this.freeobj = new Int32Array(cap);
    this.group = new Int8Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.page = new Int32Array(cap);
    this.arena = new Int32Array(cap);
    this.off = new Int32Array(cap);
    this.slotBase = new Int32Array(cap);
    this.pins = new Int32Array(cap);
    this.slots = new Int32Array(1024);
  }

  /** Fullness group that zspage `z` belongs in now. */
  fullness(z: number): number {
    return this.fullLut[this.fullOff[this.cls[z]] + this.inuse[z]];
  }

  /** Head of list (c, g), or -1. */
  first(c: number, g: number): number {
    return this.head[c * this.nGroups + g];
  }

  /**
   * A new, empty, unlisted zspage of class `c` with its free list 0, 1, 2, …; its pages are set
   * later with {@link place}. Returns its id.
   */
  create(c: number): number {
    let z = this.freeIdHead;
    if (z >= 0) {
      this.freeIdHead = this.next[z];
    } else {
      z = this.count;
      if (z === this.cls.length) this.growZspages();
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
    this.cls[z] = c;
    this.inuse[z] = 0;
    this.freeobj[z] = 0;
    this.group[z] = -1;
    this.prev[z] = -1;
    this.next[z] = -1;
    this.slotBase[z] = base;
    this.pins[z] = 0;
    this.live++;
    return z;
  }

  /** Records where zspage `z`'s pages are. */
  place(z: number, page: number, arena: number, off: number): void {
    this.page[z] = page;
    this.arena[z] = arena;
    this.off[z] = off;
  }

  /** Returns the id and slot segment of an unlisted zspage. */
  release(z: number): void {
    const c = this.cls[z];
    const base = this.slotBase[z];
    this.slots[base] = -(this.segFree[c] + 2);
    this.segFree[c] = base;
    this.group[z] = -1;
    this.next[z] = this.freeIdHead;
    this.freeIdHead = z;
    this.live--;
  }

  /** Pops the head of zspage `z`'s free list for handle entry `h`; returns the slot. */
  objMalloc(z: number, h: number): number {
    const slot = this.freeobj[z];
    const i = this.slotBase[z] + slot;
    this.freeobj[z] = -this.slots[i] - 2;
    this.slots[i] = h;
    this.inuse[z]++;
    return slot;
  }

  /** Pushes `slot` of zspage `z` on its free list. */
  objFree(z: number, slot: number): void {
    this.slots[this.slotBase[z] + slot] = -(this.freeobj[z] + 2);
    this.freeobj[z] = slot;
    this.inuse[z]--;
  }

  /** `insert_zspage`: lists `z` in group `g` by the profile's rule. */
  insert(z: number, g: number): void {
    const li = this.cls[z] * this.nGroups + g;
    this.groupCount[li]++;
    this.group[z] = g;
    const h = this.head[li];
    if (h < 0) {
      this.prev[z] = -1;
      this.next[z] = -1;
      this.head[li] = z;
      this.tail[li] = z;
      return;
    }
    const rule = this.insertRule;
    if (rule !== InsertRule.Head && this.inuse[z] < this.inuse[h]) {
      if (rule === InsertRule.SecondIfLess) {
        const after = this.next[h];
        this.prev[z] = h;
        this.next[z] = after;
        this.next[h] = z;
        if (after < 0) this.tail[li] = z;
        else this.prev[after] = z;
      } else {
        const t = this.tail[li];
        this.prev[z] = t;
        this.next[z] = -1;
        this.next[t] = z;
        this.tail[li] = z;
      }
      return;
    }
    this.prev[z] = -1;
    this.next[z] = h;
    this.prev[h] = z;
    this.head[li] = z;
  }

  /** `remove_zspage`: unlinks `z` from its group's list; it becomes unlisted (-1). */
  remove(z: number): void {
    const li = this.cls[z] * this.nGroups + this.group[z];
    this.groupCount[li]--;
    const p = this.prev[z];
    const n = this.next[z];
    if (p < 0) this.head[li] = n;
    else this.next[p] = n;
    if (n < 0) this.tail[li] = p;
    else this.prev[n] = p;
    this.prev[z] = -1;
    this.next[z] = -1;
    this.group[z] = -1;
  }

  /** `fix_fullness_group`: moves a listed `z` to the group it now belongs in; returns that group. */
  fix(z: number): number {
    const g = this.fullness(z);
    if (g !== this.group[z]) {
      this.remove(z);
      this.insert(z, g);
    }
    return g;
  }

  private growZspages(): void {
    const n = this.cls.length * 2;
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.cls = grow32(this.cls);
    this.inuse = grow32(this.inuse);
    this.freeobj = grow32(this.freeobj);
    this.prev = grow32(this.prev);
    this.next = grow32(this.next);
    this.page = grow32(this.page);
    this.arena = grow32(this.arena);
    this.off = grow32(this.off);
    this.slotBase = grow32(this.slotBase);
    this.pins = grow32(this.pins);
    const g = new Int8Array(n);
    g.set(this.group);
    this.group = g;
  }

  private growSlots(need: number): void {
    let n = this.slots.length * 2;
    while (n < need) n *= 2;
    const s = new Int32Array(n);
    s.set(this.slots);
    this.slots = s;
  }
}
