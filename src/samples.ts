/**
 * Samples: audio the engine plays from WebAssembly memory (see dsp/Clips.zig). This file turns what a
 * page has (a URL, file bytes, a Blob, an AudioBuffer, Float32Arrays) into planar f32 channels at the
 * engine's sample rate. Main thread only.
 */

/** Anything `loadSample` accepts. Float32Array data is raw PCM; ArrayBuffer, Uint8Array and Blob are
 * encoded files (WAV, MP3, Ogg, FLAC... whatever the browser decodes); strings and URLs are fetched. */
export type SampleSource = string | URL | Blob | ArrayBuffer | Uint8Array | AudioBuffer | Float32Array | readonly Float32Array[];

export interface SampleOptions {
  /** Loop region start in seconds (default 0). */
  loopStart?: number;
  /** Loop region end in seconds (default: the sample's end). */
  loopEnd?: number;
  /** Sample rate of Float32Array data (default: the engine's). Other sources carry their own. */
  sampleRate?: number;
}

export interface PcmData {
  channels: Float32Array[];
  sampleRate: number;
}

/** Longest sample: 2^31 frames (12.4 hours at 48 kHz) per channel; memory runs out long before. */
export const MAX_SAMPLE_FRAMES = 2 ** 31 - 1;

/**
 * Decodes or copies `source` into one or two planar channels at `ctx.sampleRate`. Sources with more
 * than two channels keep the first two (left, right).
 */
export async function toPcm(source: SampleSource, ctx: BaseAudioContext, opts: SampleOptions): Promise<PcmData> {
  let pcm: PcmData;
  if (typeof AudioBuffer === 'function' && source instanceof AudioBuffer) {
    const n = Math.min(2, source.numberOfChannels);
    pcm = { channels: Array.from({ length: n }, (_, c) => source.getChannelData(c).slice()), sampleRate: source.sampleRate };
  } else if (source instanceof Float32Array || Array.isArray(source)) {
    const chans = (source instanceof Float32Array ? [source] : [...source]) as Float32Array[];
    if (chans.length < 1 || chans.length > 2 || !chans.every((c) => c instanceof Float32Array)) {
      throw new TypeError(`loadSample: raw PCM must be one Float32Array or an array of one or two (got ${chans.length} channels)`);
    }
    if (chans.length === 2 && chans[0].length !== chans[1].length) {
      throw new RangeError(`loadSample: left and right have different lengths (${chans[0].length} and ${chans[1].length} frames)`);
    }
    const rate = opts.sampleRate ?? ctx.sampleRate;
    if (typeof rate !== 'number' || !(rate >= 3000 && rate <= 768000)) {
      throw new RangeError(`loadSample: sampleRate ${String(opts.sampleRate)} must be 3000 to 768000 Hz`);
    }
    pcm = { channels: chans.map((c) => c.slice()), sampleRate: rate };
  } else {
    const bytes = await encodedBytes(source);
    pcm = fromAudioBuffer(await decode(ctx, bytes));
  }
  const frames = pcm.channels[0].length;
  if (frames === 0) throw new RangeError('loadSample: the sample is empty (0 frames)');
  if (pcm.sampleRate !== ctx.sampleRate) pcm = fromAudioBuffer(await decode(ctx, wav(pcm)));
  if (pcm.channels[0].length > MAX_SAMPLE_FRAMES) throw new RangeError(`loadSample: ${pcm.channels[0].length} frames is longer than ${MAX_SAMPLE_FRAMES}`);
  return pcm;
}

function fromAudioBuffer(b: AudioBuffer): PcmData {
  const n = Math.min(2, b.numberOfChannels);
  return { channels: Array.from({ length: n }, (_, c) => b.getChannelData(c)), sampleRate: b.sampleRate };
}

async function encodedBytes(source: SampleSource): Promise<ArrayBuffer> {
  if (source instanceof ArrayBuffer) return source.slice(0); // decodeAudioData detaches its argument
  if (source instanceof Uint8Array) return source.slice().buffer as ArrayBuffer;
  if (typeof Blob === 'function' && source instanceof Blob) return source.arrayBuffer();
  if (typeof source === 'string' || source instanceof URL) {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new Error(`loadSample: could not fetch ${String(source)}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new Error(`loadSample: could not fetch ${String(source)}: HTTP ${res.status}`);
    return res.arrayBuffer();
  }
  throw new TypeError(`loadSample: cannot load a ${Object.prototype.toString.call(source).slice(8, -1)}; give a URL, file bytes, a Blob, an AudioBuffer or Float32Arrays`);
}

async function decode(ctx: BaseAudioContext, bytes: ArrayBuffer): Promise<AudioBuffer> {
  try {
    return await ctx.decodeAudioData(bytes);
  } catch (e) {
    throw new Error(`loadSample: the browser could not decode the audio data (${(e as Error)?.message ?? e})`);
  }
}

/**
 * A 32-bit float WAV of `pcm`: the way to the browser's own resampler for PCM at another rate
 * (decodeAudioData converts to the context's rate with the same quality as for any file).
 */
export function wav(pcm: PcmData): ArrayBuffer {
  const ch = pcm.channels.length;
  const frames = pcm.channels[0].length;
  const dataBytes = frames * ch * 4;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const str = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true); // IEEE float
  v.setUint16(22, ch, true);
  const rate = Math.round(pcm.sampleRate);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * ch * 4, true);
  v.setUint16(32, ch * 4, true);
  v.setUint16(34, 32, true);
  str(36, 'data');
  v.setUint32(40, dataBytes, true);
  const out = new Float32Array(buf, 44, frames * ch);
  for (let i = 0; i < frames; i++) for (let c = 0; c < ch; c++) out[i * ch + c] = pcm.channels[c][i];
  return buf;
}

/** Replaces NaN and ±Infinity by 0 in place; returns how many. */
export function sanitize(data: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) {
      data[i] = 0;
      bad++;
    }
  }
  return bad;
}
