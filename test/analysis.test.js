// Analysis on the strips and the master (Strip.analysis) and engine.record(), through the real
// worklet and WASM in offline renders. References are independent of the code under test: the EBU
// Tech 3341 test signals and their stated readings (generated here), the correlation of identical,
// independent and inverted noise, a sine's level at its FFT bin, and the browser's own WAV decoder.
// Every render feeds a channel at centre pan with +3.0103 dB trim, so the channel and the master
// carry the test signal at its own level (constant-power pan: -3.0103 dB a side at centre).
import { expect } from '@esm-bundle/chai';
import { Engine, AnalysisReader, STRIP_PARAMS, controlLink } from '../dist/daw-elements.js';
import { SR, bufferSource, sine, until } from './helpers.js';

const TRIM = 20 * Math.log10(Math.SQRT2);
const db = (x) => Math.pow(10, x / 20);

/** Renders `signal` ([l, r]) for its length through a channel; returns the channel's and the master's readers after the render. */
async function analyse(signal, opts, { seconds = signal[0].length / SR } = {}) {
  const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
  const e = new Engine({ context: ctx });
  await e.start();
  const ch = e.createChannel({ trimDb: TRIM });
  ch.connectSource(bufferSource(e, signal));
  const channel = ch.analysis(opts);
  const master = e.master.analysis(opts);
  await e.flush();
  const buffer = await ctx.startRendering();
  await e.flush(); // the message path: the worklet's answer brings the last published results
  return { channel, master, buffer, engine: e };
}

/** Stereo 1 kHz sine segments at dBFS peak levels (EBU Tech 3341 §3 signals). */
function tone(segments) {
  const n = segments.reduce((a, s) => a + Math.round(s.seconds * SR), 0);
  const l = new Float32Array(n);
  let i = 0;
  for (const s of segments) {
    const a = db(s.db), end = i + Math.round(s.seconds * SR);
    for (; i < end; i++) l[i] = a * Math.sin((2 * Math.PI * 1000 * i) / SR);
  }
  return [l, l.slice()];
}

function noise(n, seed) {
  let x = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    a[i] = (x / 4294967296 - 0.5) * 0.5;
  }
  return a;
}

describe('analysis: loudness after EBU Tech 3341 (±0.1 LU), channel and master', function () {
  this.timeout(120000);

  for (const level of [-23, -33]) {
    it(`case ${level === -23 ? 1 : 2}: stereo 1 kHz at ${level} dBFS reads ${level} LUFS momentary, short-term and integrated`, async () => {
      const { channel, master } = await analyse(tone([{ db: level, seconds: 20 }]), { loudness: true });
      for (const [where, r] of [['channel', channel.read()], ['master', master.read()]]) {
        expect(r.momentary, `${where} M`).to.be.closeTo(level, 0.1);
        expect(r.shortTerm, `${where} S`).to.be.closeTo(level, 0.1);
        expect(r.integrated, `${where} I`).to.be.closeTo(level, 0.1);
        expect(r.frames, `${where} publications`).to.be.above(400);
      }
    });
  }

  it('case 5: -26 / -20 / -26 dBFS (20 s, 20.1 s, 20 s) reads -23.0 LUFS integrated', async () => {
    const { channel, master } = await analyse(tone([{ db: -26, seconds: 20 }, { db: -20, seconds: 20.1 }, { db: -26, seconds: 20 }]), { loudness: true });
    expect(channel.read().integrated).to.be.closeTo(-23, 0.1);
    expect(master.read().integrated).to.be.closeTo(-23, 0.1);
  });
});

describe('analysis: true peak after EBU Tech 3341 cases 15-19 (+0.2 / -0.4 dB)', function () {
  this.timeout(120000);
  // Sine of peak `amp` at fs/div with a phase; a 20 ms raised-cosine fade-in (an abrupt start has
  // real inter-sample overshoot that is not the steady tone the cases describe).
  const cases = [
    { n: 15, amp: 0.5, div: 4, phase: 0, tp: -6 },
    { n: 16, amp: 0.5, div: 4, phase: 45, tp: -6 },
    { n: 17, amp: 0.5, div: 6, phase: 60, tp: -6 },
    { n: 18, amp: 0.5, div: 8, phase: 67.5, tp: -6 },
    { n: 19, amp: Math.SQRT2, div: 4, phase: 45, tp: 3 },
  ];
  for (const c of cases) {
    it(`case ${c.n}: ${c.tp} dBTP on the channel`, async () => {
      const n = SR * 1;
      const l = new Float32Array(n);
      const fade = 0.02 * SR;
      for (let i = 0; i < n; i++) {
        const f = i >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
        l[i] = f * c.amp * Math.sin((2 * Math.PI * i) / c.div + (c.phase * Math.PI) / 180);
      }
      const { channel } = await analyse([l, l.slice()], { truePeak: true });
      const r = channel.read();
      expect(r.truePeakMaxDb).to.be.within(c.tp - 0.4, c.tp + 0.2);
      expect(r.peakMaxDb, 'the sample peak reads the samples, not above the true peak').to.be.at.most(r.truePeakMaxDb + 1e-6);
    });
  }
});

describe('analysis: correlation, spectrum, kinds and release', function () {
  this.timeout(120000);

  for (const [name, make, want, tol] of [
    ['identical', (a) => [a, a.slice()], 1, 0.01],
    ['independent', (a) => [a, noise(a.length, 99)], 0, 0.05],
    ['inverted', (a) => [a, a.map((x) => -x)], -1, 0.01],
  ]) {
    it(`reads ${want} for ${name} channels`, async () => {
      const { channel, master } = await analyse(make(noise(SR * 2, 7)), { correlation: true });
      expect(channel.read().correlation).to.be.closeTo(want, tol);
      expect(master.read().correlation).to.be.closeTo(want, tol);
    });
  }

  for (const size of [2048, 4096, 8192]) {
    it(`a bin-centred sine reads its level at its bin within 0.5 dB (${size} points)`, async () => {
      const bin = size / 32 + 3; // 1.5 kHz-ish, centred on a bin
      const f = (bin * SR) / size, amp = 0.25;
      const { channel } = await analyse([sine(SR, f, amp), sine(SR, f, amp)], { spectrum: size });
      const out = new Float32Array(8192);
      const n = channel.spectrum(out);
      expect(n).to.equal(size / 2 + 1);
      let k = 0;
      for (let i = 1; i < n; i++) if (out[i] > out[k]) k = i;
      expect(k).to.equal(bin);
      expect(out[k]).to.be.closeTo(20 * Math.log10(amp), 0.5);
    });
  }

  it('a scope window starts at a rising zero crossing of a sine', async () => {
    const { channel } = await analyse([sine(SR / 2, 500, 0.5), sine(SR / 2, 500, 0.5)], { scope: true });
    const out = new Float32Array(1024);
    expect(channel.scope(out)).to.equal(1024);
    expect(Math.abs(out[0])).to.be.below(0.01);
    expect(out[3]).to.be.above(0); // rising
    // one period later (96 samples at 500 Hz) the same phase
    expect(out[96]).to.be.closeTo(out[0], 0.01);
  });

  it('computes only what is read: a released reader reads nothing and clears the request', async () => {
    const e = new Engine();
    const ch = e.createChannel();
    const a = ch.analysis({ loudness: true, peak: true });
    const b = ch.analysis({ correlation: true });
    const mask = () => controlMask(e, ch.slot);
    expect(mask()).to.equal(1 | 4 | 8);
    a.release();
    expect(mask()).to.equal(4);
    expect(a.read().momentary).to.equal(-Infinity);
    b.release();
    expect(mask()).to.equal(0);
    expect(a).to.be.instanceOf(AnalysisReader);
  });

  it('rejects bad options with errors that name the value', () => {
    const ch = new Engine().createChannel();
    expect(() => ch.analysis({ spectrum: 1000 })).to.throw(RangeError, /1000.*2048, 4096, 8192/);
    expect(() => ch.analysis({ loudnes: true })).to.throw(TypeError, /loudnes/);
    expect(() => ch.analysis({})).to.throw(TypeError, /nothing requested/);
    expect(() => ch.analysis(null)).to.throw(TypeError);
    ch.dispose();
    expect(() => ch.analysis({ peak: true })).to.throw(TypeError, /disposed/);
  });
});

/** The analysisMask parameter of a slot as the page wrote it. */
function controlMask(engine, slot) {
  return controlLink(engine).read('strip', slot, STRIP_PARAMS.find((p) => p.name === 'analysisMask').index);
}

describe('engine.record(): the master output, losslessly', function () {
  this.timeout(120000);

  async function session() {
    const ctx = new OfflineAudioContext(2, SR, SR);
    const e = new Engine({ context: ctx });
    await e.start();
    const ch = e.createChannel({ pan: -0.4, eqMidDb: 6, compRatio: 3, compThresholdDb: -18 });
    ch.connectSource(bufferSource(e, [noise(SR, 3), sine(SR, 220, 0.4)]));
    const synth = e.createSynth(ch, { wave: 'saw' });
    synth.noteOn(57, 0.8, 0.1);
    synth.noteOff(57, 0.6);
    const rec = e.record({ at: 0 });
    await e.flush();
    const rendered = await ctx.startRendering();
    const blob = await rec.stop();
    return { rendered, blob };
  }

  it('decodes (the browser\'s decoder) to exactly the rendered samples, and two recordings of one session are identical', async () => {
    const a = await session();
    const b = await session();
    expect(a.blob.type).to.equal('audio/wav');
    const bytesA = new Uint8Array(await a.blob.arrayBuffer());
    const bytesB = new Uint8Array(await b.blob.arrayBuffer());
    expect(bytesA.length).to.equal(bytesB.length);
    expect(bytesA.every((x, i) => x === bytesB[i]), 'the two files are identical').to.equal(true);
    const ctx = new OfflineAudioContext(2, 1, SR);
    const decoded = await ctx.decodeAudioData(bytesA.buffer.slice(0));
    expect(decoded.length).to.equal(SR);
    expect(decoded.sampleRate).to.equal(SR);
    for (let c = 0; c < 2; c++) {
      const got = decoded.getChannelData(c), want = a.rendered.getChannelData(c);
      let bad = -1;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { bad = i; break; }
      expect(bad, `channel ${c}: first differing sample`).to.equal(-1);
    }
    expect(a.rendered.getChannelData(0).some((x) => x !== 0)).to.equal(true);
  });

  it('records from a start time to a stop time, exact to the frame', async () => {
    const ctx = new OfflineAudioContext(2, SR / 2, SR);
    const e = new Engine({ context: ctx });
    await e.start();
    const ch = e.createChannel();
    ch.connectSource(bufferSource(e, [noise(SR / 2, 5), noise(SR / 2, 6)]));
    const from = 1001, to = 20011;
    const rec = e.record({ at: from / SR });
    expect(() => e.record()).to.throw(Error, /already running/);
    await e.flush();
    const rendered = await ctx.startRendering();
    const blob = await rec.stop(to / SR);
    const decoded = await new OfflineAudioContext(2, 1, SR).decodeAudioData(await blob.arrayBuffer());
    expect(decoded.length).to.equal(to - from);
    const want = rendered.getChannelData(1).subarray(from, to), got = decoded.getChannelData(1);
    expect(got.every((x, i) => x === want[i])).to.equal(true);
  });

  it('records a running (realtime) engine: a DC level through a channel comes out sample for sample', async () => {
    const e = new Engine();
    await e.start();
    try {
      const ch = e.createChannel();
      const dc = new ConstantSourceNode(e.context, { offset: 0.25 });
      dc.start();
      ch.connectSource(dc);
      await e.flush();
      await until(() => Math.abs(ch.meter().peakDb - 20 * Math.log10(0.25 * Math.SQRT1_2)) < 0.01, { engine: e, audio: 2, frames: 120, what: 'the DC level settled' });
      const rec = e.record({ format: 'wav-f32' });
      const sr = e.sampleRate;
      await until(() => rec.framesReceived >= 0.3 * sr, { engine: e, audio: 3, frames: 180, what: () => `0.3 s recorded (${rec.framesReceived} frames)` });
      const blob = await rec.stop();
      const decoded = await new OfflineAudioContext(2, 1, sr).decodeAudioData(await blob.arrayBuffer());
      expect(decoded.length).to.be.at.least(Math.floor(0.3 * sr) - 128);
      const want = Math.fround(0.25 * Math.SQRT1_2);
      for (let c = 0; c < 2; c++) {
        const d = decoded.getChannelData(c);
        const off = d.findIndex((x) => Math.abs(x - want) > 1e-6);
        expect(off, `channel ${c}: first sample off the DC level (${d[off]})`).to.equal(-1);
      }
      dc.stop();
    } finally {
      await e.close();
    }
  });

  it('a recording the audio thread dies under ends with an error that says so (after recovery)', async () => {
    const e = new Engine();
    await e.start();
    try {
      const rec = e.record();
      const recovered = new Promise((resolve) => e.addEventListener('daw-statechange', (ev) => ev.detail.recovered && resolve()));
      e.injectFault({ kind: 'throw', afterQuanta: 20 });
      await recovered;
      const err = await rec.stop().then(() => null, (x) => x);
      expect(err?.message).to.match(/audio thread was rebuilt/);
      const again = e.record(); // the next one works on the new audio thread
      await until(() => again.framesReceived >= 4096, { engine: e, audio: 2, frames: 120, what: 'a new recording receives audio' });
      expect((await again.stop()).size).to.be.above(4096 * 8);
    } finally {
      await e.close();
    }
  });

  it('rejects bad options and a recording before start()', () => {
    const e = new Engine();
    expect(() => e.record()).to.throw(Error, /start\(\)/);
    const ctx = new OfflineAudioContext(2, 128, SR);
    const o = new Engine({ context: ctx });
    return o.start().then(() => {
      expect(() => o.record({ format: 'mp3' })).to.throw(TypeError, /'mp3'.*wav-16, wav-24, wav-f32/);
      expect(() => o.record({ bufferSeconds: 0.1 })).to.throw(RangeError, /0\.1.*1 to 60/);
      expect(() => o.record({ at: -1 })).to.throw(RangeError, /-1/);
    });
  });
});
