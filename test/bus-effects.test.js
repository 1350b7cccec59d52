// The reverb and delay buses, rendered offline through the real worklet and WASM, measured here
// against independent references: the reverb's RT60 by Schroeder backward integration (T30, ISO
// 3382-1) written in this file, the delay's echo times and levels from the settings, the dry path
// from the pan law. Parameters go through engine.bus(name).set like a page's.
import { expect } from '@esm-bundle/chai';
import { Engine, BUS_FX } from '../dist/daw-elements.js';
import { SR, render, bufferSource, allFinite, peakAbs, dbToLin, linToDb, sine, fft } from './helpers.js';

const CENTRE = Math.SQRT1_2; // constant-power pan at centre: -3 dB each side

/** Deterministic white noise in [-a, a] (xorshift32), `n` frames. */
function noise(n, a, seed = 12345) {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    x[i] = a * (s / 2147483648 - 1);
  }
  return x;
}

/**
 * T30 (ISO 3382-1) of the decay that starts at frame `from`: Schroeder backward integration of
 * L² + R², least-squares line through the decay curve from -5 to -35 dB, RT = -60 / slope.
 */
function t30(l, r, from) {
  const n = l.length - from;
  const edc = new Float64Array(n);
  let acc = 0;
  for (let i = n - 1; i >= 0; i--) {
    acc += l[from + i] * l[from + i] + r[from + i] * r[from + i];
    edc[i] = acc;
  }
  let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
  for (let i = 0; i < n; i++) {
    const db = 10 * Math.log10(edc[i] / edc[0]);
    if (db > -5) continue;
    if (db < -35) break;
    const t = i / SR;
    sx += t; sy += db; sxx += t * t; sxy += t * db; m++;
  }
  const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  return -60 / slope;
}

/** Index of the largest |x[i]| for i in [from, to). */
function argmaxAbs(x, from, to) {
  let at = from;
  for (let i = from; i < to; i++) if (Math.abs(x[i]) > Math.abs(x[at])) at = i;
  return at;
}

describe('bus effects: the reverb bus', function () {
  this.timeout(180000);

  // Damping 0: every frequency decays with the set RT60, so the broadband decay measures it (the
  // damping's shorter high-frequency decay is measured per octave in dsp/BusEffects.zig and
  // dsp/reverb_tests.zig).
  for (const decay of [0.8, 2.5]) {
    it(`a burst sent with sendReverb 1 rings on the master with T30 = ${decay} s within 15 %`, async () => {
      const burst = noise(240, 0.5); // 5 ms
      const [l, r] = await render(decay * 1.4 + 0.1, (e) => {
        e.master.set('limiterCeilingDb', 0);
        e.bus('reverb').set('reverbDecayS', decay);
        e.bus('reverb').set('reverbDamping', 0);
        e.createChannel({ sendReverb: 1 }).connectSource(bufferSource(e, burst));
      });
      expect(allFinite(l) && allFinite(r)).to.equal(true);
      // From 50 ms on: after the burst, the limiter's look-ahead and the 15 ms pre-delay.
      const from = Math.round(0.05 * SR);
      expect(peakAbs(l, from)).to.be.above(1e-3); // a tail, not silence
      const t = t30(l, r, from);
      expect(t, `T30 ${t.toFixed(3)} s for a set decay of ${decay} s`).to.be.closeTo(decay, 0.15 * decay);
    });
  }

  it('the reverb bus is wet, not a louder copy of the channel', async () => {
    const burst = noise(240, 0.5);
    const [l] = await render(0.5, (e) => {
      e.master.set('limiterCeilingDb', 0);
      e.createChannel({ sendReverb: 1 }).connectSource(bufferSource(e, burst));
    });
    // Until the 15 ms pre-delay is over the output is the dry burst alone (a passthrough bus, as
    // before the reverb, would double it); after it, the tail.
    const shift = argmaxAbs(l, 0, 1024) - argmaxAbs(burst, 0, 240); // the limiter's look-ahead
    let worst = 0;
    for (let i = 0; i < 240; i++) worst = Math.max(worst, Math.abs(l[i + shift] - burst[i] * CENTRE));
    expect(worst).to.be.below(1e-6);
    expect(rmsOf(l, 0.1 * SR, 0.3 * SR)).to.be.above(1e-3);
  });
});

function rmsOf(x, from, to) {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('bus effects: the delay bus', function () {
  this.timeout(120000);

  it('echoes at the set times to the frame, each repeat at the feedback\'s level within 0.5 dB', async () => {
    const imp = new Float32Array(64);
    imp[0] = 0.02; // -34 dBFS: the loop's soft saturator is linear within 1e-4 dB here
    const timeL = 200, timeR = 300, fb = 0.5; // ms, ms, linear
    const [l, r] = await render(1.3, (e) => {
      e.master.set('limiterCeilingDb', 0);
      const d = e.bus('delay');
      d.set('delayTimeLMs', timeL);
      d.set('delayTimeRMs', timeR);
      d.set('delayFeedback', fb);
      d.set('delayLowCutHz', 10); // the in-loop filters off: each repeat is the impulse itself
      d.set('delayHighCutHz', 22000);
      e.createChannel({ sendDelay: 1 }).connectSource(bufferSource(e, imp));
    });
    const d0 = argmaxAbs(l, 0, 1024); // the dry impulse, after the limiter's look-ahead
    expect(l[d0]).to.be.closeTo(0.02 * CENTRE, 1e-6);
    for (const [x, ms, side] of [[l, timeL, 'L'], [r, timeR, 'R']]) {
      const step = Math.round(ms * SR / 1000);
      let prev = Math.abs(x[d0]); // echo 1 has the dry level: send 1 post-pan, bus at unity
      for (let k = 1; d0 + k * step + 200 < x.length; k++) {
        const want = d0 + k * step;
        const at = argmaxAbs(x, want - 200, want + 200);
        expect(Math.abs(at - want), `${side} echo ${k} at frame ${at}, expected ${want}`).to.be.at.most(1);
        const level = Math.abs(x[at]);
        const wantDb = k === 1 ? 0 : linToDb(fb);
        expect(linToDb(level / prev), `${side} echo ${k} level re the one before`).to.be.closeTo(wantDb, 0.5);
        prev = level;
      }
    }
  });

  it('ping-pong: a mono input\'s repeats alternate sides', async () => {
    const imp = new Float32Array(64);
    imp[0] = 0.02;
    const [l2, r2] = await render(0.8, (e) => {
      e.master.set('limiterCeilingDb', 0);
      const d = e.bus('delay');
      d.set('delayMode', 'pingpong');
      d.setAll({ delayTimeLMs: 150, delayTimeRMs: 150, delayFeedback: 0.5, delayLowCutHz: 10, delayHighCutHz: 22000 });
      e.createChannel({ sendDelay: 1 }).connectSource(bufferSource(e, imp));
    });
    const d0 = argmaxAbs(l2, 0, 1024);
    const step = 150 * SR / 1000;
    for (let k = 1; k <= 4; k++) {
      const i = d0 + k * step;
      const [on, off] = k % 2 === 1 ? [l2, r2] : [r2, l2]; // the first repeat on the left line
      expect(Math.abs(on[i]), `repeat ${k}`).to.be.above(1e-3);
      expect(Math.abs(off[i]), `repeat ${k} on the other side`).to.be.below(1e-6);
    }
  });
});

describe('bus effects: dry when nothing is sent, bounded when everything is', function () {
  this.timeout(120000);

  it('with all sends 0 the output is the dry channel exactly, whatever the bus effects are set to', async () => {
    const x = noise(SR / 2, 0.3);
    const setup = (hot) => (e) => {
      e.master.set('limiterCeilingDb', 0);
      if (hot) {
        e.bus('reverb').setAll({ reverbDecayS: 30, reverbFreeze: true, reverbSize: 1 });
        e.bus('delay').setAll({ delayFeedback: 1, delayTimeLMs: 1, delayMode: 'cross' });
      }
      e.createChannel().connectSource(bufferSource(e, x));
    };
    const [l1, r1] = await render(0.6, setup(false));
    const [l2, r2] = await render(0.6, setup(true));
    for (let i = 0; i < l1.length; i++) {
      if (l1[i] !== l2[i] || r1[i] !== r2[i]) expect.fail(`frame ${i}: ${l1[i]}, ${r1[i]} vs ${l2[i]}, ${r2[i]}`);
    }
    // And it is the pan law applied to the input, shifted by the limiter's look-ahead.
    let shift = -1;
    for (let s = 0; s < 1024 && shift < 0; s++) if (Math.abs(l1[s + 10] - x[10] * CENTRE) < 1e-6 && Math.abs(l1[s + 11] - x[11] * CENTRE) < 1e-6) shift = s;
    expect(shift).to.be.at.least(0);
    let worst = 0;
    for (let i = 0; i + shift < l1.length && i < x.length; i++) worst = Math.max(worst, Math.abs(l1[i + shift] - x[i] * CENTRE), Math.abs(r1[i + shift] - x[i] * CENTRE));
    expect(worst).to.be.below(1e-6);
  });

  it('full sends at maximum feedback, frozen reverb and loud noise: finite and under the limiter ceiling', async () => {
    const x = noise(SR, 1);
    const [l, r] = await render(2, (e) => {
      e.bus('reverb').setAll({ reverbFreeze: true, reverbDecayS: 30 });
      e.bus('delay').setAll({ delayFeedback: -1, delayTimeLMs: 1, delayTimeRMs: 3, delayMode: 'cross', delayCross: 1 });
      for (let i = 0; i < 4; i++) e.createChannel({ sendReverb: 1, sendDelay: 1, volumeDb: 12 }).connectSource(bufferSource(e, x));
    });
    expect(allFinite(l) && allFinite(r)).to.equal(true);
    const ceiling = dbToLin(-1); // the default limiterCeilingDb
    expect(Math.max(peakAbs(l), peakAbs(r))).to.be.at.most(ceiling);
    expect(peakAbs(l, SR * 1.5)).to.be.above(1e-3); // still ringing after the input stopped
  });
});

describe('bus effects: live changes', function () {
  this.timeout(120000);

  it('a decay set mid-tail through engine.bus().set takes effect at once, without a click', async function () {
    // Needs OfflineAudioContext.suspend() to change a parameter at an exact render time; Firefox
    // has none (the Zig tests in dsp/BusEffects.zig cover live changes in the DSP itself).
    if (typeof OfflineAudioContext.prototype.suspend !== 'function') this.skip();
    const burst = noise(240, 0.5);
    const at = 0.5; // s, a multiple of the quantum
    const renderWith = async (change) => {
      const ctx = new OfflineAudioContext(2, 1.5 * SR, SR);
      const e = new Engine({ context: ctx });
      await e.start();
      e.master.set('limiterCeilingDb', 0);
      e.bus('reverb').set('reverbDecayS', 2.5);
      e.createChannel({ sendReverb: 1 }).connectSource(bufferSource(e, burst));
      await e.flush();
      if (change) {
        ctx.suspend(at).then(async () => {
          e.bus('reverb').set('reverbDecayS', 0.3);
          await e.flush();
          ctx.resume();
        });
      }
      const b = await ctx.startRendering();
      return b.getChannelData(0);
    };
    const ref = await renderWith(false);
    const l = await renderWith(true);
    const i0 = at * SR;
    // Identical up to the change (the same render, bit for bit).
    for (let i = 0; i < i0; i++) if (l[i] !== ref[i]) expect.fail(`frame ${i} differs before the change`);
    // 0.5 s later the 2.5 s tail has fallen 12 dB, the 0.3 s one far more: at least 40 dB below it.
    const late = rmsOf(l, 1.0 * SR, 1.5 * SR), lateRef = rmsOf(ref, 1.0 * SR, 1.5 * SR);
    expect(lateRef).to.be.above(1e-4);
    expect(linToDb(late / lateRef)).to.be.below(-40);
    // No click: in every 10 ms of the 100 ms after the change, no sample-to-sample step larger than
    // the unchanged tail's own largest there (the changed tail only gets quieter).
    const maxStep = (x, from, to) => { let m = 0; for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1])); return m; };
    for (let w = 0; w < 10; w++) {
      const from = i0 + w * 480;
      expect(maxStep(l, from, from + 480), `largest step ${w * 10}-${w * 10 + 10} ms after the change`).to.be.at.most(maxStep(ref, from, from + 480));
    }
  });
});

describe('bus effects: parameters', () => {
  it('are in BUS_FX by bus; each bus takes its own effect\'s and rejects the others\' by name', () => {
    const e = new Engine();
    const errors = [];
    e.addEventListener('daw-error', (ev) => errors.push(ev.detail));
    const reverb = e.bus('reverb');
    const delay = e.bus('delay');
    expect(BUS_FX.filter((p) => p.bus === 'reverb').map((p) => p.name)).to.include.members(['reverbDecayS', 'reverbPreDelayMs', 'reverbFreeze']);
    expect(BUS_FX.filter((p) => p.bus === 'delay').map((p) => p.name)).to.include.members(['delayTimeLMs', 'delayFeedback', 'delayMode']);
    for (const p of BUS_FX) expect(p.index).to.equal(BUS_FX.indexOf(p));
    expect(reverb.parameterNames).to.include.members(['volumeDb', 'reverbDecayS']).and.not.include('delayFeedback');
    // Defaults, then a set and a get.
    expect(reverb.get('reverbDecayS')).to.be.closeTo(1.8, 1e-6);
    expect(delay.get('delayTimeLMs')).to.equal(375);
    expect(reverb.set('reverbDecayS', 2.5)).to.equal(2.5);
    expect(reverb.get('reverbDecayS')).to.equal(2.5);
    // Out of range: clamped and reported with the value and the range.
    expect(reverb.set('reverbDecayS', 100)).to.equal(30);
    expect(errors[0]).to.include({ code: 'out-of-range', param: 'reverbDecayS', value: 100, range: '0.1 to 30 s' });
    expect(errors[0].message).to.match(/reverb bus reverbDecayS: 100 is outside 0\.1 to 30 s; using 30/);
    expect(delay.set('delayFeedback', -3)).to.equal(-1);
    expect(errors[1].message).to.match(/delayFeedback: -3 is outside -1 to 1/);
    // Enums by name or index, switches as booleans.
    expect(delay.set('delayMode', 'pingpong')).to.equal(1);
    expect(delay.set('delayMode', 2)).to.equal(2);
    expect(reverb.set('reverbFreeze', true)).to.equal(1);
    // Wrong kinds: TypeError naming the parameter and the valid values.
    expect(() => reverb.set('reverbDecayS', NaN)).to.throw(TypeError, /reverbDecayS: NaN is not a value \(0\.1 to 30 s\)/);
    expect(() => reverb.set('reverbSize', '0.5')).to.throw(TypeError, /reverbSize/);
    expect(() => delay.set('delayMode', 'tape')).to.throw(TypeError, /'tape' is not one of stereo \| pingpong \| cross/);
    // Another bus's effect, or an unknown name: RangeError saying where it belongs.
    expect(() => delay.set('reverbDecayS', 2)).to.throw(RangeError, /reverbDecayS is a parameter of the reverb bus, not of the delay bus/);
    expect(() => e.bus('drum').set('delayFeedback', 0.5)).to.throw(RangeError, /delay bus/);
    expect(() => delay.get('reverbSize')).to.throw(RangeError, /reverb bus/);
    expect(() => reverb.set('reverbLoudness', 1)).to.throw(RangeError, /unknown reverb bus parameter 'reverbLoudness'/);
    // setAll validates everything before writing anything.
    expect(() => delay.setAll({ delayFeedback: 0.1, delayWidth: 'wide' })).to.throw(TypeError);
    expect(delay.get('delayFeedback')).to.equal(-1);
    expect(reverb.get('reverbDecayS')).to.equal(30);
    expect(errors.length).to.equal(2);
  });
});

/** RBJ cookbook low-pass (bilinear, pre-warped; Q 1/sqrt(2): the 2-pole Butterworth the drum bus's damping is). */
function butterLp(fc, fs = SR) {
  const w0 = 2 * Math.PI * fc / fs, cw = Math.cos(w0), alpha = Math.sin(w0) / (2 * Math.SQRT1_2), a0 = 1 + alpha;
  return { b0: (1 - cw) / 2 / a0, b1: (1 - cw) / a0, b2: (1 - cw) / 2 / a0, a1: -2 * cw / a0, a2: (1 - alpha) / a0 };
}

/** `x` through biquad `c` (direct form I, float64). */
function biquad(c, x) {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = c.b0 * x[i] + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = v; y[i] = v;
  }
  return y;
}

/** Complex response of biquad `c` at frequency f: [re, im]. */
function biquadH(c, f) {
  const w = 2 * Math.PI * f / SR;
  const z1r = Math.cos(w), z1i = -Math.sin(w), z2r = Math.cos(2 * w), z2i = -Math.sin(2 * w);
  const nr = c.b0 + c.b1 * z1r + c.b2 * z2r, ni = c.b1 * z1i + c.b2 * z2i;
  const dr = 1 + c.a1 * z1r + c.a2 * z2r, di = c.a1 * z1i + c.a2 * z2i;
  const d = dr * dr + di * di;
  return [(nr * dr + ni * di) / d, (ni * dr - nr * di) / d];
}

/**
 * The drum bus's return alone: a render with the channel sent to the drum bus minus the same render
 * without the send (the mixer sums linearly and the limiter is transparent below its ceiling).
 */
async function drumReturn(seconds, input, settings) {
  let latency = 0;
  const run = (send) => render(seconds, (e) => {
    latency = e.latencyFrames;
    e.master.set('limiterCeilingDb', 0);
    e.bus('drum').setAll(settings);
    e.createChannel({ sendDrum: send }).connectSource(bufferSource(e, input));
  });
  const [l1, r1] = await run(1);
  const [l0, r0] = await run(0);
  return { wet: l1.map((v, i) => v - l0[i]), wetR: r1.map((v, i) => v - r0[i]), dry: l0, dryR: r0, latency };
}

describe('bus effects: the drum bus', function () {
  this.timeout(180000);

  // The three drive curves of dsp/DrumBus.zig's header, at full drive (+12 dB).
  const CURVES = {
    soft: (x) => x / Math.sqrt(1 + x * x),
    medium: Math.tanh,
    hard: (x) => x / Math.sqrt(Math.sqrt(1 + x ** 4)),
  };
  for (const [curve, f] of Object.entries(CURVES)) {
    it(`drive 1, ${curve} curve: a slow sine comes back as curve(x at +12 dB), through the 20 kHz damping, within 1e-5`, async () => {
      // 50 Hz at -12 dBFS (the sum with the dry path stays below the limiter's ceiling): its
      // harmonics that matter stay far below the oversampler's band edges, so the return is the
      // curve applied to the post-pan send at +12 dB, through the damping low-pass, delayed by
      // engine.latencyFrames (the dry path is delayed as much). Measured: 2.7e-7 at most.
      const n = SR / 2;
      const x = sine(n, 50, 0.25);
      const { wet, latency } = await drumReturn(0.6, x, { drumDrive: 1, drumCurve: curve, drumDampingHz: 20000, drumDryWet: 1 });
      const ref = biquad(butterLp(20000), Array.from(x, (v) => f(10 ** (12 / 20) * v * CENTRE)));
      let worst = 0, at = 0;
      for (let i = 2400; i < n - 1200; i++) { // away from the sine's start and end
        const e = Math.abs(wet[i + latency] - ref[i]);
        if (e > worst) { worst = e; at = i; }
      }
      expect(peakAbs(wet)).to.be.above(0.5);
      expect(worst, `largest error ${worst.toExponential(2)} at frame ${at} (curve ${curve})`).to.be.below(1e-5);
    });
  }

  it('boom: the ring after a click has the set frequency within 2 % and its T60 within 10 %', async () => {
    const hz = 60, decay = 0.5;
    const t60 = 0.15 * 10 ** decay; // dsp/DrumBus.zig: T60 = 0.15 x 10^decay s
    const click = new Float32Array(64);
    click[0] = 0.05;
    const { wet, latency } = await drumReturn(1.2, click, { drumDrive: 0, drumBoom: 1, drumBoomHz: hz, drumBoomDecay: decay });
    // From 10 ms after the click (the drive path's impulse response is over) to 0.9 T60.
    const from = latency + 480, to = latency + Math.round(0.9 * t60 * SR);
    let first = -1, last = 0, count = 0;
    for (let i = from; i < to; i++) {
      if (wet[i - 1] < 0 && wet[i] >= 0) {
        const t = i - 1 + wet[i - 1] / (wet[i - 1] - wet[i]);
        if (first < 0) first = t; else count++;
        last = t;
      }
    }
    const f = count * SR / (last - first);
    expect(f, `boom at ${f.toFixed(2)} Hz`).to.be.closeTo(hz, 0.02 * hz);
    // Successive positive peaks of a damped sine fall by e^(-sigma T): the first and last give sigma.
    const peaks = [];
    for (let i = from; i < to; i++) if (wet[i] > 0 && wet[i] > wet[i - 1] && wet[i] >= wet[i + 1]) peaks.push(i);
    const [p1, p2] = [peaks[0], peaks[peaks.length - 1]];
    const sigma = Math.log(wet[p1] / wet[p2]) / ((p2 - p1) / SR);
    expect(Math.log(1000) / sigma, 'T60').to.be.closeTo(t60, 0.1 * t60);
  });

  for (const dryWet of [0, 1]) {
    it(`a channel sent to the drum bus at dry/wet ${dryWet} sums with its own dry path without a comb (spectrum within 0.1 dB of the design)`, async () => {
      // Neutral settings (drive 0 at -40 dBFS: the soft curve is linear within 1e-4 dB; no boom,
      // transients or glue). The sum is the dry path times 1 + D(f), D the drum return's response:
      // 1 at dry/wet 0; the damping low-pass's (20 kHz) at dry/wet 1. Were the return 51 frames
      // late (its oversampler's latency, uncompensated), |1 + e^(-jw 51)| would notch at 470 Hz,
      // 1.4 kHz, ...
      const N = 1 << 15;
      const x = noise(N / 2, 0.01);
      const { wet, dry } = await drumReturn(N / SR + 0.01, x, { drumDrive: 0, drumDryWet: dryWet });
      const sum = dry.map((v, i) => v + wet[i]);
      const spec = (y) => {
        const re = new Float64Array(N), im = new Float64Array(N);
        for (let i = 0; i < N; i++) re[i] = y[i];
        fft(re, im);
        return [re, im];
      };
      const [sr, si] = spec(sum), [dr, di] = spec(dry);
      const lp = butterLp(20000);
      let worst = 0, at = 0;
      for (let k = Math.ceil(20 * N / SR); k <= Math.floor(20000 * N / SR); k++) {
        const f = k * SR / N;
        const [hr, hi] = dryWet === 0 ? [1, 0] : biquadH(lp, f);
        const want = Math.hypot(1 + hr, hi);
        const got = Math.hypot(sr[k], si[k]) / Math.hypot(dr[k], di[k]);
        const db = Math.abs(20 * Math.log10(got / want));
        if (db > worst) { worst = db; at = f; }
      }
      expect(worst, `largest deviation ${worst.toFixed(3)} dB at ${at.toFixed(0)} Hz`).to.be.below(0.1);
    });
  }
});

describe('bus effects: delay note values follow the transport\'s tempo', function () {
  this.timeout(120000);

  it('1/8 at 120 BPM echoes 250 ms later to the frame; after a step to 90 BPM, 333.33 ms', async () => {
    // The transport plays from frame 0: 120 BPM to beat 4 (2 s), then 90. Impulses at 0.1 s and
    // 3.5 s (the read head has long glided to the new time: 100 ms glide).
    const imp = new Float32Array(Math.round(3.6 * SR));
    const at = [Math.round(0.1 * SR), Math.round(3.5 * SR)];
    for (const i of at) imp[i] = 0.02;
    const [l, r] = await render(4, (e) => {
      e.master.set('limiterCeilingDb', 0);
      e.transport.setTempoMap([{ beat: 0, bpm: 120 }, { beat: 4, bpm: 90 }]);
      e.transport.start();
      e.bus('delay').setAll({ delaySyncL: '1/8', delaySyncR: '1/8', delayTimeLMs: 40, delayFeedback: 0, delayLowCutHz: 10, delayHighCutHz: 22000 });
      e.createChannel({ sendDelay: 1 }).connectSource(bufferSource(e, imp));
    });
    for (const [k, step] of [[0, 12000], [1, 16000]]) { // 250 ms and 333.33 ms at 48 kHz
      const d0 = argmaxAbs(l, at[k], at[k] + 1024); // the dry impulse, after the latency
      expect(l[d0]).to.be.closeTo(0.02 * CENTRE, 1e-6);
      for (const [x, side] of [[l, 'L'], [r, 'R']]) {
        const echo = argmaxAbs(x, d0 + 1000, d0 + 20000);
        expect(echo - d0, `${side} echo of impulse ${k}`).to.equal(step);
        expect(x[echo], `${side} echo ${k} level`).to.be.closeTo(0.02 * CENTRE, 1e-5);
      }
    }
  });
});
