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
 * The run returns plain data ({@link DemoResult}) and its timeline; printing and the HTML report
 * are the caller's. rig.ts sets the components up, phases.ts runs the four phases, types.ts
 * holds the data types.
 */
import { findData, pageCount, splitData } from './data.js';
import { churn, fill, pressure, verify } from './phases.js';
import { PAGE, Rig } from './rig.js';
import type { DemoOptions, DemoResult, DemoRun } from './types.js';

export type * from './types.js';

/** Runs the demo; throws {@link DataError} (from `./data.js`) when the data cannot be used. */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const tStart = performance.now();
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
  const rig = new Rig(options, zramPages);
  const { zram, store, timeline } = rig;
  const rssStart = rig.rss();
  try {
    rig.monitor.start();
    timeline.start();
    const filledData = await fill(rig, zramExtents, storeExtents, zramPages);
    const tFilled = performance.now();
    const filled = rig.snapshot();

    const churnedData = await churn(rig, filledData, options.churn ?? 0.6, xorshift(options.seed ?? 1));
    const tChurned = performance.now();
    const churned = rig.snapshot();

    const pressured = await pressure(rig, {
      budgetRatio: options.budgetRatio ?? 0.6,
      timeoutMs: options.timeoutMs ?? 10_000,
      settleMs: options.settleMs ?? 500,
    });
    const tPressured = performance.now();
    const reclaimed = rig.snapshot();

    const checked = await verify(rig, filledData, churnedData);
    const tEnd = performance.now();

    const scans = (name: string) =>
      rig.passes.filter((p) => p.shrinker === name).reduce((a, p) => a + p.scanCalls, 0);
    const returned = (s: typeof filled) => s.pools.zram.bytes_returned + s.pools.store.bytes_returned;
    const result: DemoResult = {
      pageSize: PAGE,
      data: {
        source: data.source,
        roots: data.roots,
        files: data.files,
        bytes: data.bytes,
        zramBytes: zramExtents.reduce((a, x) => a + x.length, 0),
        storeBytes: storeExtents.reduce((a, x) => a + x.length, 0),
        skipped: filledData.skipped,
      },
      zram: {
        name: zram.name,
        codec: zram.codec.name,
        disksize: zram.disksize,
        pagesWritten: filledData.pagesWritten,
        pagesDiscarded: churnedData.pagesDiscarded,
      },
      store: {
        name: store.pool.name,
        codec: store.codec?.name ?? 'none',
        entriesWritten: filledData.keys.length,
        entriesDeleted: churnedData.entriesDeleted,
      },
      budget: pressured.budget,
      levels: rig.levels,
      passes: rig.passes,
      reclaims: rig.reclaims,
      settled: pressured.settled,
      settleMs: pressured.settleMs,
      snapshots: { filled, churned, reclaimed },
      bytesReturned: returned(reclaimed) - returned(churned),
      rss: {
        source: rig.rssSource,
        start: rssStart,
        peak: Math.max(...timeline.samples.map((s) => s.rss)),
        before: churned.rss,
        after: reclaimed.rss,
      },
      compactions: [zram.pool, store.pool].map((p) => ({
        pool: p.name,
        compactCalls: p.stats({ classes: false }).compact_calls,
        shrinkerScans: scans(p.shrinker.name),
      })),
      verify: checked,
      timings: {
        fillMs: tFilled - tStart,
        churnMs: tChurned - tFilled,
        pressureMs: tPressured - tChurned,
        verifyMs: tEnd - tPressured,
        totalMs: tEnd - tStart,
      },
    };
    return { result, timeline };
  } finally {
    rig.dispose();
  }
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
