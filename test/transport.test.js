// The transport in the worklet (engine.transport): offline renders through the real worklet and WASM
// with the metronome on, held sample by sample against a click track built here from the tempo map's
// closed form (the integral of 60/BPM over beats, written out below, not taken from the DSP) and the
// click's formula (Hann-windowed sine, dsp/Metronome.zig's header). A click one frame early or late
// leaves an error of ~0.1 at its first cycles, so the 1e-5 tolerance means 0 frames of error.
// Then a realtime engine: the position is read while it plays (waiting for real status updates), and
// bad input is rejected with errors that name the value and the range.
import { expect } from '@esm-bundle/chai';
import { Engine, controlLink } from '../dist/daw-elements.js';
import { SR, render, peakAbs, until, secondsAt } from './helpers.js';

const TOL = 1e-5;
const CLICK = Math.round(0.010 * SR); // 10 ms

const frameAt = (points, b) => Math.round(secondsAt(points, b) * SR);

/** Adds one click at `onset` into `out`: 1760 Hz at amp 1 on a downbeat, 880 Hz at 0.5 otherwise. */
function addClick(out, onset, accent, level) {
  const f = accent ? 1760 : 880;
  const amp = (accent ? 1 : 0.5) * level;
  for (let n = 0; n < CLICK && onset + n < out.length; n++) {
    out[onset + n] += amp * Math.sin((2 * Math.PI * f * n) / SR) * 0.5 * (1 - Math.cos((2 * Math.PI * n) / CLICK));
  }
}

/** Largest |engine - reference| over both sides, the engine's output `latency` frames later; and where. */
function worst([l, r], ref, latency) {
  let w = 0, at = -1;
  for (let i = 0; i < l.length; i++) {
    const want = i >= latency ? ref[i - latency] : 0;
    const d = Math.max(Math.abs(l[i] - want), Math.abs(r[i] - want));
    if (d > w) { w = d; at = i - latency; }
  }
  return { w, at };
}

describe('transport: metronome clicks on exact frames (offline, through the worklet)', function () {
  this.timeout(180000);

  it('starts at a frame; clicks on every beat across a tempo step, a linear ramp and a loop', async () => {
    // 240 BPM, a linear ramp 240 -> 150 over beats 3..5, then 150; 4/4; loop [2, 7): beats 0..6,
    // then 2..6 again and again.
    const map = [{ beat: 0, bpm: 240 }, { beat: 3, bpm: 240, ramp: 'linear' }, { beat: 5, bpm: 150 }];
    const level = 0.8;
    const F0 = 1001; // not on a quantum boundary
    const seconds = 5;
    let latency = 0;
    const out = await render(seconds, (e) => {
      latency = e.latencyFrames;
      const t = e.transport;
      t.setTempoMap(map);
      t.loop = { start: 2, end: 7, enabled: true };
      t.metronome = true;
      t.metronomeLevel = level;
      t.start({ at: F0 / SR });
    });
    const n = out[0].length;
    const ref = new Float64Array(n);
    const begin = frameAt(map, 2), end = frameAt(map, 7);
    let onsets = 0;
    // First pass from beat 0, then passes over the loop: engine frame = F0 + song frame + pass offset.
    for (let b = 0, base = F0; base + frameAt(map, b) < n; ) {
      const at = base + frameAt(map, b);
      addClick(ref, at, b % 4 === 0, level);
      onsets++;
      b++;
      if (b === 7) { b = 2; base += end - begin; }
    }
    expect(onsets).to.be.above(12); // the loop came round at least once
    expect(peakAbs(out[0])).to.be.above(0.3);
    const { w, at } = worst(out, ref, latency);
    expect(w, `worst error at frame ${at}`).to.be.below(TOL);
  });

  it('a start quantized to the bar begins on the next bar line, accented, on the command\'s frame', async () => {
    const F = 7777;
    let latency = 0;
    const out = await render(1.5, (e) => {
      latency = e.latencyFrames;
      const t = e.transport;
      t.tempo = 180;
      t.timeSignature = [3, 4];
      t.metronome = true;
      t.seek(1.3); // inside bar 1: the next bar line is beat 3
      t.start({ at: F / SR, quantize: 'bar' });
    });
    const beat = (60 / 180) * SR; // 16000 frames
    const ref = new Float64Array(out[0].length);
    for (let k = 0; F + k * beat < ref.length; k++) addClick(ref, F + k * beat, k % 3 === 0, 0.5);
    const { w, at } = worst(out, ref, latency);
    expect(w, `worst error at frame ${at}`).to.be.below(TOL);
  });

  it('pause and resume keep the position; a seek while playing lands on its frame', async () => {
    const bpm = 120;
    const beat = (60 / bpm) * SR; // 24000
    const P = 30000, R = 50000, S = 70001; // pause at 1.25 beats, resume, seek at 1.25 + 20001/24000 beats
    let latency = 0, e0;
    const out = await render(2.5, (e) => {
      e0 = e;
      latency = e.latencyFrames;
      const t = e.transport;
      t.metronome = true;
      t.start({ at: 0 });
      t.pause({ at: P / SR });
      t.start({ at: R / SR });
      t.seek(8.5, { at: S / SR });
    });
    const ref = new Float64Array(out[0].length);
    addClick(ref, 0, true, 0.5); // beat 0
    addClick(ref, beat, false, 0.5); // beat 1 (24000 < P)
    // Resumed at R from song frame P: beat 2 (song 48000) at R + 18000; the seek at S jumps to 8.5,
    // so beat 9 (a downbeat in 4/4? no: 9 % 4 = 1) comes 12000 frames later, then every beat.
    addClick(ref, R + (2 * beat - P), false, 0.5);
    for (let b = 9, at = S + beat / 2; at < ref.length; b++, at += beat) addClick(ref, at, b % 4 === 0, 0.5);
    const { w, at } = worst(out, ref, latency);
    expect(w, `worst error at frame ${at}`).to.be.below(TOL);
    await e0.flush(); // without shared memory, the status words come with the flush's reply
    const s = e0.status();
    expect(s.transportLate).to.equal(0);
    expect(s.transportRejected).to.equal(0);
    expect(s.transportChanges).to.equal(4); // started, paused, started, seeked
  });
});

const THRESHOLD = 1e-3;
const ONSET_WATCH = `registerProcessor('onset-watch', class extends AudioWorkletProcessor {
  constructor() { super(); this.quiet = 1e9; }
  process(inputs) {
    const x = inputs[0] && inputs[0][0];
    if (!x) return true;
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) > ${THRESHOLD}) { if (this.quiet >= 1000) this.port.postMessage(currentFrame + i); this.quiet = 0; }
      else this.quiet++;
    }
    return true;
  }
});`;

describe('transport: position while playing, events, bad input (realtime)', function () {
  this.timeout(120000);

  it('publishes its position while playing and reports state changes with their frames', async () => {
    const ctx = new AudioContext();
    const e = new Engine({ context: ctx });
    await e.start();
    const t = e.transport;
    const changes = [];
    t.addEventListener('transport', (ev) => changes.push(ev.detail));
    t.tempo = 150;
    t.start();
    // Real updates: the beat count moves on (each read waits for the audio thread's next words).
    await until(() => t.position.beats > 2, { engine: e, audio: 2, frames: 120, what: () => `2 beats (at ${t.position.beats})` });
    const p = t.position;
    expect(p.state).to.equal('playing');
    expect(p.bpm).to.equal(150);
    // bar/beat/tick, beats and seconds are the same place (4/4, 960 ticks a beat): to the tick, or
    // within one quantum where the words were read while the worklet wrote the next quantum's.
    const q = (128 / ctx.sampleRate) * (150 / 60);
    expect((p.bar - 1) * 4 + (p.beat - 1) + p.tick / 960).to.be.closeTo(p.beats, 1 / 960 + q);
    expect(p.seconds).to.be.closeTo((p.beats * 60) / 150, 128 / ctx.sampleRate + 1e-9);
    const b1 = t.now();
    await until(() => t.now() > b1 + 0.5, { engine: e, audio: 1, frames: 60, what: 'the position to move on' });
    await until(() => changes.length >= 1, { engine: e, audio: 1, frames: 60, what: 'a transport event' });
    expect(changes[0].change).to.equal('start');
    expect(changes[0].frame).to.be.at.least(0);
    expect(changes[0].time).to.equal(changes[0].frame / ctx.sampleRate);
    t.stop();
    await until(() => t.state === 'stopped', { engine: e, audio: 1, frames: 60, what: 'stopped' });
    await until(() => changes.some((c) => c.change === 'stop'), { engine: e, audio: 1, frames: 60, what: 'a stop event' });
    expect(t.now()).to.equal(0); // stop returns to where the start began
    expect(e.status().transportRejected).to.equal(0);
    await e.close();
  });

  it('the main thread blocked for 500 ms while playing: every click still starts on its frame', async () => {
    const ctx = new AudioContext();
    const e = new Engine({ context: ctx });
    await e.start();
    const sr = ctx.sampleRate;
    // A worklet on the engine's output reports the context frame where each click rises above the
    // threshold after at least 1,000 frames below it (the clicks are 0.25 s apart, 10 ms long).
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([ONSET_WATCH], { type: 'text/javascript' })));
    const watch = new AudioWorkletNode(ctx, 'onset-watch');
    e.node.connect(watch);
    const onsets = [];
    watch.port.onmessage = (m) => onsets.push(m.data);
    const t = e.transport;
    t.tempo = 240;
    t.metronome = true;
    const F = Math.round((ctx.currentTime + 0.5) * sr); // the command's margin to reach the audio thread
    t.start({ at: F / sr });
    await until(() => onsets.length >= 1, { engine: e, audio: 2, frames: 120, what: 'the first click' });
    const t0 = performance.now();
    while (performance.now() - t0 < 500) { /* the page is busy: no timer, no frame, no message runs */ }
    await until(() => onsets.length >= 8, { engine: e, audio: 4, frames: 240, what: () => `8 clicks (${onsets.length})` });
    // Where each click crosses the threshold: its first sample above it, from the click's formula.
    const rise = (accent) => {
      const f = accent ? 1760 : 880, amp = 0.5 * (accent ? 1 : 0.5), N = Math.round(0.01 * sr);
      let n = 0;
      while (Math.abs(amp * Math.sin((2 * Math.PI * f * n) / sr) * 0.5 * (1 - Math.cos((2 * Math.PI * n) / N))) <= THRESHOLD) n++;
      return n;
    };
    const want = Array.from({ length: 8 }, (_, k) => F + Math.round(k * 0.25 * sr) + e.latencyFrames + rise(k % 4 === 0));
    expect(e.status().transportLate, 'the start command arrived after its frame').to.equal(0);
    expect(onsets.slice(0, 8)).to.deep.equal(want);
    t.stop();
    await e.close();
  });

  it('a rebuilt audio thread gets the tempo and loop again: loop passes exactly (3 - 1) beats at 137 BPM apart', async () => {
    const ctx = new AudioContext();
    const e = new Engine({ context: ctx });
    await e.start();
    const t = e.transport;
    t.tempo = 137;
    t.loop = { start: 1, end: 3, enabled: true };
    t.start();
    await until(() => t.position.beats > 0.5, { engine: e, audio: 2, frames: 120, what: 'playing' });
    e.injectFault({ kind: 'trap', afterQuanta: 1 });
    await until(() => e.lastRecovery !== null && e.state === 'running', { engine: e, audio: 5, frames: 300, what: 'recovered' });
    // The new DSP starts stopped at 0 with the page's settings.
    const loops = [];
    t.addEventListener('transport', (ev) => ev.detail.change === 'loop' && loops.push(ev.detail));
    t.start();
    await until(() => loops.length >= 2, { engine: e, audio: 6, frames: 400, what: () => `two loop passes (${loops.length})` });
    const sr = ctx.sampleRate;
    const pass = Math.round((3 * 60 / 137) * sr) - Math.round((60 / 137) * sr);
    expect(loops[1].frame - loops[0].frame).to.equal(pass);
    expect(t.position.bpm).to.equal(137);
    await e.close();
  });

  it('rejects bad input with errors naming the value and the range, and sends nothing', async () => {
    const e = new Engine();
    const t = e.transport;
    const bad = [
      [() => { t.tempo = 10; }, RangeError, /tempo point 0 bpm: 10 is outside 20 to 400 BPM/],
      [() => { t.tempo = 401; }, RangeError, /401 is outside 20 to 400/],
      [() => { t.tempo = NaN; }, TypeError, /expected a number 20 to 400 BPM, got NaN/],
      [() => t.setTempoMap([{ beat: 1, bpm: 120 }]), RangeError, /tempo point 0 beat: 1 is outside 0 to 0/],
      [() => t.setTempoMap([{ beat: 0, bpm: 120 }, { beat: 0, bpm: 90 }]), RangeError, /point 1 beat: 0 must be after point 0's/],
      [() => t.setTempoMap([{ beat: 0, bpm: 120, ramp: 'cubic' }]), RangeError, /'cubic' is not one of step \| linear/],
      [() => t.setTempoMap([]), RangeError, /1 to 256 points, got 0/],
      [() => { t.timeSignature = [3, 5]; }, RangeError, /denominator: 5 is not 1, 2, 4/],
      [() => { t.timeSignature = [0, 4]; }, RangeError, /numerator: 0 is outside 1 to 64/],
      [() => { t.loop = { start: 4, end: 4, enabled: true }; }, RangeError, /loop end: 4 is outside 4.00104/],
      [() => { t.loop = { start: -1, end: 4 }; }, RangeError, /loop start: -1 is outside 0 to/],
      [() => { t.swing = 0.6; }, RangeError, /swing: 0.6 is outside 0 to 0.5/],
      [() => { t.swingGrid = 0.3; }, RangeError, /0.3 is not 0.5/],
      [() => { t.metronomeLevel = 2; }, RangeError, /metronomeLevel: 2 is outside 0 to 1/],
      [() => t.seek(-1), RangeError, /seek: -1 is outside 0 to 1048576 beats/],
      [() => t.start({ quantize: 'half' }), RangeError, /'half' is not one of none \| beat \| bar/],
      [() => t.start({ at: -1 }), RangeError, /at: -1 is outside 0 to/],
    ];
    const written = () => Atomics.load(controlHeader(e), 1); // ringWrite
    const w0 = written();
    for (const [fn, type, msg] of bad) expect(fn).to.throw(type, msg);
    expect(written(), 'no record was written for bad input').to.equal(w0);
    // and the settings are unchanged
    expect(t.tempo).to.equal(120);
    expect(t.timeSignature).to.deep.equal([4, 4]);
    expect(t.loop).to.deep.equal({ start: 0, end: 4, enabled: false });
  });
});

function controlHeader(engine) {
  return controlLink(engine).block.header;
}

/** dsp/Transport.zig's swing, written out: within a pair of grid units, u < 1 maps to u·(1 + a), the rest to 1 + a + (u − 1)·(1 − a). */
function swung(b, a, grid) {
  const pair = 2 * grid;
  const n = Math.floor(b / pair);
  const u = (b - n * pair) / grid;
  return n * pair + grid * (u < 1 ? u * (1 + a) : 1 + a + (u - 1) * (1 - a));
}

/** The largest |a - b| over both sides of two renders. */
function diff(a, b) {
  let w = 0, at = -1;
  for (let s = 0; s < 2; s++) for (let i = 0; i < a[s].length; i++) {
    const d = Math.abs(a[s][i] - b[s][i]);
    if (d > w) { w = d; at = i; }
  }
  return { w, at };
}

const SYNTH = { wave: 'saw', attackMs: 0, decayMs: 50, sustain: 0.5, releaseMs: 5 };

describe('transport: the timeline plays notes on exact frames (offline, through the worklet)', function () {
  this.timeout(180000);

  it('notes with swing, through a tempo ramp, replayed by a loop with no main-thread work', async () => {
    // 200 -> 120 BPM ramp over 4 beats, swing 1/3 on eighths, loop [0, 4).
    const map = [{ beat: 0, bpm: 200, ramp: 'linear' }, { beat: 4, bpm: 120 }];
    const a = 1 / 3;
    const F0 = 555;
    const seconds = 3.5;
    const beats = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5];
    const out = await render(seconds, async (e) => {
      const t = e.transport;
      t.setTempoMap(map);
      t.swing = a;
      t.loop = { start: 0, end: 4, enabled: true };
      const synth = e.createSynth(e.createChannel(), SYNTH);
      const s = await t.schedule(beats.map((b, i) => ({ synth, pitch: 60 + i, beat: b, length: 0.25, velocity: 0.5 + i / 16 })));
      expect(s.count).to.equal(8);
      t.start({ at: F0 / SR });
    });
    // The reference: the same notes as plain noteOn/noteOff at frames computed here.
    const L = frameAt(map, 4);
    let notes = 0;
    const ref = await render(seconds, (e) => {
      const synth = e.createSynth(e.createChannel(), SYNTH);
      for (let p = 0; F0 + p * L < seconds * SR; p++) {
        beats.forEach((b, i) => {
          const on = F0 + p * L + frameAt(map, swung(b, a, 0.5));
          const off = F0 + p * L + frameAt(map, swung(b + 0.25, a, 0.5));
          synth.noteOn(60 + i, 0.5 + i / 16, on / SR);
          synth.noteOff(60 + i, off / SR);
          if (on < seconds * SR) notes++;
        });
      }
    });
    expect(notes).to.be.above(12); // the loop came round
    expect(peakAbs(out[0])).to.be.above(0.05);
    const { w, at } = diff(out, ref);
    expect(w, `worst difference at frame ${at}`).to.be.below(1e-6);
  });

  it('a stop releases the notes it started on the stop\'s frame; 100,000 events load and play from the middle', async () => {
    const S = 30011;
    const held = await render(1, async (e) => {
      const synth = e.createSynth(e.createChannel(), SYNTH);
      await e.transport.schedule([{ synth, pitch: 57, beat: 0, length: 100 }]);
      e.transport.start({ at: 0 });
      e.transport.stop({ at: S / SR });
    });
    const ref1 = await render(1, (e) => {
      const synth = e.createSynth(e.createChannel(), SYNTH);
      synth.noteOn(57, 1, 0);
      synth.noteOff(57, S / SR);
    });
    expect(diff(held, ref1).w).to.be.below(1e-6);

    // 50,000 notes (100,000 events), one a beat; played from beat 40,000 at 120 BPM.
    let count = 0, e0;
    const many = await render(1.2, async (e) => {
      e0 = e;
      const synth = e.createSynth(e.createChannel(), SYNTH);
      const notes = Array.from({ length: 50000 }, (_, i) => ({ synth, pitch: 40 + (i % 40), beat: i, length: 0.5 }));
      await e.transport.schedule(notes);
      e.transport.seek(40000);
      e.transport.start({ at: 100 / SR });
    });
    await e0.flush();
    count = e0.status().timelineEvents;
    expect(count).to.equal(100000);
    const ref2 = await render(1.2, (e) => {
      const synth = e.createSynth(e.createChannel(), SYNTH);
      for (let k = 0; k < 3; k++) {
        synth.noteOn(40 + ((40000 + k) % 40), 1, (100 + k * 24000) / SR);
        synth.noteOff(40 + ((40000 + k) % 40), (100 + k * 24000 + 12000) / SR);
      }
    });
    expect(peakAbs(many[0])).to.be.above(0.05);
    expect(diff(many, ref2).w).to.be.below(1e-6);
  });
});
