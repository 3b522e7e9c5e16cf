/**
 * The Codec contract: how ZramDevice and ZStore compress objects. A leaf module, imported by the
 * registry (codec.ts) and by every codec implementation.
 *
 * Contract (chosen for page-sized work on hot paths: no allocation per call)
 * - `compress(src, dst)` writes the compressed form of `src` into `dst` and returns its length,
 *   or -1 when it does not fit in `dst.length` bytes. Callers size `dst` to what is worth storing
 *   (zram: below `huge_class_size`), so incompressible data bails out early.
 * - `decompress(src, dst)` writes exactly `dst.length` bytes (the caller knows the original
 *   length) and returns that length; corrupt input or a length mismatch throws `ERR_ZS_CODEC`.
 * - A codec is stateless between calls and may keep private scratch buffers.
 */

/** A compression algorithm; see the file comment for the contract. */
export interface Codec {
  /** Name, e.g. `lz4`, `deflate`, `zstd`, `none`. */
  readonly name: string;
  /** Compresses `src` into `dst`; returns the length written, or -1 if it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array): number;
  /** Decompresses `src` into all of `dst`; returns `dst.length`; throws `ERR_ZS_CODEC` if corrupt. */
  decompress(src: Uint8Array, dst: Uint8Array): number;
}
