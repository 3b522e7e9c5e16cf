/**
 * PressureSource: one signal of memory pressure, sampled by the monitor on every poll.
 *
 * A source never throws into the application. Each `sample()` returns a {@link PressureSample}
 * whose `status` says whether it could be read:
 * - `ok`: `level` and `figures` are this poll's reading;
 * - `invalid`: this reading failed (a truncated or garbled file, a counter that went backwards);
 *   the next poll may succeed; `reason` says why;
 * - `unavailable`: the signal does not exist here (no `/proc/pressure/memory`, cgroup v1, no heap
 *   statistics in this runtime, no limit configured); `reason` says why.
 * Non-`ok` samples count as level `none`. A sample may carry `reclaimBytes`: how many bytes must go
 * to get back under the source's limit (a budget's or a cgroup's overshoot), which the monitor
 * uses as the reclaim target.
 *
 * Sources that read files take a {@link ReadFile} so tests can feed recorded contents.
 */
import type { PressureLevel } from './level.js';

/** Whether a sample is a reading (`ok`), a failed reading (`invalid`), or impossible here. */
export type SampleStatus = 'ok' | 'invalid' | 'unavailable';

/** One reading of one source. */
export interface PressureSample {
  /** Name of the source that took it. */
  readonly source: string;
  /** See {@link SampleStatus}. */
  readonly status: SampleStatus;
  /** The level read; always `none` unless `status` is `ok`. */
  readonly level: PressureLevel;
  /**
   * Why: for `ok` samples above `none`, which figure crossed which threshold; for `invalid` and
   * `unavailable`, what went wrong. Empty for `ok` samples at `none`.
   */
  readonly reason: string;
  /** The figures behind the level (names and units documented by each source). */
  readonly figures: Readonly<Record<string, number>>;
  /** Bytes to reclaim to get back under this source's target; 0 = no byte target. */
  readonly reclaimBytes: number;
  /** Clock time of the reading, in ms (the monitor's clock). */
  readonly at: number;
}

/** A signal the {@link PressureMonitor} polls. */
export interface PressureSource {
  /** Short stable name (`budget`, `psi`, `cgroup`, `meminfo`, `heap`, `external`, …). */
  readonly name: string;
  /**
   * Reads the signal now; `now` is the monitor's clock in ms (rates between polls use it).
   * Must be cheap (called every poll) and must not throw; the monitor turns a throw into an
   * `invalid` sample anyway.
   */
  sample(now: number): PressureSample;
}

/**
 * Reads a whole text file: its contents, or `null` when it does not exist. Other failures
 * (permission denied, I/O error) may throw; sources catch them and report the reason.
 */
export type ReadFile = (path: string) => string | null;

/** An `ok` sample. */
export function okSample(
  source: string,
  at: number,
  level: PressureLevel,
  reason: string,
  figures: Record<string, number>,
  reclaimBytes = 0,
): PressureSample {
  return {
    source,
    status: 'ok',
    level,
    reason: level === 'none' ? '' : reason,
    figures,
    reclaimBytes: reclaimBytes > 0 ? reclaimBytes : 0,
    at,
  };
}

/** An `invalid` sample (level `none`). */
export function invalidSample(
  source: string,
  at: number,
  reason: string,
  figures: Record<string, number> = {},
): PressureSample {
  return { source, status: 'invalid', level: 'none', reason, figures, reclaimBytes: 0, at };
}

/** An `unavailable` sample (level `none`). */
export function unavailableSample(source: string, at: number, reason: string): PressureSample {
  return { source, status: 'unavailable', level: 'none', reason, figures: {}, reclaimBytes: 0, at };
}

/** Message of anything thrown, with its `code` (e.g. `EACCES`) when it has one. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/**
 * Result of {@link tryRead}: the text, or why there is none. `missing`: the file does not exist;
 * `code`: the error code thrown (`EACCES`, `EOPNOTSUPP`, …) or `''`.
 */
export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; missing: boolean; code: string; reason: string };

/** Calls `readFile(path)` and never throws: a missing file, a thrown error or a non-string is a reason. */
export function tryRead(readFile: ReadFile, path: string): ReadResult {
  let text: unknown;
  try {
    text = readFile(path);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    return {
      ok: false,
      missing: false,
      code: typeof code === 'string' ? code : '',
      reason: `cannot read ${path}: ${describeError(e)}`,
    };
  }
  if (text === null || text === undefined) {
    return { ok: false, missing: true, code: 'ENOENT', reason: `${path} does not exist` };
  }
  if (typeof text !== 'string')
    return { ok: false, missing: false, code: '', reason: `reading ${path} gave no text` };
  return { ok: true, text };
}

/** Error codes that mean "this signal cannot be read here", as opposed to a failed reading. */
export function isUnavailableCode(code: string): boolean {
  return (
    code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'EOPNOTSUPP'
  );
}

/** Formats a number for a reason string: up to 3 significant decimals, no exponent for bytes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}
