/**
 * Status decoding, in one place: the header's status words (protocol/contract.json `status`, written
 * by the worklet and copied from the DSP) as numbers. Main thread.
 */
import { STATUS, type StatusWords } from './generated/contract.js';

/** Scratch for an f64 status entry's two words (main thread only). */
const F64 = new Float64Array(1);
const F64_WORDS = new Int32Array(F64.buffer);

/** The f64 status entry at header word `i` (low word first, as the WASM stores it). */
export function statusF64(header: Int32Array, i: number): number {
  F64_WORDS[0] = Atomics.load(header, i);
  F64_WORDS[1] = Atomics.load(header, i + 1);
  return F64[0];
}

/** Reads every status word of `header` (Atomics loads: another thread writes them). */
export function decodeStatus(header: Int32Array): StatusWords {
  const out = {} as Record<string, number>;
  for (const [name, i, type] of STATUS) {
    const w = Atomics.load(header, i);
    out[name] = type === 0 ? w >>> 0
      : type === 1 ? w
      : type === 2 ? (Atomics.load(header, i + 1) >>> 0) * 4294967296 + (w >>> 0)
      : type === 4 ? statusF64(header, i)
      : w < 0 ? NaN : w / 1000;
  }
  return out as unknown as StatusWords;
}
