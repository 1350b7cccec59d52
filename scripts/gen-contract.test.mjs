// node --test scripts/gen-contract.test.mjs: the contract generator on altered copies of
// protocol/contract.json. The layout version follows what both threads must agree on (a range, a
// status word) and not the docs; a table the two sides could not share fails with a message that
// names the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate } from './gen-contract.mjs';

const TABLE = JSON.parse(readFileSync(new URL('../protocol/contract.json', import.meta.url), 'utf8'));
const copy = () => structuredClone(TABLE);
const version = (t) => generate(t).version;

test('the layout version is a hash of the contract: a range, an event kind or a status word changes it, a doc does not', () => {
  const v = version(copy());
  assert.equal(version(copy()), v, 'deterministic');
  assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 31, 'a positive int32 (WASM returns i32 to JavaScript)');
  let t = copy();
  t.strip[0].doc = 'reworded';
  t.status[0].doc = 'reworded';
  assert.equal(version(t), v, 'docs do not count');
  t = copy();
  t.strip[0].max = 18;
  assert.notEqual(version(t), v, 'a range');
  t = copy();
  t.status.push({ name: 'newCounter', type: 'count', from: 'dsp', doc: '' });
  assert.notEqual(version(t), v, 'a status word');
  t = copy();
  t.events.kinds[0].value = 9;
  assert.notEqual(version(t), v, 'an event kind');
});

test('a new status counter is one table entry: a Zig index, a header word and a decoded field', () => {
  const t = copy();
  t.status.push({ name: 'newCounter', type: 'count', from: 'dsp', doc: 'A new counter.' });
  const { zig, ts } = generate(t);
  // DSP words: one per entry, two for a frame or an f64.
  const n = TABLE.status.filter((w) => w.from === 'dsp').reduce((k, w) => k + (w.type === 'frame' || w.type === 'f64' ? 2 : 1), 0);
  assert.match(zig, new RegExp(`pub const new_counter: usize = ${n};`));
  assert.match(ts, /\["newCounter", \d+, 0\]/);
  assert.match(ts, /newCounter: number;/);
});

test('tables the threads could not share are refused, naming the problem', () => {
  const bad = (edit, message) => {
    const t = copy();
    edit(t);
    assert.throws(() => generate(t), { message }, String(message));
  };
  bad((t) => { t.strip[1].name = t.strip[0].name; }, /strip: duplicate 'trimDb'/);
  bad((t) => { t.strip[0].default = 99; }, /trimDb: default 99 outside -24\.\.24/);
  bad((t) => { t.synth[0].values.pop(); }, /wave: 4 values for 0\.\.4/);
  bad((t) => { for (let i = 0; i < 8; i++) t.strip.push({ name: `x${i}`, unit: '', min: 0, max: 1, default: 0 }); }, /strip: more than 32 parameters/);
  bad((t) => { t.limits.eventRing = 1000; }, /eventRing must be a power of two/);
  bad((t) => { t.status[0].type = 'float'; }, /status frame: type 'float'/);
  bad((t) => { for (let i = 0; i < 5; i++) t.status.push({ name: `c${i}`, type: 'count', from: 'dsp' }); }, /more than 32 DSP status words/);
  bad((t) => { t.status.push({ name: 'wide', type: 'f64', from: 'dsp' }, { name: 'wider', type: 'frame', from: 'dsp' }, { name: 'one', type: 'count', from: 'dsp' }); }, /more than 32 DSP status words/);
  bad((t) => { t.status.push({ name: 'busy', type: 'permille', from: 'dsp' }); }, /status busy: permille is the worklet's/);
  bad((t) => { t.events.kinds.push({ name: 'noteOn', value: 8 }); }, /events.kinds: duplicate 'noteOn'/);
  bad((t) => { t.header.push({ name: 'quanta' }); }, /header \+ status: duplicate 'quanta'/);
});

test('a bus-effect parameter is one table entry: a Zig index and bus, a BUS_FX row and an option field', () => {
  const t = copy();
  t.busFx.push({ name: 'delayDrift', bus: 'delay', unit: 'linear', min: 0, max: 1, default: 0.25, doc: 'A new one.' });
  const { zig, ts } = generate(t);
  const n = TABLE.busFx.length;
  assert.match(zig, new RegExp(`pub const delay_drift: usize = ${n};`));
  assert.match(zig, /pub const Param = enum\(u8\) \{[^}]*delay_drift \}/);
  assert.match(zig, new RegExp(`pub const bus = \\[count\\]u8\\{ [0-9, ]*1 \\};`));
  assert.match(ts, /\["delayDrift", "linear", 0, 1, 0\.25, "all", 0\],/);
  assert.match(ts, /export interface DelayFxParams \{[^}]*delayDrift\?: number;/s);
  assert.notEqual(generate(t).version, generate(copy()).version);
});

test('bus-effect tables the threads could not share are refused, naming the problem', () => {
  const bad = (edit, message) => {
    const t = copy();
    edit(t);
    assert.throws(() => generate(t), { message }, String(message));
  };
  bad((t) => { t.busFx[0].bus = 'chorus'; }, /busFx reverbDecayS: bus 'chorus' is not one of reverb, delay, drum/);
  bad((t) => { t.busFx[0].bus = 'delay'; }, /busFx reverbDecayS: the name must start with its bus 'delay'/);
  bad((t) => { t.busFx[1].name = t.busFx[0].name; }, /busFx: duplicate 'reverbDecayS'/);
  bad((t) => { t.busFx[0].default = 99; }, /reverbDecayS: default 99 outside 0\.1\.\.30/);
  bad((t) => { t.limits.busFxParams = 4; }, /busFx: more than 4 parameters/);
});
