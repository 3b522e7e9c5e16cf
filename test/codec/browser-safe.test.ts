// The core codecs must run in browsers: nothing reachable from src/codec/codec.ts (the registry,
// none, lz4, lzo) may import a `node:` module or a package, and none of it may touch Node globals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const NODE_GLOBALS = /\b(?:process|Buffer|require|__dirname|global)\b\s*[.([]/;

/** Source files reachable from `entry` through relative imports, and every other import seen. */
function graph(entry: string): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external: string[] = [];
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.push(`${file}: ${spec}`);
    }
  };
  visit(entry);
  return { files, external };
}

describe('core codecs are browser-safe', () => {
  it('src/codec/codec.ts reaches no node: module or package, and no Node global', () => {
    const { files, external } = graph(resolve(root, 'src/codec/codec.ts'));
    assert.ok(
      files.some((f) => f.endsWith('lz4.ts')),
      'lz4 is part of the core registry',
    );
    assert.ok(
      files.some((f) => f.endsWith('lzo.ts')),
      'lzo is part of the core registry',
    );
    assert.deepEqual(external, []);
    for (const f of files) {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      assert.ok(!NODE_GLOBALS.test(code), `${f} uses a Node global`);
    }
  });

  it('the check would notice a node: import (it reads the node entry)', () => {
    const { external } = graph(resolve(root, 'src/codec/node/zlib-codecs.ts'));
    assert.ok(external.some((e) => e.endsWith('node:zlib')));
  });
});
