// The realtime soak (scripts/soak.mjs --realtime): the page's one engine on a live AudioContext,
// driven through the tags for `seconds`: <daw-channel> and <daw-synth> elements added, moved and
// removed (DOM churn), attribute storms (values inside, at and beyond the ranges, and text that is no
// number), and note storms through the synth elements, scheduled 100 ms ahead. Checked here and in
// scripts/soak.mjs: no late and no dropped notes (engine.status()), no non-finite sample, no error
// other than the validation errors the storms provoke, the engine keeps rendering, heap flat.
import { getEngine, STRIP_PARAMS, SYNTH_PARAMS } from '../../dist/daw-elements.js';
import { rng } from './rng.js';

const LOOKAHEAD = 0.1; // s: notes are scheduled this far ahead of the context's clock
const MAX_CHANNEL_ELEMENTS = 40; // within the 64 channels
const MAX_SYNTH_ELEMENTS = 60; // within the 64 synth slots (a removed synth frees its slot a task later)
const stripAttrs = STRIP_PARAMS.filter((p) => !p.internal && p.scope !== 'master');
const synthAttrs = SYNTH_PARAMS.filter((p) => !p.internal);
const GARBAGE = ['', 'abc', 'NaN', '1e999', '-1e999', '0x10', ' 3 ', 'Infinity', '-inf', '12dB', 'null'];

const settledHeap = () => {
  window.gc?.();
  window.gc?.();
  return performance.memory ? performance.memory.usedJSHeapSize : NaN;
};
const nextTask = () => new Promise((r) => setTimeout(r, 0));

function attrValue(r, spec) {
  const x = r.next();
  if (spec.unit === 'bool') return r.chance(0.5) ? '' : null; // present or removed
  if (spec.values) return x < 0.8 ? r.pick(spec.values) : r.pick(['SAW', 'noise', '']);
  const lo = Number.isFinite(spec.min) ? spec.min : -90;
  if (x < 0.55) return String(r.range(lo, spec.max));
  if (x < 0.75) return String(r.pick([spec.min, spec.max]));
  if (x < 0.85) return String(r.chance(0.5) ? lo - r.range(1, 1000) : spec.max + r.range(1, 1000));
  if (x < 0.95) return r.pick(GARBAGE);
  return null;
}

export async function run({ seed = 1, seconds = 600 }) {
  const r = rng(seed);
  const engine = getEngine();
  const mixer = document.getElementById('mixer');
  const errors = {};
  const unexpected = [];
  document.addEventListener('daw-error', (ev) => {
    const c = ev.detail.code;
    errors[c] = (errors[c] ?? 0) + 1;
    if (c !== 'out-of-range' && c !== 'invalid-value' && unexpected.length < 20) unexpected.push(ev.detail.message);
  });
  engine.addEventListener('daw-error', (ev) => {
    const c = ev.detail.code;
    if (c !== 'out-of-range' && c !== 'invalid-value' && unexpected.length < 20) unexpected.push(`engine: ${ev.detail.message}`);
  });
  await engine.start();

  const stats = { channelsAdded: 0, channelsRemoved: 0, synthsAdded: 0, synthsRemoved: 0, synthMoves: 0, attributes: 0, notes: 0, notesRefused: 0, ticks: 0 };
  const channelEl = () => {
    const ch = document.createElement('daw-channel');
    ch.setAttribute('label', `rt ${stats.channelsAdded}`);
    ch.setAttribute('volume-db', String(r.range(-30, -6)));
    if (r.chance(0.5)) ch.setAttribute('headless', '');
    const n = r.int(1, 2);
    for (let i = 0; i < n && mixer.querySelectorAll('daw-synth').length + i < MAX_SYNTH_ELEMENTS; i++) ch.append(synthEl());
    stats.channelsAdded++;
    return ch;
  };
  const synthEl = () => {
    const s = document.createElement('daw-synth');
    s.setAttribute('wave', r.pick(['sine', 'triangle', 'saw', 'square', 'pulse']));
    s.setAttribute('polyphony', String(r.int(2, 8)));
    s.setAttribute('release-ms', String(r.range(5, 800)));
    s.setAttribute('gain-db', String(r.range(-30, -12)));
    stats.synthsAdded++;
    return s;
  };
  for (let i = 0; i < 16; i++) mixer.append(channelEl());
  await engine.flush();

  const t0 = performance.now();
  const heap = [{ t: 0, heap: settledHeap() }];
  const samples = [];
  let lastQuanta = engine.status().quanta;
  let lastCheck = t0;
  let stallMs = 0;
  const readEvery = Math.max(5, Math.min(30, seconds / 20)) * 1000;
  let nextRead = t0 + readEvery;

  while (performance.now() - t0 < seconds * 1000) {
    stats.ticks++;
    const channels = mixer.querySelectorAll('daw-channel');
    const synths = mixer.querySelectorAll('daw-synth');
    // DOM churn
    if (r.chance(0.15)) {
      const x = r.next();
      if ((x < 0.35 && channels.length < MAX_CHANNEL_ELEMENTS) || channels.length < 4) mixer.append(channelEl());
      else if (x < 0.6 && channels.length > 4) { r.pick([...channels]).remove(); stats.channelsRemoved++; }
      else if (x < 0.8 && synths.length > 0) { r.pick([...channels]).append(r.pick([...synths])); stats.synthMoves++; } // a DOM move
      else if (x < 0.9 && synths.length > 1) { r.pick([...synths]).remove(); stats.synthsRemoved++; }
      else if (synths.length < MAX_SYNTH_ELEMENTS) r.pick([...channels]).append(synthEl());
    }
    // Attribute storm
    const n = r.chance(0.05) ? r.int(50, 200) : r.int(0, 12);
    for (let i = 0; i < n; i++) {
      const onSynth = r.chance(0.4) && synths.length > 0;
      const el = onSynth ? r.pick([...synths]) : r.pick([...channels]);
      const spec = r.pick(onSynth ? synthAttrs : stripAttrs);
      const v = attrValue(r, spec);
      if (v === null) el.removeAttribute(spec.attribute);
      else el.setAttribute(spec.attribute, v);
      stats.attributes++;
    }
    // Note storm: 100 ms ahead, on synths that are connected.
    const live = [...mixer.querySelectorAll('daw-synth')].filter((s) => s.isConnected);
    const notes = r.chance(0.03) ? r.int(20, 60) : r.int(0, 4);
    const now = engine.now();
    for (let i = 0; i < notes && live.length; i++) {
      const s = r.pick(live);
      const id = s.play(r.int(24, 100), r.range(0.02, 1.5), { time: now + LOOKAHEAD + r.range(0, 0.05), velocity: r.range(0.1, 1) });
      if (id < 0) stats.notesRefused++;
      else stats.notes++;
    }
    await nextTask();
    await new Promise((res) => requestAnimationFrame(res)); // one tick per frame: the page's own pace
    const t = performance.now();
    const st = engine.status();
    if (st.quanta === lastQuanta) stallMs = Math.max(stallMs, t - lastCheck);
    else { lastQuanta = st.quanta; lastCheck = t; }
    if (t >= nextRead) {
      nextRead += readEvery;
      heap.push({ t: (t - t0) / 1000, heap: settledHeap() });
      samples.push({ t: (t - t0) / 1000, voices: st.activeVoices, late: st.lateNotes, dropped: st.droppedNotes, stolen: st.stolenVoices, channels: engine.channelCount, synths: engine.synthCount, elements: mixer.querySelectorAll('*').length });
    }
  }
  await engine.flush();
  const st = engine.status();
  const elapsed = (performance.now() - t0) / 1000;
  return {
    seconds: elapsed, stats, errors, unexpected, heap, samples, stallMs,
    status: { quanta: st.quanta, expectedQuanta: Math.round((engine.context.currentTime) * engine.sampleRate / 128), lateNotes: st.lateNotes, droppedNotes: st.droppedNotes, nonFiniteSamples: st.nonFiniteSamples, stolenVoices: st.stolenVoices, lateClipEvents: st.lateClipEvents, workletMessages: st.workletMessages, messagesPosted: st.messagesPosted, wasmBytes: st.wasmBytes },
    channels: engine.channelCount, synths: engine.synthCount, shared: engine.shared, contextTime: engine.context.currentTime,
  };
}

window.soak = { run, settledHeap };
window.ready = true;
