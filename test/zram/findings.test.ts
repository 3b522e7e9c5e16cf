// Regression tests for the zram findings of the black-box review: typed writeback failures that
// keep the count of pages moved, validation before anything is created, rejected bad arguments,
// and the kernel's counting of failed_reads, mem_used_max and notify_free.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type BackingStore,
  MemoryBacking,
  ShrinkerRegistry,
  WritebackError,
  ZramDevice,
  ZsError,
} from '../../src/index.js';
import { FileBacking } from '../../src/node.js';
import { throwsCode } from '../helpers/bad-inputs.js';
import { zeroTailCodec } from '../helpers/codecs.js';

const P = 4096;
const page = (n: number, seed: number) => {
  const p = new Uint8Array(P);
  for (let i = 0; i < n; i++) p[i] = 1 + ((i * 13 + seed) % 250);
  return p;
};

/** A store that fails like a full disk (Node's raw ENOSPC error) after `ok` writes. */
class FullDisk implements BackingStore {
  readonly pageSize = P;
  readonly slots: number;
  readonly inner: MemoryBacking;
  writes = 0;
  failReads = false;
  constructor(
    slots: number,
    private ok: number,
  ) {
    this.slots = slots;
    this.inner = new MemoryBacking(slots);
  }
  write(slot: number, p: Uint8Array): void {
    if (this.writes >= this.ok) {
      const e = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
      e.code = 'ENOSPC';
      e.errno = -28;
      throw e;
    }
    this.writes++;
    this.inner.write(slot, p);
  }
  read(slot: number, out: Uint8Array): void {
    if (this.failReads) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    this.inner.read(slot, out);
  }
  close(): void {
    this.inner.close();
  }
}

describe('zram findings', () => {
  it('writeback onto a full store: ERR_ZS_IO with the pages moved, data intact', () => {
    const store = new FullDisk(16, 3);
    const z = new ZramDevice({ disksize: 16 * P, codec: zeroTailCodec, backing: store, shrinkers: null });
    const pages = Array.from({ length: 6 }, (_, i) => page(100 + 10 * i, i));
    for (const [i, p] of pages.entries()) z.write(i, p);
    z.markIdle();
    const err = throwsCode(() => z.writeback('idle'), 'ERR_ZS_IO', 'full store');
    assert.ok(err instanceof WritebackError);
    assert.equal(err.written, 3);
    assert.match(err.message, /ENOSPC/);
    assert.deepEqual(z.bdStat(), { bd_count: 3, bd_reads: 0, bd_writes: 3 });
    for (const [i, p] of pages.entries()) {
      const o = new Uint8Array(P);
      z.read(i, o);
      assert.deepEqual(o, p, `page ${i}`);
    }
    assert.equal(z.mmStat().orig_data_size, 6 * P);
  });

  it('FileBacking turns a failing write or read into ERR_ZS_IO', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zs-fb-'));
    const f = new FileBacking(join(dir, 'b'), 2);
    // A page shorter than pageSize makes writeSync throw a raw RangeError/ERR_OUT_OF_RANGE.
    throwsCode(() => f.write(0, new Uint8Array(10)), 'ERR_ZS_IO', 'short buffer');
    throwsCode(() => f.read(0, new Uint8Array(10)), 'ERR_ZS_IO', 'short buffer');
    f.close();
  });

  it('a disksize too large to allocate leaves no pool registered', () => {
    const reg = new ShrinkerRegistry();
    throwsCode(() => new ZramDevice({ disksize: 2 ** 46, shrinkers: reg }), 'ERR_ZS_LIMIT', '2^46');
    assert.equal(reg.list().length, 0);
    // The next device still gets a pool and a shrinker.
    const z = new ZramDevice({ disksize: 4 * P, shrinkers: reg, name: 'after' });
    assert.equal(reg.list().length, 1);
    z.destroy();
    assert.equal(reg.list().length, 0);
  });

  it('bad codecs and backing stores are rejected at construction, with nothing registered', () => {
    const reg = new ShrinkerRegistry();
    for (const codec of [null, 5, {}, { name: 'x', compress: 1, decompress: () => 0 }]) {
      throwsCode(
        () => new ZramDevice({ disksize: 4 * P, codec: codec as never, shrinkers: reg }),
        'ERR_ZS_BAD_ARGUMENT',
        `codec ${String(codec)}`,
      );
    }
    for (const backing of [5, {}, new MemoryBacking(2, 16384)]) {
      throwsCode(
        () => new ZramDevice({ disksize: 4 * P, backing: backing as never, shrinkers: reg }),
        'ERR_ZS_BAD_ARGUMENT',
        `backing ${String(backing)}`,
      );
    }
    assert.equal(reg.list().length, 0);
  });

  it('MemoryBacking and FileBacking validate slots and page size', () => {
    for (const [slots, ps] of [
      [-1, 4096],
      [1.5, 4096],
      [4, 100],
      [Number.NaN, 4096],
      [4, 0],
      ['4', 4096],
    ] as const) {
      throwsCode(
        () => new MemoryBacking(slots as number, ps),
        'ERR_ZS_BAD_ARGUMENT',
        `memory ${slots}/${ps}`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'zs-fb-'));
    for (const [slots, ps] of [
      [-1, 4096],
      [Number.NaN, 4096],
      [4, 0],
      [2.5, 4096],
    ] as const) {
      throwsCode(
        () => new FileBacking(join(dir, 'x'), slots, ps),
        'ERR_ZS_BAD_ARGUMENT',
        `file ${slots}/${ps}`,
      );
    }
  });

  it('writeback limits must be non-negative integers (or Infinity)', () => {
    const z = new ZramDevice({
      disksize: 8 * P,
      codec: zeroTailCodec,
      backing: new MemoryBacking(8),
      shrinkers: null,
    });
    z.write(0, page(100, 1));
    z.write(1, page(100, 2));
    z.markIdle();
    for (const limit of [-1, Number.NaN, '5', 1.5, Number.NEGATIVE_INFINITY, null]) {
      throwsCode(() => z.writeback('idle', limit as number), 'ERR_ZS_BAD_ARGUMENT', `limit ${String(limit)}`);
    }
    assert.equal(z.bdStat().bd_writes, 0, 'rejected calls moved nothing');
    assert.equal(z.writeback('idle', 1), 1);
    assert.equal(z.writeback('idle', Number.POSITIVE_INFINITY), 1);
    assert.equal(z.writeback('idle', 0), 0);
  });

  it('setMemLimit and resetMemUsedMax after destroy throw ERR_ZS_DESTROYED', () => {
    const z = new ZramDevice({ disksize: 4 * P, shrinkers: null });
    z.destroy();
    throwsCode(() => z.setMemLimit(P), 'ERR_ZS_DESTROYED');
    throwsCode(() => z.resetMemUsedMax(), 'ERR_ZS_DESTROYED');
  });

  it('a failing backing-store read counts failed_reads and bd_reads, as read_from_bdev() does', () => {
    const store = new FullDisk(4, 4);
    const z = new ZramDevice({ disksize: 8 * P, codec: zeroTailCodec, backing: store, shrinkers: null });
    z.write(0, page(100, 1));
    z.markIdle();
    assert.equal(z.writeback('idle'), 1);
    store.failReads = true;
    const err = throwsCode(() => z.read(0, new Uint8Array(P)), 'ERR_ZS_IO');
    assert.ok(err instanceof ZsError);
    assert.equal(z.ioStat().failed_reads, 1);
    assert.equal(z.bdStat().bd_reads, 1);
    store.failReads = false;
    const o = new Uint8Array(P);
    z.read(0, o);
    assert.deepEqual(o, page(100, 1));
    assert.equal(z.ioStat().failed_reads, 1);
    assert.equal(z.bdStat().bd_reads, 2);
  });

  it('a write refused by mem_limit still raises mem_used_max (updated before the check)', () => {
    const z = new ZramDevice({
      disksize: 64 * P,
      codec: zeroTailCodec,
      profile: 'linux-6.12',
      memLimit: P,
      shrinkers: null,
    });
    z.write(0, page(2000, 1)); // one page in the pool
    assert.equal(z.mmStat().mem_used_total, P);
    throwsCode(() => z.write(1, page(3000, 2)), 'ERR_ZS_LIMIT');
    const m = z.mmStat();
    assert.equal(m.mem_used_total, P, 'the refused object was freed');
    assert.ok(m.mem_used_max > P, `mem_used_max ${m.mem_used_max} counts the refused allocation`);
    assert.equal(z.ioStat().failed_writes, 1);
  });

  it('discard counts every page of the range in notify_free, stored or not', () => {
    const z = new ZramDevice({ disksize: 16 * P, codec: zeroTailCodec, shrinkers: null });
    z.write(1, page(100, 1));
    z.discard(0, 4);
    assert.equal(z.ioStat().notify_free, 4);
    assert.equal(z.mmStat().orig_data_size, 0);
  });
});
