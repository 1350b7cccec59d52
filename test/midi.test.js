// engine.loadMidi() through the real worklet and WASM: a format 1 file written byte by byte here (a
// tempo track with a tempo change mid-song, notes on MIDI channels 1 and 2 in two tracks) is loaded
// into two synths, one per channel, on channels panned hard left and hard right, and rendered offline.
// Each note is a square wave with no attack, so its first frame is loud; onsets are found in the
// output as the first frame above a threshold after silence, one side per MIDI channel. The expected
// onset of every note is worked out here from its ticks and the file's tempi (seconds = Σ Δticks ×
// µs per quarter / (10^6 × ticks per quarter)), independently of src/midi.ts and the DSP. The same
// detector runs on a reference render of the same notes played by synth.noteOn at those frames, which
// gives its own offset (the frames between a note's start and the first frame above the threshold);
// the MIDI render's onsets must lie within 1 frame of expected + that offset.
// Then bad files, bad routes and failed fetches are rejected naming the problem and nothing is
// scheduled; and a loaded song's remove() takes its notes out and gives the page's tempo map back.
import { expect } from '@esm-bundle/chai';
import { Engine } from '../dist/daw-elements.js';
import { SR, render, peakAbs, until } from './helpers.js';
import { nameEvent, smf, tempoEvent, track } from './smf-writer.js';

// The file is written by test/smf-writer.js (from the spec, independent of the reader).
const name = nameEvent;

const TPQ = 480;
// 120 BPM, then 137 BPM from tick 2160 (beat 4.5): 437,956 µs per quarter, so the second half's
// onsets fall between frames and must be rounded by the DSP, not land on a round grid.
const TEMPI = [[0, 500000], [2160, 437956]];
/** Notes [tick, lengthTicks, pitch, velocity] per MIDI channel (0 and 1); some start together on both. */
const NOTES = [
  [[0, 60, 72, 100], [480, 60, 74, 127], [1000, 90, 76, 90], [1920, 60, 77, 110], [2160, 60, 79, 100], [2700, 45, 81, 127], [3333, 60, 72, 100], [4100, 60, 84, 120]],
  [[240, 60, 67, 100], [480, 60, 69, 127], [1500, 60, 71, 80], [2100, 30, 72, 127], [2400, 60, 74, 100], [3000, 60, 76, 127], [3600, 120, 79, 100]],
];
const songBytes = () => smf(1, TPQ, [
  track([name('tempo'), ...TEMPI.map(([t, us]) => tempoEvent(t, us))]),
  ...NOTES.map((notes, ch) => track([name(`ch${ch + 1}`), ...notes.flatMap(([t, len, p, v]) => [[t, 0x90 | ch, p, v], [t + len, 0x80 | ch, p, 0]])])),
]);

/** Seconds at `tick` from TEMPI, written out: whole tempo segments before it plus the part of the last. */
function secondsAt(tick) {
  let s = 0;
  for (let i = 0; i < TEMPI.length; i++) {
    const [t0, us] = TEMPI[i];
    const t1 = i + 1 < TEMPI.length ? Math.min(tick, TEMPI[i + 1][0]) : tick;
    if (t1 > t0) s += ((t1 - t0) * us) / (1e6 * TPQ);
  }
  return s;
}

const SYNTH = { wave: 'square', attackMs: 0, decayMs: 100, sustain: 1, releaseMs: 1, cutoffHz: 20000, velocitySense: 0, gainDb: -6 };
const F0 = 1001; // the transport's start frame, not on a quantum boundary
const THRESHOLD = 0.02;
const SILENCE = 40; // frames below the threshold before an onset

/** Frames where `x` first exceeds the threshold after at least SILENCE frames below it. */
function onsets(x) {
  const out = [];
  let quiet = SILENCE;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > THRESHOLD) {
      if (quiet >= SILENCE) out.push(i);
      quiet = 0;
    } else quiet++;
  }
  return out;
}

/** Two synths on channels panned left (MIDI channel 1) and right (channel 2). */
function twoSynths(e) {
  return [-1, 1].map((pan) => e.createSynth(e.createChannel({ pan }), SYNTH));
}

describe('engine.loadMidi: a format 1 file with a tempo change plays every note within 1 frame of the file\'s time', function () {
  this.timeout(180000);

  it('two MIDI channels to two synths: onsets on both sides against the times worked out from the file', async () => {
    const expected = NOTES.map((notes) => notes.map(([t]) => F0 + Math.round(secondsAt(t) * SR)));
    const seconds = (F0 + Math.max(...expected.flat())) / SR + 0.2;
    let song, latency = 0;
    const out = await render(seconds, async (e) => {
      latency = e.latencyFrames;
      const [a, b] = twoSynths(e);
      song = await e.loadMidi(songBytes(), { route: { byChannel: [a, b] } });
      e.transport.start({ at: F0 / SR });
    });
    expect(song.count).to.equal(NOTES[0].length + NOTES[1].length);
    expect(song.format).to.equal(1);
    expect(song.tempo).to.equal('file');
    expect(song.tracks.map((t) => [t.name, t.channels, t.scheduled])).to.deep.equal([['tempo', [], 0], ['ch1', [0], 8], ['ch2', [1], 7]]);
    expect(song.tempoMap).to.deep.equal([{ beat: 0, bpm: 120, ramp: 'step' }, { beat: 4.5, bpm: 60e6 / 437956, ramp: 'step' }]);
    const endTick = Math.max(...NOTES.flat().map(([t, len]) => t + len));
    expect(song.beats).to.equal(endTick / TPQ);
    expect(song.seconds).to.be.closeTo(secondsAt(endTick), 1e-9);
    expect(song.warnings).to.deep.equal([]);

    // The detector's own offset, from the same notes played by noteOn at the expected frames.
    const ref = await render(seconds, (e) => {
      const synths = twoSynths(e);
      NOTES.forEach((notes, ch) => notes.forEach(([t, len, p, v], i) => {
        synths[ch].noteOn(p, v / 127, expected[ch][i] / SR);
        synths[ch].noteOff(p, (F0 + Math.round(secondsAt(t + len) * SR)) / SR);
      }));
    });
    for (let side = 0; side < 2; side++) {
      expect(peakAbs(out[side]), `side ${side} peak`).to.be.above(0.1);
      const got = onsets(out[side]);
      const refOnsets = onsets(ref[side]);
      expect(refOnsets.length, `reference onsets side ${side}`).to.equal(NOTES[side].length);
      const offsets = refOnsets.map((f, i) => f - expected[side][i]);
      const d0 = offsets[0];
      expect(d0 - latency, 'the detector finds a note within 2 frames of its start').to.be.within(0, 2);
      expect(offsets, 'the detector\'s offset is the same for every reference note').to.deep.equal(offsets.map(() => d0));
      expect(got.length, `onsets found on side ${side}: ${got}`).to.equal(NOTES[side].length);
      const errors = got.map((f, i) => f - (expected[side][i] + d0));
      expect(Math.max(...errors.map(Math.abs)), `onset errors (frames) on side ${side}: ${errors}`).to.be.at.most(1);
    }
  });

  it('tempo: \'keep\' plays the notes at the file\'s beats under the page\'s tempo', async () => {
    const bpm = 90;
    let song;
    const out = await render(3.2, async (e) => {
      const [a, b] = twoSynths(e);
      e.transport.tempo = bpm;
      song = await e.loadMidi(songBytes(), { route: { byChannel: [a, b] }, tempo: 'keep' });
      e.transport.start({ at: F0 / SR });
    });
    expect(song.tempo).to.equal('keep');
    expect(song.tempoMap).to.deep.equal([{ beat: 0, bpm, ramp: 'step' }]);
    expect(song.seconds).to.be.closeTo((4160 / TPQ) * (60 / bpm), 1e-9);
    const first = onsets(out[0]).slice(0, 4);
    const want = NOTES[0].slice(0, 4).map(([t]) => F0 + Math.round((t / TPQ) * (60 / bpm) * SR));
    const errors = first.map((f, i) => f - want[i]);
    // All shifted by the same latency + detector offset (0 to 2 frames past the limiter's look-ahead).
    expect(new Set(errors).size, `errors ${errors}`).to.be.at.most(2);
    expect(Math.max(...errors) - Math.min(...errors)).to.be.at.most(1);
  });
});

describe('engine.loadMidi: bad input, failed fetches, removal', function () {
  this.timeout(120000);

  /** A realtime engine, started, with one synth (its status words, the timeline's event count among them, are published as it runs). */
  async function realtimeEngine() {
    const engine = new Engine({ context: new AudioContext() });
    await engine.start();
    return { engine, synth: engine.createSynth(engine.createChannel({ volumeDb: -60 }), SYNTH) };
  }

  /** Waits for the audio thread to publish `n` timeline events, then checks the count is exactly that. */
  async function timelineHolds(engine, n) {
    await until(() => engine.status().timelineEvents === n, { engine, audio: 1, frames: 30, what: () => `${n} timeline events (at ${engine.status().timelineEvents})` });
  }

  async function rejects(promise) {
    try {
      await promise;
    } catch (e) {
      return e;
    }
    throw new Error('expected a rejection');
  }

  it('rejects bad files naming the problem and the byte offset, bad routes and failed fetches, and schedules nothing', async () => {
    const { engine, synth } = await realtimeEngine();
    const good = songBytes();
    const cases = [
      [new TextEncoder().encode('RIFF....WAVEfmt '), TypeError, /^Standard MIDI file, byte 0: not a Standard MIDI File: it must start with "MThd", not "RIFF"/, 0],
      [good.slice(0, 30), RangeError, /^Standard MIDI file, byte 18: chunk "MTrk" claims \d+ bytes; 8 remain in the file/, 18],
      [(() => { const b = good.slice(); b[9] = 2; return b; })(), RangeError, /^Standard MIDI file, byte 8: format 2 \(independent sequences\) is not supported/, 8],
      [(() => { const b = good.slice(); b[12] = 0; b[13] = 0; return b; })(), RangeError, /^Standard MIDI file, byte 12: division of 0 ticks per quarter note/, 12],
    ];
    for (const [bytes, Kind, re, offset] of cases) {
      const e = await rejects(engine.loadMidi(bytes, { route: synth }));
      expect(e, String(e)).to.be.instanceOf(Kind);
      expect(e.message).to.match(re);
      expect(e.offset).to.equal(offset);
    }
    const missing = await rejects(engine.loadMidi('/no/such/song.mid', { route: synth }));
    expect(missing.message).to.match(/^loadMidi: could not fetch \/no\/such\/song\.mid: HTTP 404/);
    const noRoute = await rejects(engine.loadMidi(good, {}));
    expect(noRoute).to.be.instanceOf(TypeError);
    expect(noRoute.message).to.match(/options\.route is required/);
    const badRoute = await rejects(engine.loadMidi(good, { route: { byTrack: [null, 'lead'] } }));
    expect(badRoute).to.be.instanceOf(TypeError);
    expect(badRoute.message).to.match(/route\.byTrack\[1\] is lead; expected a synth, null or undefined/);
    const badSource = await rejects(engine.loadMidi(42, { route: synth }));
    expect(badSource).to.be.instanceOf(TypeError);
    expect(badSource.message).to.match(/cannot load 42; give a URL or the file's bytes/);
    const badTempo = await rejects(engine.loadMidi(good, { route: synth, tempo: 'bars' }));
    expect(badTempo).to.be.instanceOf(RangeError);
    expect(engine.transport.tempoMap).to.deep.equal([{ beat: 0, bpm: 120, ramp: 'step' }]);
    // Nothing was scheduled: a good load afterwards leaves exactly its own events in the timeline.
    const song = await engine.loadMidi(good, { route: synth, tempo: 'keep' });
    await timelineHolds(engine, 2 * song.count);
    await engine.close();
  });

  it('a song fetched by URL loads; remove() takes its notes out in one batch and gives the tempo map and signature back', async () => {
    const { engine, synth } = await realtimeEngine();
    engine.transport.setTempoMap([{ beat: 0, bpm: 100 }, { beat: 8, bpm: 140, ramp: 'step' }]);
    engine.transport.timeSignature = [7, 8];
    const before = engine.transport.tempoMap;
    const url = URL.createObjectURL(new Blob([songBytes()], { type: 'audio/midi' }));
    const song = await engine.loadMidi(url, { route: (trackInfo, channel) => (channel === 0 ? synth : null) });
    URL.revokeObjectURL(url);
    expect(song.count).to.equal(NOTES[0].length);
    expect(song.warnings).to.deep.equal(['track 2 "ch2", channel 2: 7 notes not routed (no synth)', '7 notes in all were not routed to a synth']);
    expect(engine.transport.tempoMap).to.deep.equal(song.tempoMap);
    expect(engine.transport.timeSignature).to.deep.equal([4, 4]); // the file gives none: 4/4
    await timelineHolds(engine, 2 * NOTES[0].length);
    // A second song stays when the first is removed.
    const other = await engine.loadMidi(songBytes(), { route: { byChannel: [null, synth] }, tempo: 'keep' });
    await timelineHolds(engine, 2 * (NOTES[0].length + NOTES[1].length));
    await song.remove();
    await timelineHolds(engine, 2 * NOTES[1].length);
    expect(engine.transport.tempoMap).to.deep.equal(before);
    expect(engine.transport.timeSignature).to.deep.equal([7, 8]);
    await song.remove(); // twice is harmless
    await other.remove();
    await timelineHolds(engine, 0);
    await engine.close();
  });

  it('a removed song plays nothing', async () => {
    const out = await render(1, async (e) => {
      const [a, b] = twoSynths(e);
      const song = await e.loadMidi(songBytes(), { route: { byChannel: [a, b] } });
      await song.remove();
      e.transport.start({ at: 0 });
    });
    expect(peakAbs(out[0]) + peakAbs(out[1])).to.be.below(1e-6);
  });
});
