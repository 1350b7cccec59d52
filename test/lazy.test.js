// Code that loads on first use (elements/lazy-define.ts, rollup.config.mjs): a page with only the core
// tags (<daw-engine>, <daw-channel>, <daw-synth>, <daw-clip>) fetches the page module and daw-core.js
// and no feature chunk; a feature tag that appears later (added to the document, nested, under
// another prefix) fetches its set's chunk once and is upgraded, customElements.whenDefined resolving;
// engine.record() fetches the WAV encoder; recovery's rebuild is fetched in idle time once audio runs.
// What was fetched is read from the page's resource timing entries (performance.getEntriesByType).
// This file must not import anything that imports a feature chunk statically (the classes entry does).
import { expect } from '@esm-bundle/chai';
import { Engine, getEngine, define } from '../dist/daw-elements.js';

performance.setResourceTimingBufferSize(1000); // every fetch of the page is counted (the default buffer keeps 250)
/** The dist/ files this page fetched, by name (each once: a module is fetched once per URL). */
const distFetched = () => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/dist/')).map((p) => p.slice(6));
const count = (file) => distFetched().filter((f) => f === file).length;

/** Resolves once the page has fetched `file` (a resource timing entry); rejects after 20 s. */
function fetched(file) {
  return new Promise((resolve, reject) => {
    if (count(file)) return resolve();
    const timer = setTimeout(() => { po.disconnect(); reject(new Error(`${file} not fetched within 20 s (fetched: ${distFetched()})`)); }, 20000);
    const po = new PerformanceObserver(() => {
      if (!count(file)) return;
      clearTimeout(timer);
      po.disconnect();
      resolve();
    });
    po.observe({ type: 'resource', buffered: true });
  });
}

/** Resolves once `tag` is defined; rejects after 20 s. */
function defined(tag) {
  let timer;
  return Promise.race([
    customElements.whenDefined(tag).finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`<${tag}> not defined within 20 s (fetched: ${distFetched()})`)), 20000))),
  ]);
}

const mounted = [];
function mount(html, parent = document.body) {
  const host = document.createElement('div');
  host.innerHTML = html;
  parent.append(host);
  mounted.push(host);
  return host;
}

describe('feature code loads on first use', function () {
  this.timeout(60000);
  after(() => mounted.splice(0).forEach((h) => h.remove()));

  it('a page with only the core tags defines them at once and fetches no feature chunk', async () => {
    const host = mount(`<daw-engine></daw-engine>
      <daw-channel label="Lead"><daw-synth wave="saw"></daw-synth></daw-channel>
      <daw-channel label="Loop"><daw-clip></daw-clip></daw-channel>`);
    for (const tag of ['daw-engine', 'daw-channel', 'daw-synth', 'daw-clip']) {
      expect(customElements.get(tag), tag).to.be.a('function');
      for (const el of host.querySelectorAll(tag)) {
        await el.updateComplete;
        expect(el.shadowRoot, `<${tag}> rendered`).to.not.equal(null);
      }
    }
    await getEngine().preload(); // the worklet and the WASM, fetched while idle (src/preload.ts)
    expect(distFetched().filter((f) => f.endsWith('.js')).sort()).to.deep.equal(['daw-core.js', 'daw-elements.js', 'daw-worklet.js']);
    for (const tag of ['daw-transport', 'daw-meter', 'daw-loudness', 'daw-spectrum', 'daw-scope', 'daw-bus', 'daw-mixer']) {
      expect(customElements.get(tag), `${tag} is not defined before it appears`).to.equal(undefined);
    }
  });

  it('a <daw-meter> added later fetches the analysis chunk once and is upgraded; the other analysis tags follow without a fetch', async () => {
    expect(count('daw-analysis.js')).to.equal(0);
    const host = mount('<daw-channel id="lazy-ch" label="Metered" headless></daw-channel><div><p><daw-meter for="lazy-ch"></daw-meter></p></div>');
    const meter = host.querySelector('daw-meter');
    expect(meter.matches(':defined')).to.equal(false);
    await defined('daw-meter');
    expect(meter).to.be.instanceOf(customElements.get('daw-meter'));
    await meter.updateComplete;
    expect(meter.shadowRoot.querySelector('[role=meter]'), 'the meter rendered').to.not.equal(null);
    expect(count('daw-analysis.js')).to.equal(1);
    expect(customElements.get('daw-loudness'), 'defined on its own first appearance only').to.equal(undefined);
    const loud = document.createElement('daw-loudness');
    host.append(loud);
    await defined('daw-loudness');
    expect(loud).to.be.instanceOf(customElements.get('daw-loudness'));
    expect(count('daw-analysis.js'), 'the chunk is fetched once').to.equal(1);
    for (const f of ['daw-transport.js', 'daw-console.js']) expect(count(f), f).to.equal(0);
  });

  it('define({ prefix }) from the page module: the core tags at once, a feature tag under that prefix on its first appearance', async () => {
    const r = define({ prefix: 'lazy' });
    expect(r.taken).to.deep.equal([]);
    expect(r.defined).to.include.members(['lazy-engine', 'lazy-channel', 'lazy-synth', 'lazy-clip', 'lazy-mixer', 'lazy-bus']);
    for (const kind of ['engine', 'channel', 'synth', 'clip']) expect(customElements.get(`lazy-${kind}`), kind).to.be.a('function');
    expect(customElements.get('lazy-mixer')).to.equal(undefined);
    expect(count('daw-console.js')).to.equal(0);
    // Added in two steps: the mixer first, then (after a task) a bus inside it.
    const host = mount('<section><lazy-mixer><lazy-channel label="A" headless></lazy-channel></lazy-mixer></section>');
    await defined('lazy-mixer');
    expect(count('daw-console.js')).to.equal(1);
    const mixer = host.querySelector('lazy-mixer');
    await mixer.updateComplete;
    expect(mixer.shadowRoot.querySelector('[part~="channels"]')).to.not.equal(null);
    mixer.insertAdjacentHTML('beforeend', '<lazy-bus name="reverb"></lazy-bus>');
    await defined('lazy-bus');
    expect(host.querySelector('lazy-bus').matches(':defined')).to.equal(true);
    expect(customElements.get('daw-mixer'), 'the daw- tag waits for its own first appearance').to.equal(undefined);
    expect(count('daw-console.js')).to.equal(1);
    expect(count('daw-transport.js')).to.equal(0);
  });

  it('a feature chunk that cannot be fetched is a daw-error (load-failed, naming the tag) on document, and the next element of the tag imports it again', async () => {
    // A second copy of the script whose daw-console.js is missing (the test server answers 404), under a prefix of its own.
    const broken = await import('/dist-copy-broken/daw-elements.js');
    expect(broken.define({ prefix: 'broken' }).defined).to.include('broken-mixer');
    const errors = [];
    const onError = (e) => { if (e.detail.tag === 'broken-mixer') { errors.push(e.detail); e.preventDefault(); } };
    document.addEventListener('daw-error', onError);
    try {
      const failed = () => new Promise((resolve) => document.addEventListener('daw-error', (e) => e.detail.tag === 'broken-mixer' && resolve(), { once: false }));
      let next = failed();
      const host = mount('<broken-mixer></broken-mixer>');
      await next;
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ code: 'load-failed', tag: 'broken-mixer', value: 'broken-mixer' });
      expect(errors[0].message).to.match(/<broken-mixer> could not be loaded .*serve the files next to daw-elements\.js together/);
      expect(customElements.get('broken-mixer')).to.equal(undefined);
      next = failed();
      host.append(document.createElement('broken-mixer')); // a second element: imported again (Chromium and WebKit fetch it again, Firefox keeps the failure); fails again
      await next;
      expect(errors).to.have.length(2);
    } finally {
      document.removeEventListener('daw-error', onError);
    }
  });

  it('engine.record() fetches the WAV encoder (not before) and stop() gives the WAV', async () => {
    expect(count('daw-wav.js')).to.equal(0);
    const SR = 8000, FRAMES = 16 * 128; // whole quanta: the render ends where stop() cuts
    const ctx = new OfflineAudioContext(2, FRAMES, SR);
    const e = new Engine({ context: ctx });
    await e.start();
    expect(count('daw-wav.js'), 'starting an engine does not fetch it').to.equal(0);
    const rec = e.record({ at: 0 });
    await fetched('daw-wav.js');
    await e.flush();
    await ctx.startRendering();
    const blob = await rec.stop();
    expect(blob.type).to.equal('audio/wav');
    expect(blob.size).to.equal(58 + FRAMES * 2 * 4); // the float stereo header (src/wav.ts) + 32-bit float stereo frames
    await e.close();
  });

  it('a running realtime engine fetches the recovery rebuild in idle time, before any failure', async () => {
    const engine = getEngine();
    await engine.start();
    await fetched('daw-rebuild.js');
    expect(engine.lastRecovery).to.equal(null);
    expect(count('daw-rebuild.js')).to.equal(1);
  });
});
