// Test data for codec tests: fast-check arbitraries for the kinds of pages codecs meet
// (random, all-zero, repeated patterns, text-like, mixtures) at lengths 0..65536.
import fc from 'fast-check';

/** Largest input the property tests generate. */
export const MAX_LEN = 65536;

/** Fills `n` bytes from a xorshift32 PRNG seeded with `seed` (incompressible, cheap to make). */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** `n` bytes repeating `pattern`. */
export function repeat(pattern: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = pattern[i % pattern.length];
  return out;
}

const length = fc.oneof(
  fc.integer({ min: 0, max: 32 }),
  fc.integer({ min: 0, max: 4096 }),
  fc.constantFrom(0, 1, 4, 5, 12, 13, 14, 15, 16, 19, 270, 4095, 4096, 4097, 65535, MAX_LEN),
  fc.integer({ min: 0, max: MAX_LEN }),
);

/** Random bytes: incompressible. */
export const incompressible = fc.tuple(length, fc.integer()).map(([n, seed]) => randomBytes(n, seed));
/** All zero, like the many empty pages zram sees. */
export const zeros = length.map((n) => new Uint8Array(n));
/** A short pattern repeated: overlapping matches with small offsets. */
export const pattern = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 70 }), length)
  .map(([p, n]) => repeat(p, n));
/** Bytes from a small alphabet: many short matches, like text. */
export const textLike = fc.uint8Array({ min: 97, max: 102, maxLength: 8192 });

/** Concatenated pieces of the above and copies of earlier bytes at random distances. */
export const mixed = fc
  .array(
    fc.oneof(
      fc.record({
        kind: fc.constant('random' as const),
        n: fc.integer({ min: 1, max: 3000 }),
        seed: fc.integer(),
      }),
      fc.record({ kind: fc.constant('zero' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({
        kind: fc.constant('copy' as const),
        n: fc.integer({ min: 1, max: 5000 }),
        back: fc.integer({ min: 1, max: 70000 }),
      }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => {
    const out: number[] = [];
    for (const p of parts) {
      if (p.kind === 'random') out.push(...randomBytes(p.n, p.seed));
      else if (p.kind === 'zero') for (let i = 0; i < p.n; i++) out.push(0);
      else {
        const from = Math.max(0, out.length - p.back);
        for (let i = 0; i < p.n && out.length > 0; i++) out.push(out[from + i]);
      }
    }
    return Uint8Array.from(out.slice(0, MAX_LEN));
  });

/**
 * A random block repeated, with sparse single-bit flips (often the top bit): matches that end
 * on a byte differing in just one bit, where an off-by-one in match extension would show.
 */
export const nearRepeats = fc
  .tuple(
    fc.integer({ min: 8, max: 300 }),
    length,
    fc.integer(),
    fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(7), fc.integer({ min: 0, max: 7 }))), { maxLength: 40 }),
  )
  .map(([period, n, seed, flips]) => {
    const out = repeat(randomBytes(period, seed), n);
    for (const [at, bit] of flips) if (n > 0) out[at % n] ^= 1 << bit;
    return out;
  });

/** Any of the kinds above. */
export const anyData = fc.oneof(incompressible, zeros, pattern, textLike, mixed, nearRepeats);
