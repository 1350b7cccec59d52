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
import type { EngineCore } from './handles.js';
import { MAX_BEAT, TimelineStore, inRange as check, type ScheduledNotes, type TimelineClip, type TimelineNote } from './timeline.js';
import { show } from './validate.js';

import type { TransportEventDetail, TransportPosition } from './types.js';

export type { ScheduledNotes, TimelineClip, TimelineNote } from './timeline.js';
export type { TransportEventDetail, TransportPosition } from './types.js';

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

/** Timing of a command: `at` context time in seconds (default: at once), `quantize` to wait for the next beat or bar line. */
export interface CommandOptions {
  at?: number;
  quantize?: Quantize;
}

const STATES: readonly TransportState[] = ['stopped', 'playing', 'paused'];
const CHANGES: readonly TransportChange[] = ['start', 'start', 'pause', 'stop', 'seek', 'loop', 'retime'];
const GRIDS = ['none', 'beat', 'bar'];
const enum Cmd { play = 1, pause, stop, seek, resume }

const inRange = (what: string, v: unknown, lo: number, hi: number, unit = ''): number => check(`transport ${what}`, v, lo, hi, unit);

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
  /** Where the song was when the audio thread was lost: state, song frame, context frame. */
  #lost: { state: number; song: number; frame: number } | null = null;
  /** @internal The timeline's batches and the copy kept for recovery. */
  readonly timeline: TimelineStore;
  /** @internal The notes of each schedule() call still scheduled, by its first id (engine.snapshot() lists them; restore() replaces them). */
  get scheduled(): ReadonlyMap<number, (TimelineNote | TimelineClip)[]> {
    return this.timeline.scheduled;
  }

  readonly #core: EngineCore & { whenReady(): Promise<void> };

  /** @internal Made by the engine (engine.transport). */
  constructor(core: EngineCore & { whenReady(): Promise<void> }) {
    super();
    this.#core = core;
    this.timeline = new TimelineStore(core);
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
  schedule(notes: readonly (TimelineNote | TimelineClip)[], opts: { replace?: ScheduledNotes } = {}): Promise<ScheduledNotes> {
    return this.timeline.schedule(notes, opts);
  }

  /** Removes notes that schedule() added (a note sounding now is released at the next quantum). */
  unschedule(s: ScheduledNotes): Promise<void> {
    return this.timeline.unschedule(s);
  }

  /** @internal The worklet's answer to a timeline edit. */
  onTimeline(d: { id: number; count: number; error: string }): void {
    this.timeline.onTimeline(d);
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

  /** @internal The audio thread is lost: where the song was as last published (state, song frame, context frame). */
  lose(): void {
    const s = this.#core.link.status();
    this.#lost ??= { state: s.transportState, song: s.transportSongFrame, frame: s.frame };
  }

  /** @internal A new AudioContext replaced the closed one: its frame 0 is the old one's `frames`. */
  rebase(frames: number): void {
    if (this.#lost) this.#lost.frame -= frames;
  }

  /**
   * @internal After the audio thread was rebuilt and given the settings (restore()): the timeline's
   * events back, then the transport where the clock says it is at context time `at` (playing: the
   * frames since the last published position played on, through the loop; paused or stopped: that
   * position). Applied late, the DSP adds the lateness (a 'resume' command, dsp/Transport.zig).
   */
  async resume(at: number): Promise<void> {
    await this.timeline.restore();
    const l = this.#lost;
    this.#lost = null;
    if (!l || (l.state === 0 && l.song === 0)) return;
    const frame = this.#core.link.frameOf(at);
    this.#put(EventKind.transport, Cmd.resume, l.state, l.song, 0, Math.max(0, Math.min(frame - l.frame, 4294967295)));
    this.#r.u[5] = frame >>> 0;
    this.#r.u[6] = Math.floor(frame / 4294967296);
    this.#send();
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
