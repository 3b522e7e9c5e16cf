// The README's TypeScript examples are run as written (imports of 'zsmalloc' and
// 'zsmalloc/node' point at the sources), each in its own process: documentation that compiles
// and runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README examples', () => {
  it('has examples', () => assert.ok(blocks.length >= 5));
  blocks.forEach((code, i) => {
    const title = code.split('\n')[0];
    it(`example ${i + 1} runs: ${title}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'zsmalloc-readme-'));
      const file = join(dir, `example-${i}.mts`);
      const src = code
        .replaceAll("from 'zsmalloc/node'", `from '${join(root, 'src', 'node.ts')}'`)
        .replaceAll("from 'zsmalloc'", `from '${join(root, 'src', 'index.ts')}'`);
      // Lines the README marks as throwing are checked to throw, with the stated code.
      const checked = src.replace(
        /^(.*?);(\s*\/\/ throws ZsError \{ code: '(\w+)' \})$/gm,
        (_m, stmt, _c, code) =>
          `try { ${stmt}; throw new Error('expected ${code}'); } catch (e) { if ((e as { code?: string }).code !== '${code}') throw e; }`,
      );
      writeFileSync(file, `${checked}\nexport {};\n`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: root });
      assert.equal(r.status, 0, r.stderr);
    });
  });
});
