/**
 * engine.recordInput() (issue #14): records a live input — a microphone through getUserMedia, or any
 * MediaStream — losslessly into a Sample that channels and `<daw-clip>` can play. Loaded on first use
 * (await import), with its own small worklet module (dist/daw-input-worklet.js, worklet/input-tap.ts),
 * so a page that never records an input loads neither. Main thread only.
 *
 * The input goes MediaStreamAudioSourceNode -> the tap (an AudioWorkletNode on the engine's context,
 * connected to the destination with a silent output so the browser runs it) -> the tap's ring, which
 * this side empties every 100 ms. stop() ends the tap, takes the rest, and loads the frames as a
 * Sample (engine.loadSample with PCM: mono for a mono input, else stereo). The microphone's own
 * processing (echo cancellation, noise suppression, automatic gain) is asked off: a recording is of
 * what the microphone hears.
 */
import type { Engine } from './engine.js';
import type { Sample } from './handles.js';
import type { Runtime } from './runtime.js';
import { isRealtime } from './gesture.js';
import { show } from './validate.js';

/** What to record: a device (default: the browser's default microphone) or a MediaStream with an audio track. */
export type InputSource = { deviceId?: string } | MediaStream;

export interface InputOptions {
  /** Seconds the page may fall behind before frames are lost, 1 to 60 (default 4). */
  bufferSeconds?: number;
}

/** Advice for a getUserMedia failure, by the DOMException's name. */
function advice(e: unknown): string {
  const name = (e as { name?: string })?.name;
  const why = (e as Error)?.message ?? String(e);
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return `microphone permission was denied (${why}): allow the microphone for this site in the browser's address bar or settings (and the system's privacy settings), then try again; pages must be https or localhost`;
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `no such microphone (${why}): connect one, or pick another deviceId from navigator.mediaDevices.enumerateDevices()`;
  if (name === 'NotReadableError' || name === 'AbortError') return `the microphone could not be opened (${why}): another application may be using it; close it and try again`;
  return `the input could not be opened (${why})`;
}

/** A live-input recording: `stop()` resolves with the Sample; `cancel()` drops it. */
export class InputRecording {
  #frames = 0;
  #dropped = 0;
  #channels = 0;
  readonly #chunks: { l: Float32Array; r: Float32Array }[] = [];
  #timer: ReturnType<typeof setInterval> | 0 = 0;
  #waiter: ((stopped: boolean) => void) | null = null;
  #stopping: Promise<Sample> | null = null;
  #ended = false;

  /** @internal Made by engine.recordInput(). */
  constructor(
    private readonly engine: Engine,
    private readonly node: AudioWorkletNode,
    private readonly source: MediaStreamAudioSourceNode,
    private readonly stream: MediaStream,
    private readonly ownStream: boolean,
  ) {
    node.port.onmessage = (e) => this.#take(e.data);
    this.#timer = setInterval(() => node.port.postMessage({ type: 'drain' }), 100);
  }

  /** Frames received so far. */
  get framesReceived(): number {
    return this.#frames;
  }

  /** The MediaStream being recorded. */
  get mediaStream(): MediaStream {
    return this.stream;
  }

  #take(d: { frames: number; buffer: ArrayBuffer; channels: number; dropped: number; stopped: boolean }): void {
    if (d.frames > 0) {
      this.#chunks.push({ l: new Float32Array(d.buffer, 0, d.frames), r: new Float32Array(d.buffer, d.frames * 4, d.frames) });
      this.#frames += d.frames;
    }
    this.#channels = Math.max(this.#channels, d.channels);
    this.#dropped = d.dropped;
    if (d.stopped) {
      const w = this.#waiter;
      this.#waiter = null;
      w?.(true);
    }
  }

  /**
   * Stops and loads what was recorded as a Sample (at the engine's rate; mono for a mono input).
   * Rejects when frames were lost (the page did not keep up: a longer bufferSeconds helps), when
   * nothing was recorded, or when the sample cannot be loaded (engine.loadSample's errors). Calling
   * it again returns the same promise.
   */
  stop(): Promise<Sample> {
    return (this.#stopping ??= this.#finish());
  }

  /** Stops and drops the recording. */
  cancel(): void {
    this.#end();
  }

  async #finish(): Promise<Sample> {
    if (this.#ended) throw new Error('recordInput: the recording was cancelled');
    const stopped = new Promise<boolean>((resolve) => (this.#waiter = resolve));
    this.node.port.postMessage({ type: 'stop' });
    await stopped;
    this.#end();
    if (this.#dropped > 0) throw new Error(`recordInput: ${this.#dropped} frames were lost (the page did not keep up; try a larger bufferSeconds)`);
    const n = this.#frames;
    if (n === 0) throw new RangeError('recordInput: nothing was recorded (0 frames): stop() came before the input delivered any audio');
    const l = new Float32Array(n), r = new Float32Array(n);
    let at = 0;
    for (const c of this.#chunks) {
      l.set(c.l, at);
      r.set(c.r, at);
      at += c.l.length;
    }
    this.#chunks.length = 0;
    return this.engine.loadSample(this.#channels === 2 ? [l, r] : l);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    this.source.disconnect();
    this.node.disconnect();
    if (this.ownStream) for (const t of this.stream.getAudioTracks()) t.stop();
  }
}

/** engine.recordInput(): see Engine.recordInput. */
export async function recordInput(engine: Engine, rt: Runtime, source: InputSource = {}, opts: InputOptions = {}): Promise<InputRecording> {
  const ctx = rt.context;
  if (!ctx || !rt.node) throw new Error('recordInput: start the engine first (engine.start() from a click)');
  if (!isRealtime(ctx)) throw new TypeError('recordInput: the engine renders offline; a live input needs a realtime AudioContext');
  const { bufferSeconds = 4 } = opts ?? {};
  if (typeof bufferSeconds !== 'number' || !(bufferSeconds >= 1 && bufferSeconds <= 60)) throw new RangeError(`recordInput: bufferSeconds ${show(bufferSeconds)} must be 1 to 60`);
  const isStream = typeof MediaStream === 'function' && source instanceof MediaStream;
  if (!isStream && (typeof source !== 'object' || source === null)) throw new TypeError(`recordInput: expected { deviceId? } or a MediaStream, got ${show(source)}`);
  const deviceId = isStream ? undefined : (source as { deviceId?: unknown }).deviceId;
  if (deviceId !== undefined && typeof deviceId !== 'string') throw new TypeError(`recordInput: deviceId ${show(deviceId)} must be a string (from navigator.mediaDevices.enumerateDevices())`);
  let stream: MediaStream;
  if (isStream) {
    stream = source as MediaStream;
    if (stream.getAudioTracks().length === 0) throw new TypeError('recordInput: the MediaStream has no audio track');
  } else {
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('this browser has no navigator.mediaDevices.getUserMedia (it needs a secure context: https or localhost)'), { name: 'NotSupportedError' });
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (e) {
      const message = `recordInput: ${advice(e)}`;
      rt.report({ code: 'input-failed', message, error: e, value: deviceId });
      throw Object.assign(new Error(message), { name: (e as Error)?.name ?? 'Error', cause: e });
    }
  }
  await ctx.audioWorklet.addModule(String(new URL('./daw-input-worklet.js', import.meta.url)));
  const frames = Math.ceil((bufferSeconds * ctx.sampleRate) / 128) * 128;
  const node = new AudioWorkletNode(ctx, 'daw-input-tap', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { frames } });
  const src = new MediaStreamAudioSourceNode(ctx, { mediaStream: stream });
  src.connect(node);
  node.connect(ctx.destination); // its output is silent; connected so that the browser runs it
  return new InputRecording(engine, node, src, stream, !isStream);
}
