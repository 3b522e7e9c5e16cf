// The zsmalloc command driven as a user drives it: a spawned process running the TypeScript
// sources (no build needed). Help and version, one-line errors with the right exit status, and
// the demo end to end — its JSON summary (memory given back by the shrinkers alone) and its HTML
// report (charts with real data points, nothing fetched from anywhere).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'zsmalloc-cli-'));
// Commands run in a scratch directory (the report lands there); tsx is found from the repository.
const tsx = import.meta.resolve('tsx');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ZSMALLOC_DEBUG: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user-facing error: one line on stderr, nothing on stdout, no stack trace. */
function assertOneLineError(r: Run, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, `exit status; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], /^zsmalloc/);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe('zsmalloc help, version and errors', () => {
  it('--help lists every command, and each command has its own --help', () => {
    const r = cli('--help');
    assert.equal(r.status, 0);
    for (const c of ['demo', 'replay', 'classes', 'bench']) {
      assert.match(r.stdout, new RegExp(`^  ${c}\\s+\\S`, 'm'), `${c} in the command list`);
      const h = cli(c, '--help');
      assert.equal(h.status, 0);
      assert.match(h.stdout, new RegExp(`^usage: zsmalloc ${c}`));
    }
    assert.match(cli('help', 'demo').stdout, /^usage: zsmalloc demo/);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = cli('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('an unknown flag, command or bad value is a usage error: one line, exit 2', () => {
    assertOneLineError(cli('demo', '--bogus'), 2, /^zsmalloc demo: .*--bogus/);
    assertOneLineError(cli('replay', '--bogus', 'x'), 2, /--bogus/);
    assertOneLineError(cli('frobnicate'), 2, /unknown command "frobnicate"/);
    assertOneLineError(cli('demo', '--size', 'lots'), 2, /--size must be an integer/);
    for (const ps of ['16', '5000', '100000000']) {
      assertOneLineError(cli('classes', '--page-size', ps), 2, /--page-size must be 4096, 16384 or 65536/);
      assertOneLineError(cli('replay', 'x.trace', '--page-size', ps), 2, /--page-size must be 4096/);
    }
  });

  it('replay names the line of a malformed trace and exits non-zero', () => {
    const trace = join(tmp, 'bad.trace');
    writeFileSync(trace, '# a comment\na 1 100\na 2 200\nf 1\nthis is not a command\nc\n');
    assertOneLineError(cli('replay', trace), 1, /line 5/);
    assertOneLineError(cli('replay', join(tmp, 'missing.trace')), 1, /missing\.trace/);
  });

  it('demo --data with a missing or empty directory fails at once with one line', () => {
    assertOneLineError(cli('demo', '--data', join(tmp, 'nope')), 1, /nope: no such file or directory/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    assertOneLineError(cli('demo', '--data', empty), 1, /no readable, non-empty regular files/);
    assertOneLineError(cli('demo', '--report', join(tmp, 'no-dir', 'r.html')), 1, /no-dir/);
  });
});

describe('zsmalloc demo', () => {
  it('--quick --json: the shrinkers alone give memory back, and the report has charts of it', () => {
    const report = join(tmp, 'quick.html');
    const r = cli('demo', '--quick', '--json', '--report', report);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bars when stderr is not a terminal');
    const j = JSON.parse(r.stdout);

    // The churn fragmented the pools; the budget went below the footprint; the level cleared.
    assert.ok(j.snapshots.churned.pools.zram.freeable_total > 0, 'fragmentation after the churn');
    assert.ok(j.budget.limit_bytes < j.budget.footprint_bytes);
    assert.equal(j.settled, true);
    assert.ok(j.levels.some((l: { level: string }) => l.level !== 'none'));
    assert.equal(j.levels.at(-1).level, 'none');
    // Memory went back, through shrinker scans only: every compaction was started by one.
    assert.ok(j.bytes_returned > 0, 'bytes returned to the OS');
    assert.ok(j.snapshots.reclaimed.committed < j.snapshots.churned.committed);
    assert.ok(j.passes.some((p: { scanned: number; freed: number }) => p.scanned > 0 && p.freed > 0));
    for (const c of j.compactions) {
      assert.ok(c.shrinker_scans >= 1, `${c.pool} was scanned`);
      assert.equal(c.compact_calls, c.shrinker_scans, `${c.pool}: no compaction outside the shrinker`);
    }
    assert.ok(j.rss.before > 0 && j.rss.after > 0);
    assert.equal(j.verify.mismatches, 0);
    assert.ok(j.verify.pages > 0 && j.verify.entries > 0);
    assert.equal(j.report, report);

    const html = readFileSync(report, 'utf8');
    checkSelfContained(html);
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    assert.ok(svgs.length >= 7, `charts: ${svgs.length}`);
    const [overview, level, closeUp, fragZram, fragStore, heatBefore, heatAfter] = svgs;
    // Time series: several lines, each with many points inside the plot.
    const lines = polylines(overview);
    assert.ok(lines.length >= 6, `overview lines: ${lines.length}`);
    assert.ok(Math.max(...lines.map((l) => l.length)) >= 20, 'overview sampled over the run');
    for (const l of lines) for (const [x, y] of l) assert.ok(x >= 0 && x <= 1320 && y >= 0 && y <= 400);
    // The committed-pages line drops at the end: the chart shows the memory given back.
    const committed = polylines(overview, '#7b61c9')[0];
    const highest = Math.min(...committed.map(([, y]) => y));
    assert.ok(committed[committed.length - 1][1] > highest + 20, 'committed pages fall after reclaim');
    assert.ok(polylines(level)[0].length >= 10, 'level sampled');
    assert.ok(
      polylines(closeUp).some((l) => l.length >= 5),
      'close-up sampled',
    );
    assert.ok(count(closeUp, /<rect [^>]*fill="#d62728"/g) >= 1, 'a shrinker scan drawn in the close-up');
    for (const frag of [fragZram, fragStore]) assert.ok(count(frag, /<rect /g) >= 10, 'bars per class');
    assert.ok(count(fragZram, /fill="#f59f00"/g) >= 1, 'freeable pages drawn');
    for (const heat of [heatBefore, heatAfter]) assert.ok(count(heat, /<rect [^>]*fill="rgb\(/g) >= 5);
  });

  it('prints mm_stat, the classes table and the reclaim in text, on data from --data', () => {
    const report = join(tmp, 'text.html');
    const data = join(root, 'node_modules', 'typescript', 'lib');
    const r = cli('demo', '--data', data, '--size', '8', '--report', report);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes('\u001b'), 'no terminal escapes when not on a terminal');
    const out = r.stdout;
    assert.match(out, /^data {5}.* from your directory: /m);
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
    assert.match(out, /values read back: all identical/);
    assert.ok(out.includes(`report   ${report}`));
    assert.ok(existsSync(report));
  });
});

/** No script, no external resource: the report opens offline in any browser. */
function checkSelfContained(html: string): void {
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
  for (const m of html.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
    assert.equal(m[0], 'http://www.w3.org/2000/svg', 'only the SVG namespace');
  }
}

/** The point lists of an SVG's polylines (optionally only those stroked in `color`). */
function polylines(svg: string, color?: string): [number, number][][] {
  return [...svg.matchAll(/<polyline points="([^"]*)"[^>]*stroke="([^"]*)"/g)]
    .filter((m) => color === undefined || m[2] === color)
    .map((m) =>
      m[1]
        .trim()
        .split(/\s+/)
        .map((p) => {
          const [x, y] = p.split(',').map(Number);
          assert.ok(Number.isFinite(x) && Number.isFinite(y), `coordinate ${p}`);
          return [x, y] as [number, number];
        }),
    );
}

function count(text: string, re: RegExp): number {
  return [...text.matchAll(re)].length;
}
