/**
 * What the LZ-family block codecs (lz4, lzo) share: private input and output buffers read and
 * written a word at a time through DataView, the copy of literals out of the input buffer, and
 * the copy of back-references within the output buffer.
 *
 * Both directions first copy their input into a private plain ArrayBuffer (one native memcpy):
 * unaligned 32-bit reads through a DataView then cost one load instead of four, whatever kind of
 * buffer the caller's view sits on. A decoder builds its output in the private output buffer and
 * hands it over with one `set`. Both buffers keep SLACK bytes past their live data, so word reads
 * and writes may run a little past the end.
 *
 * Why the input is copied although a store hands us the object's view in the pool: the pool's
 * arenas are resizable ArrayBuffers, and element access on views of those is slow. Reading 2.5 KiB
 * on Node 20, 22 and 24: bytes 2.4–2.6× slower than from a plain buffer, DataView words 5–7×
 * slower, while one bulk `set` out of the arena costs the same as from a plain buffer. Measured
 * end to end on 50,000 values of 1–4 KiB (lz4, Node 20, best of 7 rounds at load 7 on 2 cores),
 * each into a fresh array: decoding straight from the arena view,
 * literals of 16 bytes or more moved with `set`, took 17.4 µs per value against 8.0 µs for this
 * copy-in / copy-out design; decoding straight into the caller's array (a DataView made per call,
 * byte-wise tails so nothing is written past its end) took 10.8 µs — the final `set` of the
 * output costs less than that DataView and those guards.
 */

/**
 * Bytes past the live data in each scratch buffer (8-byte reads, 4-byte copies overrunning).
 * @internal
 */
export const SLACK = 16;

/**
 * The private buffers of an LZ block codec (held in a private field, so that nothing of it shows
 * in the codec's public type); they grow to the largest input and output seen and are reused by
 * every call (no allocation per call while sizes stay the same).
 * @internal
 */
export class LzScratch {
  /** The private copy of the current input, and a view on it. */
  inBytes = new Uint8Array(4096 + SLACK);
  inView = new DataView(this.inBytes.buffer);
  /** The private output of the decoder, and a view on it. */
  outBytes = new Uint8Array(4096 + SLACK);
  outView = new DataView(this.outBytes.buffer);
  /** `outBytes.subarray(0, outWindow.length)`, kept while outputs keep the same size. */
  private outWindow = this.outBytes.subarray(0, 4096);

  /** Copies `src` into `inBytes` (grown first if needed). */
  loadInput(src: Uint8Array): void {
    const n = src.length;
    if (n + SLACK > this.inBytes.length) {
      this.inBytes = new Uint8Array(Math.max(n + SLACK, this.inBytes.length * 2));
      this.inView = new DataView(this.inBytes.buffer);
    }
    this.inBytes.set(src);
  }

  /** Makes `outBytes` hold at least `n` bytes plus slack. */
  reserveOutput(n: number): void {
    if (n + SLACK > this.outBytes.length) {
      this.outBytes = new Uint8Array(Math.max(n + SLACK, this.outBytes.length * 2));
      this.outView = new DataView(this.outBytes.buffer);
      this.outWindow = this.outBytes.subarray(0, n);
    }
  }

  /** Copies the first `dst.length` bytes of `outBytes` to `dst`. */
  deliverOutput(dst: Uint8Array): void {
    let window = this.outWindow;
    if (window.length !== dst.length) window = this.outWindow = this.outBytes.subarray(0, dst.length);
    dst.set(window);
  }
}

/**
 * Copies literals `bytes[from..to)` to `dst` at `op`; returns the new op. Reads a word at a time
 * from the private buffer, writes bytes (never past `to - from` bytes of `dst`).
 * @internal
 */
export function copyLiterals(
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

/**
 * Copies a match of `len` bytes from `offset` back, within `out`; returns the new output end.
 * The output of a match is periodic with period `offset`, hence also with any multiple of it:
 * a short offset is widened to a multiple of at least 4 once that many bytes exist, so the copy
 * can move 4 bytes at a time without reading bytes it has not written yet.
 * @internal
 */
export function copyMatch(out: Uint8Array, view: DataView, op: number, offset: number, len: number): number {
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
