// zram against the real kernel (test/fixtures/zram-oracle): every visible ztrace replayed on
// both kernel profiles with our own compressors, judged by the vendored compare-zram.mjs (every
// event's mm_stat and io_stat, every logged write's length, flags, errno and pool size).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProfileName } from '../../src/index.js';
import { replayZtraceFile } from '../../src/node.js';
import {
  compareZram,
  ZRAM_KERNELS,
  ZRAM_TRACES,
  zramKernelResult,
  zramOracleData,
} from '../helpers/zram-oracle.js';

describe('zram replays are identical to the real kernel', () => {
  for (const kernel of ZRAM_KERNELS) {
    for (const trace of ZRAM_TRACES) {
      it(`${trace} in ${kernel}`, async () => {
        const dir = zramOracleData();
        const result = await replayZtraceFile(join(dir, 'zram-traces', `${trace}.ztrace`), {
          profile: kernel as ProfileName,
        });
        assert.equal(result.read_mismatches, 0);
        const cmp = compareZram(zramKernelResult(kernel, trace), result);
        assert.equal(cmp.status, 0, cmp.output);
        assert.match(
          cmp.output,
          / 0 differ\n.* 0 length mismatches, 0 with other fields differing, 0 missing/,
        );
      });
    }
  }
});
