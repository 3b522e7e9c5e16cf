/**
 * Store benchmark: ZStore against `Map<number, Uint8Array>` (the baseline of every
 * ratio) and `lru-cache`, 1M entries (quick: 100k), each contender in a child process of its own
 * so that RSS is its own. Data no one here wrote: the files of this Node.js installation, cut
 * into slices of uniform 1–4 KiB (compressible); random bytes for the `none` codec rows; 8-byte
 * values for the per-entry overhead. See `store-child.ts` for what each child does.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchRow, fmt } from './harness.js';
import type { BenchOptions } from './pool-bench.js';
import type { FillResult, TinyResult } from './store-child.js';

const MiB = 2 ** 20;

function runChild<T>(args: string[]): T {
  const child = fileURLToPath(new URL('./store-child.js', import.meta.url)).replace(
    /\.js$/,
    import.meta.url.endsWith('.ts') ? '.ts' : '.js',
  );
  const nodeArgs = ['--expose-gc', ...(child.endsWith('.ts') ? ['--import', 'tsx'] : [])];
  const p = spawnSync(process.execPath, [...nodeArgs, child, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (p.status !== 0) throw new Error(`store child ${args.join(' ')} failed (${p.status}): ${p.stderr}`);
  const lines = p.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** RSS growth per payload byte. */
const perByte = (r: FillResult) => (r.rss1 - r.rss0) / r.payloadBytes;
/** RSS the delete + reclaim gave back, as a share of what the deleted half had added. */
const returned = (r: FillResult) =>
  (100 * (r.rss2 - r.rss3)) / ((r.rss1 - r.rss0) * (r.deletedBytes / r.payloadBytes));

interface Contender {
  key: string;
  label: string;
  /** Target on the RSS-per-byte ratio to Map, if any. */
  rssRatioTarget?: number;
  /** Absolute target on RSS per payload byte, if any. */
  rssAbsTarget?: number;
}

function fillRows(
  o: BenchOptions,
  n: number,
  data: 'node' | 'random',
  contenders: Contender[],
  title: string,
): BenchRow[] {
  const res: FillResult[] = [];
  for (const c of contenders) {
    o.log(`store: ${c.label}, ${data} data, ${n.toLocaleString('en-US')} entries`);
    res.push(runChild<FillResult>(['fill', c.key, data, String(n)]));
  }
  const map = res[0];
  const ran = res.map((r, i) => [r, contenders[i]] as const).filter(([r]) => r.skipped === undefined);
  const rows: BenchRow[] = [];
  const src =
    data === 'node'
      ? `${map.corpusFiles} files of the Node.js installation, ${(map.corpusBytes / MiB).toFixed(0)} MiB`
      : `random bytes, ${(map.corpusBytes / MiB).toFixed(0)} MiB`;
  rows.push({
    name: `${title}: ${n.toLocaleString('en-US')} values of 1–4 KiB (uniform) cut from ${src}; ${(map.payloadBytes / MiB).toFixed(0)} MiB of payload`,
    value: Number.NaN,
    unit: '',
  });
  for (const [r, c] of res.map((r, i) => [r, contenders[i]] as const)) {
    if (r.skipped !== undefined)
      rows.push({ name: `  ${c.label}: skipped, ${r.skipped}`, value: Number.NaN, unit: '' });
  }
  const mapPer = perByte(map);
  for (const [r, c] of ran) {
    const ratio = perByte(r) / mapPer;
    let target: string | undefined;
    let met: boolean | undefined;
    if (c.rssRatioTarget !== undefined) {
      target = `≤ ${c.rssRatioTarget}×`;
      met = ratio <= c.rssRatioTarget;
    } else if (c.rssAbsTarget !== undefined) {
      target = `≤ ${c.rssAbsTarget} B/B`;
      met = perByte(r) <= c.rssAbsTarget;
    }
    rows.push({
      name: `  RSS per payload byte (after fill − before): ${c.label}`,
      value: perByte(r),
      unit: 'B/B',
      ratio,
      baseline: 'Map, same run',
      target,
      met,
    });
  }
  for (const [r, c] of ran) {
    if (r.stats === undefined) continue;
    rows.push({
      name: `    ${c.label}: pool ${(r.stats.pool_bytes / MiB).toFixed(0)} MiB for ${(r.stats.stored_bytes / MiB).toFixed(0)} MiB stored (ratio ${r.stats.ratio.toFixed(2)}, ${((100 * r.stats.compressed_entries) / r.n).toFixed(0)}% compressed); metadata per entry`,
      value: r.stats.metadata_bytes / r.n,
      unit: 'B/entry',
    });
  }
  for (const [r, c] of ran) {
    rows.push({
      name: `  set/s (median of 100 batches, while filling): ${c.label}`,
      value: r.setPerSec,
      unit: 'set/s',
      ratio: r.setPerSec / map.setPerSec,
      baseline: 'Map, same run',
    });
  }
  for (const [r, c] of ran) {
    rows.push({
      name: `  get/s (random keys, median of 100 batches): ${c.label}`,
      value: r.getPerSec,
      unit: 'get/s',
      ratio: r.getPerSec / map.getPerSec,
      baseline: 'Map, same run',
    });
  }
  const zstoreGc = n >= 1_000_000;
  for (const [r, c] of ran) {
    const isZ = c.key.startsWith('zstore');
    rows.push({
      name: `  full-GC pause, gc() median of 5: ${c.label}`,
      value: r.gcMs,
      unit: 'ms',
      ratio: r.gcMs / map.gcMs,
      baseline: 'Map, same run',
      target: isZ ? `≤ 10 ms${zstoreGc ? '' : ' (at 1M)'}` : undefined,
      met: isZ ? r.gcMs <= 10 : undefined,
    });
  }
  for (const [r, c] of ran) {
    const isZ = c.key.startsWith('zstore');
    const how = isZ ? `registry.shrinkAll() ${fmt(r.reclaimMs)} ms` : `gc() ${fmt(r.reclaimMs)} ms`;
    rows.push({
      name: `  delete a random half, one reclaim pass (${how}): RSS returned, % of the half's: ${c.label}`,
      value: returned(r),
      unit: '%',
      baseline: `Map ${fmt(returned(map))}%`,
      target: isZ ? '≥ 80%' : undefined,
      met: isZ ? returned(r) >= 80 : undefined,
    });
  }
  return rows;
}

function tinyRows(o: BenchOptions, n: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const run = (c: string, k: string) => {
    o.log(`store: ${c}, ${n.toLocaleString('en-US')} 8-byte values, ${k} keys`);
    return runChild<TinyResult>(['tiny', c, k, String(n)]);
  };
  const perEntry = (r: TinyResult) => (r.rss1 - r.rss0) / r.n;
  rows.push({
    name: `per-entry overhead: ${n.toLocaleString('en-US')} values of 8 bytes (number keys 0..n−1, string keys "k:<i>")`,
    value: Number.NaN,
    unit: '',
  });
  for (const k of ['num', 'str']) {
    const label = k === 'num' ? 'number keys' : 'string keys';
    const m = run('map', k);
    const z = run('zstore', k);
    rows.push({
      name: `  ZStore metadata, stats().metadata_bytes / entries (${label})`,
      value: (z.metadataBytes ?? 0) / z.n,
      unit: 'B/entry',
    });
    rows.push({
      name: `  RSS per entry (${label}): Map`,
      value: perEntry(m),
      unit: 'B/entry',
      ratio: 1,
      baseline: `Map, ${label}`,
    });
    rows.push({
      name: `  RSS per entry (${label}): ZStore (pool ${fmt((z.poolBytes ?? 0) / z.n)} B/entry of it)`,
      value: perEntry(z),
      unit: 'B/entry',
      ratio: perEntry(z) / perEntry(m),
      baseline: `Map, ${label}`,
    });
    rows.push({
      name: `  full-GC pause (${label}): Map ${fmt(m.gcMs)} ms; ZStore`,
      value: z.gcMs,
      unit: 'ms',
      ratio: z.gcMs / m.gcMs,
      baseline: `Map, ${label}`,
    });
  }
  return rows;
}

/** Runs the store benchmark. */
export function benchStore(o: BenchOptions): BenchRow[] {
  const n = o.quick ? 100_000 : 1_000_000;
  const rows: BenchRow[] = [];
  rows.push(
    ...fillRows(
      o,
      n,
      'node',
      [
        { key: 'map', label: 'Map<number, Uint8Array>' },
        { key: 'lru-cache', label: 'lru-cache' },
        { key: 'zstore', label: 'ZStore (lz4)', rssRatioTarget: 0.6 },
      ],
      'compressible',
    ),
  );
  rows.push(
    ...fillRows(
      o,
      n,
      'random',
      [
        { key: 'map', label: 'Map<number, Uint8Array>' },
        { key: 'zstore-none', label: 'ZStore (codec none)', rssAbsTarget: 1.03 },
      ],
      'incompressible',
    ),
  );
  rows.push(...tinyRows(o, n));
  return rows;
}
