/**
 * Hit ratio of the hot tier alone (dev only; no store, no decoding): Zipf(ALPHA) reads over N
 * entries of 1–4 KiB with a budget of HOT of the payload, after WARM reads; beside it the bound a
 * tier holding the most read entries would reach (the top k of the same average size). Prints one
 * JSON line. Usage:
 *   node --import tsx src/bench/candidates/hot-tier-sim.ts [N=1000000] [READS=3000000] [ALPHA=1] [HOT=0.05]
 */
import { HOT_OVERHEAD, HotTier } from '../../store/hot-tier.js';
import { Rng } from '../harness.js';

const n = Number(process.argv[2] ?? 1_000_000);
const reads = Number(process.argv[3] ?? 3_000_000);
const alpha = Number(process.argv[4] ?? 1);
const share = Number(process.argv[5] ?? 0.05);

const rng = new Rng(7);
const size = new Int32Array(n);
let payload = 0;
for (let i = 0; i < n; i++) {
  size[i] = 1024 + rng.int(3073);
  payload += size[i];
}
const budget = Math.floor(payload * share);
// Popularity by rank, ranks shuffled over entry numbers so that popularity is not by position.
const weights = new Float64Array(n);
let total = 0;
for (let r = 0; r < n; r++) {
  total += 1 / (r + 1) ** alpha;
  weights[r] = total;
}
const entryOfRank = new Int32Array(n);
for (let i = 0; i < n; i++) entryOfRank[i] = i;
for (let i = n - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  const t = entryOfRank[i];
  entryOfRank[i] = entryOfRank[j];
  entryOfRank[j] = t;
}
function draw(): number {
  const u = (rng.int(2 ** 30) / 2 ** 30) * total;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (weights[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return entryOfRank[lo];
}

const tier = new HotTier<number>(budget);
let hits = 0;
for (let i = 0; i < 2 * reads; i++) {
  if (i === reads) hits = 0; // the first `reads` warm the tier up
  const e = draw();
  const s = tier.find(e);
  if (s >= 0) {
    tier.hit(s);
    hits++;
  } else tier.put(e, e, size[e] + HOT_OVERHEAD, budget);
}
const k = Math.min(n, Math.floor(budget / (payload / n + HOT_OVERHEAD)));
console.log(
  JSON.stringify({
    n,
    reads,
    alpha,
    share,
    hitRatio: hits / reads,
    topKBound: weights[k - 1] / total,
    values: tier.count,
    hotBytes: tier.bytes,
  }),
);
