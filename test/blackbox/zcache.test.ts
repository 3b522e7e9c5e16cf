// Black-box suite for ZCache through the public API only: bad options and arguments are ZsErrors
// that change nothing; exceptions from dispose, onInsert and fetchMethod reach the caller after the
// cache is consistent; callbacks that call back into the cache cannot recurse without bound; a clock
// that throws mid-set changes nothing; inspect and JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ShrinkerRegistry, ZCache } from '../../src/index.js';
import { MAX_CALLBACK_DEPTH } from '../../src/store/zcache.js';
import { NOT_FUNCTIONS, NOT_OBJECTS, throwsCode } from '../helpers/bad-inputs.js';

describe('ZCache (black box)', () => {
  it('bad options throw ERR_ZS_BAD_ARGUMENT before anything is registered', () => {
    const reg = new ShrinkerRegistry();
    for (const o of NOT_OBJECTS) throwsCode(() => new ZCache(o as never), 'ERR_ZS_BAD_ARGUMENT', String(o));
    const bad: Record<string, unknown>[] = [
      {},
      { max: -1 },
      { max: 1.5 },
      { max: '3' },
      { ttl: -5 },
      { ttl: 0.5, max: 1 },
      { maxSize: -1 },
      { max: 1, sizeCalculation: () => 1 },
      { maxSize: 10, sizeCalculation: 5 },
      { max: 1, perf: {} },
      { maxBytes: -1 },
      { maxBytes: Number.NaN, max: 1 },
      { max: 1, minSaving: 2 },
      { max: 1, encoding: 'utf7' },
      { max: 1, hotBytes: -1 },
      { max: 1, hotBytes: 1.5 },
      { max: 1, hotBytes: '1024' },
      { max: 1, hotBytes: null },
    ];
    for (const o of bad) {
      throwsCode(
        () => new ZCache({ ...o, shrinkers: reg } as never),
        'ERR_ZS_BAD_ARGUMENT',
        JSON.stringify(o),
      );
    }
    for (const f of NOT_FUNCTIONS) {
      if (f === undefined) continue;
      for (const name of ['dispose', 'disposeAfter', 'onInsert', 'fetchMethod', 'memoMethod']) {
        throwsCode(
          () => new ZCache({ max: 2, [name]: f, shrinkers: reg } as never),
          'ERR_ZS_BAD_ARGUMENT',
          name,
        );
      }
    }
    assert.equal(reg.list().length, 0);
  });

  it('bad sizes and values change nothing', () => {
    const c = new ZCache<string, string>({ maxSize: 10, sizeCalculation: (v) => v.length, shrinkers: null });
    c.set('a', 'xx');
    throwsCode(() => c.set('b', ''), 'ERR_ZS_BAD_ARGUMENT', 'size 0 from sizeCalculation');
    throwsCode(
      () => c.set('b', 'y', { size: -1, sizeCalculation: () => Number.NaN }),
      'ERR_ZS_BAD_ARGUMENT',
      'NaN size',
    );
    throwsCode(() => c.set('b', 'y', { ttl: -1 }), 'ERR_ZS_BAD_ARGUMENT', 'negative ttl');
    throwsCode(() => c.set(undefined as never, 'y'), 'ERR_ZS_BAD_ARGUMENT', 'undefined key');
    assert.deepEqual([...c.entries()], [['a', 'xx']]);
    assert.equal(c.calculatedSize, 2);
    const plain = new ZCache<string, string>({ max: 3, shrinkers: null });
    throwsCode(() => plain.set('a', 'x', { size: 3 }), 'ERR_ZS_BAD_ARGUMENT', 'size without maxSize');
    assert.equal(plain.size, 0);
    c.destroy();
    plain.destroy();
  });

  it('a throwing dispose or onInsert reaches the caller after the cache is consistent', () => {
    const calls: string[] = [];
    const c = new ZCache<string, string>({
      max: 2,
      shrinkers: null,
      dispose: (v, k, r) => {
        calls.push(`d:${k}:${r}`);
        if (v === 'boom') throw new Error('dispose failed');
      },
      onInsert: (_v, k, r) => {
        calls.push(`i:${k}:${r}`);
        if (k === 'bad') throw new Error('onInsert failed');
      },
    });
    c.set('a', 'boom').set('b', 'B');
    assert.throws(() => c.set('c', 'C'), /dispose failed/);
    assert.deepEqual([...c.keys()], ['c', 'b'], 'a was evicted and c inserted despite the exception');
    assert.deepEqual(calls.slice(-2), ['d:a:evict', 'i:c:add'], 'every callback ran');
    assert.throws(() => c.set('bad', 'x'), /onInsert failed/);
    assert.equal(c.get('bad'), 'x');
    assert.equal(c.size, 2);
    c.destroy();
  });

  it('callbacks that insert into a full cache cannot recurse without bound', () => {
    let n = 0;
    const c: ZCache<string, number> = new ZCache<string, number>({
      max: 1,
      shrinkers: null,
      dispose: () => {
        n++;
        c.set(`k${n}`, n); // evicts again: would recurse forever
      },
    });
    c.set('a', 0);
    throwsCode(() => c.set('b', 1), 'ERR_ZS_BAD_STATE', 'nested too deep');
    assert.ok(n <= MAX_CALLBACK_DEPTH + 2, `${n} nested calls`);
    assert.equal(c.size, 1, 'still a consistent cache of one entry');
    assert.equal([...c.keys()].length, 1);
    c.destroy();
  });

  it('fetchMethod exceptions reject the fetch; the cache is left without the key', async () => {
    const c = new ZCache<string, string>({
      max: 5,
      shrinkers: null,
      fetchMethod: (k) => {
        if (k === 'sync') throw new Error('sync failure');
        return Promise.reject(new Error('async failure'));
      },
    });
    await assert.rejects(c.fetch('sync'), /sync failure/);
    await assert.rejects(c.fetch('async'), /async failure/);
    assert.equal(c.size, 0);
    const noFetch = new ZCache<string, string>({ max: 1, shrinkers: null });
    assert.equal(await noFetch.fetch('x'), undefined);
    throwsCode(() => noFetch.memo('x'), 'ERR_ZS_BAD_STATE', 'memo without memoMethod');
    c.destroy();
    noFetch.destroy();
  });

  it('a clock that throws mid-set changes nothing', () => {
    let broken = false;
    const c = new ZCache<string, string>({
      max: 5,
      ttl: 100,
      ttlResolution: 0,
      perf: {
        now: () => {
          if (broken) throw new Error('clock broke');
          return 1000;
        },
      },
      shrinkers: null,
    });
    c.set('a', 'A');
    broken = true;
    assert.throws(() => c.set('b', 'B'), /clock broke/);
    broken = false;
    assert.equal(c.size, 1);
    assert.deepEqual([...c.entries()], [['a', 'A']]);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.pool.liveObjects, 1, 'no payload leaked');
    c.destroy();
  });

  it('inspect shows one line; JSON.stringify a summary; destroyed refuses', () => {
    const c = new ZCache<string, string>({ max: 3, name: 'zc', shrinkers: null });
    c.set('a', 'b');
    const text = inspect(c);
    assert.ok(!text.includes('\n'), text);
    assert.match(text, /^ZCache\(zc\) \{ size: 1, max: 3/);
    assert.deepEqual(JSON.parse(JSON.stringify(c)), {
      type: 'ZCache',
      name: 'zc',
      size: 1,
      destroyed: false,
    });
    c.destroy();
    for (const f of [
      () => c.get('a'),
      () => c.set('a', 'c'),
      () => c.has('a'),
      () => c.delete('a'),
      () => c.clear(),
    ]) {
      throwsCode(f, 'ERR_ZS_DESTROYED', f.toString());
    }
  });
});
