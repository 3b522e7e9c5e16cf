/**
 * PageStore: pages carved from a few large resizable ArrayBuffer arenas, given back to the OS.
 *
 * Memory design
 * - An arena is one resizable ArrayBuffer of up to `arenaBytes` (≤ 1 GiB, so every byte offset
 *   fits an int32). Arena `a` holds the global page ids `[a·P, (a+1)·P)`, P = pages per arena.
 *   Few arenas: each costs two kernel mappings, and ~32k of them crash the process.
 * - A run (a zspage) is 1..N contiguous pages inside one arena, so an object that spans a page
 *   boundary is still a single `subarray`.
 * - Allocation takes the lowest free run that fits ({@link FreeRunTree}), so memory packs low.
 * - An arena is committed (`resize` up) only as far as its highest used page plus a small growth
 *   step; growing commits nothing until touched. Freed pages at an arena's top are released with
 *   `resize` down: RSS drops at once, no GC involved (measured: 1065 MB → 57 MB on Node 20).
 * - Free pages below the top cannot be released on their own. {@link PageStore.defragment} moves
 *   whole runs from the top into free runs below (a copy and a new base — the owner is told, no
 *   handle changes), then {@link PageStore.trim} cuts the arena tops.
 * - Metadata (free runs, page owners) lives in plain typed arrays: element access on views of
 *   resizable buffers is 2.5–4× slower, so the arenas are touched only by bulk copies.
 */

import { checkInt, ENOMEM, show, ZsError, ZsErrorCode } from '../errors.js';
import { yieldToEventLoop } from '../util/yield.js';
import { FreeRunTree } from './free-run-tree.js';

/** Told about runs so the store can move them: the pool implements it for its zspages. */
export interface PageOwner {
  /** True when the run owned by `owner` may be moved now (not pinned, not being compacted). */
  canMove(owner: number): boolean;
  /** The run owned by `owner` has been copied to start at global page `page`. */
  moved(owner: number, page: number): void;
}

/** Options of a {@link PageStore}. */
export interface PageStoreOptions {
  /** Bytes per page: 4096 (default), 16384 or 65536. */
  pageSize?: number;
  /**
   * Largest size of one arena in bytes, a power of two from 1 MiB to 1 GiB (default 1 GiB, or less
   * when `maxPages` is smaller). Virtual address space is reserved for it; nothing is committed.
   */
  arenaBytes?: number;
  /** Most pages that may be in use at once; 0 (default) means no limit. */
  maxPages?: number;
  /**
   * Commit granularity in bytes (default 1 MiB): an arena grows by at least this much, and is cut
   * back automatically when more than twice this lies free above its highest used page.
   */
  growBytes?: number;
  /** Cut arena tops automatically on free (default true). `trim()` always cuts them. */
  autoTrim?: boolean;
  /**
   * Most bytes one free may cut at once (default 4 MiB, about 0.4 ms of `resize`); the rest is
   * cut after the current task, in steps of at most about a millisecond, so no free stalls.
   */
  autoTrimMaxBytes?: number;
}

/** Figures describing a page store, all in pages unless named `…Bytes`. */
export interface PageStoreStats {
  /** Bytes per page. */
  page_size: number;
  /** Pages in use by runs. */
  pages_used: number;
  /** Pages committed in the arenas (what can be resident). */
  pages_committed: number;
  /** Committed pages not in use: holes between runs plus free tops not yet cut. */
  pages_free_committed: number;
  /** Number of arenas created so far. */
  arenas: number;
  /** Bytes given back to the OS by cutting arena tops, since creation. */
  bytes_returned: number;
  /** Runs moved down by defragmentation, since creation. */
  runs_relocated: number;
  /** Pages moved down by defragmentation, since creation. */
  pages_relocated: number;
}

const MIN_ARENA = 1 << 20;
/** Runs up to this many pages are indexed by size for defragmentation (zspages have ≤ 16). */
const MAX_INDEXED = 16;
/** Most freed single pages kept out of the tree (see `PageStore.oneCache`). */
const ONE_CACHE = 64;
/** Pages indexed per step of a defragmentation scan. */
const DEFRAG_WINDOW = 4096;

/** A defragmentation in progress (see `PageStore.defragment`). */
interface DefragState {
  /** `PageStore.changes` when this state was last valid. */
  changes: number;
  /** Pages at and above this are indexed. */
  scanPos: number;
  /** Per run length, run starts in descending address order. */
  stacks: number[][];
  /** Per run length, the next entry to consider. */
  cursor: Int32Array;
}
const MAX_ARENA = 1 << 30;

/** `v`, or `d` when `v` is undefined (null is a wrong value for every option). */
function orDefault<T>(v: T | undefined, d: T): T {
  return v === undefined ? d : v;
}

/** Pages carved from resizable ArrayBuffer arenas; see the file comment. */
export class PageStore {
  /** Bytes per page. */
  readonly pageSize: number;
  /** log2(pageSize). */
  readonly pageShift: number;
  /** log2(pages per arena). */
  readonly arenaShift: number;
  /** Pages per arena. */
  readonly pagesPerArena: number;
  /** Page limit (0 = none). */
  maxPages: number;
  /** The arenas' buffers. */
  readonly buffers: ArrayBuffer[] = [];
  /** Length-tracking byte views of the arenas, valid across resizes. */
  readonly views: Uint8Array[] = [];
  /** Pages in use. */
  pagesUsed = 0;
  private committed: number[] = [];
  private readonly tree: FreeRunTree;
  /** Owner id of every used page (-1 when free), indexed by global page id. */
  private pageOwner: Int32Array;
  /** First page of the run every used page belongs to. */
  private pageRunStart: Int32Array;
  private readonly growPages: number;
  private readonly autoTrim: boolean;
  private readonly autoTrimMaxPages: number;
  /** While true, frees do not cut arena tops (a time-sliced compaction cuts them in steps). */
  suspendAutoTrim = false;
  /** Bumped by every run allocated or freed, so a resumable scan can tell its index is stale. */
  private changes = 0;
  private defrag: DefragState | null = null;
  private trimScheduled = false;
  /**
   * Freed single pages not yet returned to the tree, most recent last. Zspages of one page (every
   * huge object, and the 1-page classes) come and go constantly; a lone free page changes every
   * ancestor in the tree twice per round trip (≈ 650 ns measured), the cache ≈ 10 ns. Anything
   * that needs the tree exact (defragment, trim) flushes it first; it holds at most
   * {@link ONE_CACHE} pages.
   */
  private readonly oneCache = new Int32Array(ONE_CACHE);
  private oneCount = 0;
  /**
   * While a compaction runs it frees many zspages and allocates none: their runs are queued here
   * and handed to the tree in one bulk update (`FreeRunTree.setManyFree`) before anything reads it.
   */
  private deferring = false;
  private pendStart = new Int32Array(256);
  private pendLen = new Int32Array(256);
  private pendCount = 0;
  private destroyed = false;
  private bytesReturned = 0;
  private runsRelocated = 0;
  private pagesRelocated = 0;
  private firstBuffer: ArrayBuffer | null;

  /** Creates an empty store; no memory is committed until the first run. */
  constructor(options: PageStoreOptions = {}) {
    const pageSize = orDefault(options.pageSize, 4096);
    if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `pageSize must be 4096, 16384 or 65536, got ${pageSize}`);
    }
    this.pageSize = pageSize;
    this.pageShift = Math.log2(pageSize);
    this.maxPages = checkInt('maxPages', orDefault(options.maxPages, 0), 0, 2 ** 40);
    let arenaBytes = orDefault(options.arenaBytes, MAX_ARENA);
    checkInt('arenaBytes', arenaBytes, MIN_ARENA, MAX_ARENA);
    if ((arenaBytes & (arenaBytes - 1)) !== 0) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `arenaBytes must be a power of two, got ${arenaBytes}`);
    }
    if (this.maxPages > 0) {
      // No arena larger than the limit needs.
      const need = this.maxPages * pageSize;
      while (arenaBytes > MIN_ARENA && arenaBytes / 2 >= need) arenaBytes /= 2;
    }
    if (arenaBytes < pageSize * 16) arenaBytes = pageSize * 16;
    // Reserve the first arena now: if the runtime cannot reserve this much address space
    // (32-bit browsers), fall back to smaller arenas rather than fail later.
    let first: ArrayBuffer | null = null;
    while (first === null) {
      try {
        first = new ArrayBuffer(0, { maxByteLength: arenaBytes });
      } catch (e) {
        if (arenaBytes <= MIN_ARENA) {
          throw new ZsError(
            ZsErrorCode.LIMIT,
            `the runtime refused to reserve an arena of ${arenaBytes} bytes: ${(e as Error).message}`,
            ENOMEM,
          );
        }
        arenaBytes /= 2;
      }
    }
    this.firstBuffer = first;
    this.pagesPerArena = arenaBytes / pageSize;
    this.arenaShift = Math.log2(this.pagesPerArena);
    const growBytes = checkInt('growBytes', orDefault(options.growBytes, 1 << 20), pageSize, arenaBytes);
    this.growPages = Math.max(1, Math.floor(growBytes / pageSize));
    this.autoTrim = orDefault(options.autoTrim, true);
    if (typeof this.autoTrim !== 'boolean') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `autoTrim must be a boolean, got ${show(this.autoTrim)}`);
    }
    const maxCut = checkInt(
      'autoTrimMaxBytes',
      orDefault(options.autoTrimMaxBytes, 4 << 20),
      pageSize,
      2 ** 40,
    );
    this.autoTrimMaxPages = Math.max(1, Math.floor(maxCut / pageSize));
    const initial = Math.min(1024, this.pagesPerArena);
    this.tree = new FreeRunTree(this.arenaShift, initial);
    this.pageOwner = new Int32Array(this.tree.capacity).fill(-1);
    this.pageRunStart = new Int32Array(this.tree.capacity);
  }

  /** Number of pages a single run may span at most. */
  get maxRunPages(): number {
    return this.pagesPerArena;
  }

  /**
   * Allocates `n` contiguous pages for `owner` at the lowest free address.
   * Returns the first global page id, or -1 when the page limit would be exceeded.
   */
  allocRun(n: number, owner: number): number {
    if (this.maxPages > 0 && this.pagesUsed + n > this.maxPages) return -1;
    if (this.pendCount > 0) this.flushPending();
    if (n === 1 && this.oneCount > 0) {
      // The most recently freed single page: no tree work (see `oneCache`).
      const p = this.oneCache[--this.oneCount];
      this.pageOwner[p] = owner;
      this.pageRunStart[p] = p;
      this.pagesUsed++;
      this.changes++;
      return p;
    }
    let start = this.tree.findLowest(n);
    while (start < 0) {
      this.growTree(this.tree.capacity * 2);
      start = this.tree.findLowest(n);
    }
    // Commit first: if the runtime refuses the memory, nothing has changed yet.
    this.ensureCommitted(start, n);
    this.tree.set(start, n, false);
    this.changes++;
    const owners = this.pageOwner;
    const starts = this.pageRunStart;
    for (let p = start, e = start + n; p < e; p++) {
      owners[p] = owner;
      starts[p] = start;
    }
    this.pagesUsed += n;
    return start;
  }

  /** Frees the run of `n` pages starting at `start`; cuts the arena top if it became free. */
  freeRun(start: number, n: number): void {
    if (n === 1 && this.oneCount < ONE_CACHE) {
      this.oneCache[this.oneCount++] = start;
      this.pageOwner[start] = -1;
      this.pagesUsed--;
      this.changes++;
      return;
    }
    if (this.deferring) {
      if (this.pendCount === this.pendStart.length) {
        const s2 = new Int32Array(this.pendCount * 2);
        s2.set(this.pendStart);
        this.pendStart = s2;
        const l2 = new Int32Array(this.pendCount * 2);
        l2.set(this.pendLen);
        this.pendLen = l2;
      }
      this.pendStart[this.pendCount] = start;
      this.pendLen[this.pendCount++] = n;
      this.pageOwner.fill(-1, start, start + n);
      this.pagesUsed -= n;
      this.changes++;
      return;
    }
    this.tree.set(start, n, true);
    this.changes++;
    this.pageOwner.fill(-1, start, start + n);
    this.pagesUsed -= n;
    if (this.autoTrim && !this.suspendAutoTrim) {
      const a = start >>> this.arenaShift;
      const top = this.usedTop(a);
      const c = this.committed[a];
      if (c - top > 2 * this.growPages) {
        const target = top + this.growPages;
        if (c - target > this.autoTrimMaxPages) {
          this.cutArena(a, c - this.autoTrimMaxPages);
          this.scheduleTrim();
        } else {
          this.cutArena(a, target);
        }
      }
    }
  }

  /** Arena index of a global page id. */
  arenaOf(page: number): number {
    return page >>> this.arenaShift;
  }

  /** Byte offset of a global page id inside its arena. */
  offsetOf(page: number): number {
    return (page & (this.pagesPerArena - 1)) << this.pageShift;
  }

  /** Owner id of the run covering `page`, or -1 when the page is free. */
  ownerOf(page: number): number {
    return page < this.pageOwner.length ? this.pageOwner[page] : -1;
  }

  /**
   * Packs runs down so that the arena tops can be cut: the lowest hole is filled with the
   * highest-addressed movable run that fits in it; when no run above fits, the run just above
   * the hole slides down into it (so holes bubble up and merge). Without pinned runs this packs
   * every arena solid, so `trim()` then returns every committed page not in use.
   *
   * Resumable: it stops after moving about `budgetPages` pages, and the next call carries on from
   * where it stopped if no run was allocated or freed in between (else it starts over). Runs are
   * indexed from the top down a window at a time, so one call costs about what it moves.
   * Returns the pages moved.
   */
  defragment(owner: PageOwner, budgetPages = Number.POSITIVE_INFINITY): number {
    this.flushOneCache();
    const P = this.pagesPerArena;
    let st = this.defrag;
    if (st === null || st.changes !== this.changes) {
      st = {
        changes: this.changes,
        scanPos: this.globalTop(),
        stacks: [],
        cursor: new Int32Array(MAX_INDEXED + 1),
      };
      for (let n = 0; n <= MAX_INDEXED; n++) st.stacks.push([]);
      this.defrag = st;
    }
    const stacks = st.stacks;
    const cursor = st.cursor;
    let moved = 0;
    let h = this.tree.findFreeFrom(0);
    while (h >= 0 && h < this.globalTop()) {
      const arenaEnd = (Math.floor(h / P) + 1) * P;
      // Length of the hole at h (within its arena, at most MAX_INDEXED pages).
      let k = 1;
      while (k < MAX_INDEXED && h + k < arenaEnd && this.tree.isFree(h + k)) k++;
      // The highest indexed movable run of size ≤ k above the hole.
      let best = -1;
      let bestN = 0;
      for (let n = 1; n <= k; n++) {
        const stack = stacks[n];
        let i = cursor[n];
        while (i < stack.length) {
          const s = stack[i];
          if (s <= h) {
            i = stack.length;
            break;
          }
          if (this.pageRunStart[s] === s && this.runLength(s) === n && owner.canMove(this.pageOwner[s]))
            break;
          i++;
        }
        cursor[n] = i;
        if (i < stack.length && stack[i] > best) {
          best = stack[i];
          bestN = n;
        }
      }
      if (best < 0 && st.scanPos > h + k) {
        // Nothing indexed fits: index the next window of runs below and look again.
        this.indexRuns(st, h + k);
        continue;
      }
      if (best >= 0) {
        cursor[bestN]++;
        const o = this.pageOwner[best];
        if (!this.tryMoveRun(best, bestN, h, o)) break;
        owner.moved(o, h);
        moved += bestN;
      } else {
        // Nothing fits: slide the run just above the hole down into it.
        const r = this.tree.findUsedFrom(h);
        if (r < 0 || r >= arenaEnd) {
          h = this.tree.findFreeFrom(arenaEnd); // a tail gap no run fits: next arena
          continue;
        }
        const o = this.pageOwner[r];
        const n = this.runLength(r);
        if (!owner.canMove(o)) {
          h = this.tree.findFreeFrom(r + n);
          continue;
        }
        if (!this.tryMoveRun(r, n, h, o)) break;
        owner.moved(o, h);
        moved += n;
      }
      if (moved >= budgetPages) {
        st.changes = this.changes;
        return moved;
      }
      h = this.tree.findFreeFrom(h);
    }
    this.defrag = null;
    return moved;
  }

  /** Indexes the runs in the next window below `st.scanPos` (not below `floor`), by size. */
  private indexRuns(st: DefragState, floor: number): void {
    const stop = Math.max(floor, st.scanPos - DEFRAG_WINDOW);
    let p = st.scanPos - 1;
    while (p >= stop) {
      if (this.pageOwner[p] < 0) {
        p--;
        continue;
      }
      const s = this.pageRunStart[p];
      const n = p - s + 1;
      if (n <= MAX_INDEXED && s >= floor) st.stacks[n].push(s);
      p = s - 1;
    }
    st.scanPos = p + 1 < stop ? p + 1 : stop;
  }

  /** Pages that defragmentation plus trimming could give back at most: committed but unused. */
  reclaimablePages(): number {
    let committed = 0;
    for (let a = 0; a < this.committed.length; a++) committed += this.committed[a];
    return committed - this.pagesUsed;
  }

  /**
   * Cuts every arena down to its highest used page, releasing at most `maxBytes` (default: all).
   * Returns the bytes given back to the OS.
   */
  trim(maxBytes = Number.POSITIVE_INFINITY): number {
    this.flushOneCache();
    let released = 0;
    for (let a = this.committed.length - 1; a >= 0 && released < maxBytes; a--) {
      const top = this.usedTop(a);
      const c = this.committed[a];
      if (c <= top) continue;
      const room = Math.floor((maxBytes - released) / this.pageSize);
      const target = c - top > room ? c - room : top;
      released += this.cutArena(a, target);
    }
    return released;
  }

  /** Current figures. */
  stats(): PageStoreStats {
    let committed = 0;
    for (let a = 0; a < this.committed.length; a++) committed += this.committed[a];
    return {
      page_size: this.pageSize,
      pages_used: this.pagesUsed,
      pages_committed: committed,
      pages_free_committed: committed - this.pagesUsed,
      arenas: this.buffers.length,
      bytes_returned: this.bytesReturned,
      runs_relocated: this.runsRelocated,
      pages_relocated: this.pagesRelocated,
    };
  }

  /** Committed pages across all arenas. */
  committedPages(): number {
    let committed = 0;
    for (let a = 0; a < this.committed.length; a++) committed += this.committed[a];
    return committed;
  }

  /**
   * Queues the frees of runs (instead of updating the free-run tree at once) until
   * {@link endBatchFree}; for a compaction, which empties many zspages and allocates none.
   */
  beginBatchFree(): void {
    this.deferring = true;
  }

  /** Ends {@link beginBatchFree}: the queued runs go to the tree in one bulk update. */
  endBatchFree(): void {
    this.deferring = false;
    this.flushPending();
  }

  private flushPending(): void {
    const n = this.pendCount;
    if (n === 0) return;
    this.pendCount = 0;
    this.tree.setManyFree(this.pendStart, this.pendLen, n);
  }

  /** Hands the cached free single pages back to the tree (they become findable and cuttable). */
  private flushOneCache(): void {
    this.flushPending();
    const n = this.oneCount;
    if (n === 0) return;
    this.oneCount = 0;
    for (let i = 0; i < n; i++) this.tree.set(this.oneCache[i], 1, true);
    // The tops may have become free: cut them the usual way.
    if (this.autoTrim && !this.suspendAutoTrim && !this.destroyed) this.scheduleTrim();
  }

  /** Finishes an automatic cut after the current task, a millisecond's worth at a time. */
  private scheduleTrim(): void {
    if (this.trimScheduled) return;
    this.trimScheduled = true;
    yieldToEventLoop()
      .then(() => this.backgroundTrim())
      .catch(() => {
        // A cut the runtime refused leaves the memory committed; the next free or trim retries.
        this.trimScheduled = false;
      });
  }

  private backgroundTrim(): void {
    this.trimScheduled = false;
    if (this.destroyed || this.suspendAutoTrim) return;
    this.flushOneCache();
    const t0 = performance.now();
    for (let a = this.committed.length - 1; a >= 0; a--) {
      for (;;) {
        const top = this.usedTop(a);
        const c = this.committed[a];
        const target = top + this.growPages;
        if (c - top <= 2 * this.growPages) break;
        this.cutArena(a, c - target > this.autoTrimMaxPages ? c - this.autoTrimMaxPages : target);
        if (performance.now() - t0 >= 1) {
          this.scheduleTrim();
          return;
        }
      }
    }
  }

  /** Releases every arena. The store must not be used afterwards. */
  destroy(): void {
    this.destroyed = true;
    for (let a = 0; a < this.buffers.length; a++) {
      if (this.committed[a] > 0) {
        this.bytesReturned += this.committed[a] * this.pageSize;
        this.buffers[a].resize(0);
        this.committed[a] = 0;
      }
    }
    this.pagesUsed = 0;
  }

  /** Highest used page + 1 over all arenas (a global page id), 0 when nothing is used. */
  private globalTop(): number {
    for (let a = this.committed.length - 1; a >= 0; a--) {
      const t = this.usedTop(a);
      if (t > 0) return (a << this.arenaShift) + t;
    }
    return 0;
  }

  /** Pages in the run starting at `start`. */
  private runLength(start: number): number {
    const o = this.pageOwner[start];
    let e = start + 1;
    const owners = this.pageOwner;
    const starts = this.pageRunStart;
    while (e < owners.length && owners[e] === o && starts[e] === start) e++;
    return e - start;
  }

  /** Highest used page + 1 within arena `a` (relative to the arena's first page). */
  private usedTop(a: number): number {
    return this.pagesPerArena - this.tree.freeTail(a);
  }

  /** {@link moveRun}, or false (nothing changed) when the runtime refuses memory for it. */
  private tryMoveRun(src: number, n: number, dest: number, o: number): boolean {
    try {
      this.moveRun(src, n, dest, o);
      return true;
    } catch (e) {
      if (e instanceof ZsError && e.code === ZsErrorCode.LIMIT) return false;
      throw e;
    }
  }

  private moveRun(src: number, n: number, dest: number, o: number): void {
    // dest < src; the two ranges may overlap when a run slides down into a smaller hole.
    this.ensureCommitted(dest, n);
    const len = n << this.pageShift;
    const sa = src >>> this.arenaShift;
    const da = dest >>> this.arenaShift;
    const so = this.offsetOf(src);
    const dOff = this.offsetOf(dest);
    if (sa === da) this.views[sa].copyWithin(dOff, so, so + len);
    else this.views[da].set(this.views[sa].subarray(so, so + len), dOff);
    const owners = this.pageOwner;
    const starts = this.pageRunStart;
    this.tree.set(src, n, true);
    owners.fill(-1, src, src + n);
    this.tree.set(dest, n, false);
    for (let p = dest, e = dest + n; p < e; p++) {
      owners[p] = o;
      starts[p] = dest;
    }
    this.runsRelocated++;
    this.pagesRelocated += n;
  }

  private growTree(pages: number): void {
    const maxPages = 2 ** 31;
    if (pages > maxPages) throw new ZsError(ZsErrorCode.LIMIT, 'page store address space exhausted', ENOMEM);
    let cap = this.tree.capacity;
    while (cap < pages) cap *= 2;
    let owners: Int32Array;
    let starts: Int32Array;
    try {
      // Allocate before changing anything: an allocation failure leaves the store as it was.
      owners = new Int32Array(cap).fill(-1);
      starts = new Int32Array(cap);
      this.tree.grow(cap);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `the runtime refused memory for page metadata: ${(e as Error).message}`,
        ENOMEM,
      );
    }
    owners.set(this.pageOwner);
    starts.set(this.pageRunStart);
    this.pageOwner = owners;
    this.pageRunStart = starts;
  }

  /** Grows arena memory to cover `[start, start + n)`; throws `ERR_ZS_LIMIT` (-ENOMEM) if refused. */
  private ensureCommitted(start: number, n: number): void {
    const a = start >>> this.arenaShift;
    try {
      while (this.buffers.length <= a) this.addArena();
      const end = (start & (this.pagesPerArena - 1)) + n;
      const c = this.committed[a];
      if (end <= c) return;
      let target = c + this.growPages;
      if (target < end) target = end;
      if (target > this.pagesPerArena) target = this.pagesPerArena;
      this.buffers[a].resize(target << this.pageShift);
      this.committed[a] = target;
    } catch (e) {
      if (e instanceof ZsError) throw e;
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `the runtime refused memory for arena ${a}: ${(e as Error).message}`,
        ENOMEM,
      );
    }
  }

  private cutArena(a: number, targetPages: number): number {
    const c = this.committed[a];
    if (targetPages >= c) return 0;
    this.buffers[a].resize(targetPages << this.pageShift);
    this.committed[a] = targetPages;
    const bytes = (c - targetPages) << this.pageShift;
    this.bytesReturned += bytes;
    return bytes;
  }

  private addArena(): void {
    let buf: ArrayBuffer;
    if (this.firstBuffer !== null) {
      buf = this.firstBuffer;
      this.firstBuffer = null;
    } else {
      buf = new ArrayBuffer(0, { maxByteLength: this.pagesPerArena << this.pageShift });
    }
    this.buffers.push(buf);
    this.views.push(new Uint8Array(buf));
    this.committed.push(0);
  }
}
