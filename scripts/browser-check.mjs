#!/usr/bin/env node
// Runs test/browser/workload.ts in headless Chromium (bundled from the core entry with esbuild,
// a devDependency): proof that the core runs in a browser. Not part of `npm test`; .ci/run runs it
// and installs Debian's chromium when missing. Needs /usr/bin/chromium or $CHROMIUM. Prints the
// page's verdict (PASS … or FAIL …) and exits non-zero unless it passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
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
];
// The page's verdict, or null when Chromium itself produced none (it crashed or hung before the
// page could write one). The timeout only stops a hung browser.
function attempt() {
  const r = spawnSync(chromium, args, { encoding: 'utf8', timeout: 300_000 });
  const m = /<pre id="out">([^<]*)<\/pre>/.exec(r.stdout ?? '');
  if (m && m[1] !== 'RUNNING') return { verdict: m[1] };
  const why = r.error ? r.error.message : `exit ${r.status}${r.signal ? `, ${r.signal}` : ''}`;
  return {
    verdict: null,
    why: `${m ? 'the page never finished' : 'no page'} (chromium ${why}): ${(r.stderr ?? '').slice(-500)}`,
  };
}
if (!existsSync(chromium)) {
  console.log(`FAIL: no browser at ${chromium} (Debian: apt-get install chromium; or set CHROMIUM)`);
  process.exit(1);
}
let a = attempt();
if (a.verdict === null) {
  // A browser that did not start is retried once; a page verdict, PASS or FAIL, never is.
  console.log(`chromium gave no verdict, retrying once: ${a.why}`);
  a = attempt();
}
const verdict = a.verdict ?? `FAIL: no result from chromium: ${a.why}`;
console.log(verdict);
process.exit(verdict.startsWith('PASS') ? 0 : 1);
