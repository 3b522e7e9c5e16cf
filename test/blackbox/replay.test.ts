// Black-box suite of TraceReplayer and replayFile through the public entries: bad options and
// arguments are ERR_ZS_BAD_ARGUMENT, bad trace lines ERR_ZS_BAD_TRACE (naming the line), missing
// files ERR_ZS_IO, use after finish ERR_ZS_DESTROYED; a failed line changes no pool state.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { replayFile, TraceReplayer } from '../../src/node.js';
import { NOT_FUNCTIONS, NOT_OBJECTS, rejectsCode, throwsCode } from '../helpers/bad-inputs.js';

const BAD = 'ERR_ZS_BAD_ARGUMENT';

function poolState(r: TraceReplayer) {
  const s = r.pool.stats({ classes: false });
  return { live: s.live_objects, pages: s.total_pages, bytes: s.live_bytes };
}

describe('black box: TraceReplayer', () => {
  it('new TraceReplayer(null) and other non-objects fail with a ZsError', () => {
    for (const o of NOT_OBJECTS) throwsCode(() => new TraceReplayer(o as never), BAD, `options ${String(o)}`);
  });

  it('verify must be a boolean, trace a string; profile and pageSize are checked', () => {
    for (const v of ['yes', 1, 0, null, {}]) {
      const e = throwsCode(() => new TraceReplayer({ verify: v as never }), BAD, `verify ${String(v)}`);
      assert.match(e.message, /verify/);
    }
    for (const t of [5, null, {}])
      throwsCode(() => new TraceReplayer({ trace: t as never }), BAD, `trace ${String(t)}`);
    for (const p of ['x', 5, null, ''])
      throwsCode(() => new TraceReplayer({ profile: p as never }), BAD, `profile ${String(p)}`);
    for (const s of [3, 4095, Number.NaN, '4096', null]) {
      throwsCode(() => new TraceReplayer({ pageSize: s as never }), BAD, `pageSize ${String(s)}`);
    }
  });

  it('line(undefined) and other non-strings fail and are not counted as lines', () => {
    const r = new TraceReplayer();
    r.line('a 1 100');
    for (const t of [undefined, null, 5, {}, ['a 1 5'], Symbol('x'), new String('a 2 5')]) {
      const e = throwsCode(() => r.line(t as never), BAD, `line(${String(t)})`);
      assert.match(e.message, /text/);
    }
    assert.equal(r.linesRead, 1);
    assert.equal(r.pool.liveObjects, 1);
    r.finish();
  });

  it('bad trace lines are ERR_ZS_BAD_TRACE naming the line, and change no pool state', () => {
    const r = new TraceReplayer();
    r.line('a 1 100');
    r.line('a 2 3000');
    const before = poolState(r);
    const bad = [
      'a',
      'a 1',
      'a x 5',
      'a 3 0',
      'a 3 -5',
      'a 3 1.5',
      'a 3 99999999',
      'a -1 5',
      'a 1 100', // id 1 is live
      'a 3 5 extra',
      'f',
      'f 7', // never allocated
      'f x',
      'f 1 2',
      'c extra',
      'p',
      'p x',
      'p 5a',
      'z',
      '?',
      'A 3 5',
    ];
    for (const line of bad) {
      const n = r.linesRead + 1;
      const e = throwsCode(() => r.line(line), 'ERR_ZS_BAD_TRACE', JSON.stringify(line));
      assert.match(e.message, new RegExp(`^line ${n}:`));
      assert.deepEqual(poolState(r), before, `after ${JSON.stringify(line)}`);
    }
    // Blank lines and comments count as lines and do nothing.
    r.line('');
    r.line('   ');
    r.line('# comment');
    assert.deepEqual(poolState(r), before);
    r.line('f 1');
    r.line('f 2');
    const res = r.finish();
    assert.equal(res.checks.mismatches, 0);
    assert.equal(res.final.live_objects, 0);
  });

  it('a freed id cannot be freed again; ids are never reused', () => {
    const r = new TraceReplayer();
    r.line('a 5 100');
    r.line('f 5');
    throwsCode(() => r.line('f 5'), 'ERR_ZS_BAD_TRACE');
    r.line('a 5 100'); // the replayer itself does not forbid the id once it is free
    assert.equal(r.pool.liveObjects, 1);
    r.finish();
  });

  it('use after finish: line and finish are ERR_ZS_DESTROYED and count nothing', () => {
    const r = new TraceReplayer({ verify: false });
    r.line('a 1 10');
    r.line('s one');
    const res = r.finish();
    assert.equal(res.events.length, 1);
    const lines = r.linesRead;
    for (const l of ['a 2 10', 's two', 'c', 'd', 'p 1', 'f 1', '', '# x']) {
      throwsCode(() => r.line(l), 'ERR_ZS_DESTROYED', l);
    }
    throwsCode(() => r.finish(), 'ERR_ZS_DESTROYED');
    assert.equal(r.linesRead, lines);
    assert.equal(res.events.length, 1, 'the result handed out is not changed afterwards');
  });

  it('one replayer per pool: two replayers never see each other', () => {
    const a = new TraceReplayer();
    const b = new TraceReplayer();
    a.line('a 1 100');
    throwsCode(() => b.line('f 1'), 'ERR_ZS_BAD_TRACE');
    assert.equal(a.pool.liveObjects, 1);
    assert.equal(b.pool.liveObjects, 0);
    assert.notEqual(a.shrinkers, b.shrinkers);
    a.finish();
    b.finish();
  });
});

describe('black box: replayFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-bb-replay-'));
  const good = join(dir, 'good.trace');
  writeFileSync(good, 'a 1 100\na 2 200\ns mid\nf 1\nc\nd end\n');

  it('bad path and options are ERR_ZS_BAD_ARGUMENT; missing files and folders ERR_ZS_IO', async () => {
    for (const p of [undefined, null, 5, '', {}])
      await rejectsCode(replayFile(p as never), BAD, `path ${String(p)}`);
    for (const o of NOT_OBJECTS) await rejectsCode(replayFile(good, o as never), BAD, `options ${String(o)}`);
    for (const f of NOT_FUNCTIONS.filter((v) => v !== undefined)) {
      await rejectsCode(replayFile(good, { onProgress: f as never }), BAD, `onProgress ${String(f)}`);
    }
    for (const e of [0, -1, 1.5, Number.NaN, '5', null]) {
      await rejectsCode(replayFile(good, { progressEvery: e as never }), BAD, `progressEvery ${String(e)}`);
    }
    await rejectsCode(replayFile(join(dir, 'missing.trace')), 'ERR_ZS_IO');
    await rejectsCode(replayFile(dir), 'ERR_ZS_IO');
    await rejectsCode(replayFile(good, { verify: 'yes' as never }), BAD);
  });

  it('a bad line in a file is ERR_ZS_BAD_TRACE with its line number; a good file replays', async () => {
    const badFile = join(dir, 'bad.trace');
    writeFileSync(badFile, 'a 1 100\n# ok\nf 9\n');
    const e = await rejectsCode(replayFile(badFile), 'ERR_ZS_BAD_TRACE');
    assert.match(e.message, /^line 3:/);
    let progress = 0;
    const r = await replayFile(good, { progressEvery: 2, onProgress: () => progress++ });
    assert.equal(r.trace, 'good');
    assert.equal(r.checks.mismatches, 0);
    assert.deepEqual(
      r.events.map((x) => x.kind),
      ['s', 'c', 'd'],
    );
    assert.ok(progress >= 3);
  });
});
