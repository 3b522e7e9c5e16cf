/**
 * replayFile: streams a trace file line by line into a {@link TraceReplayer} (Node only).
 *
 * Reads with `readline` so traces of millions of lines never sit in memory whole; a bad line
 * throws `ERR_ZS_BAD_TRACE` naming its line number; a missing file throws `ERR_ZS_IO`.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { show, ZsError, ZsErrorCode } from '../../errors.js';
import { regularFileSize } from '../../util/node/regular-file.js';
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
  if (typeof path !== 'string' || path === '') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `replayFile: path must be a non-empty string, got ${show(path)}`,
    );
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `replayFile: options must be an object, got ${show(options)}`,
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `replayFile: onProgress must be a function, got ${show(options.onProgress)}`,
    );
  }
  const every = options.progressEvery === undefined ? 100000 : options.progressEvery;
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `replayFile: progressEvery must be an integer >= 1, got ${show(every)}`,
    );
  }
  const size = await regularFileSize(path);
  const replayer = new TraceReplayer({
    ...options,
    trace: options.trace ?? basename(path).replace(/\.trace$/, ''),
  });
  const input = createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
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
