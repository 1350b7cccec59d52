/**
 * engine.recordInput()'s tap (dist/daw-input-worklet.js, loaded on first use by src/input.ts): an
 * AudioWorkletProcessor that copies its input (a MediaStreamAudioSourceNode: a microphone, or any
 * MediaStream) losslessly into a ring made in its constructor. The page empties the ring every
 * 100 ms with a 'drain' message, answered from the message handler with the frames written since the
 * last one in a new transferable block (message handlers may allocate; process() does not). A page
 * that falls more than the ring's length behind loses frames, which are counted and reported.
 *
 * process() allocates, logs and posts nothing: it copies one quantum per channel into the ring.
 */

interface TapOptions {
  /** Ring length in frames (a multiple of 128). */
  frames: number;
}

class InputTap extends AudioWorkletProcessor {
  private readonly l: Float32Array;
  private readonly r: Float32Array;
  private readonly size: number;
  /** Frames written and read since the start (the ring index is the count modulo size). */
  private written = 0;
  private read = 0;
  private dropped = 0;
  /** Largest channel count seen on the input (1 mono, 2 stereo). */
  private channels = 0;
  private stopped = false;

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const o = options.processorOptions as TapOptions;
    this.size = o.frames;
    this.l = new Float32Array(o.frames);
    this.r = new Float32Array(o.frames);
    this.port.onmessage = (e) => this.onMessage(e.data as { type: string });
  }

  private onMessage(d: { type: string }): void {
    if (d.type === 'stop') this.stopped = true;
    const n = this.written - this.read;
    const buffer = new ArrayBuffer(n * 8);
    const l = new Float32Array(buffer, 0, n), r = new Float32Array(buffer, n * 4, n);
    for (let k = 0; k < n; k++) {
      const at = (this.read + k) % this.size;
      l[k] = this.l[at];
      r[k] = this.r[at];
    }
    this.read = this.written;
    this.port.postMessage({ type: 'data', frames: n, buffer, channels: this.channels, dropped: this.dropped, stopped: this.stopped }, [buffer]);
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const input = inputs[0];
    const n = input.length ? input[0].length : 128;
    if (this.written + n - this.read > this.size) {
      this.dropped += n;
      return true;
    }
    if (input.length > this.channels) this.channels = Math.min(2, input.length);
    const at = this.written % this.size;
    const l = input[0], r = input.length > 1 ? input[1] : input[0];
    // An input with no channels (the stream not started yet, or ended) records silence: the take
    // keeps the context's time.
    for (let i = 0; i < n; i++) {
      this.l[at + i] = l ? l[i] : 0;
      this.r[at + i] = r ? r[i] : 0;
    }
    this.written += n;
    return true;
  }
}

registerProcessor('daw-input-tap', InputTap);
