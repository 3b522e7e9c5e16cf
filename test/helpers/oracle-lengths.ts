/**
 * A codec that stores each page at the length the real kernel stored it (read from the zram
 * oracle's per-write logs), so the device's mm_stat arithmetic can be checked independently of
 * the compressor. Pages are recognised by content (SHA-1); the "compressed" bytes carry a page id
 * so reads decompress exactly. Tests only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Codec, getCodec, ZsError, ZsErrorCode } from '../../src/index.js';

interface OracleWrite {
  page: number;
  len: number;
  same: number;
  huge: number;
  err: number;
}

/** Lengths by data page: exact where some kernel stored it compressed, else `huge` (≥ 3257). */
export function oracleLengths(results: string[]): Map<number, number> {
  const len = new Map<number, number>();
  for (const f of results) {
    const r = JSON.parse(readFileSync(f, 'utf8')) as { writes: OracleWrite[] };
    for (const w of r.writes) {
      if (w.err || w.same) continue;
      if (!w.huge) len.set(w.page, w.len);
      else if (!len.has(w.page)) len.set(w.page, -1);
    }
  }
  return len;
}

/** The codec; `pages` reads data page `i`. */
export function oracleLengthCodec(name: string, lengths: Map<number, number>, pages: Uint8Array[]): Codec {
  const fallback = getCodec('lz4');
  const byHash = new Map<string, number>();
  for (const [i] of lengths) byHash.set(createHash('sha1').update(pages[i]).digest('base64'), i);
  return {
    name,
    compress(src, dst) {
      const i = byHash.get(createHash('sha1').update(src).digest('base64'));
      // A page the kernel never stored (every write of it refused): our own lz4's length.
      if (i === undefined) return fallback.compress(src, dst);
      const n = lengths.get(i) ?? -1;
      if (n < 0 || n > dst.length) return -1;
      dst.fill(0, 0, n);
      dst[0] = i & 255;
      dst[1] = (i >>> 8) & 255;
      dst[2] = (i >>> 16) & 255;
      return n;
    },
    decompress(src, dst) {
      if (src.length < 4 || lengths.get(src[0] | (src[1] << 8) | (src[2] << 16)) !== src.length) {
        return fallback.decompress(src, dst);
      }
      const i = src[0] | (src[1] << 8) | (src[2] << 16);
      if (lengths.get(i) !== src.length) throw new ZsError(ZsErrorCode.CODEC, 'corrupt');
      dst.set(pages[i]);
      return dst.length;
    },
  };
}
