// <daw-transport>: the page's transport as a tag. Its controls drive engine.transport (checked on the
// transport and, while playing, on the position the audio thread publishes), its state follows the
// transport (playing attribute, position text), it is operable by keyboard (real key presses where
// the runner can send them) and labelled for assistive technology; a bad attribute is a daw-error.
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { getEngine } from '../dist/daw-elements.js';
import { defineFeatures, until, canSendKeys as probeKeys } from './helpers.js';

await defineFeatures('daw-transport'); // loaded on first appearance; the tests mount it and use it at once

const engine = getEngine();

function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host;
}

let canSendKeys = true;
before(async () => {
  canSendKeys = await probeKeys();
});

describe('<daw-transport>', function () {
  this.timeout(60000);

  it('sets the transport from its attributes, labels its controls, reports a bad tempo', async () => {
    const errors = [];
    const host = mount('<daw-transport tempo="96" metronome loop loop-start="4" loop-end="12"></daw-transport>');
    const el = host.querySelector('daw-transport');
    el.addEventListener('daw-error', (e) => errors.push(e.detail));
    await el.updateComplete;
    const t = engine.transport;
    expect(t.tempo).to.equal(96);
    expect(t.metronome).to.equal(true);
    expect(t.loop).to.deep.equal({ start: 4, end: 12, enabled: true });
    const $ = (part) => el.shadowRoot.querySelector(`[part~="${part}"]`);
    expect($('face').getAttribute('role')).to.equal('group');
    expect($('play').getAttribute('aria-pressed')).to.equal('false');
    expect($('loop').getAttribute('aria-pressed')).to.equal('true');
    expect($('metronome').getAttribute('aria-pressed')).to.equal('true');
    expect($('position').getAttribute('aria-label')).to.match(/Position/);
    expect($('tempo').closest('label').textContent).to.match(/Tempo/);
    el.setAttribute('tempo', '500');
    await el.updateComplete;
    expect(errors.map((d) => [d.code, d.attribute, d.value])).to.deep.equal([['invalid-value', 'tempo', 500]]);
    expect(errors[0].message).to.match(/<daw-transport> tempo: 500 was refused \(transport tempo point 0 bpm: 500 is outside 20 to 400 BPM\)/);
    expect(t.tempo).to.equal(96); // unchanged
    // The user's toggles: applied, and announced with daw-change
    const changes = [];
    el.addEventListener('daw-change', (e) => changes.push(e.detail));
    $('loop').click();
    $('metronome').click();
    await el.updateComplete;
    expect(t.loop.enabled).to.equal(false);
    expect(t.metronome).to.equal(false);
    expect(changes.map((c) => [c.property, c.value])).to.deep.equal([['loop', false], ['metronome', false]]);
    host.remove();
  });

  it('plays and stops: the playing attribute and the position follow the audio thread', async () => {
    await engine.start();
    const host = mount('<daw-transport tempo="200"></daw-transport>');
    const el = host.querySelector('daw-transport');
    await el.updateComplete;
    const events = [];
    el.addEventListener('daw-transport', (e) => events.push(e.detail));
    const play = el.shadowRoot.querySelector('[part~="play"]');
    const pos = el.shadowRoot.querySelector('[part~="position"]');
    if (canSendKeys) {
      play.focus();
      await sendKeys({ press: 'Enter' });
    } else {
      play.click();
    }
    await until(() => el.hasAttribute('playing'), { engine, audio: 1, frames: 60, what: 'playing' });
    await el.updateComplete;
    expect(play.getAttribute('aria-pressed')).to.equal('true');
    expect(play.textContent).to.equal('Stop');
    // the position text moves on (bar.beat.tick) while the audio thread plays
    await until(() => /^[2-9]\.|^1\.[2-4]\./.test(pos.textContent), { engine, audio: 2, frames: 120, what: () => `a later position (${pos.textContent})` });
    await until(() => events.some((d) => d.change === 'start'), { engine, audio: 1, frames: 60, what: 'a daw-transport start event' });
    if (canSendKeys) await sendKeys({ press: ' ' });
    else play.click();
    await until(() => !el.hasAttribute('playing'), { engine, audio: 1, frames: 60, what: 'stopped' });
    expect(engine.transport.state).to.equal('stopped');
    await until(() => pos.textContent === '1.1.000', { engine, audio: 1, frames: 60, what: 'back to the start' });
    host.remove();
  });
});
