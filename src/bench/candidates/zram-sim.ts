/**
 * Simulator throughput (a program, not a test): MB/s of input through `ZramSimulator` (same-page
 * check, compression, zs_malloc, copy, bookkeeping) against the codec alone on the same pages
 * (one compress per page into a buffer of `huge_class_size − 1` bytes, as the device calls it),
 * measured in the same process, alternating in blocks of 500 pages, in several fresh processes;
 * prints medians and spread. The simulator skips compressing same-filled pages (zram does), the
 * codec alone compresses every page.
 *
 * Usage: node --import tsx src/bench/candidates/zram-sim.ts FILE [--algorithms lz4,deflate] [--profile linux-6.12]
 *        [--procs 5] [--reps 3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getCodec } from '../../codec/codec.js';
import { registerNodeCodecs } from '../../codec/node/zlib-codecs.js';
import type { ProfileName } from '../../pool/profiles.js';
import { ZramSimulator } from '../../zram/simulate.js';

registerNodeCodecs();

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    algorithms: { type: 'string', default: 'lz4,deflate' },
    profile: { type: 'string', default: 'linux-6.12' },
    procs: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    child: { type: 'boolean', default: false },
  },
});
const file = positionals[0];
const algorithms = String(values.algorithms).split(',');
const profile = String(values.profile) as ProfileName;

function child(): void {
  const buf = readFileSync(file);
  const n = Math.floor(buf.length / 4096);
  const pages = Array.from(
    { length: n },
    (_, i) => new Uint8Array(buf.buffer, buf.byteOffset + i * 4096, 4096),
  );
  const out: Record<string, { codec: number[]; sim: number[] }> = {};
  for (const alg of algorithms) {
    const codec = getCodec(alg);
    const probe = new ZramSimulator({ algorithm: alg, profile, capacity: 1 });
    const scratch = new Uint8Array(probe.device.pool.hugeClassSize - 1);
    probe.destroy();
    const r = { codec: [] as number[], sim: [] as number[] };
    for (let rep = 0; rep < Number(values.reps); rep++) {
      // Alternate in blocks of 500 pages so that a change of load hits both sides alike.
      const sim = new ZramSimulator({ algorithm: alg, profile, capacity: n });
      let codecMs = 0;
      let simMs = 0;
      let sink = 0;
      for (let b = 0; b < n; b += 500) {
        const e = Math.min(n, b + 500);
        let t = performance.now();
        for (let i = b; i < e; i++) sink += codec.compress(pages[i], scratch);
        codecMs += performance.now() - t;
        t = performance.now();
        for (let i = b; i < e; i++) sim.add(pages[i]);
        simMs += performance.now() - t;
      }
      sim.destroy();
      if (sink === 0) throw new Error('nothing compressed');
      r.codec.push((n * 4096) / 1e6 / (codecMs / 1000));
      r.sim.push((n * 4096) / 1e6 / (simMs / 1000));
    }
    out[alg] = r;
  }
  process.stdout.write(JSON.stringify(out));
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1];
};

if (values.child) {
  child();
} else {
  const all: Record<string, { codec: number[]; sim: number[] }> = {};
  const load0 = loadavg()[0];
  for (let p = 0; p < Number(values.procs); p++) {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        file,
        '--child',
        '--algorithms',
        algorithms.join(','),
        '--profile',
        profile,
        '--reps',
        String(values.reps),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    const o = JSON.parse(r.stdout) as typeof all;
    for (const [k, v] of Object.entries(o)) {
      all[k] ??= { codec: [], sim: [] };
      // Per process: the best of its repetitions (after warm-up), one sample per fresh process.
      all[k].codec.push(Math.max(...v.codec));
      all[k].sim.push(Math.max(...v.sim));
    }
  }
  console.log(
    `${file}, profile ${profile}, ${values.procs} processes × ${values.reps} reps; load ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
  );
  for (const [k, v] of Object.entries(all)) {
    const ratios = v.sim.map((s, i) => s / v.codec[i]);
    console.log(
      `${k.padEnd(8)} codec alone ${median(v.codec).toFixed(1)} MB/s [${Math.min(...v.codec).toFixed(1)}–${Math.max(...v.codec).toFixed(1)}]  ` +
        `simulator ${median(v.sim).toFixed(1)} MB/s [${Math.min(...v.sim).toFixed(1)}–${Math.max(...v.sim).toFixed(1)}]  ` +
        `simulator/codec ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}]`,
    );
  }
}
