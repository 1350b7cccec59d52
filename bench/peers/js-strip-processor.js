/**
 * The design this project replaces: one AudioWorkletNode per mixer channel, doing the strip DSP in
 * plain JavaScript. Trim -> low shelf -> peak -> high shelf (RBJ biquads, transposed direct form II)
 * -> feed-forward soft-knee compressor (dB domain, per sample, like dsp/Compressor.zig) -> fader ->
 * constant-power pan; optional brick-wall-ish peak limiter (no look-ahead) for a master strip.
 * Written to be fair: typed arrays, no allocation in process(), coefficients computed on change only.
 * Parameters arrive as port messages ({ name: value, ... }), one message per change, as in the old engine.
 */
const LN10_20 = Math.LN10 / 20; // dB -> ln
const DB_PER_LN = 20 / Math.LN10;

function shelf(out, o, fs, f0, gainDb, high) {
  const A = Math.pow(10, gainDb / 40);
  const w = (2 * Math.PI * f0) / fs;
  const cs = Math.cos(w), sn = Math.sin(w);
  const alpha = (sn / 2) * Math.SQRT2; // S = 1
  const sa = 2 * Math.sqrt(A) * alpha;
  let b0, b1, b2, a0, a1, a2;
  if (!high) {
    b0 = A * ((A + 1) - (A - 1) * cs + sa); b1 = 2 * A * ((A - 1) - (A + 1) * cs); b2 = A * ((A + 1) - (A - 1) * cs - sa);
    a0 = (A + 1) + (A - 1) * cs + sa; a1 = -2 * ((A - 1) + (A + 1) * cs); a2 = (A + 1) + (A - 1) * cs - sa;
  } else {
    b0 = A * ((A + 1) + (A - 1) * cs + sa); b1 = -2 * A * ((A - 1) + (A + 1) * cs); b2 = A * ((A + 1) + (A - 1) * cs - sa);
    a0 = (A + 1) - (A - 1) * cs + sa; a1 = 2 * ((A - 1) - (A + 1) * cs); a2 = (A + 1) - (A - 1) * cs - sa;
  }
  out[o] = b0 / a0; out[o + 1] = b1 / a0; out[o + 2] = b2 / a0; out[o + 3] = a1 / a0; out[o + 4] = a2 / a0;
}

function peak(out, o, fs, f0, gainDb, q) {
  const A = Math.pow(10, gainDb / 40);
  const w = (2 * Math.PI * f0) / fs;
  const cs = Math.cos(w), alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha / A;
  out[o] = (1 + alpha * A) / a0; out[o + 1] = (-2 * cs) / a0; out[o + 2] = (1 - alpha * A) / a0;
  out[o + 3] = (-2 * cs) / a0; out[o + 4] = (1 - alpha / A) / a0;
}

class JsStripProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.p = Object.assign({
      trimDb: 0, eqLowDb: 0, eqLowHz: 100, eqMidDb: 0, eqMidHz: 1000, eqMidQ: 0.707, eqHighDb: 0, eqHighHz: 8000,
      compThresholdDb: 0, compRatio: 1, compKneeDb: 6, compAttackMs: 10, compReleaseMs: 100, compMakeupDb: 0,
      volumeDb: 0, pan: 0, limiter: 0, limiterCeilingDb: -1, limiterReleaseMs: 50,
    }, (options && options.processorOptions) || {});
    this.c = new Float64Array(15); // 3 biquads x (b0 b1 b2 a1 a2)
    this.z = new Float64Array(12); // 3 biquads x 2 channels x 2 states
    this.k = new Float64Array(12); // derived scalars
    this.gs = 0; // compressor gain state, dB (<= 0)
    this.lim = 1; // limiter gain
    this.update();
    this.port.onmessage = (e) => { Object.assign(this.p, e.data); this.update(); };
  }

  update() {
    const p = this.p, fs = sampleRate, k = this.k;
    shelf(this.c, 0, fs, p.eqLowHz, p.eqLowDb, false);
    peak(this.c, 5, fs, p.eqMidHz, p.eqMidDb, p.eqMidQ);
    shelf(this.c, 10, fs, Math.min(p.eqHighHz, 0.45 * fs), p.eqHighDb, true);
    const w = Math.max(0, p.compKneeDb);
    k[0] = p.compThresholdDb;
    k[1] = 1 / Math.max(1, p.compRatio) - 1; // slope
    k[2] = w;
    k[3] = w > 0 ? 0.5 / w : 0;
    k[4] = Math.exp(-1 / (Math.max(p.compAttackMs, 1e-3) * 1e-3 * fs));
    k[5] = Math.exp(-1 / (Math.max(p.compReleaseMs, 1e-3) * 1e-3 * fs));
    k[6] = p.compMakeupDb;
    const g = p.volumeDb <= -400 ? 0 : Math.pow(10, p.volumeDb / 20) * Math.pow(10, p.trimDb / 20);
    const th = ((p.pan + 1) * Math.PI) / 4;
    k[7] = g * Math.cos(th);
    k[8] = g * Math.sin(th);
    k[9] = Math.pow(10, p.limiterCeilingDb / 20);
    k[10] = 1 - Math.exp(-1 / (Math.max(p.limiterReleaseMs, 1) * 1e-3 * fs));
    k[11] = p.limiter ? 1 : 0;
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const out = outputs[0];
    const oL = out[0], oR = out[1];
    if (!input || input.length === 0) { oL.fill(0); oR.fill(0); return true; }
    const iL = input[0], iR = input.length > 1 ? input[1] : input[0];
    const c = this.c, z = this.z, k = this.k;
    const b00 = c[0], b01 = c[1], b02 = c[2], a01 = c[3], a02 = c[4];
    const b10 = c[5], b11 = c[6], b12 = c[7], a11 = c[8], a12 = c[9];
    const b20 = c[10], b21 = c[11], b22 = c[12], a21 = c[13], a22 = c[14];
    let l0a = z[0], l0b = z[1], r0a = z[2], r0b = z[3];
    let l1a = z[4], l1b = z[5], r1a = z[6], r1b = z[7];
    let l2a = z[8], l2b = z[9], r2a = z[10], r2b = z[11];
    const thr = k[0], slope = k[1], knee = k[2], inv2k = k[3], aa = k[4], ar = k[5], mk = k[6];
    const gL = k[7], gR = k[8], ceil = k[9], limRel = k[10], limOn = k[11];
    const compOn = slope !== 0 || this.gs !== 0;
    let gs = this.gs, lim = this.lim;
    const n = oL.length;
    for (let i = 0; i < n; i++) {
      let x = iL[i], y = iR[i];
      // low shelf
      let t = b00 * x + l0a; l0a = b01 * x - a01 * t + l0b; l0b = b02 * x - a02 * t; x = t;
      t = b00 * y + r0a; r0a = b01 * y - a01 * t + r0b; r0b = b02 * y - a02 * t; y = t;
      // peak
      t = b10 * x + l1a; l1a = b11 * x - a11 * t + l1b; l1b = b12 * x - a12 * t; x = t;
      t = b10 * y + r1a; r1a = b11 * y - a11 * t + r1b; r1b = b12 * y - a12 * t; y = t;
      // high shelf
      t = b20 * x + l2a; l2a = b21 * x - a21 * t + l2b; l2b = b22 * x - a22 * t; x = t;
      t = b20 * y + r2a; r2a = b21 * y - a21 * t + r2b; r2b = b22 * y - a22 * t; y = t;
      if (compOn) {
        const ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
        const det = ax > ay ? ax : ay;
        const lev = DB_PER_LN * Math.log(det > 1e-6 ? det : 1e-6);
        const d = lev - thr;
        let gc;
        if (2 * d < -knee) gc = 0;
        else if (2 * d > knee) gc = slope * d;
        else { const u = d + knee * 0.5; gc = slope * u * u * inv2k; }
        const a = gc < gs ? aa : ar;
        gs = a * gs + (1 - a) * gc;
        const g = Math.exp((gs + mk) * LN10_20);
        x *= g; y *= g;
      }
      x *= gL; y *= gR;
      if (limOn) {
        const ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
        const pk = ax > ay ? ax : ay;
        const want = pk > ceil ? ceil / pk : 1;
        lim = want < lim ? want : lim + (want - lim) * limRel;
        x *= lim; y *= lim;
      }
      oL[i] = x; oR[i] = y;
    }
    z[0] = l0a; z[1] = l0b; z[2] = r0a; z[3] = r0b; z[4] = l1a; z[5] = l1b; z[6] = r1a; z[7] = r1b;
    z[8] = l2a; z[9] = l2b; z[10] = r2a; z[11] = r2b;
    this.gs = gs; this.lim = lim;
    return true;
  }
}
registerProcessor('js-strip', JsStripProcessor);
