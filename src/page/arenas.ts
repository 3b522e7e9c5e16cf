/**
 * Arenas: the resizable ArrayBuffers that pages live in, how far each is committed, and cutting
 * their tops back (the only way memory leaves RSS).
 *
 * - An arena is one resizable ArrayBuffer of up to 1 GiB (every byte offset fits an int32); arena
 *   `a` holds the global pages `[a·P, (a+1)·P)`. Few arenas: each costs two kernel mappings, and
 *   ~32k of them crash the process.
 * - Committing (`resize` up) is cheap: nothing is touched. Cutting (`resize` down) releases the
 *   pages at once, no GC involved (1065 MB → 57 MB of RSS on Node 20), but costs time in
 *   proportion to the pages cut — touched pages more than untouched ones. So every cut here can
 *   be bounded: in pages ({@link Arenas.cutToward}) or in time ({@link Arenas.cutFor}); the cost of
 *   a page is learned from the cuts already made.
 * - The committed total is kept up to date, so the store's figures are O(1).
 */

import { ENOMEM, ZsError, ZsErrorCode } from '../errors.js';

/** Smallest arena (and the last size tried when the runtime refuses to reserve larger ones). */
export const MIN_ARENA = 1 << 20;
/** Largest arena: every byte offset fits an int32. */
export const MAX_ARENA = 1 << 30;
/** Pages cut by the first timed step, before any cut has been measured. */
const FIRST_STEP_PAGES = 64;

/** The arenas of one page store; see the file comment. */
export class Arenas {
  /** Bytes per page. */
  readonly pageSize: number;
  /** log2(pageSize). */
  readonly pageShift: number;
  /** Pages per arena. */
  readonly pagesPerArena: number;
  /** log2(pages per arena). */
  readonly arenaShift: number;
  /** The arenas' buffers. */
  readonly buffers: ArrayBuffer[] = [];
  /** Length-tracking byte views of the arenas, valid across resizes. */
  readonly views: Uint8Array[] = [];
  /** Pages committed in all arenas together. */
  committedTotal = 0;
  /** Bytes given back to the OS by cuts, since creation. */
  bytesReturned = 0;
  /** Measured cost of cutting one page, in ms (an upper estimate, decaying towards recent cuts). */
  msPerPage = 0;
  private readonly committed: number[] = [];
  private readonly growPages: number;
  private firstBuffer: ArrayBuffer | null;

  /**
   * Reserves the first arena of `arenaBytes` (a power of two ≥ {@link MIN_ARENA}; halved while the
   * runtime refuses to reserve that much address space, as 32-bit browsers do). Commits grow by at
   * least `growPages`. Throws `ERR_ZS_LIMIT` (-ENOMEM) if not even the smallest arena is possible.
   */
  constructor(pageSize: number, arenaBytes: number, growPages: number) {
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
    this.pageSize = pageSize;
    this.pageShift = Math.log2(pageSize);
    this.pagesPerArena = arenaBytes / pageSize;
    this.arenaShift = Math.log2(this.pagesPerArena);
    this.growPages = growPages;
  }

  /** Arenas created so far. */
  get count(): number {
    return this.buffers.length;
  }

  /** Pages committed in arena `a`. */
  committedIn(a: number): number {
    return this.committed[a];
  }

  /** Arena index of a global page id. */
  arenaOf(page: number): number {
    return page >>> this.arenaShift;
  }

  /** Byte offset of a global page id inside its arena. */
  offsetOf(page: number): number {
    return (page & (this.pagesPerArena - 1)) << this.pageShift;
  }

  /**
   * Commits arena memory to cover global pages `[start, start + n)` (at least a growth step at a
   * time); throws `ERR_ZS_LIMIT` (-ENOMEM), changing nothing, if the runtime refuses it.
   */
  ensureCommitted(start: number, n: number): void {
    const a = start >>> this.arenaShift;
    try {
      while (this.buffers.length <= a) this.add();
      const end = (start & (this.pagesPerArena - 1)) + n;
      const c = this.committed[a];
      if (end <= c) return;
      let target = c + this.growPages;
      if (target < end) target = end;
      if (target > this.pagesPerArena) target = this.pagesPerArena;
      this.buffers[a].resize(target << this.pageShift);
      this.committed[a] = target;
      this.committedTotal += target - c;
    } catch (e) {
      if (e instanceof ZsError) throw e;
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `the runtime refused memory for arena ${a}: ${(e as Error).message}`,
        ENOMEM,
      );
    }
  }

  /**
   * Cuts arena `a` towards `targetPages` committed, at most `maxPages` at once. Returns the bytes
   * given back; the arena has reached the target when `committedIn(a) <= targetPages`.
   */
  cutToward(a: number, targetPages: number, maxPages: number): number {
    const c = this.committed[a];
    if (targetPages >= c) return 0;
    return this.cut(a, c - targetPages > maxPages ? c - maxPages : targetPages);
  }

  /**
   * Cuts arena `a` towards `targetPages`, as many pages as the measured cost says fit in `ms`
   * (at least one page). Returns the bytes given back.
   */
  cutFor(a: number, targetPages: number, ms: number): number {
    const pages = this.msPerPage > 0 ? Math.max(1, Math.floor(ms / this.msPerPage)) : FIRST_STEP_PAGES;
    return this.cutToward(a, targetPages, pages);
  }

  /** Releases every arena. */
  destroy(): void {
    for (let a = 0; a < this.buffers.length; a++) {
      if (this.committed[a] > 0) {
        this.bytesReturned += this.committed[a] * this.pageSize;
        this.buffers[a].resize(0);
        this.committed[a] = 0;
      }
    }
    this.committedTotal = 0;
  }

  /** Cuts arena `a` to `targetPages` (< committed) in one `resize`, timing it. */
  private cut(a: number, targetPages: number): number {
    const c = this.committed[a];
    const t0 = performance.now();
    this.buffers[a].resize(targetPages << this.pageShift);
    const per = (performance.now() - t0) / (c - targetPages);
    // Rise fast (a slow cut must not repeat), fall slowly; a first measurement is taken as is.
    const m = this.msPerPage;
    this.msPerPage = m === 0 ? per : per > m ? (m + per) / 2 : m * 0.875 + per * 0.125;
    this.committed[a] = targetPages;
    this.committedTotal -= c - targetPages;
    const bytes = (c - targetPages) << this.pageShift;
    this.bytesReturned += bytes;
    return bytes;
  }

  private add(): void {
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
