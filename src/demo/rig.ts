/**
 * The demo's rig: everything a run sets up and watches. A private ShrinkerRegistry (so nothing
 * else in the process is touched), a ZramDevice and a ZStore registered with it, a budget source
 * over the registry's usage, the PressureMonitor polling it, the {@link Timeline} and the records
 * of every shrinker pass, reclaim and level change. The phases (phases.ts) drive it.
 */
import { totalmem } from 'node:os';
import { budgetSource } from '../pressure/budget.js';
import { levelRank, type PressureLevel } from '../pressure/level.js';
import { PressureMonitor } from '../pressure/monitor.js';
import { rssBytes, statmRssBytes } from '../pressure/node/rss.js';
import { ShrinkerRegistry } from '../shrinker/registry.js';
import { ZStore } from '../store/zstore.js';
import { yieldToEventLoop } from '../util/yield.js';
import { ZramDevice } from '../zram/zram-device.js';
import { type Figures, type Phase, Timeline } from './timeline.js';
import type { DemoOptions, LevelRecord, PassRecord, ReclaimRecord, Snapshot } from './types.js';

/** Bytes per page of the zram device and the pools. */
export const PAGE = 4096;

/** The components of a run and what they reported. */
export class Rig {
  /** Registry both pools' shrinkers are registered with. */
  readonly registry = new ShrinkerRegistry();
  /** The compressed RAM disk. */
  readonly zram: ZramDevice;
  /** The compressed key/value store. */
  readonly store: ZStore<string>;
  /** The budget the pressure phase lowers (starts at the machine's memory). */
  readonly budget: ReturnType<typeof budgetSource>;
  /** The budget at the start. */
  readonly initialBudget = totalmem();
  /** The monitor that turns the budget into reclaim. */
  readonly monitor: PressureMonitor;
  /** Samples and events. */
  readonly timeline: Timeline;
  /** Where RSS is read. */
  readonly rssSource: 'statm' | 'memoryUsage';
  /** Reads RSS, bytes. */
  readonly rss: () => number;
  /** Every shrinker pass, every reclaim, every level change. */
  readonly passes: PassRecord[] = [];
  /** Reclaims the monitor ran. */
  readonly reclaims: ReclaimRecord[] = [];
  /** Level changes. */
  readonly levels: LevelRecord[] = [];
  /** The budget in force once lowered (null before). */
  budgetNow: number | null = null;
  /** True once the timeline has stopped sampling. */
  stopped = false;
  private readonly options: DemoOptions;
  private readonly levelWaiters: ((l: PressureLevel) => void)[] = [];
  private lastYield = performance.now();

  /** Sets everything up for a zram device of `zramPages` pages; nothing runs yet. */
  constructor(options: DemoOptions, zramPages: number) {
    this.options = options;
    this.rssSource = Number.isFinite(statmRssBytes()) ? 'statm' : 'memoryUsage';
    this.rss = this.rssSource === 'statm' ? () => statmRssBytes() : rssBytes;
    const registry = this.registry;
    this.zram = new ZramDevice({
      disksize: zramPages * PAGE,
      codec: 'lz4',
      name: 'zram0',
      shrinkers: registry,
    });
    this.store = new ZStore<string>({ name: 'files', codec: 'lz4', shrinkers: registry });
    this.budget = budgetSource({ limitBytes: this.initialBudget, registry });
    this.monitor = new PressureMonitor({
      sources: [this.budget],
      registry,
      intervalMs: options.pollMs ?? 100,
    });
    this.timeline = new Timeline(() => this.figures(), options.sampleMs ?? 50);
    this.record();
  }

  /** Sampling period, ms. */
  get sampleMs(): number {
    return this.timeline.intervalMs;
  }

  /** Reports progress to the caller's callback. */
  progress(phase: Phase, done: number, total: number, inBytes = 0, storedBytes = 0): void {
    this.options.onProgress?.({
      phase,
      done,
      total,
      inBytes,
      storedBytes,
      level: this.monitor.level,
      committed: this.registry.usageBytes(),
      budget: this.budgetNow,
    });
  }

  /** Between batches of synchronous work: sample, report progress, let timers run. */
  async breathe(report: () => void): Promise<void> {
    if (performance.now() - this.lastYield < this.sampleMs) return;
    if (!this.stopped) this.timeline.tick();
    report();
    await yieldToEventLoop();
    this.lastYield = performance.now();
  }

  /** Resolves true once the level has risen and come back to `none`; false after `timeoutMs`. */
  untilCleared(timeoutMs: number): Promise<boolean> {
    const waiters = this.levelWaiters;
    return new Promise((resolve) => {
      let raised = this.monitor.level !== 'none';
      const done = (ok: boolean) => {
        clearTimeout(timer);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        resolve(ok);
      };
      const waiter = (l: PressureLevel) => {
        if (l !== 'none') raised = true;
        else if (raised) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.push(waiter);
    });
  }

  /** Memory state now. */
  snapshot(): Snapshot {
    return {
      t: this.timeline.elapsed(),
      rss: this.rss(),
      committed: this.registry.usageBytes(),
      mmStat: this.zram.mmStat(),
      mmStatText: this.zram.mmStatText().trimEnd(),
      ioStat: this.zram.ioStat(),
      store: this.store.stats(),
      pools: { zram: this.zram.pool.stats(), store: this.store.pool.stats() },
    };
  }

  /** Stops sampling and polling and destroys the device and the store. */
  dispose(): void {
    this.monitor.stop();
    if (!this.stopped) this.timeline.stop();
    this.stopped = true;
    this.zram.destroy();
    this.store.destroy();
  }

  /** The timeline's figures (cheap: read at every sample). */
  private figures(): Figures {
    const m = this.zram.mmStat();
    const s = this.store.stats();
    return {
      logical: m.orig_data_size + s.logical_bytes,
      compressed: m.compr_data_size + s.stored_bytes,
      inUse: m.mem_used_total + s.pool_pages * PAGE,
      committed: this.registry.usageBytes(),
      rss: this.rss(),
      level: levelRank(this.monitor.level),
      budget: this.budgetNow,
    };
  }

  /** Records shrinker passes, reclaims and level changes, and marks them on the timeline. */
  private record(): void {
    const timeline = this.timeline;
    this.registry.onShrink((e) => {
      const t = timeline.elapsed();
      this.passes.push({ ...e, t });
      if (e.scanCalls > 0) timeline.mark('pass', `${e.shrinker} p${e.priority}`, t);
    });
    this.monitor.on('reclaim', (e) => {
      const { at, ...rest } = e;
      this.reclaims.push({ ...rest, t: timeline.at(at) });
      timeline.mark('reclaim', `reclaim ${this.reclaims.length}`);
    });
    this.monitor.on('level', (e) => {
      this.levels.push({ t: timeline.at(e.at), level: e.level, previous: e.previous, reason: e.reason });
      timeline.mark('level', e.level, timeline.at(e.at));
      for (const w of this.levelWaiters.slice()) w(e.level);
    });
  }
}
