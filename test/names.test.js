// Tag names shared with another library: a page that loads a library defining <daw-clip> and
// <daw-transport> (test/fixtures/foreign-daw.js, standing in for @dawcore/components) first, then
// this one. The taken tag is reported on document (listened to before any element of ours exists),
// the rest is registered, the other library's elements keep working; define({ prefix }) from the
// side-effect-free entry gives a full set of working elements (audio checked at the channel meter
// against the file's level, and a synth's meter rising); elements find each other by context under
// any prefix, defined in any order, nested and moved.
import { onDocument, onWindow } from './fixtures/record-errors.js';
import { ForeignClip, ForeignTransport } from './fixtures/foreign-daw.js';
import { expect } from '@esm-bundle/chai';
import { getEngine, DawChannel, DawSynth } from '../dist/daw-elements.js';
import { define, DawClip as ClassesClip } from '../dist/daw-elements-classes.js';
import { task, SECOND_COPY, wavUrl } from './helpers.js';

const isolatedPage = window.DAW_EXPECT_ISOLATED;
const engine = getEngine();
const BRAND = Symbol.for('daw-elements.element');
const CENTRE = Math.SQRT1_2; // the channel's pan law at centre
const db = (x) => 20 * Math.log10(x);


const mounted = [];
function mount(html) {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  mounted.push(host);
  return host;
}

async function until(fn, ms = 5000, what = String(fn)) {
  const t0 = performance.now();
  while (!fn()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await task(5);
  }
}

const nameTaken = (list) => list.filter((e) => e.detail.code === 'name-taken');

describe(`names shared with another library (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  this.timeout(60000);
  afterEach(async () => {
    mounted.splice(0).forEach((h) => h.remove());
    await task(); // removed elements free their channels
  });

  it('loaded after a library that defines <daw-clip> and <daw-transport>: reports those tags on document before any element exists and registers the rest', () => {
    const taken = nameTaken(onDocument);
    expect(taken.map((e) => e.detail.tag)).to.deep.equal(['daw-clip', 'daw-transport']);
    expect(taken[1].detail).to.include({ code: 'name-taken', tag: 'daw-transport', element: 'DawTransport' });
    expect(taken[1].detail.message).to.match(/<daw-transport> is already defined by another library \(class ForeignTransport\)/);
    const [ev] = taken;
    expect(ev.target).to.equal(document);
    expect(ev.bubbles && ev.composed && ev.cancelable).to.equal(true);
    expect(ev.detail).to.include({ code: 'name-taken', tag: 'daw-clip', element: 'DawClip', value: 'daw-clip' });
    expect(ev.detail.message).to.match(/<daw-clip> is already defined by another library \(class ForeignClip\)/);
    expect(ev.detail.message).to.match(/daw-elements\/classes/).and.match(/define\(\{ prefix: 'studio' \}\)/);
    expect(onWindow).to.include(ev); // and on to window
    // the other library keeps its tags; ours has the others
    expect(customElements.get('daw-clip')).to.equal(ForeignClip);
    expect(customElements.get('daw-transport')).to.equal(ForeignTransport);
    for (const kind of ['engine', 'channel', 'synth']) expect(customElements.get(`daw-${kind}`)[BRAND], kind).to.equal(kind);
  });

  it("leaves the other library's elements alone, also inside our channel", async () => {
    const n0 = engine.channelCount;
    const host = mount('<daw-channel label="Mixed"><daw-clip src="a.wav" start="2"></daw-clip></daw-channel><daw-transport></daw-transport>');
    const clip = host.querySelector('daw-clip');
    expect(clip).to.be.instanceOf(ForeignClip);
    expect(clip.shadowRoot).to.equal(null);
    const announced = await new Promise((resolve) => host.addEventListener('daw-clip-connected', (e) => resolve(e.detail), { once: true }));
    expect(announced.element).to.equal(clip);
    expect(clip.start).to.equal(2);
    expect(engine.channelCount).to.equal(n0 + 1); // the channel only: nothing claimed for their clip
    const transport = host.querySelector('daw-transport');
    await transport.updateComplete;
    transport.shadowRoot.querySelector('button').click();
    await transport.updateComplete;
    expect(transport.hasAttribute('playing')).to.equal(true);
  });

  it('a second copy of the script, and define() again from the entry without side effects, stay silent', async () => {
    const before = onDocument.length;
    const copy = await import(SECOND_COPY);
    expect(copy.DawChannel).to.not.equal(DawChannel);
    const r = define();
    expect(r.defined).to.deep.equal(['daw-engine', 'daw-channel', 'daw-synth', 'daw-meter', 'daw-loudness', 'daw-spectrum', 'daw-scope', 'daw-bus', 'daw-mixer', 'daw-sequence', 'daw-steps']);
    expect(r.taken).to.deep.equal(['daw-clip', 'daw-transport']);
    expect(onDocument.length).to.equal(before); // each taken tag is reported once per page
    // a page's own subclass of our class, from either copy, counts as ours
    customElements.define('mine-channel', class extends copy.DawChannel {});
    expect(define({ prefix: 'mine' }).taken).to.deep.equal([]);
    expect(onDocument.length).to.equal(before);
  });

  it('define() works when the page has registered our class under a name of its own (a fresh constructor per name)', async () => {
    const fresh = await import('/dist-copy-page/daw-elements-classes.js'); // a fresh copy, its chunks included
    customElements.define('page-engine', fresh.DawEngine);
    const r = fresh.define({ prefix: 'page2' });
    expect(r.defined).to.include('page2-engine');
    expect(customElements.get('page2-engine')).to.not.equal(fresh.DawEngine);
    expect(document.createElement('page2-engine')).to.be.instanceOf(fresh.DawEngine);
  });

  it('names every taken tag under a prefix too, and warns on the console unless a listener prevents it', () => {
    customElements.define('x-engine', class extends HTMLElement {});
    customElements.define('x-synth', class Keys extends HTMLElement {});
    const warned = [];
    const warn = console.warn;
    console.warn = (...args) => warned.push(args.join(' '));
    const prevent = (e) => e.detail.tag === 'x-synth' && e.preventDefault();
    document.addEventListener('daw-error', prevent);
    let r;
    try {
      r = define({ prefix: 'x' });
    } finally {
      console.warn = warn;
      document.removeEventListener('daw-error', prevent);
    }
    expect(r.taken).to.deep.equal(['x-engine', 'x-synth']);
    expect(r.defined).to.deep.equal(['x-channel', 'x-clip', 'x-transport', 'x-meter', 'x-loudness', 'x-spectrum', 'x-scope', 'x-bus', 'x-mixer', 'x-sequence', 'x-steps']);
    expect(r.tags).to.deep.equal({ engine: 'x-engine', channel: 'x-channel', synth: 'x-synth', clip: 'x-clip', transport: 'x-transport', meter: 'x-meter', loudness: 'x-loudness', spectrum: 'x-spectrum', scope: 'x-scope', bus: 'x-bus', mixer: 'x-mixer', sequence: 'x-sequence', steps: 'x-steps' });
    const events = nameTaken(onDocument).slice(-2).map((e) => e.detail);
    expect(events.map((d) => [d.tag, d.element])).to.deep.equal([['x-engine', 'DawEngine'], ['x-synth', 'DawSynth']]);
    expect(events[1].message).to.match(/another library \(class Keys\)/);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.match(/^daw-elements: <x-engine> is already defined/);
  });

  it('define() rejects options that cannot make tag names, naming the value', () => {
    expect(() => define('studio')).to.throw(TypeError, /options must be an object.*got studio/);
    expect(() => define({ prefix: 3 })).to.throw(TypeError, /prefix must be a string.*number 3/);
    for (const bad of ['', 'Studio', '1st', 'my_app', 'my-', '-x', 'a b']) {
      expect(() => define({ prefix: bad }), bad).to.throw(RangeError, new RegExp(`prefix '${bad}' cannot start a custom element name`));
    }
    expect(customElements.get('Studio-engine')).to.equal(undefined);
  });

  it('define({ prefix: "studio" }) gives working elements: a clip and a synth play into their <studio-channel>s, the meter at the file\'s level', async () => {
    const r = define({ prefix: 'studio' });
    expect(r.defined).to.deep.equal(['studio-engine', 'studio-channel', 'studio-synth', 'studio-clip', 'studio-transport', 'studio-meter', 'studio-loudness', 'studio-spectrum', 'studio-scope', 'studio-bus', 'studio-mixer', 'studio-sequence', 'studio-steps']);
    expect(document.createElement('studio-clip')).to.be.instanceOf(ClassesClip); // the entry without side effects registered it
    await engine.start();
    const rate = engine.sampleRate;
    const url = wavUrl(new Float32Array(Math.round(0.3 * rate)).fill(0.25), rate); // DC: its level is 0.25 x pan law exactly
    const host = mount(`<studio-engine></studio-engine>
      <studio-channel label="Drums"><studio-clip loop src="${url}"></studio-clip><daw-clip src="b.wav"></daw-clip></studio-channel>
      <studio-channel label="Keys"><studio-synth wave="sine"></studio-synth></studio-channel>`);
    const [drums, keys] = host.querySelectorAll('studio-channel');
    const clip = host.querySelector('studio-clip');
    const synth = host.querySelector('studio-synth');
    expect(host.querySelector('studio-engine').engine).to.equal(engine);
    expect(drums.channel && keys.channel).to.exist;
    expect(clip.channel).to.equal(drums.channel);
    expect(synth.channel).to.equal(keys.channel);
    expect(host.querySelector('daw-clip')).to.be.instanceOf(ForeignClip);
    await until(() => clip.loaded, 10000, 'the clip loaded');
    expect(clip.play()).to.equal(true);
    const want = db(0.25 * CENTRE);
    await until(() => Math.abs(drums.meter().peakDb - want) < 0.05, 5000, `Drums peak ${want.toFixed(2)} dB (reads ${drums.meter().peakDb})`);
    expect(keys.meter().peakDb).to.be.below(-100);
    expect(synth.noteOn(69, 1)).to.be.at.least(0);
    await until(() => keys.meter().peakDb > -30, 5000, 'Keys meter rises');
    synth.allNotesOff(true);
    clip.stop();
    await until(() => engine.status().clipsPlaying === 0, 3000, 'the clip stopped');
  });

  it('under a prefix, elements find their channel by context: defined late in either order, nested, moved (all synchronous)', () => {
    // Markup first, classes later: the synth class is defined before the channel's (a page's subclass of ours).
    const host = mount(`<late-channel id="outer"><late-synth id="s1"></late-synth>
        <late-channel id="inner"><late-synth id="s2"></late-synth><late-clip id="c2"></late-clip></late-channel></late-channel>
      <late-channel id="other"></late-channel><late-synth id="solo"></late-synth>`);
    const $ = (id) => host.querySelector(`#${id}`);
    customElements.define('late-synth', class extends DawSynth {});
    expect($('s1').channel, 'a private channel until its channel is defined').to.exist;
    const n0 = engine.channelCount;
    expect(define({ prefix: 'late' }).taken).to.deep.equal([]);
    const [outer, inner, other] = [$('outer'), $('inner'), $('other')];
    expect(engine.channelCount).to.equal(n0 + 3 - 2); // three channels claimed, the two private channels inside them freed
    expect($('s1').channel).to.equal(outer.channel);
    expect($('s2').channel).to.equal(inner.channel); // the nearest channel, not the outer one
    expect($('c2').channel).to.equal(inner.channel);
    expect($('s2').synth.get('channel')).to.equal(inner.channel.slot);
    const solo = $('solo').channel;
    expect(solo).to.exist;
    expect([outer.channel, inner.channel, other.channel]).to.not.include(solo);
    // moves: into another channel, out of every channel, a channel moved with its children
    other.append($('s2'));
    expect($('s2').channel).to.equal(other.channel);
    expect($('s2').synth.get('channel')).to.equal(other.channel.slot);
    host.append($('c2'));
    expect($('c2').channel).to.exist.and.not.equal(inner.channel);
    const innerChannel = inner.channel;
    other.append(inner);
    inner.append($('s1'));
    expect(inner.channel).to.equal(innerChannel);
    expect($('s1').channel).to.equal(inner.channel);
    expect($('s1').synth.get('channel')).to.equal(inner.channel.slot);
  });

  it('a channel defined after its synths takes them over from the channel around it', () => {
    customElements.define('nest-channel', class extends DawChannel {});
    customElements.define('nest-synth', class extends DawSynth {});
    const host = mount('<nest-channel id="a"><nest-wrap><nest-synth></nest-synth></nest-wrap></nest-channel>');
    const a = host.querySelector('#a');
    const synth = host.querySelector('nest-synth');
    expect(synth.channel).to.equal(a.channel);
    // <nest-wrap> becomes a channel (a page's own subclass, defined late)
    customElements.define('nest-wrap', class extends DawChannel {});
    const wrap = host.querySelector('nest-wrap');
    expect(wrap.channel).to.exist.and.not.equal(a.channel);
    expect(synth.channel).to.equal(wrap.channel);
    expect(synth.synth.get('channel')).to.equal(wrap.channel.slot);
  });
});
