// The heap source: injected statistics, the browser default, V8's real figures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapSource, ZsError } from '../../src/index.js';
import { v8HeapFigures } from '../../src/internals.js';
import { v8HeapSource } from '../../src/node.js';

describe('heap source', () => {
  it('rates used against the limit', () => {
    let used = 0;
    const h = heapSource({ stats: () => ({ usedBytes: used, limitBytes: 1000 }) });
    used = 500;
    assert.equal(h.sample(0).level, 'none');
    used = 700;
    assert.equal(h.sample(0).level, 'low');
    used = 860;
    const s = h.sample(0);
    assert.equal(s.level, 'medium');
    assert.equal(s.reclaimBytes, 0, 'the heap gives no byte target');
    assert.deepEqual(s.figures, { usedBytes: 860, limitBytes: 1000, ratio: 0.86 });
    used = 950;
    assert.equal(h.sample(0).level, 'critical');
    used = 910; // within 5 % of 0.95
    assert.equal(h.sample(0).level, 'critical');
    used = 900;
    assert.equal(h.sample(0).level, 'medium');
  });

  it('is unavailable without statistics, invalid when they throw or are not sizes', () => {
    const none = heapSource({ stats: () => null }).sample(1);
    assert.equal(none.status, 'unavailable');
    assert.match(none.reason, /no heap statistics/);
    const threw = heapSource({
      stats: () => {
        throw new TypeError('nope');
      },
    }).sample(1);
    assert.equal(threw.status, 'invalid');
    assert.match(threw.reason, /nope/);
    const bad = heapSource({ stats: () => ({ usedBytes: 5, limitBytes: 0 }) }).sample(1);
    assert.equal(bad.status, 'invalid');
    assert.throws(() => heapSource({ stats: 3 as never }), ZsError);
  });

  it('reads performance.memory where it exists (the browser default) and is unavailable in Node', () => {
    assert.equal(heapSource().sample(0).status, 'unavailable');
    const perf = globalThis.performance as unknown as { memory?: unknown };
    const had = Object.getOwnPropertyDescriptor(perf, 'memory');
    Object.defineProperty(perf, 'memory', {
      value: { usedJSHeapSize: 96, jsHeapSizeLimit: 100, totalJSHeapSize: 98 },
      configurable: true,
    });
    try {
      const s = heapSource().sample(0);
      assert.equal(s.status, 'ok');
      assert.equal(s.level, 'critical');
      assert.equal(s.figures.usedBytes, 96);
    } finally {
      if (had) Object.defineProperty(perf, 'memory', had);
      else delete perf.memory;
    }
  });

  it('reads V8’s real heap statistics', () => {
    const f = v8HeapFigures();
    assert.ok(f.usedBytes > 1e6 && f.usedBytes < f.limitBytes, JSON.stringify(f));
    const s = v8HeapSource().sample(0);
    assert.equal(s.source, 'v8-heap');
    assert.equal(s.status, 'ok');
    assert.equal(s.level, 'none', 'a test process is far from its heap limit');
    assert.ok(s.figures.ratio > 0 && s.figures.ratio < 0.5);
    // Thresholds apply: a limit below current use reads critical.
    const tight = v8HeapSource({ thresholds: { low: 0, medium: 0, critical: 0 } }).sample(0);
    assert.equal(tight.level, 'critical');
  });
});
