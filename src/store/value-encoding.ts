/**
 * Value encodings: how a ZStore or ZCache turns values into bytes and back.
 *
 * Chosen per store by the `encoding` option; the value type follows from it ({@link EncodedValue}):
 * - `bytes` — `Uint8Array` (a `Buffer` is stored as its bytes and read back as a `Uint8Array`).
 * - `buffer` — `Buffer` in, `Buffer` out (needs a global `Buffer`, i.e. Node or a polyfill).
 * - `string` — any JS string, lossless: a well-formed string is stored as UTF-8, one with a lone
 *   surrogate as its UTF-16 code units (the kind tag tells which).
 * - `json` — what `JSON.stringify` accepts, read back with `JSON.parse`.
 * - `structured` — any structured-cloneable value (Date, Map, Set, typed arrays, cycles…): in Node
 *   through `v8.serialize` (found at run time with `process.getBuiltinModule`, so the core entry has
 *   no `node:` import), elsewhere through `@ungap/structured-clone`'s serializer.
 * - `auto` (default) — strings and byte arrays natively (a `Buffer` comes back as a `Buffer`),
 *   anything else as `structured`. Each entry's kind is kept in its record's flags.
 * - a {@link ValueCodec} `{ encode, decode }` of the caller's.
 *
 * Every failure to encode is `ERR_ZS_BAD_ARGUMENT` (a value the encoding cannot take) or
 * `ERR_ZS_CODEC` (a user codec that threw or returned something other than bytes).
 */
import { deserialize as ungapDeserialize, serialize as ungapSerialize } from '@ungap/structured-clone';
import { show, ZsError, ZsErrorCode } from '../errors.js';

/** A caller's own value encoding. */
export interface ValueCodec<V> {
  /** The bytes of `value` (may be a view of a reused buffer: it is copied before the next call). */
  encode(value: V): Uint8Array;
  /** The value of `bytes` (a fresh array the codec may keep). */
  decode(bytes: Uint8Array): V;
}

/** Names of the built-in encodings. */
export type EncodingName = 'auto' | 'bytes' | 'buffer' | 'string' | 'json' | 'structured';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The `Buffer` type where there is one (Node), else `Uint8Array`. */
export type BufferLike = typeof globalThis extends { Buffer: { from(a: ArrayBuffer): infer B } }
  ? B
  : Uint8Array;

/** The value type each named encoding stores. */
export interface EncodingValues {
  auto: unknown;
  bytes: Uint8Array;
  buffer: BufferLike;
  string: string;
  json: JsonValue;
  structured: unknown;
}

/** An `encoding` option: a name or a codec. */
export type EncodingOption = EncodingName | ValueCodec<unknown>;

/** The value type an `encoding` option stores. */
export type EncodedValue<E> = E extends EncodingName
  ? EncodingValues[E]
  : E extends ValueCodec<infer V>
    ? V
    : never;

// Kind tags, 4 bits in the record flags.
/** @internal */
export const K_BYTES = 0;
/** @internal */
export const K_BUFFER = 1;
/** @internal */
export const K_UTF8 = 2;
/** @internal */
export const K_UTF16 = 3;
/** @internal */
export const K_JSON = 4;
/** @internal */
export const K_V8 = 5;
/** @internal */
export const K_UNGAP = 6;
/** @internal */
export const K_CODEC = 7;

interface V8Serializer {
  serialize(v: unknown): Uint8Array;
  deserialize(b: Uint8Array): unknown;
}

let v8: V8Serializer | null | undefined;
/** Node's `v8` module when this runtime has one (looked up once, without a static import). */
function nodeV8(): V8Serializer | null {
  if (v8 === undefined) {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    v8 = (p?.getBuiltinModule?.('node:v8') as V8Serializer | undefined) ?? null;
  }
  return v8;
}

type BufferCtor = {
  from(a: ArrayBuffer, off: number, len: number): Uint8Array;
  isBuffer(v: unknown): boolean;
};
const BufferClass = (globalThis as { Buffer?: BufferCtor }).Buffer;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * @internal Encodes values of one store into a reused scratch buffer and decodes them again; see
 * the file comment. `encode` leaves the kind of the last value in `kind`.
 */
export class ValueEncoder<V> {
  /** Kind of the value last encoded. */
  kind = 0;
  private scratch = new Uint8Array(4096);
  private readonly name: EncodingName | 'codec';
  private readonly codec: ValueCodec<V> | null;

  constructor(option: EncodingOption | undefined) {
    const o = option ?? 'auto';
    if (typeof o === 'object' && o !== null) {
      if (typeof o.encode !== 'function' || typeof o.decode !== 'function') {
        throw new ZsError(
          ZsErrorCode.BAD_ARGUMENT,
          'encoding: a codec needs encode() and decode() functions',
        );
      }
      this.name = 'codec';
      this.codec = o as ValueCodec<V>;
      return;
    }
    if (
      o !== 'auto' &&
      o !== 'bytes' &&
      o !== 'buffer' &&
      o !== 'string' &&
      o !== 'json' &&
      o !== 'structured'
    ) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `encoding must be 'auto', 'bytes', 'buffer', 'string', 'json', 'structured' or { encode, decode }, got ${show(o)}`,
      );
    }
    if (o === 'buffer' && BufferClass === undefined) {
      throw new ZsError(ZsErrorCode.UNAVAILABLE, "encoding 'buffer' needs a global Buffer");
    }
    this.name = o;
    this.codec = null;
  }

  /** The bytes of `value` (valid until the next call); throws before anything is stored. */
  encode(value: V, op: string): Uint8Array {
    const v = value as unknown;
    switch (this.name) {
      case 'auto':
        if (typeof v === 'string') return this.string(v);
        if (v instanceof Uint8Array) {
          this.kind = BufferClass?.isBuffer(v) ? K_BUFFER : K_BYTES;
          return bytesOf(v, op);
        }
        if (v === undefined) throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: value is undefined`);
        return this.structured(v, op);
      case 'bytes':
      case 'buffer':
        if (!(v instanceof Uint8Array)) {
          throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: value must be a Uint8Array, got ${show(v)}`);
        }
        this.kind = this.name === 'buffer' ? K_BUFFER : K_BYTES;
        return bytesOf(v, op);
      case 'string':
        if (typeof v !== 'string') {
          throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: value must be a string, got ${show(v)}`);
        }
        return this.string(v);
      case 'json': {
        let s: string | undefined;
        try {
          s = JSON.stringify(v);
        } catch (e) {
          throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: value is not JSON: ${(e as Error).message}`);
        }
        if (s === undefined)
          throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: value is not JSON: ${show(v)}`);
        const b = this.utf8(s);
        this.kind = K_JSON;
        return b;
      }
      case 'structured':
        return this.structured(v, op);
      default: {
        let b: unknown;
        try {
          b = this.codec!.encode(value);
        } catch (e) {
          throw e instanceof ZsError
            ? e
            : new ZsError(ZsErrorCode.CODEC, `${op}: encode: ${(e as Error).message}`);
        }
        if (!(b instanceof Uint8Array)) {
          throw new ZsError(ZsErrorCode.CODEC, `${op}: encode must return a Uint8Array, got ${show(b)}`);
        }
        this.kind = K_CODEC;
        return bytesOf(b, op);
      }
    }
  }

  /** The value of `bytes` (a fresh array, owned by the result) of kind `kind`. */
  decode(bytes: Uint8Array, kind: number, op: string): V {
    try {
      return this.decodeKind(bytes, kind);
    } catch (e) {
      throw e instanceof ZsError
        ? e
        : new ZsError(ZsErrorCode.CODEC, `${op}: decode: ${(e as Error).message}`);
    }
  }

  private decodeKind(bytes: Uint8Array, kind: number): V {
    switch (kind) {
      case K_BYTES:
        return bytes as V;
      case K_BUFFER:
        return BufferClass!.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length) as V;
      case K_UTF8:
        return utf8Decoder.decode(bytes) as V;
      case K_UTF16:
        return fromUtf16(bytes) as V;
      case K_JSON:
        return JSON.parse(utf8Decoder.decode(bytes)) as V;
      case K_V8:
        return nodeV8()!.deserialize(bytes) as V;
      case K_UNGAP:
        return ungapDeserialize(JSON.parse(utf8Decoder.decode(bytes))) as V;
      default:
        return this.codec!.decode(bytes);
    }
  }

  /** Drops a scratch buffer grown for one large value. */
  trim(): void {
    if (this.scratch.length > 65536) this.scratch = new Uint8Array(4096);
  }

  private string(s: string): Uint8Array {
    if (s.isWellFormed()) {
      this.kind = K_UTF8;
      return this.utf8(s);
    }
    // A lone surrogate has no UTF-8 form: keep the code units.
    this.kind = K_UTF16;
    const n = s.length * 2;
    const buf = this.room(n);
    const u16 = new Uint16Array(buf.buffer, 0, s.length);
    for (let i = 0; i < s.length; i++) u16[i] = s.charCodeAt(i);
    return buf.subarray(0, n);
  }

  private utf8(s: string): Uint8Array {
    const buf = this.room(s.length * 3);
    const { written } = utf8Encoder.encodeInto(s, buf);
    return buf.subarray(0, written);
  }

  private structured(v: unknown, op: string): Uint8Array {
    const node = nodeV8();
    try {
      if (node !== null) {
        this.kind = K_V8;
        return node.serialize(v);
      }
      const s = JSON.stringify(ungapSerialize(v, { lossy: false }));
      this.kind = K_UNGAP;
      return this.utf8(s);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `${op}: value cannot be structured-cloned: ${(e as Error).message}`,
      );
    }
  }

  private room(n: number): Uint8Array {
    if (this.scratch.length < n) {
      let s = 4096;
      while (s < n) s *= 2;
      this.scratch = new Uint8Array(s);
    }
    return this.scratch;
  }
}

/** `v`, refusing a view of a detached buffer (which reads as empty). */
function bytesOf(v: Uint8Array, op: string): Uint8Array {
  if (v.length === 0) {
    try {
      new Uint8Array(v.buffer, 0, 0);
    } catch {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: the value's ArrayBuffer is detached`);
    }
  }
  return v;
}

function fromUtf16(b: Uint8Array): string {
  const n = b.length >>> 1;
  const u16 =
    (b.byteOffset & 1) === 0
      ? new Uint16Array(b.buffer, b.byteOffset, n)
      : new Uint16Array(b.slice().buffer, 0, n);
  let s = '';
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(null, u16.subarray(i, Math.min(n, i + 8192)) as unknown as number[]);
  }
  return s;
}
