// Times the engine's WASM alone inside an AudioWorklet (bench/wasm-worklet.mjs): the same V8 and
// thread as in use, no Web Audio graph. On its first quantum it instantiates the module, sets up
// the strips from the runner's parameter rows (the bench's mix settings; inputs filled with noise), warms up, then times
// `quanta` calls of daw_process with Date.now() (the scope has no performance.now; ±1 ms over
// ~1 s of work) and posts µs per quantum.
registerProcessor('wasm-time', class extends AudioWorkletProcessor {
  constructor(o) { super(); this.o = o.processorOptions; this.done = false; }
  process() {
    if (this.done) return false;
    this.done = true;
    const { bytes, quanta, rows, channels } = this.o;
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    x.daw_init(48000);
    const mem = x.memory.buffer;
    const params = new Float32Array(mem, x.daw_params_ptr(), 68 * 32);
    const ctl = new Uint32Array(mem, x.daw_strip_ctl_ptr(), 68);
    const ext = new Float32Array(mem, x.daw_ext_in_ptr(), 32 * 256);
    const act = new Uint32Array(mem, x.daw_ext_active_ptr(), 32);
    params.set(rows); // every strip's parameters, built by the runner from protocol/contract.json
    for (let c = 0; c < channels; c++) ctl[c] = 3; // stripControl active | reset (protocol/contract.json)
    let s = 1;
    for (let i = 0; i < ext.length; i++) { s = (s * 16807) % 2147483647; ext[i] = (s / 2147483647 - 0.5) * 0.5; }
    act.fill(1);
    for (let i = 0; i < 2000; i++) x.daw_process();
    const t0 = Date.now();
    for (let i = 0; i < quanta; i++) x.daw_process();
    this.port.postMessage({ us: ((Date.now() - t0) * 1000) / quanta });
    return false;
  }
});
