// <daw-meter> and <daw-loudness> on a running engine: they read the strip their `for` names, show
// values a screen reader gets (role meter with aria-valuenow/-valuetext; text with names and units),
// request analysis only while visible, and light and clear the clip indicator. The references: a
// 1 kHz sine of known level into a channel (peak and momentary loudness known in closed form).
import { expect } from '@esm-bundle/chai';
import { getEngine, STRIP_PARAMS, controlLink } from '../dist/daw-elements.js';
import { defineFeatures, until as waitFor } from './helpers.js';

await defineFeatures('daw-meter', 'daw-loudness', 'daw-spectrum', 'daw-scope'); // loaded on first appearance; the tests use them at once

const engine = getEngine();
const until = (fn, what, ms = 5000) => waitFor(fn, { engine, audio: ms / 1000, frames: Math.round(ms * 0.06), what });
const MASK = STRIP_PARAMS.find((p) => p.name === 'analysisMask').index;
const mask = (slot) => controlLink(engine).read('strip', slot, MASK);

function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host;
}

/** A 1 kHz sine of peak `amp` on the engine's context. */
function tone(amp) {
  const ctx = engine.context;
  const osc = new OscillatorNode(ctx, { frequency: 1000 });
  const g = new GainNode(ctx, { gain: amp });
  osc.connect(g);
  osc.start();
  return { node: g, stop: () => osc.stop() };
}

describe('<daw-meter> and <daw-loudness>', function () {
  this.timeout(60000);
  let ch, src;

  before(async () => {
    await engine.start();
    await until(() => engine.state === 'running', 'running');
    // -20 dBFS peak at the master: a channel at centre pan passes 1/sqrt(2) per side, so the trim makes up 3.01 dB.
    ch = engine.createChannel({ trimDb: 20 * Math.log10(Math.SQRT2) });
    src = tone(0.1);
    ch.connectSource(src.node);
    // The channel claimed before any meter asks: its abrupt start (real inter-sample overshoot) is
    // not part of what the meters measure.
    await engine.flush();
    await until(() => ch.meter().peakDb > -30, 'the tone reaches the channel');
  });

  after(() => {
    src.stop();
    ch.dispose();
  });

  it('<daw-loudness for="master"> reads a -20 dBFS 1 kHz sine as -20 LUFS momentary, with names and units in the text', async () => {
    const host = mount('<daw-loudness for="master"></daw-loudness>');
    const el = host.firstElementChild;
    await until(() => Math.abs((el.reading?.momentary ?? -99) + 20) < 0.2 && Math.abs(el.reading.shortTerm + 20) < 0.3, () => `M -20 (reads ${JSON.stringify(el.reading)})`);
    await until(() => /Momentary \u221220\.\d LUFS/.test(el.shadowRoot.querySelector('dd').getAttribute('aria-label')), () => `the text (${el.shadowRoot.textContent})`);
    expect(el.reading.truePeakMaxDb).to.be.closeTo(-20, 0.3);
    expect([...el.shadowRoot.querySelectorAll('dt')].map((d) => d.textContent)).to.deep.equal(['M', 'S', 'I', 'LRA', 'TP']);
    host.remove();
    await until(() => mask(67) === 0, 'the master request cleared when the element left');
  });

  it('<daw-meter> shows the peak as a meter value, requests analysis only while visible, and reports a bad mode', async () => {
    const host = mount('<daw-meter for="master" mode="peak"></daw-meter>');
    const el = host.firstElementChild;
    await el.updateComplete;
    const meter = () => el.shadowRoot.querySelector('[role=meter]');
    await until(() => Math.abs(Number(meter().getAttribute('aria-valuenow')) + 20) <= 0.2, () => `aria-valuenow -20 (${meter().getAttribute('aria-valuenow')})`);
    expect(meter().getAttribute('aria-valuetext')).to.match(/^\u221220\.\d dBFS$/);
    expect(mask(67)).to.equal(1);
    // drawn: the canvas has lit pixels
    const c = el.shadowRoot.querySelector('canvas');
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    expect(px.some((v, i) => i % 4 === 3 && v > 0)).to.equal(true);
    el.style.display = 'none'; // not visible: the reader goes
    await until(() => mask(67) === 0, 'the request cleared while hidden');
    el.style.display = '';
    await until(() => mask(67) === 1, 'requested again when shown');
    el.mode = 'lufs';
    await until(() => mask(67) === (1 | 8), 'lufs mode asks for loudness');
    await until(() => Math.abs(el.level + 20) < 0.3, () => `momentary -20 LUFS (${el.level})`);
    const errors = [];
    el.addEventListener('daw-error', (e) => errors.push(e.detail));
    el.setAttribute('mode', 'loud');
    await el.updateComplete;
    expect(errors.map((e) => [e.code, e.attribute])).to.deep.equal([['invalid-value', 'mode']]);
    expect(errors[0].message).to.match(/'loud'.*peak, rms, lufs/);
    host.remove();
  });

  it('lights the clip indicator for a channel that reaches full scale, and clears it from the keyboard', async () => {
    const host = mount('<daw-channel id="hot-ch" label="Hot" headless></daw-channel><daw-meter for="hot-ch" orientation="horizontal"></daw-meter>');
    const strip = host.querySelector('#hot-ch');
    const el = host.querySelector('#hot-ch ~ *');
    await until(() => strip.channel, 'the channel element has its channel');
    const hot = tone(2);
    strip.channel.connectSource(hot.node);
    try {
      await until(() => el.clipped, 'clip lit');
      const button = el.shadowRoot.querySelector('button');
      expect(button.getAttribute('aria-pressed')).to.equal('true');
      button.focus();
      button.click(); // a button's Enter/Space activation is a click
      expect(el.clipped).to.equal(false);
      await el.updateComplete;
      expect(button.getAttribute('aria-pressed')).to.equal('false');
    } finally {
      hot.stop();
      host.remove();
    }
  });

  it('<daw-spectrum> shows the tone at its bin and names it; <daw-scope> shows a triggered window of it', async () => {
    const host = mount('<daw-spectrum for="master" size="4096"></daw-spectrum><daw-scope></daw-scope>');
    const [spec, scope] = host.children;
    const sr = engine.sampleRate, bin = Math.round((1000 * 4096) / sr);
    const argmax = (a) => a.reduce((k, v, i) => (v > a[k] ? i : k), 0);
    // -20 dBFS less at most the Blackman-Harris window's scalloping loss (0.83 dB) off-centre, once
    // the time smoothing (0.8 a frame) has settled
    await until(() => spec.bins.length === 2049 && argmax(spec.bins) === bin && spec.bins[bin] >= -20.9 && spec.bins[bin] <= -19.8,
      () => `the 1 kHz bin ${bin} at -20 dBFS (peak at ${argmax(spec.bins)}, ${spec.bins[argmax(spec.bins)]} dB)`);
    expect(mask(67) & 16).to.equal(16);
    await until(() => /strongest (9[89]\d|10[01]\d) Hz at \u221220\.\d dBFS/.test(spec.shadowRoot.querySelector('canvas').getAttribute('aria-label')), () => spec.shadowRoot.querySelector('canvas').getAttribute('aria-label'), 3000);
    await until(() => scope.points.length === 1024 && Math.max(...scope.points) > 0.099, () => `scope window (${scope.points.length} points)`);
    expect(Math.max(...scope.points)).to.be.closeTo(0.1, 0.002);
    expect(Math.abs(scope.points[0])).to.be.below(0.002); // starts at the rising zero crossing
    expect(scope.points[2]).to.be.above(0);
    const errors = [];
    spec.addEventListener('daw-error', (e) => errors.push(e.detail));
    spec.setAttribute('size', '1000');
    await spec.updateComplete;
    expect(errors.map((e) => e.code)).to.deep.equal(['invalid-value']);
    host.remove();
    await until(() => mask(67) === 0, 'no reader left on the master');
  });

  it('a `for` that names no strip is reported once with the value; naming a channel element later works', async () => {
    const host = document.createElement('div');
    const errors = [];
    host.addEventListener('daw-error', (e) => errors.push(e.detail));
    host.innerHTML = '<daw-loudness for="later-ch"></daw-loudness>';
    document.body.append(host);
    const el = host.firstElementChild;
    await until(() => errors.length === 1, 'the daw-error');
    expect(errors[0]).to.include({ code: 'invalid-value', attribute: 'for', value: 'later-ch' });
    expect(errors[0].message).to.match(/'later-ch' names no strip/);
    host.insertAdjacentHTML('afterbegin', '<daw-channel id="later-ch" headless></daw-channel>');
    const ch = host.querySelector('#later-ch');
    await until(() => ch.channel && mask(ch.channel.slot) === (2 | 8), 'the channel element is analysed');
    expect(errors).to.have.length(1);
    host.remove();
  });
});
