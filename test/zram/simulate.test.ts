// The zram simulator: mm_stat after writing the oracle's mix.pages equals the real kernel's
// snapshot after those 20,000 writes (with the kernel-logged lengths), its histogram and class
// figures add up to mm_stat, workers give the same reports as one thread, and bad sources give
// one clear error.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runZram } from '../../src/cli/cmd-zram.js';
import { CommandContext } from '../../src/cli/context.js';
import { FilePageSource, ProcessPageSource, simulateZram, ZramSimulator } from '../../src/node.js';
import { oracleLengthCodec, oracleLengths } from '../helpers/oracle-lengths.js';
import { zramKernelResult, zramOracleData } from '../helpers/zram-oracle.js';

const P = 4096;

function kernelSnapshot(kernel: string, trace: string, writes: number): Record<string, number> {
  const r = JSON.parse(readFileSync(zramKernelResult(kernel, trace), 'utf8')) as {
    events: { kind: string; writes_so_far?: number; mm_stat: Record<string, number> }[];
  };
  const e = r.events.find((x) => x.kind === 's' && x.writes_so_far === writes);
  assert.ok(e, `no snapshot after ${writes} writes`);
  return e.mm_stat;
}

async function cli(argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await runZram(
    new CommandContext(
      'zram',
      argv,
      (s) => out.push(s),
      (s) => out.push(s),
      false,
    ),
  );
  return { code, out };
}

describe('zram simulator', () => {
  it('mix.pages with the kernel-logged lz4 lengths: mm_stat equals the kernel after 20,000 writes', () => {
    const dir = zramOracleData();
    const buf = readFileSync(join(dir, 'zdata', 'mix.pages'));
    const pages = Array.from({ length: buf.length / P }, (_, i) => buf.subarray(i * P, (i + 1) * P));
    const lengths = oracleLengths([
      zramKernelResult('linux-6.1', 'z-mix-lz4'),
      zramKernelResult('linux-6.12', 'z-mix-lz4'),
    ]);
    for (const kernel of ['linux-6.1', 'linux-6.12'] as const) {
      const sim = new ZramSimulator({
        algorithm: 'lz4',
        profile: kernel,
        capacity: pages.length,
        codec: oracleLengthCodec('lz4', lengths, pages),
      });
      for (const p of pages) sim.add(p);
      const r = sim.report();
      assert.deepEqual(r.mm_stat, kernelSnapshot(kernel, 'z-mix-lz4', 20000), kernel);
      assert.equal(r.exact, false, 'a codec given by the caller is not the exact engine');
      // The histogram counts every page with memory; the classes hold every stored byte.
      assert.equal(
        r.histogram.reduce((a, b) => a + b, 0),
        r.pages - r.same_pages,
      );
      assert.equal(r.histogram.at(-1), r.huge_pages, 'huge pages are the 4096 bucket');
      assert.equal(
        r.classes.reduce((a, c) => a + c.data_bytes, 0),
        r.mm_stat.compr_data_size,
      );
      assert.equal(r.classes.reduce((a, c) => a + c.pages, 0) * P, r.mm_stat.mem_used_total);
      assert.equal(r.huge_class_size, kernel === 'linux-6.1' ? 3257 : 3625);
      sim.destroy();
    }
  });

  it('worker threads and a single thread give identical reports; 6.12 refuses lzo-rle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zs-sim-'));
    const f = join(dir, 'mem.bin');
    const data = new Uint8Array(300 * P + 100); // a short tail, zero-padded
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24 < 64 ? i & 255 : 0;
    writeFileSync(f, data);
    const opts = { algorithms: ['lz4', 'deflate'], profiles: ['linux-6.12', 'default'] as const };
    const a = await simulateZram({
      sources: [new FilePageSource(f)],
      ...opts,
      profiles: [...opts.profiles],
      workers: true,
    });
    const b = await simulateZram({
      sources: [new FilePageSource(f)],
      ...opts,
      profiles: [...opts.profiles],
      workers: false,
    });
    assert.equal(a.pages, 301);
    assert.deepEqual(a.reports, b.reports);
    assert.equal(a.reports.length, 4);
    const c = await simulateZram({
      sources: [new FilePageSource(f)],
      algorithms: ['lzo-rle'],
      profiles: ['linux-6.12'],
    }).catch((e: Error) => e);
    // Without an lzo-rle engine the codec lookup fails first; with one, 6.12 refuses it.
    if (!(c instanceof Error)) {
      assert.equal(c.reports.length, 0);
      assert.match(c.skipped[0].error, /does not offer lzo-rle/);
    }
  });

  it('reads its own process: private anonymous resident pages', () => {
    const src = new ProcessPageSource(process.pid);
    assert.ok(src.pages > 0);
    let n = 0;
    for (const chunk of src.chunks()) n += chunk.length / P;
    assert.ok(n > 0 && n + src.skippedPages <= src.pages + 1024, `${n} pages read of ${src.pages}`);
  });

  it('bad sources: one clear error each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zs-sim-'));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'missing')], /cannot read .*missing: no such file/],
      [[dir], /is a directory/],
      [[empty], /nothing to simulate: file .*empty has no pages/],
      [['--pid', '999999999'], /no process with PID 999999999/],
      [['--pid', '0'], /--pid must be a positive integer/],
      [[empty, '--algorithm', 'nope'], /unknown codec "nope"/],
    ];
    for (const [argv, re] of cases) {
      let msg = '';
      try {
        await cli(argv);
      } catch (e) {
        msg = (e as Error).message;
      }
      assert.match(msg, re, argv.join(' '));
      assert.ok(!msg.includes('\n'), 'one line');
    }
  });
});
