// Kernel parity, one profile at a time (test/pool/kernel-parity-*.test.ts, one file per kernel so
// the two run in parallel): every oracle trace replays with every event identical to the real
// kernel's result (as judged by the vendored compare.mjs), with zero pattern mismatches, and the
// shrinker's count equals what its scan frees.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type ProfileName, TraceReplayer } from '../../src/index.js';
import { replayFile } from '../../src/node.js';
import { compareWithKernel, ORACLE, TRACES, tracePath } from './oracle.js';

/** Declares the parity tests of `kernel`. */
export function kernelParity(kernel: ProfileName): void {
  describe(`replays are identical to the real kernel (${kernel})`, () => {
    for (const trace of TRACES) {
      it(`${trace} in ${kernel}`, async () => {
        const result = await replayFile(tracePath(trace), { profile: kernel as ProfileName });
        assert.equal(result.checks.mismatches, 0);
        assert.equal(result.checks.errors, 0);
        const cmp = compareWithKernel(join(ORACLE, kernel, `${trace}.json`), result);
        assert.equal(cmp.status, 0, cmp.output);
        assert.match(cmp.output, / 0 differ\s*$/);
      });
    }
  });

  describe(`the shrinker frees exactly what it counted (${kernel})`, () => {
    it(`${kernel}: at every snapshot of churn, count before a scan equals the pages the scan gives back`, () => {
      // Replay churn up to each snapshot, then ask the pool's shrinker directly.
      const lines = readFileSync(tracePath('churn'), 'utf8').split('\n');
      const r = new TraceReplayer({ profile: kernel as ProfileName, verify: false });
      let checked = 0;
      for (const line of lines) {
        if (line.startsWith('d') || line.startsWith('c')) break;
        r.line(line);
        if (!line.startsWith('s ')) continue;
        const pool = r.pool;
        const sh = pool.shrinker;
        const sc = { nrToScan: 128, nrScanned: 128, priority: 0, targetBytes: Number.POSITIVE_INFINITY };
        const predicted = pool.canCompact();
        const counted = sh.count(sc);
        const compacted0 = pool.stats({ classes: false }).pages_compacted;
        const freed = sh.scan(sc);
        const compacted = pool.stats({ classes: false }).pages_compacted - compacted0;
        assert.equal(compacted, predicted, 'pages freed by migration = Σ zs_can_compact');
        assert.equal(freed, counted, 'scan returns the pages counted');
        assert.equal(pool.committedPages(), pool.totalPages(), 'no page left resident beyond the zspages');
        assert.equal(sh.count(sc), 0);
        assert.equal(sh.scan(sc), -1, 'a second scan returns SHRINK_STOP');
        checked++;
      }
      assert.equal(checked, 10);
      r.finish();
    });
  });
}
