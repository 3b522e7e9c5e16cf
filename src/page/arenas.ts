/**
 * Arenas: the resizable ArrayBuffers that pages live in, how far each is committed, and cutting
 * their tops back (the only way memory leaves RSS).
 *
 * - An arena is one resizable ArrayBuffer of up to 1 GiB (every byte offset fits an int32); arena
 *   `a` holds the global pages `[a·P, (a+1)·P)`. Few arenas: each costs two kernel mappings, and
 *   ~32k of them crash the process.
 * - Committing (`resize` up) is cheap: nothing is touched. Cutting (`resize` down) releases the
 *   pages at once, no GC involved (1065 MB → 57 MB of RSS on Node 20), but costs time in
 *   proportion to the pages cut: V8 zeroes the whole cut range before decommitting it (V8's
 *   BackingStore::ResizeInPlace, Node 20), then the OS unmaps it. Zeroing a page that was never
 *   written first faults it in, so a never-written page costs ~10× a written one (measured on a
 *   2-core VM: 18 µs against 1.4 µs). Each arena therefore remembers how far it has been written
 *   ({@link Arenas.touchedIn}), and the two kinds of page have their own learned cost.
 * - Every cut can be bounded: in pages ({@link Arenas.cutToward}) or in time ({@link Arenas.cutFor},
 *   which never mixes the two kinds of page in one step). A cost is learned from the cuts already
 *   made, believing low measurements at once and high ones only gradually (see `learn`).
 * - The committed total is kept up to date, so the store's figures are O(1).
 */

import { ENOMEM, ZsError, ZsErrorCode } from '../errors.js';

/** Smallest arena (and the last size tried when the runtime refuses to reserve larger ones). */
export const MIN_ARENA = 1 << 20;
/** Largest arena: every byte offset fits an int32. */
export const MAX_ARENA = 1 << 30;
/** Pages of written memory cut by the first timed step, before any such cut has been measured. */
const FIRST_STEP_PAGES = 64;
/** Pages of never-written memory cut by the first timed step (faulting them in is slow). */
const FIRST_FRESH_STEP_PAGES = 16;

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
  /** Learned cost of cutting one written page, in ms (see the file comment). */
  msPerPage = 0;
  /** Learned cost of cutting one never-written page, in ms. */
  msPerFreshPage = 0;
  /** Clock in ms for timed cuts. */
  readonly now: () => number;
  private readonly committed: number[] = [];
  /** Per arena: pages at and above this were committed but never written since. */
  private readonly touched: number[] = [];
  private readonly growPages: number;
  private firstBuffer: ArrayBuffer | null;

  /**
   * Reserves the first arena of `arenaBytes` (a power of two ≥ {@link MIN_ARENA}; halved while the
   * runtime refuses to reserve that much address space, as 32-bit browsers do). Commits grow by at
   * least `growPages`; `now` is the clock timed cuts use. Throws `ERR_ZS_LIMIT` (-ENOMEM) if not
   * even the smallest arena is possible.
   */
  constructor(
    pageSize: number,
    arenaBytes: number,
    growPages: number,
    now: () => number = () => performance.now(),
  ) {
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
    this.now = now;
  }

  /** Arenas created so far. */
  get count(): number {
    return this.buffers.length;
  }

  /** Pages committed in arena `a`. */
  committedIn(a: number): number {
    return this.committed[a];
  }

  /** Pages of arena `a` below which memory may have been written (committed pages above it never were). */
  touchedIn(a: number): number {
    return this.touched[a];
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
   * time), which the caller is about to write; throws `ERR_ZS_LIMIT` (-ENOMEM), changing nothing,
   * if the runtime refuses it.
   */
  ensureCommitted(start: number, n: number): void {
    const a = start >>> this.arenaShift;
    try {
      while (this.buffers.length <= a) this.add();
      const end = (start & (this.pagesPerArena - 1)) + n;
      const c = this.committed[a];
      if (end <= c) {
        if (end > this.touched[a]) this.touched[a] = end;
        return;
      }
      let target = c + this.growPages;
      if (target < end) target = end;
      if (target > this.pagesPerArena) target = this.pagesPerArena;
      this.buffers[a].resize(target << this.pageShift);
      this.committed[a] = target;
      this.committedTotal += target - c;
      if (end > this.touched[a]) this.touched[a] = end;
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
   * (at least one page, at most `maxPages`), never mixing written and never-written pages in one
   * step. Returns the bytes given back.
   */
  cutFor(a: number, targetPages: number, ms: number, maxPages = Number.POSITIVE_INFINITY): number {
    const c = this.committed[a];
    const t = this.touched[a];
    if (c > t && targetPages < t) targetPages = t; // the never-written top goes first, on its own
    const fresh = c > t;
    const rate = fresh ? this.msPerFreshPage : this.msPerPage;
    let pages =
      rate > 0 ? Math.max(1, Math.floor(ms / rate)) : fresh ? FIRST_FRESH_STEP_PAGES : FIRST_STEP_PAGES;
    if (pages > maxPages) pages = maxPages;
    return this.cutToward(a, targetPages, pages);
  }

  /** Releases every arena. */
  destroy(): void {
    for (let a = 0; a < this.buffers.length; a++) {
      if (this.committed[a] > 0) {
        this.bytesReturned += this.committed[a] * this.pageSize;
        this.buffers[a].resize(0);
        this.committed[a] = 0;
        this.touched[a] = 0;
      }
    }
    this.committedTotal = 0;
  }

  /**
   * Cuts arena `a` to `targetPages` (< committed) in one `resize`, timing it; a cut of one kind
   * of page only (all written, or all never written) teaches that kind's cost.
   */
  private cut(a: number, targetPages: number): number {
    const c = this.committed[a];
    const t = this.touched[a];
    const t0 = this.now();
    this.buffers[a].resize(targetPages << this.pageShift);
    const per = (this.now() - t0) / (c - targetPages);
    if (targetPages >= t) this.msPerFreshPage = learn(this.msPerFreshPage, per);
    else if (c <= t) this.msPerPage = learn(this.msPerPage, per);
    if (targetPages < this.touched[a]) this.touched[a] = targetPages;
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
    this.touched.push(0);
  }
}

/**
 * The next estimate of a cost from the last one `m` (0: none yet) and a new measurement `per`.
 * Preemption on a loaded machine only ever lengthens a step, so a lower measurement is believed
 * at once, and a higher one raises the estimate by at most a quarter per step: one stretched step
 * barely shrinks the next, while a cost that really is higher is followed within a few steps.
 * (Since a cut also has a fixed cost per call, small steps measure more per page; believing the
 * lower figure of larger steps makes the step size grow until the fixed cost no longer matters.)
 */
function learn(m: number, per: number): number {
  if (m === 0 || per <= m) return per;
  return Math.min(per, m * 1.25);
}
