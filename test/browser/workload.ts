// A workload run inside a real browser by scripts/browser-check.mjs (bundled from the core entry
// only): pool, compaction, page give-back, shrinkers, pressure monitor, ZramDevice, ZStore, lz4.
// It writes one line, `PASS …` or `FAIL …`, into the page's <pre id="out">.
import {
  budgetSource,
  createPool,
  createPressureMonitor,
  ShrinkerRegistry,
  ZramDevice,
  ZStore,
} from '../../src/index.js';

async function run(): Promise<string> {
  const facts: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(what);
  };
  // Pool: fill, fragment, compact; bytes intact; memory given back.
  const reg = new ShrinkerRegistry();
  const pool = createPool({ shrinkers: reg });
  const hs: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const h = pool.malloc(100 + (i % 3000));
    pool.write(h, new Uint8Array(100 + (i % 3000)).fill(i & 255));
    hs.push(h);
  }
  for (let i = 0; i < hs.length; i += 2) pool.free(hs[i]);
  const before = pool.stats({ classes: false }).bytes_committed;
  const r = await pool.compactAsync({ sliceMs: 1 });
  const after = pool.stats({ classes: false }).bytes_committed;
  check(r.pagesFreed > 0 && after < before, 'compaction gave nothing back');
  for (let i = 1; i < hs.length; i += 2) {
    const b = pool.read(hs[i]);
    if (b.length !== 100 + (i % 3000) || b[b.length - 1] !== (i & 255))
      throw new Error(`object ${i} changed`);
  }
  facts.push(
    `pool: ${r.pagesFreed} pages compacted in ${r.slices} slices, ${((before - after) / 2 ** 20).toFixed(1)} MiB given back`,
  );
  // Pressure: a budget below the footprint brings the pool down with no compaction call.
  for (let i = 1; i < hs.length; i += 4) pool.free(hs[i]);
  const budget = budgetSource({ limitBytes: 2 ** 40, registry: reg });
  const monitor = createPressureMonitor({ registry: reg, sources: [budget], intervalMs: 50 });
  monitor.start();
  const usage = reg.usageBytes();
  budget.setLimit(Math.floor(usage * 0.8));
  // Counted in polls (each poll's reclaim allowed to finish), not in milliseconds.
  const nextPoll = () =>
    new Promise<void>((res) => {
      const off = monitor.on('poll', () => {
        off();
        res();
      });
    });
  let polls = 0;
  while (reg.usageBytes() > usage * 0.8 && polls < 10) {
    await nextPoll();
    await monitor.idle();
    polls++;
  }
  monitor.stop();
  check(
    reg.usageBytes() <= usage * 0.8,
    `the monitor did not bring the pool under its budget in ${polls} polls`,
  );
  facts.push(
    `pressure: ${(usage / 2 ** 20).toFixed(1)} → ${(reg.usageBytes() / 2 ** 20).toFixed(1)} MiB by the monitor in ${polls} poll(s)`,
  );
  pool.destroy();
  // ZramDevice with lz4.
  const zram = new ZramDevice({ disksize: 1024 * 4096, codec: 'lz4', shrinkers: null });
  const page = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) page[i] = (i >> 4) & 255;
  zram.write(3, page);
  const out = new Uint8Array(4096);
  zram.read(3, out);
  check(
    out.every((v, i) => v === page[i]),
    'zram read back differs',
  );
  facts.push(`zram mm_stat:${zram.mmStatText().trimEnd()}`);
  // ZStore.
  const store = new ZStore<string>({ shrinkers: null });
  store.set('k', 'hello '.repeat(1000));
  check(store.get('k') === 'hello '.repeat(1000), 'ZStore read back differs');
  facts.push(`zstore ratio ${store.stats().ratio.toFixed(1)}`);
  return facts.join('; ');
}

run().then(
  (s) => {
    document.getElementById('out')!.textContent =
      `PASS ${navigator.userAgent.match(/Chrom\S+/)?.[0] ?? ''} ${s}`;
  },
  (e) => {
    document.getElementById('out')!.textContent = `FAIL ${(e as Error).message}`;
  },
);
