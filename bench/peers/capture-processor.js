// Output capture for the MIDI song bench: records the sum of its input's channels from context frame
// `from` into one buffer allocated in the constructor (nothing allocated or posted while it records),
// and posts the buffer once, when asked. Its own output is silence (connected to the destination only
// so that it is pulled).
class Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.buf = new Float32Array(options.processorOptions.frames);
    this.from = Infinity;
    this.port.onmessage = (e) => {
      if (e.data.type === 'arm') this.from = e.data.from;
      else if (e.data.type === 'get') this.port.postMessage({ from: this.from, data: this.buf }, [this.buf.buffer]);
    };
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || this.buf.length === 0) return true;
    const o = currentFrame - this.from;
    const n = input[0].length;
    if (o + n <= 0 || o >= this.buf.length) return true;
    for (let c = 0; c < input.length; c++) {
      const x = input[c];
      for (let i = 0; i < n; i++) { const j = o + i; if (j >= 0 && j < this.buf.length) this.buf[j] += x[i]; }
    }
    return true;
  }
}
registerProcessor('bench-capture', Capture);
