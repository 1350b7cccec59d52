// DSP-load telemetry (status().load, .underruns, .latency; src/clock.ts, src/clock-worker.ts,
// protocol/load.ts): where a figure exists it is measured, checked against an independent clock;
// where none exists it is null with source 'unavailable' and a reason, never an estimate.
//
// - Realtime on an isolated page (Chromium, Firefox): the load clock runs; its error against a
//   known busy-wait in the worklet (whole milliseconds of Date.now() ticks, test hook 'spin');
//   in Chromium the figure against Chromium's own render capacity (DevTools protocol
//   WebAudio.getRealtimeData, web-test-runner.config.mjs) at three workloads.
// - Pages without COOP/COEP, WebKitGTK (no SharedArrayBuffer), offline renders, loadClock: false:
//   'unavailable'.
// Every wait is for a real status change (load.windows counts measured windows), never a delay.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { Engine, controlLink, getEngine } from '../dist/daw-elements.js';
import { SR, dcSource, task, until } from './helpers.js';

const isolated = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
const chromium = /Chrome\//.test(navigator.userAgent);

/** Waits for `n` more measured load windows (each ~1 s of audio); returns the last status. */
async function windowsLater(e, n) {
  const w0 = e.status().load.windows;
  await until(() => e.status().load.windows >= w0 + n, { engine: e, audio: n + 3, wallMs: 60000 + n * 10000, what: `${n} load windows` });
  return e.status();
}

/** A session: `channels` channels with compressors and EQ, `voices` held saw notes spread over them. */
function session(e, channels, voices) {
  const chs = [];
  for (let i = 0; i < channels; i++) chs.push(e.createChannel({ volumeDb: -40, eqLowDb: 3, eqHighDb: -2, compThresholdDb: -30, compRatio: 4, sendReverb: 0.1 }));
  const synths = chs.slice(0, Math.min(channels, 16)).map((c) => e.createSynth(c, { wave: 'saw', polyphony: 128, cutoffHz: 3000, resonance: 0.3 }));
  for (let v = 0; v < voices; v++) synths[v % synths.length].noteOn(36 + (v % 48), 0.5);
  return { dispose: () => { synths.forEach((s) => s.dispose()); chs.forEach((c) => c.dispose()); } };
}

/**
 * Whether a thread can wake on another core while one thread is busy (as the audio thread is while
 * it renders): one worker spins for 0.5 s while two others ping-pong Atomics.notify / wait 300
 * times; returns half the round trip's median and 90th percentile in ms.
 */
async function freeCore() {
  const sab = new SharedArrayBuffer(16);
  const spin = `onmessage = () => { const end = Date.now() + 500; let i = 0; while (Date.now() < end) i++; postMessage(i); };`;
  const pong = `onmessage = (m) => { const h = new Int32Array(m.data); postMessage('ready');
    for (let i = 1; i <= 300; i++) { if (Atomics.wait(h, 0, 2 * i - 2, 1000) === 'timed-out') break; Atomics.store(h, 0, 2 * i); Atomics.notify(h, 0); } };`;
  const ping = `onmessage = async (m) => { const h = new Int32Array(m.data); const out = [];
    for (let i = 1; i <= 300; i++) { await new Promise((r) => setTimeout(r, 0)); const t = performance.now(); Atomics.store(h, 0, 2 * i - 1); Atomics.notify(h, 0);
      if (Atomics.wait(h, 0, 2 * i - 1, 1000) === 'timed-out') break; out.push((performance.now() - t) / 2); }
    postMessage(out); };`;
  const url = (src) => `data:text/javascript,${encodeURIComponent(src)}`;
  const [a, b, c] = [spin, pong, ping].map((src) => new Worker(url(src)));
  try {
    await new Promise((r) => { b.onmessage = () => r(); b.postMessage(sab); });
    const got = new Promise((r) => (c.onmessage = (m) => r(m.data)));
    a.postMessage(0);
    c.postMessage(sab);
    const out = (await got).sort((x, y) => x - y);
    return { p50: out[Math.floor(out.length * 0.5)], p90: out[Math.floor(out.length * 0.9)] };
  } finally {
    [a, b, c].forEach((w) => w.terminate());
  }
}

describe('DSP load telemetry', function () {
  this.timeout(180000);

  it("is 'unavailable' (null, with a reason) before start and in an offline render", async () => {
    const idle = new Engine().status();
    expect(idle.load).to.include({ mean: null, max: null, source: 'unavailable' });
    expect(idle.load.reason).to.match(/not started/);
    const ctx = new OfflineAudioContext(2, 400 * 128, SR);
    const e = new Engine({ context: ctx });
    await e.start();
    e.createChannel().connectSource(dcSource(e, 0.1));
    await e.flush();
    await ctx.startRendering();
    const s = e.status();
    expect(s.load).to.include({ mean: null, max: null, source: 'unavailable' });
    expect(s.load.reason).to.match(/offline/);
    expect(s.underruns).to.deep.equal({ count: null, seconds: null, source: 'unavailable' });
  });

  it('realtime: a load figure from the clock exactly where the page is cross-origin isolated; underruns from playbackStats where the browser has them', async () => {
    const e = new Engine({ context: new AudioContext(), quality: 0 }); // a fixed session: adaptive quality would change it under the measurement
    try {
      await e.start();
      const h = session(e, 8, 8);
      if (!isolated) {
        // No clock here: the quanta run (frame advances) and the figure stays null, with the reason.
        const f0 = e.status().frame;
        await until(() => e.status().frame > f0 + 2 * SR, { engine: e, audio: 4, what: '2 s rendered' });
        const s = e.status();
        expect(s.load).to.include({ mean: null, max: null, windows: 0, source: 'unavailable' });
        expect(s.load.reason).to.match(/cross-origin isolated/);
      } else {
        const s = await windowsLater(e, 2);
        expect(s.load.source).to.equal('clock');
        expect(s.load.window).to.be.closeTo((375 * 128) / e.sampleRate, 1e-9);
        if (s.load.mean !== null) {
          expect(s.load.reason).to.equal(null);
          expect(s.load.mean).to.be.within(0.0001, 1);
          expect(s.load.max).to.be.at.least(s.load.mean);
        } else {
          // No figure rather than a biased one: most quanta of the window went untimed.
          expect(s.load.max).to.equal(null);
          expect(s.load.missed).to.be.at.least(375 / 2);
          expect(s.load.reason).to.match(/under half/);
        }
      }
      const s = e.status();
      if ('playbackStats' in AudioContext.prototype) {
        expect(s.underruns.source).to.equal('playbackStats');
        expect(s.underruns.count).to.be.a('number').and.at.least(0);
        expect(s.underruns.seconds).to.be.a('number').and.at.least(0);
        expect(s.latency.source).to.equal('playbackStats');
      } else {
        expect(s.underruns).to.deep.equal({ count: null, seconds: null, source: 'unavailable' });
        expect(s.latency.source).to.equal('unavailable');
      }
      h.dispose();
    } finally {
      await e.close();
    }
  });

  it('<daw-engine> shows the load (a meter for assistive technology), its history and the glitch count, or "DSP —" with the reason', async () => {
    const host = document.createElement('div');
    host.innerHTML = '<daw-engine></daw-engine>';
    document.body.append(host);
    const e = getEngine();
    try {
      await e.start();
      const h = session(e, 16, 32);
      const root = host.querySelector('daw-engine').shadowRoot;
      const part = (p) => root.querySelector(`[part~="${p}"]`);
      // Two windows later (or, with no clock, 1 s of audio), and the face redrawn (it reads status every 250 ms).
      if (e.status().load.source === 'clock') {
        const w0 = e.status().load.windows;
        await until(() => e.status().load.windows >= w0 + 2, { engine: e, audio: 6, wallMs: 60000, what: '2 load windows' });
      } else {
        const f0 = e.status().frame;
        await until(() => e.status().frame > f0 + e.sampleRate, { engine: e, audio: 3, what: '1 s rendered' });
      }
      const s = e.status();
      await until(() => (s.load.mean === null ? part('load').title.includes(s.load.reason) : part('load').getAttribute('aria-valuenow') !== null), { engine: e, what: 'the face redrawn' });
      const load = part('load');
      if (s.load.mean !== null) {
        expect(load.textContent).to.match(/^DSP \d+%$/);
        expect(load.getAttribute('role')).to.equal('meter');
        expect(load.getAttribute('aria-label')).to.equal('DSP load');
        expect(Number(load.getAttribute('aria-valuenow'))).to.be.within(0, 100);
        expect(load.getAttribute('aria-valuetext')).to.match(/^\d+%, peak \d+%$/);
        expect(part('history').querySelector('polyline').getAttribute('points')).to.match(/^\d+,[\d.]+/);
      } else {
        expect(load.textContent).to.equal('DSP —');
        expect(load.hasAttribute('role')).to.equal(false);
        expect(load.title).to.include(s.load.reason);
      }
      expect(part('history').getAttribute('aria-hidden')).to.equal('true');
      const glitches = part('glitches').textContent;
      if (s.underruns.source === 'playbackStats') expect(glitches).to.match(/^\d+ glitch(es)?$/);
      else expect(glitches).to.equal('');
      h.dispose();
    } finally {
      host.remove();
      await e.close();
    }
  });

  it("loadClock: false turns the clock off: 'unavailable'", async function () {
    if (!isolated) this.skip();
    const e = new Engine({ context: new AudioContext(), loadClock: false });
    try {
      await e.start();
      const f0 = e.status().frame;
      await until(() => e.status().frame > f0 + 2 * SR, { engine: e, audio: 4, what: '2 s rendered' });
      expect(e.status().load).to.include({ mean: null, windows: 0, source: 'unavailable' });
      expect(e.status().load.reason).to.match(/loadClock: false/);
    } finally {
      await e.close();
    }
  });

  it("the clock's error against a known busy-wait in the worklet (to a Date.now() tick, then 1 ms)", async function () {
    // Chromium only: the reference is the worklet's own Date.now() count, which in Firefox ESR 153's
    // worklet ran past its end tick in 1 quantum of 15 by 20 ms on average (preemption or Date.now()'s
    // reduced precision there: not settled), so it is no reference there.
    if (!isolated || !chromium) this.skip();
    const e = new Engine({ context: new AudioContext({ sampleRate: 48000 }), inputs: 0, quality: 0 });
    try {
      await e.start();
      const quantumMs = (128 / e.sampleRate) * 1000;
      const port = controlLink(e).node.port;
      const report = () => new Promise((resolve) => port.addEventListener('message', function on(m) {
        if (m.data?.type === 'spin-report') { port.removeEventListener('message', on); resolve(m.data); }
      }));
      port.postMessage({ type: 'spin', ms: 1 });
      await windowsLater(e, 1); // the window the spin started in
      let r = report();
      port.postMessage({ type: 'spin', ms: 1 }); // restart the worklet's own count here
      await r;
      const { windows: w0, missed: m0 } = e.status().load;
      const means = [];
      while (means.length < 8) {
        const l = (await windowsLater(e, 1)).load;
        if (l.mean !== null) means.push(l.mean * quantumMs);
      }
      r = report();
      port.postMessage({ type: 'spin', ms: 0 });
      const ref = await r;
      const l = e.status().load;
      // What the spun quanta took by the worklet's own count (1 ms and the part-tick before it, from
      // the loop's rate, and whole ticks past the end where preempted); a quantum preempted inside
      // its spin took up to 1 ms more.
      const lo = ref.ms / ref.quanta, hi = (ref.ms + ref.preempted) / ref.quanta;
      const ours = means.reduce((x, y) => x + y, 0) / means.length;
      console.log(`clock vs a busy-wait of 1 to 2 ms a quantum (idle engine, 48 kHz): ${means.map((m) => m.toFixed(3)).join(', ')} ms a quantum in windows with a figure, ${l.windows - w0 - means.length} of ${l.windows - w0} windows without one; untimed ${l.missed - m0} of ${(l.windows - w0) * 375} quanta; the worklet's own count: ${lo.toFixed(3)} to ${hi.toFixed(3)} ms (${ref.preempted} of ${ref.quanta} quanta preempted)`);
      // The clock's error: within 0.2 ms of the spun time over 8 windows (the idle DSP's own few µs
      // inside that; on this loaded machine single windows scatter by ±0.25 ms, and the mean of 4
      // was off by 0.004, 0.06 and 0.16 ms in three runs),
      // where the worker can have a core while the audio thread runs. Where it cannot (every core
      // busy: this 2-core machine shared by other test runs) its stamps wait for the audio thread to
      // yield, and no thread clock can be right; the test says so and skips rather than pass.
      const free = await freeCore();
      console.log(`another thread's wake-up while one thread spins: p50 ${free.p50.toFixed(3)} ms, p90 ${free.p90.toFixed(3)} ms`);
      if (free.p90 > 0.1) {
        console.log(`no free core here (p90 wake-up ${free.p90.toFixed(3)} ms > 0.1 ms): the clock read ${ours.toFixed(3)} ms for ${lo.toFixed(3)} to ${hi.toFixed(3)} ms; not checked`);
        this.skip();
      }
      expect(ours).to.be.within(lo - 0.2, hi + 0.2);
    } finally {
      await e.close();
    }
  });

  it("Chromium: the load figure against Chromium's render capacity (DevTools WebAudio.getRealtimeData) at three workloads, within ±30 %", async function () {
    if (!isolated || !chromium) this.skip();
    await executeServerCommand('webaudio-enable');
    const e = new Engine({ context: new AudioContext({ sampleRate: 48000 }), inputs: 0, quality: 0 });
    try {
      await e.start();
      const rows = [];
      // The heaviest real session (64 channels, 128 voices) costs ~3 % here, where the graph's own ~1 %
      // around process() (which Chromium's figure includes and the engine's does not) is a third of
      // it; medium and heavy add a 1 ms busy-wait in one quantum of 4, and of 2 (the test hook).
      const h = session(e, 64, 128);
      for (const [name, every] of [['light', 0], ['medium', 4], ['heavy', 2]]) {
        controlLink(e).node.port.postMessage({ type: 'spin', ms: every ? 1 : 0, every });
        await windowsLater(e, 1); // the window the session started in
        for (let i = 0; i < 4; i++) {
          // Chromium's figure sampled all through the same window (it moves by ±50 % from one reading
          // to the next on this loaded machine), then averaged.
          const { windows: w0, missed: m0 } = e.status().load;
          const theirs = [];
          while (e.status().load.windows === w0) {
            theirs.push((await executeServerCommand('webaudio-realtime')).renderCapacity);
            await task(100); // a reading every ~0.1 s (more would load the machine the clock measures on)
          }
          const s = e.status();
          rows.push({ name, ours: s.load.mean, chromium: theirs.reduce((x, y) => x + y, 0) / theirs.length, readings: theirs.length, missed: s.load.missed - m0 });
        }
      }
      h.dispose();
      console.log(`load vs Chromium's render capacity: ${JSON.stringify(rows)}`);
      // Each workload: the mean of the windows that have a figure within ±30 % of Chromium's over the
      // same windows; a window without a figure must have most of its quanta untimed (never a wrong figure).
      for (const name of ['light', 'medium', 'heavy']) {
        const rs = rows.filter((r) => r.name === name);
        for (const r of rs) if (r.ours === null) expect(r.missed, JSON.stringify(r)).to.be.greaterThan(375 / 2);
        const m = rs.filter((r) => r.ours !== null);
        if (m.length === 0) continue;
        const ours = m.reduce((x, r) => x + r.ours, 0) / m.length, theirs = m.reduce((x, r) => x + r.chromium, 0) / m.length;
        expect(ours, `${name}: ${JSON.stringify(m)}`).to.be.closeTo(theirs, 0.3 * theirs);
      }
    } finally {
      await e.close();
    }
  });
});
