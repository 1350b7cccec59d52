/**
 * WAV encoder (issue #14: `engine.bounce()` and `engine.record()` return WAV Blobs). Pure logic: planar
 * Float32Array channels in, RIFF/WAVE bytes out, in one call or streamed chunk by chunk. Main thread
 * or a worker; never the audio thread (it allocates its output).
 *
 * Formats, as the specifications lay them out:
 * - Microsoft/IBM "Multimedia Programming Interface and Data Specifications 1.0" (1991), RIFF WAVE:
 *   `RIFF` size `WAVE`, a `fmt ` chunk (WAVEFORMATEX), a `data` chunk of interleaved little-endian
 *   frames, every chunk padded to an even length (the pad byte counts in RIFF's size, not the chunk's).
 *   Integer PCM is WAVE_FORMAT_PCM (1), two's complement for 16 and 24 bits.
 * - WAVE_FORMAT_IEEE_FLOAT (3, from the 1994 RIFF update / RFC 2361) for 32-bit float. Non-PCM formats
 *   carry a `fact` chunk with the length in sample frames, and an 18-byte `fmt ` (cbSize = 0).
 * - WAVE_FORMAT_EXTENSIBLE (0xFFFE; Microsoft, "Multiple Channel Audio Data and WAVE Files", 2007):
 *   to be used for more than two channels and for integer PCM of more than 16 bits; its `fmt ` is
 *   40 bytes (cbSize 22: valid bits, channel mask, the sub-format GUID KSDATAFORMAT_SUBTYPE_PCM or
 *   _IEEE_FLOAT). So 'wav-24' and any format with more than two channels are written extensible by
 *   default (`extensible: false` writes the older plain header, which some old readers need).
 *
 * Integer samples: x × 2^(bits−1), rounded to the nearest integer, clamped to [−2^(bits−1),
 * 2^(bits−1) − 1] (so +1.0 itself clamps to one step below; each clamp counts in `clipped`). With
 * dither on (the default for 16 and 24 bit) TPDF dither of ±1 LSB is added before rounding: the sum of
 * two independent uniform values in [0, 1) minus 1 (Lipshitz, Wannamaker & Vanderkooy, "Quantization
 * and Dither: A Theoretical Survey", JAES 1992: triangular dither of 2 LSB peak to peak makes the
 * error's mean and variance independent of the signal; total error variance 1/4 LSB²). The uniform
 * values come from xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32, so a seed gives the
 * same bytes every run. 32-bit float stores the samples as they are (values beyond ±1 are counted in
 * `clipped` but kept). NaN and ±Infinity are written as 0 and counted in `nonFinite`.
 */

export type WavFormat = 'wav-16' | 'wav-24' | 'wav-f32';

export interface WavOptions {
  /** Frames per second, an integer from 1 to 4,294,967,295 (e.g. 44100, 48000). */
  sampleRate: number;
  /** Number of channels, at least 1 (at most 65535 bytes a frame: 32767 channels at 16 bit, 21845 at 24, 16383 at f32). */
  channels: number;
  format: WavFormat;
  /** TPDF dither for 'wav-16' and 'wav-24' (default true); ignored for 'wav-f32'. */
  dither?: boolean;
  /** Dither seed (any number; default 1). */
  seed?: number;
  /** WAVE_FORMAT_EXTENSIBLE header (default: for more than two channels and for 'wav-24'). */
  extensible?: boolean;
  /** Speaker mask of an extensible header (default: 0x4 mono, 0x3 stereo, 0 (no speaker assignment) for more). */
  channelMask?: number;
}

export interface WavResult {
  bytes: Uint8Array;
  frames: number;
  /** Samples clamped to the integer range (or beyond ±1 in float, kept as they are). */
  clipped: number;
  /** NaN or ±Infinity samples, written as 0. */
  nonFinite: number;
}

/** Most data bytes a WAV file can describe: RIFF's size is 32-bit. */
const RIFF_MAX = 0xffffffff;

/** splitmix32 then xoshiro128**: two uniform draws in [0, 1) per dither value. */
export class TpdfDither {
  private s0: number; private s1: number; private s2: number; private s3: number;
  constructor(seed = 1) {
    let x = (Number.isFinite(seed) ? Math.trunc(seed) : 1) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }
  /** A uniform value in [0, 1). */
  uniform(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0;
    return r / 4294967296;
  }
  /** A triangular value in (−1, 1), in LSB: the sum of two uniform values minus 1. */
  next(): number { return this.uniform() + this.uniform() - 1; }
}
const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

// The rest of the sub-format GUID {0000000X-0000-0010-8000-00AA00389B71} after its first two bytes (X = 1 PCM, 3 float).
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/**
 * A streaming encoder. `write()` returns each chunk's sample bytes; `header()` gives the header for
 * the frames written so far (or for a count known up front) and is the same length whatever the
 * count, so a stream can start with `header(0)` as a placeholder and overwrite it at the end; `end()`
 * gives the pad byte the data chunk needs when its length is odd (0 or 1 byte). The file is
 * header + every write() + end().
 */
export class WavEncoder {
  readonly sampleRate: number;
  readonly channels: number;
  readonly format: WavFormat;
  readonly extensible: boolean;
  readonly channelMask: number;
  /** Bytes of one sample and of one frame. */
  readonly bytesPerSample: number;
  readonly blockAlign: number;
  /** The header's length in bytes (44 for 16-bit stereo, 58 for float stereo, 68/80 extensible). */
  readonly headerLength: number;
  frames = 0;
  clipped = 0;
  nonFinite = 0;
  private readonly dither: TpdfDither | null;

  constructor(options: WavOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError(`WavEncoder: options must be an object with sampleRate, channels and format, got ${String(options)}`);
    const { sampleRate, channels, format } = options;
    if (format !== 'wav-16' && format !== 'wav-24' && format !== 'wav-f32') throw new TypeError(`WavEncoder: format '${String(format)}' is not one of 'wav-16' | 'wav-24' | 'wav-f32'`);
    if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > RIFF_MAX) throw new RangeError(`WavEncoder: sampleRate ${String(sampleRate)} is not an integer from 1 to 4294967295`);
    this.bytesPerSample = format === 'wav-16' ? 2 : format === 'wav-24' ? 3 : 4;
    const maxChannels = Math.floor(0xffff / this.bytesPerSample);
    if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > maxChannels) throw new RangeError(`WavEncoder: channels ${String(channels)} is not an integer from 1 to ${maxChannels} (a ${format} frame holds at most 65535 bytes)`);
    this.blockAlign = channels * this.bytesPerSample;
    if (sampleRate * this.blockAlign > RIFF_MAX) throw new RangeError(`WavEncoder: ${sampleRate} Hz × ${this.blockAlign}-byte frames is over the 4294967295 bytes a second a WAV header holds`);
    const mask = options.channelMask ?? (channels === 1 ? 0x4 : channels === 2 ? 0x3 : 0);
    if (!Number.isInteger(mask) || mask < 0 || mask > RIFF_MAX) throw new RangeError(`WavEncoder: channelMask ${String(mask)} is not an integer from 0 to 0xFFFFFFFF`);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.format = format;
    this.channelMask = mask;
    this.extensible = options.extensible ?? (channels > 2 || format === 'wav-24');
    this.dither = format !== 'wav-f32' && (options.dither ?? true) ? new TpdfDither(options.seed ?? 1) : null;
    const fmt = this.extensible ? 40 : format === 'wav-f32' ? 18 : 16;
    const fact = format === 'wav-f32' ? 12 : 0;
    this.headerLength = 12 + 8 + fmt + fact + 8;
  }

  /** Bytes of the data chunk for `frames` frames (an odd count needs a pad byte after it). */
  private dataBytes(frames: number) { return frames * this.blockAlign; }

  /** The header for a file of `frames` frames (default: the frames written so far). */
  header(frames = this.frames): Uint8Array {
    if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`WavEncoder.header: frames ${String(frames)} is not a whole number of frames`);
    const data = this.dataBytes(frames);
    const riff = this.headerLength - 8 + data + (data & 1);
    if (riff > RIFF_MAX) throw new RangeError(`WavEncoder: ${frames} frames make ${data} data bytes, over the 4 GiB a WAV file holds (split the audio into several files)`);
    const out = new Uint8Array(this.headerLength);
    const v = new DataView(out.buffer);
    let p = 0;
    const tag = (s: string) => { for (let i = 0; i < 4; i++) out[p++] = s.charCodeAt(i); };
    const u16 = (x: number) => { v.setUint16(p, x, true); p += 2; };
    const u32 = (x: number) => { v.setUint32(p, x, true); p += 4; };
    const float = this.format === 'wav-f32';
    tag('RIFF'); u32(riff); tag('WAVE');
    tag('fmt '); u32(this.extensible ? 40 : float ? 18 : 16);
    u16(this.extensible ? 0xfffe : float ? 3 : 1);
    u16(this.channels); u32(this.sampleRate); u32(this.sampleRate * this.blockAlign); u16(this.blockAlign);
    u16(this.bytesPerSample * 8);
    if (this.extensible) {
      u16(22); u16(this.bytesPerSample * 8); u32(this.channelMask);
      u16(float ? 3 : 1);
      for (const b of GUID_TAIL) out[p++] = b;
    } else if (float) u16(0);
    if (float) { tag('fact'); u32(4); u32(frames); }
    tag('data'); u32(data);
    return out;
  }

  /**
   * Encodes one chunk: `channels` holds one Float32Array per channel, all of one length. Returns its
   * interleaved little-endian bytes (into `out` when given and large enough).
   */
  write(channels: readonly Float32Array[], out?: Uint8Array): Uint8Array {
    if (!Array.isArray(channels) || channels.length !== this.channels) throw new TypeError(`WavEncoder.write: expected an array of ${this.channels} Float32Array channels, got ${Array.isArray(channels) ? `${channels.length} channels` : String(channels)}`);
    const n = channels[0] instanceof Float32Array ? channels[0].length : -1;
    for (let c = 0; c < channels.length; c++) {
      if (!(channels[c] instanceof Float32Array)) throw new TypeError(`WavEncoder.write: channel ${c} is not a Float32Array`);
      if (channels[c].length !== n) throw new RangeError(`WavEncoder.write: channel ${c} has ${channels[c].length} frames, channel 0 has ${n}; all channels must be the same length`);
    }
    const total = this.frames + n;
    if (this.headerLength - 8 + this.dataBytes(total) + 1 > RIFF_MAX) throw new RangeError(`WavEncoder.write: ${total} frames would be over the 4 GiB a WAV file holds (split the audio into several files)`);
    const bytes = n * this.blockAlign;
    const dst = out && out.length >= bytes ? out.subarray(0, bytes) : new Uint8Array(bytes);
    const v = new DataView(dst.buffer, dst.byteOffset, bytes);
    const nch = this.channels;
    let p = 0, clipped = 0, nonFinite = 0;
    if (this.format === 'wav-f32') {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < nch; c++) {
          let x = channels[c][i];
          if (!Number.isFinite(x)) { x = 0; nonFinite++; } else if (x > 1 || x < -1) clipped++;
          v.setFloat32(p, x, true); p += 4;
        }
      }
    } else {
      const bits = this.bytesPerSample * 8;
      const scale = 2 ** (bits - 1), lo = -scale, hi = scale - 1;
      const d = this.dither;
      const wide = bits === 24;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < nch; c++) {
          const x = channels[c][i];
          let q: number;
          if (!Number.isFinite(x)) { q = 0; nonFinite++; } else {
            q = Math.round(x * scale + (d ? d.next() : 0));
            if (q > hi) { q = hi; clipped++; } else if (q < lo) { q = lo; clipped++; }
          }
          if (wide) { dst[p] = q & 255; dst[p + 1] = (q >> 8) & 255; dst[p + 2] = (q >> 16) & 255; p += 3; } else { v.setInt16(p, q, true); p += 2; }
        }
      }
    }
    this.frames = total;
    this.clipped += clipped;
    this.nonFinite += nonFinite;
    return dst;
  }

  /** What follows the last sample: a zero pad byte when the data chunk's length is odd. */
  end(): Uint8Array { return new Uint8Array(this.dataBytes(this.frames) & 1); }
}

/** Encodes whole channels to one WAV file. */
export function encodeWav(channels: readonly Float32Array[], options: Omit<WavOptions, 'channels'> & { channels?: number }): WavResult {
  if (!Array.isArray(channels)) throw new TypeError(`encodeWav: expected an array of Float32Array channels, got ${String(channels)}`);
  const count = channels.length;
  if (options !== null && typeof options === 'object' && options.channels !== undefined && options.channels !== count) throw new RangeError(`encodeWav: options.channels is ${String(options.channels)} but ${count} channels were given`);
  const enc = new WavEncoder({ ...options, channels: count } as WavOptions);
  const frames = channels[0] instanceof Float32Array ? channels[0].length : 0;
  const body = new Uint8Array(enc.headerLength + frames * enc.blockAlign + ((frames * enc.blockAlign) & 1));
  enc.write(channels, body.subarray(enc.headerLength));
  body.set(enc.header(), 0);
  return { bytes: body, frames: enc.frames, clipped: enc.clipped, nonFinite: enc.nonFinite };
}
