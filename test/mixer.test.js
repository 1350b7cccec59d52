// The mixer's sound, rendered offline through the real worklet and WASM, against references computed
// here: RBJ formulas, the pan law, dB arithmetic, the compressor's static curve and time constants.
import { expect } from '@esm-bundle/chai';
import {
  SR, render, bufferSource, dcSource, sine, peakAbs, rms, allFinite, magnitude, rbj, biquadMag, compCurve, dbToLin, linToDb,
} from './helpers.js';

const CENTRE = Math.SQRT1_2; // constant-power pan at centre: -3 dB each side

/** Renders a 0.1 impulse through one channel with `params`; returns the left output. */
async function impulseResponse(params, seconds = 0.75) {
  const imp = new Float32Array(SR * seconds);
  imp[0] = 0.1;
  const [l] = await render(seconds, (e) => {
    e.master.set('limiterCeilingDb', 0);
    e.createChannel(params).connectSource(bufferSource(e, imp));
  });
  return l;
}

describe('mixer: EQ bands match the RBJ Audio EQ Cookbook', function () {
  this.timeout(120000);
  const N = 32768;
  let flat;
  before(async () => {
    flat = magnitude(await impulseResponse({}), N);
  });

  const cases = [
    { name: 'low shelf 100 Hz +12 dB', type: 'lowshelf', params: { eqLowDb: 12, eqLowHz: 100 }, f0: 100, db: 12 },
    { name: 'low shelf 250 Hz -9 dB', type: 'lowshelf', params: { eqLowDb: -9, eqLowHz: 250 }, f0: 250, db: -9 },
    { name: 'peaking 1 kHz +6 dB Q 0.707', type: 'peaking', params: { eqMidDb: 6, eqMidHz: 1000, eqMidQ: 0.707 }, f0: 1000, db: 6, q: 0.707 },
    { name: 'peaking 3 kHz -12 dB Q 4', type: 'peaking', params: { eqMidDb: -12, eqMidHz: 3000, eqMidQ: 4 }, f0: 3000, db: -12, q: 4 },
    { name: 'high shelf 8 kHz +6 dB', type: 'highshelf', params: { eqHighDb: 6, eqHighHz: 8000 }, f0: 8000, db: 6 },
    { name: 'high shelf 4 kHz -15 dB', type: 'highshelf', params: { eqHighDb: -15, eqHighHz: 4000 }, f0: 4000, db: -15 },
  ];
  for (const c of cases) {
    it(`${c.name}: |H| within 1e-4 relative over 20 Hz..20 kHz`, async () => {
      const m = magnitude(await impulseResponse(c.params), N);
      const coef = rbj(c.type, c.f0, c.db, c.q ?? 1, SR);
      let worst = 0, at = 0;
      for (let i = 0; i <= 240; i++) {
        const f = 20 * Math.pow(1000, i / 240);
        const k = Math.round(f * N / SR);
        const fk = k * SR / N;
        const measured = m[k] / flat[k];
        const expected = biquadMag(coef, fk, SR);
        const err = Math.abs(measured - expected) / expected;
        if (err > worst) { worst = err; at = fk; }
      }
      expect(worst, `worst relative error at ${at.toFixed(1)} Hz`).to.be.at.most(1e-4);
    });
  }
});

describe('mixer: gain, pan, mute, solo, routing', function () {
  this.timeout(60000);
  const tail = (a) => a[a.length - 1];

  /** DC 0.25 through one channel; returns the settled [L, R]. */
  async function dcThrough(params, setupMore) {
    const [l, r] = await render(0.25, (e) => {
      const ch = e.createChannel(params);
      ch.connectSource(dcSource(e, 0.25));
      setupMore?.(e, ch);
    });
    return [tail(l), tail(r)];
  }

  it('pans with the constant-power law (-3 dB at centre)', async () => {
    for (const p of [-1, -0.5, 0, 0.3, 1]) {
      const [l, r] = await dcThrough({ pan: p });
      const th = (p + 1) * Math.PI / 4;
      expect(l, `L at pan ${p}`).to.be.closeTo(0.25 * Math.cos(th), 2e-6);
      expect(r, `R at pan ${p}`).to.be.closeTo(0.25 * Math.sin(th), 2e-6);
    }
  });

  it('applies volume and trim in dB, and -Infinity is silence', async () => {
    for (const [vol, trim] of [[-6, 0], [-20, 3], [6, -12], [12, 0]]) {
      const [l] = await dcThrough({ volumeDb: vol, trimDb: trim });
      const expected = 0.25 * CENTRE * dbToLin(vol + trim);
      expect(Math.abs(l), `vol ${vol} trim ${trim}`).to.be.closeTo(Math.min(expected, dbToLin(-1)), expected * 1e-5 + 1e-7);
    }
    const [l, r] = await dcThrough({ volumeDb: -Infinity });
    expect(l).to.equal(0);
    expect(r).to.equal(0);
  });

  it('inverts polarity', async () => {
    const [l] = await dcThrough({ invert: true });
    expect(l).to.be.closeTo(-0.25 * CENTRE, 2e-6);
  });

  it('mutes a channel, and solo silences the others but keeps buses working', async () => {
    const [l] = await dcThrough({ mute: true });
    expect(l).to.equal(0);

    // A (0.25 DC, soloed, send to the drum bus, which passes its input at dry/wet 0) and B (0.125
    // DC, not soloed, send too).
    const [sl] = await render(0.25, (e) => {
      e.bus('drum').set('drumDryWet', 0);
      e.createChannel({ solo: true, sendDrum: 1 }).connectSource(dcSource(e, 0.25));
      e.createChannel({ sendDrum: 1 }).connectSource(dcSource(e, 0.125));
    });
    // out = A main + drum bus (A's post-pan send; buses balance at unity when centred)
    const a = 0.25 * CENTRE;
    expect(tail(sl)).to.be.closeTo(a + a, 2e-6);
  });

  it('routes post-fader sends through each bus to master', async () => {
    const main = 0.25 * dbToLin(-6) * CENTRE;
    // The delay set to pass DC after 1 ms (no feedback, in-loop filters off) and the drum bus (a
    // passthrough at dry/wet 0): exact sums.
    const dcDelay = (e) => {
      e.bus('delay').setAll({ delayTimeLMs: 1, delayTimeRMs: 1, delayFeedback: 0, delayLowCutHz: 10, delayHighCutHz: 22000 });
      e.bus('drum').set('drumDryWet', 0);
    };
    for (const [i, name, send] of [[1, 'delay', 'sendDelay'], [2, 'drum', 'sendDrum']]) {
      const [l] = await dcThrough({ [send]: 0.5, volumeDb: -6 }, (e) => { dcDelay(e); e.bus(name).set('volumeDb', -3); });
      const bus = main * 0.5 * dbToLin(-3);
      expect(l, `bus ${i} ${name}`).to.be.closeTo(main + bus, 2e-6);
      const [m] = await dcThrough({ [send]: 0.5, volumeDb: -6 }, (e) => { dcDelay(e); e.bus(i).set('mute', true); });
      expect(m, `bus ${name} muted`).to.be.closeTo(main, 2e-6);
    }
    // The reverb (wet only: no DC through its low cut, a decaying step response): its part of the
    // output scales with its bus fader, and mute removes it.
    const [w0] = await dcThrough({ sendReverb: 0.5, volumeDb: -6 });
    const [w3] = await dcThrough({ sendReverb: 0.5, volumeDb: -6 }, (e) => e.bus('reverb').set('volumeDb', -3));
    expect(Math.abs(w0 - main)).to.be.above(1e-4);
    expect((w3 - main) / (w0 - main)).to.be.closeTo(dbToLin(-3), 1e-4);
    const [m] = await dcThrough({ sendReverb: 0.5, volumeDb: -6 }, (e) => e.bus('reverb').set('mute', true));
    expect(m, 'reverb bus muted').to.be.closeTo(main, 2e-6);
  });

  it('applies master volume and balance (unity at centre) after the buses', async () => {
    const [l, r] = await dcThrough({}, (e) => { e.master.set('volumeDb', -6); e.master.set('pan', 1); });
    expect(l).to.be.closeTo(0, 1e-7);
    expect(r).to.be.closeTo(0.25 * CENTRE * dbToLin(-6), 2e-6);
  });

  it('sums every source-fed channel into master with all 64 claimed', async () => {
    const [l] = await render(0.2, (e) => {
      for (let i = 0; i < 64; i++) {
        const ch = e.createChannel({ volumeDb: -30 });
        if (i % 2 === 0) ch.connectSource(dcSource(e, 0.5)); // 32 external inputs
      }
      expect(() => e.createChannel()).to.throw(RangeError, /64/);
      e.master.set('limiterCeilingDb', 0);
    });
    expect(tail(l)).to.be.closeTo(32 * 0.5 * dbToLin(-30) * CENTRE, 1e-5);
  });
});

describe('mixer: compressor', function () {
  this.timeout(120000);
  const T = -20, R = 4, W = 6;

  it('follows the soft-knee static curve within 0.5 dB (DC levels)', async () => {
    for (const inDb of [-40, -26, -22, -20, -18, -14, -6, -1]) {
      const [l] = await render(0.6, (e) => {
        e.master.set('limiterCeilingDb', 0);
        e.master.set('volumeDb', -12); // keep the output under the limiter
        e.createChannel({ compThresholdDb: T, compRatio: R, compKneeDb: W, compAttackMs: 2, compReleaseMs: 50, compMakeupDb: 3 })
          .connectSource(dcSource(e, dbToLin(inDb)));
      });
      const outDb = linToDb(Math.abs(l[l.length - 1]) / CENTRE) + 12;
      expect(outDb, `in ${inDb} dB`).to.be.closeTo(compCurve(inDb, T, R, W) + 3, 0.5);
    }
  });

  it('holds the static curve on a sine within 0.5 dB (peak detector, fast attack)', async () => {
    const n = SR;
    const x = sine(n, 1000, dbToLin(-6));
    const [l] = await render(1, (e) => {
      e.master.set('limiterCeilingDb', 0);
      e.createChannel({ compThresholdDb: -30, compRatio: 4, compKneeDb: 0, compAttackMs: 1, compReleaseMs: 200 })
        .connectSource(bufferSource(e, x));
    });
    const outPeak = linToDb(peakAbs(l, n / 2, n) / CENTRE);
    expect(outPeak).to.be.closeTo(compCurve(-6, -30, 4, 0), 0.5);
  });

  it('attacks and releases with the set time constants (within 10%)', async () => {
    const attackMs = 20, releaseMs = 200;
    const stepUp = 0.3, stepDown = 0.8;
    const lo = dbToLin(-40), hi = dbToLin(-10);
    let latency = 0;
    const [l] = await render(1.6, (e) => {
      latency = e.latencyFrames;
      e.master.set('limiterCeilingDb', 0);
      e.createChannel({ compThresholdDb: -30, compRatio: 4, compKneeDb: 0, compAttackMs: attackMs, compReleaseMs: releaseMs })
        .connectSource(dcSource(e, lo, (p) => { p.setValueAtTime(hi, stepUp); p.setValueAtTime(lo, stepDown); }));
    });
    const inputAt = (i) => (i >= stepUp * SR && i < stepDown * SR ? hi : lo);
    const grDb = (i) => linToDb(inputAt(i - latency) * CENTRE) - linToDb(Math.abs(l[i]));
    const final = grDb(Math.round(stepDown * SR) + latency - 1); // ~15 dB
    expect(final).to.be.closeTo(15, 0.3);
    const up = Math.round(stepUp * SR) + latency;
    let i = up;
    while (grDb(i) < final * (1 - Math.exp(-1))) i++;
    expect((i - up) / SR * 1000, 'attack time').to.be.closeTo(attackMs, attackMs * 0.1);
    const down = Math.round(stepDown * SR) + latency;
    i = down;
    while (grDb(i) > final * Math.exp(-1)) i++;
    expect((i - down) / SR * 1000, 'release time').to.be.closeTo(releaseMs, releaseMs * 0.1);
  });

  it('reports gain reduction on the channel meter', async () => {
    let ch;
    await render(0.5, (e) => {
      ch = e.createChannel({ compThresholdDb: -30, compRatio: 4, compKneeDb: 0 });
      ch.connectSource(dcSource(e, dbToLin(-10)));
    });
    await ch.engine.flush();
    expect(ch.meter().gainReductionDb).to.be.closeTo(15, 0.5);
  });
});

describe('mixer: limiter and bad input', function () {
  this.timeout(60000);

  it('never exceeds the ceiling on a +30 dBFS input', async () => {
    for (const ceiling of [-1, -6]) {
      const n = SR / 2;
      const noise = new Float32Array(n);
      let s = 1;
      for (let i = 0; i < n; i++) { s = (s * 16807) % 2147483647; noise[i] = (s / 2147483647 * 2 - 1) * dbToLin(30); }
      const [l, r] = await render(0.5, (e) => {
        e.master.set('limiterCeilingDb', ceiling);
        e.createChannel().connectSource(bufferSource(e, noise));
        e.createChannel({ volumeDb: 12, eqLowDb: 24 }).connectSource(bufferSource(e, sine(n, 60, dbToLin(30))));
      });
      const lim = dbToLin(ceiling);
      expect(peakAbs(l), `L, ceiling ${ceiling}`).to.be.at.most(lim);
      expect(peakAbs(r), `R, ceiling ${ceiling}`).to.be.at.most(lim);
      expect(peakAbs(l)).to.be.above(lim * 0.9); // it is limiting, not muting
    }
  });

  it('keeps the output finite through NaN and Inf input and recovers within a quantum', async () => {
    const n = SR / 2;
    const clean = sine(n, 440, 0.5);
    const dirty = clean.slice();
    for (let i = 5000; i < 5010; i++) dirty[i] = i % 2 ? NaN : Infinity;
    dirty[7000] = -Infinity;
    const setup = (x) => (e) => e.createChannel({ eqLowDb: 6, eqMidDb: -3, compThresholdDb: -20, compRatio: 3 }).connectSource(bufferSource(e, x));
    const [a] = await render(0.5, setup(clean));
    const [b] = await render(0.5, setup(dirty));
    expect(allFinite(b)).to.equal(true);
    expect(peakAbs(b)).to.be.at.most(dbToLin(-1));
    // From one quantum after the last bad sample (plus filter/compressor settling of the one bad
    // sample's neighbourhood), the output is close to the clean render again.
    const from = (Math.floor(7000 / 128) + 2) * 128 + 2400;
    let worst = 0;
    for (let i = from; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).to.be.below(0.01);
  });

  it('has the documented latency (limiter look-ahead) and is otherwise transparent below the ceiling', async () => {
    let latency = -1;
    const x = sine(SR / 4, 997, 0.5);
    const [l] = await render(0.25, (e) => {
      latency = e.latencyFrames;
      e.createChannel().connectSource(bufferSource(e, x));
    });
    expect(latency).to.be.within(1, 200);
    let worst = 0;
    for (let i = latency; i < l.length; i++) worst = Math.max(worst, Math.abs(l[i] - x[i - latency] * CENTRE));
    expect(worst).to.be.below(1e-6);
  });
});
