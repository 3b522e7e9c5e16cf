/**
 * Pressure benchmarks: the cost of one poll of each source, and for a 512 MiB pool the time from a
 * byte budget being crossed to the memory being back with the OS (RSS), in child processes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPool } from '../pool/pool.js';
import { budgetSource } from '../pressure/budget.js';
import { heapSource } from '../pressure/heap.js';
import { createPressureMonitor } from '../pressure/monitor.js';
import { autoReclaimSources } from '../pressure/node/auto.js';
import { cgroupSource } from '../pressure/node/cgroup.js';
import { meminfoSource } from '../pressure/node/meminfo.js';
import { psiSource } from '../pressure/node/psi.js';
import { rssBytes } from '../pressure/node/rss.js';
import { v8HeapSource } from '../pressure/node/v8-heap.js';
import type { PressureSource, ReadFile } from '../pressure/source.js';
import { ShrinkerRegistry } from '../shrinker/registry.js';
import { type BenchRow, median } from './harness.js';
import type { BenchOptions } from './pool-bench.js';
import type { RunResult } from './pressure-child.js';

/** Median µs per call over `batches` batches of `n` calls. */
function cost(fn: () => void, n = 200, batches = 51): number {
  for (let i = 0; i < n; i++) fn(); // warm up
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    per.push(((performance.now() - t0) * 1000) / n);
  }
  return median(per);
}

function recorded(map: Record<string, string>): ReadFile {
  return (p) => map[p] ?? null;
}

/** Cost of one poll of each source, µs (median of 51 batches of 200 calls). */
export function benchPressurePolls(o: BenchOptions): BenchRow[] {
  o.log('pressure: poll costs');
  const out: BenchRow[] = [];
  const reg = new ShrinkerRegistry();
  const pool = createPool({ shrinkers: reg });
  for (let i = 0; i < 100_000; i++) pool.malloc(100 + (i % 3000));
  const CG = '/sys/fs/cgroup';
  const v2 = recorded({
    '/proc/self/cgroup': '0::/\n',
    '/proc/self/mountinfo': '30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup rw\n',
    [`${CG}/memory.current`]: '805306368\n',
    [`${CG}/memory.max`]: '1073741824\n',
    [`${CG}/memory.high`]: 'max\n',
    [`${CG}/memory.stat`]: `anon 536870912\nfile 268435456\nkernel 8388608\n${'x_y 1\n'.repeat(40)}inactive_file 201326592\nactive_file 67108864\n`,
    [`${CG}/memory.events`]: 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n',
    [`${CG}/memory.pressure`]:
      'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
  });
  const psiText = readFileSafe('/proc/pressure/memory');
  const rows: [string, PressureSource | (() => void)][] = [
    ['budget (registry.usageBytes, 1 pool)', budgetSource({ limitBytes: 2 ** 40, registry: reg })],
    ['budget (process RSS)', budgetSource({ limitBytes: 2 ** 40, usage: rssBytes })],
    ['v8-heap (v8.getHeapStatistics)', v8HeapSource()],
    ['heap (performance.memory: none here)', heapSource()],
    ['psi (/proc/pressure/memory)', psiSource()],
    [
      'psi (recorded text, parse only)',
      psiSource({ readFile: recorded({ '/proc/pressure/memory': psiText ?? '' }) }),
    ],
    ['meminfo (/proc/meminfo)', meminfoSource()],
    ['cgroup (this host)', cgroupSource()],
    ['cgroup v2 (recorded files, parse only)', cgroupSource({ readFile: v2 })],
  ];
  const plan = autoReclaimSources({ registry: reg, budgetBytes: 2 ** 40 });
  const monitor = createPressureMonitor({ registry: null, sources: plan.sources });
  rows.push([
    `monitor poll, auto sources (${plan.sources.map((s) => s.name).join(', ')})`,
    () => monitor.pollNow(),
  ]);
  let t = 0;
  for (const [name, src] of rows) {
    let fn: () => void;
    let status = '';
    if (typeof src === 'function') {
      fn = src;
      status = 'ok';
    } else {
      fn = () => {
        t += 1000;
        src.sample(t);
      };
      const s = src.sample(t);
      status = s.status === 'ok' ? 'ok' : `${s.status}: ${s.reason.slice(0, 60)}`;
    }
    out.push({ name: `poll: ${name} [${status}]`, value: cost(fn), unit: 'µs' });
  }
  pool.destroy();
  return out;
}

function readFileSafe(p: string): string | null {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return null;
  }
}

/** Budget crossed → memory returned, for a 512 MiB pool, at two poll intervals and two budgets. */
export function benchPressureCrossing(o: BenchOptions): BenchRow[] {
  const child = fileURLToPath(new URL('./pressure-child.js', import.meta.url)).replace(
    /\.js$/,
    import.meta.url.endsWith('.ts') ? '.ts' : '.js',
  );
  const nodeArgs = child.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const runs = o.quick ? 1 : 3;
  const cases: [number, number][] = o.quick
    ? [[100, 256]]
    : [
        [1000, 256],
        [1000, 480],
        [100, 256],
        [100, 480],
      ];
  const rows: BenchRow[] = [];
  for (const [intervalMs, limitMiB] of cases) {
    o.log(`pressure: budget crossing, poll ${intervalMs} ms, budget ${limitMiB} MiB`);
    const rs: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      const p = spawnSync(
        process.execPath,
        [...nodeArgs, child, '--child', String(intervalMs), String(limitMiB)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (p.status !== 0) throw new Error(p.stderr);
      rs.push(JSON.parse(p.stdout.trim()) as RunResult);
    }
    const m = (f: (x: RunResult) => number) => median(rs.map(f));
    const level = [...new Set(rs.map((x) => x.level))].join('/');
    rows.push({
      name: `512 MiB pool, 3/4 freed, budget ${limitMiB} MiB crossed (${level}), poll ${intervalMs} ms: until RSS is down by the overshoot`,
      value: m((x) => x.returnedMs),
      unit: 'ms',
      ratio: m((x) => x.returnedMs) / intervalMs,
      baseline: 'poll interval',
      target: '≤ 2 polls',
      met: m((x) => x.returnedMs) <= 2 * intervalMs,
    });
    rows.push({ name: '  of which: reclaim pass', value: m((x) => x.reclaimMs), unit: 'ms' });
    rows.push({ name: '  RSS returned', value: m((x) => x.rssBeforeMiB - x.rssAfterMiB), unit: 'MiB' });
    rows.push({
      name: '  longest event-loop stall while reclaiming',
      value: m((x) => x.maxLoopStallMs),
      unit: 'ms',
    });
  }
  return rows;
}
