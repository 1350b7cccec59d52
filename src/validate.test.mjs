// node --test src/validate.test.mjs: parameter checks against the real generated tables. Every
// out-of-range number is clamped to the table's range (and says so), integers and enums round,
// switches take booleans, and anything else is a TypeError naming the parameter, the value and the
// valid range. show() turns any value into text without throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { checkParam, describeRange, show } = await importTs(new URL('./validate.ts', import.meta.url));
const { STRIP_PARAMS, SYNTH_PARAMS } = await importTs(new URL('../protocol/generated/contract.ts', import.meta.url));
const spec = (name) => [...STRIP_PARAMS, ...SYNTH_PARAMS].find((p) => p.name === name);

test('every parameter: inside the range unchanged, outside clamped to the nearer end', () => {
  for (const p of [...STRIP_PARAMS, ...SYNTH_PARAMS]) {
    if (p.unit === 'bool') continue;
    assert.deepEqual(checkParam(p, p.default), { value: p.default, clamped: false }, p.name);
    assert.deepEqual(checkParam(p, p.max + 1), { value: p.max, clamped: true }, p.name);
    if (p.min > -Infinity) assert.deepEqual(checkParam(p, p.min - 1), { value: p.min, clamped: true }, p.name);
    assert.deepEqual(checkParam(p, Infinity), { value: p.max, clamped: true }, `${p.name} +Infinity`);
  }
});

test('-Infinity is a value where the range starts there (volumeDb), clamped elsewhere', () => {
  assert.deepEqual(checkParam(spec('volumeDb'), -Infinity), { value: -Infinity, clamped: false });
  assert.deepEqual(checkParam(spec('trimDb'), -Infinity), { value: -24, clamped: true });
});

test('switches take booleans and round numbers at 0.5; integers and enums round', () => {
  const mute = spec('mute');
  assert.equal(checkParam(mute, true).value, 1);
  assert.equal(checkParam(mute, false).value, 0);
  assert.equal(checkParam(mute, 0.49).value, 0);
  assert.equal(checkParam(mute, 0.5).value, 1);
  assert.equal(checkParam(spec('octave'), 1.6).value, 2);
  assert.equal(checkParam(spec('polyphony'), 7.4).value, 7);
  assert.equal(checkParam(spec('wave'), 'square').value, 3);
  assert.equal(checkParam(spec('wave'), 2.7).value, 3);
});

test('wrong kinds are TypeErrors naming the owner, the parameter, the value and the range', () => {
  assert.throws(() => checkParam(spec('volumeDb'), NaN, 'channel'), { name: 'TypeError', message: /channel volumeDb: NaN is not a value \(-Infinity to 12 dB\)/ });
  assert.throws(() => checkParam(spec('cutoffHz'), '2400', 'synth'), { name: 'TypeError', message: /synth cutoffHz: expected a number \(20 to 20000 Hz\), got '2400'/ });
  assert.throws(() => checkParam(spec('wave'), 'noise', 'synth'), { name: 'TypeError', message: /'noise' is not one of sine \| triangle \| saw \| square \| pulse/ });
  assert.throws(() => checkParam(spec('pan'), true), { name: 'TypeError', message: /pan: expected a number/ });
  assert.throws(() => checkParam(spec('pan'), null), TypeError);
  assert.throws(() => checkParam(spec('pan'), {}), TypeError);
});

test('describeRange: numbers with their unit, names for enums, true | false for switches', () => {
  assert.equal(describeRange(spec('eqLowHz')), '20 to 2000 Hz');
  assert.equal(describeRange(spec('eqMidQ')), '0.1 to 18');
  assert.equal(describeRange(spec('inputIndex')), '-1 to 31');
  assert.equal(describeRange(spec('invert')), 'true | false');
  assert.equal(describeRange(spec('wave')), 'sine | triangle | saw | square | pulse');
});

test('show() never throws and cuts long text', () => {
  assert.equal(show(Symbol('s')), 'Symbol(s)');
  assert.equal(show({ toString() { throw new Error('no'); } }), 'a value that cannot be shown as text');
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(show(proxy), 'a value that cannot be shown as text');
  const long = show('x'.repeat(1000));
  assert.ok(long.length < 150 && long.endsWith('(1000 characters)'), long);
  assert.equal(show(-0.5), '-0.5');
});
