// The session test/bounce.test.js and test/snapshot.test.js render: a synth on the timeline (two
// notes, two automation lanes), a looping sample clip loaded from a URL (a 16-bit WAV made here), a reverb send, EQ, pan;
// levels kept under the limiter.
import { Engine } from '../dist/daw-elements.js';
import { SR, sine, wavUrl } from './helpers.js';

/** 0.1 s of 440 Hz at half scale, 16-bit, as a blob: URL. */
export const LOOP_URL = wavUrl(sine(4800, 440, 0.5), SR);

/** The session, on engine `e` (started). The clip plays from frame 0, the transport from beat 0 when `play`. */
export async function buildSession(e, play = false) {
  const a = e.createChannel({ label: 'Lead', volumeDb: -14, pan: -0.3, eqHighDb: -3, sendReverb: 0.2 });
  const s = e.createSynth(a, { wave: 'saw', attackMs: 5, releaseMs: 80, cutoffHz: 2400 });
  const b = e.createChannel({ label: 'Loop', volumeDb: -16, pan: 0.4 });
  const smp = await e.loadSample(LOOP_URL, { loopStart: 0, loopEnd: 0.1 });
  b.play(smp, { loop: true, time: 0 });
  e.bus('reverb').set('reverbDecayS', 1.2);
  e.transport.tempo = 150;
  await e.transport.schedule([{ synth: s, pitch: 60, beat: 0, length: 1 }, { synth: s, pitch: 67, beat: 1, length: 0.5, velocity: 0.7 }]);
  // Automation lanes: the lead's pan in beats (linear), the synth's cutoff in seconds (exponential).
  await a.automate('pan', [{ beat: 0, value: -0.3 }, { beat: 2, value: 0.5, ramp: 'linear' }]);
  await s.automate('cutoffHz', [{ at: 0, value: 2400 }, { at: 0.6, value: 700, ramp: 'exponential' }]);
  if (play) e.transport.start();
  return { a, b, s, smp };
}

/** A started engine on an offline context that is never rendered: the "live" session to bounce. */
export async function sessionEngine() {
  const e = new Engine({ context: new OfflineAudioContext(2, SR, SR) });
  await e.start();
  await buildSession(e);
  return e;
}

export async function decode(blob) {
  return new OfflineAudioContext(2, 1, SR).decodeAudioData(await blob.arrayBuffer());
}

