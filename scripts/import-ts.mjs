// For the `node --test` units beside the code: imports a TypeScript module (and what it imports)
// bundled in memory by esbuild, with no build and no browser. The generated contract tables are made
// first if missing (scripts/gen-contract.mjs takes milliseconds).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);

/** The module at `url` (a file: URL or path of a .ts file), bundled. */
export async function importTs(url) {
  if (!existsSync(new URL('protocol/generated/contract.ts', root))) {
    const r = spawnSync(process.execPath, [new URL('scripts/gen-contract.mjs', root).pathname], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('scripts/gen-contract.mjs failed');
  }
  const path = url instanceof URL ? url.pathname : url;
  const { outputFiles } = await build({ entryPoints: [path], bundle: true, format: 'esm', write: false, logLevel: 'error' });
  return import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);
}
