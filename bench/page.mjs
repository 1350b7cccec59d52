// Browser side of the benchmark suite: every scenario builds the same work with every contender from
// the same sources. bench/run.mjs drives this page through puppeteer (window.bench.*), one contender
// run per call, and does the rounds, rotation, medians and reports.
import { stripParams, MASTER, LIMIT } from './mix-settings.mjs';
import { songNotes, songBytes, TPQ, TEMPI } from './song.mjs';
const SR = 48000;
const Q = 128;
const NBUF = 32;
const BUF_SECONDS = 2;
const base = new URL('.', import.meta.url);
const isolated = globalThis.crossOriginIsolated === true;

// ---------- counting instrumentation (ports, audio nodes) ----------
const counters = { posts: 0, nodes: 0 };
{
  const orig = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (...a) { counters.posts++; return orig.apply(this, a); };
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (!/Node$/.test(name) || name === 'AudioNode') continue;
    const C = globalThis[name];
    if (typeof C !== 'function' || !(C.prototype instanceof AudioNode)) continue;
    const Wrapped = class extends C { constructor(...a) { super(...a); counters.nodes++; } };
    Object.defineProperty(Wrapped, 'name', { value: name });
    globalThis[name] = Wrapped;
  }
  for (const k of Object.getOwnPropertyNames(BaseAudioContext.prototype)) {
    if (!k.startsWith('create') || k === 'createBuffer' || k === 'createPeriodicWave') continue;
    const f = BaseAudioContext.prototype[k];
    if (typeof f !== 'function') continue;
    BaseAudioContext.prototype[k] = function (...a) { counters.nodes++; return f.apply(this, a); };
  }
}

// ---------- the shared sources: 32 different 2 s stereo buffers, deterministic ----------
function makeBuffers() {
  const bufs = [];
  for (let b = 0; b < NBUF; b++) {
    const n = SR * BUF_SECONDS;
    const buf = new AudioBuffer({ numberOfChannels: 2, length: n, sampleRate: SR });
    const L = buf.getChannelData(0), R = buf.getChannelData(1);
    let seed = (b + 1) * 2654435761 >>> 0;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
    const f0 = 55 * Math.pow(2, (b % 24) / 12);
    let lp = 0;
    for (let i = 0; i < n; i++) {
      const t = i / SR;
      const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * (0.5 + (b % 5)) * t); // level movement for the compressors
      let x;
      if (b % 2 === 0) { lp += 0.2 * (rnd() - lp); x = 0.5 * lp + 0.1 * rnd(); }
      else x = 0.3 * Math.sin(2 * Math.PI * f0 * t) + 0.15 * Math.sin(2 * Math.PI * f0 * 3.01 * t) + 0.05 * rnd();
      L[i] = x * env;
      R[i] = x * (0.6 + 0.4 * env);
    }
    bufs.push(buf);
  }
  return bufs;
}
let BUFS = null;
const buffers = () => (BUFS ??= makeBuffers());

const db = (d) => Math.pow(10, d / 20);
const SEND_KEYS = ['sendReverb', 'sendDelay', 'sendDrum'];

// ---------- engine loading ----------
let daw = null, dawError = null;
async function loadEngine() {
  if (daw || dawError) return daw;
  try { daw = await import(new URL('../dist/daw-elements.js', base).href); }
  catch (e) { dawError = String(e && e.message || e); }
  return daw;
}

// ---------- contender graph builders (any BaseAudioContext) ----------
function sources(ctx, n, start = true) {
  const bufs = buffers();
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = new AudioBufferSourceNode(ctx, { buffer: bufs[i % NBUF], loop: true });
    if (start) s.start(0);
    out.push(s);
  }
  return out;
}

/** Native: per channel 3 biquads + compressor + panner + gain + 3 send gains; buses; master comp + limiter. */
function buildNative(ctx, n, feed) {
  const master = new DynamicsCompressorNode(ctx, { threshold: MASTER.compThresholdDb, ratio: MASTER.compRatio, knee: MASTER.compKneeDb, attack: MASTER.compAttackMs / 1000, release: MASTER.compReleaseMs / 1000 });
  const limiter = new DynamicsCompressorNode(ctx, { threshold: LIMIT.ceilingDb, ratio: 20, knee: 0, attack: 0.001, release: LIMIT.releaseMs / 1000 });
  master.connect(limiter).connect(ctx.destination);
  const buses = [0, 1, 2].map(() => { const g = new GainNode(ctx); g.connect(master); return g; });
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const p = stripParams(i);
    const lo = new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: p.eqLowHz, gain: p.eqLowDb });
    const mid = new BiquadFilterNode(ctx, { type: 'peaking', frequency: p.eqMidHz, Q: p.eqMidQ, gain: p.eqMidDb });
    const hi = new BiquadFilterNode(ctx, { type: 'highshelf', frequency: p.eqHighHz, gain: p.eqHighDb });
    const comp = new DynamicsCompressorNode(ctx, { threshold: p.compThresholdDb, ratio: p.compRatio, knee: p.compKneeDb, attack: p.compAttackMs / 1000, release: p.compReleaseMs / 1000 });
    const fader = new GainNode(ctx, { gain: db(p.volumeDb) });
    const pan = new StereoPannerNode(ctx, { pan: p.pan });
    lo.connect(mid).connect(hi).connect(comp).connect(fader).connect(pan).connect(master);
    SEND_KEYS.forEach((k, b) => { if (p[k] > 0) { const s = new GainNode(ctx, { gain: p[k] }); pan.connect(s).connect(buses[b]); } });
    inputs.push(lo);
  }
  inputs.out = limiter;
  if (feed) feed.forEach((s, i) => s.connect(inputs[i % n]));
  return inputs;
}

/** One JS AudioWorkletNode per channel (and per bus and master), sends as GainNodes. */
async function buildJs(ctx, n, feed) {
  await ctx.audioWorklet.addModule(new URL('./peers/js-strip-processor.js', base));
  const opts = (p) => ({ numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], channelCount: 2, channelCountMode: 'explicit', processorOptions: p });
  const master = new AudioWorkletNode(ctx, 'js-strip', opts({ ...MASTER, limiter: 1, limiterCeilingDb: LIMIT.ceilingDb, limiterReleaseMs: LIMIT.releaseMs }));
  master.connect(ctx.destination);
  const buses = [0, 1, 2].map(() => { const b = new AudioWorkletNode(ctx, 'js-strip', opts({})); b.connect(master); return b; });
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const p = stripParams(i);
    const node = new AudioWorkletNode(ctx, 'js-strip', opts(p));
    node.connect(master);
    SEND_KEYS.forEach((k, b) => { if (p[k] > 0) { const s = new GainNode(ctx, { gain: p[k] }); node.connect(s).connect(buses[b]); } });
    inputs.push(node);
  }
  inputs.out = master;
  if (feed) feed.forEach((s, i) => s.connect(inputs[i % n]));
  return inputs;
}

/** Ours: one engine (one AudioWorkletNode) on ctx; channels fed through connectSource. */
/** variant: '' full strips; 'flat' default params (EQ 0 dB, ratio 1, fader 0 dB, no sends); 'nocomp' EQ etc. but ratio 1; 'nosrc' channels claimed, no sources. */
async function buildOurs(ctx, n, feed, { variant = '', startFirst = true, inputs } = {}) {
  const { Engine } = await loadEngine();
  const engine = new Engine({ context: ctx, inputs });
  if (startFirst) await engine.start();
  const chans = [];
  if (variant === 'nosrc') feed = null;
  for (let i = 0; i < n; i++) {
    const ch = engine.createChannel(variant === 'flat' ? {} : variant === 'nocomp' ? { ...stripParams(i), compRatio: 1 } : stripParams(i));
    chans.push(ch);
  }
  if (feed) feed.forEach((s, i) => { if (i < n) chans[i].connectSource(s); });
  engine.master.setAll(MASTER);
  engine.master.setAll({ limiterCeilingDb: LIMIT.ceilingDb, limiterReleaseMs: LIMIT.releaseMs });
  if (!startFirst) await engine.start();
  await engine.flush();
  return { engine, chans };
}

/** Tone.js (UMD build from node_modules). */
let ToneP = null;
function loadTone() {
  return (ToneP ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = new URL('../node_modules/tone/build/Tone.js', base).href;
    s.onload = () => resolve(globalThis.Tone);
    s.onerror = () => reject(new Error('could not load Tone.js'));
    document.head.append(s);
  }));
}
function buildTone(Tone, n, feed) {
  const master = new Tone.Compressor({ threshold: MASTER.compThresholdDb, ratio: MASTER.compRatio, knee: MASTER.compKneeDb, attack: MASTER.compAttackMs / 1000, release: MASTER.compReleaseMs / 1000 });
  const limiter = new Tone.Limiter(LIMIT.ceilingDb);
  master.chain(limiter, Tone.getDestination());
  // buses as Tone.Channels; sends as Tone.Gains (what Channel.send/receive build, without its page-global bus map)
  const buses = [0, 1, 2].map(() => { const bus = new Tone.Channel(); bus.connect(master); return bus; });
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const p = stripParams(i);
    const eq = new Tone.EQ3({ low: p.eqLowDb, mid: p.eqMidDb, high: p.eqHighDb, lowFrequency: 250, highFrequency: 4000 });
    const comp = new Tone.Compressor({ threshold: p.compThresholdDb, ratio: p.compRatio, knee: p.compKneeDb, attack: p.compAttackMs / 1000, release: p.compReleaseMs / 1000 });
    const ch = new Tone.Channel({ volume: p.volumeDb, pan: p.pan });
    eq.chain(comp, ch);
    ch.connect(master);
    SEND_KEYS.forEach((k, b) => { if (p[k] > 0) { const g = new Tone.Gain(p[k]); ch.connect(g); g.connect(buses[b]); } });
    inputs.push(eq);
  }
  if (feed) feed.forEach((s, i) => Tone.connect(s, inputs[i % n]));
  return inputs;
}

// ---------- synth voices for the peers: Oscillator -> lowpass -> envelope gain ----------
const SYNTH = { wave: 'saw', attackMs: 5, decayMs: 80, sustain: 0.6, releaseMs: 30, cutoffHz: 2400, polyphony: 4, gainDb: -12 };
/** The dense pattern: 64 lanes (2 per channel, 32 channels), one note per lane every 0.25 s, legato. */
function pattern(seconds, lanes = 64, step = 0.25) {
  const notes = [];
  for (let l = 0; l < lanes; l++) {
    for (let k = 0, t = (l % 4) * (step / 4); t + step <= seconds + 1e-9; k++, t += step) {
      notes.push({ lane: l, ch: l % 32, pitch: 36 + ((l * 7 + k * 5) % 36), time: t, dur: step * 0.98, vel: 0.6 + 0.4 * (((l + k) % 3) / 2) });
    }
  }
  return notes;
}
/**
 * Peers' voices are created just in time, in the same 1 s chunks (OfflineAudioContext.suspend) as ours:
 * creating all ~5,000 notes' nodes up front keeps every filter and gain in the graph for the whole
 * render (0.5x realtime for 20 s instead of ~3x), which no real app would do.
 */
function nativeVoices(ctx, inputs, notes) {
  const sorted = [...notes].sort((a, b) => a.time - b.time);
  let next = 0;
  const laneOut = [];
  const until = (t) => { const batch = []; while (next < sorted.length && sorted[next].time < t) batch.push(sorted[next++]); nativeVoiceNodes(ctx, inputs, batch, laneOut); };
  until(1.5);
  const seconds = ctx.length / ctx.sampleRate;
  for (let t = 1; t < seconds; t += 1) ctx.suspend(t).then(() => { until(t + 1.5); return ctx.resume(); });
}
function nativeVoiceNodes(ctx, inputs, notes, laneOut) {
  const atk = SYNTH.attackMs / 1000, dec = SYNTH.decayMs / 1000, rel = SYNTH.releaseMs / 1000;
  for (const n of notes) {
    let out = laneOut[n.lane];
    if (!out) { out = laneOut[n.lane] = new GainNode(ctx, { gain: db(SYNTH.gainDb) }); out.connect(inputs[n.ch]); }
    const osc = new OscillatorNode(ctx, { type: 'sawtooth', frequency: 440 * Math.pow(2, (n.pitch - 69) / 12) });
    const lp = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: SYNTH.cutoffHz, Q: 0.707 });
    const env = new GainNode(ctx, { gain: 0 });
    const g = env.gain, t = n.time, v = n.vel;
    g.setValueAtTime(0, t); g.linearRampToValueAtTime(v, t + atk); g.setTargetAtTime(v * SYNTH.sustain, t + atk, dec / 3);
    g.setTargetAtTime(0, t + n.dur, rel / 3);
    osc.connect(lp).connect(env).connect(out);
    osc.start(t); osc.stop(t + n.dur + rel * 4);
  }
}
/**
 * Ours: one synth per lane. The event ring holds 1024 records (a note is 2), so an offline render is fed
 * in 1 s chunks from OfflineAudioContext.suspend() callbacks, 0.5 s ahead of the render position
 * ('ours-nonotes' runs the same synths and suspends without notes: the overhead of this feeding).
 */
function oursVoices(engine, chans, notes, ctx) {
  const synths = [];
  for (let l = 0; l < 64; l++) synths.push(engine.createSynth(chans[l % 32], { ...SYNTH, wave: 2 }));
  const sorted = [...notes].sort((a, b) => a.time - b.time);
  let next = 0;
  const pushUntil = (t) => {
    while (next < sorted.length && sorted[next].time < t) { const n = sorted[next++]; synths[n.lane].play(n.pitch, n.dur, { time: n.time, velocity: n.vel }); }
  };
  const play = notes.length > 0;
  if (play) pushUntil(1.5);
  const seconds = ctx.length / ctx.sampleRate;
  for (let t = 1; t < seconds; t += 1) {
    ctx.suspend(t).then(async () => { if (play) pushUntil(t + 1.5); await engine.flush(); await ctx.resume(); });
  }
  return synths;
}

// ---------- helpers ----------
async function timeRender(ctx) {
  const t0 = performance.now();
  const buf = await ctx.startRendering();
  const ms = performance.now() - t0;
  let peak = 0;
  const d = buf.getChannelData(0);
  for (let i = 0; i < d.length; i += 7) { const a = Math.abs(d[i]); if (a > peak) peak = a; }
  return { ms, peak, nan: Number.isNaN(peak) };
}
function result(ms, seconds, extra = {}) {
  const quanta = Math.ceil((seconds * SR) / Q);
  return { renderMs: ms, seconds, xRealtime: (seconds * 1000) / ms, usPerQuantum: (ms * 1000) / quanta, ...extra };
}
const gc = () => { if (typeof globalThis.gc === 'function') { globalThis.gc(); globalThis.gc(); } };
const heap = () => (performance.memory ? performance.memory.usedJSHeapSize : NaN);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- the MIDI song (bench/song.mjs) on a realtime context: ours through engine.loadMidi, Tone.js through Transport + Parts ----------
const SONG_SYNTH = { wave: 'square', attackMs: 0, decayMs: 100, sustain: 1, releaseMs: 1, cutoffHz: 20000, gainDb: -12 };
const TONE_SYNTH = { oscillator: { type: 'square' }, envelope: { attack: 0, decay: 0.1, sustain: 1, release: 0.001 }, volume: -12 };
const SONG_LEAD = 0.3; // s between the start call and the song's first beat

/**
 * Onsets in `x`: frames where |x| first exceeds 2% of the peak after at least 24 frames below it (the
 * notes are 37 and 31 frames long at 44.1 kHz, 110 and 92 frames apart, square waves with no attack).
 * `exact` holds each note's intended time in frames of `x`, unrounded; `latency` the contender's
 * known delay (our limiter's look-ahead; 0 for Tone.js). The offset is the most common distance of
 * onsets from their notes, near `latency` (a constant delay is latency, not onset error). Each note
 * takes the detected onset within ±40 frames of exact + offset (else it is missing); its error is
 * how many frames it lies off the frame nearest its time: 0 when
 * |onset − offset − exact| ≤ 0.5 (a time exactly half-way between two frames is 0 either way), else
 * ceil(|…| − 0.5), signed + late, − early.
 */
function onsetErrors(x, exact, latency) {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  const thr = 0.02 * peak, found = [];
  let quiet = 24;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > thr) { if (quiet >= 24) found.push(i); quiet = 0; } else quiet++;
  }
  if (!found.length) return { peak, detected: 0, missing: exact.length };
  const match = (offset, each) => {
    let j = 0, missing = 0;
    for (const f of exact) {
      const want = f + offset;
      while (j < found.length && found[j] < want - 40) j++;
      if (j < found.length && Math.abs(found[j] - want) <= 40) each(found[j++] - want); else missing++;
    }
    return missing;
  };
  // The offset: the most common distance of the onsets from their notes (matched around the known
  // latency): notes on time share it, late ones spread out behind it.
  const count = new Map();
  match(latency, (d) => { const k = Math.round(d); count.set(k, (count.get(k) ?? 0) + 1); });
  const offset = latency + [...count].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0])[0];
  const errs = [];
  // 1e-6: the exact times are computed in f64 (~1e-12 frame of error), so a time exactly half-way
  // between two frames may come out a hair under x.5 while its note (rightly) starts on x + 1.
  const missing = match(offset, (d) => errs.push(Math.sign(d) * Math.max(0, Math.ceil(Math.abs(d) - 0.5 - 1e-6))));
  const abs = errs.map(Math.abs).sort((a, b) => a - b);
  return {
    peak, detected: found.length, missing, extra: found.length - errs.length, offsetFrames: offset,
    maxAbsErr: abs.at(-1) ?? NaN, p99AbsErr: abs[Math.floor(0.99 * (abs.length - 1))] ?? NaN, meanAbsErr: abs.reduce((a, b) => a + b, 0) / (abs.length || 1),
    exact: abs.filter((e) => e === 0).length, within1: abs.filter((e) => e <= 1).length, late: errs.filter((e) => e > 1).length, early: errs.filter((e) => e < -1).length,
  };
}

let SONG = null, toneErrors = 0;

// ---------- scenarios ----------
const bench = {
  async init() {
    await loadEngine();
    buffers();
    return { isolated, ours: !!daw, oursError: dawError, ua: navigator.userAgent, preciseMemory: !!performance.memory, gc: typeof globalThis.gc === 'function' };
  },

  /** N-channel mix from the shared looping buffers. */
  async mix({ contender, channels = 32, seconds = 20 }) {
    const frames = Math.ceil(seconds * SR);
    if (contender === 'tone') {
      const Tone = await loadTone();
      const ctx = new Tone.OfflineContext(2, seconds, SR);
      Tone.setContext(ctx);
      const bufs = buffers();
      const feed = [];
      for (let i = 0; i < channels; i++) {
        const src = ctx.createBufferSource(); // Tone's (standardized-audio-context) wrapper of a native source
        src.buffer = bufs[i % NBUF];
        src.loop = true;
        src.start(0);
        feed.push(src);
      }
      buildTone(Tone, channels, feed);
      await ctx.workletsAreReady?.();
      const t0 = performance.now();
      const buf = await ctx.render(false);
      const ms = performance.now() - t0;
      const d = buf.getChannelData(0);
      let peak = 0;
      for (let i = 0; i < d.length; i += 7) peak = Math.max(peak, Math.abs(d[i]));
      return result(ms, seconds, { peak });
    }
    const ctx = new OfflineAudioContext(2, frames, SR);
    if (contender === 'sources') {
      const g = new GainNode(ctx, { gain: 0.1 });
      g.connect(ctx.destination);
      sources(ctx, channels).forEach((s) => s.connect(g));
    } else if (contender === 'sum') {
      await ctx.audioWorklet.addModule(new URL('./peers/sum-processor.js', base));
      const node = new AudioWorkletNode(ctx, 'bench-sum', { numberOfInputs: channels, numberOfOutputs: 1, outputChannelCount: [2] });
      node.connect(ctx.destination);
      sources(ctx, channels).forEach((s, i) => s.connect(node, 0, i));
    } else if (contender === 'nop') {
      await ctx.audioWorklet.addModule(new URL('./peers/sum-processor.js', base));
      const node = new AudioWorkletNode(ctx, 'bench-nop', { numberOfInputs: channels, numberOfOutputs: 1, outputChannelCount: [2] });
      node.connect(ctx.destination);
      sources(ctx, channels).forEach((s, i) => s.connect(node, 0, i));
    } else if (contender === 'native') {
      buildNative(ctx, channels, sources(ctx, channels));
    } else if (contender === 'js') {
      await buildJs(ctx, channels, sources(ctx, channels));
    } else if (contender.startsWith('ours')) {
      if (!daw) throw new Error('engine not built: ' + dawError);
      if (contender === 'ours-idle') {
        // the engine with no channel claimed; the sources still render, straight to the destination
        await buildOurs(ctx, 0, null);
        const g = new GainNode(ctx, { gain: 0.1 });
        g.connect(ctx.destination);
        sources(ctx, channels).forEach((s) => s.connect(g));
      } else if (contender === 'ours-clips') {
        // The same looping buffers, played by the engine from its own memory (Channel.play) instead
        // of AudioBufferSourceNodes into its inputs. Loading is done before the timed render, as the
        // peers' graphs are built before theirs.
        // The engine made for it: no worklet inputs (EngineOptions.inputs: 0), as a page that plays
        // only clips and synths would.
        const { engine, chans } = await buildOurs(ctx, channels, null, { inputs: 0 });
        const bufs = buffers();
        const samples = await Promise.all(bufs.slice(0, Math.min(channels, NBUF)).map((b) => engine.loadSample(b)));
        chans.forEach((ch, i) => ch.play(samples[i % NBUF], { loop: true }));
        await engine.flush();
        const r = await timeRender(ctx);
        return result(r.ms, seconds, { peak: r.peak, status: engine.status() });
      } else {
        const variant = contender.slice(5);
        const feed = sources(ctx, channels);
        const { engine } = await buildOurs(ctx, channels, feed, { variant });
        if (variant === 'nosrc') { const g = new GainNode(ctx, { gain: 0.1 }); g.connect(ctx.destination); feed.forEach((s) => s.connect(g)); }
        const r = await timeRender(ctx);
        return result(r.ms, seconds, { peak: r.peak, status: engine.status() });
      }
    } else throw new Error('unknown contender ' + contender);
    const r = await timeRender(ctx);
    return result(r.ms, seconds, { peak: r.peak });
  },

  /** Full session: 64 voices (2 synth lanes per channel) into 32 strips, dense pattern. */
  /**
   * Analysis cost (issue #14): `strips` channels of a flat mix analysed, polled every 8 quanta (the
   * rate our DSP publishes at) through OfflineAudioContext.suspend(). 'ours': every kind on each
   * strip (peak, true peak, correlation, loudness, spectrum 4096, scope), read with read(),
   * spectrum() and scope() (or, `kinds: 'fft'`, only the spectrum and the scope); 'native': one AnalyserNode (fftSize 4096) per channel, read with
   * getFloatFrequencyData() and getFloatTimeDomainData(). `analyse: false` is the same mix and the
   * same suspends without them: the difference is the analysis.
   */
  async analysis({ contender, strips = 4, channels = 32, seconds = 4, analyse = true, kinds = 'all' }) {
    const frames = Math.ceil(seconds * SR);
    const ctx = new OfflineAudioContext(2, frames, SR);
    const feed = sources(ctx, channels);
    let poll = () => undefined;
    if (contender === 'ours') {
      const { chans } = await buildOurs(ctx, channels, feed, { variant: 'flat' });
      if (analyse) {
        // kinds 'fft': what an AnalyserNode gives (a spectrum and a waveform); 'all': every kind.
        const opts = kinds === 'fft' ? { spectrum: 4096, scope: true } : { peak: true, truePeak: true, correlation: true, loudness: true, spectrum: 4096, scope: true };
        const readers = chans.slice(0, strips).map((ch) => ch.analysis(opts));
        const bins = new Float32Array(2049), pts = new Float32Array(1024);
        poll = kinds === 'fft' ? () => { for (const r of readers) { r.spectrum(bins); r.scope(pts); } } : () => { for (const r of readers) { r.read(); r.spectrum(bins); r.scope(pts); } };
      }
    } else {
      const out = new GainNode(ctx, { gain: 0.05 });
      out.connect(ctx.destination);
      const faders = feed.map((src) => { const g = new GainNode(ctx); src.connect(g).connect(out); return g; });
      if (analyse) {
        const an = faders.slice(0, strips).map((g) => { const a = new AnalyserNode(ctx, { fftSize: 4096 }); g.connect(a); return a; });
        const bins = new Float32Array(2048), pts = new Float32Array(4096);
        poll = () => { for (const a of an) { a.getFloatFrequencyData(bins); a.getFloatTimeDomainData(pts); } };
      }
    }
    const every = (8 * Q) / SR;
    for (let t = every; t < seconds; t += every) ctx.suspend(t).then(() => { poll(); return ctx.resume(); });
    const r = await timeRender(ctx);
    return result(r.ms, seconds, { peak: r.peak, strips });
  },

  async session({ contender, seconds = 20, lanes = 64 }) {
    const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
    const notes = pattern(seconds, lanes);
    let engine = null;
    if (contender === 'ours' || contender === 'ours-nonotes') {
      if (!daw) throw new Error('engine not built: ' + dawError);
      const built = await buildOurs(ctx, 32, null);
      engine = built.engine;
      oursVoices(engine, built.chans, contender === 'ours' ? notes : [], ctx);
      await engine.flush();
    } else if (contender === 'native') {
      nativeVoices(ctx, buildNative(ctx, 32, null), notes);
    } else if (contender === 'js') {
      nativeVoices(ctx, await buildJs(ctx, 32, null), notes);
    } else throw new Error('unknown contender ' + contender);
    const r = await timeRender(ctx);
    return result(r.ms, seconds, { peak: r.peak, notes: notes.length, status: engine ? engine.status() : undefined });
  },

  /** Ours with `voices` notes held (32 channels, 32 synths, no buffer sources). */
  async voices({ voices, seconds = 2 }) {
    if (!daw) throw new Error('engine not built: ' + dawError);
    const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
    const { engine, chans } = await buildOurs(ctx, 32, null);
    const synths = chans.map((ch) => engine.createSynth(ch, { ...SYNTH, wave: 2, polyphony: 8, releaseMs: 1000 }));
    for (let k = 0; k < voices; k++) synths[k % 32].noteOn(36 + ((k * 7) % 48), 0.8, 0);
    await engine.flush();
    const r = await timeRender(ctx);
    return result(r.ms, seconds, { voices, peak: r.peak, status: engine.status() });
  },

  /**
   * Start-up on a realtime AudioContext: the start call to the first non-silent sample reaching the
   * destination (run on a fresh page). 'ours' is the page as a visitor meets it: getEngine() and 32
   * channels at load, the engine's idle-time preload done (engine.preload() resolves) and 0.5 s more,
   * then the gesture's start(). 'ours-cold' calls start() right after creating the engine (a gesture before
   * anything was preloaded). The peers create their context and build their graph in the same call;
   * 'floor' is a context, addModule() of a tiny processor and one node passing an oscillator through.
   */
  async startup({ contender, channels = 32 }) {
    if (contender.startsWith('ours') && !daw) throw new Error('engine not built: ' + dawError);
    // Tap the first connection into a destination, for every contender alike (ours connects its node
    // while start() runs): an AnalyserNode on the same output sees the same quantum.
    let an = null;
    const connect = AudioNode.prototype.connect;
    AudioNode.prototype.connect = function (dest, ...rest) {
      if (!an && dest && dest === dest.context?.destination) { an = new AnalyserNode(dest.context, { fftSize: 2048 }); connect.call(this, an); }
      return connect.call(this, dest, ...rest);
    };
    let engine = null;
    if (contender === 'ours') {
      engine = daw.getEngine();
      await engine.preload();
      await sleep(500); // a visitor's click comes later still; V8 may still be optimising the warmed-up WASM
    } else if (contender === 'ours-cold') {
      engine = new daw.Engine();
    }
    const created = counters.nodes;
    let ctx, tReady, t0;
    try {
      if (engine) {
        let first = null;
        for (let i = 0; i < channels; i++) { const ch = engine.createChannel(stripParams(i)); first ??= ch; }
        t0 = performance.now();
        const p = engine.start(); // creates + resumes the context synchronously, loads worklet + WASM
        ctx = engine.context;
        const osc = new OscillatorNode(ctx, { frequency: 440 });
        osc.start();
        first.connectSource(osc);
        await p;
        tReady = performance.now();
      } else {
        t0 = performance.now();
        ctx = new AudioContext({ latencyHint: 'interactive' });
        void ctx.resume();
        let input;
        if (contender === 'floor') { // what any worklet design pays: addModule and one node passing its input
          await ctx.audioWorklet.addModule(new URL('./peers/sum-processor.js', base));
          input = new AudioWorkletNode(ctx, 'bench-sum', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2] });
          input.connect(ctx.destination);
        } else {
          input = (contender === 'native' ? buildNative(ctx, channels, null) : await buildJs(ctx, channels, null))[0];
        }
        const osc = new OscillatorNode(ctx, { frequency: 440 });
        osc.start();
        osc.connect(input);
        tReady = performance.now();
      }
    } finally {
      AudioNode.prototype.connect = connect;
    }
    if (!an) throw new Error(`${contender}: nothing was connected to the destination`);
    const data = new Float32Array(2048);
    let tAudible = NaN;
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      an.getFloatTimeDomainData(data);
      let any = false;
      for (let i = 0; i < data.length; i++) if (data[i] !== 0) { any = true; break; }
      if (any) { tAudible = performance.now(); break; }
      await new Promise((r) => setTimeout(r, 0));
    }
    const res = { startResolvedMs: tReady - t0, firstAudibleMs: tAudible - t0, baseLatencyMs: ctx.baseLatency * 1000, outputLatencyMs: (ctx.outputLatency || 0) * 1000, nodesCreated: counters.nodes - created - 2, sampleRate: ctx.sampleRate };
    await (engine ? engine.close() : ctx.close());
    return res;
  },

  /** Cost of registering channel N (1..64): ours createChannel vs building a native / JS-worklet strip. */
  async register({ contender, n = 64 }) {
    const ctx = new OfflineAudioContext(2, SR, SR);
    const us = [], nodes = [];
    if (contender === 'ours') {
      const { Engine } = await loadEngine();
      const engine = new Engine({ context: ctx });
      await engine.start();
      for (let i = 0; i < n; i++) {
        const c0 = counters.nodes, t0 = performance.now();
        engine.createChannel(stripParams(i));
        us.push((performance.now() - t0) * 1000); nodes.push(counters.nodes - c0);
      }
    } else if (contender === 'native') {
      const dst = new GainNode(ctx);
      for (let i = 0; i < n; i++) {
        const c0 = counters.nodes, t0 = performance.now();
        const p = stripParams(i);
        const lo = new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: p.eqLowHz, gain: p.eqLowDb });
        const mid = new BiquadFilterNode(ctx, { type: 'peaking', frequency: p.eqMidHz, Q: p.eqMidQ, gain: p.eqMidDb });
        const hi = new BiquadFilterNode(ctx, { type: 'highshelf', frequency: p.eqHighHz, gain: p.eqHighDb });
        const comp = new DynamicsCompressorNode(ctx, { threshold: p.compThresholdDb, ratio: p.compRatio, knee: p.compKneeDb, attack: 0.01, release: 0.1 });
        const fader = new GainNode(ctx, { gain: db(p.volumeDb) });
        const pan = new StereoPannerNode(ctx, { pan: p.pan });
        lo.connect(mid).connect(hi).connect(comp).connect(fader).connect(pan).connect(dst);
        SEND_KEYS.forEach((k) => { if (p[k] > 0) pan.connect(new GainNode(ctx, { gain: p[k] })).connect(dst); });
        us.push((performance.now() - t0) * 1000); nodes.push(counters.nodes - c0);
      }
    } else if (contender === 'js') {
      await ctx.audioWorklet.addModule(new URL('./peers/js-strip-processor.js', base));
      const dst = new GainNode(ctx);
      for (let i = 0; i < n; i++) {
        const c0 = counters.nodes, t0 = performance.now();
        const p = stripParams(i);
        const node = new AudioWorkletNode(ctx, 'js-strip', { outputChannelCount: [2], processorOptions: p });
        node.connect(dst);
        SEND_KEYS.forEach((k) => { if (p[k] > 0) node.connect(new GainNode(ctx, { gain: p[k] })).connect(dst); });
        us.push((performance.now() - t0) * 1000); nodes.push(counters.nodes - c0);
      }
    }
    return { us, nodes };
  },

  /** WASM memory and main-thread JS heap of an engine with 32 channels and 64 synths. */
  async memory() {
    if (!daw) throw new Error('engine not built: ' + dawError);
    gc(); const h0 = heap();
    const ctx = new OfflineAudioContext(2, SR, SR);
    const { engine, chans } = await buildOurs(ctx, 32, null);
    gc(); const h1 = heap();
    for (let i = 0; i < 64; i++) engine.createSynth(chans[i % 32], SYNTH);
    await engine.flush();
    gc(); const h2 = heap();
    return { wasmBytes: engine.status().wasmBytes, heapBefore: h0, heapEngine32: h1 - h0, heapWith64Synths: h2 - h0, precise: !!performance.memory };
  },

  /** 20 channels x 60 fps parameter changes on a realtime context for `seconds`. */
  async params({ seconds = 10, channels = 20 }) {
    if (!daw) throw new Error('engine not built: ' + dawError);
    const { Engine } = daw;
    const engine = new Engine();
    const chans = [];
    for (let i = 0; i < channels; i++) chans.push(engine.createChannel(stripParams(i)));
    await engine.start();
    const ctx = engine.context;
    const feed = sources(ctx, channels);
    feed.forEach((s, i) => chans[i].connectSource(s));
    await sleep(300);
    const posts0 = counters.posts, msgs0 = engine.status().messagesPosted;
    let changes = 0, setMs = 0, frames = 0;
    const tEnd = performance.now() + seconds * 1000;
    await new Promise((resolve) => {
      const frame = (ts) => {
        frames++;
        const t0 = performance.now();
        for (let i = 0; i < channels; i++) chans[i].set('volumeDb', -12 + 6 * Math.sin(ts / 300 + i));
        setMs += performance.now() - t0;
        changes += channels;
        if (performance.now() < tEnd) requestAnimationFrame(frame); else resolve();
      };
      requestAnimationFrame(frame);
    });
    await sleep(100);
    const posts = counters.posts - posts0;
    const engineMsgs = engine.status().messagesPosted - msgs0;
    // isolated micro-benchmark of set() itself (timer resolution is coarse without isolation)
    const N = 200000;
    const t0 = performance.now();
    for (let k = 0; k < N; k++) chans[k % channels].set('volumeDb', -12 + (k % 7));
    const usPerSet = ((performance.now() - t0) * 1000) / N;
    await sleep(50);
    await engine.close();
    return { isolated, shared: engine.shared, seconds, frames, changes, changesPerSecond: changes / seconds, portMessages: posts, engineMessages: engineMsgs, messagesPerChange: posts / changes, setMsTotal: setMs, usPerSetInRaf: (setMs * 1000) / changes, usPerSetLoop: usPerSet };
  },

  /** 10,000 notes scheduled on a running realtime engine: main-thread heap growth. */
  async notes({ count = 10000 }) {
    if (!daw) throw new Error('engine not built: ' + dawError);
    const { Engine } = daw;
    const engine = new Engine();
    const chans = [];
    for (let i = 0; i < 8; i++) chans.push(engine.createChannel({ volumeDb: -12 }));
    await engine.start();
    const synths = chans.map((ch) => engine.createSynth(ch, { ...SYNTH, wave: 2, polyphony: 16 }));
    // warm-up: the same code paths once, so JIT and lazily created state do not count as growth
    for (let k = 0; k < 200; k++) synths[k % 8].play(48 + (k % 24), 0.02, { time: engine.now() + 0.05, velocity: 0.5 });
    await sleep(300);
    gc(); const h0 = heap();
    const s0 = engine.status();
    let sent = 0, hHalf = NaN;
    while (sent < count) {
      if (sent === count / 2) { await sleep(200); gc(); hHalf = heap(); }
      const now = engine.now();
      for (let k = 0; k < 200 && sent < count; k++, sent++) synths[sent % 8].play(48 + (sent % 24), 0.02, { time: now + 0.03 + k * 0.0002, velocity: 0.5 });
      await sleep(50);
    }
    await sleep(400);
    gc(); const h1 = heap();
    const s1 = engine.status();
    await engine.close();
    return { isolated, notes: count, heapBefore: h0, heapGrowth: h1 - h0, heapGrowthSecondHalf: h1 - hHalf, bytesPerNote: (h1 - hHalf) / (count / 2), droppedNotes: s1.droppedNotes - s0.droppedNotes, lateNotes: s1.lateNotes - s0.lateNotes, stolen: s1.stolenVoices - s0.stolenVoices };
  },

  /**
   * The MIDI song, step 1 (run.mjs reads the DevTools Performance metrics around each step): the
   * instruments, an output capture worklet, then the song loaded the contender's way. Ours:
   * engine.loadMidi(bytes) into the timeline (4 synths by track). Tone.js: Transport.PPQ = 480, the
   * tempo change as a bpm automation point at its context time, one Tone.Part of [`${tick}i`, note]
   * per track calling Synth.triggerAttackRelease(freq, duration, time, velocity).
   */
  async songLoad({ contender }) {
    const notes = songNotes();
    const bytes = songBytes(notes);
    let ctx, out, engine = null, Tone = null, capture, latency = 0;
    toneErrors = 0;
    if (contender === 'ours') {
      if (!daw) throw new Error('engine not built: ' + dawError);
      engine = new daw.Engine();
      await engine.start();
      ctx = engine.context;
      await ctx.audioWorklet.addModule(new URL('./peers/capture-processor.js', base));
      capture = new AudioWorkletNode(ctx, 'bench-capture', { numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { frames: Math.ceil((notes.at(-1).seconds + 1) * ctx.sampleRate) } });
      engine.node.connect(capture);
      capture.connect(ctx.destination);
      out = [1, 2, 3, 4].map(() => engine.createSynth(engine.createChannel(), SONG_SYNTH));
      latency = engine.latencyFrames;
    } else if (contender === 'tone') {
      Tone = await loadTone();
      await Tone.start();
      const tc = Tone.getContext();
      ctx = tc.rawContext;
      await tc.addAudioWorkletModule(new URL('./peers/capture-processor.js', base).href);
      capture = tc.createAudioWorkletNode('bench-capture', { numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { frames: Math.ceil((notes.at(-1).seconds + 1) * ctx.sampleRate) } });
      capture.connect(ctx.destination);
      const bus = new Tone.Gain(1).toDestination();
      bus.connect(capture);
      // One monophonic Tone.Synth per track (each track of the song is monophonic): Tone's cheapest
      // instrument for it. (PolySynth, as Tone's MIDI examples use, cost far more main-thread time here.)
      out = [1, 2, 3, 4].map(() => new Tone.Synth(TONE_SYNTH).connect(bus));
    } else throw new Error('unknown contender ' + contender);
    await sleep(300);
    gc(); const h0 = heap();
    const t0 = performance.now();
    let loaded;
    if (engine) {
      loaded = await engine.loadMidi(bytes, { route: { byTrack: [null, ...out] } });
    } else {
      const T = Tone.getTransport();
      T.PPQ = TPQ;
      T.bpm.value = 60e6 / TEMPI[0][1];
      const freq = (p) => 440 * Math.pow(2, (p - 69) / 12);
      // A note whose callback throws is counted (and lost): a callback run late has its time clamped
      // to now by Tone, and two such notes on one voice throw "Start time must be strictly greater
      // than previous start time"; uncaught, that exception stops Tone's clock from moving past the
      // tick, which then throws again on every loop (one run spent 354 s of main thread in 23 s).
      loaded = [1, 2, 3, 4].map((tr) => new Tone.Part((time, n) => {
        try { out[tr - 1].triggerAttackRelease(freq(n.pitch), n.duration, time, n.velocity / 127); } catch { toneErrors++; }
      }, notes.filter((n) => n.track === tr).map((n) => [`${n.tick}i`, n])).start(0));
    }
    const loadMs = performance.now() - t0;
    gc(); const h1 = heap();
    SONG = { contender, ctx, engine, Tone, capture, notes, latency, h0, h1, loaded };
    return { loadMs, heapBefore: h0, heapLoadGrowth: h1 - h0, sampleRate: ctx.sampleRate, notes: notes.length, warnings: engine ? loaded.warnings : [] };
  },

  /** Step 2: plays the song from a frame SONG_LEAD s ahead; resolves after its last note (one timer, no polling while it plays). */
  async songPlay() {
    const S = SONG, sr = S.ctx.sampleRate;
    const startFrame = Math.ceil(S.ctx.currentTime * sr) + Math.round(SONG_LEAD * sr);
    const at = startFrame / sr;
    S.capture.port.postMessage({ type: 'arm', from: startFrame - 256 });
    if (S.engine) S.engine.transport.start({ at });
    else {
      const T = S.Tone.getTransport();
      T.start(at);
      T.bpm.setValueAtTime(60e6 / TEMPI[1][1], at + S.notes.find((n) => n.tick >= TEMPI[1][0]).seconds);
    }
    S.startFrame = startFrame;
    const end = at + S.notes.at(-1).seconds + 0.3;
    await sleep((end - S.ctx.currentTime) * 1000);
    while (S.ctx.currentTime < end) await sleep(50);
    return { startFrame };
  },

  /** Step 3: heap after playing, the captured output's onsets against the intended frames; closes the contender. */
  async songResult() {
    const S = SONG, sr = S.ctx.sampleRate;
    gc(); const h2 = heap();
    const got = await new Promise((resolve) => { S.capture.port.onmessage = (e) => resolve(e.data); S.capture.port.postMessage({ type: 'get' }); });
    const onsets = onsetErrors(got.data, S.notes.map((n) => S.startFrame - got.from + n.seconds * sr), S.latency);
    const status = S.engine ? S.engine.status() : null;
    if (S.engine) await S.engine.close();
    else { S.Tone.getTransport().stop(); S.Tone.getTransport().cancel(); }
    SONG = null;
    return { ...onsets, toneErrors: S.Tone ? toneErrors : undefined, latencyFrames: S.latency, heapPlayGrowth: h2 - S.h1, heapTotalGrowth: h2 - S.h0, lateNotes: status?.lateNotes, droppedNotes: status?.droppedNotes, stolenVoices: status?.stolenVoices };
  },

  /**
   * Realtime load (issue #15): 128 voices (128 legato lanes on 64 synths) into 64 channels with EQ,
   * compressor and sends to all three buses, at fixed full quality (quality: 0, so the figure is the
   * whole ladder's top), the load clock on or off (`loadClock`: what measuring the load costs). run.mjs
   * polls CDP meanwhile.
   */
  async realtimeStart({ seconds = 60, loadClock = true, channels = 64, lanes = 128 }) {
    if (!daw) throw new Error('engine not built: ' + dawError);
    const { Engine } = daw;
    gc();
    const engine = new Engine({ latencyHint: 'interactive', loadClock, quality: 0 });
    const chans = [];
    for (let i = 0; i < channels; i++) chans.push(engine.createChannel(stripParams(i)));
    await engine.start();
    const ctx = engine.context;
    const t0 = ctx.currentTime + 0.2;
    const notes = pattern(seconds, lanes).map((n) => ({ ...n, time: n.time + t0 }));
    const synths = [];
    for (let l = 0; l < 64; l++) synths.push(engine.createSynth(chans[l % channels], { ...SYNTH, wave: 2 }));
    // schedule a second ahead, from a timer (the ring holds 1024 events)
    let next = 0;
    const pump = () => {
      const horizon = ctx.currentTime + 0.5;
      while (next < notes.length && notes[next].time < horizon) { const n = notes[next++]; synths[n.lane % 64].play(n.pitch, n.dur, { time: n.time, velocity: n.vel }); }
    };
    notes.sort((a, b) => a.time - b.time);
    pump();
    const timer = setInterval(pump, 100);
    gc();
    const h0 = heap();
    const stats0 = ctx.playbackStats ? { ...ctx.playbackStats.toJSON?.() ?? {} } : null;
    globalThis.__rt = { engine, ctx, timer, h0, stats0, tStart: performance.now() };
    return { sampleRate: ctx.sampleRate, baseLatencyMs: ctx.baseLatency * 1000, outputLatencyMs: (ctx.outputLatency || 0) * 1000, playbackStats: !!ctx.playbackStats, loadClock, channels, lanes };
  },
  realtimeSample() {
    const { engine } = globalThis.__rt;
    const s = engine.status();
    return { load: s.load.mean, loadMax: s.load.max, loadReason: s.load.reason, activeVoices: s.activeVoices, quanta: s.quanta };
  },
  async realtimeStop() {
    const { engine, ctx, timer, h0, stats0, tStart } = globalThis.__rt;
    clearInterval(timer);
    const s = engine.status();
    const ps = ctx.playbackStats ? (ctx.playbackStats.toJSON ? ctx.playbackStats.toJSON() : { underrunEvents: ctx.playbackStats.underrunEvents, underrunDuration: ctx.playbackStats.underrunDuration, totalDuration: ctx.playbackStats.totalDuration }) : null;
    const elapsed = (performance.now() - tStart) / 1000;
    await engine.close();
    globalThis.__rt = null;
    gc();
    const h1 = heap();
    return { elapsed, status: s, playbackStats: ps, playbackStatsStart: stats0, heapGrowth: h1 - h0, expectedQuanta: Math.round((elapsed * ctx.sampleRate) / Q) };
  },

  /**
   * Overload (issue #15): 128 held voices, then the worklet's per-voice test hook (1 ms of busy-wait
   * per 33 voices sounding: 3-4 ms per 2.67 ms quantum at 128 voices, none at quality level 4's 32
   * voices) from t = 0 for `seconds`, with `quality` ('auto' or 0). Underruns from
   * AudioContext.playbackStats, sampled every 100 ms (the browser updates them about once a second).
   */
  async overload({ seconds = 10, quality = 'auto' }) {
    if (!daw) throw new Error('engine not built: ' + dawError);
    const { Engine, controlLink } = daw;
    const engine = new Engine({ latencyHint: 'interactive', quality });
    await engine.start();
    const ctx = engine.context;
    if (!ctx.playbackStats) { await engine.close(); return { error: 'no AudioContext.playbackStats in this browser' }; }
    const ch = engine.createChannel({ volumeDb: -40 });
    const synths = [0, 1, 2, 3].map(() => engine.createSynth(ch, { wave: 'saw', polyphony: 128, sustain: 1, releaseMs: 5 }));
    for (let v = 0; v < 128; v++) synths[v % 4].noteOn(30 + (v % 60) * 0.5 + Math.floor(v / 60) * 0.25, 0.5);
    while (engine.status().activeVoices < 128) await sleep(20);
    await sleep(1500);
    const levels = [];
    const t0 = performance.now();
    engine.addEventListener('daw-quality', (ev) => levels.push({ t: +((performance.now() - t0) / 1000).toFixed(2), level: ev.detail.level, reason: ev.detail.reason }));
    const u0 = ctx.playbackStats.underrunEvents;
    controlLink(engine).node.port.postMessage({ type: 'spin', ms: 0, voicesPerMs: 33 });
    const samples = [];
    while (performance.now() - t0 < seconds * 1000) {
      await sleep(100);
      samples.push({ t: (performance.now() - t0) / 1000, u: ctx.playbackStats.underrunEvents - u0, level: engine.status().qualityLevel, voices: engine.status().activeVoices });
    }
    controlLink(engine).node.port.postMessage({ type: 'spin', ms: 0 });
    const total = samples.at(-1).u;
    const firstFinal = samples.find((x) => x.u === total);
    // Underruns per second of the run, from the 1 Hz counts.
    const perSecond = [];
    for (let k = 1; k <= seconds; k++) { const a = samples.filter((x) => x.t <= k).at(-1); const b = samples.filter((x) => x.t <= k - 1).at(-1); perSecond.push((a?.u ?? 0) - (b?.u ?? 0)); }
    await engine.close();
    return { quality, seconds, underruns: total, lastCountChangeS: total > 0 ? +firstFinal.t.toFixed(2) : 0, perSecond, levels, finalVoices: samples.at(-1).voices };
  },

  /**
   * One bus effect on one looping stereo source, offline: ours (a channel sending 1 to the bus) or a
   * peer effect between the source and the destination. run.mjs subtracts the baseline of the same
   * kind (ours-none: the engine with the channel and no send, so the buses are skipped; base: the
   * source alone; tone-base: the source alone in Tone's offline context) to get the effect's cost.
   */
  async fx({ contender, seconds = 10 }) {
    const frames = Math.ceil(seconds * SR);
    const buf = buffers()[1];
    if (contender.startsWith('tone')) {
      const Tone = await loadTone();
      const ctx = new Tone.OfflineContext(2, seconds, SR);
      Tone.setContext(ctx);
      const src = ctx.createBufferSource();
      src.buffer = buf;
      src.loop = true;
      src.start(0);
      let fx = null;
      if (contender === 'tone-freeverb') fx = new Tone.Freeverb({ roomSize: 0.8, dampening: 3000, wet: 1 });
      else if (contender === 'tone-reverb') { fx = new Tone.Reverb({ decay: 3, preDelay: 0.015, wet: 1 }); await fx.ready; }
      else if (contender === 'tone-feedbackdelay') fx = new Tone.FeedbackDelay({ delayTime: 0.375, feedback: 0.35, wet: 1 });
      else if (contender === 'tone-pingpong') fx = new Tone.PingPongDelay({ delayTime: 0.375, feedback: 0.35, wet: 1 });
      else if (contender !== 'tone-base') throw new Error('unknown contender ' + contender);
      if (fx) { Tone.connect(src, fx); fx.toDestination(); } else Tone.connect(src, ctx.destination);
      await ctx.workletsAreReady?.();
      const t0 = performance.now();
      const out = await ctx.render(false);
      const ms = performance.now() - t0;
      const d = out.getChannelData(0);
      let peak = 0;
      for (let i = 0; i < d.length; i += 7) peak = Math.max(peak, Math.abs(d[i]));
      return result(ms, seconds, { peak });
    }
    const ctx = new OfflineAudioContext(2, frames, SR);
    const src = new AudioBufferSourceNode(ctx, { buffer: buf, loop: true });
    src.start(0);
    if (contender === 'base') src.connect(ctx.destination);
    else if (contender === 'convolver') {
      // A 3 s stereo impulse: exponentially decaying noise (RT60 3 s), different per side.
      const n = 3 * SR;
      const ir = new AudioBuffer({ numberOfChannels: 2, length: n, sampleRate: SR });
      let seed = 99;
      for (let c = 0; c < 2; c++) {
        const d = ir.getChannelData(c);
        for (let i = 0; i < n; i++) d[i] = ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * Math.exp((-6.9 * i) / n);
      }
      const conv = new ConvolverNode(ctx, { buffer: ir, disableNormalization: false });
      src.connect(conv).connect(ctx.destination);
    } else if (contender === 'native-delay') {
      // Stereo feedback delay as native nodes, the delay bus's default loop: 375 / 500 ms, feedback
      // 0.35 through a 150 Hz high-pass and a 6 kHz low-pass.
      const split = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
      const merge = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
      src.connect(split);
      [0.375, 0.5].forEach((t, c) => {
        const d = new DelayNode(ctx, { delayTime: t, maxDelayTime: 4 });
        const hp = new BiquadFilterNode(ctx, { type: 'highpass', frequency: 150, Q: Math.SQRT1_2 });
        const lp = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: 6000, Q: Math.SQRT1_2 });
        const fb = new GainNode(ctx, { gain: 0.35 });
        split.connect(d, c);
        d.connect(hp).connect(lp);
        lp.connect(fb).connect(d);
        lp.connect(merge, 0, c);
      });
      merge.connect(ctx.destination);
    } else if (contender.startsWith('ours')) {
      if (!daw) throw new Error('engine not built: ' + dawError);
      const { Engine } = await loadEngine();
      const engine = new Engine({ context: ctx });
      await engine.start();
      const which = contender.slice(5); // none, reverb, delay, drum, all
      const send = (b) => (which === b || which === 'all' ? 1 : 0);
      const ch = engine.createChannel({ sendReverb: send('reverb'), sendDelay: send('delay'), sendDrum: send('drum') });
      // The drum bus with every stage running (glue, drive, crunch, transients, boom, damping).
      engine.bus('drum').setAll({ drumDrive: 0.5, drumCurve: 'medium', drumCrunch: 0.3, drumTransients: 0.3, drumBoom: 0.3, drumGlue: true, drumDampingHz: 9000 });
      ch.connectSource(src);
      await engine.flush();
      const r = await timeRender(ctx);
      return result(r.ms, seconds, { peak: r.peak, status: engine.status() });
    } else throw new Error('unknown contender ' + contender);
    const r = await timeRender(ctx);
    return result(r.ms, seconds, { peak: r.peak });
  },
};

globalThis.bench = bench;
document.getElementById('s').textContent = 'ready';
globalThis.benchReady = true;
