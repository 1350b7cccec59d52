// Adaptive quality (issue #15; src/quality.ts, src/quality-link.ts, dsp/Quality.zig): the setting's
// validation, a fixed level reaching the DSP (its qualityLevel status word) with a measurable effect
// (the voice cap), offline renders at level 0 and bit-identical whatever the setting, and, where the
// browser counts underruns (Chromium's AudioContext.playbackStats), 'auto' stepping down under a real
// overload. The controller's decisions on load traces are unit tests (src/quality.test.mjs); the
// ladder's levels against full quality are Zig tests (dsp/reverb_tests.zig, dsp/synth_tests.zig,
// dsp/AnalysisBank.zig); the underrun counts with fixed full quality and with 'auto' over a longer
// overload are `npm run bench -- --only=overload` (whether glitches stop, and when, depends on what
// else a shared machine runs: a figure to report, not a test that could pass or fail by chance).
// Every wait is for a real change (a status word, an event, audio time), never a delay.
import { expect } from '@esm-bundle/chai';
import { Engine, QUALITY_LEVELS, STRIP_PARAMS, controlLink, getEngine } from '../dist/daw-elements.js';
import { until } from './helpers.js';

const QUALITY = STRIP_PARAMS.find((p) => p.name === 'quality').index;
const MASTER = 67;

/** `n` held saw notes on 4 synths (polyphony 128) into one quiet channel. */
function held(e, n) {
  const ch = e.createChannel({ volumeDb: -50, sendReverb: 0.3 });
  const synths = [0, 1, 2, 3].map(() => e.createSynth(ch, { wave: 'saw', polyphony: 128, sustain: 1, releaseMs: 5 }));
  for (let v = 0; v < n; v++) synths[v % 4].noteOn(30 + (v % 60) * 0.5 + Math.floor(v / 60) * 0.25, 0.5);
  return ch;
}

describe('adaptive quality', function () {
  this.timeout(120000);

  it('quality is checked: TypeError / RangeError naming the value and the range; <daw-engine quality> turns a bad value into daw-error', async () => {
    expect(QUALITY_LEVELS).to.equal(4);
    expect(() => new Engine({ quality: 5 })).to.throw(RangeError, /quality 5 must be 'auto' or a whole number 0 to 4/);
    expect(() => new Engine({ quality: 1.5 })).to.throw(RangeError, /quality 1\.5/);
    expect(() => new Engine({ quality: -1 })).to.throw(RangeError, /quality -1/);
    expect(() => new Engine({ quality: 'fast' })).to.throw(TypeError, /quality 'fast' must be 'auto' or a whole number 0 to 4/);
    expect(() => new Engine({ quality: null })).to.throw(TypeError);
    const e = new Engine();
    expect(e.quality).to.equal('auto');
    expect(e.status().quality).to.deep.include({ level: 0, setting: 'auto' });
    expect(() => { e.quality = NaN; }).to.throw(RangeError, /quality NaN/);
    expect(() => { e.quality = '2'; }).to.throw(TypeError, /quality '2'/);
    e.quality = 2; // before start: the setting only
    expect(e.quality).to.equal(2);
    expect(e.status().quality.level).to.equal(0);
    // The element: the page's engine; an invalid attribute is a daw-error naming it and its range.
    const el = document.createElement('daw-engine');
    const errors = [];
    el.addEventListener('daw-error', (ev) => errors.push(ev.detail));
    el.setAttribute('quality', 'max');
    document.body.append(el);
    try {
      await el.updateComplete;
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ code: 'invalid-value', attribute: 'quality', value: 'max', range: 'auto | 0 to 4' });
      expect(errors[0].message).to.match(/quality: 'max' is not auto or a whole number 0 to 4/);
      el.setAttribute('quality', '3');
      await el.updateComplete;
      expect(el.engine.quality).to.equal(3);
      el.setAttribute('quality', 'auto');
      await el.updateComplete;
      expect(el.engine.quality).to.equal('auto');
      expect(errors).to.have.length(1);
    } finally {
      el.remove();
    }
  });

  it('a fixed level reaches the DSP (status word, daw-quality event) and caps the voices; back to 0 lifts the cap', async () => {
    const e = new Engine({ context: new AudioContext(), quality: 0 });
    const events = [];
    e.addEventListener('daw-quality', (ev) => events.push(ev.detail));
    try {
      await e.start();
      held(e, 40);
      await until(() => e.status().activeVoices === 40, { engine: e, what: '40 voices sounding' });
      expect(e.status().qualityLevel).to.equal(0);
      e.quality = 4; // at most 32 voices: 8 fade out as stolen voices do
      expect(events).to.deep.equal([{ level: 4, previous: 0, setting: 4, reason: 'fixed by quality = 4' }]);
      expect(e.status().quality).to.deep.equal({ level: 4, setting: 4, reason: 'fixed by quality = 4' });
      await until(() => e.status().qualityLevel === 4 && e.status().activeVoices === 32, { engine: e, what: 'level 4 applied: 32 voices' });
      expect(e.status().stolenVoices).to.equal(8);
      e.quality = 0;
      await until(() => e.status().qualityLevel === 0, { engine: e, what: 'level 0 applied' });
      expect(events.map((d) => [d.previous, d.level])).to.deep.equal([[0, 4], [4, 0]]);
      // The cap is gone: new notes take free voices again.
      const s = e.createSynth(null, { polyphony: 16 });
      for (let v = 0; v < 10; v++) s.noteOn(60 + v, 0.5);
      await until(() => e.status().activeVoices === 42, { engine: e, what: '42 voices sounding' });
    } finally {
      await e.close();
    }
  });

  it('offline renders run at level 0 whatever the setting, and stay bit-identical (the level, forced, would change them)', async () => {
    async function renderWith(quality, force) {
      const ctx = new OfflineAudioContext(2, 24000, 48000);
      const e = new Engine({ context: ctx, quality });
      await e.start();
      held(e, 48);
      if (force !== undefined) controlLink(e).write('strip', MASTER, QUALITY, force); // what an engine must never do offline
      await e.flush();
      const buf = await ctx.startRendering();
      const st = e.status().quality;
      return { l: buf.getChannelData(0), r: buf.getChannelData(1), st };
    }
    const a = await renderWith(4);
    const b = await renderWith('auto');
    const c = await renderWith(0);
    expect(a.st).to.deep.equal({ level: 0, setting: 4, reason: 'offline render: always full quality' });
    expect(b.st.level).to.equal(0);
    let peak = 0;
    for (let i = 0; i < a.l.length; i++) {
      if (a.l[i] !== b.l[i] || a.l[i] !== c.l[i] || a.r[i] !== b.r[i] || a.r[i] !== c.r[i]) throw new Error(`offline renders differ at frame ${i}`);
      peak = Math.max(peak, Math.abs(a.l[i]));
    }
    expect(peak).to.be.above(1e-3);
    // The same session with the DSP's level forced to 4 (32 voices, reverb economy) renders differently.
    const d = await renderWith(0, 4);
    let diff = 0;
    for (let i = 0; i < a.l.length; i++) diff = Math.max(diff, Math.abs(a.l[i] - d.l[i]));
    expect(diff).to.be.above(1e-4);
  });

  it("'auto' under a real overload (a per-voice cost too heavy for the quantum): underruns, then steps down, naming why", async function () {
    const ctx = new AudioContext();
    if (!('playbackStats' in ctx)) {
      await ctx.close();
      // Without the browser's underrun count (Firefox, WebKitGTK) the controller has only the load
      // clock's 1 s windows on isolated pages and nothing elsewhere: no glitch to react to here.
      this.skip();
    }
    const e = new Engine({ context: ctx, quality: 0 });
    const events = [];
    e.addEventListener('daw-quality', (ev) => events.push({ ...ev.detail, at: ctx.currentTime }));
    try {
      await e.start();
      held(e, 128);
      await until(() => e.status().activeVoices === 128, { engine: e, what: '128 voices sounding' });
      // The test hook: 1 ms of busy-wait per 33 whole voices sounding (Date.now() ticks, so 3 to 4 ms
      // per 2.67 ms quantum at 128 voices: a load of ~1.4; 1 to 2 ms at level 3's 64 voices: ~0.7,
      // which still glitches on this shared machine; none at level 4's 32). Only the ladder's voice
      // caps reduce it: the session is too heavy for the quantum until they apply.
      controlLink(e).node.port.postMessage({ type: 'spin', ms: 0, voicesPerMs: 33 });
      const u0 = e.status().underruns.count;
      const t0 = ctx.currentTime;
      await until(() => ctx.currentTime - t0 >= 2, { engine: e, audio: 30, wallMs: 60000, what: '2 s of overloaded audio at full quality' });
      const fixed = e.status().underruns.count - u0;
      expect(fixed, 'underruns in 2 s at fixed full quality').to.be.above(0);
      e.quality = 'auto';
      const t1 = ctx.currentTime;
      await until(() => e.status().quality.level === 4, { engine: e, audio: 30, wallMs: 60000, what: "'auto' stepping down to level 4" });
      const reached = ctx.currentTime - t1;
      // A step per poll that saw new underruns or per load window at >= 80 % (a peak >= 95 %): two
      // levels when the engine cannot keep up at all (>= 5 underruns a second, mean load >= 1), then
      // twice the last step while the steps follow each other (src/quality.ts): 0 -> 2 -> 4.
      for (const d of events) expect(d.reason).to.match(/^(underrun \(\d+ in the window\)|mean load \d+% ≥ 80%|peak load \d+% ≥ 95%)$/);
      const levels = events.map((d) => d.level);
      expect(levels.at(-1)).to.equal(4);
      expect(levels.every((l, i) => i === 0 || l > levels[i - 1]), String(levels)).to.equal(true);
      await until(() => e.status().qualityLevel === 4 && e.status().activeVoices === 32, { engine: e, what: 'the DSP at level 4: 32 voices' });
      // Whether the underruns then stop, and how soon after the overload starts, depends on what else
      // this machine runs (its own glitches): `npm run bench -- --only=overload` reports those counts.
      console.log(`overload: ${fixed} underruns in 2 s at fixed quality 0; 'auto' reached level 4 in ${reached.toFixed(2)} s of audio (${events.map((d) => `${d.level}: ${d.reason}`).join('; ')})`);
    } finally {
      controlLink(e).node?.port.postMessage({ type: 'spin', ms: 0 });
      await e.close();
    }
  });

  it('<daw-engine> shows the level while it is reduced (its title the reason) and passes daw-quality on', async () => {
    const el = document.createElement('daw-engine');
    el.setAttribute('quality', '2');
    const seen = [];
    el.addEventListener('daw-quality', (ev) => seen.push(ev.detail));
    document.body.append(el);
    const e = getEngine();
    try {
      await el.updateComplete;
      await e.start();
      const part = () => el.shadowRoot.querySelector('[part="quality"]');
      await until(() => part()?.textContent === 'quality 2/4' && !part().hidden, { engine: e, what: 'the face showing quality 2/4' });
      expect(part().title).to.equal('Quality level 2 of 4 (0 is full quality, quality = 2): fixed by quality = 2');
      expect(part().getAttribute('aria-label')).to.equal('Quality level');
      expect(getComputedStyle(part()).display).to.not.equal('none');
      expect(seen).to.deep.equal([{ level: 2, previous: 0, setting: 2, reason: 'fixed by quality = 2' }]);
      el.setAttribute('quality', '0');
      await until(() => part().hidden, { engine: e, what: 'the level hidden at full quality' });
      expect(getComputedStyle(part()).display).to.equal('none');
      expect(seen.map((d) => d.level)).to.deep.equal([2, 0]);
    } finally {
      el.remove();
      await e.close();
    }
  });
});
