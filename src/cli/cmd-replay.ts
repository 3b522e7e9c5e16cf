/**
 * `zsmalloc replay TRACE`: replays an allocation trace in the kernel oracle's format and prints a
 * summary per event, or with `--json` a result shaped exactly like the kernel's result files.
 */
import { type Stats, statSync } from 'node:fs';
import { fsReason } from '../demo/data.js';
import type { ProfileName } from '../pool/profiles.js';
import { replayFile } from '../replay/node/replay-file.js';
import type { ReplayEvent, ReplayResult } from '../replay/replayer.js';
import { runZtraceReplay, wantsZtrace, ztraceHelp } from './cmd-replay-ztrace.js';
import { type CommandContext, quote } from './context.js';
import { bytes, ms, table } from './format.js';
import { PROFILE_HELP, profileOptions, readProfile } from './options.js';
import { Progress } from './progress.js';

/** Help text of the command. */
export const replayHelp = `usage: zsmalloc replay TRACE [--profile P] [--page-size N] [--json] [--no-verify]

Replays TRACE (one command per line: a ID SIZE | f ID | c | s LABEL | d [LABEL] | p MB|auto [LABEL]
| # comment) against a fresh pool and prints every snapshot. Each object is filled with a pattern
that is checked before it is freed.

${PROFILE_HELP}
  --json          print the result as JSON, with the same structure and field names as the
                  real kernel's result files (compare with: node compare.mjs KERNEL.json OURS.json;
                  pass the kernel's --profile, e.g. linux-6.12)
  --no-verify     skip the pattern writes and checks (faster)

Exit status 1 for a missing file, a malformed line (named by its number) or a pattern mismatch.

${ztraceHelp}`;

/** What a replay of one input format needs: the validated options and where to write. */
export interface ReplayInput {
  /** The trace file. */
  path: string;
  /** Profile and page size. */
  profile: ProfileName;
  /** Page size, bytes. */
  pageSize: number;
  /** Print JSON instead of text. */
  json: boolean;
  /** Write and check a pattern in every object. */
  verify: boolean;
}

/**
 * An input format of `replay`: which files it takes and how it replays and prints them; resolves
 * with the exit status. Formats are tried in order; the last one takes any file.
 */
interface ReplayFormat {
  /** True when this format reads `path`. */
  accepts: (path: string) => boolean;
  /** Replays the file and prints the result. */
  run: (ctx: CommandContext, input: ReplayInput) => Promise<number>;
}

const FORMATS: ReplayFormat[] = [{ accepts: () => true, run: replayAllocTrace }];

/** Runs `zsmalloc replay`. */
export async function runReplay(ctx: CommandContext): Promise<number> {
  // A zram trace (.ztrace, or a first command D/z) has its own options (--data): see cmd-replay-ztrace.
  if (wantsZtrace(ctx.argv)) return runZtraceReplay(ctx);
  const args = ctx.parse(
    {
      ...profileOptions,
      json: { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
    },
    true,
  );
  if (args.positionals.length !== 1)
    return ctx.usageError(
      `expected one TRACE file, got ${args.positionals.length === 0 ? 'none' : args.positionals.map(quote).join(' ')}`,
    );
  const { profile, pageSize } = readProfile(ctx, args.values);
  const path = args.positionals[0];
  checkFile(ctx, path);
  const input: ReplayInput = {
    path,
    profile,
    pageSize,
    json: Boolean(args.values.json),
    verify: !args.values['no-verify'],
  };
  const format = FORMATS.find((f) => f.accepts(path)) ?? FORMATS[FORMATS.length - 1];
  return format.run(ctx, input);
}

/** A readable regular file, or a runtime error saying what is wrong with it. */
function checkFile(ctx: CommandContext, path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    ctx.fail(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${fsReason(e)}`);
  }
  if (!st.isFile()) ctx.fail(`not a regular file: ${path}`);
}

/** The kernel oracle's allocation trace (`a`/`f`/`c`/`s`/`d`/`p` lines). */
async function replayAllocTrace(ctx: CommandContext, input: ReplayInput): Promise<number> {
  const progress = new Progress(ctx.tty && !input.json, ctx.errRaw);
  let result: ReplayResult;
  try {
    result = await replayFile(input.path, {
      profile: input.profile,
      pageSize: input.pageSize,
      verify: input.verify,
      onProgress: (lines, read, total) =>
        progress.update('replay', total > 0 ? read / total : 0, `${lines.toLocaleString('en-US')} lines`),
    });
  } finally {
    progress.done();
  }
  if (input.json) {
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
