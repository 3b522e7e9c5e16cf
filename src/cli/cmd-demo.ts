/**
 * `zsmalloc demo`: the whole system on real data (what `npm start` runs). Fills a zram device and
 * a compressed store with the Node.js installation's files (or `--data DIR`), churns them, lowers
 * a memory budget below their footprint and lets the pressure monitor and the shrinkers give the
 * memory back; prints what happened (mm_stat, the classes file, every reclaim pass, RSS) and
 * writes a self-contained HTML report with charts.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError, fsReason } from '../demo/data.js';
import { renderReport } from '../demo/report.js';
import { type DemoProgress, type DemoResult, runDemo } from '../demo/run.js';
import type { CommandContext } from './context.js';
import { bytes, classesFile, ms, table } from './format.js';
import { Progress } from './progress.js';

/** Help text of the command. */
export const demoHelp = `usage: zsmalloc demo [--quick] [--data DIR] [--size MIB] [--report FILE] [--json]

Runs the whole system on real data, with nothing to set up:
  1. fills a zram device (lz4, 4 KiB pages) and a compressed store (files keyed by path) with the
     Node.js installation's files: the node binary, lib/node_modules, include, share;
  2. discards and deletes a random 60 % of them, as swap-in and cache churn do: the pools fragment;
  3. lowers a memory budget below the pools' footprint, as a container limit would be: the
     pressure monitor notices and the shrinkers compact and give the memory back (the demo never
     calls compact itself);
  4. reads everything still held back and checks it.
Prints mm_stat, the debugfs classes table, every reclaim pass and RSS before/after, and writes an
HTML report with charts (self-contained: open it in any browser).

  --quick          less data (24 MiB), a few seconds
  --data DIR       use the files under DIR instead of the Node.js installation
  --size MIB       MiB of data to use (default 256; --quick: 24)
  --report FILE    where to write the report (default: zsmalloc-report.html)
  --json           print a machine-readable summary on stdout instead of text`;

/** Runs `zsmalloc demo`. */
export async function runDemoCommand(ctx: CommandContext): Promise<number> {
  const args = ctx.parse({
    quick: { type: 'boolean', default: false },
    data: { type: 'string' },
    size: { type: 'string' },
    report: { type: 'string', default: 'zsmalloc-report.html' },
    json: { type: 'boolean', default: false },
  });
  const quick = Boolean(args.values.quick);
  const json = Boolean(args.values.json);
  const sizeMiB =
    args.values.size === undefined
      ? quick
        ? 24
        : 256
      : ctx.intOption('size', String(args.values.size), 1, 4096);
  if (args.values.report === '') ctx.usageError('--report needs a file name');
  const reportPath = resolve(String(args.values.report));
  checkReportDir(reportPath);
  const dataDir = args.values.data === undefined ? undefined : String(args.values.data);
  if (dataDir === '') ctx.usageError('--data needs a directory');

  const bar = new Progress(ctx.tty && !json, ctx.errRaw);
  let run: Awaited<ReturnType<typeof runDemo>>;
  try {
    run = await runDemo({
      dataDir,
      dataBytes: sizeMiB * 2 ** 20,
      timeoutMs: quick ? 5000 : 10_000,
      settleMs: quick ? 250 : 500,
      onProgress: (p) => drawProgress(bar, p),
    });
  } catch (e) {
    bar.done();
    if (e instanceof DataError) ctx.fail(e.message);
    throw e;
  }
  bar.done();
  const res = run.result;
  const classesText = {
    before: classesFile(res.snapshots.churned.pools.zram),
    after: classesFile(res.snapshots.reclaimed.pools.zram),
  };
  const command = ['zsmalloc demo', ...ctx.argv].join(' ');
  const html = renderReport(run, { command, generated: new Date(), version: packageVersion(), classesText });
  try {
    writeFileSync(reportPath, html);
  } catch (e) {
    throw new Error(`cannot write the report ${reportPath}: ${fsReason(e)}`);
  }
  if (json) {
    ctx.out(
      JSON.stringify(
        {
          ...res,
          report: reportPath,
          timeline: { samples: run.timeline.samples.length, events: run.timeline.events.length },
        },
        null,
        1,
      ),
    );
  } else {
    printText(ctx, res, classesText.before, reportPath);
  }
  return res.verify.mismatches > 0 ? 1 : 0;
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

function printText(ctx: CommandContext, r: DemoResult, classesBefore: string, reportPath: string): void {
  const o = ctx.out;
  const n = (v: number) => v.toLocaleString('en-US');
  const pct = (a: number, b: number) => `${b > 0 ? Math.round((100 * a) / b) : 0} %`;
  const { filled: f, churned: c, reclaimed: x } = r.snapshots;
  const P = r.page_size;
  const setAt = r.budget?.set_at ?? 0;
  const rel = (t: number) => `+${ms(Math.max(0, t - setAt))}`;

  o(`zsmalloc demo: a zram device and a compressed store on real data, squeezed by a memory budget`);
  const where = r.data.source === 'node' ? 'the Node.js installation' : 'your directory';
  o(`data     ${bytes(r.data.bytes)} in ${n(r.data.files)} files from ${where}: ${r.data.roots.join(', ')}`);
  if (r.data.skipped.length > 0) o(`         (${r.data.skipped.length} unreadable files skipped)`);
  o('');
  o(
    `1 fill   zram0 (${r.zram.codec}): ${n(r.zram.pages_written)} pages, ${bytes(f.mm_stat.orig_data_size)} → ` +
      `${bytes(f.mm_stat.compr_data_size)} compressed (ratio ${ratio(f.mm_stat.orig_data_size, f.mm_stat.compr_data_size)}) ` +
      `in ${n(f.pools.zram.total_pages)} pool pages; ${n(f.mm_stat.same_pages)} same-filled, ${n(f.mm_stat.huge_pages)} huge`,
  );
  o(
    `         ${r.store.name} (ZStore, ${r.store.codec}): ${n(r.store.entries_written)} values (files; 1 MiB pieces of larger ones), ${bytes(f.store.logical_bytes)} → ` +
      `${bytes(f.store.stored_bytes)} (ratio ${ratio(f.store.logical_bytes, f.store.stored_bytes)}) in ${n(f.pools.store.total_pages)} pool pages`,
  );
  o(`         RSS ${bytes(r.rss.start)} → ${bytes(f.rss)}`);
  o(
    `2 churn  discarded ${n(r.zram.pages_discarded)} random pages (${pct(r.zram.pages_discarded, r.zram.pages_written)}), ` +
      `deleted ${n(r.store.entries_deleted)} random values (${pct(r.store.entries_deleted, r.store.entries_written)})`,
  );
  for (const k of ['zram', 'store'] as const) {
    const p = c.pools[k];
    o(
      `         ${p.name.padEnd(6)} ${n(p.total_pages)} pages in zspages, ${n(p.freeable_total)} freeable (zs_can_compact), ` +
        `${n(p.pages_committed - p.total_pages)} committed pages hold no zspage`,
    );
  }
  o(`         RSS ${bytes(c.rss)}: the freed slots sit inside zspages, so almost nothing went back`);
  if (r.budget) {
    const b = r.budget;
    o(
      `3 budget ${bytes(b.footprint_bytes)} committed by the pools; budget lowered from ${bytes(b.initial_bytes)} (the machine's memory) to ` +
        `${bytes(b.limit_bytes)} (${Math.round(b.ratio * 100)} %), as a container limit would be`,
    );
    // Level changes and reclaims in time order; each reclaim with its shrinker passes.
    type Line = { t: number; text: string; passes?: typeof r.passes };
    const lines: Line[] = r.levels
      .filter((l) => l.t >= setAt)
      .map((l) => ({ t: l.t, text: `level ${l.previous} → ${l.level}${l.reason ? `: ${l.reason}` : ''}` }));
    const idle = r.reclaims.filter((e) => e.passes === 0).length;
    r.reclaims.forEach((e, i) => {
      if (e.passes === 0) return;
      const next = r.reclaims[i + 1]?.t ?? Number.POSITIVE_INFINITY;
      lines.push({
        t: e.t,
        text:
          `reclaim ${i + 1} (${e.level}${e.targetBytes ? `, target ${bytes(e.targetBytes)}` : ''}, priorities 12 → ${e.priority}): ` +
          `${e.passes} shrinker passes, ${n(e.freed)} pages freed, ${bytes(e.bytesReturned)} returned to the OS in ${ms(e.durationMs)}`,
        passes: r.passes.filter((p) => p.t >= e.t && p.t < next),
      });
    });
    lines.sort((a, b) => a.t - b.t);
    for (const l of lines) {
      o(`         ${rel(l.t).padStart(9)}  ${l.text}`);
      if (!l.passes) continue;
      o(
        indent(
          table(
            [
              'done at',
              'shrinker',
              'priority',
              'counted',
              'total_scan',
              'scanned',
              'freed',
              'returned',
              'time',
            ],
            l.passes.map((p) => [
              rel(p.t),
              p.shrinker,
              p.priority,
              p.counted,
              p.totalScan,
              p.scanned,
              p.freed,
              bytes(p.freedBytes),
              ms(p.durationMs),
            ]),
          ),
          20,
        ),
      );
    }
    if (idle > 0)
      o(
        `         (${idle} more reclaim${idle > 1 ? 's' : ''} while the level cleared found nothing left to free)`,
      );
    const manual = r.compactions.reduce((a, k) => a + k.compact_calls - k.shrinker_scans, 0);
    o(
      `         ${r.settled ? `level back to none ${rel(setAt + (r.settle_ms ?? 0))} after the budget was lowered` : 'the level did not clear before the timeout'}; ` +
        `compactions: ${r.compactions.map((k) => `${k.pool} ${k.compact_calls}`).join(', ')} (${manual} not started by a shrinker)`,
    );
    o(
      `         pools ${bytes(c.committed)} → ${bytes(x.committed)}; ${bytes(r.bytes_returned)} returned to the OS; ` +
        `RSS ${bytes(r.rss.before)} → ${bytes(r.rss.after)} (${r.rss.after <= r.rss.before ? '−' : '+'}${bytes(Math.abs(r.rss.before - r.rss.after))}, ${r.rss.source})`,
    );
  } else {
    o('3 budget the pools hold no pages: nothing to reclaim');
  }
  o('');
  o(
    'mm_stat  /sys/block/zram0/mm_stat: orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages huge_pages_since',
  );
  o(`  filled    ${f.mm_stat_text}`);
  o(`  churned   ${c.mm_stat_text}`);
  o(`  reclaimed ${x.mm_stat_text}`);
  o('');
  o(`classes  /sys/kernel/debug/zsmalloc/zram0/classes after the churn, before reclaim (${P}-byte pages):`);
  o(classesBefore);
  const total = (s: typeof x.pools.zram) => classesFile(s).split('\n').pop() ?? '';
  o('         …and its Total row after reclaim:');
  o(total(x.pools.zram));
  o(`         the ${r.store.name} pool's Total row before and after reclaim:`);
  o(total(c.pools.store));
  o(total(x.pools.store));
  o('');
  o(
    `verify   ${n(r.verify.pages)} pages and ${n(r.verify.entries)} values read back: ` +
      `${r.verify.mismatches === 0 ? 'all identical to what was written' : `${r.verify.mismatches} MISMATCHES`}`,
  );
  o(`report   ${reportPath}`);
  o(
    `done in ${(r.timings.total_ms / 1000).toFixed(1)} s (fill ${ms(r.timings.fill_ms)}, churn ${ms(r.timings.churn_ms)}, ` +
      `pressure ${ms(r.timings.pressure_ms)}, verify ${ms(r.timings.verify_ms)})`,
  );
}

function ratio(a: number, b: number): string {
  return b > 0 ? (a / b).toFixed(2) : '—';
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

function checkReportDir(path: string): void {
  const dir = dirname(path);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch (e) {
    throw new Error(`--report ${path}: ${dir}: ${fsReason(e)}`);
  }
  if (!ok) throw new Error(`--report ${path}: ${dir} is not a directory`);
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
