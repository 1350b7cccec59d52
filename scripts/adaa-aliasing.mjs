// Why the drum bus keeps its 4x oversampler (and its 51 frames of latency, compensated in the mixer)
// rather than a latency-free drive stage: `node scripts/adaa-aliasing.mjs` prints the worst alias of
// a full-scale 5 kHz sine at +12 dB drive (x4), 48 kHz, with and without first-order antiderivative
// anti-aliasing (ADAA1: Parker, Zavalishin & Le Bihan, "Reducing the aliasing of nonlinear
// waveshaping using continuous-time convolution", DAFx 2016), at 1x, 2x and 4x. Curves whose
// antiderivatives are elementary: soft x/sqrt(1+x^2) (F = sqrt(1+x^2)), tanh (F = ln cosh x) and
// a hard clip. The oversampled cases use ideal band-limited resampling (the sine synthesised at the
// high rate, decimated by an ideal low-pass via the DFT of the periodic signal): the best case any
// real, short (low-latency) filter could reach. Requirement: < -60 dB. Results (dB):
//   1x: soft -19.3, ADAA1 -23.9; tanh -18.8, ADAA1 -23.5; hard clip -16.1, ADAA1 -20.9
//   2x: soft -46.8, ADAA1 -59.2; tanh -52.4, ADAA1 -65.0; hard clip -37.8, ADAA1 -51.1
//   4x: soft -93.9, ADAA1 -115;  tanh -119,  ADAA1 -140;  hard clip -53.8, ADAA1 -73.1
// So no latency-free stage meets it, and 2x does not either for the soft curve even with ideal
// filters: the drum bus runs at 4x (dsp/Oversampler.zig) and the mixer delays the dry paths.
const curves = {
  soft: [(x) => x / Math.sqrt(1 + x * x), (x) => Math.sqrt(1 + x * x)],
  tanh: [Math.tanh, (x) => { const a = Math.abs(x); return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2; }],
  hardclip: [(x) => Math.max(-1, Math.min(1, x)), (x) => (Math.abs(x) <= 1 ? x * x / 2 : Math.abs(x) - 0.5)],
};
const N = 4800, fs = 48000, G = 4;
function worst(y) { // y: N samples at 48k, periodic (100 periods of 5 kHz). DFT bins 10 Hz
  const mag = (k) => { let re = 0, im = 0; for (let n = 0; n < N; n++) { const p = 2 * Math.PI * k * n / N; re += y[n] * Math.cos(p); im -= y[n] * Math.sin(p); } return Math.hypot(re, im); };
  const f = mag(500); let w = 0;
  for (let k = 1; k < 2400; k += 1) { if (k % 500 === 0) continue; if (k % 10) continue; w = Math.max(w, mag(k)); }
  return 20 * Math.log10(w / f);
}
for (const [name, [f, F]] of Object.entries(curves)) {
  for (const os of [1, 2, 4]) {
    for (const adaa of [false, true]) {
      const M = N * os; const x = new Float64Array(M + 1);
      for (let n = -1; n < M; n++) x[n + 1] = G * Math.sin(2 * Math.PI * 5000 * n / (fs * os));
      const yh = new Float64Array(M);
      for (let n = 0; n < M; n++) {
        const a = x[n], b = x[n + 1];
        yh[n] = !adaa ? f(b) : Math.abs(b - a) < 1e-9 ? f((a + b) / 2) : (F(b) - F(a)) / (b - a);
      }
      // ideal decimation: keep DFT bins below 24 kHz (periodic signal), then take every os-th sample
      let y;
      if (os === 1) y = yh; else {
        // synthesize from bins |k| < N/2 of the high-rate DFT (bin = 10 Hz)
        y = new Float64Array(N);
        const K = N / 2;
        const re = new Float64Array(K), im = new Float64Array(K);
        for (let k = 0; k < K; k += 10) { let r = 0, i = 0; for (let n = 0; n < M; n++) { const p = 2 * Math.PI * k * n / M; r += yh[n] * Math.cos(p); i -= yh[n] * Math.sin(p); } re[k] = r; im[k] = i; }
        for (let n = 0; n < N; n++) { let s = re[0] / M; for (let k = 10; k < K; k += 10) { const p = 2 * Math.PI * k * n * os / M; s += 2 * (re[k] * Math.cos(p) - im[k] * Math.sin(p)) / M; } y[n] = s; }
      }
      console.log(name, `${os}x`, adaa ? 'ADAA1' : 'plain', worst(y).toFixed(1), 'dB');
    }
  }
}
