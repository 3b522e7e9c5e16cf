#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with node:test through tsx, on the running Node.
// Node 20's --test does not expand globs or find .ts files by itself, so we list them here.
// Usage: node scripts/run-tests.mjs [substring ...]  (only files whose path contains one of them)
// Files run in parallel, one per core (node:test's default leaves one core idle: on a 2-core CI
// machine that halves the suite's share of a loaded CPU); ZSMALLOC_TEST_CONCURRENCY overrides it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test', [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = Number(process.env.ZSMALLOC_TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  ...files,
];
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, ZSMALLOC_TEST: '1' },
});
process.exit(r.status ?? 1);
