// The HTML tags: lifecycle (slots claimed and freed, DOM moves), one engine for many elements, two
// copies of the script, attributes <-> engine parameters and validation, and the <daw-engine> face.
import { expect } from '@esm-bundle/chai';
import { getEngine, STRIP_PARAMS, SYNTH_PARAMS, Synth } from '../dist/daw-elements.js';
import { countWorkletNodes, nextFrame, task, until as waitFor, SECOND_COPY } from './helpers.js';

const isolatedPage = window.DAW_EXPECT_ISOLATED;
const engine = getEngine();

/** Collects daw-error details fired on (or bubbling through) `el`. */
function errorsOf(el) {
  const list = [];
  el.addEventListener('daw-error', (e) => list.push(e.detail));
  return list;
}

function mount(html, parent = document.body) {
  const host = document.createElement('div');
  host.innerHTML = html;
  parent.append(host);
  return host;
}

/** Waits for `fn()`: `ms` of the engine's audio and as many ms of animation frames at 60 Hz (see helpers.js). */
const until = (fn, ms = 5000) => waitFor(fn, { engine, audio: ms / 1000, frames: Math.round(ms * 0.06) });

const CHANNEL_PARAMS = STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === 'channel'));

describe(`elements (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  this.timeout(60000);

  it('defines the three tags', () => {
    for (const t of ['daw-engine', 'daw-channel', 'daw-synth']) expect(customElements.get(t), t).to.be.a('function');
  });

  it('drops a note played before the engine runs, outside a gesture, with a daw-error', async () => {
    expect(engine.state).to.equal('idle');
    const host = mount('<daw-synth></daw-synth>');
    const synth = host.querySelector('daw-synth');
    const errors = errorsOf(synth);
    expect(synth.noteOn(60)).to.equal(-1);
    expect(errors.map((e) => e.code)).to.deep.equal(['not-running']);
    expect(errors[0].message).to.match(/start/);
    expect(engine.state).to.equal('idle');
    host.remove();
    await task();
  });

  it('<daw-engine> shows a start button until audio runs; 20 channels with synths share one context and one worklet node', async () => {
    const counter = countWorkletNodes();
    try {
      const host = mount('<daw-engine volume-db="-3"></daw-engine>');
      const face = host.querySelector('daw-engine');
      const events = [];
      for (const t of ['daw-ready', 'daw-statechange']) host.addEventListener(t, (e) => events.push([t, e.detail, e.composed, e.bubbles]));
      await face.updateComplete;
      const button = face.shadowRoot.querySelector('[part~="button"]');
      expect(button, 'start button').to.exist;
      expect(button.textContent).to.match(/enable audio/i);
      expect(face.shadowRoot.querySelector('[part~="status"]').textContent).to.match(/off/i);

      // 10 channels before start (they claim slots without any audio node) ...
      const strips = mount(Array.from({ length: 10 }, (_, i) => `<daw-channel label="ch${i}"><daw-synth></daw-synth></daw-channel>`).join(''));
      expect(engine.context).to.equal(null);
      button.click();
      const ctx = engine.context;
      expect(ctx, 'context created inside the click').to.be.an.instanceof(AudioContext);
      await until(() => engine.state === 'running');
      await face.updateComplete;
      expect(face.shadowRoot.querySelector('[part~="button"]')).to.equal(null);
      expect(face.shadowRoot.querySelector('[part~="status"]').textContent).to.match(/running/i);
      expect(events.some(([t]) => t === 'daw-ready')).to.equal(true);
      expect(events.find(([t, d]) => t === 'daw-statechange' && d.state === 'running')).to.exist;
      expect(events.every(([, d, composed, bubbles]) => typeof d === 'object' && composed && bubbles)).to.equal(true);
      expect(engine.master.get('volumeDb')).to.be.closeTo(-3, 1e-6);
      // ... and 10 after.
      strips.insertAdjacentHTML('beforeend', Array.from({ length: 10 }, (_, i) => `<daw-channel label="late${i}"><daw-synth></daw-synth></daw-channel>`).join(''));
      const channels = [...strips.querySelectorAll('daw-channel')];
      expect(channels).to.have.length(20);
      const slots = new Set(channels.map((c) => c.channel.slot));
      expect(slots.size).to.equal(20);
      for (const c of channels) {
        expect(c.channel.engine).to.equal(engine);
        const s = c.querySelector('daw-synth');
        expect(s.synth.engine).to.equal(engine);
        expect(s.channel).to.equal(c.channel);
        expect(s.synth.get('channel')).to.equal(c.channel.slot);
      }
      expect(engine.context).to.equal(ctx);
      expect(counter.count).to.equal(1);
      const load = face.shadowRoot.querySelector('[part~="load"]').textContent;
      expect(load).to.match(/DSP (—|\d+%)/);
      const before = engine.channelCount;
      strips.remove();
      await task();
      expect(engine.channelCount).to.equal(before - 20);
      host.remove();
    } finally {
      counter.restore();
    }
  });

  it('claims a channel on connect, frees it after the deferral on disconnect, keeps it through a DOM move', async () => {
    const n0 = engine.channelCount;
    const a = mount('<daw-channel label="A" volume-db="-6" pan="-0.5" mute></daw-channel>');
    const b = mount('');
    const el = a.querySelector('daw-channel');
    const ch = el.channel;
    expect(ch).to.exist;
    expect(engine.channelCount).to.equal(n0 + 1);
    // attributes are applied before the claim is published (no ramp from the defaults)
    expect(ch.get('volumeDb')).to.be.closeTo(-6, 1e-6);
    expect(ch.get('pan')).to.be.closeTo(-0.5, 1e-6);
    expect(ch.get('mute')).to.equal(1);
    expect(ch.label).to.equal('A');

    b.append(el); // move
    await task(20);
    expect(el.channel).to.equal(ch);
    expect(ch.isDisposed).to.equal(false);
    expect(ch.get('volumeDb')).to.be.closeTo(-6, 1e-6);
    expect(engine.channelCount).to.equal(n0 + 1);

    el.remove();
    expect(ch.isDisposed, 'not freed synchronously').to.equal(false);
    await task();
    expect(ch.isDisposed).to.equal(true);
    expect(el.channel).to.equal(null);
    expect(engine.channelCount).to.equal(n0);

    // re-inserted later: a new claim with the same parameters
    b.append(el);
    expect(el.channel.get('volumeDb')).to.be.closeTo(-6, 1e-6);
    expect(el.channel.get('mute')).to.equal(1);
    el.remove();
    a.remove();
    b.remove();
    await task();
    expect(engine.channelCount).to.equal(n0);
  });

  it('routes a synth into its enclosing channel, re-routes it when moved, and gives a standalone synth a private channel', async () => {
    const n0 = engine.channelCount, s0 = engine.synthCount;
    const host = mount('<daw-channel id="c1"><daw-synth wave="square"></daw-synth></daw-channel><daw-channel id="c2"></daw-channel>');
    const [c1, c2] = host.querySelectorAll('daw-channel');
    const synth = host.querySelector('daw-synth');
    const s = synth.synth;
    expect(s.get('wave')).to.equal(3);
    expect(synth.channel).to.equal(c1.channel);
    c2.append(synth);
    await task(5);
    expect(synth.synth).to.equal(s);
    expect(synth.channel).to.equal(c2.channel);
    expect(s.get('channel')).to.equal(c2.channel.slot);
    host.append(synth); // standalone now
    await task(5);
    expect(synth.synth).to.equal(s);
    expect(synth.channel).to.exist;
    expect([c1.channel, c2.channel]).to.not.include(synth.channel);
    expect(engine.channelCount).to.equal(n0 + 3);
    host.remove();
    await task();
    expect(s.isDisposed).to.equal(true);
    expect(engine.channelCount).to.equal(n0);
    expect(engine.synthCount).to.equal(s0);
  });

  it('maps every channel attribute to its engine parameter, and properties too', async () => {
    const host = mount('<daw-channel></daw-channel>');
    const el = host.querySelector('daw-channel');
    const errors = errorsOf(el);
    for (const p of CHANNEL_PARAMS) {
      const camel = p.name;
      if (p.unit === 'bool') {
        el.setAttribute(p.attribute, '');
        await el.updateComplete;
        expect(el.channel.get(camel), p.attribute).to.equal(1);
        expect(el[camel]).to.equal(true);
        el.removeAttribute(p.attribute);
        await el.updateComplete;
        expect(el.channel.get(camel), p.attribute).to.equal(0);
        el[camel] = true;
        await el.updateComplete;
        expect(el.channel.get(camel), p.attribute).to.equal(1);
        el[camel] = false;
        await el.updateComplete;
        continue;
      }
      const lo = Number.isFinite(p.min) ? p.min : -60;
      const v = +(lo + (p.max - lo) * 0.3).toFixed(3);
      el.setAttribute(p.attribute, String(v));
      await el.updateComplete;
      expect(el.channel.get(camel), p.attribute).to.be.closeTo(v, Math.abs(v) * 1e-6 + 1e-6);
      expect(el[camel]).to.equal(v);
      const w = +(lo + (p.max - lo) * 0.6).toFixed(3);
      el[camel] = w;
      await el.updateComplete;
      expect(el.channel.get(camel), camel).to.be.closeTo(w, Math.abs(w) * 1e-6 + 1e-6);
    }
    expect(errors).to.deep.equal([]);
    // reflect mute and solo
    el.mute = true;
    el.solo = true;
    await el.updateComplete;
    expect(el.hasAttribute('mute') && el.hasAttribute('solo')).to.equal(true);
    el.setAttribute('volume-db', '-inf');
    await el.updateComplete;
    expect(el.channel.get('volumeDb')).to.equal(-Infinity);
    host.remove();
    await task();
  });

  it('fires daw-error naming attribute, value and range for every invalid path, and keeps the last valid value', async () => {
    const host = mount('<daw-engine></daw-engine><daw-channel volume-db="-6" pan="0.25"><daw-synth wave="saw" cutoff-hz="1200"></daw-synth></daw-channel>');
    const face = host.querySelector('daw-engine');
    const el = host.querySelector('daw-channel');
    const synth = host.querySelector('daw-synth');
    const errors = errorsOf(host);
    const engineErrors = [];
    const onEngineError = (e) => engineErrors.push(e.detail);
    engine.addEventListener('daw-error', onEngineError);
    const last = () => errors[errors.length - 1];

    el.setAttribute('volume-db', 'loud');
    await el.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'volume-db', value: 'loud' });
    expect(last().range).to.match(/-Infinity to 12 dB/);
    expect(last().message).to.match(/volume-db.*loud/);
    expect(el.channel.get('volumeDb')).to.be.closeTo(-6, 1e-6);
    expect(el.volumeDb).to.equal(-6);

    el.pan = NaN;
    await el.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'pan' });
    expect(last().range).to.equal('-1 to 1');
    expect(el.channel.get('pan')).to.be.closeTo(0.25, 1e-6);

    el.eqLowHz = '300'; // a string property is not a number
    await el.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'eq-low-hz', value: '300' });
    expect(el.channel.get('eqLowHz')).to.equal(100);

    el.setAttribute('pan', '3');
    await el.updateComplete;
    expect(last()).to.include({ code: 'out-of-range', attribute: 'pan', value: 3, range: '-1 to 1' });
    expect(el.channel.get('pan')).to.equal(1);
    expect(el.pan).to.equal(1);

    el.setAttribute('comp-ratio', '{}');
    await el.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'comp-ratio', value: '{}', range: '1 to 20' });
    expect(el.channel.get('compRatio')).to.equal(1);

    synth.setAttribute('wave', 'wobble');
    await synth.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'wave', value: 'wobble' });
    expect(last().range).to.equal('sine | triangle | saw | square | pulse');
    expect(synth.synth.get('wave')).to.equal(2);
    expect(synth.wave).to.equal('saw');

    synth.cutoffHz = 99999;
    await synth.updateComplete;
    expect(last()).to.include({ code: 'out-of-range', attribute: 'cutoff-hz', value: 99999, range: '20 to 20000 Hz' });
    expect(synth.synth.get('cutoffHz')).to.equal(20000);

    synth.setAttribute('polyphony', 'many');
    await synth.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'polyphony', value: 'many' });
    expect(synth.synth.get('polyphony')).to.equal(8);

    face.setAttribute('ceiling-db', '5');
    await face.updateComplete;
    expect(last(), JSON.stringify(errors.slice(-2))).to.include({ code: 'out-of-range', attribute: 'ceiling-db', value: 5, range: '-24 to 0 dB' });
    expect(engine.master.get('limiterCeilingDb')).to.equal(0);
    face.setAttribute('ceiling-db', '-2');
    await face.updateComplete;
    expect(engine.master.get('limiterCeilingDb')).to.equal(-2);

    face.setAttribute('latency-hint', 'soon');
    await face.updateComplete;
    expect(last()).to.include({ code: 'invalid-value', attribute: 'latency-hint', value: 'soon' });

    expect(synth.noteOn(200)).to.equal(-1); // bad note: reported, not thrown
    expect(last().code).to.equal('invalid-value');
    expect(last().message).to.match(/pitch/);

    for (const e of errors) expect(e.message, 'readable message').to.be.a('string').and.not.equal('');
    // nothing invalid reached the engine (it would have reported a clamp itself)
    expect(engineErrors).to.deep.equal([]);
    engine.removeEventListener('daw-error', onEngineError);
    host.remove();
    await task();
  });

  it('maps every synth attribute to its engine parameter', async () => {
    const host = mount('<daw-synth></daw-synth>');
    const el = host.querySelector('daw-synth');
    const errors = errorsOf(el);
    for (const p of SYNTH_PARAMS.filter((q) => !q.internal)) {
      if (p.values) {
        el.setAttribute(p.attribute, p.values[4]);
        await el.updateComplete;
        expect(el.synth.get(p.name)).to.equal(4);
        continue;
      }
      const lo = Number.isFinite(p.min) ? p.min : -60;
      let v = lo + (p.max - lo) * 0.3;
      v = p.integer ? Math.round(v) : +v.toFixed(3);
      el.setAttribute(p.attribute, String(v));
      await el.updateComplete;
      expect(el.synth.get(p.name), p.attribute).to.be.closeTo(v, Math.abs(v) * 1e-6 + 1e-6);
    }
    expect(errors).to.deep.equal([]);
    host.remove();
    await task();
  });

  it('coexists with a second copy of the script', async () => {
    const copy = await import(SECOND_COPY);
    expect(copy.getEngine()).to.equal(engine);
    expect(copy.DawChannel).to.not.equal(customElements.get('daw-channel'));
    const host = mount('<daw-channel label="two"><daw-synth></daw-synth></daw-channel>');
    const el = host.querySelector('daw-channel');
    expect(el.channel.engine).to.equal(engine);
    expect(host.querySelector('daw-synth').channel).to.equal(el.channel);
    // the copy's classes work too, on the same engine
    customElements.define('daw-channel-copy', class extends copy.DawChannel {});
    const other = document.createElement('daw-channel-copy');
    other.setAttribute('volume-db', '-12');
    host.append(other);
    expect(other.channel.engine).to.equal(engine);
    expect(other.channel.get('volumeDb')).to.equal(-12);
    host.remove();
    await task();
  });

  it('feeds an AudioNode source and a media element (one MediaElementAudioSourceNode per element)', async () => {
    await engine.start();
    const host = mount('<audio id="media-src"></audio><daw-channel source="#media-src"></daw-channel><daw-channel id="n"></daw-channel>');
    const [a, b] = host.querySelectorAll('daw-channel');
    const errs0 = errorsOf(host);
    await a.updateComplete;
    expect(a.channel.inputIndex, JSON.stringify(errs0)).to.be.at.least(0);
    const osc = new OscillatorNode(engine.context);
    b.source = osc;
    await b.updateComplete;
    expect(b.channel.inputIndex).to.be.at.least(0);
    b.source = null;
    await b.updateComplete;
    expect(b.channel.inputIndex).to.equal(-1);
    // a second channel on the same media element reuses its one source node instead of throwing
    const errors = errorsOf(host);
    const c = document.createElement('daw-channel');
    c.setAttribute('source', '#media-src');
    host.append(c);
    await c.updateComplete;
    expect(errors).to.deep.equal([]);
    c.setAttribute('source', '#nothing-here');
    await c.updateComplete;
    expect(errors[0]).to.include({ attribute: 'source', value: '#nothing-here' });
    host.remove();
    await task();
  });

  it('updates meters from animation frames without re-rendering', async () => {
    await engine.start();
    const host = mount('<daw-channel label="m"></daw-channel>');
    const el = host.querySelector('daw-channel');
    const osc = new OscillatorNode(engine.context, { frequency: 220 });
    osc.start();
    el.source = osc;
    await el.updateComplete;
    let renders = 0;
    const real = el.render;
    el.render = function () { renders++; return real.call(this); };
    const bar = el.shadowRoot.querySelector('[part~="meter"] .peak');
    await until(() => bar.style.transform && bar.style.transform !== 'scaleY(0)', 3000);
    await nextFrame();
    expect(renders).to.equal(0);
    const meter = el.shadowRoot.querySelector('[role="meter"]');
    await until(() => Number(meter.getAttribute('aria-valuenow')) > -60, 2000);
    expect(el.meter().peakDb).to.be.above(-60);
    osc.stop();
    host.remove();
    await task();
  });
  it('plays from Web MIDI note on/off messages on every input (midi attribute)', async () => {
    // Web MIDI has no devices in headless Chromium; a stand-in MIDIAccess with two inputs delivers
    // the messages a keyboard would send. Audio is the real engine: calls reach its Synth.
    const inputs = [new EventTarget(), new EventTarget()];
    const access = Object.assign(new EventTarget(), { inputs: new Map(inputs.map((i, k) => [`in${k}`, i])) });
    const real = navigator.requestMIDIAccess;
    let asked = 0;
    navigator.requestMIDIAccess = () => { asked++; return Promise.resolve(access); };
    const calls = [];
    const on = Synth.prototype.noteOn, off = Synth.prototype.noteOff;
    Synth.prototype.noteOn = function (p, v, t) { calls.push(['on', p, v]); return on.call(this, p, v, t); };
    Synth.prototype.noteOff = function (p, t) { calls.push(['off', p]); return off.call(this, p, t); };
    try {
      await engine.start();
      const host = mount('<daw-channel><daw-synth></daw-synth></daw-channel>');
      const synth = host.querySelector('daw-synth');
      await task();
      expect(asked, 'no MIDI access without the attribute').to.equal(0);
      synth.midi = true;
      await task();
      expect(asked).to.equal(1);
      const send = (input, bytes) => input.dispatchEvent(Object.assign(new Event('midimessage'), { data: new Uint8Array(bytes) }));
      send(inputs[0], [0x90, 60, 127]); // note on, channel 1
      send(inputs[1], [0x93, 64, 64]); // note on, channel 4, other input
      send(inputs[0], [0x80, 60, 0]); // note off
      send(inputs[1], [0x93, 64, 0]); // note on with velocity 0 = note off
      send(inputs[0], [0xb0, 7, 100]); // a controller: ignored
      expect(calls).to.deep.equal([['on', 60, 1], ['on', 64, 64 / 127], ['off', 60], ['off', 64]]);
      synth.midi = false;
      await task();
      send(inputs[0], [0x90, 67, 100]);
      expect(calls.length, 'no notes after midi is removed').to.equal(4);
      host.remove();
      await task();
    } finally {
      navigator.requestMIDIAccess = real;
      Synth.prototype.noteOn = on;
      Synth.prototype.noteOff = off;
    }
  });
});
