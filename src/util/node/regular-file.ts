/**
 * The size of a file that must be a regular file, for the readers of trace files: a missing,
 * unreadable or special file is one `ERR_ZS_IO` naming the path and the reason (Node only).
 */
import { stat } from 'node:fs/promises';
import { ZsError, ZsErrorCode } from '../../errors.js';

/** Resolves with the size of the regular file at `path`; rejects with `ERR_ZS_IO` otherwise. */
export async function regularFileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ZsError(ZsErrorCode.IO, `${path}: not a regular file`);
    return st.size;
  } catch (e) {
    if (e instanceof ZsError) throw e;
    throw new ZsError(ZsErrorCode.IO, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
}
