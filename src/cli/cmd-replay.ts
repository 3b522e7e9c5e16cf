/**
 * `zsmalloc replay TRACE`: replays an allocation trace in the kernel oracle's format and prints a
 * summary per event, or with `--json` a result shaped exactly like the kernel's result files.
 */
import { PROFILE_NAMES, type ProfileName } from '../pool/profiles.js';
import { replayFile } from '../replay/replay-file.js';
import type { ReplayEvent, ReplayResult } from '../replay/replayer.js';
import { runZtraceReplay, wantsZtrace, ztraceHelp } from './cmd-replay-ztrace.js';
import type { CommandContext } from './context.js';
import { bytes, ms, table } from './format.js';
import { Progress } from './progress.js';

/** Help text of the command. */
export const replayHelp = `usage: zsmalloc replay TRACE [--profile P] [--page-size N] [--json] [--no-verify]

Replays TRACE (one command per line: a ID SIZE | f ID | c | s LABEL | d [LABEL] | p MB|auto [LABEL]
| # comment) against a fresh pool and prints every snapshot. Each object is filled with a pattern
that is checked before it is freed.

  --profile P     linux-6.1 | linux-6.12 | linux-4.3 | default  (default: linux-6.12)
  --page-size N   4096 | 16384 | 65536                          (default: 4096)
  --json          print the result as JSON, with the same structure and field names as the
                  real kernel's result files (compare with: node compare.mjs KERNEL.json OURS.json)
  --no-verify     skip the pattern writes and checks (faster)

A malformed line stops the replay with its line number and exit status 1.

${ztraceHelp}`;

/** Runs `zsmalloc replay`. */
export async function runReplay(ctx: CommandContext): Promise<number> {
  if (wantsZtrace(ctx.argv)) return runZtraceReplay(ctx);
  const args = ctx.parse(
    {
      profile: { type: 'string', default: 'linux-6.12' },
      'page-size': { type: 'string', default: '4096' },
      json: { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
    },
    true,
  );
  if (args.positionals.length !== 1) return ctx.usageError('expected exactly one TRACE file');
  const profile = String(args.values.profile);
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    return ctx.usageError(`unknown profile ${JSON.stringify(profile)} (one of ${PROFILE_NAMES.join(', ')})`);
  }
  const pageSize = ctx.intOption('page-size', String(args.values['page-size']));
  if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
    return ctx.usageError(`--page-size must be 4096, 16384 or 65536, got ${pageSize}`);
  }
  const json = Boolean(args.values.json);
  const progress = new Progress(ctx.tty && !json);
  const result = await replayFile(args.positionals[0], {
    profile: profile as ProfileName,
    pageSize,
    verify: !args.values['no-verify'],
    onProgress: (lines, read, total) =>
      progress.update('replay', total > 0 ? read / total : 0, `${lines.toLocaleString('en-US')} lines`),
  });
  progress.done();
  if (json) {
    ctx.out(JSON.stringify(result, null, 1));
  } else {
    printSummary(ctx, result);
  }
  return result.checks.mismatches > 0 ? 1 : 0;
}

function printSummary(ctx: CommandContext, r: ReplayResult): void {
  ctx.out(
    `replay ${r.trace}: profile ${r.profile}, page size ${r.page_size}, ${r.ops_in_trace.toLocaleString('en-US')} ops ` +
      `in ${ms(r.replay_ms)}; pattern mismatches ${r.checks.mismatches}, alloc failures ${r.checks.alloc_failures}`,
  );
  const rows = r.events.map((e) => eventRow(e));
  ctx.out(
    table(
      ['event', 'line', 'label', 'total_pages', 'pages_compacted', 'freeable', 'live_objects', 'committed'],
      rows,
    ),
  );
  ctx.out(
    `final: ${r.final.live_objects} live objects in ${r.final.total_pages} pages (${bytes(r.final.total_pages * r.page_size)}), ` +
      `${r.final.pages_compacted} pages compacted`,
  );
}

function eventRow(e: ReplayEvent): (string | number)[] {
  const label = e.label || (e.kind === 'c' ? '(compact)' : '');
  if (e.kind === 'c' && e.before && e.after) {
    return [
      'c',
      e.line,
      label,
      `${e.before.total_pages} -> ${e.after.total_pages}`,
      e.after.pages_compacted,
      `${e.before.freeable_total} -> ${e.after.freeable_total}`,
      e.after.live_objects,
      '',
    ];
  }
  const p = e.pool!;
  const total = e.before ? `${e.before.total_pages} -> ${p.total_pages}` : String(p.total_pages);
  const freeable = e.before ? `${e.before.freeable_total} -> ${p.freeable_total}` : String(p.freeable_total);
  return [e.kind, e.line, label, total, p.pages_compacted, freeable, p.live_objects, p.pages_committed];
}
