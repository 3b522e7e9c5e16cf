#!/usr/bin/env node
// Runs test/browser/workload.ts in headless Chromium (bundled from the core entry with esbuild,
// which tsx brings): proof that the core runs in a browser. Not part of `npm test` (CI has no
// browser); needs /usr/bin/chromium (Debian: apt-get install chromium). Prints the page's verdict.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-browser-'));
await build({
  entryPoints: ['test/browser/workload.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: join(dir, 'workload.js'),
  logLevel: 'error',
});
writeFileSync(
  join(dir, 'index.html'),
  '<!doctype html><pre id="out">RUNNING</pre><script type="module" src="workload.js"></script>',
);
const r = spawnSync(
  chromium,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--allow-file-access-from-files',
    `--user-data-dir=${join(dir, 'profile')}`,
    '--virtual-time-budget=20000',
    '--dump-dom',
    `file://${join(dir, 'index.html')}`,
  ],
  { encoding: 'utf8', timeout: 60000 },
);
const m = /<pre id="out">([^<]*)<\/pre>/.exec(r.stdout ?? '');
const verdict = m ? m[1] : `no result (chromium exit ${r.status}): ${(r.stderr ?? '').slice(0, 500)}`;
console.log(verdict);
process.exit(verdict.startsWith('PASS') ? 0 : 1);
