/**
 * Status decoding, in one place: the header's status words (protocol/contract.json `status`, written
 * by the worklet and copied from the DSP) as numbers. Main thread.
 */
import { STATUS, type StatusWords } from './generated/contract.js';

/** Reads every status word of `header` (Atomics loads: another thread writes them). */
export function decodeStatus(header: Int32Array): StatusWords {
  const out = {} as Record<string, number>;
  for (const [name, i, type] of STATUS) {
    const w = Atomics.load(header, i);
    out[name] = type === 0 ? w >>> 0
      : type === 1 ? w
      : type === 2 ? (Atomics.load(header, i + 1) >>> 0) * 4294967296 + (w >>> 0)
      : w < 0 ? NaN : w / 1000;
  }
  return out as unknown as StatusWords;
}
