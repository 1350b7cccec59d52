// Micro-benchmark of the WASM alone (no browser, no worklet glue), in Node's V8 — the same WASM
// compiler as Chromium's. Usage:
//   node bench/wasm-micro.mjs [--channels 32] [--no-eq] [--no-comp] [--voices 0] [--quanta 20000]
// Prints microseconds per 128-frame quantum and the multiple of realtime at 48 kHz.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    wasm: { type: 'string', default: new URL('../build/daw-dsp.wasm', import.meta.url).pathname },
    channels: { type: 'string', default: '32' },
    voices: { type: 'string', default: '0' },
    quanta: { type: 'string', default: '20000' },
    'no-eq': { type: 'boolean', default: false },
    'no-comp': { type: 'boolean', default: false },
  },
});
const N = +o.channels, V = +o.voices, Q = +o.quanta;
const { instance } = await WebAssembly.instantiate(readFileSync(o.wasm), {});
const x = instance.exports;
x.daw_init(48000);
const mem = x.memory.buffer;
const params = new Float32Array(mem, x.daw_params_ptr(), 68 * 32);
const ctl = new Uint32Array(mem, x.daw_strip_ctl_ptr(), 68);
const ext = new Float32Array(mem, x.daw_ext_in_ptr(), 32 * 256);
const act = new Uint32Array(mem, x.daw_ext_active_ptr(), 32);
const synth = new Float32Array(mem, x.daw_synth_params_ptr(), 64 * 32);
const events = new Uint32Array(mem, x.daw_events_ptr(), x.daw_events_capacity() * 8);
const eventsF = new Float32Array(mem, x.daw_events_ptr(), x.daw_events_capacity() * 8);
const count = new Uint32Array(mem, x.daw_events_count_ptr(), 1);
const frame = new Uint32Array(mem, x.daw_frame_ptr(), 2);
for (let c = 0; c < N; c++) {
  const b = c * 32;
  if (!o['no-eq']) { params[b + 2] = 3; params[b + 4] = -2; params[b + 7] = 2; }
  if (!o['no-comp']) { params[b + 9] = -20; params[b + 10] = 4; }
  params[b + 16] = (c % 8) / 4 - 1;
  params[b + 19] = +(process.env.SEND ?? 0.2);
  params[b + 24] = c < 32 && V === 0 ? c : -1; // external input (channels fed by voices get none)
  ctl[c] = 3;
}
let s = 1;
for (let i = 0; i < ext.length; i++) { s = (s * 16807) % 2147483647; ext[i] = (s / 2147483647 - 0.5) * 0.5; }
act.fill(V === 0 ? 1 : 0);
// Voices: V held notes spread over the synths of the first min(N, 32) channels (saw, filter moving).
const synths = Math.max(1, Math.min(N, 32));
for (let k = 0; k < synths; k++) {
  const b = k * 32;
  synth.set([2, 0.5, 0, 0, 5, 100, 0.8, 200, 2000, 0.3, 2, 0.5, -12, 8, 0, 1, k], b);
}
let n = 0;
for (let v = 0; v < V; v++) {
  const o8 = n * 8;
  events[o8] = 1; events[o8 + 1] = v % synths; events[o8 + 2] = v + 1;
  eventsF[o8 + 3] = 36 + (v * 7) % 48; eventsF[o8 + 4] = 0.8;
  events[o8 + 5] = 0; events[o8 + 6] = 0; n++;
}
count[0] = n;
let f = 0;
const step = () => { frame[0] = f; x.daw_process(); f += 128; };
for (let i = 0; i < 2000; i++) step();
const t0 = performance.now();
for (let i = 0; i < Q; i++) step();
const us = (performance.now() - t0) * 1000 / Q;
const st = new Uint32Array(mem, x.daw_status_ptr(), 16);
console.log(`${N} channels${o['no-eq'] ? '' : ' +EQ'}${o['no-comp'] ? '' : ' +comp'}, ${V} voices (${st[5]} sounding): ${us.toFixed(1)} us/quantum = ${(2666.67 / us).toFixed(1)}x realtime`);
