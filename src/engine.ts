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
  BUS_NAMES, FIRST_BUS, MASTER, MASTER_DELAY_FRAMES, MAX_CHANNELS, MAX_TEMPO_POINTS, NUM_STRIPS, STRIDE, SynthParam, type BusName, type ChannelParams,
  type MasterParams, type SynthParams,
} from '../protocol/generated/contract.js';
import type { EngineEventMap } from './errors.js';
import { Bus, Channel, Strip, Synth, type Sample } from './handles.js';
import { preload } from './preload.js';
import { Transport } from './transport.js';
import type { LoadMidiOptions, MidiSong, MidiSource } from './midi-load.js';
import type { RecoveryReport } from './recovery.js';
import { Runtime, urls } from './runtime.js';
import { isRealtime, mayStart, onFirstGesture } from './gesture.js';
import { claimSlot } from './slots.js';
import { Recording, type RecordOptions } from './record.js';
import type { SampleOptions, SampleSource } from './samples.js';
import type { Snapshot } from './snapshot.js';
import type { RestoreReport } from './restore.js';
import type { BounceLength, BounceOptions, BounceResult } from './bounce.js';
import type { InputOptions, InputRecording, InputSource } from './input.js';
import { checkOptions, checkQuality, type EngineOptions, type QualitySetting, type EngineState, type EngineStatus, type FaultOptions, type ParamName } from './types.js';

export const dbToLin = (db: number) => (db <= -400 ? 0 : Math.pow(10, db / 20));
export const linToDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);

/**
 * The engine. Get the page's one engine with getEngine(); renderOffline() builds private ones on
 * OfflineAudioContexts. Events: `daw-error` (DawErrorDetail), `daw-ready`, `daw-statechange`,
 * `daw-quality` (QualityChangeDetail).
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
    const o = checkOptions(options);
    this.shared = o.shared;
    this.inputs = o.inputs;
    this.sampleMemory = o.sampleMemory;
    const rt = (this.rt = new Runtime(this, options, this.shared, this.inputs, this.sampleMemory));
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

  /**
   * Adaptive quality: `'auto'` (the default) steps the DSP down its quality ladder under load or
   * glitches and back up when calm (a `daw-quality` event names each level and why); a whole number
   * 0 to QUALITY_LEVELS (4) fixes the level, 0 being full quality. Takes effect at once on a running
   * engine; offline renders always run at level 0. TypeError / RangeError for anything else.
   * `status().quality` says the level and why.
   */
  get quality(): QualitySetting {
    return this.rt.q.quality;
  }

  set quality(q: QualitySetting) {
    const rt = this.rt;
    rt.q.quality = checkQuality(q, 'quality');
    rt.q.apply();
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
    return claimSlot(this.rt, 'strip', (slot) => new Channel(rt, slot, label ?? `Channel ${slot + 1}`), (ch) => {
      for (const [k, v] of Object.entries(params)) ch.set(k as ParamName<ChannelParams>, v);
      rt.channels.add(ch);
    });
  }

  /** Claims a synth slot playing into `channel`. */
  createSynth(channel: Channel | null, params: SynthParams = {}): Synth {
    const rt = this.rt;
    return claimSlot(this.rt, 'synth', (slot) => new Synth(rt, slot, channel), (synth) => {
      for (const [k, v] of Object.entries(params)) synth.set(k as ParamName<SynthParams>, v);
      rt.link.block.synth[synth.slot * STRIDE + SynthParam.channel] = channel ? channel.slot : -1;
      rt.synths.add(synth);
    });
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
   * Loads a Standard MIDI File (format 0 or 1: a URL, or its bytes) into the transport's timeline:
   * the file's tempo map becomes the transport's (`tempo: 'keep'` keeps the page's), its notes go to
   * the synths `route` picks per track or MIDI channel. Resolves with a MidiSong (ids, length in beats
   * and seconds, tracks, warnings, `remove()`). Rejects with a RangeError / TypeError naming the byte
   * offset for a bad file, an Error for a failed fetch. The reader is loaded on first use.
   */
  async loadMidi(source: MidiSource, options: LoadMidiOptions): Promise<MidiSong> {
    const { loadMidi } = await import('./midi-load.js');
    return loadMidi({ transport: this.transport, maxTempoPoints: MAX_TEMPO_POINTS }, source, options);
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
    rt.q.stop();
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
   * The whole session as JSON-safe data (schema 1, src/snapshot.ts): master, bus (with their effects'
   * parameters), channel and synth parameters, samples by source (a URL, or a note that they came from
   * bytes or PCM), the transport's settings, and the timeline the main thread knows: the notes
   * transport.schedule() added, the clips playing and to come (times relative to now), and the
   * automation lanes. `JSON.stringify` it to store it. Async because
   * its code loads on first use (src/session.ts); clip times are relative to the call.
   */
  async snapshot(): Promise<Snapshot> {
    const read = import('./session.js');
    const ctxTime = this.rt.now();
    const { capture } = await read;
    return capture(this.rt, ctxTime);
  }

  /**
   * Applies a snapshot (the object or its JSON text). Everything is checked first: a TypeError or
   * RangeError whose message starts with the JSON path of the first problem (e.g.
   * `restore: channels[3].params.volumeDb: 99 is outside -inf..12`) and nothing applied. Samples that
   * came from bytes or PCM must still be loaded in this engine (same id); URL samples are loaded again
   * (a failure rejects, nothing applied). Live channels and synths are matched to the snapshot's in
   * slot order; extra ones are created (and returned), extra live ones left as they are. Elements
   * follow (the engine fires `daw-restore`). Resolves once samples and timeline notes are on the audio
   * thread (so, with either, after start()).
   */
  async restore(snapshot: Snapshot | string): Promise<RestoreReport> {
    const { restore } = await import('./restore.js');
    return restore(this.rt, snapshot);
  }

  /**
   * Renders the session offline (src/bounce.ts: a private OfflineAudioContext with the same worklet
   * and WASM, the session rebuilt from snapshot()), faster than realtime: `{ seconds }`, or
   * `{ untilSilence: true, maxSeconds }` (cut after the last sample above -96 dBFS). Resolves with a
   * WAV Blob, or `{ mix, stems }` with `stems` (one render per stem, the other channels muted).
   * Options: format 'wav-16' | 'wav-24' (default) | 'wav-f32', dither (TPDF, seeded; default true),
   * signal (AbortSignal: rejects with an AbortError), onProgress({ fraction, seconds, render }).
   */
  bounce(length: BounceLength, opts?: BounceOptions & { stems?: undefined }): Promise<Blob>;
  bounce(length: BounceLength, opts: BounceOptions & { stems: NonNullable<BounceOptions['stems']> }): Promise<BounceResult>;
  async bounce(length: BounceLength, opts: BounceOptions = {}): Promise<Blob | BounceResult> {
    const { bounce } = await import('./bounce.js');
    const r = await bounce(this, this.rt, length, opts ?? {});
    return opts?.stems === undefined ? r.mix : r;
  }

  /**
   * Records a live input — the default microphone, `{ deviceId }`, or a MediaStream — losslessly into
   * a Sample (src/input.ts, loaded on first use): `(await engine.recordInput()).stop()` resolves with
   * it, for `channel.play()` or a `<daw-clip>`'s `src`. A microphone that cannot be opened
   * (permission denied, no such device, busy) is a `daw-error` 'input-failed' with advice, and a
   * rejection. Needs a running realtime engine.
   */
  async recordInput(source?: InputSource, opts?: InputOptions): Promise<InputRecording> {
    const { recordInput } = await import('./input.js');
    return recordInput(this, this.rt, source, opts);
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

// Event methods typed by EngineEventMap ('daw-error', 'daw-ready', 'daw-statechange', 'daw-quality'): declaration
// merging adds these overloads to EventTarget's, with no code.
export interface Engine {
  addEventListener<K extends keyof EngineEventMap>(type: K, listener: (this: Engine, ev: EngineEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof EngineEventMap>(type: K, listener: (this: Engine, ev: EngineEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
