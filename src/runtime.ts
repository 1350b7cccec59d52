/**
 * The engine's working parts behind the public Engine class: its state, the worklet node's life
 * (boot, messages, ready), the handles' narrow interface (EngineCore), the slot pools and the
 * AudioNode sources. Recovery from audio-thread failures drives it from recover.ts. Not exported
 * from the package: the page reaches all of this through Engine and the handles. Main thread only.
 */
import {
  EXTERNAL_INPUTS, EventKind, Header, LAYOUT_VERSION, MASTER, MAX_CHANNELS, MAX_SYNTHS, QUANTUM, STRIDE, StripParam, SynthParam,
} from '../protocol/generated/contract.js';
import { LOAD_WINDOW } from '../protocol/load.js';
import type { Engine } from './engine.js';
import type { DawErrorCode, DawErrorDetail } from './errors.js';
import { startClock } from './clock.js';
import { Channel, Synth, type EngineCore, type Sample } from './handles.js';
import { AnalysisRequests } from './analysis.js';
import { ControlLink } from './link.js';
import type { Recording } from './record.js';
import type { RecordData } from '../protocol/record-ring.js';
import { compileWasm, whenIdle } from './preload.js';
import { Keeper, rebuilder } from './recover.js';
import { Recovery, type RecoveryReport } from './recovery.js';
import { SampleLoader } from './sample-loader.js';
import { SlotPool } from './slots.js';
import type { EngineOptions, EngineState, EngineStatus } from './types.js';
import { QualityState } from './quality-state.js';
import { isRealtime } from './gesture.js';
import type { Transport } from './transport.js';

/** Where the worklet module and the WASM load from: EngineOptions, or beside this module. */
export const urls = (o: EngineOptions): [worklet: string, wasm: string] => [
  String(o.workletUrl ?? new URL('./daw-worklet.js', import.meta.url)),
  String(o.wasmUrl ?? new URL('./daw-dsp.wasm', import.meta.url)),
];

/** Where dist/daw-clock.js (the load clock's worker) loads from: EngineOptions.clockUrl, or beside this module. */
export const clockUrl = (o: EngineOptions): URL => new URL(String(o.clockUrl ?? new URL('./daw-clock.js', import.meta.url)), location.href);


export function mapState(s: AudioContextState | string): EngineState {
  return s === 'running' ? 'running' : s === 'closed' ? 'closed' : 'suspended';
}

export class Runtime implements EngineCore {
  context: BaseAudioContext | null = null;
  state: EngineState = 'idle';
  /** Last error, when state is 'error'. */
  error: Error | null = null;
  startPromise: Promise<void> | null = null;
  /**
   * The context's resume() that start() asked for, when the browser will let it run (a user gesture,
   * or a page whose autoplay policy allows audio): boot() waits for it, so start() resolves when
   * audio runs. Null when the context may wait for a gesture: start() then resolves when the engine
   * is ready, in state 'suspended' until the next click or key press.
   */
  resuming: Promise<unknown> | null = null;
  lastRecovery: RecoveryReport | null = null;
  readonly link: ControlLink;
  readonly analysis: AnalysisRequests;
  /** engine.record()'s recording while it runs. */
  recording: Recording | null = null;
  readonly recovery: Recovery;
  readonly loader: SampleLoader;
  readonly keeper: Keeper;
  readonly channels = new Set<Channel>();
  readonly synths = new Set<Synth>();
  /** engine.transport, made on first use. */
  transport: Transport | null = null;
  readonly channelSlots = new SlotPool(MAX_CHANNELS);
  readonly synthSlots = new SlotPool(MAX_SYNTHS);
  readonly inputSlots: SlotPool;
  /** Generation of the last claim (strip and synth slots): the worklet sees a slot change owner. */
  generation = 0;
  readyWaiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** An injected fault armed in every new node (injectFault with repeat). */
  fault: { kind: 'trap' | 'throw'; quanta: number } | null = null;
  /** The load clock's worker while it times the node (src/clock.ts). */
  clock: Worker | null = null;
  /** What times process() ('clock') or why nothing does (status().load.reason). */
  loadReason = 'not started';
  /** Adaptive quality: the setting, the level asked of the DSP and why (src/quality-state.ts). */
  readonly q: QualityState;

  constructor(readonly engine: Engine, readonly options: EngineOptions, shared: boolean, readonly inputs: number, sampleMemory: number) {
    this.link = new ControlLink(shared, this);
    this.analysis = new AnalysisRequests(this.link);
    this.inputSlots = new SlotPool(inputs, false);
    this.loader = new SampleLoader({ core: this, whenReady: () => this.whenReady() }, sampleMemory);
    const rec = options.recovery;
    this.recovery = new Recovery(rec === false ? 0 : rec?.attempts);
    this.keeper = new Keeper(this);
    if (options.context) this.context = options.context;
    this.q = new QualityState(this);
  }

  get node(): AudioWorkletNode | null {
    return this.link.node;
  }

  set node(n: AudioWorkletNode | null) {
    this.link.node = n;
    this.recording?.nodeChanged(n);
  }

  now(): number {
    return this.context ? this.context.currentTime : 0;
  }

  report(detail: DawErrorDetail): void {
    this.engine.dispatchEvent(new CustomEvent('daw-error', { detail }));
  }

  setState(s: EngineState, recovered?: RecoveryReport): void {
    if (s === this.state && !recovered) return;
    this.state = s;
    this.engine.dispatchEvent(new CustomEvent('daw-statechange', { detail: recovered ? { state: s, recovered } : { state: s } }));
  }

  fail(code: DawErrorCode, e: unknown): Promise<never> {
    const err = e instanceof Error ? e : new Error(String(e));
    this.error = err;
    this.setState('error');
    this.report({ code, message: err.message, error: err });
    return Promise.reject(err);
  }

  /** Reports a full pool ('capacity') and throws RangeError. */
  full(message: string): never {
    this.report({ code: 'capacity', message });
    throw new RangeError(message);
  }

  // ---- slots: claim (Engine.createChannel / createSynth) and the one release ----

  /** Frees a channel's or a synth's slot: its events stop, its parameters return to their defaults. */
  release(h: Channel | Synth): void {
    if (h instanceof Channel) {
      if (!this.channels.delete(h)) return;
      this.recovery.forgetChannel(h);
      this.analysis.dropSlot(h.slot);
      // After every event the owner queued, before any of the next owner's: its clips stop (5 ms
      // fade) and its scheduled ones are dropped. (The worklet cancels too when it sees the slot
      // change owner, in case this did not fit in the ring.)
      this.link.clip(EventKind.clipCancel, h.slot, 0, 0, 0, undefined, 0);
      this.detachSources(h);
      for (const s of this.synths) if (s.channel === h) s.route(null);
      this.link.writeDefaults('strip', h.slot);
    } else {
      if (!this.synths.delete(h)) return;
      this.link.block.synth[h.slot * STRIDE + SynthParam.channel] = -1;
    }
    const strip = h instanceof Channel;
    this.link.claim(strip ? 'strip' : 'synth', h.slot, 0);
    this.transport?.timeline.clearTarget(!strip, h.slot); // its automation lanes go with it
    (strip ? this.channelSlots : this.synthSlots).release(h.slot);
  }

  freeSample(s: Sample): void {
    this.loader.free(s);
  }

  // ---- AudioNode sources: one external input of the worklet node per channel that has any ----

  attachSource(ch: Channel, node: AudioNode): void {
    if (ch.sources.has(node)) return;
    if (ch.inputIndex < 0) {
      const i = this.inputSlots.claim();
      if (i === undefined) {
        return this.full(this.inputs === 0
          ? 'no external input: this engine was made with inputs: 0 (no AudioNode sources; use clips or synths, or more inputs)'
          : `no free external input: ${this.inputs} channels already take audio from nodes (the engine has inputs: ${this.inputs}, at most ${EXTERNAL_INPUTS})`);
      }
      ch.inputIndex = i;
      this.link.write('strip', ch.slot, StripParam.inputIndex, i);
    }
    ch.sources.add(node);
    if (this.node) node.connect(this.node, 0, ch.inputIndex);
  }

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
      this.inputSlots.release(ch.inputIndex);
      ch.inputIndex = -1;
      if (!ch.isDisposed) this.link.write('strip', ch.slot, StripParam.inputIndex, -1);
    }
  }

  // ---- the worklet node ----

  /** Resolves when the worklet runs (after start(); at once if it already does). */
  whenReady(): Promise<void> {
    if (this.node && !this.readyWaiter && this.context) return Promise.resolve();
    const e = this.engine;
    return new Promise((resolve, reject) => {
      const onReady = () => {
        off();
        resolve();
      };
      const onState = () => {
        if (this.state === 'closed' || this.state === 'error') {
          off();
          reject(this.error ?? new Error('this engine is closed'));
        }
      };
      const off = () => {
        e.removeEventListener('daw-ready', onReady);
        e.removeEventListener('daw-statechange', onState);
      };
      e.addEventListener('daw-ready', onReady);
      e.addEventListener('daw-statechange', onState);
    });
  }

  /** Loads the worklet and the WASM, makes the node and resolves when it runs (first start and recovery). */
  async boot(ctx: BaseAudioContext): Promise<void> {
    if (!ctx.audioWorklet) throw Object.assign(new Error('this browser has no AudioWorklet (it needs a secure context: https or localhost)'), { code: 'unsupported' });
    if (typeof WebAssembly !== 'object') throw Object.assign(new Error('this browser has no WebAssembly'), { code: 'unsupported' });
    const [workletUrl, wasmUrl] = urls(this.options);
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
    if (this.keeper.lostAt) {
      this.link.clearEvents();
      this.transport?.restore(); // the new DSP's transport gets the page's tempo map, loop, ...
    }
    const link = this.link;
    this.stopClock();
    const realtime = isRealtime(ctx);
    const clock = link.shared && realtime && this.options.loadClock !== false;
    this.loadReason = !realtime ? 'offline render' : !link.shared ? 'page not cross-origin isolated (no SharedArrayBuffer for the load clock)'
      : !clock ? 'loadClock: false' : 'clock starting';
    const node = new AudioWorkletNode(ctx, 'daw-mixer', {
      numberOfInputs: this.inputs,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      channelCount: 2,
      channelCountMode: 'explicit',
      channelInterpretation: 'speakers',
      processorOptions: { module, shared: link.shared ? link.block.buffer : null, layoutVersion: LAYOUT_VERSION, fault: this.fault, clock },
    });
    this.node = node;
    const ready = new Promise<void>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    node.port.onmessage = (e) => this.onMessage(e.data);
    node.onprocessorerror = (ev) => {
      const why = (ev as ErrorEvent).message;
      const err = Object.assign(new Error(`the audio worklet stopped with an error${why ? ` (${why})` : ''}`), { code: 'worklet-error' });
      if (node !== this.node) return; // an old node
      if (this.readyWaiter) this.readyWaiter.reject(err); // it failed to start: start() reports it
      else this.keeper.lost('worklet-crashed', err);
    };
    if (!link.shared) link.postSync(); // the worklet starts from the current state
    // Connected now, not after 'ready': the node is silent until its processor exists, and its first
    // quantum then reaches the output without a round trip through this thread.
    node.connect(ctx.destination);
    await ready;
    for (const ch of this.channels) for (const src of ch.sources) src.connect(node, 0, ch.inputIndex);
    await this.keeper.restore();
    const recovering = this.keeper.recovering;
    if (isRealtime(ctx) && ctx.state === 'suspended' && this.resuming) {
      // Resuming a device can take longer than loading the worklet (Firefox under load): wait for it,
      // or for the context to be closed under the page (the watcher below reports that).
      let onState = (): void => undefined;
      const closed = new Promise<void>((resolve) => ctx.addEventListener('statechange', (onState = () => void (ctx.state === 'closed' && resolve()))));
      await Promise.race([this.resuming, closed]);
      ctx.removeEventListener('statechange', onState);
    }
    this.resuming = null;
    if (isRealtime(ctx)) {
      this.keeper.watch(ctx);
      if (this.recovery.attempts > 0) whenIdle(() => void rebuilder().catch(() => undefined)); // before a failure needs it (recover.ts)
      if (!recovering) this.setState(mapState(ctx.state));
    } else {
      this.setState('running');
    }
    this.q.apply();
    if (!recovering) this.engine.dispatchEvent(new CustomEvent('daw-ready', { detail: { engine: this.engine } }));
  }

  /** Ends the load clock's worker (a new node, a closed engine): its figures stop with it. */
  stopClock(): void {
    this.clock?.terminate();
    this.clock = null;
    const h = this.link.block.header;
    Atomics.store(h, Header.load, -1);
    Atomics.store(h, Header.loadMax, -1);
  }

  /** Starts the clock's worker for `node`, which notifies it (its 'ready' said so). */
  private async attachClock(node: AudioWorkletNode, ctx: BaseAudioContext): Promise<void> {
    const r = await startClock(clockUrl(this.options), this.link.block.buffer as SharedArrayBuffer, (QUANTUM / ctx.sampleRate) * 1000);
    if (node !== this.node || this.state === 'closed') { r.worker?.terminate(); return; }
    this.clock = r.worker;
    this.loadReason = r.reason ?? 'clock';
  }

  /** Engine.status(): the status words, with the load, underrun and latency figures and their sources. */
  status(): EngineStatus {
    const { load, loadMax, loadWindows, loadMissed, ...words } = this.link.status();
    const ctx = this.context;
    const clock = this.loadReason === 'clock' || this.loadReason === 'worklet';
    const window = (LOAD_WINDOW * QUANTUM) / (ctx?.sampleRate ?? 48000);
    // AudioContext.playbackStats (Chromium 146+): the device's own underrun and latency counts.
    const ps = ctx && 'playbackStats' in ctx ? (ctx as unknown as { playbackStats: PlaybackStats }).playbackStats : null;
    const nul = (v: number) => (clock && !Number.isNaN(v) ? v : null);
    return {
      ...words,
      load: {
        mean: nul(load), max: nul(loadMax), window, windows: loadWindows, missed: loadMissed, source: clock ? 'clock' : 'unavailable',
        reason: !clock ? this.loadReason : !Number.isNaN(load) ? null : loadWindows === 0 ? 'no window yet'
          : 'clock timed under half of the window (no free CPU core)',
      },
      underruns: ps ? { count: ps.underrunEvents, seconds: ps.underrunDuration, source: 'playbackStats' }
        : { count: null, seconds: null, source: 'unavailable' },
      latency: ps ? { mean: ps.averageLatency, min: ps.minimumLatency, max: ps.maximumLatency, source: 'playbackStats' }
        : { mean: null, min: null, max: null, source: 'unavailable' },
      quality: { level: this.q.qualityLevel, setting: this.q.quality, reason: this.q.qualityReason },
    };
  }

  /** Forgets a worklet node that never became ready, so a retry creates the page's one node anew. */
  dropNode(): void {
    this.stopClock();
    const node = this.node;
    if (!node) return;
    node.port.onmessage = null;
    node.onprocessorerror = null;
    node.disconnect();
    this.node = null;
    this.readyWaiter = null;
  }

  private onMessage(d: { type: string; id?: number; meters?: ArrayBuffer; header?: Int32Array; message?: string; wasmBytes?: number; clock?: string | null }): void {
    switch (d.type) {
      case 'sample-ready':
      case 'sample-error':
        this.loader.onReply(d);
        break;
      case 'ready':
        if (d.wasmBytes) this.link.block.header[Header.wasmBytes] = d.wasmBytes;
        if (d.clock === 'worklet') this.loadReason = 'worklet';
        else if (d.clock === 'notify' && this.node && this.context) void this.attachClock(this.node, this.context);
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
        this.link.onReadings(d);
        break;
      case 'record-data':
        this.recording?.onData(d as unknown as RecordData);
        break;
      case 'timeline-done':
        this.transport?.onTimeline(d as unknown as { id: number; count: number; error: string });
        break;
    }
  }
}

/** AudioContext.playbackStats (Audio Playback Statistics; Chromium 146+): what status() reads of it. */
export interface PlaybackStats {
  readonly underrunEvents: number;
  readonly underrunDuration: number;
  readonly averageLatency: number;
  readonly minimumLatency: number;
  readonly maximumLatency: number;
}
