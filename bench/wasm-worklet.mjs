#!/usr/bin/env node
// The WASM alone, timed inside Chromium's AudioWorklet (its V8 is what users run; Node's may be
// years older and rank code differently: bench/README.md). A/B several builds in one run:
//   node bench/wasm-worklet.mjs [--wasm a.wasm,b.wasm] [--rounds 3] [--quanta 40000]
// Prints, per build, the best of the rounds in µs per 128-frame quantum for the bench's 32-channel
// mix (same strip, send and master settings): full strips, compressors at ratio 1, flat strips
// (0 dB EQ, ratio 1, no sends), and an engine with no channel.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { stripParams, MASTER, LIMIT } from './mix-settings.mjs';

const { values: o } = parseArgs({ options: {
  wasm: { type: 'string', default: new URL('../dist/daw-dsp.wasm', import.meta.url).pathname },
  rounds: { type: 'string', default: '3' },
  quanta: { type: 'string', default: '40000' },
} });
const builds = o.wasm.split(',').map((p) => resolve(p));

// The 32-channel mix of bench/page.mjs as parameter rows (index = position in protocol/contract.json).
const table = JSON.parse(await readFile(new URL('../protocol/contract.json', import.meta.url), 'utf8'));
const idx = Object.fromEntries(table.strip.map((p, i) => [p.name, i]));
const STRIPS = 68, STRIDE = 32, MASTER_STRIP = 67;
function rows(variant, channels) {
  const r = new Float32Array(STRIPS * STRIDE);
  for (let s = 0; s < STRIPS; s++) table.strip.forEach((p, i) => { r[s * STRIDE + i] = p.default; });
  const set = (s, o) => { for (const [k, v] of Object.entries(o)) { if (!(k in idx)) throw new Error(`no strip parameter ${k}`); r[s * STRIDE + idx[k]] = v; } };
  for (let i = 0; i < channels; i++) {
    set(i, { inputIndex: i });
    if (variant === 'flat') continue;
    set(i, variant === 'no comp' ? { ...stripParams(i), compRatio: 1 } : stripParams(i));
  }
  set(MASTER_STRIP, { ...MASTER, limiterCeilingDb: LIMIT.ceilingDb, limiterReleaseMs: LIMIT.releaseMs });
  return r;
}
const processor = await readFile(new URL('./peers/wasm-time-processor.js', import.meta.url));
const server = http.createServer((req, res) => {
  if (req.url === '/p.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(processor);
  else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>wasm-worklet</title>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await puppeteer.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--headless=new', '--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  // As the bench's `ours`, `ours-nocomp`, `ours-flat` and `ours-idle`.
  const variants = [['full', 32], ['no comp', 32], ['flat', 32], ['no channel', 0]];
  const best = new Map();
  for (let r = 0; r < +o.rounds; r++) {
    for (const [bi, file] of builds.entries()) {
      const bytes = [...(await readFile(file))];
      for (const [name, channels] of variants) {
        const us = await page.evaluate(async (bytes, opts) => {
          const ctx = new OfflineAudioContext(2, 1280, 48000);
          await ctx.audioWorklet.addModule('/p.js');
          const node = new AudioWorkletNode(ctx, 'wasm-time', { processorOptions: { ...opts, rows: new Float32Array(opts.rows), bytes: new Uint8Array(bytes).buffer } });
          node.connect(ctx.destination);
          const done = new Promise((res) => { node.port.onmessage = (e) => res(e.data.us); });
          ctx.startRendering();
          return done;
        }, bytes, { quanta: +o.quanta, channels, rows: [...rows(name, channels)] });
        const k = `${bi}\t${name}`;
        best.set(k, Math.min(best.get(k) ?? Infinity, us));
      }
    }
  }
  console.log(`${await browser.version()}, best of ${o.rounds} rounds, µs per quantum (budget 2667 at 48 kHz)`);
  for (const [bi, file] of builds.entries()) {
    console.log(`${file}: ` + variants.map(([name]) => `${name} ${best.get(`${bi}\t${name}`).toFixed(2)}`).join(', '));
  }
} finally {
  await browser.close();
  server.close();
}
