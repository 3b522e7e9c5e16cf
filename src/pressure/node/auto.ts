/**
 * startAutoReclaim: memory-pressure reclaim turned on in one line, with defaults right for a
 * container or a plain host.
 *
 * Sources chosen (each probed once; an unavailable one is left out and its reason kept):
 * 1. `cgroup` — when the process's cgroup v2 (or an ancestor) has `memory.high`/`memory.max`:
 *    the container's limit is what gets the process killed, so it is the one watched;
 * 2. otherwise `meminfo` (MemAvailable) and `psi` (`/proc/pressure/memory`): host-wide signals;
 * 3. always `v8-heap` (heap used vs `heap_size_limit`);
 * 4. a `budget` when `budgetBytes` is given (over the registered caches, or over RSS);
 * 5. any `sources` passed in.
 * The monitor polls every second on an unref'd timer and reclaims from `defaultShrinkers` (where
 * every pool registers) unless told otherwise; `monitor.notify(level)` takes platform events.
 */
import { show, ZsError, ZsErrorCode } from '../../errors.js';
import { budgetSource } from '../budget.js';
import { optFunction, optionsObject } from '../check.js';
import type { HeapSourceOptions } from '../heap.js';
import { checkMonitorOptions, PressureMonitor, type PressureMonitorOptions } from '../monitor.js';
import type { PressureSource, ReadFile } from '../source.js';
import { CgroupSource, type CgroupSourceOptions } from './cgroup.js';
import { MeminfoSource, type MeminfoSourceOptions } from './meminfo.js';
import { PsiSource, type PsiSourceOptions } from './psi.js';
import { readProcFile } from './read-file.js';
import { rssBytes } from './rss.js';
import { v8HeapSource } from './v8-heap.js';

/** Options of {@link startAutoReclaim} and {@link autoReclaimSources}. Every option is optional. */
export interface AutoReclaimOptions extends Omit<PressureMonitorOptions, 'sources'> {
  /** Add a budget source with this limit, in bytes (default: no budget). */
  budgetBytes?: number;
  /**
   * What the budget caps: `caches` (default: the registry's `usageBytes()`, i.e. pools' committed
   * pages), `rss` (the process's resident set), or a function returning bytes.
   */
  budgetOf?: 'caches' | 'rss' | (() => number);
  /** cgroup v2 source options, or `false` to skip it (default: on). */
  cgroup?: boolean | Omit<CgroupSourceOptions, 'readFile'>;
  /** MemAvailable source options, or `false` (default: on when no cgroup limit applies). */
  meminfo?: boolean | Omit<MeminfoSourceOptions, 'readFile'>;
  /** PSI source options, or `false` (default: on when no cgroup limit applies). */
  psi?: boolean | Omit<PsiSourceOptions, 'readFile'>;
  /** V8 heap source options, or `false` (default: on). */
  heap?: boolean | Omit<HeapSourceOptions, 'stats'>;
  /** More sources to poll. */
  sources?: PressureSource[];
  /** File reader for the Linux sources (default Node's `fs`; tests pass recorded files). */
  readFile?: ReadFile;
}

/** A source `startAutoReclaim` left out, and why. */
export interface SkippedSource {
  /** Source name. */
  name: string;
  /** Why it is not used here. */
  reason: string;
}

/** The sources {@link startAutoReclaim} would use here, and why the others were left out. */
export interface AutoReclaimPlan {
  /** Sources to poll. */
  sources: PressureSource[];
  /** Sources left out: name and reason. */
  skipped: SkippedSource[];
}

/** Chooses the sources for this machine (probing each once); see the file comment. */
export function autoReclaimSources(options: AutoReclaimOptions = {}): AutoReclaimPlan {
  const o = checkAutoOptions(options);
  const readFile = o.readFile ?? readProcFile;
  const now = o.now ?? (() => performance.now());
  const sources: PressureSource[] = [];
  const skipped: SkippedSource[] = [];
  const probe = (s: PressureSource): boolean => {
    const smp = s.sample(now());
    if (smp.status === 'unavailable') {
      skipped.push({ name: s.name, reason: smp.reason });
      return false;
    }
    sources.push(s);
    return true;
  };
  let limited = false;
  if (o.cgroup !== false) {
    const co = typeof o.cgroup === 'object' ? o.cgroup : {};
    limited = probe(new CgroupSource({ ...co, readFile }));
  }
  const hostWhy = 'a cgroup memory limit applies; host-wide figures do not';
  if (o.meminfo !== false) {
    if (limited) skipped.push({ name: 'meminfo', reason: hostWhy });
    else probe(new MeminfoSource({ ...(typeof o.meminfo === 'object' ? o.meminfo : {}), readFile }));
  }
  if (o.psi !== false) {
    if (limited) skipped.push({ name: 'psi', reason: hostWhy });
    else probe(new PsiSource({ ...(typeof o.psi === 'object' ? o.psi : {}), readFile }));
  }
  if (o.heap !== false) probe(v8HeapSource(typeof o.heap === 'object' ? o.heap : {}));
  if (o.budgetBytes !== undefined) {
    const of = o.budgetOf ?? 'caches';
    let usage: (() => number) | undefined;
    if (of === 'rss') usage = rssBytes;
    else if (typeof of === 'function') usage = of;
    const registry = o.registry ?? undefined;
    sources.push(budgetSource({ limitBytes: o.budgetBytes, usage, registry }));
  }
  if (o.sources !== undefined) sources.push(...o.sources);
  return { sources, skipped };
}

/**
 * Starts reclaim driven by this machine's memory pressure and returns the running monitor
 * (`monitor.stop()` ends it; it never keeps the process alive). See the file comment for the
 * sources; every {@link PressureMonitorOptions} option applies (default registry:
 * `defaultShrinkers`, interval 1000 ms).
 */
export function startAutoReclaim(options: AutoReclaimOptions = {}): PressureMonitor {
  // Every option is checked before any source is created or probed.
  checkMonitorOptions({ ...checkAutoOptions(options), sources: [] });
  const plan = autoReclaimSources(options);
  // The monitor reads only its own options; the source options above are ignored by it.
  return new PressureMonitor({ ...options, sources: plan.sources }).start();
}

/** Checks the options only `startAutoReclaim` reads (each source checks its own); creates nothing. */
function checkAutoOptions(options: AutoReclaimOptions | undefined): AutoReclaimOptions {
  const o = optionsObject('startAutoReclaim', options);
  for (const k of ['cgroup', 'meminfo', 'psi', 'heap'] as const) {
    const v = o[k];
    if (
      v !== undefined &&
      typeof v !== 'boolean' &&
      (v === null || typeof v !== 'object' || Array.isArray(v))
    ) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `startAutoReclaim: ${k} must be true, false or an options object, got ${show(v)}`,
      );
    }
  }
  if (
    o.budgetBytes !== undefined &&
    (typeof o.budgetBytes !== 'number' || !(o.budgetBytes > 0) || !Number.isFinite(o.budgetBytes))
  ) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `startAutoReclaim: budgetBytes must be a number > 0, got ${show(o.budgetBytes)}`,
    );
  }
  const of = o.budgetOf;
  if (of !== undefined && of !== 'caches' && of !== 'rss' && typeof of !== 'function') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `startAutoReclaim: budgetOf must be 'caches', 'rss' or a function, got ${show(of)}`,
    );
  }
  if (o.sources !== undefined && !Array.isArray(o.sources)) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `startAutoReclaim: sources must be an array, got ${show(o.sources)}`,
    );
  }
  optFunction('startAutoReclaim', 'readFile', o.readFile);
  optFunction('startAutoReclaim', 'now', o.now);
  return o;
}
