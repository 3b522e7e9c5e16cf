/**
 * Pressure levels and threshold bands: the vocabulary every pressure source and the monitor share.
 *
 * Levels are the kernel's vmpressure levels (`mm/vmpressure.c`: `low`, `medium`, `critical`)
 * plus `none`. A source turns one number (a ratio of a limit, a PSI stall percentage) into a
 * level with {@link bandLevel}: the number must reach a level's threshold to enter it, and must
 * fall below `threshold × (1 − margin)` to leave it, so a value hovering at a threshold does not
 * flap between two levels on every poll.
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';

/** A memory-pressure level, least to most urgent (the kernel's vmpressure levels plus `none`). */
export type PressureLevel = 'none' | 'low' | 'medium' | 'critical';

/** Every level, least urgent first; a level's index is its rank. */
export const PRESSURE_LEVELS: readonly PressureLevel[] = ['none', 'low', 'medium', 'critical'];

/** Rank of a level: none 0, low 1, medium 2, critical 3. */
export function levelRank(level: PressureLevel): number {
  switch (level) {
    case 'none':
      return 0;
    case 'low':
      return 1;
    case 'medium':
      return 2;
    case 'critical':
      return 3;
  }
}

/** The more urgent of two levels. */
export function worseLevel(a: PressureLevel, b: PressureLevel): PressureLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** True for the four level names; anything else is false. */
export function isPressureLevel(v: unknown): v is PressureLevel {
  return v === 'none' || v === 'low' || v === 'medium' || v === 'critical';
}

/**
 * Where a rising metric enters each level, in the metric's own unit (a ratio, a percentage).
 * Must be non-decreasing `low ≤ medium ≤ critical`; `Infinity` disables a level.
 */
export interface LevelThresholds {
  /** Value at which `low` starts. */
  low: number;
  /** Value at which `medium` starts. */
  medium: number;
  /** Value at which `critical` starts. */
  critical: number;
}

/**
 * Level of `value` against `t`, with hysteresis: the current level `prev` is kept while `value`
 * is at least `t[prev] × (1 − margin)`, even if that is below `t[prev]`. A NaN value is `none`.
 * `margin` is relative (0.05 = leave a level 5 % below its threshold).
 */
export function bandLevel(
  value: number,
  t: LevelThresholds,
  prev: PressureLevel = 'none',
  margin = 0,
): PressureLevel {
  let level: PressureLevel = 'none';
  if (value >= t.critical) level = 'critical';
  else if (value >= t.medium) level = 'medium';
  else if (value >= t.low) level = 'low';
  if (prev === 'none' || levelRank(level) >= levelRank(prev)) return level;
  // Falling: stay at the highest level at or below `prev` whose clear point `value` has not passed.
  for (let r = levelRank(prev); r > levelRank(level); r--) {
    const l = PRESSURE_LEVELS[r];
    const enter = t[l as Exclude<PressureLevel, 'none'>];
    if (value >= enter * (1 - margin)) return l;
  }
  return level;
}

/**
 * Validates thresholds (numbers, non-decreasing, not NaN) and a margin in [0, 1); throws
 * `ERR_ZS_BAD_ARGUMENT` naming `what`. Returns a fresh copy.
 */
export function checkThresholds(what: string, t: LevelThresholds, margin: number): LevelThresholds {
  const ok = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
  if (t === null || typeof t !== 'object' || !ok(t.low) || !ok(t.medium) || !ok(t.critical)) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${what}: thresholds need numeric low, medium, critical`);
  }
  if (!(t.low <= t.medium && t.medium <= t.critical)) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `${what}: thresholds must satisfy low ≤ medium ≤ critical, got ${t.low}, ${t.medium}, ${t.critical}`,
    );
  }
  if (typeof margin !== 'number' || !(margin >= 0 && margin < 1)) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${what}: margin must be in [0, 1), got ${String(margin)}`);
  }
  return { low: t.low, medium: t.medium, critical: t.critical };
}

/** Merges partial thresholds over defaults; throws `ERR_ZS_BAD_ARGUMENT` if `t` is not an object. */
export function withDefaults(
  defaults: LevelThresholds,
  t?: Partial<LevelThresholds>,
  what = 'thresholds',
): LevelThresholds {
  if (t !== undefined && (t === null || typeof t !== 'object' || Array.isArray(t))) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${what} must be an object, got ${show(t)}`);
  }
  return {
    low: t?.low ?? defaults.low,
    medium: t?.medium ?? defaults.medium,
    critical: t?.critical ?? defaults.critical,
  };
}
