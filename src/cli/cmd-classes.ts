/**
 * `zsmalloc classes`: the size-class table of a profile and page size, as text or as JSON in the
 * shape of the kernel oracle's `classes.json`.
 */

import { getProfile } from '../pool/profiles.js';
import { buildClassTable } from '../pool/size-class.js';
import type { CommandContext } from './context.js';
import { table } from './format.js';
import { PROFILE_HELP, profileOptions, readProfile } from './options.js';

/** Help text of the command. */
export const classesHelp = `usage: zsmalloc classes [--profile P] [--page-size N] [--json]

Prints the size-class table: one row per real class (merged aliases listed), with slot size,
pages and objects per zspage, waste, and the request sizes that land in it.

${PROFILE_HELP}
  --json          the table as JSON, shaped like the kernel oracle's classes.json`;

/** Runs `zsmalloc classes`. */
export function runClasses(ctx: CommandContext): number {
  const args = ctx.parse({ ...profileOptions, json: { type: 'boolean', default: false } });
  const chosen = readProfile(ctx, args.values);
  const profile = getProfile(chosen.profile)!;
  const pageSize = chosen.pageSize;
  const t = buildClassTable(profile, pageSize);
  if (args.values.json) {
    ctx.out(
      JSON.stringify(
        {
          profile: profile.name,
          page_size: pageSize,
          zs_size_classes: t.zsSizeClasses,
          distinct_classes: t.classes.length,
          huge_class_size: t.hugeClassSize,
          max_pages_per_zspage: t.maxPagesPerZspage,
          fullness_names: profile.fullnessNames,
          classes: t.classes.map((c) => ({
            class: c.index,
            size: c.size,
            pages_per_zspage: c.pages_per_zspage,
            objs_per_zspage: c.objs_per_zspage,
            huge: c.huge,
            waste_per_zspage: c.waste_per_zspage,
            merged_indices: c.merged_indices,
            alloc_size_min: c.alloc_size_min,
            alloc_size_max: c.alloc_size_max,
          })),
          index_to_class: Array.from(t.indexToClass),
          size_to_class: Array.from(t.sizeToClass.subarray(1)),
        },
        null,
        1,
      ),
    );
    return 0;
  }
  ctx.out(
    `profile ${profile.name}, page size ${pageSize}: ${t.zsSizeClasses} logical classes, ${t.classes.length} distinct, ` +
      `at most ${t.maxPagesPerZspage} pages per zspage, huge_class_size ${t.hugeClassSize}`,
  );
  ctx.out(
    table(
      ['class', 'size', 'pages', 'objs', 'waste', 'huge', 'merged', 'requests'],
      t.classes.map((c) => [
        c.index,
        c.size,
        c.pages_per_zspage,
        c.objs_per_zspage,
        c.waste_per_zspage,
        c.huge ? 'Y' : '',
        c.merged_indices.length ? `${c.merged_indices[0]}..${c.index}` : '',
        `${c.alloc_size_min}..${c.alloc_size_max}`,
      ]),
    ),
  );
  return 0;
}
