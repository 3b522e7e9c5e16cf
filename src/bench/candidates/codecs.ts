/**
 * Codec benchmark (a program, not a test): real data nobody here wrote, cut into 4 KiB pages,
 * one codec call per page, as zram does.
 *
 * Data sets: the running Node.js binary (first 64 MiB), text under /usr/share/doc and
 * /usr/share/common-licenses (compressed and binary files skipped), shared libraries under
 * /usr/lib/<arch>-linux-gnu, and the JavaScript in this package's node_modules.
 *
 * For each codec and data set it prints the compression ratio (original bytes / stored bytes,
 * where a page that does not compress into 4096 bytes is stored raw, as zram stores huge pages),
 * compress and decompress MB/s (median of --runs runs; decompression covers the pages that were
 * compressed), and both times as a multiple of a plain `Uint8Array.prototype.set` copy of the
 * same pages measured in the same run. Every page's round trip is checked once, untimed.
 *
 * Candidate libraries are measured through their own APIs (their per-call allocations
 * included): lz4js (a devDependency) and, when `--candidates DIR` names a folder where they are
 * installed, lz4-napi, lz4-wasm-nodejs and fflate. `--sweep` adds level/window variants of the
 * node:zlib codecs.
 *
 * Not part of the build (tsconfig.build.json excludes src/bench/candidates/): run from a checkout.
 *
 * Usage: node --import tsx src/bench/candidates/codecs.ts [--runs 5] [--mib 32] [--candidates DIR] [--sweep]
 *        [--only name,name] [--sets node,text,libs,js]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getCodec, listCodecs } from '../../codec/codec.js';
import { lz4Codec } from '../../codec/lz4.js';
import {
  BrotliCodec,
  DeflateCodec,
  registerNodeCodecs,
  ZstdCodec,
  zstdUnavailableReason,
} from '../../codec/node/zlib-codecs.js';
import { type CodecSubject, fromCodec, measureCodec } from '../codec-bench.js';
import { loadDataSets } from '../real-data.js';

const PAGE = 4096;
const here = dirname(fileURLToPath(import.meta.url));
/** The package root (this file is src/bench/candidates/codecs.ts). */
const root = join(here, '..', '..', '..');
registerNodeCodecs();

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    mib: { type: 'string', default: '32' },
    candidates: { type: 'string' },
    sweep: { type: 'boolean', default: false },
    only: { type: 'string' },
    sets: { type: 'string', default: 'node,text,libs,js' },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const CAP = Number(args.mib) * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Data sets

// ---------------------------------------------------------------------------------------------
// CodecSubjects: our codecs and candidate libraries behind one interface

/** Stores a library's freshly allocated output in `dst` if it fits. */
function keep(out: Uint8Array, dst: Uint8Array): number {
  if (out.length > dst.length) return -1;
  dst.set(out);
  return out.length;
}

interface Lz4jsApi {
  compressBlock(src: Uint8Array, dst: Uint8Array, si: number, sl: number, table: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, si: number, sl: number, di: number): number;
}
interface PrefixedLz4Api {
  compress(src: Uint8Array): Uint8Array;
  decompress(src: Uint8Array): Uint8Array;
}
interface LzNapiApi {
  compressSync(src: Uint8Array): Buffer;
  uncompressSync(src: Uint8Array): Buffer;
}
interface FflateApi {
  deflateSync(src: Uint8Array, opts: { level: number }): Uint8Array;
  inflateSync(src: Uint8Array, opts: { out: Uint8Array }): Uint8Array;
}

function tryRequire<T>(req: NodeJS.Require, name: string): T | undefined {
  try {
    return req(name) as T;
  } catch {
    return undefined;
  }
}

function candidateCodecSubjects(missing: string[]): { subjects: CodecSubject[]; napi?: LzNapiApi } {
  const subjects: CodecSubject[] = [];
  const reqs = [createRequire(join(root, 'package.json'))];
  if (args.candidates) reqs.unshift(createRequire(join(args.candidates, 'package.json')));
  const find = <T>(name: string): T | undefined => {
    for (const r of reqs) {
      const m = tryRequire<T>(r, name);
      if (m) return m;
    }
    missing.push(name);
    return undefined;
  };

  const lz4js = find<Lz4jsApi>('lz4js');
  if (lz4js) {
    const table = new Uint32Array(1 << 16);
    subjects.push({
      name: 'lz4js',
      note: 'lz4js compressBlock/decompressBlock (pure JS; its 256 KiB hash table cleared per page)',
      overhead: 0,
      compress(s, d) {
        table.fill(0);
        const n = lz4js.compressBlock(s, d, 0, s.length, table);
        return n > 0 && n <= d.length ? n : -1;
      },
      decompress(s, d) {
        return lz4js.decompressBlock(s, d, 0, s.length, 0);
      },
    });
  }
  const napi = find<LzNapiApi>('lz4-napi');
  if (napi) {
    subjects.push({
      name: 'lz4-napi',
      note: 'lz4-napi compressSync/uncompressSync (native lz4_flex; prebuilt binary per platform)',
      overhead: 4,
      compress: (s, d) => keep(napi.compressSync(s), d),
      decompress: (s, d) => keep(napi.uncompressSync(s), d),
    });
  }
  const wasm = find<PrefixedLz4Api>('lz4-wasm-nodejs');
  if (wasm) {
    subjects.push({
      name: 'lz4-wasm',
      note: 'lz4-wasm-nodejs compress/decompress (lz4_flex in WebAssembly)',
      overhead: 4,
      compress: (s, d) => keep(wasm.compress(s), d),
      decompress: (s, d) => keep(wasm.decompress(s), d),
    });
  }
  const fflate = find<FflateApi>('fflate');
  if (fflate) {
    for (const level of [1, 6]) {
      subjects.push({
        name: `fflate-l${level}`,
        note: `fflate deflateSync level ${level} / inflateSync into dst (pure JS raw DEFLATE)`,
        overhead: 0,
        compress: (s, d) => keep(fflate.deflateSync(s, { level }), d),
        decompress: (s, d) => fflate.inflateSync(s, { out: d }).length,
      });
    }
  }
  return { subjects, napi };
}

function subjects(missing: string[]): { list: CodecSubject[]; napi?: LzNapiApi } {
  const list: CodecSubject[] = [
    fromCodec(getCodec('none'), 'none', 'zsmalloc none (a copy, for reference)'),
    fromCodec(lz4Codec, 'lz4', 'zsmalloc lz4 (this package, pure TypeScript)'),
    fromCodec(getCodec('deflate'), 'deflate', 'zsmalloc deflate (node:zlib raw, level 1, windowBits 15)'),
    fromCodec(getCodec('brotli'), 'brotli', 'zsmalloc brotli (node:zlib, quality 1, size hint)'),
  ];
  if (zstdUnavailableReason === undefined) {
    list.push(fromCodec(getCodec('zstd'), 'zstd', 'zsmalloc zstd (node:zlib, level 1)'));
  }
  if (args.sweep) {
    for (const [level, windowBits, memLevel] of [
      [1, 12, 8],
      [1, 15, 4],
      [3, 15, 8],
      [6, 15, 8],
      [9, 15, 8],
    ]) {
      list.push(
        fromCodec(
          new DeflateCodec({ level, windowBits, memLevel }),
          `deflate-l${level}-w${windowBits}-m${memLevel}`,
          'sweep',
        ),
      );
    }
    for (const quality of [0, 2, 4, 6]) {
      list.push(fromCodec(new BrotliCodec({ quality }), `brotli-q${quality}`, 'sweep'));
    }
    if (zstdUnavailableReason === undefined) {
      for (const level of [-5, -1, 3, 6])
        list.push(fromCodec(new ZstdCodec({ level }), `zstd-l${level}`, 'sweep'));
    }
  }
  const cands = candidateCodecSubjects(missing);
  list.push(...cands.subjects);
  return { list, napi: cands.napi };
}

// ---------------------------------------------------------------------------------------------
// Measurement

/** Independent check: the reference-strict lz4_flex decoder (lz4-napi) reads our block. */
function napiCheck(napi: LzNapiApi, set: string): (page: Uint8Array, packed: Uint8Array) => void {
  return (page, packed) => {
    const pre = Buffer.alloc(4 + packed.length);
    pre.writeUInt32LE(PAGE, 0);
    pre.set(packed, 4);
    if (Buffer.compare(napi.uncompressSync(pre), page) !== 0) {
      throw new Error(`lz4-napi decoded a page of ${set} differently`);
    }
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Output

/** Column widths; the first two columns are left-aligned. */
const WIDTHS = [16, 22, 6, 10, 12, 11, 13, 11];

function row(cells: string[]): string {
  return cells.map((c, k) => (k < 2 ? c.padEnd(WIDTHS[k]) : c.padStart(WIDTHS[k]))).join('  ');
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function main(): void {
  const missing: string[] = [];
  const { list, napi } = subjects(missing);
  const only = args.only ? new Set(args.only.split(',')) : undefined;
  const chosen = only ? list.filter((s) => only.has(s.name)) : list;
  const sets = loadDataSets(new Set(args.sets.split(',')), CAP, join(root, 'node_modules'));

  console.log(`zsmalloc codec benchmark — Node ${process.version} (${process.arch}), ${PAGE}-byte pages,`);
  console.log(`one call per page, median of ${RUNS} runs; ratio = original / stored (pages that do not`);
  console.log(
    'compress below 4096 bytes are stored raw); ×copy = time / time of Uint8Array.set of the same pages.',
  );
  console.log(`codecs registered: ${listCodecs().available.join(', ')}`);
  for (const [name, why] of Object.entries(listCodecs().unavailable)) {
    console.log(`unavailable: ${name}: ${why}`);
  }
  if (missing.length) console.log(`candidates not installed (use --candidates DIR): ${missing.join(', ')}`);
  for (const set of sets) {
    console.log(`data set ${set.name}: ${(set.bytes.length / 1048576).toFixed(1)} MiB from ${set.source}`);
  }
  console.log('');

  // Rows are printed as they are measured, so a long run shows progress.
  console.log(
    row([
      'data set',
      'codec',
      'ratio',
      'comp MB/s',
      'decomp MB/s',
      'comp ×copy',
      'decomp ×copy',
      'compressed',
    ]),
  );
  console.log(row(WIDTHS.map((w) => '-'.repeat(w))));
  const copySpeeds: string[] = [];
  for (const set of sets) {
    const copies: number[] = [];
    for (const s of chosen) {
      const r = measureCodec(set, s, RUNS, s.name === 'lz4' && napi ? napiCheck(napi, set.name) : undefined);
      copies.push(r.copyMBs);
      console.log(
        row([
          r.set,
          r.subject,
          fmt(r.ratio, 3),
          fmt(r.compMBs),
          fmt(r.decompMBs),
          fmt(r.compXCopy, 1),
          fmt(r.decompXCopy, 1),
          `${((100 * r.compressed) / r.pages).toFixed(1)}%`,
        ]),
      );
    }
    copySpeeds.push(`${set.name} ${fmt(median(copies))} MB/s`);
  }
  console.log(`\nUint8Array.set copy, median over the subjects' runs: ${copySpeeds.join(', ')}`);
  console.log('');
  for (const s of chosen) if (s.note !== 'sweep') console.log(`${s.name.padEnd(10)} ${s.note}`);
  console.log('compressed = share of pages stored compressed (the rest do not fit in 4096 bytes).');
  if (napi && chosen.some((s) => s.name === 'lz4')) {
    console.log('every lz4 page above was also decoded by lz4-napi (lz4_flex) and matched.');
  }
}

main();
