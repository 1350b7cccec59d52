/**
 * engine.loadMidi(): a Standard MIDI File (src/midi.ts reads it) into the transport's timeline. This
 * module is loaded on first use (`await import('./midi-load.js')` in engine.ts), so a page that never
 * loads MIDI does not download the reader or this code. Main thread only.
 *
 * Time: the timeline stores notes in beats (quarter notes) and the transport turns beats into frames
 * through its tempo map, in the DSP. So a file's ticks become beats (tick / ticks per quarter) and the
 * file's tempo map becomes the transport's ('file', the default): every note then starts on the frame
 * of the time the file gives. The transport's tempo map holds 20 to 400 BPM and at most
 * MAX_TEMPO_POINTS points; a file outside that (a rubato recording with thousands of tempo events, a
 * tempo of 10 BPM) is placed in seconds instead: one constant tempo (the file's first, clamped) and
 * every note at beat = its seconds × BPM / 60, so its time is still the file's; only the bars shown
 * by the transport no longer follow the file's (said in a warning). 'keep' leaves the page's tempo
 * map and places notes at the file's beats, to play at the page's tempo.
 *
 * Routing: every (track, MIDI channel) pair with notes is asked once for its synth, through the
 * route the page gives; pairs without a synth are left out (counted in a warning).
 */
import { parseMidi, ticksToSeconds, type MidiFile } from './midi.js';
import type { Synth } from './handles.js';
import type { ScheduledNotes, TempoPoint, TimelineNote, Transport } from './transport.js';

// This chunk imports nothing at run time from the main bundle (a shared import would make the bundler
// split the main bundle into one more file): the tempo map's limit comes from the host
// (MidiHost.maxTempoPoints, the contract's MAX_TEMPO_POINTS) and `show` is this small copy of validate.ts's.
function show(value: unknown): string {
  try {
    const s = typeof value === 'symbol' ? value.toString() : String(value);
    return s.length > 200 ? `${s.slice(0, 100)}… (${s.length} characters)` : s;
  } catch {
    return 'a value that cannot be shown as text';
  }
}

/** What loadMidi reads: a URL to fetch, or the file's bytes. */
export type MidiSource = string | URL | ArrayBuffer | ArrayBufferView;

/** A track as the route sees it. */
export interface MidiTrackInfo {
  /** Index in the file (0-based; in a format 1 file track 0 is usually the tempo track, without notes). */
  index: number;
  /** The track's name (FF 03), or ''. */
  name: string;
  /** Notes in the track. */
  notes: number;
  /** MIDI channels (0 … 15) that have notes in this track. */
  channels: number[];
}

/** A function route: the synth for a track's notes on MIDI `channel` (0 … 15, shown to people as 1 … 16), or null to leave them out. */
export type MidiRouteFunction = (track: MidiTrackInfo, channel: number) => Synth | null | undefined;

/**
 * Where notes go: one synth for everything; `{ byTrack }` a synth per file track index (null skips a
 * track); `{ byChannel }` a synth per MIDI channel, index 0 = channel 1; or a function of (track,
 * channel).
 */
export type MidiRoute =
  | Synth
  | { byTrack: readonly (Synth | null | undefined)[] }
  | { byChannel: readonly (Synth | null | undefined)[] }
  | MidiRouteFunction;

/** How the file's time becomes the transport's (see the module header). */
export type MidiTempoMode = 'file' | 'keep' | 'seconds';

export interface LoadMidiOptions {
  /** Where the notes go (required). */
  route: MidiRoute;
  /** 'file' (default): the file's tempo map (and first time signature) become the transport's; 'keep': the page's tempo map stays, notes at the file's beats; 'seconds': one tempo, notes at the file's seconds. */
  tempo?: MidiTempoMode;
  /** MIDI velocity (1 … 127) to the synth's velocity (0 … 1); default v / 127. */
  velocity?: (v: number) => number;
  /** Cap on events read from the file (see parseMidi; default 1,000,000). */
  maxEvents?: number;
}

/** A track as loaded: the route's view plus how many notes were scheduled. */
export interface MidiTrackLoaded extends MidiTrackInfo {
  /** Notes of this track that went to a synth. */
  scheduled: number;
}

/** What loadMidi added to the timeline, and how to take it out again. */
export interface MidiSong {
  /** The notes' ids in the timeline (for transport.unschedule). */
  readonly ids: ScheduledNotes;
  /** Notes scheduled. */
  readonly count: number;
  /** The song's length (the last track end) in beats and in seconds under the tempo map in use. */
  readonly beats: number;
  readonly seconds: number;
  readonly format: 0 | 1;
  readonly ticksPerQuarter: number;
  readonly tracks: readonly MidiTrackLoaded[];
  /** The tempo map the song plays under (the file's, the page's, or the constant one of 'seconds'). */
  readonly tempoMap: readonly TempoPoint[];
  /** How the song was placed in time ('seconds' also when 'file' could not be followed). */
  readonly tempo: MidiTempoMode;
  /** The reader's warnings and the loader's (unrouted notes, clamped tempi, dropped notes). */
  readonly warnings: readonly string[];
  /** Takes the notes out of the timeline in one batch and puts back the tempo map and time signature the load replaced (unless changed since). */
  remove(): Promise<void>;
}

const MIN_BPM = 20;
const MAX_BPM = 400;
/** dsp/TempoMap.zig max_beat. */
const MAX_BEAT = 2 ** 20;
/** The timeline's shortest note: one of its 960 ticks per quarter. */
const MIN_LENGTH = 1 / 960;

/** The transport's view of a file's time: the tempo map to set (null: keep the page's) and each tick's beat. */
export interface MidiTiming {
  mode: MidiTempoMode;
  map: TempoPoint[] | null;
  beatOf: (tick: number) => number;
  warnings: string[];
}

/** How the file's ticks become beats, and the tempo map that plays them at the file's times (see the module header). */
export function midiTiming(file: Pick<MidiFile, 'tempoMap' | 'ticksPerQuarter'>, mode: MidiTempoMode, maxTempoPoints: number): MidiTiming {
  const tpq = file.ticksPerQuarter;
  const warnings: string[] = [];
  if (mode === 'keep') return { mode, map: null, beatOf: (t) => t / tpq, warnings };
  if (mode === 'file') {
    const out = file.tempoMap.find((p) => !(p.bpm >= MIN_BPM && p.bpm <= MAX_BPM));
    if (!out && file.tempoMap.length <= maxTempoPoints) {
      return { mode, map: file.tempoMap.map((p) => ({ beat: p.tick / tpq, bpm: p.bpm, ramp: 'step' })), beatOf: (t) => t / tpq, warnings };
    }
    warnings.push(out
      ? `tempo ${+out.bpm.toFixed(3)} BPM at tick ${out.tick} is outside the transport's ${MIN_BPM} to ${MAX_BPM} BPM: notes placed by their seconds at one tempo (bars do not follow the file)`
      : `${file.tempoMap.length} tempo changes are more than the transport's ${maxTempoPoints}: notes placed by their seconds at one tempo (bars do not follow the file)`);
  } else if (mode !== 'seconds') {
    throw new RangeError(`loadMidi: tempo '${show(mode)}' is not one of file | keep | seconds`);
  }
  const bpm = Math.min(MAX_BPM, Math.max(MIN_BPM, file.tempoMap[0].bpm));
  return { mode: 'seconds', map: [{ beat: 0, bpm, ramp: 'step' }], beatOf: (t) => (ticksToSeconds(file, t) * bpm) / 60, warnings };
}

const isSynth = (s: unknown): s is Synth => typeof s === 'object' && s !== null && typeof (s as Synth).slot === 'number' && typeof (s as Synth).isDisposed === 'boolean';

/** The route as one function, checked: a TypeError names what is wrong with it. */
function routeFunction(route: MidiRoute): MidiRouteFunction {
  const expect = 'a synth, { byTrack: [synth | null, …] }, { byChannel: [synth | null, …] } (index 0 = MIDI channel 1) or (track, channel) => synth | null';
  if (typeof route === 'function') return route;
  if (isSynth(route)) return () => route;
  if (typeof route === 'object' && route !== null) {
    const r = route as { byTrack?: unknown; byChannel?: unknown };
    const list = r.byTrack ?? r.byChannel;
    if (Array.isArray(list) && (r.byTrack === undefined) !== (r.byChannel === undefined)) {
      list.forEach((s, i) => {
        if (s !== null && s !== undefined && !isSynth(s)) throw new TypeError(`loadMidi: route.${r.byTrack ? 'byTrack' : 'byChannel'}[${i}] is ${show(s)}; expected a synth, null or undefined`);
      });
      if (r.byChannel && list.length > 16) throw new RangeError(`loadMidi: route.byChannel has ${list.length} entries; MIDI has 16 channels (index 0 = channel 1)`);
      return r.byTrack ? (t) => list[t.index] : (_t, c) => list[c];
    }
  }
  throw new TypeError(`loadMidi: route is ${show(route)}; expected ${expect}`);
}

/** The file's notes as timeline notes, routed; `beatOf` from midiTiming. Pure: no engine needed. */
export function routeMidi(
  file: MidiFile, route: MidiRoute, beatOf: (tick: number) => number, velocity: (v: number) => number = (v) => v / 127,
): { notes: TimelineNote[]; tracks: MidiTrackLoaded[]; warnings: string[] } {
  if (typeof velocity !== 'function') throw new TypeError(`loadMidi: velocity is ${show(velocity)}; expected a function of the MIDI velocity (1 … 127) giving 0 … 1`);
  const pick = routeFunction(route);
  const notes: TimelineNote[] = [];
  const warnings: string[] = [];
  const vel = new Float64Array(128);
  for (let v = 1; v < 128; v++) {
    const x = velocity(v);
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new RangeError(`loadMidi: velocity(${v}) gave ${show(x)}; it must be 0 to 1`);
    vel[v] = x;
  }
  let unrouted = 0, late = 0;
  const tracks = file.tracks.map((t) => {
    const channels = [];
    for (let c = 0; c < 16; c++) if (t.channels[c].length) channels.push(c);
    const info: MidiTrackLoaded = { index: t.index, name: t.name, notes: t.notes.length, channels, scheduled: 0 };
    const view: MidiTrackInfo = { index: t.index, name: t.name, notes: t.notes.length, channels: [...channels] };
    for (const c of channels) {
      const synth = pick(view, c);
      if (synth === null || synth === undefined) {
        unrouted += t.channels[c].length;
        warnings.push(`track ${t.index}${t.name ? ` "${t.name}"` : ''}, channel ${c + 1}: ${t.channels[c].length} notes not routed (no synth)`);
        continue;
      }
      if (!isSynth(synth) || synth.isDisposed) throw new TypeError(`loadMidi: the route gave ${isSynth(synth) ? 'a disposed synth' : show(synth)} for track ${t.index}, channel ${c + 1}; expected a live synth, null or undefined`);
      for (const n of t.channels[c]) {
        const beat = beatOf(n.tick);
        const end = beatOf(n.tick + n.durationTicks);
        if (!(end <= MAX_BEAT)) { late++; continue; }
        notes.push({ synth, pitch: n.pitch, beat, length: Math.max(MIN_LENGTH, end - beat), velocity: vel[n.velocity], straight: true });
        info.scheduled++;
      }
    }
    return info;
  });
  if (unrouted) warnings.push(`${unrouted} notes in all were not routed to a synth`);
  if (late) warnings.push(`${late} notes ending after beat ${MAX_BEAT} (the transport's last) were left out`);
  return { notes, tracks, warnings };
}

/** The narrow view of the engine the loader needs. */
export interface MidiHost {
  readonly transport: Transport;
  /** The transport's most tempo points (the contract's MAX_TEMPO_POINTS). */
  readonly maxTempoPoints: number;
}

async function bytesOf(source: MidiSource): Promise<ArrayBuffer | ArrayBufferView> {
  if (typeof source === 'string' || source instanceof URL) {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new Error(`loadMidi: could not fetch ${String(source)}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new Error(`loadMidi: could not fetch ${String(source)}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return res.arrayBuffer();
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  throw new TypeError(`loadMidi: cannot load ${show(source)}; give a URL or the file's bytes (an ArrayBuffer or Uint8Array)`);
}

const sameMap = (a: readonly TempoPoint[], b: readonly TempoPoint[]) =>
  a.length === b.length && a.every((p, i) => p.beat === b[i].beat && p.bpm === b[i].bpm && (p.ramp ?? 'step') === (b[i].ramp ?? 'step'));

/** Seconds at `beat` under a transport tempo map (steps hold; a linear ramp integrates 60 / BPM over beats). */
export function beatsToSeconds(map: readonly TempoPoint[], beat: number): number {
  let t = 0;
  for (let i = 0; i < map.length && beat > map[i].beat; i++) {
    const p = map[i], next = map[i + 1];
    const x = (next ? Math.min(beat, next.beat) : beat) - p.beat;
    const k = next && p.ramp === 'linear' ? (next.bpm - p.bpm) / (next.beat - p.beat) : 0;
    t += k === 0 ? (60 * x) / p.bpm : (60 / k) * Math.log(1 + (k * x) / p.bpm);
  }
  return t;
}

/** engine.loadMidi (see the module header and LoadMidiOptions). */
export async function loadMidi(engine: MidiHost, source: MidiSource, options: LoadMidiOptions): Promise<MidiSong> {
  if (typeof options !== 'object' || options === null || !('route' in options)) {
    throw new TypeError('loadMidi: options.route is required: a synth, { byTrack: [...] }, { byChannel: [...] } or (track, channel) => synth | null');
  }
  routeFunction(options.route); // a bad route fails before any fetch
  const file = parseMidi(await bytesOf(source), options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents });
  const timing = midiTiming(file, options.tempo ?? 'file', engine.maxTempoPoints);
  const routed = routeMidi(file, options.route, timing.beatOf, options.velocity);
  const transport = engine.transport;
  const before = transport.tempoMap;
  const sigBefore = transport.timeSignature;
  const warnings = [...file.warnings, ...timing.warnings, ...routed.warnings];
  let sig: [number, number] | null = null;
  if (timing.map) {
    transport.setTempoMap(timing.map);
    const s = file.timeSignatures[0];
    if (timing.mode === 'file' && s.numerator <= 64 && s.denominator <= 64) sig = [s.numerator, s.denominator];
    else if (timing.mode === 'file') warnings.push(`time signature ${s.numerator}/${s.denominator} is outside the transport's (numerator 1 to 64, denominator 1 to 64); kept ${sigBefore.join('/')}`);
    if (file.timeSignatures.length > 1) warnings.push(`${file.timeSignatures.length - 1} time signature changes after the first are not followed (the transport has one signature)`);
    if (sig) transport.timeSignature = sig;
  }
  const map = timing.map ?? before;
  let ids: ScheduledNotes;
  try {
    ids = await transport.schedule(routed.notes);
  } catch (e) {
    if (timing.map && sameMap(transport.tempoMap, timing.map)) transport.setTempoMap(before);
    if (sig && transport.timeSignature.join() === sig.join()) transport.timeSignature = sigBefore;
    throw e;
  }
  const endBeat = timing.beatOf(file.endTick);
  let removed = false;
  return {
    ids, count: ids.count, beats: endBeat, seconds: beatsToSeconds(map, endBeat), format: file.format, ticksPerQuarter: file.ticksPerQuarter,
    tracks: routed.tracks, tempoMap: map.map((p) => ({ ...p })), tempo: timing.mode, warnings,
    async remove() {
      if (removed) return;
      removed = true;
      if (timing.map && sameMap(transport.tempoMap, timing.map)) {
        transport.setTempoMap(before);
        if (sig && transport.timeSignature.join() === sig.join()) transport.timeSignature = sigBefore;
      }
      await transport.unschedule(ids);
    },
  };
}
