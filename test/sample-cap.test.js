// The sample memory cap (EngineOptions.sampleMemory): a sample that would pass it is refused with a
// 'capacity' error naming its size, the cap and what to do; nothing loaded before is lost (it still
// plays, sample for sample); freed memory counts again. Large generated buffers near and over the cap
// go through the real engine (worklet + WASM) on an OfflineAudioContext.
import { expect } from '@esm-bundle/chai';
import { Engine, DEFAULT_SAMPLE_MEMORY } from '../dist/daw-elements.js';
import { SR } from './helpers.js';

const MiB = 1048576;
const CENTRE = Math.SQRT1_2;

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return null;
}

async function engineWith(seconds, options = {}) {
  const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
  const e = new Engine({ context: ctx, ...options });
  const errors = [];
  e.addEventListener('daw-error', (ev) => errors.push(ev.detail));
  await e.start();
  return { ctx, e, errors };
}

describe('samples: memory cap', function () {
  this.timeout(180000);

  it('the option is validated: a number of bytes 0 to 4 GiB, default 256 MiB', () => {
    const ctx = () => new OfflineAudioContext(2, 128, SR);
    expect(DEFAULT_SAMPLE_MEMORY).to.equal(256 * MiB);
    expect(new Engine({ context: ctx() }).sampleMemory).to.equal(DEFAULT_SAMPLE_MEMORY);
    expect(new Engine({ context: ctx(), sampleMemory: 0 }).sampleMemory).to.equal(0);
    expect(new Engine({ context: ctx(), sampleMemory: 2 ** 32 }).sampleMemory).to.equal(2 ** 32);
    expect(() => new Engine({ context: ctx(), sampleMemory: NaN })).to.throw(TypeError, /sampleMemory NaN must be a number of bytes, 0 to 4294967296 bytes/);
    expect(() => new Engine({ context: ctx(), sampleMemory: '64' })).to.throw(TypeError, /sampleMemory 64 must be a number/);
    expect(() => new Engine({ context: ctx(), sampleMemory: -1 })).to.throw(RangeError, /sampleMemory -1 must be 0 to 4294967296 bytes/);
    expect(() => new Engine({ context: ctx(), sampleMemory: 2 ** 32 + 1 })).to.throw(RangeError, /sampleMemory 4294967297/);
    expect(() => new Engine({ context: ctx(), sampleMemory: Infinity })).to.throw(RangeError, /sampleMemory Infinity/);
  });

  it('a 40 MiB sample loads under a 48 MiB cap; one that would pass the cap is refused and the first still plays exactly', async () => {
    const { ctx, e, errors } = await engineWith(0.25, { sampleMemory: 48 * MiB });
    const big = new Float32Array((40 * MiB) / 4);
    for (let i = 0; i < big.length; i++) big[i] = ((i % 97) - 48) / 200; // a known ramp, |x| <= 0.24
    const a = await e.loadSample(big);
    expect(a.frames).to.equal(big.length);
    expect(e.sampleBytes).to.equal(40 * MiB);
    const wasmAfterA = e.status().wasmBytes;
    expect(wasmAfterA).to.be.above(40 * MiB);

    // 16 MiB more would pass the cap: refused before any copy, with the numbers and what to do.
    const err = await rejection(e.loadSample([new Float32Array((8 * MiB) / 4), new Float32Array((8 * MiB) / 4)]));
    expect(err).to.be.instanceOf(RangeError);
    expect(err.message).to.match(/needs 16\.0 MiB \(16777216 bytes\) but only 8\.0 MiB of the engine's 48\.0 MiB sample memory is free/);
    expect(err.message).to.match(/dispose samples .* larger sampleMemory/);
    const cap = errors.filter((d) => d.code === 'capacity');
    expect(cap).to.have.length(1);
    expect(cap[0].value).to.equal(16 * MiB);
    expect(cap[0].message).to.equal(err.message);
    expect(e.sampleBytes).to.equal(40 * MiB);
    expect(e.sampleCount).to.equal(1);
    expect(a.isDisposed).to.equal(false);

    // Exactly the rest fits (the cap is inclusive); one frame more does not; freeing makes room.
    const rest = await e.loadSample(new Float32Array((8 * MiB) / 4));
    expect(e.sampleBytes).to.equal(48 * MiB);
    const one = await rejection(e.loadSample(new Float32Array(1)));
    expect(one?.message).to.match(/needs 0\.0 MiB \(4 bytes\) but only 0\.0 MiB/);
    rest.dispose();
    expect(e.sampleBytes).to.equal(40 * MiB);
    const small = await e.loadSample(new Float32Array(1));
    expect(e.sampleBytes).to.equal(40 * MiB + 4);
    small.dispose();

    // The first sample is intact: it plays sample for sample from an offset 30 s in.
    const offset = SR * 30;
    e.createChannel().play(a, { offset: offset / SR });
    await e.flush();
    const out = (await ctx.startRendering()).getChannelData(0);
    const lat = e.latencyFrames;
    let worst = 0;
    for (let i = lat; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - big[offset + i - lat] * CENTRE));
    expect(worst).to.be.below(1e-6);
    expect(e.status().nonFiniteSamples).to.equal(0);
  });

  it('counts samples at the engine rate and channels kept: PCM at half the rate, stereo pairs, AudioBuffers', async () => {
    const { e, errors } = await engineWith(0.05, { sampleMemory: MiB });
    // 150,000 frames at 24 kHz are 300,000 at 48 kHz: 1.2 MB, over 1 MiB although the data is 0.6 MB.
    const err = await rejection(e.loadSample(new Float32Array(150000), { sampleRate: 24000 }));
    expect(err?.message).to.match(/needs 1\.1 MiB/);
    // A stereo pair of 0.6 MB each is 1.2 MB.
    const half = new Float32Array(150000);
    expect((await rejection(e.loadSample([half, half])))?.message).to.match(/needs 1\.1 MiB \(1200000 bytes\)/);
    // An AudioBuffer with four channels keeps two: 800,000 bytes, under 1 MiB (the four would not be).
    const ab = new AudioBuffer({ numberOfChannels: 4, length: 100000, sampleRate: SR });
    const s = await e.loadSample(ab);
    expect(s.channels).to.equal(2);
    expect(e.sampleCount).to.equal(1);
    expect(e.sampleBytes).to.equal(800000);
    expect(errors.filter((d) => d.code === 'capacity')).to.have.length(2);
  });

  it('a buffer over the default cap is refused before it is copied, and the engine plays on', async () => {
    const { ctx, e, errors } = await engineWith(0.05);
    const frames = DEFAULT_SAMPLE_MEMORY / 4 + 1; // 256 MiB + 4 bytes of zeros: pages the OS never touches
    const err = await rejection(e.loadSample(new Float32Array(frames)));
    expect(err).to.be.instanceOf(RangeError);
    expect(err.message).to.match(/needs 256\.0 MiB \(268435460 bytes\) but only 256\.0 MiB of the engine's 256\.0 MiB/);
    expect(errors.map((d) => d.code)).to.deep.equal(['capacity']);
    expect(e.sampleBytes).to.equal(0);
    const s = await e.loadSample(new Float32Array(4800).fill(0.5));
    e.createChannel().play(s);
    await e.flush();
    const out = (await ctx.startRendering()).getChannelData(0);
    expect(out[e.latencyFrames + 100]).to.be.closeTo(0.5 * CENTRE, 1e-6);
  });

  it('a cap of 0 refuses every sample', async () => {
    const { e } = await engineWith(0.01, { sampleMemory: 0 });
    expect((await rejection(e.loadSample(new Float32Array(1))))?.message).to.match(/needs 0\.0 MiB \(4 bytes\) but only 0\.0 MiB of the engine's 0\.0 MiB/);
  });
});
