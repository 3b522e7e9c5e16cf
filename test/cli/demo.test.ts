// `zsmalloc demo` end to end, in-process through main(argv): the JSON summary for machines (the
// memory given back by the shrinkers alone, camelCase keys, no file written), the text output
// (the result block last; details behind --verbose) and the HTML report (charts that scale with
// the window, with real data points, nothing fetched from anywhere).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { cli, cliOn } from './run-cli.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'zsmalloc-demo-'));

/** Every key of a JSON value, recursively. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      keys(x, out);
    }
  return out;
}

describe('zsmalloc demo', () => {
  it('--quick --json: a compact camelCase summary; the shrinkers alone gave memory back; no file written', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli('demo', '--quick', '--json');
    } finally {
      process.chdir(cwd);
    }
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bars when stderr is not a terminal');
    assert.deepEqual(readdirSync(tmp), [], 'no report unless --report FILE');
    assert.ok(r.stdout.length < 4000, `compact: ${r.stdout.length} bytes`);
    const j = JSON.parse(r.stdout);
    for (const k of keys(j)) assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `camelCase key ${k}`);
    assert.equal(j.report, null);
    assert.equal(j.timeline, undefined, 'the timeline only with --timeline');

    // What was stored, and what the churn left freeable.
    assert.ok(j.stored.logicalBytes > 0 && j.stored.storedBytes > 0);
    assert.equal(j.stored.logicalBytes, j.stored.zram.logicalBytes + j.stored.store.logicalBytes);
    assert.equal(j.stored.ratio, Math.round((j.stored.logicalBytes / j.stored.storedBytes) * 1000) / 1000);
    assert.ok(j.churn.freeablePages > 0, 'fragmentation after the churn');
    // The budget went below the footprint; the level cleared; memory went back through shrinker
    // scans only.
    const p = j.pressure;
    assert.ok(p.budgetBytes < p.footprintBytes);
    assert.equal(p.settled, true);
    assert.ok(p.reclaims >= 1 && p.shrinkerPasses >= 1);
    assert.ok(p.bytesReturned > 0, 'bytes returned to the OS');
    assert.ok(p.poolBytesAfter < p.poolBytesBefore);
    assert.ok(p.poolBytesAfter <= p.budgetBytes, 'the pools ended under the budget');
    assert.ok(p.compactions >= 2);
    assert.equal(p.compactionsNotByShrinker, 0, 'no compaction outside the shrinkers');
    assert.ok(j.rss.before > 0 && j.rss.after > 0);
    assert.equal(j.verify.mismatches, 0);
    assert.ok(j.verify.pages > 0 && j.verify.values > 0);
  });

  it('--json --timeline adds the samples and events; --report FILE writes the report', async () => {
    const report = join(tmp, 'quick.html');
    const r = await cli('demo', '--quick', '--json', '--timeline', '--report', report, '--size', '8');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    for (const k of keys(j)) assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `camelCase key ${k}`);
    assert.equal(j.report, report);
    const t = j.timeline;
    assert.ok(t.samples.length >= 10, `samples: ${t.samples.length}`);
    assert.ok(t.passes.some((x: { scanned: number; freed: number }) => x.scanned > 0 && x.freed > 0));
    assert.ok(t.levels.some((l: { level: string }) => l.level !== 'none'));
    assert.equal(t.levels.at(-1).level, 'none');
    assert.ok(existsSync(report));
  });

  it('text: one line per phase and the result block last; --verbose adds mm_stat and the classes table', async () => {
    const report = join(tmp, 'text.html');
    const data = join(root, 'node_modules', 'typescript', 'lib');
    const plain = await cli('demo', '--data', data, '--size', '8', '--report', report);
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(
      !(plain.stdout + plain.stderr).includes('\u001b'),
      'no terminal escapes when not on a terminal',
    );
    const lines = plain.stdout.trimEnd().split('\n');
    assert.ok(lines.length <= 20, `short: ${lines.length} lines`);
    assert.match(plain.stdout, /^data {6}.* from your directory: /m);
    for (const phase of ['1 fill', '2 churn', '3 budget', '4 verify'])
      assert.match(plain.stdout, new RegExp(`^${phase} `, 'm'));
    assert.doesNotMatch(plain.stdout, /\/sys\/block|obj_allocated/, 'details only with --verbose');
    // The result block is the last screen: stored, returned, RSS, verified, report, done.
    const tail = lines.slice(-6).join('\n');
    assert.match(
      tail,
      /^result {4}stored {4}\S+ MiB of files \(\S+ MiB as pages and values\) in \S+ MiB: ratio \d+\.\d\d$/m,
    );
    assert.match(
      tail,
      /^ {10}returned {2}\S+ [KM]iB to the OS in \S+ ms of reclaim by the shrinkers \(pools \S+ [KM]iB → \S+ [KM]iB\)$/m,
    );
    assert.match(tail, /^ {10}RSS {7}\S+ MiB → \S+ MiB \([−+]\S+ [KM]?i?B\)$/m);
    assert.match(tail, /^ {10}verified {2}every byte: [\d,]+ pages and [\d,]+ values read back identical$/m);
    assert.ok(tail.includes(`report    ${report}`));
    assert.match(lines.at(-1) ?? '', /^ {10}done in \d+\.\d s$/);
    assert.ok(existsSync(report));

    const verbose = await cli('demo', '--data', data, '--size', '8', '--no-report', '--verbose');
    assert.equal(verbose.status, 0, verbose.stderr);
    const out = verbose.stdout;
    assert.match(out, /\/sys\/block\/zram0\/mm_stat/);
    assert.match(out, /^ {2}reclaimed +(\d+ +){8}\d+$/m, 'mm_stat in the kernel form: nine columns');
    assert.match(
      out,
      /^ class {2}size {7}10% {7}20% .* {6}100% obj_allocated {3}obj_used pages_used pages_per_zspage freeable$/m,
    );
    assert.match(out, /^ {1,5}\d+ {1,5}\d+( +\d+){11} +\d+ +\d+ +\d+ +\d+ +\d+$/m, 'a class row');
    assert.match(out, /^ Total {7}( +\d+){15}$/m, 'the Total row: 11 groups, 3 counts, freeable');
    assert.match(out, /reclaim 1 \(/);
    assert.match(out, /zspool:zram0/);
    assert.doesNotMatch(out, /report {4}/, '--no-report: no report line');
    assert.match(out.trimEnd().split('\n').at(-1) ?? '', /^ {10}done in/, 'the result block still last');
  });

  it('on a terminal: progress bars on stderr, cleared before the result; stdout has no escapes', async () => {
    const data = join(root, 'node_modules', 'typescript', 'lib');
    const r = await cliOn(true, 'demo', '--data', data, '--size', '4', '--no-report');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u001b'), 'no escapes on stdout');
    assert.ok(r.stderr.includes('\r\u001b[2Kzram0 '), 'a progress bar, drawn over its line');
    assert.match(r.stderr, /zram0 +\[#*\.*\] +\d+% /);
    assert.ok(r.stderr.endsWith('\r\u001b[2K'), 'the last bar is cleared');
    // With --json, no bars even on a terminal.
    const j = await cliOn(true, 'demo', '--data', data, '--size', '4', '--json');
    assert.equal(j.stderr, '');
  });

  it('flag combinations that make no sense are usage errors', async () => {
    for (const [args, re] of [
      [['--report', 'x.html', '--no-report'], /--report and --no-report exclude each other/],
      [['--timeline'], /--timeline goes with --json/],
      [['--json', '--verbose'], /--verbose is for text output/],
    ] as const) {
      const r = await cli('demo', ...args);
      assert.equal(r.status, 2);
      assert.match(r.stderr, re);
    }
  });
});
