/**
 * Structural check of Zstandard frames (RFC 8878 §3.1.1): is `src` made of whole frames, with
 * nothing cut off and nothing after the last? It walks frame headers and block headers without
 * decoding anything.
 *
 * Why: Node 22's `zstdDecompressSync` returns what it decoded so far from a truncated frame
 * without an error (Node 24 throws "unexpected end of file"), so a cut-off page whose bytes
 * happen to be complete, e.g. an empty one, would decode "successfully". Walking the headers
 * catches truncation and trailing bytes the same way on every version, for a few reads per page.
 * More than one frame is allowed: `zstdCompressSync` appends an empty second frame when its
 * output exactly fills its last output chunk, and decoders read concatenated frames as one.
 */

const MAGIC = 0xfd2fb528;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

/** True when `src` is one or more complete zstd frames with nothing after the last. */
export function isCompleteZstdFrames(src: Uint8Array): boolean {
  let p = 0;
  do {
    p = frameEnd(src, p);
    if (p < 0) return false;
  } while (p < src.length);
  return true;
}

/** End of the complete frame starting at `p`, or -1 if there is none. */
function frameEnd(src: Uint8Array, p: number): number {
  const n = src.length;
  if (n - p < 6) return -1; // magic + descriptor + at least a block header's first byte
  if ((src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0 !== MAGIC) return -1;
  const fhd = src[p + 4];
  if (fhd & 0x08) return -1; // reserved bit must be zero
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const dictFlag = fhd & 3;
  const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  const dictSize = dictFlag === 3 ? 4 : dictFlag;
  p += 5 + (singleSegment ? 0 : 1) + dictSize + fcsSize;
  for (;;) {
    if (n - p < 3) return -1;
    const header = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16);
    p += 3;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === BLOCK_RLE) p += 1;
    else if (type === BLOCK_RAW || type === BLOCK_COMPRESSED) p += size;
    else return -1;
    if (p > n) return -1;
    if (header & 1) break; // last block
  }
  if (fhd & 0x04) p += 4; // content checksum
  return p <= n ? p : -1;
}
