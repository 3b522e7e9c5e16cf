/**
 * Trimmer: cuts arena tops back, on request or by itself, never blocking for long.
 *
 * - After a free, an arena whose committed top lies more than two growth steps above its highest
 *   used page is cut back to one step above it (the step is kept against the next growth). At
 *   most `maxCutPages`, and no more than half a millisecond's worth, go at once; the rest is cut
 *   after the current task, at least one `maxCutPages` chunk per event-loop turn and more while
 *   the turn's millisecond lasts.
 * - `trim()` cuts every arena exactly to its highest used page, bounded in bytes and in time: with
 *   a deadline, every step is sized to end before it, so a large cut becomes many small ones.
 * - Background cuts never throw into the void: a cut the runtime refuses leaves the memory
 *   committed, and the next free or trim tries again.
 */

import { yieldToEventLoop } from '../util/yield.js';
import type { Arenas } from './arenas.js';
import type { RunMap } from './run-map.js';

/** Longest stretch of background cutting before yielding, in ms. */
const BACKGROUND_SLICE_MS = 1;
/** Longest cut one free makes (by the learned cost), in ms. */
const AFTER_FREE_MS = 0.5;

/** Arena-top cutting for one store; see the file comment. */
export class Trimmer {
  /** While true, frees do not cut (a time-sliced compaction cuts in its own steps). */
  suspended = false;
  /** True when the last `trim` left every arena cut to its highest used page. */
  done = true;
  /** Set when the store is destroyed: nothing more is cut. */
  stopped = false;
  private scheduled = false;
  private readonly arenas: Arenas;
  private readonly map: RunMap;
  private readonly growPages: number;
  private readonly maxCutPages: number;
  private readonly prepare: () => void;

  /**
   * A trimmer for `arenas`, whose use is in `map`; `prepare` makes the map's free space exact
   * before a background pass reads it.
   */
  constructor(arenas: Arenas, map: RunMap, growPages: number, maxCutPages: number, prepare: () => void) {
    this.arenas = arenas;
    this.map = map;
    this.growPages = growPages;
    this.maxCutPages = maxCutPages;
    this.prepare = prepare;
  }

  /** After a free in arena `a`: cuts its top back if enough lies free (see the file comment). */
  afterFree(a: number): void {
    if (this.suspended) return;
    const top = this.map.usedTop(a);
    if (this.arenas.committedIn(a) - top <= 2 * this.growPages) return;
    const target = top + this.growPages;
    this.arenas.cutFor(a, target, AFTER_FREE_MS, this.maxCutPages);
    if (this.arenas.committedIn(a) > target) this.schedule();
  }

  /**
   * Cuts every arena down to its highest used page, giving back at most `maxBytes` and stopping
   * once `deadline` (a value of the arenas' clock) has passed. Returns the bytes given back.
   */
  trim(maxBytes: number, deadline: number): number {
    const arenas = this.arenas;
    const timed = deadline !== Number.POSITIVE_INFINITY;
    let released = 0;
    this.done = false;
    for (let a = arenas.count - 1; a >= 0; a--) {
      const top = this.map.usedTop(a);
      while (arenas.committedIn(a) > top) {
        const room = Math.floor((maxBytes - released) / arenas.pageSize);
        if (room <= 0) return released;
        if (timed) {
          const left = deadline - arenas.now();
          if (left <= 0) return released;
          released += arenas.cutFor(a, Math.max(top, arenas.committedIn(a) - room), left);
        } else {
          released += arenas.cutToward(a, top, room);
        }
      }
    }
    this.done = true;
    return released;
  }

  /** Finishes automatic cuts after the current task, a slice at a time. */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    yieldToEventLoop()
      .then(() => this.background())
      .catch(() => {
        // A cut the runtime refused leaves the memory committed; the next free or trim retries.
        this.scheduled = false;
      });
  }

  /** True while a background pass is scheduled. */
  get pending(): boolean {
    return this.scheduled;
  }

  private background(): void {
    this.scheduled = false;
    if (this.stopped || this.suspended) return;
    this.prepare();
    const arenas = this.arenas;
    const deadline = arenas.now() + BACKGROUND_SLICE_MS;
    for (let a = arenas.count - 1; a >= 0; a--) {
      for (;;) {
        const top = this.map.usedTop(a);
        if (arenas.committedIn(a) - top <= 2 * this.growPages) break;
        // At least one chunk of `maxCutPages` per turn, so the cut always settles in about
        // committed / chunk turns, however slow the machine; more while the slice lasts.
        arenas.cutToward(a, top + this.growPages, this.maxCutPages);
        if (arenas.now() >= deadline) {
          this.schedule();
          return;
        }
      }
    }
  }
}
