/**
 * engine.record()'s ring: the worklet copies the master output (after the limiter, what is heard)
 * into it, one whole quantum at a time, from the quantum holding the start frame to the one holding
 * the stop frame; the main thread cuts the exact frames out (src/record.ts). Both threads agree on
 * the layout here.
 *
 * ```
 * ctl  Int32[CTL_WORDS]   written quanta (worklet), read quanta (main; the worklet on the message
 *                         path), dropped quanta, first frame (lo, hi), state (Rec)
 * l    Float32[quanta*QUANTUM]   left, quantum w at (w % quanta) * QUANTUM
 * r    Float32[quanta*QUANTUM]   right
 * ```
 *
 * Cross-origin isolated pages: the ring is a SharedArrayBuffer made by the page; the page reads it
 * with Atomics on the written/read counters. Otherwise the worklet makes it (in its message handler)
 * and answers the page's 'record-drain' messages with the quanta written since the last one, in a
 * transferable block from a small pool (the page gives the blocks back with its next drain). Either
 * way process() only copies two quanta into memory made beforehand: nothing allocated, nothing posted.
 */
import { QUANTUM } from './generated/contract.js';

export const CTL_WORDS = 8;
export const CtlWord = { written: 0, read: 1, dropped: 2, firstLo: 3, firstHi: 4, state: 5 } as const;
/** Ring states. */
export const Rec = { idle: 0, armed: 1, ended: 2 } as const;

/** Bytes of a shared ring of `quanta` quanta. */
export const ringBytes = (quanta: number): number => CTL_WORDS * 4 + 2 * quanta * QUANTUM * 4;

export interface RingViews {
  ctl: Int32Array;
  l: Float32Array;
  r: Float32Array;
}

export function ringViews(buffer: ArrayBufferLike, quanta: number): RingViews {
  const n = quanta * QUANTUM;
  return { ctl: new Int32Array(buffer, 0, CTL_WORDS), l: new Float32Array(buffer, CTL_WORDS * 4, n), r: new Float32Array(buffer, CTL_WORDS * 4 + n * 4, n) };
}

export type RecordMessage =
  | { type: 'record-start'; id: number; ring: SharedArrayBuffer | null; quanta: number; start: number }
  | { type: 'record-stop'; id: number; stop: number }
  | { type: 'record-drain'; id: number; give?: ArrayBuffer[] }
  | { type: 'record-end'; id: number };

/** The worklet's answer to 'record-drain': `quanta` quanta, planar (all left, then all right). */
export interface RecordData {
  type: 'record-data';
  id: number;
  buffer: ArrayBuffer | null;
  quanta: number;
  first: number;
  dropped: number;
  state: number;
}

const EMPTY: Float32Array<ArrayBufferLike> = new Float32Array(0);

/** The worklet's side. */
export class RecordRing {
  state: number = Rec.idle;
  private id = 0;
  private ctl: Int32Array<ArrayBufferLike> = new Int32Array(CTL_WORDS);
  private l = EMPTY;
  private r = EMPTY;
  private quanta = 0;
  /** First frame wanted, and the frame to stop at (-1: not yet given). */
  private start = 0;
  private stop = -1;
  private readonly pool: ArrayBuffer[] = [];

  /** One quantum of output at context frame `frame`. Real-time: copies only. */
  quantum(frame: number, outL: Float32Array, outR: Float32Array): void {
    if (frame + QUANTUM <= this.start) return;
    const c = this.ctl;
    if (this.stop >= 0 && frame >= this.stop) {
      this.state = Rec.ended;
      Atomics.store(c, CtlWord.state, Rec.ended);
      return;
    }
    const w = c[CtlWord.written];
    if (w - Atomics.load(c, CtlWord.read) >= this.quanta) {
      c[CtlWord.dropped]++; // the page did not keep up: stop() reports it
      return;
    }
    const at = (w % this.quanta) * QUANTUM;
    this.l.set(outL, at);
    this.r.set(outR, at);
    if (w === 0) {
      c[CtlWord.firstLo] = frame | 0;
      c[CtlWord.firstHi] = frame > 4294967295 ? Math.floor(frame / 4294967296) : 0;
    }
    Atomics.store(c, CtlWord.written, w + 1);
  }

  /** Port messages (not real-time code). Returns the answer to post, if any. */
  onMessage(m: RecordMessage): { message: RecordData; transfer: ArrayBuffer[] } | null {
    switch (m.type) {
      case 'record-start': {
        this.id = m.id;
        this.quanta = m.quanta;
        if (m.ring) {
          ({ ctl: this.ctl, l: this.l, r: this.r } = ringViews(m.ring, m.quanta));
        } else {
          this.ctl = new Int32Array(CTL_WORDS);
          this.l = new Float32Array(m.quanta * QUANTUM);
          this.r = new Float32Array(m.quanta * QUANTUM);
        }
        this.start = m.start;
        this.stop = -1;
        this.state = Rec.armed;
        Atomics.store(this.ctl, CtlWord.state, Rec.armed);
        return null;
      }
      case 'record-stop':
        if (m.id === this.id) this.stop = m.stop;
        return null;
      case 'record-end':
        if (m.id === this.id) {
          this.state = Rec.idle;
          this.l = this.r = EMPTY;
          this.ctl = new Int32Array(CTL_WORDS);
          this.pool.length = 0;
        }
        return null;
      case 'record-drain': {
        for (const b of m.give ?? []) if (this.pool.length < 4) this.pool.push(b);
        const c = this.ctl;
        const read = c[CtlWord.read];
        const n = m.id === this.id ? c[CtlWord.written] - read : 0;
        let buffer: ArrayBuffer | null = null;
        if (n > 0) {
          const bytes = n * QUANTUM * 8;
          const i = this.pool.findIndex((b) => b.byteLength >= bytes);
          buffer = i >= 0 ? this.pool.splice(i, 1)[0] : new ArrayBuffer(bytes);
          const l = new Float32Array(buffer, 0, n * QUANTUM);
          const r = new Float32Array(buffer, n * QUANTUM * 4, n * QUANTUM);
          for (let k = 0; k < n; k++) {
            const at = ((read + k) % this.quanta) * QUANTUM;
            l.set(this.l.subarray(at, at + QUANTUM), k * QUANTUM);
            r.set(this.r.subarray(at, at + QUANTUM), k * QUANTUM);
          }
          Atomics.store(c, CtlWord.read, read + n);
        }
        const first = (c[CtlWord.firstLo] >>> 0) + c[CtlWord.firstHi] * 4294967296;
        return {
          message: { type: 'record-data', id: m.id, buffer, quanta: n, first, dropped: c[CtlWord.dropped], state: c[CtlWord.state] },
          transfer: buffer ? [buffer] : [],
        };
      }
    }
    return null;
  }
}
