// The benchmark's child processes each print exactly one JSON line: the parent parses their whole
// output as one value. scaling-child imports give-back-child's timers, and give-back-child once
// also ran on scaling-child's `--child MiB` arguments (two lines, "Unexpected non-whitespace
// character after JSON" in `zsmalloc bench --only scaling`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

function child(script: string, ...args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line, got:\n${r.stdout}`);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('benchmark children', () => {
  it('scaling-child prints one result, with its give-back timed against the platform cut', () => {
    const r = child('src/bench/scaling-child.ts', '64');
    assert.equal(r.mib, 64);
    assert.ok(Number(r.objects) > 0 && Number(r.pagesFreed) > 0);
    assert.ok(Number(r.returnedBytes) > 0, 'the give-back returned pages');
  });

  it('give-back-child prints one result of its own', () => {
    const r = child('src/bench/give-back-child.ts', '64', '1');
    assert.equal(r.mib, 64);
    assert.ok(Number(r.movedBytes) >= 0 && Number(r.returnedBytes) > 0);
  });
});
