/**
 * NumberKeyTable: a hash map from number keys to entry indices, in typed arrays.
 *
 * A `Map<number, number>` costs a JS hash-table entry per key and is walked by the GC; this table
 * costs 12 bytes per slot (a Float64 key, an Int32 value) at a load factor of at most 0.7, and
 * the GC sees three typed arrays. Open addressing with linear probing; deletions leave
 * tombstones, cleaned up when the table is rebuilt. Keys follow `Map`'s SameValueZero rules:
 * `-0` is `+0`, `NaN` equals `NaN`.
 */

const EMPTY = -1;
const TOMB = -2;

/** Number → entry index; see the file comment. */
export class NumberKeyTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private used = 0; // live + tombstones
  /** Live keys. */
  size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  /** An empty table with room for about `capacity` keys before it grows. */
  constructor(capacity = 16) {
    let n = 16;
    while (n * 0.7 < capacity) n *= 2;
    this.keys = new Float64Array(n);
    this.vals = new Int32Array(n).fill(EMPTY);
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

  private same(a: number, b: number): boolean {
    return a === b || (Number.isNaN(a) && Number.isNaN(b));
  }

  /** Entry index of `k`, or -1. */
  get(k: number): number {
    const keys = this.keys;
    const vals = this.vals;
    for (let i = this.hash(k); ; i = (i + 1) & this.mask) {
      const v = vals[i];
      if (v === EMPTY) return -1;
      if (v !== TOMB && this.same(keys[i], k)) return v;
    }
  }

  /** Maps `k` to `value` (adding or replacing). */
  set(k: number, value: number): void {
    if ((this.used + 1) / (this.mask + 1) > 0.7) this.rebuild(this.size + 1 > (this.mask + 1) * 0.35 ? 2 : 1);
    const keys = this.keys;
    const vals = this.vals;
    let tomb = -1;
    for (let i = this.hash(k); ; i = (i + 1) & this.mask) {
      const v = vals[i];
      if (v === EMPTY) {
        const at = tomb >= 0 ? tomb : i;
        if (tomb < 0) this.used++;
        keys[at] = k === 0 ? 0 : k;
        vals[at] = value;
        this.size++;
        return;
      }
      if (v === TOMB) {
        if (tomb < 0) tomb = i;
      } else if (this.same(keys[i], k)) {
        vals[i] = value;
        return;
      }
    }
  }

  /** Removes `k`; returns its entry index, or -1 if absent. */
  delete(k: number): number {
    const keys = this.keys;
    const vals = this.vals;
    for (let i = this.hash(k); ; i = (i + 1) & this.mask) {
      const v = vals[i];
      if (v === EMPTY) return -1;
      if (v !== TOMB && this.same(keys[i], k)) {
        vals[i] = TOMB;
        this.size--;
        return v;
      }
    }
  }

  /** Removes every key. */
  clear(): void {
    this.vals.fill(EMPTY);
    this.used = 0;
    this.size = 0;
  }

  /** Bytes of typed arrays held. */
  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private rebuild(factor: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const n = (this.mask + 1) * factor;
    this.keys = new Float64Array(n);
    this.vals = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v >= 0) this.set(oldKeys[i], v);
    }
  }
}
