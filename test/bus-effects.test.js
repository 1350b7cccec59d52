// The reverb and delay buses, rendered offline through the real worklet and WASM, measured here
// against independent references: the reverb's RT60 by Schroeder backward integration (T30, ISO
// 3382-1) written in this file, the delay's echo times and levels from the settings, the dry path
// from the pan law. Parameters go through engine.bus(name).set like a page's.
import { expect } from '@esm-bundle/chai';
import { Engine, BUS_FX } from '../dist/daw-elements.js';
import { SR, render, bufferSource, allFinite, peakAbs, dbToLin, linToDb } from './helpers.js';

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
