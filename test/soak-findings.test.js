// Regressions for what `npm run soak` and `npm run fuzz` found (scripts/soak.mjs, scripts/fuzz.mjs),
// through the real engine on OfflineAudioContexts.
import { expect } from '@esm-bundle/chai';
import { Engine } from '../dist/daw-elements.js';
import { SR } from './helpers.js';

/** An engine on an offline context, and a way to run `fn` at `time` (the render stops there). */
async function offlineEngine(seconds) {
  const ctx = new OfflineAudioContext(2, Math.ceil(seconds * SR), SR);
  const e = new Engine({ context: ctx, inputs: 0 });
  await e.start();
  const at = (time, fn) => ctx.suspend(time).then(async () => { await fn(); await e.flush(); await ctx.resume(); });
  return { ctx, e, at };
}

describe('soak and fuzz findings', function () {
  this.timeout(60000);

  it('events asked for "as soon as possible" are not counted late (the realtime soak saw one late note per removed synth)', async function () {
    // Needs the render to stop mid-way (events at a frame > 0); Firefox has no OfflineAudioContext.suspend().
    if (typeof OfflineAudioContext.prototype.suspend !== 'function') this.skip();
    const { ctx, e, at } = await offlineEngine(0.5);
    const ch = e.createChannel();
    const sample = await e.loadSample(new Float32Array(4800).fill(0.25));
    let synth = e.createSynth(ch, { polyphony: 4 });
    const done = [
      at(0.1, () => {
        synth.noteOn(60); // no time
        synth.noteOn(64, 1);
        synth.noteOff(60);
        synth.allNotesOff();
        synth.dispose(); // a hard stop, and the stop the slot's next owner sends
        synth = e.createSynth(ch);
        synth.noteOn(67);
        ch.play(sample); // no time
        ch.stop();
        e.createChannel().dispose(); // a clip cancel for the slot
      }),
      // The control: a note and a clip whose time has passed when they arrive are late.
      at(0.2, () => {
        synth.noteOn(70, 1, 0.15);
        ch.play(sample, { time: 0.15 });
      }),
    ];
    await ctx.startRendering();
    await Promise.all(done);
    await e.flush();
    const st = e.status();
    expect(st.lateNotes).to.equal(1);
    expect(st.lateClipEvents).to.equal(1);
    expect(st.droppedNotes).to.equal(0);
  });
});

describe('a synth slot\'s next owner', function () {
  this.timeout(60000);

  it('never plays the notes a disposed synth scheduled for later (they played on the next synth in the slot)', async () => {
    const ctx = new OfflineAudioContext(2, SR, SR);
    const e = new Engine({ context: ctx, inputs: 0 });
    await e.start();
    const ch = e.createChannel();
    const a = e.createSynth(ch, { wave: 'sine', releaseMs: 10 });
    a.play(60, 0.2, { time: 0.5 }); // for later
    a.dispose();
    const b = e.createSynth(ch, { wave: 'sine', releaseMs: 10 });
    expect(b.slot).to.equal(a.slot);
    b.play(72, 0.1, { time: 0.1 }); // the new owner's own note plays
    await e.flush();
    const out = (await ctx.startRendering()).getChannelData(0);
    const peak = (from, to) => { let p = 0; for (let i = Math.round(from * SR); i < Math.round(to * SR); i++) p = Math.max(p, Math.abs(out[i])); return p; };
    expect(peak(0.1, 0.2)).to.be.above(0.05);
    expect(peak(0.45, 0.8)).to.equal(0);
  });
});

describe('fuzz findings: hostile values', function () {
  this.timeout(60000);
  /** A value that cannot become text: its toString, valueOf and toPrimitive throw. */
  const bomb = () => ({ [Symbol.toPrimitive]() { throw new Error('bomb'); }, toString() { throw new Error('bomb'); }, valueOf() { throw new Error('bomb'); } });

  it('a disposed channel, synth or sample throws a TypeError naming it', async () => {
    const ctx = new OfflineAudioContext(2, 128, SR);
    const e = new Engine({ context: ctx });
    await e.start();
    const ch = e.createChannel({ label: 'Gone' });
    const s = e.createSynth(ch);
    const sample = await e.loadSample(new Float32Array(16));
    sample.dispose();
    expect(() => e.createChannel().play(sample)).to.throw(TypeError, /sample was disposed/);
    s.dispose();
    ch.dispose();
    expect(() => ch.set('pan', 0)).to.throw(TypeError, /channel 'Gone' was disposed/);
    expect(() => ch.stop()).to.throw(TypeError, /was disposed/);
    expect(() => s.noteOn(60)).to.throw(TypeError, /synth was disposed/);
    expect(() => s.set('wave', 'saw')).to.throw(TypeError, /synth was disposed/);
    expect(() => ch.dispose()).not.to.throw();
  });

  it('engine parameter errors name a value that cannot become text without throwing its exception', () => {
    const e = new Engine({ context: new OfflineAudioContext(2, 128, SR) });
    expect(() => e.master.set('volumeDb', bomb())).to.throw(TypeError, /master volumeDb: expected a number .* got a value that cannot be shown as text/);
    expect(() => e.master.set('volumeDb', Symbol('x'))).to.throw(TypeError, /got Symbol\(x\)/);
  });

  it('element properties set to values that cannot become text report daw-error and leave the element working', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const errors = [];
    root.addEventListener('daw-error', (ev) => errors.push(ev.detail));
    const ch = document.createElement('daw-channel');
    const synth = document.createElement('daw-synth');
    const clip = document.createElement('daw-clip');
    const eng = document.createElement('daw-engine');
    ch.append(synth);
    root.append(ch, clip, eng);
    await Promise.all([ch.updateComplete, synth.updateComplete, clip.updateComplete, eng.updateComplete]);
    const uncaught = [];
    const onError = (ev) => { uncaught.push(ev.error ?? ev.message); ev.preventDefault(); };
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    try {
      synth.cutoffHz = bomb();
      ch.label = Symbol('label');
      ch.pan = bomb();
      clip.src = bomb();
      eng.latencyHint = 0.05; // a number of seconds is a valid hint
      await Promise.all([ch.updateComplete, synth.updateComplete, clip.updateComplete, eng.updateComplete]);
      eng.latencyHint = {};
      await eng.updateComplete;
      // A Proxy whose every trap throws (instanceof URL reads its prototype).
      const trap = () => { throw new Error('trap'); };
      clip.src = new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
      await clip.updateComplete;
      // The next valid value goes through: the bad one did not stick.
      synth.cutoffHz = 1000;
      ch.label = 'Lead';
      await Promise.all([ch.updateComplete, synth.updateComplete]);
    } finally {
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onError);
      root.remove();
    }
    expect(uncaught).to.deep.equal([]);
    const by = (attr) => errors.filter((d) => d.attribute === attr).map((d) => d.code);
    expect(by('cutoff-hz')).to.deep.equal(['invalid-value']);
    expect(by('label')).to.deep.equal(['invalid-value']);
    expect(by('pan')).to.deep.equal(['invalid-value']);
    expect(by('src')).to.deep.equal(['invalid-value', 'invalid-value']);
    expect(by('latency-hint')).to.deep.equal(['invalid-value']);
    expect(errors.find((d) => d.attribute === 'cutoff-hz').message).to.match(/a value that cannot be shown as text is not valid/);
    expect(synth.cutoffHz).to.equal(1000);
    expect(ch.label).to.equal('Lead');
  });
});
