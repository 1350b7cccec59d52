// Loading before the first gesture (src/preload.ts): getEngine() fetches the worklet script and the
// WASM while the page is idle, without an AudioContext; start() then uses what was fetched and
// compiled; a preload that fails stays silent and start() reports the failure as it would without it.
// (A page whose CSP blocks WASM is test/e2e's csp-no-wasm page; what the preload saves is measured
// by `node bench/run.mjs --only=startup`, not timed here.)
import { expect } from '@esm-bundle/chai';
import { Engine, getEngine } from '../dist/daw-elements.js';

const fetchedOf = (file) => performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith(`/${file}`));

/** Resolves once the page has fetched every one of `files` (resource timing entries); rejects after 20 s. */
function fetched(...files) {
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`not fetched within 20 s: ${files.filter((f) => !fetchedOf(f).length)}`)), 20000);
    const done = () => files.every((f) => fetchedOf(f).length > 0);
    if (done()) return resolve();
    const po = new PerformanceObserver(() => {
      if (!done()) return;
      po.disconnect();
      resolve();
    });
    po.observe({ type: 'resource', buffered: true });
  });
}

describe('preload before the first gesture', function () {
  this.timeout(60000);
  const RealAudioContext = window.AudioContext;
  let contexts = 0;
  before(() => {
    // Counts AudioContexts made on this page (the engine looks the constructor up when start() runs).
    window.AudioContext = new Proxy(RealAudioContext, { construct(t, args, nt) { contexts++; return Reflect.construct(t, args, nt); } });
  });
  after(() => { window.AudioContext = RealAudioContext; });

  it('getEngine() fetches the WASM and the worklet script while the page is idle, and makes no AudioContext', async () => {
    expect(fetchedOf('daw-dsp.wasm'), 'nothing fetched before getEngine()').to.have.length(0);
    const engine = getEngine();
    expect(engine.context).to.equal(null);
    await fetched('daw-dsp.wasm', 'daw-worklet.js');
    await engine.preload(); // the same work, finished (compiled and run once)
    expect(contexts).to.equal(0);
    expect(engine.state).to.equal('idle');
    expect(engine.context).to.equal(null);
  });

  it('start() after the preload fetches the WASM no more and runs', async () => {
    const engine = getEngine();
    await engine.preload();
    const wasmFetches = fetchedOf('daw-dsp.wasm').length;
    expect(wasmFetches).to.equal(1);
    await engine.start();
    expect(engine.state).to.equal('running');
    expect(contexts).to.equal(1);
    expect(fetchedOf('daw-dsp.wasm')).to.have.length(wasmFetches);
    await engine.close();
  });

  it('a failed preload resolves quietly, and start() reports the same error as without a preload', async () => {
    const wasmUrl = new URL('../dist/no-such-file.wasm', import.meta.url);
    const attempt = async (preloadFirst) => {
      const engine = new Engine({ context: new OfflineAudioContext(2, 128, 48000), wasmUrl });
      const errors = [];
      engine.addEventListener('daw-error', (e) => errors.push(e.detail));
      if (preloadFirst) expect(await engine.preload()).to.equal(undefined);
      const err = await engine.start().then(() => null, (e) => e);
      return { message: err?.message, state: engine.state, codes: errors.map((d) => d.code) };
    };
    const preloaded = await attempt(true);
    const cold = await attempt(false);
    expect(preloaded.message).to.match(/could not load the audio engine .*no-such-file\.wasm.*HTTP 404/);
    expect(preloaded).to.deep.equal(cold);
    expect(preloaded.state).to.equal('error');
    expect(preloaded.codes).to.deep.equal(['load-failed']);
  });
});
