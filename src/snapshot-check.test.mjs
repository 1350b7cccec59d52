// node --test src/snapshot-check.test.mjs: the snapshot validator engine.restore() runs before it
// applies anything. A complete snapshot passes and reads back to engine values; every kind of
// problem is refused with the JSON path of the first one, as a TypeError (wrong kind) or RangeError
// (outside its range, unknown name, index to nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { checkSnapshot, loadValue } = await importTs(new URL('./snapshot-check.ts', import.meta.url));
const { storeValue, stripSpecs } = await importTs(new URL('./snapshot.ts', import.meta.url));
const { STRIP_PARAMS, SYNTH_PARAMS, BUS_NAMES } = await importTs(new URL('../protocol/generated/contract.ts', import.meta.url));
const spec = (name) => [...STRIP_PARAMS, ...SYNTH_PARAMS].find((p) => p.name === name);

function valid() {
  return {
    schema: 1, sampleRate: 48000,
    master: { params: { volumeDb: -3, limiterCeilingDb: -1 } },
    buses: BUS_NAMES.map((name) => ({ name, params: {}, fx: {} })),
    channels: [{ label: 'A', params: { volumeDb: '-inf', pan: -0.5, mute: true } }, { label: 'B', params: {} }],
    synths: [{ channel: 1, params: { wave: 'saw' } }],
    samples: [{ url: 'https://example.com/a.wav', id: 1025, from: 'url', duration: 2, loopStart: 0, loopEnd: 2 }],
    transport: { tempoMap: [{ beat: 0, bpm: 120, ramp: 'step' }], timeSignature: [3, 4], loop: { start: 0, end: 4, enabled: false }, swing: 0, swingGrid: 0.5, metronome: false, metronomeLevel: 0.5 },
    timeline: { notes: [{ synth: 0, pitch: 60, beat: 0, length: 1, velocity: 1, straight: false }], clips: [{ kind: 'play', channel: 0, sample: 0, time: 0, offset: 0.5, loop: true, gain: 1 }], automation: [] },
  };
}

/** Throws `type` with a message starting with `restore: <path>:`. */
function rejects(mutate, type, path, rest = '') {
  const s = valid();
  mutate(s);
  assert.throws(() => checkSnapshot(s), (e) => {
    assert.equal(e.constructor, type, e.message);
    assert.ok(e.message.startsWith(`restore: ${path}: ${rest}`), `${e.message} should start with 'restore: ${path}: ${rest}'`);
    return true;
  });
}

test('a complete snapshot passes, as an object and as JSON text, with engine values and defaults filled in', () => {
  for (const input of [valid(), JSON.stringify(valid())]) {
    const c = checkSnapshot(input);
    assert.equal(c.channels[0].params.volumeDb, -Infinity);
    assert.equal(c.channels[0].params.mute, 1);
    assert.equal(c.channels[1].params.volumeDb, spec('volumeDb').default);
    assert.equal(c.synths[0].params.wave, spec('wave').values.indexOf('saw'));
    assert.equal(c.timeline.clips[0].offset, 0.5);
    assert.deepEqual(c.transport.timeSignature, [3, 4]);
  }
});

test('stored values read back to the same engine values for every public strip parameter', () => {
  for (const p of stripSpecs('channel')) {
    for (const v of [p.min, p.max, p.default]) {
      const e = p.unit === 'bool' ? (v >= 0.5 ? 1 : 0) : v;
      assert.equal(loadValue(p, JSON.parse(JSON.stringify(storeValue(p, e))), 'x'), e, p.name);
    }
  }
});

test('out of range, wrong kind, unknown names: the first problem by path, nothing else', () => {
  rejects((s) => { s.channels[1].params.volumeDb = 99; }, RangeError, 'channels[1].params.volumeDb', '99 is outside -inf..12');
  rejects((s) => { s.channels[0].params.pan = 'left'; }, TypeError, 'channels[0].params.pan', "expected a number -1..1, got 'left'");
  rejects((s) => { s.channels[0].params.loudness = 1; }, RangeError, 'channels[0].params.loudness', 'unknown parameter');
  rejects((s) => { s.master.params.sendReverb = 0.5; }, RangeError, 'master.params.sendReverb', 'unknown parameter');
  rejects((s) => { s.synths[0].params.wave = 'noise-ish'; }, RangeError, 'synths[0].params.wave');
  rejects((s) => { s.synths[0].channel = 2; }, RangeError, 'synths[0].channel', '2 is outside 0..1');
  rejects((s) => { s.buses[1].fx.reverbDecayS = 2; }, RangeError, 'buses[1].fx.reverbDecayS', 'unknown parameter');
  rejects((s) => { s.buses.pop(); }, RangeError, 'buses');
  rejects((s) => { s.schema = 2; }, RangeError, 'schema');
  rejects((s) => { delete s.schema; }, TypeError, 'schema');
  rejects((s) => { s.samples[0].from = 'bytes'; }, TypeError, 'samples[0].url');
  rejects((s) => { s.samples[0].loopEnd = 3; }, RangeError, 'samples[0].loopEnd', '3 is outside 0..2');
  rejects((s) => { s.transport.tempoMap.push({ beat: 0, bpm: 90 }); }, RangeError, 'transport.tempoMap[1].beat');
  rejects((s) => { s.transport.tempoMap[0].bpm = 500; }, RangeError, 'transport.tempoMap[0].bpm', '500 is outside 20..400');
  rejects((s) => { s.transport.timeSignature = [4, 3]; }, RangeError, 'transport.timeSignature[1]');
  rejects((s) => { s.transport.metronome = 'yes'; }, TypeError, 'transport.metronome');
  rejects((s) => { s.timeline.notes[0].synth = 1; }, RangeError, 'timeline.notes[0].synth');
  rejects((s) => { s.timeline.notes[0].pitch = 128; }, RangeError, 'timeline.notes[0].pitch', '128 is outside 0..127');
  rejects((s) => { s.timeline.clips[0].sample = 3; }, RangeError, 'timeline.clips[0].sample');
  rejects((s) => { s.timeline.automation = [{ lane: 1 }]; }, RangeError, 'timeline.automation[0].target', 'undefined is not one of master | bus | channel | synth');
  rejects((s) => { s.channels = {}; }, TypeError, 'channels', 'expected an array');
  // The first problem wins: two bad values, the earlier path is named.
  rejects((s) => { s.channels[0].params.pan = 5; s.timeline.notes[0].pitch = -1; }, RangeError, 'channels[0].params.pan');
  assert.throws(() => checkSnapshot('{not json'), (e) => e instanceof TypeError && e.message.startsWith('restore: (JSON text): not valid JSON'));
  assert.throws(() => checkSnapshot(null), TypeError);
});

test('automation lanes: read as automate() takes them (sorted, engine values), refused by path where automate() would refuse', () => {
  const lane = (o) => ({ target: 'channel', index: 1, param: 'pan', points: [{ beat: 2, value: 0.5, ramp: 'linear' }, { beat: 0, value: -0.5, ramp: 'step' }], ...o });
  const s = valid();
  s.timeline.automation = [lane(), { target: 'synth', index: 0, param: 'wave', points: [{ at: 1, value: 'square', ramp: 'step' }] },
    { target: 'master', index: 0, param: 'volumeDb', points: [{ beat: 0, value: -6 }, { beat: 4, value: -12, ramp: 'exponential' }] }];
  const got = checkSnapshot(s).timeline.automation;
  assert.deepEqual(got[0], { target: 'channel', index: 1, param: 'pan', points: [{ beat: 0, value: -0.5, ramp: 'step' }, { beat: 2, value: 0.5, ramp: 'linear' }] });
  assert.deepEqual(got[1].points, [{ at: 1, value: SYNTH_PARAMS.find((p) => p.name === 'wave').values.indexOf('square'), ramp: 'step' }]);
  assert.equal(got[2].points[1].ramp, 'exponential');
  const bad = (o, type, path, rest) => rejects((x) => { x.timeline.automation = [lane(o)]; }, type, `timeline.automation[0]${path}`, rest);
  bad({ target: 'deck' }, RangeError, '.target', "'deck' is not one of");
  bad({ index: 2 }, RangeError, '.index', '2 is outside 0..1');
  bad({ param: 'solo' }, RangeError, '.param', "'solo' cannot be automated on a channel");
  bad({ target: 'master', index: 0, param: 'sendReverb' }, RangeError, '.param');
  bad({ points: [{ beat: 0, value: 2 }] }, RangeError, '.points[0].value', '2 is outside -1..1');
  bad({ points: [{ beat: 0, at: 1, value: 0 }] }, TypeError, '.points[0]', 'give beat or at, not both');
  bad({ points: [{ beat: 0, value: 0 }, { at: 1, value: 0 }] }, TypeError, '.points[1].at', 'this lane is in beats');
  bad({ points: [{ beat: 0, value: 0, ramp: 'cubic' }] }, RangeError, '.points[0].ramp', "'cubic' is not one of");
  bad({ points: [{ beat: 0, value: -0.5 }, { beat: 1, value: 0.5, ramp: 'exponential' }] }, RangeError, '.points[1].ramp', 'an exponential ramp to 0.5 needs the previous point (-0.5) of the same sign');
  bad({ param: 'mute', points: [{ beat: 0, value: true, ramp: 'linear' }] }, RangeError, '.points[0].ramp', "mute takes whole values; only 'step' applies");
  bad({ param: 'volumeDb', points: [{ beat: 0, value: '-inf' }] }, RangeError, '.points[0].value', '-inf cannot be automated');
});

