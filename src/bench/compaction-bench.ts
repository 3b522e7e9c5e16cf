/**
 * Compaction benchmarks: migration throughput against `copyWithin` measured in the same run, the
 * time to compact a 1 GiB pool with half its objects freed at random and to give the memory back
 * (fresh processes; against the platform's own cut of as many bytes in the same process), the
 * longest event-loop pause of `compactAsync` above the idle probe's own, its longest single arena
 * cut, and the cost of one shrinker `count`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fragmentedPool, type GiveBackResult } from './give-back-child.js';
import { type BenchRow, median, Rng, rssBytes, spread, zramSizes } from './harness.js';
import type { PauseResult } from './pause-child.js';
import type { BenchOptions } from './pool-bench.js';

/** copyWithin bandwidth for blocks of zram-like sizes inside one plain buffer, MiB/s. */
function copyWithinBandwidth(quick: boolean): number {
  const rng = new Rng(5);
  const buf = new Uint8Array(256 * 2 ** 20);
  buf.fill(7);
  const sizes = zramSizes(1 << 16, rng);
  const from = new Int32Array(1 << 16);
  const to = new Int32Array(1 << 16);
  for (let i = 0; i < from.length; i++) {
    from[i] = rng.int(buf.length - 4096);
    to[i] = rng.int(buf.length - 4096);
  }
  const runs = quick ? 3 : 7;
  const t: number[] = [];
  let bytes = 0;
  for (let r = 0; r < runs; r++) {
    bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < from.length; i++) {
      buf.copyWithin(to[i], from[i], from[i] + sizes[i]);
      bytes += sizes[i];
    }
    t.push(performance.now() - t0);
  }
  return bytes / 2 ** 20 / (median(t) / 1000);
}

/**
 * The copies one compaction makes, replayed with plain `copyWithin` on plain buffers of the
 * arenas' sizes: the bandwidth of the very same copies (same offsets, same lengths, same order),
 * without any allocator work. Uses a pool identical to the measured one (same seed).
 */
function sameCopiesBandwidth(bytes: number, seed: number, runs: number): number {
  const { pool } = fragmentedPool(bytes, seed);
  let n = 0;
  let rec = new Float64Array(3 * 65536);
  const arenaOf = new Int32Array(65536 * 4);
  const copyWithin = Uint8Array.prototype.copyWithin;
  pool.views.forEach((v, a) => {
    // Record every copy the compactor makes inside this arena, then make it.
    Object.defineProperty(v, 'copyWithin', {
      value(this: Uint8Array, target: number, start: number, end: number) {
        if (3 * (n + 1) > rec.length) {
          const g = new Float64Array(rec.length * 2);
          g.set(rec);
          rec = g;
        }
        if (n < arenaOf.length) arenaOf[n] = a;
        rec[3 * n] = target;
        rec[3 * n + 1] = start;
        rec[3 * n + 2] = end;
        n++;
        return copyWithin.call(this, target, start, end);
      },
    });
  });
  pool.compactSync(false);
  const plain = pool.views.map((v) => new Uint8Array(v.length).fill(1));
  pool.destroy();
  let total = 0;
  for (let i = 0; i < n; i++) total += rec[3 * i + 2] - rec[3 * i + 1];
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) plain[arenaOf[i]].copyWithin(rec[3 * i], rec[3 * i + 1], rec[3 * i + 2]);
    t.push(performance.now() - t0);
  }
  return total / 2 ** 20 / (median(t) / 1000);
}

/** Runs the compaction benchmarks. */
export async function benchCompaction(o: BenchOptions): Promise<BenchRow[]> {
  const size = o.quick ? 128 * 2 ** 20 : 2 ** 30;
  const label = o.quick ? '128 MiB' : '1 GiB';
  const rows: BenchRow[] = [];
  o.log(`compaction: filling ${label}`);
  const rss0 = rssBytes();
  const { pool, freed } = fragmentedPool(size, 11);
  const rssFull = rssBytes();
  const s0 = pool.stats({ classes: false });
  // count: what the shrinker asks on every reclaim pass.
  const sc = { nrToScan: 128, nrScanned: 128, priority: 0, targetBytes: Number.POSITIVE_INFINITY };
  const n = 100000;
  let sink = 0;
  const countTimes: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += pool.shrinker.count(sc);
    countTimes.push(((performance.now() - t0) / n) * 1000);
  }
  if (sink < 0) throw new Error('unreachable');
  rows.push({
    name: `shrinker count() on a fragmented ${label} pool (${pool.classTable.classes.length} classes)`,
    value: median(countTimes),
    unit: 'µs',
    target: '≤ 10 µs',
    met: median(countTimes) <= 10,
  });

  o.log('compaction: migrating');
  const r = pool.compactSync(false);
  const returned = pool.trim();
  const s1 = pool.stats({ classes: false });
  const rssAfter = rssBytes();
  pool.destroy();
  // The times: identical pools (same seed, same layout, same copies) in fresh processes.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const nodeArgs = ext === '.ts' ? ['--import', 'tsx'] : [];
  const gbChild = fileURLToPath(new URL(`./give-back-child${ext}`, import.meta.url));
  const gb: GiveBackResult[] = [];
  for (let i = 0; i < (o.quick ? 1 : 3); i++) {
    o.log(`compaction: timing run ${i + 1} (fresh process)`);
    const p = spawnSync(process.execPath, [...nodeArgs, gbChild, '--child', String(size / 2 ** 20), '11'], {
      encoding: 'utf8',
    });
    if (p.status !== 0) throw new Error(`give-back child failed: ${p.stderr}`);
    gb.push(JSON.parse(p.stdout.trim()) as GiveBackResult);
  }
  const migrateTimes = gb.map((g) => g.compactMs);
  const giveBackTimes = gb.map((g) => g.giveBackMs);
  const tMigrate = median(migrateTimes);
  const tGiveBack = median(giveBackTimes);
  // The baselines run after the RSS figures, so their buffers cannot blur them.
  o.log('compaction: the same copies, replayed on plain buffers (baseline)');
  const sameBw = sameCopiesBandwidth(size, 11, o.quick ? 3 : 5);
  o.log('compaction: copyWithin baseline');
  const copyBw = copyWithinBandwidth(o.quick);
  const migratedBytes = s1.bytes_migrated - s0.bytes_migrated;
  const migrateBw = migratedBytes / 2 ** 20 / (tMigrate / 1000);
  rows.push({
    name: `compaction migration throughput (${(migratedBytes / 2 ** 20).toFixed(0)} MiB moved)`,
    value: migrateBw,
    unit: 'MiB/s',
    ratio: migrateBw / sameBw,
    baseline: `copyWithin of the same copies ${sameBw.toFixed(0)} MiB/s`,
    target: '≥ 0.5×',
    met: migrateBw / sameBw >= 0.5,
  });
  rows.push({
    name: '  the same, against copyWithin of zram-like blocks at random offsets in 256 MiB',
    value: migrateBw,
    unit: 'MiB/s',
    ratio: migrateBw / copyBw,
    baseline: `copyWithin ${copyBw.toFixed(0)} MiB/s`,
  });
  const nRuns = gb.length;
  rows.push({
    name: `compact a ${label} pool with 50% random frees: migrate ${r.pagesFreed} pages free (median of ${nRuns} processes, spread ${spread(migrateTimes)} ms)`,
    value: tMigrate,
    unit: 'ms',
  });
  const platform = gb.map((g) => g.platformCutMs);
  rows.push({
    name: `then give the memory back (trim: move zspages down, cut arena tops): ${(returned / 2 ** 20).toFixed(0)} MiB (median of ${nRuns}, spread ${spread(giveBackTimes)} ms)`,
    value: tGiveBack,
    unit: 'ms',
    ratio: median(gb.map((g) => g.giveBackMs / g.platformCutMs)),
    baseline: `one resize cutting as many written bytes, same process: ${median(platform).toFixed(0)} ms (${spread(platform)})`,
  });
  const perGiB = gb.map((g) => g.giveBackMs / (g.mib / 1024));
  rows.push({
    name: `  the same per GiB of pool (spread ${spread(perGiB)})`,
    value: median(perGiB),
    unit: 'ms/GiB',
    target: '≤ 150',
    met: median(perGiB) <= 150,
  });
  const cut = gb.map((g) => g.cutMs);
  rows.push({
    name: `  of which arena cuts (resize), spread ${spread(cut)} ms`,
    value: median(cut),
    unit: 'ms',
    ratio: median(gb.map((g) => g.cutMs / g.platformCutMs)),
    baseline: 'the same one-resize baseline',
  });
  const moves = gb.map((g) => g.giveBackMs - g.cutMs);
  rows.push({
    name: `  of which moves: ${(median(gb.map((g) => g.movedBytes)) / 2 ** 20).toFixed(0)} MiB in ${median(gb.map((g) => g.runsMoved))} zspages, spread ${spread(moves)} ms`,
    value: median(moves),
    unit: 'ms',
  });
  rows.push({
    name: `RSS: +${((rssFull - rss0) / 2 ** 20).toFixed(0)} MiB filled, the freed half held ${(freed / 2 ** 20).toFixed(0)} MiB; returned`,
    value: (rssFull - rssAfter) / 2 ** 20,
    unit: 'MiB returned',
    ratio: (rssFull - rssAfter) / freed,
    baseline: 'bytes of the freed objects',
  });

  o.log('compaction: compactAsync pauses (fresh child processes)');
  const mib = o.quick ? 64 : 512;
  const child = fileURLToPath(new URL(`./pause-child${ext}`, import.meta.url));
  const runs: PauseResult[] = [];
  for (let i = 0; i < (o.quick ? 1 : 3); i++) {
    const p = spawnSync(process.execPath, [...nodeArgs, child, '--child', String(mib)], {
      encoding: 'utf8',
    });
    if (p.status !== 0) throw new Error(`pause child failed: ${p.stderr}`);
    runs.push(JSON.parse(p.stdout.trim()) as PauseResult);
  }
  const m = (f: (r: PauseResult) => number) => median(runs.map(f));
  const above = runs.map((r) => r.maxGap - r.idleMaxGap);
  rows.push({
    name: `compactAsync (default 2 ms slice) on ${mib} MiB, 50% freed: longest event-loop pause (median of ${runs.length} processes, spread ${spread(runs.map((r) => r.maxGap))} ms; ${m((r) => r.slices)} slices, ${m((r) => r.durationMs).toFixed(0)} ms)`,
    value: m((r) => r.maxGap),
    unit: 'ms',
  });
  rows.push({
    name: `  the same, above the idle probe's own longest gap (spread ${spread(above)} ms)`,
    value: median(above),
    unit: 'ms',
    target: '≤ 5 ms',
    met: median(above) <= 5,
  });
  rows.push({
    name: "  the longest slice of compaction work itself (compactAsync's own measure)",
    value: m((r) => r.longestSlice),
    unit: 'ms',
  });
  rows.push({
    name: '  noise floor: longest gap of the same probe, idle, as long',
    value: m((r) => r.idleMaxGap),
    unit: 'ms',
  });
  rows.push({ name: '  worst of the runs', value: Math.max(...runs.map((r) => r.maxGap)), unit: 'ms' });
  const longestCut = runs.map((r) => r.longestCut);
  rows.push({
    name: `  its give-back's longest single arena cut (spread ${spread(longestCut)} ms; ${m((r) => r.cuts)} cuts of ${(m((r) => r.cutBytes) / 2 ** 20).toFixed(0)} MiB)`,
    value: median(longestCut),
    unit: 'ms',
    target: '≤ 2 ms',
    met: median(longestCut) <= 2,
  });
  return rows;
}
