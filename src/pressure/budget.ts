/**
 * BudgetSource: pressure from a byte budget — the one signal that exists everywhere (browsers too).
 *
 * The source compares a usage figure against a limit. Usage is injectable: by default it is what
 * the registered shrinkable caches hold (`ShrinkerRegistry.usageBytes()`, which for pools is
 * their committed page bytes), but any `() => bytes` works — process RSS from `zsmalloc/node`'s
 * `rssBytes`, a browser's `performance.measureUserAgentSpecificMemory` result cached by the
 * caller, a sum of several registries.
 *
 * Level = band of `usage / limit` (defaults: low ≥ 0.9, medium ≥ 1.0 — over the budget —,
 * critical ≥ 1.25; leave a level 5 % below its threshold). From `medium` up the sample asks for
 * `usage − targetRatio × limit` bytes (default targetRatio 0.9), so reclaim aims just below the
 * point where the level clears and does not run again on the next poll.
 *
 * Figures: `usageBytes`, `limitBytes`, `ratio` (usage / limit).
 */
import { checkPositive, show, ZsError, ZsErrorCode } from '../errors.js';
import { defaultShrinkers, type ShrinkerRegistry } from '../shrinker/registry.js';
import { optName, orDefault } from './check.js';
import {
  bandLevel,
  checkThresholds,
  type LevelThresholds,
  type PressureLevel,
  withDefaults,
} from './level.js';
import {
  describeError,
  fmt,
  invalidSample,
  okSample,
  type PressureSample,
  type PressureSource,
} from './source.js';

/** Default budget thresholds, as fractions of the limit. */
export const BUDGET_THRESHOLDS: Readonly<LevelThresholds> = { low: 0.9, medium: 1.0, critical: 1.25 };

/** Options of {@link budgetSource}. */
export interface BudgetSourceOptions {
  /** The budget in bytes (> 0). Required. */
  limitBytes: number;
  /**
   * Bytes in use now. Default: `registry.usageBytes()` — the bytes the registry's caches hold
   * (pools report their committed pages).
   */
  usage?: () => number;
  /** Registry whose caches the default `usage` sums (default `defaultShrinkers`). */
  registry?: ShrinkerRegistry;
  /** Thresholds on `usage / limit` (default `{ low: 0.9, medium: 1.0, critical: 1.25 }`). */
  thresholds?: Partial<LevelThresholds>;
  /** Relative hysteresis margin: a level clears below `threshold × (1 − margin)` (default 0.05). */
  margin?: number;
  /**
   * From `medium` up, the sample asks for `usage − targetRatio × limit` bytes (default 0.9;
   * in (0, 1]).
   */
  targetRatio?: number;
  /** Source name (default `budget`). */
  name?: string;
}

/** A byte budget over an injectable usage figure; see the file comment. */
export class BudgetSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  /** Thresholds on `usage / limit`. */
  readonly thresholds: Readonly<LevelThresholds>;
  /** Relative hysteresis margin. */
  readonly margin: number;
  /** Fraction of the limit reclaim aims for from `medium` up. */
  readonly targetRatio: number;
  private limit: number;
  private readonly usage: () => number;
  private prev: PressureLevel = 'none';

  /** Creates the source; throws `ERR_ZS_BAD_ARGUMENT` for a bad limit, thresholds or ratio. */
  constructor(options: BudgetSourceOptions) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'budgetSource: options with limitBytes are required');
    }
    this.limit = checkLimit(options.limitBytes);
    this.name = optName('budgetSource', options.name, 'budget');
    this.margin = orDefault(options.margin, 0.05);
    this.thresholds = checkThresholds(
      'budgetSource',
      withDefaults(BUDGET_THRESHOLDS, options.thresholds, 'budgetSource: thresholds'),
      this.margin,
    );
    this.targetRatio = orDefault(options.targetRatio, 0.9);
    if (typeof this.targetRatio !== 'number' || !(this.targetRatio > 0 && this.targetRatio <= 1)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'budgetSource: targetRatio must be in (0, 1]');
    }
    if (options.usage !== undefined) {
      if (typeof options.usage !== 'function') {
        throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'budgetSource: usage must be a function');
      }
      this.usage = options.usage;
    } else {
      const registry = orDefault(options.registry, defaultShrinkers);
      if (registry === null || typeof registry !== 'object' || typeof registry.usageBytes !== 'function') {
        throw new ZsError(
          ZsErrorCode.BAD_ARGUMENT,
          `budgetSource: registry must be a ShrinkerRegistry, got ${show(registry)}`,
        );
      }
      this.usage = () => registry.usageBytes();
    }
  }

  /** The budget in bytes. */
  get limitBytes(): number {
    return this.limit;
  }

  /** Changes the budget (takes effect at the next sample); throws for a bad value. */
  setLimit(limitBytes: number): void {
    this.limit = checkLimit(limitBytes);
  }

  /** Reads usage and compares it with the budget. */
  sample(now: number): PressureSample {
    let used: number;
    try {
      used = this.usage();
    } catch (e) {
      return invalidSample(this.name, now, `usage() threw: ${describeError(e)}`);
    }
    if (typeof used !== 'number' || !(used >= 0) || !Number.isFinite(used)) {
      return invalidSample(this.name, now, `usage() returned ${String(used)}, not a byte count`);
    }
    const limit = this.limit;
    const ratio = used / limit;
    const level = bandLevel(ratio, this.thresholds, this.prev, this.margin);
    this.prev = level;
    const reclaim = levelAtLeastMedium(level) ? Math.round(used - this.targetRatio * limit) : 0;
    return okSample(
      this.name,
      now,
      level,
      `usage ${fmt(used)} B is ${fmt(ratio * 100)} % of the ${fmt(limit)} B budget`,
      { usageBytes: used, limitBytes: limit, ratio },
      reclaim,
    );
  }
}

/** Creates a {@link BudgetSource}. */
export function budgetSource(options: BudgetSourceOptions): BudgetSource {
  return new BudgetSource(options);
}

function levelAtLeastMedium(level: PressureLevel): boolean {
  return level === 'medium' || level === 'critical';
}

function checkLimit(v: unknown): number {
  return checkPositive('budgetSource: limitBytes', v);
}
