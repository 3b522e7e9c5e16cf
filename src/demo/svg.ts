/**
 * Inline SVG charts for the demo report: a time-series chart (lines, steps, shaded phase bands,
 * event marks, duration spans), a bar chart by category and a heatmap with its colour scale, as
 * strings with no script and no external resource.
 *
 * Every chart is drawn in a `viewBox` of the given width and height and scales with the page
 * (CSS `width: 100%`): nothing has a fixed width. Text never sits on the plot: phase names and
 * event labels go in rows above it, each label in the first row where it overlaps no other
 * ({@link placeLabels}), with the event's dashed line reaching up to its label. Coordinates are
 * rounded to 0.1 so the report stays small.
 */

/** Escapes text for HTML and SVG. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toFixed(10)));
  return out;
}

/** A line of a time-series chart. */
export interface Series {
  /** Legend name. */
  name: string;
  /** Stroke colour. */
  color: string;
  /** `stroke-dasharray`, if dashed. */
  dash?: string;
  /** Stroke width (default 2). */
  width?: number;
  /** Draw as steps (the value holds until the next point). */
  step?: boolean;
  /** Fill the area under the line with this colour (translucent). */
  area?: string;
  /** Points `[x, y]`, x ascending; `null` y breaks the line. */
  points: [number, number | null][];
}

/** A shaded x-range with a label at the top (a phase of the run). */
export interface Band {
  /** Start and end x. */
  from: number;
  /** End x. */
  to: number;
  /** Label. */
  label: string;
  /** Fill colour. */
  fill: string;
}

/** A vertical mark at x (an event). */
export interface Mark {
  /** Position. */
  x: number;
  /** Colour. */
  color: string;
  /** Short label drawn beside it (optional). */
  label?: string;
}

/** A horizontal bar from x `from` to `to` in lane `lane` (a shrinker pass and how long it took). */
export interface Span {
  /** Start x. */
  from: number;
  /** End x. */
  to: number;
  /** Lane index (0 = top). */
  lane: number;
  /** Colour. */
  color: string;
  /** Tooltip text. */
  title: string;
}

/** Everything a time-series chart draws. */
export interface TimeChart {
  /** Width and height of the SVG, px. */
  width: number;
  /** Height, px. */
  height: number;
  /** x range. */
  x: [number, number];
  /** y range (default: 0 to the largest value, padded). */
  y?: [number, number];
  /** Axis labels. */
  xLabel: string;
  /** y-axis label. */
  yLabel: string;
  /** Tick label formatters. */
  xFormat: (v: number) => string;
  /** y tick labels. */
  yFormat: (v: number) => string;
  /** Fixed y ticks with labels (instead of round numbers), e.g. pressure levels. */
  yTicks?: { v: number; label: string }[];
  /** Lines. */
  series: Series[];
  /** Shaded ranges. */
  bands?: Band[];
  /** Event marks. */
  marks?: Mark[];
  /** Duration spans in lanes under the plot's top edge. */
  spans?: Span[];
  /** Names of the span lanes (written at the left end of each lane). */
  laneNames?: string[];
  /** Accessible description. */
  description: string;
}

const M = { left: 64, right: 16, top: 10, bottom: 40 };

/** Top margin of bar charts: room for the value of a bar cut by the scale. */
const BAR_TOP = 22;

/** Height of one row of labels above a plot. */
const ROW = 15;

/** Opening tag of a chart's SVG: scales to its container's width, keeps its proportions. */
function svgOpen(width: number, height: number, description: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" role="img">` +
    `<title>${esc(description)}</title>`
  );
}

/** A label to place in rows: its anchor x, its text, and whether it is centred on x. */
export interface LabelItem {
  /** Anchor x. */
  x: number;
  /** The text. */
  text: string;
  /** Centred on x (true) or starting just right of it (false). */
  centred: boolean;
}

/** Width of `text` at `fontSize` px, estimated (system sans-serif averages ~0.58 em per char). */
function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.58;
}

/**
 * Assigns each label the first row where it overlaps no label already placed (greedy, in x
 * order) and returns each label's row and left edge, in input order, and how many rows were
 * used. A label beside a line (not centred) goes right of its line, or left of it where the right
 * has no room; it never goes in a row under a label that spans its line, so a line drawn from its
 * label down to the plot crosses no other label. Labels stay inside [minX, maxX]. The charts place
 * centred labels (phase names) and labels beside lines (events) in separate calls and rows.
 */
export function placeLabels(
  items: readonly LabelItem[],
  fontSize: number,
  minX: number,
  maxX: number,
): { rows: number[]; count: number; x: number[] } {
  const order = items.map((_, i) => i).sort((a, b) => items[a].x - items[b].x);
  const spans: [number, number][][] = []; // per row: the labels' [left, right]
  const rows = new Array<number>(items.length).fill(0);
  const xs = new Array<number>(items.length).fill(0);
  for (const i of order) {
    const it = items[i];
    const w = textWidth(it.text, fontSize);
    let left = it.centred ? it.x - w / 2 : it.x + 3 + w <= maxX ? it.x + 3 : it.x - 3 - w;
    left = Math.max(minX, Math.min(left, maxX - w));
    const free = (row: [number, number][]) => row.every(([a, z]) => z + 6 <= left || a >= left + w + 6);
    const covers = (row: [number, number][]) => row.some(([a, z]) => a <= it.x && it.x <= z);
    let min = 0;
    if (!it.centred) for (let r = 0; r < spans.length; r++) if (covers(spans[r])) min = r + 1;
    let row = min;
    while (row < spans.length && !free(spans[row])) row++;
    if (row === spans.length) spans.push([]);
    spans[row].push([left, left + w]);
    rows[i] = row;
    xs[i] = left;
  }
  return { rows, count: spans.length, x: xs };
}

/** Renders a time-series chart as an SVG string. */
export function timeChart(c: TimeChart): string {
  const laneH = 14;
  const lanes = c.laneNames?.length ?? 0;
  const w = c.width - M.left - M.right;
  const [x0, x1] = c.x;
  const sx = (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * w;
  // Rows above the plot: phase names, then event labels, then the span lanes.
  const bands = (c.bands ?? []).filter((b) => b.label && sx(b.to) - sx(b.from) >= 0.5);
  const bandPlace = placeLabels(
    bands.map((b) => ({
      x: (clamp(sx(b.from), M.left, M.left + w) + clamp(sx(b.to), M.left, M.left + w)) / 2,
      text: b.label,
      centred: true,
    })),
    12,
    M.left,
    M.left + w,
  );
  const labelled = (c.marks ?? []).filter((m) => m.label && sx(m.x) >= M.left && sx(m.x) <= M.left + w);
  const markPlace = placeLabels(
    labelled.map((m) => ({ x: sx(m.x), text: m.label ?? '', centred: false })),
    11,
    M.left,
    M.left + w,
  );
  const bandTop = M.top;
  const markTop = bandTop + bandPlace.count * ROW;
  const laneTop = markTop + markPlace.count * ROW + (markPlace.count > 0 ? 2 : 0);
  const top = laneTop + (lanes > 0 ? lanes * (laneH + 3) + 4 : 0);
  const h = c.height - top - M.bottom;
  let [y0, y1] = c.y ?? [0, 0];
  if (!c.y) {
    for (const s of c.series) for (const [, v] of s.points) if (v !== null && v > y1) y1 = v;
    y1 = y1 > 0 ? y1 * 1.08 : 1;
  }
  const sy = (v: number) => top + h - ((v - y0) / (y1 - y0 || 1)) * h;
  const out: string[] = [svgOpen(c.width, c.height, c.description)];
  for (const b of c.bands ?? []) {
    const a = clamp(sx(b.from), M.left, M.left + w);
    const z = clamp(sx(b.to), M.left, M.left + w);
    if (z - a < 0.5) continue;
    out.push(`<rect x="${r(a)}" y="${top}" width="${r(z - a)}" height="${h}" fill="${b.fill}"/>`);
  }
  bands.forEach((b, i) => {
    const a = clamp(sx(b.from), M.left, M.left + w);
    const z = clamp(sx(b.to), M.left, M.left + w);
    const y = bandTop + bandPlace.rows[i] * ROW + 11;
    out.push(`<text x="${r(bandPlace.x[i])}" y="${y}" class="band">${esc(b.label)}</text>`);
    // A rule under the name spans the phase (no vertical: it would cross the rows below).
    out.push(
      `<path d="M${r(a + 0.5)} ${y + 6}V${y + 4}H${r(z - 0.5)}V${y + 6}" fill="none" stroke="#9aa5b1" stroke-width="1"/>`,
    );
  });
  // Grid and axes.
  const yt = c.yTicks ?? niceTicks(y0, y1, 5).map((v) => ({ v, label: c.yFormat(v) }));
  for (const t of yt) {
    const y = sy(t.v);
    if (y < top - 0.5 || y > top + h + 0.5) continue;
    out.push(`<line x1="${M.left}" x2="${M.left + w}" y1="${r(y)}" y2="${r(y)}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${r(y + 4)}" class="tick" text-anchor="end">${esc(t.label)}</text>`);
  }
  for (const v of niceTicks(x0, x1, Math.max(2, Math.round(w / 110)))) {
    const x = sx(v);
    out.push(`<line x1="${r(x)}" x2="${r(x)}" y1="${top + h}" y2="${top + h + 4}" class="axis"/>`);
    out.push(
      `<text x="${r(x)}" y="${top + h + 17}" class="tick" text-anchor="middle">${esc(c.xFormat(v))}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left + w}" y1="${top + h}" y2="${top + h}" class="axis"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${top}" y2="${top + h}" class="axis"/>`,
    `<text x="${M.left + w / 2}" y="${c.height - 4}" class="label" text-anchor="middle">${esc(c.xLabel)}</text>`,
  );
  if (c.yLabel)
    out.push(
      `<text transform="translate(14 ${top + h / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(c.yLabel)}</text>`,
    );
  for (const m of c.marks ?? []) {
    const x = sx(m.x);
    if (x < M.left || x > M.left + w || m.label) continue;
    out.push(
      `<line x1="${r(x)}" x2="${r(x)}" y1="${top}" y2="${top + h}" stroke="${m.color}" stroke-width="1" stroke-dasharray="3 3"/>`,
    );
  }
  // Labelled marks: the dashed line runs from the plot's bottom up to its label's row.
  labelled.forEach((m, i) => {
    const x = sx(m.x);
    const y = markTop + markPlace.rows[i] * ROW + 11;
    out.push(
      `<line x1="${r(x)}" x2="${r(x)}" y1="${y - 9}" y2="${top + h}" stroke="${m.color}" stroke-width="1" stroke-dasharray="3 3"/>`,
      `<text x="${r(markPlace.x[i])}" y="${y}" class="mark" fill="${m.color}">${esc(m.label ?? '')}</text>`,
    );
  });
  for (const s of c.spans ?? []) {
    const a = clamp(sx(s.from), M.left, M.left + w);
    const z = clamp(sx(s.to), M.left, M.left + w);
    const y = laneTop + s.lane * (laneH + 3);
    out.push(
      `<rect x="${r(a)}" y="${y}" width="${r(Math.max(2, z - a))}" height="${laneH}" rx="2" fill="${s.color}"><title>${esc(s.title)}</title></rect>`,
    );
  }
  (c.laneNames ?? []).forEach((name, i) => {
    out.push(
      `<text x="${M.left - 6}" y="${laneTop + i * (laneH + 3) + 11}" class="lane" text-anchor="end">${esc(name)}</text>`,
    );
  });
  for (const s of c.series) {
    for (const run of runs(s.points)) {
      const pts = s.step ? stepped(run) : run;
      const coords = pts.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(' ');
      if (s.area && pts.length > 1) {
        const base = r(sy(Math.max(y0, 0)));
        out.push(
          `<polygon points="${r(sx(pts[0][0]))},${base} ${coords} ${r(sx(pts[pts.length - 1][0]))},${base}" fill="${s.area}" stroke="none"/>`,
        );
      }
      out.push(
        `<polyline points="${coords}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"` +
          `${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} stroke-linejoin="round"><title>${esc(s.name)}</title></polyline>`,
      );
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

/** One bar group of a bar chart: stacked parts of the main bar, plus an overlay bar and a tick. */
export interface BarGroup {
  /** Category label (shown every few bars). */
  label: string;
  /** Stacked parts of the wide bar, bottom first. */
  stack: { value: number; color: string }[];
  /** A narrower bar drawn over it (e.g. the same figure after reclaim). */
  overlay?: { value: number; color: string };
  /** Tooltip. */
  title: string;
}

/** Everything a bar chart draws. */
export interface BarChart {
  /** Width and height, px. */
  width: number;
  /** Height, px. */
  height: number;
  /** Groups, left to right. */
  groups: BarGroup[];
  /** Axis labels. */
  xLabel: string;
  /** y-axis label. */
  yLabel: string;
  /** Accessible description. */
  description: string;
}

/**
 * Renders a bar chart. When one bar dwarfs the others (more than 2.5× the next), the scale is cut
 * at the next one and the tall bar is drawn broken, with its value written on it.
 */
export function barChart(c: BarChart): string {
  const w = c.width - M.left - M.right;
  const h = c.height - BAR_TOP - M.bottom;
  const totals = c.groups.map((g) => Math.max(sum(g.stack), g.overlay?.value ?? 0));
  const sorted = [...totals].sort((a, b) => b - a);
  let y1 = sorted[0] ?? 1;
  if (sorted.length > 1 && sorted[1] > 0 && sorted[0] > 2.5 * sorted[1]) y1 = sorted[1] * 1.15;
  y1 = Math.max(1, y1 * 1.05);
  const sy = (v: number) => BAR_TOP + h - (Math.min(v, y1) / y1) * h;
  const n = Math.max(1, c.groups.length);
  const slot = w / n;
  const bw = Math.max(1, slot * 0.8);
  const out: string[] = [svgOpen(c.width, c.height, c.description)];
  for (const v of niceTicks(0, y1, 5)) {
    const y = sy(v);
    out.push(`<line x1="${M.left}" x2="${M.left + w}" y1="${r(y)}" y2="${r(y)}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${r(y + 4)}" class="tick" text-anchor="end">${v}</text>`);
  }
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(w / 44))));
  c.groups.forEach((g, i) => {
    const x = M.left + i * slot + (slot - bw) / 2;
    let base = 0;
    out.push(`<g><title>${esc(g.title)}</title>`);
    for (const part of g.stack) {
      if (part.value <= 0) continue;
      const top = sy(base + part.value);
      out.push(
        `<rect x="${r(x)}" y="${r(top)}" width="${r(bw)}" height="${r(sy(base) - top)}" fill="${part.color}"/>`,
      );
      base += part.value;
    }
    if (g.overlay && g.overlay.value > 0) {
      const ow = Math.max(1, bw * 0.45);
      const top = sy(g.overlay.value);
      out.push(
        `<rect x="${r(x + (bw - ow) / 2)}" y="${r(top)}" width="${r(ow)}" height="${r(sy(0) - top)}" fill="${g.overlay.color}"/>`,
      );
    }
    if (totals[i] > y1) {
      out.push(
        `<rect x="${r(x - 1)}" y="${BAR_TOP + 10}" width="${r(bw + 2)}" height="4" fill="#fff"/>`,
        `<text x="${r(x + bw / 2)}" y="${BAR_TOP - 4}" class="tick" text-anchor="middle">${totals[i]}</text>`,
      );
    }
    out.push('</g>');
    if (i % every === 0) {
      const lx = x + bw / 2;
      out.push(
        `<text x="${r(lx)}" y="${BAR_TOP + h + 14}" class="tick" text-anchor="middle">${esc(g.label)}</text>`,
      );
    }
  });
  out.push(
    `<line x1="${M.left}" x2="${M.left + w}" y1="${BAR_TOP + h}" y2="${BAR_TOP + h}" class="axis"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${BAR_TOP}" y2="${BAR_TOP + h}" class="axis"/>`,
    `<text x="${M.left + w / 2}" y="${c.height - 4}" class="label" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text transform="translate(14 ${BAR_TOP + h / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(c.yLabel)}</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/** One cell grid: rows × columns of counts, coloured by count (0 left blank). */
export interface Heatmap {
  /** Width and height, px. */
  width: number;
  /** Height, px. */
  height: number;
  /** Row names, top first. */
  rows: string[];
  /** Column labels (shown every few columns). */
  columns: string[];
  /** `cells[row][column]`. */
  cells: number[][];
  /** Largest count the colour scale reaches (shared between heatmaps that are compared). */
  max: number;
  /** Axis labels. */
  xLabel: string;
  /** y-axis label. */
  yLabel: string;
  /** Accessible description. */
  description: string;
}

/**
 * Renders a heatmap; colour is on a log scale so single zspages still show. The colour scale is
 * drawn at the right: a strip from 1 to `max` with round values marked.
 */
export function heatmap(c: Heatmap): string {
  const scaleW = 70;
  const w = c.width - M.left - M.right - scaleW;
  const top = BAR_TOP + 8;
  const h = c.height - top - M.bottom;
  const nc = Math.max(1, c.columns.length);
  const nr = Math.max(1, c.rows.length);
  const cw = w / nc;
  const ch = h / nr;
  const lmax = Math.log1p(Math.max(1, c.max));
  const out: string[] = [
    svgOpen(c.width, c.height, c.description),
    `<rect x="${M.left}" y="${top}" width="${r(w)}" height="${r(h)}" fill="#f6f7f9"/>`,
  ];
  c.rows.forEach((name, i) => {
    out.push(
      `<text x="${M.left - 6}" y="${r(top + i * ch + ch / 2 + 4)}" class="tick" text-anchor="end">${esc(name)}</text>`,
    );
    c.cells[i].forEach((v, j) => {
      if (v <= 0) return;
      const a = Math.log1p(v) / lmax;
      out.push(
        `<rect x="${r(M.left + j * cw)}" y="${r(top + i * ch)}" width="${r(Math.max(1, cw - 0.5))}" height="${r(ch - 0.5)}" fill="${heat(a)}"><title>${esc(`${c.columns[j]}: ${v} zspages ${name}`)}</title></rect>`,
      );
    });
  });
  const every = Math.max(1, Math.ceil(nc / Math.max(1, Math.floor(w / 44))));
  c.columns.forEach((label, j) => {
    if (j % every !== 0) return;
    out.push(
      `<text x="${r(M.left + j * cw + cw / 2)}" y="${top + h + 14}" class="tick" text-anchor="middle">${esc(label)}</text>`,
    );
  });
  // The colour scale, on the cells' log scale: 0 at the bottom, max at the top.
  const sx0 = M.left + w + 16;
  const steps = 24;
  for (let k = 0; k < steps; k++) {
    const y = top + h - ((k + 1) / steps) * h;
    out.push(
      `<rect x="${sx0}" y="${r(y)}" width="12" height="${r(h / steps + 0.3)}" fill="${heat((k + 0.5) / steps)}"/>`,
    );
  }
  out.push(
    `<rect x="${sx0}" y="${top}" width="12" height="${r(h)}" fill="none" stroke="#9aa5b1" stroke-width="0.5"/>`,
  );
  const max = Math.max(1, c.max);
  const at = (v: number) => top + h - (Math.log1p(v) / lmax) * h;
  // Round values up to the largest, each at least 12 units from the one below and from the top.
  const marks: number[] = [];
  let lastY = Number.POSITIVE_INFINITY;
  for (const v of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]) {
    if (v >= max || at(v) - at(max) < 12 || lastY - at(v) < 12) continue;
    marks.push(v);
    lastY = at(v);
  }
  marks.push(max);
  for (const v of marks) {
    const y = at(v);
    out.push(
      `<line x1="${sx0 + 12}" x2="${sx0 + 16}" y1="${r(y)}" y2="${r(y)}" class="axis"/>`,
      `<text x="${sx0 + 18}" y="${r(y + 4)}" class="tick">${v}</text>`,
    );
  }
  out.push(
    `<text x="${sx0 - 2}" y="${top - 14}" class="tick">zspages</text>`,
    `<text x="${M.left + w / 2}" y="${c.height - 4}" class="label" text-anchor="middle">${esc(c.xLabel)}</text>`,
    `<text transform="translate(14 ${top + h / 2}) rotate(-90)" class="label" text-anchor="middle">${esc(c.yLabel)}</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/** Colour of a heatmap cell, `a` in [0, 1]: pale blue to deep blue. */
function heat(a: number): string {
  const t = clamp(a, 0, 1);
  const mix = (p: number, q: number) => Math.round(p + (q - p) * t);
  return `rgb(${mix(198, 8)},${mix(219, 48)},${mix(239, 107)})`;
}

function runs(points: [number, number | null][]): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  for (const [x, y] of points) {
    if (y === null) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push([x, y]);
  }
  if (cur.length) out.push(cur);
  return out;
}

function stepped(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  points.forEach((p, i) => {
    if (i > 0) out.push([p[0], points[i - 1][1]]);
    out.push(p);
  });
  return out;
}

function sum(parts: { value: number }[]): number {
  return parts.reduce((a, p) => a + Math.max(0, p.value), 0);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}
