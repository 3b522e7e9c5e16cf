/**
 * `zsmalloc zram SOURCE…`: what zram would do with this memory. Reads the pages of files or of a
 * live process (`--pid`), writes them to a simulated zram device per algorithm × profile, and
 * prints `mm_stat` exactly as that kernel would show it, with the ratio, the memory saved,
 * same-filled and huge pages and what compaction would free; `--json` gives everything
 * (histograms, size classes), `--report` an HTML page with charts.
 */
import { writeFileSync } from 'node:fs';
import { getCodec } from '../codec/codec.js';
import { ZsError, ZsErrorCode } from '../errors.js';
import type { ProfileName } from '../pool/profiles.js';
import { type SimulationResult, simulateZram } from '../zram/node/simulate-run.js';
import { FilePageSource, type PageSourceInfo, ProcessPageSource } from '../zram/node/sources.js';
import { EXACT_ALGORITHMS } from '../zram/simulate.js';
import type { CommandContext } from './context.js';
import { bytes, table } from './format.js';
import { Progress } from './progress.js';
import { renderZramReport } from './zram-report.js';

/** Help text of the command. */
export const zramHelp = `usage: zsmalloc zram SOURCE... [--algorithm A,...] [--profile P,...] [--json] [--report FILE.html]

Simulates zram on real memory: every 4 KiB page of the sources is written to a zram device, as
the kernel would swap it, and mm_stat is printed exactly as that kernel would show it.

SOURCE is a file (a core dump, a memory image, any file; cut into pages, a short tail
zero-padded) or --pid PID: the private anonymous memory of a live process (its resident and
swapped pages, read through /proc/PID/maps, pagemap and mem; you need to be allowed to ptrace it).

  --algorithm A,...  lz4, lzo, lzo-rle (the kernel's exact output lengths), deflate, zstd
                     (node:zlib counterparts: estimates)                    (default: lz4)
  --profile P,...    linux-6.1, linux-6.12 (the kernel's pool and algorithm set), default
                                                                  (default: linux-6.1,linux-6.12)
  --pid PID          read a live process (repeatable)
  --json             everything as JSON (histograms of stored lengths, size classes)
  --report FILE      an HTML report with charts
  --no-workers       run the algorithms one after another on this thread

Algorithms run in parallel on worker threads. A profile that does not offer an algorithm (6.12
has no lzo) is reported, not simulated.`;

const PROFILES = ['linux-6.1', 'linux-6.12', 'default'];

/** Runs `zsmalloc zram`. */
export async function runZram(ctx: CommandContext): Promise<number> {
  const args = ctx.parse(
    {
      algorithm: { type: 'string', default: 'lz4' },
      profile: { type: 'string', default: 'linux-6.1,linux-6.12' },
      pid: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      'no-workers': { type: 'boolean', default: false },
    },
    true,
  );
  const algorithms = list(String(args.values.algorithm));
  const profiles = list(String(args.values.profile));
  if (algorithms.length === 0) return ctx.usageError('--algorithm needs at least one name');
  if (profiles.length === 0) return ctx.usageError('--profile needs at least one name');
  for (const p of profiles) {
    if (!PROFILES.includes(p))
      return ctx.usageError(`unknown profile ${JSON.stringify(p)} (one of ${PROFILES.join(', ')})`);
  }
  for (const a of algorithms) getCodec(a); // ERR_ZS_UNAVAILABLE: one line, exit 1
  const pidValues = (args.values.pid as unknown as string[] | undefined) ?? [];
  if (args.positionals.length === 0 && pidValues.length === 0) {
    return ctx.usageError('expected a file or --pid PID');
  }
  const sources: PageSourceInfo[] = [];
  for (const v of pidValues) {
    if (!/^\d+$/.test(v)) return ctx.usageError(`--pid must be a process ID, got ${JSON.stringify(v)}`);
    sources.push(new ProcessPageSource(Number(v)));
  }
  for (const f of args.positionals) sources.push(new FilePageSource(f));
  const total = sources.reduce((s, x) => s + x.pages, 0);
  if (total === 0) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `nothing to simulate: ${sources.map((s) => s.label).join(', ')} ${sources.length === 1 ? 'has' : 'have'} no pages`,
    );
  }
  const json = Boolean(args.values.json);
  const progress = new Progress(ctx.tty && !json);
  const result = await simulateZram({
    sources,
    algorithms,
    profiles: profiles as ProfileName[],
    workers: args.values['no-workers'] ? false : undefined,
    onProgress: (n, t) => progress.update('zram', t > 0 ? n / t : 0, `${n.toLocaleString('en-US')} pages`),
  });
  progress.done();
  if (result.pages === 0) {
    throw new ZsError(
      ZsErrorCode.IO,
      `nothing to simulate: no page of ${sources.map((s) => s.label).join(', ')} could be read`,
    );
  }
  if (typeof args.values.report === 'string') {
    const file = args.values.report;
    try {
      writeFileSync(file, renderZramReport(result));
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.IO,
        `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  if (json) ctx.out(JSON.stringify(result, null, 1));
  else printSummary(ctx, result);
  if (typeof args.values.report === 'string' && !json) ctx.out(`report: ${args.values.report}`);
  return 0;
}

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function printSummary(ctx: CommandContext, r: SimulationResult): void {
  for (const s of r.sources) {
    const skipped =
      s.skipped_regions > 0
        ? `; ${s.skipped_regions} unreadable regions (${s.skipped_pages} pages) skipped${s.exited ? ' (the process exited while being read)' : ''}`
        : '';
    ctx.out(`${s.label}: ${s.pages.toLocaleString('en-US')} pages (${bytes(s.pages * 4096)})${skipped}`);
  }
  const rows = r.reports.map((x) => [
    x.algorithm,
    x.profile,
    x.exact ? 'exact' : 'estimate',
    bytes(x.mm_stat.orig_data_size),
    bytes(x.mm_stat.compr_data_size),
    bytes(x.mm_stat.mem_used_total),
    Number.isFinite(x.ratio) ? `${x.ratio.toFixed(2)}x` : '-',
    bytes(x.saved_bytes),
    x.same_pages,
    x.huge_pages,
    x.compaction_frees,
  ]);
  ctx.out(
    table(
      [
        'algorithm',
        'profile',
        'engine',
        'orig_data',
        'compr_data',
        'mem_used',
        'ratio',
        'saved',
        'same',
        'huge',
        'compact frees',
      ],
      rows,
    ),
  );
  ctx.out(
    'mm_stat (orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted huge_pages huge_pages_since):',
  );
  for (const x of r.reports)
    ctx.out(`  ${x.algorithm.padEnd(8)} ${x.profile.padEnd(10)} ${x.mm_stat_raw.trimEnd()}`);
  for (const s of r.skipped) ctx.out(`not simulated: ${s.error}`);
  if (r.reports.some((x) => !x.exact)) {
    ctx.out(
      `estimates: only ${EXACT_ALGORITHMS.join(', ')} on linux-6.1/linux-6.12 reproduce the kernel's compressed lengths; ` +
        'other algorithms use node:zlib counterparts (different framing and parameters).',
    );
  }
}
