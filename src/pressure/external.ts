/**
 * ExternalSource: pressure told to us by someone else — a platform event (Bun's `memoryPressure`,
 * a native watcher, a browser signal, an orchestrator's webhook) instead of a polled figure.
 *
 * `notify(level, now, holdMs)` holds `level` until `now + holdMs`, then the source reads `none`
 * again; `notify('none')` clears at once, and a later notify replaces an earlier one. Every
 * {@link PressureMonitor} owns one (`monitor.notify`), which also polls at once so reclaim starts
 * without waiting for the next tick.
 *
 * Figures: `rank` (0–3, the held level's rank), `remainingMs` (time left in the hold).
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';
import { optName } from './check.js';
import { isPressureLevel, levelRank, type PressureLevel } from './level.js';
import { okSample, type PressureSample, type PressureSource } from './source.js';

/** A level set from outside, held for a while; see the file comment. */
export class ExternalSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  private level: PressureLevel = 'none';
  private until = Number.NEGATIVE_INFINITY;
  private note = '';

  /** Creates the source (name default `external`). */
  constructor(name = 'external') {
    this.name = optName('ExternalSource', name, 'external');
  }

  /**
   * Holds `level` from `now` (ms) for `holdMs` ms (> 0). `note` says where it came from and
   * appears in the sample's reason. Throws `ERR_ZS_BAD_ARGUMENT` for an unknown level or bad hold.
   */
  notify(level: PressureLevel, now: number, holdMs: number, note = ''): void {
    if (!isPressureLevel(level)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `notify: level must be 'none', 'low', 'medium' or 'critical', got ${String(level)}`,
      );
    }
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `notify: now must be a finite number, got ${show(now)}`);
    }
    if (typeof holdMs !== 'number' || !(holdMs > 0) || !Number.isFinite(holdMs)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `notify: holdMs must be a finite number > 0, got ${show(holdMs)}`,
      );
    }
    if (typeof note !== 'string') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `notify: note must be a string, got ${show(note)}`);
    }
    this.level = level;
    this.until = level === 'none' ? Number.NEGATIVE_INFINITY : now + holdMs;
    this.note = note;
  }

  /** The held level, or `none` once the hold has run out. */
  sample(now: number): PressureSample {
    const held = now < this.until ? this.level : 'none';
    const remainingMs = held === 'none' ? 0 : this.until - now;
    const from = this.note ? ` (${this.note})` : '';
    return okSample(this.name, now, held, `notified ${held}${from}, held ${remainingMs} ms more`, {
      rank: levelRank(held),
      remainingMs,
    });
  }
}
