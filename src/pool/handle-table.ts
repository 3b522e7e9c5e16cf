/**
 * HandleTable: the indirection that lets compaction move objects without the user noticing.
 *
 * A handle is a plain number, `index · 65536 + generation`. `index` selects an entry of the
 * struct-of-arrays below; `generation` (1..65535, never 0) is bumped every time the entry is reused,
 * so a freed handle — or one forged from a wrong number — is rejected instead of answering with
 * another object's bytes. A handle can only be confused with a later one after its entry has been
 * reused 65535 times. Handle 0 is never valid (the kernel's `zs_malloc` failure value).
 *
 * Per entry: zspage id (or, when free, the next free entry), slot, generation, size − 1 and a map
 * count: 11 bytes, no JS object (the kernel spends a 16-byte slab cell plus 8 in-object bytes).
 */
import { ZsError, ZsErrorCode } from '../errors.js';

/** `index · GEN_RANGE + generation`. */
export const GEN_RANGE = 65536;
/** Largest index a handle may have (keeps `index · 65536` exact and `(h / 65536) | 0` valid). */
export const MAX_HANDLES = 2 ** 31 - 1;

/** Outcome of validating a handle: the entry index, or a negative code. */
const INVALID = -1;
const STALE = -2;
const FREED = -3;

/** Handle entries in typed arrays; see the file comment. */
export class HandleTable {
  /** ≥ 0: zspage of a live object. < 0: free; `-(next free + 2)`, -1 ends the free list. */
  zs: Int32Array;
  /** Slot of the object in its zspage. */
  slot: Uint16Array;
  /** Current generation of each entry. */
  gen: Uint16Array;
  /** Requested size − 1. */
  sizeM1: Uint16Array;
  /** Number of outstanding `map` calls. */
  mapped: Uint8Array;
  /** Entries ever used (the high-water mark). */
  count = 0;
  /** Live handles. */
  live = 0;
  private freeHead = -1;

  /** Creates a table with room for `initial` handles (it grows by doubling). */
  constructor(initial = 1024) {
    this.zs = new Int32Array(initial);
    this.slot = new Uint16Array(initial);
    this.gen = new Uint16Array(initial);
    this.sizeM1 = new Uint16Array(initial);
    this.mapped = new Uint8Array(initial);
  }

  /** Takes a free entry (reusing the most recently freed one) and returns its index. */
  alloc(): number {
    let i = this.freeHead;
    if (i >= 0) {
      this.freeHead = -this.zs[i] - 2;
      const g = this.gen[i];
      this.gen[i] = g === 65535 ? 1 : g + 1;
    } else {
      i = this.count;
      if (i === this.zs.length) this.grow();
      this.count = i + 1;
      this.gen[i] = 1;
    }
    this.live++;
    return i;
  }

  /** Returns entry `i` to the free list; its handle becomes stale. */
  free(i: number): void {
    this.zs[i] = -(this.freeHead + 2);
    this.freeHead = i;
    this.mapped[i] = 0;
    this.live--;
  }

  /** The handle number of live entry `i`. */
  handleOf(i: number): number {
    return i * GEN_RANGE + this.gen[i];
  }

  /**
   * Index of the live entry `h` names, or a negative code: -1 not a handle, -2 an older
   * generation of the entry, -3 this exact handle was freed.
   */
  lookup(h: unknown): number {
    if (typeof h !== 'number') return INVALID;
    const i = (h / GEN_RANGE) | 0;
    const g = h & 0xffff;
    if (i * GEN_RANGE + g !== h || g === 0 || i < 0 || i >= this.count) return INVALID;
    const cur = this.gen[i];
    if (cur !== g) return g < cur ? STALE : INVALID;
    return this.zs[i] < 0 ? FREED : i;
  }

  /** Like {@link lookup} but throws the matching {@link ZsError}; `op` names the caller. */
  resolve(h: unknown, op: string): number {
    const i = this.lookup(h);
    if (i >= 0) return i;
    throw handleError(i, h, op);
  }

  private grow(): void {
    if (this.zs.length > MAX_HANDLES) throw new ZsError(ZsErrorCode.LIMIT, 'handle table is full');
    const n = Math.min(this.zs.length * 2, MAX_HANDLES + 1);
    const zs = new Int32Array(n);
    zs.set(this.zs);
    this.zs = zs;
    const slot = new Uint16Array(n);
    slot.set(this.slot);
    this.slot = slot;
    const gen = new Uint16Array(n);
    gen.set(this.gen);
    this.gen = gen;
    const sizeM1 = new Uint16Array(n);
    sizeM1.set(this.sizeM1);
    this.sizeM1 = sizeM1;
    const mapped = new Uint8Array(n);
    mapped.set(this.mapped);
    this.mapped = mapped;
  }
}

/** The error for a failed lookup code. */
export function handleError(code: number, h: unknown, op: string): ZsError {
  if (code === FREED) {
    return op === 'free'
      ? new ZsError(ZsErrorCode.DOUBLE_FREE, `free: handle ${String(h)} was already freed`)
      : new ZsError(ZsErrorCode.STALE_HANDLE, `${op}: handle ${String(h)} was freed`);
  }
  if (code === STALE) {
    return new ZsError(
      ZsErrorCode.STALE_HANDLE,
      `${op}: handle ${String(h)} is stale (its object was freed and the entry reused)`,
    );
  }
  return new ZsError(
    ZsErrorCode.INVALID_HANDLE,
    `${op}: ${typeof h === 'number' ? h : typeof h} is not a handle of this pool`,
  );
}
