/**
 * Defragmenter: packs runs down so that arena tops become free and can be cut.
 *
 * The lowest hole is filled with the highest-addressed movable run that fits in it; when no run
 * above fits, the run just above the hole slides down into it, so holes bubble up and merge.
 * Without pinned runs this packs every arena solid. A move copies the run's bytes and tells the
 * owner its new first page; no handle changes.
 *
 * Resumable and bounded: a call stops after about `budgetPages` pages moved or once `deadline`
 * (a value of the arenas' clock) has passed, whichever comes first, and the next call carries on
 * where it stopped if no run was taken or given back in between (else it starts over). Runs are
 * indexed from the top down a window at a time, so a call costs about what it moves.
 */

import { ZsError, ZsErrorCode } from '../errors.js';
import type { Arenas } from './arenas.js';
import type { RunMap } from './run-map.js';

/** Told about runs so the store can move them: the pool implements it for its zspages. */
export interface PageOwner {
  /** True when the run owned by `owner` may be moved now (not pinned, not being compacted). */
  canMove(owner: number): boolean;
  /** The run owned by `owner` has been copied to start at global page `page`. */
  moved(owner: number, page: number): void;
}

/** Runs up to this many pages are indexed by size (zspages have ≤ 16). */
const MAX_INDEXED = 16;
/** Pages indexed per step of the scan. */
const WINDOW = 4096;

/** A defragmentation in progress. */
interface DefragState {
  /** `RunMap.changes` when this state was last valid. */
  changes: number;
  /** Pages at and above this are indexed. */
  scanPos: number;
  /** Per run length, run starts in descending address order. */
  stacks: number[][];
  /** Per run length, the next entry to consider. */
  cursor: Int32Array;
}

/** Resumable defragmentation of one store; see the file comment. */
export class Defragmenter {
  /** Runs moved since creation. */
  runsRelocated = 0;
  /** Pages moved since creation. */
  pagesRelocated = 0;
  /** True when the last call found nothing more to move (it ran to the end). */
  done = true;
  private state: DefragState | null = null;
  private readonly map: RunMap;
  private readonly arenas: Arenas;

  /** A defragmenter of the runs in `map`, whose bytes live in `arenas`. */
  constructor(map: RunMap, arenas: Arenas) {
    this.map = map;
    this.arenas = arenas;
  }

  /**
   * Moves runs down until nothing more can move, about `budgetPages` pages have moved, or
   * `deadline` has passed. Returns the pages moved; {@link done} tells whether it finished.
   */
  run(owner: PageOwner, budgetPages: number, deadline: number): number {
    const map = this.map;
    const tree = map.tree;
    const P = this.arenas.pagesPerArena;
    const timed = deadline !== Number.POSITIVE_INFINITY;
    let st = this.state;
    if (st === null || st.changes !== map.changes) {
      st = {
        changes: map.changes,
        scanPos: map.globalTop(this.arenas.count),
        stacks: [],
        cursor: new Int32Array(MAX_INDEXED + 1),
      };
      for (let n = 0; n <= MAX_INDEXED; n++) st.stacks.push([]);
      this.state = st;
    }
    const stacks = st.stacks;
    const cursor = st.cursor;
    let moved = 0;
    this.done = false;
    let h = tree.findFreeFrom(0);
    while (h >= 0 && h < map.globalTop(this.arenas.count)) {
      const arenaEnd = (Math.floor(h / P) + 1) * P;
      // Length of the hole at h (within its arena, at most MAX_INDEXED pages).
      let k = 1;
      while (k < MAX_INDEXED && h + k < arenaEnd && tree.isFree(h + k)) k++;
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
          if (map.runStart[s] === s && map.runLength(s) === n && owner.canMove(map.owner[s])) break;
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
        if (timed && this.arenas.now() >= deadline) return this.pause(st, moved);
        continue;
      }
      if (best >= 0) {
        cursor[bestN]++;
        const o = map.owner[best];
        if (!this.tryMove(best, bestN, h, o)) break;
        owner.moved(o, h);
        moved += bestN;
      } else {
        // Nothing fits: slide the run just above the hole down into it.
        const r = tree.findUsedFrom(h);
        if (r < 0 || r >= arenaEnd) {
          h = tree.findFreeFrom(arenaEnd); // a tail gap no run fits: next arena
          continue;
        }
        const o = map.owner[r];
        const n = map.runLength(r);
        if (!owner.canMove(o)) {
          h = tree.findFreeFrom(r + n);
          continue;
        }
        if (!this.tryMove(r, n, h, o)) break;
        owner.moved(o, h);
        moved += n;
      }
      if (moved >= budgetPages || (timed && this.arenas.now() >= deadline)) return this.pause(st, moved);
      h = tree.findFreeFrom(h);
    }
    this.state = null;
    this.done = true;
    return moved;
  }

  /** Forgets any defragmentation in progress. */
  reset(): void {
    this.state = null;
  }

  /** Stops for now, keeping the index valid for the next call. */
  private pause(st: DefragState, moved: number): number {
    st.changes = this.map.changes;
    return moved;
  }

  /** Indexes the runs in the next window below `st.scanPos` (not below `floor`), by size. */
  private indexRuns(st: DefragState, floor: number): void {
    const owners = this.map.owner;
    const starts = this.map.runStart;
    const stop = Math.max(floor, st.scanPos - WINDOW);
    let p = st.scanPos - 1;
    while (p >= stop) {
      if (owners[p] < 0) {
        p--;
        continue;
      }
      const s = starts[p];
      const n = p - s + 1;
      if (n <= MAX_INDEXED && s >= floor) st.stacks[n].push(s);
      p = s - 1;
    }
    st.scanPos = p + 1 < stop ? p + 1 : stop;
  }

  /** {@link move}, or false (nothing changed) when the runtime refuses memory for it. */
  private tryMove(src: number, n: number, dest: number, o: number): boolean {
    try {
      this.move(src, n, dest, o);
      return true;
    } catch (e) {
      if (e instanceof ZsError && e.code === ZsErrorCode.LIMIT) return false;
      throw e;
    }
  }

  private move(src: number, n: number, dest: number, o: number): void {
    // dest < src; the two ranges may overlap when a run slides down into a smaller hole.
    const arenas = this.arenas;
    arenas.ensureCommitted(dest, n);
    const len = n << arenas.pageShift;
    const sa = arenas.arenaOf(src);
    const da = arenas.arenaOf(dest);
    const so = arenas.offsetOf(src);
    const dOff = arenas.offsetOf(dest);
    if (sa === da) arenas.views[sa].copyWithin(dOff, so, so + len);
    else arenas.views[da].set(arenas.views[sa].subarray(so, so + len), dOff);
    this.map.give(src, n);
    this.map.take(dest, n, o);
    this.runsRelocated++;
    this.pagesRelocated += n;
  }
}
