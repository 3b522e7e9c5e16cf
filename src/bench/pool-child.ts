/**
 * Child process of the pool benchmarks: one fresh process measures one pool figure and its
 * baseline, interleaved run by run, and prints one JSON line. Times are the process's CPU time
 * (`process.cpuUsage`), so time spent waiting for a core on a loaded machine counts on neither
 * side; the wall time is kept beside it.
 *   pool-child.js --child churn PROFILE N OPS RUNS
 *   pool-child.js --child copy N RUNS
 */
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import { ClassSlab, median, Rng, zramSizes } from './harness.js';

/** What a churn child measures: medians of its runs, in ms (CPU and wall). */
export interface ChurnResult {
  /** Live objects. */
  n: number;
  /** malloc+free pairs per run. */
  ops: number;
  /** Random churn on the pool: CPU ms, wall ms. */
  poolCpu: number;
  poolWall: number;
  /** The same churn on the per-class slab. */
  slabCpu: number;
  slabWall: number;
  /** malloc then free of the same object, pool and slab, CPU ms. */
  lifoCpu: number;
  slabLifoCpu: number;
}

/** What a copy child measures: medians of its runs, CPU ms, for `n` objects of zram-like sizes. */
export interface CopyResult {
  /** Objects. */
  n: number;
  /** Bytes of all objects. */
  bytes: number;
  /** `pool.write` / `Uint8Array.set` at the same addresses in plain buffers, random order. */
  write: number;
  writeBase: number;
  /** `pool.readInto` / `Uint8Array.set` from the same addresses, random order. */
  read: number;
  readBase: number;
  /** The same four, in allocation order. */
  writeSeq: number;
  writeSeqBase: number;
  readSeq: number;
  readSeqBase: number;
}

const MASK = (1 << 20) - 1;

/** CPU time of this process in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `fn`, returns [CPU ms, wall ms]. */
function timed(fn: () => void): [number, number] {
  const c0 = cpuMs();
  const t0 = performance.now();
  fn();
  return [cpuMs() - c0, performance.now() - t0];
}

/** Random churn and LIFO pairs on a pool of `n` live zram-like objects and on the slab. */
export function churnChild(profile: ProfileName, n: number, ops: number, runs: number): ChurnResult {
  const rng = new Rng(1);
  const sizes = zramSizes(MASK + 1, rng);
  const picks = new Int32Array(MASK + 1);
  for (let i = 0; i <= MASK; i++) picks[i] = rng.int(n);
  const slab = new ClassSlab(2 * n);
  const own = new Int32Array(n);
  for (let i = 0; i < n; i++) own[i] = slab.malloc(sizes[i]);
  const pool = createPool({ profile, shrinkers: null });
  const hs = new Float64Array(n);
  for (let i = 0; i < n; i++) hs[i] = pool.malloc(sizes[i]);
  const churnPool = () => {
    for (let i = 0; i < ops; i++) {
      const k = picks[i & MASK];
      pool.free(hs[k]);
      hs[k] = pool.malloc(sizes[i & MASK]);
    }
  };
  const churnSlab = () => {
    for (let i = 0; i < ops; i++) {
      const k = picks[i & MASK];
      slab.free(own[k]);
      own[k] = slab.malloc(sizes[i & MASK]);
    }
  };
  const lifoPool = () => {
    for (let i = 0; i < ops; i++) pool.free(pool.malloc(sizes[i & MASK]));
  };
  const lifoSlab = () => {
    for (let i = 0; i < ops; i++) slab.free(slab.malloc(sizes[i & MASK]));
  };
  // One warm-up each, then the runs interleaved so that a change of load hits both sides.
  churnPool();
  churnSlab();
  const p: [number, number][] = [];
  const s: [number, number][] = [];
  const lp: number[] = [];
  const ls: number[] = [];
  for (let r = 0; r < runs; r++) {
    s.push(timed(churnSlab));
    p.push(timed(churnPool));
    ls.push(timed(lifoSlab)[0]);
    lp.push(timed(lifoPool)[0]);
  }
  pool.destroy();
  return {
    n,
    ops,
    poolCpu: median(p.map((x) => x[0])),
    poolWall: median(p.map((x) => x[1])),
    slabCpu: median(s.map((x) => x[0])),
    slabWall: median(s.map((x) => x[1])),
    lifoCpu: median(lp),
    slabLifoCpu: median(ls),
  };
}

/**
 * `write` and `readInto` of `n` zram-like objects against `Uint8Array.prototype.set` at the very
 * same addresses in plain buffers of the arenas' sizes (same sizes, same memory pattern, so the
 * ratio is the API's own cost), in random order and in allocation order.
 */
export function copyChild(n: number, runs: number): CopyResult {
  const rng = new Rng(2);
  const sizes = zramSizes(n, rng);
  const src = new Uint8Array(4096);
  for (let i = 0; i < src.length; i++) src[i] = rng.int(256);
  // Views made up front, so neither side pays for creating them.
  const views = Array.from({ length: 4097 }, (_, k) => src.subarray(0, k));
  const dst = new Uint8Array(4096);
  const pool: ZsPool = createPool({ shrinkers: null });
  const hs = new Float64Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    hs[i] = pool.malloc(sizes[i]);
    bytes += sizes[i];
  }
  // The pool's own addresses, mirrored in plain buffers.
  const arenaOf = new Int32Array(n);
  const addr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = pool.map(hs[i]);
    arenaOf[i] = pool.views.findIndex((a) => a.buffer === v.buffer);
    addr[i] = v.byteOffset;
    pool.unmap(hs[i]);
  }
  const mirrors = pool.views.map((a) => new Uint8Array(a.length));
  const shuffled = new Int32Array(n);
  for (let i = 0; i < n; i++) shuffled[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = shuffled[i];
    shuffled[i] = shuffled[j];
    shuffled[j] = t;
  }
  const inOrder = Int32Array.from(shuffled).sort();
  const write = (order: Int32Array) => () => {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      pool.write(hs[i], views[sizes[i]]);
    }
  };
  const writeBase = (order: Int32Array) => () => {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      mirrors[arenaOf[i]].set(views[sizes[i]], addr[i]);
    }
  };
  const read = (order: Int32Array) => () => {
    for (let k = 0; k < n; k++) pool.readInto(hs[order[k]], dst);
  };
  const readBase = (order: Int32Array) => () => {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      dst.set(mirrors[arenaOf[i]].subarray(addr[i], addr[i] + sizes[i]));
    }
  };
  const fns = [
    write(shuffled),
    writeBase(shuffled),
    read(shuffled),
    readBase(shuffled),
    write(inOrder),
    writeBase(inOrder),
    read(inOrder),
    readBase(inOrder),
  ];
  for (const f of fns) f(); // warm-up
  const t: number[][] = fns.map(() => []);
  for (let r = 0; r < runs; r++) for (let k = 0; k < fns.length; k++) t[k].push(timed(fns[k])[0]);
  pool.destroy();
  const m = t.map(median);
  return {
    n,
    bytes,
    write: m[0],
    writeBase: m[1],
    read: m[2],
    readBase: m[3],
    writeSeq: m[4],
    writeSeqBase: m[5],
    readSeq: m[6],
    readSeqBase: m[7],
  };
}

if (process.argv[2] === '--child') {
  const [what, ...a] = process.argv.slice(3);
  const out =
    what === 'churn'
      ? churnChild(a[0] as ProfileName, Number(a[1]), Number(a[2]), Number(a[3]))
      : copyChild(Number(a[0]), Number(a[1]));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
