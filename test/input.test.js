// engine.recordInput(): a live input recorded into a Sample. The input is a MediaStream made in the
// page from an oscillator (MediaStreamAudioDestinationNode), so what was recorded is known: the
// Sample, played by a channel and bounced, must be that sine — a least-squares fit of a sine at the
// oscillator's frequency leaves a residual below -60 dB of it (a gap, a dropped or repeated block, a
// wrong rate or channel would leave far more). Then the browser's (fake) microphone through
// getUserMedia, a device that does not exist (daw-error 'input-failed' with advice), and <daw-clip>
// playing the recorded Sample.
import { expect } from '@esm-bundle/chai';
import { Engine, getEngine } from '../dist/daw-elements.js';
import { until, rejectsWith } from './helpers.js';

const F = 441;

/** Amplitude of the best sine at `f` over x[from, to), and the RMS of what is left, both linear. */
function fitSine(x, f, sr, from, to) {
  let ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / sr), c = Math.cos((2 * Math.PI * f * i) / sr);
    ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det, b = (xc * ss - xs * sc) / det;
  let r = 0;
  for (let i = from; i < to; i++) {
    const e = x[i] - (a * Math.sin((2 * Math.PI * f * i) / sr) + b * Math.cos((2 * Math.PI * f * i) / sr));
    r += e * e;
  }
  return { amp: Math.hypot(a, b), residual: Math.sqrt(r / (to - from)) };
}

const canStream = () => typeof MediaStreamAudioDestinationNode === 'function' && typeof MediaStream === 'function';

describe('engine.recordInput(): a live input into a Sample', function () {
  this.timeout(180000);
  let e;

  before(async function () {
    e = new Engine();
    await e.start();
  });
  after(() => e?.close());

  it('records a MediaStream exactly: the Sample played back is the oscillator\'s sine within -60 dB', async function () {
    if (!canStream()) this.skip(); // no MediaStreamAudioDestinationNode in this browser
    const ctx = e.context;
    const osc = new OscillatorNode(ctx, { frequency: F });
    const gain = new GainNode(ctx, { gain: 0.5 });
    const dest = new MediaStreamAudioDestinationNode(ctx, { channelCount: 1 });
    osc.connect(gain).connect(dest);
    osc.start();
    let rec;
    try {
      rec = await e.recordInput(dest.stream);
    } catch (x) {
      // WebKitGTK: a MediaStream from the context cannot be fed back into it. Say so rather than pass.
      if (/WebKit/.test(navigator.userAgent) && !/Chrome/.test(navigator.userAgent)) { console.warn(`recordInput(MediaStream) not available here: ${x.message}`); this.skip(); }
      throw x;
    }
    const sr = e.sampleRate;
    await until(() => rec.framesReceived >= 0.6 * sr, { engine: e, audio: 3, frames: 180, what: () => `0.6 s recorded (${rec.framesReceived} frames)` });
    const sample = await rec.stop();
    osc.stop();
    expect(sample.frames).to.be.at.least(0.6 * sr);
    expect(sample.channels).to.be.within(1, 2); // Chromium's MediaStream track is stereo even from a mono destination
    // Play it into a channel and bounce: the bounce is what the engine makes of the Sample.
    const ch = e.createChannel({ label: 'Input' });
    ch.play(sample, { time: e.now() });
    // Decoded at the engine's rate (the device's, often 44.1 kHz): decodeAudioData resamples to its context's.
    const d = await new OfflineAudioContext(2, 1, sr).decodeAudioData(await (await e.bounce({ seconds: sample.duration }, { format: 'wav-f32' })).arrayBuffer());
    ch.dispose();
    sample.dispose();
    const l = d.getChannelData(0);
    // Segments of the take between silences: a run of 64 or more exact zeros is not the sine. The
    // take's end is one (the clip ends); the browser's stream can make more: WebKitGTK's goes silent
    // after about 0.3 s, and Chromium's inserts silence when its audio thread runs late (seen on this
    // loaded 2-core machine). Those are the browser's live path, not the tap (whose only silence is an
    // input without channels, and whose losses stop() reports), so the longest segment is compared.
    const segments = [];
    let start = -1, zeros = 0;
    for (let i = 0; i <= l.length; i++) {
      const silent = i === l.length || l[i] === 0;
      zeros = silent ? zeros + 1 : 0;
      if (!silent && start < 0) start = i;
      if (start >= 0 && (zeros >= 64 || i === l.length)) { segments.push([start, i - zeros + 1]); start = -1; }
    }
    const [s0, s1] = segments.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a), [0, 0]);
    if (segments.length > 1) console.warn(`the browser's MediaStream went silent ${segments.length - 1} time(s) during the take; comparing the longest stretch (${s1 - s0} frames)`);
    const webkit = /AppleWebKit/.test(navigator.userAgent) && !/Chrome|Firefox/.test(navigator.userAgent);
    if (webkit && s1 - s0 < 0.15 * sr) {
      console.warn('WebKitGTK: its MediaStream kept going silent; no stretch long enough to compare');
      this.skip();
    }
    const from = s0 + 512, to = Math.min(s1 - 512, from + Math.round(0.25 * sr));
    expect(to - from, `a stretch of at least 0.1 s to compare (segments ${JSON.stringify(segments)})`).to.be.above(0.1 * sr);
    const { amp, residual } = fitSine(l, F, sr, from, to);
    expect(amp).to.be.above(0.2);
    const db = 20 * Math.log10(residual / (amp / Math.SQRT2));
    expect(db, `residual ${db.toFixed(1)} dB below the sine`).to.be.below(-60);
  });

  it('records the (fake) microphone through getUserMedia; a missing device is a daw-error with advice', async function () {
    if (!navigator.mediaDevices?.getUserMedia) this.skip(); // no getUserMedia here (WebKitGTK's MiniBrowser)
    const errors = [];
    const onError = (ev) => errors.push(ev.detail);
    e.addEventListener('daw-error', onError);
    try {
      let err = null;
      try { await e.recordInput({ deviceId: 'no-such-device' }); } catch (x) { err = x; }
      expect(err, 'rejected').to.be.instanceOf(Error);
      expect(errors.map((d) => d.code)).to.include('input-failed');
      expect(errors.find((d) => d.code === 'input-failed').message).to.match(/^recordInput: (no such microphone|microphone permission was denied|the microphone could not be opened|the input could not be opened)/);
      let rec;
      try {
        rec = await e.recordInput();
      } catch (x) {
        console.warn(`no fake microphone here: ${x.message}`);
        this.skip();
      }
      await until(() => rec.framesReceived >= 0.3 * e.sampleRate, { engine: e, audio: 3, frames: 180, what: () => `0.3 s from the microphone (${rec.framesReceived} frames)` });
      const sample = await rec.stop();
      expect(sample.duration).to.be.at.least(0.3);
      expect(rec.mediaStream.getAudioTracks().every((t) => t.readyState === 'ended'), 'the microphone was released').to.equal(true);
      sample.dispose();
    } finally {
      e.removeEventListener('daw-error', onError);
    }
  });

  it('<daw-clip> plays a recorded Sample given as its src (nothing loaded; the page keeps the Sample)', async function () {
    if (!canStream()) this.skip();
    const page = getEngine();
    await page.start();
    const ctx = page.context;
    const osc = new OscillatorNode(ctx, { frequency: F });
    const dest = new MediaStreamAudioDestinationNode(ctx);
    osc.connect(new GainNode(ctx, { gain: 0.5 })).connect(dest);
    osc.start();
    const rec = await page.recordInput(dest.stream);
    await until(() => rec.framesReceived >= 0.2 * page.sampleRate, { engine: page, audio: 3, frames: 180, what: () => `0.2 s recorded (${rec.framesReceived} frames)` });
    const sample = await rec.stop();
    osc.stop();
    const host = document.createElement('div');
    host.innerHTML = '<daw-channel label="Take"><daw-clip loop></daw-clip></daw-channel>';
    document.body.append(host);
    const [chEl, clip] = host.children[0].localName ? [host.children[0], host.children[0].children[0]] : [];
    try {
      clip.src = sample;
      await clip.updateComplete;
      expect(clip.sample).to.equal(sample);
      expect(clip.loaded).to.equal(true);
      await until(() => chEl.channel, { what: 'the channel claimed' });
      expect(clip.play()).to.equal(true);
      // The take's sine at 0.5 through a centred channel: its peak near -9 dBFS (-6 dB and the pan law).
      await until(() => chEl.channel.meter().peakDb > -12, { engine: page, audio: 3, frames: 180, what: () => `the take in the channel meter (${chEl.channel.meter().peakDb} dB)` });
      clip.stop();
    } finally {
      host.remove();
    }
    expect(sample.isDisposed, 'the clip does not free the page\'s Sample').to.equal(false);
    sample.dispose();
  });

  it('bad input: TypeError / RangeError naming the value', async () => {
    await rejectsWith(() => e.recordInput({ deviceId: 5 }), TypeError, /deviceId 5 must be a string/);
    await rejectsWith(() => e.recordInput({}, { bufferSeconds: 0 }), RangeError, /bufferSeconds 0 must be 1 to 60/);
    await rejectsWith(() => e.recordInput(null), TypeError, /expected \{ deviceId\? \} or a MediaStream/);
    await rejectsWith(() => new Engine().recordInput(), Error, /start the engine first/);
  });
});

// The tap's process() allocates nothing (as test/alloc.test.js checks for the mixer): the real
// processor class (dist/daw-input-worklet.js) driven on this page's thread by a harness, a stereo
// input every quantum, the ring emptied (its read index moved, as a drain does) every 100 quanta,
// the JS heap read every 500 quanta over 10,000.
describe('the input tap\'s process() allocates nothing', function () {
  this.timeout(120000);

  it('over 10,000 quanta of stereo input, writing and (ring full) dropping', async function () {
    if (!performance.memory || typeof window.gc !== 'function') this.skip(); // Chromium with --enable-precise-memory-info --expose-gc
    let Tap = null;
    globalThis.AudioWorkletProcessor = class { constructor() { this.port = new MessageChannel().port1; } };
    globalThis.registerProcessor = (name, c) => { if (name === 'daw-input-tap') Tap = c; };
    await import(`../dist/daw-input-worklet.js?harness=${Date.now()}`);
    expect(Tap).to.be.a('function');
    const tap = new Tap({ processorOptions: { frames: 128 * 256 } });
    const l = new Float32Array(128).map((_, i) => Math.sin(i * 0.1)), r = l.map((x) => -x);
    const inputs = [[l, r]], outputs = [[new Float32Array(128)]];
    const step = (q) => {
      if (q % 100 === 0 && q % 2000 < 1000) tap.read = tap.written; // drained; in the other half the ring fills and drops
      tap.process(inputs, outputs, {});
    };
    for (let q = 0; q < 10000; q++) step(q);
    window.gc();
    let settled = 0, last = performance.memory.usedJSHeapSize;
    for (let w = 0; w < 40 && settled < 2; w++) {
      for (let q = 0; q < 500; q++) step(q);
      const now = performance.memory.usedJSHeapSize;
      settled = Math.abs(now - last) < 8192 ? settled + 1 : 0;
      last = now;
    }
    const readings = [performance.memory.usedJSHeapSize];
    for (let q = 0; q < 10000; q++) {
      step(q);
      if ((q + 1) % 500 === 0) readings.push(performance.memory.usedJSHeapSize);
    }
    const steps = readings.slice(1).map((v, i) => v - readings[i]);
    expect(Math.max(...steps.map(Math.abs)), `heap change per 500 quanta: ${steps.join(', ')}`).to.be.below(8192);
    expect(readings.at(-1) - readings[0], 'total heap change').to.be.below(16 * 1024);
    expect(tap.written, 'it wrote').to.be.above(0);
    expect(tap.dropped, 'and it dropped with the ring full').to.be.above(0);
    expect(tap.l.some((x) => x !== 0)).to.equal(true);
  });
});
