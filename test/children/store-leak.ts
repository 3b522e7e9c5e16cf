// Child process for the leak test (run with --expose-gc): creates, uses and drops pools, ZStores
// and ZCaches (half of them with a hot tier) without destroy(), and prints as JSON what the
// process-wide shrinker registry holds and the RSS (from /proc/self/statm) at the start and after
// the cycles and a GC.
//   store-leak.ts CYCLES
import { readFileSync } from 'node:fs';
import { createPool, defaultShrinkers, ZCache, ZStore } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function rss(): number {
  return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A full collection, and time for the FinalizationRegistry callbacks and trim timers to run. */
async function settle(): Promise<void> {
  // At least 4 rounds; then more (at most 100) while collected shrinkers are still registered:
  // FinalizationRegistry callbacks run as tasks of their own, later on a busy machine.
  for (let i = 0; i < 100; i++) {
    gc!();
    await tick();
    await new Promise<void>((r) => setTimeout(r, 5));
    if (i >= 3 && defaultShrinkers.list().length === baselineShrinkers) break;
  }
}

const value = new Uint8Array(3000);
for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 255;
const text = 'a fairly compressible value '.repeat(100);

function cycle(i: number): number {
  // Every other store and cache has a hot tier (a third shrinker, registered weakly too).
  const hotBytes = i % 2 === 0 ? 1 << 16 : 0;
  const s = new ZStore<number, unknown>({ hotBytes });
  s.set(i, value)
    .set(i + 1, text)
    .set(i + 2, { i, t: [1, 2, 3] });
  let n = (s.get(i) as Uint8Array).length + (s.get(i + 1) as string).length;
  const c = new ZCache<string, string>({ max: 8, ttl: 1000, hotBytes });
  for (let j = 0; j < 12; j++) c.set(`k${j}`, text);
  n += c.get('k11')?.length ?? 0;
  if (i % 10 === 0) {
    const p = createPool({});
    const h = p.malloc(100);
    p.write(h, value.subarray(0, 100));
    n += p.read(h).length;
  }
  return n;
}

const cycles = Number(process.argv[2] ?? 10000);
const baselineShrinkers = defaultShrinkers.list().length;
const baselineUsage = defaultShrinkers.usageBytes();
/** `n` cycles, with a GC every 50 so the JS heap does not balloon with garbage between them. */
async function cycles_(n: number, from: number): Promise<number> {
  let sum = 0;
  for (let i = from; i < from + n; i++) {
    sum += cycle(i);
    if (i % 50 === 49) {
      peakShrinkers = Math.max(peakShrinkers, defaultShrinkers.list().length);
      gc!();
      await tick();
    }
  }
  return sum;
}
let peakShrinkers = 0;
// Warm up (JIT, allocator arenas, the heap's steady size), then measure. RSS after the warm-up
// plateaus rather than grows (on Node 24: 7.7 MiB after 20,000 cycles against 8–9 MiB after
// 10,000 with a 1,000-cycle warm-up), so a longer warm-up keeps the figure clear of the 10 MiB
// bound: 6.6 MiB with 3,000.
await cycles_(3000, 0);
await settle();
const rss0 = rss();
const mem0 = process.memoryUsage();
const shrinkers0 = defaultShrinkers.list().length;
const check = await cycles_(cycles, 1000);
await settle();
const rss1 = rss();
const mem1 = process.memoryUsage();
console.log(
  JSON.stringify({
    cycles,
    check,
    baselineShrinkers,
    shrinkers0,
    shrinkersAfter: defaultShrinkers.list().length,
    peakShrinkers,
    baselineUsage,
    usageAfter: defaultShrinkers.usageBytes(),
    rss0,
    rss1,
    heap: [mem0.heapTotal, mem1.heapTotal],
    heapUsed: [mem0.heapUsed, mem1.heapUsed],
    arrayBuffers: [mem0.arrayBuffers, mem1.arrayBuffers],
  }),
);
