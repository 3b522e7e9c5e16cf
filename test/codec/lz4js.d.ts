// Types for the parts of lz4js (an independent LZ4 implementation, a devDependency) that the
// interoperability tests use.
declare module 'lz4js' {
  /** Compresses `src[sIndex, sIndex + sLength)` into `dst` as one LZ4 block; returns its length. */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    hashTable: Uint32Array,
  ): number;
  /** Decodes the block `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`; returns the end. */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
}
