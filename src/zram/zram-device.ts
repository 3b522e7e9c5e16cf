/**
 * ZramDevice: a page-indexed compressed RAM disk, as the kernel's zram, on a ZsPool.
 *
 * Write path (drivers/block/zram/zram_drv.c zram_write_page(), Linux 6.1 and 6.12): a page of one
 * repeated 8-byte word is stored without any allocation (`same_pages`); otherwise it is
 * compressed, and if the compressed length would reach `huge_class_size` the page is stored as it
 * is (`huge_pages`, `huge_pages_since`). The object is allocated *before* the old one is freed,
 * `mem_used_max` is updated, and the limit is checked after allocating against the pool's total
 * pages, as zram does: a write over `mem_limit` fails with `ERR_ZS_LIMIT` (-ENOMEM) and the index
 * keeps its old contents. A codec failure also leaves the old contents.
 *
 * Per page the device keeps, in typed arrays (no JS object per page): the handle, the stored
 * length, flags (same / huge) and the 8-byte fill word of same-filled pages — 21 bytes per page.
 *
 * Stats mirror `/sys/block/zram0/mm_stat` (nine columns, same text format) and `io_stat`.
 * `compact()` is the sysfs knob; the pool's shrinker also compacts the device under pressure.
 *
 * Writeback (`CONFIG_ZRAM_WRITEBACK`): with a {@link BackingStore}, `markIdle()` flags every
 * stored page idle (any access clears it) and `writeback('idle' | 'huge' | 'huge_idle')` moves
 * matching pages, decompressed, to the backing store and frees their objects; such pages are read
 * from the store from then on. `bd_stat` counts pages on the store, reads and writes.
 */
import { type Codec, getCodec } from '../codec/codec.js';
import { checkInt, codecError, destroyedErrorFor, ENOMEM, show, ZsError, ZsErrorCode } from '../errors.js';
import { createPool, type ZsPool } from '../pool/pool.js';
import type { ProfileName } from '../pool/profiles.js';
import type { ShrinkerRegistry } from '../shrinker/registry.js';
import type { BackingStore } from './backing.js';

/** Options of a {@link ZramDevice}. */
export interface ZramOptions {
  /** Size of the device in bytes (a multiple of the page size). Required. */
  disksize: number;
  /** Bytes per page: 4096 (default), 16384 or 65536. */
  pageSize?: number;
  /** Compression: a codec or a registered codec name (default `lz4`). */
  codec?: Codec | string;
  /** `mem_limit` in bytes (0 = none, the default); rounded up to pages, as zram does. */
  memLimit?: number;
  /** Pool profile (default `default`; `linux-6.12` for the kernel's exact class table). */
  profile?: ProfileName;
  /** Device name, also the pool's (default `zram0`, `zram1`, … in creation order). */
  name?: string;
  /** Registry for the pool's shrinker (default: the process-wide one; `null` for none). */
  shrinkers?: ShrinkerRegistry | null;
  /** Where `writeback()` puts pages (the `backing_dev`); its page size must match. */
  backing?: BackingStore;
  /**
   * Allocate exactly as zram does but keep no data (the simulator: every figure is the same,
   * the pool's pages are never touched, reads are `ERR_ZS_BAD_STATE`). Default false.
   * @internal
   */
  accountOnly?: boolean;
}

/** The columns of `/sys/block/zramX/bd_stat`, in pages. */
export interface BdStat {
  /** Pages currently on the backing store. */
  bd_count: number;
  /** Pages read from it. */
  bd_reads: number;
  /** Pages written to it. */
  bd_writes: number;
}

/** What a device page holds; see {@link ZramDevice.slotKind}. */
export type SlotKind = 'empty' | 'same' | 'huge' | 'compressed' | 'backing';

/** Which pages `writeback` moves: idle ones, huge ones, or pages both huge and idle. */
export type WritebackMode = 'idle' | 'huge' | 'huge_idle';

/** The nine columns of `/sys/block/zramX/mm_stat`. */
export interface MmStat {
  /** Bytes of data stored, before compression (same-filled pages included). */
  orig_data_size: number;
  /** Bytes after compression (huge pages count a page, same-filled pages 0). */
  compr_data_size: number;
  /** Bytes of pages the pool uses (`zs_get_total_pages` × page size). */
  mem_used_total: number;
  /** `mem_limit` in bytes (0 = none). */
  mem_limit: number;
  /** Highest `mem_used_total` seen since creation or the last `resetMemUsedMax()`. */
  mem_used_max: number;
  /** Pages stored as one repeated 8-byte word, with no allocation. */
  same_pages: number;
  /** Pages freed by compaction since creation. */
  pages_compacted: number;
  /** Incompressible pages stored as they are, now. */
  huge_pages: number;
  /** Incompressible pages stored since creation. */
  huge_pages_since: number;
}

/** The columns of `/sys/block/zramX/io_stat` (6.x). */
export interface IoStat {
  /** Reads that failed. */
  failed_reads: number;
  /** Writes that failed (limit reached, codec failure). */
  failed_writes: number;
  /** Pages named by `discard` requests (every page of the range, stored or not). */
  notify_free: number;
}

const SAME = 1;
const HUGE = 2;
/** On the backing store; `handle` holds slot + 1. */
const WB = 4;
const IDLE = 8;

/** A compressed RAM disk; see the file comment. */
export class ZramDevice {
  /** Device name. */
  readonly name: string;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Pages on the device. */
  readonly pages: number;
  /** Device size in bytes. */
  readonly disksize: number;
  /** The codec in use. */
  readonly codec: Codec;
  /** The pool holding the compressed pages. */
  readonly pool: ZsPool;
  private handle: Float64Array;
  private length: Int32Array;
  private flags: Uint8Array;
  private fill: Uint32Array;
  private readonly scratch: Uint8Array;
  /** `scratch` up to `huge_class_size − 1`: output that does not fit is a huge page. */
  private readonly compressDst: Uint8Array;
  private readonly check: Uint32Array;
  private limitPages = 0;
  private maxUsedPages = 0;
  private pagesStored = 0;
  private comprBytes = 0;
  private samePages = 0;
  private hugePages = 0;
  private hugeSince = 0;
  private failedReads = 0;
  private failedWrites = 0;
  private notifyFree = 0;
  private destroyed = false;
  private readonly accountOnly: boolean;
  private readonly backing: BackingStore | null;
  private readonly bdFree: Int32Array;
  private bdFreeCount = 0;
  private bdReads = 0;
  private bdWrites = 0;

  /**
   * Creates a device; throws `ERR_ZS_BAD_ARGUMENT` for bad options, `ERR_ZS_UNAVAILABLE` for a
   * missing codec, `ERR_ZS_LIMIT` when the per-page tables cannot be allocated. Everything is
   * validated and allocated before the pool (and its shrinker) is created, so a failed
   * construction leaves nothing registered.
   */
  constructor(options: ZramOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'ZramDevice needs options with a disksize');
    }
    const pageSize = options.pageSize === undefined ? 4096 : options.pageSize;
    if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `pageSize must be 4096, 16384 or 65536, got ${show(options.pageSize)}`,
      );
    }
    const disksize = checkInt('disksize', options.disksize, 1, 2 ** 46);
    if (disksize % pageSize !== 0) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `disksize ${disksize} is not a multiple of the page size ${pageSize}`,
      );
    }
    const memLimit = checkInt(
      'memLimit',
      options.memLimit === undefined ? 0 : options.memLimit,
      0,
      Number.MAX_SAFE_INTEGER,
    );
    this.codec = resolveCodec(options.codec);
    const backing = options.backing ?? null;
    if (backing !== null) checkBacking(backing, pageSize);
    const pages = disksize / pageSize;
    const slots = backing ? backing.slots : 0;
    try {
      this.handle = new Float64Array(pages);
      this.length = new Int32Array(pages);
      this.flags = new Uint8Array(pages);
      this.fill = new Uint32Array(pages * 2);
      this.bdFree = new Int32Array(slots);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `disksize ${disksize}: cannot allocate the tables for ${pages} pages (${(e as Error).message})`,
        ENOMEM,
      );
    }
    // zram0, zram1, … as the kernel numbers its devices (a failed construction takes no number).
    const name = options.name ?? `zram${deviceCounter}`;
    this.pool = createPool({
      name,
      pageSize,
      profile: options.profile ?? 'default',
      shrinkers: options.shrinkers,
    });
    if (options.name === undefined) deviceCounter++;
    this.name = name;
    this.pageSize = pageSize;
    this.disksize = disksize;
    this.pages = pages;
    this.scratch = new Uint8Array(pageSize);
    this.compressDst = this.scratch.subarray(0, this.pool.hugeClassSize - 1);
    this.check = new Uint32Array(pageSize / 4);
    this.limitPages = Math.ceil(memLimit / pageSize);
    this.backing = backing;
    this.accountOnly = options.accountOnly === true;
    for (let i = slots - 1; i >= 0; i--) this.bdFree[this.bdFreeCount++] = i;
  }

  /** Sets `mem_limit` in bytes (0 = none); rounded up to whole pages, as zram does. */
  setMemLimit(bytes: number): void {
    if (this.destroyed) throw destroyedError('setMemLimit');
    checkInt('memLimit', bytes, 0, Number.MAX_SAFE_INTEGER);
    this.limitPages = Math.ceil(bytes / this.pageSize);
  }

  /** `echo 0 > mem_used_max`: restarts the maximum from the current use. */
  resetMemUsedMax(): void {
    if (this.destroyed) throw destroyedError('resetMemUsedMax');
    this.maxUsedPages = this.pool.totalPages();
  }

  /**
   * Stores `page` (exactly one page of bytes) at `index`. Throws `ERR_ZS_LIMIT` (errno -ENOMEM)
   * when `mem_limit` would be exceeded, `ERR_ZS_CODEC` if compression fails; either way the index
   * keeps its previous contents.
   */
  write(index: number, page: Uint8Array): void {
    this.checkIndex(index, 'write');
    if (!(page instanceof Uint8Array) || page.length !== this.pageSize) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `write: page must be a Uint8Array of ${this.pageSize} bytes, got ${show(page)}`,
      );
    }
    if (this.sameFilled(page)) {
      this.freeSlot(index);
      this.flags[index] = SAME;
      this.fill[2 * index] = this.check[0];
      this.fill[2 * index + 1] = this.check[1];
      this.samePages++;
      this.pagesStored++;
      return;
    }
    const pool = this.pool;
    let clen: number;
    try {
      // Compress into a buffer just short of the huge threshold: anything that does not fit is huge.
      clen = this.codec.compress(page, this.compressDst);
    } catch (e) {
      this.failedWrites++;
      throw codecError(e, 'write', this.codec.name);
    }
    const huge = clen < 0;
    const len = huge ? this.pageSize : clen;
    const h = pool.malloc(len);
    // zram_write_page (6.1: __zram_bvec_write; 6.12: zram_can_store_page): mem_used_max is
    // updated from the pool's total *before* the limit check, so a refused write still raises it.
    const used = pool.totalPages();
    if (used > this.maxUsedPages) this.maxUsedPages = used;
    if (this.limitPages !== 0 && used > this.limitPages) {
      pool.free(h);
      this.failedWrites++;
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `write: ${this.name} mem_limit of ${this.limitPages * this.pageSize} bytes reached`,
        ENOMEM,
      );
    }
    if (!this.accountOnly) pool.write(h, huge ? page : this.scratch.subarray(0, clen));
    this.freeSlot(index);
    this.handle[index] = h;
    this.length[index] = len;
    this.flags[index] = huge ? HUGE : 0;
    this.comprBytes += len;
    this.pagesStored++;
    if (huge) {
      this.hugePages++;
      this.hugeSince++;
    }
  }

  /** Reads the page at `index` into `out` (one page). A page never written reads as zeros. */
  read(index: number, out: Uint8Array): void {
    this.checkIndex(index, 'read');
    if (!(out instanceof Uint8Array) || out.length !== this.pageSize) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `read: out must be a Uint8Array of ${this.pageSize} bytes, got ${show(out)}`,
      );
    }
    if (this.accountOnly) {
      throw new ZsError(ZsErrorCode.BAD_STATE, `read: ${this.name} keeps no data (accountOnly)`);
    }
    const f = this.flags[index];
    if (f & IDLE) this.flags[index] = f & ~IDLE;
    this.readPage(index, f, out);
  }

  private readPage(index: number, f: number, out: Uint8Array): void {
    if (f & SAME) {
      this.fillPage(out, this.fill[2 * index], this.fill[2 * index + 1]);
      return;
    }
    if (f & WB) {
      // drivers/block/zram/zram_drv.c read_from_bdev() counts bd_reads before the read, and a
      // failed read counts failed_reads (zram_bvec_rw() on 6.1, zram_bio_read() on 6.12).
      this.bdReads++;
      try {
        this.backing!.read(this.handle[index] - 1, out);
      } catch (e) {
        this.failedReads++;
        throw ioError(`read: ${this.name} page ${index} from the backing store`, e);
      }
      return;
    }
    const h = this.handle[index];
    if (h === 0) {
      out.fill(0);
      return;
    }
    if (f & HUGE) {
      this.pool.readInto(h, out);
      return;
    }
    const len = this.length[index];
    this.pool.readInto(h, this.scratch);
    try {
      this.codec.decompress(this.scratch.subarray(0, len), out);
    } catch (e) {
      this.failedReads++;
      throw codecError(e, 'read', this.codec.name);
    }
  }

  /**
   * Frees `count` pages from `first` (REQ_OP_DISCARD on whole pages); they then read as zeros.
   * Every page of the range counts in `notify_free`, empty or not, as zram_bio_discard() counts
   * it (drivers/block/zram/zram_drv.c, Linux 6.1 and 6.12).
   */
  discard(first: number, count: number): void {
    this.checkIndex(first, 'discard');
    checkInt('count', count, 0, this.pages - first);
    for (let i = first; i < first + count; i++) {
      if (this.flags[i] & (SAME | WB) || this.handle[i] !== 0) this.freeSlot(i);
      this.notifyFree++;
    }
  }

  /** Frees every page (the `reset` knob); the device stays usable, statistics start over. */
  reset(): void {
    if (this.destroyed) throw destroyedError('reset');
    for (let i = 0; i < this.pages; i++) this.freeSlot(i);
    this.handle.fill(0);
    this.length.fill(0);
    this.flags.fill(0);
    this.bdReads = 0;
    this.bdWrites = 0;
    this.pagesStored = 0;
    this.comprBytes = 0;
    this.samePages = 0;
    this.hugePages = 0;
    this.hugeSince = 0;
    this.failedReads = 0;
    this.failedWrites = 0;
    this.notifyFree = 0;
    this.pool.trim();
    this.maxUsedPages = this.pool.totalPages();
  }

  /** The `compact` knob: `zs_compact`, then the memory goes back to the OS. Returns pages freed. */
  compact(): number {
    if (this.destroyed) throw destroyedError('compact');
    return this.pool.compact().pagesFreed;
  }

  /** `mm_stat` as numbers. */
  mmStat(): MmStat {
    const s = this.pool.stats({ classes: false });
    const P = this.pageSize;
    return {
      orig_data_size: this.pagesStored * P,
      compr_data_size: this.comprBytes,
      mem_used_total: s.total_pages * P,
      mem_limit: this.limitPages * P,
      mem_used_max: this.maxUsedPages * P,
      same_pages: this.samePages,
      pages_compacted: s.pages_compacted,
      huge_pages: this.hugePages,
      huge_pages_since: this.hugeSince,
    };
  }

  /** `mm_stat` in the kernel's one-line text form (`%8llu` columns separated by spaces). */
  mmStatText(): string {
    const m = this.mmStat();
    const cols = [
      m.orig_data_size,
      m.compr_data_size,
      m.mem_used_total,
      m.mem_limit,
      m.mem_used_max,
      m.same_pages,
      m.pages_compacted,
      m.huge_pages,
      m.huge_pages_since,
    ];
    return `${cols.map((c) => String(c).padStart(8)).join(' ')}\n`;
  }

  /** `io_stat` as numbers. */
  ioStat(): IoStat {
    return { failed_reads: this.failedReads, failed_writes: this.failedWrites, notify_free: this.notifyFree };
  }

  /** `io_stat` in the kernel's text form (6.x: the third column is always 0). */
  ioStatText(): string {
    const s = this.ioStat();
    return `${String(s.failed_reads).padStart(8)} ${String(s.failed_writes).padStart(8)} 0 ${String(s.notify_free).padStart(8)}\n`;
  }

  /** True when `index` holds data (written and not discarded). */
  has(index: number): boolean {
    this.checkIndex(index, 'has');
    return (this.flags[index] & (SAME | WB)) !== 0 || this.handle[index] !== 0;
  }

  /**
   * What page `index` holds: `empty`, `same` (same-filled, no allocation), `huge` (stored
   * uncompressed), `compressed`, or `backing` (written back). See {@link storedSize} for its size.
   */
  slotKind(index: number): SlotKind {
    this.checkIndex(index, 'slotKind');
    const f = this.flags[index];
    if (f & SAME) return 'same';
    if (f & WB) return 'backing';
    if (this.handle[index] === 0) return 'empty';
    return f & HUGE ? 'huge' : 'compressed';
  }

  /**
   * Bytes page `index` takes in the pool (zram_get_obj_size(): the compressed length, the page
   * size for a huge page, 0 for an empty, same-filled or written-back page).
   */
  storedSize(index: number): number {
    this.checkIndex(index, 'storedSize');
    return this.flags[index] & (SAME | WB) ? 0 : this.length[index];
  }

  /** `echo all > idle`: flags every stored page idle; reading or writing a page clears its flag. */
  markIdle(): number {
    if (this.destroyed) throw destroyedError('markIdle');
    let n = 0;
    for (let i = 0; i < this.pages; i++) {
      if (this.flags[i] & (SAME | WB) || this.handle[i] !== 0) {
        this.flags[i] |= IDLE;
        n++;
      }
    }
    return n;
  }

  /**
   * `echo idle|huge|huge_idle > writeback`: moves matching in-memory pages (decompressed) to the
   * backing store, at most `limit` of them (a non-negative integer, or `Infinity`, the default),
   * and frees their objects. Same-filled pages are never written back. Returns the pages written;
   * stops early when the store is full. When the store fails (a full disk, an I/O error) the
   * pages already moved stay moved and readable, the failing page stays in memory, and a
   * {@link WritebackError} (`ERR_ZS_IO`) reports how many pages were written.
   */
  writeback(mode: WritebackMode, limit = Number.POSITIVE_INFINITY): number {
    if (this.destroyed) throw destroyedError('writeback');
    if (mode !== 'idle' && mode !== 'huge' && mode !== 'huge_idle') {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `writeback: mode must be idle, huge or huge_idle, got ${show(mode)}`,
      );
    }
    if (limit !== Number.POSITIVE_INFINITY) checkInt('writeback: limit', limit, 0, Number.MAX_SAFE_INTEGER);
    if (!this.backing || this.accountOnly)
      throw new ZsError(
        ZsErrorCode.BAD_STATE,
        `writeback: ${this.name} ${this.accountOnly ? 'keeps no data' : 'has no backing store'}`,
      );
    const want = mode === 'idle' ? IDLE : mode === 'huge' ? HUGE : HUGE | IDLE;
    const page = new Uint8Array(this.pageSize);
    let n = 0;
    for (let i = 0; i < this.pages && n < limit && this.bdFreeCount > 0; i++) {
      const f = this.flags[i];
      if ((f & want) !== want || f & (SAME | WB) || this.handle[i] === 0) continue;
      this.readPage(i, f, page);
      const slot = this.bdFree[--this.bdFreeCount];
      try {
        this.backing.write(slot, page);
      } catch (e) {
        this.bdFree[this.bdFreeCount++] = slot;
        throw new WritebackError(
          `writeback: ${this.name} page ${i}: ${errorText(e)}; ${n} page${n === 1 ? '' : 's'} written before`,
          n,
        );
      }
      this.bdWrites++;
      // zram_free_page, then the slot points at the store (pages_stored is unchanged).
      this.freeSlot(i);
      this.pagesStored++;
      this.flags[i] = WB;
      this.handle[i] = slot + 1;
      n++;
    }
    return n;
  }

  /** `bd_stat` in pages. */
  bdStat(): BdStat {
    const slots = this.backing ? this.backing.slots : 0;
    return { bd_count: slots - this.bdFreeCount, bd_reads: this.bdReads, bd_writes: this.bdWrites };
  }

  /** `bd_stat` in the kernel's text form (counts in 4 KiB units, `%8llu` columns). */
  bdStatText(): string {
    const s = this.bdStat();
    const k = this.pageSize / 4096;
    return `${[s.bd_count, s.bd_reads, s.bd_writes].map((v) => String(v * k).padStart(8)).join(' ')}\n`;
  }

  /** Releases everything; the device is unusable afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pool.destroy();
    this.backing?.close();
    this.handle = new Float64Array(0);
    this.length = new Int32Array(0);
    this.flags = new Uint8Array(0);
    this.fill = new Uint32Array(0);
  }

  private checkIndex(index: number, op: string): void {
    if (this.destroyed) throw destroyedError(op);
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= this.pages) {
      throw new ZsError(
        ZsErrorCode.OUT_OF_RANGE,
        `${op}: index ${show(index)} is outside 0..${this.pages - 1}`,
      );
    }
  }

  /**
   * True when `page` is one 8-byte word repeated (page_same_filled(), drivers/block/zram/zram_drv.c,
   * Linux 6.1 and 6.12: the last word first, then every word); leaves the word in `check[0..1]`.
   * Compares bytes against the first eight, so no view is allocated per page; most pages differ
   * within the first words.
   */
  private sameFilled(page: Uint8Array): boolean {
    const n = page.length;
    for (let i = n - 8; i < n; i++) if (page[i] !== page[i & 7]) return false;
    for (let i = 8; i < n - 8; i++) if (page[i] !== page[i & 7]) return false;
    this.check[0] = page[0] | (page[1] << 8) | (page[2] << 16) | (page[3] << 24);
    this.check[1] = page[4] | (page[5] << 8) | (page[6] << 16) | (page[7] << 24);
    return true;
  }

  private fillPage(out: Uint8Array, a: number, b: number): void {
    if (a === b && (a & 0xff) * 0x01010101 === a) {
      out.fill(a & 0xff);
      return;
    }
    const tmp = this.check;
    for (let i = 0; i < tmp.length; i += 2) {
      tmp[i] = a;
      tmp[i + 1] = b;
    }
    out.set(new Uint8Array(tmp.buffer, 0, this.pageSize));
  }

  /** `zram_free_page`: drops whatever `index` holds and its statistics. */
  private freeSlot(index: number): void {
    const f = this.flags[index];
    if (f & WB) {
      this.bdFree[this.bdFreeCount++] = this.handle[index] - 1;
      this.pagesStored--;
    } else if (f & SAME) {
      this.samePages--;
      this.pagesStored--;
    } else if (this.handle[index] !== 0) {
      this.pool.free(this.handle[index]);
      this.comprBytes -= this.length[index];
      this.pagesStored--;
      if (f & HUGE) this.hugePages--;
    }
    this.handle[index] = 0;
    this.length[index] = 0;
    this.flags[index] = 0;
  }
}

let deviceCounter = 0;

/**
 * The `ERR_ZS_IO` error of {@link ZramDevice.writeback} when the backing store fails part-way:
 * `written` pages were moved before the failure (they stay on the store and count in `bd_stat`).
 */
export class WritebackError extends ZsError {
  /** Pages written to the backing store before the failure. */
  readonly written: number;

  /** @internal */
  constructor(message: string, written: number) {
    super(ZsErrorCode.IO, message);
    this.name = 'WritebackError';
    this.written = written;
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.message;
  return String(e);
}

function ioError(what: string, e: unknown): ZsError {
  return e instanceof ZsError ? e : new ZsError(ZsErrorCode.IO, `${what}: ${errorText(e)}`);
}

/** A codec object or registered name; anything else is `ERR_ZS_BAD_ARGUMENT`. */
function resolveCodec(codec: unknown): Codec {
  if (codec === undefined) return getCodec('lz4');
  if (typeof codec === 'string') return getCodec(codec);
  if (
    codec !== null &&
    typeof codec === 'object' &&
    typeof (codec as Codec).compress === 'function' &&
    typeof (codec as Codec).decompress === 'function' &&
    typeof (codec as Codec).name === 'string'
  ) {
    return codec as Codec;
  }
  throw new ZsError(
    ZsErrorCode.BAD_ARGUMENT,
    `codec must be a codec name or an object with name, compress and decompress, got ${show(codec)}`,
  );
}

/** A backing store must be an object with integer slots, our page size, read/write/close. */
function checkBacking(b: unknown, pageSize: number): void {
  const s = b as BackingStore;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.read !== 'function' ||
    typeof s.write !== 'function' ||
    typeof s.close !== 'function' ||
    !Number.isSafeInteger(s.slots) ||
    s.slots < 0
  ) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `backing must be a BackingStore (slots, pageSize, read, write, close), got ${show(b)}`,
    );
  }
  if (s.pageSize !== pageSize) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `backing store pages are ${show(s.pageSize)} bytes, not ${pageSize}`,
    );
  }
}

const destroyedError = destroyedErrorFor('device');
