/**
 * BatchedFrees: runs freed during a compaction, handed to the free-run tree in one bulk update.
 *
 * A compaction frees many zspages and allocates none, so nothing reads the tree meanwhile: the
 * runs are queued and `FreeRunTree.setManyFree` recomputes each dirty node once instead of once
 * per run. The queue is flushed before anything reads the tree (an allocation, defragmentation,
 * trimming) and when the batch ends.
 */

import type { FreeRunTree } from './free-run-tree.js';

/** A queue of freed runs; see the file comment. */
export class BatchedFrees {
  /** True between `begin` and `end` of a batch: frees are queued. */
  active = false;
  /** Runs queued. */
  count = 0;
  private starts = new Int32Array(256);
  private lengths = new Int32Array(256);

  /** Queues the run of `n` pages at `start`. */
  add(start: number, n: number): void {
    if (this.count === this.starts.length) {
      const s = new Int32Array(this.count * 2);
      s.set(this.starts);
      this.starts = s;
      const l = new Int32Array(this.count * 2);
      l.set(this.lengths);
      this.lengths = l;
    }
    this.starts[this.count] = start;
    this.lengths[this.count++] = n;
  }

  /** Marks every queued run free in `tree` (one bulk update) and empties the queue. */
  flush(tree: FreeRunTree): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    tree.setManyFree(this.starts, this.lengths, n);
  }
}
