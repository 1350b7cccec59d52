#!/usr/bin/env node
// daw-elements benchmark suite: `npm run bench` (full) or `npm run bench -- --quick`.
// Serves the repo root on 127.0.0.1 (one path prefix with COOP/COEP, one without), drives headless
// Chromium through puppeteer-core, runs every contender alternately (rotated order), and writes
// bench/results.json, bench/results.md and bench/results.svg.
import http from 'node:http';
import os from 'node:os';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { writeReports } from './report.mjs';
import { songNotes } from './song.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = normalize(join(HERE, '..'));
const args = new Set(process.argv.slice(2));
const argVal = (name, d) => { const a = process.argv.find((x) => x.startsWith(`--${name}=`)); return a ? a.split('=')[1] : d; };
const QUICK = args.has('--quick');
const ONLY = argVal('only', null)?.split(',');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const OUT = argVal('out', HERE);
const STARTUP_ROUNDS = argVal('startup-rounds', null);

const CFG = QUICK
  ? { mixSeconds: 4, mixRounds: 3, sessionSeconds: 4, sessionRounds: 2, scaleSeconds: 1, scaleRounds: 1, voiceSeconds: 1, voiceRounds: 1, startupRounds: 3, registerRounds: 1, paramSeconds: 3, notes: 10000, realtimeSeconds: 10, songRounds: 1, overloadSeconds: 8, fxSeconds: 5, fxRounds: 2 }
  : { mixSeconds: 20, mixRounds: 5, sessionSeconds: 20, sessionRounds: 3, scaleSeconds: 4, scaleRounds: 3, voiceSeconds: 3, voiceRounds: 3, startupRounds: 5, registerRounds: 3, paramSeconds: 10, notes: 10000, realtimeSeconds: 60, songRounds: 2, overloadSeconds: 10, fxSeconds: 20, fxRounds: 3 };
if (STARTUP_ROUNDS) CFG.startupRounds = Math.max(1, Number(STARTUP_ROUNDS) | 0);

// ---------- static server ----------
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml' };
function serve() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/(iso|plain)(\/.*)$/.exec(url.pathname);
    if (!m) { res.writeHead(404).end(); return; }
    const file = normalize(join(ROOT, decodeURIComponent(m[2])));
    if (!file.startsWith(ROOT)) { res.writeHead(403).end(); return; }
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      // dist/ as a CDN serves it (cacheable); the rest uncached. Start-up runs use a fresh browser
      // context (its own empty HTTP cache) per page: a first visit.
      const cache = m[2].startsWith('/dist/') ? 'public, max-age=3600' : 'no-store';
      const headers = { 'Content-Type': MIME[extname(file)] || 'application/octet-stream', 'Cache-Control': cache };
      if (m[1] === 'iso') Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' });
      res.writeHead(200, headers).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------- stats ----------
const median = (a) => { const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y); if (!s.length) return NaN; const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const rotate = (a, r) => a.slice(r % a.length).concat(a.slice(0, r % a.length));
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s]`, ...a);
const T0 = Date.now();
const songSeconds = songNotes().at(-1).seconds;

async function main() {
  if (args.has('--report-only')) { // regenerate results.md / results.svg from results.json
    await writeReports(JSON.parse(await readFile(join(OUT, 'results.json'), 'utf8')), OUT);
    log(`rewrote ${join(OUT, 'results.md')}, results.svg`);
    return;
  }
  const dist = ['dist/daw-elements.js', 'dist/daw-worklet.js', 'dist/daw-dsp.wasm'].map((f) => [f, existsSync(join(ROOT, f))]);
  const missing = dist.filter(([, ok]) => !ok).map(([f]) => f);
  if (missing.length) log(`WARNING: ${missing.join(', ')} missing: run \`npm run build\`; this engine is reported as unavailable`);

  const server = await serve();
  const port = server.address().port;
  const origin = `http://127.0.0.1:${port}`;
  const browser = await puppeteer.launch({
    executablePath: CHROME,
    headless: true,
    protocolTimeout: 900_000,
    args: ['--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info',
      `--js-flags=--expose-gc ${process.env.BENCH_JS_FLAGS ?? ''}`, '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'],
  });
  const results = { meta: {}, config: { quick: QUICK, ...CFG }, scenarios: {}, errors: [] };
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model;
  results.meta = { date: new Date().toISOString(), cpu, cores: os.cpus().length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), browser: await browser.version(), node: process.version, loadavgStart: os.loadavg(), engineBuilt: missing.length === 0, missing };
  log(`${results.meta.browser} on ${cpu} x${results.meta.cores}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${QUICK ? 'QUICK' : 'full'} run`);

  const open = async (kind = 'iso', { fresh = false } = {}) => {
    const page = fresh ? await (await browser.createBrowserContext()).newPage() : await browser.newPage();
    page.on('pageerror', (e) => log('pageerror', e.message));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') log(`console.${m.type()}:`, m.text()); });
    await page.goto(`${origin}/${kind}/bench/index.html`);
    await page.waitForFunction('window.benchReady === true', { timeout: 30_000 });
    const info = await page.evaluate(() => window.bench.init());
    return { page, info };
  };
  const call = (page, fn, arg) => page.evaluate((f, a) => window.bench[f](a), fn, arg);
  const gc = (page) => page.evaluate(() => { if (window.gc) { window.gc(); window.gc(); } });
  const want = (name) => !ONLY || ONLY.includes(name);
  const guard = async (name, fn) => {
    if (!want(name)) return;
    log(`--- ${name}`);
    try { results.scenarios[name] = await fn(); }
    catch (e) { log(`${name} FAILED: ${e.message}`); results.errors.push({ scenario: name, error: String(e.message || e) }); }
  };

  const { page, info } = await open('iso');
  results.meta.isolated = info.isolated;
  results.meta.ours = info.ours;
  results.meta.oursError = info.oursError;
  results.meta.preciseMemory = info.preciseMemory;
  log(`page: isolated=${info.isolated} engine=${info.ours ? 'loaded' : 'unavailable (' + info.oursError + ')'}`);
  const tonePage = want('mix') ? (await open('iso')).page : null;

  // ---- 32-channel mix ----
  await guard('mix', async () => {
    const contenders = ['ours', 'ours-clips', 'native', 'js', 'tone', 'sum', 'nop', 'sources', 'ours-nocomp', 'ours-flat', 'ours-nosrc', 'ours-idle'].filter((c) => info.ours || !c.startsWith('ours'));
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    const errs = {};
    for (let r = 0; r < CFG.mixRounds; r++) {
      for (const c of rotate(contenders, r)) {
        if (errs[c]) continue;
        const p = c === 'tone' ? tonePage : page;
        try {
          await gc(p);
          const res = await call(p, 'mix', { contender: c, channels: 32, seconds: CFG.mixSeconds });
          runs[c].push(res);
          log(`mix r${r} ${c.padEnd(9)} ${res.renderMs.toFixed(0).padStart(6)} ms  ${res.xRealtime.toFixed(1).padStart(7)}x RT  peak ${res.peak?.toFixed?.(3)}`);
        } catch (e) { errs[c] = String(e.message || e); log(`mix ${c} failed: ${errs[c]}`); }
      }
    }
    const out = {};
    for (const c of contenders) {
      const ms = median(runs[c].map((x) => x.renderMs));
      out[c] = { medianMs: ms, xRealtime: (CFG.mixSeconds * 1000) / ms, usPerQuantum: (ms * 1000) / Math.ceil((CFG.mixSeconds * 48000) / 128), runsMs: runs[c].map((x) => +x.renderMs.toFixed(1)), peak: runs[c][0]?.peak, status: runs[c].at(-1)?.status, error: errs[c] };
    }
    return { seconds: CFG.mixSeconds, channels: 32, rounds: CFG.mixRounds, contenders: out };
  });
  if (tonePage) await tonePage.close();

  // ---- analysis: ours per strip against one AnalyserNode per channel, polled at the same rate ----
  await guard('analysis', async () => {
    const strips = 4; // our spectrum and scope pools hold 4 strips (protocol/contract.json analysis)
    const seconds = QUICK ? 2 : 6;
    const rounds = QUICK ? 2 : 5;
    const contenders = ['ours', 'ours-fft', 'ours-none', 'native', 'native-none'].filter((c) => info.ours || !c.startsWith('ours'));
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (const c of rotate(contenders, r)) {
        await gc(page);
        const res = await call(page, 'analysis', { contender: c.replace(/-none|-fft/, ''), analyse: !c.endsWith('-none'), kinds: c.endsWith('-fft') ? 'fft' : 'all', strips, seconds });
        runs[c].push(res.renderMs);
        log(`analysis r${r} ${c.padEnd(11)} ${res.renderMs.toFixed(0).padStart(6)} ms`);
      }
    }
    const quanta = Math.ceil((seconds * 48000) / 128);
    const med = Object.fromEntries(contenders.map((c) => [c, median(runs[c])]));
    const perStrip = (c) => ((med[c] - med[`${c.replace('-fft', '')}-none`]) * 1000) / quanta / strips;
    const out = { seconds, strips, rounds, pollEveryQuanta: 8, medianMs: med, runsMs: runs, usPerStripQuantum: { native: perStrip('native') } };
    if (info.ours) Object.assign(out.usPerStripQuantum, { ours: perStrip('ours'), oursFft: perStrip('ours-fft') });
    log(`analysis: µs per strip per quantum: ours (every kind) ${out.usPerStripQuantum.ours?.toFixed(2)}, ours (spectrum + scope) ${out.usPerStripQuantum.oursFft?.toFixed(2)}, AnalyserNode ${out.usPerStripQuantum.native.toFixed(2)}`);
    return out;
  });

  // ---- full session ----
  await guard('session', async () => {
    const contenders = ['ours', 'native', 'js', 'ours-nonotes'].filter((c) => info.ours || !c.startsWith('ours'));
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    const errs = {};
    for (let r = 0; r < CFG.sessionRounds; r++) {
      for (const c of rotate(contenders, r)) {
        if (errs[c]) continue;
        try {
          await gc(page);
          const res = await call(page, 'session', { contender: c, seconds: CFG.sessionSeconds });
          runs[c].push(res);
          log(`session r${r} ${c.padEnd(7)} ${res.renderMs.toFixed(0).padStart(6)} ms  ${res.xRealtime.toFixed(1).padStart(7)}x RT  peak ${res.peak?.toFixed?.(3)} notes ${res.notes}${res.status ? ' voices ' + res.status.activeVoices + ' stolen ' + res.status.stolenVoices + ' dropped ' + res.status.droppedNotes : ''}`);
        } catch (e) { errs[c] = String(e.message || e); log(`session ${c} failed: ${errs[c]}`); }
      }
    }
    const out = {};
    for (const c of contenders) {
      const ms = median(runs[c].map((x) => x.renderMs));
      out[c] = { medianMs: ms, xRealtime: (CFG.sessionSeconds * 1000) / ms, runsMs: runs[c].map((x) => +x.renderMs.toFixed(1)), peak: runs[c][0]?.peak, notes: runs[c][0]?.notes, status: runs[c].at(-1)?.status, error: errs[c] };
    }
    return { seconds: CFG.sessionSeconds, voices: 64, channels: 32, rounds: CFG.sessionRounds, contenders: out };
  });

  // ---- bus effects: each effect on one looping stereo source, offline, against the peers' ----
  // Cost = render time minus the baseline of the same kind, per 128-frame quantum. Ours: a channel
  // sending 1 to the bus minus the same engine with no send (the buses skipped), so the figure is
  // the effect plus the bus group's strip; the WASM units alone come from fxunits below.
  await guard('fx', async () => {
    const kinds = [
      ['ours-none', null], ['ours-reverb', 'ours-none'], ['ours-delay', 'ours-none'], ['ours-drum', 'ours-none'], ['ours-all', 'ours-none'],
      ['base', null], ['convolver', 'base'], ['native-delay', 'base'],
      ['tone-base', null], ['tone-freeverb', 'tone-base'], ['tone-reverb', 'tone-base'], ['tone-feedbackdelay', 'tone-base'], ['tone-pingpong', 'tone-base'],
    ].filter(([c]) => info.ours || !c.startsWith('ours'));
    const contenders = kinds.map(([c]) => c);
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    const errs = {};
    const fxPage = (await open('iso')).page; // Tone.js sets a page-global context
    for (let r = 0; r < CFG.fxRounds; r++) {
      for (const c of rotate(contenders, r)) {
        if (errs[c]) continue;
        const p = c.startsWith('tone') ? fxPage : page;
        try {
          await gc(p);
          const res = await call(p, 'fx', { contender: c, seconds: CFG.fxSeconds });
          runs[c].push(res);
          log(`fx r${r} ${c.padEnd(18)} ${res.renderMs.toFixed(0).padStart(6)} ms  ${res.usPerQuantum.toFixed(1).padStart(7)} µs/quantum  peak ${res.peak?.toFixed?.(3)}`);
        } catch (e) { errs[c] = String(e.message || e); log(`fx ${c} failed: ${errs[c]}`); }
      }
    }
    await fxPage.close();
    const out = {};
    for (const [c, base] of kinds) {
      const us = median(runs[c].map((x) => x.usPerQuantum));
      const baseUs = base ? median(runs[base].map((x) => x.usPerQuantum)) : NaN;
      out[c] = { usPerQuantum: us, baseline: base, costUs: base ? us - baseUs : null, runsUs: runs[c].map((x) => +x.usPerQuantum.toFixed(2)), peak: runs[c][0]?.peak, error: errs[c] };
      if (base) log(`fx ${c}: ${out[c].costUs?.toFixed?.(2)} µs per quantum over ${base}`);
    }
    return { seconds: CFG.fxSeconds, rounds: CFG.fxRounds, contenders: out };
  });

  // The WASM effect units alone, in Node's V8 (bench/reverb-micro.mjs, bench/fx-cost.mjs).
  await guard('fxunits', async () => {
    const { spawnSync } = await import('node:child_process');
    const out = {};
    for (const [script, re] of [['reverb-micro.mjs', /^(reverb): ([\d.]+) µs/m], ['fx-cost.mjs', /^(delay|drum bus): ([\d.]+) µs/gm]]) {
      const r = spawnSync(process.execPath, [join(HERE, script), '--quanta', QUICK ? '5000' : '20000'], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${script}: ${r.stderr || r.stdout}`);
      for (const m of r.stdout.matchAll(new RegExp(re.source, 'gm'))) out[m[1]] = +m[2];
    }
    log(`fx units (WASM in Node, µs per quantum): ${JSON.stringify(out)}`);
    return { usPerQuantum: out };
  });

  // ---- scaling: channels (ours through its inputs, ours playing the buffers itself, native) and voices (ours) ----
  await guard('scaling', async () => {
    const counts = [0, 1, 8, 16, 32, 64];
    const series = { ours: {}, 'ours-clips': {}, native: {} };
    for (let r = 0; r < CFG.scaleRounds; r++) {
      for (const n of counts) {
        for (const c of rotate(['ours', 'ours-clips', 'native'], r + n)) {
          if (c.startsWith('ours') && !info.ours) continue;
          if (c === 'ours' && n > 32) continue; // 32 external inputs: see notes
          await gc(page);
          const res = await call(page, 'mix', { contender: c, channels: n, seconds: CFG.scaleSeconds });
          (series[c][n] ??= []).push(res.usPerQuantum);
        }
      }
    }
    const channels = {};
    for (const c of Object.keys(series)) channels[c] = Object.fromEntries(Object.entries(series[c]).map(([n, a]) => [n, median(a)]));
    log('channels us/quantum', JSON.stringify(channels));
    let voices = null, voiceErr;
    if (info.ours) {
      const vs = [0, 16, 32, 64, 96, 128];
      const vr = {};
      try {
        for (let r = 0; r < CFG.voiceRounds; r++) {
          for (const v of rotate(vs, r)) {
            await gc(page);
            const res = await call(page, 'voices', { voices: v, seconds: CFG.voiceSeconds });
            (vr[v] ??= []).push(res.usPerQuantum);
            if (r === 0) log(`voices ${v}: ${res.usPerQuantum.toFixed(1)} us/quantum, active ${res.status.activeVoices}, peak ${res.peak.toFixed(3)}`);
          }
        }
        voices = Object.fromEntries(vs.map((v) => [v, median(vr[v])]));
      } catch (e) { voiceErr = String(e.message || e); log('voices failed: ' + voiceErr); }
    }
    return { seconds: CFG.scaleSeconds, rounds: CFG.scaleRounds, channels, voices, voiceSeconds: CFG.voiceSeconds, voiceError: voiceErr, quantumBudgetUs: (128 / 48000) * 1e6 };
  });

  // ---- start-up (fresh page per run) and channel registration ----
  await guard('startup', async () => {
    const contenders = ['ours', 'ours-cold', 'native', 'js', 'floor'].filter((c) => info.ours || !c.startsWith('ours'));
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    for (let r = 0; r < CFG.startupRounds; r++) {
      for (const c of rotate(contenders, r)) {
        const { page: p } = await open('iso', { fresh: true });
        try { runs[c].push(await call(p, 'startup', { contender: c, channels: 32 })); }
        catch (e) { log(`startup ${c} failed: ${e.message}`); }
        await p.browserContext().close();
      }
    }
    const out = {};
    for (const c of contenders) {
      const a = runs[c];
      out[c] = { startResolvedMs: median(a.map((x) => x.startResolvedMs)), firstAudibleMs: median(a.map((x) => x.firstAudibleMs)), baseLatencyMs: a[0]?.baseLatencyMs, outputLatencyMs: a[0]?.outputLatencyMs, nodesCreated: a[0]?.nodesCreated, runs: a.map((x) => +x.firstAudibleMs.toFixed(1)) };
      log(`startup ${c}: start() resolved ${out[c].startResolvedMs.toFixed(1)} ms, first audible ${out[c].firstAudibleMs.toFixed(1)} ms (runs ${out[c].runs.join(', ')}), nodes ${out[c].nodesCreated}`);
    }
    return { channels: 32, rounds: CFG.startupRounds, contenders: out };
  });

  await guard('register', async () => {
    const contenders = ['ours', 'native', 'js'].filter((c) => info.ours || c !== 'ours');
    const out = {};
    for (const c of contenders) {
      const all = [];
      let nodes;
      for (let r = 0; r < CFG.registerRounds; r++) {
        const { page: p } = await open('iso');
        const res = await call(p, 'register', { contender: c, n: 64 });
        all.push(res.us); nodes = res.nodes;
        await p.close();
      }
      const perN = all[0].map((_, i) => median(all.map((a) => a[i])));
      out[c] = { usPerChannel: perN.map((x) => +x.toFixed(1)), medianUs: median(perN), firstUs: perN[0], at32Us: perN[31], at64Us: perN[63], nodesPerChannel: median(nodes) };
      log(`register ${c}: median ${out[c].medianUs.toFixed(1)} us/channel (first ${perN[0].toFixed(1)}, #64 ${perN[63].toFixed(1)}), ${out[c].nodesPerChannel} nodes/channel`);
    }
    return { n: 64, rounds: CFG.registerRounds, timerResolution: '5 us (cross-origin isolated page)', contenders: out };
  });

  if (info.ours) {
    await guard('memory', async () => {
      const { page: p } = await open('iso');
      const res = await call(p, 'memory');
      await p.close();
      log(`memory: wasm ${res.wasmBytes} B, heap +${res.heapEngine32} B (engine+32 ch), +${res.heapWith64Synths} B (+64 synths)`);
      return res;
    });

    await guard('params', async () => {
      const out = {};
      for (const kind of ['iso', 'plain']) {
        const { page: p, info: pi } = await open(kind);
        const res = await call(p, 'params', { seconds: CFG.paramSeconds, channels: 20 });
        await p.close();
        out[kind] = res;
        log(`params ${kind}: ${res.changes} changes (${res.changesPerSecond.toFixed(0)}/s, ${res.frames} frames), ${res.portMessages} port messages (${res.messagesPerChange.toFixed(4)}/change), set() ${res.usPerSetLoop.toFixed(3)} us (loop), ${res.usPerSetInRaf.toFixed(3)} us (in rAF); isolated=${pi.isolated} shared=${res.shared}`);
      }
      return out;
    });

    await guard('notes', async () => {
      const out = {};
      for (const kind of ['iso', 'plain']) {
        const { page: p } = await open(kind);
        const res = await call(p, 'notes', { count: CFG.notes });
        await p.close();
        out[kind] = res;
        log(`notes ${kind}: heap growth ${res.heapGrowth} B over ${res.notes} notes, ${res.heapGrowthSecondHalf} B over the second half (${res.bytesPerNote.toFixed(2)} B/note), dropped ${res.droppedNotes}, late ${res.lateNotes}`);
      }
      return out;
    });

    // 128 voices, 64 channels, three bus effects at full quality: once with the load clock, once
    // without (what measuring the load costs, in Chromium's own render capacity).
    const realtimeRun = async (loadClock) => {
      const { page: p } = await open('iso');
      const cdp = await p.createCDPSession();
      const contexts = [];
      let cdpError = null;
      cdp.on('WebAudio.contextCreated', (e) => contexts.push(e.context));
      try { await cdp.send('WebAudio.enable'); } catch (e) { cdpError = e.message; }
      const start = await call(p, 'realtimeStart', { seconds: CFG.realtimeSeconds, loadClock });
      const samples = [];
      const t0 = Date.now();
      while (Date.now() - t0 < CFG.realtimeSeconds * 1000) {
        await new Promise((r) => setTimeout(r, 1000));
        const s = { t: (Date.now() - t0) / 1000, ...(await p.evaluate(() => window.bench.realtimeSample())) };
        const rt = contexts.filter((c) => c.contextType === 'realtime').at(-1);
        if (rt && !cdpError) {
          try { Object.assign(s, (await cdp.send('WebAudio.getRealtimeData', { contextId: rt.contextId })).realtimeData); }
          catch (e) { cdpError = e.message; }
        }
        samples.push(s);
      }
      const stop = await call(p, 'realtimeStop');
      await p.close();
      const rc = samples.map((s) => s.renderCapacity).filter(Number.isFinite);
      const ld = samples.map((s) => s.load).filter(Number.isFinite);
      const ps = stop.playbackStats, ps0 = stop.playbackStatsStart;
      const out = {
        seconds: CFG.realtimeSeconds, ...start, cdpWebAudio: !cdpError && rc.length > 0, cdpError,
        renderCapacityMean: rc.length ? rc.reduce((a, b) => a + b, 0) / rc.length : null, renderCapacityMax: rc.length ? Math.max(...rc) : null,
        callbackIntervalVarianceMax: Math.max(...samples.map((s) => s.callbackIntervalVariance).filter(Number.isFinite)),
        callbackIntervalMean: median(samples.map((s) => s.callbackIntervalMean)),
        engineLoadMean: ld.length ? ld.reduce((a, b) => a + b, 0) / ld.length : null, engineLoadMax: ld.length ? Math.max(...samples.map((s) => s.loadMax).filter(Number.isFinite)) : null, engineLoadReason: samples.map((s) => s.loadReason).filter(Boolean).pop() ?? null,
        activeVoicesMedian: median(samples.map((s) => s.activeVoices)),
        quanta: stop.status.quanta, expectedQuanta: stop.expectedQuanta, lateNotes: stop.status.lateNotes, droppedNotes: stop.status.droppedNotes,
        stolenVoices: stop.status.stolenVoices, nonFinite: stop.status.nonFiniteSamples, playbackStats: ps, mainHeapGrowth: stop.heapGrowth, samples,
        underruns: ps && ps0 && Number.isFinite(ps.underrunEvents) ? ps.underrunEvents - (ps0.underrunEvents ?? 0) : ps?.underrunEvents ?? null,
      };
      log(`realtime (load clock ${loadClock ? 'on' : 'off'}): renderCapacity mean ${out.renderCapacityMean?.toFixed?.(3)} max ${out.renderCapacityMax?.toFixed?.(3)}, engine load mean ${out.engineLoadMean?.toFixed?.(3)}, voices ~${out.activeVoicesMedian}, quanta ${out.quanta}/${out.expectedQuanta}, late ${out.lateNotes}, underruns ${out.underruns}, playbackStats ${JSON.stringify(out.playbackStats)}`);
      return out;
    };
    await guard('realtime', async () => {
      const on = await realtimeRun(true);
      const off = await realtimeRun(false);
      return { ...on, clockOff: off };
    });

    // Adaptive quality under a real overload (the worklet's per-voice busy-wait hook): 'auto' and
    // fixed full quality, each from the overload's start.
    await guard('overload', async () => {
      const out = {};
      for (const quality of ['auto', 0]) {
        const { page: p } = await open('iso');
        out[quality === 'auto' ? 'auto' : 'fixed'] = await call(p, 'overload', { seconds: CFG.overloadSeconds, quality });
        await p.close();
        const r = out[quality === 'auto' ? 'auto' : 'fixed'];
        log(`overload (quality ${quality}): ${r.underruns} underruns in ${r.seconds} s, per second ${JSON.stringify(r.perSecond)}, count last changed at ${r.lastCountChangeS} s, levels ${JSON.stringify(r.levels)}`);
      }
      return out;
    });
  }

  // ---- the 10,000-note MIDI song (bench/song.mjs), realtime: ours (engine.loadMidi into the timeline)
  // against Tone.js (Transport + Parts), each on a fresh isolated page per run. Main-thread time is the
  // page's DevTools Performance metrics (TaskDuration: all main-thread tasks; ScriptDuration: JS in
  // them) over loading and over playing; onsets are found in the captured output (page.mjs onsetErrors).
  await guard('song', async () => {
    const contenders = ['ours', 'tone'].filter((c) => info.ours || c !== 'ours');
    const runs = Object.fromEntries(contenders.map((c) => [c, []]));
    const errs = {};
    const metrics = async (cdp) => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    for (let r = 0; r < CFG.songRounds; r++) {
      for (const c of rotate(contenders, r)) {
        if (errs[c]) continue;
        const { page: p } = await open('iso');
        try {
          const cdp = await p.createCDPSession();
          await cdp.send('Performance.enable');
          const m0 = await metrics(cdp);
          const load = await call(p, 'songLoad', { contender: c });
          const m1 = await metrics(cdp);
          await call(p, 'songPlay');
          const m2 = await metrics(cdp);
          const res = await call(p, 'songResult');
          const run = {
            ...load, ...res,
            loadTaskMs: (m1.TaskDuration - m0.TaskDuration) * 1000, loadScriptMs: (m1.ScriptDuration - m0.ScriptDuration) * 1000,
            playTaskMs: (m2.TaskDuration - m1.TaskDuration) * 1000, playScriptMs: (m2.ScriptDuration - m1.ScriptDuration) * 1000,
          };
          runs[c].push(run);
          log(`song r${r} ${c.padEnd(5)} onsets: ${run.detected - run.extra}/${run.notes} found, offset ${run.offsetFrames} frames (latency ${run.latencyFrames}), |error| max ${run.maxAbsErr} p99 ${run.p99AbsErr} mean ${run.meanAbsErr?.toFixed?.(3)}, exact ${run.exact}, within 1 ${run.within1}, late ${run.late}, early ${run.early}, missing ${run.missing}, extra ${run.extra}${run.toneErrors !== undefined ? `, callbacks that threw ${run.toneErrors}` : ''}; main thread: load ${run.loadTaskMs.toFixed(1)} ms (script ${run.loadScriptMs.toFixed(1)}, loadMidi/Part calls ${run.loadMs.toFixed(1)}), playing ${run.playTaskMs.toFixed(1)} ms (script ${run.playScriptMs.toFixed(1)}); heap +${run.heapLoadGrowth} B load, +${run.heapPlayGrowth} B playing`);
        } catch (e) { errs[c] = String(e.message || e); log(`song ${c} failed: ${errs[c]}`); }
        await p.close();
      }
    }
    const out = {};
    const keys = ['loadMs', 'loadTaskMs', 'loadScriptMs', 'playTaskMs', 'playScriptMs', 'heapLoadGrowth', 'heapPlayGrowth', 'heapTotalGrowth', 'offsetFrames', 'maxAbsErr', 'p99AbsErr', 'meanAbsErr', 'exact', 'within1', 'late', 'early', 'missing', 'extra', 'toneErrors'];
    for (const c of contenders) {
      out[c] = Object.fromEntries(keys.map((k) => [k, median(runs[c].map((x) => x[k]))]));
      Object.assign(out[c], { notes: runs[c][0]?.notes, latencyFrames: runs[c][0]?.latencyFrames, sampleRate: runs[c][0]?.sampleRate, runs: runs[c].length, worstMaxAbsErr: Math.max(...runs[c].map((x) => x.maxAbsErr)), error: errs[c] });
    }
    return { notes: 10000, rounds: CFG.songRounds, seconds: songSeconds, contenders: out };
  });

  results.meta.loadavgEnd = os.loadavg();
  results.meta.durationS = (Date.now() - T0) / 1000;
  await browser.close();
  server.close();
  await mkdir(OUT, { recursive: true }); // --out=DIR may name a folder that does not exist yet
  await writeReports(results, OUT);
  log(`wrote ${join(OUT, 'results.json')}, results.md, results.svg`);
}

main().catch((e) => { console.error(e); process.exit(1); });
