/**
 * The Node.js file reader behind the Linux pressure sources: one synchronous read of a small
 * `/proc` or `/sys/fs/cgroup` file (these files are generated on read; a read costs microseconds).
 */
import { readFileSync } from 'node:fs';
import type { ReadFile } from '../source.js';

/**
 * Reads a whole text file; `null` when it does not exist (ENOENT, ENOTDIR). Any other failure
 * (EACCES, EOPNOTSUPP from `/proc/pressure/*` on a kernel booted with `psi=0`, EIO) is thrown,
 * and the sources turn it into a reason.
 */
export const readProcFile: ReadFile = (path: string): string | null => {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
};
