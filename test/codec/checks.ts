// Checks shared by codec tests: guarded buffers that detect writes outside a view, and
// assertions about ZsError codes. Kept apart from harness.ts so that importing them does not
// load the zsmalloc/node entry (registry.test.ts checks the core entry on its own first).
import assert from 'node:assert/strict';
import { ZsError } from '../../src/errors.js';

/** Asserts that `fn` throws a ZsError with `code`. */
export function assertZsError(fn: () => unknown, code: string, what = ''): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof ZsError && e.code === code,
    `expected ZsError ${code} ${what}`,
  );
}

/** Runs `fn`; passes if it returns or throws ZsError `ERR_ZS_CODEC`, fails on any other error. */
export function returnsOrCodecError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ZsError) || e.code !== 'ERR_ZS_CODEC') throw e;
  }
}

const GUARD = 16;
const FILL = 0xa5;

/** A view of `n` bytes inside a larger buffer whose surrounding bytes are a known fill. */
export interface Guarded {
  view: Uint8Array;
  /** Fails if any byte outside the view changed. */
  check(): void;
}

/** Makes a {@link Guarded} view of `n` bytes. */
export function guarded(n: number): Guarded {
  const whole = new Uint8Array(n + 2 * GUARD).fill(FILL);
  const view = whole.subarray(GUARD, GUARD + n);
  return {
    view,
    check() {
      for (let i = 0; i < GUARD; i++) {
        assert.equal(whole[i], FILL, `byte ${i - GUARD} before the view was written`);
        assert.equal(whole[GUARD + n + i], FILL, `byte ${i} past the view was written`);
      }
    },
  };
}
