/**
 * Parameter automation on the timeline: `set(name, value, { beat | at, ramp })` and
 * `automate(name, points)` of strips (channels, buses, master) and synths. Validates on the main
 * thread (values like an immediate set: clamped with a `daw-error`, or TypeError / RangeError naming
 * the value and the valid range) and writes a lane's points as timeline events (dsp/Timeline.zig
 * kind 5), one id a lane, the lane replaced whole in one message. The DSP evaluates the lane per
 * frame while the transport plays (dsp/Automation.zig, dsp/ParamLanes.zig). Main thread only.
 */
import type { ParamSpec } from '../protocol/generated/contract.js';
import type { EngineCore } from './handles.js';
import type { Table } from './link.js';
import { MAX_BEAT, inRange } from './timeline.js';
import type { AutomationPoint, AutomationRamp, AutomationTime } from './types.js';
import { checkParam, describeRange, show } from './validate.js';

const RAMPS: readonly AutomationRamp[] = ['step', 'linear', 'exponential'];
/** Largest seconds time: dsp/Timeline.zig max_seconds. */
const MAX_SECONDS = 1e6;
/** Record flags (dsp/Timeline.zig Event.Flags). */
const SECONDS = 1, SYNTH = 4;
/** Strip parameters no lane may drive: solo (the mixer's solo-in-place state reads the parameter block). */
const FIXED = new Set(['solo']);

interface Pt { t: number; v: number; r: number }

/**
 * `value` checked for `spec` (TypeError for a value of the wrong kind), clamped with a `daw-error`
 * 'out-of-range' on the engine when outside the range.
 */
export function checked(core: EngineCore, owner: string, spec: ParamSpec, value: unknown): number {
  const { value: v, clamped } = checkParam(spec, value, owner);
  if (clamped) {
    core.report({
      code: 'out-of-range', param: spec.name, value, range: describeRange(spec),
      message: `${owner} ${spec.name}: ${String(value)} is outside ${describeRange(spec)}; using ${v}`,
    });
  }
  return v;
}

/** A strip's or a synth's parameter as a lane owner: where its points go. */
export interface LaneOwner {
  core: EngineCore;
  table: Table;
  slot: number;
  owner: string;
  spec: ParamSpec;
}

function laneOf(o: LaneOwner): { key: string; synth: boolean } {
  const what = `${o.owner} ${o.spec.name}`;
  if (o.table === 'busFx') throw new RangeError(`${what}: bus effect parameters cannot be automated (strip parameters of the bus can)`);
  if (FIXED.has(o.spec.name) || o.spec.internal) throw new RangeError(`${what} cannot be automated`);
  const synth = o.table === 'synth';
  return { key: `${synth ? 's' : 'm'}:${o.slot}:${o.spec.index}`, synth };
}

/** One point checked: time base, time, value (clamped like set()), ramp. */
function point(o: LaneOwner, p: AutomationTime & { value?: unknown }, value: unknown, what: string): Pt & { seconds: boolean } {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${what}: expected { beat } or { at } (and a ramp), got ${show(p)}`);
  const hasBeat = p.beat !== undefined;
  if (hasBeat === (p.at !== undefined)) throw new TypeError(`${what}: give exactly one of beat (quarter notes) or at (seconds on the song timeline)`);
  const t = hasBeat ? inRange(`${what} beat`, p.beat, 0, MAX_BEAT, ' beats') : inRange(`${what} at`, p.at, 0, MAX_SECONDS, ' s (song time)');
  const ramp = p.ramp ?? 'linear';
  const r = RAMPS.indexOf(ramp);
  if (r < 0) throw new RangeError(`${what} ramp: '${show(ramp)}' is not one of step | linear | exponential`);
  const s = o.spec;
  if (r !== 0 && (s.unit === 'bool' || s.values || s.integer)) throw new RangeError(`${what} ramp: ${s.name} takes whole values (${describeRange(s)}); only 'step' applies`);
  const v = checked(o.core, o.owner, s, value);
  if (!Number.isFinite(v)) throw new RangeError(`${what}: ${v} cannot be ramped to or from; use a finite value (${s.unit === 'dB' ? '-120 dB is a gain of 1e-6' : describeRange(s)})`);
  if (r === 2 && v === 0) throw new RangeError(`${what}: an exponential ramp cannot reach 0; use a value of the previous point's sign, or a linear ramp`);
  return { t, v, r, seconds: !hasBeat };
}

/** Points sorted by time, a later one at the same time replacing an earlier; exponential segments checked. */
function finish(pts: Pt[], what: string): Pt[] {
  const out: Pt[] = [];
  for (const p of [...pts].sort((a, b) => a.t - b.t)) { // a stable sort (ES2019): equal times keep their order
    if (out.length && out[out.length - 1].t === p.t) out[out.length - 1] = p;
    else out.push(p);
  }
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1], b = out[i];
    if (b.r === 2 && !(a.v * b.v > 0)) {
      throw new RangeError(`${what}: the exponential ramp to ${b.v} at ${b.t} starts from ${a.v}; both ends need one sign and neither may be 0 (use 'linear')`);
    }
  }
  return out;
}

function encode(o: LaneOwner, synth: boolean, seconds: boolean, id: number, pts: Pt[]): ArrayBuffer {
  const buf = new ArrayBuffer(pts.length * 32);
  const u = new Uint32Array(buf), f = new Float32Array(buf), d = new Float64Array(buf);
  pts.forEach((p, i) => {
    const w = i * 8;
    d[i * 4] = p.t;
    u[w + 2] = id;
    u[w + 3] = 5 | ((seconds ? SECONDS : 0) | (synth ? SYNTH : 0)) << 8 | o.spec.index << 16;
    u[w + 4] = o.slot;
    f[w + 5] = p.v;
    u[w + 7] = p.r;
  });
  return buf;
}

const storeOf = (o: LaneOwner) => o.core.engine.transport.timeline;

/**
 * Replaces the lane of `o`'s parameter with `points` (an empty list clears it). Resolves when the
 * audio thread has it. Throws (synchronously checked, before anything is sent) for a bad point.
 */
export function automate(o: LaneOwner, points: readonly AutomationPoint<unknown>[]): Promise<void> {
  const what = `${o.owner} ${o.spec.name} automation`;
  const { key, synth } = laneOf(o);
  if (!Array.isArray(points)) throw new TypeError(`${what}: expected an array of points { value, beat | at, ramp? }, got ${show(points)}`);
  const pts = points.map((p, i) => point(o, p, (p as { value?: unknown })?.value, `${what} point ${i}`));
  const seconds = pts.length > 0 && pts[0].seconds;
  if (pts.some((p) => p.seconds !== seconds)) throw new RangeError(`${what}: one lane is all in beats or all in seconds (at), not both`);
  const lane = finish(pts, what);
  const tl = storeOf(o);
  const id = tl.laneId();
  return tl.setLane(key, lane.length ? { id, seconds, pts: lane, records: encode(o, synth, seconds, id, lane) } : null).then(() => undefined);
}

/**
 * Adds one point to the lane of `o`'s parameter (a point already at that time is replaced); returns
 * the value applied. The lane goes to the audio thread in the background; a failure there (none is
 * expected after these checks) becomes a `daw-error`.
 */
export function setAt(o: LaneOwner, value: unknown, when: AutomationTime): number {
  const what = `${o.owner} ${o.spec.name} automation`;
  const { key, synth } = laneOf(o);
  const p = point(o, when, value, what);
  const tl = storeOf(o);
  const old = tl.lane(key);
  if (old && old.seconds !== p.seconds) throw new RangeError(`${what}: this lane is in ${old.seconds ? 'seconds (at)' : 'beats'}; give ${old.seconds ? 'at' : 'beat'}, or replace it with automate()`);
  const lane = finish([...(old?.pts as Pt[] ?? []), p], what);
  const id = tl.laneId();
  tl.setLane(key, { id, seconds: p.seconds, pts: lane, records: encode(o, synth, p.seconds, id, lane) }).catch((error: Error) => {
    o.core.report({ code: 'capacity', param: o.spec.name, value, message: `${what}: ${error.message}` });
  });
  return p.v;
}
