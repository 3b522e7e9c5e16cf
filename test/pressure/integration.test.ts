// End to end, no privileges: a child process fills a pool past a byte budget and frees objects; the
// monitor alone (no compact call) brings the pool under the budget within two polls, and RSS drops.
// Counted in polls, never in milliseconds: on a loaded machine timers fire late, but the poll that
// first sees the overshoot still starts the reclaim that ends it.
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
  pollsBeforeFill: number;
  pollsToUnder: number;
  levels: string[];
  reclaims: {
    poll: number;
    level: string;
    targetBytes: number;
    bytesReturned: number;
    usageAfterBytes: number;
  }[];
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
    // Only a guard against a hung child (the child itself stops after six polls): never a verdict on speed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out.trim()) as ChildResult);
    });
  });
}

function check(r: ChildResult, level: string): void {
  const { budget } = r;
  assert.ok(r.committedBefore > budget, `the fill crossed the budget: ${r.committedBefore} ≤ ${budget}`);
  assert.equal(r.pollsBeforeFill, 1, 'only the poll start() makes ran before the synchronous fill');
  assert.ok(r.pollsToUnder >= 1, `never got under the budget in six polls: ${JSON.stringify(r)}`);
  assert.ok(r.committedAfter < budget);
  assert.equal(r.levels[0], level);
  assert.ok(r.reclaims.length >= 1);
  // The first poll after the fill saw the overshoot and started a reclaim at once …
  assert.equal(r.reclaims[0].poll, r.pollsBeforeFill + 1, 'the first poll after the fill reclaims');
  assert.equal(r.reclaims[0].level, level);
  // … and the pool was under the budget at the end of the first or second reclaim (polls made
  // while a reclaim is still running start none, so their number depends on the machine's load).
  const under = r.reclaims.findIndex((x) => x.usageAfterBytes < budget);
  assert.ok(under >= 0, `no reclaim ended under the budget: ${JSON.stringify(r.reclaims)}`);
  assert.ok(under <= 1, `under the budget only after reclaim #${under + 1}: ${JSON.stringify(r.reclaims)}`);
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
  it('brings the pool under budget within two reclaims, the first started by the first poll after the fill (critical: 96 MiB over a 48 MiB budget, and medium: over 88 MiB)', async () => {
    const [critical, medium] = await Promise.all([runChild(250, 48, 96), runChild(250, 88, 96)]);
    check(critical, 'critical');
    check(medium, 'medium');
    assert.equal(medium.reclaims[0].targetBytes, Math.round(medium.committedBefore - 0.9 * medium.budget));
  });
});
