// The ztrace replayer on small hand-written traces: parsing (memparse sizes, malformed lines with
// their line numbers), the kernel's algorithm sets (EINVAL and skipped commands), mem_limit
// refusals logged as EIO, discard counting, read-back checks, and the CLI's dispatch of ztraces.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runReplay } from '../../src/cli/cmd-replay.js';
import { CommandContext } from '../../src/cli/context.js';
import { type ProfileName, ZtraceReplayer } from '../../src/index.js';
import { isZtrace, memparse } from '../../src/internals.js';
import { throwsCode } from '../helpers/bad-inputs.js';

const P = 4096;

/** Three data pages: random-ish, zeros, a text-like page. */
function dataPages(): Uint8Array[] {
  const a = new Uint8Array(P);
  let x = 12345;
  for (let i = 0; i < P; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    a[i] = x >>> 24;
  }
  const b = new Uint8Array(P);
  const c = new Uint8Array(P);
  const words = ['zram ', 'page ', 'lz4 ', 'kernel '];
  for (let i = 0, w = 0; i < P; w++) for (const ch of words[w % 4]) if (i < P) c[i++] = ch.charCodeAt(0);
  return [a, b, c];
}

function replay(lines: string[], profile: ProfileName = 'linux-6.12') {
  const pages = dataPages();
  const r = new ZtraceReplayer({
    profile,
    open: () => ({ pages: pages.length, read: (i, out) => out.set(pages[i]) }),
  });
  for (const l of lines) r.line(l);
  return r.finish();
}

describe('ztrace replayer', () => {
  it('memparse reads sysfs sizes like the kernel', () => {
    const w = {
      bad: (m: string): never => {
        throw new Error(m);
      },
    };
    assert.equal(memparse('64M', w), 64 * 2 ** 20);
    assert.equal(memparse('4k', w), 4096);
    assert.equal(memparse('1G', w), 2 ** 30);
    assert.equal(memparse('0x1000', w), 4096);
    assert.equal(memparse('010', w), 8);
    assert.equal(memparse('12345', w), 12345);
    for (const bad of ['', 'M', '-1', '1.5M', '64MB', 'abc']) assert.throws(() => memparse(bad, w), /size/);
  });

  it('writes, same-filled and huge pages, discard, reads and a snapshot', () => {
    const r = replay([
      '# comment',
      'D data.pages',
      'z lz4 64K',
      'L on',
      'w 0 0', // random: huge
      'w 1 1', // zeros: same-filled
      'w 2 2', // text: compressed
      't 1 3', // discards 1..3: three pages counted, two stored
      'r 0 0',
      'r 1 -',
      'r 2 2', // discarded: reads zeros, a mismatch
      's end',
    ]);
    assert.deepEqual(
      r.writes.map((w) => [w.idx, w.same, w.huge, w.err, w.len > 0 && w.len < P]),
      [
        [0, 0, 1, 0, false],
        [1, 1, 0, 0, false],
        [2, 0, 0, 0, true],
      ],
    );
    assert.equal(r.writes[0].len, P);
    const s = r.events.at(-1)!;
    assert.equal(s.label, 'end');
    assert.equal(s.io_stat?.notify_free, 3);
    assert.equal(s.mm_stat?.orig_data_size, P);
    assert.equal(s.mm_stat?.huge_pages, 1);
    assert.equal(r.read_mismatches, 1);
    assert.deepEqual(r.read_mismatch_lines, [11]);
    assert.equal(r.events[0].mm_stat?.mem_used_total, 0);
  });

  it('an algorithm the kernel lacks is EINVAL and skips to the next z', () => {
    const r = replay(['D d', 'z lzo-rle 64K', 'L on', 'w 0 2', 's a', 'c', 'z lz4 64K', 'w 0 2', 's b']);
    assert.deepEqual(
      r.events.map((e) => [e.kind, e.skipped ?? false, e.alg_errno ?? 0]),
      [
        ['z', true, 22],
        ['z', false, 0],
        ['s', false, 0],
      ],
    );
    assert.equal(r.counts.skipped_cmds, 3, 'w, s and c (L only switches the log)');
    assert.equal(r.counts.writes, 1);
    const six = replay(['D d', 'z lzo-rle 64K', 'w 0 2', 's a'], 'linux-6.1');
    assert.equal(six.events[0].skipped, undefined);
    assert.equal(six.events.at(-1)?.mm_stat?.orig_data_size, P);
  });

  it('a write over mem_limit is EIO, keeps the old page and still raises mem_used_max', () => {
    const r = replay(['D d', 'z lz4 64K 4K', 'L on', 'w 0 2', 'w 1 0', 'w 0 0', 'r 0 2', 's x']);
    assert.deepEqual(
      r.writes.map((w) => w.err),
      [0, 5, 5],
    );
    assert.equal(r.read_mismatches, 0, 'page 0 kept its old contents');
    const m = r.events.at(-1)!.mm_stat!;
    assert.equal(m.mem_limit, P);
    assert.equal(m.mem_used_total, P);
    assert.ok(m.mem_used_max > P);
    assert.equal(r.events.at(-1)!.io_stat?.failed_writes, 2);
  });

  it('malformed lines are ERR_ZS_BAD_TRACE with their line number', () => {
    const cases: [string[], RegExp][] = [
      [['w 0 0'], /line 1: w before the first z/],
      [['z lz4 64K', 'w 0 0'], /line 2: w before any D FILE/],
      [['D d', 'z lz4 64K', 'w 16 0'], /line 3: 16 is out of range/],
      [['D d', 'z lz4 64K', 'w 0 3'], /line 3: 3 is out of range/],
      [['D d', 'z lz4 64K', 'w -1 0'], /line 3: expected a non-negative integer/],
      [['D d', 'z lz4 64K', 't 10 7'], /line 3: 7 is out of range/],
      [['z lz4'], /line 1: expected z ALG DISKSIZE/],
      [['z lz4 64Q'], /line 1: expected a size like 64M/],
      [['z lz4 0'], /line 1: DISKSIZE must be positive/],
      [['D d', 'z lz4 64K', 'L maybe'], /line 3: expected L on\|off/],
      [['D d', 'z lz4 64K', 'x 1'], /line 3: unknown command "x"/],
      [['D'], /line 1: expected D FILE/],
    ];
    for (const [lines, re] of cases) {
      const e = throwsCode(() => replay(lines), 'ERR_ZS_BAD_TRACE', lines.join(' | '));
      assert.match(e.message, re);
    }
    throwsCode(() => new ZtraceReplayer(null as never), 'ERR_ZS_BAD_ARGUMENT');
    throwsCode(() => replay(['z nope 64K'], 'default'), 'ERR_ZS_UNAVAILABLE');
  });

  it('zsmalloc replay dispatches ztraces by extension or content and finds --data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zs-zt-'));
    mkdirSync(join(dir, 'zdata'));
    mkdirSync(join(dir, 'zram-traces'));
    const pages = dataPages();
    const data = new Uint8Array(3 * P);
    for (const [i, p] of pages.entries()) data.set(p, i * P);
    writeFileSync(join(dir, 'zdata', 'd.pages'), data);
    const text = '# t\nD d.pages\nz lz4 64K\nL on\nw 0 2\nw 1 0\ns done\n';
    writeFileSync(join(dir, 'zram-traces', 't.ztrace'), text);
    writeFileSync(join(dir, 'plain.txt'), text);
    assert.equal(isZtrace('x.trace', text), true);
    assert.equal(isZtrace('x.trace', '# c\na 1 100\n'), false);
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const code = await runReplay(
        new CommandContext('replay', argv, {
          out: (s) => out.push(s),
          err: (s) => out.push(s),
          errRaw: () => {},
          tty: false,
        }),
      );
      return { code, out: out.join('\n') };
    };
    const a = await run([join(dir, 'zram-traces', 't.ztrace'), '--json']);
    assert.equal(a.code, 0);
    const ra = JSON.parse(a.out);
    assert.equal(ra.writes.length, 2);
    const b = await run([join(dir, 'plain.txt'), '--data', dir, '--profile', 'linux-6.1', '--json']);
    const rb = JSON.parse(b.out);
    assert.equal(rb.profile, 'linux-6.1');
    assert.deepEqual(rb.writes, ra.writes);
    const c = await run([join(dir, 'plain.txt'), '--data', join(dir, 'zdata')]);
    assert.match(c.out, /replay plain\.txt: profile linux-6.12; 2 writes \(0 refused\)/);
    assert.match(c.out, /done/);
  });
});
