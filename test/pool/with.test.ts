// pool.with(): the pin is released exactly once, whatever the callback returns or throws.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPool, ZsError } from '../../src/index.js';
import { detachedBytes } from '../helpers/bad-inputs.js';

function setup() {
  const pool = createPool({ shrinkers: null });
  const h = pool.malloc(100);
  pool.write(h, new Uint8Array(100).fill(3));
  return { pool, h };
}

/** Map count of `h`, read through the internal entry (map/unmap are the public way to change it). */
function maps(pool: ReturnType<typeof createPool>, h: number): number {
  return pool.handles.mapped(pool.handles.lookup(h));
}

const tick = () => new Promise((r) => setImmediate(r));

describe('with()', () => {
  it('a thenable that fulfils twice unpins once: another caller keeps its pin', async () => {
    const { pool, h } = setup();
    const other = pool.map(h); // another caller's pin
    const twice = {
      // biome-ignore lint/suspicious/noThenProperty: the point of the test is a hand-made thenable
      then(onFulfilled: (v: number) => void) {
        onFulfilled(1);
        setImmediate(() => onFulfilled(2));
      },
    };
    const r = await pool.with(h, () => twice);
    assert.equal(r, 1);
    await tick();
    await tick();
    assert.equal(maps(pool, h), 1, "the other caller's pin is still there");
    assert.equal(other.length, 100);
    pool.unmap(h);
    assert.equal(pool.isMapped(h), false);
    pool.free(h);
  });

  it('a thenable that fulfils and then rejects unpins once', async () => {
    const { pool, h } = setup();
    pool.map(h);
    const both = {
      // biome-ignore lint/suspicious/noThenProperty: hand-made thenable
      then(onFulfilled: (v: number) => void, onRejected: (e: unknown) => void) {
        onFulfilled(1);
        onRejected(new Error('late'));
      },
    };
    assert.equal(await pool.with(h, () => both), 1);
    await tick();
    assert.equal(maps(pool, h), 1);
  });

  it('a thenable whose then throws is a rejection, and the object is unpinned', async () => {
    const { pool, h } = setup();
    const bad = {
      // biome-ignore lint/suspicious/noThenProperty: hand-made thenable
      then() {
        throw new Error('then failed');
      },
    };
    await assert.rejects(pool.with(h, () => bad) as unknown as Promise<unknown>, /then failed/);
    assert.equal(pool.isMapped(h), false);
    pool.free(h);
  });

  it('a then getter that throws: the error is thrown, the object is unpinned', () => {
    const { pool, h } = setup();
    const bad = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('getter');
      },
    });
    assert.throws(() => pool.with(h, () => bad), /getter/);
    assert.equal(pool.isMapped(h), false);
  });

  it('sync return, sync throw, promise fulfil and reject: pinned while running, unpinned after', async () => {
    const { pool, h } = setup();
    assert.equal(
      pool.with(h, (v) => {
        assert.equal(pool.isMapped(h), true);
        return v[0];
      }),
      3,
    );
    assert.equal(pool.isMapped(h), false);
    assert.throws(
      () =>
        pool.with(h, () => {
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(pool.isMapped(h), false);
    let release!: (v: number) => void;
    const p = pool.with(h, () => new Promise<number>((r) => (release = r)));
    await tick();
    assert.equal(pool.isMapped(h), true, 'pinned until the promise settles');
    release(7);
    assert.equal(await p, 7);
    assert.equal(pool.isMapped(h), false);
    await assert.rejects(
      pool.with(h, async () => {
        throw new Error('async boom');
      }),
      /async boom/,
    );
    assert.equal(pool.isMapped(h), false);
    pool.free(h);
  });

  it('non-functions and bad modes: ERR_ZS_BAD_ARGUMENT, nothing pinned', () => {
    const { pool, h } = setup();
    for (const fn of [5, null, undefined, 'f', {}]) {
      assert.throws(
        () => pool.with(h, fn as unknown as () => void),
        (e: unknown) => e instanceof ZsError && e.code === 'ERR_ZS_BAD_ARGUMENT',
      );
    }
    assert.throws(() => pool.with(h, () => 0, 'x' as 'rw'), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.equal(pool.isMapped(h), false);
  });

  it('the pool destroyed inside the callback: no error from the release', async () => {
    const { pool, h } = setup();
    assert.equal(
      pool.with(h, () => {
        pool.destroy();
        return 1;
      }),
      1,
    );
    const p2 = setup();
    const r = p2.pool.with(p2.h, async () => {
      await tick();
      p2.pool.destroy();
      return 2;
    });
    assert.equal(await r, 2);
  });

  it('write of a detached view and offsets that are not integers: ZsError, nothing written', () => {
    const { pool, h } = setup();
    assert.throws(() => pool.write(h, detachedBytes()), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => pool.readInto(h, detachedBytes()), { code: 'ERR_ZS_BAD_ARGUMENT' });
    assert.throws(() => pool.write(h, new Uint8Array(10), '1' as unknown as number), {
      code: 'ERR_ZS_BAD_ARGUMENT',
      message: /offset must be an integer, got "1"/,
    });
    for (const off of ['1', 1.5, Number.NaN, Number.POSITIVE_INFINITY, null, {}]) {
      assert.throws(() => pool.write(h, new Uint8Array(1), off as number), { code: 'ERR_ZS_BAD_ARGUMENT' });
      assert.throws(() => pool.readInto(h, new Uint8Array(200), off as number), {
        code: 'ERR_ZS_BAD_ARGUMENT',
      });
    }
    assert.ok(pool.read(h).every((x) => x === 3));
    pool.write(h, new Uint8Array(0), 100); // an empty write at the end is fine
  });
});
