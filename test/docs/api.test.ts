// The public API is deliberate: the runtime names of `zsmalloc` and `zsmalloc/node` are exactly
// the ones docs/api.md lists (a name added or removed without updating the page fails here), and
// nothing from `zsmalloc/internals` leaks into them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import * as core from '../../src/index.js';
import * as internals from '../../src/internals.js';
import * as node from '../../src/node.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const page = readFileSync(join(root, 'docs', 'api.md'), 'utf8');

/** Names in the first column of the table under the heading that starts with `heading`. */
function documented(heading: string): string[] {
  const at = page.indexOf(heading);
  assert.ok(at >= 0, `docs/api.md has a section "${heading}"`);
  const next = page.indexOf('\n## ', at + heading.length);
  const section = page.slice(at, next < 0 ? undefined : next);
  return [...section.matchAll(/^\| `([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]).sort();
}

describe('public API', () => {
  it('zsmalloc exports exactly the runtime names docs/api.md lists', () => {
    assert.deepEqual(Object.keys(core).sort(), documented('## `zsmalloc` — runtime names'));
  });

  it('zsmalloc/node adds exactly the names docs/api.md lists', () => {
    const added = Object.keys(node).filter((k) => !(k in core));
    assert.deepEqual(added.sort(), documented('## `zsmalloc/node` — adds'));
  });

  it('the section headings give the right counts', () => {
    assert.match(page, new RegExp(`## \`zsmalloc\` — runtime names \\(${Object.keys(core).length}\\)`));
    const added = Object.keys(node).length - Object.keys(core).length;
    assert.match(page, new RegExp(`## \`zsmalloc/node\` — adds \\(${added} runtime names\\)`));
  });

  it('no internal name is public', () => {
    const leaked = Object.keys(internals).filter((k) => k in node);
    assert.deepEqual(leaked, []);
  });
});
