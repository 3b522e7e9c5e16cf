// End to end, no privileges: a child process fills a pool past a byte budget and frees objects; the
// monitor alone (no compact call) brings the pool under the budget within two polls, and RSS drops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 2 ** 20;

interface ChildResult {
  intervalMs: number;
  budget: number;
  committedBefore: number;
  committedAfter: number;
  rssBefore: number;
  rssAfter: number;
  tUnderMs: number;
  levels: string[];
  reclaims: { level: string; targetBytes: number; bytesReturned: number; durationMs: number }[];
  intact: boolean;
  liveObjects: number;
  kept: number;
  compactCalls: number;
}

function runChild(intervalMs: number, budgetMiB: number, fillMiB: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'fixtures', 'budget-child.ts'),
        String(intervalMs),
        String(budgetMiB),
        String(fillMiB),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 14_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim()) as ChildResult);
    });
  });
}

function check(r: ChildResult, level: string): void {
  const { intervalMs, budget } = r;
  assert.ok(r.committedBefore > budget, `the fill crossed the budget: ${r.committedBefore} ≤ ${budget}`);
  assert.ok(r.tUnderMs >= 0, `never got under the budget: ${JSON.stringify(r)}`);
  assert.ok(r.tUnderMs <= 2 * intervalMs, `took ${r.tUnderMs} ms, more than two ${intervalMs} ms polls`);
  assert.ok(r.committedAfter < budget);
  assert.equal(r.levels[0], level);
  assert.ok(r.reclaims.length >= 1);
  assert.equal(r.reclaims[0].level, level);
  const returned = r.reclaims.reduce((a, x) => a + x.bytesReturned, 0);
  assert.equal(returned, r.committedBefore - r.committedAfter, 'reclaim events account for the drop');
  // RSS confirms it: at least 80 % of the committed bytes given back left the resident set.
  const rssDrop = r.rssBefore - r.rssAfter;
  assert.ok(rssDrop >= 0.8 * (r.committedBefore - r.committedAfter), `RSS fell ${rssDrop / MiB} MiB only`);
  assert.equal(r.intact, true, 'surviving objects read back intact');
  assert.equal(r.liveObjects, r.kept);
  assert.ok(
    r.compactCalls >= 1,
    'the pool compacted, driven by its shrinker (the script never calls compact)',
  );
}

describe('budget reclaim in a child process', () => {
  it('brings the pool under budget within two polls (critical: 96 MiB over a 48 MiB budget, and medium: over 88 MiB)', async () => {
    const [critical, medium] = await Promise.all([runChild(250, 48, 96), runChild(250, 88, 96)]);
    check(critical, 'critical');
    check(medium, 'medium');
    assert.equal(medium.reclaims[0].targetBytes, Math.round(medium.committedBefore - 0.9 * medium.budget));
  });
});
