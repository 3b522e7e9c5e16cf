// Black-box suite for ZStore through the public API only: every bad argument is a ZsError with a
// stable code and changes nothing (no registration, no entry, no pool object); failed writes over a
// value that is mapped (borrowed) leave everything as it was; a codec that decompresses short is
// ERR_ZS_CODEC, never a zero-padded value; a destroyed store refuses everything; inspect and JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { type Codec, ShrinkerRegistry, ZStore } from '../../src/index.js';
import { detachedBytes, NOT_BYTES, NOT_OBJECTS, throwsCode } from '../helpers/bad-inputs.js';

const BAD_KEYS: readonly unknown[] = [undefined, null, true, 5n, {}, [], Symbol('k'), () => 1, new Date(0)];

function snapshot(s: ZStore<string | number, unknown>) {
  return { size: s.size, keys: [...s.keys()], values: [...s.values()], objects: s.pool.liveObjects };
}

describe('ZStore (black box)', () => {
  it('bad options throw ERR_ZS_BAD_ARGUMENT before anything is registered', () => {
    const reg = new ShrinkerRegistry();
    for (const o of NOT_OBJECTS) {
      if (o === null || typeof o !== 'object' || Array.isArray(o))
        throwsCode(() => new ZStore(o as never), 'ERR_ZS_BAD_ARGUMENT', `options ${String(o)}`);
    }
    const bad: Record<string, unknown>[] = [
      { minSaving: -1 },
      { minSaving: 1 },
      { minSaving: '0.5' },
      { codec: 5 },
      { codec: {} },
      { encoding: 'utf7' },
      { encoding: { encode: 1 } },
      { name: 5 },
      { mode: 'cache' },
      { hotBytes: -1 },
      { hotBytes: 0.5 },
      { hotBytes: '1024' },
      { hotBytes: null },
      { hotBytes: Number.POSITIVE_INFINITY },
    ];
    for (const o of bad) {
      throwsCode(
        () => new ZStore({ ...o, shrinkers: reg } as never),
        'ERR_ZS_BAD_ARGUMENT',
        JSON.stringify(o),
      );
    }
    throwsCode(() => new ZStore({ codec: 'nope', shrinkers: reg }), 'ERR_ZS_UNAVAILABLE', 'unknown codec');
    assert.equal(reg.list().length, 0);
  });

  it('bad keys and values change nothing', () => {
    const s = new ZStore<string | number, unknown>({ shrinkers: null });
    s.set('a', 'A').set(1, new Uint8Array([1, 2]));
    const before = snapshot(s);
    for (const k of BAD_KEYS) {
      for (const op of ['get', 'has', 'delete'] as const) {
        throwsCode(() => (s[op] as (k: unknown) => unknown)(k), 'ERR_ZS_BAD_ARGUMENT', `${op}(${String(k)})`);
      }
      throwsCode(() => s.set(k as never, 'x'), 'ERR_ZS_BAD_ARGUMENT', `set(${String(k)})`);
    }
    throwsCode(() => s.set('d', detachedBytes()), 'ERR_ZS_BAD_ARGUMENT', 'detached bytes');
    throwsCode(() => s.set('a', Symbol('v')), 'ERR_ZS_BAD_ARGUMENT', 'a symbol');
    throwsCode(() => s.set('a', undefined), 'ERR_ZS_BAD_ARGUMENT', 'undefined');
    const bytes = new ZStore<number, Uint8Array>({ encoding: 'bytes', shrinkers: null });
    for (const v of NOT_BYTES)
      throwsCode(() => bytes.set(1, v as never), 'ERR_ZS_BAD_ARGUMENT', `bytes ${String(v)}`);
    assert.equal(bytes.size, 0);
    for (const b of [undefined, 'x', [1], new Uint16Array(2)]) {
      throwsCode(() => s.getInto('a', b as never), 'ERR_ZS_BAD_ARGUMENT', `getInto ${String(b)}`);
    }
    throwsCode(() => s.getInto('a', new Uint8Array(0)), 'ERR_ZS_OUT_OF_RANGE', 'short buffer');
    assert.equal(s.getInto('a', new Uint8Array(8)), 1);
    assert.equal(s.getInto('zz', new Uint8Array(8)), undefined);
    assert.deepEqual(snapshot(s), before);
    s.destroy();
    bytes.destroy();
  });

  it('writes over a mapped value fail with ERR_ZS_PINNED and change nothing (set, delete, clear)', () => {
    const s = new ZStore<string | number, unknown>({ codec: 'none', shrinkers: null });
    s.set('a', 'x'.repeat(100)).set('b', 'y'.repeat(100)).set('c', 'z'.repeat(100));
    const before = snapshot(s);
    const seen = s.borrow('b', (view) => {
      assert.equal(view.length, 100);
      throwsCode(() => s.set('b', 'new'), 'ERR_ZS_PINNED', 'set over a borrowed value');
      throwsCode(() => s.delete('b'), 'ERR_ZS_PINNED', 'delete of a borrowed value');
      throwsCode(() => s.clear(), 'ERR_ZS_PINNED', 'clear with a borrowed value');
      assert.deepEqual(snapshot(s), before, 'nothing changed, no payload leaked');
      return view[0];
    });
    assert.equal(seen, 'y'.charCodeAt(0));
    s.set('b', 'new');
    assert.equal(s.get('b'), 'new');
    s.clear();
    assert.equal(s.size, 0);
    assert.equal(s.pool.liveObjects, 0);
    s.destroy();
  });

  it('a codec that decompresses short is ERR_ZS_CODEC, never a zero-padded value', () => {
    const short: Codec = {
      name: 'short',
      compress(src, dst) {
        if (dst.length < 8) return -1;
        dst.set(src.subarray(0, 8));
        return 8;
      },
      decompress(src, dst) {
        dst.set(src.subarray(0, Math.min(src.length, dst.length)));
        return Math.min(src.length, dst.length);
      },
    };
    const s = new ZStore<string, Uint8Array>({ codec: short, encoding: 'bytes', shrinkers: null });
    s.set('k', new Uint8Array(1000).fill(3));
    throwsCode(() => s.get('k'), 'ERR_ZS_CODEC', 'short decompress');
    throwsCode(() => [...s.values()], 'ERR_ZS_CODEC', 'short decompress in values()');
    assert.equal(s.size, 1);
    s.destroy();
  });

  it('a destroyed store refuses everything with ERR_ZS_DESTROYED; destroy is idempotent', () => {
    const s = new ZStore<string, string>({ encoding: 'string', shrinkers: null });
    s.set('a', 'b');
    s.destroy();
    s.destroy();
    for (const f of [
      () => s.get('a'),
      () => s.set('a', 'c'),
      () => s.has('a'),
      () => s.delete('a'),
      () => s.clear(),
      () => [...s.keys()],
      () => s.stats(),
      () => s.getInto('a', new Uint8Array(4)),
    ]) {
      throwsCode(f, 'ERR_ZS_DESTROYED', f.toString());
    }
    assert.equal(s.size, 0);
  });

  it('inspect shows one line; JSON.stringify a summary, never "circular"', () => {
    const s = new ZStore<string, string>({ encoding: 'string', name: 'insp', shrinkers: null });
    s.set('a', 'b');
    const text = inspect(s);
    assert.ok(!text.includes('\n'), text);
    assert.match(text, /^ZStore\(insp\) \{ size: 1, codec: lz4/);
    assert.deepEqual(JSON.parse(JSON.stringify({ s })), {
      s: { type: 'ZStore', name: 'insp', size: 1, destroyed: false },
    });
    assert.equal(Object.prototype.toString.call(s), '[object ZStore]');
    s.destroy();
    assert.match(inspect(s), /destroyed/);
  });
});
