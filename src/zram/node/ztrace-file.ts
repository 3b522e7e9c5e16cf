/**
 * replayZtraceFile: replays a `.ztrace` file with its page data files (Node only).
 *
 * `D FILE` names a file in the data folder: `--data DIR` (FILE in DIR, or in DIR/zdata), or by
 * default the `zdata/` folder beside the trace's folder, as the oracle lays them out. Pages are
 * read with one positioned read each; the trace is streamed line by line.
 */
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Codec } from '../../codec/codec.js';
import { ZsError, ZsErrorCode } from '../../errors.js';
import type { ProfileName } from '../../pool/profiles.js';
import { regularFileSize } from '../../util/node/regular-file.js';
import { type ZtracePageSource, ZtraceReplayer, type ZtraceResult } from '../ztrace.js';

/** Options of {@link replayZtraceFile}. */
export interface ZtraceFileOptions {
  /** Pool profile (default `linux-6.12`). */
  profile?: ProfileName;
  /** Folder of the page data files (default: `zdata/` beside the trace's folder). */
  dataDir?: string;
  /** The codec for an algorithm name (default: the registered codec of that name). */
  codec?: (alg: string) => Codec;
  /** Called every 10,000 lines with the bytes of the trace read and its size. */
  onProgress?: (bytes: number, totalBytes: number) => void;
}

/** A data file opened for positioned page reads. */
class FilePages implements ZtracePageSource {
  readonly pages: number;
  private readonly fd: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
      this.pages = Math.floor(fstatSync(this.fd).size / 4096);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.IO,
        `${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }

  read(page: number, out: Uint8Array): void {
    const n = readSync(this.fd, out, 0, 4096, page * 4096);
    if (n !== 4096) throw new ZsError(ZsErrorCode.IO, `${this.path}: short read of page ${page}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Where `D FILE` is looked for. */
function dataPath(trace: string, dataDir: string | undefined, file: string): string {
  if (file.includes('/') || file.includes('\\') || file === '..') {
    throw new ZsError(ZsErrorCode.BAD_TRACE, `data file ${JSON.stringify(file)} must be a plain file name`);
  }
  if (dataDir !== undefined) {
    const direct = join(dataDir, file);
    if (existsSync(direct)) return direct;
    return join(dataDir, 'zdata', file);
  }
  return join(dirname(trace), '..', 'zdata', file);
}

/** Replays the ztrace at `path`; resolves with the kernel-shaped result. */
export async function replayZtraceFile(path: string, options: ZtraceFileOptions = {}): Promise<ZtraceResult> {
  const size = await regularFileSize(path);
  const opened: FilePages[] = [];
  const replayer = new ZtraceReplayer({
    profile: options.profile,
    codec: options.codec,
    trace: basename(path).replace(/\.ztrace$/, ''),
    open: (file) => {
      const p = new FilePages(dataPath(path, options.dataDir, file));
      opened.push(p);
      return p;
    },
  });
  const input = createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) {
      replayer.line(line);
      if (options.onProgress && replayer.linesRead % 10000 === 0) options.onProgress(input.bytesRead, size);
    }
    options.onProgress?.(size, size);
    return replayer.finish();
  } catch (e) {
    replayer.abort();
    throw e;
  } finally {
    rl.close();
    input.destroy();
    for (const p of opened) p.close();
  }
}

/** True when `path` looks like a ztrace: a `.ztrace` name, or a first command `D` or `z`. */
export function isZtrace(path: string, head: string): boolean {
  if (path.endsWith('.ztrace')) return true;
  for (const line of head.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    return /^(D|z)\s/.test(t);
  }
  return false;
}
