/**
 * The snapshot validator run by engine.restore() before anything is applied (issue #14). Pure logic;
 * `node --test src/snapshot-check.test.mjs`. Loaded with restore() (a page that never restores does
 * not load it). The shape is in snapshot.ts.
 */
import { BUS_NAMES, MAX_CHANNELS, MAX_SAMPLES, MAX_SYNTHS, MAX_TEMPO_POINTS, type ParamSpec } from '../protocol/generated/contract.js';
import {
  SNAPSHOT_SCHEMA, busFxSpecs, stripSpecs, synthSpecs, type SnapshotClip, type SnapshotLane, type SnapshotNote, type SnapshotSample, type SnapshotTempoPoint, type SnapshotTransport,
} from './snapshot.js';
import { show } from './validate.js';

const MAX_BEAT = 2 ** 20;
const TICK = 1 / 960;

/** A problem at a JSON path: RangeError for a value of the right kind outside its range, TypeError otherwise. */
const bad = (path: string, what: string, range = false): never => {
  throw new (range ? RangeError : TypeError)(`restore: ${path}: ${what}`);
};

const fmt = (x: number) => (x === -Infinity ? '-inf' : x === Infinity ? 'inf' : String(x));

/** A stored value as an engine value, strictly: TypeError / RangeError naming `path`, the value and the range. */
export function loadValue(spec: ParamSpec, input: unknown, path: string): number {
  const range = spec.values ? spec.values.join(' | ') : spec.unit === 'bool' ? 'true | false' : `${fmt(spec.min)}..${fmt(spec.max)}`;
  if (spec.unit === 'bool') {
    if (typeof input === 'boolean') return input ? 1 : 0;
    if (input === 0 || input === 1) return input;
    return bad(path, `${show(input)} is not ${range}`);
  }
  if (spec.values) {
    if (typeof input === 'string') {
      const i = spec.values.indexOf(input);
      return i >= 0 ? i : bad(path, `'${show(input)}' is not one of ${range}`, true);
    }
    if (typeof input === 'number' && Number.isInteger(input)) return input >= 0 && input < spec.values.length ? input : bad(path, `${input} is not one of ${range} (or 0..${spec.values.length - 1})`, true);
    return bad(path, `${show(input)} is not one of ${range}`);
  }
  let v: number;
  if (input === '-inf' && spec.min === -Infinity) v = -Infinity;
  else if (typeof input === 'number' && !Number.isNaN(input)) v = input;
  else return bad(path, `expected a number ${range}, got ${typeof input === 'string' ? `'${show(input)}'` : show(input)}`);
  if (!(v >= spec.min && v <= spec.max)) return bad(path, `${fmt(v)} is outside ${range}`, true);
  if (spec.integer && !Number.isInteger(v)) return bad(path, `${v} is not a whole number (${range})`, true);
  return v;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function obj(x: unknown, path: string, shape: string): Record<string, unknown> {
  return isObj(x) ? x : bad(path, `expected ${shape}, got ${Array.isArray(x) ? 'an array' : show(x)}`);
}

function arr(x: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(x)) return bad(path, `expected an array, got ${show(x)}`);
  if (x.length > max) bad(path, `${x.length} entries is more than ${max}`, true);
  return x;
}

function num(x: unknown, path: string, lo: number, hi: number, integer = false): number {
  if (typeof x !== 'number' || Number.isNaN(x)) return bad(path, `expected a number ${fmt(lo)}..${fmt(hi)}, got ${typeof x === 'string' ? `'${show(x)}'` : show(x)}`);
  if (!(x >= lo && x <= hi)) bad(path, `${x} is outside ${fmt(lo)}..${fmt(hi)}`, true);
  if (integer && !Number.isInteger(x)) bad(path, `${x} is not a whole number`, true);
  return x;
}

function bool(x: unknown, path: string): boolean {
  return typeof x === 'boolean' ? x : bad(path, `expected true or false, got ${show(x)}`);
}

/** Checks a params object against `specs`; returns the engine values it sets (missing names: defaults, filled in). */
function params(x: unknown, path: string, specs: ParamSpec[]): Record<string, number> {
  const o = obj(x ?? {}, path, 'an object of parameters');
  const out: Record<string, number> = {};
  for (const s of specs) out[s.name] = s.default;
  for (const [k, v] of Object.entries(o)) {
    const spec = specs.find((s) => s.name === k);
    if (!spec) bad(`${path}.${k}`, `unknown parameter; valid: ${specs.map((s) => s.name).join(', ')}`, true);
    out[k] = loadValue(spec!, v, `${path}.${k}`);
  }
  return out;
}

/** A snapshot checked and read: engine values for every parameter, everything else as stored. */
export interface CheckedSnapshot {
  sampleRate: number;
  master: Record<string, number>;
  buses: { name: string; params: Record<string, number>; fx: Record<string, number> }[];
  channels: { label: string; params: Record<string, number> }[];
  synths: { channel: number | null; params: Record<string, number> }[];
  samples: SnapshotSample[];
  transport: SnapshotTransport;
  timeline: { notes: SnapshotNote[]; clips: SnapshotClip[]; automation: CheckedLane[] };
}

/** A lane checked: points sorted by time, values as engine values. */
export interface CheckedLane extends Omit<SnapshotLane, 'points'> {
  points: { beat?: number; at?: number; value: number; ramp: SnapshotLane['points'][number]['ramp'] }[];
}

/**
 * Validates a snapshot (an object, or its JSON text) completely and returns it read; throws a
 * TypeError (a value of the wrong kind, bad JSON) or RangeError (a value outside its range, an
 * unknown name, an index to nothing) whose message starts with the JSON path of the first problem,
 * e.g. `restore: channels[3].params.volumeDb: 99 is outside -inf..12`.
 */
export function checkSnapshot(input: unknown): CheckedSnapshot {
  let root: unknown = input;
  if (typeof input === 'string') {
    try {
      root = JSON.parse(input);
    } catch (e) {
      return bad('(JSON text)', `not valid JSON (${(e as Error).message})`);
    }
  }
  const s = obj(root, '(root)', 'a snapshot object (engine.snapshot())');
  if (s.schema === undefined) bad('schema', 'missing: not a snapshot made by engine.snapshot()');
  if (s.schema !== SNAPSHOT_SCHEMA) bad('schema', `${show(s.schema)} is not a schema this engine reads (${SNAPSHOT_SCHEMA})`, true);
  const sampleRate = num(s.sampleRate, 'sampleRate', 3000, 768000);
  const master = params(obj(s.master, 'master', '{ params }').params, 'master.params', stripSpecs('master'));
  const busList = arr(s.buses, 'buses', BUS_NAMES.length);
  if (busList.length !== BUS_NAMES.length) bad('buses', `expected ${BUS_NAMES.length} buses (${BUS_NAMES.join(', ')}), got ${busList.length}`, true);
  const buses = busList.map((b, i) => {
    const p = `buses[${i}]`;
    const o = obj(b, p, '{ name, params, fx }');
    if (o.name !== BUS_NAMES[i]) bad(`${p}.name`, `${show(o.name)} should be '${BUS_NAMES[i]}' (buses in order ${BUS_NAMES.join(', ')})`, true);
    return { name: BUS_NAMES[i] as string, params: params(o.params, `${p}.params`, stripSpecs('bus')), fx: params(o.fx, `${p}.fx`, busFxSpecs(BUS_NAMES[i])) };
  });
  const channels = arr(s.channels, 'channels', MAX_CHANNELS).map((c, i) => {
    const p = `channels[${i}]`;
    const o = obj(c, p, '{ label, params }');
    if (typeof o.label !== 'string') bad(`${p}.label`, `expected text, got ${show(o.label)}`);
    return { label: o.label as string, params: params(o.params, `${p}.params`, stripSpecs('channel')) };
  });
  const synths = arr(s.synths, 'synths', MAX_SYNTHS).map((x, i) => {
    const p = `synths[${i}]`;
    const o = obj(x, p, '{ channel, params }');
    const channel = o.channel === null || o.channel === undefined ? null : num(o.channel, `${p}.channel`, 0, channels.length - 1, true);
    return { channel, params: params(o.params, `${p}.params`, synthSpecs()) };
  });
  const samples = arr(s.samples, 'samples', MAX_SAMPLES).map((x, i): SnapshotSample => {
    const p = `samples[${i}]`;
    const o = obj(x, p, '{ url, id, from, duration, loopStart, loopEnd }');
    const from = o.from;
    if (from !== 'url' && from !== 'bytes' && from !== 'pcm') bad(`${p}.from`, `${show(from)} is not one of url | bytes | pcm`);
    if (from === 'url' ? typeof o.url !== 'string' || o.url === '' : o.url !== null && o.url !== undefined) bad(`${p}.url`, from === 'url' ? `expected the URL it was loaded from, got ${show(o.url)}` : `must be null for a sample from ${String(from)}`);
    const duration = num(o.duration, `${p}.duration`, 0, 2 ** 31);
    const loopStart = num(o.loopStart, `${p}.loopStart`, 0, duration);
    const loopEnd = num(o.loopEnd, `${p}.loopEnd`, loopStart, duration);
    return { url: from === 'url' ? (o.url as string) : null, id: num(o.id, `${p}.id`, 0, 2 ** 32 - 1, true), from: from as SnapshotSample['from'], duration, loopStart, loopEnd };
  });
  const transport = checkTransport(obj(s.transport, 'transport', 'the transport settings'));
  const tl = obj(s.timeline, 'timeline', '{ notes, clips, automation }');
  const notes = arr(tl.notes, 'timeline.notes', 2 ** 24).map((x, i): SnapshotNote => {
    const p = `timeline.notes[${i}]`;
    const o = obj(x, p, '{ synth, pitch, beat, length, velocity, straight }');
    const beat = num(o.beat, `${p}.beat`, 0, MAX_BEAT);
    return {
      synth: num(o.synth, `${p}.synth`, 0, synths.length - 1, true), pitch: num(o.pitch, `${p}.pitch`, 0, 127), beat,
      length: num(o.length, `${p}.length`, TICK, MAX_BEAT - beat), velocity: num(o.velocity ?? 1, `${p}.velocity`, 0, 1), straight: bool(o.straight ?? false, `${p}.straight`),
      ...(o.repeat === undefined ? {} : { repeat: repeatOf(o.repeat, `${p}.repeat`) }),
    };
  });
  const clips = arr(tl.clips, 'timeline.clips', 4096).map((x, i): SnapshotClip => {
    const p = `timeline.clips[${i}]`;
    const o = obj(x, p, '{ kind, channel, sample, time, offset, loop, gain }');
    const kind = o.kind ?? 'play';
    if (kind !== 'play' && kind !== 'stop') bad(`${p}.kind`, `'${show(kind)}' is not one of play | stop`, true);
    return {
      kind: kind as 'play' | 'stop', channel: num(o.channel, `${p}.channel`, 0, channels.length - 1, true),
      sample: kind === 'stop' ? null : num(o.sample, `${p}.sample`, 0, samples.length - 1, true),
      time: num(o.time, `${p}.time`, 0, 2 ** 31), offset: num(o.offset, `${p}.offset`, 0, 2 ** 31), loop: bool(o.loop, `${p}.loop`), gain: num(o.gain, `${p}.gain`, 0, 16),
    };
  });
  const counts = { master: 1, bus: buses.length, channel: channels.length, synth: synths.length };
  const automation = arr(tl.automation ?? [], 'timeline.automation', 4096).map((x, i) => checkLane(x, `timeline.automation[${i}]`, counts));
  return { sampleRate, master, buses, channels, synths, samples, transport, timeline: { notes, clips, automation } };
}

function checkTransport(t: Record<string, unknown>): SnapshotTransport {
  const map = arr(t.tempoMap, 'transport.tempoMap', MAX_TEMPO_POINTS);
  if (map.length < 1) bad('transport.tempoMap', 'needs at least one point (at beat 0)', true);
  let prev = -1;
  const tempoMap = map.map((x, i): SnapshotTempoPoint => {
    const p = `transport.tempoMap[${i}]`;
    const o = obj(x, p, '{ beat, bpm, ramp }');
    const beat = num(o.beat, `${p}.beat`, 0, i === 0 ? 0 : MAX_BEAT);
    if (i > 0 && !(beat > prev)) bad(`${p}.beat`, `${beat} must be after the previous point's beat (${prev})`, true);
    prev = beat;
    const ramp = o.ramp ?? 'step';
    if (ramp !== 'step' && ramp !== 'linear') bad(`${p}.ramp`, `'${show(ramp)}' is not one of step | linear`, true);
    return { beat, bpm: num(o.bpm, `${p}.bpm`, 20, 400), ramp: ramp as 'step' | 'linear' };
  });
  const sig = arr(t.timeSignature, 'transport.timeSignature', 2);
  const n = num(sig[0], 'transport.timeSignature[0]', 1, 64, true);
  const d = num(sig[1], 'transport.timeSignature[1]', 1, 64, true);
  if (!Number.isInteger(Math.log2(d))) bad('transport.timeSignature[1]', `${d} is not 1, 2, 4, 8, 16, 32 or 64`, true);
  const l = obj(t.loop, 'transport.loop', '{ start, end, enabled }');
  const start = num(l.start, 'transport.loop.start', 0, MAX_BEAT - TICK);
  const loop = { start, end: num(l.end, 'transport.loop.end', start + TICK, MAX_BEAT), enabled: bool(l.enabled, 'transport.loop.enabled') };
  const swingGrid = num(t.swingGrid, 'transport.swingGrid', 0.25, 0.5);
  if (swingGrid !== 0.25 && swingGrid !== 0.5) bad('transport.swingGrid', `${swingGrid} is not 0.5 or 0.25`, true);
  return {
    tempoMap, timeSignature: [n, d], loop, swing: num(t.swing, 'transport.swing', 0, 0.5), swingGrid,
    metronome: bool(t.metronome, 'transport.metronome'), metronomeLevel: num(t.metronomeLevel, 'transport.metronomeLevel', 0, 1),
  };
}

const RAMPS = ['step', 'linear', 'exponential'] as const;

/** A note's repeat period: 1/960 to 64 beats, a whole number of ticks (transport.schedule() takes the same). */
function repeatOf(x: unknown, path: string): number {
  const r = num(x, path, TICK, 64);
  if (Math.abs(r * 960 - Math.round(r * 960)) > 1e-6) bad(path, `${r} beats is not a whole number of ticks (1/960 beat)`, true);
  return r;
}
const quote = (x: unknown) => (typeof x === 'string' ? `'${show(x)}'` : show(x));

/**
 * One automation lane, as automate() would take it (automation.ts), so that restore() applies it
 * without a further error: a parameter a lane may drive (not solo, not internal), one time base,
 * finite values in range, 'step' only for whole-valued parameters, exponential ramps between two
 * values of one sign.
 */
function checkLane(x: unknown, p: string, counts: Record<SnapshotLane['target'], number>): CheckedLane {
  const o = obj(x, p, '{ target, index, param, points }');
  const target = o.target as SnapshotLane['target'];
  if (!(target in counts)) bad(`${p}.target`, `${quote(o.target)} is not one of master | bus | channel | synth`, true);
  const index = num(o.index ?? 0, `${p}.index`, 0, counts[target] - 1, true);
  const specs = (target === 'synth' ? synthSpecs() : stripSpecs(target)).filter((s) => s.name !== 'solo');
  const spec = specs.find((s) => s.name === o.param) ?? bad(`${p}.param`, `${quote(o.param)} cannot be automated on a ${target}; valid: ${specs.map((s) => s.name).join(', ')}`, true);
  const whole = spec.unit === 'bool' || !!spec.values || !!spec.integer;
  let base: 'beat' | 'at' | undefined;
  const points = arr(o.points, `${p}.points`, 100_000).map((y, j) => {
    const q = `${p}.points[${j}]`;
    const pt = obj(y, q, '{ beat | at, value, ramp }');
    const b = pt.beat !== undefined ? 'beat' : pt.at !== undefined ? 'at' : bad(q, 'needs beat (quarter notes) or at (seconds of song time)');
    if (pt.beat !== undefined && pt.at !== undefined) bad(q, 'give beat or at, not both');
    if (base && b !== base) bad(`${q}.${b}`, `this lane is in ${base === 'at' ? 'seconds (at)' : 'beats'}; one lane keeps one time base`);
    base = b;
    const t = num(pt[b], `${q}.${b}`, 0, b === 'beat' ? MAX_BEAT : 1e6);
    const value = loadValue(spec, pt.value, `${q}.value`);
    if (!Number.isFinite(value)) bad(`${q}.value`, `${fmt(value)} cannot be automated (a finite value: -120 dB is a gain of 1e-6)`, true);
    const ramp = (pt.ramp ?? 'linear') as CheckedLane['points'][number]['ramp'];
    if (!RAMPS.includes(ramp)) bad(`${q}.ramp`, `'${show(ramp)}' is not one of step | linear | exponential`, true);
    if (whole && ramp !== 'step') bad(`${q}.ramp`, `${spec.name} takes whole values; only 'step' applies`, true);
    return { [b]: t, value, ramp, t, j };
  });
  const sorted = [...points].sort((a, b) => a.t - b.t);
  sorted.forEach((pt, k) => {
    const prev = sorted[k - 1];
    if (pt.ramp === 'exponential' && !(prev ? prev.value * pt.value > 0 : pt.value !== 0)) {
      bad(`${p}.points[${pt.j}].ramp`, `an exponential ramp to ${pt.value} needs ${prev ? `the previous point (${prev.value}) of the same sign and` : ''} neither value 0; use 'linear'`, true);
    }
  });
  return { target, index, param: spec.name, points: sorted.map(({ t: _t, j: _j, ...rest }) => rest) };
}

