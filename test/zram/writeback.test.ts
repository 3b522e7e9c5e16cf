// zram writeback: idle marking, the three modes, reads served from the backing store, bd_stat,
// slots released by overwrite and discard, a full store, and the file backing (Node).
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryBacking, ZramDevice } from '../../src/index.js';
import { FileBacking } from '../../src/node.js';
import { zeroTailCodec } from '../helpers/codecs.js';

const P = 4096;
const page = (n: number, seed: number) => {
  const p = new Uint8Array(P);
  for (let i = 0; i < n; i++) p[i] = 1 + ((i * 13 + seed) % 250);
  return p;
};
const read = (z: ZramDevice, i: number) => {
  const o = new Uint8Array(P);
  z.read(i, o);
  return o;
};

describe('zram writeback', () => {
  it('idle, huge and huge_idle pages go to the backing store and read back from it', () => {
    const z = new ZramDevice({
      disksize: 32 * P,
      codec: zeroTailCodec,
      backing: new MemoryBacking(8),
      shrinkers: null,
    });
    const small = [page(100, 1), page(200, 2), page(300, 3)];
    const huge = [page(4000, 4), page(4096, 5)];
    for (const [i, p] of small.entries()) z.write(i, p);
    for (const [i, p] of huge.entries()) z.write(10 + i, p);
    z.write(20, new Uint8Array(P).fill(9)); // same-filled: never written back
    assert.equal(z.mmStat().huge_pages, 2);
    assert.equal(z.markIdle(), 6);
    read(z, 1); // accessed: no longer idle
    z.write(10, huge[0]); // rewritten: no longer idle
    assert.equal(z.writeback('huge_idle'), 1, 'only page 11 is both huge and idle');
    assert.equal(z.writeback('idle'), 2, 'pages 0 and 2');
    assert.equal(z.writeback('huge'), 1, 'page 10');
    assert.deepEqual(z.bdStat(), { bd_count: 4, bd_reads: 0, bd_writes: 4 });
    const m = z.mmStat();
    assert.equal(m.orig_data_size, 6 * P, 'pages written back still count as stored');
    assert.equal(m.compr_data_size, 204, 'only page 1 is still in memory');
    assert.equal(m.huge_pages, 0);
    for (const [i, p] of small.entries()) assert.deepEqual(read(z, i), p);
    for (const [i, p] of huge.entries()) assert.deepEqual(read(z, 10 + i), p);
    assert.equal(z.bdStat().bd_reads, 4);
    assert.equal(z.bdStatText(), '       4        4        4\n');
    // Overwrite and discard release their slots.
    z.write(0, page(50, 7));
    z.discard(10, 2);
    assert.equal(z.bdStat().bd_count, 1);
    assert.deepEqual(read(z, 0), page(50, 7));
    assert.equal(z.has(2), true);
    z.discard(2, 1);
    assert.equal(z.bdStat().bd_count, 0);
    assert.equal(z.mmStat().orig_data_size, 3 * P, 'pages 0, 1 and the same-filled 20');
  });

  it('stops when the store is full; limit bounds one call; errors for no store or a bad mode', () => {
    const z = new ZramDevice({
      disksize: 32 * P,
      codec: zeroTailCodec,
      backing: new MemoryBacking(3),
      shrinkers: null,
    });
    for (let i = 0; i < 6; i++) z.write(i, page(500, i));
    z.markIdle();
    assert.equal(z.writeback('idle', 2), 2);
    assert.equal(z.writeback('idle'), 1, 'one slot left');
    assert.equal(z.writeback('idle'), 0);
    for (let i = 0; i < 6; i++) assert.deepEqual(read(z, i), page(500, i));
    assert.throws(() => z.writeback('all' as 'idle'), { code: 'ERR_ZS_BAD_ARGUMENT' });
    const plain = new ZramDevice({ disksize: 4 * P, codec: 'none', shrinkers: null });
    assert.throws(() => plain.writeback('idle'), { code: 'ERR_ZS_BAD_STATE' });
    assert.throws(
      () =>
        new ZramDevice({
          disksize: 4 * P,
          codec: 'none',
          backing: new MemoryBacking(2, 16384),
          shrinkers: null,
        }),
      { code: 'ERR_ZS_BAD_ARGUMENT' },
    );
  });

  it('a file backing store holds the pages on disk (sparse until written)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-wb-'));
    const file = join(dir, 'backing.img');
    const backing = new FileBacking(file, 1024);
    assert.equal(statSync(file).size, 1024 * P);
    const z = new ZramDevice({ disksize: 64 * P, codec: zeroTailCodec, backing, shrinkers: null });
    for (let i = 0; i < 40; i++) z.write(i, page(3000 + i, i));
    z.markIdle();
    assert.equal(z.writeback('idle'), 40);
    assert.equal(z.pool.totalPages(), 0, 'every object freed');
    for (let i = 0; i < 40; i++) assert.deepEqual(read(z, i), page(3000 + i, i));
    z.destroy();
    assert.throws(() => backing.read(0, new Uint8Array(P)), { code: 'ERR_ZS_IO' });
    assert.throws(() => new FileBacking(join(dir, 'no', 'such', 'dir'), 4), { code: 'ERR_ZS_IO' });
  });
});
