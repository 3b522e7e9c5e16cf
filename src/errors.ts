/**
 * Typed errors with stable codes.
 *
 * Every public entry point validates its input and throws a {@link ZsError} whose `code` is one of
 * {@link ZsErrorCode}. Codes are part of the API: they never change meaning between releases.
 * A call that throws changes no state.
 */

/** Stable error codes, one per kind of failure. */
export const ZsErrorCode = {
  /** A size is 0, negative, not an integer, or larger than the pool's largest object. */
  BAD_SIZE: 'ERR_ZS_BAD_SIZE',
  /** The value is not a handle this pool ever issued (forged, out of range, wrong type). */
  INVALID_HANDLE: 'ERR_ZS_INVALID_HANDLE',
  /** The handle was valid once but its object has been freed (use after free). */
  STALE_HANDLE: 'ERR_ZS_STALE_HANDLE',
  /** `free` of a handle whose object was already freed. */
  DOUBLE_FREE: 'ERR_ZS_DOUBLE_FREE',
  /** The object is mapped (pinned); it cannot be freed until it is unmapped. */
  PINNED: 'ERR_ZS_PINNED',
  /** `unmap` of a handle that is not mapped. */
  NOT_MAPPED: 'ERR_ZS_NOT_MAPPED',
  /** The pool (or device, or store) has been destroyed. */
  DESTROYED: 'ERR_ZS_DESTROYED',
  /** The memory limit would be exceeded (the kernel's -ENOMEM). */
  LIMIT: 'ERR_ZS_LIMIT',
  /** An argument has the wrong type or an out-of-range value. */
  BAD_ARGUMENT: 'ERR_ZS_BAD_ARGUMENT',
  /** An offset/length pair does not fit the object or buffer. */
  OUT_OF_RANGE: 'ERR_ZS_OUT_OF_RANGE',
  /** A trace line could not be parsed or refers to an unknown id. */
  BAD_TRACE: 'ERR_ZS_BAD_TRACE',
  /** A stored object did not read back the bytes written into it. */
  CORRUPT: 'ERR_ZS_CORRUPT',
  /** A codec failed to compress or decompress. */
  CODEC: 'ERR_ZS_CODEC',
  /** A feature (codec, pressure source) is not available in this runtime. */
  UNAVAILABLE: 'ERR_ZS_UNAVAILABLE',
  /** The operation is not allowed in the object's current state (e.g. device not initialised). */
  BAD_STATE: 'ERR_ZS_BAD_STATE',
  /** An I/O error talking to the operating system (backing file, /proc). */
  IO: 'ERR_ZS_IO',
} as const;

/** One of the stable error code strings. */
export type ZsErrorCode = (typeof ZsErrorCode)[keyof typeof ZsErrorCode];

/** The error every public entry point throws for bad input or an impossible request. */
export class ZsError extends Error {
  /** Stable machine-readable code, e.g. `ERR_ZS_STALE_HANDLE`. */
  readonly code: ZsErrorCode;
  /**
   * The errno the kernel would return for the same request, when there is one
   * (`-22` EINVAL, `-28` ENOSPC, `-12` ENOMEM); otherwise undefined.
   */
  readonly errno: number | undefined;

  /** Creates an error; `errno` is the kernel's equivalent return value, if any. */
  constructor(code: ZsErrorCode, message: string, errno?: number) {
    super(message);
    this.name = 'ZsError';
    this.code = code;
    this.errno = errno;
  }
}

/** Kernel errno values we mirror. */
export const EINVAL = -22;
/** No space left (6.3+ kernels return it for `zs_malloc(size > PAGE_SIZE)`). */
export const ENOSPC = -28;
/** Out of memory / over the limit. */
export const ENOMEM = -12;

/**
 * The `ERR_ZS_DESTROYED` error of a kind of object: `destroyedErrorFor('pool')('free')` reads
 * "free: the pool has been destroyed".
 */
export function destroyedErrorFor(what: string): (op: string) => ZsError {
  return (op) => new ZsError(ZsErrorCode.DESTROYED, `${op}: the ${what} has been destroyed`);
}

/**
 * What a codec's failure during `op` becomes: a `ZsError` as it is (codecs throw `ERR_ZS_CODEC`
 * for corrupt input), anything else wrapped as `ERR_ZS_CODEC` naming the operation and codec.
 */
export function codecError(e: unknown, op: string, codec: string): ZsError {
  if (e instanceof ZsError) return e;
  return new ZsError(ZsErrorCode.CODEC, `${op}: ${codec}: ${e instanceof Error ? e.message : show(e)}`);
}

/** Throws `ERR_ZS_BAD_ARGUMENT` unless `v` is a finite number > 0. */
export function checkPositive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${name} must be a finite number > 0, got ${show(v)}`);
  }
  return v;
}

/** Throws `ERR_ZS_BAD_ARGUMENT` unless `v` is a finite number >= 0. */
export function checkNonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${name} must be a finite number >= 0, got ${show(v)}`);
  }
  return v;
}

/** Throws `ERR_ZS_BAD_ARGUMENT` unless `v` is an integer in `[min, max]`. */
export function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `${name} must be an integer in [${min}, ${max}], got ${show(v)}`,
    );
  }
  return v;
}

/** Short printable form of any value, for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  return typeof v;
}
