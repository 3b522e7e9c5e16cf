/**
 * The demo's HTML report: one self-contained file (inline SVG and a little CSS; no script, no
 * network, no library) that shows what happened in a run:
 *
 * - memory over the whole run: data held (logical and compressed), pool pages in use and
 *   committed, the process's RSS and the budget, with the phases shaded and every shrinker scan
 *   marked; the pressure level underneath on the same time axis;
 * - a close-up of the pressure phase, with each shrinker pass drawn as a bar as long as it took;
 * - per size class, before and after reclaim: pages used (what compaction could free in orange)
 *   and zspages per fullness group (the debugfs `classes` columns as a heatmap);
 * - the tables: reclaims and shrinker passes, `mm_stat`, and the `classes` files.
 */
import type { ClassStats, PoolStats } from '../pool/pool-stats.js';
import type { DemoResult, DemoRun } from './run.js';
import { summarize } from './summary.js';
import { type BarGroup, barChart, esc, heatmap, type Series, timeChart } from './svg.js';
import type { Sample } from './timeline.js';

/** What the report says about how it was made. */
export interface ReportMeta {
  /** The command line that produced it. */
  command: string;
  /** When. */
  generated: Date;
  /** Package version. */
  version: string;
  /** The classes files' text (kernel layout), before and after reclaim, for the zram pool. */
  classesText: { before: string; after: string };
}

const C = {
  logical: '#9aa3ad',
  compressed: '#1b9e77',
  inUse: '#2c6fbb',
  committed: '#7b61c9',
  rss: '#e8590c',
  budget: '#d62728',
  kept: '#9ecae1',
  freeable: '#f59f00',
  after: '#08519c',
  pass: '#d62728',
  level: '#d62728',
};

const PHASE_FILL = ['#f3f6fa', '#fbfbfd'];
const LEVELS = ['none', 'low', 'medium', 'critical'];
const MiB = 2 ** 20;
/** Width of the full-width charts' coordinate system (they scale to the page). */
const W = 960;

/** Renders the report for a finished run. */
export function renderReport(run: DemoRun, meta: ReportMeta): string {
  const { result: res, timeline } = run;
  const samples = timeline.samples;
  const end = samples.length ? samples[samples.length - 1].t : 1;
  const bands = timeline.phaseSpans().map((p, i) => ({
    from: p.from / 1000,
    to: p.to / 1000,
    label: p.phase,
    fill: PHASE_FILL[i % 2],
  }));
  const scans = res.passes.filter((p) => p.scanCalls > 0);
  const overview = timeChart({
    width: W,
    height: 380,
    x: [0, end / 1000],
    xLabel: 'seconds since the start',
    yLabel: 'MiB',
    xFormat: (v) => `${v} s`,
    yFormat: (v) => `${v}`,
    series: memorySeries(samples, (s) => s.t / 1000),
    bands,
    marks: scans.map((p) => ({ x: p.t / 1000, color: C.pass })),
    description: 'Memory over the run: data held, pool pages in use and committed, RSS and the budget',
  });
  const levelChart = timeChart({
    width: W,
    height: 150,
    x: [0, end / 1000],
    y: [0, 3.3],
    xLabel: 'seconds since the start',
    yLabel: '',
    xFormat: (v) => `${v} s`,
    yFormat: (v) => `${v}`,
    yTicks: LEVELS.map((label, v) => ({ v, label })),
    series: [
      {
        name: 'pressure level',
        color: C.level,
        step: true,
        area: 'rgba(214,39,40,0.15)',
        points: samples.map((s) => [s.t / 1000, s.level]),
      },
    ],
    bands: bands.map((b) => ({ ...b, label: '' })),
    marks: scans.map((p) => ({ x: p.t / 1000, color: C.pass })),
    description: 'Pressure level reported by the monitor over the run',
  });
  const closeUp = res.budget ? pressureCloseUp(run, res.budget.setAt) : '';
  const frag = (['zram', 'store'] as const).map((k) =>
    fragmentation(res.snapshots.churned.pools[k], res.snapshots.reclaimed.pools[k]),
  );
  const heat = fullness(res.snapshots.churned.pools.zram, res.snapshots.reclaimed.pools.zram);

  const sum = summarize(res);
  const p = sum.pressure;
  const n = (v: number) => v.toLocaleString('en-US');
  const cards: [string, string, string][] = [
    [
      'Stored',
      mib(sum.stored.storedBytes),
      `${mib(res.data.bytes)} of data from ${n(res.data.files)} files (${mib(sum.stored.logicalBytes)} as zram pages and store values), compressed ${sum.stored.ratio.toFixed(2)}:1 (lz4)`,
    ],
    [
      'Freeable after the churn',
      mib(sum.churn.freeablePages * res.pageSize),
      `${n(sum.churn.freeablePages)} pool pages compaction could free, after ${pct(res.zram.pagesDiscarded, res.zram.pagesWritten)} of the pages and ${pct(res.store.entriesDeleted, res.store.entriesWritten)} of the files were dropped`,
    ],
    [
      'Budget',
      p ? mib(p.budgetBytes) : 'not set',
      p
        ? `${pct(p.budgetBytes, p.footprintBytes)} of the ${mib(p.footprintBytes)} the pools held`
        : 'nothing to reclaim',
    ],
    [
      'Given back to the OS',
      p ? mib(p.bytesReturned) : '0',
      p
        ? `in ${ms(p.reclaimMs)} of reclaim, by the shrinkers alone (${p.compactions} compactions); level cleared ${p.settleMs === null ? 'never' : `after ${ms(p.settleMs)}`}`
        : 'no reclaim ran',
    ],
    [
      'RSS before → after reclaim',
      `${mib(res.rss.before)} → ${mib(res.rss.after)}`,
      `the whole process; peak ${mib(res.rss.peak)}`,
    ],
    [
      'Verified',
      res.verify.mismatches === 0 ? 'every byte' : `${n(res.verify.mismatches)} mismatches`,
      `${n(res.verify.pages)} pages and ${n(res.verify.entries)} values read back ${res.verify.mismatches === 0 ? 'identical' : ''}`,
    ],
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>zsmalloc demo report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; margin: 20px auto; max-width: 1360px; padding: 0 16px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 4px; }
h3 { font-size: 15px; margin: 14px 0 2px; }
p.sub, p.note { color: #52606d; margin: 2px 0 8px; max-width: 70em; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 16px 0 4px; }
.card { border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 10px; background: #fbfcfe; }
.card .k { color: #52606d; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 19px; font-weight: 600; margin: 2px 0; }
.card .d { color: #52606d; font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0 2px 6%; font-size: 13px; }
.legend span::before { content: ""; display: inline-block; width: 18px; height: 0; border-top: 3px solid var(--c); vertical-align: middle; margin-right: 6px; }
.legend span.dash::before { border-top-style: dashed; }
.legend span.box::before { height: 10px; border: 0; background: var(--c); }
svg.chart { display: block; width: 100%; height: auto; }
svg .grid { stroke: #e4e7eb; stroke-width: 1; }
svg .axis { stroke: #9aa5b1; stroke-width: 1; }
svg .tick { font-size: 12px; fill: #52606d; }
svg .label { font-size: 13px; fill: #323f4b; }
svg .band { font-size: 12px; fill: #52606d; }
svg .lane { font-size: 11px; fill: #52606d; }
svg .mark { font-size: 11px; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
@media (max-width: 1000px) { .two { grid-template-columns: minmax(0, 1fr); } }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e4e7eb; text-align: right; white-space: nowrap; }
td.w { white-space: normal; min-width: 16em; }
th { background: #f0f4f8; font-weight: 600; }
td.l, th.l { text-align: left; }
pre { background: #f6f8fa; border: 1px solid #e4e7eb; border-radius: 4px; padding: 8px; font-size: 11.5px; overflow-x: auto; }
details summary { cursor: pointer; color: #2c6fbb; margin: 6px 0; }
footer { color: #7b8794; font-size: 12px; margin: 30px 0 10px; }
</style>
</head>
<body>
<h1>zsmalloc demo: a compressed RAM disk and store, squeezed by a memory budget</h1>
<p class="sub">${esc(dataLine(res))}. Node ${esc(process.version)} on ${esc(`${process.platform}/${process.arch}`)}; zsmalloc ${esc(meta.version)}; ${esc(meta.generated.toISOString().replace('T', ' ').slice(0, 19))} UTC.</p>
<div class="cards">
${cards.map(([k, v, d]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`).join('\n')}
</div>

<h2 id="memory">Memory over the run</h2>
<p class="note">A ZramDevice took ${mib(res.data.zramBytes)} as 4 KiB pages and a ZStore ${mib(res.data.storeBytes)} as files; then a random ${pct(res.zram.pagesDiscarded, res.zram.pagesWritten)} was discarded and deleted. The pools' pages stay committed: the freed slots sit inside zspages. When the budget drops below the footprint, the pressure monitor notices and the shrinkers compact and give the pages back; red dashes mark shrinker scans.</p>
${legend([
  ['data held (logical)', C.logical, ''],
  ['data held (compressed)', C.compressed, ''],
  ['pool pages in use (zspages)', C.inUse, ''],
  ['pool pages committed', C.committed, 'dash'],
  ['RSS (whole process)', C.rss, ''],
  ['budget', C.budget, 'dash'],
])}
${overview}
${levelChart}

${closeUp}

<h2 id="fragmentation">Fragmentation by size class, before and after reclaim</h2>
<p class="note">One bar per size class with zspages. Wide bar: pages the class used after the churn, of which <span style="color:${C.freeable}">orange</span> is what compaction could free (<code>zs_can_compact</code>, the debugfs <code>freeable</code> column). Narrow dark bar: pages used after the shrinkers ran.</p>
${legend([
  ['pages kept', C.kept, 'box'],
  ['pages freeable', C.freeable, 'box'],
  ['pages used after reclaim', C.after, 'box'],
])}
<h3>zram0 (pages of the node binary and files)</h3>
${frag[0]}
<h3>${esc(res.store.name)} (the ZStore: files keyed by path)</h3>
${frag[1]}

<h2 id="fullness">zram0: zspages per fullness group (the debugfs <code>classes</code> columns)</h2>
<p class="note">Each cell counts the zspages of a class whose live objects fill the given share of their slots. After the churn most zspages are part-empty; compaction moves objects out of the sparse ones and frees them, so what is left sits at 100 %.</p>
<div class="two">
<div><b>before reclaim</b>${heat.before}</div>
<div><b>after reclaim</b>${heat.after}</div>
</div>

<h2 id="reclaim">What reclaim did</h2>
${reclaimTables(res)}

<h2 id="mm-stat">mm_stat of zram0</h2>
${mmStatTable(res)}

<details><summary>/sys/kernel/debug/zsmalloc/zram0/classes before reclaim</summary><pre>${esc(meta.classesText.before)}</pre></details>
<details><summary>/sys/kernel/debug/zsmalloc/zram0/classes after reclaim</summary><pre>${esc(meta.classesText.after)}</pre></details>

<footer>Made by <code>${esc(meta.command)}</code> in ${(res.timings.totalMs / 1000).toFixed(1)} s: fill ${ms(res.timings.fillMs)}, churn ${ms(res.timings.churnMs)}, pressure ${ms(res.timings.pressureMs)}, verify ${ms(res.timings.verifyMs)}. ${samples.length} samples every ${timeline.intervalMs} ms and at every event. Self-contained: no script, no network.</footer>
</body>
</html>
`;
}

/** The memory lines of a time chart, x given by `x`. */
function memorySeries(samples: Sample[], x: (s: Sample) => number): Series[] {
  const line = (name: string, color: string, pick: (s: Sample) => number | null, dash?: string): Series => ({
    name,
    color,
    dash,
    points: samples.map((s) => {
      const v = pick(s);
      return [x(s), v === null ? null : v / MiB];
    }),
  });
  return [
    line('data held (logical)', C.logical, (s) => s.logical),
    line('data held (compressed)', C.compressed, (s) => s.compressed),
    line('pool pages in use', C.inUse, (s) => s.inUse),
    line('pool pages committed', C.committed, (s) => s.committed, '6 4'),
    line('RSS', C.rss, (s) => s.rss),
    { ...line('budget', C.budget, (s) => s.budget, '8 5'), step: true },
  ];
}

/** The pressure phase, close up: memory lines, level changes, and each shrinker pass as a bar. */
function pressureCloseUp(run: DemoRun, setAt: number): string {
  const { result: res, timeline } = run;
  const spans = timeline.phaseSpans();
  const settle = spans.find((s) => s.phase === 'settle');
  const from = setAt - 100;
  const to = settle ? settle.to : setAt + 2000;
  const inWindow = timeline.samples.filter((s) => s.t >= from && s.t <= to);
  const names = [...new Set(res.passes.map((p) => p.shrinker))];
  const scans = res.passes.filter((p) => p.scanCalls > 0);
  const counts = res.passes.filter((p) => p.scanCalls === 0);
  const chart = timeChart({
    width: W,
    height: 380,
    x: [from - setAt, to - setAt],
    xLabel: 'milliseconds after the budget was lowered',
    yLabel: 'MiB',
    xFormat: (v) => `${v}`,
    yFormat: (v) => `${v}`,
    series: memorySeries(inWindow, (s) => s.t - setAt),
    marks: [
      { x: 0, color: C.budget, label: 'budget lowered' },
      ...res.levels
        .filter((l) => l.t >= from)
        .map((l) => ({ x: l.t - setAt, color: '#323f4b', label: `level ${l.level}` })),
    ],
    spans: [
      ...counts.map((p) => ({
        from: p.t - setAt - p.durationMs,
        to: p.t - setAt,
        lane: names.indexOf(p.shrinker),
        color: '#cbd2d9',
        title: `${p.shrinker} priority ${p.priority}: counted ${p.counted}, share ${p.totalScan} < batch: no scan`,
      })),
      ...scans.map((p) => ({
        from: p.t - setAt - p.durationMs,
        to: p.t - setAt,
        lane: names.indexOf(p.shrinker),
        color: C.pass,
        title: `${p.shrinker} priority ${p.priority}: counted ${p.counted}, scanned ${p.scanned}, freed ${p.freed} pages in ${p.durationMs.toFixed(1)} ms`,
      })),
    ],
    laneNames: names.map((s) => s.replace(/^zspool:/, '')),
    description: 'The pressure phase close up: memory, level changes and shrinker passes',
  });
  return `<h2 id="close-up">The reclaim, close up</h2>
<p class="note">Bars at the top: the shrinker passes of each pool, as long as they took (grey: a pass that counted but whose share was below one batch at that priority; red: a pass that scanned, i.e. compacted in event-loop slices and gave the pages back).</p>
${legend([
  ['data held (logical)', C.logical, ''],
  ['data held (compressed)', C.compressed, ''],
  ['pool pages in use', C.inUse, ''],
  ['pool pages committed', C.committed, 'dash'],
  ['RSS', C.rss, ''],
  ['budget', C.budget, 'dash'],
])}
${chart}`;
}

/** Pages per class before (kept + freeable) and after reclaim. */
function fragmentation(before: PoolStats, after: PoolStats): string {
  const rowsA = new Map(after.classes.map((c) => [c.class, c]));
  const rowsB = new Map(before.classes.map((c) => [c.class, c]));
  const ids = [...new Set([...rowsB.keys(), ...rowsA.keys()])].sort((a, b) => a - b);
  const groups: BarGroup[] = ids.map((id) => {
    const b = rowsB.get(id);
    const a = rowsA.get(id);
    const size = (b ?? a)!.size;
    const used = b?.pages_used ?? 0;
    const free = b?.freeable ?? 0;
    return {
      label: String(size),
      stack: [
        { value: used - free, color: C.kept },
        { value: free, color: C.freeable },
      ],
      overlay: { value: a?.pages_used ?? 0, color: C.after },
      title: `class ${id} (size ${size}): ${used} pages used, ${free} freeable before; ${a?.pages_used ?? 0} after`,
    };
  });
  return barChart({
    width: W,
    height: 240,
    groups,
    xLabel: 'size class (slot size in bytes)',
    yLabel: 'pages',
    description: `Pages per size class of ${before.name} before and after reclaim`,
  });
}

/** Heatmaps of zspages per fullness group and class, before and after, on one colour scale. */
function fullness(before: PoolStats, after: PoolStats): { before: string; after: string } {
  const ids = [...new Set([...before.classes, ...after.classes].map((c) => c.class))].sort((a, b) => a - b);
  const names = before.fullness_names;
  // Rows: 100 % at the top down to the lowest listed group (group 0, empty, is never held).
  const groupIdx: number[] = [];
  for (let g = names.length - 1; g >= 1; g--) groupIdx.push(g);
  const label = (g: number) =>
    names[g]
      .replace(/^ZS_INUSE_RATIO_/, '')
      .replace(/^ZS_/, '')
      .toLowerCase();
  const grid = (s: PoolStats) => {
    const m = new Map<number, ClassStats>(s.classes.map((c) => [c.class, c]));
    return groupIdx.map((g) => ids.map((id) => m.get(id)?.fullness[g] ?? 0));
  };
  const gb = grid(before);
  const ga = grid(after);
  const max = Math.max(1, ...gb.flat(), ...ga.flat());
  const sizeOf = new Map([...before.classes, ...after.classes].map((c) => [c.class, c.size]));
  const columns = ids.map((id) => String(sizeOf.get(id)));
  const rows = groupIdx.map((g) => (/^\d+$/.test(label(g)) ? `${label(g)} %` : label(g)));
  const one = (cells: number[][], when: string) =>
    heatmap({
      width: 640,
      height: 280,
      rows,
      columns,
      cells,
      max,
      xLabel: 'size class (slot size in bytes)',
      yLabel: 'fullness group',
      description: `zspages per fullness group and size class of ${before.name}, ${when}`,
    });
  return { before: one(gb, 'before reclaim'), after: one(ga, 'after reclaim') };
}

function reclaimTables(res: DemoResult): string {
  const rows = res.reclaims.map(
    (r, i) =>
      `<tr><td>${i + 1}</td><td>${ms(r.t - (res.budget?.setAt ?? 0))}</td><td class="l">${r.level}</td><td>${r.targetBytes ? mib(r.targetBytes) : '—'}</td><td>${r.minPriority}</td><td>${r.passes}</td><td>${r.freed.toLocaleString('en-US')}</td><td>${mib(r.bytesReturned)}</td><td>${ms(r.durationMs)}</td></tr>`,
  );
  const passes = res.passes.map(
    (p) =>
      `<tr><td>${ms(p.t - (res.budget?.setAt ?? 0))}</td><td class="l">${esc(p.shrinker)}</td><td>${p.priority}</td><td>${p.counted.toLocaleString('en-US')}</td><td>${p.totalScan}</td><td>${p.scanned}</td><td>${p.freed.toLocaleString('en-US')}</td><td>${mib(p.freedBytes)}</td><td>${ms(p.durationMs)}</td></tr>`,
  );
  const levels = res.levels.map(
    (l) =>
      `<tr><td>${ms(l.t - (res.budget?.setAt ?? 0))}</td><td class="l">${l.previous} → ${l.level}</td><td class="l w">${esc(readable(l.reason) || '—')}</td></tr>`,
  );
  return `<p class="note">Level changes (times after the budget was lowered):</p>
<div class="scroll"><table><tr><th>at</th><th class="l">level</th><th class="l">why</th></tr>${levels.join('')}</table></div>
<p class="note">Reclaims the monitor ran (one per poll while the level is above none and none is running):</p>
<div class="scroll"><table><tr><th>#</th><th>at</th><th class="l">level</th><th>target</th><th>min prio</th><th>passes</th><th>pages freed</th><th>returned</th><th>took</th></tr>${rows.join('')}</table></div>
<p class="note">Shrinker passes (<code>do_shrink_slab</code>: total_scan = (count &gt;&gt; priority) · 4 / seeks + deferred work; a scan needs one batch, 128, or everything counted):</p>
<div class="scroll"><table><tr><th>done at</th><th class="l">shrinker</th><th>prio</th><th>counted</th><th>total_scan</th><th>scanned</th><th>freed</th><th>returned</th><th>took</th></tr>${passes.join('')}</table></div>`;
}

function mmStatTable(res: DemoResult): string {
  const cols = [
    'orig_data_size',
    'compr_data_size',
    'mem_used_total',
    'mem_limit',
    'mem_used_max',
    'same_pages',
    'pages_compacted',
    'huge_pages',
    'huge_pages_since',
  ] as const;
  const inBytes = new Set<string>([
    'orig_data_size',
    'compr_data_size',
    'mem_used_total',
    'mem_limit',
    'mem_used_max',
  ]);
  const cell = (c: string, v: number) => (inBytes.has(c) ? mib(v) : v.toLocaleString('en-US'));
  const row = (name: string, s: DemoResult['snapshots']['filled']) =>
    `<tr><td class="l">${name}</td>${cols.map((c) => `<td>${cell(c, s.mmStat[c])}</td>`).join('')}</tr>`;
  const snaps = res.snapshots;
  return `<div class="scroll"><table><tr><th class="l">after</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>
${row('fill', snaps.filled)}
${row('churn', snaps.churned)}
${row('reclaim', snaps.reclaimed)}</table></div>
<p class="note">Sizes in MiB, the other columns in pages. As <code>cat /sys/block/zram0/mm_stat</code> prints it (bytes and pages), after each phase:</p>
<pre>${esc([snaps.filled, snaps.churned, snaps.reclaimed].map((x) => x.mmStatText).join('\n'))}</pre>`;
}

/** A monitor's reason in units people read: `143654912 B is 166.667 %` → `137 MiB is 167 %`. */
function readable(reason: string): string {
  return reason
    .replace(/\b(\d+) B\b/g, (_, b: string) => mib(Number(b)))
    .replace(/\b(\d+\.\d+) %/g, (_, v: string) => `${Math.round(Number(v))} %`);
}

function legend(items: [string, string, string][]): string {
  return `<div class="legend">${items.map(([n, c, k]) => `<span class="${k}" style="--c:${c}">${esc(n)}</span>`).join('')}</div>`;
}

function dataLine(res: DemoResult): string {
  const where = res.data.source === 'node' ? 'the Node.js installation' : 'the --data directory';
  return `${mib(res.data.bytes)} of real data from ${where}: ${res.data.roots.join(', ')}`;
}

function mib(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < MiB) return `${Math.round(n / 1024)} KiB`;
  return `${(n / MiB).toFixed(n >= 100 * MiB ? 0 : 1)} MiB`;
}

function ms(n: number): string {
  if (n < 1) return `${Math.round(n * 1000)} µs`;
  return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ms`;
}

function pct(a: number, b: number): string {
  return `${b > 0 ? Math.round((100 * a) / b) : 0} %`;
}
