/**
 * LZ4 block format, written for page-sized inputs (zram's default codec class).
 *
 * Format (the LZ4 block specification): a block is a run of sequences. Each sequence is
 * - a token byte: high nibble = literal count, low nibble = match length - 4 (MIN_MATCH);
 *   a nibble of 15 means "more follows": further bytes are added until one is not 255;
 * - the literals themselves;
 * - a 2-byte little-endian offset (1..65535) back into the already-decoded output;
 * - the match length's extra bytes, if its nibble was 15.
 * The last sequence has literals only and ends the block. Encoders must leave the last
 * LAST_LITERALS (5) bytes as literals and start no match within MF_LIMIT (12) bytes of the end,
 * so that other decoders' fast paths stay in bounds; we honour both, so any LZ4 decoder reads
 * our blocks. The decoder here accepts every well-formed block, including ones that do not
 * honour those two end rules.
 *
 * Compressor: greedy single-probe matcher. A hash table (Int32Array, 4096 entries) maps the
 * hash of 4 bytes to the last position they were seen. Positions are stored as `base + i`,
 * and `base` advances by the input length plus 64 KiB after every call, so an entry from an
 * earlier call looks more than 64 KiB away (too far for LZ4) and the table never needs
 * clearing: no allocation and no memset per call. After 64 misses in a row the search steps
 * faster over incompressible input; matches are extended 4 bytes at a time (XOR, then count
 * the equal low bytes); and it returns -1 the moment the output would pass `dst.length`.
 *
 * Decompressor: every length and offset is checked against what remains of `src` and `dst`
 * before any byte moves, and each sequence consumes at least its token byte, so corrupt input
 * throws `ERR_ZS_CODEC` and can never read or write out of bounds or loop forever.
 */
import { ZsError, ZsErrorCode } from '../errors.js';
import type { Codec } from './types.js';

const MIN_MATCH = 4;
/** The last bytes of a block are always literals. */
const LAST_LITERALS = 5;
/** A match may not start within this many bytes of the end of the block. */
const MF_LIMIT = 12;
/** Inputs shorter than this are stored as one literal run. */
const MIN_INPUT_FOR_MATCH = MF_LIMIT + 1;
const MAX_OFFSET = 65535;
const HASH_LOG = 12;
const HASH_SHIFT = 32 - HASH_LOG;
/** Misses before the search starts skipping (step grows by 1 every 2^SKIP_TRIGGER misses). */
const SKIP_TRIGGER = 6;
/** Largest input the block format's reference implementation accepts. */
const MAX_INPUT = 0x7e000000;
/** Stored positions (`base + i`) stay below this, so they fit the Int32Array table. */
const POSITION_LIMIT = 0x7fffffff;
/**
 * Gap left between calls' position ranges (and the first `base`): an entry from an earlier
 * call, or an untouched zero, then lies more than MAX_OFFSET behind any current position, so
 * one distance test rejects stale, zero and too-far entries alike.
 */
const BASE_GAP = MAX_OFFSET + 1;

/** Worst-case size of the LZ4 block for `n` input bytes (all literals). */
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

function hash32(v: number): number {
  return Math.imul(v, 0x9e3779b1) >>> HASH_SHIFT;
}

function corrupt(why: string): ZsError {
  return new ZsError(ZsErrorCode.CODEC, `lz4: corrupt block (${why})`);
}

/** Bytes past the live data in each scratch buffer, so 4-byte reads and writes may overrun. */
const SLACK = 8;

/**
 * An LZ4 block codec. Each instance owns a 16 KiB hash table and two scratch buffers that grow
 * to the largest page seen; instances are independent, so a worker may have its own.
 *
 * Both directions first copy their input into a private plain ArrayBuffer (one native memcpy):
 * unaligned 32-bit reads through a DataView then cost one load instead of four, whatever kind
 * of buffer the caller's view sits on.
 */
export class Lz4Codec implements Codec {
  /** Always `lz4`. */
  readonly name = 'lz4';
  private readonly table = new Int32Array(1 << HASH_LOG);
  private base = BASE_GAP;
  private inBytes = new Uint8Array(4096 + SLACK);
  private inView = new DataView(this.inBytes.buffer);
  private outBytes = new Uint8Array(4096 + SLACK);
  private outView = new DataView(this.outBytes.buffer);
  /** `outBytes.subarray(0, outWindow.length)`, kept while pages keep the same size. */
  private outWindow = this.outBytes.subarray(0, 4096);

  /** Compresses `src` into `dst` as one LZ4 block; returns its length, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    const n = src.length;
    const cap = dst.length;
    if (n > MAX_INPUT) {
      throw new ZsError(ZsErrorCode.BAD_SIZE, `lz4: input of ${n} bytes exceeds ${MAX_INPUT}`);
    }
    if (n + SLACK > this.inBytes.length) this.growIn(n);
    const bytes = this.inBytes;
    const view = this.inView;
    bytes.set(src);
    const table = this.table;
    let base = this.base;
    if (base > POSITION_LIMIT - BASE_GAP - n) {
      table.fill(0);
      base = BASE_GAP;
    }
    this.base = base + n + BASE_GAP;

    let op = 0;
    let anchor = 0;
    if (n >= MIN_INPUT_FOR_MATCH) {
      const mfLimit = n - MF_LIMIT; // last position where a match may start
      const matchLimit = n - LAST_LITERALS; // matches end before this position
      table[hash32(view.getInt32(0, true))] = base;
      let i = 1;
      for (;;) {
        // Find a 4-byte match at i or later.
        let ref = 0;
        let misses = 1 << SKIP_TRIGGER;
        for (;;) {
          if (i > mfLimit) return finish(bytes, view, dst, op, anchor, n, cap);
          const v = view.getInt32(i, true);
          const h = hash32(v);
          ref = table[h] - base;
          table[h] = base + i;
          if (i - ref <= MAX_OFFSET && view.getInt32(ref, true) === v) break;
          i += misses++ >> SKIP_TRIGGER;
        }
        // Extend it backwards over pending literals, then forwards (4 bytes at a time first).
        while (i > anchor && ref > 0 && bytes[i - 1] === bytes[ref - 1]) {
          i--;
          ref--;
        }
        let len = MIN_MATCH;
        for (;;) {
          if (i + len + 4 > matchLimit) {
            while (i + len < matchLimit && bytes[i + len] === bytes[ref + len]) len++;
            break;
          }
          const diff = view.getInt32(i + len, true) ^ view.getInt32(ref + len, true);
          if (diff !== 0) {
            len += (31 - Math.clz32(diff & -diff)) >>> 3; // equal low-order bytes
            break;
          }
          len += 4;
        }

        // Emit the sequence: token, literals, offset, match length.
        const litLen = i - anchor;
        const ml = len - MIN_MATCH;
        if (op + 3 + litLen + extraLengthBytes(litLen) + extraLengthBytes(ml) > cap) return -1;
        const tokenAt = op++;
        let token: number;
        if (litLen >= 15) {
          token = 0xf0;
          op = writeExtraLength(dst, op, litLen - 15);
        } else {
          token = litLen << 4;
        }
        op = copyLiterals(bytes, view, anchor, i, dst, op);
        const offset = i - ref;
        dst[op++] = offset & 0xff;
        dst[op++] = offset >>> 8;
        if (ml >= 15) {
          token |= 0x0f;
          op = writeExtraLength(dst, op, ml - 15);
        } else {
          token |= ml;
        }
        dst[tokenAt] = token;

        i += len;
        anchor = i;
        if (i > mfLimit) break;
        // Remember a position inside the match: it helps the next search on repetitive data.
        table[hash32(view.getInt32(i - 2, true))] = base + i - 2;
      }
    }
    return finish(bytes, view, dst, op, anchor, n, cap);
  }

  /** Decodes the LZ4 block `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    const n = src.length;
    const cap = dst.length;
    if (n === 0) throw corrupt('empty input');
    if (n + SLACK > this.inBytes.length) this.growIn(n);
    if (cap + SLACK > this.outBytes.length) this.growOut(cap);
    const input = this.inBytes;
    const inView = this.inView;
    const out = this.outBytes;
    const outView = this.outView;
    input.set(src);
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
    let window = this.outWindow;
    if (window.length !== cap) window = this.outWindow = out.subarray(0, cap);
    dst.set(window);
    return cap;
  }

  private growIn(n: number): void {
    this.inBytes = new Uint8Array(Math.max(n + SLACK, this.inBytes.length * 2));
    this.inView = new DataView(this.inBytes.buffer);
  }

  private growOut(n: number): void {
    this.outBytes = new Uint8Array(Math.max(n + SLACK, this.outBytes.length * 2));
    this.outView = new DataView(this.outBytes.buffer);
    this.outWindow = this.outBytes.subarray(0, n);
  }
}

/**
 * Copies literals `bytes[from..to)` to `dst` at `op`; returns the new op. Reads a word at a time
 * from the private buffer, writes bytes (never past `to - from` bytes of `dst`).
 */
function copyLiterals(
  bytes: Uint8Array,
  view: DataView,
  from: number,
  to: number,
  dst: Uint8Array,
  op: number,
): number {
  let k = from;
  for (; k + 4 <= to; k += 4) {
    const w = view.getInt32(k, true);
    dst[op] = w;
    dst[op + 1] = w >>> 8;
    dst[op + 2] = w >>> 16;
    dst[op + 3] = w >>> 24;
    op += 4;
  }
  for (; k < to; k++) dst[op++] = bytes[k];
  return op;
}

/** Emits the final literal-only sequence `bytes[anchor..n)`; returns the block length or -1. */
function finish(
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

/**
 * Copies a match of `len` bytes from `offset` back, within `out`; returns the new output end.
 * The output of a match is periodic with period `offset`, hence also with any multiple of it:
 * a short offset is widened to a multiple of at least 4 once that many bytes exist, so the copy
 * can move 4 bytes at a time without reading bytes it has not written yet.
 */
function copyMatch(out: Uint8Array, view: DataView, op: number, offset: number, len: number): number {
  const end = op + len;
  if (offset < 4) {
    const stride = offset === 3 ? 6 : 4;
    const head = Math.min(stride - offset, len);
    for (let k = 0; k < head; k++, op++) out[op] = out[op - offset];
    offset = stride;
  }
  for (let ref = op - offset; op < end; op += 4, ref += 4) view.setInt32(op, view.getInt32(ref, true), true);
  return end;
}

/** The shared LZ4 codec instance registered as `lz4`. */
export const lz4Codec: Lz4Codec = new Lz4Codec();
