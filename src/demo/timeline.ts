/**
 * Timeline: what the demo's memory looked like, sampled over the whole run, plus the events that
 * happened (phase changes, pressure levels, shrinker passes, reclaims).
 *
 * A sample is taken every `intervalMs` by an unref'd timer while the event loop is free, by
 * {@link Timeline.tick} from inside long synchronous loops (which yield between batches), and
 * at once at every event, so the report's charts have a point exactly where something happened.
 * The figures come from a probe function the scenario supplies; the timeline only keeps time.
 */

/** The phases of a demo run, in order (`verify` runs after the timeline has stopped). */
export type Phase = 'fill zram' | 'fill store' | 'churn' | 'pressure' | 'settle' | 'verify';

/** Memory figures at one moment, all in bytes except `level`. */
export interface Figures {
  /** Bytes of data held (zram `orig_data_size` + store `logical_bytes`). */
  logical: number;
  /** The same data as stored (zram `compr_data_size` + store `stored_bytes`). */
  compressed: number;
  /** Pages the pools' zspages hold (`zs_get_total_pages` × page size, summed). */
  inUse: number;
  /** Pages the pools have committed in their arenas (what the budget counts; ≥ inUse). */
  committed: number;
  /** Resident set size of the process. */
  rss: number;
  /** Pressure level rank: 0 none, 1 low, 2 medium, 3 critical. */
  level: number;
  /** The budget in force, or null before it is lowered. */
  budget: number | null;
}

/** One sample: when (ms since the run started), in which phase, and the figures. */
export interface Sample extends Figures {
  /** Milliseconds since the run started. */
  t: number;
  /** Phase at that moment. */
  phase: Phase;
}

/** Something that happened, for marks on the charts. */
export interface TimelineEvent {
  /** Milliseconds since the run started. */
  t: number;
  /** What kind of event. */
  kind: 'phase' | 'budget' | 'level' | 'pass' | 'reclaim';
  /** Short text for the chart. */
  label: string;
}

/** Samples and events over a run; see the file comment. */
export class Timeline {
  /** Samples, in time order. */
  readonly samples: Sample[] = [];
  /** Events, in time order. */
  readonly events: TimelineEvent[] = [];
  /** Sampling period, ms. */
  readonly intervalMs: number;
  private readonly probe: () => Figures;
  private readonly now: () => number;
  private readonly t0: number;
  private phaseNow: Phase = 'fill zram';
  private last = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setInterval> | null = null;

  /** A timeline starting now; `probe` reads the figures (it must be cheap: ~50 µs). */
  constructor(probe: () => Figures, intervalMs = 50, now: () => number = () => performance.now()) {
    this.probe = probe;
    this.intervalMs = intervalMs;
    this.now = now;
    this.t0 = now();
  }

  /** Milliseconds since the timeline started. */
  elapsed(): number {
    return this.now() - this.t0;
  }

  /** Converts a clock reading (same clock as `now`) to timeline time. */
  at(clock: number): number {
    return clock - this.t0;
  }

  /** The current phase. */
  get phase(): Phase {
    return this.phaseNow;
  }

  /** Starts the periodic sampler (unref'd: it never keeps the process alive) and samples now. */
  start(): void {
    if (this.timer !== null) return;
    this.sample();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Stops the periodic sampler and takes a last sample. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  /** Samples if at least one interval has passed since the last sample; true if it sampled. */
  tick(): boolean {
    if (this.now() - this.last < this.intervalMs) return false;
    this.sample();
    return true;
  }

  /** Takes a sample now. */
  sample(): Sample {
    const t = this.now();
    this.last = t;
    const s: Sample = { t: t - this.t0, phase: this.phaseNow, ...this.probe() };
    this.samples.push(s);
    return s;
  }

  /** Enters `phase`: records the event and samples at the boundary. */
  enter(phase: Phase): void {
    this.sample();
    this.phaseNow = phase;
    this.mark('phase', phase);
  }

  /** Records an event now (or at `t`, ms since the start) and samples. */
  mark(kind: TimelineEvent['kind'], label: string, t?: number): void {
    this.events.push({ t: t ?? this.elapsed(), kind, label });
    this.sample();
  }

  /** Start and end (ms) of every phase that occurred, in order. */
  phaseSpans(): { phase: Phase; from: number; to: number }[] {
    const starts = [{ phase: 'fill zram' as Phase, t: 0 }];
    for (const e of this.events) if (e.kind === 'phase') starts.push({ phase: e.label as Phase, t: e.t });
    const end = this.samples.length > 0 ? this.samples[this.samples.length - 1].t : 0;
    return starts
      .map((s, i) => ({ phase: s.phase, from: s.t, to: i + 1 < starts.length ? starts[i + 1].t : end }))
      .filter((s) => s.to > s.from);
  }
}
