/**
 * Byte layout of the control block shared by the main thread and the worklet: a SharedArrayBuffer
 * when the page is cross-origin isolated, otherwise a plain ArrayBuffer on each side kept in step by
 * one batched message per animation frame. Both sides build their views with {@link blockViews};
 * every size comes from protocol/contract.json (through generated/contract.ts).
 *
 * ```
 * header    Int32[HEADER_WORDS]           control words, then status words (see Header)
 * stripGen  Int32[NUM_STRIPS]             generation of the claim on each strip slot (0 = free)
 * synthGen  Int32[MAX_SYNTHS]             same for synth slots
 * strip     Float32[NUM_STRIPS*STRIDE]    parameter targets (main writes, worklet reads)
 * synth     Float32[MAX_SYNTHS*STRIDE]
 * busFx     Float32[BUS_FX_WORDS]         bus-effect parameter targets (BUS_FX; main writes, worklet reads)
 * meters    Float32[NUM_STRIPS*METER_WORDS]  peak, rms (linear), comp GR dB, limiter GR dB (worklet writes)
 * analysis  Float32[NUM_STRIPS*ANALYSIS_WORDS]  analysis results per strip (AnalysisWord; worklet writes)
 * spectrum  Float32[SPECTRUM_POOL*SPECTRUM_BINS] spectra (dBFS) per pool entry (worklet writes)
 * scope     Float32[SCOPE_POOL*SCOPE_POINTS]    scope windows per pool entry (worklet writes)
 * events    Uint32[EVENT_RING*EVENT_WORDS]   event ring records, notes and clips (see event-ring.ts)
 * ```
 */
import {
  ANALYSIS_WORDS, BUS_FX_WORDS, EVENT_RING, EVENT_WORDS, HEADER_WORDS, MAX_SYNTHS, METER_WORDS, NUM_STRIPS, SCOPE_POINTS, SCOPE_POOL, SPECTRUM_BINS, SPECTRUM_POOL, STRIDE,
} from './generated/contract.js';

const B_HEADER = 0;
const B_STRIP_GEN = B_HEADER + HEADER_WORDS * 4;
const B_SYNTH_GEN = B_STRIP_GEN + NUM_STRIPS * 4;
const B_STRIP = B_SYNTH_GEN + MAX_SYNTHS * 4;
const B_SYNTH = B_STRIP + NUM_STRIPS * STRIDE * 4;
const B_BUS_FX = B_SYNTH + MAX_SYNTHS * STRIDE * 4;
const B_METERS = B_BUS_FX + BUS_FX_WORDS * 4;
const B_ANALYSIS = B_METERS + NUM_STRIPS * METER_WORDS * 4;
const B_SPECTRUM = B_ANALYSIS + NUM_STRIPS * ANALYSIS_WORDS * 4;
const B_SCOPE = B_SPECTRUM + SPECTRUM_POOL * SPECTRUM_BINS * 4;
const B_EVENTS = B_SCOPE + SCOPE_POOL * SCOPE_POINTS * 4;
export const BLOCK_BYTES = B_EVENTS + EVENT_RING * EVENT_WORDS * 4;

export interface BlockViews {
  readonly buffer: ArrayBufferLike;
  readonly header: Int32Array;
  readonly stripGen: Int32Array;
  readonly synthGen: Int32Array;
  readonly strip: Float32Array;
  readonly synth: Float32Array;
  readonly busFx: Float32Array;
  readonly meters: Float32Array;
  readonly analysis: Float32Array;
  /** One view per spectrum / scope pool entry, made once (the worklet copies rows with set()). */
  readonly spectrumRows: readonly Float32Array[];
  readonly scopeRows: readonly Float32Array[];
  readonly eventsU32: Uint32Array;
  /**
   * One view per ring record, made once: the consumer copies records with TypedArray.set (a
   * memcpy). Copying word by word would read the float bits of pitch as numbers above 2^30, which
   * V8's unoptimised tiers box as heap numbers: an allocation on the audio thread.
   */
  readonly eventRecords: readonly Uint32Array[];
}

export function blockViews(buffer: ArrayBufferLike): BlockViews {
  if (buffer.byteLength < BLOCK_BYTES) throw new RangeError(`control block is ${buffer.byteLength} bytes; needs ${BLOCK_BYTES}`);
  return {
    buffer,
    header: new Int32Array(buffer, B_HEADER, HEADER_WORDS),
    stripGen: new Int32Array(buffer, B_STRIP_GEN, NUM_STRIPS),
    synthGen: new Int32Array(buffer, B_SYNTH_GEN, MAX_SYNTHS),
    strip: new Float32Array(buffer, B_STRIP, NUM_STRIPS * STRIDE),
    synth: new Float32Array(buffer, B_SYNTH, MAX_SYNTHS * STRIDE),
    busFx: new Float32Array(buffer, B_BUS_FX, BUS_FX_WORDS),
    meters: new Float32Array(buffer, B_METERS, NUM_STRIPS * METER_WORDS),
    analysis: new Float32Array(buffer, B_ANALYSIS, NUM_STRIPS * ANALYSIS_WORDS),
    spectrumRows: Array.from({ length: SPECTRUM_POOL }, (_, e) => new Float32Array(buffer, B_SPECTRUM + e * SPECTRUM_BINS * 4, SPECTRUM_BINS)),
    scopeRows: Array.from({ length: SCOPE_POOL }, (_, e) => new Float32Array(buffer, B_SCOPE + e * SCOPE_POINTS * 4, SCOPE_POINTS)),
    eventsU32: new Uint32Array(buffer, B_EVENTS, EVENT_RING * EVENT_WORDS),
    eventRecords: Array.from({ length: EVENT_RING }, (_, i) => new Uint32Array(buffer, B_EVENTS + i * EVENT_WORDS * 4, EVENT_WORDS)),
  };
}

/** Byte range of the parts the fallback path copies main -> worklet (gens + params). */
export const SYNC_BEGIN = B_STRIP_GEN;
export const SYNC_END = B_METERS;
/** Byte range the worklet reports back (meters and analysis rows) on the fallback path, with the header's status words. */
export const METERS_BEGIN = B_METERS;
export const METERS_END = B_SPECTRUM;
/** Byte range of the spectra and scopes, reported back on the fallback path while someone reads them. */
export const VIEWS_BEGIN = B_SPECTRUM;
export const VIEWS_END = B_EVENTS;
