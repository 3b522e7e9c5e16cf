/**
 * The demo's data types: its options and progress reports, and everything a run measured
 * ({@link DemoResult}, camelCase; the kernel's own structures — `mm_stat`, the pools' `classes`
 * rows — keep the kernel's field names).
 */
import type { PoolStats } from '../pool/pool-stats.js';
import type { PressureLevel } from '../pressure/level.js';
import type { ReclaimEvent } from '../pressure/monitor.js';
import type { ShrinkEvent } from '../shrinker/registry.js';
import type { ZStoreStats } from '../store/zstore.js';
import type { IoStat, MmStat } from '../zram/zram-device.js';
import type { DataSet } from './data.js';
import type { Phase, Timeline } from './timeline.js';

/** Options of `runDemo`. */
export interface DemoOptions {
  /** Walk this directory instead of the Node.js installation. */
  dataDir?: string;
  /** Bytes of data to use (the data found may be less). */
  dataBytes: number;
  /** Share of the data that goes to the zram device; the rest goes to the store (default 2/3). */
  zramShare?: number;
  /** Fraction of pages discarded and of files deleted in the churn (default 0.6). */
  churn?: number;
  /**
   * The budget as a fraction of the pools' footprint when it is lowered (default 0.6), raised if
   * needed to 1.25 × what the pools would hold once compacted, so that reclaim can meet it.
   */
  budgetRatio?: number;
  /** Longest wait for the pressure level to clear, ms (default 10 000). */
  timeoutMs?: number;
  /** Time to keep sampling once the level has cleared, ms (default 500). */
  settleMs?: number;
  /** Timeline sampling period, ms (default 50). */
  sampleMs?: number;
  /** Monitor poll period, ms (default 100). */
  pollMs?: number;
  /** Seed of the churn's random choices (default 1). */
  seed?: number;
  /** Called about every `sampleMs` with where the run is. */
  onProgress?: (p: DemoProgress) => void;
}

/** Progress of a run, for progress bars. */
export interface DemoProgress {
  /** Current phase. */
  phase: Phase;
  /** Units done and to do in this phase (pages, files, …). */
  done: number;
  /** Units in this phase. */
  total: number;
  /** Bytes taken in so far in this phase. */
  inBytes: number;
  /** Bytes they are stored in (compressed). */
  storedBytes: number;
  /** Pressure level now. */
  level: PressureLevel;
  /** Pool pages committed, bytes. */
  committed: number;
  /** Budget in force (null before it is lowered). */
  budget: number | null;
}

/** Memory state at one point of the run. */
export interface Snapshot {
  /** Milliseconds since the start. */
  t: number;
  /** Resident set size, bytes. */
  rss: number;
  /** Bytes the pools have committed (the registry's usage: what the budget counts). */
  committed: number;
  /** The zram device's `mm_stat`. */
  mmStat: MmStat;
  /** The kernel's one-line form of it. */
  mmStatText: string;
  /** The zram device's `ioStat`. */
  ioStat: IoStat;
  /** The store's figures. */
  store: ZStoreStats;
  /** Both pools, with per-class rows. */
  pools: { zram: PoolStats; store: PoolStats };
}

/** One shrinker pass, with the time it ended. */
export interface PassRecord extends ShrinkEvent {
  /** Milliseconds since the start, when the pass ended. */
  t: number;
}

/** One reclaim run by the monitor. */
export interface ReclaimRecord extends Omit<ReclaimEvent, 'at'> {
  /** Milliseconds since the start, when it began. */
  t: number;
}

/** A change of the monitor's level. */
export interface LevelRecord {
  /** Milliseconds since the start. */
  t: number;
  /** New level. */
  level: PressureLevel;
  /** Previous level. */
  previous: PressureLevel;
  /** Why (the sources' reasons). */
  reason: string;
}

/** Everything a run measured. */
export interface DemoResult {
  /** Bytes per page. */
  pageSize: number;
  /** The data used. */
  data: {
    source: DataSet['source'];
    roots: string[];
    files: number;
    bytes: number;
    zramBytes: number;
    storeBytes: number;
    skipped: { path: string; reason: string }[];
  };
  /** The zram device. */
  zram: { name: string; codec: string; disksize: number; pagesWritten: number; pagesDiscarded: number };
  /** The store. */
  store: { name: string; codec: string; entriesWritten: number; entriesDeleted: number };
  /** The budget. */
  budget: {
    initialBytes: number;
    limitBytes: number;
    ratio: number;
    footprintBytes: number;
    setAt: number;
  } | null;
  /** Level changes. */
  levels: LevelRecord[];
  /** Every shrinker pass. */
  passes: PassRecord[];
  /** Every reclaim the monitor ran. */
  reclaims: ReclaimRecord[];
  /** True when the level went back to `none` before the timeout. */
  settled: boolean;
  /** Milliseconds from lowering the budget to the level clearing (null if it did not). */
  settleMs: number | null;
  /** Memory after the fill, after the churn (= before reclaim), and after reclaim. */
  snapshots: { filled: Snapshot; churned: Snapshot; reclaimed: Snapshot };
  /** Bytes the pools gave back to the OS during the pressure phase. */
  bytesReturned: number;
  /** Resident set size: where it was read, and at the start, peak, before and after reclaim. */
  rss: { source: 'statm' | 'memoryUsage'; start: number; peak: number; before: number; after: number };
  /** Per pool: compactions run (all kinds) and shrinker `scan` calls, which started them. */
  compactions: { pool: string; compactCalls: number; shrinkerScans: number }[];
  /** Read-back check of everything still held. */
  verify: { pages: number; entries: number; mismatches: number };
  /** Milliseconds per phase and in all. */
  timings: { fillMs: number; churnMs: number; pressureMs: number; verifyMs: number; totalMs: number };
}

/** A finished run: its figures and its timeline. */
export interface DemoRun {
  /** The figures. */
  result: DemoResult;
  /** Samples and events over the run. */
  timeline: Timeline;
}
