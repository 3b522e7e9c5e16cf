/**
 * PressureMonitor: polls pressure sources, decides a level, and drives the shrinker registry.
 *
 * One poll (every `intervalMs`, default 1000 ms, on an `unref`'d timer that never keeps the
 * process alive):
 * 1. every source is sampled ({@link PressureSource}); a throw becomes an `invalid` sample;
 * 2. the worst `ok` level is the poll's *observed* level;
 * 3. hysteresis turns observations into the monitor's level: a higher level is taken once it has
 *    been observed on `raiseAfter` consecutive polls (default 1; the lowest of them is taken), a
 *    lower one once the observed level has stayed below the current one for `clearAfter`
 *    consecutive polls (default 3; the highest of them is taken). Sources add their own band
 *    hysteresis on top (a figure must fall below its threshold by a margin to clear).
 *    `monitor.notify(level)` raises at once, skipping `raiseAfter`;
 * 4. at any level above `none` that this poll also observes (a level held up by hysteresis alone
 *    only reports), unless a reclaim is already running, one reclaim starts on the async path (`registry.reclaimAsync`, whose pool shrinkers compact in event-loop slices):
 *    - `critical`: priorities DEF_PRIORITY (12) down to 0, no byte target — everything freeable;
 *    - `medium` / `low` with a byte target (the largest `reclaimBytes` of the samples, e.g. a
 *      budget's overshoot): down to priority 0 if needed, stopping once the target is freed;
 *    - `medium` / `low` without one: down to the level's `minPriority` (defaults 4 and 8), which
 *      in `do_shrink_slab` terms means only caches with at least ~2^(p+6) freeable objects are
 *      scanned: gentle pressure reclaims only where there is much to gain.
 *
 * Listeners: `on('poll')` after every poll, `on('level')` when the level changes, `on('reclaim')`
 * after each reclaim (counted, scanned, freed, bytes returned, duration), `on('error')` when a
 * reclaim throws. Clock and timers are injectable for tests.
 */
import { show, type ZsError } from '../errors.js';
import { defaultShrinkers, type ReclaimResult, type ShrinkerRegistry } from '../shrinker/registry.js';
import { DEF_PRIORITY } from '../shrinker/shrinker.js';
import { Listeners } from '../util/listeners.js';
import { badArgument, optFunction, optionsObject, orDefault, TIMEOUT_MAX } from './check.js';
import { ExternalSource } from './external.js';
import { isPressureLevel, levelRank, PRESSURE_LEVELS, type PressureLevel } from './level.js';
import { describeError, invalidSample, type PressureSample, type PressureSource } from './source.js';

/** Timer functions the monitor uses (default: the global `setTimeout` / `clearTimeout`). */
export interface PressureTimers {
  /** Calls `fn` after `ms`; the returned handle is `unref`'d when it has an `unref` method. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** Lowest reclaim priority per level when no byte target is known (0–12). */
export interface ReclaimPolicy {
  /** Default 8: only caches with ≥ ~16k freeable objects (64 MiB of 4 KiB pages) are scanned. */
  low: number;
  /** Default 4: caches with ≥ ~1k freeable objects (4 MiB of pages). */
  medium: number;
  /** Default 0: everything freeable. */
  critical: number;
}

/** Default {@link ReclaimPolicy}. */
export const DEFAULT_RECLAIM_POLICY: Readonly<ReclaimPolicy> = { low: 8, medium: 4, critical: 0 };

/** Options of {@link PressureMonitor}. Every option is optional. */
export interface PressureMonitorOptions {
  /** Sources to poll (default none: only `notify` then raises the level). */
  sources?: PressureSource[];
  /**
   * Registry to reclaim from (default `defaultShrinkers`, where pools register); `null` watches
   * and reports levels without reclaiming.
   */
  registry?: ShrinkerRegistry | null;
  /** Poll period in ms (default 1000; at most 2^31 − 1, the longest delay timers honour). */
  intervalMs?: number;
  /** Consecutive polls a higher level must be observed before it is taken (default 1). */
  raiseAfter?: number;
  /** Consecutive polls the observed level must stay lower before the level drops (default 3). */
  clearAfter?: number;
  /** Lowest priority per level without a byte target (default `{ low: 8, medium: 4, critical: 0 }`). */
  policy?: Partial<ReclaimPolicy>;
  /** How long a `notify(level)` is held, in ms (default `intervalMs`). */
  notifyHoldMs?: number;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** Timers (default the global ones). */
  timers?: PressureTimers;
}

/** Emitted after every poll. */
export interface PollEvent {
  /** Clock time of the poll, ms. */
  at: number;
  /** One sample per source, in source order (the monitor's external source last). */
  samples: readonly PressureSample[];
  /** Worst level among `ok` samples. */
  observed: PressureLevel;
  /** The monitor's level after hysteresis. */
  level: PressureLevel;
}

/** Emitted when the monitor's level changes. */
export interface LevelEvent {
  /** Clock time, ms. */
  at: number;
  /** New level. */
  level: PressureLevel;
  /** Previous level. */
  previous: PressureLevel;
  /** Reasons of the samples at the observed level, joined with `; `. */
  reason: string;
  /** The poll's samples. */
  samples: readonly PressureSample[];
}

/** Emitted after each reclaim the monitor runs. */
export interface ReclaimEvent {
  /** Clock time the reclaim started, ms. */
  at: number;
  /** Level it ran for. */
  level: PressureLevel;
  /** Byte target (0 = none: ran down to `minPriority`). */
  targetBytes: number;
  /** Lowest priority allowed. */
  minPriority: number;
  /** Lowest priority reached. */
  priority: number;
  /** Shrinker passes made. */
  passes: number;
  /** Σ of what the shrinkers' `count` returned over the passes. */
  counted: number;
  /** Σ objects scanned. */
  scanned: number;
  /** Σ objects freed (pages, for pools). */
  freed: number;
  /** Bytes the shrinkers say they freed (freed × unitBytes). */
  freedBytes: number;
  /**
   * Drop of `registry.usageBytes()` over the reclaim: bytes the caches stopped holding (for
   * pools, page bytes cut from their arenas, i.e. returned to the OS). 0 if nothing reports usage.
   */
  bytesReturned: number;
  /** `registry.usageBytes()` before. */
  usageBeforeBytes: number;
  /** `registry.usageBytes()` after. */
  usageAfterBytes: number;
  /** Wall time, ms (monitor clock). */
  durationMs: number;
}

/** Emitted when a reclaim throws (a shrinker's fault); the monitor keeps running. */
export interface MonitorErrorEvent {
  /** Clock time, ms. */
  at: number;
  /** What was running. */
  phase: 'reclaim';
  /** What was thrown. */
  error: unknown;
}

/** Event types and payloads of {@link PressureMonitor.on}. */
export interface PressureEvents {
  /** After every poll. */
  poll: PollEvent;
  /** When the level changes. */
  level: LevelEvent;
  /** After each reclaim. */
  reclaim: ReclaimEvent;
  /** When a reclaim throws. */
  error: MonitorErrorEvent;
}

/** What {@link PressureMonitor.pollNow} returns. */
export interface PollResult extends PollEvent {
  /** True when the level changed at this poll. */
  changed: boolean;
  /** The reclaim this poll ran, if any (null when none was needed, possible, or it threw). */
  reclaim: ReclaimEvent | null;
  /** True when a reclaim was needed but another one was still running. */
  reclaimBusy: boolean;
}

/** Running totals of a monitor. */
export interface MonitorCounters {
  /** Polls made. */
  polls: number;
  /** Level changes. */
  levelChanges: number;
  /** Reclaims completed. */
  reclaims: number;
  /** Polls that wanted a reclaim while one was running. */
  reclaimsBusy: number;
  /** Reclaims that threw. */
  reclaimErrors: number;
  /** Σ `freedBytes` of completed reclaims. */
  freedBytes: number;
  /** Σ `bytesReturned` of completed reclaims. */
  bytesReturned: number;
}

/** Polls sources, keeps a level with hysteresis, and reclaims; see the file comment. */
export class PressureMonitor {
  /** Poll period, ms. */
  readonly intervalMs: number;
  /** See {@link PressureMonitorOptions.raiseAfter}. */
  readonly raiseAfter: number;
  /** See {@link PressureMonitorOptions.clearAfter}. */
  readonly clearAfter: number;
  /** Lowest priority per level without a byte target. */
  readonly policy: Readonly<ReclaimPolicy>;
  /** How long `notify` holds a level, ms. */
  readonly notifyHoldMs: number;
  /** The registry reclaimed from (null: observe only). */
  readonly registry: ShrinkerRegistry | null;
  /** The source `notify` feeds. */
  readonly external: ExternalSource;
  private readonly polled: PressureSource[];
  private readonly now: () => number;
  private readonly timers: PressureTimers;
  private readonly listeners: { [K in keyof PressureEvents]: Listeners<PressureEvents[K]> } = {
    poll: new Listeners<PollEvent>(),
    level: new Listeners<LevelEvent>(),
    reclaim: new Listeners<ReclaimEvent>(),
    error: new Listeners<MonitorErrorEvent>(),
  };
  private current: PressureLevel = 'none';
  private raiseStreak = 0;
  private raiseTo = 0;
  private lowerStreak = 0;
  private lowerTo = 0;
  private timer: unknown = null;
  private active = false;
  private inFlight: Promise<ReclaimEvent | null> | null = null;
  private last: readonly PressureSample[] = [];
  private readonly totals: MonitorCounters = {
    polls: 0,
    levelChanges: 0,
    reclaims: 0,
    reclaimsBusy: 0,
    reclaimErrors: 0,
    freedBytes: 0,
    bytesReturned: 0,
  };

  /** Creates a stopped monitor; throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: PressureMonitorOptions = {}) {
    const o = checkMonitorOptions(options);
    this.polled = o.sources;
    this.registry = o.registry;
    this.intervalMs = o.intervalMs;
    this.raiseAfter = o.raiseAfter;
    this.clearAfter = o.clearAfter;
    this.notifyHoldMs = o.notifyHoldMs;
    this.policy = o.policy;
    this.now = o.now;
    this.timers = o.timers;
    this.external = new ExternalSource();
  }

  /** The polled sources, then the external one. */
  get sources(): readonly PressureSource[] {
    return [...this.polled, this.external];
  }

  /** The current level (after hysteresis). */
  get level(): PressureLevel {
    return this.current;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.active;
  }

  /** True while a reclaim is running. */
  get reclaiming(): boolean {
    return this.inFlight !== null;
  }

  /** Samples of the last poll (empty before the first). */
  get lastSamples(): readonly PressureSample[] {
    return this.last;
  }

  /** Running totals (a copy). */
  get counters(): MonitorCounters {
    return { ...this.totals };
  }

  /**
   * Starts polling: one poll now (it also sets the baselines of rate-based sources), then one every
   * `intervalMs`. Idempotent. Returns the monitor.
   */
  start(): this {
    if (this.active) return this;
    this.active = true;
    this.tick();
    return this;
  }

  /** Stops polling; a reclaim already running finishes. Idempotent. Returns the monitor. */
  stop(): this {
    if (!this.active) return this;
    this.active = false;
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    return this;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof PressureEvents>(type: K, listener: (event: PressureEvents[K]) => void): () => void {
    const set: Listeners<PressureEvents[K]> | undefined = Object.hasOwn(this.listeners, type)
      ? this.listeners[type]
      : undefined;
    if (set === undefined) throw bad(`on: unknown event type ${String(type)}`);
    if (typeof listener !== 'function') throw bad('on: listener must be a function');
    return set.add(listener);
  }

  /**
   * Reports pressure from outside (a platform event): holds `level` for `holdMs` (default
   * `notifyHoldMs`) on the external source and, if the monitor is running, polls at once, taking a
   * higher level without waiting for `raiseAfter`. `notify('none')` ends a hold.
   */
  notify(level: PressureLevel, options: { holdMs?: number; note?: string } = {}): void {
    if (!isPressureLevel(level)) {
      throw bad(`notify: level must be one of ${PRESSURE_LEVELS.join(', ')}, got ${show(level)}`);
    }
    const o = optionsObject('notify', options);
    const holdMs = orDefault(o.holdMs, this.notifyHoldMs);
    if (typeof holdMs !== 'number' || !(holdMs > 0) || !Number.isFinite(holdMs)) {
      throw bad(`notify: holdMs must be a finite number > 0, got ${show(holdMs)}`);
    }
    if (o.note !== undefined && typeof o.note !== 'string') {
      throw bad(`notify: note must be a string, got ${show(o.note)}`);
    }
    this.external.notify(level, this.now(), holdMs, orDefault(o.note, ''));
    if (this.active) void this.pollOnce(true).catch(() => undefined);
  }

  /** Polls now (whether running or not) and resolves once any reclaim it started is done. */
  pollNow(): Promise<PollResult> {
    return this.pollOnce(false);
  }

  /** Resolves when no reclaim is running. */
  async idle(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
  }

  private tick(): void {
    this.timer = null;
    if (!this.active) return;
    void this.pollOnce(false).catch(() => undefined);
    // A poll listener may have stopped the monitor, or stopped and restarted it (the restart's own
    // tick has then scheduled the next poll: scheduling another would poll twice as often).
    if (!this.active || this.timer !== null) return;
    const h = this.timers.setTimeout(() => this.tick(), this.intervalMs);
    const unref = (h as { unref?: () => void } | null)?.unref;
    if (typeof unref === 'function') unref.call(h);
    this.timer = h;
  }

  private async pollOnce(force: boolean): Promise<PollResult> {
    const at = this.now();
    const samples: PressureSample[] = [];
    let worst = 0;
    for (const s of this.polled) {
      const smp = safeSample(s, at);
      samples.push(smp);
      if (smp.status === 'ok') worst = Math.max(worst, levelRank(smp.level));
    }
    const ext = this.external.sample(at);
    samples.push(ext);
    worst = Math.max(worst, levelRank(ext.level));
    this.last = samples;
    this.totals.polls++;
    const previous = this.current;
    const next = this.step(worst, force && levelRank(ext.level) === worst);
    const observed = PRESSURE_LEVELS[worst];
    const changed = next !== previous;
    this.current = next;
    this.listeners.poll.emit({ at, samples, observed, level: next });
    if (changed) {
      this.totals.levelChanges++;
      const reason = samples
        .filter((x) => x.status === 'ok' && levelRank(x.level) === worst && x.reason !== '')
        .map((x) => `${x.source}: ${x.reason}`)
        .join('; ');
      this.listeners.level.emit({ at, level: next, previous, reason, samples });
    }
    const result: PollResult = {
      at,
      samples,
      observed,
      level: next,
      changed,
      reclaim: null,
      reclaimBusy: false,
    };
    // Reclaim follows what is observed now: a level held up only by hysteresis (every source
    // reads none again) reports, but does not keep evicting caches.
    if (next === 'none' || observed === 'none' || this.registry === null) return result;
    if (this.inFlight !== null) {
      this.totals.reclaimsBusy++;
      result.reclaimBusy = true;
      return result;
    }
    const run = this.reclaim(this.registry, next, samples, at).finally(() => {
      this.inFlight = null;
    });
    this.inFlight = run;
    result.reclaim = await run;
    return result;
  }

  /** Hysteresis: the new level after observing rank `worst`. */
  private step(worst: number, force: boolean): PressureLevel {
    const cur = levelRank(this.current);
    if (worst > cur) {
      this.lowerStreak = 0;
      this.raiseTo = this.raiseStreak === 0 ? worst : Math.min(this.raiseTo, worst);
      this.raiseStreak++;
      if (force || this.raiseStreak >= this.raiseAfter) {
        const to = force ? worst : this.raiseTo;
        this.raiseStreak = 0;
        return PRESSURE_LEVELS[to];
      }
    } else if (worst < cur) {
      this.raiseStreak = 0;
      this.lowerTo = this.lowerStreak === 0 ? worst : Math.max(this.lowerTo, worst);
      this.lowerStreak++;
      if (this.lowerStreak >= this.clearAfter) {
        this.lowerStreak = 0;
        return PRESSURE_LEVELS[this.lowerTo];
      }
    } else {
      this.raiseStreak = 0;
      this.lowerStreak = 0;
    }
    return this.current;
  }

  private async reclaim(
    registry: ShrinkerRegistry,
    level: PressureLevel,
    samples: readonly PressureSample[],
    at: number,
  ): Promise<ReclaimEvent | null> {
    let target = 0;
    if (level !== 'critical') {
      for (const s of samples) {
        if (s.status === 'ok' && s.level !== 'none' && s.reclaimBytes > target) target = s.reclaimBytes;
      }
    }
    const minPriority = level === 'critical' || target > 0 ? 0 : this.policy[level as 'low' | 'medium'];
    let counted = 0;
    let scanned = 0;
    const off = registry.onShrink((e) => {
      counted += e.counted;
      scanned += e.scanned;
    });
    let r: ReclaimResult;
    const before = usageOf(registry);
    try {
      r = await registry.reclaimAsync(target > 0 ? { targetBytes: target, minPriority } : { minPriority });
    } catch (error) {
      this.totals.reclaimErrors++;
      this.listeners.error.emit({ at, phase: 'reclaim', error });
      return null;
    } finally {
      off();
    }
    const after = usageOf(registry);
    const ev: ReclaimEvent = {
      at,
      level,
      targetBytes: target,
      minPriority,
      priority: r.priority,
      passes: r.passes,
      counted,
      scanned,
      freed: r.freed,
      freedBytes: r.freedBytes,
      bytesReturned: Math.max(0, before - after),
      usageBeforeBytes: before,
      usageAfterBytes: after,
      durationMs: this.now() - at,
    };
    this.totals.reclaims++;
    this.totals.freedBytes += ev.freedBytes;
    this.totals.bytesReturned += ev.bytesReturned;
    this.listeners.reclaim.emit(ev);
    return ev;
  }
}

/** Creates a (stopped) {@link PressureMonitor}: `createPressureMonitor({ sources }).start()`. */
export function createPressureMonitor(options: PressureMonitorOptions = {}): PressureMonitor {
  return new PressureMonitor(options);
}

function safeSample(s: PressureSource, at: number): PressureSample {
  try {
    const smp = s.sample(at);
    if (smp === null || typeof smp !== 'object' || !isPressureLevel(smp.level)) {
      return invalidSample(s.name, at, 'sample() returned no valid sample');
    }
    return smp;
  } catch (e) {
    return invalidSample(s.name, at, `sample() threw: ${describeError(e)}`);
  }
}

/** `registry.usageBytes()`, 0 if a shrinker's `usageBytes` throws (reporting must not stop reclaim). */
function usageOf(registry: ShrinkerRegistry): number {
  try {
    return registry.usageBytes();
  } catch {
    return 0;
  }
}

/** A monitor's options, checked and with defaults filled in. */
interface CheckedMonitorOptions {
  sources: PressureSource[];
  registry: ShrinkerRegistry | null;
  intervalMs: number;
  raiseAfter: number;
  clearAfter: number;
  notifyHoldMs: number;
  policy: Readonly<ReclaimPolicy>;
  now: () => number;
  timers: PressureTimers;
}

/**
 * Checks every option of a {@link PressureMonitor} (throws `ERR_ZS_BAD_ARGUMENT` naming it) and
 * fills in the defaults; creates nothing. `startAutoReclaim` calls it before probing any source.
 * @internal
 */
export function checkMonitorOptions(options: PressureMonitorOptions | undefined): CheckedMonitorOptions {
  const o = optionsObject('PressureMonitor', options);
  const sources = orDefault(o.sources, []);
  if (!Array.isArray(sources)) throw bad(`PressureMonitor: sources must be an array, got ${show(sources)}`);
  for (const s of sources) {
    if (s === null || typeof s !== 'object' || typeof s.sample !== 'function' || typeof s.name !== 'string') {
      throw bad('PressureMonitor: every source needs a name and a sample(now) method');
    }
  }
  const registry = o.registry === undefined ? defaultShrinkers : o.registry;
  if (registry !== null && !isRegistry(registry)) {
    throw bad(`PressureMonitor: registry must be a ShrinkerRegistry or null, got ${show(registry)}`);
  }
  const intervalMs = positive('intervalMs', orDefault(o.intervalMs, 1000));
  if (intervalMs > TIMEOUT_MAX) {
    // setTimeout would clamp it to 1 ms: a monitor meant to poll rarely would poll all the time.
    throw bad(`PressureMonitor: intervalMs must be at most ${TIMEOUT_MAX} (2^31 − 1), got ${intervalMs}`);
  }
  const policyIn = o.policy === undefined ? {} : o.policy;
  if (policyIn === null || typeof policyIn !== 'object' || Array.isArray(policyIn)) {
    throw bad(`PressureMonitor: policy must be an object, got ${show(policyIn)}`);
  }
  const policy = { ...DEFAULT_RECLAIM_POLICY, ...policyIn };
  for (const k of ['low', 'medium', 'critical'] as const) {
    const v = policy[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > DEF_PRIORITY) {
      throw bad(
        `PressureMonitor: policy.${k} must be an integer priority in [0, ${DEF_PRIORITY}], got ${show(v)}`,
      );
    }
  }
  const now = optFunction<() => number>('PressureMonitor', 'now', o.now) ?? (() => performance.now());
  let timers: PressureTimers;
  if (o.timers === undefined) {
    timers = {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    };
  } else {
    const t = o.timers as Partial<PressureTimers> | null;
    if (
      t === null ||
      typeof t !== 'object' ||
      typeof t.setTimeout !== 'function' ||
      typeof t.clearTimeout !== 'function'
    ) {
      throw bad('PressureMonitor: timers must be an object with setTimeout and clearTimeout functions');
    }
    timers = o.timers;
  }
  return {
    sources: sources.slice(),
    registry,
    intervalMs,
    raiseAfter: count('raiseAfter', orDefault(o.raiseAfter, 1)),
    clearAfter: count('clearAfter', orDefault(o.clearAfter, 3)),
    notifyHoldMs: positive('notifyHoldMs', orDefault(o.notifyHoldMs, intervalMs)),
    policy,
    now,
    timers,
  };
}

/** True for a ShrinkerRegistry (of this copy of the package or another one: checked by shape). */
function isRegistry(v: unknown): v is ShrinkerRegistry {
  const r = v as Partial<ShrinkerRegistry> | null;
  return (
    r !== null &&
    typeof r === 'object' &&
    typeof r.reclaimAsync === 'function' &&
    typeof r.onShrink === 'function' &&
    typeof r.usageBytes === 'function'
  );
}

function bad(message: string): ZsError {
  return badArgument(message);
}

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw bad(`PressureMonitor: ${name} must be a finite number > 0, got ${show(v)}`);
  return v;
}

function count(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) {
    throw bad(`PressureMonitor: ${name} must be an integer in [1, 1000], got ${show(v)}`);
  }
  return v;
}
