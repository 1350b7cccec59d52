// engine.snapshot() / engine.restore(): the session as JSON and back. snapshot -> JSON text ->
// restore on another (fresh) engine -> bounce gives the same bytes as the original's bounce (offline
// renders are deterministic, so any parameter, sample, clip or note lost on the way changes them);
// an invalid snapshot is refused with the JSON path of the first problem and changes nothing (the
// engine's snapshot before and after are equal); elements show restored values.
import { expect } from '@esm-bundle/chai';
import { Engine, getEngine } from '../dist/daw-elements.js';
import { SR, until } from './helpers.js';
import { buildSession } from './session-fixture.js';

async function offlineEngine() {
  const e = new Engine({ context: new OfflineAudioContext(2, SR, SR) });
  await e.start();
  return e;
}
const bytes = async (b) => new Uint8Array(await b.arrayBuffer());
const same = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);

describe('engine.snapshot() and restore()', function () {
  this.timeout(180000);

  it('snapshot -> JSON -> restore on a fresh engine renders the same bytes as the original', async () => {
    const a = await offlineEngine();
    await buildSession(a);
    a.transport.swing = 0.2;
    a.master.set('limiterCeilingDb', -2);
    a.bus('delay').set('delayFeedback', 0.3);
    await a.loadSample(new Float32Array(480).fill(0.1)); // PCM: a snapshot cannot carry it
    const snap = await a.snapshot();
    expect(snap.schema).to.equal(1);
    expect(snap.channels.map((c) => c.label)).to.deep.equal(['Lead', 'Loop']);
    expect(snap.channels[0].params.volumeDb).to.equal(-14);
    expect(snap.synths[0]).to.include({ channel: 0 });
    expect(snap.synths[0].params.wave).to.equal('saw');
    expect(snap.samples[0]).to.include({ from: 'url', duration: 0.1 });
    expect(snap.samples[1]).to.include({ from: 'pcm', url: null, duration: 0.01 });
    expect(snap.timeline.notes).to.have.length(2);
    expect(snap.timeline.automation).to.deep.equal([
      { target: 'channel', index: 0, param: 'pan', points: [{ beat: 0, value: -0.3, ramp: 'linear' }, { beat: 2, value: 0.5, ramp: 'linear' }] },
      { target: 'synth', index: 0, param: 'cutoffHz', points: [{ at: 0, value: 2400, ramp: 'linear' }, { at: 0.6, value: 700, ramp: 'exponential' }] },
    ]);
    expect(snap.timeline.clips[0]).to.include({ kind: 'play', channel: 1, sample: 0, loop: true });
    expect(snap.transport.tempoMap[0].bpm).to.equal(150);
    expect(snap.buses[1].fx.delayFeedback).to.be.closeTo(0.3, 1e-6);
    const text = JSON.stringify(snap);
    // A fresh engine has not got the PCM sample: refused, nothing applied.
    const b = await offlineEngine();
    let err = null;
    try { await b.restore(text); } catch (x) { err = x; }
    expect(err).to.be.instanceOf(RangeError);
    expect(err.message).to.match(/^restore: samples\[1\]: it was loaded from PCM/);
    expect(b.channelCount).to.equal(0);
    // Without it (no clip plays it), the fresh engine gets the whole session and renders it identically.
    const json = JSON.parse(text);
    json.samples.pop();
    const report = await b.restore(JSON.stringify(json));
    expect(report.channels.map((x) => x.label)).to.deep.equal(['Lead', 'Loop']);
    expect(b.channelCount).to.equal(2);
    const [x, y] = await Promise.all([a.bounce({ seconds: 1.5 }, { format: 'wav-f32' }), b.bounce({ seconds: 1.5 }, { format: 'wav-f32' })]);
    const [bx, by] = [await bytes(x), await bytes(y)];
    expect(bx.some((v, i) => i > 100 && v !== 0)).to.equal(true);
    expect(same(bx, by), 'the restored session renders the same bytes').to.equal(true);
    // And restoring the original engine onto itself changes nothing it renders.
    await a.restore(text);
    expect(same(bx, await bytes(await a.bounce({ seconds: 1.5 }, { format: 'wav-f32' })))).to.equal(true);
  });

  it('restore after changes brings back every value, and a bad snapshot changes nothing', async () => {
    const a = await offlineEngine();
    await buildSession(a);
    const snap = await a.snapshot();
    const [lead] = snap.channels;
    // Change things, then restore.
    const e2 = await a.snapshot();
    a.master.set('volumeDb', -20);
    a.bus('reverb').set('reverbDecayS', 5);
    a.transport.tempo = 90;
    a.transport.metronome = true;
    await a.restore(snap);
    const back = await a.snapshot();
    expect(JSON.stringify(back)).to.equal(JSON.stringify(e2));
    expect(lead.params.pan).to.be.closeTo(-0.3, 1e-7); // as the control block holds it (f32)
    // A snapshot with one bad value at the end: refused with its path, nothing applied.
    const bad = JSON.parse(JSON.stringify(snap));
    bad.master.params.volumeDb = 0;
    bad.channels[1].params.volumeDb = 99;
    let err = null;
    try { await a.restore(bad); } catch (x) { err = x; }
    expect(err).to.be.instanceOf(RangeError);
    expect(err.message).to.equal('restore: channels[1].params.volumeDb: 99 is outside -inf..12');
    expect(JSON.stringify(await a.snapshot())).to.equal(JSON.stringify(e2));
    const bad2 = JSON.parse(JSON.stringify(snap));
    bad2.transport.tempoMap[0].bpm = 'fast';
    err = null;
    try { await a.restore(bad2); } catch (x) { err = x; }
    expect(err).to.be.instanceOf(TypeError);
    expect(err.message).to.match(/^restore: transport\.tempoMap\[0\]\.bpm: expected a number 20\.\.400, got 'fast'/);
    expect(a.transport.tempo).to.equal(150);
  });

  it('elements show the restored values (daw-restore), without firing daw-change', async () => {
    const engine = getEngine();
    const el = document.createElement('daw-channel');
    el.setAttribute('volume-db', '-6');
    el.setAttribute('pan', '0.25');
    document.body.append(el);
    try {
      await until(() => el.channel, { what: 'the element claimed its channel' });
      await el.updateComplete;
      const snap = await engine.snapshot();
      const mine = [...snap.channels.keys()].find((i) => snap.channels[i].params.volumeDb === -6 && snap.channels[i].params.pan === 0.25);
      expect(mine, 'the element\'s channel is in the snapshot').to.not.equal(undefined);
      el.volumeDb = -30;
      el.pan = -1;
      await el.updateComplete;
      expect(el.channel.get('volumeDb')).to.equal(-30);
      let changes = 0;
      el.addEventListener('daw-change', () => changes++);
      await engine.restore(snap);
      await el.updateComplete;
      expect(el.volumeDb).to.equal(-6);
      expect(el.pan).to.equal(0.25);
      expect(el.channel.get('volumeDb')).to.equal(-6);
      const fader = el.shadowRoot.querySelector('[part~="fader"]');
      if (fader?.getAttribute('aria-valuenow') !== null && fader) expect(Number(fader.getAttribute('aria-valuenow'))).to.equal(-6);
      expect(changes).to.equal(0);
    } finally {
      el.remove();
    }
  });
});
