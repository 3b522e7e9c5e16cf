// The PSI source: parsing recorded files, stall rates between polls, missing/garbage/denied files, the real file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePsi, readProcFile } from '../../src/internals.js';
import { psiSource } from '../../src/node.js';
import { files, fixture, fsError } from './helpers.js';

const P = '/proc/pressure/memory';

function psi(someAvg10: number, someTotal: number, fullAvg10: number, fullTotal: number): string {
  return (
    `some avg10=${someAvg10.toFixed(2)} avg60=0.50 avg300=0.10 total=${someTotal}\n` +
    `full avg10=${fullAvg10.toFixed(2)} avg60=0.00 avg300=0.00 total=${fullTotal}\n`
  );
}

describe('PSI parsing', () => {
  it('parses a recorded file', () => {
    const p = parsePsi(fixture('psi.host.txt'));
    assert.ok(typeof p !== 'string', String(p));
    assert.equal(typeof p.some.total, 'number');
    const q = parsePsi(
      'some avg10=1.23 avg60=4.56 avg300=7.89 total=123456\nfull avg10=0.10 avg60=0.20 avg300=0.30 total=42\n',
    );
    assert.deepEqual(q, {
      some: { avg10: 1.23, avg60: 4.56, avg300: 7.89, total: 123456 },
      full: { avg10: 0.1, avg60: 0.2, avg300: 0.3, total: 42 },
    });
  });

  it('rejects truncated and garbled files with a reason', () => {
    const good = psi(1, 100, 0, 10);
    const cases: [string, RegExp][] = [
      ['', /no "some" line/],
      [good.slice(0, 30), /not a PSI line/],
      [good.split('\n')[0], /no "full" line/],
      [`${good.split('\n')[0]}\n`, /no "full" line/],
      ['some avg10=abc avg60=0.00 avg300=0.00 total=0\n', /not a PSI line/],
      [`${good}${good}`, /two "some" lines/],
      [
        'some avg10=101.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0',
        /out-of-range/,
      ],
      ['\u0000\u0001garbage', /not a PSI line/],
    ];
    for (const [text, re] of cases) {
      const r = parsePsi(text);
      assert.equal(typeof r, 'string', JSON.stringify(text));
      assert.match(r as string, re);
    }
  });
});

describe('PSI source', () => {
  it('uses avg10 first, then the stall % between polls', () => {
    const map: Record<string, string> = { [P]: psi(12, 1_000_000, 0, 0) };
    const s = psiSource({ readFile: files(map) });
    const a = s.sample(0);
    assert.equal(a.status, 'ok');
    assert.equal(a.level, 'low', 'some avg10 12 % ≥ 10 %');
    assert.equal(a.figures.someStallPct, 12);
    assert.equal(a.figures.intervalMs, 0);
    // 1 s later, 300 ms more of "some" stall: 30 % → medium; avg10 no longer decides.
    map[P] = psi(0, 1_300_000, 0, 0);
    const b = s.sample(1000);
    assert.equal(b.level, 'medium');
    assert.equal(b.figures.someStallPct, 30);
    assert.equal(b.figures.intervalMs, 1000);
    assert.match(b.reason, /some stall 30 % over the last 1000 ms/);
    // 30 ms of "full" stall in 500 ms and no new "some" stall: some's medium clears (0 % is
    // below 25 % × 0.75) and full's 6 % reads low; avg10 (50 %) is not used.
    map[P] = psi(50, 1_300_000, 0, 30_000);
    const c = s.sample(1500);
    assert.equal(c.figures.fullStallPct, 6);
    assert.equal(c.figures.someStallPct, 0);
    assert.equal(c.level, 'low');
    assert.match(c.reason, /full stall 6 %/);
    // 400 ms full in 1 s → critical.
    map[P] = psi(0, 1_800_000, 0, 430_000);
    assert.equal(s.sample(2500).level, 'critical');
    // No new stall → none at once (avg10 would lag).
    map[P] = psi(40, 1_800_000, 30, 430_000);
    assert.equal(s.sample(3500).level, 'none');
  });

  it('repeats the last rates for a poll closer than 100 ms to the previous one', () => {
    const map: Record<string, string> = { [P]: psi(0, 0, 0, 0) };
    const s = psiSource({ readFile: files(map) });
    s.sample(0);
    map[P] = psi(0, 300_000, 0, 0);
    assert.equal(s.sample(1000).figures.someStallPct, 30);
    map[P] = psi(0, 310_000, 0, 0); // 10 ms of stall in 5 ms would read 200 %
    const near = s.sample(1005);
    assert.equal(near.figures.someStallPct, 30);
    assert.equal(near.level, 'medium');
    // The baseline did not move: the next rate covers 1000 → 2000.
    map[P] = psi(0, 400_000, 0, 0);
    assert.equal(s.sample(2000).figures.someStallPct, 10);
  });

  it('marks counters that go backwards invalid and recovers', () => {
    const map: Record<string, string> = { [P]: psi(0, 5000, 0, 100) };
    const s = psiSource({ readFile: files(map) });
    assert.equal(s.sample(0).status, 'ok');
    map[P] = psi(0, 4000, 0, 100);
    const bad = s.sample(1000);
    assert.equal(bad.status, 'invalid');
    assert.match(bad.reason, /went backwards/);
    map[P] = psi(0, 4500, 0, 100);
    assert.equal(s.sample(2000).status, 'ok');
  });

  it('is unavailable when the file is missing, denied, or PSI is off; invalid on garbage or I/O error', () => {
    const missing = psiSource({ readFile: files({}) }).sample(0);
    assert.equal(missing.status, 'unavailable');
    assert.match(missing.reason, /does not exist/);
    const denied = psiSource({ readFile: files({ [P]: fsError('EACCES') }) }).sample(0);
    assert.equal(denied.status, 'unavailable');
    assert.match(denied.reason, /EACCES/);
    const off = psiSource({ readFile: files({ [P]: fsError('EOPNOTSUPP') }) }).sample(0);
    assert.equal(off.status, 'unavailable');
    assert.match(off.reason, /psi=1/);
    const eio = psiSource({ readFile: files({ [P]: fsError('EIO') }) }).sample(0);
    assert.equal(eio.status, 'invalid');
    const garbage = psiSource({ readFile: files({ [P]: 'hello\n' }) }).sample(0);
    assert.equal(garbage.status, 'invalid');
    assert.equal(garbage.level, 'none');
    const truncated = psiSource({
      readFile: files({ [P]: 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.0' }),
    });
    assert.equal(truncated.sample(0).status, 'invalid');
    const weird = psiSource({ readFile: (() => 42) as never }).sample(0);
    assert.equal(weird.status, 'invalid');
  });

  it('reads the real /proc/pressure/memory where it exists', {
    skip: !existsSync(P) && 'no PSI here',
  }, () => {
    const s = psiSource();
    const a = s.sample(performance.now());
    assert.equal(a.status, 'ok', a.reason);
    for (const k of ['someAvg10', 'someAvg60', 'someAvg300', 'fullAvg10', 'fullAvg60', 'fullAvg300']) {
      assert.ok(a.figures[k] >= 0 && a.figures[k] <= 100, `${k} = ${a.figures[k]}`);
    }
    assert.ok(a.figures.fullTotalUs <= a.figures.someTotalUs, 'full stall is part of some stall');
    const t0 = performance.now();
    while (performance.now() - t0 < 120) {
      // wait past the 100 ms minimum window
    }
    const b = s.sample(performance.now());
    assert.equal(b.status, 'ok');
    assert.ok(b.figures.intervalMs >= 100);
    assert.ok(b.figures.someTotalUs >= a.figures.someTotalUs);
    assert.ok(b.figures.someStallPct >= 0 && b.figures.someStallPct <= 100);
    // The default reader returns the same text the source parsed.
    assert.match(readProcFile(P) ?? '', /^some avg10=/);
  });

  it('says unavailable where the file does not exist (real reader, absent path)', () => {
    const s = psiSource({ path: '/proc/pressure/definitely-not-here' }).sample(0);
    assert.equal(s.status, 'unavailable');
    assert.equal(readProcFile('/proc/pressure/definitely-not-here'), null);
  });
});
