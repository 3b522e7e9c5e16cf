/**
 * `zsmalloc replay TRACE.ztrace`: replays a zram trace (the real-kernel zram oracle's format) on a
 * ZramDevice with a kernel profile's pool and prints each event's mm_stat, or with `--json` a
 * result shaped exactly like the kernel's result files. `zsmalloc replay` dispatches here when
 * the trace is a ztrace (by extension or first command).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ProfileName } from '../pool/profiles.js';
import { isZtrace, replayZtraceFile } from '../zram/node/ztrace-file.js';
import type { ZtraceResult } from '../zram/ztrace.js';
import type { CommandContext } from './context.js';
import { bytes, table } from './format.js';
import { Progress } from './progress.js';

/** Help text for ztrace replays (appended to `zsmalloc replay --help`). */
export const ztraceHelp = `usage: zsmalloc replay TRACE.ztrace [--data DIR] [--profile linux-6.1|linux-6.12] [--json]

Replays a zram trace (D FILE | z ALG DISKSIZE [LIMIT] | w IDX PAGE | t IDX N | r IDX PAGE|- | c
| s LABEL | L on|off) on a zram device with the profile's pool and compressors, exactly as that
kernel's zram would, and prints mm_stat at every event.

  --data DIR      folder of the page data files (default: zdata/ beside the trace's folder)
  --profile P     linux-6.1 | linux-6.12 | default                (default: linux-6.12)
  --json          the result with the same structure and field names as the real kernel's
                  result files (compare with: node compare-zram.mjs KERNEL.json OURS.json)

An algorithm the kernel does not offer (6.12 has no lzo/lzo-rle) is reported as EINVAL (22) and
the commands up to the next z are skipped, as on the real kernel.`;

/** True when the positional arguments name a ztrace (by extension or content). */
export function wantsZtrace(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    if (a.endsWith('.ztrace')) return true;
    let head = '';
    try {
      const fd = openSync(a, 'r');
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
      head = buf.subarray(0, n).toString('latin1');
    } catch {
      continue;
    }
    if (isZtrace(a, head)) return true;
  }
  return false;
}

/** Runs `zsmalloc replay` on a ztrace. */
export async function runZtraceReplay(ctx: CommandContext): Promise<number> {
  const args = ctx.parse(
    {
      profile: { type: 'string', default: 'linux-6.12' },
      data: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (args.positionals.length !== 1) return ctx.usageError('expected exactly one TRACE file');
  const profile = String(args.values.profile);
  if (profile !== 'linux-6.1' && profile !== 'linux-6.12' && profile !== 'default') {
    return ctx.usageError(
      `--profile for a ztrace must be linux-6.1, linux-6.12 or default, got ${JSON.stringify(profile)}`,
    );
  }
  const json = Boolean(args.values.json);
  const progress = new Progress(ctx.tty && !json);
  const result = await replayZtraceFile(args.positionals[0], {
    profile: profile as ProfileName,
    dataDir: args.values.data === undefined ? undefined : String(args.values.data),
    onProgress: (read, total) => progress.update('replay', total > 0 ? read / total : 0),
  });
  progress.done();
  if (json) ctx.out(JSON.stringify(result, null, 1));
  else printSummary(ctx, result);
  return result.read_mismatches > 0 ? 1 : 0;
}

function printSummary(ctx: CommandContext, r: ZtraceResult): void {
  const c = r.counts;
  ctx.out(
    `replay ${r.trace}: profile ${r.profile}; ${c.writes} writes (${c.write_errors} refused), ${c.discards} discards, ` +
      `${c.reads} reads, ${r.read_mismatches} read mismatches${c.skipped_cmds ? `, ${c.skipped_cmds} commands skipped` : ''}`,
  );
  const rows = r.events.map((e) => {
    const m = e.mm_stat;
    const label =
      e.kind === 'z'
        ? `${e.alg} ${e.disksize}${e.mem_limit_arg ? ` limit ${e.mem_limit_arg}` : ''}`
        : e.label;
    if (!m) return [e.kind, e.line, label, `skipped (errno ${e.alg_errno})`, '', '', '', '', '', ''];
    return [
      e.kind,
      e.line,
      label,
      bytes(m.orig_data_size),
      bytes(m.compr_data_size),
      bytes(m.mem_used_total),
      bytes(m.mem_used_max),
      m.same_pages,
      m.huge_pages,
      m.pages_compacted,
    ];
  });
  ctx.out(
    table(
      [
        'event',
        'line',
        'label',
        'orig_data',
        'compr_data',
        'mem_used',
        'mem_used_max',
        'same',
        'huge',
        'compacted',
      ],
      rows,
    ),
  );
}
