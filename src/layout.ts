/**
 * Byte layout of the control block shared by the main thread and the worklet: a SharedArrayBuffer
 * when the page is cross-origin isolated, otherwise a plain ArrayBuffer on each side kept in step by
 * one batched message per animation frame. Both sides build their views with {@link blockViews}.
 *
 * ```
 * header    Int32[32]                 change counter, ring indices, status (see H_*)
 * stripGen  Int32[NUM_STRIPS]         generation of the claim on each strip slot (0 = free)
 * synthGen  Int32[MAX_SYNTHS]         same for synth slots
 * strip     Float32[NUM_STRIPS*STRIDE]   parameter targets (main writes, worklet reads)
 * synth     Float32[MAX_SYNTHS*STRIDE]
 * meters    Float32[NUM_STRIPS*4]     peak, rms (linear), comp GR dB, limiter GR dB (worklet writes)
 * notes     Uint32[NOTE_RING*8]       note-event ring records (see ring.ts)
 * ```
 */
import { MAX_SYNTHS, NOTE_RING, NUM_STRIPS, STRIDE } from './generated/params.js';

/** Header slots (Int32 index). */
export const H_SEQ = 0; // bumped (Atomics) after every batch of parameter / claim writes
export const H_RING_WRITE = 1; // note ring: records written (main thread owns)
export const H_RING_READ = 2; // note ring: records read (worklet owns)
export const H_QUANTA = 3; // quanta rendered
export const H_FRAME_LO = 4; // current frame (low 32 bits)
export const H_FRAME_HI = 5;
export const H_NONFINITE = 6; // non-finite input samples replaced
export const H_STATE_RESETS = 7; // DSP states reset after going non-finite
export const H_ACTIVE_GROUPS = 8;
export const H_SKIPPED_GROUPS = 9;
export const H_ACTIVE_VOICES = 10;
export const H_LATE_NOTES = 11;
export const H_DROPPED_NOTES = 12;
export const H_STOLEN_VOICES = 13;
export const H_WASM_BYTES = 14; // WASM memory size, to show it never grows
export const H_PORT_MESSAGES = 15; // messages the worklet received (fallback path)
export const H_LOAD_PERMILLE = 16; // DSP time / quantum duration x 1000, where measurable
export const H_CLIPS_PLAYING = 17; // clip players sounding (main and fading)
export const H_CLIP_EVENTS_DROPPED = 18; // clip events dropped: malformed, queue full, sample gone
export const H_CLIP_EVENTS_LATE = 19; // clip events applied after their frame
export const HEADER_INTS = 32;

export const METER_STRIDE = 4;
export const NOTE_WORDS = 8;

const B_HEADER = 0;
const B_STRIP_GEN = B_HEADER + HEADER_INTS * 4;
const B_SYNTH_GEN = B_STRIP_GEN + NUM_STRIPS * 4;
const B_STRIP = B_SYNTH_GEN + MAX_SYNTHS * 4;
const B_SYNTH = B_STRIP + NUM_STRIPS * STRIDE * 4;
const B_METERS = B_SYNTH + MAX_SYNTHS * STRIDE * 4;
const B_NOTES = B_METERS + NUM_STRIPS * METER_STRIDE * 4;
export const BLOCK_BYTES = B_NOTES + NOTE_RING * NOTE_WORDS * 4;

export interface BlockViews {
  readonly buffer: ArrayBufferLike;
  readonly header: Int32Array;
  readonly stripGen: Int32Array;
  readonly synthGen: Int32Array;
  readonly strip: Float32Array;
  readonly synth: Float32Array;
  readonly meters: Float32Array;
  readonly notesU32: Uint32Array;
  readonly notesF32: Float32Array;
  /**
   * One view per ring record, made once: the consumer copies records with TypedArray.set (a
   * memcpy). Copying word by word would read the float bits of pitch as numbers above 2^30, which
   * V8's unoptimised tiers box as heap numbers: an allocation on the audio thread.
   */
  readonly noteRecords: readonly Uint32Array[];
}

export function blockViews(buffer: ArrayBufferLike): BlockViews {
  if (buffer.byteLength < BLOCK_BYTES) throw new RangeError(`control block is ${buffer.byteLength} bytes; needs ${BLOCK_BYTES}`);
  return {
    buffer,
    header: new Int32Array(buffer, B_HEADER, HEADER_INTS),
    stripGen: new Int32Array(buffer, B_STRIP_GEN, NUM_STRIPS),
    synthGen: new Int32Array(buffer, B_SYNTH_GEN, MAX_SYNTHS),
    strip: new Float32Array(buffer, B_STRIP, NUM_STRIPS * STRIDE),
    synth: new Float32Array(buffer, B_SYNTH, MAX_SYNTHS * STRIDE),
    meters: new Float32Array(buffer, B_METERS, NUM_STRIPS * METER_STRIDE),
    notesU32: new Uint32Array(buffer, B_NOTES, NOTE_RING * NOTE_WORDS),
    notesF32: new Float32Array(buffer, B_NOTES, NOTE_RING * NOTE_WORDS),
    noteRecords: Array.from({ length: NOTE_RING }, (_, i) => new Uint32Array(buffer, B_NOTES + i * NOTE_WORDS * 4, NOTE_WORDS)),
  };
}

/** Byte range of the parts the fallback path copies main -> worklet (gens + params). */
export const SYNC_BEGIN = B_STRIP_GEN;
export const SYNC_END = B_METERS;
/** Byte range the worklet reports back (header + meters) on the fallback path. */
export const METERS_BEGIN = B_METERS;
export const METERS_END = B_NOTES;
