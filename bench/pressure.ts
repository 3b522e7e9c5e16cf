// Benchmark (a program, not a test) of memory-pressure sensing and reclaim:
// 1. the cost of one poll of each source (µs, median of many batches);
// 2. for a 512 MiB pool, the time from a byte budget being crossed to the memory being returned
//    (RSS from /proc/self/statm), in child processes, with the monitor's default 1 s poll and 100 ms.
// Run: node --import tsx bench/pressure.ts [runs=3]   (runs=0: poll costs only)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  budgetSource,
  createPool,
  createPressureMonitor,
  heapSource,
  type PressureSource,
  ShrinkerRegistry,
} from '../src/index.js';
import {
  autoReclaimSources,
  cgroupSource,
  meminfoSource,
  psiSource,
  type ReadFile,
  rssBytes,
  v8HeapSource,
} from '../src/node.js';

const MiB = 2 ** 20;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

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

function pollCosts(): void {
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
  console.log('## Cost of one poll (µs per call, median of 51 batches of 200)\n');
  console.log('| source | status here | µs |');
  console.log('| --- | --- | ---: |');
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
    console.log(`| ${name} | ${status} | ${cost(fn).toFixed(2)} |`);
  }
  pool.destroy();
}

function readFileSafe(p: string): string | null {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return null;
  }
}

interface RunResult {
  intervalMs: number;
  limitMiB: number;
  level: string;
  committedBeforeMiB: number;
  committedAfterMiB: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  detectMs: number;
  reclaimMs: number;
  returnedMs: number;
  maxLoopStallMs: number;
  fillMs: number;
}

/** One child: a 512 MiB pool with 3 objects in 4 freed, then the budget is lowered below it. */
async function child(intervalMs: number, limitMiB: number): Promise<void> {
  const statm = () => Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]);
  const pageBytes = 2 ** Math.round(Math.log2(process.memoryUsage.rss() / statm()));
  const rss = () => statm() * pageBytes;
  const reg = new ShrinkerRegistry();
  const pool = createPool({ shrinkers: reg });
  const budget = budgetSource({ limitBytes: 2 ** 40, registry: reg });
  const monitor = createPressureMonitor({ registry: reg, sources: [budget], intervalMs });
  let reclaimAt = -1;
  let reclaimMs = -1;
  let level = '';
  monitor.on('reclaim', (e) => {
    if (reclaimAt < 0) {
      reclaimAt = e.at;
      reclaimMs = e.durationMs;
      level = e.level;
    }
  });
  monitor.start();
  const tf = performance.now();
  const hs: number[] = [];
  const buf = new Uint8Array(4096).fill(0x5a);
  let i = 0;
  while (pool.stats({ classes: false }).bytes_committed < 512 * MiB) {
    for (let k = 0; k < 4096; k++, i++) {
      const size = 200 + ((i * 2654435761) % 2800);
      const h = pool.malloc(size);
      pool.write(h, buf.subarray(0, size));
      hs.push(h);
    }
  }
  for (let j = 0; j < hs.length; j++) if (j % 4 !== 0) pool.free(hs[j]);
  const fillMs = performance.now() - tf;
  const committedBefore = reg.usageBytes();
  const rssBefore = rss();
  const limit = limitMiB * MiB;
  const mustReturn = committedBefore - limit;
  // Event-loop stall probe: the longest gap between 1 ms timer ticks.
  let lastTick = performance.now();
  let maxGap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    if (now - lastTick > maxGap) maxGap = now - lastTick;
    lastTick = now;
  }, 1);
  // Wait a random fraction of a poll so the crossing does not line up with the timer.
  await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
  lastTick = performance.now();
  maxGap = 0;
  const t0 = performance.now();
  budget.setLimit(limit); // the budget is crossed now
  let returnedMs = -1;
  while (performance.now() - t0 < 4 * intervalMs + 5000) {
    if (rssBefore - rss() >= mustReturn) {
      returnedMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await monitor.idle();
  clearInterval(probe);
  monitor.stop();
  const out: RunResult = {
    intervalMs,
    limitMiB,
    level,
    committedBeforeMiB: committedBefore / MiB,
    committedAfterMiB: reg.usageBytes() / MiB,
    rssBeforeMiB: rssBefore / MiB,
    rssAfterMiB: rss() / MiB,
    detectMs: reclaimAt - t0,
    reclaimMs,
    returnedMs,
    maxLoopStallMs: maxGap - 1,
    fillMs,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function crossing(runs: number): void {
  const self = fileURLToPath(import.meta.url);
  console.log(
    '\n## 512 MiB pool (3 of 4 objects freed): budget crossed → memory returned (RSS, /proc/self/statm)\n',
  );
  console.log(
    '| poll interval | budget | level | runs | crossing → reclaim starts ms | reclaim ms | crossing → RSS down by the overshoot ms | crossing → reclaim done ms | done / interval | MiB returned | longest event-loop stall ms |',
  );
  console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const fills: number[] = [];
  for (const [intervalMs, limitMiB] of [
    [1000, 256],
    [1000, 480],
    [100, 256],
    [100, 480],
  ]) {
    const rs: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      const p = spawnSync(
        process.execPath,
        ['--import', 'tsx', self, '--child', String(intervalMs), String(limitMiB)],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      if (p.status !== 0) throw new Error(p.stderr);
      rs.push(JSON.parse(p.stdout.trim()) as RunResult);
    }
    const m = (f: (x: RunResult) => number) => median(rs.map(f));
    const levels = [...new Set(rs.map((x) => x.level))].join('/');
    fills.push(...rs.map((x) => x.fillMs));
    console.log(
      `| ${intervalMs} ms | ${limitMiB} MiB | ${levels} | ${runs} | ${m((x) => x.detectMs).toFixed(1)} | ${m((x) => x.reclaimMs).toFixed(1)} | ${m((x) => x.returnedMs).toFixed(1)} | ${m((x) => x.detectMs + x.reclaimMs).toFixed(1)} | ${(m((x) => x.detectMs + x.reclaimMs) / intervalMs).toFixed(2)} | ${m((x) => x.rssBeforeMiB - x.rssAfterMiB).toFixed(0)} | ${m((x) => x.maxLoopStallMs).toFixed(1)} |`,
    );
  }
  console.log(
    `\nMedians of ${runs} runs; each run is a fresh child process (filling 512 MiB and freeing 3/4 took ${median(fills).toFixed(0)} ms, median).`,
  );
}

if (process.argv[2] === '--child') {
  await child(Number(process.argv[3]), Number(process.argv[4]));
} else {
  const runs = Number(process.argv[2] ?? 3);
  console.log(
    `# zsmalloc pressure benchmark — Node ${process.version}, ${process.platform}/${process.arch}\n`,
  );
  pollCosts();
  if (runs > 0) crossing(runs);
}
