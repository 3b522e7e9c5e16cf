/**
 * LZ4 block format, compressed exactly as the Linux kernel does it for zram.
 *
 * Format (the LZ4 block specification): a block is a run of sequences. Each sequence is
 * - a token byte: high nibble = literal count, low nibble = match length - 4 (MIN_MATCH);
 *   a nibble of 15 means "more follows": further bytes are added until one is not 255;
 * - the literals themselves;
 * - a 2-byte little-endian offset (1..65535) back into the already-decoded output;
 * - the match length's extra bytes, if its nibble was 15.
 * The last sequence has literals only and ends the block. Encoders leave the last LAST_LITERALS
 * (5) bytes as literals and start no match within MF_LIMIT (12) bytes of the end, so that other
 * decoders' fast paths stay in bounds. The decoder here accepts every well-formed block,
 * including ones that do not honour those two end rules.
 *
 * Compressor: the same parse as lib/lz4/lz4_compress.c LZ4_compress_generic() reached through
 * LZ4_compress_fast() at acceleration 1 (LZ4_compress_default(), which zram uses through
 * crypto/lz4.c in Linux 6.1 and drivers/block/zram/backend_lz4.c in Linux 6.12), so every block
 * has the length, and the bytes, the kernel stores. What that takes:
 * - Inputs shorter than LZ4_64Klimit (64 KiB + 11) use the "byU16" table: 2^13 entries, hash =
 *   (4 bytes · 2654435761) >> 19, no distance test (every offset fits). Longer inputs use the
 *   64-bit kernel's "byU32" table: 2^12 entries, hash of 5 bytes (LZ4_hash5()), and a candidate
 *   further than 65535 bytes back is refused.
 * - The table starts zeroed on every call (LZ4_resetStream()), so an empty slot names position 0
 *   and a match against the first bytes can be found through it. We keep positions as
 *   `base + i` and advance `base` past every call instead of clearing: a value below `base` is an
 *   empty slot and reads as 0, exactly as the zeroed table would.
 * - Search: position 0 is entered, the search starts at 1, and after 64 misses the step grows by
 *   one every 64 misses (LZ4_SKIPTRIGGER 6); the next position's hash is taken before the slot
 *   of the current one is overwritten. A match is extended backwards over pending literals
 *   (never before position 0), forwards up to n - 5, and right after a match the position two
 *   bytes before its end is entered and its end is tried at once (a sequence with no literals).
 * - Nothing starts a match after n - 12, and inputs under 13 bytes are one literal run.
 * The kernel gives up (returns 0) only when its destination is smaller than the worst case and
 * the output runs out; we return -1 exactly when the block is longer than `dst`, checking each
 * write, so a caller may size `dst` to what is worth storing (zram: below its huge size).
 *
 * Decompressor: every length and offset is checked against what remains of `src` and `dst`
 * before any byte moves, and each sequence consumes at least its token byte, so corrupt input
 * throws `ERR_ZS_CODEC` and can never read or write out of bounds or loop forever.
 */
import { checkInt, ZsError, ZsErrorCode } from '../errors.js';
import { checkCodecBuffers } from './check.js';
import { copyLiterals, copyMatch, LzScratch } from './lz-block.js';
import type { Codec } from './types.js';

const MIN_MATCH = 4;
/** The last bytes of a block are always literals (LASTLITERALS). */
const LAST_LITERALS = 5;
/** A match may not start within this many bytes of the end of the block (MFLIMIT). */
const MF_LIMIT = 12;
/** Inputs shorter than this are stored as one literal run (LZ4_minLength). */
const MIN_INPUT_FOR_MATCH = MF_LIMIT + 1;
/** Inputs shorter than this use the 16-bit table and its hash (LZ4_64Klimit). */
const LIMIT_64K = 65536 + MF_LIMIT - 1;
/** Largest distance an offset can express (MAX_DISTANCE). */
const MAX_OFFSET = 65535;
/** log2 of the "byU16" table's entries (LZ4_HASHLOG + 1; LZ4_MEMORY_USAGE is 14). */
const HASH_LOG_U16 = 13;
/** log2 of the "byU32" table's entries (LZ4_HASHLOG). */
const HASH_LOG_U32 = 12;
/** Misses before the search starts skipping (the step grows by 1 every 2^SKIP_TRIGGER misses). */
const SKIP_TRIGGER = 6;
/** Largest acceleration accepted (LZ4_ACCELERATION_MAX of the LZ4 library). */
const MAX_ACCELERATION = 65537;
/** Largest input LZ4 accepts (LZ4_MAX_INPUT_SIZE). */
const MAX_INPUT = 0x7e000000;
/** Stored positions (`base + i`) stay below this, so they fit the Int32Array table. */
const POSITION_LIMIT = 0x7fffffff;
/** LZ4_hash5()'s prime 889523592379, as its high and low 32-bit halves. */
const PRIME5_HI = 207;
const PRIME5_LO = 465362107;

/** Worst-case size of the LZ4 block for `n` input bytes (LZ4_COMPRESSBOUND: all literals). */
export function lz4CompressBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

/** Bytes needed to encode a length's extra bytes after its nibble (0 if it fits the nibble). */
function extraLengthBytes(len: number): number {
  return len >= 15 ? ((len - 15) / 255 + 1) | 0 : 0;
}

/** Writes the extra bytes of a length whose nibble is 15 (`rest` = length - 15); returns new op. */
function writeExtraLength(dst: Uint8Array, op: number, rest: number): number {
  while (rest >= 255) {
    dst[op++] = 255;
    rest -= 255;
  }
  dst[op++] = rest;
  return op;
}

/**
 * LZ4_hash5() of the 64-bit kernel for the "byU32" table: the top 12 bits of
 * (the 5 bytes at `p`, shifted up by 24) · 889523592379, modulo 2^64. `lo` holds bytes p..p+3
 * (little-endian), `b4` byte p+4. Only the high 32 bits of the product matter; they are
 * assembled from 32-bit pieces.
 * @internal
 */
export function lz4Hash5(lo: number, b4: number): number {
  const xLo = (lo & 0xff) << 24; // low word of the shifted value
  const xHi = (lo >>> 8) | (b4 << 24); // high word
  // High word of xLo · PRIME5_LO: xLo is (lo & 0xff) · 2^24, so it is that byte · PRIME5_LO / 2^8.
  const carry = Math.floor(((lo & 0xff) * PRIME5_LO) / 256);
  return ((Math.imul(xHi, PRIME5_LO) + Math.imul(xLo >>> 0, PRIME5_HI) + carry) | 0) >>> (32 - HASH_LOG_U32);
}

function corrupt(why: string): ZsError {
  return new ZsError(ZsErrorCode.CODEC, `lz4: corrupt block (${why})`);
}

/**
 * An LZ4 block codec whose blocks are byte for byte those of the Linux kernel's
 * `LZ4_compress_default()` (see the file comment). Each instance owns a 32 KiB hash table and
 * two scratch buffers that grow to the largest input seen; instances are independent, so a
 * worker may have its own.
 */
export class Lz4Codec implements Codec {
  /** Always `lz4`. */
  readonly name = 'lz4';
  /**
   * LZ4_compress_fast()'s acceleration: the search skips ahead `acceleration` times faster after
   * misses (1, the default, is what zram uses unless Linux 6.12's `algorithm_params` sets
   * `level=`, which its lz4 backend passes on as the acceleration).
   */
  readonly acceleration: number;
  private readonly table = new Int32Array(1 << HASH_LOG_U16);
  private readonly buf = new LzScratch();
  /** Stored positions are `base + i`; anything below `base` is an empty slot (position 0). */
  private base = 1;

  /**
   * @param options.acceleration 1 (the default) to 65537; see {@link Lz4Codec.acceleration}.
   * @throws `ERR_ZS_BAD_ARGUMENT` for an acceleration that is not an integer in range.
   */
  constructor(options: { acceleration?: number } = {}) {
    this.acceleration = checkInt('lz4 acceleration', options.acceleration ?? 1, 1, MAX_ACCELERATION);
  }

  /** Compresses `src` into `dst` as one LZ4 block; returns its length, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers('lz4', src, dst);
    const n = src.length;
    const cap = dst.length;
    if (n > MAX_INPUT) {
      throw new ZsError(ZsErrorCode.BAD_SIZE, `lz4: input of ${n} bytes exceeds ${MAX_INPUT}`);
    }
    this.buf.loadInput(src);
    const bytes = this.buf.inBytes;
    const view = this.buf.inView;
    const table = this.table;
    let base = this.base;
    if (base > POSITION_LIMIT - n) {
      table.fill(0);
      base = 1;
    }
    this.base = base + n;
    if (n < MIN_INPUT_FOR_MATCH) return lastLiterals(bytes, view, dst, 0, 0, n, cap);
    return compressBlock(bytes, view, table, base, dst, n, cap, n >= LIMIT_64K, this.acceleration);
  }

  /** Decodes the LZ4 block `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers('lz4', src, dst);
    const n = src.length;
    const cap = dst.length;
    if (n === 0) throw corrupt('empty input');
    this.buf.loadInput(src);
    this.buf.reserveOutput(cap);
    const input = this.buf.inBytes;
    const inView = this.buf.inView;
    const out = this.buf.outBytes;
    const outView = this.buf.outView;
    let ip = 0;
    let op = 0;
    // Copies below move 4 bytes at a time and may write up to 3 bytes past their end; SLACK
    // covers that, and those bytes are overwritten by the next sequence or never copied out.
    for (;;) {
      if (ip >= n) throw corrupt('truncated sequence');
      const token = input[ip++];

      let litLen = token >>> 4;
      if (litLen === 15) {
        let b = 255;
        while (b === 255) {
          if (ip >= n) throw corrupt('truncated literal length');
          b = input[ip++];
          litLen += b;
        }
      }
      if (litLen > n - ip) throw corrupt('literals run past the input');
      if (litLen > cap - op) throw corrupt('output longer than expected');
      for (let k = 0; k < litLen; k += 4) outView.setInt32(op + k, inView.getInt32(ip + k, true), true);
      ip += litLen;
      op += litLen;
      if (ip === n) break; // the last sequence has no match part

      if (n - ip < 2) throw corrupt('truncated offset');
      const offset = input[ip] | (input[ip + 1] << 8);
      ip += 2;
      if (offset === 0 || offset > op) throw corrupt('offset outside the output');
      let len = token & 0x0f;
      if (len === 15) {
        let b = 255;
        while (b === 255) {
          if (ip >= n) throw corrupt('truncated match length');
          b = input[ip++];
          len += b;
        }
      }
      len += MIN_MATCH;
      if (len > cap - op) throw corrupt('output longer than expected');
      op = copyMatch(out, outView, op, offset, len);
    }
    if (op !== cap) throw corrupt(`decoded ${op} bytes, expected ${cap}`);
    this.buf.deliverOutput(dst);
    return cap;
  }
}

/**
 * Hash of the bytes at `p` for the table in use: LZ4_hash4() with 13 bits for the "byU16" table,
 * LZ4_hash5() for the "byU32" one (`large`).
 */
function hashAt(bytes: Uint8Array, view: DataView, p: number, large: boolean): number {
  const v = view.getInt32(p, true);
  return large ? lz4Hash5(v, bytes[p + 4]) : Math.imul(v, -1640531535) >>> (32 - HASH_LOG_U16);
}

/**
 * Number of equal bytes at `p` and `m`, counting no further than `limit` (LZ4_count()): 4 bytes
 * at a time, the first difference located by the lowest set bit of the XOR.
 */
function countEqual(bytes: Uint8Array, view: DataView, p: number, m: number, limit: number): number {
  const start = p;
  while (p + 4 <= limit) {
    const diff = view.getInt32(p, true) ^ view.getInt32(m, true);
    if (diff !== 0) return p - start + ((31 - Math.clz32(diff & -diff)) >>> 3);
    p += 4;
    m += 4;
  }
  while (p < limit && bytes[p] === bytes[m]) {
    p++;
    m++;
  }
  return p - start;
}

/**
 * The parse of lib/lz4/lz4_compress.c LZ4_compress_generic() (Linux 6.1 and 6.12, noDict) over `bytes[0..n)`, n >= 13, written to `dst`; returns the block length, or -1
 * as soon as a write would pass `cap`. `large` selects the "byU32" table of inputs of
 * LZ4_64Klimit bytes or more (hash5, distance limit); otherwise the "byU16" one.
 */
function compressBlock(
  bytes: Uint8Array,
  view: DataView,
  table: Int32Array,
  base: number,
  dst: Uint8Array,
  n: number,
  cap: number,
  large: boolean,
  acceleration: number,
): number {
  const mfLimit = n - MF_LIMIT; // last position where a match may start
  const matchLimit = n - LAST_LITERALS; // matches end at or before this position
  let op = 0;
  let anchor = 0;
  table[hashAt(bytes, view, 0, large)] = base;
  let ip = 1;
  let forwardH = hashAt(bytes, view, ip, large);
  for (;;) {
    // Probe ip, then further on with a step that grows after 64 misses (at acceleration 1; the
    // acceleration multiplies the step). Each probe reads its slot, hashes the next position,
    // then enters itself.
    let forwardIp = ip;
    let step = 1;
    let probes = acceleration << SKIP_TRIGGER;
    let match = 0;
    for (;;) {
      const h = forwardH;
      ip = forwardIp;
      forwardIp += step;
      step = probes++ >>> SKIP_TRIGGER;
      if (forwardIp > mfLimit) return lastLiterals(bytes, view, dst, op, anchor, n, cap);
      match = table[h] - base;
      if (match < 0) match = 0; // an empty slot: the kernel's zeroed table names position 0
      forwardH = hashAt(bytes, view, forwardIp, large);
      table[h] = base + ip;
      if ((!large || ip - match <= MAX_OFFSET) && view.getInt32(match, true) === view.getInt32(ip, true)) {
        break;
      }
    }
    // Extend backwards over the pending literals, never before the start of the input.
    while (ip > anchor && match > 0 && bytes[ip - 1] === bytes[match - 1]) {
      ip--;
      match--;
    }

    // Token and literals; the offset that follows is counted in the room check.
    const litLen = ip - anchor;
    if (op + 3 + litLen + extraLengthBytes(litLen) > cap) return -1;
    let tokenAt = op++;
    let token: number;
    if (litLen >= 15) {
      token = 0xf0;
      op = writeExtraLength(dst, op, litLen - 15);
    } else {
      token = litLen << 4;
    }
    op = copyLiterals(bytes, view, anchor, ip, dst, op);

    // The match, and as long as the position right after it starts another one, that one too
    // (a sequence without literals).
    for (;;) {
      const offset = ip - match;
      dst[op++] = offset & 0xff;
      dst[op++] = offset >>> 8;
      const extra = countEqual(bytes, view, ip + MIN_MATCH, match + MIN_MATCH, matchLimit);
      ip += MIN_MATCH + extra;
      if (extra >= 15) {
        if (op + extraLengthBytes(extra) > cap) return -1;
        dst[tokenAt] = token | 0x0f;
        op = writeExtraLength(dst, op, extra - 15);
      } else {
        dst[tokenAt] = token | extra;
      }
      anchor = ip;
      if (ip > mfLimit) return lastLiterals(bytes, view, dst, op, anchor, n, cap);

      table[hashAt(bytes, view, ip - 2, large)] = base + ip - 2;
      const h = hashAt(bytes, view, ip, large);
      match = table[h] - base;
      if (match < 0) match = 0;
      table[h] = base + ip;
      if ((large && ip - match > MAX_OFFSET) || view.getInt32(match, true) !== view.getInt32(ip, true)) {
        break;
      }
      if (op + 3 > cap) return -1;
      tokenAt = op++;
      token = 0;
    }
    forwardH = hashAt(bytes, view, ++ip, large);
  }
}

/** Emits the final literal-only sequence `bytes[anchor..n)`; returns the block length or -1. */
function lastLiterals(
  bytes: Uint8Array,
  view: DataView,
  dst: Uint8Array,
  op: number,
  anchor: number,
  n: number,
  cap: number,
): number {
  const litLen = n - anchor;
  if (op + 1 + litLen + extraLengthBytes(litLen) > cap) return -1;
  if (litLen >= 15) {
    dst[op++] = 0xf0;
    op = writeExtraLength(dst, op, litLen - 15);
  } else {
    dst[op++] = litLen << 4;
  }
  return copyLiterals(bytes, view, anchor, n, dst, op);
}

/** The shared LZ4 codec instance registered as `lz4`. */
export const lz4Codec: Lz4Codec = new Lz4Codec();
