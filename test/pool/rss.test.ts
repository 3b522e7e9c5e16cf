// Memory really goes back to the OS: measured as RSS of a child process, with no GC involved.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runChild } from '../helpers/rss.js';

const CHILD = join(
  import.meta.dirname ?? new URL('.', import.meta.url).pathname,
  '..',
  'children',
  'rss-pool.ts',
);

interface Out {
  rss0: number;
  rss1: number;
  rss2: number;
  liveBytes: number;
  freedBytes: number;
  rssAfterFree?: number;
  shrinkFreedPages?: number;
  bad?: number;
  settleMs?: number;
}

describe('RSS', { skip: process.platform !== 'linux' ? 'needs /proc/self/statm' : false }, () => {
  it('allocating ~256 MiB of objects and freeing them all drops RSS by at least 90% of what was allocated', () => {
    const o = runChild<Out>(CHILD, ['free-all', '256']);
    const allocated = o.rss1 - o.rss0;
    const dropped = o.rss1 - o.rss2;
    assert.ok(allocated > 250 * 2 ** 20, `allocated only ${allocated}`);
    assert.ok(dropped >= 0.9 * allocated, `dropped ${dropped} of ${allocated}`);
    // No free blocks for long: the cut beyond 4 MiB finishes in the background, in steps.
    assert.ok(o.settleMs! < 2000, `took ${o.settleMs} ms to settle`);
  });

  it('~512 MiB, a random half freed, the shrinker: RSS falls by at least 80% of what the freed objects occupied', () => {
    const o = runChild<Out>(CHILD, ['shrink-half', '512']);
    const fell = o.rss1 - o.rss2;
    assert.equal(o.bad, 0);
    assert.ok(o.shrinkFreedPages! > 0);
    assert.ok(fell >= 0.8 * o.freedBytes, `RSS fell ${fell}, freed objects held ${o.freedBytes}`);
  });
});
