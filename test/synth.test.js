// Synth voices rendered offline through the real worklet and WASM, measured here: pitch from the
// spectrum, start frame, envelope times, aliasing, click-free stealing and note-off, polyphony.
import { expect } from '@esm-bundle/chai';
import { SR, render, magnitude, blackmanHarris, peakAbs, allFinite, dbToLin, linToDb } from './helpers.js';

const freqOf = (pitch) => 440 * Math.pow(2, (pitch - 69) / 12);
const pitchOf = (f) => 69 + 12 * Math.log2(f / 440);

/** Frequency of the strongest peak (Blackman-Harris window, parabolic interpolation on log |X|). */
function peakFrequency(x, n, offset, fmin = 20, fmax = SR / 2) {
  const m = magnitude(x, n, offset, blackmanHarris);
  let k = Math.ceil(fmin * n / SR);
  for (let i = k; i < Math.min(m.length - 1, fmax * n / SR); i++) if (m[i] > m[k]) k = i;
  const a = Math.log(m[k - 1]), b = Math.log(m[k]), c = Math.log(m[k + 1]);
  const d = 0.5 * (a - c) / (a - 2 * b + c);
  return { freq: (k + d) * SR / n, mag: m, bin: k };
}

/** Peak level per window of `w` samples. */
function envelope(x, w) {
  const out = [];
  for (let i = 0; i + w <= x.length; i += w) out.push(peakAbs(x, i, i + w));
  return out;
}

describe('synth voices (offline render)', function () {
  this.timeout(120000);

  it('plays in tune: every waveform within 1 cent', async () => {
    const cases = [['sine', 69, 0, 0], ['saw', 45, 0, 0], ['square', 60, 1, 0], ['triangle', 76, 0, 25], ['pulse', 57, -1, -40]];
    for (const [wave, pitch, octave, detuneCents] of cases) {
      const [l] = await render(1.6, (e) => {
        const s = e.createSynth(e.createChannel(), { wave, octave, detuneCents, attackMs: 1 });
        s.noteOn(pitch, 1, 0);
      });
      const expected = pitch + 12 * octave + detuneCents / 100;
      const { freq } = peakFrequency(l, 65536, 4096, freqOf(expected) * 0.7, freqOf(expected) * 1.3);
      expect((pitchOf(freq) - expected) * 100, `${wave} at ${expected}`).to.be.closeTo(0, 1);
    }
  });

  it('starts a note at exactly its frame', async () => {
    for (const F of [12345, 20000, 24063]) {
      let lat = 0;
      const [l] = await render(0.6, (e) => {
        lat = e.latencyFrames;
        const s = e.createSynth(e.createChannel(), { wave: 'sine', attackMs: 0 });
        s.noteOn(69, 1, F / SR);
      });
      const start = F + lat;
      for (let i = 0; i < start; i++) if (l[i] !== 0) throw new Error(`sound before the note's frame ${start}: sample ${i} = ${l[i]}`);
      // a sine starts at phase 0: sample `start` is 0 and `start + 1` is sin(2 pi f / fs) x gain
      const gain = dbToLin(-6) * Math.SQRT1_2;
      expect(l[start + 1]).to.be.closeTo(Math.sin(2 * Math.PI * 440 / SR) * gain, 0.05 * gain);
    }
  });

  it('follows the ADSR times: attack to full level, decay and release to -60 dB', async () => {
    const attackMs = 50, decayMs = 200, releaseMs = 300;
    const onAt = 0.1, offAt = 0.6;
    const [l] = await render(1.2, (e) => {
      const s = e.createSynth(e.createChannel(), { wave: 'sine', attackMs, decayMs: 10000, sustain: 1, releaseMs });
      s.noteOn(81, 1, onAt); // 880 Hz
      s.noteOff(81, offAt);
      const d = e.createSynth(e.createChannel({ pan: 1 }), { wave: 'sine', attackMs: 0, decayMs, sustain: 0, releaseMs: 5000 });
      d.noteOn(81, 1, onAt);
    });
    const w = 48; // 1 ms windows
    const env = envelope(l, w);
    const full = Math.max(...env);
    const ms = (i) => i * w / SR * 1000;
    const reach = env.findIndex((v) => v >= full * 0.999);
    expect(ms(reach) - onAt * 1000, 'attack time').to.be.closeTo(attackMs, 2.5);
    const off = Math.round(offAt * 1000);
    const levelAtOff = env[off - 1];
    const gone = env.findIndex((v, i) => i > off && v < levelAtOff * 1e-3);
    expect(ms(gone) - offAt * 1000, 'release time to -60 dB').to.be.closeTo(releaseMs, releaseMs * 0.05);
    // The second synth is hard right (pan 1): its decay to -60 dB (sustain 0).
    const [, r] = await render(0.6, (e) => {
      const d = e.createSynth(e.createChannel({ pan: 1 }), { wave: 'sine', attackMs: 0, decayMs, sustain: 0, releaseMs: 5000 });
      d.noteOn(81, 1, onAt);
    });
    const renv = envelope(r, w);
    const peak = Math.max(...renv);
    const decayed = renv.findIndex((v, i) => i > onAt * 1000 + 2 && v < peak * 1e-3);
    expect(ms(decayed) - onAt * 1000, 'decay time to -60 dB').to.be.closeTo(decayMs, decayMs * 0.05);
  });

  it('keeps aliasing of a 5 kHz saw at 48 kHz at least 60 dB below the fundamental', async () => {
    for (const wave of ['saw', 'square', 'pulse']) {
      const f0 = 5000;
      const [l] = await render(1.6, (e) => {
        e.createSynth(e.createChannel(), { wave, pulseWidth: 0.3, attackMs: 0, sustain: 1, cutoffHz: 20000 }).noteOn(pitchOf(f0), 1, 0);
      });
      const n = 65536;
      const m = magnitude(l, n, 8192, blackmanHarris);
      const fundamental = Math.max(...m.slice(Math.round(f0 * n / SR) - 3, Math.round(f0 * n / SR) + 4));
      let worst = 0, at = 0;
      for (let k = 10; k < m.length; k++) {
        const f = k * SR / n;
        const h = Math.round(f / f0);
        if (h >= 1 && Math.abs(f - h * f0) < 12 * SR / n) continue; // a harmonic
        if (m[k] > worst) { worst = m[k]; at = f; }
      }
      expect(linToDb(worst / fundamental), `${wave}: worst alias at ${at.toFixed(0)} Hz`).to.be.below(-60);
    }
  });

  it('steals voices and releases notes without clicks, and respects polyphony', async () => {
    let engine, synth;
    const pitches = [60, 64, 67, 71, 74, 77];
    const [l, r] = await render(1.5, (e) => {
      engine = e;
      // gain -12 dB: three voices stay under the limiter's ceiling (no intermodulation)
      synth = e.createSynth(e.createChannel(), { wave: 'sine', polyphony: 3, attackMs: 2, releaseMs: 1, sustain: 1, gainDb: -12 });
      pitches.forEach((p, i) => synth.noteOn(p, 1, 0.1 + i * 0.05)); // the 4th..6th steal
      synth.noteOff(71, 1.0);
      synth.noteOff(74, 1.0);
    });
    expect(allFinite(l) && allFinite(r)).to.equal(true);
    // Each sounding sine moves at most amp * 2 pi f / fs per sample; three voices at most.
    const amp = dbToLin(-12) * Math.SQRT1_2;
    const bound = 3 * amp * 2 * Math.PI * freqOf(77) / SR;
    let worst = 0, at = 0;
    for (let i = 1; i < l.length; i++) {
      const step = Math.abs(l[i] - l[i - 1]);
      if (step > worst) { worst = step; at = i; }
    }
    expect(worst, `largest step at frame ${at}`).to.be.at.most(bound * 1.05);
    // Between 0.5 s and 1 s only the last three notes (71, 74, 77) sound.
    const { mag } = peakFrequency(l, 16384, Math.round(0.55 * SR));
    const level = (p) => Math.max(...[-2, -1, 0, 1, 2].map((d) => mag[Math.round(freqOf(p) * 16384 / SR) + d]));
    const loudest = Math.max(...pitches.map(level));
    for (const p of [60, 64, 67]) expect(linToDb(level(p) / loudest), `stolen note ${p}`).to.be.below(-60);
    for (const p of [71, 74, 77]) expect(linToDb(level(p) / loudest), `held note ${p}`).to.be.above(-1);
    await engine.flush();
    const st = engine.status();
    expect(st.stolenVoices).to.equal(3);
    expect(st.activeVoices).to.equal(1); // 77 still held
  });

  it('plays 64 voices into 32 channels cleanly', async () => {
    let engine;
    const [l, r] = await render(1, (e) => {
      engine = e;
      for (let c = 0; c < 32; c++) {
        const s = e.createSynth(e.createChannel({ pan: (c % 8) / 4 - 1, volumeDb: -12 }), { wave: ['saw', 'square', 'triangle', 'sine'][c % 4], polyphony: 2, cutoffHz: 3000, resonance: 0.5 });
        s.noteOn(36 + c, 0.8, 0.01);
        s.noteOn(48 + c, 0.8, 0.02);
      }
    });
    expect(allFinite(l) && allFinite(r)).to.equal(true);
    expect(peakAbs(l)).to.be.at.most(dbToLin(-1));
    expect(peakAbs(l, SR / 2)).to.be.above(0.01);
    await engine.flush();
    expect(engine.status().activeVoices).to.equal(64);
  });

  it('rejects bad notes with a clear error', () => {
    return render(0.1, (e) => {
      const s = e.createSynth(e.createChannel());
      expect(() => s.noteOn(200)).to.throw(RangeError, /0 to 127/);
      expect(() => s.noteOn(60, 2)).to.throw(RangeError, /velocity/);
      expect(() => s.noteOn(60, 1, -1)).to.throw(RangeError, /time/);
      expect(() => s.set('wave', 'noise')).to.throw(TypeError, /sine \| triangle \| saw \| square \| pulse/);
      expect(s.set('wave', 'pulse')).to.equal(4);
    });
  });
});
