// node --test elements/shared/pattern-grammar.test.mjs: the note-list grammar of <daw-sequence> and the
// pattern text of <daw-steps>, against values worked out by hand (MIDI numbers: C4 = 60, A4 = 69).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./pattern-grammar.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { parsePitch, parseBeats, parseNotes, parseSteps, formatSteps } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

test('pitches by name (sharps, flats, octave -1) or MIDI number; anything else is NaN', () => {
  const cases = { C4: 60, c4: 60, 'C#4': 61, Db4: 61, A4: 69, B3: 59, Cb4: 59, 'c-1': 0, G9: 127, 0: 0, 127: 127 };
  for (const [t, p] of Object.entries(cases)) assert.equal(parsePitch(String(t)), p, t);
  for (const t of ['H4', 'C', '128', '-1', 'G#9', 'C4.5', '4C', '']) assert.ok(Number.isNaN(parsePitch(t)), t);
});

test('times: beats, fractions and 1-based bar:beat in the signature', () => {
  assert.equal(parseBeats('1.5'), 1.5);
  assert.equal(parseBeats('3/4'), 0.75);
  assert.equal(parseBeats('2:3', 4), 6); // bar 2 beat 3 in 4/4
  assert.equal(parseBeats('1:5/2', 4), 1.5);
  assert.equal(parseBeats('2:1', 3), 3); // 3/4
  for (const t of ['-1', 'x', '1/0', '0:1', '1:0', '2:1', '1e3', '']) assert.ok(Number.isNaN(parseBeats(t, t === '2:1' ? 0 : 4)), t);
});

test('a synth note list: defaults, cut to the pattern, every bad token named with its note and position', () => {
  const { events, errors } = parseNotes('C4 0 1/2, E4 1 0.5 0.8; G4 2:1, 60 3 9', false, 4, 4);
  assert.deepEqual(events, [
    { beat: 0, length: 0.5, level: 1, pitch: 60 },
    { beat: 1, length: 0.5, level: 0.8, pitch: 64 },
    { beat: 4, length: 1, level: 1, pitch: 67 },
    { beat: 3, length: 4, level: 1, pitch: 60 },
  ].filter((e) => e.beat < 4));
  assert.equal(errors.length, 1); // G4 2:1 = beat 4, at the pattern's end
  assert.match(errors[0].message, /^"2:1" \(note 3, at character 27\) starts at or after the pattern's end \(length 4 beats\); expected "pitch start/);
  const bad = parseNotes('C4 0, H4 1, C4 x, C4 1 0, C4 1 1 2, C4 1 1 1 1, C4', false, 4, 4).errors;
  assert.deepEqual(bad.map((e) => [e.token, e.event, e.at]), [['H4', 1, 6], ['x', 2, 15], ['0', 3, 23], ['2', 4, 33], ['1', 5, 45], ['C4', 6, 48]]);
  assert.match(bad[0].message, /"H4" \(note 2, at character 6\) is not a pitch; expected "pitch start \[length \[velocity\]\]"/);
  assert.match(bad[4].message, /one field too many/);
  assert.match(bad[5].message, /has no start/);
});

test('a clip list: start [length [gain]], no length = to the file\'s end', () => {
  const { events, errors } = parseNotes('0, 1 1/2 0.5, 2 1 17', true, 4, 4);
  assert.deepEqual(events, [{ beat: 0, length: 0, level: 1, pitch: undefined }, { beat: 1, length: 0.5, level: 0.5, pitch: undefined }]);
  assert.match(errors[0].message, /"17" \(note 3, at character 18\) is not a gain 0 to 16; expected "start \[length \[gain\]\]"/);
});

test('step patterns round-trip; missing rows and steps are off', () => {
  const cells = parseSteps('9..x 1.5', 3, 4);
  assert.deepEqual(cells, [[9, 0, 0, 9], [1, 0, 5, 0], [0, 0, 0, 0]]);
  assert.equal(formatSteps(cells), '9..9 1.5. ....');
  assert.deepEqual(parseSteps(formatSteps(cells), 3, 4), cells);
});
