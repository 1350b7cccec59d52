// daw-change: fired when the user changes a parameter with an element's own controls (how a
// framework's state follows the strip: React's ondaw-change, Vue's @daw-change, Svelte's
// ondaw-change), never when the page sets a property or attribute (so a framework re-applying its
// state cannot loop). The controls are driven by the events they listen to (input on the native
// slider, keydown, click on the toggles), which WebKitGTK's WebDriver can dispatch too; the React
// page in test/e2e/ drives the same path with trusted key presses and clicks.
import { expect } from '@esm-bundle/chai';
import '../dist/daw-elements.js';

function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host;
}

/** daw-change events reaching `target`, with what the element reported at that moment. */
function changesOf(target) {
  const list = [];
  target.addEventListener('daw-change', (e) => list.push({
    target: e.target.localName, ...e.detail, now: e.target[e.detail.property], bubbles: e.bubbles, composed: e.composed,
  }));
  return list;
}

describe('daw-change', function () {
  this.timeout(20000);

  it('fires once per change made with a strip control, after the property and the engine have the new value', async () => {
    const host = mount('<daw-channel volume-db="-6"></daw-channel>');
    const ch = host.querySelector('daw-channel');
    await ch.updateComplete;
    const seen = changesOf(document);
    const fader = ch.shadowRoot.querySelector('[part~="fader"]');
    fader.value = '-10';
    fader.dispatchEvent(new Event('input', { bubbles: true }));
    expect(seen).to.deep.equal([{ target: 'daw-channel', property: 'volumeDb', attribute: 'volume-db', value: -10, now: -10, bubbles: true, composed: true }]);
    expect(ch.channel.get('volumeDb')).to.equal(-10);

    const mute = ch.shadowRoot.querySelector('[part~="mute"]');
    mute.click();
    await ch.updateComplete;
    ch.shadowRoot.querySelector('[part~="mute"]').click();
    expect(seen.slice(1).map((c) => [c.property, c.attribute, c.value, c.now])).to.deep.equal([['mute', 'mute', true, true], ['mute', 'mute', false, false]]);

    fader.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, cancelable: true }));
    expect(seen.length).to.equal(4);
    expect(seen[3]).to.include({ property: 'volumeDb', value: -11, now: -11 });
    expect(ch.channel.get('volumeDb')).to.equal(-11);
    host.remove();
  });

  it('stays silent for the page\'s own property and attribute changes, and for a control that does not change the value', async () => {
    const host = mount('<daw-channel volume-db="12"></daw-channel>');
    const ch = host.querySelector('daw-channel');
    await ch.updateComplete;
    const seen = changesOf(ch);
    ch.volumeDb = -20;
    ch.mute = true;
    ch.setAttribute('pan', '0.5');
    await ch.updateComplete;
    expect(ch.channel.get('volumeDb')).to.equal(-20);
    expect(seen).to.deep.equal([]);
    ch.volumeDb = 12;
    await ch.updateComplete;
    const fader = ch.shadowRoot.querySelector('[part~="fader"]');
    fader.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, cancelable: true })); // already at the top
    expect(seen).to.deep.equal([]);
    host.remove();
  });

  it('<daw-engine> fires it for its master fader; a channel\'s event bubbles through it with the channel as target', async () => {
    const host = mount('<daw-engine><daw-channel></daw-channel></daw-engine>');
    const eng = host.querySelector('daw-engine');
    const ch = host.querySelector('daw-channel');
    await eng.updateComplete;
    await ch.updateComplete;
    const seen = changesOf(eng);
    const master = eng.shadowRoot.querySelector('[part~="fader"]');
    master.value = '-4';
    master.dispatchEvent(new Event('input', { bubbles: true }));
    const fader = ch.shadowRoot.querySelector('[part~="fader"]');
    fader.value = '-7';
    fader.dispatchEvent(new Event('input', { bubbles: true }));
    expect(seen.map((c) => [c.target, c.property, c.value, c.now])).to.deep.equal([['daw-engine', 'volumeDb', -4, -4], ['daw-channel', 'volumeDb', -7, -7]]);
    expect(eng.engine.master.get('volumeDb')).to.equal(-4);
    host.remove();
  });
});
