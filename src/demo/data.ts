/**
 * Demo data: real files found on the machine, cut into pages and blocks.
 *
 * By default the demo feeds on the Node.js installation that runs it: the `node` binary
 * (`process.execPath`) first, then the regular files under the installation prefix's
 * `lib/node_modules`, `include` and `share`, walked in sorted order (so two runs on one machine
 * use the same bytes) until the wanted amount is found. `--data DIR` walks the user's directory
 * instead. Symbolic links, special files and empty files are skipped; a file that cannot be read
 * is skipped when it is met.
 *
 * The data is a list of {@link Extent}s (a byte range of one file). {@link splitData} gives the
 * first part to the zram device and the rest to the store; {@link readBlocks} reads extents
 * through one reusable buffer, so reading adds nothing to the process's memory that the demo
 * would then mistake for the allocator's.
 */
import {
  accessSync,
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** A byte range of one file. */
export interface Extent {
  /** Absolute path of the file. */
  path: string;
  /** First byte used. */
  offset: number;
  /** Bytes used from `offset`. */
  length: number;
  /** Size of the whole file when it was found. */
  fileSize: number;
}

/** The data found for a run. */
export interface DataSet {
  /** Where it came from: `node` (the Node.js installation) or `dir` (`--data DIR`). */
  source: 'node' | 'dir';
  /** The roots walked, in order (for `node`: the binary, then the directories present). */
  roots: string[];
  /** The extents, in walk order. */
  extents: Extent[];
  /** Σ extent lengths. */
  bytes: number;
  /** Distinct files. */
  files: number;
}

/** Thrown for data the demo cannot use (missing or empty `--data` directory); one-line message. */
export class DataError extends Error {}

/** Options of {@link findData}. */
export interface FindDataOptions {
  /** Walk this directory instead of the Node.js installation. */
  dir?: string;
  /** Stop once this many bytes are found (the last file is cut). */
  maxBytes: number;
  /** Fewest bytes the run needs; less is a {@link DataError}. */
  minBytes: number;
  /** The `node` binary (default `process.execPath`). */
  execPath?: string;
  /** Most bytes taken from the `node` binary (default `maxBytes`), so the directories get the rest. */
  binaryMaxBytes?: number;
}

/** Most files one walk lists (a directory of millions of tiny files stops here). */
const MAX_FILES = 200_000;

/** Finds the data for a run; throws {@link DataError} when there is not enough. */
export function findData(options: FindDataOptions): DataSet {
  const acc: Extent[] = [];
  let bytes = 0;
  const want = options.maxBytes;
  const add = (path: string, size: number, cap = size): boolean => {
    if (bytes >= want || acc.length >= MAX_FILES) return false;
    const length = Math.min(size, cap, want - bytes);
    acc.push({ path, offset: 0, length, fileSize: size });
    bytes += length;
    return bytes < want && acc.length < MAX_FILES;
  };
  let roots: string[];
  if (options.dir !== undefined) {
    const dir = options.dir;
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (e) {
      throw new DataError(`--data ${dir}: ${fsReason(e)}`);
    }
    if (!st.isDirectory()) throw new DataError(`--data ${dir}: not a directory`);
    roots = [dir];
    walk(dir, add);
    if (acc.length === 0) throw new DataError(`--data ${dir}: no readable, non-empty regular files in it`);
  } else {
    const exe = realpath(options.execPath ?? process.execPath);
    const prefix = dirname(dirname(exe));
    roots = [exe];
    const st = safeLstat(exe);
    if (st?.isFile() && st.size > 0) add(exe, st.size, options.binaryMaxBytes ?? want);
    for (const sub of ['lib/node_modules', 'include', 'share']) {
      const d = join(prefix, sub);
      if (!safeLstat(d)?.isDirectory()) continue;
      roots.push(d);
      if (!walk(d, add)) break;
    }
  }
  if (bytes < options.minBytes) {
    const where =
      options.dir !== undefined ? `--data ${options.dir}` : `the Node.js installation (${roots[0]})`;
    throw new DataError(
      `${where}: only ${bytes} bytes of readable data; the demo needs at least ${options.minBytes}`,
    );
  }
  return {
    source: options.dir !== undefined ? 'dir' : 'node',
    roots,
    extents: acc,
    bytes,
    files: acc.length,
  };
}

/**
 * Splits `data` in two: the first `firstBytes` (rounded down to whole pages of each file, so a
 * cut file continues at a page boundary) and the rest.
 */
export function splitData(data: DataSet, firstBytes: number, pageSize: number): [Extent[], Extent[]] {
  const a: Extent[] = [];
  const b: Extent[] = [];
  let left = firstBytes;
  for (const x of data.extents) {
    if (left <= 0) {
      b.push(x);
      continue;
    }
    const pagesLen = Math.ceil(x.length / pageSize) * pageSize;
    if (pagesLen <= left) {
      a.push(x);
      left -= pagesLen;
      continue;
    }
    const take = Math.floor(left / pageSize) * pageSize;
    if (take > 0) a.push({ ...x, length: take });
    b.push({ ...x, offset: x.offset + take, length: x.length - take });
    left = 0;
  }
  return [a, b];
}

/** Pages of `pageSize` the extents fill (each file starts on a new page, as in a page cache). */
export function pageCount(extents: readonly Extent[], pageSize: number): number {
  let n = 0;
  for (const x of extents) n += Math.ceil(x.length / pageSize);
  return n;
}

/** One block read by {@link readBlocks}. */
export interface Block {
  /** The extent it belongs to. */
  extent: Extent;
  /** Offset in the file of the block's first byte. */
  offset: number;
  /** The bytes (a view of the reader's buffer: valid until the next block). */
  bytes: Uint8Array;
}

/**
 * Reads the extents in blocks of at most `buf.length` bytes (each block within one extent) into
 * `buf`. A file that cannot be opened or read is skipped and reported to `onSkip`; a file that
 * shrank since it was found ends early.
 */
export function* readBlocks(
  extents: readonly Extent[],
  buf: Uint8Array,
  onSkip: (path: string, reason: string) => void = () => {},
): Generator<Block> {
  for (const extent of extents) {
    let fd: number;
    try {
      fd = openSync(extent.path, 'r');
    } catch (e) {
      onSkip(extent.path, fsReason(e));
      continue;
    }
    try {
      let pos = extent.offset;
      const end = extent.offset + extent.length;
      while (pos < end) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        } catch (e) {
          onSkip(extent.path, fsReason(e));
          break;
        }
        if (n <= 0) break;
        yield { extent, offset: pos, bytes: buf.subarray(0, n) };
        pos += n;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * A 32-bit checksum of `bytes` (FNV-1a over 32-bit words, then the tail bytes): cheap enough to
 * take of every page written, so the demo can prove every byte reads back after compaction.
 */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5 ^ bytes.length;
  const words = (bytes.byteOffset & 3) === 0 ? bytes.length >>> 2 : 0;
  if (words > 0) {
    const w = new Int32Array(bytes.buffer, bytes.byteOffset, words);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i], 0x01000193);
  }
  for (let i = words << 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** A short reason for a file-system error (`no such file or directory`, `permission denied`). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code ?? (e as Error)?.message ?? String(e);
  }
}

/** Depth-first walk in sorted order; `add` returns false to stop. Returns false once stopped. */
function walk(dir: string, add: (path: string, size: number) => boolean): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return true; // unreadable directory: skip it
  }
  names.sort();
  for (const name of names) {
    const p = join(dir, name);
    const st = safeLstat(p);
    if (st === null) continue;
    if (st.isDirectory()) {
      if (!walk(p, add)) return false;
    } else if (st.isFile() && st.size > 0 && readable(p)) {
      if (!add(p, st.size)) return false;
    }
  }
  return true;
}

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function safeLstat(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
