/**
 * ShrinkerRegistry: the kernel's shrinker core, for user space.
 *
 * - `register` / `unregister` a {@link Shrinker}; `registerWeak` holds it weakly (pools, stores
 *   and caches do, so one dropped without `destroy()` is collected and then unregistered).
 * - `shrink(priority)` is `shrink_slab`: every shrinker gets one `do_shrink_slab` pass. The pass
 *   counts, computes its share `delta = (freeable >> priority) · 4 / seeks` (or freeable / 2
 *   for seeks = 0), adds the work deferred by earlier passes (`nr >> priority`), caps it at
 *   2 · freeable, then scans in `batch`-sized steps while the remaining work is at least a batch
 *   or at least everything freeable, stopping at `SHRINK_STOP`. Work not done is deferred, capped
 *   at 2 · freeable. (Kernel ≥ 4.16, `mm/vmscan.c` / `mm/shrinker.c`.)
 * - `shrinkAll()` is `echo 2 > /proc/sys/vm/drop_caches` (`drop_slab`): priority-0 passes repeated
 *   while `(freed >> shift++) > 1`.
 * - `reclaim({ targetBytes, minPriority })` is a reclaimer's priority loop: passes from
 *   `DEF_PRIORITY` (12) down to `minPriority`, stopping once the target is met.
 * - Every pass of every shrinker is reported to `onShrink` listeners (name, counted, scanned,
 *   freed, duration), so users and the CLI can see what reclaim did.
 * - `usageBytes()` sums what the shrinkers that report it hold, for byte budgets.
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';
import { runAsync, runSync } from '../util/drive.js';
import { Listeners } from '../util/listeners.js';
import {
  DEF_PRIORITY,
  SHRINK_BATCH,
  SHRINK_EMPTY,
  SHRINK_STOP,
  type ShrinkControl,
  type Shrinker,
} from './shrinker.js';
import { WeakShrinker } from './weak.js';

/** One `do_shrink_slab` pass of one shrinker. */
export interface ShrinkEvent {
  /** Shrinker name. */
  shrinker: string;
  /** Reclaim priority of the pass. */
  priority: number;
  /** What `count` returned. */
  counted: number;
  /** Work deferred from earlier passes, taken at the start. */
  deferredIn: number;
  /** New work computed from `counted`, `priority` and `seeks`. */
  delta: number;
  /** Work attempted: deferred share + delta, capped at 2 · counted. */
  totalScan: number;
  /** Objects scanned by `scan` calls. */
  scanned: number;
  /** Objects freed (units of the shrinker: pages for a pool). */
  freed: number;
  /** `freed` × the shrinker's `unitBytes`. */
  freedBytes: number;
  /** `scan` calls made. */
  scanCalls: number;
  /** True when a `scan` returned `SHRINK_STOP`. */
  stopped: boolean;
  /** Work deferred to the next pass. */
  deferredOut: number;
  /** Wall time of the pass in milliseconds. */
  durationMs: number;
}

/** Result of a `shrink`, `shrinkAll` or `reclaim` call. */
export interface ReclaimResult {
  /** Objects freed, summed over shrinkers (mixed units; see `freedBytes`). */
  freed: number;
  /** Bytes freed by the shrinkers' own account (each one's freed × its `unitBytes`). */
  freedBytes: number;
  /** Drop in {@link ShrinkerRegistry.usageBytes} over the call: memory that left the pools. */
  returnedBytes: number;
  /** Lowest priority used. */
  priority: number;
  /** Shrinker passes made. */
  passes: number;
  /** Wall time in milliseconds. */
  durationMs: number;
}

/** Options of {@link ShrinkerRegistry.reclaim}. */
export interface ReclaimOptions {
  /** Stop once this many bytes are freed (default: go down to `minPriority`). */
  targetBytes?: number;
  /** Lowest priority to reach (default 0: everything freeable). */
  minPriority?: number;
}

/** Listener for {@link ShrinkEvent}s. */
export type ShrinkListener = (event: ShrinkEvent) => void;

/** Options of a {@link ShrinkerRegistry}. */
export interface ShrinkerRegistryOptions {
  /** Most shrinkers that may be registered (default unlimited); past it `register` throws. */
  maxShrinkers?: number;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** The work one `do_shrink_slab` pass sets itself. */
export interface ShrinkWork {
  /** New work from this pass: `(freeable >> priority) · 4 / seeks`, or `freeable / 2` if seeks is 0. */
  delta: number;
  /** Work attempted: `(deferred >> priority) + delta`, capped at `2 · freeable`. */
  totalScan: number;
}

/** Shrinker targets of one pass (pure arithmetic of `do_shrink_slab`). */
export function shrinkTarget(
  freeable: number,
  deferred: number,
  priority: number,
  seeks: number,
): ShrinkWork {
  let delta: number;
  if (seeks > 0) delta = Math.floor((Math.floor(freeable / 2 ** priority) * 4) / seeks);
  else delta = Math.floor(freeable / 2);
  let totalScan = Math.floor(deferred / 2 ** priority) + delta;
  if (totalScan > 2 * freeable) totalScan = 2 * freeable;
  return { delta, totalScan };
}

/** Work deferred after a pass: `clamp(nr + delta − scanned, 0, 2 · freeable)`. */
export function nextDeferred(freeable: number, deferred: number, delta: number, scanned: number): number {
  let next = deferred + delta - scanned;
  if (next < 0) next = 0;
  if (next > 2 * freeable) next = 2 * freeable;
  return next;
}

/** A set of shrinkers and the reclaim driver that calls them; see the file comment. */
export class ShrinkerRegistry {
  private readonly shrinkers: Shrinker[] = [];
  /** Stand-ins of the weakly held shrinkers, by shrinker. */
  private readonly weak = new WeakMap<Shrinker, WeakShrinker>();
  /** Unregisters the stand-in of a shrinker that was collected. */
  private readonly collected = new FinalizationRegistry<WeakRef<WeakShrinker>>((w) => {
    const s = w.deref();
    if (s !== undefined) this.unregister(s);
  });
  private readonly deferred = new Map<Shrinker, number>();
  private readonly listeners = new Listeners<ShrinkEvent>();
  private readonly maxShrinkers: number;
  private readonly now: () => number;
  private readonly sc: ShrinkControl = {
    nrToScan: 0,
    nrScanned: 0,
    priority: DEF_PRIORITY,
    targetBytes: Number.POSITIVE_INFINITY,
  };

  /** Creates an empty registry. */
  constructor(options: ShrinkerRegistryOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw bad(`ShrinkerRegistry: options must be an object, got ${show(options)}`);
    }
    const max = options.maxShrinkers === undefined ? Number.POSITIVE_INFINITY : options.maxShrinkers;
    if (
      typeof max !== 'number' ||
      !(max >= 0) ||
      (max !== Number.POSITIVE_INFINITY && !Number.isInteger(max))
    ) {
      throw bad(`ShrinkerRegistry: maxShrinkers must be an integer >= 0 or Infinity, got ${show(max)}`);
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw bad(`ShrinkerRegistry: now must be a function, got ${show(options.now)}`);
    }
    this.maxShrinkers = max;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Adds `s`; throws `ERR_ZS_BAD_ARGUMENT` if it is not a {@link Shrinker} (a non-empty `name`,
   * `count` and `scan` functions, `seeks` and `batch` integers ≥ 0, `unitBytes` ≥ 0) or is already
   * registered, `ERR_ZS_LIMIT` if the registry is full.
   */
  register(s: Shrinker): void {
    checkShrinker(s);
    if (this.shrinkers.includes(s)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `shrinker ${s.name} is already registered`);
    }
    if (this.shrinkers.length >= this.maxShrinkers) {
      throw new ZsError(ZsErrorCode.LIMIT, `cannot register shrinker ${s.name}: registry is full`);
    }
    this.shrinkers.push(s);
    this.deferred.set(s, 0);
  }

  /**
   * Adds `s`, held weakly: the registry does not keep it (or what it refers to) alive. Once `s` is
   * garbage-collected it counts 0, reports no usage, and is unregistered soon after. Its owner
   * must hold `s`. `unregister(s)` removes it as usual.
   */
  registerWeak(s: Shrinker): void {
    checkShrinker(s);
    if (this.weak.has(s) || this.shrinkers.includes(s)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `shrinker ${s.name} is already registered`);
    }
    const w = new WeakShrinker(s);
    this.register(w);
    this.weak.set(s, w);
    this.collected.register(s, new WeakRef(w), w);
  }

  /** Removes `s`; returns false if it was not registered. */
  unregister(s: Shrinker): boolean {
    const w = this.weak.get(s);
    const t = w ?? s;
    const i = this.shrinkers.indexOf(t);
    if (i < 0) return false;
    this.shrinkers.splice(i, 1);
    this.deferred.delete(t);
    if (w !== undefined) {
      this.weak.delete(s);
      this.collected.unregister(w);
    }
    return true;
  }

  /** The registered shrinkers, in registration order. */
  list(): readonly Shrinker[] {
    return this.shrinkers.slice();
  }

  /** Work deferred for `s` (0 if unknown). */
  deferredOf(s: Shrinker): number {
    return this.deferred.get(s) ?? 0;
  }

  /** Calls `listener` after every shrinker pass; returns a function that removes it. */
  onShrink(listener: ShrinkListener): () => void {
    if (typeof listener !== 'function')
      throw bad(`onShrink: listener must be a function, got ${show(listener)}`);
    return this.listeners.add(listener);
  }

  /** Sum of every shrinker's `count` in bytes (a cheap "how much could reclaim free now"). */
  countBytes(priority = 0): number {
    checkPriority('countBytes', priority);
    let bytes = 0;
    this.sc.priority = priority;
    for (const s of this.shrinkers) {
      const n = s.count(this.sc);
      if (n > 0) bytes += n * s.unitBytes;
    }
    return bytes;
  }

  /**
   * Sum of `usageBytes()` over the shrinkers that report it: the bytes the registered caches hold
   * (for pools, committed page bytes). Shrinkers without `usageBytes` count 0.
   */
  usageBytes(): number {
    let bytes = 0;
    for (const s of this.shrinkers) {
      if (s.usageBytes === undefined) continue;
      const n = s.usageBytes();
      if (n > 0) bytes += n;
    }
    return bytes;
  }

  /**
   * `shrink_slab`: one pass over every shrinker at `priority`, in registration order. With
   * `targetBytes`, the pass ends as soon as that much has been given back (see {@link reclaim}):
   * a cache registered after its pool is only asked once compaction has not been enough.
   */
  shrink(priority: number = DEF_PRIORITY, targetBytes = Number.POSITIVE_INFINITY): ReclaimResult {
    checkPriority('shrink', priority);
    checkTarget('shrink', targetBytes);
    return runSync(this.passSteps(priority, this.goal(targetBytes)), scanSync);
  }

  /** {@link shrink} with each shrinker's `scanAsync` when it has one. */
  async shrinkAsync(
    priority: number = DEF_PRIORITY,
    targetBytes = Number.POSITIVE_INFINITY,
  ): Promise<ReclaimResult> {
    checkPriority('shrinkAsync', priority);
    checkTarget('shrinkAsync', targetBytes);
    return runAsync(this.passSteps(priority, this.goal(targetBytes)), scanAsync);
  }

  /** One `shrink_slab` pass, as steps: each request is one scan call of one shrinker. */
  private *passSteps(priority: number, goal: Goal): Generator<ShrinkPass, ReclaimResult, number> {
    const t0 = this.now();
    const r = { freed: 0, freedBytes: 0, passes: 0 };
    for (const s of this.shrinkers.slice()) {
      if (this.met(goal)) break;
      if (!this.deferred.has(s)) continue; // unregistered by an earlier pass
      this.account(goal, s, yield* this.shrinkSteps(s, priority, goal), r);
    }
    return this.result(r, priority, goal, t0);
  }

  /** `drop_slab` (`echo 2 > /proc/sys/vm/drop_caches`): priority-0 passes until little is freed. */
  shrinkAll(): ReclaimResult {
    const t0 = this.now();
    const usage0 = this.usageBytes();
    let total = 0;
    let totalBytes = 0;
    let passes = 0;
    let shift = 0;
    let freed: number;
    do {
      const r = this.shrink(0);
      freed = r.freed;
      total += r.freed;
      totalBytes += r.freedBytes;
      passes += r.passes;
    } while (Math.floor(freed / 2 ** shift++) > 1);
    return {
      freed: total,
      freedBytes: totalBytes,
      returnedBytes: usage0 - this.usageBytes(),
      priority: 0,
      passes,
      durationMs: this.now() - t0,
    };
  }

  /**
   * A reclaimer's priority loop: passes from DEF_PRIORITY down to `minPriority` until
   * `targetBytes` have been given back. Progress is measured by what left the registered pools
   * (the drop in {@link usageBytes}) for shrinkers that report usage, and by what the others say
   * they freed: evicting cache entries does not count until compaction has returned their pages.
   * Each scan is told the bytes still wanted (`sc.targetBytes`) so caches evict no more than that.
   */
  reclaim(options: ReclaimOptions = {}): ReclaimResult {
    return runSync(this.reclaimSteps(options), scanSync);
  }

  /** {@link reclaim}, using each shrinker's `scanAsync` so the event loop keeps running. */
  async reclaimAsync(options: ReclaimOptions = {}): Promise<ReclaimResult> {
    return runAsync(this.reclaimSteps(options), scanAsync);
  }

  /** The priority loop of {@link reclaim}, as steps (options are checked before the first). */
  private reclaimSteps(options: ReclaimOptions): Generator<ShrinkPass, ReclaimResult, number> {
    const { target, minPriority } = reclaimBounds(options);
    return this.reclaimLoop(this.goal(target), minPriority);
  }

  private *reclaimLoop(goal: Goal, minPriority: number): Generator<ShrinkPass, ReclaimResult, number> {
    const t0 = this.now();
    const r = { freed: 0, freedBytes: 0, passes: 0 };
    let p = DEF_PRIORITY;
    for (; p >= minPriority; p--) {
      const x = yield* this.passSteps(p, goal);
      r.freed += x.freed;
      r.freedBytes += x.freedBytes;
      r.passes += x.passes;
      if (this.met(goal)) break;
    }
    return this.result(r, Math.max(p, minPriority), goal, t0);
  }

  private goal(target: number): Goal {
    return { target, usage0: this.usageBytes(), untracked: 0 };
  }

  /** Bytes given back so far: the usage drop, plus what untracked shrinkers freed. */
  private done(goal: Goal): number {
    return goal.usage0 - this.usageBytes() + goal.untracked;
  }

  /** Bytes the shrinkers that hold memory (usage > 0), other than `except`, count as freeable. */
  private returnable(except: Shrinker): number {
    let bytes = 0;
    for (const s of this.shrinkers) {
      if (s === except || s.usageBytes === undefined || !(s.usageBytes() > 0)) continue;
      const n = s.count(this.sc);
      if (n > 0) bytes += n * s.unitBytes;
    }
    return bytes;
  }

  private met(goal: Goal): boolean {
    return goal.target !== Number.POSITIVE_INFINITY && this.done(goal) >= goal.target;
  }

  private account(
    goal: Goal,
    s: Shrinker,
    ev: ShrinkEvent | null,
    r: { freed: number; freedBytes: number; passes: number },
  ): void {
    if (ev === null) return;
    r.passes++;
    r.freed += ev.freed;
    r.freedBytes += ev.freedBytes;
    if (s.usageBytes === undefined) goal.untracked += ev.freedBytes;
  }

  private result(
    r: { freed: number; freedBytes: number; passes: number },
    priority: number,
    goal: Goal,
    t0: number,
  ): ReclaimResult {
    return { ...r, returnedBytes: goal.usage0 - this.usageBytes(), priority, durationMs: this.now() - t0 };
  }

  /** `do_shrink_slab` for one shrinker, as steps (one per scan call); null when `count` found nothing to do. */
  private *shrinkSteps(
    s: Shrinker,
    priority: number,
    goal: Goal,
  ): Generator<ShrinkPass, ShrinkEvent | null, number> {
    const pass = this.begin(s, priority, goal);
    if (pass === null) return null;
    while (pass.next() && pass.record(yield pass)) {
      // each batch is one scan call
    }
    return this.finish(s, pass);
  }

  /** Counts and sets the pass's work; null when there is nothing to do. */
  private begin(s: Shrinker, priority: number, goal: Goal): ShrinkPass | null {
    const t0 = this.now();
    let want = Number.POSITIVE_INFINITY;
    if (goal.target !== Number.POSITIVE_INFINITY) {
      // Covered: what has come back, plus — for a shrinker whose memory is not its own (a cache's
      // comes back through its pool) — what shrinkers holding memory can still give back (a pool's
      // count, including the pages of entries a cache has just evicted). One that holds memory
      // itself (a hot tier, registered before its pool) is asked for all that is still wanted.
      const own = s.usageBytes !== undefined && s.usageBytes() > 0;
      const got = this.done(goal) + (own ? 0 : this.returnable(s));
      want = goal.target > got ? goal.target - got : 0;
    }
    const sc: ShrinkControl = { nrToScan: 0, nrScanned: 0, priority, targetBytes: want };
    const freeable = s.count(sc);
    if (freeable === 0 || freeable === SHRINK_EMPTY || !(freeable > 0)) return null;
    const nr = this.deferred.get(s) ?? 0;
    this.deferred.set(s, 0);
    return new ShrinkPass(s, sc, freeable, nr, t0);
  }

  private finish(s: Shrinker, p: ShrinkPass): ShrinkEvent {
    const deferredOut = nextDeferred(p.freeable, p.nr, p.delta, p.scanned);
    if (this.deferred.has(s)) this.deferred.set(s, (this.deferred.get(s) ?? 0) + deferredOut);
    const ev: ShrinkEvent = {
      shrinker: s.name,
      priority: p.sc.priority,
      counted: p.freeable,
      deferredIn: p.nr,
      delta: p.delta,
      totalScan: p.total,
      scanned: p.scanned,
      freed: p.freed,
      freedBytes: p.freed * s.unitBytes,
      scanCalls: p.calls,
      stopped: p.stopped,
      deferredOut,
      durationMs: this.now() - p.t0,
    };
    this.listeners.emit(ev); // a listener's failure must not break reclaim
    return ev;
  }
}

/** A byte target being worked towards by one reclaim. */
interface Goal {
  /** Bytes wanted (Infinity: no target). */
  target: number;
  /** `usageBytes()` when the reclaim started. */
  usage0: number;
  /** Bytes freed by shrinkers that report no usage (their own word for it). */
  untracked: number;
}

/**
 * One `do_shrink_slab` pass in progress: its work, and what the scans did so far. It is also the
 * request a pass's steps hand their runner: "call this shrinker's scan with `sc`".
 */
class ShrinkPass {
  readonly delta: number;
  readonly total: number;
  private readonly batch: number;
  private readonly unitBytes: number;
  private remaining: number;
  freed = 0;
  scanned = 0;
  calls = 0;
  stopped = false;

  constructor(
    readonly shrinker: Shrinker,
    readonly sc: ShrinkControl,
    readonly freeable: number,
    readonly nr: number,
    readonly t0: number,
  ) {
    const w = shrinkTarget(freeable, nr, sc.priority, shrinker.seeks);
    this.delta = w.delta;
    this.total = w.totalScan;
    this.remaining = w.totalScan;
    this.batch = shrinker.batch > 0 ? shrinker.batch : SHRINK_BATCH;
    this.unitBytes = shrinker.unitBytes;
  }

  /** Sets up the next batch; false when the pass is done (less than a batch and than `freeable` left). */
  next(): boolean {
    const left = this.remaining;
    if (left < this.batch && left < this.freeable) return false;
    const n = left < this.batch ? left : this.batch;
    this.sc.nrToScan = n;
    this.sc.nrScanned = n;
    return true;
  }

  /** Takes a scan's result; false on `SHRINK_STOP`. */
  record(ret: number): boolean {
    this.calls++;
    if (ret === SHRINK_STOP) {
      this.stopped = true;
      return false;
    }
    this.freed += ret;
    this.remaining -= this.sc.nrScanned;
    this.scanned += this.sc.nrScanned;
    // What this scan freed no longer needs freeing by the next one.
    const t = this.sc.targetBytes - ret * this.unitBytes;
    this.sc.targetBytes = t > 0 ? t : 0;
    return true;
  }
}

/** The synchronous runner's answer to a step: the shrinker's `scan`. */
function scanSync(p: ShrinkPass): number {
  return p.shrinker.scan(p.sc);
}

/** The asynchronous runner's answer: the shrinker's `scanAsync` when it has one, else `scan`. */
function scanAsync(p: ShrinkPass): number | Promise<number> {
  const s = p.shrinker;
  return s.scanAsync ? s.scanAsync(p.sc) : s.scan(p.sc);
}

function reclaimBounds(options: ReclaimOptions): { target: number; minPriority: number } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw bad(`reclaim: options must be an object, got ${show(options)}`);
  }
  const target = options.targetBytes === undefined ? Number.POSITIVE_INFINITY : options.targetBytes;
  const minPriority = options.minPriority === undefined ? 0 : options.minPriority;
  checkTarget('reclaim', target);
  if (
    typeof minPriority !== 'number' ||
    !Number.isInteger(minPriority) ||
    minPriority < 0 ||
    minPriority > DEF_PRIORITY
  ) {
    throw bad(`reclaim: minPriority must be an integer in [0, ${DEF_PRIORITY}], got ${show(minPriority)}`);
  }
  return { target, minPriority };
}

function bad(message: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, message);
}

/** A reclaim priority: an integer from DEF_PRIORITY (12) down to 0. */
function checkPriority(what: string, priority: unknown): void {
  if (
    typeof priority !== 'number' ||
    !Number.isInteger(priority) ||
    priority < 0 ||
    priority > DEF_PRIORITY
  ) {
    throw bad(`${what}: priority must be an integer in [0, ${DEF_PRIORITY}], got ${show(priority)}`);
  }
}

/** A byte target: a number ≥ 0 (Infinity: no target). */
function checkTarget(what: string, target: unknown): void {
  if (typeof target !== 'number' || !(target >= 0)) {
    throw bad(`${what}: targetBytes must be a number >= 0, got ${show(target)}`);
  }
}

/** Throws `ERR_ZS_BAD_ARGUMENT` unless `s` has the shape of a {@link Shrinker}. */
function checkShrinker(s: unknown): asserts s is Shrinker {
  if (s === null || typeof s !== 'object') throw bad(`register: shrinker must be an object, got ${show(s)}`);
  const x = s as Partial<Record<keyof Shrinker, unknown>>;
  if (typeof x.name !== 'string' || x.name === '') {
    throw bad(`register: shrinker name must be a non-empty string, got ${show(x.name)}`);
  }
  if (typeof x.count !== 'function' || typeof x.scan !== 'function') {
    throw bad(`register: shrinker ${x.name} needs count(sc) and scan(sc) methods`);
  }
  for (const k of ['seeks', 'batch'] as const) {
    const v = x[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw bad(`register: shrinker ${x.name}: ${k} must be an integer >= 0, got ${show(v)}`);
    }
  }
  if (typeof x.unitBytes !== 'number' || !(x.unitBytes >= 0) || !Number.isFinite(x.unitBytes)) {
    throw bad(`register: shrinker ${x.name}: unitBytes must be a number >= 0, got ${show(x.unitBytes)}`);
  }
  for (const k of ['scanAsync', 'usageBytes'] as const) {
    if (x[k] !== undefined && typeof x[k] !== 'function') {
      throw bad(`register: shrinker ${x.name}: ${k} must be a method when present, got ${show(x[k])}`);
    }
  }
}

/** The process-wide registry pools register with by default. */
export const defaultShrinkers: ShrinkerRegistry = new ShrinkerRegistry();
