/**
 * Single-producer single-consumer ring of fixed-size note records in the control block (after
 * padenot/ringbuf.js: indices move only with Atomics.load / Atomics.store, the producer owns the
 * write index, the consumer the read index; indices count records forever and wrap by masking).
 *
 * Record (8 x 32-bit words, the same layout as dsp/NoteEvent.zig):
 * kind u32 | synth u32 | id u32 | pitch f32 | velocity f32 | frameLo u32 | frameHi u32 | reserved
 * Clip events (kinds 5..7, dsp/Clips.zig ClipEvent) use the same record:
 * kind u32 | channel u32 | sample id u32 | offset u32 (frames) | gain f32 | frameLo | frameHi | flags
 *
 * Producer: the main thread (isolated path) or the worklet's message handler (fallback path).
 * Consumer: the worklet's process(). Neither side allocates.
 */
import { NOTE_RING } from './generated/params.js';
import { H_RING_READ, H_RING_WRITE, NOTE_WORDS, type BlockViews } from './layout.js';

export const NOTE_ON = 1;
export const NOTE_OFF = 2;
export const NOTES_RELEASE_ALL = 3;
export const NOTES_STOP_ALL = 4;
export const CLIP_PLAY = 5;
export const CLIP_STOP = 6;
export const CLIP_CANCEL = 7;
export const CLIP_FLAG_LOOP = 1;

const MASK = NOTE_RING - 1;
if ((NOTE_RING & MASK) !== 0) throw new Error('NOTE_RING must be a power of two');

/** Producer side: word offset of the next free record, or -1 when the ring is full. */
function freeRecord(b: BlockViews): number {
  const w = Atomics.load(b.header, H_RING_WRITE);
  const r = Atomics.load(b.header, H_RING_READ);
  return ((w - r) | 0) >= NOTE_RING ? -1 : (w & MASK) * NOTE_WORDS;
}

/** Producer side: writes the frame (words 5, 6) and word 7 of the record at `o`, then publishes it. */
function publish(b: BlockViews, o: number, frame: number, word7: number): void {
  const u = b.notesU32;
  // Integer-only arithmetic: a double result (f % 2^32, f / 2^32) is boxed by V8's unoptimised tiers.
  const f = frame > 0 ? Math.floor(frame) : 0;
  u[o + 5] = f >>> 0; // ToUint32: f mod 2^32
  u[o + 6] = f > 4294967295 ? Math.floor(f / 4294967296) : 0;
  u[o + 7] = word7 >>> 0;
  // Only the producer moves the write index: it is still the one freeRecord read.
  Atomics.store(b.header, H_RING_WRITE, (Atomics.load(b.header, H_RING_WRITE) + 1) | 0);
}

/** Producer side. Returns false (nothing written) when the ring is full. */
export function ringPush(
  b: BlockViews, kind: number, synth: number, id: number, pitch: number, velocity: number, frame: number,
): boolean {
  const o = freeRecord(b);
  if (o < 0) return false;
  const u = b.notesU32;
  u[o] = kind;
  u[o + 1] = synth;
  u[o + 2] = id >>> 0;
  b.notesF32[o + 3] = pitch;
  b.notesF32[o + 4] = velocity;
  publish(b, o, frame, 0);
  return true;
}

/**
 * Producer side, clip event (see the record above). `offset` is a whole number of frames
 * (0 .. 2^32 - 1). Returns false when the ring is full.
 */
export function ringPushClip(
  b: BlockViews, kind: number, channel: number, sample: number, offset: number, gain: number, frame: number, flags: number,
): boolean {
  const o = freeRecord(b);
  if (o < 0) return false;
  const u = b.notesU32;
  u[o] = kind;
  u[o + 1] = channel;
  u[o + 2] = sample >>> 0;
  u[o + 3] = offset >>> 0;
  b.notesF32[o + 4] = gain;
  publish(b, o, frame, flags);
  return true;
}

/**
 * Producer side: one record copied word for word from `src` at word `at` (the fallback path
 * replays the main thread's records this way, whatever their kind). False when the ring is full.
 */
export function ringPushWords(b: BlockViews, src: Uint32Array, at: number): boolean {
  const o = freeRecord(b);
  if (o < 0) return false;
  for (let i = 0; i < NOTE_WORDS; i++) b.notesU32[o + i] = src[at + i];
  Atomics.store(b.header, H_RING_WRITE, (Atomics.load(b.header, H_RING_WRITE) + 1) | 0);
  return true;
}

/** Records waiting for the consumer. */
export function ringAvailable(b: BlockViews): number {
  return (Atomics.load(b.header, H_RING_WRITE) - Atomics.load(b.header, H_RING_READ)) | 0;
}

/**
 * Consumer side: copies up to `max` records into `dest` (Uint32Array, NOTE_WORDS words each) from
 * record `first` on, and returns how many. Each record moves with TypedArray.set from a view made
 * once (no subarray, no number boxed): nothing is allocated.
 */
export function ringDrain(b: BlockViews, dest: Uint32Array, max: number, first = 0): number {
  const w = Atomics.load(b.header, H_RING_WRITE);
  const r = Atomics.load(b.header, H_RING_READ);
  let n = (w - r) | 0;
  if (n > max) n = max;
  const records = b.noteRecords;
  for (let i = 0; i < n; i++) dest.set(records[(r + i) & MASK], (first + i) * NOTE_WORDS);
  Atomics.store(b.header, H_RING_READ, (r + n) | 0);
  return n;
}
