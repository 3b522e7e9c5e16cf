/**
 * The four phases of a demo run, each a function of the {@link Rig}: fill (pages into the zram
 * device, files into the store), churn (discard and delete a random part), pressure (lower the
 * budget and wait for the monitor and the shrinkers to bring the pools under it) and verify
 * (read everything still held back against its checksum). See run.ts for the whole story.
 */
import { checksum, type Extent, readBlocks } from './data.js';
import { PAGE, type Rig } from './rig.js';
import type { DemoResult } from './types.js';

const BLOCK = 1 << 20;

/** What the fill wrote, for the churn and the check. */
export interface Filled {
  /** Pages written to the zram device. */
  pagesWritten: number;
  /** Checksum of each page written. */
  pageSum: Uint32Array;
  /** Keys written to the store, in order. */
  keys: string[];
  /** Checksum of each value. */
  sums: number[];
  /** Files skipped because they could not be read. */
  skipped: { path: string; reason: string }[];
}

/** What the churn removed. */
export interface Churned {
  /** Pages discarded. */
  pagesDiscarded: number;
  /** Keys deleted (1 at the key's index). */
  deleted: Uint8Array;
  /** Values deleted. */
  entriesDeleted: number;
}

/**
 * 1. Fill: the zram device page by page (the last page of a file zero-padded), then the store
 * file by file (files over 1 MiB in 1 MiB pieces keyed `path@offset`).
 */
export async function fill(
  rig: Rig,
  zramExtents: Extent[],
  storeExtents: Extent[],
  zramPages: number,
): Promise<Filled> {
  const { zram, store, timeline } = rig;
  const skipped: Filled['skipped'] = [];
  const onSkip = (path: string, reason: string) => skipped.push({ path, reason });
  const buf = new Uint8Array(BLOCK);
  const tail = new Uint8Array(PAGE);
  const pageSum = new Uint32Array(zramPages);
  let pages = 0;
  let inBytes = 0;
  const zramReport = () =>
    rig.progress('fill zram', pages, zramPages, inBytes, zram.mmStat().compr_data_size);
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
    await rig.breathe(zramReport);
  }
  zramReport();

  timeline.enter('fill store');
  const storeTotal = storeExtents.reduce((a, x) => a + x.length, 0);
  const keys: string[] = [];
  const sums: number[] = [];
  let storeIn = 0;
  const storeReport = () =>
    rig.progress('fill store', storeIn, storeTotal, storeIn, store.stats().stored_bytes);
  for (const b of readBlocks(storeExtents, buf, onSkip)) {
    const whole = b.offset === 0 && b.bytes.length === b.extent.fileSize;
    const key = whole ? b.extent.path : `${b.extent.path}@${b.offset}`;
    store.set(key, b.bytes);
    keys.push(key);
    sums.push(checksum(b.bytes));
    storeIn += b.bytes.length;
    await rig.breathe(storeReport);
  }
  storeReport();
  return { pagesWritten: pages, pageSum, keys, sums, skipped };
}

/** 2. Churn: discard a random `fraction` of the pages and delete a random `fraction` of the values. */
export async function churn(
  rig: Rig,
  filled: Filled,
  fraction: number,
  rand: () => number,
): Promise<Churned> {
  const { zram, store } = rig;
  rig.timeline.enter('churn');
  const { pagesWritten, keys } = filled;
  let discarded = 0;
  const report = () => rig.progress('churn', discarded, pagesWritten + keys.length);
  for (let i = 0; i < pagesWritten; i++) {
    if (rand() < fraction) {
      zram.discard(i, 1);
      discarded++;
    }
    if ((i & 1023) === 0) await rig.breathe(report);
  }
  const pagesDiscarded = discarded;
  const deleted = new Uint8Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (rand() < fraction) {
      store.delete(keys[i]);
      deleted[i] = 1;
      discarded++;
    }
    if ((i & 255) === 0) await rig.breathe(report);
  }
  return { pagesDiscarded, deleted, entriesDeleted: discarded - pagesDiscarded };
}

/** What the pressure phase did. */
export interface Pressured {
  /** The budget as lowered (null when the pools held nothing). */
  budget: DemoResult['budget'];
  /** True when the level went back to `none` before the timeout. */
  settled: boolean;
  /** Milliseconds from lowering the budget to the level clearing. */
  settleMs: number | null;
}

/**
 * 3. Pressure: lower the budget below the footprint, as a container limit would be, but above
 * what the pools would hold once compacted (their shrinkers' count), so that reclaim can meet it;
 * then wait for the monitor's level to rise and clear. The demo never calls compact itself.
 */
export async function pressure(
  rig: Rig,
  options: { budgetRatio: number; timeoutMs: number; settleMs: number },
): Promise<Pressured> {
  const { registry, timeline, monitor } = rig;
  timeline.enter('pressure');
  const footprint = registry.usageBytes();
  let budget: DemoResult['budget'] = null;
  let settled = false;
  let settleMs: number | null = null;
  if (footprint > 0) {
    const reclaimable = registry.countBytes(0);
    const floor = (footprint - reclaimable) / 0.8;
    const limit = Math.max(PAGE, Math.floor(Math.max(footprint * options.budgetRatio, floor)));
    const ratio = limit / footprint;
    const setAt = timeline.elapsed();
    rig.budget.setLimit(limit);
    rig.budgetNow = limit;
    budget = { initialBytes: rig.initialBudget, limitBytes: limit, ratio, footprintBytes: footprint, setAt };
    timeline.mark('budget', `budget ${Math.round(ratio * 100)} %`, setAt);
    const stopReports = monitor.on('poll', () =>
      rig.progress('pressure', footprint - registry.usageBytes(), Math.max(1, footprint - limit)),
    );
    settled = await rig.untilCleared(options.timeoutMs);
    stopReports();
    if (settled) settleMs = timeline.elapsed() - setAt;
  }
  timeline.enter('settle');
  await new Promise((r) => setTimeout(r, options.settleMs));
  monitor.stop();
  await monitor.idle();
  return { budget, settled, settleMs };
}

/**
 * 4. Verify: everything still held reads back as written. (Not sampled: the checks' own garbage —
 * a copy of every value read — would show in RSS and blur the picture.)
 */
export async function verify(rig: Rig, filled: Filled, churned: Churned): Promise<DemoResult['verify']> {
  const { zram, store, timeline } = rig;
  timeline.stop();
  rig.stopped = true;
  const { pagesWritten, pageSum, keys, sums } = filled;
  let mismatches = 0;
  let pages = 0;
  let entries = 0;
  const out = new Uint8Array(PAGE);
  const total = pagesWritten - churned.pagesDiscarded + keys.length - churned.entriesDeleted;
  const report = () => rig.progress('verify', pages + entries, total);
  for (let i = 0; i < pagesWritten; i++) {
    if (!zram.has(i)) continue;
    zram.read(i, out);
    if (checksum(out) !== pageSum[i]) mismatches++;
    pages++;
    if ((i & 1023) === 0) await rig.breathe(report);
  }
  for (let i = 0; i < keys.length; i++) {
    if (churned.deleted[i]) continue;
    const v = store.get(keys[i]);
    if (!(v instanceof Uint8Array) || checksum(v) !== sums[i]) mismatches++;
    entries++;
    if ((i & 255) === 0) await rig.breathe(report);
  }
  return { pages, entries, mismatches };
}
