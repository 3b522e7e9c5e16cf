/**
 * Options shared by several commands (`--profile`, `--page-size`): one default, one check and one
 * line of help each, so every command reads and explains them the same way.
 */
import { PROFILE_NAMES, type ProfileName } from '../pool/profiles.js';
import { type CommandContext, quote } from './context.js';

/**
 * The profile every command uses when none is given: `default`, the one `createPool()` and the
 * library use (Linux 6.12 algorithms with a longer zspage chain), so that what the CLI shows is
 * what an application gets. Pass `--profile linux-6.12` (or another kernel) to mirror a kernel.
 */
export const DEFAULT_PROFILE: ProfileName = 'default';

/** Page sizes the size-class tables are defined for. */
export const PAGE_SIZES = ['4096', '16384', '65536'] as const;

/** Help lines of `--profile` and `--page-size`. */
export const PROFILE_HELP = `  --profile P     ${PROFILE_NAMES.join(' | ')}  (default: ${DEFAULT_PROFILE}, what createPool()
                  uses; a linux-* profile mirrors that kernel's zsmalloc)
  --page-size N   ${PAGE_SIZES.join(' | ')}  (default: 4096)`;

/** The `parseArgs` entries of `--profile` and `--page-size`. */
export const profileOptions = {
  profile: { type: 'string', default: DEFAULT_PROFILE },
  'page-size': { type: 'string', default: '4096' },
} as const;

/** Reads `--profile` and `--page-size` from parsed values; a bad value is a usage error. */
export function readProfile(
  ctx: CommandContext,
  values: Record<string, string | boolean | undefined>,
): { profile: ProfileName; pageSize: number } {
  const profile = ctx.choice('profile', String(values.profile), PROFILE_NAMES);
  const ps = String(values['page-size']);
  if (!(PAGE_SIZES as readonly string[]).includes(ps))
    ctx.usageError(`--page-size must be 4096, 16384 or 65536, got ${quote(ps)}`);
  const pageSize = Number(ps);
  return { profile, pageSize };
}
