/**
 * LZO1X-1 (`lzo`) and zram's run-length variant (`lzo-rle`, the default of Linux 5.1 to 6.x),
 * compressed exactly as the Linux kernel does it.
 *
 * Format (LZO1X, as lib/lzo/lzo1x_decompress_safe.c reads it). A stream is a run of instructions;
 * after each match, the 2 low bits of its last-but-one byte ("state", 0..3) count literals that
 * follow it directly. An instruction byte `t`:
 * - t >= 64, M2: length (t >> 5) + 1 (3..8), distance 1 + ((t >> 2) & 7) + 8·next byte (<= 2 KiB);
 * - 32..63, M3: length (t & 31) + 2, or 33 + an extension when t & 31 is 0; then a 16-bit LE word
 *   w: distance 1 + (w >> 2) (<= 16 KiB), state w & 3;
 * - 16..31, M4: length (t & 7) + 2, or 9 + an extension; then w: distance 16 KiB +
 *   ((t & 8) << 11) + (w >> 2), state w & 3. Distance exactly 16 KiB (t = 17, w = 0) ends the
 *   stream: every stream ends with the bytes 17 0 0.
 * - 0..15 depends on what came before: right after a match with state 0, a literal run of t + 3
 *   bytes (18 + an extension when t is 0); after a match with state 1..3, a 2-byte match at
 *   distance 1 + (t >> 2) + 4·next byte; after a literal run of 4 or more, a 3-byte match at
 *   distance 2049 + (t >> 2) + 4·next byte. (The kernel's compressor never writes the last two.)
 * - A first byte t > 17 is a literal run of t - 17 bytes (state t - 17 when under 4).
 * An extension is a count of zero bytes (255 each) and a final non-zero byte added to the base.
 * `lzo-rle` streams start with 17 and a version byte 1 (a plain stream never starts with 17 unless
 * it is the empty one, 3 bytes long) and add one instruction: an M4 byte 0x18 | (r & 7) followed by
 * w with w & 0xfffc == 0xfffc (distance 0xbfff, which the compressor never uses for a match) and a
 * byte r >> 3 is a run of r + 4 zero bytes (4..2051), state w & 3.
 *
 * Compressor: the parse of lib/lzo/lzo1x_compress.c lzogeneric1x_1_compress() and
 * lzo1x_1_do_compress() as built for x86-64 (LZO_USE_CTZ64, LZO_FAST_64BIT_MEMORY_ACCESS),
 * Linux 6.1 (zram there reaches it through crypto/lzo.c and crypto/lzo-rle.c; Linux 6.12's zram
 * has no lzo backend in Debian's build), so every page has the length zram stores:
 * - the input is cut into blocks of at most 49152 bytes (49151 for lzo-rle), each with a fresh
 *   2^13-entry dictionary of 16-bit positions (memset to 0, so an empty slot names the block's
 *   first byte: we keep `base + i` and read anything below `base` as 0, instead of clearing);
 *   literals left at the end of a block are carried into the next one; inputs of 20 bytes or
 *   less, and the last 20 bytes of every block, are literals;
 * - the search starts 4 bytes in (fewer when literals were carried over), hashes 4 bytes
 *   ((dv · 0x1824429d) >> 19) and accepts a candidate whose 4 bytes are equal, at any distance
 *   inside the block; after a miss it skips 1 + (literals pending >> 5) bytes;
 * - a match is extended 8 bytes at a time and stops counting once it reaches the block's last
 *   20 bytes (so it may end a few bytes into them, as the kernel's does);
 * - M2 for length <= 8 within 2 KiB, else M3 within 16 KiB, else M4;
 * - lzo-rle: 4 zero bytes at a probed position start a zero run (up to 2051 bytes, not past the
 *   block's last 20) instead of a dictionary probe, and an M4 of length 261..264 whose distance
 *   bits would read as a zero run is cut to 260.
 * The kernel writes into a buffer of the worst-case size and never fails; we return -1 exactly
 * when the stream is longer than `dst` (each write is checked), so callers may size `dst` to what
 * is worth storing.
 *
 * Decompressor: reads both variants (like the kernel, it tells them apart by the first byte);
 * every length, distance and read is checked against what remains of `src` and `dst`, so corrupt
 * input throws `ERR_ZS_CODEC` and can never read or write out of bounds or loop forever.
 */
import { ZsError, ZsErrorCode } from '../errors.js';
import { checkCodecBuffers } from './check.js';
import { copyLiterals, copyMatch, LzScratch } from './lz-block.js';
import type { Codec } from './types.js';

const M2_MAX_LEN = 8;
const M3_MAX_LEN = 33;
const M4_MAX_LEN = 9;
const M2_MAX_OFFSET = 0x0800;
const M3_MAX_OFFSET = 0x4000;
const M3_MARKER = 32;
const M4_MARKER = 16;
/** Largest match distance of each variant; a block spans at most one more byte. */
const M4_MAX_OFFSET_V0 = 0xbfff;
const M4_MAX_OFFSET_V1 = 0xbffe;
const MIN_ZERO_RUN = 4;
const MAX_ZERO_RUN = 2047 + MIN_ZERO_RUN;
/** Dictionary size (D_BITS). */
const D_BITS = 13;
const D_MASK = (1 << D_BITS) - 1;
/** Inputs of this many bytes or fewer, and the tail of each block, are literals. */
const TAIL = 20;
/** Stored positions (`base + i`) stay below this, so they fit the Int32Array dictionary. */
const POSITION_LIMIT = 0x7fffffff;

/** Worst-case size of an LZO1X-1 stream (with the lzo-rle header) for `n` input bytes. */
export function lzoCompressBound(n: number): number {
  return n + Math.floor(n / 16) + 64 + 3 + 2;
}

function corrupt(name: string, why: string): ZsError {
  return new ZsError(ZsErrorCode.CODEC, `${name}: corrupt stream (${why})`);
}

/**
 * Where the length extension starting at `ip` ends: the index of its first non-zero byte (each
 * zero before it adds 255); throws if the stream ends first.
 */
function extensionEnd(input: Uint8Array, ip: number, n: number, name: string): number {
  while (ip < n && input[ip] === 0) ip++;
  if (ip >= n) throw corrupt(name, 'length extension runs past the input');
  return ip;
}

/** Count of trailing zero bits of a non-zero 32-bit value. */
function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/**
 * An LZO1X-1 codec, plain (`lzo`, the kernel's lzo1x_1_compress()) or with zero runs (`lzo-rle`,
 * lzorle1x_1_compress()); see the file comment. Each instance owns a 32 KiB dictionary and two
 * scratch buffers that grow to the largest input seen.
 */
export class LzoCodec implements Codec {
  /** `lzo` or `lzo-rle`. */
  readonly name: 'lzo' | 'lzo-rle';
  /** Bitstream version: 0 for `lzo`, 1 for `lzo-rle` (written after a leading 17). */
  private readonly version: number;
  private readonly dict = new Int32Array(1 << D_BITS);
  private readonly buf = new LzScratch();
  /** Stored positions are `base + i` (i from the block start); below `base` is an empty slot. */
  private base = 1;
  // Compressor state shared by the block loop (fields, so no object is made per call).
  private op = 0;
  private stateOffset = -2;

  /** @param variant `lzo` (LZO1X-1) or `lzo-rle` (zram's run-length variant). */
  constructor(variant: 'lzo' | 'lzo-rle') {
    if (variant !== 'lzo' && variant !== 'lzo-rle') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `lzo: unknown variant ${JSON.stringify(variant)}`);
    }
    this.name = variant;
    this.version = variant === 'lzo-rle' ? 1 : 0;
  }

  /** Compresses `src` into `dst` as one LZO1X stream; returns its length, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    const n = src.length;
    const cap = dst.length;
    this.buf.loadInput(src);
    let op = 0;
    if (this.version > 0) {
      if (cap < 2) return -1;
      dst[0] = 17;
      dst[1] = this.version;
      op = 2;
    }
    const dataStart = op;
    this.op = op;
    this.stateOffset = -2;
    const blockMax = (this.version > 0 ? M4_MAX_OFFSET_V1 : M4_MAX_OFFSET_V0) + 1;
    let ip = 0;
    let left = n;
    let t = 0;
    while (left > TAIL) {
      const ll = left < blockMax ? left : blockMax;
      if (this.base > POSITION_LIMIT - ll) {
        this.dict.fill(0);
        this.base = 1;
      }
      const blockBase = this.base;
      this.base += ll; // before the block, so that a block given up on leaves no live entries
      t = this.compressBlock(ip, ll, t, blockBase, dst, cap);
      if (t < 0) return -1;
      ip += ll;
      left -= ll;
    }
    t += left;
    op = this.op;

    // The literals still pending, then the end marker.
    if (t > 0) {
      const ii = n - t;
      if (op === dataStart && t <= 238) {
        if (op + 1 + t > cap) return -1;
        dst[op++] = 17 + t;
      } else if (t <= 3) {
        if (op + t > cap) return -1;
        dst[op + this.stateOffset] |= t;
      } else {
        op = this.literalHeader(t, dst, op, cap);
        if (op < 0) return -1;
      }
      op = copyLiterals(this.buf.inBytes, this.buf.inView, ii, n, dst, op);
    }
    if (op + 3 > cap) return -1;
    dst[op++] = M4_MARKER | 1;
    dst[op++] = 0;
    dst[op++] = 0;
    return op;
  }

  /**
   * Writes the header of a literal run of `t` > 3 bytes (not the first instruction); returns the
   * new op, or -1 if the header and the literals do not fit `cap`.
   */
  private literalHeader(t: number, dst: Uint8Array, op: number, cap: number): number {
    if (t <= 18) {
      if (op + 1 + t > cap) return -1;
      dst[op++] = t - 3;
      return op;
    }
    let tt = t - 18;
    if (op + 2 + Math.floor((tt - 1) / 255) + t > cap) return -1;
    dst[op++] = 0;
    while (tt > 255) {
      tt -= 255;
      dst[op++] = 0;
    }
    dst[op++] = tt;
    return op;
  }

  /**
   * lzo1x_1_do_compress() over the block `[start, start + len)` of the private input, with `ti`
   * literals carried over from before it and dictionary positions stored as `base + i`; writes to `dst` from `this.op` and returns the literals
   * left pending at its end, or -1 if the output passed `cap`.
   */
  private compressBlock(
    start: number,
    len: number,
    ti: number,
    base: number,
    dst: Uint8Array,
    cap: number,
  ): number {
    const bytes = this.buf.inBytes;
    const view = this.buf.inView;
    const dict = this.dict;
    const rle = this.version > 0;
    const inEnd = start + len;
    const ipEnd = inEnd - TAIL;
    let op = this.op;
    let stateOffset = this.stateOffset;
    let ii = start;
    let ip = start + (ti < 4 ? 4 - ti : 0);
    let skip = true; // on entry, and after a miss: step past ip before probing
    for (;;) {
      if (skip) ip += 1 + ((ip - ii) >> 5);
      skip = true;
      if (ip >= ipEnd) break;
      const dv = view.getInt32(ip, true);
      let mPos = 0;
      let run = 0;
      if (dv === 0 && rle) {
        // A zero run: its length up to the first non-zero byte, the block's tail or the maximum.
        const limit = ipEnd < ip + MAX_ZERO_RUN + 1 ? ipEnd : ip + MAX_ZERO_RUN + 1;
        let ir = ip + 4;
        while (ir + 4 <= limit && view.getInt32(ir, true) === 0) ir += 4;
        while (ir < limit && bytes[ir] === 0) ir++;
        run = ir - ip;
        if (run > MAX_ZERO_RUN) run = MAX_ZERO_RUN;
      } else {
        const h = (Math.imul(dv, 0x1824429d) >>> (32 - D_BITS)) & D_MASK;
        const stored = dict[h] - base;
        mPos = start + (stored < 0 ? 0 : stored);
        dict[h] = base + (ip - start);
        if (view.getInt32(mPos, true) !== dv) continue;
      }

      // The literals before the match (or run), including any carried over from the last block.
      ii -= ti;
      ti = 0;
      const t = ip - ii;
      if (t !== 0) {
        if (t <= 3) {
          if (op + t > cap) return -1;
          dst[op + stateOffset] |= t;
        } else {
          op = this.literalHeader(t, dst, op, cap);
          if (op < 0) return -1;
        }
        op = copyLiterals(bytes, view, ii, ip, dst, op);
      }

      if (run !== 0) {
        if (op + 4 > cap) return -1;
        ip += run;
        const r = run - MIN_ZERO_RUN;
        dst[op] = 0x18 | (r & 7);
        dst[op + 1] = 0xfc;
        dst[op + 2] = 0xff;
        dst[op + 3] = r >>> 3;
        op += 4;
        stateOffset = -3;
        ii = ip;
        skip = false;
        continue;
      }

      // Extend the match 8 bytes at a time (two 32-bit words); once it reaches the block's
      // tail, stop counting at the last whole step.
      let mLen = 4;
      let lo = view.getInt32(ip + mLen, true) ^ view.getInt32(mPos + mLen, true);
      let hi = view.getInt32(ip + mLen + 4, true) ^ view.getInt32(mPos + mLen + 4, true);
      let reachedTail = false;
      while (lo === 0 && hi === 0) {
        mLen += 8;
        lo = view.getInt32(ip + mLen, true) ^ view.getInt32(mPos + mLen, true);
        hi = view.getInt32(ip + mLen + 4, true) ^ view.getInt32(mPos + mLen + 4, true);
        if (ip + mLen >= ipEnd) {
          reachedTail = true;
          break;
        }
      }
      if (!reachedTail) mLen += (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi)) >>> 3;

      let mOff = ip - mPos;
      ip += mLen;
      if (mLen <= M2_MAX_LEN && mOff <= M2_MAX_OFFSET) {
        if (op + 2 > cap) return -1;
        mOff -= 1;
        dst[op++] = ((mLen - 1) << 5) | ((mOff & 7) << 2);
        dst[op++] = mOff >>> 3;
      } else {
        let marker: number;
        let extra: number; // length beyond what the marker byte holds; -1 if it holds it all
        if (mOff <= M3_MAX_OFFSET) {
          mOff -= 1;
          if (mLen <= M3_MAX_LEN) {
            marker = M3_MARKER | (mLen - 2);
            extra = -1;
          } else {
            marker = M3_MARKER;
            extra = mLen - M3_MAX_LEN;
          }
        } else {
          mOff -= 0x4000;
          if (mLen <= M4_MAX_LEN) {
            marker = M4_MARKER | ((mOff >>> 11) & 8) | (mLen - 2);
            extra = -1;
          } else {
            if (rle && (mOff & 0x403f) === 0x403f && mLen >= 261 && mLen <= 264) {
              // These would read as a zero run: give the match back down to 260 bytes.
              ip -= mLen - 260;
              mLen = 260;
            }
            marker = M4_MARKER | ((mOff >>> 11) & 8);
            extra = mLen - M4_MAX_LEN;
          }
        }
        const need = extra < 0 ? 3 : 4 + Math.floor((extra - 1) / 255);
        if (op + need > cap) return -1;
        dst[op++] = marker;
        if (extra >= 0) {
          while (extra > 255) {
            extra -= 255;
            dst[op++] = 0;
          }
          dst[op++] = extra;
        }
        dst[op++] = (mOff << 2) & 0xff;
        dst[op++] = (mOff >>> 6) & 0xff;
      }
      stateOffset = -2;
      ii = ip;
      skip = false;
    }
    this.op = op;
    this.stateOffset = stateOffset;
    return inEnd - (ii - ti);
  }

  /** Decodes the LZO1X stream `src` into all of `dst`; throws `ERR_ZS_CODEC` if it is corrupt. */
  decompress(src: Uint8Array, dst: Uint8Array): number {
    checkCodecBuffers(this.name, src, dst);
    const name = this.name;
    const n = src.length;
    const cap = dst.length;
    if (n < 3) throw corrupt(name, 'shorter than the end marker');
    this.buf.loadInput(src);
    this.buf.reserveOutput(cap);
    const input = this.buf.inBytes;
    const inView = this.buf.inView;
    const out = this.buf.outBytes;
    const outView = this.buf.outView;
    let ip = 0;
    let op = 0;
    let version = 0;
    if (n >= 5 && input[0] === 17) {
      version = input[1];
      if (version > 1) throw corrupt(name, `unknown bitstream version ${version}`);
      ip = 2;
    }
    // state: literals that followed the last match (0..3), or 4 after a literal run.
    let state = 0;
    if (input[ip] > 17) {
      const t = input[ip++] - 17;
      if (t > n - ip) throw corrupt(name, 'literals run past the input');
      if (t > cap) throw corrupt(name, 'output longer than expected');
      for (let k = 0; k < t; k += 4) outView.setInt32(k, inView.getInt32(ip + k, true), true);
      ip += t;
      op = t;
      state = t < 4 ? t : 4;
    }
    for (;;) {
      if (ip >= n) throw corrupt(name, 'missing end marker');
      const t = input[ip++];
      let len: number;
      let dist: number;
      let next: number;
      if (t >= 64) {
        if (ip >= n) throw corrupt(name, 'truncated match');
        len = (t >>> 5) + 1;
        dist = 1 + ((t >>> 2) & 7) + (input[ip++] << 3);
        next = t & 3;
      } else if (t >= 32) {
        len = (t & 31) + 2;
        if (len === 2) {
          const end = extensionEnd(input, ip, n, name);
          len = M3_MAX_LEN + 255 * (end - ip) + input[end];
          ip = end + 1;
        }
        if (n - ip < 2) throw corrupt(name, 'truncated match');
        const w = input[ip] | (input[ip + 1] << 8);
        ip += 2;
        dist = 1 + (w >>> 2);
        next = w & 3;
      } else if (t >= 16) {
        if (n - ip < 2) throw corrupt(name, 'truncated match');
        let w = input[ip] | (input[ip + 1] << 8);
        if (version > 0 && (t & 0xf8) === 0x18 && (w & 0xfffc) === 0xfffc) {
          // lzo-rle: a run of zero bytes.
          if (n - ip < 3) throw corrupt(name, 'truncated zero run');
          const run = ((t & 7) | (input[ip + 2] << 3)) + MIN_ZERO_RUN;
          ip += 3;
          if (run > cap - op) throw corrupt(name, 'output longer than expected');
          out.fill(0, op, op + run);
          op += run;
          next = w & 3;
          op = this.trailingLiterals(next, ip, op, n, cap);
          ip += next;
          state = next;
          continue;
        }
        len = (t & 7) + 2;
        if (len === 2) {
          const end = extensionEnd(input, ip, n, name);
          len = M4_MAX_LEN + 255 * (end - ip) + input[end];
          ip = end + 1;
          if (n - ip < 2) throw corrupt(name, 'truncated match');
          w = input[ip] | (input[ip + 1] << 8);
        }
        ip += 2;
        dist = ((t & 8) << 11) + (w >>> 2);
        next = w & 3;
        if (dist === 0) {
          if (len !== 3) throw corrupt(name, 'bad end marker');
          if (ip !== n) throw corrupt(name, 'bytes after the end marker');
          break;
        }
        dist += 0x4000;
      } else if (state === 0) {
        // A literal run.
        len = t + 3;
        if (t === 0) {
          const end = extensionEnd(input, ip, n, name);
          len = 18 + 255 * (end - ip) + input[end];
          ip = end + 1;
        }
        if (len > n - ip) throw corrupt(name, 'literals run past the input');
        if (len > cap - op) throw corrupt(name, 'output longer than expected');
        for (let k = 0; k < len; k += 4) outView.setInt32(op + k, inView.getInt32(ip + k, true), true);
        ip += len;
        op += len;
        state = 4;
        continue;
      } else {
        if (ip >= n) throw corrupt(name, 'truncated match');
        len = state === 4 ? 3 : 2;
        dist = (state === 4 ? 1 + M2_MAX_OFFSET : 1) + (t >>> 2) + (input[ip++] << 2);
        next = t & 3;
      }
      if (dist > op) throw corrupt(name, 'distance outside the output');
      if (len > cap - op) throw corrupt(name, 'output longer than expected');
      op = copyMatch(out, outView, op, dist, len);
      op = this.trailingLiterals(next, ip, op, n, cap);
      ip += next;
      state = next;
    }
    if (op !== cap) throw corrupt(name, `decoded ${op} bytes, expected ${cap}`);
    this.buf.deliverOutput(dst);
    return cap;
  }

  /** Copies the 0..3 literals that follow a match; returns the new op (the caller advances ip). */
  private trailingLiterals(count: number, ip: number, op: number, n: number, cap: number): number {
    if (count === 0) return op;
    if (count > n - ip) throw corrupt(this.name, 'literals run past the input');
    if (count > cap - op) throw corrupt(this.name, 'output longer than expected');
    const input = this.buf.inBytes;
    const out = this.buf.outBytes;
    for (let k = 0; k < count; k++) out[op + k] = input[ip + k];
    return op + count;
  }
}

/** The shared LZO1X-1 codec instance registered as `lzo`. */
export const lzoCodec: LzoCodec = new LzoCodec('lzo');
/** The shared LZO1X-1 run-length codec instance registered as `lzo-rle`. */
export const lzoRleCodec: LzoCodec = new LzoCodec('lzo-rle');
