/**
 * HeapSource: pressure from the JavaScript heap — used bytes against the engine's heap limit.
 *
 * A heap that nears its limit ends in "JavaScript heap out of memory", whatever the machine has
 * free. The figures come from an injectable `stats()` function: `zsmalloc/node` passes V8's
 * `v8.getHeapStatistics()` (`used_heap_size` vs `heap_size_limit`); the core default reads the
 * non-standard `performance.memory` (Chromium: `usedJSHeapSize` vs `jsHeapSizeLimit`) and is
 * `unavailable` where it does not exist (Firefox, Safari, Deno, Bun).
 *
 * Note: a pool's pages live in ArrayBuffer backing stores, outside the JS heap, so compacting a
 * pool does not lower this figure; the level still matters to every other shrinker (caches of JS
 * objects) and says the process is in trouble.
 *
 * Level = band of `used / limit` (defaults: low ≥ 0.70, medium ≥ 0.85, critical ≥ 0.95; margin
 * 0.05). No byte target. Figures: `usedBytes`, `limitBytes`, `ratio`.
 */
import { ZsError, ZsErrorCode } from '../errors.js';
import { optionsObject, optName, orDefault } from './check.js';
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
  unavailableSample,
} from './source.js';

/** Default heap thresholds, as fractions of the heap limit. */
export const HEAP_THRESHOLDS: Readonly<LevelThresholds> = { low: 0.7, medium: 0.85, critical: 0.95 };

/** Heap figures in bytes; `null` from a stats function means "not available in this runtime". */
export interface HeapFigures {
  /** Bytes of heap in use (live and not yet collected). */
  usedBytes: number;
  /** Most bytes the heap may grow to. */
  limitBytes: number;
}

/** Options of {@link heapSource}. */
export interface HeapSourceOptions {
  /** Heap figures now, or `null` if the runtime has none (default: `performance.memory`). */
  stats?: () => HeapFigures | null;
  /** Thresholds on `used / limit` (default `{ low: 0.7, medium: 0.85, critical: 0.95 }`). */
  thresholds?: Partial<LevelThresholds>;
  /** Relative hysteresis margin (default 0.05). */
  margin?: number;
  /** Source name (default `heap`). */
  name?: string;
}

/** JS heap used vs its limit; see the file comment. */
export class HeapSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  /** Thresholds on `used / limit`. */
  readonly thresholds: Readonly<LevelThresholds>;
  /** Relative hysteresis margin. */
  readonly margin: number;
  private readonly stats: () => HeapFigures | null;
  private prev: PressureLevel = 'none';

  /** Creates the source; throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: HeapSourceOptions = {}) {
    options = optionsObject('heapSource', options);
    this.name = optName('heapSource', options.name, 'heap');
    this.margin = orDefault(options.margin, 0.05);
    this.thresholds = checkThresholds(
      'heapSource',
      withDefaults(HEAP_THRESHOLDS, options.thresholds, 'heapSource: thresholds'),
      this.margin,
    );
    if (options.stats !== undefined && typeof options.stats !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'heapSource: stats must be a function');
    }
    this.stats = options.stats ?? performanceMemory;
  }

  /** Reads the heap figures. */
  sample(now: number): PressureSample {
    let s: HeapFigures | null;
    try {
      s = this.stats();
    } catch (e) {
      return invalidSample(this.name, now, `heap statistics threw: ${describeError(e)}`);
    }
    if (s === null || s === undefined) {
      return unavailableSample(this.name, now, 'no heap statistics in this runtime');
    }
    const { usedBytes, limitBytes } = s;
    if (
      !(usedBytes >= 0) ||
      !(limitBytes > 0) ||
      !Number.isFinite(usedBytes) ||
      !Number.isFinite(limitBytes)
    ) {
      return invalidSample(
        this.name,
        now,
        `heap statistics are not sizes: used ${usedBytes}, limit ${limitBytes}`,
      );
    }
    const ratio = usedBytes / limitBytes;
    const level = bandLevel(ratio, this.thresholds, this.prev, this.margin);
    this.prev = level;
    return okSample(
      this.name,
      now,
      level,
      `heap ${fmt(usedBytes)} B used is ${fmt(ratio * 100)} % of its ${fmt(limitBytes)} B limit`,
      { usedBytes, limitBytes, ratio },
    );
  }
}

/** Creates a {@link HeapSource}. */
export function heapSource(options: HeapSourceOptions = {}): HeapSource {
  return new HeapSource(options);
}

/** Chromium's `performance.memory`, or null where it does not exist. */
function performanceMemory(): HeapFigures | null {
  const perf = (
    globalThis as { performance?: { memory?: { usedJSHeapSize?: unknown; jsHeapSizeLimit?: unknown } } }
  ).performance;
  const m = perf?.memory;
  if (m === undefined || typeof m.usedJSHeapSize !== 'number' || typeof m.jsHeapSizeLimit !== 'number')
    return null;
  return { usedBytes: m.usedJSHeapSize, limitBytes: m.jsHeapSizeLimit };
}
