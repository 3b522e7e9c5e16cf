/**
 * Bad inputs for the black-box suites (test/blackbox/*.test.ts): every kind of value a caller can
 * pass by mistake, and an assertion that a call fails with a given ZsError code.
 */
import assert from 'node:assert/strict';
import { ZsError } from '../../src/errors.js';

/** A Uint8Array whose buffer has been detached (transferred away). */
export function detachedBytes(n = 16): Uint8Array {
  const buf = new ArrayBuffer(n);
  const view = new Uint8Array(buf);
  structuredClone(buf, { transfer: [buf] });
  return view;
}

/** Values that are not a number at all. */
export const NOT_NUMBERS: readonly unknown[] = [
  undefined,
  null,
  '5',
  '',
  true,
  5n,
  {},
  [],
  [5],
  () => 5,
  Symbol('x'),
  new Number(5),
];

/** Numbers that are never valid as a count, size, index or offset. */
export const BAD_INTEGERS: readonly number[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0.5,
  1.5,
  2 ** 53,
  -(2 ** 31),
  Number.MAX_VALUE,
];

/** Every bad value for a parameter that must be a non-negative integer. */
export const BAD_COUNTS: readonly unknown[] = [...NOT_NUMBERS, ...BAD_INTEGERS];

/** Values that are not byte arrays. */
export const NOT_BYTES: readonly unknown[] = [
  undefined,
  null,
  'abc',
  5,
  {},
  [1, 2, 3],
  new ArrayBuffer(8),
  new Uint16Array(4),
  new DataView(new ArrayBuffer(8)),
];

/** Values that are not functions, for callback parameters. */
export const NOT_FUNCTIONS: readonly unknown[] = [undefined, null, 5, 'f', {}, [], Symbol('f')];

/** Values that are not plain option objects. */
export const NOT_OBJECTS: readonly unknown[] = [null, 5, 'x', true, () => ({}), [], Symbol('o')];

/** Asserts that `err` is a ZsError with `code`; returns it. */
function assertCode(err: unknown, code: string, what: string): ZsError {
  assert.ok(
    err instanceof ZsError,
    `${what}: expected ZsError ${code}, got ${err === undefined ? 'no error' : String(err)}`,
  );
  assert.equal(err.code, code, `${what}: ${err.message}`);
  return err;
}

/** Asserts that `fn` throws a ZsError with `code`; returns the error. */
export function throwsCode(fn: () => unknown, code: string, what = ''): ZsError {
  try {
    fn();
  } catch (e) {
    return assertCode(e, code, what);
  }
  return assertCode(undefined, code, what);
}

/** Asserts that the promise rejects with a ZsError with `code`. */
export async function rejectsCode(p: Promise<unknown>, code: string, what = ''): Promise<ZsError> {
  try {
    await p;
  } catch (e) {
    return assertCode(e, code, what);
  }
  return assertCode(undefined, code, what);
}
