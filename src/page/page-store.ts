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
 *
 * This file is the façade; each concern has its own file: `arenas.ts` (buffers, commits, cuts),
 * `run-map.ts` (allocation: the free-run tree and page owners), `one-page-cache.ts` (single-page
 * cache), `batched-frees.ts` (compaction's bulk frees), `defragmenter.ts` (resumable moves) and
 * `trimmer.ts` (automatic and background cuts).
 */

import { checkInt, show, ZsError, ZsErrorCode } from '../errors.js';
import { Arenas, MAX_ARENA, MIN_ARENA } from './arenas.js';
import { BatchedFrees } from './batched-frees.js';
import { Defragmenter, type PageOwner } from './defragmenter.js';
import { OnePageCache } from './one-page-cache.js';
import { RunMap } from './run-map.js';
import { Trimmer } from './trimmer.js';

export type { PageOwner } from './defragmenter.js';

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
   * Most bytes one free may cut at once (default 4 MiB), and never more than about half a
   * millisecond's worth by the learned cost of a cut; the rest is cut after the current task, in
   * steps of at most about a millisecond, so no free stalls.
   */
  autoTrimMaxBytes?: number;
  /**
   * Clock in ms that deadlines are read from and cuts are timed with (default
   * `performance.now`); tests give a counting clock.
   */
  clock?: () => number;
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
  readonly buffers: ArrayBuffer[];
  /** Length-tracking byte views of the arenas, valid across resizes. */
  readonly views: Uint8Array[];
  /** Pages in use. */
  pagesUsed = 0;
  private readonly arenas: Arenas;
  private readonly map: RunMap;
  private readonly oneCache = new OnePageCache();
  private readonly batch = new BatchedFrees();
  private readonly defragmenter: Defragmenter;
  private readonly trimmer: Trimmer;
  private readonly autoTrim: boolean;
  private destroyed = false;

  /** Creates an empty store; no memory is committed until the first run. */
  constructor(options: PageStoreOptions = {}) {
    const pageSize = orDefault(options.pageSize, 4096);
    if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `pageSize must be 4096, 16384 or 65536, got ${show(pageSize)}`,
      );
    }
    const maxPages = checkInt('maxPages', orDefault(options.maxPages, 0), 0, 2 ** 40);
    let arenaBytes = orDefault(options.arenaBytes, MAX_ARENA);
    checkInt('arenaBytes', arenaBytes, MIN_ARENA, MAX_ARENA);
    if ((arenaBytes & (arenaBytes - 1)) !== 0) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `arenaBytes must be a power of two, got ${arenaBytes}`);
    }
    const growBytes = checkInt('growBytes', orDefault(options.growBytes, 1 << 20), pageSize, arenaBytes);
    const autoTrim = orDefault(options.autoTrim, true);
    if (typeof autoTrim !== 'boolean') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `autoTrim must be a boolean, got ${show(autoTrim)}`);
    }
    const maxCut = checkInt(
      'autoTrimMaxBytes',
      orDefault(options.autoTrimMaxBytes, 4 << 20),
      pageSize,
      2 ** 40,
    );
    if (maxPages > 0) {
      // No arena larger than the limit needs.
      const need = maxPages * pageSize;
      while (arenaBytes > MIN_ARENA && arenaBytes / 2 >= need) arenaBytes /= 2;
    }
    if (arenaBytes < pageSize * 16) arenaBytes = pageSize * 16;
    const growPages = Math.max(1, Math.floor(growBytes / pageSize));
    const clock = options.clock;
    if (clock !== undefined && typeof clock !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `clock must be a function, got ${show(clock)}`);
    }
    // Reserving the first arena is the last step that can fail.
    this.arenas = new Arenas(pageSize, arenaBytes, growPages, clock);
    this.maxPages = maxPages;
    this.pageSize = pageSize;
    this.pageShift = this.arenas.pageShift;
    this.pagesPerArena = this.arenas.pagesPerArena;
    this.arenaShift = this.arenas.arenaShift;
    this.buffers = this.arenas.buffers;
    this.views = this.arenas.views;
    this.autoTrim = autoTrim;
    this.map = new RunMap(this.arenaShift);
    this.defragmenter = new Defragmenter(this.map, this.arenas);
    this.trimmer = new Trimmer(
      this.arenas,
      this.map,
      growPages,
      Math.max(1, Math.floor(maxCut / pageSize)),
      () => this.flush(),
    );
  }

  /** Number of pages a single run may span at most. */
  get maxRunPages(): number {
    return this.pagesPerArena;
  }

  /** While true, frees do not cut arena tops (a time-sliced compaction cuts them in steps). */
  get suspendAutoTrim(): boolean {
    return this.trimmer.suspended;
  }

  set suspendAutoTrim(v: boolean) {
    this.trimmer.suspended = v;
  }

  /**
   * Allocates `n` contiguous pages for `owner` at the lowest free address.
   * Returns the first global page id, or -1 when the page limit would be exceeded.
   */
  allocRun(n: number, owner: number): number {
    if (this.maxPages > 0 && this.pagesUsed + n > this.maxPages) return -1;
    if (this.batch.count > 0) this.batch.flush(this.map.tree);
    if (n === 1) {
      // The most recently freed single page: no tree work (see one-page-cache.ts).
      const p = this.oneCache.pop();
      if (p >= 0) {
        this.map.own(p, 1, owner);
        this.pagesUsed++;
        return p;
      }
    }
    const start = this.map.findLowest(n);
    // Commit first: if the runtime refuses the memory, nothing has changed yet.
    this.arenas.ensureCommitted(start, n);
    this.map.take(start, n, owner);
    this.pagesUsed += n;
    return start;
  }

  /** Frees the run of `n` pages starting at `start`; cuts the arena top if it became free. */
  freeRun(start: number, n: number): void {
    this.pagesUsed -= n;
    if (n === 1 && this.oneCache.push(start)) {
      this.map.disown(start, 1);
      return;
    }
    if (this.batch.active) {
      this.batch.add(start, n);
      this.map.disown(start, n);
      return;
    }
    this.map.give(start, n);
    if (this.autoTrim) this.trimmer.afterFree(start >>> this.arenaShift);
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
    return page < this.map.owner.length ? this.map.owner[page] : -1;
  }

  /**
   * Packs runs down so that the arena tops can be cut (see defragmenter.ts). Resumable: it stops
   * after moving about `budgetPages` pages or once `deadline` (a value of the store's clock) has
   * passed, and the next call carries on if no run was allocated or freed in between. Returns the
   * pages moved; {@link defragmentDone} tells whether it finished.
   */
  defragment(
    owner: PageOwner,
    budgetPages = Number.POSITIVE_INFINITY,
    deadline = Number.POSITIVE_INFINITY,
  ): number {
    this.flush();
    return this.defragmenter.run(owner, budgetPages, deadline);
  }

  /** True when the last {@link defragment} call found nothing more to move. */
  get defragmentDone(): boolean {
    return this.defragmenter.done;
  }

  /** Pages that defragmentation plus trimming could give back at most: committed but unused. */
  reclaimablePages(): number {
    return this.arenas.committedTotal - this.pagesUsed;
  }

  /**
   * Cuts every arena down to its highest used page, releasing at most `maxBytes` (default: all)
   * and stopping once `deadline` (a value of the store's clock) has passed. Returns the bytes
   * given back to the OS.
   */
  trim(maxBytes = Number.POSITIVE_INFINITY, deadline = Number.POSITIVE_INFINITY): number {
    this.flush();
    return this.trimmer.trim(maxBytes, deadline);
  }

  /** True when the last {@link trim} left every arena cut to its highest used page. */
  get trimDone(): boolean {
    return this.trimmer.done;
  }

  /** Current figures. */
  stats(): PageStoreStats {
    const committed = this.arenas.committedTotal;
    return {
      page_size: this.pageSize,
      pages_used: this.pagesUsed,
      pages_committed: committed,
      pages_free_committed: committed - this.pagesUsed,
      arenas: this.arenas.count,
      bytes_returned: this.arenas.bytesReturned,
      runs_relocated: this.defragmenter.runsRelocated,
      pages_relocated: this.defragmenter.pagesRelocated,
    };
  }

  /** Committed pages across all arenas. */
  committedPages(): number {
    return this.arenas.committedTotal;
  }

  /**
   * Queues the frees of runs (instead of updating the free-run tree at once) until
   * {@link endBatchFree}; for a compaction, which empties many zspages and allocates none.
   */
  beginBatchFree(): void {
    this.batch.active = true;
  }

  /** Ends {@link beginBatchFree}: the queued runs go to the tree in one bulk update. */
  endBatchFree(): void {
    this.batch.active = false;
    this.batch.flush(this.map.tree);
  }

  /** Releases every arena. The store must not be used afterwards. */
  destroy(): void {
    this.destroyed = true;
    this.trimmer.stopped = true;
    this.arenas.destroy();
    this.pagesUsed = 0;
  }

  /** Makes the tree exact: queued frees and cached single pages become free runs. */
  private flush(): void {
    this.batch.flush(this.map.tree);
    if (this.oneCache.count > 0 && this.oneCache.flush(this.map.tree) > 0) {
      // The tops may have become free: cut them the usual way.
      if (this.autoTrim && !this.destroyed) this.trimmer.schedule();
    }
  }
}

/** `v`, or `d` when `v` is undefined (null is a wrong value for every option). */
function orDefault<T>(v: T | undefined, d: T): T {
  return v === undefined ? d : v;
}
