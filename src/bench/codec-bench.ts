/**
 * Codec benchmark: ratio and MB/s of every registered codec on real data cut into 4 KiB pages,
 * one call per page (as zram), each time also as a multiple of a plain `Uint8Array.set` copy of
 * the same pages in the same run. (`candidates/codecs.ts` adds the candidate libraries we measured.)
 */
import { fileURLToPath } from 'node:url';
import { type Codec, getCodec, listCodecs } from '../codec/codec.js';
import { type BenchRow, median } from './harness.js';
import type { BenchOptions } from './pool-bench.js';
import { type DataSet, loadDataSets } from './real-data.js';

const PAGE = 4096;

/** A codec (ours or a candidate library's) behind one interface. */
export interface CodecSubject {
  /** Short name. */
  name: string;
  /** What it is. */
  note: string;
  /** Bytes of the stored form that are not payload (a size prefix some libraries add). */
  overhead: number;
  /** As `Codec.compress`. */
  compress(src: Uint8Array, dst: Uint8Array): number;
  /** As `Codec.decompress`. */
  decompress(src: Uint8Array, dst: Uint8Array): number;
}

/** A registered codec as a subject. */
export function fromCodec(codec: Codec, name: string, note: string): CodecSubject {
  return {
    name,
    note,
    overhead: 0,
    compress: (s, d) => codec.compress(s, d),
    decompress: (s, d) => codec.decompress(s, d),
  };
}

/** What one codec did on one data set. */
export interface CodecResult {
  set: string;
  subject: string;
  ratio: number;
  compressed: number;
  pages: number;
  compMBs: number;
  decompMBs: number;
  compXCopy: number;
  decompXCopy: number;
  copyMBs: number;
}

/**
 * Compresses every page of `set` with `s` (one call per page, as zram), checks every round trip
 * once (untimed; `verify` may check more), then times compression, decompression and a plain
 * `Uint8Array.set` copy of the same pages, `runs` times each; medians.
 */
export function measureCodec(
  set: DataSet,
  s: CodecSubject,
  runs: number,
  verify?: (page: Uint8Array, packed: Uint8Array) => void,
): CodecResult {
  const pages = set.bytes.length / PAGE;
  const views: Uint8Array[] = [];
  for (let p = 0; p < pages; p++) views.push(set.bytes.subarray(p * PAGE, (p + 1) * PAGE));
  const dst = new Uint8Array(PAGE);
  const out = new Uint8Array(PAGE);

  // Untimed: compress every page once, keep the results, and check every round trip.
  const packed: Uint8Array[] = [];
  let stored = 0;
  for (let p = 0; p < pages; p++) {
    const n = s.compress(views[p], dst);
    if (n < 0) {
      stored += PAGE;
      continue;
    }
    stored += n - s.overhead;
    const copy = dst.slice(0, n);
    packed.push(copy);
    out.fill(0);
    if (s.decompress(copy, out) !== PAGE || Buffer.compare(out, views[p]) !== 0) {
      throw new Error(`${s.name}: page ${p} of ${set.name} did not round-trip`);
    }
    verify?.(views[p], copy);
  }

  const comp: number[] = [];
  const decomp: number[] = [];
  const copyAll: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (let p = 0; p < pages; p++) out.set(views[p]);
    copyAll.push(performance.now() - t);

    t = performance.now();
    for (let p = 0; p < pages; p++) s.compress(views[p], dst);
    comp.push(performance.now() - t);

    t = performance.now();
    for (let k = 0; k < packed.length; k++) s.decompress(packed[k], out);
    decomp.push(performance.now() - t);
  }
  const copyMs = median(copyAll);
  const compMs = median(comp);
  const decompMs = median(decomp);
  const decompressedBytes = packed.length * PAGE;
  return {
    set: set.name,
    subject: s.name,
    ratio: set.bytes.length / stored,
    compressed: packed.length,
    pages,
    compMBs: set.bytes.length / 1e3 / compMs,
    decompMBs: packed.length ? decompressedBytes / 1e3 / decompMs : Number.NaN,
    compXCopy: compMs / copyMs,
    decompXCopy: packed.length ? decompMs / (copyMs * (packed.length / pages)) : Number.NaN,
    copyMBs: set.bytes.length / 1e3 / copyMs,
  };
}

/** The `codecs` suite of `zsmalloc bench`: every codec registered here, on every data set. */
export function benchCodecs(o: BenchOptions): BenchRow[] {
  const cap = (o.quick ? 4 : 32) * 2 ** 20;
  const nodeModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
  o.log('codecs: loading data');
  const sets = loadDataSets(new Set(['node', 'text', 'libs', 'js']), cap, nodeModules).map((s) =>
    o.quick ? { ...s, bytes: s.bytes.subarray(0, Math.min(s.bytes.length, cap)) } : s,
  );
  const names = listCodecs().available;
  for (const [name, why] of Object.entries(listCodecs().unavailable))
    o.notes.push(`unavailable: ${name}: ${why}`);
  const rows: BenchRow[] = [];
  for (const set of sets) {
    o.notes.push(`data set ${set.name}: ${(set.bytes.length / 2 ** 20).toFixed(1)} MiB from ${set.source}`);
    for (const name of names) {
      o.log(`codecs: ${name} on ${set.name}`);
      const r = measureCodec(set, fromCodec(getCodec(name), name, ''), o.quick ? 3 : 5);
      rows.push({ name: `${set.name}, ${name}: compression ratio`, value: r.ratio, unit: '×' });
      rows.push({
        name: `${set.name}, ${name}: compress`,
        value: r.compMBs,
        unit: 'MB/s',
        ratio: 1 / r.compXCopy,
        baseline: `Uint8Array.set ${r.copyMBs.toFixed(0)} MB/s`,
      });
      if (r.compressed > 0) {
        rows.push({
          name: `${set.name}, ${name}: decompress`,
          value: r.decompMBs,
          unit: 'MB/s',
          ratio: 1 / r.decompXCopy,
          baseline: 'Uint8Array.set',
        });
      }
    }
  }
  o.notes.push(
    'ratio = original / stored; a page that does not shrink is stored raw (as zram stores huge pages).',
  );
  return rows;
}
