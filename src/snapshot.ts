/**
 * Session snapshots (issue #14): the JSON shape of `engine.snapshot()` and the validator that
 * `engine.restore()` runs before it applies anything. Pure logic (no DOM, no engine): tested with
 * `node --test` beside it (snapshot-check.test.mjs). The validator is snapshot-check.ts (loaded with
 * restore()); what is captured is session.ts, how it is applied restore.ts.
 *
 * Parameters are stored as a page would set them: numbers in the parameter's unit, booleans for
 * switches, names for enums, and the text "-inf" for -Infinity (JSON has no infinities). A snapshot
 * may leave parameters out (they take their defaults). Everything is checked strictly: a value
 * outside its range is an error here (restore never clamps), named by its JSON path.
 */
import { BUS_FX, STRIP_PARAMS, SYNTH_PARAMS, type ParamSpec } from '../protocol/generated/contract.js';

/** The schema version this engine writes and reads. */
export const SNAPSHOT_SCHEMA = 1;

/** A parameter value as stored: a number, a switch, an enum's name, or "-inf". */
export type SnapshotValue = number | boolean | string;
export type SnapshotParams = Record<string, SnapshotValue>;

export interface SnapshotStrip {
  params: SnapshotParams;
}
export interface SnapshotChannel extends SnapshotStrip {
  label: string;
}
export interface SnapshotBus extends SnapshotStrip {
  name: string;
  /** The bus effect's parameters (BUS_FX of this bus). */
  fx: SnapshotParams;
}
export interface SnapshotSynth {
  /** Index into `channels` of the channel it plays into, or null. */
  channel: number | null;
  params: SnapshotParams;
}
export interface SnapshotSample {
  /** The URL it was loaded from (absolute), or null when it came from bytes, a Blob, an AudioBuffer or PCM. */
  url: string | null;
  /** The engine's id of the sample when the snapshot was taken (restore on the same engine reuses it). */
  id: number;
  /** What the page gave loadSample: 'url' | 'bytes' | 'pcm' (only 'url' can be loaded again from the JSON). */
  from: 'url' | 'bytes' | 'pcm';
  /** Length in seconds, loop region in seconds. */
  duration: number;
  loopStart: number;
  loopEnd: number;
}
export interface SnapshotTempoPoint {
  beat: number;
  bpm: number;
  ramp: 'step' | 'linear';
}
export interface SnapshotTransport {
  tempoMap: SnapshotTempoPoint[];
  timeSignature: [number, number];
  loop: { start: number; end: number; enabled: boolean };
  swing: number;
  swingGrid: number;
  metronome: boolean;
  metronomeLevel: number;
}
export interface SnapshotNote {
  /** Index into `synths`. */
  synth: number;
  pitch: number;
  beat: number;
  length: number;
  velocity: number;
  straight: boolean;
  /** Plays again every `repeat` beats (a pattern); absent: once. */
  repeat?: number;
}
export interface SnapshotClip {
  /** A play, or a stop (a stop has no sample). */
  kind: 'play' | 'stop';
  /** Index into `channels` and into `samples` (null for a stop). */
  channel: number;
  sample: number | null;
  /** Seconds after the snapshot's moment it starts (0: playing then). */
  time: number;
  /** Seconds into the sample it starts from. */
  offset: number;
  loop: boolean;
  gain: number;
}
/** One automation lane: whose parameter, and its points as `automate()` takes them (one time base a lane). */
export interface SnapshotLane {
  /** The master, a bus (index into `buses`), a channel (into `channels`) or a synth (into `synths`). */
  target: 'master' | 'bus' | 'channel' | 'synth';
  index: number;
  param: string;
  points: SnapshotPoint[];
}
/** `beat` (quarter notes) or `at` (seconds of song time); the value as stored for parameters; the ramp arriving there. */
export interface SnapshotPoint {
  beat?: number;
  at?: number;
  value: SnapshotValue;
  ramp: 'step' | 'linear' | 'exponential';
}
export interface Snapshot {
  schema: number;
  sampleRate: number;
  master: SnapshotStrip;
  buses: SnapshotBus[];
  channels: SnapshotChannel[];
  synths: SnapshotSynth[];
  samples: SnapshotSample[];
  transport: SnapshotTransport;
  /** Timeline events the main thread knows: scheduled notes, clip plays, automation lanes. */
  timeline: { notes: SnapshotNote[]; clips: SnapshotClip[]; automation: SnapshotLane[] };
}

/** The parameters a strip kind takes in a snapshot (public ones of its scope). */
export function stripSpecs(kind: 'channel' | 'bus' | 'master'): ParamSpec[] {
  return STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === kind));
}
export const synthSpecs = (): ParamSpec[] => SYNTH_PARAMS.filter((p) => !p.internal);
export const busFxSpecs = (bus: string): ParamSpec[] => BUS_FX.filter((p) => p.bus === bus);

/** An engine value as stored in a snapshot. */
export function storeValue(spec: ParamSpec, v: number): SnapshotValue {
  if (spec.unit === 'bool') return v >= 0.5;
  if (spec.values) return spec.values[Math.round(v)] ?? spec.values[0];
  return v === -Infinity ? '-inf' : v;
}

