// The one strip setting every contender uses (bench/page.mjs) and that bench/wasm-worklet.mjs
// gives the WASM alone: channel i's strip, the master compressor and the limiter.
export function stripParams(i) {
  return {
    eqLowDb: 3, eqLowHz: 100, eqMidDb: -2, eqMidHz: 1000, eqMidQ: 0.707, eqHighDb: 2, eqHighHz: 8000,
    compThresholdDb: -18, compRatio: 4, compKneeDb: 6, compAttackMs: 10, compReleaseMs: 100,
    volumeDb: -6 - (i % 5), pan: ((i % 9) - 4) / 4,
    sendReverb: 0.2, sendDelay: 0.1, sendDrum: i % 4 === 0 ? 0.3 : 0,
  };
}
export const MASTER = { compThresholdDb: -10, compRatio: 2, compKneeDb: 6, compAttackMs: 10, compReleaseMs: 100 };
export const LIMIT = { ceilingDb: -1, releaseMs: 50 };
