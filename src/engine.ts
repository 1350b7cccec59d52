/**
 * The engine: one AudioContext (or a given OfflineAudioContext), one AudioWorkletNode running the
 * WASM mixer, and the control block through which every channel, bus, master and synth is driven.
 *
 * Threads: everything here runs on the main thread. The audio thread only reads what this file
 * writes into the control block, and writes meters and status back.
 */
import {
  BUS_NAMES, EXTERNAL_INPUTS, FIRST_BUS, LAYOUT_VERSION, MASTER, MAX_CHANNELS, MAX_SAMPLES, MAX_SYNTHS, NUM_STRIPS, STRIDE,
  STRIP_PARAMS, SYNTH_PARAMS, StripParam, type BusParams, type ChannelParams, type MasterParams, type ParamSpec, type StripParamName,
  type SynthParamName, type SynthParams,
} from './generated/params.js';
import {
  BLOCK_BYTES, H_RING_READ, H_RING_WRITE, H_ACTIVE_GROUPS, H_ACTIVE_VOICES, H_CLIP_EVENTS_DROPPED, H_CLIP_EVENTS_LATE, H_CLIPS_PLAYING, H_DROPPED_NOTES, H_FRAME_HI, H_FRAME_LO, H_LATE_NOTES, H_LOAD_PERMILLE,
  H_NONFINITE, H_PORT_MESSAGES, H_QUANTA, H_SEQ, H_SKIPPED_GROUPS, H_STATE_RESETS, H_STOLEN_VOICES, H_WASM_BYTES,
  HEADER_INTS, METER_STRIDE, METERS_BEGIN, METERS_END, NOTE_WORDS, SYNC_BEGIN, SYNC_END, blockViews, type BlockViews,
} from './layout.js';
import {
  CLIP_CANCEL, CLIP_FLAG_LOOP, CLIP_PLAY, CLIP_STOP, NOTE_OFF, NOTE_ON, NOTES_RELEASE_ALL, NOTES_STOP_ALL, ringAvailable, ringDrain,
  ringPush, ringPushClip,
} from './ring.js';
import { compileWasm, preload, saveData, whenIdle } from './preload.js';
import { sanitize, toPcm, type SampleOptions, type SampleSource } from './samples.js';
import { checkParam, describeRange } from './validate.js';
import { RESUME_LEAD, Recovery, type KeptSample, type RecoveryReport } from './recovery.js';

export type { RecoveryReport } from './recovery.js';

/** `recovering`: the audio thread failed and the engine is rebuilding it (README, "Failures and recovery"). */
export type EngineState = 'idle' | 'starting' | 'running' | 'suspended' | 'recovering' | 'closed' | 'error';

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
  /**
   * Recovery from audio-thread failures (a crashed worklet, a context closed under the page):
   * `attempts` failures within 30 s are recovered (default 3, with waits of 0, 250 ms, 1 s); one
   * more and the engine stops in the 'error' state. `false` (or attempts 0): no recovery.
   */
  recovery?: false | { attempts?: number };
}

/** A fault to inject into the audio thread (Engine.injectFault). */
export interface FaultOptions {
  /** 'trap': the DSP executes WebAssembly's `unreachable`; 'throw': process() throws. Default 'trap'. */
  kind?: 'trap' | 'throw';
  /** Quanta (128 frames) from now until the fault, 1 to 2^31-1. Default 1. */
  afterQuanta?: number;
  /** Also arm it in every worklet node made later (a crash loop). Default false. */
  repeat?: boolean;
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
  code: 'out-of-range' | 'invalid-value' | 'load-failed' | 'unsupported' | 'worklet-error' | 'capacity'
    | 'worklet-crashed' | 'context-lost' | 'context-interrupted' | 'recovery-failed';
  message: string;
  /** worklet-crashed, context-lost: failures within the last 30 s, this one included. */
  attempt?: number;
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

const dbToLin = (db: number) => (db <= -400 ? 0 : Math.pow(10, db / 20));
const linToDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);

/** Parameter names of an options type `P` (ChannelParams, SynthParams, ...). */
export type ParamName<P> = Extract<keyof P, string>;
/** The value type parameter `K` of `P` takes (number, boolean for switches, names for enums). */
export type ParamValue<P, K extends keyof P> = Exclude<P[K], undefined>;

/**
 * A mixer strip: a channel, a bus or the master. `P` is the options type of its parameters
 * (ChannelParams, BusParams or MasterParams), so `set('volumeDb', true)` fails type-checking.
 */
export class Strip<P extends object = ChannelParams & MasterParams> {
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
  set<K extends ParamName<P>>(name: K, value: ParamValue<P, K>): number {
    this.engine.assertLive(this as Strip<object>);
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
  setAll(values: P): void {
    for (const [k, v] of Object.entries(values)) {
      const spec = stripSpec.get(k);
      if (!spec || !this.accepts(spec)) throw new RangeError(`unknown ${this.kind} parameter '${k}'`);
      checkParam(spec, v, this.kind);
    }
    for (const [k, v] of Object.entries(values)) this.set(k as ParamName<P>, v);
  }

  get(name: StripParamName): number {
    const spec = stripSpec.get(name);
    if (!spec) throw new RangeError(`unknown ${this.kind} parameter '${name}'`);
    return this.engine.block.strip[this.slot * STRIDE + spec.index];
  }

  /** Current meter readings (read from the control block; never asks the worklet). */
  meter(): Meter {
    this.engine.wantReadings();
    const m = this.engine.block.meters;
    const o = this.slot * METER_STRIDE;
    const r: Meter = { peakDb: linToDb(m[o]), rmsDb: linToDb(m[o + 1]), gainReductionDb: Math.max(0, m[o + 2]) };
    if (this.kind === 'master') r.limiterReductionDb = Math.max(0, m[o + 3]);
    return r;
  }
}

/** A mixer channel: a slot in the WASM mixer claimed by createChannel() and freed by dispose(). */
export class Channel extends Strip<ChannelParams> {
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
    if (this.engine.pushClip(CLIP_PLAY, this.slot, sample.id, frames, gain, time, loop ? CLIP_FLAG_LOOP : 0)) {
      this.engine.recovery.clipEvent(this, { kind: 'play', t: time ?? this.engine.now(), sample, offset: frames, loop, gain }, this.engine.now());
    }
  }

  /** Stops this channel's clip at `time` (default: now) with a 5 ms fade. */
  stop(time?: number): void {
    this.engine.assertLive(this);
    checkTime('stop', time);
    if (this.engine.pushClip(CLIP_STOP, this.slot, 0, 0, 0, time, 0)) {
      this.engine.recovery.clipEvent(this, { kind: 'stop', t: time ?? this.engine.now(), sample: null, offset: 0, loop: false, gain: 0 }, this.engine.now());
    }
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

  set<K extends ParamName<SynthParams>>(name: K, value: ParamValue<SynthParams, K>): number {
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

  get(name: SynthParamName): number {
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
  readonly master: Strip<MasterParams>;
  private readonly buses: Strip<BusParams>[];
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
  private flushFrame = 0;
  private flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
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
  /** @internal What recovery keeps (samples' PCM, clips) and its crash-loop count. */
  readonly recovery: Recovery;
  /** The last recovery from an audio-thread failure (null if none yet). */
  lastRecovery: RecoveryReport | null = null;
  private readonly recoveryOn: boolean;
  private recovering = false;
  /** Rejects the recovery attempt under way when its new node fails too. */
  private attemptFailed: ((e: Error) => void) | null = null;
  /** The context and its time when the audio thread was lost; cleared once clips are restored. */
  private lostAt: { ctx: BaseAudioContext; time: number } | null = null;
  private closing = false;
  private suspendRequested = false;
  private watchedContext: BaseAudioContext | null = null;
  private removeResumeGesture: (() => void) | null = null;
  /** An injected fault armed in every new node (injectFault with repeat). */
  private fault: { kind: 'trap' | 'throw'; quanta: number } | null = null;

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
    this.buses = BUS_NAMES.map((_, i) => new Strip<BusParams>(this, FIRST_BUS + i, 'bus'));
    this.master = new Strip<MasterParams>(this, MASTER, 'master');
    if (options.context) this.context = options.context;
    const rec = options.recovery;
    this.recovery = new Recovery(rec === false ? 0 : rec?.attempts);
    this.recoveryOn = this.recovery.attempts > 0;
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
  bus(name: string | number): Strip<BusParams> {
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
  createChannel(options: { label?: string } & ChannelParams = {}): Channel {
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
      for (const [k, v] of Object.entries(params)) ch.set(k as ParamName<ChannelParams>, v);
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
  createSynth(channel: Channel | null, params: SynthParams = {}): Synth {
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
      for (const [k, v] of Object.entries(params)) synth.set(k as ParamName<SynthParams>, v);
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
    if ((this._state as EngineState) === 'closed') throw new Error('this engine is closed');
    if (!this.node) await this.whenReady(); // recovering from a failure
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
    const port = this.node!.port;
    const channels = pcm.channels.length;
    const done = new Promise<number>((resolve, reject) => this.sampleWaiters.set(id, { resolve, reject }));
    this.recovery.keepSample({ id, slot, channels: pcm.channels, frames, loopStart: ls, loopEnd: le }); // restored after a failure
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
      this.recovery.forgetSample(id);
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
    this.recovery.forgetSample(s.id);
    this.sampleBytesUsed -= s.frames * s.channels * 4;
    this.node?.port.postMessage({ type: 'sample-free', id: s.id, slot: s.slot });
    this.freeSampleSlots.push(s.slot);
  }

  /**
   * Fetches, compiles and once runs the WASM, and fetches the worklet script, now: no AudioContext,
   * no gesture needed, so that start() has less to do (getEngine() calls it when the page is idle).
   * Resolves when done; never rejects: start() repeats what failed and reports it.
   */
  preload(): Promise<void> {
    return preload(String(this.options.workletUrl ?? DEFAULT_URLS.worklet), String(this.options.wasmUrl ?? DEFAULT_URLS.wasm));
  }

  /**
   * Creates the AudioContext (if this engine has none) and resumes it synchronously — call it from a
   * user gesture — then loads the worklet and the WASM once. Resolves when audio runs.
   */
  start(): Promise<void> {
    if (this._state === 'closed') return Promise.reject(new Error('this engine is closed'));
    this.suspendRequested = false;
    if (!this.context) {
      const AC = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!AC) return this.fail('unsupported', new Error('this browser has no Web Audio API'));
      const opts: AudioContextOptions = { latencyHint: this.options.latencyHint ?? 'interactive' };
      if (this.options.sampleRate) opts.sampleRate = this.options.sampleRate;
      this.context = new AC(opts);
    }
    let ctx = this.context;
    // After a failure the engine gave up on (or recovery is off): a closed context is replaced.
    if (this._state === 'error' && isRealtime(ctx) && ctx.state === 'closed' && !this.options.context) ctx = this.replaceContext();
    if (isRealtime(ctx) && ctx.state !== 'running' && ctx.state !== 'closed') void ctx.resume().catch(() => undefined); // inside the gesture
    // A failed start (a fetch that failed, a worklet that threw) can be retried: boot() runs again.
    if (!this.startPromise || this._state === 'error') {
      this.dropNode();
      this.error = null;
      this.recovery.resetFailures(); // the page asked again: a fresh count of failures
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
    // After a failure: notes and clip events queued for the dead node are dropped (clips come back
    // from recovery's records in restore(); notes do not).
    if (this.lostAt) this.clearRing();
    const node = new AudioWorkletNode(ctx, 'daw-mixer', {
      numberOfInputs: this.inputs,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { module, shared: this.shared ? this.block.buffer : null, layoutVersion: LAYOUT_VERSION, fault: this.fault },
    });
    this.node = node;
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    node.port.onmessage = (e) => this.onMessage(e.data);
    node.onprocessorerror = (ev) => {
      const why = (ev as ErrorEvent).message;
      const err = Object.assign(new Error(`the audio worklet stopped with an error${why ? ` (${why})` : ''}`), { code: 'worklet-error' });
      if (node !== this.node) return; // an old node
      if (this.readyWaiter) this.readyWaiter.reject(err); // it failed to start: start() reports it
      else this.lost('worklet-crashed', err);
    };
    if (!this.shared) this.postSync(); // the worklet starts from the current state
    // Connected now, not after 'ready': the node is silent until its processor exists, and its first
    // quantum then reaches the output without a round trip through this thread.
    node.connect(ctx.destination);
    await ready;
    for (const ch of this.channels) for (const src of ch.sources) this.wire(ch, src);
    await this.restore();
    if (isRealtime(ctx)) {
      if (this.watchedContext !== ctx) {
        this.watchedContext = ctx;
        ctx.addEventListener('statechange', this.onContextState);
      }
      if (!this.recovering) this.setState(mapState(ctx.state));
    } else {
      this.setState('running');
    }
    if (!this.recovering) this.dispatchEvent(new CustomEvent('daw-ready', { detail: { engine: this } }));
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

  // ---- failures of the audio thread and recovery (what is kept and where clips resume: recovery.ts) ----

  /**
   * Testing hook for recovery: makes the running worklet fail for real after `afterQuanta` quanta —
   * the DSP executes WebAssembly's `unreachable` ('trap') or process() throws ('throw') — so the
   * browser ends the processor with a `processorerror`. With `repeat`, every node made later fails
   * the same way (a crash loop); `injectFault(null)` stops that. Throws TypeError / RangeError for
   * bad options and Error when no worklet runs.
   */
  injectFault(fault: FaultOptions | null = {}): void {
    if (fault === null) {
      this.fault = null;
      return;
    }
    if (typeof fault !== 'object') throw new TypeError('injectFault: expected { kind, afterQuanta, repeat } or null');
    const { kind = 'trap', afterQuanta = 1, repeat = false } = fault;
    if (kind !== 'trap' && kind !== 'throw') throw new TypeError(`injectFault: kind '${String(kind)}' must be 'trap' or 'throw'`);
    if (typeof afterQuanta !== 'number' || !Number.isInteger(afterQuanta) || afterQuanta < 1 || afterQuanta > 0x7fffffff) {
      throw new RangeError(`injectFault: afterQuanta ${String(afterQuanta)} must be a whole number 1 to 2147483647`);
    }
    const spec = { kind, quanta: afterQuanta };
    this.fault = repeat ? spec : null;
    if (!this.node || this.readyWaiter) throw new Error('injectFault: no worklet is running (start the engine first)');
    this.node.port.postMessage({ type: 'fault', ...spec });
  }

  /** The audio thread is gone (`worklet-crashed`) or its context closed (`context-lost`). */
  private lost(code: 'worklet-crashed' | 'context-lost', err: Error): void {
    if (this.closing || this._state === 'closed') return;
    const ctx = this.context;
    if (!this.lostAt && ctx) this.lostAt = { ctx, time: ctx.currentTime };
    if (this.attemptFailed) {
      // A node made by the recovery under way failed too: that attempt failed.
      this.attemptFailed(Object.assign(err, { code }));
      return;
    }
    if (this.recovering) return; // between attempts (a backoff wait): the next attempt sees a closed context itself
    if (!this.recoveryOn || !ctx || !isRealtime(ctx)) {
      this.dropNode();
      this.startPromise = null;
      void this.fail(code, err).catch(() => undefined);
      return;
    }
    const p = this.recover(code, err);
    p.catch(() => undefined);
    this.startPromise = p;
  }

  /**
   * Rebuilds the audio thread: a new worklet node (on a new AudioContext if the old one is closed)
   * given every claim and parameter (the control block), the samples and the clips. Failures within
   * 30 s are counted; each attempt waits longer (Recovery.nextAttempt) and past the limit the engine
   * stops in 'error' with advice. A new context that the browser will not start without a user
   * gesture leaves the engine 'suspended' until the next click or key press (or start()).
   */
  private async recover(code: 'worklet-crashed' | 'context-lost', err: Error): Promise<void> {
    const t0 = performance.now();
    this.recovering = true;
    this.dropNode();
    this.block.meters.fill(0); // the dead processor's last readings
    let cause: string = code;
    let error: Error = err;
    let newContext = false;
    let gestureTimer: ReturnType<typeof setTimeout> | undefined;
    let waited = 0;
    for (;;) {
      const wait = this.recovery.nextAttempt(performance.now());
      const attempt = this.recovery.failureCount;
      if (wait < 0) {
        this.recovering = false;
        this.startPromise = null;
        const n = this.recovery.attempts;
        const gaveUp = Object.assign(new Error(`the audio engine failed ${attempt} times within 30 s and stopped trying (last: ${cause}: ${error.message}). `
          + 'Reload the page; if it keeps failing, close other tabs or apps using audio, or try another browser. "Try again" (engine.start()) tries once more.'), { code: 'recovery-failed' });
        this.error = gaveUp;
        this.setState('error');
        this.report({ code: 'recovery-failed', message: gaveUp.message, error, attempt: n + 1 });
        throw gaveUp;
      }
      const what = cause === 'context-lost' ? 'the AudioContext was closed' : 'the audio worklet crashed';
      this.report({
        code: cause as DawErrorDetail['code'], attempt, error,
        message: `${what} (${error.message}); recovering${wait ? ` in ${wait} ms` : ''} (failure ${attempt} of at most ${this.recovery.attempts} within 30 s)`,
      });
      this.setState('recovering');
      waited += wait;
      if (wait) await new Promise((r) => setTimeout(r, wait));
      if (this.closing) throw new Error('this engine is closed');
      try {
        let ctx = this.context!;
        if ((ctx as AudioContext).state === 'closed') {
          ctx = this.replaceContext();
          newContext = true;
          // A new context may need a user gesture to start (autoplay policy): if it is not running
          // within a second, say so and resume it on the next gesture; the rebuild goes on meanwhile.
          const fresh = ctx as AudioContext;
          void fresh.resume().catch(() => undefined);
          gestureTimer = setTimeout(() => {
            if (!this.recovering || this.context !== fresh || fresh.state === 'running' || fresh.state === 'closed') return;
            this.report({ code: 'context-lost', message: 'the new AudioContext waits for a user gesture (browser autoplay policy): audio resumes on the next click or key press' });
            this.setState('suspended');
            this.armResumeGesture();
          }, 1000);
        }
        const failed = new Promise<never>((_, reject) => (this.attemptFailed = reject));
        failed.catch(() => undefined);
        const stats = { samples: this.recovery.samples.size, sampleBytes: this.recovery.keptBytes };
        await Promise.race([this.boot(ctx), failed]);
        clearTimeout(gestureTimer);
        this.attemptFailed = null;
        this.recovering = false;
        this.recovery.count++;
        this.lastRecovery = {
          cause: code, ms: performance.now() - t0, waitMs: waited, attempt, count: this.recovery.count, newContext, ...stats, clips: this.restoredClips,
        };
        this.error = null;
        const s = mapState((ctx as AudioContext).state);
        this._state = s;
        this.dispatchEvent(new CustomEvent('daw-statechange', { detail: { state: s, recovered: this.lastRecovery } }));
        return;
      } catch (e) {
        clearTimeout(gestureTimer);
        this.attemptFailed = null;
        this.dropNode();
        if (this.closing) throw e;
        error = e instanceof Error ? e : new Error(String(e));
        cause = (e as { code?: string }).code === 'context-lost' || (this.context as AudioContext)?.state === 'closed' ? 'context-lost' : 'worklet-crashed';
      }
    }
  }

  private restoredClips = 0;

  /**
   * After a failure, gives the new node what the control block does not hold: the samples' PCM and
   * the clips (recovery.ts). Runs inside boot(), after the node is ready. No-op on a first start.
   */
  private async restore(): Promise<void> {
    const kept = [...this.recovery.samples.values()];
    this.restoredClips = 0;
    if (!this.lostAt && kept.length === 0) return;
    await Promise.all(kept.map((k) => this.uploadSample(k)));
    const lost = this.lostAt;
    if (!lost) return;
    const ctx = this.context!;
    const resumeAt = ctx.currentTime + RESUME_LEAD;
    for (const c of this.recovery.plan(resumeAt, ctx.sampleRate)) {
      if (c.kind === 'play') this.pushClip(CLIP_PLAY, c.channel.slot, c.sample!.id, c.offset, c.gain, c.time, c.loop ? CLIP_FLAG_LOOP : 0);
      else this.pushClip(CLIP_STOP, c.channel.slot, 0, 0, 0, c.time, 0);
      this.restoredClips++;
    }
    this.lostAt = null;
    await this.flush();
  }

  /** Sends a kept sample to the new node (as loadSample does); resolves when it is in place. */
  private uploadSample(k: KeptSample): Promise<number> {
    const port = this.node!.port;
    const prev = this.sampleWaiters.get(k.id); // a loadSample still waiting for this sample
    const done = new Promise<number>((resolve, reject) => this.sampleWaiters.set(k.id, {
      resolve: (b) => { prev?.resolve(b); resolve(b); },
      reject: (e) => { prev?.reject(e); reject(e); },
    }));
    port.postMessage({ type: 'sample-begin', id: k.id, slot: k.slot, frames: k.frames, channels: k.channels.length, loopStart: k.loopStart, loopEnd: k.loopEnd });
    const CHUNK = 65536;
    for (let c = 0; c < k.channels.length; c++) {
      for (let o = 0; o < k.frames; o += CHUNK) {
        const data = k.channels[c].slice(o, Math.min(k.frames, o + CHUNK));
        sanitize(data);
        port.postMessage({ type: 'sample-data', id: k.id, channel: c, offset: o, data }, [data.buffer]);
      }
    }
    port.postMessage({ type: 'sample-end', id: k.id });
    return done;
  }

  /**
   * A new AudioContext like the closed one (same sample rate, so kept samples stay valid). AudioNode
   * sources of the old context cannot feed it: they are disconnected and reported.
   */
  private replaceContext(): AudioContext {
    const old = this.context as AudioContext;
    const AC = (old.constructor as typeof AudioContext) ?? globalThis.AudioContext;
    const ctx = new AC({ latencyHint: this.options.latencyHint ?? 'interactive', sampleRate: old.sampleRate });
    let dropped = 0;
    for (const ch of this.channels) {
      if (ch.sources.size === 0) continue;
      dropped += ch.sources.size;
      this.detachSources(ch);
    }
    this.context = ctx;
    // The new clock takes over from the old one's at the loss: clip records move onto it (plays and
    // stops the page asks for from now on are on the new clock already).
    const lost = this.lostAt;
    if (lost) {
      this.recovery.rebase(ctx.currentTime - lost.time);
      this.lostAt = { ctx, time: ctx.currentTime };
    }
    if (dropped > 0) {
      this.report({ code: 'context-lost', message: `${dropped} AudioNode source(s) of the closed AudioContext were disconnected: connect new ones made on engine.context (a new context)` });
    }
    return ctx;
  }

  /** Drops queued note and clip records (no processor reads the ring while none exists). */
  private clearRing(): void {
    const h = this.block.header;
    Atomics.store(h, H_RING_READ, Atomics.load(h, H_RING_WRITE));
  }

  /** statechange of the engine's realtime context. */
  private readonly onContextState = (ev: Event): void => {
    const ctx = ev.target as AudioContext;
    if (ctx !== this.context) return;
    const s = ctx.state as string;
    if (s === 'closed') {
      if (!this.closing) this.lost('context-lost', new Error('it was closed by other code on the page or by the browser'));
      return;
    }
    if (this.recovering) return; // recover() sets the state
    if (s === 'running') {
      this.removeResumeGesture?.();
      this.setState('running');
      return;
    }
    // 'suspended' that nobody asked this engine for, or 'interrupted' (Safari, some Chromium builds):
    // the system or the browser took audio away.
    if (s === 'interrupted' || (!this.suspendRequested && this._state === 'running')) {
      this.report({
        code: 'context-interrupted',
        message: `audio was ${s === 'interrupted' ? 'interrupted' : 'suspended'} by the browser or the system (another app took the device, the system paused audio, or code called context.suspend()); it resumes on the next click or key press, or by itself when the interruption ends`,
      });
      this.armResumeGesture();
    }
    this.setState('suspended');
  };

  /** Resumes the context on the next pointerdown / keydown / touchend (a user gesture). */
  private armResumeGesture(): void {
    if (this.removeResumeGesture || typeof document === 'undefined') return;
    const events = ['pointerdown', 'keydown', 'touchend'];
    const go = () => {
      remove();
      const ctx = this.context;
      if (ctx && isRealtime(ctx) && ctx.state !== 'closed' && ctx.state !== 'running') void ctx.resume().catch(() => undefined);
    };
    const remove = () => {
      events.forEach((e) => document.removeEventListener(e, go, true));
      this.removeResumeGesture = null;
    };
    events.forEach((e) => document.addEventListener(e, go, { capture: true, passive: true }));
    this.removeResumeGesture = remove;
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

  /** Suspends a realtime context (a suspension asked for here is not an interruption to recover from). */
  async suspend(): Promise<void> {
    if (this.context && isRealtime(this.context)) {
      this.suspendRequested = true;
      await this.context.suspend();
    }
  }

  /** Closes the context and frees everything; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    this.closing = true;
    this.removeResumeGesture?.();
    this.attemptFailed?.(new Error('this engine is closed'));
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

  /**
   * Counters written by the audio thread. Without shared memory they arrive with the worklet's
   * replies, which reading them asks for (<= 30 a second, for a second after the last read), like
   * meters.
   */
  status(): EngineStatus {
    this.wantReadings();
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
    this.recovery.forgetChannel(ch);
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

  /** @internal Meters or status were read: keep them coming (fallback path polls at <= 30 Hz). */
  wantReadings(): void {
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
    // On the next animation frame; a timer as well, because a page hidden after the frame was asked
    // for (or a throttled iframe) runs no frames, and the batch must not wait for it to be shown.
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') {
      this.flushFrame = requestAnimationFrame(this.runFlush);
      this.flushTimer = setTimeout(this.runFlush, 100);
    } else {
      this.flushTimer = setTimeout(this.runFlush, 16);
    }
  }

  private readonly runFlush = (): void => {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    if (this.flushFrame) cancelAnimationFrame(this.flushFrame);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushFrame = 0;
    this.flushTimer = 0;
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
 * creates no AudioContext until start() (or a gesture, with startOnGesture()); when the page is
 * idle it preloads the worklet script and the WASM (unless the user asked to save data).
 */
export function getEngine(options?: EngineOptions): Engine {
  const g = globalThis as unknown as Record<symbol, Engine | undefined>;
  let e = g[ENGINE_KEY];
  if (!e || e.state === 'closed') {
    const engine = (g[ENGINE_KEY] = e = new Engine(options));
    if (!options?.context && !saveData()) whenIdle(() => void engine.preload());
  }
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
