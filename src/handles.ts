/**
 * Handles: a strip (channel, bus, master), a synth and a sample. Thin: each reaches its engine
 * through the narrow {@link EngineCore} interface (the control link, the recovery records and the
 * few engine operations a handle needs), like lit's controllers reach their host. Main thread only.
 */
import {
  BUS_FX, STRIP_PARAMS, SYNTH_PARAMS, ClipFlag, EventKind, METER_WORDS, SynthParam, type BusFxSpec, type BusName, type ChannelParams, type MasterParams, type ParamSpec, type StripParamName, type SynthParamName, type SynthParams,
} from '../protocol/generated/contract.js';
import type { AnalysisOptions, AnalysisReader, AnalysisRequests } from './analysis.js';
import type { Engine } from './engine.js';
import type { DawErrorDetail } from './errors.js';
import type { ControlLink, Table } from './link.js';
import type { Recovery } from './recovery.js';
import { automate, checked, setAt } from './automation.js';
import type { AutomationPoint, AutomationTime, BusParamsOf, Meter, ParamName, ParamValue } from './types.js';
import { checkNote, checkParam, checkTime } from './validate.js';

/** What a handle may ask of its engine. */
export interface EngineCore {
  readonly engine: Engine;
  readonly link: ControlLink;
  readonly recovery: Recovery;
  readonly analysis: AnalysisRequests;
  now(): number;
  report(detail: DawErrorDetail): void;
  /** Frees a channel's or a synth's slot (after the handle's own clean-up). */
  release(handle: Channel | Synth): void;
  attachSource(ch: Channel, node: AudioNode): void;
  detachSources(ch: Channel, node?: AudioNode): void;
  freeSample(s: Sample): void;
}

const stripSpec = new Map<string, ParamSpec>(STRIP_PARAMS.map((p) => [p.name, p]));
const synthSpec = new Map<string, ParamSpec>(SYNTH_PARAMS.map((p) => [p.name, p]));
const busFxSpec = new Map<string, BusFxSpec>(BUS_FX.map((p) => [p.name, p]));

const linToDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);

/**
 * The one parameter write of every handle: validates `value` for `spec` (TypeError for a value of
 * the wrong kind), clamps it with a `daw-error` 'out-of-range' on the engine, writes it; returns
 * the value applied.
 */
function applyParam(core: EngineCore, table: Table, slot: number, owner: string, spec: ParamSpec, value: unknown, when?: AutomationTime): number {
  if (when !== undefined) return setAt({ core, table, slot, owner, spec }, value, when);
  const v = checked(core, owner, spec, value);
  core.link.write(table, slot, spec.index, v);
  return v;
}

/**
 * A mixer strip: a channel, a bus or the master. `P` is the options type of its parameters
 * (ChannelParams, BusParams or MasterParams), so `set('volumeDb', true)` fails type-checking.
 */
export class Strip<P extends object = ChannelParams & MasterParams> {
  /** The engine this strip belongs to. */
  readonly engine: Engine;

  /** @internal Made by the engine. */
  constructor(
    protected readonly core: EngineCore,
    /** Slot in the mixer (channels 0..63, buses 64..66, master 67). */
    readonly slot: number,
    readonly kind: 'channel' | 'bus' | 'master',
  ) {
    this.engine = core.engine;
  }

  /** Names of the parameters this strip accepts. */
  get parameterNames(): string[] {
    return STRIP_PARAMS.filter((p) => this.accepts(p)).map((p) => p.name);
  }

  private accepts(p: ParamSpec): boolean {
    return !p.internal && (p.scope === 'all' || p.scope === this.kind);
  }

  /**
   * Sets a parameter (names, units and ranges in the README). Out-of-range numbers are clamped and
   * reported with a `daw-error` event on the engine; returns the value applied. Throws RangeError for
   * an unknown name and TypeError for a value that is not a number. With `when` (`{ beat }` or
   * `{ at }`, and a `ramp`), adds an automation point to the parameter's lane on the timeline instead.
   */
  set<K extends ParamName<P>>(name: K, value: ParamValue<P, K>, when?: AutomationTime): number {
    this.assertLive();
    const [spec, table, slot] = this.lookup(name);
    return applyParam(this.core, table, slot, this.owner, spec, value, when);
  }

  /** Replaces the parameter's automation lane with `points` (an empty list clears it); resolves when the audio thread has it. */
  automate<K extends ParamName<P>>(name: K, points: readonly AutomationPoint<ParamValue<P, K>>[]): Promise<void> {
    this.assertLive();
    const [spec, table, slot] = this.lookup(name);
    return automate({ core: this.core, table, slot, owner: this.owner, spec }, points);
  }

  /** Sets several parameters at once; all are validated before any is written. */
  setAll(values: P): void {
    for (const [k, v] of Object.entries(values)) checkParam(this.lookup(k)[0], v, this.owner);
    for (const [k, v] of Object.entries(values)) this.set(k as ParamName<P>, v);
  }

  /** A parameter's value as last set. Throws RangeError for a name this strip does not take. */
  get(name: StripParamName | ParamName<P>): number {
    const [spec, table, slot] = this.lookup(name, true);
    return this.core.link.read(table, slot, spec.index);
  }

  /** @internal How errors name this strip. */
  protected get owner(): string {
    return this.kind;
  }

  /**
   * @internal Where parameter `name` lives: its spec, table and slot. RangeError naming the valid
   * names for one this strip does not take (`any`: internal and other kinds' strip parameters too).
   */
  protected lookup(name: string, any = false): [ParamSpec, Table, number] {
    const spec = stripSpec.get(name);
    if (!spec || !(any || this.accepts(spec))) {
      throw new RangeError(`unknown ${this.owner} parameter '${name}'; valid: ${this.parameterNames.join(', ')}`);
    }
    return [spec, 'strip', this.slot];
  }

  /** Throws TypeError when this handle's slot was given back (channels). */
  protected assertLive(): void {}

  /** Current meter readings (read from the control block; never asks the worklet). */
  meter(): Meter {
    this.core.link.wantReadings();
    const m = this.core.link.block.meters;
    const o = this.slot * METER_WORDS;
    const r: Meter = { peakDb: linToDb(m[o]), rmsDb: linToDb(m[o + 1]), gainReductionDb: Math.max(0, m[o + 2]) };
    if (this.kind === 'master') r.limiterReductionDb = Math.max(0, m[o + 3]);
    return r;
  }

  /**
   * Starts analysing this strip's output (post-fader; the master after its limiter) and returns a
   * reader: `read()` (loudness, true peak, correlation, peaks), `spectrum(out)`, `scope(out)`,
   * `release()`. Only what some reader asks for is computed. Throws TypeError / RangeError for bad
   * options (an unknown kind, a spectrum size other than 2048, 4096, 8192).
   */
  analysis(opts: AnalysisOptions): AnalysisReader {
    this.assertLive();
    return this.core.analysis.open(this.slot, opts);
  }
}

/**
 * A bus: its strip (the strip parameters of scope 'all') and the effect in its slot (the BUS_FX
 * parameters whose `bus` is its name: the reverb's on 'reverb', the delay's on 'delay').
 */
export class Bus<N extends BusName = BusName> extends Strip<BusParamsOf<N>> {
  /** @internal Made by the engine. */
  constructor(core: EngineCore, slot: number, readonly name: N) {
    super(core, slot, 'bus');
  }

  override get parameterNames(): string[] {
    return [...super.parameterNames, ...BUS_FX.filter((p) => p.bus === this.name).map((p) => p.name)];
  }

  protected override get owner(): string {
    return `${this.name} bus`;
  }

  protected override lookup(name: string, any = false): [ParamSpec, Table, number] {
    const fx = busFxSpec.get(name);
    if (!fx) return super.lookup(name, any);
    if (fx.bus !== this.name) throw new RangeError(`${name} is a parameter of the ${fx.bus} bus, not of the ${this.name} bus: use engine.bus('${fx.bus}')`);
    return [fx, 'busFx', 0];
  }
}

/** A mixer channel: a slot in the WASM mixer claimed by createChannel() and freed by dispose(). */
export class Channel extends Strip<ChannelParams> {
  label: string;
  /** @internal */ inputIndex = -1;
  /** @internal */ readonly sources = new Set<AudioNode>();
  private disposed = false;

  /** @internal Made by Engine.createChannel. */
  constructor(core: EngineCore, slot: number, label: string) {
    super(core, slot, 'channel');
    this.label = label;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  protected override assertLive(): void {
    if (this.disposed) throw new TypeError(`channel '${this.label}' was disposed`);
  }

  /**
   * Feeds audio from a node of the engine's context into this channel (summed with any other
   * sources and synths). Uses one of the engine's external inputs per channel.
   */
  connectSource(node: AudioNode): void {
    this.assertLive();
    if (!(node && typeof (node as AudioNode).connect === 'function')) throw new TypeError('connectSource: expected an AudioNode');
    if (this.engine.context && node.context !== this.engine.context) {
      throw new TypeError('connectSource: the node belongs to another AudioContext than the engine\'s');
    }
    this.core.attachSource(this, node);
  }

  /** Stops feeding `node` (or every source) into this channel. */
  disconnectSource(node?: AudioNode): void {
    this.core.detachSources(this, node);
  }

  /**
   * Plays `sample` into this channel at AudioContext `time` (default: as soon as possible), from
   * `offset` seconds into it, looping its loop region with `loop`, at linear `gain` (0..16). A
   * channel plays one clip at a time: a clip already playing fades out over 5 ms as this one starts.
   * Starts at its exact sample frame; without loop it ends at the sample's end.
   */
  play(sample: Sample, opts: { time?: number; offset?: number; loop?: boolean; gain?: number } = {}): void {
    this.assertLive();
    if (!(sample instanceof Sample) || sample.engine !== this.engine) throw new TypeError('play: expected a Sample loaded by this engine (engine.loadSample)');
    if (sample.isDisposed) throw new TypeError('play: this sample was disposed');
    const { time, offset = 0, loop = false, gain = 1 } = opts;
    checkTime('play', time);
    if (typeof offset !== 'number' || !(offset >= 0) || !Number.isFinite(offset)) throw new RangeError(`play: offset ${String(offset)} must be a number of seconds >= 0`);
    if (typeof gain !== 'number' || !(gain >= 0 && gain <= 16)) throw new RangeError(`play: gain ${String(gain)} must be 0 to 16 (linear)`);
    this.clip(time, sample, Math.min(Math.round(offset * sample.sampleRate), 4294967295), loop, gain);
  }

  /** Stops this channel's clip at `time` (default: now) with a 5 ms fade. */
  stop(time?: number): void {
    this.assertLive();
    checkTime('stop', time);
    this.clip(time, null, 0, false, 0);
  }

  /** A play (with a sample) or a stop: into the event ring, and kept for recovery when it went in. */
  private clip(time: number | undefined, sample: Sample | null, offset: number, loop: boolean, gain: number): void {
    const c = this.core;
    const kind = sample ? EventKind.clipPlay : EventKind.clipStop;
    if (c.link.clip(kind, this.slot, sample ? sample.id : 0, offset, gain, time, loop ? ClipFlag.loop : 0)) {
      const now = c.now();
      c.recovery.clipEvent(this, { kind: sample ? 'play' : 'stop', t: time ?? now, sample, offset, loop, gain }, now);
    }
  }

  /** Frees the slot. The channel's handle is dead afterwards; calling dispose() again is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.core.release(this);
    this.disposed = true;
  }
}

/** A synth slot: its parameters and note events go to the voice pool, its audio into a channel. */
export class Synth {
  private disposed = false;
  private nextId = 1;
  /** pitch -> ids of notes held (noteOff(pitch) releases them) */
  private readonly held = new Map<number, number[]>();

  /** The engine this synth belongs to. */
  readonly engine: Engine;

  /** @internal Made by Engine.createSynth. */
  constructor(private readonly core: EngineCore, readonly slot: number, public channel: Channel | null) {
    this.engine = core.engine;
  }

  private assertLive(): void {
    if (this.disposed) throw new TypeError('this synth was disposed');
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Sets a parameter, or with `when` adds an automation point (see Strip.set). */
  set<K extends ParamName<SynthParams>>(name: K, value: ParamValue<SynthParams, K>, when?: AutomationTime): number {
    return applyParam(this.core, 'synth', this.slot, 'synth', this.spec(name), value, when);
  }

  /** Replaces the parameter's automation lane (see Strip.automate). */
  automate<K extends ParamName<SynthParams>>(name: K, points: readonly AutomationPoint<ParamValue<SynthParams, K>>[]): Promise<void> {
    return automate({ core: this.core, table: 'synth', slot: this.slot, owner: 'synth', spec: this.spec(name) }, points);
  }

  private spec(name: string): ParamSpec {
    this.assertLive();
    const spec = synthSpec.get(name);
    if (!spec || spec.internal) throw new RangeError(`unknown synth parameter '${name}'; valid: ${SYNTH_PARAMS.filter((p) => !p.internal).map((p) => p.name).join(', ')}`);
    return spec;
  }

  get(name: SynthParamName): number {
    const spec = synthSpec.get(name);
    if (!spec) throw new RangeError(`unknown synth parameter '${name}'`);
    return this.core.link.read('synth', this.slot, spec.index);
  }

  /** Routes this synth into `channel` (or nowhere with null). */
  route(channel: Channel | null): void {
    this.assertLive();
    this.channel = channel;
    this.core.link.write('synth', this.slot, SynthParam.channel, channel && !channel.isDisposed ? channel.slot : -1);
  }

  /**
   * Starts a note. `pitch` is a MIDI note number (fractions allowed), `velocity` 0..1, `time` an
   * AudioContext time in seconds (default: as soon as possible). Returns the note's numeric id.
   */
  noteOn(pitch: number, velocity = 1, time?: number): number {
    this.assertLive();
    checkNote(pitch, velocity, time);
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    let ids = this.held.get(pitch);
    if (!ids) this.held.set(pitch, (ids = []));
    ids.push(id);
    this.core.link.note(EventKind.noteOn, this.slot, id, pitch, Math.min(1, Math.max(0, velocity)), time);
    return id;
  }

  /** Releases the notes held at `pitch` (or the note with id `{ id }`). */
  noteOff(pitch: number, time?: number): void {
    this.assertLive();
    checkNote(pitch, 1, time);
    const ids = this.held.get(pitch);
    if (ids && ids.length) {
      for (const id of ids) this.core.link.note(EventKind.noteOff, this.slot, id, pitch, 0, time);
      ids.length = 0;
    } else {
      this.core.link.note(EventKind.noteOff, this.slot, 0, pitch, 0, time);
    }
  }

  /** Plays a note for `duration` seconds. */
  play(pitch: number, duration: number, opts: { time?: number; velocity?: number } = {}): number {
    if (!(duration >= 0) || !Number.isFinite(duration)) throw new RangeError(`play: duration ${duration} must be a finite number of seconds >= 0`);
    const t = opts.time ?? this.core.now();
    const id = this.noteOn(pitch, opts.velocity ?? 1, t);
    const ids = this.held.get(pitch)!;
    ids.splice(ids.indexOf(id), 1); // not held: it ends by itself
    this.core.link.note(EventKind.noteOff, this.slot, id, pitch, 0, t + duration);
    return id;
  }

  /** Releases every note of this synth (with `immediate`, a ≤5 ms fade instead of the release). */
  allNotesOff(immediate = false): void {
    if (this.disposed) return;
    this.held.clear();
    this.core.link.note(immediate ? EventKind.stopAll : EventKind.releaseAll, this.slot, 0, 0, 0, undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    // A hard stop with id 1 is a cancel: it also drops this synth's notes scheduled for later, so
    // the slot's next owner never plays them (dsp/VoicePool.zig push).
    this.held.clear();
    this.core.link.note(EventKind.stopAll, this.slot, 1, 0, 0, undefined);
    this.core.release(this);
    this.disposed = true;
  }
}

/**
 * Audio held by the engine (in its WebAssembly memory) for channels to play: see
 * Engine.loadSample and Channel.play. dispose() frees its memory for later samples.
 */
export class Sample {
  private disposed = false;

  /** The engine holding this sample. */
  readonly engine: Engine;

  /** @internal Made by Engine.loadSample. */
  constructor(
    private readonly core: EngineCore,
    /** @internal */ readonly id: number,
    /** @internal */ readonly slot: number,
    /** Length in frames (at `sampleRate`). */
    readonly frames: number,
    /** 1 (mono: both sides) or 2. */
    readonly channels: number,
    /** The engine's sample rate: samples are converted to it when loaded. */
    readonly sampleRate: number,
    /** Loop region in frames: [loopStart, loopEnd). */
    readonly loopStart: number,
    readonly loopEnd: number,
  ) {
    this.engine = core.engine;
  }

  /** Length in seconds. */
  get duration(): number {
    return this.frames / this.sampleRate;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Frees the sample. Channels playing it stop at once, without a fade (stop them first for one);
   * plays scheduled for later are dropped.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.core.freeSample(this);
  }
}

