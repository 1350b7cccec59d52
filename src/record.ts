/**
 * engine.record(): the live master output (after the limiter: what is heard), captured losslessly
 * from the worklet (no MediaRecorder) into a WAV Blob (src/wav.ts). The worklet copies each quantum
 * into a ring made beforehand (protocol/record-ring.ts); this side empties it every 100 ms — from
 * shared memory on cross-origin isolated pages, else by asking the worklet for the quanta written
 * since the last time — and cuts the exact frames from the start to the stop time. Main thread only.
 */
import { QUANTUM } from '../protocol/generated/contract.js';
import { CtlWord, ringBytes, ringViews, type RecordData, type RingViews } from '../protocol/record-ring.js';
import type { WavFormat } from './wav.js';

export interface RecordOptions {
  /** Context time to start at, in seconds (default: now). */
  at?: number;
  /** 'wav-f32' (default: the samples exactly), 'wav-24' or 'wav-16' (TPDF dither). */
  format?: WavFormat;
  /** Seconds the ring holds before the page must have emptied it (1 to 60, default 4). */
  bufferSeconds?: number;
}

/** What a recording needs of its engine. */
export interface RecordHost {
  readonly context: BaseAudioContext | null;
  readonly node: AudioWorkletNode | null;
  readonly shared: boolean;
  /** The recording ended (stopped or failed): the engine may start another. */
  done(r: Recording): void;
}

let ids = 0;
const FORMATS: readonly WavFormat[] = ['wav-16', 'wav-24', 'wav-f32'];

/** A recording of the master output, from Engine.record(). */
export class Recording {
  readonly id = ++ids;
  /** Sample rate of the recording (the context's). */
  readonly sampleRate: number;
  /** Context frame the recording starts at. */
  readonly startFrame: number;
  private readonly format: WavFormat;
  private readonly quanta: number;
  private readonly ring: RingViews | null;
  private readonly chunks: { l: Float32Array; r: Float32Array }[] = [];
  /** Context frame of the first quantum received, and quanta received. */
  private first = -1;
  private received = 0;
  private dropped = 0;
  private stopFrame = -1;
  private timer: ReturnType<typeof setTimeout> | 0 = 0;
  private waiter: ((d: RecordData) => void) | null = null;
  private give: ArrayBuffer[] = [];
  private stopping: Promise<Blob> | null = null;
  /** The worklet node the recording runs in; another one (recovery rebuilt the audio thread) ends it. */
  private readonly node: AudioWorkletNode;
  private lost = false;
  /**
   * The WAV encoder (src/wav.ts) is a chunk of its own, needed only at stop(): its import starts
   * with the recording, so it is there by then (a page that never records never fetches it).
   */
  private readonly wav: Promise<typeof import('./wav.js')>;

  /** @internal Made by Engine.record() (which validates nothing else: this does). */
  constructor(private readonly host: RecordHost, opts: RecordOptions) {
    const ctx = host.context;
    const node = host.node;
    if (!ctx || !node) throw new Error('record: the engine is not running; call start() first');
    if (opts === null || typeof opts !== 'object') throw new TypeError(`record: expected options { at, format, bufferSeconds }, got ${String(opts)}`);
    const { at, format = 'wav-f32', bufferSeconds = 4 } = opts;
    if (!FORMATS.includes(format)) throw new TypeError(`record: format '${String(format)}' must be one of ${FORMATS.join(', ')}`);
    if (typeof bufferSeconds !== 'number' || !(bufferSeconds >= 1 && bufferSeconds <= 60)) throw new RangeError(`record: bufferSeconds ${String(bufferSeconds)} must be 1 to 60`);
    if (at !== undefined && (typeof at !== 'number' || !(at >= 0) || !Number.isFinite(at))) throw new RangeError(`record: at ${String(at)} must be a context time in seconds >= 0`);
    this.node = node;
    this.sampleRate = ctx.sampleRate;
    this.format = format;
    this.startFrame = Math.round((at ?? ctx.currentTime) * ctx.sampleRate);
    this.quanta = Math.ceil((bufferSeconds * ctx.sampleRate) / QUANTUM);
    let sab: SharedArrayBuffer | null = null;
    if (host.shared) {
      sab = new SharedArrayBuffer(ringBytes(this.quanta));
      this.ring = ringViews(sab, this.quanta);
    } else {
      this.ring = null;
    }
    node.port.postMessage({ type: 'record-start', id: this.id, ring: sab, quanta: this.quanta, start: this.startFrame });
    this.wav = import('./wav.js');
    this.wav.catch(() => undefined); // a failed fetch is reported by stop(), not as an unhandled rejection
    this.schedule();
  }

  /** Frames received so far (whole quanta, before the cut to the start and stop frames). */
  get framesReceived(): number {
    return this.received * QUANTUM;
  }

  /**
   * Stops at context time `at` (seconds; default now) and resolves with the WAV Blob (audio/wav) of
   * the frames from the start to that time, once the worklet has rendered them. Rejects when frames
   * were lost (the page did not empty the ring in time: a longer bufferSeconds helps) or the engine
   * stopped. Calling it again returns the same promise.
   */
  stop(at?: number): Promise<Blob> {
    if (this.stopping) return this.stopping;
    const ctx = this.host.context;
    if (at !== undefined && (typeof at !== 'number' || !(at >= 0) || !Number.isFinite(at))) return Promise.reject(new RangeError(`stop: at ${String(at)} must be a context time in seconds >= 0`));
    this.stopFrame = Math.max(this.startFrame, Math.round((at ?? (ctx ? ctx.currentTime : 0)) * this.sampleRate));
    this.host.node?.port.postMessage({ type: 'record-stop', id: this.id, stop: this.stopFrame });
    return (this.stopping = this.finish());
  }

  private async finish(): Promise<Blob> {
    try {
      // Until the quantum holding the last frame has arrived (an offline render that has finished
      // has rendered everything it will: what arrived is all there is).
      for (;;) {
        await this.drain();
        if (this.lost) throw new Error('record: the audio thread was rebuilt (recovery from a failure) during the recording; it ended there');
        if (this.dropped > 0) throw new Error(`record: ${this.dropped * QUANTUM} frames were lost (the page did not keep up; try a larger bufferSeconds)`);
        if (this.first >= 0 && this.first + this.received * QUANTUM >= this.stopFrame) break;
        const ctx = this.host.context;
        if (!ctx || ctx.state === 'closed' || (isOffline(ctx) && ctx.currentTime * this.sampleRate >= ctx.length)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return this.assemble((await this.wav).encodeWav);
    } finally {
      this.end();
    }
  }

  private assemble(encodeWav: typeof import('./wav.js').encodeWav): Blob {
    const from = Math.max(this.startFrame, this.first < 0 ? this.startFrame : this.first);
    const to = Math.max(from, Math.min(this.stopFrame, this.first + this.received * QUANTUM));
    const n = this.first < 0 ? 0 : to - from;
    const l = new Float32Array(n);
    const r = new Float32Array(n);
    let at = this.first; // frame of the chunk's first sample
    for (const c of this.chunks) {
      const a = Math.max(from, at), b = Math.min(to, at + c.l.length);
      if (b > a) {
        l.set(c.l.subarray(a - at, b - at), a - from);
        r.set(c.r.subarray(a - at, b - at), a - from);
      }
      at += c.l.length;
    }
    const { bytes } = encodeWav([l, r], { sampleRate: this.sampleRate, format: this.format });
    return new Blob([bytes as BlobPart], { type: 'audio/wav' });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.drain().then(() => {
        if (!this.stopping && this.timer) this.schedule();
      });
    }, 100);
  }

  /**
   * Takes what the worklet wrote since the last drain. One drain at a time: a second call while one
   * waits for the worklet's answer shares it. Two drains in flight at once (seen in WebKitGTK, on the
   * recording started right after a recovery: the test then waited 120 s for frames) each posted a
   * request, the second's waiter replaced the first's, and the first's promise never settled: the
   * timer chain waiting on it stopped, and the recording stopped receiving.
   */
  private drain(): Promise<void> {
    return (this.draining ??= this.drainOnce().finally(() => { this.draining = null; }));
  }

  private draining: Promise<void> | null = null;

  private async drainOnce(): Promise<void> {
    const ring = this.ring;
    if (ring) {
      const c = ring.ctl;
      const w = Atomics.load(c, CtlWord.written);
      const read = c[CtlWord.read];
      if (w > read) {
        const n = w - read;
        const l = new Float32Array(n * QUANTUM), r = new Float32Array(n * QUANTUM);
        for (let k = 0; k < n; k++) {
          const at = ((read + k) % this.quanta) * QUANTUM;
          l.set(ring.l.subarray(at, at + QUANTUM), k * QUANTUM);
          r.set(ring.r.subarray(at, at + QUANTUM), k * QUANTUM);
        }
        Atomics.store(c, CtlWord.read, w);
        this.take(l, r, n, (c[CtlWord.firstLo] >>> 0) + c[CtlWord.firstHi] * 4294967296);
      }
      this.dropped = c[CtlWord.dropped];
      return;
    }
    const node = this.host.node;
    if (!node || node !== this.node || this.lost) return;
    const d = await new Promise<RecordData>((resolve) => {
      this.waiter = resolve;
      const give = this.give;
      this.give = [];
      node.port.postMessage({ type: 'record-drain', id: this.id, give }, give);
    });
    this.dropped = d.dropped;
    if (d.buffer && d.quanta > 0) {
      const n = d.quanta * QUANTUM;
      // Copied out, so the block can go back to the worklet's pool.
      this.take(new Float32Array(d.buffer, 0, n).slice(), new Float32Array(d.buffer, n * 4, n).slice(), d.quanta, d.first);
      this.give.push(d.buffer);
    }
  }

  private take(l: Float32Array, r: Float32Array, quanta: number, first: number): void {
    if (this.first < 0) this.first = first;
    this.chunks.push({ l, r });
    this.received += quanta;
  }

  /** @internal The engine's worklet node changed (recovery, close): the recording cannot go on. */
  nodeChanged(node: AudioWorkletNode | null): void {
    if (node === this.node || this.lost) return;
    this.lost = true;
    const w = this.waiter;
    this.waiter = null;
    w?.({ type: 'record-data', id: this.id, buffer: null, quanta: 0, first: this.first, dropped: 0, state: 0 });
  }

  /** @internal The worklet's answer to a drain (Runtime routes 'record-data' here). */
  onData(d: RecordData): void {
    if (d.id !== this.id || !this.waiter) return;
    const w = this.waiter;
    this.waiter = null;
    w(d);
  }

  private end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = 0;
    this.host.node?.port.postMessage({ type: 'record-end', id: this.id });
    this.host.done(this);
  }
}

function isOffline(ctx: BaseAudioContext): ctx is OfflineAudioContext {
  return typeof (ctx as OfflineAudioContext).startRendering === 'function';
}
