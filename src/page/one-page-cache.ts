/**
 * OnePageCache: freed single pages kept out of the free-run tree for a while.
 *
 * Zspages of one page (every huge object, and the 1-page classes) come and go constantly; a lone
 * free page changes every ancestor in the tree twice per round trip (≈ 650 ns measured), the cache
 * ≈ 10 ns. The most recently freed page is reused first. Anything that needs the tree exact
 * (defragmentation, trimming, a larger allocation under a limit) flushes the cache first.
 */

import type { FreeRunTree } from './free-run-tree.js';

/** Most pages the cache holds. */
export const ONE_PAGE_CACHE_SIZE = 64;

/** A LIFO of free single pages that the tree still counts as used; see the file comment. */
export class OnePageCache {
  /** Pages held. */
  count = 0;
  private readonly pages = new Int32Array(ONE_PAGE_CACHE_SIZE);

  /** Keeps `page`; false when the cache is full (the caller frees it in the tree). */
  push(page: number): boolean {
    if (this.count === ONE_PAGE_CACHE_SIZE) return false;
    this.pages[this.count++] = page;
    return true;
  }

  /** The most recently kept page, or -1 when empty. */
  pop(): number {
    return this.count > 0 ? this.pages[--this.count] : -1;
  }

  /** Marks every kept page free in `tree` and empties the cache; returns how many there were. */
  flush(tree: FreeRunTree): number {
    const n = this.count;
    this.count = 0;
    for (let i = 0; i < n; i++) tree.set(this.pages[i], 1, true);
    return n;
  }
}
