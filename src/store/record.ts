/**
 * Entry records: the one 32-byte layout that ZStore and ZCache keep per entry, in a typed array.
 *
 * One record = {@link REC_F64} Float64 numbers = {@link REC_I32} Int32 words over the same bytes:
 *
 * | bytes | field | view |
 * | --- | --- | --- |
 * | 0–7 | pool handle of the value (0 = empty value) | `f64[R_HANDLE]` |
 * | 8–15 | number key (ZStore; unused by ZCache) | `f64[R_KEY]` |
 * | 16–19 | value length in bytes (as encoded, before compression) | `i32[R_LEN]` |
 * | 20–23 | flags (low 8 bits) and a generation above them | `i32[R_FLAGS]` |
 * | 24–27 | previous entry in the entry's list (-1: none) | `i32[R_PREV]` |
 * | 28–31 | next entry in the entry's list (-1: none), or the next free record | `i32[R_NEXT]` |
 *
 * The list is insertion order in a ZStore and recency order in a ZCache. Records grow by doubling;
 * an entry keeps its number for life, so other per-entry arrays can be indexed by it.
 */

/** Float64 numbers per record. */
export const REC_F64 = 4;
/** Int32 words per record. */
export const REC_I32 = REC_F64 * 2;
/** Float64 position of the pool handle. */
export const R_HANDLE = 0;
/** Float64 position of the number key. */
export const R_KEY = 1;
/** Int32 position of the value length. */
export const R_LEN = 4;
/** Int32 position of the flags and generation. */
export const R_FLAGS = 5;
/** Int32 position of the previous-entry link. */
export const R_PREV = 6;
/** Int32 position of the next-entry link. */
export const R_NEXT = 7;

/** The entry is in use. */
export const F_LIVE = 1;
/** The payload is compressed with the store's codec. */
export const F_COMPRESSED = 2;
/** The payload is cut into chunks listed by an index object. */
export const F_MULTI = 4;
/** The key is a number (ZStore). */
export const F_NUMKEY = 8;
/** Value kind tag (see value-encoding.ts), 4 bits. */
export const F_KIND_SHIFT = 4;
/** Mask of the kind tag. */
export const F_KIND_MASK = 0xf0;
/** The flag bits (the generation sits above them). */
export const FLAG_BITS = 0xff;
/** One step of the generation (bumped on every removal; wraps after 2^24 reuses). */
export const GEN_ONE = 0x100;

const INITIAL = 64;

/** Growable entry records; see the file comment. */
export class Records {
  /** The records as Float64 numbers. */
  f64 = new Float64Array(INITIAL * REC_F64);
  /** The same bytes as Int32 words. */
  i32 = new Int32Array(this.f64.buffer);
  /** Records allocated. */
  capacity = INITIAL;
  /** Records handed out so far (the free list reuses released ones). */
  count = 0;
  private free = -1;

  /** A record number for a new entry (its fields are left as they were, generation included). */
  alloc(): number {
    let e = this.free;
    if (e >= 0) {
      this.free = this.i32[e * REC_I32 + R_NEXT];
      return e;
    }
    e = this.count++;
    if (e === this.capacity) this.grow();
    return e;
  }

  /** Returns `e` to the free list: flags cleared, generation bumped, handle and length zeroed. */
  release(e: number): void {
    const b = e * REC_I32;
    const i32 = this.i32;
    i32[b + R_FLAGS] = ((i32[b + R_FLAGS] & ~FLAG_BITS) + GEN_ONE) | 0;
    i32[b + R_LEN] = 0;
    this.f64[e * REC_F64 + R_HANDLE] = 0;
    i32[b + R_NEXT] = this.free;
    this.free = e;
  }

  /**
   * Starts numbering again from 0 once every record has been released (their generations are
   * kept, so stale snapshots still see them as gone).
   */
  restart(): void {
    this.count = 0;
    this.free = -1;
  }

  /** Forgets every record (after the caller released their payloads). */
  reset(): void {
    this.f64 = new Float64Array(INITIAL * REC_F64);
    this.i32 = new Int32Array(this.f64.buffer);
    this.capacity = INITIAL;
    this.count = 0;
    this.free = -1;
  }

  handle(e: number): number {
    return this.f64[e * REC_F64 + R_HANDLE];
  }
  setHandle(e: number, h: number): void {
    this.f64[e * REC_F64 + R_HANDLE] = h;
  }
  key(e: number): number {
    return this.f64[e * REC_F64 + R_KEY];
  }
  setKey(e: number, k: number): void {
    this.f64[e * REC_F64 + R_KEY] = k;
  }
  len(e: number): number {
    return this.i32[e * REC_I32 + R_LEN];
  }
  setLen(e: number, n: number): void {
    this.i32[e * REC_I32 + R_LEN] = n;
  }
  flags(e: number): number {
    return this.i32[e * REC_I32 + R_FLAGS];
  }
  setFlags(e: number, f: number): void {
    this.i32[e * REC_I32 + R_FLAGS] = f;
  }
  prev(e: number): number {
    return this.i32[e * REC_I32 + R_PREV];
  }
  setPrev(e: number, p: number): void {
    this.i32[e * REC_I32 + R_PREV] = p;
  }
  next(e: number): number {
    return this.i32[e * REC_I32 + R_NEXT];
  }
  setNext(e: number, n: number): void {
    this.i32[e * REC_I32 + R_NEXT] = n;
  }

  /** Bytes of typed arrays held. */
  get bytes(): number {
    return this.f64.byteLength;
  }

  /** Called when the records double; per-entry arrays of the owner grow with them. */
  onGrow: ((capacity: number) => void) | null = null;

  private grow(): void {
    const n = this.capacity * 2;
    const f = new Float64Array(n * REC_F64);
    f.set(this.f64);
    this.f64 = f;
    this.i32 = new Int32Array(f.buffer);
    this.capacity = n;
    this.onGrow?.(n);
  }
}

/**
 * A doubly linked list threaded through the records' prev/next links, head to tail.
 * ZStore's insertion order (new entries at the tail) and ZCache's recency order (most recent at
 * the tail) are both one of these.
 */
export class RecordList {
  head = -1;
  tail = -1;
  constructor(private readonly rec: Records) {}

  /** Appends `e` at the tail. */
  push(e: number): void {
    const i32 = this.rec.i32;
    const b = e * REC_I32;
    i32[b + R_PREV] = this.tail;
    i32[b + R_NEXT] = -1;
    if (this.tail >= 0) i32[this.tail * REC_I32 + R_NEXT] = e;
    else this.head = e;
    this.tail = e;
  }

  /** Unlinks `e`. */
  remove(e: number): void {
    const i32 = this.rec.i32;
    const b = e * REC_I32;
    const p = i32[b + R_PREV];
    const n = i32[b + R_NEXT];
    if (p >= 0) i32[p * REC_I32 + R_NEXT] = n;
    else this.head = n;
    if (n >= 0) i32[n * REC_I32 + R_PREV] = p;
    else this.tail = p;
  }

  /** Moves `e` to the tail. */
  moveToTail(e: number): void {
    if (this.tail === e) return;
    this.remove(e);
    this.push(e);
  }

  /** Empties the list (the records are reset separately). */
  clear(): void {
    this.head = -1;
    this.tail = -1;
  }
}
