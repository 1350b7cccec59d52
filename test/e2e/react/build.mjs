// Builds the React page for the end-to-end suite: type-checks it (tsc -p test/e2e/react: App.tsx,
// main.tsx and the cases in jsx-types.tsx that must fail, against dist/types), then builds it with
// Vite into build/e2e-react/. test/e2e/run.mjs calls it after `npm run build` made dist/;
// `node test/e2e/react/build.mjs` runs it alone. Throws with tsc's or Vite's output on failure.
// `npm test` runs the e2e step in Chromium and then Firefox: the second finds the build made from
// the same inputs (a hash of this folder, dist/ and package-lock.json, kept beside the build) and
// skips both steps (they took ~9 s of CPU here).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
export const outDir = join(root, 'build', 'e2e-react');
const stamp = join(outDir, '.inputs-sha256');

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

/** SHA-256 over the names and contents of everything the type-check and the build read. */
function inputsHash() {
  const h = createHash('sha256');
  for (const f of [...walk(here), ...walk(join(root, 'dist')), join(root, 'package-lock.json')].sort()) h.update(`${relative(root, f)}\0`).update(readFileSync(f));
  return h.digest('hex');
}

/** True when build/e2e-react/ was type-checked and built from exactly the current inputs. */
export function upToDate() {
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === inputsHash();
}

/** Type-checks the page with the package's shipped declarations; throws tsc's messages. */
export function typecheck() {
  if (!existsSync(join(root, 'dist', 'types'))) throw new Error('dist/types is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', here], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -p test/e2e/react failed:\n${r.stdout}${r.stderr}`);
}

/** Builds the page with Vite into build/e2e-react/; returns the output folder. */
export async function build() {
  const { build: vite } = await import('vite');
  const hash = inputsHash();
  await vite({ configFile: join(here, 'vite.config.mjs') });
  writeFileSync(stamp, hash); // only after a type-check (run.mjs, main below) and a build that passed
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  typecheck();
  await build();
  console.log(`built ${outDir}`);
}
