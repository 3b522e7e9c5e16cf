/**
 * PSI: Pressure Stall Information (`/proc/pressure/memory`, a cgroup's `memory.pressure`).
 *
 * The kernel (≥ 4.20, `CONFIG_PSI`) reports how much wall time tasks spent stalled on memory:
 *
 *     some avg10=1.23 avg60=0.50 avg300=0.10 total=123456
 *     full avg10=0.00 avg60=0.00 avg300=0.00 total=7890
 *
 * `some`: at least one task was stalled; `full`: every non-idle task was (nothing useful ran).
 * `avgN` are percentages averaged over N seconds; `total` is the cumulative stall in µs.
 *
 * The figure compared with the thresholds is the stall percentage *between two polls*,
 * `Δtotal / Δt` — it reacts within one poll and falls to 0 as soon as stalls stop, where `avg10`
 * lags by tens of seconds. The first sample (no previous total) uses `avg10`; a sample less than
 * 100 ms after the last one repeats the last rates (a tiny window would magnify a µs of stall). Level = the worse of
 * the `some` and `full` bands (defaults: some 10 / 25 / 50 %, full 2 / 10 / 25 % for low / medium /
 * critical; a level clears 25 % below its threshold). A user-space cache is cheap to shrink, so
 * these start earlier than a low-memory killer would (Android's lmkd: some 7 %–20 %, full 70 %).
 *
 * Figures: `someAvg10`, `someAvg60`, `someAvg300` (%), `someTotalUs`, `someStallPct` (the figure
 * used), and the same for `full`; `intervalMs` (time since the previous sample, 0 on the first).
 */
import { ZsError, ZsErrorCode } from '../../errors.js';
import { optionsObject, optName, optPath, orDefault } from '../check.js';
import {
  bandLevel,
  checkThresholds,
  type LevelThresholds,
  levelRank,
  type PressureLevel,
  withDefaults,
} from '../level.js';
import {
  fmt,
  invalidSample,
  isUnavailableCode,
  okSample,
  type PressureSample,
  type PressureSource,
  type ReadFile,
  tryRead,
  unavailableSample,
} from '../source.js';
import { readProcFile } from './read-file.js';

/** One PSI line. */
export interface PsiLine {
  /** Stall %, 10 s average. */
  avg10: number;
  /** Stall %, 60 s average. */
  avg60: number;
  /** Stall %, 300 s average. */
  avg300: number;
  /** Cumulative stall time, µs. */
  total: number;
}

/** A parsed PSI file. */
export interface PsiFigures {
  /** Some tasks stalled. */
  some: PsiLine;
  /** All non-idle tasks stalled. */
  full: PsiLine;
}

/** Default `some` thresholds, % of wall time stalled. */
export const PSI_SOME_THRESHOLDS: Readonly<LevelThresholds> = { low: 10, medium: 25, critical: 50 };
/** Default `full` thresholds, % of wall time stalled. */
export const PSI_FULL_THRESHOLDS: Readonly<LevelThresholds> = { low: 2, medium: 10, critical: 25 };

/** Shortest window, in ms, over which a stall % is computed from the totals. */
const MIN_WINDOW_MS = 100;

const LINE = /^(some|full) avg10=(\d+(?:\.\d+)?) avg60=(\d+(?:\.\d+)?) avg300=(\d+(?:\.\d+)?) total=(\d+)$/;

/** Parses a PSI file; returns the figures or a string saying what is wrong. Both lines are required. */
export function parsePsi(text: string): PsiFigures | string {
  let some: PsiLine | undefined;
  let full: PsiLine | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' && i === lines.length - 1) break;
    const m = LINE.exec(line);
    if (m === null) return `line ${i + 1} is not a PSI line: ${JSON.stringify(line.slice(0, 60))}`;
    const v: PsiLine = { avg10: +m[2], avg60: +m[3], avg300: +m[4], total: +m[5] };
    if (v.avg10 > 100 || v.avg60 > 100 || v.avg300 > 100 || !Number.isSafeInteger(v.total)) {
      return `line ${i + 1} has out-of-range figures`;
    }
    if (m[1] === 'some') {
      if (some) return 'two "some" lines';
      some = v;
    } else {
      if (full) return 'two "full" lines';
      full = v;
    }
  }
  if (!some) return 'no "some" line';
  if (!full) return 'no "full" line';
  return { some, full };
}

/** Thresholds of a PSI reading (both optional, merged over the defaults). */
export interface PsiThresholdOptions {
  /** Thresholds on the `some` stall % (default `{ low: 10, medium: 25, critical: 50 }`). */
  some?: Partial<LevelThresholds>;
  /** Thresholds on the `full` stall % (default `{ low: 2, medium: 10, critical: 25 }`). */
  full?: Partial<LevelThresholds>;
  /** Relative hysteresis margin (default 0.25). */
  margin?: number;
}

/** Result of {@link PsiTracker.update}. */
export interface PsiReading {
  /** Level of this reading. */
  level: PressureLevel;
  /** Which figure set the level. */
  reason: string;
  /** See the file comment. */
  figures: Record<string, number>;
}

/**
 * Turns successive PSI readings into levels: keeps the previous `total`s for the stall % between
 * polls and the previous levels for hysteresis. Shared by the PSI and cgroup sources.
 */
export class PsiTracker {
  /** `some` thresholds. */
  readonly some: Readonly<LevelThresholds>;
  /** `full` thresholds. */
  readonly full: Readonly<LevelThresholds>;
  /** Relative hysteresis margin. */
  readonly margin: number;
  private prevAt = Number.NaN;
  private prevSome = 0;
  private prevFull = 0;
  private lastSome = 0;
  private lastFull = 0;
  private lastInterval = 0;
  private someLevel: PressureLevel = 'none';
  private fullLevel: PressureLevel = 'none';

  /** Validates and keeps the thresholds; throws `ERR_ZS_BAD_ARGUMENT`. */
  constructor(what: string, options: PsiThresholdOptions = {}) {
    options = optionsObject(what, options);
    this.margin = orDefault(options.margin, 0.25);
    this.some = checkThresholds(
      `${what} some`,
      withDefaults(PSI_SOME_THRESHOLDS, options.some, `${what}: some`),
      this.margin,
    );
    this.full = checkThresholds(
      `${what} full`,
      withDefaults(PSI_FULL_THRESHOLDS, options.full, `${what}: full`),
      this.margin,
    );
  }

  /** Forgets the previous reading (the next one uses `avg10`). */
  reset(): void {
    this.prevAt = Number.NaN;
  }

  /** Level of reading `p` taken at `now` ms; a string when the counters went backwards. */
  update(p: PsiFigures, now: number): PsiReading | string {
    const dt = now - this.prevAt;
    let someStall = p.some.avg10;
    let fullStall = p.full.avg10;
    let intervalMs = 0;
    if (dt >= 0 && (p.some.total < this.prevSome || p.full.total < this.prevFull)) {
      this.prevAt = Number.NaN;
      return 'the stall totals went backwards';
    }
    if (dt >= MIN_WINDOW_MS) {
      intervalMs = dt;
      // total is in µs, dt in ms: % = Δµs / (dt · 1000) · 100.
      someStall = Math.min(100, (p.some.total - this.prevSome) / (dt * 10));
      fullStall = Math.min(100, (p.full.total - this.prevFull) / (dt * 10));
    } else if (dt >= 0) {
      // Too soon after the last reading (e.g. a poll forced by notify): a few µs of stall would
      // read as a large percentage. Keep the last rates and the old baseline.
      someStall = this.lastSome;
      fullStall = this.lastFull;
      intervalMs = this.lastInterval;
    }
    if (!(dt >= 0 && dt < MIN_WINDOW_MS)) {
      this.prevAt = now;
      this.prevSome = p.some.total;
      this.prevFull = p.full.total;
    }
    this.lastSome = someStall;
    this.lastFull = fullStall;
    this.lastInterval = intervalMs;
    this.someLevel = bandLevel(someStall, this.some, this.someLevel, this.margin);
    this.fullLevel = bandLevel(fullStall, this.full, this.fullLevel, this.margin);
    const byFull = levelRank(this.fullLevel) > levelRank(this.someLevel);
    const level = byFull ? this.fullLevel : this.someLevel;
    const what = intervalMs > 0 ? `over the last ${fmt(intervalMs)} ms` : '(avg10)';
    const reason = byFull
      ? `full stall ${fmt(fullStall)} % ${what}`
      : `some stall ${fmt(someStall)} % ${what}`;
    return {
      level,
      reason,
      figures: {
        someAvg10: p.some.avg10,
        someAvg60: p.some.avg60,
        someAvg300: p.some.avg300,
        someTotalUs: p.some.total,
        someStallPct: someStall,
        fullAvg10: p.full.avg10,
        fullAvg60: p.full.avg60,
        fullAvg300: p.full.avg300,
        fullTotalUs: p.full.total,
        fullStallPct: fullStall,
        intervalMs,
      },
    };
  }
}

/** Options of {@link psiSource}. */
export interface PsiSourceOptions extends PsiThresholdOptions {
  /** File to read (default `/proc/pressure/memory`; a cgroup's `memory.pressure` works too). */
  path?: string;
  /** Reader (default: Node's `fs`, see `readProcFile`). */
  readFile?: ReadFile;
  /** Source name (default `psi`). */
  name?: string;
}

/** Memory PSI as a pressure source; see the file comment. */
export class PsiSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  /** File read. */
  readonly path: string;
  private readonly readFile: ReadFile;
  private readonly tracker: PsiTracker;

  /** Creates the source; throws `ERR_ZS_BAD_ARGUMENT` for bad thresholds. */
  constructor(options: PsiSourceOptions = {}) {
    options = optionsObject('psiSource', options);
    this.name = optName('psiSource', options.name, 'psi');
    this.path = optPath('psiSource', options.path, '/proc/pressure/memory');
    if (options.readFile !== undefined && typeof options.readFile !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'psiSource: readFile must be a function');
    }
    this.readFile = options.readFile ?? readProcFile;
    this.tracker = new PsiTracker('psiSource', options);
  }

  /** Reads the file and rates the stall. */
  sample(now: number): PressureSample {
    const r = tryRead(this.readFile, this.path);
    if (!r.ok) {
      this.tracker.reset();
      if (r.missing) {
        return unavailableSample(this.name, now, `${this.path} does not exist (kernel without CONFIG_PSI?)`);
      }
      if (r.code === 'EOPNOTSUPP') {
        return unavailableSample(this.name, now, `${r.reason} (PSI disabled: boot with psi=1)`);
      }
      return isUnavailableCode(r.code)
        ? unavailableSample(this.name, now, r.reason)
        : invalidSample(this.name, now, r.reason);
    }
    const p = parsePsi(r.text);
    if (typeof p === 'string') {
      this.tracker.reset();
      return invalidSample(this.name, now, `${this.path}: ${p}`);
    }
    const reading = this.tracker.update(p, now);
    if (typeof reading === 'string') return invalidSample(this.name, now, `${this.path}: ${reading}`);
    return okSample(this.name, now, reading.level, reading.reason, reading.figures);
  }
}

/** Creates a {@link PsiSource}. */
export function psiSource(options: PsiSourceOptions = {}): PsiSource {
  return new PsiSource(options);
}
