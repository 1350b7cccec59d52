// Shared test helpers: rendering through the real engine, and independent references (an FFT and the
// RBJ Audio EQ Cookbook formulas in float64) written here, not taken from the code under test.
import { renderOffline } from '../dist/daw-elements.js';
import { sendKeys } from '@web/test-runner-commands';
import { expect } from '@esm-bundle/chai';

export const SR = 48000;
export const dbToLin = (db) => Math.pow(10, db / 20);
export const linToDb = (v) => 20 * Math.log10(v);

/** Renders through a private offline engine; returns [left, right] Float32Arrays. */
export async function render(seconds, setup, sampleRate = SR) {
  const buf = await renderOffline(seconds, setup, { sampleRate });
  return [buf.getChannelData(0), buf.getChannelData(1)];
}

/** An AudioBufferSourceNode on the engine's context playing `data` (mono, or [l, r]) from time 0. */
export function bufferSource(engine, data, { loop = false, start = 0 } = {}) {
  const chans = Array.isArray(data) ? data : [data];
  const buffer = new AudioBuffer({ numberOfChannels: chans.length, length: chans[0].length, sampleRate: engine.sampleRate });
  chans.forEach((c, i) => buffer.copyToChannel(c instanceof Float32Array ? c : Float32Array.from(c), i));
  const src = new AudioBufferSourceNode(engine.context, { buffer, loop });
  src.start(start);
  return src;
}

/** A constant (DC) source, `offset` given or automated by `schedule(offsetParam)`. */
export function dcSource(engine, offset, schedule) {
  const src = new ConstantSourceNode(engine.context, { offset });
  if (schedule) schedule(src.offset);
  src.start(0);
  return src;
}

export function sine(n, freq, amp, sr = SR, phase = 0) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = amp * Math.sin(2 * Math.PI * freq * i / sr + phase);
  return a;
}

export function peakAbs(a, from = 0, to = a.length) {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function rms(a, from = 0, to = a.length) {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] * a[i];
  return Math.sqrt(s / (to - from));
}

export function allFinite(a) {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** In-place radix-2 complex FFT (float64). */
export function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = -2 * Math.PI / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const ar = re[i + k + len / 2] * cr - im[i + k + len / 2] * ci;
        const ai = re[i + k + len / 2] * ci + im[i + k + len / 2] * cr;
        re[i + k + len / 2] = re[i + k] - ar; im[i + k + len / 2] = im[i + k] - ai;
        re[i + k] += ar; im[i + k] += ai;
        const t = cr * wr - ci * wi; ci = cr * wi + ci * wr; cr = t;
      }
    }
  }
}

/** Magnitude spectrum of the first n samples of `x` (n a power of two). */
export function magnitude(x, n, offset = 0, window = null) {
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < n && offset + i < x.length; i++) re[i] = x[offset + i] * (window ? window(i, n) : 1);
  fft(re, im);
  const m = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) m[k] = Math.hypot(re[k], im[k]);
  return m;
}

export const blackmanHarris = (i, n) => {
  const x = 2 * Math.PI * i / (n - 1);
  return 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
};

/**
 * RBJ Audio EQ Cookbook (R. Bristow-Johnson) biquad coefficients, float64, normalised by a0.
 * type: 'lowshelf' | 'highshelf' (shelf slope S = 1) | 'peaking'.
 */
export function rbj(type, f0, dbGain, q, fs) {
  const A = Math.pow(10, dbGain / 40);
  const w0 = 2 * Math.PI * f0 / fs;
  const cw = Math.cos(w0), sw = Math.sin(w0);
  let b0, b1, b2, a0, a1, a2;
  if (type === 'peaking') {
    const alpha = sw / (2 * q);
    b0 = 1 + alpha * A; b1 = -2 * cw; b2 = 1 - alpha * A;
    a0 = 1 + alpha / A; a1 = -2 * cw; a2 = 1 - alpha / A;
  } else {
    const S = 1;
    const alpha = sw / 2 * Math.sqrt((A + 1 / A) * (1 / S - 1) + 2);
    const k = 2 * Math.sqrt(A) * alpha;
    if (type === 'lowshelf') {
      b0 = A * ((A + 1) - (A - 1) * cw + k); b1 = 2 * A * ((A - 1) - (A + 1) * cw); b2 = A * ((A + 1) - (A - 1) * cw - k);
      a0 = (A + 1) + (A - 1) * cw + k; a1 = -2 * ((A - 1) + (A + 1) * cw); a2 = (A + 1) + (A - 1) * cw - k;
    } else {
      b0 = A * ((A + 1) + (A - 1) * cw + k); b1 = -2 * A * ((A - 1) + (A + 1) * cw); b2 = A * ((A + 1) + (A - 1) * cw - k);
      a0 = (A + 1) - (A - 1) * cw + k; a1 = 2 * ((A - 1) - (A + 1) * cw); a2 = (A + 1) - (A - 1) * cw - k;
    }
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** |H(e^{jw})| of a biquad at frequency f. */
export function biquadMag(c, f, fs) {
  const w = 2 * Math.PI * f / fs;
  const z1r = Math.cos(w), z1i = -Math.sin(w), z2r = Math.cos(2 * w), z2i = -Math.sin(2 * w);
  const nr = c.b0 + c.b1 * z1r + c.b2 * z2r, ni = c.b1 * z1i + c.b2 * z2i;
  const dr = 1 + c.a1 * z1r + c.a2 * z2r, di = c.a1 * z1i + c.a2 * z2i;
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}

/** Static curve of a soft-knee compressor (Giannoulis, Massberg & Reiss 2012), output level in dB. */
export function compCurve(x, T, R, W) {
  if (2 * (x - T) < -W) return x;
  if (2 * Math.abs(x - T) <= W) return x + (1 / R - 1) * Math.pow(x - T + W / 2, 2) / (2 * W);
  return T + (x - T) / R;
}

/** Counts AudioWorkletNodes created from now on (wraps the real constructor; nothing is replaced). */
export function countWorkletNodes() {
  const Real = window.AudioWorkletNode;
  const counter = { count: 0, restore() { window.AudioWorkletNode = Real; } };
  window.AudioWorkletNode = class extends Real {
    constructor(...args) { super(...args); counter.count++; }
  };
  return counter;
}

/** Counts real MessagePort.postMessage calls from now on (only those on `port`, if given). */
export function countPortMessages(port) {
  const real = MessagePort.prototype.postMessage;
  const counter = { count: 0, restore() { MessagePort.prototype.postMessage = real; } };
  MessagePort.prototype.postMessage = function (...args) {
    if (!port || this === port) counter.count++;
    return real.apply(this, args);
  };
  return counter;
}

export const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
/** A macrotask later (after `ms` ms). */
export const task = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `fn()` holds, checking every 5 ms.
 *
 * What these tests wait for is made on the audio thread and, without shared memory, carried back by
 * replies the main thread asks for on animation frames. A limit in wall-clock milliseconds would
 * measure the machine's load instead: on a loaded 2-core machine WebKitGTK's context clock advances
 * in bursts of up to ~160 ms and its animation frames come up to ~320 ms apart (measured). So the
 * limit is stated in what the awaited thing depends on: it gives up only once the engine's clock has
 * advanced by `audio` seconds AND `frames` animation frames have run since the call (and, as a
 * backstop for a dead audio thread or a hidden page, after `wallMs`). The error says how far each got.
 * Without `engine`, only frames (and the backstop) count.
 */
export async function until(fn, { engine = null, audio = 1, frames = 60, wallMs = 30000, what = String(fn) } = {}) {
  const t0 = performance.now();
  const a0 = engine?.context ? engine.context.currentTime : 0;
  let ran = 0, raf = 0;
  const count = () => { ran++; raf = requestAnimationFrame(count); };
  raf = requestAnimationFrame(count);
  try {
    while (!fn()) {
      const wall = performance.now() - t0;
      const heard = engine?.context ? engine.context.currentTime - a0 : Infinity;
      if ((heard >= audio && ran >= frames) || wall > wallMs) {
        const status = engine ? `; engine status ${JSON.stringify(engine.status())}` : '';
        throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}: ${engine ? `${heard.toFixed(3)} s of audio, ` : ''}${ran} animation frames, ${Math.round(wall)} ms${status}`);
      }
      await task(5);
    }
  } finally {
    cancelAnimationFrame(raf);
  }
}

/**
 * The feature tags (<daw-transport>, <daw-meter>, <daw-bus>, ...) are defined on their first
 * appearance, once their chunk has loaded (elements/lazy-define.ts). Makes each of `tags` appear (an
 * element added to the document and removed in the same task: the page module's MutationObserver
 * sees it added) and resolves once all are defined, so that a test file can mount them and use them
 * at once. Rejects after 20 s naming the tags still undefined.
 */
export async function defineFeatures(...tags) {
  const els = tags.map((tag) => document.createElement(tag));
  document.body.append(...els);
  for (const el of els) el.remove();
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not defined within 20 s: ${tags.filter((t) => !customElements.get(t)).join(', ')}`)), 20000);
  });
  try {
    await Promise.race([Promise.all(tags.map((t) => customElements.whenDefined(t))), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The page module served again under another URL (web-test-runner.config.mjs serves /dist-copy/ from
 * dist/): importing it loads a second copy of the script, as two script tags from two places would.
 * A variable, so the test runner's import rewriting leaves it alone.
 */
export const SECOND_COPY = '/dist-copy/daw-elements.js';

/**
 * A 16-bit PCM WAV as a blob: URL: `chans` is one Float32Array (mono) or an array of one or two
 * (values -1..1, clipped), at `rate`. The file a `<daw-clip>` or loadSample() is given in tests.
 */
export function wavUrl(chans, rate) {
  if (chans instanceof Float32Array) chans = [chans];
  const ch = chans.length, n = chans[0].length;
  const buf = new ArrayBuffer(44 + n * ch * 2);
  const v = new DataView(buf);
  const str = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF'); v.setUint32(4, 36 + n * ch * 2, true); str(8, 'WAVE'); str(12, 'fmt ');
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, ch, true); v.setUint32(24, rate, true);
  v.setUint32(28, rate * ch * 2, true); v.setUint16(32, ch * 2, true); v.setUint16(34, 16, true);
  str(36, 'data'); v.setUint32(40, n * ch * 2, true);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++) v.setInt16(44 + (i * ch + c) * 2, Math.max(-32768, Math.min(32767, Math.round(chans[c][i] * 32768))), true);
  }
  return URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
}

let keys;
/**
 * Whether the runner can press real keys in this browser (Chromium and Firefox through puppeteer can;
 * WebKitGTK's WebDriver answers "not supported"). Probed once per page with a Shift press.
 */
export function canSendKeys() {
  keys ??= sendKeys({ press: 'Shift' }).then(() => true, (e) => {
    if (/not supported/i.test(String(e?.message ?? e))) return false;
    throw e;
  });
  return keys;
}

/**
 * Seconds at beat `b` for tempo points [{ beat, bpm, ramp }]: steps hold, a linear ramp moves the
 * tempo linearly in beats, t = t_i + (60/k)·ln(1 + k·x/B_i) with k the slope in BPM per beat.
 */
export function secondsAt(points, b) {
  let t = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const next = points[i + 1];
    const end = next ? Math.min(b, next.beat) : b;
    if (end <= p.beat) break;
    const x = end - p.beat;
    const k = next && p.ramp === 'linear' ? (next.bpm - p.bpm) / (next.beat - p.beat) : 0;
    t += k === 0 ? (60 * x) / p.bpm : (60 / k) * Math.log(1 + (k * x) / p.bpm);
    if (!next || b <= next.beat) break;
  }
  return t;
}

/** Awaits `fn()` and expects it to reject (or throw) a `type` whose message matches `re`. */
export async function rejectsWith(fn, type, re) {
  let err = null;
  try { await fn(); } catch (x) { err = x; }
  expect(err, String(re)).to.be.instanceOf(type);
  expect(err.message).to.match(re);
}
