// The read path of ZStore against a model Map: get, getInto (short, exact and long buffers) and
// borrow over random sets, deletes and compactions, with lz4 and codec none, values stored raw,
// compressed and cut into chunks; every result is a fresh array of its own; values decoded from the
// reused scratch buffer (strings, JSON) and values that keep their bytes (structured clones with
// typed arrays, a caller's codec) never see a later read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ZStore, ZsError } from '../../src/index.js';

/** Bytes of 0..maxLength: random, mostly-zero (compressible) or larger than a page (chunks). */
const bytesArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 400 }) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 14000 }), fc.nat(255)).map(([n, b]) => {
      const a = new Uint8Array(n);
      for (let i = 0; i < n; i += 61) a[i] = (b + i) & 255;
      return a;
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 3000, maxLength: 11000 }) },
);

type Op =
  | { t: 'set'; k: number; v: Uint8Array }
  | { t: 'delete'; k: number }
  | { t: 'get'; k: number }
  | { t: 'getInto'; k: number; extra: number }
  | { t: 'borrow'; k: number }
  | { t: 'compact' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('set' as const), k: fc.nat(12), v: bytesArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), k: fc.nat(12) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('get' as const), k: fc.nat(12) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('getInto' as const),
      k: fc.nat(12),
      extra: fc.integer({ min: -3, max: 40 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('borrow' as const), k: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'compact' as const }) },
);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function errCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ZsError, `not a ZsError: ${String(e)}`);
    return e.code;
  }
  return undefined;
}

describe('ZStore read path against a model', () => {
  for (const codec of ['lz4', 'none'] as const) {
    it(`get, getInto and borrow agree with a Map (codec ${codec}, values across chunks)`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
          const s = new ZStore<number, Uint8Array>({ codec, encoding: 'bytes', shrinkers: null });
          const model = new Map<number, Uint8Array>();
          const got: [Uint8Array, Uint8Array][] = []; // results handed out, with their expected bytes
          try {
            for (const op of ops) {
              if (op.t === 'set') {
                s.set(op.k, op.v);
                model.set(op.k, op.v.slice());
                op.v.fill(7); // the store kept its own copy
              } else if (op.t === 'delete') {
                assert.equal(s.delete(op.k), model.delete(op.k));
              } else if (op.t === 'compact') {
                s.pool.compact();
              } else if (op.t === 'get') {
                const v = s.get(op.k);
                const m = model.get(op.k);
                if (m === undefined) {
                  assert.equal(v, undefined);
                  continue;
                }
                assert.ok(v instanceof Uint8Array && !Buffer.isBuffer(v), 'a plain Uint8Array');
                assert.equal(v.byteOffset, 0);
                assert.equal(v.buffer.byteLength, v.length, 'a buffer of its own');
                assert.ok(equalBytes(v, m));
                got.push([v, m]);
              } else if (op.t === 'getInto') {
                const m = model.get(op.k);
                const size = Math.max(0, (m?.length ?? 10) + op.extra);
                const buf = new Uint8Array(size).fill(0xa5);
                if (m === undefined) {
                  assert.equal(s.getInto(op.k, buf), undefined);
                  assert.ok(buf.every((b) => b === 0xa5));
                } else if (size < m.length) {
                  assert.equal(
                    errCode(() => s.getInto(op.k, buf)),
                    'ERR_ZS_OUT_OF_RANGE',
                  );
                  assert.ok(
                    buf.every((b) => b === 0xa5),
                    'a refused getInto writes nothing',
                  );
                } else {
                  assert.equal(s.getInto(op.k, buf), m.length);
                  assert.ok(equalBytes(buf.subarray(0, m.length), m));
                  assert.ok(
                    buf.subarray(m.length).every((b) => b === 0xa5),
                    'nothing past the value',
                  );
                }
              } else {
                const m = model.get(op.k);
                let seen: Uint8Array | undefined;
                const code = errCode(() => {
                  const r = s.borrow(op.k, (view) => {
                    seen = view.slice();
                    return view.length;
                  });
                  assert.equal(r, m?.length);
                });
                if (m === undefined) assert.equal(seen, undefined);
                else if (code === undefined) assert.ok(seen !== undefined && equalBytes(seen, m));
                else {
                  // Only a value kept compressed or in chunks cannot be lent.
                  assert.equal(code, 'ERR_ZS_BAD_STATE');
                  assert.ok(codec === 'lz4' || m.length > s.pool.maxAllocSize);
                }
              }
            }
            // Every result handed out is still what it was: none shares memory with the store or
            // with another result.
            for (const [v, m] of got) assert.ok(equalBytes(v, m));
            for (const [k, m] of model) assert.ok(equalBytes(s.get(k)!, m));
            assert.equal(s.size, model.size);
          } finally {
            s.destroy();
          }
        }),
        { numRuns: 120 },
      );
    });
  }

  it('strings and JSON decoded from the reused scratch keep their values across reads', () => {
    const valueArb = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates: stored as UTF-16
      fc.constant('y'.repeat(70000)), // grows and then releases the scratch
      fc.constant('é'.repeat(3000)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(6), valueArb), { maxLength: 40 }), fc.boolean(), (sets, json) => {
        const s = json
          ? new ZStore<number, unknown>({ encoding: 'json', shrinkers: null })
          : new ZStore<number, string>({ encoding: 'string', shrinkers: null });
        const model = new Map<number, string>();
        const held: [unknown, string][] = [];
        try {
          for (const [k, v] of sets) {
            (s as ZStore<number, unknown>).set(k, json ? { v } : v);
            model.set(k, v);
            for (const [k2, v2] of model) {
              const r = (s as ZStore<number, unknown>).get(k2);
              assert.deepEqual(r, json ? { v: v2 } : v2);
              held.push([r, v2]);
            }
          }
          for (const [r, v] of held) assert.deepEqual(r, json ? { v } : v);
        } finally {
          s.destroy();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('structured values with typed arrays and a caller codec keep their bytes after later reads', () => {
    const s = new ZStore<number, unknown>({ encoding: 'structured', shrinkers: null });
    const a = { u8: new Uint8Array([1, 2, 3, 4, 5]), f64: new Float64Array([1.5, -2]) };
    const b = { u8: new Uint8Array([9, 9, 9, 9, 9]), f64: new Float64Array([7, 8]) };
    s.set(1, a);
    s.set(2, b);
    const ra = s.get(1) as typeof a;
    const rb = s.get(2) as typeof b;
    s.get(1);
    s.set(1, b);
    s.get(1);
    assert.deepEqual(ra, a);
    assert.deepEqual(rb, b);
    s.destroy();

    const kept: Uint8Array[] = [];
    const c = new ZStore<number, Uint8Array>({
      codec: 'none',
      shrinkers: null,
      encoding: {
        encode: (v: Uint8Array) => v,
        decode: (bytes: Uint8Array) => {
          kept.push(bytes);
          return bytes;
        },
      },
    });
    c.set(1, new Uint8Array([1, 1, 1]));
    c.set(2, new Uint8Array([2, 2, 2, 2]));
    c.get(1);
    c.get(2);
    assert.deepEqual([...kept[0]], [1, 1, 1]);
    assert.deepEqual([...kept[1]], [2, 2, 2, 2]);
    c.destroy();
  });

  it('a Buffer store reads back Buffers, each with bytes of its own', () => {
    const s = new ZStore<number, Buffer>({ encoding: 'buffer', codec: 'none', shrinkers: null });
    s.set(1, Buffer.from('one'));
    s.set(2, Buffer.from('two!'));
    const one = s.get(1)!;
    const two = s.get(2)!;
    assert.ok(Buffer.isBuffer(one) && Buffer.isBuffer(two));
    assert.equal(one.toString(), 'one');
    assert.equal(two.toString(), 'two!');
    one[0] = 0x4f;
    assert.equal(s.get(1)!.toString(), 'one');
    s.destroy();
  });
});
