/**
 * What `zsmalloc demo` prints as text: one line per phase, the details with `--verbose` (every
 * reclaim and its shrinker passes, mm_stat after each phase, the debugfs classes table), and last
 * the result block — what was stored, the memory given back and how fast, RSS before → after,
 * the read-back check — so that the answer is on the last screen.
 */
import type { DemoSummary } from '../demo/summary.js';
import type { DemoResult } from '../demo/types.js';
import { bytes, classesFile, ms, table } from './format.js';

const n = (v: number) => v.toLocaleString('en-US');
const pct = (a: number, b: number) => `${b > 0 ? Math.round((100 * a) / b) : 0} %`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—');

/** The title, the data line and one line per phase. */
export function phaseLines(r: DemoResult, s: DemoSummary): string[] {
  const where = r.data.source === 'node' ? 'the Node.js installation' : 'your directory';
  const z = s.stored.zram;
  const st = s.stored.store;
  const lines = [
    'zsmalloc demo: a zram device and a compressed store on real data, squeezed by a memory budget',
    `data      ${bytes(r.data.bytes)} in ${n(r.data.files)} files from ${where}: ${r.data.roots.join(', ')}` +
      (r.data.skipped.length > 0 ? ` (${r.data.skipped.length} unreadable files skipped)` : ''),
    `1 fill    ${r.zram.name} (${z.codec}) took ${n(z.pages)} pages, ${bytes(z.logicalBytes)} in ${bytes(z.storedBytes)}; ` +
      `the store (${st.codec}) ${n(st.values)} values, ${bytes(st.logicalBytes)} in ${bytes(st.storedBytes)}`,
    `2 churn   dropped ${pct(r.zram.pagesDiscarded, r.zram.pagesWritten)} of the pages and ` +
      `${pct(r.store.entriesDeleted, r.store.entriesWritten)} of the values: ` +
      `${n(s.churn.freeablePages)} pool pages freeable, RSS still ${bytes(r.rss.before)}`,
  ];
  const p = s.pressure;
  if (p) {
    lines.push(
      `3 budget  lowered to ${bytes(p.budgetBytes)}, ${pct(p.budgetBytes, p.footprintBytes)} of the pools' ${bytes(p.footprintBytes)}: ` +
        `${p.reclaims} reclaim${p.reclaims === 1 ? '' : 's'}, ${p.shrinkerPasses} shrinker passes, ` +
        (p.settled && p.settleMs !== null
          ? `level none again after ${ms(p.settleMs)}`
          : 'the level did not clear in time'),
    );
  } else {
    lines.push('3 budget  the pools hold no pages: nothing to reclaim');
  }
  lines.push(`4 verify  ${n(s.verify.pages)} pages and ${n(s.verify.values)} values read back`);
  return lines;
}

/** The result block: the answer, last on screen. */
export function resultLines(s: DemoSummary, report: string | null): string[] {
  const p = s.pressure;
  const lines = [
    `result    stored    ${bytes(s.data.bytes)} of files (${bytes(s.stored.logicalBytes)} as pages and values) ` +
      `in ${bytes(s.stored.storedBytes)}: ratio ${s.stored.ratio.toFixed(2)}`,
  ];
  if (p) {
    lines.push(
      `          returned  ${bytes(p.bytesReturned)} to the OS in ${ms(p.reclaimMs)} of reclaim by the shrinkers ` +
        `(pools ${bytes(p.poolBytesBefore)} → ${bytes(p.poolBytesAfter)})`,
    );
  }
  const d = s.rss.before - s.rss.after;
  lines.push(
    `          RSS       ${bytes(s.rss.before)} → ${bytes(s.rss.after)} (${d >= 0 ? '−' : '+'}${bytes(Math.abs(d))})`,
    s.verify.mismatches === 0
      ? `          verified  every byte: ${n(s.verify.pages)} pages and ${n(s.verify.values)} values read back identical`
      : `          verified  ${n(s.verify.mismatches)} MISMATCHES in ${n(s.verify.pages + s.verify.values)} pages and values`,
  );
  if (report !== null) lines.push(`          report    ${report} (open it in a browser)`);
  lines.push(`          done in ${(s.timingsMs.total / 1000).toFixed(1)} s`);
  return lines;
}

/** `--verbose`: every reclaim with its shrinker passes, mm_stat after each phase, the classes file. */
export function detailLines(r: DemoResult): string[] {
  const out: string[] = [''];
  const o = (s: string) => out.push(s);
  const { filled: f, churned: c, reclaimed: x } = r.snapshots;
  const setAt = r.budget?.setAt ?? 0;
  const rel = (t: number) => `+${ms(Math.max(0, t - setAt))}`;
  o(
    `fill      RSS ${bytes(r.rss.start)} → ${bytes(f.rss)}; zram0 ratio ${ratio(f.mmStat.orig_data_size, f.mmStat.compr_data_size)}, ${n(f.mmStat.same_pages)} same-filled and ${n(f.mmStat.huge_pages)} huge pages`,
  );
  for (const k of ['zram', 'store'] as const) {
    const p = c.pools[k];
    o(
      `churn     ${p.name.padEnd(6)} ${n(p.total_pages)} pages in zspages, ${n(p.freeable_total)} freeable (zs_can_compact), ` +
        `${n(p.pages_committed - p.total_pages)} committed pages hold no zspage`,
    );
  }
  if (r.budget) {
    o(
      `pressure  budget lowered from ${bytes(r.budget.initialBytes)} (the machine's memory) at ${ms(setAt)} after the start; times below are after that:`,
    );
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
      o(`          ${rel(l.t).padStart(9)}  ${l.text}`);
      if (!l.passes) continue;
      const rows = l.passes.map((p) => [
        rel(p.t),
        p.shrinker,
        p.priority,
        p.counted,
        p.totalScan,
        p.scanned,
        p.freed,
        bytes(p.freedBytes),
        ms(p.durationMs),
      ]);
      const head = [
        'done at',
        'shrinker',
        'priority',
        'counted',
        'total_scan',
        'scanned',
        'freed',
        'returned',
        'time',
      ];
      for (const line of table(head, rows).split('\n')) o(`                     ${line}`);
    }
    if (idle > 0)
      o(
        `          (${idle} more reclaim${idle > 1 ? 's' : ''} while the level cleared found nothing left to free)`,
      );
    const manual = r.compactions.reduce((a, k) => a + k.compactCalls - k.shrinkerScans, 0);
    o(
      `          compactions: ${r.compactions.map((k) => `${k.pool} ${k.compactCalls}`).join(', ')} (${manual} not started by a shrinker); ` +
        `${bytes(r.bytesReturned)} returned to the OS; RSS read from ${r.rss.source}, peak ${bytes(r.rss.peak)}`,
    );
  }
  o('');
  o(
    'mm_stat   /sys/block/zram0/mm_stat: orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages huge_pages_since',
  );
  o(`  filled    ${f.mmStatText}`);
  o(`  churned   ${c.mmStatText}`);
  o(`  reclaimed ${x.mmStatText}`);
  o('');
  o(
    `classes   /sys/kernel/debug/zsmalloc/zram0/classes after the churn, before reclaim (${r.pageSize}-byte pages):`,
  );
  o(classesFile(c.pools.zram));
  const total = (s: typeof x.pools.zram) => classesFile(s).split('\n').pop() ?? '';
  o('          …and its Total row after reclaim:');
  o(total(x.pools.zram));
  o(`          the ${r.store.name} pool's Total row before and after reclaim:`);
  o(total(c.pools.store));
  o(total(x.pools.store));
  o(
    `timings   fill ${ms(r.timings.fillMs)}, churn ${ms(r.timings.churnMs)}, pressure ${ms(r.timings.pressureMs)}, verify ${ms(r.timings.verifyMs)}`,
  );
  o('');
  return out;
}
