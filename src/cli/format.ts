/**
 * Text formatting for the CLI: aligned tables, byte sizes, and the kernel's text formats.
 */
import type { ClassStats, PoolStats } from '../pool/pool-stats.js';

/** Renders rows as an aligned table; numbers are right-aligned, text left-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [
    header.map(String),
    ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmtNum(c) : c))),
  ];
  const width = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === ''),
  );
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** `1536` → `1.5 KiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** Milliseconds with a sensible precision. */
export function ms(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 1 ? `${n.toFixed(1)} ms` : `${(n * 1000).toFixed(0)} µs`;
}

/**
 * A pool's per-class table in the layout of the kernel's debugfs `classes` file
 * (`/sys/kernel/debug/zsmalloc/<pool>/classes`): 6.4+ columns (zspages per fullness group 10 % …
 * 100 %) for profiles with ratio groups, the 4.8–6.3 columns (almost_full, almost_empty) for the
 * legacy ones; then a blank line and the Total row. The kernel prints every real class; this
 * prints those with zspages (the rows `stats()` returns).
 */
export function classesFile(stats: PoolStats): string {
  const ratio = stats.fullness_names.length > 4;
  const lines: string[] = [];
  const totals = new Array<number>(ratio ? 11 : 2).fill(0);
  let objs = 0;
  let used = 0;
  let pages = 0;
  let freeable = 0;
  const groups = (c: ClassStats): number[] =>
    // 6.4+: groups ZS_INUSE_RATIO_10 … _100 (1..11); 4.8–6.3: ZS_ALMOST_FULL (2), ZS_ALMOST_EMPTY (1).
    ratio ? c.fullness.slice(1, 12) : [c.fullness[2], c.fullness[1]];
  const groupCols = (v: readonly (string | number)[]): string =>
    ratio ? v.map((x) => `${pad(x, 9)} `).join('') : `${pad(v[0], 11)} ${pad(v[1], 12)} `;
  const head = ratio
    ? ['10%', '20%', '30%', '40%', '50%', '60%', '70%', '80%', '90%', '99%', '100%']
    : ['almost_full', 'almost_empty'];
  lines.push(
    ` ${pad('class', 5)} ${pad('size', 5)} ${groupCols(head)}${pad('obj_allocated', 13)} ${pad('obj_used', 10)} ` +
      `${pad('pages_used', 10)} ${pad('pages_per_zspage', 16)} ${pad('freeable', 8)}`,
  );
  for (const c of stats.classes) {
    const g = groups(c);
    g.forEach((v, i) => {
      totals[i] += v;
    });
    objs += c.obj_allocated;
    used += c.obj_used;
    pages += c.pages_used;
    freeable += c.freeable;
    lines.push(
      ` ${pad(c.class, 5)} ${pad(c.size, 5)} ${groupCols(g)}${pad(c.obj_allocated, 13)} ${pad(c.obj_used, 10)} ` +
        `${pad(c.pages_used, 10)} ${pad(c.pages_per_zspage, 16)} ${pad(c.freeable, 8)}`,
    );
  }
  lines.push('');
  lines.push(
    ` ${pad('Total', 5)} ${pad('', 5)} ${groupCols(totals)}${pad(objs, 13)} ${pad(used, 10)} ` +
      `${pad(pages, 10)} ${pad('', 16)} ${pad(freeable, 8)}`,
  );
  return lines.join('\n');
}

function pad(v: string | number, w: number): string {
  return String(v).padStart(w);
}
