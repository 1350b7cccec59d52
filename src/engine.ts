/**
 * The engine: one AudioContext (or a given OfflineAudioContext), one AudioWorkletNode running the
 * WASM mixer, and the control block through which every channel, bus, master and synth is driven.
 *
 * Threads: everything here runs on the main thread. The audio thread only reads what this file
 * writes into the control block, and writes meters and status back.
 */
import {
  BUS_NAMES, EXTERNAL_INPUTS, FIRST_BUS, LAYOUT_VERSION, MASTER, MAX_CHANNELS, MAX_SAMPLES, MAX_SYNTHS, NUM_STRIPS, STRIDE,
  STRIP_PARAMS, SYNTH_PARAMS, StripParam, type ParamSpec, type StripParamName, type SynthParamName,
} from './generated/params.js';
import {
  BLOCK_BYTES, H_ACTIVE_GROUPS, H_ACTIVE_VOICES, H_CLIP_EVENTS_DROPPED, H_CLIP_EVENTS_LATE, H_CLIPS_PLAYING, H_DROPPED_NOTES, H_FRAME_HI, H_FRAME_LO, H_LATE_NOTES, H_LOAD_PERMILLE,
  H_NONFINITE, H_PORT_MESSAGES, H_QUANTA, H_SEQ, H_SKIPPED_GROUPS, H_STATE_RESETS, H_STOLEN_VOICES, H_WASM_BYTES,
  HEADER_INTS, METER_STRIDE, METERS_BEGIN, METERS_END, NOTE_WORDS, SYNC_BEGIN, SYNC_END, blockViews, type BlockViews,
} from './layout.js';
import {
  CLIP_CANCEL, CLIP_FLAG_LOOP, CLIP_PLAY, CLIP_STOP, NOTE_OFF, NOTE_ON, NOTES_RELEASE_ALL, NOTES_STOP_ALL, ringAvailable, ringDrain,
  ringPush, ringPushClip,
} from './ring.js';
import { sanitize, toPcm, type SampleOptions, type SampleSource } from './samples.js';
import { checkParam, describeRange } from './validate.js';

export type EngineState = 'idle' | 'starting' | 'running' | 'suspended' | 'closed' | 'error';

export interface EngineOptions {
  /** Render into this context instead of creating an AudioContext on start(). */
  context?: BaseAudioContext;
  /** latencyHint for the AudioContext created by start(). */
  latencyHint?: AudioContextLatencyCategory | number;
  /** Sample rate for the AudioContext created by start() (default: the device's). */
  sampleRate?: number;
  /** Use the SharedArrayBuffer path (default: when the page is cross-origin isolated). */
  shared?: boolean;
  /**
   * Inputs of the worklet node for AudioNode sources (`Channel.connectSource`), 0 to 32 (default
   * 32): that many channels can take AudioNode sources at a time. Each costs the browser a little
   * on every quantum even when unconnected (about 0.05 µs in Chromium 156), so a page that plays
   * only clips and synths can say 0.
   */
  inputs?: number;
  /**
   * Most bytes of sample data the engine holds at once (`loadSample`), 0 to 4 GiB (2^32); default
   * 256 MiB (DEFAULT_SAMPLE_MEMORY). A sample is f32 in WebAssembly memory: 384,000 bytes per second
   * of stereo at 48 kHz, so 256 MiB is about 11.6 minutes of stereo. A wasm32 memory cannot pass
   * 4 GiB and browsers refuse to grow it much earlier on small devices, and loading briefly needs the
   * decoded copy on the main thread too; the cap turns that into a clear 'capacity' error instead.
   */
  sampleMemory?: number;
  /** Where to load the worklet module and the WASM from (default: beside this module). */
  workletUrl?: string | URL;
  wasmUrl?: string | URL;
}

export interface Meter {
  /** Peak level in dBFS (instant attack, falls 20 dB in 1.7 s); -Infinity for silence. */
  peakDb: number;
  /** RMS level in dBFS over ~300 ms. */
  rmsDb: number;
  /** Compressor gain reduction in dB (>= 0). */
  gainReductionDb: number;
  /** Master only: limiter gain reduction in dB (>= 0). */
  limiterReductionDb?: number;
}

export interface EngineStatus {
  quanta: number;
  frame: number;
  nonFiniteSamples: number;
  stateResets: number;
  activeGroups: number;
  skippedGroups: number;
  activeVoices: number;
  lateNotes: number;
  droppedNotes: number;
  stolenVoices: number;
  /** Clip players sounding (a clip fading out after a stop or replace counts too). */
  clipsPlaying: number;
  /** Clip events dropped: their sample was freed before they were due, or the queue was full. */
  droppedClipEvents: number;
  /** Clip events that arrived after their time and started at the next quantum's first frame. */
  lateClipEvents: number;
  /** Size of the DSP's WebAssembly memory: constant except when loading samples grows it. */
  wasmBytes: number;
  workletMessages: number;
  /** Port messages this engine has sent to the worklet since start. */
  messagesPosted: number;
  /**
   * DSP load: the worklet's time in process() over the quantum's duration, averaged over 375 quanta
   * (0..1; above 1 the DSP cannot keep up in real time). NaN until first measured, and always NaN
   * where the worklet has no sub-millisecond clock: `performance.now()` in AudioWorkletGlobalScope,
   * which Chromium (156), Firefox (153) and WebKitGTK (2.50) do not provide
   * (WebAudio/web-audio-api#2413). It is not estimated from `Date.now()`: the audio device renders
   * several quanta back to back per callback, in step with its 1 ms ticks, so such readings are
   * almost always 0. Where this is NaN, the browser's own tools are the reference: in Chrome, the
   * DevTools WebAudio panel's "render capacity".
   */
  load: number;
}

/** Detail of every `daw-error` event. */
export interface DawErrorDetail {
  code: 'out-of-range' | 'invalid-value' | 'load-failed' | 'unsupported' | 'worklet-error' | 'capacity';
  message: string;
  param?: string;
  value?: unknown;
  range?: string;
  error?: unknown;
}

/** Default EngineOptions.sampleMemory: 256 MiB of sample data (see there for why). */
export const DEFAULT_SAMPLE_MEMORY = 256 * 1024 * 1024;
/** A wasm32 memory holds at most 2^32 bytes. */
const MAX_SAMPLE_MEMORY = 2 ** 32;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

const DEFAULT_URLS = {
  worklet: new URL('./daw-worklet.js', import.meta.url),
  wasm: new URL('./daw-dsp.wasm', import.meta.url),
};

const stripSpec = new Map<string, ParamSpec>(STRIP_PARAMS.map((p) => [p.name, p]));
const synthSpec = new Map<string, ParamSpec>(SYNTH_PARAMS.map((p) => [p.name, p]));

const wasmModules = new Map<string, Promise<WebAssembly.Module>>();

/** Fetches and compiles the DSP once per page and URL. */
function compileWasm(url: string): Promise<WebAssembly.Module> {
  let p = wasmModules.get(url);
  if (!p) {
    p = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    wasmModules.set(url, p);
    p.catch(() => wasmModules.delete(url));
  }
  return p;
}

const dbToLin = (db: number) => (db <= -400 ? 0 : Math.pow(10, db / 20));
const linToDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);

/** A mixer strip: a channel, a bus or the master. */
export class Strip {
  /** @internal */
  constructor(
    /** @internal */ readonly engine: Engine,
    /** Slot in the mixer (channels 0..63, buses 64..66, master 67). */
    readonly slot: number,
    readonly kind: 'channel' | 'bus' | 'master',
  ) {}

  /** Names of the parameters this strip accepts. */
  get parameterNames(): string[] {
    return STRIP_PARAMS.filter((p) => this.accepts(p)).map((p) => p.name);
  }

  /** @internal */
  accepts(p: ParamSpec): boolean {
    return !p.internal && (p.scope === 'all' || p.scope === this.kind);
  }

  /**
   * Sets a parameter (names, units and ranges in the README). Out-of-range numbers are clamped and
   * reported with a `daw-error` event on the engine; returns the value applied. Throws RangeError for
   * an unknown name and TypeError for a value that is not a number.
   */
  set(name: StripParamName | string, value: number | boolean): number {
    this.engine.assertLive(this);
    const spec = stripSpec.get(name);
    if (!spec || !this.accepts(spec)) {
      throw new RangeError(`unknown ${this.kind} parameter '${name}'; valid: ${this.parameterNames.join(', ')}`);
    }
    const { value: v, clamped } = checkParam(spec, value, this.kind);
    if (clamped) {
      this.engine.report({
        code: 'out-of-range', param: name, value, range: describeRange(spec),
        message: `${this.kind} ${name}: ${String(value)} is outside ${describeRange(spec)}; using ${v}`,
      });
    }
    this.engine.writeStrip(this.slot, spec.index, v);
    return v;
  }

  /** Sets several parameters at once; all are validated before any is written. */
  setAll(values: Partial<Record<StripParamName, number | boolean>>): void {
    for (const [k, v] of Object.entries(values)) {
      const spec = stripSpec.get(k);
      if (!spec || !this.accepts(spec)) throw new RangeError(`unknown ${this.kind} parameter '${k}'`);
      checkParam(spec, v, this.kind);
    }
    for (const [k, v] of Object.entries(values)) this.set(k, v as number);
  }

  get(name: StripParamName | string): number {
    const spec = stripSpec.get(name);
    if (!spec) throw new RangeError(`unknown ${this.kind} parameter '${name}'`);
    return this.engine.block.strip[this.slot * STRIDE + spec.index];
  }

  /** Current meter readings (read from the control block; never asks the worklet). */
  meter(): Meter {
    this.engine.wantMeters();
    const m = this.engine.block.meters;
    const o = this.slot * METER_STRIDE;
    const r: Meter = { peakDb: linToDb(m[o]), rmsDb: linToDb(m[o + 1]), gainReductionDb: Math.max(0, m[o + 2]) };
    if (this.kind === 'master') r.limiterReductionDb = Math.max(0, m[o + 3]);
    return r;
  }
}

/** A mixer channel: a slot in the WASM mixer claimed by createChannel() and freed by dispose(). */
export class Channel extends Strip {
  label: string;
  /** @internal */ inputIndex = -1;
  /** @internal */ readonly sources = new Set<AudioNode>();
  /** @internal */ generation: number;
  private disposed = false;

  /** @internal */
  constructor(engine: Engine, slot: number, generation: number, label: string) {
    super(engine, slot, 'channel');
    this.generation = generation;
    this.label = label;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Feeds audio from a node of the engine's context into this channel (summed with any other
   * sources and synths). Uses one of the engine's external inputs per channel.
   */
  connectSource(node: AudioNode): void {
    this.engine.assertLive(this);
    if (!(node && typeof (node as AudioNode).connect === 'function')) throw new TypeError('connectSource: expected an AudioNode');
    if (this.engine.context && node.context !== this.engine.context) {
      throw new TypeError('connectSource: the node belongs to another AudioContext than the engine\'s');
    }
    this.engine.attachSource(this, node);
  }

  /** Stops feeding `node` (or every source) into this channel. */
  disconnectSource(node?: AudioNode): void {
    this.engine.detachSources(this, node);
  }

  /**
   * Plays `sample` into this channel at AudioContext `time` (default: as soon as possible), from
   * `offset` seconds into it, looping its loop region with `loop`, at linear `gain` (0..16). A
   * channel plays one clip at a time: a clip already playing fades out over 5 ms as this one starts.
   * Starts at its exact sample frame; without loop it ends at the sample's end.
   */
  play(sample: Sample, opts: { time?: number; offset?: number; loop?: boolean; gain?: number } = {}): void {
    this.engine.assertLive(this);
    if (!(sample instanceof Sample) || sample.engine !== this.engine) throw new TypeError('play: expected a Sample loaded by this engine (engine.loadSample)');
    if (sample.isDisposed) throw new TypeError('play: this sample was disposed');
    const { time, offset = 0, loop = false, gain = 1 } = opts;
    checkTime('play', time);
    if (typeof offset !== 'number' || !(offset >= 0) || !Number.isFinite(offset)) throw new RangeError(`play: offset ${String(offset)} must be a number of seconds >= 0`);
    if (typeof gain !== 'number' || !(gain >= 0 && gain <= 16)) throw new RangeError(`play: gain ${String(gain)} must be 0 to 16 (linear)`);
    const frames = Math.min(Math.round(offset * sample.sampleRate), 4294967295);
    this.engine.pushClip(CLIP_PLAY, this.slot, sample.id, frames, gain, time, loop ? CLIP_FLAG_LOOP : 0);
  }

  /** Stops this channel's clip at `time` (default: now) with a 5 ms fade. */
  stop(time?: number): void {
    this.engine.assertLive(this);
    checkTime('stop', time);
    this.engine.pushClip(CLIP_STOP, this.slot, 0, 0, 0, time, 0);
  }

  /** Frees the slot. The channel's handle is dead afterwards; calling dispose() again is harmless. */
  dispose(): void {
    if (this.disposed) return;
    this.engine.releaseChannel(this);
    this.disposed = true;
  }
}

/** A synth slot: its parameters and note events go to the voice pool, its audio into a channel. */
export class Synth {
  private disposed = false;
  private nextId = 1;
  /** pitch -> ids of notes held (noteOff(pitch) releases them) */
  private readonly held = new Map<number, number[]>();

  /** @internal */
  constructor(readonly engine: Engine, readonly slot: number, public channel: Channel | null) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  set(name: SynthParamName | string, value: number | string | boolean): number {
    this.engine.assertLiveSynth(this);
    const spec = synthSpec.get(name);
    if (!spec || spec.internal) {
      throw new RangeError(`unknown synth parameter '${name}'; valid: ${SYNTH_PARAMS.filter((p) => !p.internal).map((p) => p.name).join(', ')}`);
    }
    const { value: v, clamped } = checkParam(spec, value, 'synth');
    if (clamped) {
      this.engine.report({
        code: 'out-of-range', param: name, value, range: describeRange(spec),
        message: `synth ${name}: ${String(value)} is outside ${describeRange(spec)}; using ${v}`,
      });
    }
    this.engine.writeSynth(this.slot, spec.index, v);
    return v;
  }

  get(name: SynthParamName | string): number {
    const spec = synthSpec.get(name);
    if (!spec) throw new RangeError(`unknown synth parameter '${name}'`);
    return this.engine.block.synth[this.slot * STRIDE + spec.index];
  }

  /** Routes this synth into `channel` (or nowhere with null). */
  route(channel: Channel | null): void {
    this.engine.assertLiveSynth(this);
    this.channel = channel;
    this.engine.writeSynth(this.slot, synthSpec.get('channel')!.index, channel && !channel.isDisposed ? channel.slot : -1);
  }

  /**
   * Starts a note. `pitch` is a MIDI note number (fractions allowed), `velocity` 0..1, `time` an
   * AudioContext time in seconds (default: as soon as possible). Returns the note's numeric id.
   */
  noteOn(pitch: number, velocity = 1, time?: number): number {
    this.engine.assertLiveSynth(this);
    checkNote(pitch, velocity, time);
    const id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    let ids = this.held.get(pitch);
    if (!ids) this.held.set(pitch, (ids = []));
    ids.push(id);
    this.engine.pushNote(NOTE_ON, this.slot, id, pitch, Math.min(1, Math.max(0, velocity)), time);
    return id;
  }

  /** Releases the notes held at `pitch` (or the note with id `{ id }`). */
  noteOff(pitch: number, time?: number): void {
    this.engine.assertLiveSynth(this);
    checkNote(pitch, 1, time);
    const ids = this.held.get(pitch);
    if (ids && ids.length) {
      for (const id of ids) this.engine.pushNote(NOTE_OFF, this.slot, id, pitch, 0, time);
      ids.length = 0;
    } else {
      this.engine.pushNote(NOTE_OFF, this.slot, 0, pitch, 0, time);
    }
  }

  /** Plays a note for `duration` seconds. */
  play(pitch: number, duration: number, opts: { time?: number; velocity?: number } = {}): number {
    if (!(duration >= 0) || !Number.isFinite(duration)) throw new RangeError(`play: duration ${duration} must be a finite number of seconds >= 0`);
    const t = opts.time ?? this.engine.now();
    const id = this.noteOn(pitch, opts.velocity ?? 1, t);
    const ids = this.held.get(pitch)!;
    ids.splice(ids.indexOf(id), 1); // not held: it ends by itself
    this.engine.pushNote(NOTE_OFF, this.slot, id, pitch, 0, t + duration);
    return id;
  }

  /** Releases every note of this synth (with `immediate`, a ≤5 ms fade instead of the release). */
  allNotesOff(immediate = false): void {
    if (this.disposed) return;
    this.held.clear();
    this.engine.pushNote(immediate ? NOTES_STOP_ALL : NOTES_RELEASE_ALL, this.slot, 0, 0, 0, undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    // A hard stop with id 1 is a cancel: it also drops this synth's notes scheduled for later, so
    // the slot's next owner never plays them (dsp/VoicePool.zig push).
    this.held.clear();
    this.engine.pushNote(NOTES_STOP_ALL, this.slot, 1, 0, 0, undefined);
    this.engine.releaseSynth(this);
    this.disposed = true;
  }
}

function checkTime(what: string, time: number | undefined): void {
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time) || time < 0)) throw new RangeError(`${what} time ${String(time)} must be an AudioContext time in seconds >= 0`);
}

/**
 * Audio held by the engine (in its WebAssembly memory) for channels to play: see
 * Engine.loadSample and Channel.play. dispose() frees its memory for later samples.
 */
export class Sample {
  private disposed = false;

  /** @internal */
  constructor(
    readonly engine: Engine,
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
  ) {}

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
    this.engine.freeSample(this);
  }
}

function checkNote(pitch: number, velocity: number, time: number | undefined): void {
  if (typeof pitch !== 'number' || !(pitch >= 0 && pitch <= 127)) throw new RangeError(`note pitch ${String(pitch)} must be a MIDI note number 0 to 127`);
  if (typeof velocity !== 'number' || !(velocity >= 0 && velocity <= 1)) throw new RangeError(`note velocity ${String(velocity)} must be 0 to 1`);
  checkTime('note', time);
}

/**
 * The engine. Get the page's one engine with getEngine(); renderOffline() builds private ones on
 * OfflineAudioContexts.
 */
export class Engine extends EventTarget {
  context: BaseAudioContext | null = null;
  node: AudioWorkletNode | null = null;
  /** True when parameters travel through a SharedArrayBuffer (cross-origin isolated page). */
  readonly shared: boolean;
  /** @internal */ readonly block: BlockViews;
  /** Master strip. */
  readonly master: Strip;
  private readonly buses: Strip[];
  private _state: EngineState = 'idle';
  private startPromise: Promise<void> | null = null;
  private readonly options: EngineOptions;
  private readonly freeChannels: number[] = [];
  private readonly freeSynths: number[] = [];
  private readonly freeInputs: number[] = [];
  /** Inputs of the worklet node for AudioNode sources (EngineOptions.inputs). */
  readonly inputs: number;
  private readonly channels = new Set<Channel>();
  private readonly synths = new Set<Synth>();
  private readonly freeSampleSlots: number[] = [];
  private readonly sampleGen = new Uint32Array(MAX_SAMPLES);
  private readonly samples = new Set<Sample>();
  private sampleBytesUsed = 0;
  /** Cap on sample data in bytes (EngineOptions.sampleMemory). */
  readonly sampleMemory: number;
  private readonly sampleWaiters = new Map<number, { resolve: (wasmBytes: number) => void; reject: (e: Error) => void }>();
  private generation = 0;
  private messagesPosted = 0;
  // fallback path
  private lastSentSeq = 0;
  private flushScheduled = false;
  private flushWaiters: Array<() => void> = [];
  private ackWaiters = new Map<number, () => void>();
  private flushId = 0;
  /** performance.now() of the last meter() read; -Infinity (not 0) so a page's first second
   * doesn't count as "meters were just read". */
  private meterWanted = -Infinity;
  private lastMeterPoll = -Infinity;
  private readonly noteScratch: Uint32Array;
  private readyWaiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** Last error, when state is 'error'. */
  error: Error | null = null;

  constructor(options: EngineOptions = {}) {
    super();
    this.options = options;
    const canShare = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    if (options.shared && !canShare) throw new TypeError('shared: true needs a cross-origin isolated page (COOP/COEP headers)');
    this.shared = options.shared ?? canShare;
    this.block = blockViews(this.shared ? new SharedArrayBuffer(BLOCK_BYTES) : new ArrayBuffer(BLOCK_BYTES));
    this.block.header[H_LOAD_PERMILLE] = -1; // not measured (yet): status().load is NaN, not 0
    this.noteScratch = new Uint32Array(this.block.notesU32.length);
    for (let s = MAX_CHANNELS - 1; s >= 0; s--) this.freeChannels.push(s);
    for (let s = MAX_SYNTHS - 1; s >= 0; s--) this.freeSynths.push(s);
    const inputs = options.inputs ?? EXTERNAL_INPUTS;
    if (typeof inputs !== 'number' || !Number.isInteger(inputs) || inputs < 0 || inputs > EXTERNAL_INPUTS) {
      throw new RangeError(`inputs ${String(options.inputs)} must be a whole number 0 to ${EXTERNAL_INPUTS}`);
    }
    this.inputs = inputs;
    const cap = options.sampleMemory ?? DEFAULT_SAMPLE_MEMORY;
    const range = `0 to ${MAX_SAMPLE_MEMORY} bytes (4 GiB, a wasm32 memory's most)`;
    if (typeof cap !== 'number' || Number.isNaN(cap)) throw new TypeError(`sampleMemory ${String(options.sampleMemory)} must be a number of bytes, ${range}`);
    if (!(cap >= 0 && cap <= MAX_SAMPLE_MEMORY)) throw new RangeError(`sampleMemory ${cap} must be ${range}`);
    this.sampleMemory = Math.floor(cap);
    for (let i = inputs - 1; i >= 0; i--) this.freeInputs.push(i);
    for (let i = MAX_SAMPLES - 1; i >= 0; i--) this.freeSampleSlots.push(i);
    for (let s = 0; s < NUM_STRIPS; s++) this.writeDefaults(s);
    this.buses = BUS_NAMES.map((_, i) => new Strip(this, FIRST_BUS + i, 'bus'));
    this.master = new Strip(this, MASTER, 'master');
    if (options.context) this.context = options.context;
  }

  get state(): EngineState {
    return this._state;
  }

  get sampleRate(): number {
    return this.context ? this.context.sampleRate : NaN;
  }

  /** Channels currently claimed. */
  get channelCount(): number {
    return this.channels.size;
  }

  get synthCount(): number {
    return this.synths.size;
  }

  /**
   * Frames by which the output trails the input: the master limiter's look-ahead
   * (round(1.5 ms x sample rate) - 1). Scheduled notes and sources are not compensated.
   */
  get latencyFrames(): number {
    return this.context ? Math.round(0.0015 * this.context.sampleRate) - 1 : 0;
  }

  /** Largest number of channels. */
  get capacity(): number {
    return MAX_CHANNELS;
  }

  /** AudioContext time now (0 before start). */
  now(): number {
    return this.context ? this.context.currentTime : 0;
  }

  /** A bus by name ('reverb', 'delay', 'drum') or index 0..2. */
  bus(name: string | number): Strip {
    const i = typeof name === 'number' ? name : BUS_NAMES.indexOf(name.toLowerCase() as (typeof BUS_NAMES)[number]);
    if (!(i >= 0 && i < this.buses.length) || !Number.isInteger(i)) {
      throw new RangeError(`unknown bus '${String(name)}'; buses: ${BUS_NAMES.join(', ')} (or 0..${BUS_NAMES.length - 1})`);
    }
    return this.buses[i];
  }

  /**
   * Claims a mixer channel. Options are any channel parameters plus `label`. Throws RangeError when
   * all 64 channels are in use.
   */
  createChannel(options: { label?: string } & Partial<Record<StripParamName, number | boolean>> = {}): Channel {
    if (this._state === 'closed') throw new Error('this engine is closed');
    const { label, ...params } = options;
    const slot = this.freeChannels.pop();
    if (slot === undefined) {
      const message = `no free mixer channel: all ${MAX_CHANNELS} are in use (dispose one first)`;
      this.report({ code: 'capacity', message });
      throw new RangeError(message);
    }
    const ch = new Channel(this, slot, ++this.generation, label ?? `Channel ${slot + 1}`);
    this.writeDefaults(slot);
    try {
      for (const [k, v] of Object.entries(params)) ch.set(k, v as number);
    } catch (e) {
      this.freeChannels.push(slot);
      throw e;
    }
    this.channels.add(ch);
    // Publish the claim after its parameters, so the worklet snaps to them (no ramp from defaults).
    Atomics.store(this.block.stripGen, slot, ch.generation);
    this.changed();
    return ch;
  }

  /** Claims a synth slot playing into `channel`. */
  createSynth(channel: Channel | null, params: Partial<Record<SynthParamName, number | string | boolean>> = {}): Synth {
    if (this._state === 'closed') throw new Error('this engine is closed');
    const slot = this.freeSynths.pop();
    if (slot === undefined) {
      const message = `no free synth slot: all ${MAX_SYNTHS} are in use`;
      this.report({ code: 'capacity', message });
      throw new RangeError(message);
    }
    const synth = new Synth(this, slot, channel);
    const base = slot * STRIDE;
    for (const p of SYNTH_PARAMS) this.block.synth[base + p.index] = p.default;
    try {
      for (const [k, v] of Object.entries(params)) synth.set(k, v as number);
    } catch (e) {
      this.freeSynths.push(slot);
      throw e;
    }
    this.block.synth[base + synthSpec.get('channel')!.index] = channel ? channel.slot : -1;
    this.synths.add(synth);
    Atomics.store(this.block.synthGen, slot, ++this.generation);
    this.changed();
    return synth;
  }

  /** Samples loaded and not disposed. */
  get sampleCount(): number {
    return this.samples.size;
  }

  /**
   * Loads audio for channels to play (Channel.play): a URL, file bytes (ArrayBuffer, Uint8Array,
   * Blob: any format the browser decodes), an AudioBuffer, or raw PCM (one or two Float32Arrays at
   * `opts.sampleRate`, default the engine's). It is converted to the engine's sample rate by the
   * browser's decoder, keeps at most two channels, and is copied into the DSP's memory (which grows
   * for it). Resolves once the engine runs and the sample is in place; rejects with a clear error for
   * anything it cannot use. Non-finite samples are replaced by 0 (reported as a daw-error).
   */
  async loadSample(source: SampleSource, opts: SampleOptions = {}): Promise<Sample> {
    if (this._state === 'closed') throw new Error('this engine is closed');
    if (source === null || source === undefined) throw new TypeError('loadSample: no source given');
    const { loopStart = 0, loopEnd } = opts;
    if (typeof loopStart !== 'number' || !(loopStart >= 0) || !Number.isFinite(loopStart)) throw new RangeError(`loadSample: loopStart ${String(loopStart)} must be a number of seconds >= 0`);
    if (loopEnd !== undefined && (typeof loopEnd !== 'number' || !(loopEnd > loopStart) || !Number.isFinite(loopEnd))) {
      throw new RangeError(`loadSample: loopEnd ${String(loopEnd)} must be a number of seconds > loopStart (${loopStart})`);
    }
    await this.whenReady();
    const ctx = this.context!;
    // Raw PCM and AudioBuffers have a known size: refuse them before copying anything.
    const known = knownSampleBytes(source, opts.sampleRate ?? ctx.sampleRate, ctx.sampleRate);
    if (known > 0) this.checkSampleRoom(known);
    const pcm = await toPcm(source, ctx, opts);
    const frames = pcm.channels[0].length;
    const rate = ctx.sampleRate;
    const ls = Math.round(loopStart * rate);
    const le = loopEnd === undefined ? frames : Math.round(loopEnd * rate);
    if (le > frames || ls >= le) {
      throw new RangeError(`loadSample: loop ${loopStart}..${loopEnd ?? frames / rate} s is outside the sample (0..${(frames / rate).toFixed(6)} s)`);
    }
    if ((this._state as EngineState) === 'closed' || !this.node) throw new Error('this engine is closed');
    const bytes = frames * pcm.channels.length * 4;
    this.checkSampleRoom(bytes);
    const slot = this.freeSampleSlots.pop();
    if (slot === undefined) {
      const message = `no free sample slot: all ${MAX_SAMPLES} are loaded (dispose one first)`;
      this.report({ code: 'capacity', message });
      throw new RangeError(message);
    }
    let gen = this.sampleGen[slot] + 1;
    if (gen > 0x3fffff) gen = 1; // id = slot + 1024 * gen stays below 2^32
    this.sampleGen[slot] = gen;
    const id = slot + MAX_SAMPLES * gen;
    this.sampleBytesUsed += bytes; // reserved now: loads in flight count too
    const port = this.node.port;
    const channels = pcm.channels.length;
    const done = new Promise<number>((resolve, reject) => this.sampleWaiters.set(id, { resolve, reject }));
    port.postMessage({ type: 'sample-begin', id, slot, frames, channels, loopStart: ls, loopEnd: le });
    // Chunks of 2^16 frames: the worklet copies each between two renders.
    const CHUNK = 65536;
    let bad = 0;
    for (let c = 0; c < channels; c++) {
      for (let o = 0; o < frames; o += CHUNK) {
        const data = pcm.channels[c].slice(o, Math.min(frames, o + CHUNK));
        bad += sanitize(data);
        port.postMessage({ type: 'sample-data', id, channel: c, offset: o, data }, [data.buffer]);
      }
    }
    port.postMessage({ type: 'sample-end', id });
    let wasmBytes: number;
    try {
      wasmBytes = await done;
    } catch (e) {
      this.freeSampleSlots.push(slot);
      this.sampleBytesUsed -= bytes;
      this.report({ code: 'capacity', message: (e as Error).message, error: e });
      throw e;
    }
    if (wasmBytes > 0) this.block.header[H_WASM_BYTES] = wasmBytes;
    if (bad > 0) {
      this.report({ code: 'invalid-value', value: bad, message: `loadSample: ${bad} non-finite sample values (NaN or Infinity) were replaced by 0` });
    }
    const sample = new Sample(this, id, slot, frames, channels, rate, ls, le);
    this.samples.add(sample);
    return sample;
  }

  /** Bytes of sample data loaded (or being loaded), counted against `sampleMemory`. */
  get sampleBytes(): number {
    return this.sampleBytesUsed;
  }

  private checkSampleRoom(bytes: number): void {
    if (this.sampleBytesUsed + bytes <= this.sampleMemory) return;
    const free = this.sampleMemory - this.sampleBytesUsed;
    const message = `loadSample: the sample needs ${mib(bytes)} (${bytes} bytes) but only ${mib(free)} of the engine's `
      + `${mib(this.sampleMemory)} sample memory is free (sampleMemory ${this.sampleMemory}); `
      + 'dispose samples no longer needed, load a shorter or mono excerpt, or make the engine with a larger sampleMemory';
    this.report({ code: 'capacity', message, value: bytes, range: `0 to ${free} bytes` });
    throw new RangeError(message);
  }

  /** Resolves when the worklet runs (after start(); at once if it already does). */
  private whenReady(): Promise<void> {
    if (this.node && !this.readyWaiter && this.context) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onReady = () => {
        off();
        resolve();
      };
      const onState = () => {
        if (this._state === 'closed' || this._state === 'error') {
          off();
          reject(this.error ?? new Error('this engine is closed'));
        }
      };
      const off = () => {
        this.removeEventListener('daw-ready', onReady);
        this.removeEventListener('daw-statechange', onState);
      };
      this.addEventListener('daw-ready', onReady);
      this.addEventListener('daw-statechange', onState);
    });
  }

  /** @internal */
  freeSample(s: Sample): void {
    if (!this.samples.delete(s)) return;
    this.sampleBytesUsed -= s.frames * s.channels * 4;
    this.node?.port.postMessage({ type: 'sample-free', id: s.id, slot: s.slot });
    this.freeSampleSlots.push(s.slot);
  }

  /**
   * Creates the AudioContext (if this engine has none) and resumes it synchronously — call it from a
   * user gesture — then loads the worklet and the WASM once. Resolves when audio runs.
   */
  start(): Promise<void> {
    if (this._state === 'closed') return Promise.reject(new Error('this engine is closed'));
    if (!this.context) {
      const AC = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!AC) return this.fail('unsupported', new Error('this browser has no Web Audio API'));
      const opts: AudioContextOptions = { latencyHint: this.options.latencyHint ?? 'interactive' };
      if (this.options.sampleRate) opts.sampleRate = this.options.sampleRate;
      this.context = new AC(opts);
    }
    const ctx = this.context;
    if (isRealtime(ctx) && ctx.state === 'suspended') void ctx.resume().catch(() => undefined); // inside the gesture
    // A failed start (a fetch that failed, a worklet that threw) can be retried: boot() runs again.
    if (!this.startPromise || this._state === 'error') {
      this.dropNode();
      this.error = null;
      this.setState('starting');
      this.startPromise = this.boot(ctx).catch((e) => {
        this.dropNode();
        return this.fail(e.code ?? 'load-failed', e);
      });
    }
    return this.startPromise;
  }

  /**
   * Starts the engine on the first user gesture anywhere in `target` (default: the document).
   * Returns a function that removes the listeners.
   */
  startOnGesture(target: EventTarget = document): () => void {
    const events = ['pointerdown', 'keydown', 'touchend'];
    const go = () => {
      remove();
      void this.start().catch(() => undefined);
    };
    const remove = () => events.forEach((e) => target.removeEventListener(e, go, true));
    events.forEach((e) => target.addEventListener(e, go, { capture: true, passive: true }));
    return remove;
  }

  private async boot(ctx: BaseAudioContext): Promise<void> {
    if (!ctx.audioWorklet) throw Object.assign(new Error('this browser has no AudioWorklet (it needs a secure context: https or localhost)'), { code: 'unsupported' });
    if (typeof WebAssembly !== 'object') throw Object.assign(new Error('this browser has no WebAssembly'), { code: 'unsupported' });
    const workletUrl = String(this.options.workletUrl ?? DEFAULT_URLS.worklet);
    const wasmUrl = String(this.options.wasmUrl ?? DEFAULT_URLS.wasm);
    let module: WebAssembly.Module;
    try {
      [module] = await Promise.all([compileWasm(wasmUrl), ctx.audioWorklet.addModule(workletUrl)]);
    } catch (e) {
      const err = e as Error;
      const csp = /Content Security Policy|wasm-unsafe-eval|CompileError|EvalError/i.test(`${err?.name} ${err?.message}`);
      throw Object.assign(new Error(csp
        ? `WebAssembly is blocked on this page (Content-Security-Policy needs 'wasm-unsafe-eval'): ${err?.message}`
        : `could not load the audio engine (${workletUrl}, ${wasmUrl}): ${err?.message ?? err}`), { code: 'load-failed', cause: e });
    }
    const node = new AudioWorkletNode(ctx, 'daw-mixer', {
      numberOfInputs: this.inputs,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { module, shared: this.shared ? this.block.buffer : null, layoutVersion: LAYOUT_VERSION },
    });
    this.node = node;
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    node.port.onmessage = (e) => this.onMessage(e.data);
    node.onprocessorerror = () => {
      const err = new Error('the audio worklet stopped with an error');
      this.readyWaiter?.reject(Object.assign(err, { code: 'worklet-error' }));
      if (this._state === 'running') void this.fail('worklet-error', err);
    };
    if (!this.shared) this.postSync(); // the worklet starts from the current state
    await ready;
    node.connect(ctx.destination);
    for (const ch of this.channels) for (const src of ch.sources) this.wire(ch, src);
    if (isRealtime(ctx)) {
      ctx.addEventListener('statechange', () => this.setState(mapState(ctx.state)));
      this.setState(mapState(ctx.state));
    } else {
      this.setState('running');
    }
    this.dispatchEvent(new CustomEvent('daw-ready', { detail: { engine: this } }));
  }

  /** Forgets a worklet node that never became ready, so a retry creates the page's one node anew. */
  private dropNode(): void {
    const node = this.node;
    if (!node) return;
    node.port.onmessage = null;
    node.onprocessorerror = null;
    node.disconnect();
    this.node = null;
    this.readyWaiter = null;
  }

  private fail(code: DawErrorDetail['code'], e: unknown): Promise<never> {
    const err = e instanceof Error ? e : new Error(String(e));
    this.error = err;
    this.setState('error');
    this.report({ code, message: err.message, error: err });
    return Promise.reject(err);
  }

  private setState(s: EngineState): void {
    if (s === this._state) return;
    this._state = s;
    this.dispatchEvent(new CustomEvent('daw-statechange', { detail: { state: s } }));
  }

  /** @internal */
  report(detail: DawErrorDetail): void {
    this.dispatchEvent(new CustomEvent('daw-error', { detail }));
  }

  /** Suspends a realtime context. */
  async suspend(): Promise<void> {
    if (this.context && isRealtime(this.context)) await this.context.suspend();
  }

  /** Closes the context and frees everything; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    for (const ch of [...this.channels]) ch.dispose();
    for (const s of [...this.synths]) s.dispose();
    for (const s of [...this.samples]) s.dispose();
    this.node?.disconnect();
    if (this.context && isRealtime(this.context)) await this.context.close();
    this.setState('closed');
  }

  /**
   * Makes every change so far visible to the worklet. With shared memory that is already so (the
   * worklet reads it at the next quantum); otherwise this sends the pending batch now and resolves
   * when the worklet has applied it.
   */
  flush(): Promise<void> {
    if (this.shared || !this.node) return Promise.resolve();
    const id = this.postSync(true, true);
    return new Promise((resolve) => this.ackWaiters.set(id, resolve));
  }

  /** Counters written by the audio thread. */
  status(): EngineStatus {
    const h = this.block.header;
    const load = Atomics.load(h, H_LOAD_PERMILLE);
    return {
      quanta: Atomics.load(h, H_QUANTA) >>> 0,
      frame: (Atomics.load(h, H_FRAME_HI) >>> 0) * 4294967296 + (Atomics.load(h, H_FRAME_LO) >>> 0),
      nonFiniteSamples: Atomics.load(h, H_NONFINITE) >>> 0,
      stateResets: Atomics.load(h, H_STATE_RESETS) >>> 0,
      activeGroups: Atomics.load(h, H_ACTIVE_GROUPS),
      skippedGroups: Atomics.load(h, H_SKIPPED_GROUPS),
      activeVoices: Atomics.load(h, H_ACTIVE_VOICES),
      lateNotes: Atomics.load(h, H_LATE_NOTES) >>> 0,
      droppedNotes: Atomics.load(h, H_DROPPED_NOTES) >>> 0,
      stolenVoices: Atomics.load(h, H_STOLEN_VOICES) >>> 0,
      clipsPlaying: Atomics.load(h, H_CLIPS_PLAYING),
      droppedClipEvents: Atomics.load(h, H_CLIP_EVENTS_DROPPED) >>> 0,
      lateClipEvents: Atomics.load(h, H_CLIP_EVENTS_LATE) >>> 0,
      wasmBytes: Atomics.load(h, H_WASM_BYTES) >>> 0,
      workletMessages: Atomics.load(h, H_PORT_MESSAGES) >>> 0,
      messagesPosted: this.messagesPosted,
      load: load < 0 ? NaN : load / 1000,
    };
  }

  // ---- internals used by Strip / Channel / Synth ----

  /** @internal */
  assertLive(s: Strip): void {
    if (s instanceof Channel && s.isDisposed) throw new TypeError(`channel '${s.label}' was disposed`);
  }

  /** @internal */
  assertLiveSynth(s: Synth): void {
    if (s.isDisposed) throw new TypeError('this synth was disposed');
  }

  private writeDefaults(slot: number): void {
    const base = slot * STRIDE;
    for (const p of STRIP_PARAMS) this.block.strip[base + p.index] = p.default;
  }

  /** @internal */
  writeStrip(slot: number, index: number, v: number): void {
    this.block.strip[slot * STRIDE + index] = v;
    this.changed();
  }

  /** @internal */
  writeSynth(slot: number, index: number, v: number): void {
    this.block.synth[slot * STRIDE + index] = v;
    this.changed();
  }

  /** Publishes writes: one Atomics.add with shared memory, else a flush on the next frame. */
  private changed(): void {
    Atomics.add(this.block.header, H_SEQ, 1);
    if (!this.shared) this.scheduleFlush();
  }

  /** @internal */
  pushNote(kind: number, synth: number, id: number, pitch: number, velocity: number, time: number | undefined): void {
    const frame = time === undefined || !this.context ? 0 : Math.round(time * this.context.sampleRate);
    if (!ringPush(this.block, kind, synth, id, pitch, velocity, frame)) {
      if (!this.shared) {
        this.postSync(); // make room now rather than drop
        if (ringPush(this.block, kind, synth, id, pitch, velocity, frame)) return;
      }
      this.report({ code: 'capacity', message: 'note queue full: the note was dropped (too many notes scheduled at once)' });
      return;
    }
    if (!this.shared) this.scheduleFlush();
  }

  /** @internal */
  pushClip(kind: number, channel: number, sample: number, offset: number, gain: number, time: number | undefined, flags: number): boolean {
    const frame = time === undefined || !this.context ? 0 : Math.round(time * this.context.sampleRate);
    if (!ringPushClip(this.block, kind, channel, sample, offset, gain, frame, flags)) {
      if (!this.shared) {
        this.postSync();
        if (ringPushClip(this.block, kind, channel, sample, offset, gain, frame, flags)) return true;
      }
      this.report({ code: 'capacity', message: 'event queue full: the clip event was dropped (too many events scheduled at once)' });
      return false;
    }
    if (!this.shared) this.scheduleFlush();
    return true;
  }

  /** @internal */
  releaseChannel(ch: Channel): void {
    if (!this.channels.delete(ch)) return;
    // After every event the owner queued, before any of the next owner's: its clips stop (5 ms
    // fade) and its scheduled ones are dropped. (The worklet cancels too when it sees the slot
    // change owner, in case this did not fit in the ring.)
    this.pushClip(CLIP_CANCEL, ch.slot, 0, 0, 0, undefined, 0);
    this.detachSources(ch);
    for (const s of this.synths) if (s.channel === ch) s.route(null);
    this.writeDefaults(ch.slot);
    Atomics.store(this.block.stripGen, ch.slot, 0);
    this.freeChannels.push(ch.slot);
    this.freeChannels.sort((a, b) => b - a); // lowest slot first: active channels stay packed in SIMD groups
    this.changed();
  }

  /** @internal */
  releaseSynth(s: Synth): void {
    if (!this.synths.delete(s)) return;
    this.block.synth[s.slot * STRIDE + synthSpec.get('channel')!.index] = -1;
    Atomics.store(this.block.synthGen, s.slot, 0);
    this.freeSynths.push(s.slot);
    this.freeSynths.sort((a, b) => b - a);
    this.changed();
  }

  /** @internal */
  attachSource(ch: Channel, node: AudioNode): void {
    if (ch.sources.has(node)) return;
    if (ch.inputIndex < 0) {
      const i = this.freeInputs.pop();
      if (i === undefined) {
        const message = this.inputs === 0
          ? 'no external input: this engine was made with inputs: 0 (no AudioNode sources; use clips or synths, or more inputs)'
          : `no free external input: ${this.inputs} channels already take audio from nodes (the engine has inputs: ${this.inputs}, at most ${EXTERNAL_INPUTS})`;
        this.report({ code: 'capacity', message });
        throw new RangeError(message);
      }
      ch.inputIndex = i;
      this.writeStrip(ch.slot, StripParam.inputIndex, i);
    }
    ch.sources.add(node);
    if (this.node) this.wire(ch, node);
  }

  private wire(ch: Channel, node: AudioNode): void {
    node.connect(this.node!, 0, ch.inputIndex);
  }

  /** @internal */
  detachSources(ch: Channel, only?: AudioNode): void {
    for (const node of [...ch.sources]) {
      if (only && node !== only) continue;
      if (this.node) {
        try {
          node.disconnect(this.node, 0, ch.inputIndex);
        } catch {
          /* already disconnected */
        }
      }
      ch.sources.delete(node);
    }
    if (ch.sources.size === 0 && ch.inputIndex >= 0) {
      this.freeInputs.push(ch.inputIndex);
      ch.inputIndex = -1;
      if (!ch.isDisposed) this.writeStrip(ch.slot, StripParam.inputIndex, -1);
    }
  }

  /** @internal Meters were read: keep them coming (fallback path polls at <= 30 Hz). */
  wantMeters(): void {
    this.meterWanted = performance.now();
    if (!this.shared) this.scheduleFlush();
  }

  // ---- fallback path: one batched message per animation frame ----

  /**
   * Called for every change and note, so it allocates nothing: the callback is made once (a closure
   * created here would make V8 allocate this function's context on every call, even on early return).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || !this.node) return;
    this.flushScheduled = true;
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') {
      requestAnimationFrame(this.runFlush);
    } else {
      setTimeout(this.runFlush, 16);
    }
  }

  private readonly runFlush = (): void => {
    this.flushScheduled = false;
    const now = performance.now();
    const dirty = Atomics.load(this.block.header, H_SEQ) !== this.lastSentSeq || ringAvailable(this.block) > 0;
    const metersDue = now - this.meterWanted < 1000 && now - this.lastMeterPoll >= 1000 / 30;
    if (dirty || metersDue) {
      if (metersDue) this.lastMeterPoll = now;
      this.postSync(false, metersDue);
    }
    if (now - this.meterWanted < 1000) this.scheduleFlush(); // keep polling while meters are read
  };

  /**
   * Sends claims, parameters and pending notes in one message; returns its id. The worklet answers
   * (with meters and status) only when asked: `meters` at most 30 times a second, `ack` on flush().
   */
  private postSync(wantAck = false, wantMeters = false): number {
    if (!this.node) return 0;
    const id = ++this.flushId;
    this.lastSentSeq = Atomics.load(this.block.header, H_SEQ);
    const n = ringDrain(this.block, this.noteScratch, this.noteScratch.length / NOTE_WORDS);
    const state = new Uint8Array(this.block.buffer.slice(SYNC_BEGIN, SYNC_END));
    const notes = n > 0 ? this.noteScratch.slice(0, n * NOTE_WORDS) : null;
    this.node.port.postMessage({ type: 'sync', id, reply: wantAck || wantMeters, state, notes }, notes ? [state.buffer, notes.buffer] : [state.buffer]);
    this.messagesPosted++;
    return id;
  }

  private onMessage(d: { type: string; id?: number; meters?: ArrayBuffer; header?: Int32Array; message?: string; wasmBytes?: number }): void {
    switch (d.type) {
      case 'sample-ready':
      case 'sample-error': {
        const w = this.sampleWaiters.get(d.id!);
        this.sampleWaiters.delete(d.id!);
        if (d.type === 'sample-ready') w?.resolve(d.wasmBytes ?? 0);
        else w?.reject(new RangeError(`loadSample: ${d.message}`));
        break;
      }
      case 'ready':
        if (d.wasmBytes) this.block.header[H_WASM_BYTES] = d.wasmBytes;
        this.readyWaiter?.resolve();
        this.readyWaiter = null;
        break;
      case 'error': {
        const err = Object.assign(new Error(`audio engine: ${d.message}`), { code: 'worklet-error' });
        if (this.readyWaiter) this.readyWaiter.reject(err);
        else void this.fail('worklet-error', err).catch(() => undefined);
        break;
      }
      case 'meters':
        if (d.meters) new Uint8Array(this.block.buffer, METERS_BEGIN, METERS_END - METERS_BEGIN).set(new Uint8Array(d.meters));
        if (d.header) for (let i = H_QUANTA; i < HEADER_INTS; i++) this.block.header[i] = d.header[i];
        if (d.id !== undefined) {
          // Replies come in order: every message up to this id has been applied.
          for (const [k, fn] of this.ackWaiters) if (k <= d.id) { fn(); this.ackWaiters.delete(k); }
        }
        break;
    }
  }
}

/**
 * Bytes a raw-PCM or AudioBuffer source will take at the engine's rate (at most two channels, f32),
 * before any copy; 0 when the size is only known after decoding (files, URLs) or the source is bad.
 */
function knownSampleBytes(source: SampleSource, rate: number, engineRate: number): number {
  let frames = 0, channels = 0, from = rate;
  if (typeof AudioBuffer === 'function' && source instanceof AudioBuffer) {
    frames = source.length;
    channels = Math.min(2, source.numberOfChannels);
    from = source.sampleRate;
  } else if (source instanceof Float32Array) {
    frames = source.length;
    channels = 1;
  } else if (Array.isArray(source) && source.length >= 1 && source.length <= 2 && source.every((c) => c instanceof Float32Array)) {
    frames = source[0].length;
    channels = source.length;
  }
  if (!(typeof from === 'number' && from >= 3000 && from <= 768000)) return 0; // toPcm names the bad rate
  // At another rate the browser's resampler decides the exact length: a frame less, never more.
  if (from !== engineRate) frames = Math.max(0, Math.floor((frames * engineRate) / from) - 1);
  return frames * channels * 4;
}

function isRealtime(ctx: BaseAudioContext): ctx is AudioContext {
  return typeof (ctx as AudioContext).resume === 'function' && typeof (ctx as OfflineAudioContext).startRendering !== 'function';
}

function mapState(s: AudioContextState | string): EngineState {
  return s === 'running' ? 'running' : s === 'closed' ? 'closed' : 'suspended';
}

const ENGINE_KEY = Symbol.for('daw-elements.engine');

/**
 * The page's one engine, shared by every element and every copy of this script on the page. It
 * creates no AudioContext until start() (or a gesture, with startOnGesture()).
 */
export function getEngine(options?: EngineOptions): Engine {
  const g = globalThis as unknown as Record<symbol, Engine | undefined>;
  let e = g[ENGINE_KEY];
  if (!e || e.state === 'closed') g[ENGINE_KEY] = e = new Engine(options);
  return e;
}

/**
 * Renders `seconds` of audio offline: builds a private engine on an OfflineAudioContext, lets
 * `setup(engine)` create channels, synths and sources (their AudioNodes on `engine.context`), renders.
 */
export async function renderOffline(
  seconds: number,
  setup: (engine: Engine) => void | Promise<void>,
  opts: { sampleRate?: number; shared?: boolean; inputs?: number; sampleMemory?: number; workletUrl?: string | URL; wasmUrl?: string | URL } = {},
): Promise<AudioBuffer> {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new RangeError(`renderOffline: seconds ${seconds} must be > 0`);
  const sampleRate = opts.sampleRate ?? 48000;
  if (!(sampleRate >= 8000 && sampleRate <= 192000)) throw new RangeError(`renderOffline: sampleRate ${sampleRate} must be 8000 to 192000`);
  const context = new OfflineAudioContext(2, Math.ceil(seconds * sampleRate), sampleRate);
  const engine = new Engine({ ...opts, context });
  await engine.start();
  await setup(engine);
  await engine.flush();
  return context.startRendering();
}

export { dbToLin, linToDb };
