// Black-box suite for the pool API (createPool / ZsPool), through the public entry only: every
// kind of bad input for every method and option, with the ZsError code it must give and the
// check that the failed call changed nothing (stats and every object's bytes equal before/after).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, ShrinkerRegistry, type ZsPool } from '../../src/index.js';
import {
  BAD_COUNTS,
  BAD_INTEGERS,
  detachedBytes,
  NOT_BYTES,
  NOT_FUNCTIONS,
  NOT_NUMBERS,
  NOT_OBJECTS,
  rejectsCode,
  throwsCode,
} from '../helpers/bad-inputs.js';

const BAD_ARGUMENT = 'ERR_ZS_BAD_ARGUMENT';

interface Fixture {
  pool: ZsPool;
  hs: number[];
  sizes: number[];
}

function fixture(): Fixture {
  const pool = createPool({ shrinkers: null });
  const hs: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < 40; i++) {
    const n = 1 + ((i * 397) % 3000);
    const h = pool.malloc(n);
    pool.write(h, new Uint8Array(n).fill(i + 1));
    hs.push(h);
    sizes.push(n);
  }
  return { pool, hs, sizes };
}

/** Stats (without the monotonic bytes_returned) plus every object's bytes. */
function snapshot({ pool, hs }: Fixture): string {
  const s = pool.stats();
  const bytes = hs.map((h) => Buffer.from(pool.read(h)).toString('base64'));
  return JSON.stringify({ ...s, bytes_returned: 0, bytes });
}

/** Asserts `fn` fails with `code` and leaves `f` exactly as it was. */
function failsUnchanged(f: Fixture, fn: () => unknown, code: string | string[], what: string): void {
  const before = snapshot(f);
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(
    err instanceof Error && codes.includes((err as { code?: string }).code ?? ''),
    `${what}: expected ${codes.join('|')}, got ${String(err)}`,
  );
  assert.equal((err as Error).name, 'ZsError', what);
  assert.equal(snapshot(f), before, `${what}: state changed`);
}

const label = (v: unknown): string => {
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (Object.is(v, -0)) return '-0';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Not-a-handle values: wrong types, bad numbers, and numbers that were never issued. */
const NOT_HANDLES: readonly unknown[] = [...NOT_NUMBERS, ...BAD_INTEGERS, 0, -0, 1, 2 ** 53, 2 ** 60];

describe('black box: createPool options', () => {
  const cases: [string, readonly unknown[]][] = [
    ['profile', [...NOT_NUMBERS.filter((v) => v !== undefined), 5, 'linux-9', 'Default']],
    ['pageSize', [...BAD_COUNTS.filter((v) => v !== undefined), 0, -0, 1024, 8192, 4097]],
    ['maxPagesPerZspage', [...BAD_COUNTS.filter((v) => v !== undefined), 0, 3, 17]],
    ['memLimit', [...BAD_COUNTS.filter((v) => v !== undefined), 1, 4095]],
    ['arenaBytes', [...BAD_COUNTS.filter((v) => v !== undefined), 0, 4096, 3 << 20, 2 ** 31]],
    ['growBytes', [...BAD_COUNTS.filter((v) => v !== undefined), 0, 1]],
    [
      'sliceMs',
      [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY],
    ],
    ['idleMs', [...BAD_COUNTS.filter((v) => v !== undefined), 2 ** 31]],
    ['shrinkers', ['x', {}, 5, true, [], () => 0, { register() {} }]],
    ['name', ['', 5, null, {}, true, Symbol('n')]],
  ];
  for (const [key, values] of cases) {
    it(`${key}: every bad value is ${BAD_ARGUMENT} and registers nothing`, () => {
      const reg = new ShrinkerRegistry();
      for (const v of values) {
        throwsCode(
          () => createPool({ name: 'bb', shrinkers: reg, [key]: v } as object),
          BAD_ARGUMENT,
          `${key}=${label(v)}`,
        );
        assert.equal(reg.list().length, 0, `${key}=${label(v)} registered a shrinker`);
      }
    });
  }

  it(`options that are not an object: ${BAD_ARGUMENT}`, () => {
    for (const v of NOT_OBJECTS) throwsCode(() => createPool(v as object), BAD_ARGUMENT, label(v));
  });

  it('maxPagesPerZspage in a kernel profile', () => {
    throwsCode(() => createPool({ profile: 'linux-6.12', maxPagesPerZspage: 8 }), BAD_ARGUMENT);
  });

  it('edge values that are valid: -0 memLimit (no limit), the largest memLimit, one page', () => {
    for (const o of [{ memLimit: -0 }, { memLimit: Number.MAX_SAFE_INTEGER }, { memLimit: 4096 }]) {
      const p = createPool({ shrinkers: null, ...o });
      const h = p.malloc(4096); // a huge object: one page
      assert.equal(p.size(h), 4096);
      if (o.memLimit === 4096) throwsCode(() => p.malloc(4096), 'ERR_ZS_LIMIT');
      else p.malloc(4096);
      p.destroy();
    }
  });
});

describe('black box: ZsPool methods', () => {
  it('malloc: bad sizes are ERR_ZS_BAD_SIZE, nothing changes', () => {
    const f = fixture();
    for (const v of [...BAD_COUNTS, 0, -0, f.pool.maxAllocSize + 1, 2 ** 31, 2 ** 32 + 1]) {
      failsUnchanged(f, () => f.pool.malloc(v as number), 'ERR_ZS_BAD_SIZE', `malloc(${label(v)})`);
    }
  });

  it('every handle method: values that are not handles are ERR_ZS_INVALID_HANDLE', () => {
    const f = fixture();
    const p = f.pool;
    const buf = new Uint8Array(4096);
    const ops: [string, (h: unknown) => unknown][] = [
      ['free', (h) => p.free(h as number)],
      ['read', (h) => p.read(h as number)],
      ['readInto', (h) => p.readInto(h as number, buf)],
      ['write', (h) => p.write(h as number, new Uint8Array(1))],
      ['size', (h) => p.size(h as number)],
      ['isMapped', (h) => p.isMapped(h as number)],
      ['map', (h) => p.map(h as number)],
      ['unmap', (h) => p.unmap(h as number)],
      ['with', (h) => p.with(h as number, () => 0)],
    ];
    for (const [name, op] of ops) {
      for (const v of NOT_HANDLES)
        failsUnchanged(f, () => op(v), 'ERR_ZS_INVALID_HANDLE', `${name}(${label(v)})`);
    }
  });

  it("another pool's handles (live, reused, freed) are refused by every method", () => {
    const f = fixture();
    const other = createPool({ shrinkers: null });
    const foreign: number[] = [];
    for (let i = 0; i < 200; i++) {
      const h = other.malloc(64);
      foreign.push(h);
      if (i % 2 === 0) {
        other.free(h);
        foreign.push(other.malloc(64)); // reused entry: a new generation
      }
    }
    const p = f.pool;
    for (const h of foreign) {
      for (const [name, op] of [
        ['free', () => p.free(h)],
        ['read', () => p.read(h)],
        ['write', () => p.write(h, new Uint8Array(1))],
        ['map', () => p.map(h)],
        ['with', () => p.with(h, () => 0)],
      ] as const) {
        failsUnchanged(f, op, ['ERR_ZS_INVALID_HANDLE', 'ERR_ZS_STALE_HANDLE'], `${name}(foreign ${h})`);
      }
    }
    other.destroy();
  });

  it('stale and freed handles: ERR_ZS_STALE_HANDLE, and ERR_ZS_DOUBLE_FREE for free', () => {
    const f = fixture();
    const h = f.hs.pop()!;
    f.sizes.pop();
    f.pool.free(h);
    failsUnchanged(f, () => f.pool.free(h), 'ERR_ZS_DOUBLE_FREE', 'double free');
    failsUnchanged(f, () => f.pool.read(h), 'ERR_ZS_STALE_HANDLE', 'read freed');
    const h2 = f.pool.malloc(10);
    f.hs.push(h2);
    failsUnchanged(f, () => f.pool.free(h), 'ERR_ZS_STALE_HANDLE', 'free stale');
    failsUnchanged(f, () => f.pool.map(h), 'ERR_ZS_STALE_HANDLE', 'map stale');
  });

  it('write and readInto: bad buffers, detached buffers, bad offsets', () => {
    const f = fixture();
    const p = f.pool;
    const h = f.hs[5];
    const n = f.sizes[5];
    for (const v of [...NOT_BYTES, new Int8Array(4), new Uint8ClampedArray(4)]) {
      failsUnchanged(f, () => p.write(h, v as Uint8Array), BAD_ARGUMENT, `write(${label(v)})`);
      failsUnchanged(f, () => p.readInto(h, v as Uint8Array), BAD_ARGUMENT, `readInto(${label(v)})`);
    }
    failsUnchanged(f, () => p.write(h, detachedBytes()), BAD_ARGUMENT, 'write(detached)');
    failsUnchanged(f, () => p.readInto(h, detachedBytes()), BAD_ARGUMENT, 'readInto(detached)');
    for (const off of [...NOT_NUMBERS.filter((v) => v !== undefined), Number.NaN, 0.5, 1.5]) {
      failsUnchanged(
        f,
        () => p.write(h, new Uint8Array(1), off as number),
        BAD_ARGUMENT,
        `write at ${label(off)}`,
      );
      failsUnchanged(
        f,
        () => p.readInto(h, new Uint8Array(n + 8), off as number),
        BAD_ARGUMENT,
        `readInto at ${label(off)}`,
      );
    }
    for (const off of [
      -1,
      -(2 ** 31),
      n,
      n + 1,
      2 ** 31,
      2 ** 53,
      Number.MAX_VALUE,
      Number.POSITIVE_INFINITY,
    ]) {
      const code = Number.isInteger(off) ? 'ERR_ZS_OUT_OF_RANGE' : BAD_ARGUMENT;
      failsUnchanged(f, () => p.write(h, new Uint8Array(1), off), code, `write at ${off}`);
      failsUnchanged(f, () => p.readInto(h, new Uint8Array(n + 8), off), code, `readInto at ${off}`);
    }
    failsUnchanged(f, () => p.write(h, new Uint8Array(n + 1)), 'ERR_ZS_OUT_OF_RANGE', 'write too long');
    failsUnchanged(
      f,
      () => p.readInto(h, new Uint8Array(n - 1 || 0)),
      'ERR_ZS_OUT_OF_RANGE',
      'readInto too short',
    );
    // -0 is the offset 0.
    p.write(h, new Uint8Array([f.hs.indexOf(h) + 1]), -0);
    assert.equal(p.readInto(h, new Uint8Array(n), -0), n);
  });

  it('map, unmap, with: bad modes, bad callbacks, unmap of an unmapped handle, free of a mapped one', () => {
    const f = fixture();
    const p = f.pool;
    const h = f.hs[3];
    for (const m of [...NOT_NUMBERS.filter((v) => v !== undefined), 'RW', 'r', 5]) {
      failsUnchanged(f, () => p.map(h, m as 'rw'), BAD_ARGUMENT, `map mode ${label(m)}`);
      failsUnchanged(f, () => p.with(h, () => 0, m as 'rw'), BAD_ARGUMENT, `with mode ${label(m)}`);
    }
    for (const fn of NOT_FUNCTIONS)
      failsUnchanged(f, () => p.with(h, fn as () => 0), BAD_ARGUMENT, `with ${label(fn)}`);
    failsUnchanged(f, () => p.unmap(h), 'ERR_ZS_NOT_MAPPED', 'unmap unmapped');
    p.map(h);
    const pinned = snapshot(f);
    throwsCode(() => p.free(h), 'ERR_ZS_PINNED');
    assert.equal(snapshot(f), pinned);
    p.unmap(h);
  });

  it('stats, classStats, compactAsync: bad options', async () => {
    const f = fixture();
    const p = f.pool;
    for (const v of NOT_OBJECTS) {
      failsUnchanged(f, () => p.stats(v as object), BAD_ARGUMENT, `stats(${label(v)})`);
      if (v === null || typeof v !== 'object') {
        await rejectsCode(p.compactAsync(v as object), BAD_ARGUMENT, `compactAsync(${label(v)})`);
      }
    }
    for (const v of [
      ...NOT_NUMBERS.filter((x) => x !== undefined),
      0,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      await rejectsCode(p.compactAsync({ sliceMs: v as number }), BAD_ARGUMENT, `sliceMs ${label(v)}`);
    }
    for (const v of [...BAD_COUNTS]) {
      failsUnchanged(f, () => p.classStats(v as number), BAD_ARGUMENT, `classStats(${label(v)})`);
    }
    assert.equal(p.classStats(100000), undefined);
    assert.equal(p.stats().compact_calls, 0, 'no rejected compactAsync counted as a call');
  });

  it('use after destroy: every method is ERR_ZS_DESTROYED; destroy is idempotent', async () => {
    const reg = new ShrinkerRegistry();
    const p = createPool({ shrinkers: reg });
    const h = p.malloc(10);
    p.destroy();
    assert.equal(reg.list().length, 0);
    const calls: [string, () => unknown][] = [
      ['malloc', () => p.malloc(10)],
      ['free', () => p.free(h)],
      ['read', () => p.read(h)],
      ['readInto', () => p.readInto(h, new Uint8Array(10))],
      ['write', () => p.write(h, new Uint8Array(1))],
      ['size', () => p.size(h)],
      ['isMapped', () => p.isMapped(h)],
      ['map', () => p.map(h)],
      ['unmap', () => p.unmap(h)],
      ['with', () => p.with(h, () => 0)],
      ['compact', () => p.compact()],
      ['trim', () => p.trim()],
      ['stats', () => p.stats()],
      ['classStats', () => p.classStats(0)],
    ];
    for (const [name, call] of calls) throwsCode(call, 'ERR_ZS_DESTROYED', name);
    await rejectsCode(p.compactAsync(), 'ERR_ZS_DESTROYED', 'compactAsync');
    assert.equal(p.liveObjects, 0);
    assert.equal(p.reclaimablePages(), 0);
    p.destroy();
  });

  it('re-entrant calls from a with() callback', async () => {
    const f = fixture();
    const p = f.pool;
    const h = f.hs[7];
    const n = f.sizes[7];
    // Free every other object so that compaction has work, then compact from inside with().
    for (let i = 0; i < f.hs.length; i += 2) {
      if (i === 7) continue;
      p.free(f.hs[i]);
    }
    const keep = f.hs.filter((_, i) => i % 2 === 1 || i === 7);
    p.with(h, (view) => {
      const before = Buffer.from(view).toString('hex');
      throwsCode(() => p.free(h), 'ERR_ZS_PINNED', 'free inside with');
      p.compact(); // must not move the pinned object under the view
      assert.equal(Buffer.from(view).toString('hex'), before);
      // Nested with() on the same handle: pinned twice, released once each.
      p.with(h, (v2) => assert.equal(v2.length, n));
      assert.equal(p.isMapped(h), true);
      const x = p.malloc(100); // allocation and free inside are fine
      p.free(x);
    });
    assert.equal(p.isMapped(h), false);
    // compactAsync started from inside a callback; a second compaction meanwhile does not run.
    const r = await p.with(h, async () => {
      const running = p.compactAsync();
      const second = p.compact();
      assert.equal(second.ran, false);
      return running;
    });
    assert.equal(r.ran, true);
    for (const k of keep) assert.ok(p.read(k).every((b) => b === f.hs.indexOf(k) + 1));
    // destroy() from inside the callback: the release is a no-op, the pool is destroyed.
    p.with(h, () => p.destroy());
    assert.equal(p.isDestroyed, true);
  });
});
