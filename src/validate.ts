/**
 * Parameter validation shared by the engine API and the elements. Values are checked and clamped on
 * the main thread, before anything is written to the control block, so the audio thread only ever
 * sees numbers inside the documented ranges.
 */
import type { ParamSpec } from '../protocol/generated/contract.js';

export interface Checked {
  /** The value to write (clamped, rounded for integer and boolean parameters). */
  readonly value: number;
  /** Set when the input was outside the range and was clamped. */
  readonly clamped: boolean;
}

/**
 * Any value as text for an error message: never throws (a Symbol, an object whose toString or
 * valueOf throws, a revoked Proxy), and cuts long strings. Primitives read as String() does.
 */
export function show(value: unknown): string {
  try {
    if (typeof value === 'symbol') return value.toString();
    const s = String(value);
    return s.length > 200 ? `${s.slice(0, 100)}… (${s.length} characters)` : s;
  } catch {
    return 'a value that cannot be shown as text';
  }
}

export function describeRange(spec: ParamSpec): string {
  if (spec.values) return spec.values.join(' | ');
  if (spec.unit === 'bool') return 'true | false';
  const unit = spec.unit && spec.unit !== 'bool' && spec.unit !== 'index' ? ` ${spec.unit}` : '';
  return `${spec.min} to ${spec.max}${unit}`;
}

/**
 * Checks one value for `spec`. Throws TypeError for something that is not a value of the parameter's
 * kind (NaN, strings, objects, an unknown enum name); returns the clamped value otherwise.
 */
export function checkParam(spec: ParamSpec, input: unknown, owner = 'parameter'): Checked {
  let v: number;
  if (typeof input === 'boolean' && spec.unit === 'bool') v = input ? 1 : 0;
  else if (typeof input === 'string' && spec.values) {
    v = spec.values.indexOf(input);
    if (v < 0) throw new TypeError(`${owner} ${spec.name}: '${input}' is not one of ${describeRange(spec)}`);
  } else if (typeof input === 'number') v = input;
  else throw new TypeError(`${owner} ${spec.name}: expected a number (${describeRange(spec)}), got ${typeof input === 'string' ? `'${show(input)}'` : show(input)}`);
  if (Number.isNaN(v)) throw new TypeError(`${owner} ${spec.name}: NaN is not a value (${describeRange(spec)})`);
  let clamped = false;
  if (v < spec.min) { v = spec.min; clamped = true; }
  else if (v > spec.max) { v = spec.max; clamped = true; }
  if (spec.unit === 'bool') v = v >= 0.5 ? 1 : 0;
  else if (spec.integer || spec.values) v = Math.round(v);
  return { value: v, clamped };
}

/** An AudioContext time (seconds >= 0) or undefined, else a RangeError. */
export function checkTime(what: string, time: number | undefined): void {
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time) || time < 0)) throw new RangeError(`${what} time ${String(time)} must be an AudioContext time in seconds >= 0`);
}

/** A note's pitch (MIDI 0 to 127), velocity (0 to 1) and time, else a RangeError. */
export function checkNote(pitch: number, velocity: number, time: number | undefined): void {
  if (typeof pitch !== 'number' || !(pitch >= 0 && pitch <= 127)) throw new RangeError(`note pitch ${String(pitch)} must be a MIDI note number 0 to 127`);
  if (typeof velocity !== 'number' || !(velocity >= 0 && velocity <= 1)) throw new RangeError(`note velocity ${String(velocity)} must be 0 to 1`);
  checkTime('note', time);
}
