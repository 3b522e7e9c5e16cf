/**
 * The demo scenario: the whole system at work on real data, with nothing set up by hand.
 *
 * 1. fill    — a ZramDevice (lz4) takes the first part of the data as 4 KiB pages, a ZStore the
 *              rest as values keyed by file path; both register their pools' shrinkers with a
 *              private ShrinkerRegistry, so nothing else in the process is touched.
 * 2. churn   — a random part of the pages is discarded and of the files deleted, as swap-in and
 *              cache churn do: the pools fragment (slots free inside zspages: `freeable`) and
 *              committed pages no zspage uses (holes) stay resident.
 * 3. pressure — a PressureMonitor has watched a `budgetSource` over the registry's usage all
 *              along; its budget is now lowered below the footprint, as a container limit would
 *              be. The monitor notices at its next poll and drives the registry on the async path:
 *              each pool's shrinker compacts in event-loop slices and gives the pages back to the
 *              OS. The demo never calls `compact` itself; it waits for the level to clear.
 * 4. verify  — every page and value still held reads back with the checksum it was written with.
 *
 * The run returns plain data ({@link DemoResult}) and its {@link Timeline}; printing and the HTML
 * report are the caller's.
 */
import { totalmem } from 'node:os';
import type { PoolStats } from '../pool/pool-stats.js';
import { budgetSource } from '../pressure/budget.js';
import { levelRank, type PressureLevel } from '../pressure/level.js';
import { PressureMonitor, type ReclaimEvent } from '../pressure/monitor.js';
import { rssBytes, statmRssBytes } from '../pressure/node/rss.js';
import { type ShrinkEvent, ShrinkerRegistry } from '../shrinker/registry.js';
import { ZStore, type ZStoreStats } from '../store/zstore.js';
import { yieldToEventLoop } from '../util/yield.js';
import { type IoStat, type MmStat, ZramDevice } from '../zram/zram-device.js';
import { checksum, type DataSet, findData, pageCount, readBlocks, splitData } from './data.js';
import { type Figures, type Phase, Timeline } from './timeline.js';

/** Options of {@link runDemo}. */
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
  mm_stat: MmStat;
  /** The kernel's one-line form of it. */
  mm_stat_text: string;
  /** The zram device's `io_stat`. */
  io_stat: IoStat;
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
  page_size: number;
  /** The data used. */
  data: {
    source: DataSet['source'];
    roots: string[];
    files: number;
    bytes: number;
    zram_bytes: number;
    store_bytes: number;
    skipped: { path: string; reason: string }[];
  };
  /** The zram device. */
  zram: { name: string; codec: string; disksize: number; pages_written: number; pages_discarded: number };
  /** The store. */
  store: { name: string; codec: string; entries_written: number; entries_deleted: number };
  /** The budget. */
  budget: {
    initial_bytes: number;
    limit_bytes: number;
    ratio: number;
    footprint_bytes: number;
    set_at: number;
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
  settle_ms: number | null;
  /** Memory after the fill, after the churn (= before reclaim), and after reclaim. */
  snapshots: { filled: Snapshot; churned: Snapshot; reclaimed: Snapshot };
  /** Bytes the pools gave back to the OS during the pressure phase. */
  bytes_returned: number;
  /** Resident set size: where it was read, and at the start, peak, before and after reclaim. */
  rss: { source: 'statm' | 'memoryUsage'; start: number; peak: number; before: number; after: number };
  /** Per pool: compactions run (all kinds) and shrinker `scan` calls, which started them. */
  compactions: { pool: string; compact_calls: number; shrinker_scans: number }[];
  /** Read-back check of everything still held. */
  verify: { pages: number; entries: number; mismatches: number };
  /** Milliseconds per phase and in all. */
  timings: { fill_ms: number; churn_ms: number; pressure_ms: number; verify_ms: number; total_ms: number };
}

/** A finished run: its figures and its timeline. */
export interface DemoRun {
  /** The figures. */
  result: DemoResult;
  /** Samples and events over the run. */
  timeline: Timeline;
}

const PAGE = 4096;
const BLOCK = 1 << 20;

/** Runs the demo; throws {@link DataError} (from `./data.js`) when the data cannot be used. */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const tStart = performance.now();
  const rssSource = Number.isFinite(statmRssBytes()) ? 'statm' : 'memoryUsage';
  const rss = rssSource === 'statm' ? () => statmRssBytes() : rssBytes;
  const rssStart = rss();
  const sampleMs = options.sampleMs ?? 50;
  const churn = options.churn ?? 0.6;
  const rand = xorshift(options.seed ?? 1);

  const zramShare = options.zramShare ?? 2 / 3;
  const zramWant = Math.floor((options.dataBytes * zramShare) / PAGE) * PAGE;
  const data = findData({
    dir: options.dataDir,
    maxBytes: options.dataBytes,
    minBytes: 16 * PAGE,
    binaryMaxBytes: zramWant,
  });
  const [zramExtents, storeExtents] = splitData(
    data,
    Math.floor((data.bytes * zramShare) / PAGE) * PAGE,
    PAGE,
  );
  const zramPages = Math.max(1, pageCount(zramExtents, PAGE));
  const storeTotal = storeExtents.reduce((a, x) => a + x.length, 0);

  const registry = new ShrinkerRegistry();
  const zram = new ZramDevice({
    disksize: zramPages * PAGE,
    codec: 'lz4',
    name: 'zram0',
    shrinkers: registry,
  });
  const store = new ZStore<string>({ name: 'files', codec: 'lz4', shrinkers: registry });
  const initialBudget = totalmem();
  const budget = budgetSource({ limitBytes: initialBudget, registry });
  let budgetNow: number | null = null;
  const monitor = new PressureMonitor({ sources: [budget], registry, intervalMs: options.pollMs ?? 100 });

  const probe = (): Figures => {
    const m = zram.mmStat();
    const s = store.stats();
    return {
      logical: m.orig_data_size + s.logical_bytes,
      compressed: m.compr_data_size + s.stored_bytes,
      inUse: m.mem_used_total + s.pool_pages * PAGE,
      committed: registry.usageBytes(),
      rss: rss(),
      level: levelRank(monitor.level),
      budget: budgetNow,
    };
  };
  const timeline = new Timeline(probe, sampleMs);
  const passes: PassRecord[] = [];
  const reclaims: ReclaimRecord[] = [];
  const levels: LevelRecord[] = [];
  registry.onShrink((e) => {
    const t = timeline.elapsed();
    passes.push({ ...e, t });
    if (e.scanCalls > 0) timeline.mark('pass', `${e.shrinker} p${e.priority}`, t);
  });
  monitor.on('reclaim', (e) => {
    const { at, ...rest } = e;
    reclaims.push({ ...rest, t: timeline.at(at) });
    timeline.mark('reclaim', `reclaim ${reclaims.length}`);
  });
  const levelWaiters: ((l: PressureLevel) => void)[] = [];
  monitor.on('level', (e) => {
    levels.push({ t: timeline.at(e.at), level: e.level, previous: e.previous, reason: e.reason });
    timeline.mark('level', e.level, timeline.at(e.at));
    for (const w of levelWaiters.slice()) w(e.level);
  });

  const progress = (phase: Phase, done: number, total: number, inBytes: number, storedBytes: number) =>
    options.onProgress?.({
      phase,
      done,
      total,
      inBytes,
      storedBytes,
      level: monitor.level,
      committed: registry.usageBytes(),
      budget: budgetNow,
    });
  let lastYield = performance.now();
  let stopped = false; // the timeline
  /** Between batches of synchronous work: sample, report progress, let timers run. */
  const breathe = async (report: () => void): Promise<void> => {
    if (performance.now() - lastYield < sampleMs) return;
    if (!stopped) timeline.tick();
    report();
    await yieldToEventLoop();
    lastYield = performance.now();
  };

  const skipped: { path: string; reason: string }[] = [];
  const onSkip = (path: string, reason: string) => skipped.push({ path, reason });
  const buf = new Uint8Array(BLOCK);
  const tail = new Uint8Array(PAGE);
  const pageSum = new Uint32Array(zramPages);
  try {
    monitor.start();
    timeline.start();

    // 1. Fill the zram device, page by page.
    let pages = 0;
    let inBytes = 0;
    const zramReport = () => progress('fill zram', pages, zramPages, inBytes, zram.mmStat().compr_data_size);
    for (const b of readBlocks(zramExtents, buf, onSkip)) {
      const n = b.bytes.length;
      for (let off = 0; off < n && pages < zramPages; off += PAGE) {
        let page = b.bytes.subarray(off, off + PAGE);
        if (page.length < PAGE) {
          tail.fill(0);
          tail.set(page);
          page = tail;
        }
        zram.write(pages, page);
        pageSum[pages] = checksum(page);
        pages++;
      }
      inBytes += n;
      await breathe(zramReport);
    }
    zramReport();
    const pagesWritten = pages;

    // …and the store, file by file (files over 1 MiB in 1 MiB pieces keyed path@offset).
    timeline.enter('fill store');
    const keys: string[] = [];
    const sums: number[] = [];
    let storeIn = 0;
    const storeReport = () =>
      progress('fill store', storeIn, storeTotal, storeIn, store.stats().stored_bytes);
    for (const b of readBlocks(storeExtents, buf, onSkip)) {
      const whole = b.offset === 0 && b.bytes.length === b.extent.fileSize;
      const key = whole ? b.extent.path : `${b.extent.path}@${b.offset}`;
      store.set(key, b.bytes);
      keys.push(key);
      sums.push(checksum(b.bytes));
      storeIn += b.bytes.length;
      await breathe(storeReport);
    }
    storeReport();
    const tFilled = performance.now();
    const filled = snapshot(timeline.elapsed());

    // 2. Churn: discard a random part of the pages, delete a random part of the files.
    timeline.enter('churn');
    let discarded = 0;
    const churnReport = () => progress('churn', discarded, pagesWritten + keys.length, 0, 0);
    for (let i = 0; i < pagesWritten; i++) {
      if (rand() < churn) {
        zram.discard(i, 1);
        discarded++;
      }
      if ((i & 1023) === 0) await breathe(churnReport);
    }
    const pagesDiscarded = discarded;
    const deleted = new Uint8Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      if (rand() < churn) {
        store.delete(keys[i]);
        deleted[i] = 1;
        discarded++;
      }
      if ((i & 255) === 0) await breathe(churnReport);
    }
    const entriesDeleted = discarded - pagesDiscarded;
    const tChurned = performance.now();
    const churned = snapshot(timeline.elapsed());

    // 3. Pressure: lower the budget below the footprint; the monitor and the shrinkers do the rest.
    timeline.enter('pressure');
    const footprint = registry.usageBytes();
    let budgetInfo: DemoResult['budget'] = null;
    let settled = false;
    let settleMs: number | null = null;
    if (footprint > 0) {
      // Below the footprint, as a container limit would be, but above what the pools would hold
      // once compacted (their shrinkers' count), so that reclaim can meet it.
      const reclaimable = registry.countBytes(0);
      const floor = (footprint - reclaimable) / 0.8;
      const limit = Math.max(PAGE, Math.floor(Math.max(footprint * (options.budgetRatio ?? 0.6), floor)));
      const ratio = limit / footprint;
      const setAt = timeline.elapsed();
      budget.setLimit(limit);
      budgetNow = limit;
      budgetInfo = {
        initial_bytes: initialBudget,
        limit_bytes: limit,
        ratio,
        footprint_bytes: footprint,
        set_at: setAt,
      };
      timeline.mark('budget', `budget ${Math.round(ratio * 100)} %`, setAt);
      const pollReport = monitor.on('poll', () =>
        progress('pressure', footprint - registry.usageBytes(), Math.max(1, footprint - limit), 0, 0),
      );
      settled = await untilCleared(monitor, levelWaiters, options.timeoutMs ?? 10_000);
      pollReport();
      if (settled) settleMs = timeline.elapsed() - setAt;
    }
    timeline.enter('settle');
    await sleep(options.settleMs ?? 500);
    monitor.stop();
    await monitor.idle();
    const tPressured = performance.now();
    const reclaimed = snapshot(timeline.elapsed());

    // 4. Verify: everything still held reads back as written. (Not sampled: the checks' own
    // garbage — a copy of every value read — would show in RSS and blur the picture.)
    timeline.stop();
    stopped = true;
    let mismatches = 0;
    let checkedPages = 0;
    let checkedEntries = 0;
    const out = new Uint8Array(PAGE);
    const verifyTotal = pagesWritten - pagesDiscarded + keys.length - entriesDeleted;
    const verifyReport = () => progress('verify', checkedPages + checkedEntries, verifyTotal, 0, 0);
    for (let i = 0; i < pagesWritten; i++) {
      if (!zram.has(i)) continue;
      zram.read(i, out);
      if (checksum(out) !== pageSum[i]) mismatches++;
      checkedPages++;
      if ((i & 1023) === 0) await breathe(verifyReport);
    }
    for (let i = 0; i < keys.length; i++) {
      if (deleted[i]) continue;
      const v = store.get(keys[i]);
      if (!(v instanceof Uint8Array) || checksum(v) !== sums[i]) mismatches++;
      checkedEntries++;
      if ((i & 255) === 0) await breathe(verifyReport);
    }
    const tEnd = performance.now();

    const scans = (name: string) =>
      passes.filter((p) => p.shrinker === name).reduce((a, p) => a + p.scanCalls, 0);
    const result: DemoResult = {
      page_size: PAGE,
      data: {
        source: data.source,
        roots: data.roots,
        files: data.files,
        bytes: data.bytes,
        zram_bytes: zramExtents.reduce((a, x) => a + x.length, 0),
        store_bytes: storeTotal,
        skipped,
      },
      zram: {
        name: zram.name,
        codec: zram.codec.name,
        disksize: zram.disksize,
        pages_written: pagesWritten,
        pages_discarded: pagesDiscarded,
      },
      store: {
        name: store.pool.name,
        codec: store.codec?.name ?? 'none',
        entries_written: keys.length,
        entries_deleted: entriesDeleted,
      },
      budget: budgetInfo,
      levels,
      passes,
      reclaims,
      settled,
      settle_ms: settleMs,
      snapshots: { filled, churned, reclaimed },
      bytes_returned:
        reclaimed.pools.zram.bytes_returned -
        churned.pools.zram.bytes_returned +
        reclaimed.pools.store.bytes_returned -
        churned.pools.store.bytes_returned,
      rss: {
        source: rssSource,
        start: rssStart,
        peak: Math.max(...timeline.samples.map((s) => s.rss)),
        before: churned.rss,
        after: reclaimed.rss,
      },
      compactions: [zram.pool, store.pool].map((p) => ({
        pool: p.name,
        compact_calls: p.stats({ classes: false }).compact_calls,
        shrinker_scans: scans(p.shrinker.name),
      })),
      verify: { pages: checkedPages, entries: checkedEntries, mismatches },
      timings: {
        fill_ms: tFilled - tStart,
        churn_ms: tChurned - tFilled,
        pressure_ms: tPressured - tChurned,
        verify_ms: tEnd - tPressured,
        total_ms: tEnd - tStart,
      },
    };
    return { result, timeline };
  } finally {
    monitor.stop();
    if (!stopped) timeline.stop();
    zram.destroy();
    store.destroy();
  }

  function snapshot(t: number): Snapshot {
    return {
      t,
      rss: rss(),
      committed: registry.usageBytes(),
      mm_stat: zram.mmStat(),
      mm_stat_text: zram.mmStatText().trimEnd(),
      io_stat: zram.ioStat(),
      store: store.stats(),
      pools: { zram: zram.pool.stats(), store: store.pool.stats() },
    };
  }
}

/** Resolves true once the monitor has raised its level and come back to `none`; false on timeout. */
function untilCleared(
  monitor: PressureMonitor,
  waiters: ((l: PressureLevel) => void)[],
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    let raised = monitor.level !== 'none';
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** xorshift32: a small, seeded generator of numbers in [0, 1). */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}
