/**
 * The control link: the only code that knows shared memory from batched messages. It owns the
 * control block (protocol/layout.ts) and publishes every claim, parameter and event to the worklet
 * — with a SharedArrayBuffer, plain stores plus one Atomics change counter (the worklet reads them
 * at its next quantum); without one, one batched message per animation frame, which the worklet
 * answers with meters and status while someone reads them. Main thread only.
 */
import { BUS_FX, EVENT_WORDS, EventKind, HEADER_WORDS, Header, STRIDE, STRIP_PARAMS, SYNTH_PARAMS, type StatusWords } from '../protocol/generated/contract.js';
import { BLOCK_BYTES, METERS_BEGIN, METERS_END, SYNC_BEGIN, SYNC_END, VIEWS_BEGIN, VIEWS_END, blockViews, type BlockViews } from '../protocol/layout.js';
import { EventRecord, clipRecord, noteRecord, ringAvailable, ringClear, ringDrain, ringPush } from '../protocol/event-ring.js';
import { decodeStatus } from '../protocol/status.js';
import type { DawErrorDetail } from './errors.js';

/** What the link needs of its engine: the context (for event times) and where problems go. */
export interface LinkHost {
  readonly context: BaseAudioContext | null;
  report(detail: DawErrorDetail): void;
}

/** A parameter table of the control block: strip slots, synth slots, or the bus effects' (one slot, 0). */
export type Table = 'strip' | 'synth' | 'busFx';

export class ControlLink {
  readonly block: BlockViews;
  /** The worklet node to post to (null before start and while the audio thread is rebuilt). */
  node: AudioWorkletNode | null = null;
  messagesPosted = 0;
  private readonly record = new EventRecord();
  private readonly eventScratch: Uint32Array;
  // fallback path
  private lastSentSeq = 0;
  private flushScheduled = false;
  private flushFrame = 0;
  private flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
  private readonly ackWaiters = new Map<number, () => void>();
  private flushId = 0;
  /** performance.now() of the last meter() read; -Infinity (not 0) so a page's first second
   * doesn't count as "meters were just read". */
  private meterWanted = -Infinity;
  /** Live readers of spectra or scopes (Strip.analysis): the fallback path's replies carry those rows only then. */
  viewReaders = 0;
  private lastMeterPoll = -Infinity;

  constructor(readonly shared: boolean, private readonly host: LinkHost) {
    this.block = blockViews(shared ? new SharedArrayBuffer(BLOCK_BYTES) : new ArrayBuffer(BLOCK_BYTES));
    this.block.header[Header.load] = -1; // not measured (yet): status().load is null, not 0
    this.block.header[Header.loadMax] = -1;
    this.eventScratch = new Uint32Array(this.block.eventsU32.length);
  }

  /** Writes parameter `index` of slot `slot` in `table` and publishes it. */
  write(table: Table, slot: number, index: number, v: number): void {
    this.block[table][slot * STRIDE + index] = v;
    this.changed();
  }

  /** Parameter `index` of slot `slot` as last written. */
  read(table: Table, slot: number, index: number): number {
    return this.block[table][slot * STRIDE + index];
  }

  /** Every parameter of the slot back to its default (not published: a claim or release follows). */
  writeDefaults(table: Table, slot: number): void {
    const base = slot * STRIDE;
    for (const p of table === 'strip' ? STRIP_PARAMS : table === 'synth' ? SYNTH_PARAMS : BUS_FX) this.block[table][base + p.index] = p.default;
  }

  /** Publishes a claim (generation > 0) or a release (0) of a slot, after its parameters. */
  claim(table: Table, slot: number, generation: number): void {
    Atomics.store(table === 'strip' ? this.block.stripGen : this.block.synthGen, slot, generation);
    this.changed();
  }

  /** Publishes writes: one Atomics.add with shared memory, else a flush on the next frame. */
  changed(): void {
    Atomics.add(this.block.header, Header.seq, 1);
    if (!this.shared) this.scheduleFlush();
  }

  /** A note event at AudioContext `time` (undefined: as soon as possible). False if dropped. */
  note(kind: number, synth: number, id: number, pitch: number, velocity: number, time: number | undefined): boolean {
    return this.push(noteRecord(this.record, kind, synth, id, pitch, velocity, this.frameOf(time)));
  }

  /** A clip event at AudioContext `time` (undefined: as soon as possible). False if dropped. */
  clip(kind: number, channel: number, sample: number, offset: number, gain: number, time: number | undefined, flags: number): boolean {
    return this.push(clipRecord(this.record, kind, channel, sample, offset, gain, this.frameOf(time), flags));
  }

  /** The context frame of `time` (seconds; undefined: 0, meaning at once). */
  frameOf(time: number | undefined): number {
    const ctx = this.host.context;
    return time === undefined || !ctx ? 0 : Math.round(time * ctx.sampleRate);
  }

  /** The one event push: into the ring, or (ring full, no shared memory) after sending the batch now. */
  push(r: EventRecord): boolean {
    if (!ringPush(this.block, r.u)) {
      if (!this.shared) {
        this.postSync(); // make room now rather than drop
        if (ringPush(this.block, r.u)) return true;
      }
      const what = r.u[0] >= EventKind.transport ? 'transport record' : r.u[0] >= EventKind.clipPlay ? 'clip event' : 'note';
      this.host.report({ code: 'capacity', message: `event queue full: the ${what} was dropped (too many events scheduled at once)` });
      return false;
    }
    if (!this.shared) this.scheduleFlush();
    return true;
  }

  /** Drops queued events (no processor reads the ring while none exists). */
  clearEvents(): void {
    ringClear(this.block);
  }

  /**
   * Makes every change so far visible to the worklet. With shared memory that is already so (the
   * worklet reads it at the next quantum); otherwise this sends the pending batch now and resolves
   * when the worklet has applied it.
   */
  flush(): Promise<void> {
    if (!this.node) return Promise.resolve();
    let id: number;
    if (this.shared) {
      // Shared memory is visible at once, but port messages (a recording's start, sample data,
      // timeline batches) are not: a ping behind them is answered once they have been handled. Without
      // it, an offline render started right after record() lost its first quanta in Firefox. (The
      // parameter changes themselves still post nothing.)
      id = ++this.flushId;
      this.node.port.postMessage({ type: 'ping', id });
    } else {
      id = this.postSync(true, true);
    }
    return new Promise((resolve) => this.ackWaiters.set(id, resolve));
  }

  /** Meters, analysis or status were read: keep them coming (fallback path polls at <= 30 Hz). */
  wantReadings(): void {
    this.meterWanted = performance.now();
    if (!this.shared) this.scheduleFlush();
  }

  /** Status words (decoded in protocol/status.ts) and the page's own count of messages. */
  status(): StatusWords & { messagesPosted: number } {
    this.wantReadings();
    return { ...decodeStatus(this.block.header), messagesPosted: this.messagesPosted };
  }

  /** The worklet's reply on the fallback path: meters and status words; acknowledges flushes. */
  onReadings(d: { id?: number; meters?: ArrayBuffer; views?: ArrayBuffer | null; header?: Int32Array }): void {
    if (d.meters) new Uint8Array(this.block.buffer, METERS_BEGIN, METERS_END - METERS_BEGIN).set(new Uint8Array(d.meters));
    if (d.views) new Uint8Array(this.block.buffer, VIEWS_BEGIN, VIEWS_END - VIEWS_BEGIN).set(new Uint8Array(d.views));
    if (d.header) for (let i = Header.ringRead + 1; i < HEADER_WORDS; i++) this.block.header[i] = d.header[i];
    if (d.id !== undefined) {
      // Replies come in order: every message up to this id has been applied.
      for (const [k, fn] of this.ackWaiters) if (k <= d.id) { fn(); this.ackWaiters.delete(k); }
    }
  }

  // ---- fallback path: one batched message per animation frame ----

  /**
   * Called for every change and event, so it allocates nothing: the callback is made once (a closure
   * created here would make V8 allocate this function's context on every call, even on early return).
   */
  scheduleFlush(): void {
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
    const dirty = Atomics.load(this.block.header, Header.seq) !== this.lastSentSeq || ringAvailable(this.block) > 0;
    const metersDue = now - this.meterWanted < 1000 && now - this.lastMeterPoll >= 1000 / 30;
    if (dirty || metersDue) {
      if (metersDue) this.lastMeterPoll = now;
      this.postSync(false, metersDue);
    }
    if (now - this.meterWanted < 1000) this.scheduleFlush(); // keep polling while meters are read
  };

  /**
   * Sends claims, parameters and pending events in one message; returns its id. The worklet answers
   * (with meters and status) only when asked: `meters` at most 30 times a second, `ack` on flush().
   */
  postSync(wantAck = false, wantMeters = false): number {
    if (!this.node) return 0;
    const id = ++this.flushId;
    this.lastSentSeq = Atomics.load(this.block.header, Header.seq);
    const n = ringDrain(this.block, this.eventScratch, this.eventScratch.length / EVENT_WORDS);
    const state = new Uint8Array(this.block.buffer.slice(SYNC_BEGIN, SYNC_END));
    const events = n > 0 ? this.eventScratch.slice(0, n * EVENT_WORDS) : null;
    this.node.port.postMessage({ type: 'sync', id, reply: wantAck || wantMeters, views: this.viewReaders > 0, state, events }, events ? [state.buffer, events.buffer] : [state.buffer]);
    this.messagesPosted++;
    return id;
  }
}
