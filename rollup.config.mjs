// dist/daw-elements.js (the page module: elements + engine, Lit bundled; dist/daw-elements-classes.js is
// the same without registering the tags), dist/daw-worklet.js (the
// AudioWorklet module, self-contained) and dist/daw-dsp.wasm beside them: the page module finds the
// other two with new URL(..., import.meta.url), so a CDN include needs nothing else.
import { transform } from 'esbuild';
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
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } }, define: { DEV_MODE: 'false' } });
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
  {
    input: 'src/daw-elements.ts',
    output: { file: 'dist/daw-elements.js', format: 'es', sourcemap: true },
    plugins: [typescript(), nodeResolve(), copyWasm()],
  },
  // The same without registering any tag (`daw-elements/classes`: define({ prefix }) is the page's call).
  {
    input: 'src/daw-elements-classes.ts',
    output: { file: 'dist/daw-elements-classes.js', format: 'es', sourcemap: true },
    plugins: [typescript(), nodeResolve()],
  },
  {
    input: 'worklet/processor.ts',
    output: { file: 'dist/daw-worklet.js', format: 'es', sourcemap: true },
    plugins: [typescript()],
  },
];
