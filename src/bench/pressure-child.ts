/**
 * Child process of the pressure benchmark: a 512 MiB pool with 3 objects in 4 freed, then a byte
 * budget is lowered below it, and the time until RSS has dropped by the overshoot is measured.
 * Run by `pressure-bench.ts`; prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { createPool } from '../pool/pool.js';
import { budgetSource } from '../pressure/budget.js';
import { createPressureMonitor } from '../pressure/monitor.js';
import { ShrinkerRegistry } from '../shrinker/registry.js';

const MiB = 2 ** 20;

/** What one child run reports. */
export interface RunResult {
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
export async function pressureChild(intervalMs: number, limitMiB: number): Promise<void> {
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

if (process.argv[2] === '--child') {
  await pressureChild(Number(process.argv[3]), Number(process.argv[4]));
}
