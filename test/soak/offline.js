// The offline soak (scripts/soak.mjs): a seeded random session rendered through the real engine
// (worklet + WASM) on OfflineAudioContexts, one chunk per context, each in its own iframe
// (offline-chunk.html, removed afterwards: Chromium 156 keeps an OfflineAudioContext that loaded an
// AudioWorklet module alive with its rendered buffer for as long as its document lives, engine or not;
// the host page, offline.html, measures the heap across chunks). An OfflineAudioContext holds its
// whole output in memory (an hour of stereo f32 would be 1.4 GB) and cannot be restarted, so an hour
// is rendered as consecutive chunks (default 5 minutes), each a fresh engine rebuilt from the seed and
// the chunk's number, and each chunk is driven through suspend()/resume() every 38 quanta (~0.1 s):
// at every stop the page changes parameters (storms), schedules notes and clips for the next stretch,
// swaps samples, and reads the engine's status and the JS heap. Everything depends only on the seed,
// so a second render of the same seed must be bit-identical (a 64-bit hash of the output's bits).
import { Engine, STRIP_PARAMS, SYNTH_PARAMS } from '../../dist/daw-elements.js';
import { rng } from './rng.js';

const SR = 48000;
const QUANTUM = 128;
/** Frames between two suspends: a whole number of quanta (38 x 128 = 4864, 0.101 s). */
const STEP = 38 * QUANTUM;
const CHANNELS = 32;
const PADS = 8; // synths that hold 8-note chords: 64 voices all the time
const SYNTHS = 32;
const CLIP_CHANNELS = 8; // channels 24..31 also play clips
const SAMPLES = 8;

const stripSpecs = STRIP_PARAMS.filter((p) => !p.internal);
const synthSpecs = SYNTH_PARAMS.filter((p) => !p.internal);

/** JS heap after two full collections (Chromium with --expose-gc and precise memory info). */
export function settledHeap() {
  if (typeof window.gc === 'function') { window.gc(); window.gc(); }
  return performance.memory ? performance.memory.usedJSHeapSize : NaN;
}

/**
 * A storm value for `spec`: mostly inside the range, often exactly at an edge, sometimes beyond it
 * (clamped and reported as daw-error 'out-of-range'), -Infinity where the range starts there.
 */
export function stormValue(r, spec) {
  if (spec.unit === 'bool') return r.chance(0.5);
  if (spec.values) return r.chance(0.5) ? r.pick(spec.values) : r.int(0, spec.values.length - 1);
  const lo = Number.isFinite(spec.min) ? spec.min : -90;
  const x = r.next();
  if (x < 0.6) return r.range(lo, spec.max);
  if (x < 0.8) return r.chance(0.5) ? spec.min : spec.max;
  if (x < 0.9) return r.chance(0.5) ? spec.min - r.range(0, 100) : spec.max + r.range(0, 100) * (spec.max - lo + 1);
  return r.chance(0.5) ? lo : (lo + spec.max) / 2;
}

/** Deterministic sample data: a few shapes, mono or stereo. */
function sampleData(r) {
  const n = r.int(256, Math.round(SR * 3));
  const stereo = r.chance(0.5);
  const kind = r.int(0, 3);
  const f = r.range(30, 8000);
  const amp = r.pick([0.1, 0.5, 1, r.range(0, 1)]);
  const make = (ph) => {
    const a = new Float32Array(n);
    let x = (r.next() * 4294967296) >>> 0;
    for (let i = 0; i < n; i++) {
      if (kind === 0) a[i] = amp * Math.sin(2 * Math.PI * f * i / SR + ph);
      else if (kind === 1) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; a[i] = amp * ((x / 4294967296) * 2 - 1); }
      else if (kind === 2) a[i] = i % Math.max(1, Math.round(SR / f)) === 0 ? amp : 0; // impulse train
      else a[i] = amp * (((i * f / SR) % 1) * 2 - 1); // naive saw (aliasing: a hard input)
    }
    return a;
  };
  const l = make(0);
  const opts = r.chance(0.3) ? { loopStart: 0, loopEnd: (n * r.range(0.1, 1)) / SR } : {};
  if (opts.loopEnd !== undefined && opts.loopEnd * SR < 2) delete opts.loopEnd;
  return { data: stereo ? [l, make(1)] : l, opts };
}

/**
 * Reads the rendered buffer through copyFromChannel into one reused scratch array (so its channel
 * data never become JS ArrayBuffers, and the heap readings see only what the engine and this page
 * hold): counts non-finite samples, finds the peak and hashes the bits. The hash is 64 bits, two
 * independent FNV-1a lanes over the 32-bit words (both channels interleaved per block): for telling
 * two renders apart, not for security.
 */
const SCRATCH = new Float32Array(65536);
const SCRATCH_U32 = new Uint32Array(SCRATCH.buffer);
function scan(buf) {
  let peak = 0, nonFinite = 0;
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  for (let c = 0; c < buf.numberOfChannels; c++) {
    for (let o = 0; o < buf.length; o += SCRATCH.length) {
      const n = Math.min(SCRATCH.length, buf.length - o);
      buf.copyFromChannel(SCRATCH, c, o);
      for (let i = 0; i < n; i++) {
        const a = Math.abs(SCRATCH[i]);
        if (!(a <= 3.4e38)) nonFinite++; // NaN or Infinity
        else if (a > peak) peak = a;
        const w = SCRATCH_U32[i];
        h1 = Math.imul(h1 ^ w, 0x01000193);
        h2 = Math.imul(h2 ^ (w >>> 16 | w << 16), 0x5bd1e995) ^ (h2 >>> 15);
      }
    }
  }
  const hex = (x) => (x >>> 0).toString(16).padStart(8, '0');
  return { peak, nonFinite, hash: hex(h1) + hex(h2) };
}

/**
 * Renders chunk `index` of session `seed`: `seconds` of audio. Returns what the node side checks and
 * reports: finite, peak against the limiter ceiling, hash, status counters, memory readings.
 */
export async function chunk({ seed, index, seconds, memoryEvery = 10 }) {
  const r = rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const frames = Math.ceil((seconds * SR) / STEP) * STEP;
  const heapStart = settledHeap();
  const ctx = new OfflineAudioContext(2, frames, SR);
  const e = new Engine({ context: ctx, inputs: 0 });
  const errorCodes = {};
  e.addEventListener('daw-error', (ev) => { errorCodes[ev.detail.code] = (errorCodes[ev.detail.code] ?? 0) + 1; });
  await e.start();

  // The limiter ceiling is fixed per chunk (an edge or a random value); everything else storms.
  const ceilingDb = r.pick([-24, 0, -1, r.range(-24, 0)]);
  e.master.set('limiterCeilingDb', ceilingDb);
  e.master.set('volumeDb', r.range(0, 12)); // drive the limiter
  for (let b = 0; b < 3; b++) e.bus(b).set('volumeDb', r.range(-12, 6));

  const channels = [];
  for (let c = 0; c < CHANNELS; c++) channels.push(e.createChannel({ label: `soak ${c}`, volumeDb: r.range(-12, 6), pan: r.range(-1, 1), sendReverb: r.range(0, 0.5), sendDelay: r.range(0, 0.5), sendDrum: r.range(0, 0.5) }));
  const synths = [];
  for (let s = 0; s < SYNTHS; s++) {
    const pad = s < PADS;
    synths.push(e.createSynth(channels[s % CHANNELS], {
      wave: r.int(0, 4), polyphony: pad ? 8 : r.int(2, 8), attackMs: pad ? r.range(0, 50) : r.range(0, 20), sustain: pad ? 1 : r.range(0, 1),
      releaseMs: r.range(5, pad ? 2000 : 600), cutoffHz: r.range(200, 20000), resonance: r.range(0, 1), gainDb: r.range(-24, 0),
    }));
  }
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) { const d = sampleData(r); samples.push(await e.loadSample(d.data, d.opts)); }
  const padEnd = new Float64Array(PADS);

  const stats = { steps: 0, paramChanges: 0, notes: 0, clipEvents: 0, sampleSwaps: 0, channelSwaps: 0, voicesMin: Infinity, voicesMax: 0, voicesSum: 0 };
  const memory = []; // { t, heap, wasmBytes }
  const wasmAfterSetup = e.status().wasmBytes;
  const stepsPerReading = Math.max(1, Math.round((memoryEvery * SR) / STEP));

  /** One stop at frame k * STEP: the storm for the next STEP frames. */
  const work = async (k) => {
    const t0 = (k * STEP) / SR;
    const t1 = ((k + 1) * STEP) / SR;
    const at = () => t0 + r.range(0, t1 - t0 - 1 / SR);
    // Parameter storm: usually a few dozen changes, sometimes hundreds.
    const n = r.chance(0.1) ? r.int(100, 400) : r.int(5, 40);
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (x < 0.7) {
        const spec = r.pick(stripSpecs.filter((p) => p.scope === 'all' || p.scope === 'channel'));
        channels[r.int(0, CHANNELS - 1)].set(spec.name, stormValue(r, spec));
      } else if (x < 0.8) {
        const spec = r.pick(stripSpecs.filter((p) => p.scope === 'all'));
        e.bus(r.int(0, 2)).set(spec.name, stormValue(r, spec));
      } else if (x < 0.88) {
        const spec = r.pick(stripSpecs.filter((p) => (p.scope === 'all' || p.scope === 'master') && p.name !== 'limiterCeilingDb'));
        e.master.set(spec.name, stormValue(r, spec));
      } else {
        const spec = r.pick(synthSpecs);
        synths[r.int(PADS, SYNTHS - 1)].set(spec.name, stormValue(r, spec));
      }
      stats.paramChanges++;
    }
    // Pads: a new 8-note chord when the last one is about to end.
    for (let p = 0; p < PADS; p++) {
      if (padEnd[p] - t0 > 0.2) continue;
      const start = at();
      const dur = r.range(2, 8);
      const root = r.int(36, 72);
      for (let v = 0; v < 8; v++) synths[p].play(root + v * r.int(2, 5), dur, { time: start, velocity: r.range(0.3, 1) });
      stats.notes += 8;
      padEnd[p] = start + dur;
    }
    // Note storm on the other synths: short notes at exact frames inside this stretch.
    const notes = r.chance(0.05) ? r.int(20, 60) : r.int(0, 6);
    for (let i = 0; i < notes; i++) {
      synths[r.int(PADS, SYNTHS - 1)].play(r.range(0, 127), r.pick([0, r.range(0.005, 0.3), r.range(0.3, 2)]), { time: at(), velocity: r.pick([0, 1, r.next()]) });
      stats.notes++;
    }
    // Clips on the last channels: play (loop, offset, gain up to the edge) or stop.
    if (r.chance(0.08)) {
      const ch = channels[CHANNELS - 1 - r.int(0, CLIP_CHANNELS - 1)];
      if (r.chance(0.75)) {
        const s = r.pick(samples);
        ch.play(s, { time: at(), loop: r.chance(0.6), offset: r.chance(0.5) ? 0 : r.range(0, s.duration * 1.5), gain: r.pick([0, 16, r.range(0, 2)]) });
      } else ch.stop(at());
      stats.clipEvents++;
    }
    // Every ~30 s: a sample is freed (its players stop) and another one loaded in its place.
    if (r.chance(1 / 300)) {
      const i = r.int(0, SAMPLES - 1);
      samples[i].dispose();
      const d = sampleData(r);
      samples[i] = await e.loadSample(d.data, d.opts);
      stats.sampleSwaps++;
    }
    // Every ~10 s: a storm channel is disposed and a new one claims a slot; its synth follows.
    if (r.chance(1 / 100)) {
      const c = r.int(PADS, CHANNELS - CLIP_CHANNELS - 1);
      channels[c].dispose();
      channels[c] = e.createChannel({ label: `soak ${c}'`, volumeDb: r.range(-12, 6), pan: r.range(-1, 1), sendReverb: r.range(0, 1) });
      for (const s of synths) if (s.channel?.isDisposed) s.route(channels[c]);
      stats.channelSwaps++;
    }
    const st = e.status();
    stats.voicesMin = Math.min(stats.voicesMin, st.activeVoices);
    stats.voicesMax = Math.max(stats.voicesMax, st.activeVoices);
    stats.voicesSum += st.activeVoices;
    stats.steps++;
    if (k % stepsPerReading === 0) memory.push({ t: t0, heap: settledHeap(), wasmBytes: st.wasmBytes });
  };

  const t = performance.now();
  const steps = frames / STEP;
  let failure = null;
  const schedule = (k) => {
    if (k >= steps) return;
    ctx.suspend((k * STEP) / SR).then(async () => {
      try {
        await work(k);
        schedule(k + 1);
        await e.flush();
      } catch (err) {
        failure = failure ?? err;
      }
      await ctx.resume();
    });
  };
  await work(0);
  await e.flush();
  schedule(1);
  const buf = await ctx.startRendering();
  const renderMs = performance.now() - t;
  if (failure) throw failure;

  const { peak, nonFinite, hash } = scan(buf);
  const status = e.status();
  await e.close();
  return {
    index, seconds: frames / SR, renderMs, ceilingDb, ceilingLin: Math.fround(Math.pow(10, ceilingDb / 20)), peak, nonFinite, hash,
    status: { nonFiniteSamples: status.nonFiniteSamples, lateNotes: status.lateNotes, droppedNotes: status.droppedNotes, stolenVoices: status.stolenVoices, droppedClipEvents: status.droppedClipEvents, lateClipEvents: status.lateClipEvents, stateResets: status.stateResets, wasmBytes: status.wasmBytes, quanta: status.quanta },
    stats: { ...stats, voicesMean: stats.voicesSum / stats.steps }, errorCodes, wasmAfterSetup, memory, heapStart, heapEnd: settledHeap(),
  };
}

window.soak = { chunk, settledHeap };
window.ready = true;
