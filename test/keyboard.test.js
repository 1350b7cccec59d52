// Keyboard-only operation with real key presses (sendKeys): a channel strip's fader, pan and toggles,
// and a synth's on-screen keys and computer-keyboard playing. The first key press is also the
// page's first user gesture, so it starts the engine (startOnGesture).
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { getEngine, Synth } from '../dist/daw-elements.js';
import { task, until, canSendKeys as probeKeys } from './helpers.js';

const isolatedPage = window.DAW_EXPECT_ISOLATED;
const engine = getEngine();

function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host;
}

/** Records Synth.prototype.noteOn/noteOff calls (the real methods still run). */
function spyNotes() {
  const calls = [];
  const on = Synth.prototype.noteOn, off = Synth.prototype.noteOff;
  Synth.prototype.noteOn = function (...a) { calls.push(['on', this, ...a]); return on.apply(this, a); };
  Synth.prototype.noteOff = function (...a) { calls.push(['off', this, ...a]); return off.apply(this, a); };
  calls.restore = () => { Synth.prototype.noteOn = on; Synth.prototype.noteOff = off; };
  return calls;
}

/** Real key presses need the runner to drive the browser's input; WebKitGTK's WebDriver path cannot. */
let canSendKeys = true;
before(async () => {
  canSendKeys = await probeKeys();
});

describe(`keyboard operation (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  beforeEach(function () {
    if (!canSendKeys) this.skip(); // this browser's driver cannot press keys (WebKitGTK WebDriver)
  });

  this.timeout(60000);

  it('operates a channel strip with the keyboard only, and the first key press starts the engine', async () => {
    const host = mount('<daw-channel label="Keys" volume-db="-6"></daw-channel>');
    const el = host.querySelector('daw-channel');
    await el.updateComplete;
    const fader = el.shadowRoot.querySelector('[part~="fader"]');
    expect(fader.type).to.equal('range');
    expect(fader.getAttribute('aria-label')).to.equal('Volume');
    expect(fader.getAttribute('aria-valuetext')).to.equal('-6.0 dB');
    fader.focus();
    expect(engine.state).to.equal('idle');
    await sendKeys({ press: 'ArrowUp' });
    expect(['starting', 'running']).to.include(engine.state); // the key press was the gesture
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.be.closeTo(-5, 1e-6);
    expect(el.volumeDb).to.be.closeTo(-5, 1e-9);
    expect(fader.getAttribute('aria-valuenow')).to.equal('-5');
    expect(fader.getAttribute('aria-valuetext')).to.equal('-5.0 dB');

    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ up: 'Shift' });
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.be.closeTo(-4.9, 1e-5);
    expect(fader.getAttribute('aria-valuetext')).to.equal('-4.9 dB');

    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.be.closeTo(-6.9, 1e-5);

    await sendKeys({ press: 'PageDown' });
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.be.closeTo(-16.9, 1e-5);

    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.equal(-Infinity);
    expect(fader.getAttribute('aria-valuetext')).to.equal('-∞ dB');
    await sendKeys({ press: 'ArrowUp' }); // from silence to the lowest fader position
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.be.closeTo(-60, 1e-6);

    // Tab order: pan comes before the fader; the mute toggle after it
    const pan = el.shadowRoot.querySelector('[part~="pan"]');
    pan.focus();
    await sendKeys({ press: 'ArrowLeft' });
    await el.updateComplete;
    expect(el.channel.get('pan')).to.be.closeTo(-0.05, 1e-6);
    expect(pan.getAttribute('aria-valuetext')).to.equal('5% left');

    const mute = el.shadowRoot.querySelector('[part~="mute"]');
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    mute.focus();
    await sendKeys({ press: ' ' });
    await el.updateComplete;
    expect(mute.getAttribute('aria-pressed')).to.equal('true');
    expect(el.mute).to.equal(true);
    expect(el.hasAttribute('mute')).to.equal(true);
    expect(el.channel.get('mute')).to.equal(1);
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    expect(el.channel.get('mute')).to.equal(0);

    const solo = el.shadowRoot.querySelector('[part~="solo"]');
    solo.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.channel.get('solo')).to.equal(1);
    expect(solo.getAttribute('aria-pressed')).to.equal('true');

    // EQ section: a <details> opened from the keyboard, its sliders step in their units
    const eq = el.shadowRoot.querySelector('[part~="eq"]');
    eq.querySelector('summary').focus();
    await sendKeys({ press: 'Enter' });
    expect(eq.open).to.equal(true);
    const low = eq.querySelector('input[aria-label="Low"]');
    low.focus();
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(el.channel.get('eqLowDb')).to.be.closeTo(1, 1e-6);
    const lowHz = eq.querySelector('input[aria-label="Low freq"]');
    lowHz.focus();
    await sendKeys({ press: 'PageUp' }); // 10 x 1/6 octave
    await el.updateComplete;
    expect(el.channel.get('eqLowHz')).to.be.closeTo(100 * 2 ** (10 / 6), 0.01);
    expect(lowHz.getAttribute('aria-valuetext')).to.equal('317 Hz');

    const meter = el.shadowRoot.querySelector('[part~="meter"]');
    expect(meter.getAttribute('role')).to.equal('meter');
    for (const a of ['aria-valuenow', 'aria-valuemin', 'aria-valuemax']) expect(meter.hasAttribute(a), a).to.equal(true);
    host.remove();
    await task();
  });

  it('plays an on-screen key with Space and Enter, and the computer keyboard while focused', async () => {
    await engine.start();
    const host = mount('<daw-channel headless><daw-synth keyboard></daw-synth></daw-channel>');
    const synth = host.querySelector('daw-synth');
    await synth.updateComplete;
    const keys = synth.shadowRoot.querySelectorAll('[part~="key"]');
    expect(keys).to.have.length(24);
    expect([...keys].map((k) => k.getAttribute('aria-label')).slice(0, 3)).to.deep.equal(['C4', 'C#4', 'D4']);
    expect(keys[0].tagName).to.equal('BUTTON');
    const calls = spyNotes();
    try {
      const c4 = keys[0];
      c4.focus();
      await sendKeys({ down: ' ' });
      await synth.updateComplete;
      expect(c4.getAttribute('aria-pressed'), JSON.stringify(calls.map(([k, , p]) => k + p))).to.equal('true');
      expect(calls.filter(([k]) => k === 'on').map(([, s, p]) => [s, p])).to.deep.equal([[synth.synth, 60]]);
      // and the voice really sounds in the DSP
      await until(() => engine.status().activeVoices >= 1, { engine, audio: 3, frames: 180, what: 'a voice sounding' });
      await sendKeys({ up: ' ' });
      await synth.updateComplete;
      expect(c4.getAttribute('aria-pressed')).to.equal('false');
      expect(calls.filter(([k]) => k === 'off').map(([, , p]) => p)).to.deep.equal([60]);

      const e4 = synth.shadowRoot.querySelector('[aria-label="E4"]');
      e4.focus();
      await sendKeys({ down: 'Enter' });
      await synth.updateComplete;
      expect(e4.getAttribute('aria-pressed')).to.equal('true');
      await sendKeys({ up: 'Enter' });
      expect(calls.map(([k, , p]) => `${k}${p}`)).to.deep.equal(['on60', 'off60', 'on64', 'off64']);

      // computer keyboard: A = C4, W = C#4, X = octave up
      calls.length = 0;
      synth.focus();
      await sendKeys({ down: 'a' });
      await synth.updateComplete;
      expect(keys[0].getAttribute('aria-pressed')).to.equal('true');
      await sendKeys({ up: 'a' });
      await sendKeys({ press: 'w' });
      await sendKeys({ press: 'x' });
      await sendKeys({ press: 'a' });
      await synth.updateComplete;
      expect(calls.map(([k, , p]) => `${k}${p}`)).to.deep.equal(['on60', 'off60', 'on61', 'off61', 'on72', 'off72']);
      expect(synth.shadowRoot.querySelector('[part~="key"]').getAttribute('aria-label')).to.equal('C5');
    } finally {
      calls.restore();
    }
    host.remove();
    await task();
  });

  it('plays notes through the methods once the engine runs', async () => {
    await engine.start();
    const host = mount('<daw-synth release-ms="20"></daw-synth>');
    const synth = host.querySelector('daw-synth');
    const calls = spyNotes();
    try {
      const id = synth.noteOn(69, 0.5);
      expect(id).to.be.above(0);
      synth.noteOff(69);
      const t = engine.context.currentTime + 0.05;
      expect(synth.play(72, 0.1, { time: t, velocity: 0.7 })).to.be.above(0);
      synth.allNotesOff();
      expect(calls.map(([k, , p]) => `${k}${p}`)).to.deep.equal(['on69', 'off69', 'on72']);
      expect(calls[2].slice(2)).to.deep.equal([72, 0.7, t]);
    } finally {
      calls.restore();
    }
    host.remove();
    await task();
  });
});
