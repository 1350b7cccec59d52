// Parameter automation on the timeline (strip.set(name, value, { beat | at, ramp }), automate()):
// offline renders through the real worklet and WASM. A DC input through a channel with EQ and
// compressor neutral reads the fader's gain exactly from the output, which is held frame by frame
// against the lane's curve written out here from its definition (dsp/Automation.zig's header):
// points on song frames round(seconds(beat) · fs) through the tempo map's closed form (the integral
// of 60/BPM, as test/transport.test.js writes it), linear and exponential segments in f64, steps on
// their frame, and after a loop wrap the join back onto the lane (the output decays from its last
// value with the smoother's τ = 10 ms). Tolerance 1e-5 relative on the gain; a step one frame off
// misses it by the step's size.
import { expect } from '@esm-bundle/chai';
import { Engine } from '../dist/daw-elements.js';
import { SR, render, dcSource, peakAbs, until, secondsAt } from './helpers.js';

const TOL = 1e-5;
const DC = 0.25;
const gain = (db) => Math.pow(10, db / 20);


/** The lane's value at song frame f: points [{ frame, value, ramp }] sorted by frame. */
function laneAt(pts, f) {
  let i = 0;
  while (i < pts.length && pts[i].frame <= f) i++;
  if (i === 0) return pts[0].value;
  if (i === pts.length) return pts[i - 1].value;
  const a = pts[i - 1], b = pts[i];
  if (b.ramp === 'step') return a.value;
  const x = (f - a.frame) / (b.frame - a.frame);
  if (b.ramp === 'exponential' && a.value * b.value > 0) return a.value * Math.pow(b.value / a.value, x);
  return a.value + (b.value - a.value) * x;
}

/** Per song frame: the lane, looping over [0, loopEnd) frames, joining back after each wrap (τ = 10 ms). */
function automatedDb(pts, frames, loopEnd) {
  const c = Math.exp(-1 / (Math.fround(0.01) * SR));
  const out = new Float64Array(frames);
  let join = 0, last = pts[0].value;
  for (let n = 0; n < frames; n++) {
    const f = loopEnd ? n % loopEnd : n;
    if (loopEnd && n > 0 && f === 0) join = last - laneAt(pts, 0);
    const lane = laneAt(pts, f);
    let v = lane;
    if (join !== 0) {
      v += join;
      join *= c;
      if (Math.abs(join) <= 1e-6 * Math.max(1, Math.abs(lane))) join = 0;
    }
    out[n] = last = v;
  }
  return out;
}

/** Worst relative error of `got` (engine output, `latency` frames late) against gains `want` from engine frame `from`. */
function worstRel(got, want, scale, from, latency) {
  let w = 0, at = -1;
  for (let n = 0; n < want.length && from + n + latency < got.length; n++) {
    const ref = scale * want[n];
    const e = Math.abs(got[from + n + latency] - ref) / Math.abs(ref);
    if (e > w) { w = e; at = n; }
  }
  return { w, at };
}

describe('automation: lanes against the analytic curve (offline, through the worklet)', function () {
  this.timeout(180000);

  it('volumeDb in beats under a tempo ramp (step, linear, exponential) across loop passes, and in seconds, within 1e-5', async () => {
    // Channel A (hard left): a lane in beats under a tempo ramp 90 -> 150 BPM over beats 0..4, looped
    // over [0, 4). Channel B (hard right): a lane in seconds. Both start where their lane starts.
    const map = [{ beat: 0, bpm: 90, ramp: 'linear' }, { beat: 4, bpm: 150 }];
    const beatsLane = [
      { beat: 0, value: -12, ramp: 'step' },
      { beat: 1.3, value: -3, ramp: 'linear' },
      { beat: 2.7, value: -20, ramp: 'exponential' },
      { beat: 3.5, value: -8, ramp: 'step' },
    ];
    const secondsLane = [
      { at: 0.2, value: -6, ramp: 'step' },
      { at: 0.9, value: -0.5, ramp: 'exponential' },
      { at: 1.6, value: -18, ramp: 'linear' },
      { at: 2.05, value: -9, ramp: 'step' },
    ];
    const F0 = 3001; // the transport starts here, not on a quantum boundary
    let latency = 0;
    const [l, r] = await render(5.5, async (e) => {
      latency = e.latencyFrames;
      const t = e.transport;
      t.setTempoMap(map);
      t.loop = { start: 0, end: 4, enabled: true };
      const a = e.createChannel({ pan: -1, volumeDb: -12 });
      a.connectSource(dcSource(e, DC));
      const b = e.createChannel({ pan: 1, volumeDb: -6 });
      b.connectSource(dcSource(e, DC));
      await a.automate('volumeDb', beatsLane);
      await b.automate('volumeDb', secondsLane);
      t.start({ at: F0 / SR });
    });
    const frame = (b) => Math.round(secondsAt(map, b) * SR);
    const loopEnd = frame(4);
    const n = l.length - F0 - latency;
    expect(n).to.be.above(2 * loopEnd); // two wraps
    const A = automatedDb(beatsLane.map((p) => ({ frame: frame(p.beat), value: p.value, ramp: p.ramp })), n, loopEnd).map(gain);
    const B = automatedDb(secondsLane.map((p) => ({ frame: Math.round(p.at * SR), value: p.value, ramp: p.ramp })), n, loopEnd).map(gain);
    const wa = worstRel(l, A, DC, F0, latency);
    const wb = worstRel(r, B, DC, F0, latency);
    expect(wa.w, `beats lane: worst relative error at song frame ${wa.at}`).to.be.below(TOL);
    expect(wb.w, `seconds lane: worst relative error at song frame ${wb.at}`).to.be.below(TOL);
    // The step at beat 3.5 (from -20 dB, where the exponential ended, to -8 dB) lands on its exact frame.
    const k = F0 + latency + frame(3.5);
    expect(l[k - 1] / DC, 'the frame before the step at beat 3.5').to.be.closeTo(gain(-20), gain(-20) * TOL);
    expect(l[k] / DC, 'the step at beat 3.5').to.be.closeTo(gain(-8), gain(-8) * TOL);
  });

  it('a step inside a quantum lands on its exact frame; an emptied lane gives the fader back to set()', async () => {
    let latency = 0;
    const step = 4800 + 77; // song frame of beat 0.2 at 120 BPM (24000 frames a beat) + 77
    const [l] = await render(1, async (e) => {
      latency = e.latencyFrames;
      const ch = e.createChannel({ volumeDb: -6 });
      ch.connectSource(dcSource(e, DC));
      ch.set('volumeDb', -6, { beat: 0, ramp: 'step' });
      ch.set('volumeDb', -18, { beat: step / 24000, ramp: 'step' });
      const m = e.createChannel({ volumeDb: -6 });
      m.connectSource(dcSource(e, DC));
      await m.automate('volumeDb', [{ beat: 0, value: -30 }]);
      await m.automate('volumeDb', []); // cleared: this channel stays at -6 dB
      await e.flush();
      e.transport.start({ at: 0 });
    });
    const c = Math.SQRT1_2; // both channels centred
    const at = (f) => l[f + latency] / (DC * c);
    expect(at(step - 1)).to.be.closeTo(gain(-6) + gain(-6), 2 * gain(-6) * TOL);
    expect(at(step)).to.be.closeTo(gain(-18) + gain(-6), 2 * gain(-6) * TOL);
  });

  it('a synth parameter (cutoffHz) automated renders the same audio as the value set immediately, and differs from the unautomated sound', async () => {
    const notes = (e, synth) => e.transport.schedule([{ synth, pitch: 48, beat: 0.5, length: 1 }]);
    const session = (mode) => render(1.5, async (e) => {
      const ch = e.createChannel({ volumeDb: -12 });
      const s = e.createSynth(ch, { wave: 'saw', cutoffHz: mode === 'set' ? 400 : 20000, resonance: 0.3 });
      if (mode === 'lane') await s.automate('cutoffHz', [{ beat: 0, value: 400, ramp: 'step' }]);
      await notes(e, s);
      e.transport.start({ at: 0 });
    });
    const [lane] = await session('lane');
    const [set] = await session('set');
    const [open] = await session('open');
    expect(peakAbs(lane)).to.be.above(0.01);
    // The lane joined 20 kHz -> 400 Hz in the first 0.2 s; the note starts at 0.25 s.
    let diff = 0;
    for (let i = 0; i < lane.length; i++) diff = Math.max(diff, Math.abs(lane[i] - set[i]));
    expect(diff, 'automated 400 Hz vs set 400 Hz').to.be.below(1e-6);
    let open_ = 0;
    for (let i = 0; i < lane.length; i++) open_ = Math.max(open_, Math.abs(lane[i] - open[i]));
    expect(open_, 'automated 400 Hz vs 20 kHz').to.be.above(0.01);
  });

  it('an offline render of a transport session with automation is bit-identical on a second render', async () => {
    const session = () => render(2, async (e) => {
      const t = e.transport;
      t.setTempoMap([{ beat: 0, bpm: 100, ramp: 'linear' }, { beat: 3, bpm: 170 }]);
      t.loop = { start: 0.5, end: 3, enabled: true };
      t.swing = 0.2;
      const ch = e.createChannel({ eqMidDb: 3 });
      const s = e.createSynth(ch, { wave: 'pulse' });
      await t.schedule([0, 0.5, 1, 1.75, 2.5].map((beat, i) => ({ synth: s, pitch: 50 + 3 * i, beat, length: 0.4 })));
      await s.automate('cutoffHz', [{ beat: 0, value: 300 }, { beat: 2, value: 6000, ramp: 'exponential' }]);
      await ch.automate('pan', [{ beat: 0, value: -0.8 }, { beat: 3, value: 0.8 }]);
      e.master.set('volumeDb', -3, { at: 0.5, ramp: 'step' });
      t.start({ at: 0.01 });
    });
    const [a, b] = [await session(), await session()];
    expect(peakAbs(a[0])).to.be.above(0.01);
    for (const side of [0, 1]) {
      const x = a[side], y = b[side];
      let same = x.length === y.length;
      for (let i = 0; same && i < x.length; i++) same = Object.is(x[i], y[i]);
      expect(same, `side ${side} bit-identical`).to.equal(true);
    }
  });
});

describe('automation: bad input', () => {
  let e;
  before(async () => {
    e = new Engine();
    await e.start();
  });
  after(() => e.close());

  it('names the value and the valid range; nothing is sent for a refused lane', async () => {
    const ch = e.createChannel();
    const s = e.createSynth(ch);
    const errs = [];
    e.addEventListener('daw-error', (ev) => errs.push(ev.detail));
    expect(() => ch.set('volumeDb', -6, { beat: 1, at: 1 })).to.throw(TypeError, /exactly one of beat/);
    expect(() => ch.set('volumeDb', -6, { beat: -1 })).to.throw(RangeError, /beat: -1 is outside 0 to 1048576 beats/);
    expect(() => ch.set('volumeDb', -6, { at: NaN })).to.throw(TypeError, /at: expected a number/);
    expect(() => ch.set('volumeDb', -6, { at: Infinity })).to.throw(RangeError, /Infinity is outside/);
    expect(() => ch.set('volumeDb', -6, { beat: 1, ramp: 'cubic' })).to.throw(RangeError, /'cubic' is not one of step \| linear \| exponential/);
    expect(() => ch.set('volumeDb', 'loud', { beat: 1 })).to.throw(TypeError, /volumeDb: expected a number/);
    expect(() => ch.set('volumeDb', -Infinity, { beat: 1 })).to.throw(RangeError, /-Infinity cannot be ramped/);
    expect(() => ch.set('nope', 1, { beat: 1 })).to.throw(RangeError, /unknown channel parameter 'nope'/);
    expect(() => ch.set('solo', true, { beat: 1, ramp: 'step' })).to.throw(RangeError, /solo cannot be automated/);
    expect(() => ch.set('mute', true, { beat: 1, ramp: 'linear' })).to.throw(RangeError, /only 'step' applies/);
    expect(() => e.bus('reverb').set('reverbDecayS', 2, { beat: 1 })).to.throw(RangeError, /bus effect parameters cannot be automated/);
    expect(() => ch.automate('pan', [{ beat: 0, value: -0.5 }, { beat: 1, value: 0.5, ramp: 'exponential' }])).to.throw(RangeError, /both ends need one sign/);
    expect(() => ch.automate('pan', [{ beat: 0, value: 0.5 }, { beat: 1, value: 0, ramp: 'exponential' }])).to.throw(RangeError, /cannot reach 0/);
    expect(() => ch.automate('pan', [{ beat: 0, value: 0.5 }, { at: 1, value: 0 }])).to.throw(RangeError, /all in beats or all in seconds/);
    expect(() => ch.automate('pan', 'up')).to.throw(TypeError, /expected an array/);
    await ch.automate('pan', [{ beat: 0, value: 0.5 }]);
    expect(() => ch.set('pan', 0, { at: 1 })).to.throw(RangeError, /this lane is in beats/);
    // Out of range: clamped and reported like an immediate set, the lane takes the clamped value.
    expect(ch.set('volumeDb', 40, { beat: 2 })).to.equal(12);
    expect(s.set('cutoffHz', 50000, { beat: 2 })).to.equal(20000);
    expect(errs.map((d) => [d.code, d.param, d.range])).to.deep.include.members([['out-of-range', 'volumeDb', '-Infinity to 12 dB'], ['out-of-range', 'cutoffHz', '20 to 20000 Hz']]);
    // The DSP holds exactly the accepted points: volumeDb (1), pan (1), cutoffHz (1).
    await e.flush();
    await until(() => e.status().timelineEvents === 3, { engine: e, what: '3 timeline events' });
    ch.dispose(); // its lanes go with it
    s.dispose();
    await until(() => e.status().timelineEvents === 0, { engine: e, what: 'no timeline events' });
  });
});
