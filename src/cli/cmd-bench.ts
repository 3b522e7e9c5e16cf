/**
 * `zsmalloc bench`: runs the benchmark suites and prints every figure with the baseline it was
 * measured against in the same run (or as JSON).
 */
import { benchCodecs } from '../bench/codec-bench.js';
import { benchCompaction } from '../bench/compaction-bench.js';
import { type BenchRow, fmt } from '../bench/harness.js';
import { type BenchOptions, benchCopy, benchMallocFree, benchReplay } from '../bench/pool-bench.js';
import { benchPressureCrossing, benchPressurePolls } from '../bench/pressure-bench.js';
import { benchScaling } from '../bench/scaling-bench.js';
import { benchStore } from '../bench/store-bench.js';
import type { CommandContext } from './context.js';
import { table } from './format.js';

type Suite = (o: BenchOptions) => BenchRow[] | Promise<BenchRow[]>;

const SUITES: Record<string, Suite> = {
  pool: benchMallocFree,
  copy: benchCopy,
  replay: benchReplay,
  compaction: benchCompaction,
  pressure: (o) => [...benchPressurePolls(o), ...benchPressureCrossing(o)],
  codecs: benchCodecs,
  store: benchStore,
  scaling: benchScaling,
};

/** Help text of the command. */
export const benchHelp = `usage: zsmalloc bench [--quick] [--only SUITES] [--json]

Runs the benchmarks and prints each result with a ratio to a baseline measured in the same run.

  --quick        small sizes, few runs (seconds instead of minutes)
  --only SUITES  comma-separated, from: ${Object.keys(SUITES).join(',')}
                 (default: all)
  --json         print the rows as JSON`;

/** The suites `--only` names: each one known, at least one, none twice. */
function suiteList(ctx: CommandContext, only: string): string[] {
  const valid = Object.keys(SUITES);
  const names = only.split(',').map((n) => n.trim());
  if (names.every((n) => n === ''))
    ctx.usageError(`--only needs at least one suite (valid suites: ${valid.join(', ')})`);
  for (const n of names) ctx.choice('suite', n, valid);
  return [...new Set(names)];
}

/** Runs `zsmalloc bench`. */
export async function runBench(ctx: CommandContext): Promise<number> {
  const args = ctx.parse({
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const names =
    args.values.only === undefined ? Object.keys(SUITES) : suiteList(ctx, String(args.values.only));
  const json = Boolean(args.values.json);
  const opts: BenchOptions = {
    quick: Boolean(args.values.quick),
    log: (s) => ctx.err(`  … ${s}`),
    notes: [],
  };
  const all: (BenchRow & { suite: string })[] = [];
  if (!json)
    ctx.out(
      `zsmalloc bench on Node ${process.version}, ${process.platform}/${process.arch}${opts.quick ? ' (quick)' : ''}`,
    );
  for (const n of names) {
    opts.notes.length = 0;
    const rows = await SUITES[n](opts);
    for (const r of rows) all.push({ suite: n, ...r });
    if (!json && rows.length) {
      ctx.out(`\n## ${n}`);
      ctx.out(
        table(
          ['measure', 'value', 'unit', 'vs baseline', 'baseline (same run)', 'target', 'met'],
          rows.map((r) => [
            r.name,
            Number.isNaN(r.value) ? '' : fmt(r.value),
            r.unit,
            r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
            r.baseline ?? '',
            r.target ?? '',
            r.met === undefined ? '' : r.met ? 'yes' : 'NO',
          ]),
        ),
      );
      if (opts.notes.length) ctx.out(`\n${opts.notes.join('\n')}`);
    }
  }
  if (json) ctx.out(JSON.stringify({ node: process.version, quick: opts.quick, rows: all }, null, 1));
  return 0;
}
