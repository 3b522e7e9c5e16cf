/**
 * The hot tier of a ZStore or ZCache (option `hotBytes`): the decoded values of recently read
 * entries, kept on the JS heap within a byte budget so that a repeated `get` returns at once,
 * without reading the pool or decompressing.
 *
 * - Keyed by entry (record) number. Replacement is CLOCK: a hit sets the slot's reference bit (one
 *   byte store, no list to relink); to make room the hand clears set bits and drops the first
 *   value whose bit is clear — an approximation of LRU at a fraction of its cost per hit.
 * - Admission by frequency (as TinyLFU does): every read counts in a per-entry counter (one byte,
 *   halved for all entries every {@link AGE_READS_PER_SLOT} reads per value held, so old popularity
 *   fades);
 *   when the tier is full, a value read on a miss is kept only if its entry was read more often
 *   than the one the hand would drop. Under skewed reads (Zipf) the tier then holds the most read
 *   entries rather than the most recent ones; a one-off read does not push out a popular value.
 * - Typed arrays for the bookkeeping: entry → slot and read count (5 bytes per entry, grown to the
 *   highest entry read), slot → entry, size and reference bit; values in one array of slots. A hit
 *   allocates nothing.
 * - Sizes are estimates of the decoded value's heap footprint ({@link decodedSize}).
 * - The owner keeps it coherent: a change of an entry's payload (set) calls {@link HotTier.drop}
 *   first, its removal (delete, eviction, expiry, clear) {@link HotTier.forget}; the owner's
 *   shrinker drops values under memory pressure before anything else is reclaimed.
 */
import { K_BUFFER, K_BYTES, K_UTF8, K_UTF16 } from './value-encoding.js';

/** @internal Bytes counted per hot value besides its data: the JS object(s) and the tier's slot. */
export const HOT_OVERHEAD = 64;

/**
 * @internal Estimated heap bytes of a decoded value of encoding kind `kind` whose encoded length
 * is `len`: bytes and Buffers their length; a string its length when it is ASCII (V8 holds it at
 * one byte per character) and twice its length otherwise (two bytes per UTF-16 unit, an upper
 * bound); JSON, structured and user-codec values twice their encoded length (decoded objects take
 * about 1–3× their serialised size). Each plus {@link HOT_OVERHEAD}.
 */
export function decodedSize(kind: number, len: number, value: unknown): number {
  switch (kind) {
    case K_BYTES:
    case K_BUFFER:
      return len + HOT_OVERHEAD;
    case K_UTF8: {
      const n = (value as string).length;
      return (n === len ? n : 2 * n) + HOT_OVERHEAD;
    }
    case K_UTF16:
      return len + HOT_OVERHEAD;
    default:
      return 2 * len + HOT_OVERHEAD;
  }
}

const NO_SLOTS = new Int32Array(0);
const NO_COUNTS = new Uint8Array(0);
/** @internal Counters are halved once the tier has seen this many reads per value held. */
export const AGE_READS_PER_SLOT = 10;

/** @internal The hot tier; see the file comment. */
export class HotTier<V> {
  /** The byte budget (0: off). */
  readonly budget: number;
  /** Estimated bytes of the values held. */
  bytes = 0;
  /** Values held. */
  count = 0;
  /** Reads answered from the tier. */
  hits = 0;
  /** Reads that found no value and decoded one (counted by the owner through {@link put}). */
  misses = 0;
  /** Slot + 1 of each entry (0: not hot); as long as the highest entry read needs. */
  private slotOf: Int32Array = NO_SLOTS;
  /** Reads of each entry (saturating at 255, halved by aging); as long as {@link slotOf}. */
  private freq: Uint8Array = NO_COUNTS;
  /** Reads counted since the last aging. */
  private reads = 0;
  /** Entry of each slot (-1: free). */
  private entOf: Int32Array = NO_SLOTS;
  private sizeOf = new Float64Array(0);
  private ref = new Uint8Array(0);
  private vals: (V | undefined)[] = [];
  /** Free slots below {@link used}. */
  private free: Int32Array = NO_SLOTS;
  private nFree = 0;
  /** Slots ever used (the hand sweeps `[0, used)`). */
  private used = 0;
  private hand = 0;

  constructor(budget: number) {
    this.budget = budget;
  }

  /** Slot of entry `e`, or -1 when its value is not hot. */
  find(e: number): number {
    const so = this.slotOf;
    return e < so.length ? so[e] - 1 : -1;
  }

  /** The value in slot `s` (from {@link find}), marked referenced: a read that counts as a use. */
  hit(s: number): V {
    this.ref[s] = 1;
    this.hits++;
    const e = this.entOf[s];
    const f = this.freq;
    if (f[e] !== 255) f[e]++;
    if (++this.reads >= this.ageAt()) this.age();
    return this.vals[s] as V;
  }

  /** The value in slot `s` without marking it (iteration, dispose and other reads that are not uses). */
  value(s: number): V {
    return this.vals[s] as V;
  }

  /**
   * Counts a read of entry `e` (which must not be hot) that missed, and keeps its `value`, of
   * `size` estimated bytes, dropping other values by CLOCK until the tier holds at most `limit`
   * bytes with it — if there is room, or if `e` was read more often than the first value the hand
   * would drop. A value larger than `limit` is not kept.
   */
  put(e: number, value: V, size: number, limit: number): void {
    this.misses++;
    if (e >= this.slotOf.length) this.growIndex(e);
    const f = this.freq;
    if (f[e] !== 255) f[e]++;
    if (++this.reads >= this.ageAt()) this.age();
    if (size > limit) return;
    if (this.bytes + size > limit) {
      // Full: the newcomer must have been read more often than the value the hand would drop.
      const victim = this.nextVictim();
      if (f[e] <= f[this.entOf[victim]]) {
        this.shrinkTo(limit); // the limit may have come down since the last put
        return;
      }
      this.remove(victim);
      while (this.bytes + size > limit) this.evictOne();
    }
    let s: number;
    if (this.nFree > 0) s = this.free[--this.nFree];
    else {
      s = this.used++;
      if (s === this.entOf.length) this.growSlots();
    }
    this.slotOf[e] = s + 1;
    this.entOf[s] = e;
    this.sizeOf[s] = size;
    this.ref[s] = 0;
    this.vals[s] = value;
    this.bytes += size;
    this.count++;
  }

  /** Forgets entry `e`'s value, if hot (its payload is about to change); its read count stays. */
  drop(e: number): void {
    const so = this.slotOf;
    if (e < so.length && so[e] !== 0) this.remove(so[e] - 1);
  }

  /** Forgets entry `e` altogether (it is removed: its number may go to another key). */
  forget(e: number): void {
    const so = this.slotOf;
    if (e >= so.length) return;
    if (so[e] !== 0) this.remove(so[e] - 1);
    this.freq[e] = 0;
  }

  /** Drops values (CLOCK order) until at most `target` bytes are held; returns how many went. */
  shrinkTo(target: number): number {
    let n = 0;
    while (this.bytes > target && this.count > 0) {
      this.evictOne();
      n++;
    }
    return n;
  }

  /** Drops up to `n` values in CLOCK order; returns how many went. */
  evict(n: number): number {
    let done = 0;
    while (done < n && this.count > 0) {
      this.evictOne();
      done++;
    }
    return done;
  }

  /** Drops every value and the bookkeeping arrays. */
  clear(): void {
    this.slotOf = NO_SLOTS;
    this.freq = NO_COUNTS;
    this.reads = 0;
    this.entOf = NO_SLOTS;
    this.sizeOf = new Float64Array(0);
    this.ref = new Uint8Array(0);
    this.vals = [];
    this.free = NO_SLOTS;
    this.nFree = 0;
    this.used = 0;
    this.hand = 0;
    this.bytes = 0;
    this.count = 0;
  }

  /** Bytes of the bookkeeping arrays (not of the values). */
  get metadataBytes(): number {
    return (
      this.slotOf.byteLength +
      this.freq.byteLength +
      this.entOf.byteLength +
      this.sizeOf.byteLength +
      this.ref.byteLength +
      this.free.byteLength +
      8 * this.vals.length
    );
  }

  /** The CLOCK hand's next victim: clears reference bits until it meets a held value whose bit is clear. */
  private nextVictim(): number {
    const ent = this.entOf;
    const ref = this.ref;
    const n = this.used;
    for (;;) {
      const s = this.hand;
      this.hand = s + 1 === n ? 0 : s + 1;
      if (ent[s] < 0) continue;
      if (ref[s] !== 0) {
        ref[s] = 0;
        continue;
      }
      return s;
    }
  }

  private evictOne(): void {
    this.remove(this.nextVictim());
  }

  /**
   * Reads between two agings: {@link AGE_READS_PER_SLOT} per value held, but at least a quarter of
   * the counters (so that halving them costs at most 4 byte operations per read) and 1024.
   */
  private ageAt(): number {
    let n = AGE_READS_PER_SLOT * this.count;
    const q = this.freq.length >>> 2;
    if (q > n) n = q;
    return n > 1024 ? n : 1024;
  }

  /** Halves every read count. */
  private age(): void {
    this.reads = 0;
    const f = this.freq;
    for (let i = 0; i < f.length; i++) f[i] >>>= 1;
  }

  private remove(s: number): void {
    this.slotOf[this.entOf[s]] = 0;
    this.entOf[s] = -1;
    this.bytes -= this.sizeOf[s];
    this.sizeOf[s] = 0;
    this.vals[s] = undefined;
    this.free[this.nFree++] = s;
    if (--this.count === 0) {
      // Exact again (sums of estimates drift by nothing, but slots may be scattered): start over
      // at slot 0 so the hand does not sweep empty slots.
      this.bytes = 0;
      this.used = 0;
      this.nFree = 0;
      this.hand = 0;
    }
  }

  private growSlots(): void {
    const n = Math.max(64, 2 * this.entOf.length);
    const ent = new Int32Array(n).fill(-1);
    ent.set(this.entOf);
    this.entOf = ent;
    const size = new Float64Array(n);
    size.set(this.sizeOf);
    this.sizeOf = size;
    const ref = new Uint8Array(n);
    ref.set(this.ref);
    this.ref = ref;
    const free = new Int32Array(n);
    free.set(this.free);
    this.free = free;
    for (let i = this.vals.length; i < n; i++) this.vals.push(undefined);
  }

  private growIndex(e: number): void {
    let n = Math.max(1024, this.slotOf.length);
    while (n <= e) n *= 2;
    const so = new Int32Array(n);
    so.set(this.slotOf);
    this.slotOf = so;
    const f = new Uint8Array(n);
    f.set(this.freq);
    this.freq = f;
  }
}
