/**
 * The V8 heap as a pressure source: `v8.getHeapStatistics()` `used_heap_size` against
 * `heap_size_limit` (the `--max-old-space-size` ceiling). See `../heap.ts` for levels and figures.
 */
import { getHeapStatistics } from 'node:v8';
import { optionsObject } from '../check.js';
import { type HeapFigures, HeapSource, type HeapSourceOptions } from '../heap.js';

/** V8's heap figures now (about a microsecond). */
export function v8HeapFigures(): HeapFigures {
  const h = getHeapStatistics();
  return { usedBytes: h.used_heap_size, limitBytes: h.heap_size_limit };
}

/** A {@link HeapSource} on V8's heap statistics (name `v8-heap`); options as `heapSource`'s. */
export function v8HeapSource(options: Omit<HeapSourceOptions, 'stats'> = {}): HeapSource {
  return new HeapSource({ name: 'v8-heap', ...optionsObject('v8HeapSource', options), stats: v8HeapFigures });
}
