/**
 * Structural check of a Zstandard frame (RFC 8878 §3.1.1): does `src` hold exactly one complete
 * frame? It walks the frame header and the block headers without decoding anything.
 *
 * Why: Node 22's `zstdDecompressSync` returns what it decoded so far from a truncated frame
 * without an error (Node 24 throws "unexpected end of file"), so a cut-off page whose bytes
 * happen to be complete, e.g. an empty one, would decode "successfully". Walking the headers
 * catches truncation and trailing bytes the same way on every version, for a few reads per page.
 */

const MAGIC = 0xfd2fb528;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

/** True when `src` is one complete zstd frame with nothing after it. */
export function isCompleteZstdFrame(src: Uint8Array): boolean {
  const n = src.length;
  if (n < 6) return false; // magic + descriptor + one block header
  if ((src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24)) >>> 0 !== MAGIC) return false;
  const fhd = src[4];
  if (fhd & 0x08) return false; // reserved bit must be zero
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const dictFlag = fhd & 3;
  const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  const dictSize = dictFlag === 3 ? 4 : dictFlag;
  let p = 5 + (singleSegment ? 0 : 1) + dictSize + fcsSize;
  for (;;) {
    if (n - p < 3) return false;
    const header = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16);
    p += 3;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === BLOCK_RLE) p += 1;
    else if (type === BLOCK_RAW || type === BLOCK_COMPRESSED) p += size;
    else return false;
    if (p > n) return false;
    if (header & 1) break; // last block
  }
  if (fhd & 0x04) p += 4; // content checksum
  return p === n;
}
