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

  it('events asked for "as soon as possible" are not counted late (the realtime soak saw one late note per removed synth)', async () => {
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
