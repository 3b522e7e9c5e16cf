/**
 * RunMap: which pages are used, by whom, and where the lowest free run of `n` pages starts.
 *
 * - {@link FreeRunTree} answers "lowest run of n free pages" and "free tail of an arena".
 * - Two Int32Arrays indexed by global page id give each used page's owner (-1 when free) and the
 *   first page of its run, so a run's owner and length are found from any of its pages.
 * - `changes` is bumped by every run taken or given back, so a resumable scan (defragmentation)
 *   can tell that its index of runs is stale.
 *
 * The tree and the owner arrays may disagree for a while: a page given back to the one-page cache
 * or queued as a batched free is no longer owned but still used in the tree (see those files).
 * Everything that reads the tree's free space flushes them first.
 */

import { ENOMEM, ZsError, ZsErrorCode } from '../errors.js';
import { FreeRunTree } from './free-run-tree.js';

/** Page ownership and free runs; see the file comment. */
export class RunMap {
  /** The free-run tree. */
  readonly tree: FreeRunTree;
  /** Owner id of every used page (-1 when free), indexed by global page id. */
  owner: Int32Array;
  /** First page of the run every used page belongs to. */
  runStart: Int32Array;
  /** Bumped by every run taken or given back. */
  changes = 0;
  private readonly pagesPerArena: number;

  /** A map for arenas of `1 << arenaShift` pages, tracking few pages at first. */
  constructor(arenaShift: number) {
    this.pagesPerArena = 2 ** arenaShift;
    this.tree = new FreeRunTree(arenaShift, Math.min(1024, this.pagesPerArena));
    this.owner = new Int32Array(this.tree.capacity).fill(-1);
    this.runStart = new Int32Array(this.tree.capacity);
  }

  /**
   * Start of the lowest run of `n` free pages, tracking more pages as needed. Throws
   * `ERR_ZS_LIMIT` (-ENOMEM), changing nothing, when the metadata cannot grow.
   */
  findLowest(n: number): number {
    let start = this.tree.findLowest(n);
    while (start < 0) {
      this.grow(this.tree.capacity * 2);
      start = this.tree.findLowest(n);
    }
    return start;
  }

  /** Marks `[start, start + n)` used by `owner`, in the tree and the owner arrays. */
  take(start: number, n: number, owner: number): void {
    this.tree.set(start, n, false);
    this.own(start, n, owner);
  }

  /** Records `owner` for `[start, start + n)` (the tree is updated by the caller, or was already). */
  own(start: number, n: number, owner: number): void {
    const owners = this.owner;
    const starts = this.runStart;
    for (let p = start, e = start + n; p < e; p++) {
      owners[p] = owner;
      starts[p] = start;
    }
    this.changes++;
  }

  /** Marks `[start, start + n)` free in the tree and the owner arrays. */
  give(start: number, n: number): void {
    this.tree.set(start, n, true);
    this.disown(start, n);
  }

  /** Clears the owner of `[start, start + n)` (its tree update is deferred by the caller). */
  disown(start: number, n: number): void {
    if (n === 1) this.owner[start] = -1;
    else this.owner.fill(-1, start, start + n);
    this.changes++;
  }

  /** Pages in the run starting at `start`. */
  runLength(start: number): number {
    const owners = this.owner;
    const starts = this.runStart;
    const o = owners[start];
    let e = start + 1;
    while (e < owners.length && owners[e] === o && starts[e] === start) e++;
    return e - start;
  }

  /** Highest used page + 1 within arena `a`, relative to the arena's first page. */
  usedTop(a: number): number {
    return this.pagesPerArena - this.tree.freeTail(a);
  }

  /** Highest used page + 1 over the first `arenas` arenas (a global page id), 0 when none is used. */
  globalTop(arenas: number): number {
    for (let a = arenas - 1; a >= 0; a--) {
      const t = this.usedTop(a);
      if (t > 0) return a * this.pagesPerArena + t;
    }
    return 0;
  }

  private grow(pages: number): void {
    if (pages > 2 ** 31) throw new ZsError(ZsErrorCode.LIMIT, 'page store address space exhausted', ENOMEM);
    let cap = this.tree.capacity;
    while (cap < pages) cap *= 2;
    let owners: Int32Array;
    let starts: Int32Array;
    try {
      // Allocate before changing anything: an allocation failure leaves the map as it was.
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
    owners.set(this.owner);
    starts.set(this.runStart);
    this.owner = owners;
    this.runStart = starts;
  }
}
