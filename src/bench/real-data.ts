/**
 * Real data nobody here wrote, for benchmarks: the running Node.js binary, text under
 * /usr/share/doc and /usr/share/common-licenses (compressed and binary files skipped), shared
 * libraries under /usr/lib/<arch>-linux-gnu, and JavaScript under a node_modules folder — each
 * cut to whole 4 KiB pages.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';

const PAGE = 4096;

/** One data set. */
export interface DataSet {
  /** Short name. */
  name: string;
  /** Where it came from. */
  source: string;
  /** Page-aligned copy of the data (length a multiple of 4096). */
  bytes: Uint8Array;
}

/** The first `cap` bytes of `buf`, cut down to whole pages, as a copy. */
export function pageAligned(buf: Uint8Array, cap: number): Uint8Array {
  const n = Math.min(buf.length, cap) - (Math.min(buf.length, cap) % PAGE);
  return Uint8Array.from(buf.subarray(0, n));
}

/** Regular files under `root` (sorted, recursive) accepted by `keep`. */
export function walk(root: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(root, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, keep, out);
    else if (st.isFile() && st.size > 0 && keep(p)) out.push(p);
  }
  return out;
}

/** Concatenates files (each once, by real path) until `cap` bytes; `accept` may veto content. */
export function concatFiles(
  paths: string[],
  cap: number,
  accept: (b: Buffer) => boolean = () => true,
): Uint8Array {
  const out = new Uint8Array(cap);
  const seen = new Set<string>();
  let n = 0;
  for (const p of paths) {
    if (n >= cap) break;
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const b = readFileSync(real);
    if (!accept(b)) continue;
    const take = Math.min(b.length, cap - n);
    out.set(b.subarray(0, take), n);
    n += take;
  }
  return out.subarray(0, n);
}

const COMPRESSED_OR_BINARY =
  /\.(gz|xz|bz2|zst|lz4|zip|jar|png|jpe?g|gif|ico|pdf|woff2?|ttf|otf|svgz|mo|pyc)$/i;
const looksLikeText = (b: Buffer) => !b.subarray(0, 4096).includes(0);

/**
 * The data sets named in `wanted` (`node`, `text`, `libs`, `js`), each at most `cap` bytes (the
 * node binary: 64 MiB); sets that yield less than a page are left out.
 */
export function loadDataSets(wanted: Set<string>, cap: number, nodeModules: string): DataSet[] {
  const sets: DataSet[] = [];
  if (wanted.has('node')) {
    const bin = readFileSync(process.execPath);
    sets.push({ name: 'node-binary', source: process.execPath, bytes: pageAligned(bin, 64 * 1024 * 1024) });
  }
  if (wanted.has('text')) {
    const files = [
      ...walk('/usr/share/common-licenses', () => true),
      ...walk('/usr/share/doc', (p) => !COMPRESSED_OR_BINARY.test(p)),
    ];
    const bytes = concatFiles(files, cap, looksLikeText);
    sets.push({ name: 'text', source: '/usr/share/{common-licenses,doc}', bytes: pageAligned(bytes, cap) });
  }
  if (wanted.has('libs')) {
    const dir = `/usr/lib/${arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch()}-linux-gnu`;
    let files: string[] = [];
    try {
      files = readdirSync(dir)
        .filter((f) => /\.so(\.|$)/.test(f))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      // no such directory on this machine
    }
    const bytes = concatFiles(files, cap);
    if (bytes.length >= PAGE)
      sets.push({ name: 'shared-libs', source: `${dir}/*.so*`, bytes: pageAligned(bytes, cap) });
  }
  if (wanted.has('js')) {
    const files = walk(nodeModules, (p) => /\.(m|c)?js$/.test(p));
    sets.push({
      name: 'node_modules-js',
      source: nodeModules,
      bytes: pageAligned(concatFiles(files, cap), cap),
    });
  }
  return sets.filter((s) => s.bytes.length >= PAGE);
}
