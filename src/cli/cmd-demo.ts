/**
 * `zsmalloc demo`: the whole system on real data (what `npm start` runs). Fills a zram device and
 * a compressed store with the Node.js installation's files (or `--data DIR`), churns them, lowers
 * a memory budget below their footprint and lets the pressure monitor and the shrinkers give the
 * memory back. Prints one line per phase and the result last (demo-text.ts), or with `--json` a
 * summary for machines (demo/summary.ts; docs/cli.md); writes the HTML report (demo/report.ts).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError, fsReason } from '../demo/data.js';
import { renderReport } from '../demo/report.js';
import { type DemoProgress, type DemoRun, runDemo } from '../demo/run.js';
import { summarize } from '../demo/summary.js';
import type { CommandContext } from './context.js';
import { detailLines, phaseLines, resultLines } from './demo-text.js';
import { classesFile } from './format.js';
import { Progress } from './progress.js';

/** Where the report goes when text output asks for none in particular. */
export const DEFAULT_REPORT = 'zsmalloc-report.html';

/** Help text of the command. */
export const demoHelp = `usage: zsmalloc demo [--quick] [--data DIR] [--size MIB] [--verbose]
                    [--report FILE | --no-report] [--json [--timeline]]

Runs the whole system on real data, with nothing to set up:
  1. fills a zram device (lz4, 4 KiB pages) and a compressed store (files keyed by path) with the
     Node.js installation's files: the node binary, lib/node_modules, include, share;
  2. discards and deletes a random 60 % of them, as swap-in and cache churn do: the pools fragment;
  3. lowers a memory budget below the pools' footprint, as a container limit would be: the
     pressure monitor notices and the shrinkers compact and give the memory back (the demo never
     calls compact itself);
  4. reads everything still held back and checks it.
Prints one line per phase and, last, the result: what was stored, the memory given back and how
fast, RSS before → after, every byte verified. Writes an HTML report with charts (one
self-contained file: open it in any browser).

  --quick          less data (24 MiB), a few seconds
  --data DIR       use the files under DIR instead of the Node.js installation
  --size MIB       MiB of data to use, 1 to 4096 (default 256; --quick: 24)
  --verbose        also print every reclaim and shrinker pass, mm_stat and the debugfs classes table
  --report FILE    write the report to FILE (text output: default ${DEFAULT_REPORT} in the
                   current directory)
  --no-report      write no report
  --json           print a summary for machines on stdout instead of text (camelCase keys, bytes,
                   milliseconds; see docs/cli.md); writes no report unless --report FILE is given
  --timeline       with --json: add every sample, event, level change, reclaim and shrinker pass`;

/** Runs `zsmalloc demo`. */
export async function runDemoCommand(ctx: CommandContext): Promise<number> {
  const args = ctx.parse({
    quick: { type: 'boolean', default: false },
    data: { type: 'string' },
    size: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    report: { type: 'string' },
    'no-report': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    timeline: { type: 'boolean', default: false },
  });
  const v = args.values;
  const quick = Boolean(v.quick);
  const json = Boolean(v.json);
  const sizeMiB = v.size === undefined ? (quick ? 24 : 256) : ctx.intOption('size', String(v.size), 1, 4096);
  if (v.report === '') ctx.usageError('--report needs a file name');
  if (v.report !== undefined && v['no-report']) ctx.usageError('--report and --no-report exclude each other');
  if (v.timeline && !json) ctx.usageError('--timeline goes with --json');
  if (v.verbose && json) ctx.usageError('--verbose is for text output; with --json use --timeline');
  const dataDir = v.data === undefined ? undefined : String(v.data);
  if (dataDir === '') ctx.usageError('--data needs a directory');
  const wanted = v.report !== undefined ? String(v.report) : json || v['no-report'] ? null : DEFAULT_REPORT;
  const reportPath = wanted === null ? null : resolve(wanted);
  if (reportPath !== null) checkReportDir(ctx, reportPath);

  const bar = new Progress(ctx.tty && !json, ctx.errRaw);
  let run: DemoRun;
  try {
    run = await runDemo({
      dataDir,
      dataBytes: sizeMiB * 2 ** 20,
      timeoutMs: quick ? 5000 : 10_000,
      settleMs: quick ? 250 : 500,
      onProgress: (p) => drawProgress(bar, p),
    });
  } catch (e) {
    if (e instanceof DataError) ctx.fail(e.message);
    throw e;
  } finally {
    bar.done();
  }
  const res = run.result;
  const summary = summarize(res);
  if (reportPath !== null) {
    const classesText = {
      before: classesFile(res.snapshots.churned.pools.zram),
      after: classesFile(res.snapshots.reclaimed.pools.zram),
    };
    const command = ['zsmalloc demo', ...ctx.argv].join(' ');
    const html = renderReport(run, {
      command,
      generated: new Date(),
      version: packageVersion(),
      classesText,
    });
    try {
      writeFileSync(reportPath, html);
    } catch (e) {
      ctx.fail(`cannot write the report ${reportPath}: ${fsReason(e)}`);
    }
  }
  if (json) {
    const out = {
      version: packageVersion(),
      node: process.version,
      ...summary,
      report: reportPath,
      ...(v.timeline ? { timeline: timelineJson(run) } : {}),
    };
    ctx.out(v.timeline ? JSON.stringify(out) : JSON.stringify(out, null, 2));
  } else {
    for (const line of phaseLines(res, summary)) ctx.out(line);
    if (v.verbose) for (const line of detailLines(res)) ctx.out(line);
    else
      ctx.out('          (--verbose: every reclaim and shrinker pass, mm_stat, the debugfs classes table)');
    ctx.out('');
    for (const line of resultLines(summary, wanted)) ctx.out(line);
  }
  return res.verify.mismatches > 0 ? 1 : 0;
}

/** `--timeline`: everything sampled and recorded over the run. */
function timelineJson(run: DemoRun) {
  const r = run.result;
  return {
    intervalMs: run.timeline.intervalMs,
    budgetSetAtMs: r.budget?.setAt ?? null,
    samples: run.timeline.samples,
    events: run.timeline.events,
    levels: r.levels,
    reclaims: r.reclaims,
    passes: r.passes,
  };
}

function drawProgress(bar: Progress, p: DemoProgress): void {
  const f = p.total > 0 ? p.done / p.total : 0;
  const n = (v: number) => v.toLocaleString('en-US');
  const mb = (v: number) => (v / 2 ** 20).toFixed(1);
  const ratio = p.storedBytes > 0 ? ` ratio ${(p.inBytes / p.storedBytes).toFixed(2)}` : '';
  switch (p.phase) {
    case 'fill zram':
      bar.update(
        'zram0  ',
        f,
        `${n(p.done)}/${n(p.total)} pages  ${mb(p.inBytes)} MiB in, ${mb(p.storedBytes)} MiB stored${ratio}`,
      );
      break;
    case 'fill store':
      bar.update(
        'store  ',
        f,
        `${mb(p.inBytes)}/${mb(p.total)} MiB in, ${mb(p.storedBytes)} MiB stored${ratio}`,
      );
      break;
    case 'churn':
      bar.update('churn  ', f, `${n(p.done)} pages and files dropped`);
      break;
    case 'pressure':
      bar.update(
        'reclaim',
        f,
        `level ${p.level}, pools ${mb(p.committed)} MiB${p.budget !== null ? `, budget ${mb(p.budget)} MiB` : ''}`,
      );
      break;
    default:
      bar.update('verify ', f, `${n(p.done)}/${n(p.total)} pages and values`);
  }
}

function checkReportDir(ctx: CommandContext, path: string): void {
  const dir = dirname(path);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch (e) {
    ctx.fail(`cannot write the report ${path}: ${dir}: ${fsReason(e)}`);
  }
  if (!ok) ctx.fail(`cannot write the report ${path}: ${dir} is not a directory`);
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}
