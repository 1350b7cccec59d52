// An honest check that the worklet's process() allocates nothing: the real processor class (dist/
// daw-worklet.js) and the real WASM are driven on this page's main thread by a small harness that
// provides the AudioWorkletGlobalScope names, and the JS heap is read (Chromium runs with
// --enable-precise-memory-info and --expose-gc) every 500 quanta over 10,000 quanta. The mix has
// sends to the reverb, delay and drum buses, and their parameters move while it runs (the delay's
// left time as a note value that follows the tempo). Allocating even
// 16 bytes per quantum shows up as 8 kB per reading.
import { expect } from '@esm-bundle/chai';
import { Engine, controlLink, BUS_FX, STRIP_PARAMS, SYNTH_PARAMS } from '../dist/daw-elements.js';

const QUANTA = 10000;
const EVERY = 500;
const BOUND = 8 * 1024; // bytes per window
const SETTLE = 40; // most warm-up windows to wait for the JIT
// A window counts as settled below 1 kB, not below BOUND: windows of ~400 bytes (most likely doubles boxed by
// code V8 has not optimized yet, called every 16 quanta) passed for settled once, and that code's
// optimization then showed as one +10.7 kB window in the measurement (clock worker, 1 run in 3).
const SETTLED = 1024;
// Fixed warm-up before the settling windows. 3 passes of the QUANTA-long sequence: V8 tiers WASM
// functions up to optimised code when their call budget runs out, and a small function called only
// on some parameter changes reached it ~17,000 quanta in, its code's metadata showing as one window
// of +8.3 kB (gone with --no-wasm-dynamic-tiering); with one pass that window fell in the measurement.
const WARMUP = 3 * QUANTA;

async function loadProcessorClass() {
  let cls = null;
  globalThis.AudioWorkletProcessor = class {
    constructor() {
      const { port1 } = new MessageChannel();
      this.port = port1;
    }
  };
  globalThis.registerProcessor = (name, c) => { if (name === 'daw-mixer') cls = c; };
  globalThis.sampleRate = 48000;
  globalThis.currentFrame = 0;
  await import(`../dist/daw-worklet.js?harness=${Date.now()}`);
  return cls;
}

describe('worklet process() allocates nothing', function () {
  this.timeout(120000);

  // Every way of the DSP load figure: timed with this page's performance.now() (a worklet scope that
  // has one); notifying the load clock's real worker (dist/daw-clock.js, src/clock-worker.ts), as
  // on isolated pages today; not timed at all.
  for (const clock of ['with', 'worker', 'without']) it(`over ${QUANTA} quanta with 32 inputs, parameter changes and notes (${clock === 'worker' ? 'notifying the clock worker' : `${clock} performance.now`})`, async function () {
    if (!performance.memory || typeof window.gc !== 'function') this.skip();
    if (clock === 'worker' && !globalThis.crossOriginIsolated) this.skip(); // the worker shares the block: SharedArrayBuffer only
    const Processor = await loadProcessorClass();
    expect(Processor).to.be.a('function');
    const module = await WebAssembly.compileStreaming(fetch(new URL('../dist/daw-dsp.wasm', import.meta.url)));
    const layoutVersion = new WebAssembly.Instance(module, {}).exports.daw_layout_version(); // the build's contract hash

    const engine = new Engine(); // its control block, written as the page would
    const link = controlLink(engine);
    const chs = [];
    for (let i = 0; i < 32; i++) chs.push(engine.createChannel({ eqLowDb: 3, compThresholdDb: -20, compRatio: 3, sendReverb: 0.2, sendDelay: 0.1, sendDrum: 0.3 }));
    const synths = chs.slice(0, 8).map((c) => engine.createSynth(c, { wave: 'saw', polyphony: 8 }));
    // Analysis with every kind on channels, a bus and the master (the spectrum and scope pools full),
    // loudness and peaks on more channels.
    const every = { peak: true, truePeak: true, correlation: true, loudness: true, spectrum: 8192, scope: true };
    const readers = [chs[0].analysis(every), chs[5].analysis(every), engine.bus(0).analysis(every), engine.master.analysis(every)];
    for (let i = 8; i < 20; i++) readers.push(chs[i].analysis({ loudness: true, truePeak: true, correlation: true }));
    // The transport's real-time path: playing through a tempo ramp, a loop of a beat and a half that
    // wraps inside quanta, swing, the metronome into the master, and (in step) seeks every 250 quanta.
    const tr = engine.transport;
    tr.setTempoMap([{ beat: 0, bpm: 300, ramp: 'linear' }, { beat: 1, bpm: 97 }]);
    tr.loop = { start: 0.25, end: 1.75, enabled: true };
    tr.swing = 0.2;
    tr.metronome = true;
    tr.start();
    // A seek record made once (kind transport, seek, no grid, beat 0.5 as f64 words, frame 0 = at once).
    const seekWords = new Uint32Array(8);
    seekWords[0] = 8;
    seekWords[1] = 4;
    seekWords.set(new Uint32Array(new Float64Array([0.5]).buffer), 3);
    const seek = { u: seekWords };
    // The processor looks for performance.now() when it is constructed; window.performance is
    // [Replaceable], so it can be hidden for that moment and put back.
    const perf = Object.getOwnPropertyDescriptor(globalThis, 'performance');
    if (clock !== 'with') globalThis.performance = undefined;
    let proc, worker = null;
    if (clock === 'worker') {
      worker = new Worker(new URL('../dist/daw-clock.js', import.meta.url));
      await new Promise((r) => { worker.onmessage = r; worker.postMessage({ buffer: link.block.buffer, quantumMs: (128 / 48000) * 1000 }); });
    }
    try {
      proc = new Processor({ processorOptions: { module, shared: link.block.buffer, layoutVersion, clock: clock === 'worker' } });
    } finally {
      if (perf) Object.defineProperty(globalThis, 'performance', perf);
      else delete globalThis.performance;
    }
    const block = link.block;
    // Automation lanes on the timeline (dsp/ParamLanes.zig), as strip.automate() writes them (records of
    // dsp/Timeline.zig): a channel's fader (its per-frame curve), a pan, the master's volume and a
    // synth's cutoff, every kind of ramp, over the loop; a loop wrap re-joins them every pass.
    const sp = (name) => STRIP_PARAMS.find((p) => p.name === name).index;
    const points = [
      [2, sp('volumeDb'), 0, [[0.25, -20, 0], [0.8, -3, 1], [1.2, -12, 2], [1.6, -6, 0]]],
      [4, sp('pan'), 0, [[0, -0.5, 0], [1, 0.5, 1], [1.7, -0.2, 1]]],
      [67, sp('volumeDb'), 0, [[0.3, -1, 0], [1.5, -4, 2]]],
      [0, SYNTH_PARAMS.find((p) => p.name === 'cutoffHz').index, 4, [[0.25, 300, 0], [1, 5000, 2], [1.75, 800, 2]]],
    ].flatMap(([target, param, flags, pts], lane) => pts.map(([beat, value, ramp]) => ({ target, param, flags, beat, value, ramp, id: lane + 1 })));
    const lanes = new ArrayBuffer(points.length * 32);
    points.forEach((p, i) => {
      new Float64Array(lanes, i * 32, 1)[0] = p.beat;
      new Uint32Array(lanes, i * 32 + 8, 6).set([p.id, 5 | (p.flags << 8) | (p.param << 16), p.target, 0, 0, p.ramp]);
      new Float32Array(lanes, i * 32 + 20, 1)[0] = p.value;
    });
    proc.port.onmessage({ data: { type: 'timeline-add', id: 1, events: lanes } });
    // engine.record()'s ring in shared memory, as Recording makes it; the page side empties it below.
    const RING_QUANTA = 64;
    // (a plain ArrayBuffer on a page without COOP/COEP: the harness runs the processor on this thread)
    const ring = new (typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer)(8 * 4 + 2 * RING_QUANTA * 128 * 4);
    const ringCtl = new Int32Array(ring, 0, 8);
    proc.port.onmessage({ data: { type: 'record-start', id: 1, ring, quanta: RING_QUANTA, start: 0 } });

    const inputs = [];
    for (let i = 0; i < 32; i++) {
      const l = new Float32Array(128), r = new Float32Array(128);
      for (let k = 0; k < 128; k++) { l[k] = Math.sin(k * (i + 1) * 0.01); r[k] = l[k] * 0.5; }
      inputs.push([l, r]);
    }
    const outputs = [[new Float32Array(128), new Float32Array(128)]];
    const params = {};
    const volIndex = 15; // volumeDb
    // Bus-effect parameters moved live: the reverb's decay and modulation rate, the delay's time and
    // its note value, the drum bus's drive, curve, boom and glue (every stage of its path runs).
    const fx = (name) => BUS_FX.find((p) => p.name === name).index;
    const [decayIndex, modRateIndex, timeIndex] = [fx('reverbDecayS'), fx('reverbModRateHz'), fx('delayTimeLMs')];
    const [syncIndex, driveIndex, curveIndex, boomIndex] = [fx('delaySyncR'), fx('drumDrive'), fx('drumCurve'), fx('drumBoom')];
    for (const [name, v] of [['drumCrunch', 0.5], ['drumTransients', 0.5], ['drumGlue', 1], ['drumDampingHz', 8000]]) block.busFx[fx(name)] = v;
    let frame = 0;
    const step = (q) => {
      // the page's side of the work, without allocating: a fader move every quantum, notes often
      block.strip[(q % 32) * 32 + volIndex] = -(q % 24);
      if (q % 4 === 0) block.busFx[decayIndex] = 1 + (q % 64) / 16;
      if (q % 4 === 1) block.busFx[modRateIndex] = 0.5 + (q % 8) / 8;
      if (q % 4 === 2) block.busFx[timeIndex] = 200 + (q % 100);
      if (q % 4 === 3) block.busFx[driveIndex] = (q % 16) / 16;
      if (q % 64 === 3) block.busFx[curveIndex] = (q >> 6) % 3;
      if (q % 64 === 7) block.busFx[boomIndex] = (q % 128) / 128;
      if (q % 512 === 11) block.busFx[syncIndex] = 1 + ((q >> 9) % 15);
      Atomics.add(block.header, 0, 1);
      if (q % 16 === 0) link.note(1, q % 8, q + 1, 48 + (q % 24), 0.8, (frame + 64) / 48000);
      if (q % 16 === 8) link.note(2, (q - 8) % 8, q - 7, 48 + ((q - 8) % 24), 0, undefined);
      if (q % 32 === 0) Atomics.store(ringCtl, 1, Atomics.load(ringCtl, 0)); // the page read the ring
      if (q % 250 === 125) link.push(seek);
      globalThis.currentFrame = frame;
      proc.process(inputs, outputs, params);
      frame += 128;
    };
    // Warm up until the JIT has settled. V8 compiles optimized code on a background thread and
    // installs it when that thread is done; with the machine's cores busy that happens after any
    // fixed warm-up, and its code and the garbage of the code it replaces show as one window up
    // (+143 kB seen) and the next one down (-139 kB). So the warm-up runs until two windows in a row
    // change the heap by less than the bound (at most SETTLE windows). A process() that allocates
    // 17 bytes or more per quantum never settles (it grows every window, or drops at a scavenge) and
    // fails the window check below; 16 bytes settles and fails the total check (+160 kB).
    for (let q = 0; q < WARMUP; q++) step(q % QUANTA);
    window.gc();
    let settled = 0, windows = 0, last = performance.memory.usedJSHeapSize;
    const settling = [];
    while (settled < 2 && windows < SETTLE) {
      for (let q = 0; q < EVERY; q++) step(q);
      const now = performance.memory.usedJSHeapSize;
      settling.push(now - last);
      settled = Math.abs(now - last) < SETTLED ? settled + 1 : 0;
      last = now;
      windows++;
    }
    const readings = [performance.memory.usedJSHeapSize];
    for (let q = 0; q < QUANTA; q++) {
      step(q);
      if ((q + 1) % EVERY === 0) readings.push(performance.memory.usedJSHeapSize);
    }
    const steps = readings.slice(1).map((v, i) => v - readings[i]);
    const worst = Math.max(...steps.map(Math.abs));
    expect(worst, `heap change per ${EVERY} quanta (bytes): ${steps.join(', ')} (after ${windows} settling windows: ${settling.join(', ')})`).to.be.below(BOUND);
    expect(readings[readings.length - 1] - readings[0], `total heap change (bytes); steps: ${steps.join(', ')}`).to.be.below(16 * 1024);
    // and it really rendered audio, analysed it (a new publication at least every 8 quanta) and recorded it
    expect(outputs[0][0].some((v) => v !== 0)).to.equal(true);
    const r = readers[3].read();
    expect(r.frames).to.be.above(QUANTA / 8);
    expect(r.momentary).to.be.above(-70);
    expect(readers[0].spectrum(new Float32Array(4097))).to.equal(4097);
    expect(readers[2].scope(new Float32Array(1024))).to.equal(1024);
    expect(Atomics.load(ringCtl, 0)).to.be.above(2 * QUANTA);
    expect(ringCtl[2], 'recording: quanta dropped').to.equal(0);
    readers.forEach((x) => x.release());
    // and the transport really played: still playing, every seek and loop pass counted, nothing refused
    const st = engine.status();
    expect(st.transportState).to.equal(1);
    expect(st.transportChanges).to.be.above((2 * QUANTA) / 250);
    expect(st.transportRejected).to.equal(0);
    expect(st.timelineEvents, 'the automation lanes').to.equal(points.length);
    expect(engine.status().quanta).to.equal(WARMUP + QUANTA + windows * EVERY);
    // and it was timed exactly when it had a clock: by itself, or by the worker it notified
    const words = link.status();
    if (clock === 'with') expect(words.load).to.be.within(0, 1);
    if (clock === 'without') expect(words.load).to.be.NaN;
    if (clock === 'worker') {
      expect(Atomics.load(link.block.header, 3), 'clockSeq: two notifies a quantum').to.equal((2 * (WARMUP + QUANTA) + 2 * windows * EVERY) | 0);
      expect(words.loadWindows, 'windows the worker closed').to.be.above(0);
    }
    worker?.terminate();
    proc.port.close();
    synths.forEach((s) => s.dispose());
  });
});
