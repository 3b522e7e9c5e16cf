/**
 * MemAvailable: system-wide memory headroom from `/proc/meminfo`.
 *
 * `MemAvailable` (Linux ≥ 3.14) is the kernel's estimate of memory that can be had for new
 * allocations without swapping: free pages plus the reclaimable part of the page cache and slab.
 * The source rates `used = 1 − MemAvailable / MemTotal` (defaults: low ≥ 0.85, medium ≥ 0.90,
 * critical ≥ 0.95 — i.e. 15 %, 10 %, 5 % available; a level clears 2 % below its threshold).
 * From `medium` up the sample asks for the bytes that bring `MemAvailable` back to the `low`
 * threshold. This is a host-wide figure: inside a container with a memory limit use the cgroup
 * source instead (the host may have plenty while the container is about to be OOM-killed).
 *
 * Figures: `totalBytes`, `availableBytes`, `usedRatio`.
 */
import { ZsError, ZsErrorCode } from '../../errors.js';
import { optionsObject, optName, optPath, orDefault } from '../check.js';
import {
  bandLevel,
  checkThresholds,
  type LevelThresholds,
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

/** Default thresholds on the used fraction `1 − MemAvailable / MemTotal`. */
export const MEMINFO_THRESHOLDS: Readonly<LevelThresholds> = { low: 0.85, medium: 0.9, critical: 0.95 };

/** The `/proc/meminfo` figures the source needs, in bytes. */
export interface MeminfoFigures {
  /** `MemTotal`. */
  totalBytes: number;
  /** `MemAvailable`, or NaN when the kernel has no such line. */
  availableBytes: number;
}

/**
 * Parses `/proc/meminfo` (`Key:  value kB` lines; other lines are skipped). Returns the figures
 * or a string saying what is wrong (no or malformed `MemTotal`, malformed `MemAvailable`).
 */
export function parseMeminfo(text: string): MeminfoFigures | string {
  let total = Number.NaN;
  let available = Number.NaN;
  for (const line of text.split('\n')) {
    const isTotal = line.startsWith('MemTotal:');
    const isAvail = !isTotal && line.startsWith('MemAvailable:');
    if (!isTotal && !isAvail) continue;
    const m = /^\w+:\s+(\d+) kB$/.exec(line);
    if (m === null) return `malformed line ${JSON.stringify(line.slice(0, 60))}`;
    const bytes = Number(m[1]) * 1024;
    if (!Number.isSafeInteger(bytes)) return `value out of range in ${JSON.stringify(line.slice(0, 60))}`;
    if (isTotal) total = bytes;
    else available = bytes;
  }
  if (!(total > 0)) return 'no MemTotal line';
  if (available > total) return `MemAvailable ${available} B exceeds MemTotal ${total} B`;
  return { totalBytes: total, availableBytes: available };
}

/** Options of {@link meminfoSource}. */
export interface MeminfoSourceOptions {
  /** Thresholds on the used fraction (default `{ low: 0.85, medium: 0.9, critical: 0.95 }`). */
  thresholds?: Partial<LevelThresholds>;
  /** Relative hysteresis margin (default 0.02). */
  margin?: number;
  /** File to read (default `/proc/meminfo`). */
  path?: string;
  /** Reader (default: Node's `fs`). */
  readFile?: ReadFile;
  /** Source name (default `meminfo`). */
  name?: string;
}

/** `MemAvailable` vs `MemTotal` as a pressure source; see the file comment. */
export class MeminfoSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  /** File read. */
  readonly path: string;
  /** Thresholds on the used fraction. */
  readonly thresholds: Readonly<LevelThresholds>;
  /** Relative hysteresis margin. */
  readonly margin: number;
  private readonly readFile: ReadFile;
  private prev: PressureLevel = 'none';

  /** Creates the source; throws `ERR_ZS_BAD_ARGUMENT` for bad thresholds. */
  constructor(options: MeminfoSourceOptions = {}) {
    options = optionsObject('meminfoSource', options);
    this.name = optName('meminfoSource', options.name, 'meminfo');
    this.path = optPath('meminfoSource', options.path, '/proc/meminfo');
    this.margin = orDefault(options.margin, 0.02);
    this.thresholds = checkThresholds(
      'meminfoSource',
      withDefaults(MEMINFO_THRESHOLDS, options.thresholds, 'meminfoSource: thresholds'),
      this.margin,
    );
    if (this.thresholds.low > 1) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        'meminfoSource: thresholds are fractions of MemTotal (≤ 1)',
      );
    }
    if (options.readFile !== undefined && typeof options.readFile !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'meminfoSource: readFile must be a function');
    }
    this.readFile = options.readFile ?? readProcFile;
  }

  /** Reads `/proc/meminfo`. */
  sample(now: number): PressureSample {
    const r = tryRead(this.readFile, this.path);
    if (!r.ok) {
      return isUnavailableCode(r.code)
        ? unavailableSample(this.name, now, r.reason)
        : invalidSample(this.name, now, r.reason);
    }
    const m = parseMeminfo(r.text);
    if (typeof m === 'string') return invalidSample(this.name, now, `${this.path}: ${m}`);
    if (Number.isNaN(m.availableBytes)) {
      return unavailableSample(this.name, now, `${this.path} has no MemAvailable line (Linux < 3.14)`);
    }
    const { totalBytes, availableBytes } = m;
    const usedRatio = 1 - availableBytes / totalBytes;
    const level = bandLevel(usedRatio, this.thresholds, this.prev, this.margin);
    this.prev = level;
    const want = (1 - this.thresholds.low) * totalBytes;
    const reclaim = level === 'medium' || level === 'critical' ? Math.round(want - availableBytes) : 0;
    return okSample(
      this.name,
      now,
      level,
      `MemAvailable ${fmt(availableBytes)} B is ${fmt((1 - usedRatio) * 100)} % of MemTotal`,
      { totalBytes, availableBytes, usedRatio },
      reclaim,
    );
  }
}

/** Creates a {@link MeminfoSource}. */
export function meminfoSource(options: MeminfoSourceOptions = {}): MeminfoSource {
  return new MeminfoSource(options);
}
