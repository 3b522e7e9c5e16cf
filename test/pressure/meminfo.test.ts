// The MemAvailable source: recorded /proc/meminfo, truncated and garbled files, missing lines, the real file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ZsError } from '../../src/index.js';
import { parseMeminfo } from '../../src/internals.js';
import { meminfoSource } from '../../src/node.js';
import { files, fixture, fsError } from './helpers.js';

const M = '/proc/meminfo';
const GiB = 2 ** 30;

function meminfo(totalKb: number, availKb: number): string {
  return `MemTotal:       ${totalKb} kB\nMemFree:        ${availKb >> 1} kB\nMemAvailable:   ${availKb} kB\nBuffers:            5396 kB\n`;
}

describe('meminfo parsing', () => {
  it('parses a recorded file', () => {
    const m = parseMeminfo(fixture('meminfo.host.txt'));
    assert.ok(typeof m !== 'string', String(m));
    assert.equal(m.totalBytes, 24684084 * 1024);
    assert.ok(m.availableBytes > 0 && m.availableBytes <= m.totalBytes);
  });

  it('rejects truncated and garbled files', () => {
    assert.match(parseMeminfo('') as string, /no MemTotal/);
    assert.match(parseMeminfo('MemFree: 5 kB\n') as string, /no MemTotal/);
    assert.match(parseMeminfo('MemTotal:       2468') as string, /malformed/);
    assert.match(parseMeminfo('MemTotal: lots kB\n') as string, /malformed/);
    assert.match(parseMeminfo(meminfo(100, 200)) as string, /exceeds MemTotal/);
    // A file cut before MemAvailable: parsed, with no available figure.
    const cut = parseMeminfo('MemTotal:       1000 kB\nMemFree:        500 kB\n');
    assert.ok(typeof cut !== 'string');
    assert.ok(Number.isNaN(cut.availableBytes));
  });
});

describe('meminfo source', () => {
  it('rates the used fraction and targets the low threshold from medium up', () => {
    const map: Record<string, string> = { [M]: meminfo(16 * 1024 * 1024, 8 * 1024 * 1024) };
    const s = meminfoSource({ readFile: files(map) });
    const a = s.sample(0);
    assert.equal(a.status, 'ok');
    assert.equal(a.level, 'none');
    assert.deepEqual(a.figures, { totalBytes: 16 * GiB, availableBytes: 8 * GiB, usedRatio: 0.5 });
    map[M] = meminfo(1000 * 1024, 140 * 1024); // 14 % available
    assert.equal(s.sample(1).level, 'low');
    map[M] = meminfo(1000 * 1024, 80 * 1024); // 8 %
    const med = s.sample(2);
    assert.equal(med.level, 'medium');
    assert.equal(med.reclaimBytes, 70 * 1024 * 1024, 'back to 15 % available');
    map[M] = meminfo(1000 * 1024, 40 * 1024); // 4 %
    assert.equal(s.sample(3).level, 'critical');
    map[M] = meminfo(1000 * 1024, 55 * 1024); // 5.5 %: used 0.945 ≥ 0.95 × 0.98
    assert.equal(s.sample(4).level, 'critical');
    map[M] = meminfo(1000 * 1024, 75 * 1024);
    assert.equal(s.sample(5).level, 'medium');
  });

  it('reports missing, denied, truncated and garbled files without throwing', () => {
    assert.equal(meminfoSource({ readFile: files({}) }).sample(0).status, 'unavailable');
    const denied = meminfoSource({ readFile: files({ [M]: fsError('EACCES') }) }).sample(0);
    assert.equal(denied.status, 'unavailable');
    assert.match(denied.reason, /EACCES/);
    const eio = meminfoSource({ readFile: files({ [M]: fsError('EIO') }) }).sample(0);
    assert.equal(eio.status, 'invalid');
    const old = meminfoSource({
      readFile: files({ [M]: 'MemTotal:       1000 kB\nMemFree:  10 kB\n' }),
    }).sample(0);
    assert.equal(old.status, 'unavailable');
    assert.match(old.reason, /no MemAvailable/);
    const trunc = meminfoSource({ readFile: files({ [M]: 'MemTot' }) }).sample(0);
    assert.equal(trunc.status, 'invalid');
    const garbage = meminfoSource({ readFile: files({ [M]: 'MemTotal: \u00ff\u00fe kB\n' }) }).sample(0);
    assert.equal(garbage.status, 'invalid');
    assert.equal(garbage.level, 'none');
  });

  it('reads the real /proc/meminfo', { skip: !existsSync(M) && 'not Linux' }, () => {
    const s = meminfoSource().sample(0);
    assert.equal(s.status, 'ok', s.reason);
    assert.ok(s.figures.totalBytes > 2 ** 28);
    assert.ok(s.figures.usedRatio > 0 && s.figures.usedRatio < 1);
  });

  it('rejects bad thresholds', () => {
    assert.throws(() => meminfoSource({ thresholds: { low: 2, medium: 3, critical: 4 } }), ZsError);
    assert.throws(() => meminfoSource({ thresholds: { low: 0.9, medium: 0.8 } }), ZsError);
  });
});
