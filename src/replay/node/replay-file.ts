/**
 * replayFile: streams a trace file line by line into a {@link TraceReplayer} (Node only).
 *
 * Reads with `readline` so traces of millions of lines never sit in memory whole; a bad line
 * throws `ERR_ZS_BAD_TRACE` naming its line number; a missing file throws `ERR_ZS_IO`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { ZsError, ZsErrorCode } from '../../errors.js';
import { type ReplayOptions, type ReplayResult, TraceReplayer } from '../replayer.js';

/** Options of {@link replayFile}. */
export interface ReplayFileOptions extends ReplayOptions {
  /** Called every `progressEvery` lines with the lines read and bytes read so far. */
  onProgress?: (lines: number, bytes: number, totalBytes: number) => void;
  /** Lines between two `onProgress` calls (default 100000). */
  progressEvery?: number;
}

/** Replays the trace at `path`; resolves with the kernel-shaped result. */
export async function replayFile(path: string, options: ReplayFileOptions = {}): Promise<ReplayResult> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ZsError(ZsErrorCode.IO, `${path}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof ZsError) throw e;
    throw new ZsError(ZsErrorCode.IO, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
  const replayer = new TraceReplayer({
    ...options,
    trace: options.trace ?? basename(path).replace(/\.trace$/, ''),
  });
  const input = createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const every = options.progressEvery ?? 100000;
  try {
    for await (const line of rl) {
      replayer.line(line);
      if (options.onProgress && replayer.linesRead % every === 0) {
        options.onProgress(replayer.linesRead, input.bytesRead, size);
      }
    }
  } catch (e) {
    rl.close();
    input.destroy();
    replayer.pool.destroy();
    throw e;
  }
  options.onProgress?.(replayer.linesRead, size, size);
  return replayer.finish();
}
