/**
 * cgroup v2: pressure from the process's own memory cgroup — what decides a container's fate.
 *
 * Finding the cgroup (once, cached): `/proc/self/cgroup` gives the v2 path (`0::/a/b`); a line of
 * a v1 hierarchy that lists the `memory` controller means memory is accounted by cgroup v1 (a
 * hybrid or legacy host): the source is `unavailable`. `/proc/self/mountinfo` gives the cgroup2
 * mount (default `/sys/fs/cgroup`); the own cgroup's directory must have `memory.current`
 * (otherwise the memory controller is not enabled for it, or it is the root cgroup). Its ancestors
 * below the mount that have `memory.max` are watched too: a limit set on a parent (a systemd slice,
 * a pod) binds as much as the own one.
 *
 * Every poll:
 * - for each watched cgroup, `memory.max` and `memory.high` (`max` = none); the limit is the lower
 *   of the two (`memory.high` is where the kernel starts throttling and reclaiming; `memory.max`
 *   is where it OOM-kills). For those with a limit, `memory.current`; the cgroup with the least
 *   headroom (limit − current) is *the limiting cgroup*. No limit anywhere: `unavailable`.
 * - usage = the limiting cgroup's working set: `memory.current − inactive_file` (from
 *   `memory.stat`, as the kubelet computes it), because `memory.current` counts page cache the
 *   kernel drops by itself; `workingSet: false` uses `memory.current`.
 * - ratio = usage / limit, banded (defaults: low ≥ 0.80, medium ≥ 0.90, critical ≥ 0.97; margin
 *   0.03). From `medium` up the sample asks for `usage − targetRatio × limit` bytes (default 0.8).
 * - `memory.events` of the limiting cgroup: new `high` events since the last poll (the kernel had
 *   to reclaim at `memory.high`) mean at least `medium`; new `max`, `oom` or `oom_kill` events
 *   mean `critical`. The first poll only records the counters.
 * - `memory.pressure` of the own cgroup: PSI, rated as the PSI source does (see `psi.ts`).
 * The level is the worst of the three.
 *
 * Figures: `currentBytes`, `workingSetBytes`, `limitBytes`, `highBytes`, `maxBytes` (Infinity =
 * `max`), `ratio`, `depth` (0 = own cgroup, 1 = parent, …), `highEvents`, `maxEvents`,
 * `oomEvents` (new since the last poll), and the PSI figures (`someStallPct`, …) when
 * `memory.pressure` is readable.
 */
import { show, ZsError, ZsErrorCode } from '../../errors.js';
import { optBoolean, optionsObject, optName, orDefault } from '../check.js';
import {
  bandLevel,
  checkThresholds,
  type LevelThresholds,
  levelRank,
  type PressureLevel,
  withDefaults,
} from '../level.js';
import {
  fmt,
  invalidSample,
  isUnavailableCode,
  okSample,
  type PressureSample,
  type PressureSource,
  type ReadFile,
  tryRead,
  unavailableSample,
} from '../source.js';
import { type PsiThresholdOptions, PsiTracker, parsePsi } from './psi.js';
import { readProcFile } from './read-file.js';

/** Default thresholds on `usage / limit`. */
export const CGROUP_THRESHOLDS: Readonly<LevelThresholds> = { low: 0.8, medium: 0.9, critical: 0.97 };

/** Where the process's cgroup v2 is, or why there is none usable. */
export type CgroupLocation =
  | {
      /** Found. */
      ok: true;
      /** Own cgroup directory, then ancestors with `memory.max`, nearest first. */
      dirs: string[];
      /** The v2 path from `/proc/self/cgroup`. */
      path: string;
      /** The cgroup2 mount point. */
      mount: string;
    }
  | {
      /** Not usable. */
      ok: false;
      /** True when retrying cannot help (v1 host, no cgroup2 mount, controller not enabled). */
      final: boolean;
      /** Why. */
      reason: string;
    };

/** What `/proc/self/cgroup` says: the v2 path, or why memory is not on v2. */
export type ProcCgroup =
  | {
      /** The process's cgroup v2 path. */
      path: string;
    }
  | {
      /** Why there is no usable v2 memory cgroup. */
      reason: string;
      /** True when retrying cannot help. */
      final: boolean;
    };

/** A cgroup2 mount found in `/proc/self/mountinfo`. */
export interface Cgroup2Mount {
  /** Mount point. */
  mount: string;
  /** Root of the mount inside the hierarchy. */
  root: string;
}

/**
 * Parses `/proc/self/cgroup`. Returns the v2 path, or a string: why memory is not on v2 here.
 */
export function parseProcCgroup(text: string): ProcCgroup {
  let v2: string | null = null;
  let memoryV1: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a <= 0 || b < 0 || !/^\d+$/.test(line.slice(0, a))) {
      return { reason: `line ${i + 1} of /proc/self/cgroup is malformed`, final: false };
    }
    const id = line.slice(0, a);
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (!path.startsWith('/'))
      return { reason: `line ${i + 1} of /proc/self/cgroup has no path`, final: false };
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes('memory')) memoryV1 = path;
  }
  if (memoryV1 !== null) {
    return {
      reason: `the memory controller is on cgroup v1 (${v2 !== null ? 'hybrid' : 'legacy'} hierarchy, memory:${memoryV1}); cgroup v2 memory files do not exist here`,
      final: true,
    };
  }
  if (v2 === null) return { reason: 'no cgroup v2 entry (0::) in /proc/self/cgroup', final: true };
  return { path: v2 };
}

/** Finds the first cgroup2 mount in `/proc/self/mountinfo`: its mount point and root. */
export function parseCgroup2Mount(text: string): Cgroup2Mount | null {
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const after = line.slice(sep + 3).split(' ');
    if (after[0] !== 'cgroup2') continue;
    const before = line.slice(0, sep).split(' ');
    if (before.length < 5) continue;
    return { root: unescapeMount(before[3]), mount: unescapeMount(before[4]) };
  }
  return null;
}

/** `memory.max` / `memory.high`: bytes, `Infinity` for `max`, NaN for garbage. */
export function parseLimit(text: string): number {
  const t = text.trim();
  if (t === 'max') return Number.POSITIVE_INFINITY;
  return /^\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** `key value` lines (`memory.events`, `memory.stat`) into a map; garbage lines make it null. */
export function parseKeyed(text: string): Map<string, number> | null {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([a-z_0-9]+) (\d+)$/.exec(line);
    if (m === null) return null;
    out.set(m[1], Number(m[2]));
  }
  return out;
}

/**
 * The value of one `key value` line of `memory.stat` (about 40 lines; only one is needed, so no
 * full parse), or NaN when the line is missing or malformed.
 */
export function keyedValue(text: string, key: string): number {
  let at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `);
  if (at < 0) return Number.NaN;
  if (at > 0) at++;
  const start = at + key.length + 1;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const v = text.slice(start, end);
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

/** Options of {@link cgroupSource}. */
export interface CgroupSourceOptions {
  /** Thresholds on `usage / limit` (default `{ low: 0.8, medium: 0.9, critical: 0.97 }`). */
  thresholds?: Partial<LevelThresholds>;
  /** Relative hysteresis margin (default 0.03). */
  margin?: number;
  /** Use `memory.current − inactive_file` as usage (default true). */
  workingSet?: boolean;
  /** From `medium` up, ask for `usage − targetRatio × limit` bytes (default 0.8; in (0, 1]). */
  targetRatio?: number;
  /** PSI thresholds for the cgroup's `memory.pressure`, or `false` not to read it. */
  psi?: PsiThresholdOptions | false;
  /** Use this cgroup directory instead of finding the process's own (no ancestors are watched). */
  dir?: string;
  /** Reader (default: Node's `fs`). */
  readFile?: ReadFile;
  /** Source name (default `cgroup`). */
  name?: string;
}

/** The process's cgroup v2 memory state as a pressure source; see the file comment. */
export class CgroupSource implements PressureSource {
  /** Source name. */
  readonly name: string;
  /** Thresholds on `usage / limit`. */
  readonly thresholds: Readonly<LevelThresholds>;
  /** Relative hysteresis margin. */
  readonly margin: number;
  /** Fraction of the limit reclaim aims for from `medium` up. */
  readonly targetRatio: number;
  private readonly workingSet: boolean;
  private readonly readFile: ReadFile;
  private readonly psi: PsiTracker | null;
  private readonly fixedDir: string | undefined;
  private location: CgroupLocation | null = null;
  private prev: PressureLevel = 'none';
  private readonly events = new Map<string, Map<string, number>>();

  /** Creates the source; throws `ERR_ZS_BAD_ARGUMENT` for bad options. Reads nothing yet. */
  constructor(options: CgroupSourceOptions = {}) {
    options = optionsObject('cgroupSource', options);
    this.name = optName('cgroupSource', options.name, 'cgroup');
    this.margin = orDefault(options.margin, 0.03);
    this.thresholds = checkThresholds(
      'cgroupSource',
      withDefaults(CGROUP_THRESHOLDS, options.thresholds, 'cgroupSource: thresholds'),
      this.margin,
    );
    this.targetRatio = orDefault(options.targetRatio, 0.8);
    if (typeof this.targetRatio !== 'number' || !(this.targetRatio > 0 && this.targetRatio <= 1)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'cgroupSource: targetRatio must be in (0, 1]');
    }
    this.workingSet = optBoolean('cgroupSource', 'workingSet', options.workingSet) ?? true;
    if (options.readFile !== undefined && typeof options.readFile !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'cgroupSource: readFile must be a function');
    }
    this.readFile = options.readFile ?? readProcFile;
    if (
      options.psi !== undefined &&
      options.psi !== false &&
      (options.psi === null || typeof options.psi !== 'object')
    ) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `cgroupSource: psi must be false or PSI thresholds, got ${show(options.psi)}`,
      );
    }
    this.psi = options.psi === false ? null : new PsiTracker('cgroupSource psi', options.psi ?? {});
    if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === '')) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'cgroupSource: dir must be a non-empty path');
    }
    this.fixedDir = options.dir === undefined ? undefined : trimSlash(options.dir);
  }

  /** Where the cgroup is (found on first use and cached unless the failure may pass). */
  locate(): CgroupLocation {
    if (this.location !== null) return this.location;
    const loc = this.fixedDir !== undefined ? this.checkDir(this.fixedDir) : this.discover();
    if (loc.ok || loc.final) this.location = loc;
    return loc;
  }

  /** Reads the cgroup's files and rates them. */
  sample(now: number): PressureSample {
    const loc = this.locate();
    if (!loc.ok) {
      return loc.final
        ? unavailableSample(this.name, now, loc.reason)
        : invalidSample(this.name, now, loc.reason);
    }
    // 1. Limits and the limiting cgroup.
    let best = -1;
    let bestHeadroom = Number.POSITIVE_INFINITY;
    let limit = 0;
    let current = 0;
    let high = Number.POSITIVE_INFINITY;
    let max = Number.POSITIVE_INFINITY;
    for (let i = 0; i < loc.dirs.length; i++) {
      const dir = loc.dirs[i];
      const mx = this.readLimit(`${dir}/memory.max`);
      const hi = this.readLimit(`${dir}/memory.high`);
      if (typeof mx === 'string') return invalidSample(this.name, now, mx);
      if (typeof hi === 'string') return invalidSample(this.name, now, hi);
      const lim = Math.min(mx, hi);
      if (lim === Number.POSITIVE_INFINITY) continue;
      const cur = this.readNumber(`${dir}/memory.current`);
      if (typeof cur === 'string') return invalidSample(this.name, now, cur);
      if (lim - cur < bestHeadroom || best < 0) {
        best = i;
        bestHeadroom = lim - cur;
        limit = lim;
        current = cur;
        high = hi;
        max = mx;
      }
    }
    if (best < 0) {
      return unavailableSample(
        this.name,
        now,
        `no memory.high or memory.max limit on ${loc.dirs[0]}${loc.dirs.length > 1 ? ' or its ancestors' : ''}`,
      );
    }
    const limDir = loc.dirs[best];
    // 2. Working set.
    let usage = current;
    if (this.workingSet) {
      const st = tryRead(this.readFile, `${limDir}/memory.stat`);
      const inactive = st.ok ? keyedValue(st.text, 'inactive_file') : Number.NaN;
      if (inactive >= 0) usage = Math.max(0, current - inactive);
    }
    const ratio = usage / limit;
    const ratioLevel = bandLevel(ratio, this.thresholds, this.prev, this.margin);
    this.prev = ratioLevel;
    let level = ratioLevel;
    let reason = `working set ${fmt(usage)} B is ${fmt(ratio * 100)} % of the ${fmt(limit)} B limit of ${limDir}`;
    // 3. memory.events.
    const figures: Record<string, number> = {
      currentBytes: current,
      workingSetBytes: usage,
      limitBytes: limit,
      highBytes: high,
      maxBytes: max,
      ratio,
      depth: best,
      highEvents: 0,
      maxEvents: 0,
      oomEvents: 0,
    };
    const ev = tryRead(this.readFile, `${limDir}/memory.events`);
    const counts = ev.ok ? parseKeyed(ev.text) : null;
    if (counts !== null) {
      const before = this.events.get(limDir);
      this.events.set(limDir, counts);
      if (before !== undefined) {
        const d = (k: string) => Math.max(0, (counts.get(k) ?? 0) - (before.get(k) ?? 0));
        figures.highEvents = d('high');
        figures.maxEvents = d('max');
        figures.oomEvents = d('oom') + d('oom_kill');
        if (figures.maxEvents > 0 || figures.oomEvents > 0) {
          if (level !== 'critical') {
            level = 'critical';
            reason = `${figures.maxEvents} memory.max and ${figures.oomEvents} oom events in ${limDir} since the last poll`;
          }
        } else if (figures.highEvents > 0 && levelRank(level) < levelRank('medium')) {
          level = 'medium';
          reason = `${figures.highEvents} memory.high events in ${limDir} since the last poll`;
        }
      }
    }
    // 4. memory.pressure of the own cgroup.
    if (this.psi !== null) {
      const pr = tryRead(this.readFile, `${loc.dirs[0]}/memory.pressure`);
      const p = pr.ok ? parsePsi(pr.text) : null;
      if (p !== null && typeof p !== 'string') {
        const reading = this.psi.update(p, now);
        if (typeof reading !== 'string') {
          Object.assign(figures, reading.figures);
          if (levelRank(reading.level) > levelRank(level)) {
            level = reading.level;
            reason = `memory.pressure: ${reading.reason}`;
          }
        }
      } else {
        this.psi.reset();
      }
    }
    const reclaim =
      ratioLevel === 'medium' || ratioLevel === 'critical' ? Math.round(usage - this.targetRatio * limit) : 0;
    return okSample(this.name, now, level, reason, figures, reclaim);
  }

  private discover(): CgroupLocation {
    const pc = tryRead(this.readFile, '/proc/self/cgroup');
    if (!pc.ok) {
      return { ok: false, final: pc.missing || isUnavailableCode(pc.code), reason: pc.reason };
    }
    const parsed = parseProcCgroup(pc.text);
    if ('reason' in parsed) return { ok: false, final: parsed.final, reason: parsed.reason };
    let mount = '/sys/fs/cgroup';
    let root = '/';
    const mi = tryRead(this.readFile, '/proc/self/mountinfo');
    if (mi.ok) {
      const m = parseCgroup2Mount(mi.text);
      if (m === null)
        return { ok: false, final: true, reason: 'cgroup2 is not mounted (no cgroup2 in mountinfo)' };
      mount = trimSlash(m.mount);
      root = m.root;
    }
    let rel = parsed.path;
    if (root !== '/') {
      if (rel !== root && !rel.startsWith(`${root}/`)) {
        return {
          ok: false,
          final: true,
          reason: `own cgroup ${rel} is outside the cgroup2 mount's root ${root}`,
        };
      }
      rel = rel.slice(root.length);
    }
    if (rel.split('/').includes('..')) {
      return { ok: false, final: true, reason: `own cgroup ${parsed.path} is outside this cgroup namespace` };
    }
    const own = trimSlash(`${mount}${rel}`);
    const loc = this.checkDir(own);
    if (!loc.ok) return loc;
    // Ancestors below the mount point (the mount point too when it is a namespace root with limits).
    let dir = own;
    while (dir.length > mount.length) {
      const cut = dir.lastIndexOf('/');
      dir = cut <= 0 ? '/' : dir.slice(0, cut);
      if (dir.length < mount.length) break;
      const mx = tryRead(this.readFile, `${dir}/memory.max`);
      if (mx.ok) loc.dirs.push(dir);
    }
    return { ok: true, dirs: loc.dirs, path: parsed.path, mount };
  }

  private checkDir(dir: string): CgroupLocation {
    const cur = tryRead(this.readFile, `${dir}/memory.current`);
    if (!cur.ok) {
      if (cur.missing) {
        return {
          ok: false,
          final: true,
          reason: `${dir}/memory.current does not exist (memory controller not enabled for this cgroup, or it is the root cgroup)`,
        };
      }
      return { ok: false, final: isUnavailableCode(cur.code), reason: cur.reason };
    }
    return { ok: true, dirs: [dir], path: dir, mount: dir };
  }

  private readLimit(path: string): number | string {
    const r = tryRead(this.readFile, path);
    if (!r.ok) return r.missing ? Number.POSITIVE_INFINITY : r.reason;
    const v = parseLimit(r.text);
    return Number.isNaN(v) ? `${path}: not a limit: ${JSON.stringify(r.text.slice(0, 40))}` : v;
  }

  private readNumber(path: string): number | string {
    const r = tryRead(this.readFile, path);
    if (!r.ok) return r.reason;
    const t = r.text.trim();
    return /^\d+$/.test(t) ? Number(t) : `${path}: not a byte count: ${JSON.stringify(t.slice(0, 40))}`;
  }
}

/** Creates a {@link CgroupSource}. */
export function cgroupSource(options: CgroupSourceOptions = {}): CgroupSource {
  return new CgroupSource(options);
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** mountinfo escapes space, tab, newline and backslash as `\ooo`. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
