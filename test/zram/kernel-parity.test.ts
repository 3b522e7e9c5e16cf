// zram against the real kernel (test/fixtures/zram-oracle): the ztrace replays of the device,
// compared by the vendored compare-zram.mjs. First with every page stored at the length the kernel
// logged for it (the device, pool, limit, discard and compaction arithmetic on their own), then
// with our own compressors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProfileName } from '../../src/index.js';
import { replayZtraceFile } from '../../src/node.js';
import { oracleLengthCodec, oracleLengths } from '../helpers/oracle-lengths.js';
import { compareZram, zramKernelResult, zramOracleData } from '../helpers/zram-oracle.js';

function pagesOf(file: string): Uint8Array[] {
  const buf = readFileSync(file);
  return Array.from({ length: buf.length / 4096 }, (_, i) => buf.subarray(i * 4096, (i + 1) * 4096));
}

describe('zram mm_stat arithmetic with the kernel-logged lengths', () => {
  for (const [trace, data, kernel] of [
    ['z-churn', 'churn', 'linux-6.12'],
    ['z-limit', 'limit', 'linux-6.1'],
  ] as const) {
    it(`${trace} in ${kernel}: every event and logged write identical`, async () => {
      const dir = zramOracleData();
      const lengths = oracleLengths([
        zramKernelResult('linux-6.1', trace),
        zramKernelResult('linux-6.12', trace),
      ]);
      const pages = pagesOf(join(dir, 'zdata', `${data}.pages`));
      const result = await replayZtraceFile(join(dir, 'zram-traces', `${trace}.ztrace`), {
        profile: kernel as ProfileName,
        codec: (alg) => oracleLengthCodec(alg, lengths, pages),
      });
      assert.equal(result.read_mismatches, 0);
      const cmp = compareZram(zramKernelResult(kernel, trace), result);
      assert.equal(cmp.status, 0, cmp.output);
      assert.match(cmp.output, / 0 differ\n/);
    });
  }
});
