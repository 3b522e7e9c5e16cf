/**
 * Pool benchmarks: malloc+free rate, write/read copy throughput, and the kernel-trace replay time.
 * The rates are measured in fresh child processes (pool-child.ts), each against its baseline in
 * the same process (a bare per-class typed-array slab; a plain `Uint8Array.prototype.set` of the
 * same sizes at the same addresses), and reported as the median ratio with its spread and the
 * load average at each start.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '../pool/profiles.js';
import { replayFile } from '../replay/node/replay-file.js';
import { type BenchRow, median, spread } from './harness.js';
import type { ChurnResult, CopyResult } from './pool-child.js';

/** Options shared by the benchmark suites. */
export interface BenchOptions {
  /** A few seconds instead of a minute: smaller pools, fewer runs. */
  quick: boolean;
  /** Progress lines go here. */
  log: (line: string) => void;
  /** Lines a suite wants printed after its table (e.g. a chart). */
  notes: string[];
}

/** Runs one pool-child measurement in a fresh process; returns its JSON line. */
function runChild<T>(args: string[]): T {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const child = fileURLToPath(new URL(`./pool-child${ext}`, import.meta.url));
  const nodeArgs = ext === '.ts' ? ['--import', 'tsx'] : [];
  const p = spawnSync(process.execPath, [...nodeArgs, child, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (p.status !== 0) throw new Error(`pool child ${args.join(' ')} failed (${p.status}): ${p.stderr}`);
  const lines = p.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** The 1-minute load average, for the row beside a figure. */
function load(): string {
  return loadavg()[0].toFixed(1);
}

/** `median (spread min–max over P processes, load L)` of per-process ratios. */
function across(ratios: number[], loads: string[]): string {
  return `median of ${ratios.length} processes, spread ${spread(ratios)}×, load ${loads.join('/')}`;
}

/**
 * malloc+free pairs per second, for the default and the kernel profiles: random churn and LIFO
 * pairs against a bare per-class free-list slab, each process measuring both, interleaved.
 */
export function benchMallocFree(o: BenchOptions): BenchRow[] {
  const n = o.quick ? 20000 : 100000;
  const ops = o.quick ? 300000 : 1000000;
  const runs = o.quick ? 3 : 5;
  const procs = o.quick ? 3 : 5;
  const rows: BenchRow[] = [];
  for (const profile of ['default', 'linux-6.12', 'linux-6.1'] as ProfileName[]) {
    const res: ChurnResult[] = [];
    const loads: string[] = [];
    for (let k = 0; k < procs; k++) {
      o.log(`malloc/free: ${profile} (process ${k + 1} of ${procs})`);
      loads.push(load());
      res.push(runChild<ChurnResult>(['churn', profile, String(n), String(ops), String(runs)]));
    }
    const churn = res.map((r) => r.slabCpu / r.poolCpu);
    const lifo = res.map((r) => r.slabLifoCpu / r.lifoCpu);
    const perSec = (ms: number) => ops / (ms / 1000) / 1e6;
    const slabRate = median(res.map((r) => perSec(r.slabCpu)));
    rows.push({
      name: `malloc+free pairs, random churn over ${n / 1000}k live zram-like objects (${profile}; ${across(churn, loads)})`,
      value: median(res.map((r) => perSec(r.poolCpu))),
      unit: 'M pairs/s',
      ratio: median(churn),
      baseline: `per-class free-list slab ${slabRate.toFixed(1)}M/s, same process`,
      target: '≥ 0.2×',
      met: median(churn) >= 0.2,
    });
    rows.push({
      name: `malloc then free, same object (${profile}; spread ${spread(lifo)}×)`,
      value: median(res.map((r) => perSec(r.lifoCpu))),
      unit: 'M pairs/s',
      ratio: median(lifo),
      baseline: `per-class free-list slab ${median(res.map((r) => perSec(r.slabLifoCpu))).toFixed(1)}M/s`,
    });
  }
  return rows;
}

/**
 * `write` + `readInto` throughput against plain `Uint8Array.prototype.set` of the same sizes at the
 * very same addresses as the pool's objects in plain buffers of the arenas' sizes (same memory
 * pattern, so the ratio is the API's own cost), in random order (the target) and in allocation
 * order; each process measures both sides, interleaved.
 */
export function benchCopy(o: BenchOptions): BenchRow[] {
  const n = o.quick ? 20000 : 100000;
  const runs = o.quick ? 3 : 7;
  const procs = o.quick ? 3 : 5;
  const res: CopyResult[] = [];
  const loads: string[] = [];
  for (let k = 0; k < procs; k++) {
    o.log(`copy paths (process ${k + 1} of ${procs})`);
    loads.push(load());
    res.push(runChild<CopyResult>(['copy', String(n), String(runs)]));
  }
  const bytes = res[0].bytes;
  const mbs = (ms: number) => bytes / 2 ** 20 / (ms / 1000);
  const row = (
    name: string,
    pick: (r: CopyResult) => number,
    base: (r: CopyResult) => number,
    target: boolean,
  ): BenchRow => {
    const ratios = res.map((r) => base(r) / pick(r));
    const m = median(ratios);
    return {
      name: `${name} (${across(ratios, loads)})`,
      value: median(res.map((r) => mbs(pick(r)))),
      unit: 'MiB/s',
      ratio: m,
      baseline: `Uint8Array.set at the same addresses ${median(res.map((r) => mbs(base(r)))).toFixed(0)} MiB/s`,
      ...(target ? { target: '≥ 0.8×', met: m >= 0.8 } : {}),
    };
  };
  const avg = Math.round(bytes / n);
  return [
    row(
      `write(handle, bytes), zram-like sizes (avg ${avg} B), random order`,
      (r) => r.write,
      (r) => r.writeBase,
      true,
    ),
    row(
      'readInto(handle, out), the same, random order',
      (r) => r.read,
      (r) => r.readBase,
      true,
    ),
    row(
      'write, in allocation order',
      (r) => r.writeSeq,
      (r) => r.writeSeqBase,
      false,
    ),
    row(
      'readInto, in allocation order',
      (r) => r.readSeq,
      (r) => r.readSeqBase,
      false,
    ),
  ];
}

/** Where the oracle's trace generator is, in a checkout of this repository (not in the npm package). */
export function traceGenerator(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const p = join(here, up, 'test', 'fixtures', 'oracle', 'gen-traces.mjs');
    if (existsSync(p)) return p;
  }
  return null;
}

/** Replays the 1M-operation `churn` trace (pattern writes and checks on), per kernel profile. */
export async function benchReplay(o: BenchOptions): Promise<BenchRow[]> {
  const gen = traceGenerator();
  if (!gen) {
    o.log('replay: skipped (the trace generator ships with the repository, not the package)');
    return [];
  }
  const dir = join(tmpdir(), 'zsmalloc-bench-traces');
  mkdirSync(dir, { recursive: true });
  const trace = join(dir, 'churn.trace');
  if (!existsSync(trace)) {
    const r = spawnSync(process.execPath, [gen, '--out', dir, '--only', 'churn'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`trace generator failed: ${r.stderr}`);
  }
  const rows: BenchRow[] = [];
  for (const profile of ['linux-6.1', 'linux-6.12'] as ProfileName[]) {
    o.log(`replay churn: ${profile}`);
    const times: number[] = [];
    for (let i = 0; i < (o.quick ? 1 : 3); i++) {
      const t0 = performance.now();
      const r = await replayFile(trace, { profile });
      times.push(performance.now() - t0);
      if (r.checks.mismatches !== 0) throw new Error('replay pattern mismatch');
    }
    rows.push({
      name: `replay churn trace (1M ops, patterns checked), ${profile}`,
      value: median(times),
      unit: 'ms',
    });
  }
  return rows;
}
