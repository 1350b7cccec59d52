// node --test src/midi-load.test.mjs: how engine.loadMidi maps a file onto the transport, without an
// engine: tracks and channels to synths (every route form), velocities, the tempo map's conversion to
// the transport's (and the fall-back to seconds when the transport cannot hold it), note beats and
// lengths against values worked out by hand from the file written here byte by byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smf, track } from '../test/smf-writer.js';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./midi-load.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { midiTiming, routeMidi, beatsToSeconds } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);
const { outputFiles: reader } = await build({ entryPoints: [new URL('./midi.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { parseMidi } = await import(`data:text/javascript,${encodeURIComponent(reader[0].text)}`);

// Files are written by test/smf-writer.js (from the spec, independent of the reader).
const file = (tpq, ...tracks) => parseMidi(smf(1, tpq, tracks));
const tempo = (tick, us) => [tick, 0xff, 0x51, 3, (us >> 16) & 255, (us >> 8) & 255, us & 255];
const note = (tick, len, ch, pitch, vel) => [[tick, 0x90 | ch, pitch, vel], [tick + len, 0x80 | ch, pitch, 0]];

const TPQ = 480;
// Conductor: 120 BPM, 90 BPM from beat 4 (tick 1920), 3/4. Track 1 "Lead": channel 0 and channel 2;
// track 2 "Bass": channel 1.
const song = () => file(TPQ,
  track([tempo(0, 500000), tempo(1920, 666667), [0, 0xff, 0x58, 4, 3, 2, 24, 8]]),
  track([...note(0, 240, 0, 60, 127), ...note(960, 0, 0, 62, 64), ...note(2400, 480, 2, 64, 1)], 'Lead'),
  track([...note(480, 960, 1, 36, 100), ...note(3360, 120, 1, 38, 90)], 'Bass'));
const synth = (slot) => ({ slot, isDisposed: false });

test('tempo: the file\'s map becomes the transport\'s, in beats (tick / ticks per quarter), steps, BPM = 60e6 / µs', () => {
  const f = song();
  const t = midiTiming(f, 'file', 256);
  assert.equal(t.mode, 'file');
  assert.deepEqual(t.map, [{ beat: 0, bpm: 120, ramp: 'step' }, { beat: 4, bpm: 60e6 / 666667, ramp: 'step' }]);
  assert.equal(t.beatOf(2400), 5);
  assert.deepEqual(t.warnings, []);
  // Seconds at beat 5 under that map: 4 beats at 120 + 1 beat at 60e6/666667 BPM = 2 + 0.666667 s.
  assert.ok(Math.abs(beatsToSeconds(t.map, 5) - 2.666667) < 1e-12);
});

test('tempo: \'keep\' sets no map and places notes at the file\'s beats', () => {
  const t = midiTiming(song(), 'keep', 256);
  assert.equal(t.map, null);
  assert.equal(t.beatOf(720), 1.5);
});

test('tempo: a file the transport cannot follow (10 BPM, or more points than it holds) is placed in seconds at one tempo', () => {
  // 10 BPM (6,000,000 µs) from tick 480: below the transport's 20 BPM.
  const slow = file(TPQ, track([tempo(0, 500000), tempo(480, 6000000), ...note(960, 480, 0, 60, 100)]));
  const t = midiTiming(slow, 'file', 256);
  assert.equal(t.mode, 'seconds');
  assert.deepEqual(t.map, [{ beat: 0, bpm: 120, ramp: 'step' }]);
  assert.match(t.warnings[0], /tempo 10 BPM at tick 480 is outside the transport's 20 to 400 BPM/);
  // Tick 960: 1 beat at 120 (0.5 s) + 1 beat at 10 BPM (6 s) = 6.5 s = beat 13 at 120 BPM.
  assert.ok(Math.abs(t.beatOf(960) - 13) < 1e-12);
  // Too many points: 5 tempo changes against a transport holding 4.
  const many = file(TPQ, track([0, 1, 2, 3, 4].map((k) => tempo(k * 480, 500000 + k * 1000))));
  const m = midiTiming(many, 'file', 4);
  assert.equal(m.mode, 'seconds');
  assert.match(m.warnings[0], /5 tempo changes are more than the transport's 4/);
  // 'seconds' asked for: the first tempo, clamped into 20 … 400 (a 1,000 BPM file runs at 400).
  const fast = file(TPQ, track([tempo(0, 60000)]));
  assert.deepEqual(midiTiming(fast, 'seconds', 256).map, [{ beat: 0, bpm: 400, ramp: 'step' }]);
  assert.throws(() => midiTiming(song(), 'bars', 256), (e) => e instanceof RangeError && /tempo 'bars' is not one of file \| keep \| seconds/.test(e.message));
});

test('routes: byTrack by file track index, byChannel (index 0 = channel 1), a function asked once per track and channel, one synth', () => {
  const f = song();
  const beatOf = (t) => t / TPQ;
  const [a, b, c] = [synth(0), synth(1), synth(2)];
  const byTrack = routeMidi(f, { byTrack: [null, a, b] }, beatOf);
  assert.deepEqual(byTrack.notes.map((n) => [n.synth.slot, n.pitch, n.beat]), [[0, 60, 0], [0, 62, 2], [0, 64, 5], [1, 36, 1], [1, 38, 7]]);
  assert.deepEqual(byTrack.tracks.map((t) => [t.index, t.name, t.notes, t.channels, t.scheduled]), [[0, '', 0, [], 0], [1, 'Lead', 3, [0, 2], 3], [2, 'Bass', 2, [1], 2]]);
  assert.deepEqual(byTrack.warnings, []);

  const byChannel = routeMidi(f, { byChannel: [a, b] }, beatOf);
  assert.deepEqual(byChannel.notes.map((n) => [n.synth.slot, n.pitch]), [[0, 60], [0, 62], [1, 36], [1, 38]]);
  assert.deepEqual(byChannel.warnings, ['track 1 "Lead", channel 3: 1 notes not routed (no synth)', '1 notes in all were not routed to a synth']);

  const asked = [];
  const fn = routeMidi(f, (t, ch) => { asked.push([t.index, t.name, ch]); return ch === 2 ? c : t.name === 'Bass' ? b : null; }, beatOf);
  assert.deepEqual(asked, [[1, 'Lead', 0], [1, 'Lead', 2], [2, 'Bass', 1]]);
  assert.deepEqual(fn.notes.map((n) => [n.synth.slot, n.pitch]), [[2, 64], [1, 36], [1, 38]]);

  assert.equal(routeMidi(f, a, beatOf).notes.length, 5);
});

test('notes: velocity v / 127 (or the page\'s curve), lengths in beats (a 0-tick note gets the timeline\'s shortest, 1/960), not swung', () => {
  const f = song();
  const { notes } = routeMidi(f, synth(0), (t) => t / TPQ);
  assert.deepEqual(notes.map((n) => n.velocity), [127, 64, 1, 100, 90].map((v) => v / 127));
  assert.deepEqual(notes.map((n) => n.length), [0.5, 1 / 960, 1, 2, 0.25]);
  assert.ok(notes.every((n) => n.straight === true));
  const curved = routeMidi(f, synth(0), (t) => t / TPQ, (v) => (v / 127) ** 2);
  assert.equal(curved.notes[1].velocity, (64 / 127) ** 2);
});

test('bad routes and curves: TypeError / RangeError naming the problem', () => {
  const f = song();
  const beatOf = (t) => t / TPQ;
  const err = (Kind, re) => (e) => e instanceof Kind && re.test(e.message);
  assert.throws(() => routeMidi(f, 42, beatOf), err(TypeError, /route is 42; expected a synth, \{ byTrack/));
  assert.throws(() => routeMidi(f, { byTrack: [synth(0)], byChannel: [] }, beatOf), err(TypeError, /route is/));
  assert.throws(() => routeMidi(f, { byTrack: [null, 'lead'] }, beatOf), err(TypeError, /route.byTrack\[1\] is lead; expected a synth, null or undefined/));
  assert.throws(() => routeMidi(f, { byChannel: new Array(17).fill(null) }, beatOf), err(RangeError, /17 entries; MIDI has 16 channels/));
  assert.throws(() => routeMidi(f, () => ({ slot: 1, isDisposed: true }), beatOf), err(TypeError, /a disposed synth for track 1, channel 1/));
  assert.throws(() => routeMidi(f, () => 'x', beatOf), err(TypeError, /gave x for track 1, channel 1/));
  assert.throws(() => routeMidi(f, synth(0), beatOf, (v) => v), err(RangeError, /velocity\(2\) gave 2; it must be 0 to 1/));
  assert.throws(() => routeMidi(f, synth(0), beatOf, 'loud'), err(TypeError, /velocity is loud/));
});

test('beatsToSeconds: steps and linear ramps against the closed form', () => {
  const map = [{ beat: 0, bpm: 60, ramp: 'step' }, { beat: 2, bpm: 120, ramp: 'linear' }, { beat: 6, bpm: 240 }];
  assert.equal(beatsToSeconds(map, 0), 0);
  assert.equal(beatsToSeconds(map, 2), 2);
  // Ramp 120 -> 240 over 4 beats: k = 30 BPM/beat, t = (60/30) ln(1 + 30·4/120) = 2 ln 2.
  assert.ok(Math.abs(beatsToSeconds(map, 6) - (2 + 2 * Math.log(2))) < 1e-12);
  assert.ok(Math.abs(beatsToSeconds(map, 10) - (2 + 2 * Math.log(2) + 1)) < 1e-12);
});
