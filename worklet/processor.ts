/**
 * The one AudioWorkletProcessor: applies pending claims, parameters and events (notes and clips), copies external
 * inputs into WASM memory, makes ONE call into the WASM mixer per 128-frame quantum, and copies the
 * mix and the meters out.
 *
 * Real-time rules for process(): nothing allocated (no `new`, literals, closures, subarray), nothing
 * logged or posted. The views on WASM memory are made in the constructor and re-made only in the
 * message handler, after loading a sample grew the memory (see sample-heap.ts); process() never grows
 * it. All state lives on the instance: two engines (e.g. an offline render beside the page's engine)
 * never share anything.
 */
import {
  BUS_FX_WORDS, EVENT_WORDS, EVENTS_PER_QUANTUM, EventKind, EXTERNAL_INPUTS, HEADER_DSP_STATUS, Header, LAYOUT_VERSION, MAX_CHANNELS, MAX_SAMPLES,
  MAX_SYNTHS, METER_WORDS, NUM_STRIPS, QUANTUM, SAMPLE_DEFINE_ERRORS, STATUS_WORDS, STRIDE, StripControl, ANALYSIS_WORDS, SPECTRUM_POOL,
  SPECTRUM_BINS, SCOPE_POOL, SCOPE_POINTS,
} from '../protocol/generated/contract.js';
import { BLOCK_BYTES, METERS_BEGIN, METERS_END, SYNC_BEGIN, SYNC_END, VIEWS_BEGIN, VIEWS_END, blockViews, type BlockViews } from '../protocol/layout.js';
import { Rec, RecordRing, type RecordMessage } from '../protocol/record-ring.js';
import { ringDrain, ringPush, ringWriteIndex } from '../protocol/event-ring.js';
import { LoadMeter } from '../protocol/load.js';
import { SampleHeap } from './sample-heap.js';

interface DspExports {
  memory: WebAssembly.Memory;
  daw_init(sampleRate: number): void;
  daw_process(): void;
  daw_layout_version(): number;
  daw_params_ptr(): number;
  daw_strip_ctl_ptr(): number;
  daw_ext_in_ptr(): number;
  daw_ext_active_ptr(): number;
  daw_out_ptr(): number;
  daw_meters_ptr(): number;
  daw_status_ptr(): number;
  daw_synth_params_ptr(): number;
  daw_bus_fx_ptr(): number;
  daw_events_ptr(): number;
  daw_events_count_ptr(): number;
  daw_events_capacity(): number;
  daw_frame_ptr(): number;
  daw_sample_define(slot: number, id: number, left: number, right: number, frames: number, loopStart: number, loopEnd: number): number;
  daw_sample_clear(slot: number): void;
  daw_max_samples(): number;
  daw_heap_base(): number;
  daw_inject_fault(quanta: number): void;
  daw_analysis_ptr(): number;
  daw_spectrum_ptr(): number;
  daw_scope_ptr(): number;
  daw_analysis_published_ptr(): number;
  daw_timeline_rehome(ptr: number, capacity: number): number;
  daw_timeline_add(ptr: number, count: number): number;
  daw_timeline_bad_index(): number;
  daw_timeline_remove(ptr: number, count: number): number;
  daw_timeline_count(): number;
}

/** Timeline edits (Transport.schedule / unschedule): 32-byte event records, or u32 ids. Not real-time code. */
type TimelineMessage =
  | { type: 'timeline-add'; id: number; events: ArrayBuffer; remove?: Uint32Array }
  | { type: 'timeline-remove'; id: number; ids: Uint32Array };

/** Timeline storage starts at this many events (128 kB) and at least doubles when it grows. */
const TIMELINE_MIN = 4096;
const TIMELINE_ERRORS = ['', 'no room', 'a malformed event', 'an automation lane mixing seconds and beats'];

/**
 * A fault to inject (Engine.injectFault, for recovery tests): 'trap' makes the DSP execute WebAssembly's
 * `unreachable` inside daw_process, 'throw' makes process() throw; either at the `quanta`-th quantum
 * from now (>= 1). Both are real failures of this processor: the browser ends it with a processorerror.
 */
interface FaultSpec {
  kind: 'trap' | 'throw';
  quanta: number;
}

/** Messages that load and free samples (see Engine.loadSample). Not real-time code. */
type SampleMessage =
  | { type: 'sample-begin'; id: number; slot: number; frames: number; channels: number; loopStart: number; loopEnd: number }
  | { type: 'sample-data'; id: number; channel: number; offset: number; data: Float32Array }
  | { type: 'sample-end'; id: number }
  | { type: 'sample-free'; id: number; slot: number };

/** A sample being loaded or loaded: its block in WASM memory. */
interface SampleBlock {
  id: number;
  slot: number;
  ptr: number;
  bytes: number;
  frames: number;
  channels: number;
  loopStart: number;
  loopEnd: number;
  defined: boolean;
}

/**
 * performance.now() of this scope if its readings step by less than 0.5 ms, else null: then there
 * is no load figure rather than an estimate. Date.now() is no substitute: the device renders
 * several quanta back to back at each callback (e.g. every 10 ms, all within ~0.2 ms), so process()
 * starts at a fixed phase of its 1 ms ticks and the readings are almost always 0 (or almost always
 * 1 ms), a bias that averaging cannot remove. Chromium 156, Firefox 153 and WebKitGTK 2.50 have no
 * `performance` in AudioWorkletGlobalScope at all (WebAudio/web-audio-api#2413; w3c/hr-time#169
 * proposes it). Where one appears it may be coarsened like the page's: to 1 ms in Firefox and
 * WebKit on pages without cross-origin isolation, which would bring back Date.now()'s bias;
 * Chromium's 0.1 ms there biases the figure by at most 0.04 (0.1 ms of a 2.67 ms quantum). Runs
 * once per node, before any audio: a fine clock is accepted at its first tick; a coarse one is
 * refused after three ticks (~3 ms), as one long step may be preemption; a clock that does not move
 * in 100,000 reads is refused too.
 */
function subMillisecondClock(): Performance | null {
  const p = (globalThis as { performance?: Performance }).performance;
  if (typeof p !== 'object' || p === null || typeof p.now !== 'function') return null;
  let last = p.now();
  for (let i = 0, ticks = 0; i < 100000 && ticks < 3; i++) {
    const t = p.now();
    if (t === last) continue;
    if (t - last < 0.5) return p;
    last = t;
    ticks++;
  }
  return null;
}

interface Options {
  module?: WebAssembly.Module;
  bytes?: ArrayBuffer;
  shared: SharedArrayBuffer | null;
  layoutVersion: number;
  /** A fault armed as this processor starts (a repeating injected fault: the crash-loop test). */
  fault?: FaultSpec | null;
  /**
   * Time process() for the load figure through the clock worker (src/clock-worker.ts): bump and
   * notify Header.clockSeq at its start and end. Only with shared memory, and only where this scope
   * has no sub-millisecond performance.now() of its own (then it times itself).
   */
  clock?: boolean;
}

const EMPTY_F = new Float32Array(0);
const EMPTY_U = new Uint32Array(0);
/** A claimed slot's control word: active, and reset on its first quantum. */
const CLAIMED = StripControl.active | StripControl.reset;

class DawMixerProcessor extends AudioWorkletProcessor {
  private readonly dsp: DspExports;
  private readonly b: BlockViews;
  private readonly shared: boolean;
  private wParams: Float32Array = EMPTY_F;
  private wSynth: Float32Array = EMPTY_F;
  private wBusFx: Float32Array = EMPTY_F;
  private wCtl: Uint32Array = EMPTY_U;
  private wExtIn: Float32Array = EMPTY_F;
  private wExtActive: Uint32Array = EMPTY_U;
  private wOutL: Float32Array = EMPTY_F;
  private wOutR: Float32Array = EMPTY_F;
  private wMeters: Float32Array = EMPTY_F;
  /** The DSP's status block as Int32 (the header's type), copied whole with one set(). */
  private wStatus: Int32Array = new Int32Array(0);
  private wEvents: Uint32Array = EMPTY_U;
  private wEventCount: Uint32Array = EMPTY_U;
  private wFrame: Uint32Array = EMPTY_U;
  private wAnalysis: Float32Array = EMPTY_F;
  private wSpectrumRows: Float32Array[] = [];
  private wScopeRows: Float32Array[] = [];
  private wPublished: Uint32Array = EMPTY_U;
  /** Analysis publications copied so far (the DSP's counter, see daw_analysis_published_ptr). */
  private published = 0;
  /** engine.record(): the master output into a preallocated ring (record-ring.ts). */
  private readonly rec = new RecordRing();
  private readonly eventCap: number;
  private readonly heap: SampleHeap;
  /** Samples by slot (loading or loaded). */
  private readonly samples = new Map<number, SampleBlock>();
  private readonly stripSeen = new Int32Array(NUM_STRIPS);
  private readonly synthSeen = new Int32Array(MAX_SYNTHS);
  private readonly syncBytes: Uint8Array;
  /**
   * DSP load (protocol/load.ts): timed here with a sub-millisecond clock of this scope, else by the
   * clock worker, which process() notifies at its start and end (`notify`); else Header.load stays -1.
   */
  private readonly clock: Performance | null = subMillisecondClock();
  private readonly meter: LoadMeter | null;
  private readonly notify: boolean;
  /** Test hook ('spin' message, test/load.test.js): whole milliseconds of Date.now() to busy-wait in each process(). */
  private spinMs = 0;
  private spins = 0;
  /** Spin in one quantum of this many (1: every quantum). */
  private spinEvery = 1;
  /**
   * Test hook (test/quality.test.js, bench/overload.mjs): a per-voice cost. Busy-waits one whole
   * millisecond per this many voices sounding (the DSP's activeVoices after the previous quantum, at
   * most 8 ms): a session made too heavy for the quantum in a way the quality ladder really
   * reduces (its voice caps), unlike a fixed spin. 0: off.
   */
  private spinVoices = 0;
  /** While spinning: [quanta, their spin time in ms summed, quanta preempted inside the spin]. */
  private readonly spinStats = new Float64Array(3);
  private lastSeq = -1;
  private messages = 0;
  private alive = true;
  /** Quanta until process() throws `faultError` (0: none); see FaultSpec. */
  private throwCountdown = 0;
  private faultError: Error | null = null;
  /** The timeline's block in WASM memory (from the sample heap) and its capacity in events. */
  private tlPtr = 0;
  private tlCap = 0;

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const o = options.processorOptions as Options;
    try {
      if (o.layoutVersion !== LAYOUT_VERSION) throw new Error(`layout ${o.layoutVersion} from the page, ${LAYOUT_VERSION} in the worklet: two different builds are mixed`);
      const module = o.module ?? new WebAssembly.Module(o.bytes!);
      const dsp = new WebAssembly.Instance(module, {}).exports as unknown as DspExports;
      if (dsp.daw_layout_version() !== LAYOUT_VERSION) throw new Error(`the WASM has parameter layout ${dsp.daw_layout_version()}, expected ${LAYOUT_VERSION}`);
      dsp.daw_init(sampleRate); // an unusable rate falls back to 48 kHz (dsp/main.zig)
      this.dsp = dsp;
    } catch (e) {
      this.port.postMessage({ type: 'error', message: (e as Error).message ?? String(e) });
      throw e;
    }
    const dsp = this.dsp;
    if (dsp.daw_events_capacity() !== EVENTS_PER_QUANTUM) throw new Error(`the WASM takes ${dsp.daw_events_capacity()} events a quantum, expected ${EVENTS_PER_QUANTUM}`);
    this.eventCap = EVENTS_PER_QUANTUM;
    this.heap = new SampleHeap(dsp.memory, dsp.daw_heap_base());
    if (dsp.daw_max_samples() !== MAX_SAMPLES) throw new Error(`the WASM has ${dsp.daw_max_samples()} sample slots, expected ${MAX_SAMPLES}`);

    this.shared = o.shared !== null;
    this.b = blockViews(o.shared ?? new ArrayBuffer(BLOCK_BYTES));
    this.syncBytes = new Uint8Array(this.b.buffer, SYNC_BEGIN, SYNC_END - SYNC_BEGIN);
    this.makeViews();
    const mem = dsp.memory.buffer;
    const h = this.b.header;
    h[Header.load] = -1; // until measured; for good where nothing measures it
    h[Header.loadMax] = -1;
    this.meter = this.clock !== null ? new LoadMeter(h, (QUANTUM / sampleRate) * 1000) : null;
    this.notify = this.clock === null && this.shared && o.clock === true;
    this.port.onmessage = (e: MessageEvent) => this.onMessage(e.data);
    if (o.fault) this.armFault(o.fault);
    this.port.postMessage({ type: 'ready', wasmBytes: mem.byteLength, clock: this.meter !== null ? 'worklet' : this.notify ? 'notify' : null });
  }

  /**
   * (Re)makes every view on WASM memory: in the constructor, and after the memory grew for a sample
   * (a grow detaches the old buffer). Never called from process().
   */
  private makeViews(): void {
    const dsp = this.dsp;
    const mem = dsp.memory.buffer;
    const f32 = (ptr: number, n: number) => new Float32Array(mem, ptr, n);
    const u32 = (ptr: number, n: number) => new Uint32Array(mem, ptr, n);
    this.wParams = f32(dsp.daw_params_ptr(), NUM_STRIPS * STRIDE);
    this.wSynth = f32(dsp.daw_synth_params_ptr(), MAX_SYNTHS * STRIDE);
    this.wBusFx = f32(dsp.daw_bus_fx_ptr(), BUS_FX_WORDS);
    this.wCtl = u32(dsp.daw_strip_ctl_ptr(), NUM_STRIPS);
    this.wExtIn = f32(dsp.daw_ext_in_ptr(), EXTERNAL_INPUTS * 2 * QUANTUM);
    this.wExtActive = u32(dsp.daw_ext_active_ptr(), EXTERNAL_INPUTS);
    this.wOutL = f32(dsp.daw_out_ptr(), QUANTUM);
    this.wOutR = f32(dsp.daw_out_ptr() + QUANTUM * 4, QUANTUM);
    this.wMeters = f32(dsp.daw_meters_ptr(), NUM_STRIPS * METER_WORDS);
    this.wStatus = new Int32Array(mem, dsp.daw_status_ptr(), STATUS_WORDS);
    this.wEvents = u32(dsp.daw_events_ptr(), this.eventCap * EVENT_WORDS);
    this.wEventCount = u32(dsp.daw_events_count_ptr(), 1);
    this.wFrame = u32(dsp.daw_frame_ptr(), 2);
    this.wAnalysis = f32(dsp.daw_analysis_ptr(), NUM_STRIPS * ANALYSIS_WORDS);
    this.wSpectrumRows = Array.from({ length: SPECTRUM_POOL }, (_, e) => f32(dsp.daw_spectrum_ptr() + e * SPECTRUM_BINS * 4, SPECTRUM_BINS));
    this.wScopeRows = Array.from({ length: SCOPE_POOL }, (_, e) => f32(dsp.daw_scope_ptr() + e * SCOPE_POINTS * 4, SCOPE_POINTS));
    this.wPublished = u32(dsp.daw_analysis_published_ptr(), 1);
    this.b.header[Header.wasmBytes] = mem.byteLength;
  }

  /** Arms an injected fault (message handler or constructor; the Error is made here, not in process()). */
  private armFault(f: FaultSpec): void {
    const quanta = Math.max(1, Math.min(0x7fffffff, Math.floor(Number(f.quanta)) || 1));
    if (f.kind === 'throw') {
      this.faultError = new Error(`injected fault: process() threw after ${quanta} quanta`);
      this.throwCountdown = quanta;
    } else {
      this.dsp.daw_inject_fault(quanta);
    }
  }

  /** Port messages: samples, and the fallback path's batches. Not real-time code. */
  private onMessage(d: { type: string; id: number; reply: boolean; views?: boolean; state: Uint8Array; events: Uint32Array | null }): void {
    if (d.type.startsWith('record-')) {
      const answer = this.rec.onMessage(d as unknown as RecordMessage);
      if (answer) this.port.postMessage(answer.message, answer.transfer);
      return;
    }
    if (d.type.startsWith('sample-')) {
      this.onSampleMessage(d as unknown as SampleMessage);
      return;
    }
    if (d.type.startsWith('timeline-')) {
      this.onTimelineMessage(d as unknown as TimelineMessage);
      return;
    }
    if (d.type === 'fault') {
      this.armFault(d as unknown as FaultSpec);
      return;
    }
    if (d.type === 'spin') {
      // The report says how long the spun quanta really took, to Date.now()'s 1 ms: a quantum whose
      // thread was preempted inside the spin ends later than the spin's tick.
      const st = this.spinStats;
      this.port.postMessage({ type: 'spin-report', quanta: st[0], ms: st[1], preempted: st[2] });
      st.fill(0);
      const m = d as unknown as { ms: number; every?: number; voicesPerMs?: number };
      this.spinMs = Math.max(0, Math.min(2, Math.floor(Number(m.ms)) || 0));
      this.spinEvery = Math.max(1, Math.min(64, Math.floor(Number(m.every)) || 1));
      this.spinVoices = Math.max(0, Math.min(128, Math.floor(Number(m.voicesPerMs)) || 0));
      return;
    }
    if (d.type === 'ping') {
      // engine.flush() on the shared-memory path: every message before this one has been handled.
      this.port.postMessage({ type: 'meters', id: d.id });
      return;
    }
    if (d.type !== 'sync') return;
    this.messages++;
    this.syncBytes.set(d.state);
    Atomics.add(this.b.header, Header.seq, 1);
    if (d.events) {
      const n = d.events;
      for (let o = 0; o < n.length; o += EVENT_WORDS) ringPush(this.b, n.subarray(o, o + EVENT_WORDS)); // message handler: may allocate
    }
    this.b.header[Header.workletMessages] = this.messages;
    if (!d.reply) return;
    const meters = this.b.buffer.slice(METERS_BEGIN, METERS_END) as ArrayBuffer;
    const views = d.views ? (this.b.buffer.slice(VIEWS_BEGIN, VIEWS_END) as ArrayBuffer) : null;
    this.port.postMessage({ type: 'meters', id: d.id, meters, views, header: this.b.header.slice() }, views ? [meters, views] : [meters]);
  }

  /**
   * Loading: 'sample-begin' takes a block of memory (growing it if needed), 'sample-data' chunks copy
   * planar channel data into it (many small messages rather than one long copy, so renders can run in
   * between), 'sample-end' describes it to the DSP and answers 'sample-ready' (or 'sample-error').
   * 'sample-free' forgets it: players reading it stop, and the block is reused.
   */
  private onSampleMessage(m: SampleMessage): void {
    const fail = (id: number, message: string) => this.port.postMessage({ type: 'sample-error', id, message });
    switch (m.type) {
      case 'sample-begin': {
        this.dropSample(m.slot);
        const bytes = m.frames * m.channels * 4;
        let ptr: number;
        try {
          const r = this.heap.alloc(bytes);
          ptr = r.ptr;
          if (r.grew) this.makeViews();
        } catch (e) {
          fail(m.id, (e as Error).message);
          return;
        }
        this.samples.set(m.slot, { id: m.id, slot: m.slot, ptr, bytes, frames: m.frames, channels: m.channels, loopStart: m.loopStart, loopEnd: m.loopEnd, defined: false });
        break;
      }
      case 'sample-data': {
        const s = this.samples.get(m.id % MAX_SAMPLES);
        if (!s || s.id !== m.id || m.channel >= s.channels || m.offset + m.data.length > s.frames) return;
        new Float32Array(this.dsp.memory.buffer, s.ptr + (m.channel * s.frames + m.offset) * 4, m.data.length).set(m.data);
        break;
      }
      case 'sample-end': {
        const s = this.samples.get(m.id % MAX_SAMPLES);
        if (!s || s.id !== m.id) {
          fail(m.id, 'the sample was freed while it loaded');
          return;
        }
        const right = s.channels > 1 ? s.ptr + s.frames * 4 : s.ptr;
        const r = this.dsp.daw_sample_define(s.slot, s.id, s.ptr, right, s.frames, s.loopStart, s.loopEnd);
        if (r !== 0) {
          this.dropSample(s.slot);
          fail(m.id, `the DSP refused the sample (${SAMPLE_DEFINE_ERRORS[r] ?? r})`);
          return;
        }
        s.defined = true;
        this.port.postMessage({ type: 'sample-ready', id: m.id, wasmBytes: this.dsp.memory.buffer.byteLength });
        break;
      }
      case 'sample-free': {
        const s = this.samples.get(m.slot);
        if (s && s.id === m.id) this.dropSample(m.slot);
        break;
      }
    }
  }

  /**
   * Timeline edits, between quanta: the storage grows here (a larger block from the heap, the events
   * moved by the DSP, the old block freed), never in process(). The batch is copied into a scratch
   * block for the DSP to sort and merge. Answers 'timeline-done' with the event count or an error.
   */
  private onTimelineMessage(m: TimelineMessage, answer = true): void {
    const dsp = this.dsp;
    let error = '';
    try {
      const add = m.type === 'timeline-add';
      const bytes = add ? m.events.byteLength : m.ids.byteLength;
      const n = add ? bytes / 32 : m.ids.length;
      const count = dsp.daw_timeline_count();
      if (add && count + n > this.tlCap) {
        const cap = Math.max(TIMELINE_MIN, 2 * this.tlCap, count + n);
        const r = this.heap.alloc(cap * 32);
        if (r.grew) this.makeViews();
        if (dsp.daw_timeline_rehome(r.ptr, cap) !== 0) throw new Error('the DSP refused the timeline storage');
        if (this.tlCap) this.heap.release(this.tlPtr, this.tlCap * 32);
        this.tlPtr = r.ptr;
        this.tlCap = cap;
      }
      const b = this.heap.alloc(bytes);
      if (b.grew) this.makeViews();
      new Uint8Array(dsp.memory.buffer, b.ptr, bytes).set(new Uint8Array(add ? m.events : m.ids.buffer, add ? 0 : m.ids.byteOffset, bytes));
      // A replacing add (a lane replaced whole, a pattern's batch replaced: schedule({ replace })):
      // the old ids go in the same handler call as the new events arrive, so no quantum renders
      // between the two.
      if (add && m.remove?.length) this.timelineRemove(m.remove);
      const rc = add ? dsp.daw_timeline_add(b.ptr, n) : (dsp.daw_timeline_remove(b.ptr, n), 0);
      this.heap.release(b.ptr, bytes);
      if (rc !== 0) error = `the timeline refused the batch: ${TIMELINE_ERRORS[rc]}${rc === 2 ? ` (event ${dsp.daw_timeline_bad_index()})` : ''}`;
    } catch (e) {
      error = (e as Error).message;
    }
    if (answer) this.port.postMessage({ type: 'timeline-done', id: m.id, count: dsp.daw_timeline_count(), error });
  }

  private timelineRemove(ids: Uint32Array): void {
    const b = this.heap.alloc(ids.byteLength);
    if (b.grew) this.makeViews();
    new Uint32Array(this.dsp.memory.buffer, b.ptr, ids.length).set(ids);
    this.dsp.daw_timeline_remove(b.ptr, ids.length);
    this.heap.release(b.ptr, ids.byteLength);
  }

  private dropSample(slot: number): void {
    const s = this.samples.get(slot);
    if (!s) return;
    if (s.defined) this.dsp.daw_sample_clear(slot);
    this.heap.release(s.ptr, s.bytes);
    this.samples.delete(slot);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (!this.alive) return false;
    if (this.throwCountdown !== 0 && --this.throwCountdown === 0) throw this.faultError; // injected fault
    const b = this.b;
    const h = b.header;
    const spinV = this.spinVoices;
    const spin = this.spinMs !== 0 && (this.spins = (this.spins + 1) | 0) % this.spinEvery === 0 ? this.spinMs
      : spinV !== 0 ? Math.min(8, ((h[Header.activeVoices] >>> 0) / spinV) | 0) : 0;
    if (this.notify) {
      Atomics.add(h, Header.clockSeq, 1); // odd: started
      Atomics.notify(h, Header.clockSeq);
    }
    const clock = this.clock;
    const t0 = clock !== null ? clock.now() : 0;
    if (spin !== 0) this.spin(spin);

    // 1. Claims, then parameters (claims first: a claim is published after its parameters).
    // A slot that changed owner silences what the previous owner left sounding: a stop-all record
    // for a synth, a clip cancel for a channel, placed before this quantum's ring records. (Not
    // pushed into the ring: the main thread is its only producer.)
    // The ring's write index first: an event pushed after it waits for the next quantum, so every
    // event drained below has its claim and parameters in the sequence read next (ringDrain).
    const ringW = ringWriteIndex(b);
    const seq = Atomics.load(h, Header.seq);
    let pre = 0;
    if (seq !== this.lastSeq) {
      this.lastSeq = seq;
      for (let s = 0; s < NUM_STRIPS; s++) {
        const g = Atomics.load(b.stripGen, s);
        if (g !== this.stripSeen[s]) {
          if (s < MAX_CHANNELS && this.stripSeen[s] !== 0) pre = this.preEvent(pre, EventKind.clipCancel, s);
          this.stripSeen[s] = g;
          this.wCtl[s] = g !== 0 ? CLAIMED : 0;
        }
      }
      for (let s = 0; s < MAX_SYNTHS; s++) {
        const g = Atomics.load(b.synthGen, s);
        if (g !== this.synthSeen[s]) {
          if (this.synthSeen[s] !== 0) pre = this.preEvent(pre, EventKind.stopAll, s, 1); // id 1: a cancel (VoicePool.push)
          this.synthSeen[s] = g;
        }
      }
      this.wParams.set(b.strip);
      this.wSynth.set(b.synth);
      this.wBusFx.set(b.busFx);
    }

    // 2. Note and clip events (frame-stamped; the DSP starts each at its exact frame).
    this.wEventCount[0] = pre + ringDrain(b, this.wEvents, this.eventCap - pre, pre, ringW);

    // 3. External inputs.
    const ext = this.wExtIn;
    const active = this.wExtActive;
    const nIn = inputs.length < EXTERNAL_INPUTS ? inputs.length : EXTERNAL_INPUTS; // the node's inputs (EngineOptions.inputs)
    for (let i = 0; i < nIn; i++) {
      const inp = inputs[i];
      if (inp !== undefined && inp.length > 0) {
        ext.set(inp[0], i * 2 * QUANTUM);
        ext.set(inp.length > 1 ? inp[1] : inp[0], (i * 2 + 1) * QUANTUM);
        active[i] = 1;
      } else {
        active[i] = 0;
      }
    }

    // 4. One call for the whole mix.
    // Integer-only (a double intermediate would be boxed until process() is optimised).
    const frame = currentFrame;
    this.wFrame[0] = frame >>> 0;
    this.wFrame[1] = frame > 4294967295 ? Math.floor(frame / 4294967296) : 0;
    this.dsp.daw_process();

    // 5. Out.
    const out = outputs[0];
    out[0].set(this.wOutL);
    if (out.length > 1) out[1].set(this.wOutR);

    // 6. Meters, analysis (when the DSP published new results) and status for the main thread;
    // the master output into the recording ring while engine.record() runs.
    b.meters.set(this.wMeters);
    const published = this.wPublished[0];
    if (published !== this.published) {
      this.published = published;
      b.analysis.set(this.wAnalysis);
      for (let e = 0; e < SPECTRUM_POOL; e++) b.spectrumRows[e].set(this.wSpectrumRows[e]);
      for (let e = 0; e < SCOPE_POOL; e++) b.scopeRows[e].set(this.wScopeRows[e]);
    }
    if (this.rec.state === Rec.armed) this.rec.quantum(frame, this.wOutL, this.wOutR);
    const next = frame + QUANTUM;
    h[Header.frame] = next | 0; // same 32 bits as next mod 2^32
    h[Header.frame + 1] = next > 4294967295 ? Math.floor(next / 4294967296) : 0;
    h.set(this.wStatus, HEADER_DSP_STATUS); // the DSP's counters, one memcpy
    if (clock !== null) this.meter!.add(clock.now() - t0, 1);
    if (this.notify) {
      Atomics.add(h, Header.clockSeq, 1); // even: ended
      Atomics.notify(h, Header.clockSeq);
    }
    return true;
  }

  /**
   * Test hook (test/load.test.js): busy-waits up to the next Date.now() tick, then `ms` whole ticks,
   * and adds the time to spinStats: `ms` plus the part-tick before, from the loop's rate in the
   * whole ticks (iterations counted, which also keeps a minifier from dropping the loops as pure).
   * A quantum whose last reading is past its end tick was preempted inside the spin: the whole ticks
   * past it are added, and it is counted apart (it took up to 1 ms more).
   */
  private spin(ms: number): void {
    const t = Date.now();
    let a = 0;
    while (Date.now() === t) a++;
    const end = t + 1 + ms;
    let n = 0, now = 0;
    while ((now = Date.now()) < end) n++;
    const st = this.spinStats;
    st[0] += 1;
    st[1] += ms + (n > 0 ? (a / n) * ms : 0) + (now - end); // whole ticks past the end: preempted that long, up to 1 ms more
    if (now > end) st[2] += 1;
    if (a + n < 0) this.spins = 0; // the loops count (or a minifier drops them as pure); never true
  }

  /**
   * Writes an immediate (frame 0) record of `kind` for slot `slot` as event i of this quantum;
   * returns i + 1. 128 slots at most change owner in one quantum, within the 256 events' room.
   */
  private preEvent(i: number, kind: number, slot: number, id = 0): number {
    const o = i * EVENT_WORDS;
    const e = this.wEvents;
    e.fill(0, o, o + EVENT_WORDS);
    e[o] = kind;
    e[o + 1] = slot;
    e[o + 2] = id;
    return i + 1;
  }
}

// A second copy of the library on the page registers again in the same scope: that must not throw.
try {
  registerProcessor('daw-mixer', DawMixerProcessor);
} catch {
  /* already registered by another copy; the first registration serves both */
}

export { DawMixerProcessor };
