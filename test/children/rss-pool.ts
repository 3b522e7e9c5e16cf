// Child process for the RSS tests: fills a pool, frees objects, optionally runs the shrinker,
// and prints RSS figures (from /proc/self/statm) as JSON. No GC is ever requested.
//   rss-pool.ts free-all MiB         allocate MiB of objects, free them all
//   rss-pool.ts shrink-half MiB      allocate MiB, free a random half, run the shrinkers
import { readFileSync } from 'node:fs';
import { createPool, ShrinkerRegistry } from '../../src/index.js';

function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
}

const [mode, mibArg] = process.argv.slice(2);
const target = Number(mibArg) * 2 ** 20;
const reg = new ShrinkerRegistry();
const pool = createPool({ shrinkers: reg });
let seed = 12345;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const chunk = new Uint8Array(4096);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 255;
// One view per size, made up front: the fill loop allocates nothing on the JS heap.
const views = Array.from({ length: 4097 }, (_, n) => chunk.subarray(0, n));
const handles: number[] = [];
const sizes: number[] = [];
const rss0 = rss();
let live = 0;
while (live < target) {
  const size = 100 + rnd(3900);
  const h = pool.malloc(size);
  pool.write(h, views[size]);
  handles.push(h);
  sizes.push(size);
  live += size;
}
const rss1 = rss();
const committed1 = pool.stats({ classes: false }).bytes_committed;
const out: Record<string, number> = {
  rss0,
  rss1,
  committed1,
  liveBytes: live,
  totalPages: pool.totalPages(),
};
if (mode === 'free-all') {
  for (const h of handles) pool.free(h);
  out.rssSync = rss();
  // Each free cuts at most 4 MiB at once; the rest is cut after the current task, in steps.
  // Counted in event-loop turns (bounded only so that a stall ends the child), never in ms.
  let turns = 0;
  while (pool.stats({ classes: false }).pages_committed > 512 && turns < 1_000_000) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  out.settleTurns = turns;
  out.committed2 = pool.stats({ classes: false }).bytes_committed;
  out.rss2 = rss();
  out.freedBytes = live;
} else {
  let freed = 0;
  for (let i = 0; i < handles.length; i++) {
    if (rnd(2) === 0) {
      pool.free(handles[i]);
      freed += sizes[i];
      handles[i] = 0;
    }
  }
  out.freedBytes = freed;
  out.rssAfterFree = rss();
  const r = reg.shrinkAll();
  out.shrinkFreedPages = r.freed;
  out.committed2 = pool.stats({ classes: false }).bytes_committed;
  out.rss2 = rss();
  // Everything still readable.
  let bad = 0;
  for (let i = 0; i < handles.length; i++) {
    if (handles[i] === 0) continue;
    const b = pool.read(handles[i]);
    if (b.length !== sizes[i] || b[b.length - 1] !== chunk[b.length - 1]) bad++;
  }
  out.bad = bad;
}
console.log(JSON.stringify(out));
