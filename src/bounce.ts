/**
 * engine.bounce() (issue #14): renders the session offline, faster than realtime, with the same
 * worklet and WASM, to WAV Blobs. Loaded on first use (await import), so a page that never bounces
 * does not load it. Main thread only.
 *
 * How: a private Engine on an OfflineAudioContext (like renderOffline) is given the session through
 * restore() from engine.snapshot(), with the samples' PCM that recovery keeps (no network, no
 * decoder), then renders. The transport plays the song from beat 0 at frame 0 when the timeline has
 * notes; clips start where the snapshot has them (a clip sounding at the snapshot from where it was).
 * Progress: the render is split into chunks with OfflineAudioContext.suspend() where the browser has
 * it (Chromium, WebKit), else (Firefox ESR: no suspend() on an offline context) read from its
 * currentTime on a timer. Cancel: an AbortSignal; the bounce rejects with an AbortError at once (the
 * private context is left suspended, or, without suspend(), finishes unseen and is dropped).
 *
 * Stems: one render per stem with every other channel muted (the DSP exposes no per-strip taps), so
 * a stem carries its channel through its sends, the buses and the master with its limiter: the stems
 * of a mix that drives the limiter do not sum exactly to the mix.
 *
 * Output: 'wav-16' / 'wav-24' with TPDF dither (src/wav.ts; seeded, so two bounces are identical;
 * `dither: false` rounds), 'wav-f32' as rendered.
 */
import type { Channel, Sample } from './handles.js';
import type { Engine } from './engine.js';
import type { Runtime } from './runtime.js';
import type { Snapshot } from './snapshot.js';
import { encodeWav, type WavFormat } from './wav.js';
import { restore } from './restore.js';
import { capture } from './session.js';
import type { KeptSample } from './recovery.js';
import { show } from './validate.js';

/** How long to render: a length in seconds, or until the output falls silent (below -96 dBFS) within maxSeconds. */
export type BounceLength = { seconds: number } | { untilSilence: true; maxSeconds: number };

export interface BounceProgress {
  /** 0 to 1 over the whole bounce (every stem included). */
  fraction: number;
  /** Seconds of audio rendered in the current render. */
  seconds: number;
  /** Which render: 'mix', or the stem's channel label. */
  render: string;
}

export interface BounceOptions {
  /** Default 'wav-24'. */
  format?: WavFormat;
  /** Also render stems: true for every channel, or the channels (handles or slot numbers) to render. */
  stems?: true | readonly (Channel | number)[];
  /** TPDF dither for 16 and 24 bit (default true; seeded, so two bounces are identical). */
  dither?: boolean;
  /** Cancels the bounce: it rejects with an AbortError. */
  signal?: AbortSignal;
  /** Called as the render goes: at the start of each render, at every second of audio (every 100 ms without suspend()), and at the end (fraction 1). */
  onProgress?: (p: BounceProgress) => void;
}

/** A stem: one channel's part of the mix. */
export interface BounceStem {
  channel: Channel;
  label: string;
  blob: Blob;
}

export interface BounceResult {
  mix: Blob;
  stems: BounceStem[];
}

/** Silence for untilSilence: 2^-16 (about -96 dBFS, one 16-bit step). */
const SILENCE = 2 ** -16;
/** Seconds between progress suspends. */
const CHUNK_S = 1;

const abortError = () => new DOMException('bounce: cancelled', 'AbortError');

function checkLength(what: unknown): { seconds: number; trim: boolean } {
  if (typeof what !== 'object' || what === null) throw new TypeError(`bounce: expected { seconds } or { untilSilence: true, maxSeconds }, got ${show(what)}`);
  const w = what as Record<string, unknown>;
  const range = (k: string, v: unknown) => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`bounce: ${k} ${show(v)} must be a number of seconds, more than 0 and at most 3600`);
    if (!(v > 0 && v <= 3600)) throw new RangeError(`bounce: ${k} ${v} is outside 0 (excluded) to 3600 s`);
    return v;
  };
  if (w.untilSilence === true) return { seconds: range('maxSeconds', w.maxSeconds), trim: true };
  if (w.untilSilence !== undefined && w.untilSilence !== false) throw new TypeError(`bounce: untilSilence ${show(w.untilSilence)} must be true`);
  return { seconds: range('seconds', w.seconds), trim: false };
}

/** engine.bounce(): see Engine.bounce. */
export async function bounce(engine: Engine, rt: Runtime, what: BounceLength, opts: BounceOptions): Promise<BounceResult> {
  if (rt.state === 'closed') throw new Error('this engine is closed');
  if (!rt.context || !rt.node) throw new Error('bounce: start the engine first (its sample rate and samples are what is rendered)');
  const { seconds, trim } = checkLength(what);
  if (opts === null || typeof opts !== 'object') throw new TypeError(`bounce: options must be an object, got ${show(opts)}`);
  const { format = 'wav-24', dither = true, signal, onProgress, stems } = opts;
  if (format !== 'wav-16' && format !== 'wav-24' && format !== 'wav-f32') throw new TypeError(`bounce: format '${show(format)}' is not one of wav-16 | wav-24 | wav-f32`);
  if (typeof dither !== 'boolean') throw new TypeError(`bounce: dither ${show(dither)} must be true or false`);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('bounce: onProgress must be a function');
  if (signal !== undefined && !(typeof AbortSignal === 'function' && signal instanceof AbortSignal)) throw new TypeError('bounce: signal must be an AbortSignal');
  const channels = [...rt.channels].sort((a, b) => a.slot - b.slot);
  let stemList: Channel[] = [];
  if (stems === true) stemList = channels;
  else if (stems !== undefined) {
    if (!Array.isArray(stems)) throw new TypeError(`bounce: stems ${show(stems)} must be true or an array of channels (or slot numbers)`);
    stemList = stems.map((s, i) => {
      const ch = typeof s === 'number' ? channels.find((c) => c.slot === s) : channels.find((c) => c === s);
      if (!ch) throw new RangeError(`bounce: stems[${i}]: ${typeof s === 'number' ? `no channel in slot ${s}` : 'not a live channel of this engine'}; channels: ${channels.map((c) => `${c.slot} (${c.label})`).join(', ') || 'none'}`);
      return ch;
    });
  }
  for (const ch of channels) {
    if (ch.sources.size) throw new RangeError(`bounce: channel '${ch.label}' takes audio from AudioNodes (connectSource), which cannot be rendered offline; disconnect them or record live with engine.record()`);
  }
  if (signal?.aborted) throw abortError();
  const snap = capture(rt);
  const rate = snap.sampleRate;
  // PCM of every sample, by snapshot index (recovery keeps it for rebuilt worklets).
  const pcm = new Map<number, KeptSample>();
  const live = [...rt.loader.samples].filter((s: Sample) => !s.isDisposed).sort((a, b) => a.id - b.id);
  snap.samples.forEach((s, i) => {
    const k = rt.recovery.samples.get(live[i]?.id ?? s.id);
    if (k) pcm.set(i, k);
  });
  const renders: { label: string; mute: number[] | null }[] = [{ label: 'mix', mute: null }];
  for (const ch of stemList) {
    const idx = channels.indexOf(ch);
    renders.push({ label: ch.label, mute: channels.map((_, i) => i).filter((i) => i !== idx) });
  }
  const outs: Blob[] = [];
  for (let r = 0; r < renders.length; r++) {
    const { label, mute } = renders[r];
    const s: Snapshot = mute ? { ...snap, channels: snap.channels.map((c, i) => (mute.includes(i) ? { ...c, params: { ...c.params, mute: true } } : c)) } : snap;
    const buf = await renderOne(engine, rt, s, pcm, seconds, rate, signal, (secs) => onProgress?.({ fraction: (r + secs / seconds) / renders.length, seconds: secs, render: label }));
    let chans = [buf.getChannelData(0), buf.getChannelData(1)];
    if (trim) {
      let end = 0;
      for (const c of chans) for (let i = c.length - 1; i >= end; i--) if (Math.abs(c[i]) > SILENCE) { end = i + 1; break; }
      chans = chans.map((c) => c.subarray(0, Math.max(1, end)));
    }
    const { bytes } = encodeWav(chans, { sampleRate: rate, format, dither, seed: 1 });
    outs.push(new Blob([bytes as BlobPart], { type: 'audio/wav' }));
  }
  onProgress?.({ fraction: 1, seconds, render: renders[renders.length - 1].label });
  return { mix: outs[0], stems: stemList.map((channel, i) => ({ channel, label: channel.label, blob: outs[i + 1] })) };
}

async function renderOne(
  engine: Engine, rt: Runtime, snap: Snapshot, pcm: Map<number, KeptSample>, seconds: number, rate: number, signal: AbortSignal | undefined, progress: (s: number) => void,
): Promise<AudioBuffer> {
  const frames = Math.ceil(seconds * rate);
  const ctx = new OfflineAudioContext(2, frames, rate);
  const o = rt.options;
  const off = new (engine.constructor as typeof Engine)({ context: ctx, shared: engine.shared, inputs: 0, sampleMemory: engine.sampleMemory, workletUrl: o.workletUrl, wasmUrl: o.wasmUrl, recovery: false });
  try {
    await off.start();
    const offRt = (off as unknown as { rt: Runtime }).rt;
    await restore(offRt, snap, { pcm });
    if (snap.timeline.notes.length) off.transport.start();
    await off.flush();
    if (signal?.aborted) throw abortError();
    return await run(ctx, seconds, signal, progress);
  } finally {
    void off.close();
  }
}

/** Renders `ctx` with progress and cancel (see the file header). */
function run(ctx: OfflineAudioContext, seconds: number, signal: AbortSignal | undefined, progress: (s: number) => void): Promise<AudioBuffer> {
  return new Promise<AudioBuffer>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setInterval> | 0 = 0;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      if (timer) clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => finish(() => reject(abortError()));
    signal?.addEventListener('abort', onAbort);
    progress(0); // every render reports its start (a render can end before the first timer tick)
    if (signal?.aborted) return onAbort();
    let chunked = typeof (ctx as { suspend?: unknown }).suspend === 'function';
    if (chunked) {
      try {
        for (let t = CHUNK_S; t < seconds; t += CHUNK_S) {
          ctx.suspend(t).then(() => {
            if (done) return;
            progress(t);
            void ctx.resume();
          }, () => undefined);
        }
      } catch {
        chunked = false;
      }
    }
    if (!chunked) timer = setInterval(() => progress(Math.min(seconds, ctx.currentTime)), 100);
    ctx.startRendering().then((b) => finish(() => resolve(b)), (e) => finish(() => reject(e)));
  });
}
