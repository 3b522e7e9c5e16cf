// Value encodings of ZStore and ZCache: the value types they infer (checked by the compiler through
// expect-type), and what each one gives back — lossless strings (lone surrogates included), Buffers
// as Buffers, JSON, structured-cloneable values (Date, Map, Set, typed arrays, cycles), a user
// codec — plus the values each refuses, with nothing stored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import fc from 'fast-check';
import {
  type EncodedValue,
  type JsonValue,
  ZCache,
  type ZCacheEntry,
  ZStore,
  type ZStoreKey,
  type ZStoreValue,
} from '../../src/index.js';
import { detachedBytes, throwsCode } from '../helpers/bad-inputs.js';

describe('value types', () => {
  it('are pinned: V from the type argument or a codec, EncodedValue for the named encodings', () => {
    const s = new ZStore<string, EncodedValue<'string'>>({ encoding: 'string', shrinkers: null });
    expectTypeOf(s).toEqualTypeOf<ZStore<string, string>>();
    expectTypeOf(s.get('k')).toEqualTypeOf<string | undefined>();
    expectTypeOf<EncodedValue<'bytes'>>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<EncodedValue<'buffer'>>().toEqualTypeOf<Buffer<ArrayBuffer>>();
    expectTypeOf<EncodedValue<'json'>>().toEqualTypeOf<JsonValue>();
    expectTypeOf<EncodedValue<'structured'>>().toEqualTypeOf<unknown>();
    expectTypeOf(new ZStore<number, Buffer>({ encoding: 'buffer', shrinkers: null }).get(1)).toEqualTypeOf<
      Buffer | undefined
    >();
    expectTypeOf(new ZStore({ shrinkers: null }).get(1)).toEqualTypeOf<ZStoreValue | undefined>();
    const codec = {
      encode: (d: Date) => new Uint8Array(new Float64Array([d.getTime()]).buffer),
      decode: (b: Uint8Array) => new Date(new Float64Array(b.buffer, b.byteOffset, 1)[0]),
    };
    const dates = new ZStore({ encoding: codec, shrinkers: null });
    expectTypeOf(dates).toEqualTypeOf<ZStore<ZStoreKey, Date>>();
    expectTypeOf(dates.get('x')).toEqualTypeOf<Date | undefined>();
    dates.set('d', new Date(7));
    assert.deepEqual(dates.get('d'), new Date(7));
    const typed = new ZStore<number, { a: number }>({ encoding: 'structured', shrinkers: null });
    expectTypeOf(typed.get(1)).toEqualTypeOf<{ a: number } | undefined>();
    // @ts-expect-error a string store takes strings only
    const wrong = () => s.set('k', 5);
    throwsCode(wrong, 'ERR_ZS_BAD_ARGUMENT', 'a number in a string store');
    const c = new ZCache<string, { n: number }>({ max: 2, shrinkers: null });
    expectTypeOf(c.get('k')).toEqualTypeOf<{ n: number } | undefined>();
    expectTypeOf(c.peek('k')).toEqualTypeOf<{ n: number } | undefined>();
    expectTypeOf(c.fetch('k')).toEqualTypeOf<Promise<{ n: number } | undefined>>();
    expectTypeOf(c.dump()).toEqualTypeOf<[string, ZCacheEntry<{ n: number }>][]>();
    for (const x of [s, dates, typed]) x.destroy();
    c.destroy();
  });
});

describe('encodings', () => {
  it('string: every JS string comes back exactly, lone surrogates included', () => {
    const s = new ZStore<number, string>({ encoding: 'string', shrinkers: null });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({
          unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
          maxLength: 4,
        }),
        (a, lone) => {
          const v = a + lone + a;
          s.set(1, v);
          assert.equal(s.get(1), v);
        },
      ),
      { numRuns: 300 },
    );
    for (const v of ['\ud800', 'a\udc00b', '\udbff\udfff', 'x'.repeat(20000) + '\ud800', '']) {
      s.set(2, v);
      assert.equal(s.get(2), v);
    }
    throwsCode(() => s.set(3, 5 as unknown as string), 'ERR_ZS_BAD_ARGUMENT', 'number in a string store');
    assert.equal(s.has(3), false);
    s.destroy();
  });

  it('auto: strings and bytes natively, a Buffer back as a Buffer, anything else structured', () => {
    const s = new ZStore<string, unknown>({ shrinkers: null });
    const buf = Buffer.from('hello buffer');
    s.set('b', buf)
      .set('u', new Uint8Array([1, 2, 3]))
      .set('s', 'str\ud800');
    const got = s.get('b');
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(got, buf);
    const u = s.get('u');
    assert.ok(u instanceof Uint8Array && !Buffer.isBuffer(u));
    assert.deepEqual(u, new Uint8Array([1, 2, 3]));
    assert.equal(s.get('s'), 'str\ud800');
    const cyc: { self?: unknown; d: Date; m: Map<string, Set<number>>; t: Float32Array } = {
      d: new Date(5),
      m: new Map([['x', new Set([1, 2])]]),
      t: new Float32Array([1.5, 2]),
    };
    cyc.self = cyc;
    s.set('o', cyc);
    const o = s.get('o') as typeof cyc;
    assert.equal(o.self, o);
    assert.deepEqual(o.d, new Date(5));
    assert.deepEqual(o.m, new Map([['x', new Set([1, 2])]]));
    assert.deepEqual(o.t, new Float32Array([1.5, 2]));
    throwsCode(() => s.set('f', () => 1), 'ERR_ZS_BAD_ARGUMENT', 'a function');
    throwsCode(() => s.set('d', detachedBytes()), 'ERR_ZS_BAD_ARGUMENT', 'detached bytes');
    throwsCode(() => s.set('n', undefined), 'ERR_ZS_BAD_ARGUMENT', 'undefined');
    assert.deepEqual([...s.keys()], ['b', 'u', 's', 'o']);
    s.destroy();
  });

  it('bytes, buffer, json and a user codec', () => {
    const bytes = new ZStore<number, Uint8Array>({ encoding: 'bytes', shrinkers: null });
    bytes.set(1, Buffer.from([9, 8]));
    assert.ok(!Buffer.isBuffer(bytes.get(1)));
    throwsCode(() => bytes.set(2, 'x' as unknown as Uint8Array), 'ERR_ZS_BAD_ARGUMENT', 'string in bytes');
    const bufs = new ZStore<number, Buffer>({ encoding: 'buffer', shrinkers: null });
    bufs.set(1, Buffer.alloc(5000, 7));
    assert.ok(Buffer.isBuffer(bufs.get(1)));
    assert.deepEqual(bufs.get(1), Buffer.alloc(5000, 7));
    const json = new ZStore<string, JsonValue>({ encoding: 'json', shrinkers: null });
    json.set('a', { x: [1, 'two', null, { y: true }] });
    assert.deepEqual(json.get('a'), { x: [1, 'two', null, { y: true }] });
    throwsCode(
      () => json.set('b', undefined as unknown as JsonValue),
      'ERR_ZS_BAD_ARGUMENT',
      'undefined JSON',
    );
    const big = { n: 10n } as unknown as JsonValue;
    throwsCode(() => json.set('c', big), 'ERR_ZS_BAD_ARGUMENT', 'bigint JSON');
    const codec = {
      encode: (v: number[]) => new Uint8Array(v),
      decode: (b: Uint8Array) => [...b],
    };
    const user = new ZStore<number, number[]>({ encoding: codec, shrinkers: null });
    user.set(1, [1, 2, 3]);
    assert.deepEqual(user.get(1), [1, 2, 3]);
    const broken = new ZStore<number, number>({
      encoding: { encode: () => 'nope' as unknown as Uint8Array, decode: () => 1 },
      shrinkers: null,
    });
    throwsCode(() => broken.set(1, 1), 'ERR_ZS_CODEC', 'codec returning a string');
    assert.equal(broken.size, 0);
    throwsCode(
      () => new ZStore({ encoding: 'utf7' as never, shrinkers: null }),
      'ERR_ZS_BAD_ARGUMENT',
      'unknown encoding',
    );
    for (const x of [bytes, bufs, json, user, broken]) x.destroy();
  });
});
