// engine.bounce(): the session rendered offline by a private engine rebuilt from engine.snapshot().
// References: (1) the same session built by hand on renderOffline (the same worklet and WASM, set up
// directly, not through a snapshot): the f32 WAV must decode (the browser's decodeAudioData) to it
// sample for sample; (2) the 16- and 24-bit files without dither within one LSB of it; (3) a second
// bounce, byte for byte. The session: a synth on the timeline (two notes), a looping sample clip, a
// reverb send, EQ, pan; levels kept under the limiter so the stems add up to the mix.
import { expect } from '@esm-bundle/chai';
import { Engine, renderOffline } from '../dist/daw-elements.js';
import { SR, until, rejectsWith } from './helpers.js';
import { buildSession, decode, sessionEngine } from './session-fixture.js';

const firstDiff = (a, b, tol = 0) => {
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol)) return i;
  return -1;
};

describe('engine.bounce(): offline render of the session to WAV', function () {
  this.timeout(180000);
  const SECONDS = 1.5;
  let e, reference;

  before(async () => {
    e = await sessionEngine();
    const buf = await renderOffline(SECONDS, (r) => buildSession(r, true), { sampleRate: SR });
    reference = [buf.getChannelData(0), buf.getChannelData(1)];
  });

  it('wav-f32 decodes to exactly the session rendered by hand; the render has sound on both sides', async () => {
    const blob = await e.bounce({ seconds: SECONDS }, { format: 'wav-f32' });
    expect(blob.type).to.equal('audio/wav');
    const d = await decode(blob);
    expect(d.length).to.equal(Math.ceil(SECONDS * SR));
    for (let c = 0; c < 2; c++) {
      const got = d.getChannelData(c);
      const at = firstDiff(got, reference[c]);
      expect(at, `channel ${c}: first differing sample (${got[at]} vs ${reference[c][at]})`).to.equal(-1);
      expect(Math.max(...reference[c].map(Math.abs))).to.be.above(0.05);
    }
  });

  for (const [format, bits] of [['wav-16', 16], ['wav-24', 24]]) {
    it(`${format}, dither off: within one LSB (2^-${bits - 1}) of the render`, async () => {
      const d = await decode(await e.bounce({ seconds: SECONDS }, { format, dither: false }));
      const lsb = 2 ** -(bits - 1);
      for (let c = 0; c < 2; c++) {
        const at = firstDiff(d.getChannelData(c), reference[c], lsb);
        expect(at, `channel ${c}: sample ${at} off by more than 1 LSB`).to.equal(-1);
      }
    });
  }

  it('two bounces (16 bit, TPDF dither on) are identical byte for byte; dither changes the bytes', async () => {
    const [x, y, plain] = await Promise.all([
      e.bounce({ seconds: 0.5 }, { format: 'wav-16' }), e.bounce({ seconds: 0.5 }, { format: 'wav-16' }), e.bounce({ seconds: 0.5 }, { format: 'wav-16', dither: false }),
    ]);
    const [bx, by, bp] = await Promise.all([x, y, plain].map(async (b) => new Uint8Array(await b.arrayBuffer())));
    expect(bx.length).to.equal(by.length);
    expect(firstDiff(bx, by), 'first differing byte').to.equal(-1);
    expect(firstDiff(bx, bp), 'dithered and plain files differ').to.not.equal(-1);
  });

  it('stems: one per channel, each its channel alone, and they add up to the mix (no limiting)', async () => {
    const r = await e.bounce({ seconds: SECONDS }, { format: 'wav-f32', stems: true });
    expect(r.stems.map((s) => s.label)).to.deep.equal(['Lead', 'Loop']);
    const mix = await decode(r.mix);
    const stems = await Promise.all(r.stems.map((s) => decode(s.blob)));
    for (let c = 0; c < 2; c++) {
      const sum = stems[0].getChannelData(c).map((x, i) => x + stems[1].getChannelData(c)[i]);
      expect(firstDiff(sum, mix.getChannelData(c), 1e-6), `channel ${c}`).to.equal(-1);
      // Each stem has sound, and differs from the mix.
      for (const s of stems) expect(firstDiff(s.getChannelData(c), mix.getChannelData(c), 1e-3)).to.not.equal(-1);
    }
  });

  it('untilSilence: cut after the last sound, well before maxSeconds', async () => {
    const o = new Engine({ context: new OfflineAudioContext(2, SR, SR) });
    await o.start();
    const ch = o.createChannel();
    const s = o.createSynth(ch, { releaseMs: 50 });
    await o.transport.schedule([{ synth: s, pitch: 69, beat: 0, length: 0.5 }]); // 0.25 s at 120 BPM
    const d = await decode(await o.bounce({ untilSilence: true, maxSeconds: 4 }, { format: 'wav-f32' }));
    expect(d.length).to.be.within(0.25 * SR, 1 * SR);
    const l = d.getChannelData(0);
    expect(Math.abs(l[l.length - 1])).to.be.above(2 ** -16);
  });

  it('progress goes up from 0 to 1 (every second of audio where suspend() exists); an AbortSignal cancels with an AbortError', async () => {
    const seen = [];
    await e.bounce({ seconds: 3 }, { format: 'wav-16', onProgress: (p) => seen.push(p.fraction) });
    expect(seen[0]).to.equal(0);
    expect(seen[seen.length - 1]).to.equal(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1]), seen.join()).to.equal(true);
    // With OfflineAudioContext.suspend() (not in Firefox ESR) the render reports at 1 s and 2 s too.
    if (typeof OfflineAudioContext.prototype.suspend === 'function') expect(seen.filter((f) => f > 0 && f < 1), seen.join()).to.have.length(2);
    // Cancel from the first report: the bounce rejects with an AbortError.
    const ac = new AbortController();
    let err = null;
    try { await e.bounce({ seconds: 30 }, { signal: ac.signal, onProgress: () => ac.abort() }); } catch (x) { err = x; }
    expect(err?.name).to.equal('AbortError');
    // Cancel during a render, between two reports (Chromium, WebKit: at the 1 s suspend).
    const ac2 = new AbortController();
    err = null;
    try { await e.bounce({ seconds: 30 }, { signal: ac2.signal, onProgress: (p) => { if (p.seconds >= 1) ac2.abort(); } }); } catch (x) { err = x; }
    if (typeof OfflineAudioContext.prototype.suspend === 'function') expect(err?.name).to.equal('AbortError');
    const pre = new AbortController();
    pre.abort();
    let err2 = null;
    try { await e.bounce({ seconds: 1 }, { signal: pre.signal }); } catch (x) { err2 = x; }
    expect(err2?.name).to.equal('AbortError');
  });

  it('a realtime recording of the song matches its bounce within -60 dB after alignment', async () => {
    // A running engine plays the timeline (a synth, no clips: their context-time starts are not on
    // the song's clock) from a transport start at a known frame, recorded from that frame; the bounce
    // renders the same song offline from frame 0. Same WASM, same events: after finding the lag
    // (searched over +-2048 frames; expected 0), the difference must be 60 dB below the signal.
    const rt = new Engine();
    await rt.start();
    try {
      const ch = rt.createChannel({ label: 'Song', volumeDb: -10, pan: 0.2, eqHighDb: -4 });
      const syn = rt.createSynth(ch, { wave: 'saw', attackMs: 3, releaseMs: 60, cutoffHz: 3000 });
      rt.transport.tempo = 180;
      await rt.transport.schedule([60, 64, 67, 72, 67, 64].map((pitch, i) => ({ synth: syn, pitch, beat: i / 2, length: 0.4 })));
      await rt.flush();
      const sr = rt.sampleRate;
      // Half a second ahead, and sent at once (flush): both must reach the audio thread before that frame.
      const at = rt.now() + 0.5;
      const rec = rt.record({ at, format: 'wav-f32' });
      rt.transport.start({ at });
      await rt.flush();
      expect(rt.now(), 'the start was sent before its frame').to.be.below(at);
      const seconds = 1.2;
      await until(() => rt.now() > at + seconds + 0.1, { engine: rt, audio: seconds + 1, frames: 120, what: 'the song played' });
      const live = await new OfflineAudioContext(2, 1, sr).decodeAudioData(await (await rec.stop(at + seconds)).arrayBuffer());
      rt.transport.stop();
      const off = await new OfflineAudioContext(2, 1, sr).decodeAudioData(await (await rt.bounce({ seconds }, { format: 'wav-f32' })).arrayBuffer());
      const a = live.getChannelData(0), b = off.getChannelData(0);
      const n = Math.min(a.length, b.length) - 4096;
      let best = { lag: 0, err: Infinity };
      for (let lag = -2048; lag <= 2048; lag++) {
        let e = 0;
        for (let i = 2048; i < n; i += 7) { const d = a[i] - b[i + lag]; e += d * d; if (e > best.err) break; }
        if (e < best.err) best = { lag, err: e };
      }
      let sig = 0, err = 0;
      for (let c = 0; c < 2; c++) {
        const x = live.getChannelData(c), y = off.getChannelData(c);
        for (let i = 2048; i < n; i++) { sig += y[i + best.lag] ** 2; err += (x[i] - y[i + best.lag]) ** 2; }
      }
      expect(sig, 'the song has sound').to.be.above(1);
      const db = 10 * Math.log10(err / sig);
      expect(db, `difference ${db.toFixed(1)} dB at lag ${best.lag}`).to.be.below(-60);
    } finally {
      await rt.close();
    }
  });

  it('bad input: TypeError / RangeError naming the value', async () => {
    await rejectsWith(() => e.bounce({ seconds: -1 }), RangeError, /seconds -1 is outside/);
    await rejectsWith(() => e.bounce({ seconds: 'long' }), TypeError, /seconds long must be a number/);
    await rejectsWith(() => e.bounce({ seconds: 1 }, { format: 'mp3' }), TypeError, /'mp3'.*wav-16 \| wav-24 \| wav-f32/);
    await rejectsWith(() => e.bounce({ untilSilence: true }), TypeError, /maxSeconds undefined/);
    await rejectsWith(() => e.bounce({ seconds: 1 }, { stems: [99] }), RangeError, /stems\[0\]: no channel in slot 99/);
    await rejectsWith(() => new Engine().bounce({ seconds: 1 }), Error, /start the engine first/);
  });
});
