// The shipped files' sizes, raw and gzip -9, and the JavaScript budget: one definition for
// scripts/pack-check.mjs (which enforces the budget) and scripts/readme-figures.mjs (which writes the
// README's "Sizes" paragraph).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** All shipped JavaScript (page module + worklet), gzip -9, at most. */
export const JS_GZIP_BUDGET = 30 * 1024;

export const SHIPPED = ['dist/daw-elements.js', 'dist/daw-worklet.js', 'dist/daw-dsp.wasm'];

/** { 'dist/x': { raw, gzip } } in bytes, plus jsGzip (page module + worklet). */
export function distSizes(root) {
  const sizes = {};
  for (const f of SHIPPED) {
    const buf = readFileSync(join(root, f));
    sizes[f] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  }
  return { files: sizes, jsGzip: sizes['dist/daw-elements.js'].gzip + sizes['dist/daw-worklet.js'].gzip };
}

/** Bytes as kB (1024 bytes) with one decimal. */
export const kB = (bytes) => (bytes / 1024).toFixed(1);
