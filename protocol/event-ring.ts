/**
 * Single-producer single-consumer ring of fixed-size event records in the control block (after
 * padenot/ringbuf.js: indices move only with Atomics.load / Atomics.store, the producer owns the
 * write index, the consumer the read index; indices count records forever and wrap by masking).
 * It carries notes and clips alike: one record type, one push.
 *
 * Record (EVENT_WORDS = 8 x 32-bit words, the layout of dsp/NoteEvent.zig and dsp/Clips.zig
 * ClipEvent; kinds in protocol/contract.json `events`):
 * note: kind | synth   | id        | pitch f32          | velocity f32 | frameLo | frameHi | 0
 * clip: kind | channel | sample id | offset u32 (frames) | gain f32     | frameLo | frameHi | flags
 *
 * Producer: the main thread (isolated path) or the worklet's message handler (fallback path).
 * Consumer: the worklet's process(). Neither side allocates.
 */
import { EVENT_RING, EVENT_WORDS, Header } from './generated/contract.js';
import type { BlockViews } from './layout.js';

const MASK = EVENT_RING - 1;

/**
 * One record being written, made once by its producer: `u` and `f` view the same eight words.
 * Fill it with noteRecord() or clipRecord(), then ringPush() it.
 */
export class EventRecord {
  readonly u = new Uint32Array(EVENT_WORDS);
  readonly f = new Float32Array(this.u.buffer);
}

/** A note event: `kind` one of EventKind's note kinds. */
export function noteRecord(r: EventRecord, kind: number, synth: number, id: number, pitch: number, velocity: number, frame: number): EventRecord {
  r.u[0] = kind;
  r.u[1] = synth;
  r.u[2] = id >>> 0;
  r.f[3] = pitch;
  r.f[4] = velocity;
  setFrame(r.u, frame);
  r.u[7] = 0;
  return r;
}

/** A clip event; `offset` is a whole number of frames (0 .. 2^32 - 1), `flags` ClipFlag bits. */
export function clipRecord(r: EventRecord, kind: number, channel: number, sample: number, offset: number, gain: number, frame: number, flags: number): EventRecord {
  r.u[0] = kind;
  r.u[1] = channel;
  r.u[2] = sample >>> 0;
  r.u[3] = offset >>> 0;
  r.f[4] = gain;
  setFrame(r.u, frame);
  r.u[7] = flags >>> 0;
  return r;
}

/** Words 5 and 6: the absolute frame (>= 0, whole), low then high 32 bits. */
function setFrame(u: Uint32Array, frame: number): void {
  // Integer-only arithmetic: a double result (f % 2^32, f / 2^32) is boxed by V8's unoptimised tiers.
  const f = frame > 0 ? Math.floor(frame) : 0;
  u[5] = f >>> 0; // ToUint32: f mod 2^32
  u[6] = f > 4294967295 ? Math.floor(f / 4294967296) : 0;
}

/**
 * Producer side: copies one record (the first EVENT_WORDS words of `src`) into the ring with
 * TypedArray.set (a memcpy: no word read as a number, so nothing is boxed) and publishes it. False
 * (nothing written) when the ring is full. The fallback path replays batched records this way.
 */
export function ringPush(b: BlockViews, src: Uint32Array): boolean {
  const w = Atomics.load(b.header, Header.ringWrite);
  const r = Atomics.load(b.header, Header.ringRead);
  if (((w - r) | 0) >= EVENT_RING) return false;
  b.eventRecords[w & MASK].set(src);
  // Only the producer moves the write index.
  Atomics.store(b.header, Header.ringWrite, (w + 1) | 0);
  return true;
}

/** The producer's write index now: the consumer reads it before the sequence word (see ringDrain). */
export function ringWriteIndex(b: BlockViews): number {
  return Atomics.load(b.header, Header.ringWrite);
}

/** Records waiting for the consumer. */
export function ringAvailable(b: BlockViews): number {
  return (Atomics.load(b.header, Header.ringWrite) - Atomics.load(b.header, Header.ringRead)) | 0;
}

/**
 * Consumer side: copies up to `max` records into `dest` (Uint32Array, EVENT_WORDS words each) from
 * record `first` on, and returns how many. Each record moves with TypedArray.set from a view made
 * once (no subarray, no number boxed): nothing is allocated.
 *
 * `w` is the producer's write index to drain up to (ringWriteIndex()), read by the consumer BEFORE
 * it reads the parameter block's sequence word: the producer publishes a claim and its parameters
 * (sequence word) before pushing the events that use them, so every record below a write index read
 * first has its parameters visible to the sequence read that follows. Reading the write index after
 * (the default, for tests) lets a note pushed between the two reads play with its synth's previous
 * parameters (seen: a new synth's first notes stealing voices under its old polyphony).
 */
export function ringDrain(b: BlockViews, dest: Uint32Array, max: number, first = 0, w = Atomics.load(b.header, Header.ringWrite)): number {
  const r = Atomics.load(b.header, Header.ringRead);
  let n = (w - r) | 0;
  if (n > max) n = max;
  const records = b.eventRecords;
  for (let i = 0; i < n; i++) dest.set(records[(r + i) & MASK], (first + i) * EVENT_WORDS);
  Atomics.store(b.header, Header.ringRead, (r + n) | 0);
  return n;
}

/** Drops every record not yet read (a new consumer must not replay a dead one's queue). Producer side, no consumer running. */
export function ringClear(b: BlockViews): void {
  Atomics.store(b.header, Header.ringRead, Atomics.load(b.header, Header.ringWrite));
}
