// Black-box suite for ZramDevice, MemoryBacking and FileBacking: every kind of bad input through
// the public entries, asserting the ZsError code and that the device's state (mm_stat, io_stat,
// bd_stat and the pages' contents) is exactly what it was before the failed call.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryBacking, ShrinkerRegistry, ZramDevice } from '../../src/index.js';
import { FileBacking } from '../../src/node.js';
import {
  BAD_COUNTS,
  BAD_INTEGERS,
  detachedBytes,
  NOT_BYTES,
  NOT_NUMBERS,
  NOT_OBJECTS,
  throwsCode,
} from '../helpers/bad-inputs.js';

const P = 4096;
const PAGES = 16;

function page(seed: number): Uint8Array {
  const p = new Uint8Array(P);
  for (let i = 0; i < 600 + seed * 37; i++) p[i] = (i * 7 + seed * 13) & 255;
  return p;
}

const label = (v: unknown) => (ArrayBuffer.isView(v) ? `${v.constructor.name}(${v.byteLength})` : typeof v);

/** A device with a few pages of each kind on it, and a snapshot of everything observable. */
function fixture() {
  const z = new ZramDevice({ disksize: PAGES * P, backing: new MemoryBacking(4), shrinkers: null });
  for (let i = 0; i < 6; i++) z.write(i, page(i));
  z.write(6, new Uint8Array(P).fill(7));
  z.markIdle();
  z.writeback('idle', 1);
  return z;
}

function snapshot(z: ZramDevice) {
  const pages: Uint8Array[] = [];
  for (let i = 0; i < PAGES; i++) {
    const o = new Uint8Array(P);
    z.read(i, o);
    pages.push(o);
  }
  // bd_reads is left out: reading the pages back here counts reads from the backing store.
  const { bd_count, bd_writes } = z.bdStat();
  return { mm: z.mmStat(), io: z.ioStat(), bd: { bd_count, bd_writes }, pages };
}

/** Runs `fn`, expects `code`, and checks that nothing observable changed. */
function failsCleanly(z: ZramDevice, fn: () => unknown, code: string, what: string): void {
  const before = { mm: z.mmStat(), io: z.ioStat(), bd: z.bdStat() };
  throwsCode(fn, code, what);
  assert.deepEqual({ mm: z.mmStat(), io: z.ioStat(), bd: z.bdStat() }, before, `${what}: state changed`);
}

describe('black box: ZramDevice construction', () => {
  it('rejects bad options without registering anything', () => {
    const reg = new ShrinkerRegistry();
    const cases: [string, unknown, string][] = [];
    for (const o of NOT_OBJECTS) cases.push([`options ${String(o)}`, o, 'ERR_ZS_BAD_ARGUMENT']);
    for (const d of [...NOT_NUMBERS, ...BAD_INTEGERS, 0, -0, 4097, 2 ** 47]) {
      cases.push([`disksize ${String(d)}`, { disksize: d }, 'ERR_ZS_BAD_ARGUMENT']);
    }
    for (const ps of [0, 100, 8192, '4096', Number.NaN, null]) {
      cases.push([`pageSize ${String(ps)}`, { disksize: 65536, pageSize: ps }, 'ERR_ZS_BAD_ARGUMENT']);
    }
    for (const m of [...BAD_INTEGERS, '5', null, true]) {
      cases.push([`memLimit ${String(m)}`, { disksize: P, memLimit: m }, 'ERR_ZS_BAD_ARGUMENT']);
    }
    for (const c of [null, 5, {}, [], true, { name: 'c', compress: () => 0 }]) {
      cases.push([`codec ${String(c)}`, { disksize: P, codec: c }, 'ERR_ZS_BAD_ARGUMENT']);
    }
    cases.push(['codec unknown', { disksize: P, codec: 'nope' }, 'ERR_ZS_UNAVAILABLE']);
    for (const b of [5, 'x', {}, { slots: 1, pageSize: P }, new MemoryBacking(1, 16384)]) {
      cases.push([`backing ${String(b)}`, { disksize: P, backing: b }, 'ERR_ZS_BAD_ARGUMENT']);
    }
    cases.push(['profile', { disksize: P, profile: 'linux-9' }, 'ERR_ZS_BAD_ARGUMENT']);
    cases.push(['huge disksize', { disksize: 2 ** 46 }, 'ERR_ZS_LIMIT']);
    for (const [what, opts, code] of cases) {
      const o =
        opts !== null && typeof opts === 'object' && !Array.isArray(opts)
          ? { shrinkers: reg, ...opts }
          : opts;
      throwsCode(() => new ZramDevice(o as never), code, what);
      assert.equal(reg.list().length, 0, `${what}: a shrinker stayed registered`);
    }
  });
});

describe('black box: ZramDevice calls', () => {
  it('write, read, has, discard reject bad indexes and buffers with no state change', () => {
    const z = fixture();
    const before = snapshot(z);
    for (const i of [...BAD_COUNTS, PAGES, -0.5]) {
      failsCleanly(
        z,
        () => z.write(i as number, page(1)),
        i === PAGES ? 'ERR_ZS_OUT_OF_RANGE' : 'ERR_ZS_OUT_OF_RANGE',
        `write index ${String(i)}`,
      );
      failsCleanly(
        z,
        () => z.read(i as number, new Uint8Array(P)),
        'ERR_ZS_OUT_OF_RANGE',
        `read index ${String(i)}`,
      );
      failsCleanly(z, () => z.has(i as number), 'ERR_ZS_OUT_OF_RANGE', `has index ${String(i)}`);
      failsCleanly(z, () => z.discard(i as number, 1), 'ERR_ZS_OUT_OF_RANGE', `discard first ${String(i)}`);
    }
    for (const b of [...NOT_BYTES, new Uint8Array(P - 1), new Uint8Array(P + 1), detachedBytes(P)]) {
      failsCleanly(z, () => z.write(0, b as Uint8Array), 'ERR_ZS_BAD_ARGUMENT', `write page ${label(b)}`);
      failsCleanly(z, () => z.read(0, b as Uint8Array), 'ERR_ZS_BAD_ARGUMENT', `read out ${label(b)}`);
    }
    for (const n of [...BAD_COUNTS, PAGES]) {
      failsCleanly(z, () => z.discard(1, n as number), 'ERR_ZS_BAD_ARGUMENT', `discard count ${String(n)}`);
    }
    assert.deepEqual(snapshot(z), before);
    z.destroy();
  });

  it('setMemLimit, writeback reject bad values with no state change', () => {
    const z = fixture();
    const before = snapshot(z);
    for (const m of [...BAD_COUNTS]) {
      failsCleanly(z, () => z.setMemLimit(m as number), 'ERR_ZS_BAD_ARGUMENT', `setMemLimit ${String(m)}`);
    }
    for (const mode of [...NOT_NUMBERS, 'IDLE', 'all', 5]) {
      failsCleanly(
        z,
        () => z.writeback(mode as never),
        'ERR_ZS_BAD_ARGUMENT',
        `writeback mode ${String(mode)}`,
      );
    }
    for (const l of [
      ...NOT_NUMBERS.filter((v) => v !== undefined),
      ...BAD_INTEGERS.filter((v) => v !== Number.POSITIVE_INFINITY),
    ]) {
      failsCleanly(
        z,
        () => z.writeback('idle', l as number),
        'ERR_ZS_BAD_ARGUMENT',
        `writeback limit ${String(l)}`,
      );
    }
    assert.deepEqual(snapshot(z), before);
    const plain = new ZramDevice({ disksize: P, shrinkers: null });
    failsCleanly(plain, () => plain.writeback('idle'), 'ERR_ZS_BAD_STATE', 'writeback without a store');
    plain.destroy();
    z.destroy();
  });

  it('a write that re-enters the device from the codec works on a consistent device', () => {
    // A codec whose compress reads another page of the same device (re-entrant call).
    let dev: ZramDevice | null = null;
    const seen: number[] = [];
    const codec = {
      name: 'reentrant',
      compress(src: Uint8Array, dst: Uint8Array) {
        if (dev?.has(0)) {
          const o = new Uint8Array(P);
          dev.read(0, o);
          seen.push(o[0]);
        }
        if (src.length > dst.length) return -1;
        dst.set(src.subarray(0, 100));
        return 100;
      },
      decompress(src: Uint8Array, dst: Uint8Array) {
        dst.fill(0);
        dst.set(src);
        return dst.length;
      },
    };
    dev = new ZramDevice({ disksize: 4 * P, codec, shrinkers: null });
    const p = new Uint8Array(P);
    p[0] = 42;
    p[1] = 1;
    dev.write(0, p);
    dev.write(1, p);
    assert.deepEqual(seen, [42]);
    assert.equal(dev.mmStat().orig_data_size, 2 * P);
    dev.destroy();
  });

  it('every call after destroy throws ERR_ZS_DESTROYED; destroy twice is fine', () => {
    const z = fixture();
    z.destroy();
    z.destroy();
    const calls: [string, () => unknown][] = [
      ['write', () => z.write(0, page(1))],
      ['read', () => z.read(0, new Uint8Array(P))],
      ['has', () => z.has(0)],
      ['discard', () => z.discard(0, 1)],
      ['reset', () => z.reset()],
      ['compact', () => z.compact()],
      ['markIdle', () => z.markIdle()],
      ['writeback', () => z.writeback('idle')],
      ['setMemLimit', () => z.setMemLimit(0)],
      ['resetMemUsedMax', () => z.resetMemUsedMax()],
      ['mmStat', () => z.mmStat()],
    ];
    for (const [what, fn] of calls) throwsCode(fn, 'ERR_ZS_DESTROYED', what);
  });
});

describe('black box: backing stores', () => {
  it('MemoryBacking rejects bad slots and page sizes; slots out of range are ERR_ZS_IO', () => {
    for (const s of [...BAD_COUNTS])
      throwsCode(() => new MemoryBacking(s as number), 'ERR_ZS_BAD_ARGUMENT', `slots ${String(s)}`);
    for (const ps of [0, 100, 4095, 8192, '4096', null, Number.NaN]) {
      throwsCode(() => new MemoryBacking(2, ps as number), 'ERR_ZS_BAD_ARGUMENT', `pageSize ${String(ps)}`);
    }
    const m = new MemoryBacking(2);
    for (const s of [-1, 2, 1.5, Number.NaN]) {
      throwsCode(() => m.write(s, new Uint8Array(P)), 'ERR_ZS_IO', `write slot ${s}`);
      throwsCode(() => m.read(s, new Uint8Array(P)), 'ERR_ZS_IO', `read slot ${s}`);
    }
    m.close();
    throwsCode(() => m.read(0, new Uint8Array(P)), 'ERR_ZS_IO', 'after close');
  });

  it('FileBacking rejects bad paths, slots and page sizes; I/O failures are ERR_ZS_IO', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zs-bb-'));
    for (const path of [undefined, null, 5, '', {}]) {
      throwsCode(() => new FileBacking(path as string, 2), 'ERR_ZS_BAD_ARGUMENT', `path ${String(path)}`);
    }
    for (const s of [...BAD_COUNTS]) {
      throwsCode(
        () => new FileBacking(join(dir, 'a'), s as number),
        'ERR_ZS_BAD_ARGUMENT',
        `slots ${String(s)}`,
      );
    }
    for (const ps of [0, 100, 8192, '4096']) {
      throwsCode(
        () => new FileBacking(join(dir, 'a'), 2, ps as number),
        'ERR_ZS_BAD_ARGUMENT',
        `pageSize ${String(ps)}`,
      );
    }
    throwsCode(() => new FileBacking(join(dir, 'no', 'such', 'dir'), 2), 'ERR_ZS_IO', 'missing directory');
    const f = new FileBacking(join(dir, 'b'), 2);
    throwsCode(() => f.write(2, new Uint8Array(P)), 'ERR_ZS_IO', 'slot out of range');
    f.close();
    throwsCode(() => f.write(0, new Uint8Array(P)), 'ERR_ZS_IO', 'after close');
  });
});
