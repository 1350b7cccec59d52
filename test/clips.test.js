// Clips: samples played by the engine from its own memory (Engine.loadSample, Channel.play/stop),
// rendered offline through the real worklet and WASM and held against AudioBufferSourceNode renders
// of the same buffers (the browser's own player) or against formulas written here.
import { expect } from '@esm-bundle/chai';
import { renderOffline, Engine } from '../dist/daw-elements.js';
import { SR, render, sine, peakAbs } from './helpers.js';

const CENTRE = Math.SQRT1_2; // channel pan law at centre
const FADE = Math.round(SR * 0.005); // 5 ms stop / replace fade

/** Deterministic noise in [-amp, amp]. */
function noise(n, amp, seed) {
  const a = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = amp * ((x / 4294967296) * 2 - 1);
  }
  return a;
}

/**
 * The reference: the same buffers played by AudioBufferSourceNodes in a plain OfflineAudioContext.
 * `plays`: [{ data: [l, r], time, offset, loop, loopStart, loopEnd, gain, pan: [gl, gr] }] (seconds).
 */
async function reference(seconds, plays) {
  const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
  for (const p of plays) {
    const buffer = new AudioBuffer({ numberOfChannels: 2, length: p.data[0].length, sampleRate: SR });
    buffer.copyToChannel(p.data[0], 0);
    buffer.copyToChannel(p.data[1], 1);
    const src = new AudioBufferSourceNode(ctx, { buffer, loop: !!p.loop });
    if (p.loopStart !== undefined) src.loopStart = p.loopStart;
    if (p.loopEnd !== undefined) src.loopEnd = p.loopEnd;
    const split = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    const merge = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
    const [gl, gr] = p.pan ?? [CENTRE, CENTRE];
    const g = p.gain ?? 1;
    src.connect(split);
    split.connect(new GainNode(ctx, { gain: g * gl }), 0).connect(merge, 0, 0);
    split.connect(new GainNode(ctx, { gain: g * gr }), 1).connect(merge, 0, 1);
    merge.connect(ctx.destination);
    src.start(p.time ?? 0, p.offset ?? 0);
  }
  const out = await ctx.startRendering();
  return [out.getChannelData(0), out.getChannelData(1)];
}

/** Largest |engine[i] - ref[i - latency]| over both sides. */
function worstAgainst(out, ref, latency) {
  let worst = 0;
  for (let s = 0; s < 2; s++) {
    for (let i = 0; i < out[s].length; i++) {
      const want = i >= latency ? ref[s][i - latency] : 0;
      worst = Math.max(worst, Math.abs(out[s][i] - want));
    }
  }
  return worst;
}

const panGains = (pan) => {
  const th = ((pan + 1) * Math.PI) / 4;
  return [Math.cos(th), Math.sin(th)];
};

describe('clips: played from the engine\'s memory, frame-exact against AudioBufferSourceNode', function () {
  this.timeout(120000);

  it('loops, offsets, unaligned start times and gains on eight channels match the browser\'s player within 1e-6', async () => {
    const seconds = 0.5;
    const plays = [];
    for (let k = 0; k < 8; k++) {
      // Lengths that are not multiples of the 128-frame quantum, so loops wrap inside quanta.
      const n = 2000 + 733 * k;
      plays.push({
        data: [noise(n, 0.2, 11 + k), noise(n, 0.2, 101 + k)],
        time: (37 + 1001 * k) / SR, // not on quantum boundaries
        offset: k % 3 === 0 ? 0 : (17 * k) / SR,
        loop: k % 2 === 0,
        gain: 0.25 + 0.125 * k,
        panValue: -1 + (2 * k) / 7,
      });
    }
    let latency = -1;
    const out = await render(seconds, async (e) => {
      latency = e.latencyFrames;
      e.master.set('limiterCeilingDb', 0);
      for (const p of plays) {
        const s = await e.loadSample(p.data);
        const ch = e.createChannel({ pan: p.panValue });
        ch.play(s, { time: p.time, offset: p.offset, loop: p.loop, gain: p.gain });
      }
    });
    const ref = await reference(seconds, plays.map((p) => ({ ...p, pan: panGains(p.panValue) })));
    expect(peakAbs(ref[0])).to.be.above(0.1); // the reference is not silent
    expect(worstAgainst(out, ref, latency)).to.be.below(1e-6);
  });

  it('a loop region (loopStart/loopEnd in seconds) matches AudioBufferSourceNode\'s loop', async () => {
    const n = 5000;
    const data = [noise(n, 0.3, 7), noise(n, 0.3, 8)];
    const loopStart = 1000 / SR;
    const loopEnd = 2503 / SR;
    let latency = -1;
    const out = await render(0.3, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(data, { loopStart, loopEnd });
      expect(s.loopStart).to.equal(1000);
      expect(s.loopEnd).to.equal(2503);
      e.createChannel().play(s, { loop: true, time: 300 / SR });
    });
    const ref = await reference(0.3, [{ data, loop: true, loopStart, loopEnd, time: 300 / SR }]);
    expect(worstAgainst(out, ref, latency)).to.be.below(1e-6);
  });

  it('a mono sample plays on both sides; a non-looping clip ends at its last frame', async () => {
    const data = noise(3000, 0.4, 3);
    let latency = -1;
    const [l, r] = await render(0.2, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(data);
      expect(s.channels).to.equal(1);
      expect(s.frames).to.equal(3000);
      expect(s.duration).to.be.closeTo(3000 / SR, 1e-12);
      e.createChannel().play(s);
    });
    let worst = 0;
    for (let i = 0; i < l.length; i++) {
      const j = i - latency;
      const want = j >= 0 && j < 3000 ? data[j] * CENTRE : 0;
      worst = Math.max(worst, Math.abs(l[i] - want), Math.abs(r[i] - want));
    }
    expect(worst).to.be.below(1e-6);
  });
});

describe('clips: stop, replace and ownership', function () {
  this.timeout(120000);
  const DC = 0.25;
  const dc = (n) => new Float32Array(n).fill(DC);

  it('stop fades out linearly over 5 ms from its exact frame, then silence', async () => {
    const stopAt = 5000;
    let latency = -1;
    const [l] = await render(0.2, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(dc(1000));
      const ch = e.createChannel();
      ch.play(s, { loop: true });
      ch.stop(stopAt / SR);
    });
    let worst = 0;
    for (let j = 0; j < l.length - latency; j++) {
      const g = j < stopAt ? 1 : j < stopAt + FADE ? 1 - (j - stopAt) / FADE : 0;
      worst = Math.max(worst, Math.abs(l[j + latency] - DC * CENTRE * g));
    }
    expect(worst).to.be.below(1e-6);
  });

  it('a play on a playing channel cross-fades: the old clip fades over 5 ms under the new one', async () => {
    const at = 3000;
    let latency = -1;
    const [l] = await render(0.15, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(dc(512));
      const ch = e.createChannel();
      ch.play(s, { loop: true });
      ch.play(s, { loop: true, gain: 0.5, time: at / SR });
    });
    let worst = 0;
    for (let j = 0; j < l.length - latency; j++) {
      const old = j < at ? 1 : j < at + FADE ? 1 - (j - at) / FADE : 0;
      const neu = j < at ? 0 : 0.5;
      worst = Math.max(worst, Math.abs(l[j + latency] - DC * CENTRE * (old + neu)));
    }
    expect(worst).to.be.below(1e-6);
  });

  it('disposing a channel cancels its scheduled clips: the next owner of the slot hears none of them', async () => {
    let latency = -1;
    const [l] = await render(0.5, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(dc(SR));
      const a = e.createChannel();
      a.play(s, { time: 0.2 });
      a.play(s, { time: 0.3 });
      a.dispose();
      const b = e.createChannel(); // same slot (lowest free)
      expect(b.slot).to.equal(a.slot);
      b.play(s, { time: 0.4, gain: 0.5 });
    });
    const at = Math.round(0.4 * SR) + latency;
    expect(peakAbs(l, 0, at)).to.equal(0);
    expect(l[at]).to.be.closeTo(DC * CENTRE * 0.5, 1e-7);
  });

  it('disposing a sample drops its scheduled plays and stops its players; the slot and memory are reused', async () => {
    let statusAfter = null;
    let latency = -1;
    const engineRef = {};
    const [l] = await render(0.3, async (e) => {
      engineRef.e = e;
      latency = e.latencyFrames;
      const s1 = await e.loadSample(dc(SR));
      const ch = e.createChannel();
      ch.play(s1, { time: 0.1 });
      s1.dispose();
      expect(s1.isDisposed).to.equal(true);
      expect(() => ch.play(s1)).to.throw(/disposed/);
      const bytes = e.status().wasmBytes;
      const s2 = await e.loadSample(dc(SR)); // same size: fits in the freed block
      expect(e.status().wasmBytes).to.equal(bytes);
      e.createChannel().play(s2, { time: 0.2, gain: 2 });
    });
    await engineRef.e.flush();
    statusAfter = engineRef.e.status();
    const at = Math.round(0.2 * SR) + latency;
    expect(peakAbs(l, 0, at)).to.equal(0);
    expect(l[at + 10]).to.be.closeTo(DC * CENTRE * 2, 1e-6);
    expect(statusAfter.droppedClipEvents).to.equal(1);
  });
});

describe('clips: loading', function () {
  this.timeout(120000);

  it('memory grows for samples (views re-made off the audio path) and audio stays exact afterwards', async () => {
    const big = [sine(SR * 4, 440, 0.3), sine(SR * 4, 660, 0.3)]; // 1.5 MB
    let before = 0, after = 0, latency = -1;
    const [l, r] = await render(0.2, async (e) => {
      latency = e.latencyFrames;
      before = e.status().wasmBytes;
      const s = await e.loadSample(big);
      after = e.status().wasmBytes;
      e.createChannel().play(s, { offset: 1 });
    });
    expect(after).to.be.above(before);
    let worst = 0;
    for (let i = latency; i < l.length; i++) {
      worst = Math.max(worst, Math.abs(l[i] - big[0][SR + i - latency] * CENTRE), Math.abs(r[i] - big[1][SR + i - latency] * CENTRE));
    }
    expect(worst).to.be.below(1e-6);
  });

  it('converts PCM at another rate with the browser\'s resampler (a 1 kHz sine at 44.1 kHz stays 1 kHz)', async () => {
    const x = sine(44100 / 4, 1000, 0.5, 44100);
    let sample = null;
    let latency = -1;
    const [l] = await render(0.3, async (e) => {
      latency = e.latencyFrames;
      sample = await e.loadSample(x, { sampleRate: 44100 });
      e.createChannel().play(sample);
    });
    expect(sample.frames).to.be.within(SR / 4 - 1, SR / 4); // WebKitGTK's decoder gives one frame less
    expect(sample.sampleRate).to.equal(SR);
    // Away from the edges (resampler filter), the output is a clean 1 kHz sine of the same level at
    // 48 kHz. Phase is fitted, not assumed: resamplers may delay by a fraction of a sample (WebKit's
    // does, by ~0.14 sample).
    const from = 2000 + latency, to = SR / 4 - 2000 + latency;
    let a = 0, b = 0;
    for (let i = from; i < to; i++) {
      const w = (2 * Math.PI * 1000 * i) / SR;
      a += l[i] * Math.sin(w);
      b += l[i] * Math.cos(w);
    }
    a *= 2 / (to - from);
    b *= 2 / (to - from);
    expect(Math.hypot(a, b)).to.be.closeTo(0.5 * CENTRE, 1e-3);
    let worst = 0;
    for (let i = from; i < to; i++) {
      const w = (2 * Math.PI * 1000 * i) / SR;
      worst = Math.max(worst, Math.abs(l[i] - a * Math.sin(w) - b * Math.cos(w)));
    }
    expect(worst).to.be.below(2e-3);
  });

  it('decodes file bytes and AudioBuffers', async () => {
    // A 16-bit PCM WAV written here.
    const n = 1000;
    const wav = new ArrayBuffer(44 + n * 2);
    const v = new DataView(wav);
    const str = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
    str(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); str(8, 'WAVE'); str(12, 'fmt ');
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, SR, true);
    v.setUint32(28, SR * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true); str(36, 'data'); v.setUint32(40, n * 2, true);
    for (let i = 0; i < n; i++) v.setInt16(44 + i * 2, i % 2 ? 8192 : -8192, true);
    let latency = -1;
    const [l] = await render(0.1, async (e) => {
      latency = e.latencyFrames;
      const s = await e.loadSample(new Blob([wav], { type: 'audio/wav' }));
      expect(s.frames).to.equal(n);
      const buf = new AudioBuffer({ numberOfChannels: 1, length: 10, sampleRate: SR });
      buf.copyToChannel(new Float32Array(10).fill(0.125), 0);
      const s2 = await e.loadSample(buf);
      e.createChannel().play(s);
      e.createChannel().play(s2, { time: 2000 / SR });
    });
    // ±8192 of 16 bits: decoders scale by 1/32768 or 1/32767 (Chromium), hence 1e-4.
    expect(l[latency]).to.be.closeTo(-0.25 * CENTRE, 1e-4);
    expect(l[latency + 1]).to.be.closeTo(0.25 * CENTRE, 1e-4);
    expect(l[latency + 2000]).to.be.closeTo(0.125 * CENTRE, 1e-6);
  });

  it('rejects what it cannot use with errors that name the value and the valid range', async () => {
    await render(0.05, async (e) => {
      const errs = [];
      e.addEventListener('daw-error', (ev) => errs.push(ev.detail));
      const x = new Float32Array(480);
      const rejects = async (p, re) => {
        let err = null;
        try { await p; } catch (ex) { err = ex; }
        expect(err, String(re)).to.be.instanceOf(Error);
        expect(err.message).to.match(re);
      };
      await rejects(e.loadSample(new Float32Array(0)), /empty/);
      await rejects(e.loadSample([x, x, x]), /one or two/);
      await rejects(e.loadSample([x, new Float32Array(3)]), /different lengths/);
      await rejects(e.loadSample(x, { sampleRate: 100 }), /sampleRate 100 must be 3000 to 768000/);
      await rejects(e.loadSample(x, { loopStart: -1 }), /loopStart -1/);
      await rejects(e.loadSample(x, { loopStart: 0.005, loopEnd: 0.001 }), /loopEnd 0.001 must be .* > loopStart/);
      await rejects(e.loadSample(x, { loopEnd: 1 }), /outside the sample \(0\.\.0\.010000 s\)/);
      await rejects(e.loadSample(new Uint8Array([1, 2, 3, 4])), /could not decode/);
      await rejects(e.loadSample(42), /cannot load a Number/);
      const s = await e.loadSample(x);
      const ch = e.createChannel();
      expect(() => ch.play(s, { offset: -1 })).to.throw(RangeError, /offset -1 must be/);
      expect(() => ch.play(s, { gain: 17 })).to.throw(RangeError, /gain 17 must be 0 to 16/);
      expect(() => ch.play(s, { time: NaN })).to.throw(RangeError, /time NaN/);
      expect(() => ch.play({ id: 1 })).to.throw(TypeError, /Sample loaded by this engine/);
      // Non-finite data: replaced by 0 and reported.
      const bad = new Float32Array(8).fill(0.5);
      bad[2] = NaN;
      bad[5] = Infinity;
      const sb = await e.loadSample(bad);
      expect(sb.frames).to.equal(8);
      expect(errs.some((d) => d.code === 'invalid-value' && /2 non-finite/.test(d.message))).to.equal(true);
    });
  });

  it('a sample belongs to its engine', async () => {
    const other = new Engine({ context: new OfflineAudioContext(2, 128, SR) });
    await other.start();
    const s = await other.loadSample(new Float32Array(16));
    await render(0.01, (e) => {
      expect(() => e.createChannel().play(s)).to.throw(TypeError, /loaded by this engine/);
    });
  });

  it('waits for the engine to run before it loads', async () => {
    const ctx = new OfflineAudioContext(2, SR / 10, SR);
    const e = new Engine({ context: ctx });
    let loaded = false;
    const p = e.loadSample(new Float32Array(100).fill(0.5)).then((s) => { loaded = true; return s; });
    await new Promise((r) => setTimeout(r, 50));
    expect(loaded).to.equal(false);
    await e.start();
    const s = await p;
    expect(s.frames).to.equal(100);
    e.createChannel().play(s);
    await e.flush();
    const out = await ctx.startRendering();
    expect(peakAbs(out.getChannelData(0))).to.be.closeTo(0.5 * CENTRE, 1e-6);
  });
});

describe('clips: output stays clean with many clips', function () {
  this.timeout(120000);
  it('64 channels of full-scale loops stay under the limiter ceiling, finite', async () => {
    const buf = await renderOffline(0.2, async (e) => {
      const s = await e.loadSample([sine(1000, 480, 1), sine(1000, 480, 1, SR, 1)]);
      for (let k = 0; k < 64; k++) e.createChannel({ volumeDb: 12 }).play(s, { loop: true, gain: 16 });
    }, { sampleRate: SR });
    const ceiling = Math.pow(10, -1 / 20);
    for (let c = 0; c < 2; c++) {
      const d = buf.getChannelData(c);
      for (let i = 0; i < d.length; i++) {
        if (!(Math.abs(d[i]) <= ceiling + 1e-6)) throw new Error(`sample ${i} = ${d[i]} beyond the ceiling ${ceiling}`);
      }
    }
  });
});

describe('engine option inputs', function () {
  this.timeout(60000);
  it('sets the worklet node\'s inputs for AudioNode sources (0..32); with 0, clips still play and connectSource says why it cannot', async () => {
    expect(() => new Engine({ context: new OfflineAudioContext(2, 128, SR), inputs: 33 })).to.throw(RangeError, /inputs 33 must be a whole number 0 to 32/);
    expect(() => new Engine({ context: new OfflineAudioContext(2, 128, SR), inputs: 1.5 })).to.throw(RangeError, /inputs 1.5/);
    let latency = -1;
    const buf = await renderOffline(0.1, async (e) => {
      latency = e.latencyFrames;
      expect(e.node.numberOfInputs).to.equal(0);
      const ch = e.createChannel();
      expect(() => ch.connectSource(new ConstantSourceNode(e.context))).to.throw(RangeError, /inputs: 0/);
      ch.play(await e.loadSample(new Float32Array(64).fill(0.5)), { loop: true });
    }, { sampleRate: SR, inputs: 0 });
    expect(buf.getChannelData(0)[latency + 1000]).to.be.closeTo(0.5 * CENTRE, 1e-6);
    const two = await renderOffline(0.05, (e) => {
      expect(e.node.numberOfInputs).to.equal(2);
      e.createChannel().connectSource(new ConstantSourceNode(e.context));
      e.createChannel().connectSource(new ConstantSourceNode(e.context));
      expect(() => e.createChannel().connectSource(new ConstantSourceNode(e.context))).to.throw(RangeError, /2 channels already take audio/);
    }, { sampleRate: SR, inputs: 2 });
    expect(two.length).to.be.above(0);
  });
});
