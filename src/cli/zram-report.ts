/**
 * The HTML report of `zsmalloc zram --report`: one self-contained page (inline SVG, no script,
 * no external resource) with memory used per algorithm × profile against the original size, the
 * histogram of stored lengths and the fragmentation of each size class.
 */
import { barChart, esc } from '../demo/svg.js';
import type { SimulationResult } from '../zram/node/simulate-run.js';
import { HISTOGRAM_BUCKET, type ZramSimReport } from '../zram/simulate.js';
import { bytes } from './format.js';

const MIB = 1024 * 1024;
const COLORS = ['#3b6ea8', '#c8553d', '#4f9d69', '#8e6bb8', '#d4a017', '#5b8c85'];

function pairName(r: ZramSimReport): string {
  return `${r.algorithm} / ${r.profile}${r.exact ? '' : ' (estimate)'}`;
}

function memoryChart(r: SimulationResult): string {
  return barChart({
    width: 760,
    height: 300,
    xLabel: 'algorithm / profile',
    yLabel: 'MiB',
    description: 'Memory zram uses (mem_used_total) against the data stored (orig_data_size)',
    groups: r.reports.map((x, i) => ({
      label: pairName(x),
      stack: [{ value: x.mm_stat.mem_used_total / MIB, color: COLORS[i % COLORS.length] }],
      overlay: { value: x.mm_stat.orig_data_size / MIB, color: 'rgba(0,0,0,0.15)' },
      title: `${pairName(x)}: ${bytes(x.mm_stat.mem_used_total)} used for ${bytes(x.mm_stat.orig_data_size)}`,
    })),
  });
}

function histogramChart(x: ZramSimReport, color: string): string {
  return barChart({
    width: 760,
    height: 240,
    xLabel: `stored length (bytes, buckets of ${HISTOGRAM_BUCKET}; huge pages in the last)`,
    yLabel: 'pages',
    description: `Stored lengths, ${pairName(x)}`,
    groups: x.histogram.map((n, i) => ({
      label: String(i * HISTOGRAM_BUCKET),
      stack: [{ value: n, color }],
      title: `${i * HISTOGRAM_BUCKET}–${(i + 1) * HISTOGRAM_BUCKET - 1} bytes: ${n} pages`,
    })),
  });
}

function classTable(x: ZramSimReport): string {
  const rows = x.classes
    .map(
      (c) =>
        `<tr><td>${c.size}</td><td>${c.pages_per_zspage}</td><td>${c.objects}</td><td>${c.pages}</td>` +
        `<td>${bytes(c.data_bytes)}</td><td>${bytes(c.wasted_bytes)}</td><td>${(c.fragmentation * 100).toFixed(1)} %</td><td>${c.freeable}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th>class size</th><th>pages/zspage</th><th>objects</th><th>pages</th><th>data</th><th>wasted</th><th>fragmentation</th><th>compaction frees</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Renders the report. */
export function renderZramReport(r: SimulationResult): string {
  const summary = r.reports
    .map(
      (x) =>
        `<tr><td>${esc(x.algorithm)}</td><td>${esc(x.profile)}</td><td>${x.exact ? 'exact' : 'estimate'}</td>` +
        `<td>${bytes(x.mm_stat.orig_data_size)}</td><td>${bytes(x.mm_stat.compr_data_size)}</td><td>${bytes(x.mm_stat.mem_used_total)}</td>` +
        `<td>${Number.isFinite(x.ratio) ? x.ratio.toFixed(2) : '-'}</td><td>${bytes(x.saved_bytes)}</td><td>${x.same_pages}</td><td>${x.huge_pages}</td>` +
        `<td>${x.compaction_frees}</td><td><code>${esc(x.mm_stat_raw.trim())}</code></td></tr>`,
    )
    .join('\n');
  const sections = r.reports
    .map(
      (x, i) =>
        `<h2>${esc(pairName(x))}</h2>\n${histogramChart(x, COLORS[i % COLORS.length])}\n` +
        `<p>huge_class_size ${x.huge_class_size}: pages whose compressed length reaches it are stored whole.</p>\n${classTable(x)}`,
    )
    .join('\n');
  const sources = r.sources
    .map(
      (s) =>
        `<li>${esc(s.label)}: ${s.pages} pages${s.skipped_regions ? `, ${s.skipped_regions} unreadable regions (${s.skipped_pages} pages) skipped` : ''}</li>`,
    )
    .join('\n');
  const skipped = r.skipped.map((s) => `<li>${esc(s.error)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zsmalloc zram report</title>
<style>body{font:14px system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}code{font-size:12px}</style>
</head><body>
<h1>What zram would do with this memory</h1>
<ul>${sources}</ul>
<p>${r.pages} pages written to each device. “exact” rows are the kernel's own figures (its compressed lengths, pool and mm_stat); “estimate” rows use node:zlib counterparts.</p>
<table><thead><tr><th>algorithm</th><th>profile</th><th>engine</th><th>orig_data</th><th>compr_data</th><th>mem_used</th><th>ratio</th><th>saved</th><th>same</th><th>huge</th><th>compaction frees</th><th>mm_stat</th></tr></thead><tbody>${summary}</tbody></table>
${skipped ? `<p>Not simulated:</p><ul>${skipped}</ul>` : ''}
<h2>Memory used against data stored</h2>
${memoryChart(r)}
${sections}
</body></html>
`;
}
