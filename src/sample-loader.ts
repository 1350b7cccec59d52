/**
 * The sample loader: decoded PCM into the DSP's WebAssembly memory through the worklet's port
 * (chunked messages), sample slots and ids, the sample-memory cap, and the upload of kept samples to
 * a rebuilt audio thread. Main thread only.
 */
import { Header, MAX_SAMPLES } from '../protocol/generated/contract.js';
import { Sample, type EngineCore } from './handles.js';
import type { KeptSample } from './recovery.js';
import { sanitize, toPcm, type SampleOptions, type SampleSource } from './samples.js';
import { SlotPool } from './slots.js';
import type { EngineState } from './types.js';

/** A wasm32 memory holds at most 2^32 bytes. */
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
/** Frames per 'sample-data' message: the worklet copies each between two renders. */
const CHUNK = 65536;

export interface LoaderHost {
  readonly core: EngineCore;
  /** Resolves when the worklet runs; rejects when the engine closes or fails. */
  whenReady(): Promise<void>;
}

export class SampleLoader {
  private readonly slots = new SlotPool(MAX_SAMPLES, false);
  /** Per slot, the generation of its last sample: id = slot + MAX_SAMPLES x generation. */
  private readonly generation = new Uint32Array(MAX_SAMPLES);
  readonly samples = new Set<Sample>();
  /** Bytes of sample data loaded or being loaded. */
  used = 0;
  private readonly waiters = new Map<number, { resolve: (wasmBytes: number) => void; reject: (e: Error) => void }>();
  private readonly core: EngineCore;

  constructor(private readonly host: LoaderHost, readonly sampleMemory: number) {
    this.core = host.core;
  }

  /**
   * Loads audio for channels to play (Channel.play): a URL, file bytes (ArrayBuffer, Uint8Array,
   * Blob: any format the browser decodes), an AudioBuffer, or raw PCM (one or two Float32Arrays at
   * `opts.sampleRate`, default the engine's). It is converted to the engine's sample rate by the
   * browser's decoder, keeps at most two channels, and is copied into the DSP's memory (which grows
   * for it). Resolves once the engine runs and the sample is in place; rejects with a clear error for
   * anything it cannot use. Non-finite samples are replaced by 0 (reported as a daw-error).
   */
  async load(source: SampleSource, opts: SampleOptions = {}): Promise<Sample> {
    if (this.core.engine.state === 'closed') throw new Error('this engine is closed');
    if (source === null || source === undefined) throw new TypeError('loadSample: no source given');
    const { loopStart = 0, loopEnd } = opts;
    if (typeof loopStart !== 'number' || !(loopStart >= 0) || !Number.isFinite(loopStart)) throw new RangeError(`loadSample: loopStart ${String(loopStart)} must be a number of seconds >= 0`);
    if (loopEnd !== undefined && (typeof loopEnd !== 'number' || !(loopEnd > loopStart) || !Number.isFinite(loopEnd))) {
      throw new RangeError(`loadSample: loopEnd ${String(loopEnd)} must be a number of seconds > loopStart (${loopStart})`);
    }
    await this.host.whenReady();
    const ctx = this.core.engine.context!;
    // Raw PCM and AudioBuffers have a known size: refuse them before copying anything.
    const known = knownSampleBytes(source, opts.sampleRate ?? ctx.sampleRate, ctx.sampleRate);
    if (known > 0) this.checkRoom(known);
    const pcm = await toPcm(source, ctx, opts);
    const frames = pcm.channels[0].length;
    const rate = ctx.sampleRate;
    const ls = Math.round(loopStart * rate);
    const le = loopEnd === undefined ? frames : Math.round(loopEnd * rate);
    if (le > frames || ls >= le) {
      throw new RangeError(`loadSample: loop ${loopStart}..${loopEnd ?? frames / rate} s is outside the sample (0..${(frames / rate).toFixed(6)} s)`);
    }
    if ((this.core.engine.state as EngineState) === 'closed') throw new Error('this engine is closed');
    if (!this.core.engine.node) await this.host.whenReady(); // recovering from a failure
    const bytes = frames * pcm.channels.length * 4;
    this.checkRoom(bytes);
    const slot = this.slots.claim();
    if (slot === undefined) {
      const message = `no free sample slot: all ${MAX_SAMPLES} are loaded (dispose one first)`;
      this.core.report({ code: 'capacity', message });
      throw new RangeError(message);
    }
    let gen = this.generation[slot] + 1;
    if (gen > 0x3fffff) gen = 1; // id = slot + 1024 * gen stays below 2^32
    this.generation[slot] = gen;
    const id = slot + MAX_SAMPLES * gen;
    this.used += bytes; // reserved now: loads in flight count too
    const kept: KeptSample = { id, slot, channels: pcm.channels, frames, loopStart: ls, loopEnd: le, ...origin(source) };
    this.core.recovery.keepSample(kept); // restored after a failure
    const { done, bad } = this.send(kept);
    let wasmBytes: number;
    try {
      wasmBytes = await done;
    } catch (e) {
      this.core.recovery.forgetSample(id);
      this.slots.release(slot);
      this.used -= bytes;
      this.core.report({ code: 'capacity', message: (e as Error).message, error: e });
      throw e;
    }
    if (wasmBytes > 0) this.core.link.block.header[Header.wasmBytes] = wasmBytes;
    if (bad > 0) {
      this.core.report({ code: 'invalid-value', value: bad, message: `loadSample: ${bad} non-finite sample values (NaN or Infinity) were replaced by 0` });
    }
    const sample = new Sample(this.core, id, slot, frames, pcm.channels.length, rate, ls, le);
    this.samples.add(sample);
    return sample;
  }

  /** Bytes of sample data loaded (or being loaded), counted against `sampleMemory`. */
  get sampleBytes(): number {
    return this.used;
  }

  /** Refuses (capacity daw-error and RangeError) a sample that would pass sampleMemory. */
  private checkRoom(bytes: number): void {
    if (this.used + bytes <= this.sampleMemory) return;
    const free = this.sampleMemory - this.used;
    const message = `loadSample: the sample needs ${mib(bytes)} (${bytes} bytes) but only ${mib(free)} of the engine's `
      + `${mib(this.sampleMemory)} sample memory is free (sampleMemory ${this.sampleMemory}); `
      + 'dispose samples no longer needed, load a shorter or mono excerpt, or make the engine with a larger sampleMemory';
    this.core.report({ code: 'capacity', message, value: bytes, range: `0 to ${free} bytes` });
    throw new RangeError(message);
  }

  /** Frees a sample's slot and memory (Sample.dispose). */
  free(s: Sample): void {
    if (!this.samples.delete(s)) return;
    this.core.recovery.forgetSample(s.id);
    this.used -= s.frames * s.channels * 4;
    this.core.engine.node?.port.postMessage({ type: 'sample-free', id: s.id, slot: s.slot });
    this.slots.release(s.slot);
  }

  /**
   * Sends a sample to the worklet node in chunks; `done` resolves with the WASM memory size when it
   * is in place. A kept sample re-sent after a failure takes over a load still waiting for it.
   * `bad`: non-finite values replaced by 0.
   */
  send(k: KeptSample): { done: Promise<number>; bad: number } {
    const port = this.core.engine.node!.port;
    const prev = this.waiters.get(k.id); // a load still waiting for this sample
    const done = new Promise<number>((resolve, reject) => this.waiters.set(k.id, {
      resolve: (b) => { prev?.resolve(b); resolve(b); },
      reject: (e) => { prev?.reject(e); reject(e); },
    }));
    port.postMessage({ type: 'sample-begin', id: k.id, slot: k.slot, frames: k.frames, channels: k.channels.length, loopStart: k.loopStart, loopEnd: k.loopEnd });
    let bad = 0;
    for (let c = 0; c < k.channels.length; c++) {
      for (let o = 0; o < k.frames; o += CHUNK) {
        const data = k.channels[c].slice(o, Math.min(k.frames, o + CHUNK));
        bad += sanitize(data);
        port.postMessage({ type: 'sample-data', id: k.id, channel: c, offset: o, data }, [data.buffer]);
      }
    }
    port.postMessage({ type: 'sample-end', id: k.id });
    return { done, bad };
  }

  /** The worklet's 'sample-ready' / 'sample-error' reply. */
  onReply(d: { type: string; id?: number; message?: string; wasmBytes?: number }): void {
    const w = this.waiters.get(d.id!);
    this.waiters.delete(d.id!);
    if (d.type === 'sample-ready') w?.resolve(d.wasmBytes ?? 0);
    else w?.reject(new RangeError(`loadSample: ${d.message}`));
  }
}

/** Where a sample came from, for engine.snapshot(): a URL (absolute), file bytes, or PCM / an AudioBuffer. */
function origin(source: SampleSource): Pick<KeptSample, 'url' | 'from'> {
  const url = typeof source === 'string' || source instanceof URL;
  return {
    url: url ? new URL(String(source), location.href).href : null, // fetch() resolved it the same way
    from: url ? 'url' : source instanceof ArrayBuffer || source instanceof Uint8Array || source instanceof Blob ? 'bytes' : 'pcm',
  };
}

/**
 * Bytes a raw-PCM or AudioBuffer source will take at the engine's rate (at most two channels, f32),
 * before any copy; 0 when the size is only known after decoding (files, URLs) or the source is bad.
 */
function knownSampleBytes(source: SampleSource, rate: number, engineRate: number): number {
  let frames = 0, channels = 0, from = rate;
  if (typeof AudioBuffer === 'function' && source instanceof AudioBuffer) {
    frames = source.length;
    channels = Math.min(2, source.numberOfChannels);
    from = source.sampleRate;
  } else if (source instanceof Float32Array) {
    frames = source.length;
    channels = 1;
  } else if (Array.isArray(source) && source.length >= 1 && source.length <= 2 && source.every((c) => c instanceof Float32Array)) {
    frames = source[0].length;
    channels = source.length;
  }
  if (!(typeof from === 'number' && from >= 3000 && from <= 768000)) return 0; // toPcm names the bad rate
  // At another rate the browser's resampler decides the exact length: a frame less, never more.
  if (from !== engineRate) frames = Math.max(0, Math.floor((frames * engineRate) / from) - 1);
  return frames * channels * 4;
}

