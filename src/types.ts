/** The engine's public types: options, state, meters, status. */
import { EXTERNAL_INPUTS, type BusFxParams, type BusName, type BusParams, type StatusWords } from '../protocol/generated/contract.js';
import type { TransportChange, TransportState } from './transport.js';

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
   * Where to start the load clock's worker from (default: daw-clock.js beside this module). It must
   * be on the page's origin (browsers start workers only from there): with the module on a CDN, a
   * same-origin copy of daw-clock.js here gives the page a load figure.
   */
  clockUrl?: string | URL;
  /**
   * Recovery from audio-thread failures (a crashed worklet, a context closed under the page):
   * `attempts` failures within 30 s are recovered (default 3, with waits of 0, 250 ms, 1 s); one
   * more and the engine stops in the 'error' state. `false` (or attempts 0): no recovery.
   */
  recovery?: false | { attempts?: number };
  /**
   * Time the worklet's process() with the load clock (a Worker, dist/daw-clock.js, woken twice a
   * quantum; see status().load) on cross-origin isolated realtime pages. Default true; false turns
   * it off (status().load is then unavailable).
   */
  loadClock?: boolean;
  /**
   * Adaptive quality (README, "Adaptive quality"): `'auto'` (default) lets the engine step down the
   * quality ladder under load or glitches and back up when calm; a whole number 0 to QUALITY_LEVELS
   * (4) fixes the level (0: full quality). Realtime only: offline renders always run at level 0.
   * Invalid: TypeError / RangeError naming the value and the range. Also `engine.quality`.
   */
  quality?: QualitySetting;
}

/** `'auto'` or a fixed quality level 0 … QUALITY_LEVELS (0: full quality). */
export type QualitySetting = 'auto' | number;

/** What `status().quality` and the `daw-quality` event say about the quality level. */
export interface QualityFigure {
  /** The level asked of the DSP: 0 full quality … QUALITY_LEVELS the cheapest (the DSP's own word: status().qualityLevel). */
  level: number;
  /** EngineOptions.quality / engine.quality: 'auto' or the fixed level. */
  setting: QualitySetting;
  /** Why the level is what it is, for people: "underrun (1 in the window)", "mean load 86% ≥ 80%", "fixed by quality = 2", ... */
  reason: string;
}

/** `daw-quality`'s detail: the level changed. */
export interface QualityChangeDetail extends QualityFigure {
  /** The level before. */
  previous: number;
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

/**
 * DSP load: time in the worklet's process() over the real-time duration of the quanta it rendered
 * (0 … 1; above 1 the DSP cannot keep up), over the last window. Measured by the load clock
 * (src/clock-worker.ts) on cross-origin isolated realtime pages; elsewhere no figure is given
 * (null, source 'unavailable', `reason` says why), never an estimate.
 */
export interface LoadFigure {
  /** Mean load over the last window, or null. */
  mean: number | null;
  /** Load of the slowest measured quantum in the last window, or null. */
  max: number | null;
  /** Length of a window in seconds (375 quanta). */
  window: number;
  /** Windows measured so far (it changes when mean and max are new). */
  windows: number;
  /** Quanta the clock could not time (its worker woke too late) and left out. */
  missed: number;
  source: 'clock' | 'unavailable';
  /** Why there is no figure (null when there is). */
  reason: string | null;
}

/** Output underruns (glitches) as the browser counts them: `AudioContext.playbackStats` (Chromium 146+). */
export interface UnderrunFigure {
  /** Underrun events since the context started, or null. */
  count: number | null;
  /** Their total duration in seconds, or null. */
  seconds: number | null;
  source: 'playbackStats' | 'unavailable';
}

/** Output latency in seconds from `AudioContext.playbackStats`, since the context started. */
export interface LatencyFigure {
  mean: number | null;
  min: number | null;
  max: number | null;
  source: 'playbackStats' | 'unavailable';
}

/** Counters written by the audio thread (names and docs in protocol/contract.json), and one of the page's. */
export interface EngineStatus extends Omit<StatusWords, 'load' | 'loadMax' | 'loadWindows' | 'loadMissed'> {
  /** Port messages this engine has sent to the worklet since start. */
  messagesPosted: number;
  load: LoadFigure;
  underruns: UnderrunFigure;
  latency: LatencyFigure;
  /** The quality level, its setting and the reason for it (adaptive quality). */
  quality: QualityFigure;
}

/**
 * The parameters bus `N` takes through `engine.bus(N).set`: its strip's (BusParams) and its effect's
 * (BusFxParams[N]: ReverbFxParams on 'reverb', DelayFxParams on 'delay', none on 'drum' yet).
 */
export type BusParamsOf<N extends BusName> = BusParams & BusFxParams[N];

/** Parameter names of an options type `P` (ChannelParams, SynthParams, ...). */
export type ParamName<P> = Extract<keyof P, string>;
/** The value type parameter `K` of `P` takes (number, boolean for switches, names for enums). */
export type ParamValue<P, K extends keyof P> = Exclude<P[K], undefined>;

/** Default EngineOptions.sampleMemory: 256 MiB of sample data (see there for why). */
export const DEFAULT_SAMPLE_MEMORY = 256 * 1024 * 1024;
/** Largest EngineOptions.sampleMemory: 4 GiB, a wasm32 memory's most. */
export const MAX_SAMPLE_MEMORY = 2 ** 32;

/**
 * The Engine constructor's options checked: `shared` only where the page can share memory, `inputs`
 * 0 … EXTERNAL_INPUTS, `sampleMemory` 0 … 4 GiB, `quality`; TypeError / RangeError naming the value and the range.
 */
export function checkOptions(options: EngineOptions): { shared: boolean; inputs: number; sampleMemory: number } {
  const canShare = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (options.shared && !canShare) throw new TypeError('shared: true needs a cross-origin isolated page (COOP/COEP headers)');
  const inputs = options.inputs ?? EXTERNAL_INPUTS;
  if (typeof inputs !== 'number' || !Number.isInteger(inputs) || inputs < 0 || inputs > EXTERNAL_INPUTS) {
    throw new RangeError(`inputs ${String(options.inputs)} must be a whole number 0 to ${EXTERNAL_INPUTS}`);
  }
  const cap = options.sampleMemory ?? DEFAULT_SAMPLE_MEMORY;
  const range = `0 to ${MAX_SAMPLE_MEMORY} bytes (4 GiB, a wasm32 memory's most)`;
  if (typeof cap !== 'number' || Number.isNaN(cap)) throw new TypeError(`sampleMemory ${String(options.sampleMemory)} must be a number of bytes, ${range}`);
  if (!(cap >= 0 && cap <= MAX_SAMPLE_MEMORY)) throw new RangeError(`sampleMemory ${cap} must be ${range}`);
  if (options.quality !== undefined) checkQuality(options.quality, 'quality');
  return { shared: options.shared ?? canShare, inputs, sampleMemory: Math.floor(cap) };
}

/** The cheapest quality level (the master strip's internal `quality` parameter's maximum; dsp/Quality.zig). */
export const QUALITY_LEVELS = 4;

/** Checks a quality setting: 'auto' or a whole number 0 … QUALITY_LEVELS; TypeError / RangeError naming `what`, the value and the range. */
export function checkQuality(q: unknown, what: string): QualitySetting {
  const range = `'auto' or a whole number 0 to ${QUALITY_LEVELS}`;
  if (q === 'auto') return q;
  if (typeof q !== 'number') throw new TypeError(`${what} ${typeof q === 'string' ? `'${q}'` : String(q)} must be ${range}`);
  if (!Number.isInteger(q) || q < 0 || q > QUALITY_LEVELS) throw new RangeError(`${what} ${q} must be ${range}`);
  return q;
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

/**
 * How an automation point's value is reached from the previous point's: 'step' jumps on the point's
 * frame, 'linear' ramps linearly in time, 'exponential' geometrically (both values of one sign,
 * neither 0). Default 'linear'.
 */
export type AutomationRamp = 'step' | 'linear' | 'exponential';

/**
 * When an automated value applies, on the song timeline (the transport's clock, not AudioContext
 * time): `beat` in quarter notes (through the tempo map; never swung) or `at` in seconds from the
 * song's start. Exactly one; a lane keeps one of the two. `ramp`: how the value travels there from
 * the lane's previous point.
 */
export interface AutomationTime {
  beat?: number;
  at?: number;
  ramp?: AutomationRamp;
}

/** A point of an automation lane: `value` (as set() takes it) at `beat` or `at`, reached by `ramp`. */
export interface AutomationPoint<V = number> extends AutomationTime {
  value: V;
}
