/**
 * Scaling benchmark: how cost grows with the pool — malloc/free rate, shrinker `count` cost,
 * compaction time and memory returned, at pool sizes from 64 MiB to 4 GiB (several 1 GiB arenas).
 * One child process per size; malloc/free is also given against a per-class free-list slab holding
 * as many objects, measured in the same child. The give-back series (ms per GiB of pool, against
 * the platform's own cut of as many bytes in the same process) comes from the size's own child and,
 * up to 1 GiB (not with --quick), from two more fresh give-back children.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GiveBackResult } from './give-back-child.js';
import { type BenchRow, fmt, median, spread } from './harness.js';
import type { BenchOptions } from './pool-bench.js';
import type { ScalingResult } from './scaling-child.js';

/** Sizes measured, MiB. */
export function scalingSizes(quick: boolean): number[] {
  return quick ? [64, 256] : [64, 256, 1024, 4096];
}

/** Runs every size; returns the rows and logs an ASCII chart of compaction time. */
export function benchScaling(o: BenchOptions): BenchRow[] {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const child = fileURLToPath(new URL(`./scaling-child${ext}`, import.meta.url));
  const nodeArgs = ext === '.ts' ? ['--import', 'tsx'] : [];
  const results: ScalingResult[] = [];
  for (const mib of scalingSizes(o.quick)) {
    o.log(`scaling: ${mib} MiB pool`);
    const p = spawnSync(process.execPath, [...nodeArgs, child, '--child', String(mib)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (p.status !== 0) throw new Error(`scaling child (${mib} MiB) failed: ${p.stderr}`);
    results.push(JSON.parse(p.stdout.trim()) as ScalingResult);
  }
  const gbChild = fileURLToPath(new URL(`./give-back-child${ext}`, import.meta.url));
  const giveBacks = new Map<number, { mib: number; giveBackMs: number; platformCutMs: number }[]>();
  for (const r of results) {
    const list = [{ mib: r.mib, giveBackMs: r.giveBackMs, platformCutMs: r.platformCutMs }];
    const more = o.quick || r.mib > 1024 ? 0 : 2;
    for (let i = 0; i < more; i++) {
      o.log(`scaling: ${r.mib} MiB give-back, run ${i + 2} of ${more + 1} (fresh process)`);
      const p = spawnSync(process.execPath, [...nodeArgs, gbChild, '--child', String(r.mib), '11'], {
        encoding: 'utf8',
      });
      if (p.status !== 0) throw new Error(`give-back child (${r.mib} MiB) failed: ${p.stderr}`);
      list.push(JSON.parse(p.stdout.trim()) as GiveBackResult);
    }
    giveBacks.set(r.mib, list);
  }
  const rows: BenchRow[] = [];
  const base = results[0];
  for (const r of results) {
    const label = r.mib >= 1024 ? `${r.mib / 1024} GiB` : `${r.mib} MiB`;
    rows.push({
      name: `${label} (${r.arenas} arena${r.arenas > 1 ? 's' : ''}, ${fmt(r.objects)} objects): malloc+free pairs`,
      value: r.pairsPerSec / 1e6,
      unit: 'M pairs/s',
      ratio: r.pairsPerSec / base.pairsPerSec,
      baseline: `${base.mib} MiB`,
    });
    rows.push({
      name: `${label}: malloc+free pairs against the per-class slab`,
      value: r.pairsPerSec / 1e6,
      unit: 'M pairs/s',
      ratio: r.pairsPerSec / r.slabPairsPerSec,
      baseline: `per-class free-list slab ${(r.slabPairsPerSec / 1e6).toFixed(1)}M/s`,
      target: '≥ 0.2×',
      met: r.pairsPerSec / r.slabPairsPerSec >= 0.2,
    });
    rows.push({
      name: `${label}: shrinker count()`,
      value: r.countUs,
      unit: 'µs',
      ratio: r.countUs / base.countUs,
      baseline: `${base.mib} MiB`,
    });
    rows.push({
      name: `${label}: compaction after freeing a random half (${fmt(r.pagesFreed)} pages)`,
      value: r.compactMs,
      unit: 'ms',
      ratio: r.compactMs / r.mib / (base.compactMs / base.mib),
      baseline: 'ms per MiB vs smallest',
    });
    const gb = giveBacks.get(r.mib) ?? [];
    const perGiB = gb.map((g) => g.giveBackMs / (g.mib / 1024));
    rows.push({
      name: `${label}: giving the memory back (trim), per GiB of pool (median of ${gb.length}, spread ${spread(perGiB)})`,
      value: median(perGiB),
      unit: 'ms/GiB',
      ratio: median(gb.map((g) => g.giveBackMs / g.platformCutMs)),
      baseline: 'one resize cutting as many written bytes',
      target: '≤ 150',
      met: median(perGiB) <= 150,
    });
    rows.push({
      name: `${label}: RSS returned`,
      value: r.rssReturned / 2 ** 20,
      unit: 'MiB',
      ratio: r.rssReturned / r.freedBytes,
      baseline: 'bytes of the freed half',
    });
  }
  // A chart: compaction + give-back time per size.
  const max = Math.max(...results.map((r) => r.compactMs + r.giveBackMs));
  o.notes.push('compaction + give-back time by pool size:');
  for (const r of results) {
    const t = r.compactMs + r.giveBackMs;
    const label = (r.mib >= 1024 ? `${r.mib / 1024} GiB` : `${r.mib} MiB`).padStart(8);
    o.notes.push(`${label} ${'█'.repeat(Math.max(1, Math.round((t / max) * 50)))} ${t.toFixed(0)} ms`);
  }
  return rows;
}
