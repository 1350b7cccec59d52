// The shipped files' sizes, raw and gzip -9, and the JavaScript budgets: one definition for
// scripts/pack-check.mjs (which enforces the budgets) and scripts/readme-figures.mjs (which writes the
// README's "Sizes" paragraph). `node scripts/sizes.mjs` prints them.
//
// Two figures, each file gzipped on its own as a server sends it:
// - the core load: what a page using only <daw-engine>, <daw-channel>, <daw-synth> and <daw-clip>
//   fetches: the page module and every chunk it imports statically (followed through the chunks'
//   own `import ... from "./x.js"`), the worklet and the load clock's worker (fetched at start() on a
//   cross-origin isolated page). test/lazy.test.js checks in the browsers that such a page fetches
//   nothing else. Each feature chunk (imported on first use) is listed with what it adds.
// - the total: every .js file in dist/ (what a page that uses every feature fetches, plus the
//   side-effect-free classes entry).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// History of the budget. The issue's target is 30 kB for all shipped JavaScript. Minifying took it
// from 39.8 to 28.9 kB; recovery, define({ prefix }), the advice per cause and the preload then added
// 5.6 kB, #14's analysis readers, engine.record() and the analysis tags 8.5 kB, the transport (#13)
// 3.6 kB, the console tags (#12) 2.2 kB, DSP-load telemetry (#15) 2.5 kB, the reverb and delay's
// parameters 0.6 kB: 52.5 kB (53,734 bytes) in one page bundle, against a guard of 53 kB.
// Then the split (#10 part 4): the feature tags (<daw-transport>; <daw-meter>, <daw-loudness>,
// <daw-spectrum>, <daw-scope>; <daw-bus>, <daw-mixer>), the WAV encoder and the recovery's rebuild
// became chunks loaded on first use. The core load went from 52.5 to 45.8 kB; the total grew from
// 52.5 to 56.8 kB, because each chunk is gzipped on its own and small files compress worse (one
// chunk a feature set rather than one a tag keeps that to 4.2 kB; see rollup.config.mjs). What the core
// load still holds, by module: `node scripts/bundle-report.mjs dist/daw-core.js`.
// Merged with the same stop's features, each of which put its code behind a call in chunks of its
// own: engine.snapshot/restore/bounce/recordInput and <daw-engine>'s export and record buttons (#14;
// 0.9 kB in the core: the methods that import their chunks, the buttons' template), engine.loadMidi
// (#13; dist/daw-midi.js), adaptive quality (#15; 1.0 kB in the core, dist/daw-quality-link.js).
// Automation on the timeline and the transport restored after a recovery (#13: src/automation.ts,
// src/timeline.ts's copy of the events, the resume record) added 2.0 kB to the core.
// #13's pattern tags (<daw-sequence>, <daw-steps>): their classes and code in feature chunks, clip
// launches and repeating events in transport.schedule() in the core. All of this stop merged: the core
// load 50.3 kB (51,529 bytes), all JavaScript 85.9 kB (87,938 bytes, 21 files); the guards below are
// those figures rounded up.

/** Target for the core load (the issue's 30 kB). Not met: the guard below is what is checked. */
export const CORE_GZIP_TARGET = 30 * 1024;
/** The core load, gzip -9, at most: the measured 50.3 kB (51,529 bytes) rounded up; it stops growth. */
export const CORE_GZIP_BUDGET = 50.4 * 1024;
/** All shipped JavaScript, gzip -9, at most: the measured 85.9 kB (87,938 bytes) rounded up. */
export const JS_GZIP_BUDGET = 86 * 1024;

/** The page module: its static imports are the core load. */
export const PAGE = 'dist/daw-elements.js';
/** Loaded by the engine, not imported: the AudioWorklet module and the load clock's worker. */
export const ENGINE_FILES = ['dist/daw-worklet.js', 'dist/daw-clock.js'];

/** Every shipped JavaScript file (dist/*.js, the chunks included) and the WASM. */
export function shipped(root) {
  const js = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js')).sort().map((f) => `dist/${f}`);
  return [...js, 'dist/daw-dsp.wasm'];
}

/** The relative modules `code` imports statically (`import ... from "./x.js"`, `export ... from`, `import "./x.js"`); not `import("./x.js")`. */
export function staticImports(code) {
  const out = new Set();
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{][^;"'()]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) out.add(m[1]);
  return [...out];
}

/** The relative modules `code` imports dynamically (`import("./x.js")`). */
export function dynamicImports(code) {
  return [...new Set([...code.matchAll(/\bimport\(\s*["'](\.\/[^"']+\.js)["']\s*\)/g)].map((m) => m[1]))];
}

/** `file` and every dist/ file it imports statically, transitively. */
export function staticClosure(root, file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(root, file), 'utf8');
  for (const rel of staticImports(code)) staticClosure(root, `dist/${rel.slice(2)}`, seen);
  return seen;
}

/**
 * { files: { 'dist/x': { raw, gzip } }, jsGzip (every .js file), core: { files, gzip } (the core
 * load), features: [{ file, gzip (what it adds to the core load, with the chunks it imports) }] }, bytes.
 */
export function distSizes(root) {
  const files = {};
  for (const f of shipped(root)) {
    const buf = readFileSync(join(root, f));
    files[f] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  }
  const js = Object.keys(files).filter((f) => f.endsWith('.js'));
  const sum = (list) => list.reduce((n, f) => n + files[f].gzip, 0);
  const coreFiles = [...staticClosure(root, PAGE), ...ENGINE_FILES];
  const core = { files: coreFiles, gzip: sum(coreFiles) };
  const features = [];
  for (const f of [...staticClosure(root, PAGE)]) {
    for (const rel of dynamicImports(readFileSync(join(root, f), 'utf8'))) {
      const file = `dist/${rel.slice(2)}`;
      if (features.some((x) => x.file === file)) continue;
      const adds = [...staticClosure(root, file)].filter((x) => !coreFiles.includes(x));
      features.push({ file, gzip: sum(adds) });
    }
  }
  return { files, jsGzip: sum(js), core, features };
}

/** Bytes as kB (1024 bytes) with one decimal. */
export const kB = (bytes) => (bytes / 1024).toFixed(1);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  const s = distSizes(root);
  console.log('file (raw / gzip -9)');
  for (const [f, v] of Object.entries(s.files)) console.log(`  ${f.padEnd(30)} ${kB(v.raw).padStart(6)} kB ${kB(v.gzip).padStart(6)} kB`);
  console.log(`core load (${s.core.files.join(', ')}): ${kB(s.core.gzip)} kB gzip (${s.core.gzip} bytes; guard ${kB(CORE_GZIP_BUDGET)} kB, target ${kB(CORE_GZIP_TARGET)} kB)`);
  for (const x of s.features) console.log(`  on first use: ${x.file} +${kB(x.gzip)} kB`);
  console.log(`all JavaScript: ${kB(s.jsGzip)} kB gzip (${s.jsGzip} bytes; guard ${kB(JS_GZIP_BUDGET)} kB)`);
}
