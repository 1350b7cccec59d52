// What the elements say in each engine state, and whether it is the right advice: <daw-engine>'s bar
// (status, button, details) and the `not-running` daw-error of <daw-synth> and <daw-clip>, through
// idle -> a failed start (a real network error: the WASM URL points at a closed port) -> "Try again"
// (the URL now reachable) -> running -> suspended -> resumed -> closed. The CSP case, which a retry
// cannot fix, is in test/e2e/run.mjs (a page served without 'wasm-unsafe-eval').
import { expect } from '@esm-bundle/chai';
import { getEngine } from '../dist/daw-elements.js';
import { task, wavUrl } from './helpers.js';

// The page's engine, made before any element exists so it takes this URL. A URL object: the test
// points it at the real file before the retry (the engine reads it at each start).
const wasmUrl = new URL('http://127.0.0.1:9/daw-dsp.wasm'); // port 9 (discard): connection refused
const engine = getEngine({ wasmUrl });
const goodWasm = new URL('../dist/daw-dsp.wasm', import.meta.url).href;

const host = document.createElement('div');
host.style.width = '900px';
host.innerHTML = `<daw-engine><daw-channel label="Keys"><daw-synth keyboard></daw-synth></daw-channel>
  <daw-channel label="Loop"><daw-clip src="${wavUrl(Float32Array.from({ length: 5513 }, (_, i) => 0.25 * Math.sin(i / 8)), 22050)}" loop></daw-clip></daw-channel></daw-engine>`;
const face = host.querySelector('daw-engine');
const synth = host.querySelector('daw-synth');
const clip = host.querySelector('daw-clip');
const events = [];
host.addEventListener('daw-error', (e) => events.push({ target: e.composedPath()[0].localName, ...e.detail }));

const part = (el, name) => el.shadowRoot.querySelector(`[part~="${name}"]`);
const until = (type, pred = () => true) => new Promise((resolve) => {
  const on = (e) => { if (pred(e)) { engine.removeEventListener(type, on); resolve(e); } };
  engine.addEventListener(type, on);
});
const stateIs = (s) => (engine.state === s ? Promise.resolve() : until('daw-statechange', () => engine.state === s));
async function rendered() {
  for (const el of [face, synth, clip]) await el.updateComplete;
}
/** The bar as the user sees it. */
function bar() {
  const status = part(face, 'status');
  const details = part(face, 'details');
  const items = [...part(face, 'face').children].map((el) => el.getBoundingClientRect());
  const s = status.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(status).lineHeight) || parseFloat(getComputedStyle(status).fontSize) * 1.4;
  return {
    text: status.textContent.trim(), title: status.title, button: part(face, 'button')?.textContent.trim() ?? null,
    details: details?.querySelector('p').textContent ?? null,
    oneLine: s.height <= 1.5 * line, oneRow: items.every((r) => r.top < s.bottom),
  };
}
/** The daw-error events `fn` fires. */
function firedBy(fn) {
  const from = events.length;
  const result = fn();
  return { result, fired: events.slice(from) };
}

describe('advice in every engine state: <daw-engine>, <daw-synth> and <daw-clip> say what to do', function () {
  this.timeout(60000);
  before(() => document.body.append(host));
  after(() => host.remove());

  it('idle: "Enable audio"; a note or play outside a gesture says audio has not started and how to start it', async () => {
    await rendered();
    expect(engine.state).to.equal('idle');
    expect(bar()).to.include({ text: 'Audio off', button: 'Enable audio', details: null });
    const note = firedBy(() => synth.noteOn(60));
    expect(note.result).to.equal(-1);
    expect(note.fired.map((e) => [e.target, e.code])).to.deep.equal([['daw-synth', 'not-running']]);
    expect(note.fired[0].message).to.equal('<daw-synth> noteOn: Audio has not started; start it in a user gesture: <daw-engine>\'s "Enable audio", or getEngine().start() in a click handler. The note was dropped.');
    const play = firedBy(() => clip.play());
    expect(play.result).to.equal(false);
    expect(play.fired.map((e) => e.code)).to.deep.equal(['not-running']);
    expect(play.fired[0].message).to.equal('<daw-clip> play: Audio has not started; start it in a user gesture: this clip\'s play button or <daw-engine>\'s "Enable audio", or getEngine().start() in a click handler. Nothing was played.');
    expect(engine.state).to.equal('idle');
  });

  it('a network error: one line naming it, "Try again", the details and the event say to check the connection; notes say the same', async () => {
    const failed = stateIs('error');
    part(face, 'button').click();
    await failed;
    await rendered();
    const b = bar();
    expect(b).to.include({ text: 'The audio engine could not be loaded', button: 'Try again', oneLine: true, oneRow: true });
    expect(b.details).to.match(/^Check the network connection, then press 'Try again' \(or call getEngine\(\)\.start\(\) in a click handler\)\. Error: could not load the audio engine/);
    expect(b.details).to.include(engine.error.message);
    expect(b.title).to.equal(b.details);
    const started = events.find((e) => e.target === 'daw-engine' && e.code === 'load-failed');
    expect(started, JSON.stringify(events)).to.exist;
    expect(started).to.include({ retry: true });
    expect(started.advice).to.match(/^check the network connection/);

    const note = firedBy(() => synth.noteOn(60));
    expect(note.result).to.equal(-1);
    expect(note.fired.map((e) => e.code)).to.deep.equal(['not-running']);
    expect(note.fired[0].message).to.equal("<daw-synth> noteOn: The audio engine could not be loaded. Check the network connection, then press 'Try again' (or call getEngine().start() in a click handler). The note was dropped.");
    expect(note.fired[0].message).not.to.match(/is error|is idle/);

    // The clip could not load for want of an engine: it says so (not "the file could not be loaded"),
    // and its button stays enabled because a click retries the start.
    const fromClip = events.filter((e) => e.target === 'daw-clip');
    expect(fromClip.map((e) => [e.code, e.attribute])).to.deep.equal([['not-running', undefined], ['not-running', 'src']]); // the play above, then the load
    expect(fromClip[1].message).to.match(/^<daw-clip> src: The audio engine could not be loaded\. Check the network connection, .* The file was not loaded\.$/);
    expect(part(clip, 'status').textContent).to.equal('The audio engine could not be loaded');
    expect(part(clip, 'status').title).to.equal(b.details);
    expect(part(clip, 'button').disabled).to.equal(false);
    const play = firedBy(() => clip.play());
    expect(play.result).to.equal(false);
    expect(play.fired[0].message).to.match(/^<daw-clip> play: The audio engine could not be loaded\. Check the network connection, then press 'Try again'.* Nothing was played\.$/);
  });

  it('"Try again" with the file reachable: running, the clip loads, notes play', async () => {
    wasmUrl.href = goodWasm;
    const loaded = new Promise((r) => clip.addEventListener('daw-clip-load', r, { once: true }));
    const running = until('daw-ready');
    part(face, 'button').click();
    await running;
    await loaded;
    await rendered();
    expect(bar()).to.include({ text: 'Running', button: null, details: null, title: '' });
    expect(part(clip, 'status').textContent).to.equal('Ready');
    expect(synth.noteOn(60, 0.5)).to.be.above(0);
    synth.allNotesOff(true);
  });

  it('suspended: "Resume audio"; a note outside a gesture says audio is suspended and how to resume', async () => {
    const suspended = stateIs('suspended');
    await engine.suspend();
    await suspended;
    await rendered();
    expect(bar()).to.include({ text: 'Suspended', button: 'Resume audio' });
    const note = firedBy(() => synth.noteOn(62));
    expect(note.result).to.equal(-1);
    expect(note.fired[0].message).to.equal('<daw-synth> noteOn: Audio is suspended; resume it in a user gesture: <daw-engine>\'s "Resume audio", or getEngine().start() in a click handler. The note was dropped.');
    const running = stateIs('running');
    part(face, 'button').click();
    await running;
    await rendered();
    expect(bar().text).to.equal('Running');
  });

  it('closed: no button; a note or play says the engine was closed and to reload', async () => {
    await engine.close();
    await rendered();
    expect(engine.state).to.equal('closed');
    expect(bar()).to.include({ text: 'Audio closed', button: null });
    const note = firedBy(() => synth.noteOn(64));
    expect(note.result).to.equal(-1);
    expect(note.fired[0].message).to.equal('<daw-synth> noteOn: The audio engine was closed (engine.close()); reload the page to play again. The note was dropped.');
    const play = firedBy(() => clip.play());
    expect(play.result).to.equal(false);
    expect(play.fired[0].message).to.equal('<daw-clip> play: The audio engine was closed (engine.close()); reload the page to play again. Nothing was played.');
    await task();
  });
});
