#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with node:test through tsx, on the running Node.
// Node 20's --test does not expand globs or find .ts files by itself, so we list them here.
// Usage: node scripts/run-tests.mjs [substring ...]  (only files whose path contains one of them)
//
// Speed on a small loaded machine: starting Node with tsx costs about a second of CPU per file, so
// the unit files run together in one process (one generated module importing them all), and only
// the end-to-end files (which spawn processes, measure RSS or replay the kernel traces) get a
// process each. Processes run one per core (node:test's default leaves one core idle: on 2 cores
// that halves the suite's share of a loaded CPU); ZSMALLOC_TEST_CONCURRENCY overrides it.
// ZSMALLOC_TEST_ISOLATE=1 gives every file its own process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Files that need a process of their own: they spawn children, measure RSS, run for long (so the
 * other process runs the rest meanwhile) or check the process's global state.
 */
const OWN_PROCESS = [
  'test/cli/bench-children.test.ts', // spawns benchmark children
  'test/cli/cli.test.ts',
  'test/cli/demo.test.ts',
  'test/codec/registry.test.ts', // checks what the core entry alone registers
  'test/docs/readme.test.ts',
  'test/pool/kernel-parity',
  'test/pool/rss.test.ts',
  'test/pool/pool-model.test.ts',
  'test/pressure/auto.test.ts',
  'test/pressure/integration.test.ts',
  'test/store/zstore.test.ts',
  'test/zram/zram.test.ts',
  'test/zram/kernel-parity', // replays the kernel's zram traces
  'test/zram/simulate.test.ts', // worker threads, reads its own process's memory
];

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
const isolate = process.env.ZSMALLOC_TEST_ISOLATE === '1';
const own = files.filter((f) => isolate || OWN_PROCESS.some((p) => f.startsWith(p)));
const unit = files.filter((f) => !own.includes(f));
let dir = null;
const run = [...own];
if (unit.length === 1) run.push(unit[0]);
else if (unit.length > 1) {
  dir = mkdtempSync(join(tmpdir(), 'zsmalloc-tests-'));
  const entry = join(dir, 'unit.test.mts');
  writeFileSync(
    entry,
    unit.map((f) => `import ${JSON.stringify(pathToFileURL(resolve(f)).href)};\n`).join(''),
  );
  run.unshift(entry);
}
const concurrency = Number(process.env.ZSMALLOC_TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const args = [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  ...run,
];
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, ZSMALLOC_TEST: '1' },
});
if (dir !== null) rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
