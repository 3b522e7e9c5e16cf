/**
 * Payloads: the bytes of one value in a ZsPool — compressed when that pays, cut into chunks when
 * larger than the pool's largest object.
 *
 * - A value is compressed with the codec when that saves at least `minSaving` of it, else stored
 *   raw ({@link F_COMPRESSED} tells which).
 * - A payload larger than `pool.maxAllocSize` is cut into chunks of that size plus an index object
 *   listing the chunk handles as Float64 numbers ({@link F_MULTI}); up to `maxAllocSize / 8` chunks
 *   (2 MiB with 4 KiB pages). The index is read by {@link Payloads.loadIndex}, the one place that
 *   does.
 * - Reads hand the codec the object's mapped view (pinned while the codec runs) and the caller's
 *   buffer, with no copy of either here (the LZ codecs take one bulk copy of their input: see
 *   codec/lz-block.ts); a value stored raw is one copy out of the arena. A codec that does not
 *   fill the result exactly is `ERR_ZS_CODEC`.
 * - Writes are all or nothing: on a failure every chunk already written is freed again.
 */
import type { Codec } from '../codec/codec.js';
import { codecError, ZsError, ZsErrorCode } from '../errors.js';
import type { ZsPool } from '../pool/pool.js';
import { F_COMPRESSED, F_MULTI } from './record.js';

/** @internal Scratch buffers larger than this are released after the call that needed them. */
export const SCRATCH_KEEP = 64 * 1024;

/** @internal A store's payloads in its pool; see the file comment. */
export class Payloads {
  /** Flags ({@link F_COMPRESSED}, {@link F_MULTI}) of the payload `put` last wrote. */
  putFlags = 0;
  /** Bytes held in the pool by the payload `put` last wrote (chunk index included). */
  putBytes = 0;
  private cbuf = new Uint8Array(4096);
  private rbuf = new Uint8Array(4096);
  private readonly idx: Float64Array;
  private readonly idxBytes: Uint8Array;
  /** Most chunks of one value. */
  readonly maxChunks: number;

  constructor(
    readonly pool: ZsPool,
    readonly codec: Codec | null,
    private readonly minSaving: number,
  ) {
    this.maxChunks = pool.maxAllocSize / 8;
    this.idx = new Float64Array(this.maxChunks);
    this.idxBytes = new Uint8Array(this.idx.buffer);
  }

  /**
   * Compresses (if it pays) and writes `bytes`; returns the handle (0 for no bytes) and leaves
   * the flags and bytes held in `putFlags` / `putBytes`. Throws (having stored nothing) for a
   * value too large, the pool's limit or a codec failure.
   */
  put(bytes: Uint8Array, op: string): number {
    const len = bytes.length;
    let payload = bytes;
    let flags = 0;
    const codec = this.codec;
    if (codec !== null && len >= 32) {
      const room = Math.floor(len * (1 - this.minSaving));
      if (this.cbuf.length < room) this.cbuf = new Uint8Array(growTo(room));
      let clen: number;
      try {
        clen = codec.compress(bytes, this.cbuf.subarray(0, room));
      } catch (e) {
        throw codecError(e, op, codec.name);
      }
      if (clen >= 0) {
        payload = this.cbuf.subarray(0, clen);
        flags = F_COMPRESSED;
      }
    }
    const h = this.write(payload, op);
    if (payload.length > this.pool.maxAllocSize) flags |= F_MULTI;
    this.putFlags = flags;
    return h;
  }

  /**
   * Reads the payload `h` (with `flags`) of a value of `len` bytes into `out[0, len)`. A compressed
   * payload is decompressed from the mapped object itself (chunked ones are gathered first).
   */
  read(h: number, flags: number, len: number, out: Uint8Array, op: string): void {
    if (h === 0) return;
    const pool = this.pool;
    const dst = out.length === len ? out : out.subarray(0, len);
    if ((flags & F_COMPRESSED) === 0) {
      let got: number;
      if (flags & F_MULTI) got = this.readChunks(h, dst);
      else {
        // One copy straight out of the arena; no foreign code runs meanwhile, so no pin.
        const off = pool.locate(h, op);
        got = pool.locSize;
        if (got === len) dst.set(new Uint8Array(pool.locBuffer, off, got));
      }
      if (got !== len)
        throw new ZsError(ZsErrorCode.CORRUPT, `${op}: value holds ${got} bytes, expected ${len}`);
      return;
    }
    const codec = this.codec!;
    let n: number;
    if (flags & F_MULTI) {
      if (this.rbuf.length < len) this.rbuf = new Uint8Array(growTo(len));
      const got = this.readChunks(h, this.rbuf);
      n = this.decompress(this.rbuf.subarray(0, got), dst, op);
    } else {
      const view = pool.map(h, 'ro');
      try {
        n = this.decompress(view, dst, op);
      } finally {
        pool.unmap(h);
      }
    }
    if (n !== len) {
      throw new ZsError(ZsErrorCode.CODEC, `${op}: ${codec.name} produced ${n} bytes, expected ${len}`);
    }
  }

  /** Frees the payload `h`; returns the bytes it held. Check {@link pinned} first. */
  free(h: number, flags: number): number {
    if (h === 0) return 0;
    const pool = this.pool;
    let held = pool.size(h);
    if (flags & F_MULTI) {
      const n = this.loadIndex(h);
      const idx = this.idx;
      for (let i = 0; i < n; i++) {
        held += pool.size(idx[i]);
        pool.free(idx[i]);
      }
    }
    pool.free(h);
    return held;
  }

  /** True when any object of payload `h` is mapped through the pool (so it cannot be freed now). */
  pinned(h: number, flags: number): boolean {
    if (h === 0) return false;
    const pool = this.pool;
    if (pool.isMapped(h)) return true;
    if ((flags & F_MULTI) === 0) return false;
    const n = this.loadIndex(h);
    for (let i = 0; i < n; i++) if (pool.isMapped(this.idx[i])) return true;
    return false;
  }

  /** Bytes held in the pool by payload `h`. */
  heldBytes(h: number, flags: number): number {
    if (h === 0) return 0;
    let held = this.pool.size(h);
    if (flags & F_MULTI) {
      const n = this.loadIndex(h);
      for (let i = 0; i < n; i++) held += this.pool.size(this.idx[i]);
    }
    return held;
  }

  /** Drops scratch buffers grown for one large value. */
  trim(): void {
    if (this.cbuf.length > SCRATCH_KEEP) this.cbuf = new Uint8Array(4096);
    if (this.rbuf.length > SCRATCH_KEEP) this.rbuf = new Uint8Array(4096);
  }

  /** Loads the chunk handles listed by the index object `h` into `idx`; returns how many. */
  private loadIndex(h: number): number {
    const pool = this.pool;
    const n = pool.size(h) / 8;
    pool.readInto(h, this.idxBytes.subarray(0, n * 8));
    return n;
  }

  /** Gathers the chunks of index `h` into `out`; returns the bytes read. */
  private readChunks(h: number, out: Uint8Array): number {
    const n = this.loadIndex(h);
    const pool = this.pool;
    let off = 0;
    for (let i = 0; i < n; i++) off += pool.readInto(this.idx[i], out, off);
    return off;
  }

  private decompress(src: Uint8Array, dst: Uint8Array, op: string): number {
    try {
      return this.codec!.decompress(src, dst);
    } catch (e) {
      throw codecError(e, op, this.codec!.name);
    }
  }

  /** Writes `payload` as one object or as chunks + an index (all or nothing); returns the handle. */
  private write(payload: Uint8Array, op: string): number {
    const pool = this.pool;
    const len = payload.length;
    this.putBytes = len;
    if (len === 0) return 0;
    const max = pool.maxAllocSize;
    if (len <= max) {
      const h = pool.malloc(len);
      pool.write(h, payload);
      return h;
    }
    const n = Math.ceil(len / max);
    if (n > this.maxChunks) {
      throw new ZsError(
        ZsErrorCode.BAD_SIZE,
        `${op}: a value of ${len} bytes needs ${n} chunks; at most ${this.maxChunks} (${this.maxChunks * max} bytes) with ${max}-byte pages`,
      );
    }
    const idx = this.idx;
    let made = 0;
    let index = 0;
    try {
      while (made < n) {
        const part = payload.subarray(made * max, Math.min(len, (made + 1) * max));
        const h = pool.malloc(part.length);
        idx[made++] = h;
        pool.write(h, part);
      }
      index = pool.malloc(n * 8);
      pool.write(index, this.idxBytes.subarray(0, n * 8));
      this.putBytes = len + n * 8;
      return index;
    } catch (e) {
      for (let i = 0; i < made; i++) pool.free(idx[i]);
      if (index !== 0) pool.free(index);
      throw e;
    }
  }
}

/** @internal The size a scratch buffer grows to for `n` bytes: 4 KiB doubled until it holds them. */
export function growTo(n: number): number {
  let s = 4096;
  while (s < n) s *= 2;
  return s;
}
