/**
 * ZramSimulator: what zram would do with a stream of pages — each page written to the next
 * index of a {@link ZramDevice} with a kernel profile's pool and an algorithm, then `mm_stat`
 * exactly as that kernel would show it, the compression ratio, what compaction would free, the
 * histogram of stored lengths and the fragmentation of each size class.
 *
 * The device allocates exactly as zram does but keeps no page data (its pool's pages are never
 * touched), so simulating a large process costs little more memory than its per-page tables.
 *
 * With an exact engine (`lz4`, `lzo`, `lzo-rle`: the kernel's own output lengths) and a kernel
 * profile, every figure is the kernel's. Other algorithms run through a counterpart (node:zlib's
 * deflate and zstd, whose framing and parameters differ from the kernel's) and are marked as
 * estimates. A profile that does not offer an algorithm (Linux 6.12 has no lzo) is refused with
 * `ERR_ZS_UNAVAILABLE`, as the kernel refuses it.
 */
import { type Codec, getCodec } from '../codec/codec.js';
import { ZsError, ZsErrorCode } from '../errors.js';
import type { ProfileName } from '../pool/profiles.js';
import { type MmStat, ZramDevice } from './zram-device.js';
import { ZRAM_ALGORITHMS } from './ztrace.js';

/** Algorithms whose engine produces the kernel's exact compressed lengths. */
export const EXACT_ALGORITHMS: readonly string[] = ['lz4', 'lzo', 'lzo-rle'];

/** Width of a bucket of the stored-length histogram, in bytes. */
export const HISTOGRAM_BUCKET = 256;

/** Options of a {@link ZramSimulator}. */
export interface ZramSimOptions {
  /** Algorithm name (a registered codec), e.g. `lz4`. */
  algorithm: string;
  /** Pool profile: `linux-6.1`, `linux-6.12` (kernel-exact) or `default`. */
  profile: ProfileName;
  /** Most pages that will be added (the device's size). */
  capacity: number;
  /** The codec to use instead of the registered one (tests). */
  codec?: Codec;
}

/** One size class in a {@link ZramSimReport}. */
export interface ZramSimClass {
  /** Slot size. */
  size: number;
  /** Pages per zspage. */
  pages_per_zspage: number;
  /** Objects stored. */
  objects: number;
  /** Pages its zspages hold. */
  pages: number;
  /** Bytes of compressed data in it. */
  data_bytes: number;
  /** Bytes of its pages not holding data (slot rounding, free slots, zspage tails). */
  wasted_bytes: number;
  /** `wasted_bytes / (pages × page size)`. */
  fragmentation: number;
  /** Pages compaction would free in this class (`zs_can_compact`). */
  freeable: number;
}

/** What the simulator reports for one algorithm × profile. */
export interface ZramSimReport {
  /** Algorithm. */
  algorithm: string;
  /** Pool profile. */
  profile: ProfileName;
  /** True when every figure is the kernel's (exact engine and a kernel profile). */
  exact: boolean;
  /** Pages written. */
  pages: number;
  /** `mm_stat` after writing them. */
  mm_stat: MmStat;
  /** The same as the kernel's text line. */
  mm_stat_raw: string;
  /** `orig_data_size / mem_used_total` (Infinity when nothing is allocated). */
  ratio: number;
  /** `orig_data_size − mem_used_total`: memory zram saves, in bytes. */
  saved_bytes: number;
  /** Same-filled pages (stored without memory). */
  same_pages: number;
  /** Pages stored uncompressed. */
  huge_pages: number;
  /** `huge_class_size` of the profile: stored lengths from here on are huge. */
  huge_class_size: number;
  /** Pages `echo 1 > compact` would free now. */
  compaction_frees: number;
  /** Pages per stored-length bucket: index i counts lengths in [i·256, (i+1)·256). */
  histogram: number[];
  /** Size classes holding pages, ascending. */
  classes: ZramSimClass[];
}

/** Writes pages to a zram device one after another; see the file comment. */
export class ZramSimulator {
  /** The device written to. */
  readonly device: ZramDevice;
  /** Algorithm. */
  readonly algorithm: string;
  /** Pool profile. */
  readonly profile: ProfileName;
  /** True when every figure is the kernel's. */
  readonly exact: boolean;
  private next = 0;
  private readonly classOf: Uint16Array;
  private readonly classBytes: Float64Array;
  private readonly hist: Float64Array;

  /** Creates the device; `ERR_ZS_UNAVAILABLE` when the profile does not offer the algorithm. */
  constructor(options: ZramSimOptions) {
    const { algorithm, profile } = options;
    const offered = ZRAM_ALGORITHMS[profile];
    if (offered && !offered.includes(algorithm)) {
      throw new ZsError(
        ZsErrorCode.UNAVAILABLE,
        `${profile} zram does not offer ${algorithm} (comp_algorithm: ${offered.join(' ')})`,
      );
    }
    const codec = options.codec ?? getCodec(algorithm);
    this.device = new ZramDevice({
      disksize: Math.max(1, options.capacity) * 4096,
      codec,
      profile,
      shrinkers: null,
      accountOnly: true,
      name: `sim-${algorithm}-${profile}`,
    });
    this.algorithm = algorithm;
    this.profile = profile;
    this.exact = offered !== undefined && EXACT_ALGORITHMS.includes(algorithm) && options.codec === undefined;
    const table = this.device.pool.classTable;
    this.classOf = table.sizeToClass;
    this.classBytes = new Float64Array(table.zsSizeClasses);
    this.hist = new Float64Array(4096 / HISTOGRAM_BUCKET + 1);
  }

  /** Pages written so far. */
  get pages(): number {
    return this.next;
  }

  /** Writes one page (4096 bytes) to the next index. */
  add(page: Uint8Array): void {
    const i = this.next;
    if (i >= this.device.pages) {
      throw new ZsError(ZsErrorCode.OUT_OF_RANGE, `simulator: more than ${this.device.pages} pages added`);
    }
    this.device.write(i, page);
    this.next = i + 1;
    const len = this.device.storedSize(i);
    if (len > 0) {
      this.classBytes[this.classOf[len]] += len;
      this.hist[(len / HISTOGRAM_BUCKET) | 0]++;
    }
  }

  /** The figures now (compaction is predicted, not run). */
  report(): ZramSimReport {
    const d = this.device;
    const m = d.mmStat();
    const stats = d.pool.stats({ classes: true });
    const P = d.pageSize;
    const classes: ZramSimClass[] = [];
    for (const c of stats.classes ?? []) {
      if (c.pages_used === 0) continue;
      const data = this.classBytes[c.class];
      const wasted = c.pages_used * P - data;
      classes.push({
        size: c.size,
        pages_per_zspage: c.pages_per_zspage,
        objects: c.obj_used,
        pages: c.pages_used,
        data_bytes: data,
        wasted_bytes: wasted,
        fragmentation: wasted / (c.pages_used * P),
        freeable: c.freeable,
      });
    }
    return {
      algorithm: this.algorithm,
      profile: this.profile,
      exact: this.exact,
      pages: this.next,
      mm_stat: m,
      mm_stat_raw: d.mmStatText(),
      ratio: m.mem_used_total === 0 ? Number.POSITIVE_INFINITY : m.orig_data_size / m.mem_used_total,
      saved_bytes: m.orig_data_size - m.mem_used_total,
      same_pages: m.same_pages,
      huge_pages: m.huge_pages,
      huge_class_size: d.pool.hugeClassSize,
      compaction_frees: stats.freeable_total,
      histogram: Array.from(this.hist),
      classes,
    };
  }

  /** Releases the device. */
  destroy(): void {
    this.device.destroy();
  }
}

/** A profile the simulator could not run, and why (e.g. the kernel does not offer the algorithm). */
export interface ZramSimSkipped {
  /** Algorithm. */
  algorithm: string;
  /** Pool profile. */
  profile: ProfileName;
  /** One line. */
  error: string;
}

/**
 * One algorithm on several profiles, fed the same chunks of pages (what one worker thread runs).
 * @internal
 */
export class ZramSimGroup {
  private readonly sims: ZramSimulator[] = [];
  /** Profiles refused, with the reason. */
  readonly skipped: ZramSimSkipped[] = [];

  constructor(algorithm: string, profiles: readonly ProfileName[], capacity: number) {
    for (const profile of profiles) {
      try {
        this.sims.push(new ZramSimulator({ algorithm, profile, capacity }));
      } catch (e) {
        if (!(e instanceof ZsError)) throw e;
        this.skipped.push({ algorithm, profile, error: e.message });
      }
    }
  }

  /** Adds every whole page of `chunk` to each profile's device. */
  add(chunk: Uint8Array): void {
    const n = Math.floor(chunk.length / 4096);
    for (const sim of this.sims) {
      for (let i = 0; i < n; i++) sim.add(chunk.subarray(i * 4096, (i + 1) * 4096));
    }
  }

  /** Releases the devices without reports. */
  destroy(): void {
    for (const s of this.sims) s.destroy();
  }

  /** The reports, then the devices are released. */
  finish(): ZramSimReport[] {
    const out = this.sims.map((s) => s.report());
    for (const s of this.sims) s.destroy();
    return out;
  }
}
