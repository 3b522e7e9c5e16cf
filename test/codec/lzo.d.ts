// Types for the parts of `lzo` (Node bindings to the LZO author's minilzo 2.09, a devDependency)
// that the interoperability tests use.
declare module 'lzo' {
  const lzo: {
    /** LZO1X-1 compression of `input` (minilzo's lzo1x_1_compress). */
    compress(input: Uint8Array): Buffer;
    /** minilzo's lzo1x_decompress_safe into `length` bytes; throws on a corrupt stream. */
    decompress(input: Uint8Array, length: number): Buffer;
  };
  export default lzo;
}
