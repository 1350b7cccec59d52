// dist/daw-elements.js (elements/index.ts, the page module: registers the tags) and
// dist/daw-elements-classes.js (elements/classes.ts, what it imports: elements + engine, Lit bundled,
// no tag registered), dist/daw-worklet.js (the AudioWorklet module, self-contained) and
// dist/daw-dsp.wasm beside them: the page module finds the other two with new URL(...,
// import.meta.url), so a CDN include needs nothing else.
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

export default [
  // Two entries, one copy of the code: daw-elements-classes.js (`daw-elements/classes`) is the engine
  // and the element classes without registering any tag (define({ prefix }) is the page's call);
  // daw-elements.js imports it and registers the daw- tags. A page loads the code once either way.
  {
    input: { 'daw-elements': 'elements/index.ts', 'daw-elements-classes': 'elements/classes.ts' },
    // The lazy chunks import the code they share from daw-elements-classes.js (which may export more than
    // its public names for them) rather than splitting it into a third file.
    preserveEntrySignatures: 'allow-extension',
    // Code behind an import() (the pattern tags' code: elements/shared/patterns.ts, daw-steps' view) is a
    // chunk of its own, dist/daw-<module>.js, loaded by a page that uses it.
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'daw-[name].js' },
    plugins: [typescript(), nodeResolve(), minify(), copyWasm()],
  },
  {
    input: 'worklet/processor.ts',
    output: { file: 'dist/daw-worklet.js', format: 'es', sourcemap: true },
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
