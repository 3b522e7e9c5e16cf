/**
 * Entry values: the value of each record of a ZStore or ZCache — encoded ({@link ValueEncoder}),
 * written as a payload ({@link Payloads}), its handle, length and flags kept in the record.
 *
 * A write is two steps so that a caller can check everything that could fail before it changes
 * anything: {@link EntryValues.prepare} encodes and stores the new payload (nothing else changes),
 * then {@link EntryValues.commit} puts it into a record — or {@link EntryValues.discard} frees it.
 * Also the figures shared by both: logical bytes, bytes held in the pool, compressed entries.
 */
import type { Codec } from '../codec/codec.js';
import { ZsError, ZsErrorCode } from '../errors.js';
import type { ZsPool } from '../pool/pool.js';
import { growTo, Payloads, SCRATCH_KEEP } from './payload.js';
import { F_COMPRESSED, F_KIND_MASK, F_KIND_SHIFT, F_MULTI, type Records } from './record.js';
import { K_JSON, K_UNGAP, K_UTF8, K_UTF16, type ValueEncoder } from './value-encoding.js';

type AllocUnsafe = { allocUnsafeSlow(n: number): Uint8Array };
const NodeBuffer = (globalThis as { Buffer?: AllocUnsafe }).Buffer;

/**
 * A fresh byte array of `n` bytes whose contents will all be overwritten: in Node its memory is
 * not zero-filled first (a plain `Uint8Array` view of a `Buffer.allocUnsafeSlow` buffer).
 */
export function allocBytes(n: number): Uint8Array {
  if (NodeBuffer !== undefined && n >= 64) {
    const b = NodeBuffer.allocUnsafeSlow(n);
    return new Uint8Array(b.buffer, b.byteOffset, n);
  }
  return new Uint8Array(n);
}

/**
 * Per kind tag: 1 when its decoder keeps nothing of the bytes (strings, JSON, the structured
 * clone's JSON form), so a read may decode from a reused buffer. Bytes, Buffers and a caller's
 * codec keep the array they are given, and `v8.deserialize` returns typed arrays that are views
 * of its input: those get a fresh array.
 */
const TRANSIENT = new Uint8Array(16);
TRANSIENT[K_UTF8] = 1;
TRANSIENT[K_UTF16] = 1;
TRANSIENT[K_JSON] = 1;
TRANSIENT[K_UNGAP] = 1;

/** @internal The values of a store's records; see the file comment. */
export class EntryValues<V> {
  readonly encoder: ValueEncoder<V>;
  readonly payloads: Payloads;
  /** Bytes of the values as encoded (before compression). */
  logical = 0;
  /** Bytes held in the pool for values (compressed or raw, chunk indexes included). */
  stored = 0;
  /** Entries stored compressed. */
  compressed = 0;
  // The payload `prepare` wrote last.
  private pHandle = 0;
  private pLen = 0;
  private pFlags = 0;
  private pBytes = 0;
  /** The bytes of a value decoded into something else (a string, JSON), reused. */
  private scratch = new Uint8Array(4096);

  constructor(
    private readonly rec: Records,
    pool: ZsPool,
    codec: Codec | null,
    minSaving: number,
    encoder: ValueEncoder<V>,
  ) {
    this.encoder = encoder;
    this.payloads = new Payloads(pool, codec, minSaving);
  }

  /** Encodes and stores `value`; returns the handle (0: empty). Nothing else changes. */
  prepare(value: V, op: string): number {
    const enc = this.encoder;
    const bytes = enc.encode(value, op);
    const h = this.payloads.put(bytes, op);
    this.pHandle = h;
    this.pLen = bytes.length;
    this.pFlags = this.payloads.putFlags | (enc.kind << F_KIND_SHIFT);
    this.pBytes = this.payloads.putBytes;
    return h;
  }

  /** Bytes the prepared payload holds in the pool. */
  get preparedBytes(): number {
    return this.pBytes;
  }

  /** Frees the prepared payload (the write was abandoned). */
  discard(): void {
    this.payloads.free(this.pHandle, this.pFlags);
    this.pHandle = 0;
  }

  /** Puts the prepared payload into record `e` (whose old payload must be released already). */
  commit(e: number): void {
    const rec = this.rec;
    rec.setHandle(e, this.pHandle);
    rec.setLen(e, this.pLen);
    const keep = rec.flags(e) & ~(F_COMPRESSED | F_MULTI | F_KIND_MASK);
    rec.setFlags(e, keep | this.pFlags);
    this.logical += this.pLen;
    this.stored += this.pBytes;
    if (this.pFlags & F_COMPRESSED) this.compressed++;
    this.pHandle = 0;
  }

  /** True when record `e`'s payload is mapped through the pool (it cannot be freed now). */
  pinned(e: number): boolean {
    const rec = this.rec;
    return this.payloads.pinned(rec.handle(e), rec.flags(e));
  }

  /** Throws `ERR_ZS_PINNED` if record `e`'s payload cannot be freed now. */
  checkFree(e: number, op: string): void {
    if (this.pinned(e)) {
      throw new ZsError(
        ZsErrorCode.PINNED,
        `${op}: the value is mapped through the store's pool; unmap it first`,
      );
    }
  }

  /** Frees record `e`'s payload (check {@link pinned} first) and clears its handle. */
  release(e: number): void {
    const rec = this.rec;
    const f = rec.flags(e);
    this.stored -= this.payloads.free(rec.handle(e), f);
    this.logical -= rec.len(e);
    if (f & F_COMPRESSED) this.compressed--;
    rec.setHandle(e, 0);
    rec.setLen(e, 0);
  }

  /** The value of record `e` (a fresh copy). */
  read(e: number, op: string): V {
    const rec = this.rec;
    const len = rec.len(e);
    const f = rec.flags(e);
    const kind = (f & F_KIND_MASK) >>> F_KIND_SHIFT;
    let out: Uint8Array;
    if (TRANSIENT[kind] === 1) {
      // Decoded into a new value that keeps nothing of the bytes: the reused scratch will do.
      if (this.scratch.length < len) this.scratch = new Uint8Array(growTo(len));
      out = this.scratch.subarray(0, len);
    } else {
      out = allocBytes(len);
    }
    this.payloads.read(rec.handle(e), f, len, out, op);
    return this.encoder.decode(out, kind, op);
  }

  /** Copies the encoded bytes of record `e` into `out` (at least its length); returns the length. */
  readBytes(e: number, out: Uint8Array, op: string): number {
    const rec = this.rec;
    const len = rec.len(e);
    if (out.length < len) {
      throw new ZsError(
        ZsErrorCode.OUT_OF_RANGE,
        `${op}: the value has ${len} bytes, the buffer ${out.length}`,
      );
    }
    this.payloads.read(rec.handle(e), rec.flags(e), len, out, op);
    return len;
  }

  /** True when record `e` holds exactly the bytes of the prepared payload's value `bytes`. */
  samePrepared(e: number, value: V, op: string): boolean {
    const rec = this.rec;
    const f = rec.flags(e);
    if (rec.len(e) !== this.pLen || (f & F_KIND_MASK) >>> F_KIND_SHIFT !== this.pFlags >>> F_KIND_SHIFT)
      return false;
    const a = allocBytes(this.pLen);
    this.payloads.read(rec.handle(e), f, this.pLen, a, op);
    const b = this.encoder.encode(value, op);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Drops scratch buffers grown for one large value. */
  trim(): void {
    if (this.scratch.length > SCRATCH_KEEP) this.scratch = new Uint8Array(4096);
    this.payloads.trim();
    this.encoder.trim();
  }
}
