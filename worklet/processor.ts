/**
 * The one AudioWorkletProcessor: applies pending claims, parameters and note events, copies external
 * inputs into WASM memory, makes ONE call into the WASM mixer per 128-frame quantum, and copies the
 * mix and the meters out.
 *
 * Real-time rules for process(): nothing allocated (no `new`, literals, closures, subarray), nothing
 * logged or posted. Every view on WASM memory is made once in the constructor (the memory never grows:
 * the DSP has no allocator). All state lives on the instance: two engines (e.g. an offline render
 * beside the page's engine) never share anything.
 */
import { EXTERNAL_INPUTS, LAYOUT_VERSION, MAX_SYNTHS, NOTE_RING, NUM_STRIPS, QUANTUM } from '../src/generated/params.js';
import {
  BLOCK_BYTES, H_ACTIVE_GROUPS, H_ACTIVE_VOICES, H_DROPPED_NOTES, H_FRAME_HI, H_FRAME_LO, H_LATE_NOTES, H_LOAD_PERMILLE,
  H_NONFINITE, H_PORT_MESSAGES, H_QUANTA, H_SEQ, H_SKIPPED_GROUPS, H_STATE_RESETS, H_STOLEN_VOICES, H_WASM_BYTES,
  METERS_BEGIN, METERS_END, NOTE_WORDS, SYNC_BEGIN, SYNC_END, blockViews, type BlockViews,
} from '../src/layout.js';
import { NOTES_STOP_ALL, ringDrain, ringPush } from '../src/ring.js';

interface DspExports {
  memory: WebAssembly.Memory;
  daw_init(sampleRate: number): number;
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
  daw_events_ptr(): number;
  daw_events_count_ptr(): number;
  daw_events_capacity(): number;
  daw_frame_ptr(): number;
}

/** Status words written by the DSP (see dsp/main.zig). */
const S_NONFINITE = 0;
const S_RESETS = 1;
const S_SKIPPED = 3;
const S_ACTIVE_GROUPS = 4;
const S_ACTIVE_VOICES = 5;
const S_LATE = 6;
const S_DROPPED = 7;
const S_STOLEN = 8;
const STATUS_WORDS = 16;

/** Quanta per DSP load figure: 1 s at 48 kHz. */
const LOAD_WINDOW = 375;

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
}

class DawMixerProcessor extends AudioWorkletProcessor {
  private readonly dsp: DspExports;
  private readonly b: BlockViews;
  private readonly shared: boolean;
  private readonly wParams: Float32Array;
  private readonly wSynth: Float32Array;
  private readonly wCtl: Uint32Array;
  private readonly wExtIn: Float32Array;
  private readonly wExtActive: Uint32Array;
  private readonly wOutL: Float32Array;
  private readonly wOutR: Float32Array;
  private readonly wMeters: Float32Array;
  private readonly wStatus: Uint32Array;
  private readonly wEvents: Uint32Array;
  private readonly wEventCount: Uint32Array;
  private readonly wFrame: Uint32Array;
  private readonly eventCap: number;
  private readonly stripSeen = new Int32Array(NUM_STRIPS);
  private readonly synthSeen = new Int32Array(MAX_SYNTHS);
  private readonly syncBytes: Uint8Array;
  /**
   * DSP load: time in process() over the quantum's duration, averaged over LOAD_WINDOW quanta. Only
   * with a sub-millisecond clock; without one H_LOAD_PERMILLE stays -1 (see subMillisecondClock).
   * Doubles live in a Float64Array so that storing them allocates nothing.
   */
  private readonly clock: Performance | null = subMillisecondClock();
  private readonly timing = new Float64Array(3); // [busy ms, quanta counted, quantum ms]
  private lastSeq = -1;
  private quanta = 0;
  private messages = 0;
  private alive = true;

  constructor(options: AudioWorkletNodeOptions) {
    super();
    const o = options.processorOptions as Options;
    try {
      if (o.layoutVersion !== LAYOUT_VERSION) throw new Error(`layout ${o.layoutVersion} from the page, ${LAYOUT_VERSION} in the worklet: two different builds are mixed`);
      const module = o.module ?? new WebAssembly.Module(o.bytes!);
      const dsp = new WebAssembly.Instance(module, {}).exports as unknown as DspExports;
      if (dsp.daw_layout_version() !== LAYOUT_VERSION) throw new Error(`the WASM has parameter layout ${dsp.daw_layout_version()}, expected ${LAYOUT_VERSION}`);
      if (dsp.daw_init(sampleRate) !== 0) throw new Error(`the DSP refused sample rate ${sampleRate}`);
      this.dsp = dsp;
    } catch (e) {
      this.port.postMessage({ type: 'error', message: (e as Error).message ?? String(e) });
      throw e;
    }
    const dsp = this.dsp;
    const mem = dsp.memory.buffer;
    const f32 = (ptr: number, n: number) => new Float32Array(mem, ptr, n);
    const u32 = (ptr: number, n: number) => new Uint32Array(mem, ptr, n);
    this.wParams = f32(dsp.daw_params_ptr(), NUM_STRIPS * 32);
    this.wSynth = f32(dsp.daw_synth_params_ptr(), MAX_SYNTHS * 32);
    this.wCtl = u32(dsp.daw_strip_ctl_ptr(), NUM_STRIPS);
    this.wExtIn = f32(dsp.daw_ext_in_ptr(), EXTERNAL_INPUTS * 2 * QUANTUM);
    this.wExtActive = u32(dsp.daw_ext_active_ptr(), EXTERNAL_INPUTS);
    this.wOutL = f32(dsp.daw_out_ptr(), QUANTUM);
    this.wOutR = f32(dsp.daw_out_ptr() + QUANTUM * 4, QUANTUM);
    this.wMeters = f32(dsp.daw_meters_ptr(), NUM_STRIPS * 4);
    this.wStatus = u32(dsp.daw_status_ptr(), STATUS_WORDS);
    this.eventCap = Math.min(dsp.daw_events_capacity(), NOTE_RING);
    this.wEvents = u32(dsp.daw_events_ptr(), this.eventCap * NOTE_WORDS);
    this.wEventCount = u32(dsp.daw_events_count_ptr(), 1);
    this.wFrame = u32(dsp.daw_frame_ptr(), 2);

    this.shared = o.shared !== null;
    this.b = blockViews(o.shared ?? new ArrayBuffer(BLOCK_BYTES));
    this.syncBytes = new Uint8Array(this.b.buffer, SYNC_BEGIN, SYNC_END - SYNC_BEGIN);
    this.b.header[H_WASM_BYTES] = mem.byteLength;
    this.b.header[H_LOAD_PERMILLE] = -1; // until measured; for good without a sub-millisecond clock
    this.timing[2] = (QUANTUM / sampleRate) * 1000;
    this.port.onmessage = (e: MessageEvent) => this.onMessage(e.data);
    this.port.postMessage({ type: 'ready', wasmBytes: mem.byteLength });
  }

  /** Fallback path (no shared memory): one batched message per animation frame. Not real-time code. */
  private onMessage(d: { type: string; id: number; reply: boolean; state: Uint8Array; notes: Uint32Array | null }): void {
    if (d.type !== 'sync') return;
    this.messages++;
    this.syncBytes.set(d.state);
    Atomics.add(this.b.header, H_SEQ, 1);
    if (d.notes) {
      const n = d.notes;
      for (let o = 0; o < n.length; o += NOTE_WORDS) {
        const f = new Float32Array(n.buffer, n.byteOffset + o * 4, NOTE_WORDS);
        ringPush(this.b, n[o], n[o + 1], n[o + 2], f[3], f[4], n[o + 6] * 4294967296 + n[o + 5]);
      }
    }
    this.b.header[H_PORT_MESSAGES] = this.messages;
    if (!d.reply) return;
    const meters = this.b.buffer.slice(METERS_BEGIN, METERS_END) as ArrayBuffer;
    this.port.postMessage({ type: 'meters', id: d.id, meters, header: this.b.header.slice() }, [meters]);
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (!this.alive) return false;
    const clock = this.clock;
    const t0 = clock !== null ? clock.now() : 0;
    const b = this.b;
    const h = b.header;

    // 1. Claims, then parameters (claims first: a claim is published after its parameters).
    const seq = Atomics.load(h, H_SEQ);
    if (seq !== this.lastSeq) {
      this.lastSeq = seq;
      for (let s = 0; s < NUM_STRIPS; s++) {
        const g = Atomics.load(b.stripGen, s);
        if (g !== this.stripSeen[s]) {
          this.stripSeen[s] = g;
          this.wCtl[s] = g !== 0 ? 3 : 0; // bit0 active, bit1 reset
        }
      }
      for (let s = 0; s < MAX_SYNTHS; s++) {
        const g = Atomics.load(b.synthGen, s);
        if (g !== this.synthSeen[s]) {
          // A freed or re-claimed synth slot silences what the previous owner left sounding.
          if (this.synthSeen[s] !== 0) ringPush(b, NOTES_STOP_ALL, s, 0, 0, 0, 0);
          this.synthSeen[s] = g;
        }
      }
      this.wParams.set(b.strip);
      this.wSynth.set(b.synth);
    }

    // 2. Note events for the voice pool (frame-stamped; the DSP starts each at its exact frame).
    this.wEventCount[0] = ringDrain(b, this.wEvents, this.eventCap);

    // 3. External inputs.
    const ext = this.wExtIn;
    const active = this.wExtActive;
    for (let i = 0; i < EXTERNAL_INPUTS; i++) {
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

    // 6. Meters and status for the main thread.
    b.meters.set(this.wMeters);
    const st = this.wStatus;
    this.quanta++;
    h[H_QUANTA] = this.quanta;
    const next = frame + QUANTUM;
    h[H_FRAME_LO] = next | 0; // same 32 bits as next mod 2^32
    h[H_FRAME_HI] = next > 4294967295 ? Math.floor(next / 4294967296) : 0;
    h[H_NONFINITE] = st[S_NONFINITE];
    h[H_STATE_RESETS] = st[S_RESETS];
    h[H_ACTIVE_GROUPS] = st[S_ACTIVE_GROUPS];
    h[H_SKIPPED_GROUPS] = st[S_SKIPPED];
    h[H_ACTIVE_VOICES] = st[S_ACTIVE_VOICES];
    h[H_LATE_NOTES] = st[S_LATE];
    h[H_DROPPED_NOTES] = st[S_DROPPED];
    h[H_STOLEN_VOICES] = st[S_STOLEN];
    if (clock !== null) {
      const tm = this.timing;
      tm[0] += clock.now() - t0;
      tm[1] += 1;
      if (tm[1] >= LOAD_WINDOW) {
        h[H_LOAD_PERMILLE] = Math.round((tm[0] / (tm[1] * tm[2])) * 1000);
        tm[0] = 0;
        tm[1] = 0;
      }
    }
    return true;
  }
}

// A second copy of the library on the page registers again in the same scope: that must not throw.
try {
  registerProcessor('daw-mixer', DawMixerProcessor);
} catch {
  /* already registered by another copy; the first registration serves both */
}

export { DawMixerProcessor };
