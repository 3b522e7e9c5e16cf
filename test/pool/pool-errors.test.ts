// Every error path of the pool: the right ZsError code (and kernel errno where there is one),
// and no state change after the failed call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, ShrinkerRegistry, type ZsPool } from '../../src/index.js';

function fingerprint(pool: ZsPool): string {
  const s = pool.stats();
  return JSON.stringify({ ...s, bytes_returned: 0 });
}

function withObjects(profile: 'linux-6.1' | 'linux-6.12' | 'default' = 'default') {
  const pool = createPool({ profile, shrinkers: null });
  const hs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const h = pool.malloc(100 + i * 37);
    pool.write(h, new Uint8Array(100 + i * 37).fill(i));
    hs.push(h);
  }
  return { pool, hs };
}

function intact(pool: ZsPool, hs: number[], skip = -1): void {
  hs.forEach((h, i) => {
    if (i === skip) return;
    const b = pool.read(h);
    assert.equal(b.length, 100 + i * 37);
    assert.ok(b.every((x) => x === i));
  });
}

describe('pool errors', () => {
  it('bad sizes: ERR_ZS_BAD_SIZE with the kernel errno, nothing changes', () => {
    for (const [profile, tooBig] of [
      ['linux-6.1', -22],
      ['linux-6.12', -28],
    ] as const) {
      const { pool, hs } = withObjects(profile);
      const before = fingerprint(pool);
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', null, undefined]) {
        assert.throws(
          () => pool.malloc(bad as number),
          (e: { code: string; errno: number }) => e.code === 'ERR_ZS_BAD_SIZE' && e.errno === -22,
        );
      }
      assert.throws(() => pool.malloc(4097), { code: 'ERR_ZS_BAD_SIZE', errno: tooBig });
      assert.throws(() => pool.malloc(2 ** 40), { code: 'ERR_ZS_BAD_SIZE', errno: tooBig });
      assert.equal(fingerprint(pool), before);
      intact(pool, hs);
    }
  });

  it('not a handle, stale handle, double free', () => {
    const { pool, hs } = withObjects();
    const h = hs[10];
    const before = fingerprint(pool);
    // (1 would be a valid handle: entry 0, generation 1.)
    for (const bad of [0, 65536, -h, h + 0.5, h + 1, 65536 * 1e6 + 1, 2 ** 60, '1', {}, Number.NaN]) {
      assert.throws(() => pool.free(bad as number), { code: 'ERR_ZS_INVALID_HANDLE' });
      assert.throws(() => pool.read(bad as number), { code: 'ERR_ZS_INVALID_HANDLE' });
    }
    assert.equal(fingerprint(pool), before);
    pool.free(h);
    assert.throws(() => pool.free(h), { code: 'ERR_ZS_DOUBLE_FREE' });
    assert.throws(() => pool.read(h), { code: 'ERR_ZS_STALE_HANDLE' });
    assert.throws(() => pool.map(h), { code: 'ERR_ZS_STALE_HANDLE' });
    const h2 = pool.malloc(50); // reuses the entry with a new generation
    assert.notEqual(h2, h);
    assert.throws(() => pool.free(h), { code: 'ERR_ZS_STALE_HANDLE' });
    assert.throws(() => pool.write(h, new Uint8Array(1)), { code: 'ERR_ZS_STALE_HANDLE' });
    assert.equal(pool.size(h2), 50);
    intact(pool, hs, 10);
  });

  it('a handle is recognised as stale until its entry has been reused 65535 times', () => {
    const pool = createPool({ shrinkers: null });
    const first = pool.malloc(10);
    pool.free(first);
    let h = 0;
    for (let i = 0; i < 65534; i++) {
      h = pool.malloc(10);
      assert.throws(() => pool.size(first), { code: 'ERR_ZS_STALE_HANDLE' });
      pool.free(h);
    }
    h = pool.malloc(10);
    // The 65535th reuse wraps the generation (0 is skipped): the old number names the new object.
    assert.equal(h, first);
  });

  it('pinned objects cannot be freed; unmap of an unmapped handle fails', () => {
    const { pool, hs } = withObjects();
    const before = fingerprint(pool);
    assert.throws(() => pool.unmap(hs[3]), { code: 'ERR_ZS_NOT_MAPPED' });
    const v = pool.map(hs[3], 'ro');
    assert.equal(v.length, pool.size(hs[3]));
    assert.throws(() => pool.free(hs[3]), { code: 'ERR_ZS_PINNED' });
    assert.throws(() => pool.map(hs[3], 'x' as 'rw'), { code: 'ERR_ZS_BAD_ARGUMENT' });
    pool.unmap(hs[3]);
    assert.equal(fingerprint(pool), before);
    pool.free(hs[3]);
  });

  it('with() unmaps even when the callback throws', () => {
    const { pool, hs } = withObjects();
    assert.throws(
      () =>
        pool.with(hs[0], () => {
          throw new Error('boom');
        }),
      /boom/,
    );
    pool.free(hs[0]); // would throw ERR_ZS_PINNED if still mapped
  });

  it('out-of-range reads and writes', () => {
    const { pool, hs } = withObjects();
    const before = fingerprint(pool);
    const n = pool.size(hs[0]);
    assert.throws(() => pool.write(hs[0], new Uint8Array(n + 1)), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => pool.write(hs[0], new Uint8Array(2), n - 1), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => pool.write(hs[0], new Uint8Array(1), -1), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => pool.write(hs[0], [1, 2] as unknown as Uint8Array), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => pool.readInto(hs[0], new Uint8Array(n - 1)), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.throws(() => pool.readInto(hs[0], new Uint8Array(n), 1), { code: 'ERR_ZS_OUT_OF_RANGE' });
    assert.equal(fingerprint(pool), before);
    intact(pool, hs);
    pool.write(hs[0], new Uint8Array([9, 9]), n - 2);
    const b = pool.read(hs[0]);
    assert.deepEqual([...b.subarray(n - 3)], [0, 9, 9]);
  });

  it('memory limit: ERR_ZS_LIMIT (-ENOMEM), nothing changes, frees make room again', () => {
    const pool = createPool({ memLimit: 64 * 4096, shrinkers: null });
    const hs: number[] = [];
    let err: unknown;
    try {
      for (;;) hs.push(pool.malloc(3000));
    } catch (e) {
      err = e;
    }
    assert.equal((err as { code: string }).code, 'ERR_ZS_LIMIT');
    assert.equal((err as { errno: number }).errno, -12);
    assert.ok(pool.totalPages() <= 64);
    const before = fingerprint(pool);
    assert.throws(() => pool.malloc(3000), { code: 'ERR_ZS_LIMIT' });
    assert.equal(fingerprint(pool), before);
    // Small objects still fit in zspages with free slots.
    pool.free(hs.pop()!);
    pool.free(hs.pop()!);
    pool.malloc(3000);
  });

  it('a destroyed pool refuses everything', () => {
    const reg = new ShrinkerRegistry();
    const pool = createPool({ shrinkers: reg });
    const h = pool.malloc(10);
    assert.equal(reg.list().length, 1);
    pool.destroy();
    assert.equal(reg.list().length, 0, 'shrinker unregistered on destroy');
    for (const f of [
      () => pool.malloc(10),
      () => pool.free(h),
      () => pool.read(h),
      () => pool.map(h),
      () => pool.write(h, new Uint8Array(1)),
      () => pool.size(h),
      () => pool.compact(),
      () => pool.trim(),
    ]) {
      assert.throws(f, { code: 'ERR_ZS_DESTROYED' });
    }
    pool.destroy(); // idempotent
  });

  it('bad options', () => {
    assert.throws(() => createPool({ profile: 'linux-9' as 'default' }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => createPool({ pageSize: 8192 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => createPool({ memLimit: -1 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => createPool({ profile: 'linux-6.1', maxPagesPerZspage: 8 }), {
      code: 'ERR_ZS_BAD_ARGUMENT',
    });
    assert.throws(() => createPool({ maxPagesPerZspage: 3 }), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => createPool({ name: '' }), { code: 'ERR_ZS_BAD_ARGUMENT' });
  });

  it('bad options create and register nothing', () => {
    const reg = new ShrinkerRegistry();
    const bad: unknown[] = [
      null,
      5,
      'x',
      { shrinkers: 'x' },
      { shrinkers: {} },
      { shrinkers: 5 },
      { memLimit: 1 },
      { memLimit: 4095 },
      { memLimit: 1.5 },
      { memLimit: Number.NaN },
      { sliceMs: '5' },
      { sliceMs: 0 },
      { sliceMs: Number.POSITIVE_INFINITY },
      { name: 5 },
      { pageSize: '4096' },
      { growBytes: 1 },
      { arenaBytes: 4096 },
    ];
    for (const o of bad) {
      const opts = typeof o === 'object' && o !== null ? { ...o, name: 'p', shrinkers: reg, ...o } : o;
      assert.throws(() => createPool(opts as object), { code: 'ERR_ZS_BAD_ARGUMENT' }, JSON.stringify(o));
      assert.equal(reg.list().length, 0, `nothing registered for ${JSON.stringify(o)}`);
    }
    // memLimit is rounded down to whole pages.
    const pool = createPool({ memLimit: 2 * 4096 + 100, shrinkers: null });
    pool.malloc(4096);
    pool.malloc(4096);
    assert.throws(() => pool.malloc(4096), { code: 'ERR_ZS_LIMIT' });
    assert.equal(pool.totalPages(), 2);
    const one = createPool({ memLimit: 4096, shrinkers: null });
    one.malloc(4000);
    assert.throws(() => one.malloc(4000), { code: 'ERR_ZS_LIMIT' });
  });

  it("another pool's handles are rejected, never answered with this pool's bytes", () => {
    const pools = Array.from({ length: 50 }, () => createPool({ shrinkers: null }));
    const first = pools.map((p) => {
      const h = p.malloc(16);
      p.write(h, new Uint8Array(16).fill(7));
      return h;
    });
    for (let i = 0; i < pools.length; i++) {
      for (let j = 0; j < pools.length; j++) {
        if (i === j) continue;
        assert.throws(
          () => pools[j].read(first[i]),
          (e: { code: string }) => e.code === 'ERR_ZS_INVALID_HANDLE' || e.code === 'ERR_ZS_STALE_HANDLE',
        );
        assert.throws(() => pools[j].free(first[i]), { name: 'ZsError' });
      }
    }
    pools.forEach((p, i) => {
      assert.deepEqual([...p.read(first[i])], new Array(16).fill(7));
      p.destroy();
    });
  });

  it('memory the runtime refuses: ERR_ZS_LIMIT (-ENOMEM), nothing changes, the next malloc works', () => {
    const pool = createPool({ shrinkers: null, growBytes: 4096 });
    const hs: number[] = [];
    for (let i = 0; i < 10; i++) hs.push(pool.malloc(4096)); // huge: a new one-page zspage each
    const before = fingerprint(pool);
    const resize = ArrayBuffer.prototype.resize;
    ArrayBuffer.prototype.resize = () => {
      throw new RangeError('Array buffer allocation failed');
    };
    try {
      assert.throws(() => pool.malloc(4096), { code: 'ERR_ZS_LIMIT', errno: -12 });
      assert.throws(() => pool.malloc(4096), { code: 'ERR_ZS_LIMIT', errno: -12 });
    } finally {
      ArrayBuffer.prototype.resize = resize;
    }
    assert.equal(fingerprint(pool), before);
    const h = pool.malloc(4096);
    for (const x of [...hs, h]) pool.free(x);
    assert.equal(pool.totalPages(), 0);
    assert.equal(pool.stats().zspages, 0, 'no zspage record leaked');
    pool.destroy();
  });

  it('stats() after destroy() throws; liveObjects reads 0', () => {
    const pool = createPool({ shrinkers: null });
    pool.malloc(10);
    pool.destroy();
    assert.throws(() => pool.stats(), { code: 'ERR_ZS_DESTROYED' });
    assert.equal(pool.liveObjects, 0);
  });
});
