/**
 * Argument checks shared by the pressure sources, the monitor and auto reclaim: each throws
 * `ERR_ZS_BAD_ARGUMENT` naming the function and the parameter, before anything is created.
 * @internal
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';

/** Largest delay `setTimeout` honours (2^31 − 1 ms); Node and browsers clamp larger ones to 1 ms. */
export const TIMEOUT_MAX = 2 ** 31 - 1;

/** A `ERR_ZS_BAD_ARGUMENT` error. @internal */
export function badArgument(message: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, message);
}

/** `v`, or `fallback` when `v` is undefined (null is a value, and is checked like any other). @internal */
export function orDefault<T>(v: T | undefined, fallback: T): T {
  return v === undefined ? fallback : v;
}

/** `o` if it is an options object (or `{}` for undefined); throws otherwise. @internal */
export function optionsObject<T extends object>(what: string, o: T | undefined): T {
  if (o === undefined) return {} as T;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw badArgument(`${what}: options must be an object, got ${show(o)}`);
  }
  return o;
}

/** A non-empty string option `param`, or `fallback` when undefined. @internal */
export function optString(what: string, param: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') {
    throw badArgument(`${what}: ${param} must be a non-empty string, got ${show(v)}`);
  }
  return v;
}

/** A source name: a non-empty string, or `fallback` when undefined. @internal */
export function optName(what: string, v: unknown, fallback: string): string {
  return optString(what, 'name', v, fallback);
}

/** A function option (undefined allowed). @internal */
export function optFunction<F>(what: string, name: string, v: unknown): F | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw badArgument(`${what}: ${name} must be a function, got ${show(v)}`);
  return v as F;
}

/** A boolean option (undefined allowed). @internal */
export function optBoolean(what: string, name: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badArgument(`${what}: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/** A ratio option in (0, 1] (undefined allowed). @internal */
export function optRatio(what: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
    throw badArgument(`${what}: ${name} must be a number in (0, 1], got ${show(v)}`);
  }
  return v;
}

/** A file path option: a non-empty string, or `fallback` when undefined. @internal */
export function optPath(what: string, v: unknown, fallback: string): string {
  return optString(what, 'path', v, fallback);
}
