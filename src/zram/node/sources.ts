/**
 * Page sources for the zram simulator (Node only): a file cut into 4 KiB pages (a short tail
 * zero-padded), or the private anonymous memory of a live process — the pages the kernel would
 * swap to zram — read through `/proc/PID/maps`, `/proc/PID/pagemap` (only resident or swapped
 * pages; never-touched pages are not memory) and `/proc/PID/mem`. Regions that cannot be read
 * are skipped and counted. Every failure to open a source is one `ERR_ZS_IO` line naming it.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { ZsError, ZsErrorCode } from '../../errors.js';

const PAGE = 4096;
/** Pages per chunk handed to the simulator. */
export const CHUNK_PAGES = 256;

/** A source of pages. */
export interface PageSourceInfo {
  /** What it is, for messages and reports (`file PATH`, `pid N (comm)`). */
  readonly label: string;
  /** Pages it will yield at most. */
  readonly pages: number;
  /** Regions skipped because they could not be read (process sources). */
  skippedRegions: number;
  /** Pages in skipped regions. */
  skippedPages: number;
  /** Chunks of whole pages (at most CHUNK_PAGES each), read synchronously. */
  chunks(): Generator<Uint8Array>;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (e as Error).message;
}

/** A file cut into pages. */
export class FilePageSource implements PageSourceInfo {
  readonly label: string;
  readonly pages: number;
  skippedRegions = 0;
  skippedPages = 0;
  private readonly size: number;

  /** Opens `path` (checked now, so a bad file fails before any work). */
  constructor(private readonly path: string) {
    this.label = `file ${path}`;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new ZsError(ZsErrorCode.IO, `cannot read ${path}: ${reason(e)}`);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new ZsError(ZsErrorCode.IO, `cannot read ${path}: is a directory`);
      this.size = st.size;
    } finally {
      closeSync(fd);
    }
    this.pages = Math.ceil(this.size / PAGE);
  }

  *chunks(): Generator<Uint8Array> {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (e) {
      throw new ZsError(ZsErrorCode.IO, `cannot read ${this.path}: ${reason(e)}`);
    }
    try {
      let pos = 0;
      for (;;) {
        const buf = new Uint8Array(CHUNK_PAGES * PAGE);
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, pos);
        } catch (e) {
          throw new ZsError(ZsErrorCode.IO, `cannot read ${this.path}: ${reason(e)}`);
        }
        if (n === 0) return;
        pos += n;
        // A short tail is zero-padded to a whole page (the buffer is zeroed already).
        yield buf.subarray(0, Math.ceil(n / PAGE) * PAGE);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** One region of /proc/PID/maps. */
interface Region {
  start: number;
  end: number;
  name: string;
}

/** True for the regions whose pages are anonymous and private (swap-backed). */
function isAnonymous(perms: string, name: string): boolean {
  if (perms[0] !== 'r' || perms[3] !== 'p') return false;
  if (name === '' || name === '[heap]' || name.startsWith('[stack') || name.startsWith('[anon:')) return true;
  return false;
}

/** The private anonymous memory of a live process. */
export class ProcessPageSource implements PageSourceInfo {
  readonly label: string;
  readonly pages: number;
  skippedRegions = 0;
  skippedPages = 0;
  /** False when /proc/PID/pagemap could not be read (every page of a region is then taken). */
  readonly residentOnly: boolean;
  /** True when the process exited while it was being read (the rest is counted as skipped). */
  exited = false;
  private readonly regions: Region[];
  private readonly present: Map<number, Uint8Array>;

  /** Reads the maps and pagemap of `pid` now, so a bad PID fails before any work. */
  constructor(private readonly pid: number) {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `--pid must be a positive integer, got ${pid}`);
    }
    const base = `/proc/${pid}`;
    if (!existsSync(base)) throw new ZsError(ZsErrorCode.IO, `no process with PID ${pid}`);
    let maps: string;
    let comm = '?';
    try {
      comm = readFileSync(`${base}/comm`, 'utf8').trim();
      maps = readFileSync(`${base}/maps`, 'utf8');
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.IO,
        `cannot read the memory map of PID ${pid}: ${reason(e)}${ptraceHint()}`,
      );
    }
    this.label = `pid ${pid} (${comm})`;
    this.regions = [];
    for (const line of maps.split('\n')) {
      const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
      if (!m || !isAnonymous(m[3], m[4])) continue;
      this.regions.push({ start: Number.parseInt(m[1], 16), end: Number.parseInt(m[2], 16), name: m[4] });
    }
    try {
      const fd = openSync(`${base}/mem`, 'r');
      closeSync(fd);
    } catch (e) {
      throw new ZsError(ZsErrorCode.IO, `cannot read the memory of PID ${pid}: ${reason(e)}${ptraceHint()}`);
    }
    // pagemap: bit 63 present, bit 62 swapped. Untouched pages are not memory zram would see.
    this.present = new Map();
    let resident = true;
    let total = 0;
    try {
      const fd = openSync(`${base}/pagemap`, 'r');
      try {
        for (const r of this.regions) {
          const n = (r.end - r.start) / PAGE;
          const entries = new Uint8Array(n * 8);
          let got = 0;
          try {
            got = readSync(fd, entries, 0, entries.length, (r.start / PAGE) * 8);
          } catch {
            got = 0;
          }
          const flags = new Uint8Array(n);
          for (let i = 0; i < Math.floor(got / 8); i++) {
            const hi = entries[i * 8 + 7];
            if (hi & 0xc0) {
              flags[i] = 1;
              total++;
            }
          }
          this.present.set(r.start, flags);
        }
      } finally {
        closeSync(fd);
      }
    } catch {
      resident = false;
      this.present.clear();
      total = this.regions.reduce((s, r) => s + (r.end - r.start) / PAGE, 0);
    }
    this.residentOnly = resident;
    this.pages = total;
  }

  *chunks(): Generator<Uint8Array> {
    let fd: number;
    try {
      fd = openSync(`/proc/${this.pid}/mem`, 'r');
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.IO,
        `cannot read the memory of PID ${this.pid}: ${reason(e)}${ptraceHint()}`,
      );
    }
    try {
      let buf = new Uint8Array(CHUNK_PAGES * PAGE);
      let fill = 0;
      const one = new Uint8Array(PAGE);
      for (const r of this.regions) {
        const flags = this.present.get(r.start);
        const n = (r.end - r.start) / PAGE;
        let failed = false;
        for (let i = 0; i < n && !failed; i++) {
          if (flags && !flags[i]) continue;
          let got = 0;
          try {
            got = readSync(fd, one, 0, PAGE, r.start + i * PAGE);
          } catch {
            got = -1;
          }
          if (got !== PAGE) {
            // The process unmapped or changed the region, or it cannot be read: skip the rest.
            if (!existsSync(`/proc/${this.pid}`)) this.exited = true;
            failed = true;
            this.skippedRegions++;
            let left = 0;
            for (let j = i; j < n; j++) if (!flags || flags[j]) left++;
            this.skippedPages += left;
            break;
          }
          buf.set(one, fill * PAGE);
          if (++fill === CHUNK_PAGES) {
            yield buf;
            buf = new Uint8Array(CHUNK_PAGES * PAGE);
            fill = 0;
          }
        }
      }
      if (fill > 0) yield buf.subarray(0, fill * PAGE);
    } finally {
      closeSync(fd);
    }
  }
}

function ptraceHint(): string {
  try {
    const v = readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim();
    if (v !== '0') return ` (ptrace_scope is ${v}: run as the same user with CAP_SYS_PTRACE, or as root)`;
  } catch {
    // no Yama
  }
  return ' (the process must belong to you, or run as root)';
}
