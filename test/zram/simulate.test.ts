// The zram simulator: mm_stat after writing the oracle's mix.pages equals the real kernel's
// snapshot after those 20,000 writes, its histogram and class
// figures add up to mm_stat, workers give the same reports as one thread, and bad sources give
// one clear error.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runZram } from '../../src/cli/cmd-zram.js';
import { CommandContext } from '../../src/cli/context.js';
import { ZramDevice, type ZramSimReport, ZramSimulator } from '../../src/index.js';
import { FilePageSource, ProcessPageSource, simulateZram } from '../../src/node.js';
import { throwsCode } from '../helpers/bad-inputs.js';
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
    new CommandContext('zram', argv, {
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      errRaw: () => {},
      tty: false,
    }),
  );
  return { code, out };
}

describe('zram simulator', () => {
  it('zsmalloc zram mix.pages prints the mm_stat of the kernel after those 20,000 writes (lz4 on 6.1 and 6.12, lzo-rle on 6.1)', async () => {
    const dir = zramOracleData();
    const { code, out } = await cli([
      join(dir, 'zdata', 'mix.pages'),
      '--algorithm',
      'lz4,lzo-rle',
      '--profile',
      'linux-6.12,linux-6.1',
      '--json',
    ]);
    assert.equal(code, 0);
    const r = JSON.parse(out.join('\n')) as {
      pages: number;
      reports: ZramSimReport[];
      skipped: { error: string }[];
    };
    assert.equal(r.pages, 20000);
    assert.deepEqual(
      r.reports.map((x) => `${x.algorithm} ${x.profile}`),
      ['lz4 linux-6.12', 'lz4 linux-6.1', 'lzo-rle linux-6.1'],
    );
    assert.equal(r.skipped.length, 1, '6.12 has no lzo-rle');
    for (const x of r.reports) {
      const trace = x.algorithm === 'lz4' ? 'z-mix-lz4' : 'z-mix-lzorle';
      assert.deepEqual(x.mm_stat, kernelSnapshot(x.profile, trace, 20000), `${x.algorithm} ${x.profile}`);
      assert.equal(x.exact, true);
      // The histogram counts every page with memory; the classes hold every stored byte.
      assert.equal(
        x.histogram.reduce((a, b) => a + b, 0),
        x.pages - x.same_pages,
      );
      assert.equal(x.histogram.at(-1), x.huge_pages, 'huge pages are the 4096 bucket');
      assert.equal(
        x.classes.reduce((a, c) => a + c.data_bytes, 0),
        x.mm_stat.compr_data_size,
      );
      assert.equal(x.classes.reduce((a, c) => a + c.pages, 0) * P, x.mm_stat.mem_used_total);
      assert.equal(x.huge_class_size, x.profile === 'linux-6.1' ? 3257 : 3625);
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
    const html = join(dir, 'report.html');
    const run = await cli([
      f,
      '--algorithm',
      'lz4',
      '--profile',
      'linux-6.12',
      '--no-workers',
      '--report',
      html,
    ]);
    assert.equal(run.code, 0);
    assert.match(run.out.join('\n'), /file .*mem\.bin: 301 pages[\s\S]*lz4 +linux-6\.12 +exact/);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.ok((page.match(/<svg/g) ?? []).length >= 2, 'a memory chart and a histogram');
    assert.ok(!/<script|(src|href)="https?:/.test(page), 'self-contained');
    const c = await simulateZram({
      sources: [new FilePageSource(f)],
      algorithms: ['lzo-rle'],
      profiles: ['linux-6.12'],
    }).catch((e: Error) => e);
    assert.ok(!(c instanceof Error), String(c));
    assert.equal(c.reports.length, 0);
    assert.match(c.skipped[0].error, /does not offer lzo-rle/);
  });

  it('the simulator keeps no data: same mm_stat as a storing device, reads refused', () => {
    const pages = Array.from({ length: 64 }, (_, k) => {
      const p = new Uint8Array(P);
      for (let i = 0; i < 200 + 50 * k; i++) p[i] = (i * 31 + k) & 255;
      return p;
    });
    const sim = new ZramSimulator({ algorithm: 'lz4', profile: 'linux-6.1', capacity: 64 });
    const dev = new ZramDevice({ disksize: 64 * P, codec: 'lz4', profile: 'linux-6.1', shrinkers: null });
    for (const [i, p] of pages.entries()) {
      sim.add(p);
      dev.write(i, p);
    }
    assert.deepEqual(sim.report().mm_stat, dev.mmStat());
    throwsCode(() => sim.device.read(0, new Uint8Array(P)), 'ERR_ZS_BAD_STATE');
    assert.equal(sim.device.compact(), dev.compact());
    sim.destroy();
    dev.destroy();
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
