/**
 * HandleTable: the indirection that lets compaction move objects without the user noticing.
 *
 * A handle is a plain number, `index · 65536 + tag`. `index` selects an entry; the tag is the
 * entry's generation (1..65535, bumped every time the entry is reused) rotated by a per-pool
 * salt, so a freed handle, a forged one, or one from another pool is rejected instead of answering
 * with another object's bytes. A handle can only be confused with a later one after its entry has
 * been reused 65535 times, and with another pool's only when their salts collide (successive pools
 * get successive salts: 65535 pools in a row never collide). Tag 0 — so handle 0, the kernel's
 * `zs_malloc` failure value — is never issued.
 *
 * Memory: one Int32Array, three words per entry, so that one random handle costs one cache miss
 * (separate arrays per field cost one miss per field — measured 3.5× slower at 1M objects):
 *   word 0  zspage id of the live object, or `-(next free entry + 2)` (-1 ends the free list)
 *   word 1  slot in the zspage (low 16 bits) | generation (high 16 bits)
 *   word 2  size − 1 (low 16 bits) | outstanding `map` calls (high 16 bits)
 * 12 bytes per object, no JS object (the kernel spends a 16-byte slab cell plus 8 in-object bytes).
 */
import { ZsError, ZsErrorCode } from '../errors.js';

/** `index · GEN_RANGE + generation`. */
export const GEN_RANGE = 65536;
/** Largest index a handle may have (keeps `index · 65536` exact and `(h / 65536) | 0` valid). */
export const MAX_HANDLES = 2 ** 31 - 1;
/** Words per entry. */
export const H_STRIDE = 3;

const INVALID = -1;
const STALE = -2;
const FREED = -3;

/** Handle entries in one typed array; see the file comment. */
export class HandleTable {
  /** The entries, {@link H_STRIDE} words each. */
  e: Int32Array;
  /** Entries ever used (the high-water mark). */
  count = 0;
  /** Live handles. */
  live = 0;
  private freeHead = -1;
  /** Rotation of generations into tags, 0..65534. */
  readonly salt: number;

  /** Creates a table with room for `initial` handles (it grows by doubling). */
  constructor(initial = 1024, salt = nextSalt()) {
    this.e = new Int32Array(initial * H_STRIDE);
    this.salt = salt % 65535;
  }

  /** Makes sure one more entry can be taken without growing (growing may throw on OOM). */
  reserve(): void {
    if (this.freeHead < 0 && (this.count + 1) * H_STRIDE > this.e.length) this.grow();
  }

  /**
   * Takes a free entry (the most recently freed one first) for an object of `size` bytes in
   * `slot` of zspage `z`; returns its index.
   */
  alloc(z: number, slot: number, size: number): number {
    let i = this.freeHead;
    const e = this.e;
    let gen: number;
    if (i >= 0) {
      const b = i * H_STRIDE;
      this.freeHead = -e[b] - 2;
      const g = e[b + 1] >>> 16;
      gen = g === 65535 ? 1 : g + 1;
    } else {
      i = this.count;
      if ((i + 1) * H_STRIDE > e.length) this.grow();
      this.count = i + 1;
      gen = 1;
    }
    const b = i * H_STRIDE;
    const t = this.e;
    t[b] = z;
    t[b + 1] = (gen << 16) | slot;
    t[b + 2] = size - 1;
    this.live++;
    return i;
  }

  /** Returns entry `i` to the free list; its handle becomes stale. */
  free(i: number): void {
    const e = this.e;
    const b = i * H_STRIDE;
    e[b] = -(this.freeHead + 2);
    e[b + 2] = e[b + 2] & 0xffff; // no maps outstanding
    this.freeHead = i;
    this.live--;
  }

  /** The handle number of live entry `i`. */
  handleOf(i: number): number {
    // Generation 1..65535 → tag 1..65535, rotated by the salt (never 0).
    return i * GEN_RANGE + ((((this.e[i * H_STRIDE + 1] >>> 16) - 1 + this.salt) % 65535) + 1);
  }

  /** Zspage of entry `i`. */
  zs(i: number): number {
    return this.e[i * H_STRIDE];
  }

  /** Slot of entry `i`. */
  slot(i: number): number {
    return this.e[i * H_STRIDE + 1] & 0xffff;
  }

  /** Size in bytes of entry `i`'s object. */
  size(i: number): number {
    return (this.e[i * H_STRIDE + 2] & 0xffff) + 1;
  }

  /** Outstanding maps of entry `i`. */
  mapped(i: number): number {
    return this.e[i * H_STRIDE + 2] >>> 16;
  }

  /** Adds `delta` (±1) to entry `i`'s map count. */
  addMapped(i: number, delta: number): void {
    this.e[i * H_STRIDE + 2] += delta * 65536;
  }

  /** Records that entry `i`'s object now lives in `slot` of zspage `z`. */
  move(i: number, z: number, slot: number): void {
    const b = i * H_STRIDE;
    const e = this.e;
    e[b] = z;
    e[b + 1] = (e[b + 1] & ~0xffff) | slot;
  }

  /**
   * Index of the live entry `h` names, or a negative code: -1 not a handle, -2 an older
   * generation of the entry, -3 this exact handle was freed.
   */
  lookup(h: unknown): number {
    if (typeof h !== 'number') return INVALID;
    const i = (h / GEN_RANGE) | 0;
    const tag = h & 0xffff;
    if (i * GEN_RANGE + tag !== h || tag === 0 || i < 0 || i >= this.count) return INVALID;
    const g = ((tag - 1 - this.salt + 65535) % 65535) + 1;
    const b = i * H_STRIDE;
    const cur = this.e[b + 1] >>> 16;
    if (cur !== g) return g < cur ? STALE : INVALID;
    return this.e[b] < 0 ? FREED : i;
  }

  /** Like {@link lookup} but throws the matching {@link ZsError}; `op` names the caller. */
  resolve(h: unknown, op: string): number {
    const i = this.lookup(h);
    if (i >= 0) return i;
    throw handleError(i, h, op);
  }

  private grow(): void {
    const entries = this.e.length / H_STRIDE;
    if (entries > MAX_HANDLES) throw new ZsError(ZsErrorCode.LIMIT, 'handle table is full');
    const n = Math.min(entries * 2, MAX_HANDLES + 1);
    const e = new Int32Array(n * H_STRIDE);
    e.set(this.e);
    this.e = e;
  }
}

let saltCounter = Math.floor(Math.random() * 65535);

/** The salt of the next pool's handle table: successive pools get successive salts. */
function nextSalt(): number {
  saltCounter = (saltCounter + 1) % 65535;
  return saltCounter;
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
