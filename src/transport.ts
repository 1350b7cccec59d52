/**
 * engine.transport: the song's clock, which runs in the DSP (dsp/Conductor.zig, dsp/Transport.zig).
 * This handle validates on the main thread (RangeError / TypeError naming the value and the valid
 * range) and writes records on the event ring: commands carry the context frame they take effect
 * on, the tempo map, signature, loop, swing and metronome apply at the next quantum. The position
 * and the changes come back in the status words (every quantum with shared memory, otherwise with
 * the worklet's replies while someone reads them). Main thread only.
 */
import { EventKind, MAX_TEMPO_POINTS } from '../protocol/generated/contract.js';
import { EventRecord } from '../protocol/event-ring.js';
import type { Channel, EngineCore, Sample, Synth } from './handles.js';
import { show } from './validate.js';

export type TransportState = 'stopped' | 'playing' | 'paused';
/** Grid a command waits for: the next beat (of the time signature) or bar line. */
export type Quantize = 'none' | 'beat' | 'bar';
/** A change the DSP made: start, pause, stop, seek, loop (a pass wrapped) or retime (a tempo change moved the position's frame). */
export type TransportChange = 'start' | 'pause' | 'stop' | 'seek' | 'loop' | 'retime';

/** A tempo point: from `beat` (quarter notes) on, `bpm`, held ('step') or ramped linearly in beats to the next point ('linear'). */
export interface TempoPoint {
  beat: number;
  bpm: number;
  ramp?: 'step' | 'linear';
}

/** The loop region in beats: [start, end). */
export interface LoopRegion {
  start: number;
  end: number;
  enabled: boolean;
}

/** Where the transport is, as the DSP last published it. */
export interface TransportPosition {
  state: TransportState;
  /** Bar, 1-based. */
  bar: number;
  /** Beat of the bar in the signature's unit, 1-based. */
  beat: number;
  /** Ticks into the beat (960 per quarter note), 0-based. */
  tick: number;
  /** Quarter notes from the song start. */
  beats: number;
  /** Seconds from the song start (through the tempo map). */
  seconds: number;
  /** Tempo here (BPM). */
  bpm: number;
}

/** Detail of the `transport` event. */
export interface TransportEventDetail {
  change: TransportChange;
  state: TransportState;
  /** Context frame the change took effect on (exact). */
  frame: number;
  /** The same as context time (frame / sample rate). */
  time: number;
  /** Changes since the previous event (more than 1 when several happened within one read). */
  count: number;
}

/** A note for the timeline: `synth` plays `pitch` (MIDI 0 to 127) from `beat` for `length` beats (quarter notes). */
export interface TimelineNote {
  synth: Synth;
  pitch: number;
  beat: number;
  length: number;
  /** 0 to 1 (default 1). */
  velocity?: number;
  /** Not swung (default: swing applies). */
  straight?: boolean;
  /** Plays again every `repeat` beats, forever (a pattern): 1/960 to 64 beats, a whole number of ticks (1/960 beat). */
  repeat?: number;
}

/**
 * A clip launch for the timeline: `channel` plays `sample` from `beat`, for `length` beats (default:
 * to the sample's end, or on while looping), from `offset` seconds into it, at linear `gain` (0 to 16).
 */
export interface TimelineClip {
  channel: Channel;
  sample: Sample;
  beat: number;
  length?: number;
  offset?: number;
  gain?: number;
  loop?: boolean;
  straight?: boolean;
  repeat?: number;
}

/** Notes scheduled by one schedule() call: their ids, for unschedule(). */
export interface ScheduledNotes {
  readonly first: number;
  readonly count: number;
}

/** Timing of a command: `at` context time in seconds (default: at once), `quantize` to wait for the next beat or bar line. */
export interface CommandOptions {
  at?: number;
  quantize?: Quantize;
}

const STATES: readonly TransportState[] = ['stopped', 'playing', 'paused'];
const CHANGES: readonly TransportChange[] = ['start', 'start', 'pause', 'stop', 'seek', 'loop', 'retime'];
/** Largest position (beats): dsp/TempoMap.zig max_beat. */
const MAX_BEAT = 2 ** 20;
const GRIDS = ['none', 'beat', 'bar'];
/** Notes per timeline message. */
const CHUNK = 4096;
const enum Cmd { play = 1, pause, stop, seek }

/** `v` as a number in [lo, hi], else a TypeError (not a number) or RangeError naming the value and the range. */
function inRange(what: string, v: unknown, lo: number, hi: number, unit = ''): number {
  const range = `${lo} to ${hi}${unit}`;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`transport ${what}: expected a number ${range}, got ${show(v)}`);
  if (!(v >= lo && v <= hi)) throw new RangeError(`transport ${what}: ${v} is outside ${range}`);
  return v;
}

export class Transport extends EventTarget {
  readonly #r = new EventRecord();
  readonly #f64 = new Float64Array(1);
  readonly #w64 = new Uint32Array(this.#f64.buffer);
  #map: TempoPoint[] = [{ beat: 0, bpm: 120, ramp: 'step' }];
  #sig: [number, number] = [4, 4];
  #region: LoopRegion = { start: 0, end: 4, enabled: false };
  #sw = [0, 0.5];
  #click = false;
  #level = 0.5;
  readonly #listening = new Set<unknown>();
  #seen = -1;
  #poll = 0;
  #nextNote = 1;
  #nextMsg = 0;
  readonly #waiting = new Map<number, [(n: number) => void, (e: Error) => void]>();

  readonly #core: EngineCore & { whenReady(): Promise<void> };

  /** @internal Made by the engine (engine.transport). */
  constructor(core: EngineCore & { whenReady(): Promise<void> }) {
    super();
    this.#core = core;
  }

  /**
   * Adds notes (and clip launches: `TimelineClip`) to the timeline in the DSP's memory (it grows for them: 100,000 notes and more), to
   * play whenever the transport passes their beats, every loop pass included, with no work on this
   * thread; notes sounding are released at a stop, pause, seek or loop wrap. Resolves (once the
   * engine runs) when the audio thread has them: notes at or after the position then play, notes
   * the song has passed play on the next pass. Throws for a bad note, naming it. With `replace`,
   * the audio thread removes those notes and adds these between the same two quanta (a pattern's
   * edit: nothing doubled, nothing dropped; a replaced note sounding is released).
   */
  async schedule(notes: readonly (TimelineNote | TimelineClip)[], opts: { replace?: ScheduledNotes } = {}): Promise<ScheduledNotes> {
    if (!Array.isArray(notes)) throw new TypeError(`transport schedule: expected an array of notes, got ${show(notes)}`);
    const n = notes.length;
    const buf = new ArrayBuffer(n * 64);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    const d = new Float64Array(buf);
    const first = this.#nextNote;
    let r = 0;
    notes.forEach((x, i) => {
      const at = `note ${i}`;
      const clip = typeof x === 'object' && x !== null && 'sample' in x;
      const target = clip ? (x as TimelineClip).channel : (x as TimelineNote).synth;
      if (typeof x !== 'object' || x === null || typeof target?.slot !== 'number' || target.isDisposed) {
        throw new TypeError(`transport schedule ${at}: expected { synth, pitch, beat, length } with a live synth, or { channel, sample, beat } with a live channel`);
      }
      const beat = inRange(`${at} beat`, x.beat, 0, MAX_BEAT, ' beats');
      const len = x.length === undefined && clip ? 0 : inRange(`${at} length`, x.length, 1 / 960, MAX_BEAT - beat, ' beats');
      const ticks = x.repeat === undefined ? 0 : inRange(`${at} repeat`, x.repeat, 1 / 960, 64, ' beats') * 960;
      if (!Number.isInteger(Math.round(ticks * 1e6) / 1e6)) throw new RangeError(`transport schedule ${at} repeat: ${x.repeat} beats is not a whole number of ticks (1/960 beat)`);
      const id = (0x80000000 + ((first + i) % 0x7fffffff)) >>> 0; // Synth.noteOn's ids stay below 2^31
      // Two records (dsp/Timeline.zig Event): 0-1 time f64, 2 id, 3 kind | flags << 8 | repeat ticks << 16, 4 target, 5 a, 6 b f32, 7 c.
      let recs: [number, number, number, number, number][];
      if (clip) {
        const c = x as TimelineClip;
        if (!c.sample || typeof c.sample.id !== 'number' || c.sample.isDisposed) throw new TypeError(`transport schedule ${at}: expected a loaded sample (engine.loadSample)`);
        const gain = inRange(`${at} gain`, c.gain ?? 1, 0, 16);
        const offset = Math.min(Math.round(inRange(`${at} offset`, c.offset ?? 0, 0, 2 ** 24, ' s') * c.sample.sampleRate), 4294967295);
        recs = [[3, beat, c.sample.id, gain, offset]];
        if (len) recs.push([4, beat + len, 0, 0, 0]);
      } else {
        const pitch = inRange(`${at} pitch`, (x as TimelineNote).pitch, 0, 127);
        recs = [[1, beat, pitch, inRange(`${at} velocity`, (x as TimelineNote).velocity ?? 1, 0, 1), 0], [2, beat + len, pitch, 0, 0]];
      }
      const flags = (x.straight ? 2 : 0) | (clip && (x as TimelineClip).loop ? 8 : 0);
      recs.forEach(([k, time, a, b, c]) => {
        const o = 8 * r++;
        d[o / 2] = time;
        u[o + 2] = id;
        u[o + 3] = k | (flags << 8) | (Math.round(ticks) << 16);
        u[o + 4] = target.slot;
        if (clip) u[o + 5] = a;
        else f[o + 5] = a;
        f[o + 6] = b;
        u[o + 7] = c;
      });
    });
    this.#nextNote += n;
    // In chunks: the audio thread sorts and merges each between two quanta (8,192 events, about a
    // millisecond), never one long batch that would hold up its rendering.
    const sends = [];
    for (let o = 0; o < r || o === 0; o += 2 * CHUNK) {
      const part = buf.slice(o * 32, Math.min(r, o + 2 * CHUNK) * 32);
      const remove = o === 0 && opts.replace ? this.#ids(opts.replace) : undefined;
      sends.push(this.#edit({ type: 'timeline-add', events: part, remove }, remove ? [part, remove.buffer] : [part]));
    }
    await Promise.all(sends);
    return { first, count: n };
  }

  /** Removes notes that schedule() added (a note sounding now plays on until the next stop, seek or loop wrap). */
  async unschedule(s: ScheduledNotes): Promise<void> {
    const ids = this.#ids(s);
    await this.#edit({ type: 'timeline-remove', ids }, [ids.buffer]);
  }

  #ids(s: ScheduledNotes): Uint32Array {
    const ids = new Uint32Array(s.count);
    for (let i = 0; i < s.count; i++) ids[i] = (0x80000000 + ((s.first + i) % 0x7fffffff)) >>> 0;
    return ids;
  }

  /** Sends a timeline edit once the worklet runs; resolves with the timeline's event count. */
  async #edit(msg: object, transfer: Transferable[]): Promise<number> {
    await this.#core.whenReady();
    const id = ++this.#nextMsg;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, [resolve, reject]);
      this.#core.link.node!.port.postMessage({ ...msg, id }, transfer);
    });
  }

  /** @internal The worklet's answer to a timeline edit. */
  onTimeline(d: { id: number; count: number; error: string }): void {
    const w = this.#waiting.get(d.id);
    this.#waiting.delete(d.id);
    if (d.error) w?.[1](new RangeError(d.error));
    else w?.[0](d.count);
  }

  /** Starts playing (from the position; with `quantize`, from the next beat or bar line at or after it). */
  start(opts: CommandOptions = {}): void {
    this.#command(Cmd.play, opts, 0);
  }

  /** Pauses, keeping the position (while playing, `quantize` waits for the next line). */
  pause(opts: CommandOptions = {}): void {
    this.#command(Cmd.pause, opts, 0);
  }

  /** Stops and returns to where the last start began. */
  stop(opts: CommandOptions = {}): void {
    this.#command(Cmd.stop, opts, 0);
  }

  /** Moves to `beats` (quarter notes, 0 to 2^20); playing goes on from there. */
  seek(beats: number, opts: CommandOptions = {}): void {
    this.#command(Cmd.seek, opts, inRange('seek', beats, 0, MAX_BEAT, ' beats'));
  }

  #command(kind: Cmd, { at, quantize = 'none' }: CommandOptions, beat: number): void {
    const q = GRIDS.indexOf(quantize);
    if (q < 0) throw new RangeError(`transport quantize: '${show(quantize)}' is not one of none | beat | bar`);
    const frame = at === undefined ? 0 : this.#core.link.frameOf(inRange('at', at, 0, 2 ** 40, ' s (context time)'));
    this.#put(EventKind.transport, kind, q, beat, 0);
    this.#r.u[5] = frame >>> 0;
    this.#r.u[6] = frame > 4294967295 ? Math.floor(frame / 4294967296) : 0;
    this.#send();
  }

  /** Tempo in BPM (20 to 400): setting it makes a constant tempo map; reading it with a map gives the tempo at the position. */
  get tempo(): number {
    return this.#map.length === 1 ? this.#map[0].bpm : this.position.bpm;
  }

  set tempo(bpm: number) {
    this.setTempoMap([{ beat: 0, bpm }]);
  }

  /** The tempo map as last set. */
  get tempoMap(): TempoPoint[] {
    return this.#map.map((p) => ({ ...p }));
  }

  /**
   * Replaces the tempo map: 1 to 256 points, the first at beat 0, beats increasing, tempos 20 to 400
   * BPM; `ramp: 'linear'` ramps (in beats) to the next point's tempo. While playing, a change ahead
   * of the position plays on seamlessly; one behind it keeps the position in beats ('retime').
   */
  setTempoMap(points: readonly TempoPoint[]): void {
    if (!Array.isArray(points) || points.length < 1 || points.length > MAX_TEMPO_POINTS) {
      throw new RangeError(`transport tempo map: expected 1 to ${MAX_TEMPO_POINTS} points, got ${Array.isArray(points) ? points.length : show(points)}`);
    }
    const map = points.map((p, i) => {
      const at = `tempo point ${i}`;
      if (typeof p !== 'object' || p === null) throw new TypeError(`transport ${at}: expected { beat, bpm, ramp? }, got ${show(p)}`);
      const beat = inRange(`${at} beat`, p.beat, 0, i === 0 ? 0 : MAX_BEAT, ' beats');
      if (i > 0 && !(beat > points[i - 1].beat)) throw new RangeError(`transport ${at} beat: ${beat} must be after point ${i - 1}'s (${points[i - 1].beat})`);
      const ramp = p.ramp ?? 'step';
      if (ramp !== 'step' && ramp !== 'linear') throw new RangeError(`transport ${at} ramp: '${show(ramp)}' is not one of step | linear`);
      return { beat, bpm: inRange(`${at} bpm`, p.bpm, 20, 400, ' BPM'), ramp };
    });
    this.#map = map;
    this.#sendMap();
  }

  /** The time signature [numerator 1..64, denominator 1, 2, 4, 8, 16, 32 or 64] (from bar 1). */
  get timeSignature(): [number, number] {
    return [...this.#sig];
  }

  set timeSignature(sig: [number, number]) {
    const [n, d] = Array.isArray(sig) ? sig : [];
    if (!Number.isInteger(inRange('time signature numerator', n, 1, 64))) throw new RangeError(`transport time signature numerator: ${n} is not a whole number 1 to 64`);
    if (!Number.isInteger(Math.log2(inRange('time signature denominator', d, 1, 64)))) throw new RangeError(`transport time signature denominator: ${d} is not 1, 2, 4, 8, 16, 32 or 64`);
    this.#sig = [n as number, d as number];
    this.#sendSig();
  }

  /** The loop region in beats: start >= 0, end up to 2^20 and at least one tick (1/960 beat) after start. */
  get loop(): LoopRegion {
    return { ...this.#region };
  }

  set loop(l: Partial<LoopRegion>) {
    if (typeof l !== 'object' || l === null) throw new TypeError(`transport loop: expected { start, end, enabled }, got ${show(l)}`);
    const start = inRange('loop start', l.start ?? this.#region.start, 0, MAX_BEAT - 1 / 960, ' beats');
    const end = inRange('loop end', l.end ?? this.#region.end, start + 1 / 960, MAX_BEAT, ' beats');
    this.#region = { start, end, enabled: !!(l.enabled ?? this.#region.enabled) };
    this.#sendLoop();
  }

  /** Swing: the off-beat of each pair of `swingGrid` notes delayed by this fraction of one (0 straight to 0.5; 1/3 is a triplet feel). */
  get swing(): number {
    return this.#sw[0];
  }

  set swing(amount: number) {
    this.#sw = [inRange('swing', amount, 0, 0.5), this.#sw[1]];
    this.#sendSwing();
  }

  /** The note value swing applies to, in beats: 0.5 (eighths) or 0.25 (sixteenths). */
  get swingGrid(): number {
    return this.#sw[1];
  }

  set swingGrid(grid: number) {
    if (grid !== 0.5 && grid !== 0.25) throw new RangeError(`transport swingGrid: ${show(grid)} is not 0.5 (eighths) or 0.25 (sixteenths)`);
    this.#sw = [this.#sw[0], grid];
    this.#sendSwing();
  }

  /** The metronome: a click on every beat of the signature (accented on the bar), rendered in the DSP into the master. */
  get metronome(): boolean {
    return this.#click;
  }

  set metronome(on: boolean) {
    this.#click = !!on;
    this.#sendClick();
  }

  /** Metronome level, linear 0 to 1 (default 0.5). */
  get metronomeLevel(): number {
    return this.#level;
  }

  set metronomeLevel(level: number) {
    this.#level = inRange('metronomeLevel', level, 0, 1);
    this.#sendClick();
  }

  /** Where the transport is, as last published by the audio thread. */
  get position(): TransportPosition {
    const s = this.#core.link.status();
    const sr = this.#core.engine.sampleRate;
    return {
      state: STATES[s.transportState] ?? 'stopped',
      bar: s.transportBar + 1,
      beat: s.transportBeat + 1,
      tick: s.transportTick,
      beats: s.transportBeats,
      seconds: sr > 0 ? s.transportSongFrame / sr : 0,
      bpm: s.transportBpm || this.#map[0].bpm,
    };
  }

  get state(): TransportState {
    return this.position.state;
  }

  /** The position in beats (quarter notes). */
  now(): number {
    return this.position.beats;
  }

  /** @internal After the audio thread was rebuilt: its transport starts stopped at 0 with this handle's settings. */
  restore(): void {
    this.#sendMap();
    this.#sendSig();
    this.#sendLoop();
    this.#sendSwing();
    this.#sendClick();
  }

  #sendMap(): void {
    this.#map.forEach((p, i) => {
      this.#put(EventKind.tempoPoint, i, this.#map.length, p.beat, p.bpm, p.ramp === 'linear' ? 1 : 0);
      this.#send();
    });
  }

  #sendSig(): void {
    this.#put(EventKind.signature, 0, 1, 0, 0);
    this.#r.u.set([0, this.#sig[0], this.#sig[1]], 3);
    this.#send();
  }

  #sendLoop(): void {
    this.#put(EventKind.loop, +this.#region.enabled, 0, this.#region.start, this.#region.end);
    this.#send();
  }

  #sendSwing(): void {
    this.#put(EventKind.swing, 0, 0, this.#sw[0], this.#sw[1]);
    this.#send();
  }

  #sendClick(): void {
    this.#put(EventKind.metronome, +this.#click, 0, 0, 0);
    this.#r.f[3] = this.#level;
    this.#send();
  }

  /** Fills the record: kind, two words, two f64 (words 3-4 and 5-6), word 7. */
  #put(kind: number, w1: number, w2: number, a: number, b: number, w7 = 0): void {
    const u = this.#r.u;
    const w = this.#w64;
    u[0] = kind;
    u[1] = w1;
    u[2] = w2;
    this.#f64[0] = a;
    u[3] = w[0];
    u[4] = w[1];
    this.#f64[0] = b;
    u[5] = w[0];
    u[6] = w[1];
    u[7] = w7;
  }

  #send(): void {
    this.#core.link.push(this.#r);
  }

  // ---- events: `transport`, read from the status words on animation frames while someone listens ----

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null | ((ev: CustomEvent<TransportEventDetail>) => unknown), options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
    if (type === 'transport' && listener) {
      this.#listening.add(listener);
      if (!this.#poll) this.#watch();
    }
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
    if (type === 'transport') this.#listening.delete(listener);
  }

  readonly #watch = (): void => {
    this.#poll = 0;
    if (this.#listening.size === 0) {
      this.#seen = -1; // a listener added later hears only changes from then on
      return;
    }
    const s = this.#core.link.status();
    const n = s.transportChanges;
    if (this.#seen >= 0 && n !== this.#seen && s.transportChange > 0) {
      const frame = s.transportChangeFrame;
      const detail: TransportEventDetail = {
        change: CHANGES[s.transportChange], state: STATES[s.transportState] ?? 'stopped', frame, time: frame / this.#core.engine.sampleRate, count: (n - this.#seen) >>> 0,
      };
      this.dispatchEvent(new CustomEvent('transport', { detail }));
    }
    this.#seen = n;
    this.#poll = requestAnimationFrame(this.#watch);
  };
}

// The `transport` event typed for listeners (declaration merging, no code).
export interface Transport {
  addEventListener(type: 'transport', listener: (this: Transport, ev: CustomEvent<TransportEventDetail>) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
