// dist/daw-elements.js (elements/index.ts, the page module: registers the tags) and
// dist/daw-elements-classes.js (elements/classes.ts: elements + engine, no tag registered) share
// their code through chunks: daw-core.js (the engine, the core tags, Lit), and the chunks loaded on
// first use (the feature tags' sets, the WAV encoder, recovery's rebuild; see manualChunks below).
// dist/daw-worklet.js (the AudioWorklet module, self-contained), dist/daw-clock.js and
// dist/daw-dsp.wasm beside them: the code finds them, and the chunks, relative to its own URL
// (new URL(..., import.meta.url), import('./x.js')), so a CDN include needs nothing else.
import { transform } from 'esbuild';
import { minify as terser } from 'terser';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** TypeScript through esbuild (types are checked separately by `tsc --noEmit`). */
function typescript() {
  return {
    name: 'esbuild-ts',
    resolveId(source, importer) {
      if (importer && source.startsWith('.') && source.endsWith('.js')) {
        const ts = resolve(dirname(importer), source.slice(0, -3) + '.ts');
        if (existsSync(ts)) return ts;
      }
      return null;
    },
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      // useDefineForClassFields false, as in tsconfig.json: with define semantics a class field would
      // shadow a Lit reactive property's accessor and silently stop it reacting.
      const r = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: true, sourcefile: id,
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } });
      return { code: r.code, map: r.map };
    },
  };
}

/**
 * Minifies each output chunk with terser in renderChunk. terser, not esbuild's minifier (esbuild
 * already compiles the TypeScript): on this bundle it is ~0.9 kB gzip (3%) smaller, headroom under
 * the 30 kB budget (scripts/sizes.mjs). The map it returns describes the rendered chunk; Rollup
 * chains it with the chunk's own map, so dist/*.js.map still points into src/, elements/, worklet/
 * and lit. Lit's @license headers are kept.
 *
 * reduce_funcs: false — otherwise terser moves a function called from one place into that place as
 * a function expression, `x + function (..) {..}(..)`: a new closure on every call. It did so with
 * ringDrain in the worklet's process(), 32 bytes a quantum, which test/alloc.test.js caught.
 */
function minify() {
  return {
    name: 'terser',
    async renderChunk(code, chunk) {
      const r = await terser(code, {
        module: true, ecma: 2020, compress: { passes: 2, reduce_funcs: false },
        format: { comments: /@license/ },
        sourceMap: { filename: chunk.fileName, asObject: true },
      });
      return { code: r.code, map: r.map };
    },
  };
}

function copyWasm() {
  return {
    name: 'copy-wasm',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'daw-dsp.wasm', source: readFileSync('build/daw-dsp.wasm') });
    },
  };
}

/**
 * The page module's chunks (the split, measured by scripts/sizes.mjs and scripts/bundle-report.mjs):
 * daw-core.js is what a page with only the core tags loads with daw-elements.js; each feature set is
 * one chunk, imported on first use (elements/lazy-define.ts, engine.record(), recovery). One chunk a
 * feature set, not one a tag: each chunk is gzipped on its own, and small ones compress worse (one a
 * tag cost 2.3 kB more in all than one a set).
 */
const FEATURE_SETS = {
  // <daw-meter>, <daw-loudness>, <daw-spectrum>, <daw-scope> and what only they use
  analysis: /elements\/(daw-meter|daw-loudness|daw-spectrum|daw-scope)\/|elements\/shared\/(analysis|canvas)\.ts$/,
  // <daw-bus>, <daw-mixer>
  console: /elements\/(daw-bus|daw-mixer)\//,
  transport: /elements\/daw-transport\//,
  // <daw-sequence>, <daw-steps> and the pattern code they share (the grid's view, daw-steps-view.js,
  // loads when a grid first renders)
  patterns: /elements\/daw-(sequence|steps)\/daw-(sequence|steps)(\.component)?\.ts$|elements\/shared\/(pattern-element|patterns|pattern-grammar)\.ts$/,
};
/**
 * The core chunk is what the page module reaches by static imports; everything else (the feature
 * sets above, and any module imported only with import(): src/wav.ts, src/rebuild.ts, what other
 * features add) is left to Rollup's own chunking, so new lazy code stays out of the core by itself.
 * Named, or a feature chunk would take in the core modules it shares with the core.
 */
let core = null;
function manualChunks(id, { getModuleIds, getModuleInfo }) {
  for (const [name, re] of Object.entries(FEATURE_SETS)) if (re.test(id)) return name;
  if (!core) {
    core = new Set();
    const stack = [...getModuleIds()].filter((m) => /elements\/index\.ts$/.test(m));
    while (stack.length) {
      const m = stack.pop();
      if (core.has(m)) continue;
      core.add(m);
      stack.push(...getModuleInfo(m).importedIds);
    }
  }
  return core.has(id) && !/elements\/index\.ts$/.test(id) ? 'core' : undefined;
}
/** Forgets the core set between builds (rollup --watch). */
const resetCore = () => ({ name: 'reset-core', buildStart() { core = null; } });
// engine.loadMidi()'s module (src/midi-load.ts, the reader and loader) is dist/daw-midi.js.
const chunkFileNames = (chunk) => (chunk.name === 'midi-load' ? 'daw-midi.js' : `daw-${chunk.name}.js`);

export default [
  // Two entries, one copy of the code: daw-elements-classes.js (`daw-elements/classes`) is the engine
  // and every element class without registering any tag (define({ prefix }) is the page's call);
  // daw-elements.js registers the daw- tags, the feature ones on first appearance. A page loads each
  // chunk once either way.
  {
    input: { 'daw-elements': 'elements/index.ts', 'daw-elements-classes': 'elements/classes.ts' },
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames, manualChunks },
    plugins: [resetCore(), typescript(), nodeResolve(), minify(), copyWasm()],
  },
  {
    input: 'worklet/processor.ts',
    output: { file: 'dist/daw-worklet.js', format: 'es', sourcemap: true },
    plugins: [typescript(), minify()],
  },
  // engine.recordInput()'s tap (worklet/input-tap.ts): a second, small worklet module, added to the
  // context on first use only.
  {
    input: 'worklet/input-tap.ts',
    output: { file: 'dist/daw-input-worklet.js', format: 'es', sourcemap: true },
    plugins: [typescript(), minify()],
  },
  // The load clock's worker (src/clock-worker.ts): a classic script (no import or export left), so
  // it also runs from a Blob URL made from its text when the page module comes from another origin.
  {
    input: 'src/clock-worker.ts',
    output: { file: 'dist/daw-clock.js', format: 'es', sourcemap: true },
    plugins: [typescript(), minify()],
  },
];
