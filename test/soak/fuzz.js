// The API fuzzer (scripts/fuzz.mjs): seeded random calls on every public surface (engine, channel,
// bus, master, synth, sample and clip methods; <daw-*> attributes, properties and methods) with
// random and hostile arguments, on the page's one engine running on an OfflineAudioContext that is
// rendered in steps (suspend()/resume() every 4 quanta) so audio runs between the calls and the whole
// run depends only on the seed.
//
// A call may return, or throw a TypeError or RangeError (the documented errors; daw-error events are
// counted), or pass on unchanged an exception that one of our own hostile objects threw (a getter or
// valueOf that throws: the caller's own error), or (loadSample) reject with its documented load
// failures (a failed fetch, undecodable bytes). Anything else is a finding: another error class, an
// uncaught exception or rejection, a promise that never settles, non-finite output or
// status().nonFiniteSamples > 0, slots not given back, or an engine that no longer plays a known
// signal at the right level afterwards.
import { getEngine, STRIP_PARAMS, SYNTH_PARAMS, BUS_FX, Engine } from '../../dist/daw-elements.js';
import { rng } from './rng.js';

const SR = 48000;
const STEP = 4 * 128;
const CENTRE = Math.SQRT1_2;

/** What our hostile objects throw: recognised when it comes back out of a call. */
class FuzzBomb extends Error {}

const stripNames = [...STRIP_PARAMS.map((p) => p.name), ...BUS_FX.map((p) => p.name)]; // the bus effects' too: any strip may be asked
const synthNames = SYNTH_PARAMS.map((p) => p.name);
const attrs = {
  'daw-channel': ['label', 'headless', 'source', ...STRIP_PARAMS.filter((p) => !p.internal && p.scope !== 'master').map((p) => p.attribute)],
  'daw-synth': ['keyboard', 'midi', ...SYNTH_PARAMS.filter((p) => !p.internal).map((p) => p.attribute)],
  'daw-clip': ['src', 'loop', 'gain', 'offset', 'loop-start', 'loop-end', 'autoplay', 'playing'],
  'daw-engine': ['volume-db', 'ceiling-db', 'latency-hint'],
};
const props = {
  'daw-channel': ['label', 'headless', 'source', ...STRIP_PARAMS.filter((p) => !p.internal && p.scope !== 'master').map((p) => p.name)],
  'daw-synth': ['keyboard', 'midi', ...SYNTH_PARAMS.filter((p) => !p.internal).map((p) => p.name)],
  'daw-clip': ['src', 'loop', 'gain', 'offset', 'loopStart', 'loopEnd', 'autoplay'],
  'daw-engine': ['volumeDb', 'ceilingDb', 'latencyHint'],
};

/** A tiny 16-bit mono WAV (a 0.05 s ramp) as a blob: URL, for <daw-clip src>. */
function wavUrl() {
  const n = 2400;
  const buf = new ArrayBuffer(44 + n * 2);
  const v = new DataView(buf);
  const str = (o, s) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); str(8, 'WAVE'); str(12, 'fmt ');
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, SR, true);
  v.setUint32(28, SR * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true); str(36, 'data'); v.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) v.setInt16(44 + i * 2, ((i % 100) - 50) * 300, true);
  return URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
}

/**
 * Runs `calls` random calls from `seed`. Returns counts, findings (each with the call's index and a
 * description, to reproduce with the same seed) and the final checks.
 */
export async function fuzz({ seed, calls, perStep = 100, maxFindings = 50 }) {
  const r = rng(seed);
  const steps = Math.ceil(calls / perStep);
  const tailSeconds = 3; // the known-signal check after the last call
  const frames = (steps + 2) * STEP + Math.ceil(tailSeconds * SR / STEP) * STEP;
  const ctx = new OfflineAudioContext(2, frames, SR);
  const engine = getEngine({ context: ctx, inputs: 4 });
  const findings = [];
  const finding = (index, call, what) => { if (findings.length < maxFindings) findings.push({ index, call, what }); };
  let current = { index: -1, call: '(setup)' };
  const onError = (ev) => finding(current.index, current.call, `uncaught ${ev.error?.constructor?.name ?? 'error'}: ${ev.error?.stack ?? ev.message}`);
  const onRejection = (ev) => {
    if (ev.reason instanceof FuzzBomb) return; // our bomb, thrown inside an async call we did not await
    finding(current.index, current.call, `unhandled rejection: ${ev.reason?.stack ?? ev.reason}`);
  };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  const dawErrors = {};
  document.addEventListener('daw-error', (ev) => { dawErrors[`element:${ev.detail.code}`] = (dawErrors[`element:${ev.detail.code}`] ?? 0) + 1; });
  engine.addEventListener('daw-error', (ev) => { dawErrors[ev.detail.code] = (dawErrors[ev.detail.code] ?? 0) + 1; });
  await engine.start();
  const clipUrl = wavUrl();
  const other = new Engine({ context: new OfflineAudioContext(2, 128, SR) }); // handles of another engine
  await other.start();
  const foreign = { channel: other.createChannel(), synth: other.createSynth(null), sample: await other.loadSample(new Float32Array(8)) };

  // What the fuzzer holds: handles (live and disposed) and elements (in the page or not).
  const h = { channels: [], synths: [], samples: [], elements: [] };
  const root = document.getElementById('root');

  const bomb = () => {
    const x = r.int(0, 4);
    if (x === 0) return { get time() { throw new FuzzBomb('getter'); }, get offset() { throw new FuzzBomb('getter'); }, get velocity() { throw new FuzzBomb('getter'); }, get loop() { throw new FuzzBomb('getter'); } };
    if (x === 1) return { valueOf() { throw new FuzzBomb('valueOf'); }, toString() { throw new FuzzBomb('toString'); } };
    if (x === 2) return new Proxy({}, { get() { throw new FuzzBomb('proxy get'); }, ownKeys() { throw new FuzzBomb('proxy ownKeys'); }, has() { throw new FuzzBomb('proxy has'); }, getPrototypeOf() { throw new FuzzBomb('proxy proto'); }, getOwnPropertyDescriptor() { throw new FuzzBomb('proxy desc'); } });
    if (x === 3) return { [Symbol.toPrimitive]() { throw new FuzzBomb('toPrimitive'); } };
    return Object.create(null);
  };
  const numbers = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53 + 2, Number.MIN_VALUE, Number.EPSILON, 60, 127, 128, 127.5, 16, 17, 64, 65, 1e-300];
  const strings = ['', 'abc', '60', '-6', 'saw', 'SAW', 'reverb', 'delay', 'drum', 'volumeDb', 'x'.repeat(100000), '\u0000', '__proto__', 'constructor', 'toString', '-inf', 'Infinity', 'NaN', ' 1 ', '1e999', '#nope', 'blob:nope', 'data:,', '/missing.wav'];
  const handle = () => {
    const x = r.int(0, 6);
    if (x === 0 && h.channels.length) return r.pick(h.channels);
    if (x === 1 && h.synths.length) return r.pick(h.synths);
    if (x === 2 && h.samples.length) return r.pick(h.samples);
    if (x === 3) return r.pick([foreign.channel, foreign.synth, foreign.sample]);
    if (x === 4) return r.chance(0.5) ? engine.master : engine.bus(r.int(0, 2));
    if (x === 5 && h.elements.length) return r.pick(h.elements);
    return r.pick([new GainNode(ctx), new ConstantSourceNode(ctx), new GainNode(other.context), document.body]);
  };
  /** Any value: sane, edgy or hostile. */
  const any = () => {
    const x = r.next();
    if (x < 0.35) return r.chance(0.5) ? r.pick(numbers) : r.range(-200, 200);
    if (x < 0.5) return r.pick(strings);
    if (x < 0.6) return r.pick([null, undefined, true, false]);
    if (x < 0.7) return r.pick([{}, [], [1, 2], [new Float32Array(4)], Symbol('fuzz'), 10n, () => 1, new Date(0), new Float32Array(3), new Uint8Array([1, 2, 3]), new ArrayBuffer(8), { time: r.pick(numbers), offset: r.pick(numbers), gain: r.pick(numbers), loop: any2(), velocity: r.pick(numbers) }]);
    if (x < 0.82) return bomb();
    return handle();
  };
  const any2 = () => r.pick([true, false, 1, 0, 'yes', null, undefined]);
  const time = () => (r.chance(0.5) ? undefined : r.chance(0.7) ? engine.now() + r.range(-0.01, 0.05) : any());
  const name = (names) => (r.chance(0.8) ? r.pick(names) : any());
  /** A property key for an options object: a real name, or a string that is not one. */
  const key = (names) => (r.chance(0.85) ? r.pick(names) : r.pick(strings));
  const live = (list) => list.filter((x) => !x.isDisposed);

  const describe = (v, depth = 0) => {
    try {
      if (typeof v === 'symbol') return 'Symbol()';
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'string') return v.length > 40 ? `'${v.slice(0, 20)}…'(${v.length})` : `'${v}'`;
      if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
      if (typeof v === 'function') return 'fn';
      if (v === null || v === undefined || typeof v === 'boolean') return String(v);
      if (v instanceof Node) return `<${v.localName ?? v.nodeName}>`;
      if (v instanceof AudioNode) return v.constructor.name;
      if (v?.constructor?.name === 'Channel' || v?.constructor?.name === 'Synth' || v?.constructor?.name === 'Sample' || v?.constructor?.name === 'Strip') return `${v.constructor.name}#${v.slot}${v.isDisposed ? '(disposed)' : ''}${v.engine === other ? '(other engine)' : ''}`;
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `${v.constructor.name}(${v.byteLength})`;
      if (depth > 0) return 'obj';
      return `{${Object.entries(v).map(([k, x]) => `${k}:${describe(x, 1)}`).join(',')}}`;
    } catch {
      return 'hostile';
    }
  };

  /** The surfaces: each picks its arguments and returns [description, () => result]. */
  const ops = [
    // engine
    [3, () => { const o = r.chance(0.6) ? { label: r.pick(strings), [key(stripNames)]: any() } : any(); return [`engine.createChannel(${describe(o)})`, () => { const c = engine.createChannel(o); h.channels.push(c); return c; }]; }],
    [3, () => { const c = r.chance(0.7) ? handle() : null; const o = r.chance(0.6) ? { [key(synthNames)]: any() } : any(); return [`engine.createSynth(${describe(c)}, ${describe(o)})`, () => { const s = engine.createSynth(c, o); h.synths.push(s); return s; }]; }],
    [1, () => { const n = r.chance(0.5) ? r.int(-1, 3) : any(); return [`engine.bus(${describe(n)})`, () => engine.bus(n)]; }],
    [1.5, () => {
      const x = r.int(0, 5);
      const src = x === 0 ? new Float32Array(r.int(0, 5000)).map(() => r.pick([0.5, -1, NaN, Infinity, 0])) : x === 1 ? [new Float32Array(100), new Float32Array(r.pick([100, 99]))] : x === 2 ? new Uint8Array(r.int(0, 64)) : x === 3 ? r.pick([clipUrl, ...strings]) : any();
      const o = r.chance(0.5) ? { loopStart: r.pick(numbers), loopEnd: r.pick([undefined, ...numbers]), sampleRate: r.pick([undefined, ...numbers, 44100, 3000, 768000]) } : r.chance(0.5) ? undefined : any();
      return [`engine.loadSample(${describe(src)}, ${describe(o)})`, async () => { const s = await engine.loadSample(src, o); h.samples.push(s); return s; }];
    }],
    [0.5, () => ['engine.status()', () => { const s = engine.status(); for (const [k, v] of Object.entries(s)) if (k !== 'load' && !Number.isFinite(v)) throw new Error(`status().${k} is ${v}`); }]],
    [0.3, () => ['engine.now()/sampleRate/latencyFrames/channelCount', () => { for (const v of [engine.now(), engine.sampleRate, engine.latencyFrames, engine.channelCount, engine.synthCount, engine.sampleCount, engine.sampleBytes]) if (!Number.isFinite(v)) throw new Error(`engine reports ${v}`); }]],
    // strips: channel, bus, master
    [14, () => { const s = r.chance(0.7) && h.channels.length ? r.pick(h.channels) : r.chance(0.5) ? engine.master : engine.bus(r.int(0, 2)); const n = name(stripNames); const v = any(); return [`${describe(s)}.set(${describe(n)}, ${describe(v)})`, () => s.set(n, v)]; }],
    [2, () => { const s = r.chance(0.7) && h.channels.length ? r.pick(h.channels) : engine.master; const o = r.chance(0.7) ? { [key(stripNames)]: any(), [key(stripNames)]: any() } : any(); return [`${describe(s)}.setAll(${describe(o)})`, () => s.setAll(o)]; }],
    [1, () => { const s = r.chance(0.7) && h.channels.length ? r.pick(h.channels) : engine.master; const n = name(stripNames); return [`${describe(s)}.get(${describe(n)})`, () => s.get(n)]; }],
    [1, () => { const s = r.chance(0.7) && h.channels.length ? r.pick(h.channels) : engine.master; return [`${describe(s)}.meter()`, () => { const m = s.meter(); for (const v of Object.values(m)) if (Number.isNaN(v)) throw new Error(`meter() has NaN: ${JSON.stringify(m)}`); }]; }],
    [4, () => { if (!h.channels.length) return null; const c = r.pick(h.channels); const s = r.chance(0.8) && h.samples.length ? r.pick(h.samples) : handle(); const o = r.chance(0.7) ? { time: time(), offset: r.chance(0.5) ? r.range(0, 2) : any(), loop: any2(), gain: r.chance(0.5) ? r.range(0, 16) : any() } : any(); return [`${describe(c)}.play(${describe(s)}, ${describe(o)})`, () => c.play(s, o)]; }],
    [2, () => { if (!h.channels.length) return null; const c = r.pick(h.channels); const t = time(); return [`${describe(c)}.stop(${describe(t)})`, () => c.stop(t)]; }],
    [1.5, () => { if (!h.channels.length) return null; const c = r.pick(h.channels); const n = handle(); return [`${describe(c)}.connectSource(${describe(n)})`, () => { c.connectSource(n); if (n instanceof ConstantSourceNode) try { n.start(); } catch { /* started */ } }]; }],
    [1, () => { if (!h.channels.length) return null; const c = r.pick(h.channels); const n = r.chance(0.5) ? undefined : handle(); return [`${describe(c)}.disconnectSource(${describe(n)})`, () => c.disconnectSource(n)]; }],
    [2, () => { if (!h.channels.length) return null; const c = r.pick(h.channels); return [`${describe(c)}.dispose()`, () => c.dispose()]; }],
    // synths
    [8, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const p = r.chance(0.7) ? r.range(0, 127) : any(); const v = r.chance(0.5) ? undefined : r.chance(0.5) ? r.next() : any(); const t = time(); return [`${describe(s)}.noteOn(${describe(p)}, ${describe(v)}, ${describe(t)})`, () => s.noteOn(p, v, t)]; }],
    [4, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const p = r.chance(0.7) ? r.range(0, 127) : any(); const t = time(); return [`${describe(s)}.noteOff(${describe(p)}, ${describe(t)})`, () => s.noteOff(p, t)]; }],
    [6, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const p = r.chance(0.7) ? r.int(0, 127) : any(); const d = r.chance(0.7) ? r.range(0, 0.5) : any(); const o = r.chance(0.6) ? { time: time(), velocity: r.chance(0.5) ? r.next() : any() } : any(); return [`${describe(s)}.play(${describe(p)}, ${describe(d)}, ${describe(o)})`, () => s.play(p, d, o)]; }],
    [1, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const x = any(); return [`${describe(s)}.allNotesOff(${describe(x)})`, () => s.allNotesOff(x)]; }],
    [6, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const n = name(synthNames); const v = any(); return [`${describe(s)}.set(${describe(n)}, ${describe(v)})`, () => s.set(n, v)]; }],
    [1, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const n = name(synthNames); return [`${describe(s)}.get(${describe(n)})`, () => s.get(n)]; }],
    [1.5, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); const c = r.chance(0.3) ? null : handle(); return [`${describe(s)}.route(${describe(c)})`, () => s.route(c)]; }],
    [1.5, () => { if (!h.synths.length) return null; const s = r.pick(h.synths); return [`${describe(s)}.dispose()`, () => s.dispose()]; }],
    // samples
    [1, () => { if (!h.samples.length) return null; const s = r.pick(h.samples); return [`${describe(s)}.dispose()`, () => s.dispose()]; }],
    // elements
    [2, () => {
      const tag = r.pick(['daw-channel', 'daw-synth', 'daw-clip', 'daw-engine']);
      const parent = r.chance(0.5) ? root : r.chance(0.5) && h.elements.length ? r.pick(h.elements) : null;
      return [`create <${tag}> in ${describe(parent)}`, () => { const el = document.createElement(tag); if (tag === 'daw-clip' && r.chance(0.5)) el.setAttribute('src', clipUrl); h.elements.push(el); if (parent) parent.append(el); return { element: el }; }];
    }],
    [1.5, () => { if (!h.elements.length) return null; const el = r.pick(h.elements); const to = r.chance(0.4) ? null : r.chance(0.5) ? root : r.pick(h.elements); return [`move ${describe(el)} to ${describe(to)}`, () => { if (to === null) el.remove(); else if (!el.contains(to)) to.append(el); return { element: el }; }]; }],
    [10, () => {
      if (!h.elements.length) return null;
      const el = r.pick(h.elements);
      const a = r.chance(0.9) ? r.pick(attrs[el.localName]) : r.pick(strings).slice(0, 20).replace(/[^a-z-]/g, '') || 'x';
      const v = r.chance(0.15) ? null : r.chance(0.6) ? String(r.chance(0.5) ? r.pick(numbers) : r.range(-100, 100)) : r.pick(strings);
      return [`${describe(el)}.${v === null ? `removeAttribute('${a}')` : `setAttribute('${a}', ${describe(v)})`}`, () => { if (v === null) el.removeAttribute(a); else el.setAttribute(a, v); return { element: el }; }];
    }],
    [8, () => { if (!h.elements.length) return null; const el = r.pick(h.elements); const p = r.pick(props[el.localName]); const v = any(); return [`${describe(el)}.${p} = ${describe(v)}`, () => { el[p] = v; return { element: el }; }]; }],
    [5, () => {
      if (!h.elements.length) return null;
      const el = r.pick(h.elements);
      const methods = { 'daw-synth': ['noteOn', 'noteOff', 'play', 'allNotesOff'], 'daw-clip': ['play', 'stop', 'toggle'], 'daw-channel': ['meter'], 'daw-engine': ['start'] }[el.localName];
      const m = r.pick(methods);
      const args = [r.chance(0.6) ? r.int(0, 127) : any(), r.chance(0.5) ? r.range(0, 0.3) : any(), r.chance(0.5) ? { time: time() } : any()];
      if (m === 'play' && el.localName === 'daw-clip') args[0] = time();
      return [`${describe(el)}.${m}(${args.map((x) => describe(x)).join(', ')})`, () => { const res = el[m](...args); if (res && typeof res.then === 'function') res.catch(() => undefined); return { element: el }; }];
    }],
  ];
  const total = ops.reduce((n, [w]) => n + w, 0);
  const pickOp = () => {
    let x = r.next() * total;
    for (const [w, f] of ops) { x -= w; if (x < 0) return f; }
    return ops[0][1];
  };

  const counts = { calls: 0, returned: 0, typeError: 0, rangeError: 0, bomb: 0, loadFailed: 0, other: 0, async: 0 };
  const classify = (index, call, e) => {
    if (e instanceof FuzzBomb) counts.bomb++;
    else if (e instanceof TypeError) counts.typeError++;
    else if (e instanceof RangeError) counts.rangeError++;
    // loadSample's documented load failures (a failed fetch, bytes the browser cannot decode).
    else if (e?.constructor === Error && /^loadSample: (could not fetch|the browser could not decode)/.test(e.message)) counts.loadFailed++;
    else { counts.other++; finding(index, call, `threw ${e?.constructor?.name ?? typeof e}: ${e?.message ?? String(e)}`); }
  };
  const SETTLE_MS = 20000;
  const settle = (p) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error(`did not settle in ${SETTLE_MS / 1000} s`), { unsettled: true })), SETTLE_MS);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });

  const t0 = performance.now();
  let index = 0;
  const doStep = async () => {
    for (let i = 0; i < perStep && index < calls; i++, index++) {
      const op = pickOp()();
      if (!op) { i--; index--; continue; }
      const [call, fn] = op;
      current = { index, call };
      counts.calls++;
      try {
        const res = fn();
        if (res && typeof res.then === 'function') {
          counts.async++;
          await settle(res);
        }
        counts.returned++;
        if (res?.element?.isConnected) { // (an element out of the document does not update)
          // An element's update runs after the call (a microtask): an exception there reaches no
          // caller on a real page, so any at all is a finding.
          try {
            await settle(res.element.updateComplete);
          } catch (e) {
            finding(index, call, `the element's update threw ${e?.constructor?.name}: ${e?.message}`);
          }
        }
      } catch (e) {
        if (e?.unsettled) finding(index, call, e.message);
        else classify(index, call, e);
      }
    }
    await Promise.resolve(); // Lit updates run in microtasks
    await engine.flush();
    if (index % 10000 < perStep && index > 0) console.log(`${index} calls, ${findings.length} findings, ${h.elements.length} elements`);
  };

  let failure = null;
  const check = { status: null, level: null };
  const schedule = (k) => {
    ctx.suspend((k * STEP) / SR).then(async () => {
      try {
        if (index < calls) {
          await doStep();
          schedule(k + 1);
        } else {
          await cleanupAndProbe(k);
        }
      } catch (e) {
        failure = failure ?? e;
      }
      await ctx.resume();
    });
  };
  let probe = null;
  const cleanupAndProbe = async (k) => {
    current = { index: calls, call: '(cleanup)' };
    for (const el of h.elements) el.remove();
    for (const s of h.synths) s.dispose();
    for (const c of h.channels) c.dispose();
    for (const s of h.samples) s.dispose();
    // Elements free their slots in the task after a removal (a DOM move keeps them), a <daw-clip>
    // its file 50 ms after that, and a load still in flight when it completes: wait for the engine's
    // counts to reach 0 (a real event), at most 10 s (then the check below fails).
    const deadline = performance.now() + 10000;
    while ((engine.channelCount || engine.synthCount || engine.sampleCount) && performance.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    await engine.flush();
    check.counts = { channels: engine.channelCount, synths: engine.synthCount, samples: engine.sampleCount, sampleBytes: engine.sampleBytes };
    // Known state: master and buses back to their defaults, buses silent (effect tails from the fuzz).
    const defaults = (scope) => Object.fromEntries(STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === scope)).map((p) => [p.name, p.default]));
    engine.master.setAll(defaults('master'));
    for (let b = 0; b < 3; b++) engine.bus(b).setAll({ ...defaults('bus'), volumeDb: -Infinity });
    // The known signal: a 1 kHz sine at 0.5 from a clip, from 2 s after this point (compressors the
    // fuzz left with gain reduction release it at their default 100 ms: e^-20 after 2 s).
    const sine = new Float32Array(SR).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SR));
    const s = await engine.loadSample(sine, { loopStart: 0, loopEnd: 1 });
    const ch = engine.createChannel({ label: 'probe' });
    const at = (k * STEP) / SR + 2;
    ch.play(s, { time: at, loop: true });
    probe = { from: Math.round(at * SR) + engine.latencyFrames + 2400, to: Math.round(at * SR) + engine.latencyFrames + 2400 + SR / 2 };
    await engine.flush();
  };

  await doStep();
  schedule(1);
  const buf = await ctx.startRendering();
  const renderMs = performance.now() - t0;
  if (failure) throw failure;
  await engine.flush();
  const st = engine.status();
  let nonFinite = 0, peak = 0;
  for (let c = 0; c < 2; c++) {
    const d = buf.getChannelData(c);
    for (let i = 0; i < d.length; i++) { const a = Math.abs(d[i]); if (!(a <= 3.4e38)) nonFinite++; else if (a > peak) peak = a; }
  }
  // Level of the known signal against 0.5 * cos(pi/4) / sqrt(2) RMS (clip, centre pan).
  let level = null;
  if (probe && probe.to <= buf.length) {
    const d = buf.getChannelData(0);
    let sum = 0;
    for (let i = probe.from; i < probe.to; i++) sum += d[i] * d[i];
    const rms = Math.sqrt(sum / (probe.to - probe.from));
    const want = (0.5 * CENTRE) / Math.SQRT2;
    level = { rms, want, errorDb: 20 * Math.log10(rms / want) };
  }
  window.removeEventListener('error', onError);
  window.removeEventListener('unhandledrejection', onRejection);
  return {
    seed, calls: counts.calls, counts, dawErrors, findings, renderMs, seconds: buf.length / SR, nonFinite, peak, level,
    status: { nonFiniteSamples: st.nonFiniteSamples, lateNotes: st.lateNotes, droppedNotes: st.droppedNotes, stolenVoices: st.stolenVoices, droppedClipEvents: st.droppedClipEvents, wasmBytes: st.wasmBytes, quanta: st.quanta },
    after: check.counts, shared: engine.shared,
  };
}

window.fuzz = fuzz;
window.ready = true;
