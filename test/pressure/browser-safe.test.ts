// The core pressure modules must run in browsers: no node: imports, no process global, no Linux reader.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'pressure');

describe('core pressure modules', () => {
  it('import nothing from node: and nothing from pressure/node', () => {
    const core = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    assert.ok(core.length >= 6, core.join()); // budget, external, heap, level, monitor, source
    for (const f of core) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.doesNotMatch(text, /from ['"]node:/, f);
      assert.doesNotMatch(text, /from ['"]\.\/node\//, f);
      assert.doesNotMatch(text, /\bprocess\./, f);
    }
  });
});
