#!/usr/bin/env node
// `npm run soak`: an hour of a seeded random session rendered offline through the real engine in
// headless Chromium (test/soak/offline.js), twice, checked: every sample finite, peak <= the master
// limiter's ceiling, JS heap and WASM memory flat, both renders bit-identical (a 64-bit hash of
// the output's bits per chunk; SHA-256 over the chunks' hashes for the session).
// `npm run soak -- --realtime`: 10 minutes of a live page (test/soak/realtime.js) with DOM churn,
// attribute storms and note storms: no late or dropped notes, heap flat.
//
// Flags: --seed=N (default 1), --minutes=M (offline: audio rendered, default 60; realtime: wall
// time, default 10), --chunk=S (offline: seconds per OfflineAudioContext, default 300), --once (offline:
// skip the second render), --plain (page without COOP/COEP: the batched-message path), --json=FILE.
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { openPage, arg } from '../test/soak/browser.mjs';

const REALTIME = arg('realtime', false) === true;
const SEED = Number(arg('seed', 1));
const MINUTES = Number(arg('minutes', REALTIME ? 10 : 60));
const CHUNK = Number(arg('chunk', 300));
const ONCE = arg('once', false) === true;
const PLAIN = arg('plain', false) === true;
const JSON_OUT = arg('json', null);
const MiB = 1048576;
/** Flat heap: the settled JS heap may move by at most this much over the run (see the report). */
const HEAP_BOUND = 4 * MiB;
/** Peak tolerance over the ceiling: the limiter's last step is a clamp to ±ceiling in f32. */
const PEAK_TOL = 1e-6;

const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(7)}s]`, ...a);
const failures = [];
const check = (ok, what) => { if (!ok) { failures.push(what); log(`FAIL: ${what}`); } return ok; };
const mb = (b) => `${(b / MiB).toFixed(2)} MiB`;
const db = (x) => (x > 0 ? (20 * Math.log10(x)).toFixed(3) : '-inf');

async function offline(page) {
  const chunks = Math.ceil((MINUTES * 60) / CHUNK);
  const passes = ONCE ? 1 : 2;
  const report = { seed: SEED, minutes: MINUTES, chunkSeconds: CHUNK, passes: [] };
  for (let pass = 0; pass < passes; pass++) {
    const results = [];
    const heap0 = await page.evaluate(() => window.soak.settledHeap());
    const t = Date.now();
    for (let i = 0; i < chunks; i++) {
      const seconds = Math.min(CHUNK, MINUTES * 60 - i * CHUNK);
      const c = await page.evaluate((a) => window.soak.chunk(a), { seed: SEED, index: i, seconds });
      const heapAfter = await page.evaluate(() => window.soak.settledHeap());
      c.heapAfterChunk = heapAfter;
      results.push(c);
      const hs = c.memory.map((m) => m.heap);
      const ws = c.memory.map((m) => m.wasmBytes);
      log(`pass ${pass + 1} chunk ${i + 1}/${chunks}: ${c.seconds.toFixed(1)} s in ${(c.renderMs / 1000).toFixed(1)} s (${(c.seconds * 1000 / c.renderMs).toFixed(1)}x RT)`
        + ` peak ${db(c.peak)} dBFS / ceiling ${c.ceilingDb.toFixed(2)} dB, voices ${c.stats.voicesMin}..${c.stats.voicesMax} (mean ${c.stats.voicesMean.toFixed(1)}),`
        + ` ${c.stats.paramChanges} changes, ${c.stats.notes} notes, late ${c.status.lateNotes}, dropped ${c.status.droppedNotes}, stolen ${c.status.stolenVoices},`
        + ` heap ${mb(Math.min(...hs))}..${mb(Math.max(...hs))}, wasm ${mb(Math.min(...ws))}..${mb(Math.max(...ws))}, hash ${c.hash}`);
      check(c.nonFinite === 0 && c.status.nonFiniteSamples === 0, `chunk ${i}: ${c.nonFinite} non-finite output samples, status.nonFiniteSamples ${c.status.nonFiniteSamples}`);
      check(c.peak <= c.ceilingLin * (1 + PEAK_TOL), `chunk ${i}: peak ${c.peak} (${db(c.peak)} dBFS) above the ceiling ${c.ceilingLin} (${c.ceilingDb} dB)`);
      check(c.status.lateNotes === 0 && c.status.droppedNotes === 0, `chunk ${i}: late notes ${c.status.lateNotes}, dropped ${c.status.droppedNotes}`);
      // Within the chunk: the readings after the first (taken before the storm's first sample swap
      // and channel churn had warmed anything up) stay within HEAP_BOUND; WASM memory within the
      // sample heap's reuse (no growth past what the largest set of samples needed).
      const later = hs.slice(1);
      if (later.length > 1) check(Math.max(...later) - Math.min(...later) <= HEAP_BOUND, `chunk ${i}: JS heap moved ${mb(Math.max(...later) - Math.min(...later))} within the chunk (bound ${mb(HEAP_BOUND)})`);
      check(Math.max(...ws) - c.wasmAfterSetup <= 16 * MiB, `chunk ${i}: WASM memory grew ${mb(Math.max(...ws) - c.wasmAfterSetup)} after setup (bound 16 MiB: two 3 s stereo samples' worth of fragmentation)`);
      check(heapAfter - heap0 <= HEAP_BOUND, `pass ${pass + 1}: JS heap after chunk ${i} is ${mb(heapAfter - heap0)} above the start (bound ${mb(HEAP_BOUND)})`);
    }
    const all = results.map((c) => c.hash).join('');
    const sessionHash = createHash('sha256').update(all).digest('hex');
    const wallS = (Date.now() - t) / 1000;
    const heaps = results.map((c) => c.heapAfterChunk);
    const summary = {
      pass: pass + 1, sessionHash, wallSeconds: wallS, audioSeconds: results.reduce((n, c) => n + c.seconds, 0),
      peakMax: Math.max(...results.map((c) => c.peak)), worstPeakOverCeilingDb: Math.max(...results.map((c) => 20 * Math.log10(c.peak / c.ceilingLin))),
      heapStart: heap0, heapAfterChunks: heaps, wasmBytes: [...new Set(results.flatMap((c) => c.memory.map((m) => m.wasmBytes)))],
      paramChanges: results.reduce((n, c) => n + c.stats.paramChanges, 0), notes: results.reduce((n, c) => n + c.stats.notes, 0),
      voicesMean: results.reduce((n, c) => n + c.stats.voicesMean, 0) / results.length, voicesMin: Math.min(...results.map((c) => c.stats.voicesMin)), voicesMax: Math.max(...results.map((c) => c.stats.voicesMax)),
      stolenVoices: results.reduce((n, c) => n + c.status.stolenVoices, 0), errorCodes: results.reduce((o, c) => { for (const [k, v] of Object.entries(c.errorCodes)) o[k] = (o[k] ?? 0) + v; return o; }, {}),
      chunks: results.map(({ memory, ...c }) => ({ ...c, heapMin: Math.min(...memory.map((m) => m.heap)), heapMax: Math.max(...memory.map((m) => m.heap)) })),
    };
    report.passes.push(summary);
    log(`pass ${pass + 1}: ${summary.audioSeconds} s of audio in ${wallS.toFixed(0)} s (${(summary.audioSeconds / wallS).toFixed(1)}x RT); peak ${db(summary.peakMax)} dBFS, worst peak over its ceiling ${summary.worstPeakOverCeilingDb.toFixed(6)} dB;`
      + ` ${summary.paramChanges} parameter changes, ${summary.notes} notes, voices ${summary.voicesMin}..${summary.voicesMax} (mean ${summary.voicesMean.toFixed(1)}), ${summary.stolenVoices} stolen;`
      + ` heap ${mb(heap0)} at start, after chunks ${mb(Math.min(...heaps))}..${mb(Math.max(...heaps))}; WASM ${summary.wasmBytes.map(mb).join(', ')}; daw-error ${JSON.stringify(summary.errorCodes)}; session sha256 ${sessionHash}`);
  }
  if (passes === 2) {
    const [a, b] = report.passes;
    a.chunks.forEach((c, i) => check(c.hash === b.chunks[i].hash, `chunk ${i}: second render differs (${c.hash} vs ${b.chunks[i].hash})`));
    check(a.sessionHash === b.sessionHash, 'the second render of the seed is not bit-identical');
    if (a.sessionHash === b.sessionHash) log(`second render bit-identical: sha256 ${a.sessionHash}`);
  }
  return report;
}

async function realtime(page) {
  const r = await page.evaluate((a) => window.soak.run(a), { seed: SEED, seconds: MINUTES * 60 });
  const st = r.status;
  const hs = r.heap.map((h) => h.heap);
  // Heap: the first reading is before the session warmed up (Lit templates, the first elements);
  // flat means every later reading within HEAP_BOUND of each other.
  const later = hs.slice(1);
  const spread = later.length ? Math.max(...later) - Math.min(...later) : 0;
  const failures = [];
  if (st.lateNotes !== 0 || st.droppedNotes !== 0) failures.push(`late notes ${st.lateNotes}, dropped ${st.droppedNotes}`);
  if (st.nonFiniteSamples !== 0) failures.push(`${st.nonFiniteSamples} non-finite samples`);
  if (r.unexpected.length) failures.push(`errors other than validation: ${r.unexpected.join(' | ')}`);
  if (r.stallMs > 2000) failures.push(`the engine stopped rendering for ${(r.stallMs / 1000).toFixed(1)} s`);
  if (spread > HEAP_BOUND) failures.push(`JS heap moved ${mb(spread)} after warm-up (bound ${mb(HEAP_BOUND)}): ${later.map(mb).join(', ')}`);
  if (r.stats.notes < 1000) failures.push(`only ${r.stats.notes} notes played`);
  const s = r.stats;
  const summary = `realtime ${r.seconds.toFixed(0)} s (${r.shared ? 'shared memory' : 'messages'}): ${s.ticks} frames, ${s.channelsAdded} <daw-channel> added / ${s.channelsRemoved} removed, `
    + `${s.synthsAdded} <daw-synth> added / ${s.synthsRemoved} removed / ${s.synthMoves} moved, ${s.attributes} attribute changes, ${s.notes} notes (${s.notesRefused} refused); `
    + `late ${st.lateNotes}, dropped ${st.droppedNotes}, stolen ${st.stolenVoices}, non-finite ${st.nonFiniteSamples}; voices ${Math.min(...r.samples.map((x) => x.voices))}..${Math.max(...r.samples.map((x) => x.voices))}; `
    + `quanta ${st.quanta} (context clock ${st.expectedQuanta}), longest stall ${(r.stallMs / 1000).toFixed(2)} s; heap ${mb(hs[0])} at start, then ${mb(Math.min(...later))}..${mb(Math.max(...later))} (spread ${mb(spread)}); `
    + `WASM ${mb(st.wasmBytes)}; daw-error ${JSON.stringify(r.errors)}; port messages ${st.messagesPosted}`;
  return { ...r, failures, summary };
}

const { page, close, errors, version } = await openPage(REALTIME ? 'test/soak/realtime.html' : 'test/soak/offline.html', { isolated: !PLAIN, log });
let report;
try {
  log(`${version}, ${PLAIN ? 'page without COOP/COEP' : 'cross-origin isolated page'}, seed ${SEED}, ${REALTIME ? `realtime ${MINUTES} min` : `offline ${MINUTES} min in ${CHUNK} s chunks`}`);
  report = REALTIME ? await realtime(page) : await offline(page);
  if (REALTIME) {
    for (const f of report.failures) check(false, f);
    log(report.summary);
  }
} catch (e) {
  check(false, `soak stopped: ${e.stack ?? e}`);
} finally {
  await close();
}
for (const e of errors) check(false, e);
if (JSON_OUT && report) writeFileSync(JSON_OUT, JSON.stringify(report, null, 1));
log(failures.length ? `soak FAILED: ${failures.length} problem(s)` : 'soak passed');
process.exit(failures.length ? 1 : 0);
