// Turns bench results into results.json, results.md (tables + targets) and results.svg (hand-written).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LABELS = {
  ours: 'daw-elements (one WASM worklet)',
  'ours-cold': 'daw-elements, start() before the idle-time preload',
  floor: 'floor: context + addModule + one worklet node passing a source',
  'ours-clips': 'daw-elements, the same buffers played in-engine (Channel.play; engine with inputs: 0)',
  'ours-flat': 'daw-elements, strips flat (EQ 0 dB, ratio 1)',
  'ours-idle': 'daw-elements, 0 channels (+ sources direct)',
  'ours-nocomp': 'daw-elements, compressors off (ratio 1)',
  'ours-nosrc': 'daw-elements, 32 channels claimed, no sources',
  'ours-nonotes': 'daw-elements, 64 synths, no notes (same suspends)',
  native: 'native nodes per channel',
  js: 'one JS AudioWorkletNode per channel',
  tone: 'Tone.js (EQ3 + Compressor + Channel)',
  sum: 'floor: one JS worklet summing 32 inputs',
  nop: 'floor: one worklet with 32 inputs, empty process()',
  sources: 'floor: buffer sources + gain only',
  'ours-none': 'daw-elements, one channel, no send (baseline)',
  'ours-reverb': 'daw-elements reverb bus',
  'ours-delay': 'daw-elements delay bus',
  'ours-drum': 'daw-elements drum bus',
  'ours-all': 'daw-elements, all three buses',
  base: 'native: the source alone (baseline)',
  convolver: 'native ConvolverNode, 3 s stereo impulse',
  'native-delay': 'native DelayNode feedback graph (stereo, HP + LP in the loop)',
  'tone-base': 'Tone.js: the source alone (baseline)',
  'tone-freeverb': 'Tone.js Freeverb',
  'tone-reverb': 'Tone.js Reverb (3 s, convolution)',
  'tone-feedbackdelay': 'Tone.js FeedbackDelay',
  'tone-pingpong': 'Tone.js PingPongDelay',
};
const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function targets(R) {
  const t = [];
  const mix = R.scenarios.mix?.contenders;
  const ours = mix?.ours?.xRealtime;
  const add = (name, goal, value, met, figures) => t.push({ name, goal, value, met, figures });
  // Two ways to feed the engine the same 32 looping buffers: AudioBufferSourceNodes into its worklet
  // inputs (as every peer plays them), or played from its own memory (Channel.play).
  for (const [us, how] of [['ours', 'buffers as AudioBufferSourceNodes into the engine'], ['ours-clips', 'buffers played in-engine']]) {
    const x = mix?.[us]?.xRealtime;
    if (us !== 'ours' && !Number.isFinite(x)) continue;
    for (const [c, goal, label] of [['native', 10, 'native graph'], ['js', 3, 'per-node JS worklets'], ['tone', 50, 'Tone.js'], ['sum', 0.75, 'bare summing floor']]) {
      const r = mix?.[c] && Number.isFinite(mix[c].xRealtime) ? x / mix[c].xRealtime : NaN;
      add(`32-channel mix vs ${label} (${how})`, `>= ${goal}x`, r, Number.isFinite(r) ? r >= goal : null,
        `${f(x)}x RT vs ${f(mix?.[c]?.xRealtime, 2)}x RT = ${f(r, 2)}x`);
    }
  }
  const sess = R.scenarios.session?.contenders?.ours?.xRealtime;
  add('full session (64 voices, 32 ch) offline', '>= 40x realtime', sess, Number.isFinite(sess) ? sess >= 40 : null, `${f(sess)}x realtime`);
  const fx = R.scenarios.fx?.contenders;
  const cost = (k) => fx?.[k]?.costUs;
  for (const [peer, goal, label] of [['tone-freeverb', 10, 'Tone.js Freeverb'], ['convolver', 5, 'a native ConvolverNode (3 s stereo impulse)']]) {
    const r = cost(peer) / cost('ours-reverb');
    add(`reverb bus vs ${label}`, `>= ${goal}x cheaper`, r, Number.isFinite(r) ? r >= goal : null,
      `${f(cost('ours-reverb'), 2)} vs ${f(cost(peer), 2)} µs per quantum = ${f(r, 2)}x`);
  }
  const iso = R.scenarios.params?.iso;

  add('port messages per parameter change (isolated)', '0', iso?.messagesPerChange, iso ? iso.portMessages === 0 : null,
    iso ? `${iso.portMessages} messages for ${iso.changes} changes` : 'n/a');
  const rt = R.scenarios.realtime;
  if (rt?.lanes) add('realtime: 128 voices, 64 channels, 3 bus effects', '<= 15 % render capacity (mean), 0 underruns', rt.renderCapacityMean,
    Number.isFinite(rt.renderCapacityMean) && rt.underruns !== null ? rt.renderCapacityMean <= 0.15 && rt.underruns === 0 : null,
    `${f((rt.renderCapacityMean ?? NaN) * 100, 1)} % mean, ${f((rt.renderCapacityMax ?? NaN) * 100, 1)} % max, ${rt.underruns ?? 'n/a'} underruns in ${rt.seconds} s`);
  add('heap growth per quantum', '0', rt?.mainHeapGrowth, rt ? rt.mainHeapGrowth < 64 * 1024 : null,
    rt ? `main thread ${rt.mainHeapGrowth} B over ${rt.quanta} quanta of the realtime session (after gc(); growth < 64 KiB counts as zero, negative = setup garbage freed); audio-thread heap not observable from the page` : 'n/a');
  const nt = R.scenarios.notes?.iso;
  add('heap growth per note', '0', nt?.bytesPerNote, nt ? nt.heapGrowthSecondHalf < 8 * 1024 : null,
    nt ? `main thread, after gc(): ${nt.heapGrowthSecondHalf} B over the second ${nt.notes / 2} notes = ${f(nt.bytesPerNote, 2)} B/note (|growth| < 8 KiB counts as zero: GC noise); ${nt.heapGrowth} B over all ${nt.notes} incl. first-use; audio-thread heap not observable` : 'n/a');
  const so = R.scenarios.song?.contenders?.ours;
  add('MIDI song onset error (10,000 notes, realtime)', '0 frames', so?.worstMaxAbsErr, so ? so.worstMaxAbsErr === 0 : null,
    so ? `${so.exact} of ${so.notes} on the nearest frame, ${so.within1} within 1 frame, worst ${so.worstMaxAbsErr}; Tone.js: ${R.scenarios.song.contenders.tone ? `${R.scenarios.song.contenders.tone.exact} on the nearest frame, ${R.scenarios.song.contenders.tone.missing} missing, worst ${R.scenarios.song.contenders.tone.worstMaxAbsErr}` : 'n/a'}` : 'n/a');
  return t;
}

function markdown(R, T) {
  const m = R.meta, L = [];
  L.push(`# daw-elements benchmark results`, '');
  L.push(`${m.date} — ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB — ${m.browser} headless — Node ${m.node} — ${R.config.quick ? '**quick run**' : 'full run'} (${f(m.durationS, 0)} s)`);
  L.push(`Load average at start ${m.loadavgStart.map((x) => x.toFixed(2)).join(' ')}, at end ${m.loadavgEnd?.map((x) => x.toFixed(2)).join(' ')} (shared machine: expect noise).`, '');
  if (!m.ours) L.push(`**This engine was not available** (${m.oursError}); only the peers ran.`, '');
  L.push('## Targets', '', '| target | goal | result | met |', '|---|---|---|---|');
  for (const t of T) L.push(`| ${t.name} | ${t.goal} | ${t.figures} | ${t.met === null ? 'n/a' : t.met ? 'met' : '**not met**'} |`);
  const mix = R.scenarios.mix;
  if (mix) {
    L.push('', `## 32-channel mix (${mix.seconds} s at 48 kHz offline, median of ${mix.rounds} rotated rounds)`, '');
    L.push('| contender | render ms | x realtime | µs / quantum | ours ÷ this | runs (ms) |', '|---|---|---|---|---|---|');
    const ours = mix.contenders.ours?.xRealtime;
    for (const [c, v] of Object.entries(mix.contenders)) {
      L.push(`| ${LABELS[c] ?? c} | ${f(v.medianMs, 0)} | ${f(v.xRealtime, 2)} | ${f(v.usPerQuantum, 1)} | ${Number.isFinite(ours) ? f(ours / v.xRealtime, 2) + 'x' : 'n/a'} | ${v.error ? 'failed: ' + esc(v.error) : v.runsMs.join(', ')} |`);
    }
  }
  const c = mix?.contenders;
  if (c?.ours && c['ours-idle']) {
    const us = (k) => c[k]?.usPerQuantum;
    L.push('', '### Where this engine\'s time goes (µs per quantum, 32-channel mix, differences of the variants above)', '');
    L.push(`- context + 32 looping sources + an engine with no channel (ours-idle): ${f(us('ours-idle'))}; the sources alone: ${f(us('sources'))} → engine fixed cost ≈ ${f(us('ours-idle') - us('sources'))}`);
    if (c['ours-nosrc']) L.push(`- 32 channels claimed but silent (no sources connected): ${f(us('ours-nosrc'))} → ≈ ${f(us('ours-nosrc') - us('ours-idle'))} for 32 idle slots`);
    if (c['ours-flat']) L.push(`- 32 fed channels, flat strips (EQ 0 dB, ratio 1, no sends): ${f(us('ours-flat'))} → ≈ ${f(us('ours-flat') - us('ours-idle'))} for input transfer + mixing 32 live channels (${f((us('ours-flat') - us('ours-idle')) / 32, 2)} per channel)`);
    if (c['ours-nocomp']) L.push(`- + EQ, fader, pan, sends (compressor ratio 1): ${f(us('ours-nocomp'))} → ≈ ${f(us('ours-nocomp') - us('ours-flat'))} (${f((us('ours-nocomp') - us('ours-flat')) / 32, 2)} per channel)`);
    L.push(`- + compressors (full strips): ${f(us('ours'))} → ≈ ${f(us('ours') - (us('ours-nocomp') ?? us('ours-flat')))} (${f((us('ours') - (us('ours-nocomp') ?? us('ours-flat'))) / 32, 2)} per channel)`);
    if (c['ours-clips']) L.push(`- The same full mix with the buffers played in-engine (no AudioBufferSourceNodes, no worklet inputs, no input copies): ${f(us('ours-clips'))}, i.e. ${f(us('ours') - us('ours-clips'))} less than through the inputs (the peers still pay for their AudioBufferSourceNodes).`);
    if (c.sum) L.push(`- for scale: the JS summing worklet floor costs ${f(us('sum'))} in total, i.e. ${f(us('sum') - us('sources'))} over the sources.`);
    if (c.nop) {
      L.push(`- Chromium's own cost of a worklet node with 32 inputs (empty process()): ${f(us('nop'))}, i.e. ${f(us('nop') - us('sources'))} over the sources. Every design that takes 32 AudioNode sources into one worklet pays it; this engine's work (its JS glue, copies into WASM memory and all DSP) is what lies above it: ${f(us('ours') - us('nop'))}.`);
      const ceil = (k) => (c[k] ? us(k) / us('nop') : NaN);
      L.push(`- Hence the best ratios any engine fed through 32 worklet inputs could reach here, with its own work taking zero time: ${f(ceil('native'), 1)}x the native graph, ${f(ceil('tone'), 1)}x Tone.js, ${f(ceil('sum'), 2)}x the summing floor. Work budget above the empty worklet for each target: native >= 10x → ${f(us('native') / 10 - us('nop'))}, Tone.js >= 50x → ${f(us('tone') / 50 - us('nop'))}, summing floor >= 0.75x → ${f(us('sum') / 0.75 - us('nop'))} (µs per quantum).`);
    }
  }
  const s = R.scenarios.session;
  if (s) {
    L.push('', `## Full session (64 voices as 2 synth lanes per channel into 32 strips, one note per lane every 0.25 s, ${s.seconds} s offline)`, '');
    L.push('Ours: `engine.createSynth` (saw, 2.4 kHz low-pass, ADSR). Peers: OscillatorNode → lowpass BiquadFilter → GainNode envelope per note, into the same strips.', '');
    L.push('| contender | render ms | x realtime | runs (ms) |', '|---|---|---|---|');
    for (const [c, v] of Object.entries(s.contenders)) L.push(`| ${LABELS[c] ?? c} | ${f(v.medianMs, 0)} | ${f(v.xRealtime, 1)} | ${v.error ? 'failed: ' + esc(v.error) : v.runsMs.join(', ')} |`);
  }
  const fxs = R.scenarios.fx;
  if (fxs) {
    L.push('', `## Bus effects: cost per 128-frame quantum (one looping stereo source, ${fxs.seconds} s offline, median of ${fxs.rounds} rotated rounds)`, '');
    L.push('Cost = render time minus the baseline of the same kind. Ours: a channel sending 1 to the bus, minus the same engine with no send (the buses skipped): the effect plus the bus group\'s strip. Drum bus with every stage on (glue, drive, crunch, transients, boom, damping). Peers: the effect between the source and the destination, minus the source alone (Tone.js in its own offline context).', '');
    L.push('| contender | µs / quantum | baseline | cost µs / quantum | runs (µs / quantum) |', '|---|---|---|---|---|');
    for (const [c, v] of Object.entries(fxs.contenders)) L.push(`| ${LABELS[c] ?? c} | ${f(v.usPerQuantum, 2)} | ${v.baseline ?? '-'} | ${v.baseline ? f(v.costUs, 2) : '-'} | ${v.error ? 'failed: ' + esc(v.error) : v.runsUs.join(', ')} |`);
    const u = R.scenarios.fxunits?.usPerQuantum;
    if (u) L.push('', `The WASM units alone (bench/reverb-micro.mjs, bench/fx-cost.mjs: Node's V8, CPU time): reverb ${f(u.reverb, 2)}, delay ${f(u.delay, 2)}, drum bus ${f(u['drum bus'], 2)} µs per quantum (budget ${f((128 / 48000) * 1e6, 0)} µs at 48 kHz).`);
  }
  const sc = R.scenarios.scaling;
  if (sc) {
    L.push('', `## Scaling: µs per 128-frame quantum (budget ${f(sc.quantumBudgetUs, 0)} µs at 48 kHz)`, '');
    const ns = [...new Set(Object.values(sc.channels).flatMap((o) => Object.keys(o)))].map(Number).sort((a, b) => a - b);
    L.push(`| channels | ${ns.join(' | ')} |`, `|---|${ns.map(() => '---').join('|')}|`);
    for (const [c, o] of Object.entries(sc.channels)) L.push(`| ${LABELS[c] ?? c} | ${ns.map((n) => (o[n] === undefined ? 'n/a' : f(o[n], 1))).join(' | ')} |`);
    L.push('', '0 channels = the context rendering nothing but the (empty) graph; ours through its inputs at 64 is n/a: the engine has 32 external inputs for AudioNode sources (every channel can take clips and synths).');
    if (sc.voices) {
      const vs = Object.keys(sc.voices);
      L.push('', `| voices (ours, 32 channels) | ${vs.join(' | ')} |`, `|---|${vs.map(() => '---').join('|')}|`, `| µs / quantum | ${vs.map((v) => f(sc.voices[v], 1)).join(' | ')} |`);
    } else if (sc.voiceError) L.push('', `Voices: failed (${esc(sc.voiceError)}).`);
  }
  const st = R.scenarios.startup;
  if (st) {
    L.push('', `## Start-up on a realtime AudioContext (${st.channels} channels, fresh page each run, median of ${st.rounds})`, '');
    L.push('From the start call (ours: `engine.start()`, which creates the context, adds the worklet module and makes the node; peers: `new AudioContext()` + building the graph, JS peer incl. `addModule`) to the first non-silent sample reaching the destination, seen by an AnalyserNode on the first node connected to it and polled with setTimeout(0) (±~1 ms); the device latency to the speaker comes on top. Ours as a page meets it: `getEngine()` and the channels at load, the engine\'s idle-time preload (WASM fetched, compiled and run once; worklet script fetched) done, and the gesture 0.5 s later; \'start() before the idle-time preload\' is a gesture that comes first. Target: first output within 20 ms of `start()`.', '');
    L.push('| contender | start resolved ms | first audible quantum ms | baseLatency ms | outputLatency ms | audio nodes created |', '|---|---|---|---|---|---|');
    for (const [c, v] of Object.entries(st.contenders)) L.push(`| ${LABELS[c] ?? c} | ${f(v.startResolvedMs)} | ${f(v.firstAudibleMs)} | ${f(v.baseLatencyMs)} | ${f(v.outputLatencyMs)} | ${v.nodesCreated} |`);
  }
  const rg = R.scenarios.register;
  if (rg) {
    L.push('', `## Registering channel N (N = 1…64), ${rg.timerResolution}`, '');
    L.push('| contender | median µs / channel | channel 1 | channel 32 | channel 64 | audio nodes per channel |', '|---|---|---|---|---|---|');
    for (const [c, v] of Object.entries(rg.contenders)) L.push(`| ${LABELS[c] ?? c} | ${f(v.medianUs)} | ${f(v.firstUs)} | ${f(v.at32Us)} | ${f(v.at64Us)} | ${v.nodesPerChannel} |`);
  }
  const mem = R.scenarios.memory;
  if (mem) {
    L.push('', '## Memory', '');
    L.push(`WASM memory (engine.status().wasmBytes): **${(mem.wasmBytes / 1024).toFixed(0)} KiB**. Main-thread JS heap (performance.memory, precise=${mem.precise}, after gc()): engine + 32 channels **+${(mem.heapEngine32 / 1024).toFixed(0)} KiB**, + 64 synths **+${(mem.heapWith64Synths / 1024).toFixed(0)} KiB** in total.`);
  }
  const p = R.scenarios.params;
  if (p) {
    L.push('', '## Parameter traffic (20 channels × 1 change per animation frame on a realtime context)', '');
    L.push('| page | seconds | changes | changes/s | port messages | messages / change | µs per set() (rAF, coarse) | µs per set() (200k loop) |', '|---|---|---|---|---|---|---|---|');
    for (const [k, v] of Object.entries(p)) L.push(`| ${k === 'iso' ? 'cross-origin isolated (SAB)' : 'not isolated (batched messages)'} | ${v.seconds} | ${v.changes} | ${f(v.changesPerSecond, 0)} | ${v.portMessages} | ${f(v.messagesPerChange, 4)} | ${f(v.usPerSetInRaf, 3)} | ${f(v.usPerSetLoop, 3)} |`);
    L.push('', 'Port messages are counted by wrapping MessagePort.prototype.postMessage on the page. Headless Chromium may run rAF below 60 fps; changes/s shows what was achieved. Without isolation performance.now() is coarsened to 100 µs, so the rAF figure there is rough; the loop figure is not.');
  }
  const an = R.scenarios.analysis;
  if (an) {
    L.push('', `## Analysis cost (${an.strips} of 32 channels analysed, ${an.seconds} s offline, read every ${an.pollEveryQuanta} quanta)`, '');
    L.push('| contender | µs per strip per quantum | render ms with / without (median) |', '|---|---|---|');
    if (an.usPerStripQuantum.ours !== undefined) {
      L.push(`| this engine: peak, true peak, correlation, loudness, spectrum 4096, scope (read(), spectrum(), scope()) | ${f(an.usPerStripQuantum.ours, 2)} | ${f(an.medianMs.ours, 0)} / ${f(an.medianMs['ours-none'], 0)} |`);
      L.push(`| this engine: spectrum 4096 and scope only (what an AnalyserNode gives) | ${f(an.usPerStripQuantum.oursFft, 2)} | ${f(an.medianMs['ours-fft'], 0)} / ${f(an.medianMs['ours-none'], 0)} |`);
    }
    L.push(`| one AnalyserNode per channel, fftSize 4096 (getFloatFrequencyData + getFloatTimeDomainData) | ${f(an.usPerStripQuantum.native, 2)} | ${f(an.medianMs.native, 0)} / ${f(an.medianMs['native-none'], 0)} |`);
    L.push('', 'The difference between each mix with and without its analysis (same sources, same suspend() every 8 quanta), over quanta and strips. The AnalyserNode computes its FFT on the main thread when read; ours computes in the DSP and the page copies results. `node bench/analysis-wasm.mjs` gives each of our kinds alone.');
  }
  const n = R.scenarios.notes;
  if (n) {
    L.push('', '## Notes: main-thread heap growth (after gc())', '');
    L.push('| page | notes | heap growth, all notes (B) | growth over 2nd half (B) | B / note (2nd half) | dropped | late |', '|---|---|---|---|---|---|---|');
    for (const [k, v] of Object.entries(n)) L.push(`| ${k === 'iso' ? 'isolated' : 'not isolated'} | ${v.notes} | ${v.heapGrowth} | ${v.heapGrowthSecondHalf} | ${f(v.bytesPerNote, 2)} | ${v.droppedNotes} | ${v.lateNotes} |`);
    L.push('', 'The audio thread\'s (AudioWorkletGlobalScope) heap is not observable from the page or through performance.memory; only main-thread growth is measured.');
  }
  const rt = R.scenarios.realtime;
  if (rt) {
    L.push('', `## Realtime load (${rt.lanes ? `${rt.lanes} legato lanes (up to 128 voices), ${rt.channels} channels, three bus effects, full quality` : '64 voices, 32 channels'}, ${rt.seconds} s on a realtime AudioContext)`, '');
    L.push(`- Chrome DevTools Protocol WebAudio domain: ${rt.cdpWebAudio ? 'exposed' : 'not usable (' + esc(rt.cdpError ?? 'no realtime context reported') + ')'}`);
    if (rt.cdpWebAudio) L.push(`- renderCapacity mean **${f(rt.renderCapacityMean, 3)}**, max ${f(rt.renderCapacityMax, 3)}; callbackIntervalMean ${f(rt.callbackIntervalMean * 1000, 2)} ms, max variance ${rt.callbackIntervalVarianceMax.toExponential(2)}`);
    L.push(rt.engineLoadMean === null
      ? `- engine's own load figure (status().load): n/a — no load clock here or it timed under half of each window (its worker gets no free core while the audio thread renders)${rt.engineLoadReason ? ` (${esc(rt.engineLoadReason)})` : ''}; the render capacity above is the figure. Active voices (median of 1 s samples) ${rt.activeVoicesMedian}`
      : `- engine's own load figure (status().load): mean ${f(rt.engineLoadMean, 3)}, max ${f(rt.engineLoadMax, 3)}; active voices (median of 1 s samples) ${rt.activeVoicesMedian}`);
    L.push(`- quanta rendered ${rt.quanta} of ~${rt.expectedQuanta} expected; late notes ${rt.lateNotes}, dropped ${rt.droppedNotes}, stolen voices ${rt.stolenVoices}, non-finite ${rt.nonFinite}`);
    L.push(`- glitches: ${rt.playbackStats ? 'AudioContext.playbackStats ' + esc(JSON.stringify(rt.playbackStats)) : 'AudioContext.playbackStats not exposed; CDP gives no underrun count (callback interval variance is the proxy)'}`);
    L.push(`- main-thread heap growth over the run: ${rt.mainHeapGrowth} B; baseLatency ${f(rt.baseLatencyMs)} ms, outputLatency ${f(rt.outputLatencyMs)} ms`);
    const off = rt.clockOff;
    if (off) L.push(`- the cost of measuring the load: the same session with the load clock off (loadClock: false): renderCapacity mean **${f(off.renderCapacityMean, 3)}**, max ${f(off.renderCapacityMax, 3)}, underruns ${off.underruns ?? 'n/a'} (clock on: ${f(rt.renderCapacityMean, 3)}, ${rt.underruns ?? 'n/a'})`);
  }
  const ov = R.scenarios.overload;
  if (ov?.auto && ov?.fixed) {
    L.push('', `## Overload and adaptive quality (${ov.auto.seconds} s, 128 held voices, the worklet's per-voice busy-wait hook from t = 0)`, '');
    for (const [name, r] of [['quality \'auto\'', ov.auto], ['fixed full quality (quality: 0)', ov.fixed]]) {
      L.push(r.error ? `- ${name}: ${esc(r.error)}` : `- ${name}: **${r.underruns} underruns**; per second ${r.perSecond.join(', ')}; the count last changed at ${r.lastCountChangeS} s (playbackStats updates about once a second); levels ${r.levels.map((l) => `${l.t} s → ${l.level} (${esc(l.reason)})`).join(', ') || 'none'}; voices at the end ${r.finalVoices}`);
    }
  }
  const sg = R.scenarios.song;
  if (sg) {
    L.push('', `## MIDI song: ${sg.notes} notes on a realtime AudioContext (bench/song.mjs, ${f(sg.seconds)} s, medians of ${sg.rounds} run${sg.rounds > 1 ? 's' : ''})`, '');
    L.push('| contender | onsets on the nearest frame | within 1 frame | late / early (> 1 frame) | missing | worst (frames) | p99 | constant offset (frames) | main thread while playing (ms; script) | main thread loading (ms; the load call) | heap: load / playing (B) |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [k, v] of Object.entries(sg.contenders)) {
      L.push(`| ${k === 'ours' ? 'daw-elements (engine.loadMidi into the timeline)' : 'Tone.js (Transport + Parts + Synths)'} | ${v.exact} | ${v.within1} | ${v.late} / ${v.early} | ${v.missing} | ${v.worstMaxAbsErr} | ${v.p99AbsErr} | ${v.offsetFrames}${k === 'ours' ? ` (limiter look-ahead ${v.latencyFrames})` : ''} | ${f(v.playTaskMs)}; ${f(v.playScriptMs)} | ${f(v.loadTaskMs)}; ${f(v.loadMs)} | ${v.heapLoadGrowth} / ${v.heapPlayGrowth} |${v.error ? ` error: ${esc(v.error)}` : ''}`);
    }
    L.push('', 'One onset every 2.5 ms then 2.08 ms (150 BPM, 180 BPM from the 5,001st note), square waves with no attack, captured from the output by a worklet (bench/peers/capture-processor.js) and matched to the times worked out from the ticks and tempi; an onset counts as on the nearest frame when it is within half a frame of its time after the contender\'s constant offset (the most common one); missing = no onset within ±40 frames (lost, or later than that). Main-thread time is DevTools Performance.getMetrics TaskDuration (ScriptDuration) over the playback (and over setting up and loading); heap is performance.memory after gc(). Tone.js figures depend strongly on the machine\'s load: its notes are scheduled from the main thread, 0.1 s ahead.');
  }
  if (R.errors.length) { L.push('', '## Errors', ''); for (const e of R.errors) L.push(`- ${e.scenario}: ${esc(e.error)}`); }
  L.push('', '## Method', '', '- Every contender renders the same work from the same 32 deterministic 2 s stereo AudioBuffers (noise and tones with level movement), looped, with the same strip settings (low shelf +3 dB @100 Hz, peak −2 dB @1 kHz, high shelf +2 dB @8 kHz, compressor −18 dB 4:1, fader, pan, sends to 3 buses) and a master compressor + limiter.',
    '- Offline figures time `startRendering()` only (graph building and engine start excluded); contenders alternate, the order rotated every round, medians reported.',
    '- Tone.js runs in its own tab (its global context) and is timed around `OfflineContext.render()` including its JS clock pass. Its EQ3 is a 3-band crossover (Tone\'s design), not three shelving/peaking biquads.',
    '- The JS worklet peer (bench/peers/js-strip-processor.js) computes the compressor in the dB domain per sample like dsp/Compressor.zig; buses and master are JS strips too; parameters would travel one port message per change.');
  return L.join('\n') + '\n';
}

function svg(R) {
  const W = 960, H = 420, parts = [];
  const text = (x, y, s, o = {}) => `<text x="${x}" y="${y}" font-size="${o.size ?? 11}" text-anchor="${o.anchor ?? 'start'}" fill="${o.fill ?? '#222'}"${o.bold ? ' font-weight="bold"' : ''}${o.rot ? ` transform="rotate(${o.rot} ${x} ${y})"` : ''}>${esc(s)}</text>`;
  const m = R.meta;
  parts.push(text(W / 2, 18, `daw-elements bench — ${m.cpu} ×${m.cores} — ${m.browser} — ${m.date.slice(0, 10)}${R.config.quick ? ' (quick)' : ''}`, { anchor: 'middle', size: 12, bold: true }));
  // panel 1: bars, x realtime (log scale)
  const mix = R.scenarios.mix?.contenders ?? {};
  const bars = Object.entries(mix).filter(([, v]) => Number.isFinite(v.xRealtime));
  const px = 250, py = 40, pw = 200, ph = 340;
  parts.push(text(10, py, `32-channel mix, ${R.scenarios.mix?.seconds ?? '?'} s offline: x realtime (log)`, { bold: true }));
  const maxV = Math.max(10, ...bars.map(([, v]) => v.xRealtime));
  const lo = 0.1, lx = (v) => (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(maxV * 1.2) - Math.log10(lo)) * pw;
  const bh = Math.min(30, (ph - 20) / Math.max(1, bars.length));
  for (const d of [0.1, 1, 10, 100, 1000]) if (d <= maxV * 1.2) { const x = px + lx(d); parts.push(`<line x1="${x}" y1="${py + 8}" x2="${x}" y2="${py + 12 + bars.length * bh}" stroke="#ddd"/>`, text(x, py + 24 + bars.length * bh, `${d}x`, { anchor: 'middle', size: 10 })); }
  bars.forEach(([c, v], i) => {
    const y = py + 12 + i * bh;
    const col = c === 'ours' ? '#d9480f' : c.startsWith('ours') ? '#f4a261' : c === 'sum' || c === 'nop' || c === 'sources' ? '#868e96' : '#1c7ed6';
    parts.push(text(px - 6, y + bh * 0.62, (LABELS[c] ?? c).replace(' (one WASM worklet)', ''), { anchor: 'end', size: 10 }));
    parts.push(`<rect x="${px}" y="${y + 2}" width="${Math.max(1, lx(v.xRealtime)).toFixed(1)}" height="${(bh - 4).toFixed(1)}" fill="${col}"/>`);
    parts.push(text(px + lx(v.xRealtime) + 4, y + bh * 0.62, `${v.xRealtime.toFixed(v.xRealtime < 10 ? 2 : 1)}x`, { size: 10 }));
  });
  // panel 2: line plot, us per quantum vs channels / voices
  const sc = R.scenarios.scaling;
  const qx = 560, qy = 50, qw = 360, qh = 300;
  parts.push(text(qx - 40, py, 'Scaling: µs per 128-frame quantum', { bold: true }));
  if (sc) {
    const series = [];
    const NAMES = { ours: ['ours, sources into inputs', '#d9480f'], 'ours-clips': ['ours, clips in-engine', '#f4a261'], native: ['native', '#1c7ed6'] };
    for (const [c, o] of Object.entries(sc.channels)) series.push({ name: `${(NAMES[c] ?? [c])[0]} vs channels`, col: (NAMES[c] ?? [c, '#888'])[1], pts: Object.entries(o).map(([n, v]) => [+n, v]).filter(([, v]) => Number.isFinite(v)) });
    if (sc.voices) series.push({ name: 'ours vs voices (32 ch)', col: '#f59f00', dash: '5 3', pts: Object.entries(sc.voices).map(([n, v]) => [+n, v]).filter(([, v]) => Number.isFinite(v)) });
    const maxX = 128, maxY = Math.max(1, ...series.flatMap((s) => s.pts.map((p) => p[1]))) * 1.1;
    const X = (x) => qx + (x / maxX) * qw, Y = (y) => qy + qh - (y / maxY) * qh;
    parts.push(`<rect x="${qx}" y="${qy}" width="${qw}" height="${qh}" fill="none" stroke="#999"/>`);
    for (const x of [0, 16, 32, 48, 64, 96, 128]) parts.push(text(X(x), qy + qh + 14, String(x), { anchor: 'middle', size: 10 }));
    parts.push(text(qx + qw / 2, qy + qh + 30, 'channels (solid) / voices (dashed)', { anchor: 'middle', size: 10 }));
    const step = Math.pow(10, Math.floor(Math.log10(maxY / 4)));
    const tick = [1, 2, 5].map((k) => k * step).find((s) => maxY / s <= 6) ?? step * 10;
    for (let y = 0; y <= maxY; y += tick) parts.push(`<line x1="${qx}" y1="${Y(y)}" x2="${qx + qw}" y2="${Y(y)}" stroke="#eee"/>`, text(qx - 4, Y(y) + 3, String(+y.toFixed(1)), { anchor: 'end', size: 10 }));
    if (sc.quantumBudgetUs < maxY) parts.push(`<line x1="${qx}" y1="${Y(sc.quantumBudgetUs)}" x2="${qx + qw}" y2="${Y(sc.quantumBudgetUs)}" stroke="#c92a2a" stroke-dasharray="2 2"/>`, text(qx + qw - 2, Y(sc.quantumBudgetUs) - 3, 'realtime budget', { anchor: 'end', size: 9, fill: '#c92a2a' }));
    series.forEach((s, i) => {
      const d = s.pts.map(([x, y], k) => `${k ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${s.col}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const [x, y] of s.pts) parts.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.col}"/>`);
      parts.push(`<line x1="${qx + 10}" y1="${qy + 14 + i * 14}" x2="${qx + 30}" y2="${qy + 14 + i * 14}" stroke="${s.col}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`, text(qx + 34, qy + 18 + i * 14, s.name, { size: 10 }));
    });
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

export async function writeReports(R, dir) {
  R.targets = targets(R);
  await writeFile(join(dir, 'results.json'), JSON.stringify(R, null, 2));
  await writeFile(join(dir, 'results.md'), markdown(R, R.targets));
  await writeFile(join(dir, 'results.svg'), svg(R));
}
