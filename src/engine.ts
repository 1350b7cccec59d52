/**
 * The engine: one AudioContext (or a given OfflineAudioContext), one AudioWorkletNode running the
 * WASM mixer, and the control block through which every channel, bus, master and synth is driven.
 * This file is the public class; its working parts are runtime.ts (node, slots, sources), link.ts
 * (the control link), sample-loader.ts, recover.ts and handles.ts.
 *
 * Threads: everything here runs on the main thread. The audio thread only reads what the control
 * link writes into the control block, and writes meters and status back.
 */
import {
  BUS_NAMES, EXTERNAL_INPUTS, FIRST_BUS, MASTER, MASTER_DELAY_FRAMES, MAX_CHANNELS, MAX_SYNTHS, NUM_STRIPS, STRIDE, SynthParam, type BusName, type ChannelParams,
  type MasterParams, type SynthParams,
} from '../protocol/generated/contract.js';
import type { EngineEventMap } from './errors.js';
import { Bus, Channel, Strip, Synth, type Sample } from './handles.js';
import { preload, saveData, whenIdle } from './preload.js';
import { Transport } from './transport.js';
import type { RecoveryReport } from './recovery.js';
import { Runtime, isRealtime, onFirstGesture, urls } from './runtime.js';
import { Recording, type RecordOptions } from './record.js';
import { MAX_SAMPLE_MEMORY } from './sample-loader.js';
import type { SampleOptions, SampleSource } from './samples.js';
import { DEFAULT_SAMPLE_MEMORY, type EngineOptions, type EngineState, type EngineStatus, type FaultOptions, type ParamName } from './types.js';

export const dbToLin = (db: number) => (db <= -400 ? 0 : Math.pow(10, db / 20));
export const linToDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);

/**
 * The engine. Get the page's one engine with getEngine(); renderOffline() builds private ones on
 * OfflineAudioContexts. Events: `daw-error` (DawErrorDetail), `daw-ready`, `daw-statechange`.
 */
export class Engine extends EventTarget {
  /** True when parameters travel through a SharedArrayBuffer (cross-origin isolated page). */
  readonly shared: boolean;
  /** Master strip. */
  readonly master: Strip<MasterParams>;
  /** Inputs of the worklet node for AudioNode sources (EngineOptions.inputs). */
  readonly inputs: number;
  /** Cap on sample data in bytes (EngineOptions.sampleMemory). */
  readonly sampleMemory: number;
  private readonly buses: Bus[];
  private readonly rt: Runtime;

  constructor(options: EngineOptions = {}) {
    super();
    const canShare = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    if (options.shared && !canShare) throw new TypeError('shared: true needs a cross-origin isolated page (COOP/COEP headers)');
    this.shared = options.shared ?? canShare;
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
    const rt = (this.rt = new Runtime(this, options, this.shared, inputs, this.sampleMemory));
    for (let s = 0; s < NUM_STRIPS; s++) rt.link.writeDefaults('strip', s);
    rt.link.writeDefaults('busFx', 0);
    this.buses = BUS_NAMES.map((name, i) => new Bus(rt, FIRST_BUS + i, name));
    this.master = new Strip<MasterParams>(rt, MASTER, 'master');
  }

  /** The AudioContext (or the OfflineAudioContext given); null before start(). Replaced when recovery needs a new one. */
  get context(): BaseAudioContext | null {
    return this.rt.context;
  }

  /** A context to use, set before start() (e.g. an AudioContext made with the page's latency hint). */
  set context(ctx: BaseAudioContext | null) {
    this.rt.context = ctx;
  }

  /** The one worklet node (null before start and while the audio thread is rebuilt). */
  get node(): AudioWorkletNode | null {
    return this.rt.node;
  }

  get state(): EngineState {
    return this.rt.state;
  }

  /** Last error, when state is 'error'. */
  get error(): Error | null {
    return this.rt.error;
  }

  /** The last recovery from an audio-thread failure (null if none yet). */
  get lastRecovery(): RecoveryReport | null {
    return this.rt.lastRecovery;
  }

  get sampleRate(): number {
    return this.context ? this.context.sampleRate : NaN;
  }

  /** Channels currently claimed. */
  get channelCount(): number {
    return this.rt.channels.size;
  }

  get synthCount(): number {
    return this.rt.synths.size;
  }

  /** Samples loaded and not disposed. */
  get sampleCount(): number {
    return this.rt.loader.samples.size;
  }

  /** Bytes of sample data loaded (or being loaded), counted against `sampleMemory`. */
  get sampleBytes(): number {
    return this.rt.loader.used;
  }

  /**
   * Frames by which the output trails the input: the master limiter's look-ahead
   * (round(1.5 ms x sample rate) - 1) plus the 51 frames by which everything reaching the master
   * is delayed to line up with the drum bus's oversampled return. Scheduled notes and sources are
   * not compensated.
   */
  get latencyFrames(): number {
    return this.context ? Math.round(0.0015 * this.context.sampleRate) - 1 + MASTER_DELAY_FRAMES : 0;
  }

  /** Largest number of channels. */
  get capacity(): number {
    return MAX_CHANNELS;
  }

  /** The transport: tempo map, position, loop, metronome; it runs in the audio thread. */
  get transport(): Transport {
    return (this.rt.transport ??= new Transport(this.rt));
  }

  /** AudioContext time now (0 before start). */
  now(): number {
    return this.rt.now();
  }

  /**
   * A bus by name ('reverb', 'delay', 'drum') or index 0..2: its strip parameters and its effect's
   * (`engine.bus('reverb').set('reverbDecayS', 2.5)`; BUS_FX lists them).
   */
  bus<N extends BusName>(name: N): Bus<N>;
  bus(name: string | number): Bus;
  bus(name: string | number): Bus {
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
    const { label, ...params } = options;
    const rt = this.rt;
    return this.claim('strip', (slot) => new Channel(rt, slot, label ?? `Channel ${slot + 1}`), (ch) => {
      for (const [k, v] of Object.entries(params)) ch.set(k as ParamName<ChannelParams>, v);
      rt.channels.add(ch);
    });
  }

  /** Claims a synth slot playing into `channel`. */
  createSynth(channel: Channel | null, params: SynthParams = {}): Synth {
    const rt = this.rt;
    return this.claim('synth', (slot) => new Synth(rt, slot, channel), (synth) => {
      for (const [k, v] of Object.entries(params)) synth.set(k as ParamName<SynthParams>, v);
      rt.link.block.synth[synth.slot * STRIDE + SynthParam.channel] = channel ? channel.slot : -1;
      rt.synths.add(synth);
    });
  }

  /**
   * The one claim: a free slot (capacity daw-error and RangeError when none), its parameters at their
   * defaults, then `setup` (the options; a throw gives the slot back), then the claim is published
   * after its parameters, so the worklet snaps to them (no ramp from defaults).
   */
  private claim<H extends Channel | Synth>(table: 'strip' | 'synth', make: (slot: number) => H, setup: (h: H) => void): H {
    const rt = this.rt;
    if (rt.state === 'closed') throw new Error('this engine is closed');
    const pool = table === 'strip' ? rt.channelSlots : rt.synthSlots;
    const slot = pool.claim();
    if (slot === undefined) {
      return rt.full(table === 'strip' ? `no free mixer channel: all ${MAX_CHANNELS} are in use (dispose one first)` : `no free synth slot: all ${MAX_SYNTHS} are in use`);
    }
    const h = make(slot);
    rt.link.writeDefaults(table, slot);
    try {
      setup(h);
    } catch (e) {
      pool.release(slot);
      throw e;
    }
    rt.link.claim(table, slot, ++rt.generation);
    return h;
  }

  /**
   * Loads audio for channels to play (Channel.play): a URL, file bytes (ArrayBuffer, Uint8Array,
   * Blob: any format the browser decodes), an AudioBuffer, or raw PCM (one or two Float32Arrays at
   * `opts.sampleRate`, default the engine's). It is converted to the engine's sample rate by the
   * browser's decoder, keeps at most two channels, and is copied into the DSP's memory (which grows
   * for it). Resolves once the engine runs and the sample is in place; rejects with a clear error for
   * anything it cannot use. Non-finite samples are replaced by 0 (reported as a daw-error).
   */
  loadSample(source: SampleSource, opts: SampleOptions = {}): Promise<Sample> {
    return this.rt.loader.load(source, opts);
  }

  /**
   * Fetches, compiles and once runs the WASM, and fetches the worklet script, now: no AudioContext,
   * no gesture needed, so that start() has less to do (getEngine() calls it when the page is idle).
   * Resolves when done; never rejects: start() repeats what failed and reports it.
   */
  preload(): Promise<void> {
    return preload(...urls(this.rt.options));
  }

  /**
   * Creates the AudioContext (if this engine has none) and resumes it synchronously — call it from a
   * user gesture — then loads the worklet and the WASM once. Resolves when audio runs.
   */
  start(): Promise<void> {
    const rt = this.rt;
    const options = rt.options;
    if (rt.state === 'closed') return Promise.reject(new Error('this engine is closed'));
    rt.keeper.suspendRequested = false;
    if (!rt.context) {
      const AC = globalThis.AudioContext ?? (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!AC) return rt.fail('unsupported', new Error('this browser has no Web Audio API'));
      const opts: AudioContextOptions = { latencyHint: options.latencyHint ?? 'interactive' };
      if (options.sampleRate) opts.sampleRate = options.sampleRate;
      rt.context = new AC(opts);
    }
    let ctx = rt.context;
    // After a failure the engine gave up on (or recovery is off): a closed context is replaced.
    if (rt.state === 'error' && isRealtime(ctx) && ctx.state === 'closed' && !options.context) ctx = rt.keeper.replaceContext();
    if (isRealtime(ctx) && ctx.state !== 'running' && ctx.state !== 'closed') {
      const resuming = ctx.resume().catch(() => undefined); // inside the gesture
      rt.resuming = mayStart(ctx) ? resuming : null;
    }
    // A failed start (a fetch that failed, a worklet that threw) can be retried: boot() runs again.
    if (!rt.startPromise || rt.state === 'error') {
      rt.dropNode();
      rt.error = null;
      rt.recovery.resetFailures(); // the page asked again: a fresh count of failures
      rt.setState('starting');
      rt.startPromise = rt.boot(ctx).catch((e) => {
        rt.dropNode();
        return rt.fail(e.code ?? 'load-failed', e);
      });
    }
    return rt.startPromise;
  }

  /**
   * Starts the engine on the first user gesture anywhere in `target` (default: the document).
   * Returns a function that removes the listeners.
   */
  startOnGesture(target: EventTarget = document): () => void {
    return onFirstGesture(target, () => void this.start().catch(() => undefined));
  }

  /**
   * Testing hook for recovery: makes the running worklet fail for real after `afterQuanta` quanta —
   * the DSP executes WebAssembly's `unreachable` ('trap') or process() throws ('throw') — so the
   * browser ends the processor with a `processorerror`. With `repeat`, every node made later fails
   * the same way (a crash loop); `injectFault(null)` stops that. Throws TypeError / RangeError for
   * bad options and Error when no worklet runs.
   */
  injectFault(fault: FaultOptions | null = {}): void {
    const rt = this.rt;
    if (fault === null) {
      rt.fault = null;
      return;
    }
    if (typeof fault !== 'object') throw new TypeError('injectFault: expected { kind, afterQuanta, repeat } or null');
    const { kind = 'trap', afterQuanta = 1, repeat = false } = fault;
    if (kind !== 'trap' && kind !== 'throw') throw new TypeError(`injectFault: kind '${String(kind)}' must be 'trap' or 'throw'`);
    if (typeof afterQuanta !== 'number' || !Number.isInteger(afterQuanta) || afterQuanta < 1 || afterQuanta > 0x7fffffff) {
      throw new RangeError(`injectFault: afterQuanta ${String(afterQuanta)} must be a whole number 1 to 2147483647`);
    }
    const spec = { kind, quanta: afterQuanta };
    rt.fault = repeat ? spec : null;
    if (!rt.node || rt.readyWaiter) throw new Error('injectFault: no worklet is running (start the engine first)');
    rt.node.port.postMessage({ type: 'fault', ...spec });
  }

  /** Suspends a realtime context (a suspension asked for here is not an interruption to recover from). */
  async suspend(): Promise<void> {
    const ctx = this.context;
    if (ctx && isRealtime(ctx)) {
      this.rt.keeper.suspendRequested = true;
      await ctx.suspend();
    }
  }

  /** Closes the context and frees everything; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    const rt = this.rt;
    rt.keeper.close();
    rt.stopClock();
    for (const ch of [...rt.channels]) ch.dispose();
    for (const s of [...rt.synths]) s.dispose();
    for (const s of [...rt.loader.samples]) s.dispose();
    rt.node?.disconnect();
    if (rt.context && isRealtime(rt.context)) await rt.context.close();
    rt.setState('closed');
  }

  /**
   * Starts recording the master output (after the limiter) losslessly from the worklet; `stop()` on
   * the returned Recording resolves with a WAV Blob. One recording at a time: throws Error while one
   * runs or before start(), TypeError / RangeError for bad options.
   */
  record(opts: RecordOptions = {}): Recording {
    const rt = this.rt;
    if (rt.recording) throw new Error('record: a recording is already running; stop() it first');
    const rec = new Recording({
      get context() { return rt.context; },
      get node() { return rt.readyWaiter ? null : rt.node; },
      shared: this.shared,
      done: (r) => { if (rt.recording === r) rt.recording = null; },
    }, opts);
    return (rt.recording = rec);
  }

  /**
   * Makes every change so far visible to the worklet. With shared memory that is already so (the
   * worklet reads it at the next quantum); otherwise this sends the pending batch now and resolves
   * when the worklet has applied it.
   */
  flush(): Promise<void> {
    return this.rt.link.flush();
  }

  /**
   * Counters written by the audio thread. Without shared memory they arrive with the worklet's
   * replies, which reading them asks for (<= 30 a second, for a second after the last read), like
   * meters.
   */
  status(): EngineStatus {
    return this.rt.status();
  }
}

// Event methods typed by EngineEventMap ('daw-error', 'daw-ready', 'daw-statechange'): declaration
// merging adds these overloads to EventTarget's, with no code.
export interface Engine {
  addEventListener<K extends keyof EngineEventMap>(type: K, listener: (this: Engine, ev: EngineEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof EngineEventMap>(type: K, listener: (this: Engine, ev: EngineEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * The engine's control link (the control block views and the one event push), for tools and tests
 * that drive the worklet directly (test/alloc.test.js). Pages do not need it.
 */
export function controlLink(engine: Engine): import('./link.js').ControlLink {
  return (engine as unknown as { rt: Runtime }).rt.link;
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

/**
 * Whether the browser will let `ctx` run now: called in a user gesture (transient activation), or on a
 * page whose autoplay policy allows audio (Firefox: navigator.getAutoplayPolicy). False when unknown.
 */
function mayStart(ctx: AudioContext): boolean {
  const nav = globalThis.navigator as { userActivation?: { isActive?: boolean }; getAutoplayPolicy?: (c: AudioContext) => string } | undefined;
  if (nav?.userActivation?.isActive) return true;
  try {
    return nav?.getAutoplayPolicy?.(ctx) === 'allowed';
  } catch {
    return false;
  }
}
