/**
 * TraceReplayer: runs an allocation trace (the oracle's format) against a pool and records
 * snapshots shaped exactly like the real kernel's result files.
 *
 * Trace lines: `a ID SIZE` allocate and fill with a pattern; `f ID` verify the pattern, then free;
 * `c` compact (`zs_compact`); `s LABEL` snapshot; `d [LABEL]` every shrinker, as
 * `echo 2 > /proc/sys/vm/drop_caches` does, then snapshot; `p ARG [LABEL]` a high-pressure reclaim
 * pass (priorities 12 → 0 until nothing is left), then snapshot; `# …` comment.
 *
 * Lines are fed one at a time (`line(text)`), so a caller can stream a file of millions of lines.
 * The pool is private to the replay and registers its shrinker in a private registry, so nothing
 * else in the process is shrunk.
 */
import { show, ZsError, ZsErrorCode } from '../errors.js';
import { ZsPool } from '../pool/pool.js';
import type { ClassStats } from '../pool/pool-stats.js';
import type { ProfileName } from '../pool/profiles.js';
import { type ReclaimResult, ShrinkerRegistry } from '../shrinker/registry.js';

/** Options of a {@link TraceReplayer}. */
export interface ReplayOptions {
  /** Profile of the pool (default `linux-6.12`). */
  profile?: ProfileName;
  /** Page size (default 4096). */
  pageSize?: number;
  /** Write a pattern into every object and check it before freeing (default true). */
  verify?: boolean;
  /** Trace name, copied into the result. */
  trace?: string;
}

/** Pool figures recorded at `c` (before/after), `d` and `p` (before). */
export interface QuickStats {
  /** `zs_get_total_pages`. */
  total_pages: number;
  /** Pages freed by compaction so far. */
  pages_compacted: number;
  /** Σ `zs_can_compact`: the kernel shrinker's count. */
  freeable_total: number;
  /** Live objects. */
  live_objects: number;
  /** `c` commands run so far. */
  compact_calls: number;
  /** Pages freed by the last `c`. */
  compact_freed_last: number;
}

/** A snapshot, as the kernel result's `pool` object (field names are the oracle's). */
export interface PoolSnapshot extends QuickStats {
  /** The snapshot's label from the trace. */
  label: string;
  /** `a` and `f` lines run so far. */
  ops: number;
  /** `a` lines run so far. */
  allocs: number;
  /** `f` lines run so far. */
  frees: number;
  /** Allocations refused (memory limit). */
  alloc_failures: number;
  /** Other allocation errors. */
  errors: number;
  /** Objects whose pattern did not read back before being freed. */
  mismatches: number;
  /** Bytes that differed in those objects. */
  mismatch_bytes: number;
  /** Σ sizes of live objects. */
  live_bytes: number;
  /** Pages freed by all `c` commands. */
  compact_freed_total: number;
  /** Requests of at least this size land in a huge class. */
  huge_class_size: number;
  /** Names of the fullness groups. */
  fullness_names: string[];
  /** Classes with zspages. */
  nonempty_classes: number;
  /** Σ `pages_used` over the class rows (equals `total_pages`). */
  sum_class_pages_used: number;
  /** Σ `obj_used` over the class rows. */
  sum_class_obj_used: number;
  /** Σ `obj_allocated` over the class rows. */
  sum_class_obj_allocated: number;
  /** Σ `zspages` over the class rows. */
  sum_zspages: number;
  /** Pages committed in our arenas (not a kernel field). */
  pages_committed: number;
  /** One row per class with zspages. */
  classes: ClassStats[];
}

/** What a `d` or `p` shrinker pass did. */
export interface ShrinkSummary {
  /** Pages the pool's shrinker gave back. */
  freed: number;
  /** The same in bytes. */
  freed_bytes: number;
  /** Shrinker passes made. */
  passes: number;
  /** Wall time in ms. */
  duration_ms: number;
}

/** One `s`, `c`, `d` or `p` event. */
export interface ReplayEvent {
  /** Trace command. */
  kind: 's' | 'c' | 'd' | 'p';
  /** 1-based line number in the trace. */
  line: number;
  /** Label from the trace (empty for `c`). */
  label: string;
  /** Milliseconds since the replay started. */
  t_ms: number;
  /** Snapshot (`s`, `d`, `p`). */
  pool?: PoolSnapshot;
  /** Figures before the command (`c`, `d`, `p`). */
  before?: QuickStats;
  /** Figures after `c`. */
  after?: QuickStats;
  /** For `d` and `p`: what the shrinker passes freed. */
  shrink?: ShrinkSummary;
}

/** Counts over the whole replay. */
export interface ReplayChecks {
  /** Objects whose pattern did not read back. */
  mismatches: number;
  /** Allocation errors other than the limit. */
  errors: number;
  /** Allocations refused by the memory limit. */
  alloc_failures: number;
  /** Events with a snapshot. */
  snapshots: number;
}

/** State at the end of the replay. */
export interface ReplayFinal {
  /** `a` and `f` lines run. */
  ops: number;
  /** Live objects. */
  live_objects: number;
  /** `zs_get_total_pages`. */
  total_pages: number;
  /** Pages freed by compaction. */
  pages_compacted: number;
  /** Allocation errors other than the limit. */
  errors: number;
  /** Allocations refused by the memory limit. */
  alloc_failures: number;
  /** Objects whose pattern did not read back. */
  mismatches: number;
}

/** Result of a whole replay, shaped like the kernel's result files. */
export interface ReplayResult {
  /** Trace name. */
  trace: string;
  /** Profile replayed. */
  profile: string;
  /** Page size. */
  page_size: number;
  /** `a` and `f` lines in the trace. */
  ops_in_trace: number;
  /** Largest object id. */
  max_id: number;
  /** Wall time in ms. */
  replay_ms: number;
  /** Counts over the whole replay. */
  checks: ReplayChecks;
  /** Every `s`, `c`, `d`, `p` event in trace order. */
  events: ReplayEvent[];
  /** State at the end. */
  final: ReplayFinal;
}

/** Streams trace lines into a private pool; see the file comment. */
export class TraceReplayer {
  /** The pool being driven. */
  readonly pool: ZsPool;
  /** The private shrinker registry the pool is registered in. */
  readonly shrinkers: ShrinkerRegistry;
  private readonly verify: boolean;
  private readonly traceName: string;
  private handles = new Float64Array(1 << 16);
  private readonly scratch: Uint8Array;
  private readonly scratchWords: Int32Array;
  private readonly check: Uint8Array;
  private readonly checkWords: Int32Array;
  private readonly events: ReplayEvent[] = [];
  private readonly t0 = performance.now();
  private lineNo = 0;
  private finished = false;
  private ops = 0;
  private allocs = 0;
  private frees = 0;
  private allocFailures = 0;
  private errors = 0;
  private mismatches = 0;
  private mismatchBytes = 0;
  private maxId = -1;
  private compactCalls = 0;
  private compactFreedLast = 0;
  private compactFreedTotal = 0;

  /**
   * Creates a replayer with a fresh pool; throws `ERR_ZS_BAD_ARGUMENT` for bad options (`profile`
   * and `pageSize` are checked by the pool), before anything is created.
   */
  constructor(options: ReplayOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw badArgument(`TraceReplayer: options must be an object, got ${show(options)}`);
    }
    if (options.verify !== undefined && typeof options.verify !== 'boolean') {
      throw badArgument(`TraceReplayer: verify must be true or false, got ${show(options.verify)}`);
    }
    if (options.profile !== undefined && typeof options.profile !== 'string') {
      throw badArgument(`TraceReplayer: profile must be a profile name, got ${show(options.profile)}`);
    }
    if (options.pageSize !== undefined && typeof options.pageSize !== 'number') {
      throw badArgument(`TraceReplayer: pageSize must be a number, got ${show(options.pageSize)}`);
    }
    if (options.trace !== undefined && typeof options.trace !== 'string') {
      throw badArgument(`TraceReplayer: trace must be a string, got ${show(options.trace)}`);
    }
    this.shrinkers = new ShrinkerRegistry();
    this.pool = new ZsPool({
      name: 'replay',
      profile: options.profile === undefined ? 'linux-6.12' : options.profile,
      pageSize: options.pageSize === undefined ? 4096 : options.pageSize,
      shrinkers: this.shrinkers,
    });
    this.verify = options.verify ?? true;
    this.traceName = options.trace ?? '';
    const max = this.pool.maxAllocSize;
    this.scratch = new Uint8Array(max + 4);
    this.scratchWords = new Int32Array(this.scratch.buffer, 0, (max + 4) >> 2);
    this.check = new Uint8Array(max + 4);
    this.checkWords = new Int32Array(this.check.buffer, 0, (max + 4) >> 2);
  }

  /**
   * Runs one trace line (1-based line numbers are counted here). Throws `ERR_ZS_BAD_TRACE` for a
   * line that is not in the trace format, `ERR_ZS_BAD_ARGUMENT` if `text` is not a string and
   * `ERR_ZS_DESTROYED` after {@link finish}; neither of the last two counts as a line.
   */
  line(text: string): void {
    if (typeof text !== 'string') throw badArgument(`line: text must be a string, got ${show(text)}`);
    if (this.finished) throw new ZsError(ZsErrorCode.DESTROYED, 'line: the replay has finished');
    const n = ++this.lineNo;
    const s = text.trim();
    if (s.length === 0 || s.charCodeAt(0) === 35 /* # */) return;
    const parts = s.split(/\s+/);
    const cmd = parts[0];
    switch (cmd) {
      case 'a': {
        if (parts.length !== 3) throw bad(n, 'expected "a ID SIZE"', text);
        this.alloc(n, parseId(n, parts[1], text), parseSize(n, parts[2], this.pool.maxAllocSize, text));
        return;
      }
      case 'f': {
        if (parts.length !== 2) throw bad(n, 'expected "f ID"', text);
        this.freeId(n, parseId(n, parts[1], text), text);
        return;
      }
      case 'c': {
        if (parts.length !== 1) throw bad(n, 'expected "c"', text);
        const before = this.quick();
        this.compactCalls++;
        const freed = this.pool.compact().pagesFreed;
        this.compactFreedLast = freed;
        this.compactFreedTotal += freed;
        this.events.push({ kind: 'c', line: n, label: '', t_ms: this.ms(), before, after: this.quick() });
        return;
      }
      case 's': {
        const label = parts.slice(1).join(' ');
        this.events.push({ kind: 's', line: n, label, t_ms: this.ms(), pool: this.snapshot(label) });
        return;
      }
      case 'd': {
        this.shrinkEvent('d', n, parts.slice(1).join(' '), () => this.shrinkers.shrinkAll());
        return;
      }
      case 'p': {
        if (parts.length < 2) throw bad(n, 'expected "p MB|auto[±N] [LABEL]"', text);
        if (!/^(\d+|auto([+-]\d+)?)$/.test(parts[1])) throw bad(n, `bad pressure amount ${parts[1]}`, text);
        // The VM's memory hog drove the kernel's reclaim down to priority 0; so do we.
        this.shrinkEvent('p', n, parts.slice(2).join(' '), () => this.shrinkers.reclaim({ minPriority: 0 }));
        return;
      }
      default:
        throw bad(n, 'unknown command (expected a, f, c, s, d, p or #)', text);
    }
  }

  /** Runs a shrinker pass (`d` or `p`) and records it with the state before and after. */
  private shrinkEvent(kind: 'd' | 'p', line: number, label: string, run: () => ReclaimResult): void {
    const before = this.quick();
    const r = run();
    this.events.push({
      kind,
      line,
      label,
      t_ms: this.ms(),
      before,
      shrink: { freed: r.freed, freed_bytes: r.freedBytes, passes: r.passes, duration_ms: r.durationMs },
      pool: this.snapshot(label),
    });
  }

  /** Ends the replay: returns the result and destroys the pool. Throws `ERR_ZS_DESTROYED` if called again. */
  finish(): ReplayResult {
    if (this.finished) throw new ZsError(ZsErrorCode.DESTROYED, 'finish: the replay has already finished');
    const pool = this.pool;
    const result: ReplayResult = {
      trace: this.traceName,
      profile: pool.profile.name,
      page_size: pool.pageSize,
      ops_in_trace: this.ops,
      max_id: this.maxId,
      replay_ms: Math.round(this.ms() * 10) / 10,
      checks: {
        mismatches: this.mismatches,
        errors: this.errors,
        alloc_failures: this.allocFailures,
        snapshots: this.events.filter((e) => e.pool !== undefined).length,
      },
      events: this.events,
      final: {
        ops: this.ops,
        live_objects: pool.liveObjects,
        total_pages: pool.totalPages(),
        pages_compacted: pool.stats({ classes: false }).pages_compacted,
        errors: this.errors,
        alloc_failures: this.allocFailures,
        mismatches: this.mismatches,
      },
    };
    this.finished = true;
    pool.destroy();
    return result;
  }

  /** Lines seen so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  private alloc(n: number, id: number, size: number): void {
    if (id >= this.handles.length) this.growHandles(id);
    if (this.handles[id] !== 0)
      throw bad(n, `id ${id} is already live (ids are never reused)`, `a ${id} ${size}`);
    this.ops++;
    this.allocs++;
    if (id > this.maxId) this.maxId = id;
    let h: number;
    try {
      h = this.pool.malloc(size);
    } catch (e) {
      if (e instanceof ZsError && e.code === ZsErrorCode.LIMIT) {
        this.allocFailures++;
        return;
      }
      this.errors++;
      throw e;
    }
    this.handles[id] = h;
    if (this.verify) {
      this.fillPattern(id, size);
      this.pool.write(h, this.scratch.subarray(0, size));
    }
  }

  private freeId(n: number, id: number, text: string): void {
    const h = id < this.handles.length ? this.handles[id] : 0;
    if (h === 0) throw bad(n, `id ${id} is not live`, text);
    this.ops++;
    this.frees++;
    if (this.verify) {
      const size = this.pool.readInto(h, this.check);
      this.fillPattern(id, size);
      const bad = this.countMismatch(size);
      if (bad > 0) {
        this.mismatches++;
        this.mismatchBytes += bad;
      }
    }
    this.pool.free(h);
    this.handles[id] = 0;
  }

  /** The pattern of object `id`: 32-bit words mixing the id and the word index. */
  private fillPattern(id: number, size: number): void {
    const w = this.scratchWords;
    const words = (size + 3) >> 2;
    const seed = Math.imul(id + 1, 0x9e3779b1);
    for (let j = 0; j < words; j++) w[j] = seed ^ Math.imul(j + 1, 0x85ebca77);
  }

  private countMismatch(size: number): number {
    const a = this.scratchWords;
    const b = this.checkWords;
    const full = size >> 2;
    let bad = 0;
    for (let j = 0; j < full; j++) if (a[j] !== b[j]) bad += 4;
    const x = this.scratch;
    const y = this.check;
    for (let k = full << 2; k < size; k++) if (x[k] !== y[k]) bad++;
    return bad;
  }

  private growHandles(id: number): void {
    let n = this.handles.length;
    while (n <= id) n *= 2;
    const h = new Float64Array(n);
    h.set(this.handles);
    this.handles = h;
  }

  private quick(): QuickStats {
    const s = this.pool.stats({ classes: false });
    return {
      total_pages: s.total_pages,
      pages_compacted: s.pages_compacted,
      freeable_total: s.freeable_total,
      live_objects: s.live_objects,
      compact_calls: this.compactCalls,
      compact_freed_last: this.compactFreedLast,
    };
  }

  private snapshot(label: string): PoolSnapshot {
    const s = this.pool.stats();
    let pagesUsed = 0;
    let objUsed = 0;
    let objAllocated = 0;
    let zspages = 0;
    for (const r of s.classes) {
      pagesUsed += r.pages_used;
      objUsed += r.obj_used;
      objAllocated += r.obj_allocated;
      zspages += r.zspages;
    }
    return {
      label,
      ops: this.ops,
      allocs: this.allocs,
      frees: this.frees,
      alloc_failures: this.allocFailures,
      errors: this.errors,
      mismatches: this.mismatches,
      mismatch_bytes: this.mismatchBytes,
      live_objects: s.live_objects,
      live_bytes: s.live_bytes,
      total_pages: s.total_pages,
      pages_compacted: s.pages_compacted,
      compact_calls: this.compactCalls,
      compact_freed_last: this.compactFreedLast,
      compact_freed_total: this.compactFreedTotal,
      huge_class_size: s.huge_class_size,
      fullness_names: s.fullness_names,
      nonempty_classes: s.classes.length,
      sum_class_pages_used: pagesUsed,
      sum_class_obj_used: objUsed,
      sum_class_obj_allocated: objAllocated,
      sum_zspages: zspages,
      freeable_total: s.freeable_total,
      pages_committed: s.pages_committed,
      classes: s.classes,
    };
  }

  private ms(): number {
    return performance.now() - this.t0;
  }
}

function badArgument(message: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, message);
}

function bad(line: number, why: string, text: string): ZsError {
  // Binary garbage is shown as '.' per unprintable character, so the line stays short.
  const printable = text.replace(/[\p{Cc}\ufffd]/gu, '.');
  const shown = printable.length > 60 ? `${printable.slice(0, 60)}…` : printable;
  return new ZsError(ZsErrorCode.BAD_TRACE, `line ${line}: ${why}: ${JSON.stringify(shown)}`);
}

function parseId(line: number, s: string, text: string): number {
  if (!/^\d{1,9}$/.test(s)) throw bad(line, `bad id ${JSON.stringify(s)}`, text);
  return Number(s);
}

function parseSize(line: number, s: string, max: number, text: string): number {
  if (!/^\d{1,9}$/.test(s)) throw bad(line, `bad size ${JSON.stringify(s)}`, text);
  const v = Number(s);
  if (v < 1 || v > max) throw bad(line, `size ${v} is outside 1..${max}`, text);
  return v;
}
