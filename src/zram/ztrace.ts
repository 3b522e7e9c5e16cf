/**
 * ZtraceReplayer: replays a zram trace (the `.ztrace` format of the real-kernel zram oracle) on a
 * {@link ZramDevice} and produces a result shaped like the kernel's result files.
 *
 * Commands, one per line: `D FILE` (page data), `z ALG DISKSIZE [LIMIT]` (reset the device,
 * `comp_algorithm`, `mem_limit`, `disksize`, in sysfs syntax), `w IDX PAGE`, `t IDX N` (discard),
 * `r IDX PAGE|-` (read and compare), `c` (`echo 1 > compact`), `s LABEL` (snapshot),
 * `L on|off` (per-write log), `# comment`.
 *
 * A kernel profile offers only what that kernel's zram offers (`comp_algorithm`): Linux 6.1
 * `lzo lzo-rle lz4 lz4hc zstd` (crypto API), Linux 6.12 `lz4 lz4hc zstd deflate` (zram's own
 * backends, no lzo). Selecting another fails with EINVAL (22), as comp_algorithm_store() does;
 * the commands up to the next `z` are then skipped. A write refused by `mem_limit` is logged with
 * errno 5 (EIO: the block layer's error for zram's -ENOMEM) and keeps the page's old contents.
 *
 * This module reads page data through {@link ZtracePageSource}; the Node file reader is in
 * `node/ztrace-file.ts`.
 */
import { type Codec, getCodec, listCodecs } from '../codec/codec.js';
import { ZsError, ZsErrorCode } from '../errors.js';
import type { ProfileName } from '../pool/profiles.js';
import { type IoStat, type MmStat, ZramDevice } from './zram-device.js';

/** `comp_algorithm` of each kernel profile, in the kernel's order (the default in brackets there). */
export const ZRAM_ALGORITHMS: Readonly<Partial<Record<ProfileName, readonly string[]>>> = {
  'linux-6.1': ['lzo', 'lzo-rle', 'lz4', 'lz4hc', 'zstd'],
  'linux-6.12': ['lz4', 'lz4hc', 'zstd', 'deflate'],
};

/** Pages of one data file. */
export interface ZtracePageSource {
  /** Number of whole pages. */
  readonly pages: number;
  /** Copies page `page` into `out` (one page). */
  read(page: number, out: Uint8Array): void;
}

/** Options of a {@link ZtraceReplayer}. */
export interface ZtraceOptions {
  /** Pool profile; `linux-6.1` and `linux-6.12` also restrict the algorithms (default `linux-6.12`). */
  profile?: ProfileName;
  /** Opens a `D FILE` data file. */
  open: (file: string) => ZtracePageSource;
  /** Trace name in the result. */
  trace?: string;
  /** The codec for an algorithm name (default: the registered codec of that name). */
  codec?: (alg: string) => Codec;
}

/** `io_stat` as the kernel prints it (6.x: `invalid_io` is always 0 here). */
export interface ZtraceIoStat extends IoStat {
  /** Requests outside the device or misaligned (never produced by a trace). */
  invalid_io: number;
}

/** One event of the result: `z` (reset), `s` (snapshot) or `c` (compaction). */
export interface ZtraceEvent {
  /** `z`, `s` or `c`. */
  kind: 'z' | 's' | 'c';
  /** 1-based line of the command. */
  line: number;
  /** The snapshot's label ('' for others). */
  label: string;
  /** `z`: the algorithm asked for. */
  alg?: string;
  /** `z`: DISKSIZE as written in the trace. */
  disksize?: string;
  /** `z`: LIMIT as written in the trace ('' when none). */
  mem_limit_arg?: string;
  /** `z`: errno of a refused algorithm (22). */
  alg_errno?: number;
  /** `z`: true when the algorithm was refused and the commands up to the next `z` skipped. */
  skipped?: boolean;
  /** `s`: writes since the last `z`. */
  writes_so_far?: number;
  /** `c`: mm_stat before compaction. */
  mm_stat_before?: MmStat;
  /** `c`: mm_stat before compaction, as text. */
  mm_stat_before_raw?: string;
  /** mm_stat after the command. */
  mm_stat?: MmStat;
  /** mm_stat as the kernel's text. */
  mm_stat_raw?: string;
  /** io_stat after the command. */
  io_stat?: ZtraceIoStat;
  /** io_stat as the kernel's text. */
  io_stat_raw?: string;
}

/** One logged write. */
export interface ZtraceWrite {
  /** 1-based line. */
  line: number;
  /** Device page written. */
  idx: number;
  /** Data page written. */
  page: number;
  /** Bytes stored: the compressed length, the page size when huge, 0 when same-filled or failed. */
  len: number;
  /** 1 when same-filled. */
  same: number;
  /** 1 when stored uncompressed. */
  huge: number;
  /** errno of the write: 0, or 5 (EIO) when refused by `mem_limit`. */
  err: number;
  /** `mem_used_total` in pages right after the write. */
  mem_pages: number;
}

/** Command counts of a replay. */
export interface ZtraceCounts {
  /** `w` commands run. */
  writes: number;
  /** `w` commands logged. */
  writes_logged: number;
  /** `w` commands that failed. */
  write_errors: number;
  /** `t` commands run. */
  discards: number;
  /** `r` commands run. */
  reads: number;
  /** `r` commands that failed. */
  read_errors: number;
  /** Commands skipped after a refused algorithm. */
  skipped_cmds: number;
}

/** The result of a replay, shaped like the kernel oracle's result files. */
export interface ZtraceResult {
  /** Trace name. */
  trace: string;
  /** Pool profile used. */
  profile: ProfileName;
  /** Algorithms this profile offers (every registered codec for non-kernel profiles). */
  algorithms_available: string[];
  /** Command counts. */
  counts: ZtraceCounts;
  /** `r` commands whose page did not read back as expected. */
  read_mismatches: number;
  /** Their lines. */
  read_mismatch_lines: number[];
  /** `z`, `s` and `c` events in trace order. */
  events: ZtraceEvent[];
  /** Logged writes in order. */
  writes: ZtraceWrite[];
}

const EINVAL = 22;
const EIO = 5;

/** Replays a ztrace line by line; see the file comment. */
export class ZtraceReplayer {
  private readonly profile: ProfileName;
  private readonly open: (file: string) => ZtracePageSource;
  private readonly codecOf: (alg: string) => Codec;
  private readonly offered: readonly string[] | undefined;
  private readonly result: ZtraceResult;
  private device: ZramDevice | null = null;
  private source: ZtracePageSource | null = null;
  private skipping = false;
  private log = false;
  private writesSinceReset = 0;
  private lineNo = 0;
  private readonly page = new Uint8Array(4096);
  private readonly got = new Uint8Array(4096);

  /** Creates a replayer; throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: ZtraceOptions) {
    if (options === null || typeof options !== 'object' || typeof options.open !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'ZtraceReplayer needs options with an open(file) function');
    }
    this.profile = options.profile ?? 'linux-6.12';
    this.offered = ZRAM_ALGORITHMS[this.profile];
    this.open = options.open;
    this.codecOf = options.codec ?? getCodec;
    this.result = {
      trace: options.trace ?? '',
      profile: this.profile,
      algorithms_available: this.offered ? [...this.offered] : listCodecs().available,
      counts: {
        writes: 0,
        writes_logged: 0,
        write_errors: 0,
        discards: 0,
        reads: 0,
        read_errors: 0,
        skipped_cmds: 0,
      },
      read_mismatches: 0,
      read_mismatch_lines: [],
      events: [],
      writes: [],
    };
  }

  /** Lines read so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Runs one line; a malformed line throws `ERR_ZS_BAD_TRACE` naming its number. */
  line(text: string): void {
    this.lineNo++;
    const t = text.trim();
    if (t === '' || t[0] === '#') return;
    const f = t.split(/\s+/);
    const op = f[0];
    if (op === 'D') {
      if (f.length !== 2) this.bad('expected D FILE');
      this.source = this.open(f[1]);
      return;
    }
    if (op === 'z') {
      this.reset(f);
      return;
    }
    if (op === 'L') {
      if (f.length !== 2 || (f[1] !== 'on' && f[1] !== 'off')) this.bad('expected L on|off');
      this.log = f[1] === 'on';
      return;
    }
    if (this.skipping) {
      this.result.counts.skipped_cmds++;
      return;
    }
    const dev = this.device ?? this.bad(`${op} before the first z`);
    switch (op) {
      case 'w':
        this.write(dev, f);
        return;
      case 't': {
        if (f.length !== 3) this.bad('expected t IDX N');
        const idx = this.int(f[1], dev.pages - 1);
        dev.discard(idx, this.int(f[2], dev.pages - idx));
        this.result.counts.discards++;
        return;
      }
      case 'r':
        this.read(dev, f);
        return;
      case 'c': {
        const before = dev.mmStat();
        const beforeRaw = dev.mmStatText();
        dev.compact();
        this.result.events.push({
          kind: 'c',
          line: this.lineNo,
          label: '',
          mm_stat_before: before,
          mm_stat_before_raw: beforeRaw,
          ...this.stats(dev),
        });
        return;
      }
      case 's':
        this.result.events.push({
          kind: 's',
          line: this.lineNo,
          label: f.slice(1).join(' '),
          writes_so_far: this.writesSinceReset,
          ...this.stats(dev),
        });
        return;
      default:
        this.bad(`unknown command ${JSON.stringify(op)}`);
    }
  }

  /** Ends the replay: releases the device and returns the result. */
  finish(): ZtraceResult {
    this.device?.destroy();
    this.device = null;
    return this.result;
  }

  /** Releases the device without a result (after an error). */
  abort(): void {
    this.device?.destroy();
    this.device = null;
  }

  private reset(f: string[]): void {
    if (f.length !== 3 && f.length !== 4) this.bad('expected z ALG DISKSIZE [LIMIT]');
    this.device?.destroy();
    this.device = null;
    this.writesSinceReset = 0;
    const alg = f[1];
    const disksizeArg = f[2];
    const limitArg = f[3] ?? '';
    const event: ZtraceEvent = {
      kind: 'z',
      line: this.lineNo,
      label: '',
      alg,
      disksize: disksizeArg,
      mem_limit_arg: limitArg,
    };
    this.result.events.push(event);
    // comp_algorithm_store(): an algorithm this kernel does not offer is -EINVAL.
    if (this.offered && !this.offered.includes(alg)) {
      event.alg_errno = EINVAL;
      event.skipped = true;
      this.skipping = true;
      return;
    }
    this.skipping = false;
    // disksize_store(): memparse, then PAGE_ALIGN; mem_limit_store(): memparse (pages rounded up).
    const disksize = Math.ceil(memparse(disksizeArg, this) / 4096) * 4096;
    if (disksize === 0) this.bad('DISKSIZE must be positive');
    const memLimit = limitArg === '' ? 0 : memparse(limitArg, this);
    this.device = new ZramDevice({
      disksize,
      memLimit,
      codec: this.codecOf(alg),
      profile: this.profile,
      name: 'zram0',
      shrinkers: null,
    });
    Object.assign(event, this.stats(this.device));
  }

  private write(dev: ZramDevice, f: string[]): void {
    if (f.length !== 3) this.bad('expected w IDX PAGE');
    const idx = this.int(f[1], dev.pages - 1);
    const src = this.source ?? this.bad('w before any D FILE');
    const pg = this.int(f[2], src.pages - 1);
    src.read(pg, this.page);
    let err = 0;
    try {
      dev.write(idx, this.page);
    } catch (e) {
      if (!(e instanceof ZsError) || e.code !== ZsErrorCode.LIMIT) throw e;
      err = EIO;
    }
    const counts = this.result.counts;
    counts.writes++;
    this.writesSinceReset++;
    if (err !== 0) counts.write_errors++;
    if (!this.log) return;
    counts.writes_logged++;
    const kind = err === 0 ? dev.slotKind(idx) : 'empty';
    this.result.writes.push({
      line: this.lineNo,
      idx,
      page: pg,
      len: err === 0 ? dev.storedSize(idx) : 0,
      same: kind === 'same' ? 1 : 0,
      huge: kind === 'huge' ? 1 : 0,
      err,
      mem_pages: dev.pool.totalPages(),
    });
  }

  private read(dev: ZramDevice, f: string[]): void {
    if (f.length !== 3) this.bad('expected r IDX PAGE|-');
    const idx = this.int(f[1], dev.pages - 1);
    if (f[2] === '-') {
      this.page.fill(0);
    } else {
      const src = this.source ?? this.bad('r before any D FILE');
      src.read(this.int(f[2], src.pages - 1), this.page);
    }
    this.result.counts.reads++;
    try {
      dev.read(idx, this.got);
    } catch (e) {
      if (!(e instanceof ZsError)) throw e;
      this.result.counts.read_errors++;
      this.mismatch();
      return;
    }
    const a = this.page;
    const b = this.got;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        this.mismatch();
        return;
      }
    }
  }

  private mismatch(): void {
    this.result.read_mismatches++;
    this.result.read_mismatch_lines.push(this.lineNo);
  }

  private stats(dev: ZramDevice): Pick<ZtraceEvent, 'mm_stat' | 'mm_stat_raw' | 'io_stat' | 'io_stat_raw'> {
    const io = dev.ioStat();
    return {
      mm_stat: dev.mmStat(),
      mm_stat_raw: dev.mmStatText(),
      io_stat: {
        failed_reads: io.failed_reads,
        failed_writes: io.failed_writes,
        invalid_io: 0,
        notify_free: io.notify_free,
      },
      io_stat_raw: dev.ioStatText(),
    };
  }

  private int(s: string, max: number): number {
    if (!/^\d+$/.test(s)) this.bad(`expected a non-negative integer, got ${JSON.stringify(s)}`);
    const v = Number(s);
    if (v > max) this.bad(`${v} is out of range (at most ${max})`);
    return v;
  }

  /** @internal */
  bad(message: string): never {
    throw new ZsError(ZsErrorCode.BAD_TRACE, `line ${this.lineNo}: ${message}`);
  }
}

/**
 * The kernel's memparse() (lib/cmdline.c): a number in C syntax (decimal, `0x` hex, leading-0
 * octal) with an optional K/M/G/T/P/E suffix (either case), e.g. `64M`.
 */
export function memparse(s: string, where: { bad(m: string): never }): number {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKmMgGtTpPeE]?)$/.exec(s);
  if (!m) return where.bad(`expected a size like 64M, got ${JSON.stringify(s)}`);
  const n = m[1];
  let v = /^0[xX]/.test(n)
    ? Number.parseInt(n.slice(2), 16)
    : n.length > 1 && n[0] === '0'
      ? Number.parseInt(n, 8)
      : Number(n);
  const shift = { '': 0, k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[m[2].toLowerCase()] ?? 0;
  v *= 2 ** shift;
  if (!Number.isSafeInteger(v)) return where.bad(`size ${s} is too large`);
  return v;
}
