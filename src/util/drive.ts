/**
 * drive: one description of a piece of work, run synchronously or asynchronously.
 *
 * Work that exists in a sync and an async flavour (a shrinker pass, a reclaim loop, compaction)
 * is written once, as a generator. Each `yield` hands the runner a request and receives its
 * result: the synchronous runner answers with `step(request)`; the asynchronous one with
 * `await step(request)` when `step` returns a promise, and, given a slice length, also lets the
 * event loop run whenever the current slice has lasted that long. A generator that yields only
 * to mark a point where it may be paused uses `undefined` requests and a `step` that does nothing.
 *
 * The bookkeeping (counters, targets, results) then lives in the generator alone; only the
 * execution of each step differs between the two paths.
 */
import { yieldToEventLoop } from './yield.js';

/** Runs `gen` to completion, answering every request with `step(request)`; returns its result. */
export function runSync<Req, Res, T>(gen: Generator<Req, T, Res>, step: (request: Req) => Res): T {
  let it = gen.next();
  while (!it.done) it = gen.next(step(it.value));
  return it.value;
}

/** Time slicing of {@link runAsync}: yield to the event loop once a slice has lasted `sliceMs`. */
export interface SliceOptions {
  /** Longest stretch of work between two yields to the event loop, in ms. */
  sliceMs: number;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** Filled in as the work runs: slices used and the longest one, in ms. */
  stats?: SliceStats;
}

/** What the slicing of one {@link runAsync} looked like. */
export interface SliceStats {
  /** Slices of work (1 when it never yielded to the event loop). */
  slices: number;
  /** The longest slice, in ms: how long the event loop was blocked at most. */
  longestSliceMs: number;
}

/**
 * Runs `gen` to completion, answering every request with `step(request)`, awaited when it is a
 * promise. With `slicing`, the event loop gets a turn between two requests once the current slice
 * has lasted `sliceMs` (so a slice holds at least one step, and there is no turn after the last).
 */
export async function runAsync<Req, Res, T>(
  gen: Generator<Req, T, Res>,
  step: (request: Req) => Res | Promise<Res>,
  slicing?: SliceOptions,
): Promise<T> {
  const now = slicing?.now ?? (() => performance.now());
  const stats = slicing?.stats;
  let sliceStart = slicing ? now() : 0;
  if (stats) {
    stats.slices = 1;
    stats.longestSliceMs = 0;
  }
  let it = gen.next();
  while (!it.done) {
    const r = step(it.value);
    it = gen.next(r instanceof Promise ? await r : r);
    if (slicing === undefined || it.done) continue;
    const t = now();
    if (t - sliceStart < slicing.sliceMs) continue;
    if (stats) {
      stats.slices++;
      if (t - sliceStart > stats.longestSliceMs) stats.longestSliceMs = t - sliceStart;
    }
    await yieldToEventLoop();
    sliceStart = now();
  }
  if (stats && slicing) {
    const last = now() - sliceStart;
    if (last > stats.longestSliceMs) stats.longestSliceMs = last;
  }
  return it.value;
}
