// The module-graph reading behind the core-load figure (scripts/sizes.mjs): static imports are
// followed, dynamic ones are not (they load on first use), on minified output as Rollup and terser
// write it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamicImports, staticClosure, staticImports } from './sizes.mjs';

test('staticImports: import/export ... from and bare imports, not import()', () => {
  const code = 'import{W as a}from"./daw-core.js";export{A as B}from"./daw-core.js";import"./side.js";export*from"./all.js";'
    + 'const x=()=>import("./daw-wav.js");let s="import{a}from\'./in-a-string\'";';
  assert.deepEqual(staticImports(code), ['./daw-core.js', './side.js', './all.js']);
  assert.deepEqual(dynamicImports(code), ['./daw-wav.js']);
  assert.deepEqual(staticImports('import {\n a,\n b\n} from "./multi.js";'), ['./multi.js']);
});

test('staticClosure: follows static imports through the chunks, once each, not dynamic ones', () => {
  const root = mkdtempSync(join(tmpdir(), 'sizes-'));
  try {
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/page.js'), 'import{a}from"./core.js";a();');
    writeFileSync(join(root, 'dist/core.js'), 'import"./shared.js";export const a=()=>import("./feature.js");');
    writeFileSync(join(root, 'dist/shared.js'), 'import"./core.js";');
    writeFileSync(join(root, 'dist/feature.js'), 'import"./shared.js";');
    assert.deepEqual([...staticClosure(root, 'dist/page.js')].sort(), ['dist/core.js', 'dist/page.js', 'dist/shared.js']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
