/**
 * EntryIndex: ZStore's hash index from number keys to entry indices, holding only the indices.
 *
 * The keys themselves live in the store's entry records (record.ts: a Float64Array, `REC_F64`
 * numbers per entry, the key at `R_KEY`), which every lookup reads anyway; so a slot costs 4 bytes
 * (an Int32 entry index) instead of 12 with a copy of the key, and a hit touches one slot and the
 * entry's record. Open addressing with linear probing at a load factor of at most 0.7; deletions
 * leave tombstones, cleaned up when the index is rebuilt. Keys follow `Map`'s SameValueZero rules
 * (`-0` is `+0`, `NaN` equals `NaN`); the caller stores `-0` as `+0`.
 */

import { R_KEY, REC_F64 } from './record.js';

const EMPTY = -1;
const TOMB = -2;

/** Number key → entry index, keys read from the records; see the file comment. */
export class EntryIndex {
  private slots: Int32Array;
  private mask: number;
  private used = 0; // live + tombstones
  /** Live keys. */
  size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  /** An empty index with room for about `capacity` keys before it grows. */
  constructor(capacity = 16) {
    let n = 16;
    while (n * 0.7 < capacity) n *= 2;
    this.slots = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
  }

  private hash(k: number): number {
    if (k === 0) return 0; // +0 and -0 alike
    if (Number.isNaN(k)) return 0x7ff80000 & this.mask; // every NaN alike
    this.bits[0] = k;
    let h = Math.imul(this.words[0] ^ Math.imul(this.words[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** Slot holding `k`, or -1; `rec` holds the entries' records. */
  private find(k: number, rec: Float64Array): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = this.hash(k); ; i = (i + 1) & mask) {
      const e = slots[i];
      if (e === EMPTY) return -1;
      if (e >= 0) {
        const x = rec[e * REC_F64 + R_KEY];
        if (x === k || (Number.isNaN(x) && Number.isNaN(k))) return i;
      }
    }
  }

  /** Entry index of `k`, or -1; `rec` holds the entries' records. */
  get(k: number, rec: Float64Array): number {
    const i = this.find(k, rec);
    return i < 0 ? -1 : this.slots[i];
  }

  /** Adds `k` → entry `e`; `k` must be absent and already written to `e`'s record in `rec`. */
  add(k: number, e: number, rec: Float64Array): void {
    if ((this.used + 1) / (this.mask + 1) > 0.7) {
      this.rebuild(this.size + 1 > (this.mask + 1) * 0.35 ? 2 : 1, rec);
    }
    const slots = this.slots;
    const mask = this.mask;
    for (let i = this.hash(k); ; i = (i + 1) & mask) {
      const v = slots[i];
      if (v === EMPTY || v === TOMB) {
        if (v === EMPTY) this.used++;
        slots[i] = e;
        this.size++;
        return;
      }
    }
  }

  /** Removes `k`; returns its entry index, or -1 if absent. */
  delete(k: number, rec: Float64Array): number {
    const i = this.find(k, rec);
    if (i < 0) return -1;
    const e = this.slots[i];
    this.slots[i] = TOMB;
    this.size--;
    return e;
  }

  /** Removes every key. */
  clear(): void {
    this.slots.fill(EMPTY);
    this.used = 0;
    this.size = 0;
  }

  /** Bytes of typed arrays held. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private rebuild(factor: number, rec: Float64Array): void {
    const old = this.slots;
    const n = (this.mask + 1) * factor;
    this.slots = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const e = old[i];
      if (e >= 0) this.add(rec[e * REC_F64 + R_KEY], e, rec);
    }
  }
}
