// <daw-clip>: an audio file played in its channel from the engine's memory. The files are WAVs
// written here (16-bit PCM, as blob: URLs); what the tests listen to is the real engine: channel
// meters, the engine's clip counter and the worklet's output through an AnalyserNode tap.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { getEngine } from '../dist/daw-elements.js';
import { task, until as waitFor, wavUrl } from './helpers.js';

const isolatedPage = window.DAW_EXPECT_ISOLATED;
const engine = getEngine();
const CENTRE = Math.SQRT1_2; // the channel's pan law at centre
const db = (x) => 20 * Math.log10(x);


/** A constant (DC) signal: its level through a channel is exactly value × gain × pan law. */
const dc = (value, seconds, rate) => new Float32Array(Math.round(seconds * rate)).fill(value);

function errorsOf(el) {
  const list = [];
  el.addEventListener('daw-error', (e) => list.push(e.detail));
  return list;
}

/** Hosts of the current test; removed after it even when it failed (so one failure does not cascade). */
const mounted = [];
function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  mounted.push(host);
  return host;
}

/** Waits for `fn()`: `ms` of the engine's audio and as many ms of animation frames at 60 Hz (see helpers.js). */
const until = (fn, ms = 5000, what = String(fn)) => waitFor(fn, { engine, audio: ms / 1000, frames: Math.round(ms * 0.06), what });

/**
 * Watches `clip.playing` against the engine's clock until it turns off: true at every reading taken
 * before the end, false at every reading taken after it. The clip reads the clock itself when it
 * starts, and a context's clock may move within a task, so the end is known to lie in
 * [`from`, `to`] (the clock before and after play(), plus the length; 1e-9 s for rounding). (How soon after the end the
 * page looks depends on its load, so that is not what is checked.)
 */
async function playsUntil(clip, [from, to]) {
  await until(() => {
    const before = engine.now();
    const playing = clip.playing;
    const after = engine.now();
    if (after < from - 1e-9 && !playing) throw new Error(`playing turned off at ${after.toFixed(4)}, before the end (${from.toFixed(4)} to ${to.toFixed(4)})`);
    if (before >= to + 1e-9 && playing) throw new Error(`still playing at ${before.toFixed(4)}, after the end (${from.toFixed(4)} to ${to.toFixed(4)})`);
    return !playing;
  }, 5000, 'playing turns off');
}

/** Plays `clip` now; returns the span [from, to] in which its end (`length` s later) lies. */
function playNow(clip, length) {
  const t0 = engine.now();
  expect(clip.play()).to.equal(true);
  const t1 = engine.now();
  expect(clip.playing).to.equal(true);
  return [t0 + length, t1 + length];
}

const part = (el, name) => el.shadowRoot.querySelector(`[part~="${name}"]`);
const loaded = (clip) => until(() => clip.loaded, 10000, `${clip.getAttribute('label') ?? 'clip'} loaded`);
const peakDb = (ch) => ch.meter().peakDb;

/** Waits until the channel's peak meter reads `want` dB (within 0.05 dB). */
async function levelIs(ch, want) {
  await until(() => Math.abs(peakDb(ch) - want) < 0.05, 5000, `peak ${want.toFixed(2)} dB (reads ${peakDb(ch).toFixed(2)})`);
}

describe(`<daw-clip> before audio starts (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  this.timeout(60000);

  it('waits for audio, refuses a play outside a gesture, and its button starts the engine, loads and plays', async () => {
    expect(customElements.get('daw-clip')).to.be.a('function');
    expect(engine.state).to.equal('idle');
    const url = wavUrl([dc(0.25, 0.5, 48000)], 48000);
    const host = mount(`<daw-channel label="Wait"><daw-clip label="drums.wav" loop src="${url}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    const errors = errorsOf(clip);
    const loads = [];
    clip.addEventListener('daw-clip-load', (e) => loads.push(e));
    await clip.updateComplete;
    const button = part(clip, 'button');
    expect(button.localName).to.equal('button');
    expect(part(clip, 'status').textContent).to.match(/waiting for audio to start/i);
    expect(clip.loaded).to.equal(false);
    expect(clip.duration).to.be.NaN;
    expect(button.disabled, 'a click must be able to start audio').to.equal(false);
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(button.getAttribute('aria-label')).to.equal('Play drums.wav');
    expect(part(clip, 'label').textContent).to.equal('drums.wav');

    // Outside a user gesture nothing may start audio: the play is refused and said so.
    expect(clip.play()).to.equal(false);
    expect(errors.map((e) => e.code)).to.deep.equal(['not-running']);
    expect(errors[0].message).to.match(/gesture/);
    expect(engine.state).to.equal('idle');

    button.click();
    expect(engine.context, 'the context is created inside the click').to.be.an.instanceof(AudioContext);
    await clip.updateComplete;
    expect(button.getAttribute('aria-pressed'), 'pressed while it waits to play').to.equal('true');
    await until(() => clip.playing, 20000, 'playing');
    expect(loads.length).to.equal(1);
    expect(loads[0].bubbles && loads[0].composed).to.equal(true);
    expect(loads[0].detail.duration).to.be.closeTo(0.5, 2 / engine.sampleRate);
    expect(loads[0].detail.sample).to.equal(clip.sample);
    expect(clip.loaded).to.equal(true);
    expect(clip.hasAttribute('playing')).to.equal(true);
    await until(() => engine.status().clipsPlaying === 1, 3000, 'the engine plays one clip');
    await clip.updateComplete;
    expect(part(clip, 'status').textContent).to.equal('Ready');
    expect(part(clip, 'duration').textContent).to.equal('0.50 s');
    expect(button.getAttribute('aria-label')).to.equal('Stop drums.wav');

    button.click();
    expect(clip.playing).to.equal(false);
    await clip.updateComplete;
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(button.getAttribute('aria-label')).to.equal('Play drums.wav');
    expect(clip.hasAttribute('playing')).to.equal(false);
    await until(() => engine.status().clipsPlaying === 0, 3000, 'no clip playing');
    expect(errors.length).to.equal(1);
    host.remove();
    URL.revokeObjectURL(url);
    await task();
  });
});

describe(`<daw-clip> (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  this.timeout(60000);
  let rate;
  before(async () => {
    await engine.start();
    rate = engine.sampleRate;
  });
  afterEach(async () => {
    mounted.splice(0).forEach((h) => h.remove());
    await task(); // removed elements free their channels and samples
    await until(() => engine.status().clipsPlaying === 0, 3000, 'every clip stopped after the test');
  });

  it('plays into its channel: the channel meter and the engine output carry the file at its level; stop silences it', async () => {
    const url = wavUrl([dc(0.25, 0.3, rate)], rate);
    const host = mount(`<daw-channel label="Out"><daw-clip loop src="${url}"></daw-clip></daw-channel>`);
    const [chEl, clip] = [host.querySelector('daw-channel'), host.querySelector('daw-clip')];
    await loaded(clip);
    expect(clip.channel).to.equal(chEl.channel);
    const tap = new AnalyserNode(engine.context, { fftSize: 2048 });
    engine.node.connect(tap);
    const win = new Float32Array(tap.fftSize);
    const span = () => {
      tap.getFloatTimeDomainData(win);
      let lo = Infinity, hi = -Infinity;
      for (const x of win) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
      return [lo, hi];
    };
    try {
      expect(clip.play()).to.equal(true);
      await levelIs(chEl.channel, db(0.25 * CENTRE));
      // The worklet's output (what reaches the speakers; the analyser averages left and right):
      // the whole 2048-frame window at 0.25 x pan law, looping across the file's end.
      await until(() => { const [lo, hi] = span(); return Math.abs(lo - 0.25 * CENTRE) < 1e-3 && Math.abs(hi - 0.25 * CENTRE) < 1e-3; }, 5000, 'output at 0.177');
      expect(engine.status().clipsPlaying).to.equal(1);
      clip.stop();
      await until(() => { const [lo, hi] = span(); return Math.abs(lo) < 1e-6 && Math.abs(hi) < 1e-6; }, 5000, 'silent output');
      await until(() => engine.status().clipsPlaying === 0, 1000, 'the engine counts no clip');
    } finally {
      engine.node.disconnect(tap);
      host.remove();
    }
  });

  it('a clip without loop ends by itself: playing, the attribute and the button follow the engine clock', async () => {
    const url = wavUrl([dc(0.25, 1.0, rate)], rate);
    const host = mount(`<daw-channel><daw-clip label="hit" src="${url}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    await loaded(clip);
    const button = part(clip, 'button');

    const end = playNow(clip, 1.0);
    await clip.updateComplete;
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    await until(() => engine.status().clipsPlaying === 1, 3000, 'the engine plays it');
    await playsUntil(clip, end);
    expect(clip.hasAttribute('playing')).to.equal(false);
    await clip.updateComplete;
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(button.getAttribute('aria-label')).to.equal('Play hit');
    // The engine finished it too, once it has rendered past the clip's end. `playing` follows the
    // context clock, which WebKitGTK runs ahead of the rendering (in bursts, more under load), and
    // without shared memory the play reaches the worklet up to an animation frame late: so wait for
    // the rendered frame counter to pass that end (+0.5 s of margin for the batch), not for 500 ms.
    const endFrame = (engine.now() + 0.5) * engine.sampleRate;
    await until(() => engine.status().frame >= endFrame, 10000, 'the engine renders past the clip\'s end');
    expect(engine.status().clipsPlaying, 'the engine finished it too').to.equal(0);

    // offset: starts 0.6 s in, so it ends after 0.4 s
    clip.offset = 0.6;
    await clip.updateComplete;
    await playsUntil(clip, playNow(clip, 0.4));

    // an offset past the end of a non-looping file has nothing to play, and says so
    const errors = errorsOf(clip);
    clip.offset = 2;
    await clip.updateComplete;
    expect(clip.play()).to.equal(false);
    expect(errors[0]).to.include({ code: 'out-of-range', attribute: 'offset', value: 2 });
    expect(errors[0].range).to.match(/^0 to 1 s/);
    expect(clip.playing).to.equal(false);
    host.remove();
  });

  it('gain scales the clip (x4 = +12 dB); invalid gain, offset and times are clamped or ignored with daw-error', async () => {
    const url = wavUrl([dc(0.125, 0.2, rate)], rate);
    const host = mount(`<daw-channel id="g1"><daw-clip loop src="${url}"></daw-clip></daw-channel>
      <daw-channel id="g4"><daw-clip loop gain="4" src="${url}"></daw-clip></daw-channel>`);
    const [c1, c4] = host.querySelectorAll('daw-clip');
    const errors = errorsOf(host);
    const engineErrors = [];
    const onEngineError = (e) => engineErrors.push(e.detail);
    engine.addEventListener('daw-error', onEngineError);
    await loaded(c1);
    await loaded(c4);
    c1.play();
    c4.play();
    await levelIs(c1.channel, db(0.125 * CENTRE));
    await levelIs(c4.channel, db(0.5 * CENTRE));
    expect(peakDb(c4.channel) - peakDb(c1.channel)).to.be.closeTo(12.04, 0.05);

    const last = () => errors[errors.length - 1];
    c1.setAttribute('gain', '20');
    await c1.updateComplete;
    expect(last()).to.include({ code: 'out-of-range', attribute: 'gain', value: 20, range: '0 to 16' });
    expect(last().message).to.match(/gain.*20/);
    expect(c1.gain).to.equal(16);
    c1.setAttribute('gain', 'loud');
    await c1.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'gain', value: 'loud', range: '0 to 16' });
    expect(c1.gain).to.equal(16);
    c1.gain = NaN;
    await c1.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'gain' });
    expect(c1.gain).to.equal(16);
    c1.setAttribute('offset', '-1');
    await c1.updateComplete;
    expect(last()).to.include({ code: 'out-of-range', attribute: 'offset', value: -1, range: '0 to Infinity s' });
    expect(c1.offset).to.equal(0);
    expect(c1.play(-1)).to.equal(false);
    expect(last()).to.include({ code: 'invalid-value', value: -1 });
    c1.stop('soon');
    expect(last()).to.include({ code: 'invalid-value', value: 'soon' });
    // the clamped gain applies at the next play: 0.125 x 16 = 2 (the channel is not limited; only the master is)
    c1.play();
    await levelIs(c1.channel, db(2 * CENTRE));
    for (const e of errors) expect(e.message).to.be.a('string').and.match(/^<daw-clip>/);
    expect(engineErrors, 'nothing invalid reached the engine').to.deep.equal([]);
    engine.removeEventListener('daw-error', onEngineError);
    host.remove();
  });

  it('changing src loads the new file while the old one plays, swaps them, then frees the old one; no src empties it', async () => {
    const a = wavUrl([dc(0.25, 0.2, rate)], rate);
    const b = wavUrl([dc(0.5, 0.3, rate)], rate);
    const host = mount(`<daw-channel><daw-clip loop src="${a}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    const loads = [];
    clip.addEventListener('daw-clip-load', (e) => loads.push(e.detail));
    await loaded(clip);
    const sa = clip.sample;
    clip.play();
    await levelIs(clip.channel, db(0.25 * CENTRE));
    clip.src = b;
    await clip.updateComplete;
    expect(clip.sample, 'the old file stays until the new one is in place').to.equal(sa);
    expect(clip.playing).to.equal(true);
    await until(() => loads.length === 2, 10000, 'the new file loaded');
    expect(clip.sample).to.not.equal(sa);
    expect(loads[1].src).to.equal(b);
    expect(clip.duration).to.be.closeTo(0.3, 1e-9);
    expect(clip.playing, 'a playing clip goes on with the new file').to.equal(true);
    await levelIs(clip.channel, db(0.5 * CENTRE));
    await until(() => sa.isDisposed, 2000, 'the old sample freed');
    expect(engine.status().clipsPlaying).to.equal(1);

    // not playing: a new src loads and stays stopped
    clip.stop();
    clip.src = a;
    await until(() => loads.length === 3, 10000, 'reloaded');
    expect(clip.playing).to.equal(false);

    const sb = clip.sample;
    clip.removeAttribute('src');
    await clip.updateComplete;
    expect(clip.loaded).to.equal(false);
    expect(clip.duration).to.be.NaN;
    expect(part(clip, 'status').textContent).to.equal('No file');
    expect(part(clip, 'button').disabled).to.equal(true);
    await until(() => sb.isDisposed, 2000, 'the sample freed');
    host.remove();
  });

  it('reports a file that cannot be fetched or decoded, names it, and disables the button', async () => {
    const host = mount('<daw-channel><daw-clip src="/test/no-such-dir/kick%20drum.wav"></daw-clip></daw-channel>');
    const clip = host.querySelector('daw-clip');
    const errors = errorsOf(clip);
    await until(() => errors.length > 0, 10000, 'daw-error');
    expect(errors[0]).to.include({ code: 'load-failed', attribute: 'src', value: '/test/no-such-dir/kick%20drum.wav' });
    expect(errors[0].message).to.match(/could not fetch.*404/);
    await clip.updateComplete;
    const button = part(clip, 'button');
    expect(button.disabled).to.equal(true);
    expect(button.getAttribute('aria-label')).to.equal('Play kick drum.wav');
    expect(part(clip, 'label').textContent).to.equal('kick drum.wav');
    expect(part(clip, 'status').textContent).to.match(/^Error: .*404/);
    expect(part(clip, 'status').dataset.state).to.equal('error');
    expect(clip.play()).to.equal(false);
    expect(errors[1].code).to.equal('load-failed');

    const text = URL.createObjectURL(new Blob(['not audio at all'], { type: 'text/plain' }));
    clip.src = text;
    await until(() => errors.length > 2, 10000, 'daw-error');
    expect(errors[2]).to.include({ code: 'load-failed', attribute: 'src', value: text });
    expect(errors[2].message).to.match(/could not decode/);
    expect(clip.loaded).to.equal(false);
    host.remove();
  });

  it('loop-start and loop-end apply at load (a change reloads); loop points outside the file are reported and the whole file loops', async () => {
    // 0.1 s at 0.25, then 0.1 s at 0.5: looping from 0.1 s, only the second half repeats.
    const n = Math.round(0.1 * rate);
    const data = new Float32Array(2 * n);
    data.fill(0.25, 0, n);
    data.fill(0.5, n);
    const url = wavUrl([data], rate);
    const host = mount(`<daw-channel><daw-clip loop loop-start="0.1" src="${url}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    const errors = errorsOf(clip);
    const loads = [];
    clip.addEventListener('daw-clip-load', (e) => loads.push(e.detail));
    await loaded(clip);
    expect(clip.sample.loopStart).to.equal(n);
    expect(clip.sample.loopEnd).to.equal(2 * n);
    const tap = new AnalyserNode(engine.context, { fftSize: 2048 });
    engine.node.connect(tap);
    const win = new Float32Array(tap.fftSize);
    const span = () => {
      tap.getFloatTimeDomainData(win);
      return [Math.min(...win), Math.max(...win)];
    };
    try {
      clip.play();
      // after the first pass only the loop region (0.5) plays: no 0.25 in a whole window
      await until(() => { const [lo, hi] = span(); return Math.abs(lo - 0.5 * CENTRE) < 1e-3 && Math.abs(hi - 0.5 * CENTRE) < 1e-3; }, 5000, 'only the loop region');
      await task(250);
      const [lo] = span();
      expect(lo).to.be.closeTo(0.5 * CENTRE, 1e-3);
      clip.stop();
    } finally {
      engine.node.disconnect(tap);
    }

    clip.setAttribute('loop-end', '0.15');
    await until(() => loads.length === 2, 10000, 'reloaded');
    expect(clip.sample.loopStart).to.equal(n);
    expect(clip.sample.loopEnd).to.equal(Math.round(0.15 * rate));

    clip.setAttribute('loop-end', '0.5');
    await until(() => loads.length === 3, 10000, 'reloaded');
    expect(errors[0]).to.include({ code: 'out-of-range', attribute: 'loop-end', value: 0.5 });
    expect(errors[0].range).to.match(/^0 to 0.2 s/);
    expect(clip.sample.loopStart).to.equal(0);
    expect(clip.sample.loopEnd).to.equal(2 * n);

    clip.setAttribute('loop-end', '0.05');
    await until(() => loads.length === 4, 10000, 'reloaded');
    expect(errors[1]).to.include({ code: 'invalid-value', attribute: 'loop-end', value: 0.05 });
    expect(errors[1].message).to.match(/loop-start/);
    expect(clip.sample.loopEnd).to.equal(2 * n);
    host.remove();
  });

  it('stops when removed and frees its file after the task; a DOM move keeps it loaded; a clip whose channel goes away stops', async () => {
    const url = wavUrl([dc(0.25, 0.2, rate)], rate);
    const host = mount(`<daw-channel id="a"><daw-clip loop src="${url}"></daw-clip></daw-channel><daw-channel id="b"></daw-channel>`);
    const [a, b] = host.querySelectorAll('daw-channel');
    const clip = host.querySelector('daw-clip');
    await loaded(clip);
    const s = clip.sample;
    clip.play();
    await until(() => engine.status().clipsPlaying === 1, 3000, 'playing');

    b.append(clip); // a move: stops, stays loaded, plays into the new channel next time
    expect(clip.playing).to.equal(false);
    await task(20);
    expect(clip.sample).to.equal(s);
    expect(s.isDisposed).to.equal(false);
    await until(() => engine.status().clipsPlaying === 0, 3000, 'the move stopped it');
    clip.play();
    expect(clip.channel).to.equal(b.channel);
    await levelIs(b.channel, db(0.25 * CENTRE));

    clip.remove();
    expect(clip.playing, 'stops at once').to.equal(false);
    expect(s.isDisposed, 'not freed synchronously').to.equal(false);
    await until(() => engine.status().clipsPlaying === 0, 3000, 'silent');
    await until(() => s.isDisposed, 2000, 'the sample freed');
    expect(clip.loaded).to.equal(false);

    a.append(clip); // back in: loads again
    await loaded(clip);
    expect(clip.sample).to.not.equal(s);
    clip.play();
    await until(() => engine.status().clipsPlaying === 1, 3000, 'playing');
    a.channel.dispose(); // the channel goes away under the clip (from script)
    await until(() => !clip.playing, 1000, 'playing turns off');
    await until(() => engine.status().clipsPlaying === 0, 1000, 'the engine cancelled it'); // counters arrive <= 30 Hz without shared memory

    b.append(clip);
    clip.play();
    await until(() => engine.status().clipsPlaying === 1, 3000, 'playing');
    b.remove(); // its channel element leaves with it
    expect(clip.playing).to.equal(false);
    host.remove();
  });

  it('two clips in one channel: starting one ends the other', async () => {
    const url = wavUrl([dc(0.25, 0.2, rate)], rate);
    const host = mount(`<daw-channel><daw-clip id="x" loop src="${url}"></daw-clip><daw-clip id="y" loop src="${url}"></daw-clip></daw-channel>`);
    const [x, y] = host.querySelectorAll('daw-clip');
    await loaded(x);
    await loaded(y);
    x.play();
    expect(x.playing).to.equal(true);
    y.play();
    expect(y.playing).to.equal(true);
    expect(x.playing, 'the channel plays one clip at a time').to.equal(false);
    await x.updateComplete;
    expect(part(x, 'button').getAttribute('aria-pressed')).to.equal('false');
    await until(() => engine.status().clipsPlaying === 1, 3000, 'one clip');
    expect(x.toggle()).to.equal(true);
    expect(y.playing).to.equal(false);
    expect(x.toggle()).to.equal(false);
    host.remove();
  });

  it('autoplay plays once loaded; a standalone clip plays into a private channel freed with it', async () => {
    const n0 = engine.channelCount;
    const url = wavUrl([dc(0.25, 0.2, rate)], rate);
    const host = mount(`<daw-clip autoplay loop gain="2" src="${url}"></daw-clip>`);
    const clip = host.querySelector('daw-clip');
    expect(engine.channelCount).to.equal(n0 + 1);
    const ch = clip.channel;
    expect(ch).to.exist;
    await until(() => clip.playing, 10000, 'autoplay');
    await levelIs(ch, db(0.5 * CENTRE));
    host.remove();
    expect(clip.playing).to.equal(false);
    await task();
    expect(ch.isDisposed).to.equal(true);
    expect(engine.channelCount).to.equal(n0);
  });

  it('play() before the file is loaded plays it once it is; a scheduled stop ends playing at its time', async () => {
    const url = wavUrl([dc(0.25, 0.2, rate)], rate);
    const host = mount(`<daw-channel><daw-clip loop src="${url}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    expect(clip.loaded).to.equal(false);
    expect(clip.play(), 'the engine runs: queued until loaded').to.equal(true);
    expect(clip.playing).to.equal(false);
    await until(() => clip.playing, 10000, 'playing once loaded');
    const at = engine.now() + 0.3;
    clip.stop(at);
    expect(clip.playing).to.equal(true);
    await until(() => !clip.playing, 3000, 'stopped');
    expect(engine.now()).to.be.at.least(at - 0.01);
    await until(() => engine.status().clipsPlaying === 0, 1000, 'the engine stopped it');
    host.remove();
  });

  it('is operated with the keyboard (native button: Enter and Space)', async function () {
    const url = wavUrl([dc(0.25, 0.2, rate)], rate);
    const host = mount(`<daw-channel><daw-clip loop label="pad" src="${url}"></daw-clip></daw-channel>`);
    const clip = host.querySelector('daw-clip');
    await loaded(clip);
    await clip.updateComplete;
    const button = part(clip, 'button');
    button.focus();
    expect(clip.shadowRoot.activeElement).to.equal(button);
    try {
      await sendKeys({ press: 'Enter' });
    } catch (e) {
      host.remove();
      if (/not supported/i.test(String(e?.message ?? e))) this.skip(); // WebKitGTK's WebDriver cannot press keys
      throw e;
    }
    await until(() => clip.playing, 2000, 'Enter plays');
    await sendKeys({ press: ' ' });
    await until(() => !clip.playing, 2000, 'Space stops');
    host.remove();
  });
});
