// The demo report's layout rules: charts that scale with the window (viewBox, no fixed width),
// labels placed in rows that never overlap each other or the lines of other labels, a colour
// scale on every heatmap, every phase named, units people read.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { heatmap, type LabelItem, placeLabels, timeChart } from '../../src/demo/svg.js';
import { cli } from './run-cli.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

describe('placeLabels', () => {
  const width = (l: LabelItem, size: number) => l.text.length * size * 0.58;

  const item = (centred: fc.Arbitrary<boolean>, maxX: number) =>
    fc.record({
      x: fc.double({ min: 0, max: maxX, noNaN: true }),
      text: fc.string({ minLength: 1, maxLength: 20 }),
      centred,
    });

  it('labels in one row never overlap, and stay inside the bounds', () => {
    fc.assert(
      fc.property(fc.array(item(fc.boolean(), 1000), { maxLength: 30 }), (items) => {
        const { rows, count, x } = placeLabels(items, 11, 0, 1000);
        assert.equal(rows.length, items.length);
        assert.ok(count <= items.length);
        for (let i = 0; i < items.length; i++) {
          assert.ok(rows[i] >= 0 && rows[i] < Math.max(1, count));
          const wi = width(items[i], 11);
          assert.ok(x[i] >= -1e-9 && x[i] + wi <= 1000 + 1e-9, 'inside the bounds');
          for (let j = 0; j < items.length; j++) {
            const wj = width(items[j], 11);
            if (i !== j && rows[i] === rows[j])
              assert.ok(
                x[i] + wi <= x[j] || x[j] + wj <= x[i],
                `labels ${i} and ${j} overlap in row ${rows[i]}`,
              );
          }
        }
      }),
    );
  });

  it('labels beside lines: a line from its label down crosses no other label', () => {
    // Event labels (not centred) are placed in a call of their own, as the charts do.
    fc.assert(
      fc.property(fc.array(item(fc.constant(false), 860), { maxLength: 30 }), (items) => {
        const { rows, x } = placeLabels(items, 11, 0, 1000);
        for (let i = 0; i < items.length; i++)
          for (let j = 0; j < items.length; j++) {
            if (i === j || rows[j] <= rows[i]) continue;
            const spans = x[j] <= items[i].x && items[i].x <= x[j] + width(items[j], 11);
            assert.ok(!spans, `the line of ${i} (row ${rows[i]}) crosses label ${j} (row ${rows[j]})`);
          }
      }),
    );
  });

  it('two marks close together go in two rows', () => {
    const r = placeLabels(
      [
        { x: 100, text: 'budget lowered', centred: false },
        { x: 104, text: 'level critical', centred: false },
      ],
      11,
      0,
      1000,
    );
    assert.equal(r.count, 2);
    assert.notEqual(r.rows[0], r.rows[1]);
  });
});

describe('charts', () => {
  it('scale with the page: a viewBox and no fixed width or height', () => {
    const t = timeChart({
      width: 960,
      height: 300,
      x: [0, 10],
      xLabel: 's',
      yLabel: 'MiB',
      xFormat: String,
      yFormat: String,
      series: [
        {
          name: 'a',
          color: '#000',
          points: [
            [0, 1],
            [10, 2],
          ],
        },
      ],
      bands: [
        { from: 0, to: 9.9, label: 'long phase', fill: '#eee' },
        { from: 9.9, to: 10, label: 'short', fill: '#ddd' },
      ],
      marks: [
        { x: 5, color: '#f00', label: 'budget lowered' },
        { x: 5.01, color: '#000', label: 'level critical' },
      ],
      description: 'd',
    });
    const h = heatmap({
      width: 640,
      height: 280,
      rows: ['100 %', '10 %'],
      columns: ['32', '48'],
      cells: [
        [1, 0],
        [0, 40],
      ],
      max: 40,
      xLabel: 'x',
      yLabel: 'y',
      description: 'd',
    });
    for (const svg of [t, h]) {
      const open = /<svg [^>]*>/.exec(svg)?.[0] ?? '';
      assert.match(open, /viewBox="0 0 \d+ \d+"/);
      assert.match(open, /class="chart"/);
      assert.doesNotMatch(open, / (width|height)=/);
    }
    // Even the narrowest phase is named; labels of close marks sit on different rows.
    assert.match(t, />short</);
    const ys = [...t.matchAll(/<text [^>]*y="([\d.]+)" class="mark"[^>]*>([^<]*)</g)].map((m) =>
      Number(m[1]),
    );
    assert.equal(ys.length, 2);
    assert.notEqual(ys[0], ys[1]);
    // The heatmap has its colour scale: a title, the largest value, a strip of colours.
    assert.match(h, />zspages</);
    assert.match(h, />40</);
    assert.ok([...h.matchAll(/<rect [^>]*width="12"[^>]*fill="rgb\(/g)].length >= 10);
  });
});

describe('the demo report', () => {
  it('one self-contained file: every chart scales, every heatmap has a scale, every phase named, readable units', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'zsmalloc-report-')), 'r.html');
    const data = join(root, 'node_modules', 'typescript', 'lib');
    const r = await cli('demo', '--data', data, '--size', '8', '--report', report);
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(report, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
    for (const m of html.matchAll(/https?:\/\/[^\s"'<>]+/g)) assert.equal(m[0], 'http://www.w3.org/2000/svg');
    assert.match(html, /svg\.chart \{[^}]*width: 100%[^}]*height: auto/);
    assert.doesNotMatch(html, /[^-]width: *\d{3,}px/, 'no fixed widths in the CSS');

    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    assert.equal(svgs.length, 7, 'overview, level, close-up, two bar charts, two heatmaps');
    for (const svg of svgs) assert.doesNotMatch(/<svg [^>]*>/.exec(svg)?.[0] ?? '', / width=/);
    const [overview, , closeUp, fragZram, , heatBefore, heatAfter] = svgs;
    for (const phase of ['fill zram', 'fill store', 'churn', 'pressure', 'settle'])
      assert.match(overview, new RegExp(`class="band">${phase}<`), `phase ${phase} named`);
    const lines = [...overview.matchAll(/<polyline points="([^"]*)"/g)];
    assert.ok(
      lines.length >= 6 && lines.some((l) => l[1].split(' ').length >= 20),
      'lines sampled over the run',
    );
    assert.match(closeUp, /class="mark"[^>]*>budget lowered</);
    assert.match(closeUp, /class="mark"[^>]*>level critical</);
    assert.ok([...closeUp.matchAll(/<rect [^>]*fill="#d62728"/g)].length >= 1, 'a shrinker scan drawn');
    assert.ok([...fragZram.matchAll(/fill="#f59f00"/g)].length >= 1, 'freeable pages drawn');
    for (const heat of [heatBefore, heatAfter]) assert.match(heat, />zspages</, 'a colour scale');

    // Units people read; one meaning per arrow (only the before → after card has one).
    assert.doesNotMatch(html, /\d{6,} B\b/, 'no raw byte counts in prose');
    assert.doesNotMatch(html, /\d+\.\d{3} %/);
    assert.match(html, /budget: usage [\d.]+ [KM]iB is \d+ % of the [\d.]+ [KM]iB budget/);
    const arrows = [
      ...html.matchAll(/<div class="card"><div class="k">([^<]*)<\/div><div class="v">([^<]*)</g),
    ];
    assert.equal(arrows.length, 6);
    for (const [, k, v] of arrows) if (v.includes('→')) assert.match(k, /before → after/);
  });
});
