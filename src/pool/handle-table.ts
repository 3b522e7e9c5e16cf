/**
 * HandleTable: the indirection that lets compaction move objects without the user noticing.
 *
 * Handle format. A handle is a plain number below 2^50, `q · 2^22 + tag`:
 * - `tag` (22 bits) = `(mix(index ^ k2) + generation · G) mod 2^22`, where the generation
 *   (1..65535) is bumped every time the entry is reused and `k2` is a random per-pool key;
 * - `q` (28 bits) = `index ^ (mix(tag ^ k1) mod 2^28)`, `k1` another random per-pool key;
 * - `mix` is a 32-bit avalanche function (every input bit flips each output bit with
 *   probability about ½).
 * So the index is scrambled by a non-linear function of the tag, and the tag by one of the index,
 * both keyed per pool. Decoding another pool's handle (or a forged number) with this pool's keys
 * gives an index that is, for practical purposes, uniform over 2^28 values and a generation
 * uniform over 2^22: it is accepted only if the index is an entry ever used (`count` of 2^28) and
 * the generation is exactly that entry's current one (1 of 2^22), so with probability
 * `count / 2^50` — 9 · 10^-10 for a pool that has used a million entries, whatever the other
 * pool's keys, history or creation order. A freed handle of this pool is recognised as stale
 * until its entry has been reused 65535 times (the generation wraps then). Handle 0 — the
 * kernel's `zs_malloc` failure value — is never issued: `k1` is drawn so that 0 decodes to an
 * index ≥ {@link MAX_HANDLES}.
 *
 * Memory: one Int32Array, three words per entry, so that one random handle costs one cache miss
 * (separate arrays per field cost one miss per field — measured 3.5× slower at 1M objects); the
 * fields are at the `H_*` word offsets and read through the accessors below:
 *   {@link H_ZSPAGE}     zspage id of the live object, or `-(next free entry + 2)` (-1 ends the list)
 *   {@link H_SLOT_GEN}   slot in the zspage (low 16 bits) | generation (high 16 bits)
 *   {@link H_SIZE_MAPS}  size − 1 (low 16 bits) | outstanding `map` calls (high 16 bits)
 * 12 bytes per object, no JS object (the kernel spends a 16-byte slab cell plus 8 in-object bytes).
 */
import { ZsError, ZsErrorCode } from '../errors.js';

/** Bits of a handle that carry the tag. */
export const TAG_BITS = 22;
const TAG_RANGE = 2 ** TAG_BITS;
const TAG_MASK = TAG_RANGE - 1;
/**
 * Bits of a handle that carry the (scrambled) index. TAG_BITS + INDEX_BITS = 50: below 2^50 a
 * double still has 3 fractional bits, so `h + 0.5` or `h + 0.1` is never taken for `h`.
 */
export const INDEX_BITS = 28;
const INDEX_MASK = 2 ** INDEX_BITS - 1;
/** Most entries a table may have (2^27, 1.5 GiB of entries); handle 0 decodes above it. */
export const MAX_HANDLES = 2 ** 27;
/** Generation step in the tag: odd, so generations 1..65535 give distinct tags. */
const GEN_STEP = 0x9e3779;
/** GEN_STEP⁻¹ mod 2^22 (Newton's iteration: each step doubles the correct low bits). */
const GEN_INVERSE = (() => {
  let x = GEN_STEP; // correct to 3 bits for any odd number
  for (let k = 0; k < 4; k++) x = Math.imul(x, 2 - Math.imul(GEN_STEP, x));
  return x & TAG_MASK;
})();
/** Words per entry. */
export const H_STRIDE = 3;
/** Entry word: zspage id of the live object, or the free-list link `-(next + 2)`. */
export const H_ZSPAGE = 0;
/** Entry word: slot (low 16 bits) | generation (high 16 bits). */
export const H_SLOT_GEN = 1;
/** Entry word: size − 1 (low 16 bits) | outstanding maps (high 16 bits). */
export const H_SIZE_MAPS = 2;

const INVALID = -1;
const STALE = -2;
const FREED = -3;

/** 32-bit avalanche: xor-shift / multiply rounds with MurmurHash3's finaliser constants. */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** A random 32-bit integer, from `crypto.getRandomValues` where the runtime has it. */
function random32(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0] | 0;
  return (Math.random() * 2 ** 32) | 0;
}

/** The keys of one table; `k1` is redrawn until handle 0 decodes to an index no table has. */
export function drawKeys(): { k1: number; k2: number } {
  let k1 = random32();
  while ((mix(k1) & INDEX_MASK) < MAX_HANDLES) k1 = random32();
  return { k1, k2: random32() };
}

/** Handle entries in one typed array; see the file comment. */
export class HandleTable {
  /** The entries, {@link H_STRIDE} words each. */
  e: Int32Array;
  /** Entries ever used (the high-water mark). */
  count = 0;
  /** Live handles. */
  live = 0;
  private freeHead = -1;
  private readonly k1: number;
  private readonly k2: number;

  /** Creates a table with room for `initial` handles (it grows by doubling), with fresh keys. */
  constructor(initial = 1024, keys = drawKeys()) {
    this.e = new Int32Array(initial * H_STRIDE);
    this.k1 = keys.k1;
    this.k2 = keys.k2;
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
      this.freeHead = -e[b + H_ZSPAGE] - 2;
      const g = e[b + H_SLOT_GEN] >>> 16;
      gen = g === 65535 ? 1 : g + 1;
    } else {
      i = this.count;
      if ((i + 1) * H_STRIDE > e.length) this.grow();
      this.count = i + 1;
      gen = 1;
    }
    const b = i * H_STRIDE;
    const t = this.e;
    t[b + H_ZSPAGE] = z;
    t[b + H_SLOT_GEN] = (gen << 16) | slot;
    t[b + H_SIZE_MAPS] = size - 1;
    this.live++;
    return i;
  }

  /** Returns entry `i` to the free list; its handle becomes stale. */
  free(i: number): void {
    const e = this.e;
    const b = i * H_STRIDE;
    e[b + H_ZSPAGE] = -(this.freeHead + 2);
    e[b + H_SIZE_MAPS] = e[b + H_SIZE_MAPS] & 0xffff; // no maps outstanding
    this.freeHead = i;
    this.live--;
  }

  /** The handle number of live entry `i`. */
  handleOf(i: number): number {
    const gen = this.e[i * H_STRIDE + H_SLOT_GEN] >>> 16;
    const tag = (mix(i ^ this.k2) + Math.imul(gen, GEN_STEP)) & TAG_MASK;
    const q = i ^ (mix(tag ^ this.k1) & INDEX_MASK);
    return q * TAG_RANGE + tag;
  }

  /** Zspage of entry `i`. */
  zs(i: number): number {
    return this.e[i * H_STRIDE + H_ZSPAGE];
  }

  /** Slot of entry `i`. */
  slot(i: number): number {
    return this.e[i * H_STRIDE + H_SLOT_GEN] & 0xffff;
  }

  /** Size in bytes of entry `i`'s object. */
  size(i: number): number {
    return (this.e[i * H_STRIDE + H_SIZE_MAPS] & 0xffff) + 1;
  }

  /** Outstanding maps of entry `i`. */
  mapped(i: number): number {
    return this.e[i * H_STRIDE + H_SIZE_MAPS] >>> 16;
  }

  /** Adds `delta` (±1) to entry `i`'s map count. */
  addMapped(i: number, delta: number): void {
    this.e[i * H_STRIDE + H_SIZE_MAPS] += delta * 65536;
  }

  /** Records that entry `i`'s object now lives in `slot` of zspage `z`. */
  move(i: number, z: number, slot: number): void {
    const b = i * H_STRIDE;
    const e = this.e;
    e[b + H_ZSPAGE] = z;
    e[b + H_SLOT_GEN] = (e[b + H_SLOT_GEN] & ~0xffff) | slot;
  }

  /**
   * Index of the live entry `h` names, or a negative code: -1 not a handle, -2 an older
   * generation of the entry, -3 this exact handle was freed.
   */
  lookup(h: unknown): number {
    if (typeof h !== 'number') return INVALID;
    const q = (h / TAG_RANGE) | 0;
    const tag = h & TAG_MASK;
    // Not an integer in [0, 2^50): the recomposition differs, or q is out of its 28 bits.
    if (q * TAG_RANGE + tag !== h || (q & ~INDEX_MASK) !== 0) return INVALID;
    const i = q ^ (mix(tag ^ this.k1) & INDEX_MASK);
    if (i >= this.count) return INVALID;
    const b = i * H_STRIDE;
    const e = this.e;
    const cur = e[b + H_SLOT_GEN] >>> 16;
    const g = Math.imul(tag - mix(i ^ this.k2), GEN_INVERSE) & TAG_MASK;
    if (g !== cur) return g !== 0 && g < cur ? STALE : INVALID;
    return e[b + H_ZSPAGE] < 0 ? FREED : i;
  }

  /** Like {@link lookup} but throws the matching {@link ZsError}; `op` names the caller. */
  resolve(h: unknown, op: string): number {
    const i = this.lookup(h);
    if (i >= 0) return i;
    throw handleError(i, h, op);
  }

  private grow(): void {
    const entries = this.e.length / H_STRIDE;
    if (entries >= MAX_HANDLES) throw new ZsError(ZsErrorCode.LIMIT, 'handle table is full');
    const n = Math.min(entries * 2, MAX_HANDLES);
    const e = new Int32Array(n * H_STRIDE);
    e.set(this.e);
    this.e = e;
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
