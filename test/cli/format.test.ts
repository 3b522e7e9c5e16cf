// The CLI's rendering of a pool's classes in the layout of the kernel's debugfs `classes` file:
// column widths from zs_stats_size_show (6.4+: zspages per fullness group 10 % … 100 %; up to 6.3:
// almost_full / almost_empty), the Total row, for pools whose contents are worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classesFile } from '../../src/cli/format.js';
import { createPool } from '../../src/index.js';

describe('classesFile', () => {
  it('6.12 layout: 11 fullness columns, the kernel widths, a Total row', () => {
    const pool = createPool({ profile: 'linux-6.12', shrinkers: null });
    const hs = Array.from({ length: 100 }, () => pool.malloc(100)); // +8 → class 5 (112 B), 256 per zspage
    for (let i = 0; i < hs.length; i += 3) pool.free(hs[i]); // 66 left: 25 % → the 30 % group
    pool.malloc(3000); // class 190 (3072 B), 4 per zspage: 1 of 4 → the 30 % group
    assert.equal(
      classesFile(pool.stats()),
      [
        ' class  size       10%       20%       30%       40%       50%       60%       70%       80%       90%       99%      100% obj_allocated   obj_used pages_used pages_per_zspage freeable',
        '     5   112         0         0         1         0         0         0         0         0         0         0         0           256         66          7                7        0',
        '   190  3072         0         0         1         0         0         0         0         0         0         0         0             4          1          3                3        0',
        '',
        ' Total               0         0         2         0         0         0         0         0         0         0         0           260         67         10                         0',
      ].join('\n'),
    );
  });

  it('6.1 layout: almost_full and almost_empty, freeable from zs_can_compact', () => {
    const pool = createPool({ profile: 'linux-6.1', shrinkers: null });
    const hs = Array.from({ length: 100 }, () => pool.malloc(100)); // class 5: 73 per 2-page zspage
    for (let i = 0; i < hs.length; i += 3) pool.free(hs[i]); // 66 of 146 used: 80 wasted = 1 zspage = 2 pages
    assert.equal(
      classesFile(pool.stats()),
      [
        ' class  size almost_full almost_empty obj_allocated   obj_used pages_used pages_per_zspage freeable',
        '     5   112           0            2           146         66          4                2        2',
        '',
        ' Total                 0            2           146         66          4                         2',
      ].join('\n'),
    );
  });
});
