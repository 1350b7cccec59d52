// End-to-end: the built dist/ loaded by real pages in a real browser, the way a page author uses it.
//
//   node test/e2e/run.mjs                  Debian Chromium (CHROME_PATH to override)
//   E2E_BROWSER=firefox node test/e2e/run.mjs   Firefox ESR (FIREFOX_PATH to override)
//
// Two origins on 127.0.0.1 (test/e2e/server.mjs): pages on one, dist/ served by a "CDN" on another
// port. Each page holds <daw-engine> with a <daw-channel> holding a <daw-synth>. For each page the
// test waits for the idle-time preload (the WASM and the worklet script fetched, no AudioContext
// made), clicks "Enable audio" in the engine's shadow root (a real, trusted click), waits for the
// engine to run, plays a chord on the synth, waits for the channel meter to rise above -60 dBFS and
// the on-screen meter to move, and screenshots the page (test/e2e/screenshots/, gitignored), checking
// the image is not blank. The CSP page without 'wasm-unsafe-eval' must instead show one line naming
// the cause in a one-row bar, no "Try again" (a retry cannot fix a CSP), details saying what the page
// author must change, daw-error with that advice, and a later note must fire not-running with the same
// advice without a new start attempt. Every page, and the demo pages (demo/index.html and
// demo/mixer.html, audio enabled and clips loaded), then gets an axe-core audit (test/e2e/axe.mjs) with
// every <details> open: any violation, of any impact, fails and is printed in full. The mixer demo
// plays its song first (its three buses and the master must show a level), so the audit sees the
// console with moving meters.
// The React 19 page (test/e2e/react/, type-checked and built by Vite first: test/e2e/react/build.mjs)
// is served from the build on an isolated page and on one without COOP/COEP and driven by
// test/e2e/react.mjs. E2E_PAGES=react,react-plain,... runs only the pages named.
// Ends with "N passed, N failed" (the line scripts/test.mjs counts).
import puppeteer from 'puppeteer-core';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startServers } from './server.mjs';
import { decodePng, imageStats } from './png.mjs';
import { checks } from '../../scripts/checks.mjs';
import { audit, axeVersion, describeViolations, openEverything } from './axe.mjs';
import { testReactPage } from './react.mjs';
import * as reactApp from './react/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(root, 'dist');
const shots = join(here, 'screenshots');
const browserName = process.env.E2E_BROWSER ?? 'chrome';
const only = process.env.E2E_PAGES?.split(',');

const { check, finish } = checks();

function launch() {
  if (browserName === 'firefox') {
    const executablePath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
    return puppeteer.launch({
      browser: 'firefox', executablePath, headless: true,
      // cubeb's mock context: a fake output device that runs in real time (without a sound server
      // Firefox keeps every AudioContext 'suspended'); see web-test-runner.firefox.config.mjs.
      extraPrefsFirefox: { 'media.cubeb.force_mock_context': true },
    });
  }
  const executablePath = process.env.CHROME_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  return puppeteer.launch({
    executablePath, headless: true,
    args: ['--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
  });
}

const VIEWPORT = { width: 900, height: 640, deviceScaleFactor: 1 };

/** Runs before any page script (not subject to the page's CSP): records CSP violations, daw-error events and AudioContexts made. */
function instrument() {
  window.__csp = [];
  window.__errors = [];
  window.__states = [];
  window.__contexts = 0;
  const AC = window.AudioContext;
  window.AudioContext = new Proxy(AC, { construct(t, args, nt) { window.__contexts++; return Reflect.construct(t, args, nt); } });
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  document.addEventListener('daw-error', (e) => window.__errors.push({ code: e.detail?.code, message: e.detail?.message, advice: e.detail?.advice, retry: e.detail?.retry, target: e.composedPath()[0]?.localName }), true);
  document.addEventListener('daw-statechange', (e) => window.__states.push(e.detail?.state), true);
}

async function screenshot(page, name, fullPage = false) {
  mkdirSync(shots, { recursive: true });
  const file = join(shots, `${browserName}-${name}.png`);
  const png = Buffer.from(await page.screenshot({ type: 'png', fullPage }));
  writeFileSync(file, png);
  return { file, png, img: decodePng(png) };
}

const ctxState = (page) => page.evaluate(() => {
  const el = document.querySelector('daw-engine');
  const e = el?.engine;
  return { state: e?.state, error: e?.error?.message ?? null, status: el?.shadowRoot?.querySelector('[part~="status"]')?.textContent ?? null,
    errors: window.__errors, csp: window.__csp };
});

/** axe-core over the page with every <details> open: fails on any violation, of any impact, and prints them. */
async function checkA11y(page, when) {
  await check(`accessibility (axe-core ${axeVersion}, every rule, ${when}, EQ/compressor/details open): 0 violations`, async () => {
    await openEverything(page);
    const violations = await audit(page);
    if (violations.length) console.log(`        axe violations (${browserName}, ${page.url()}):\n  ${describeViolations(violations)}`); // in full: the check's message is cut to 6 lines
    assert.equal(violations.length, 0, `${violations.length} axe violations: ${violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`).join(', ')}`);
  });
}

/**
 * The demo pages as a visitor uses them: audio enabled with the engine's button, every element
 * rendered (clips loaded), then the accessibility audit.
 */
async function testDemo(browser, path, servers) {
  console.log(`\n${browserName} · demo ${path}`);
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await page.setViewport(VIEWPORT);
    await page.goto(`${servers.origin}${path}`, { waitUntil: 'load' });
    await check('audio starts from the "Enable audio" button; every clip loads', async () => {
      await page.waitForFunction(() => ['daw-engine', 'daw-channel', 'daw-synth', 'daw-clip'].every((t) => customElements.get(t)), { timeout: 10000 });
      const button = await page.waitForSelector('daw-engine >>> button[part~="button"]', { timeout: 5000 });
      await button.click();
      await page.waitForFunction(() => document.querySelector('daw-engine').engine.state === 'running', { timeout: 20000 });
      await page.waitForFunction(() => [...document.querySelectorAll('daw-clip')].every((c) => c.shadowRoot.querySelector('[part~="status"]').textContent === 'Ready'), { timeout: 20000 });
      assert.deepEqual(logs, []);
    });
    if (path.endsWith('mixer.html')) {
      await check('the pattern plays through the transport: notes in the DSP\'s timeline, started by <daw-transport>', async () => {
        await page.waitForFunction(() => document.querySelector('daw-engine').engine.status().timelineEvents > 1000, { timeout: 20000 });
        const play = await page.waitForSelector('daw-transport >>> [part~="play"]', { timeout: 5000 });
        await play.click();
        await page.waitForFunction(() => {
          const e = document.querySelector('daw-engine').engine;
          return e.transport.position.beats > 1 && e.status().activeVoices > 0;
        }, { timeout: 20000 });
        assert.deepEqual(logs, []);
      });
      // The console plays through its buses: with the demo's song playing, every bus meter and the master rise.
      await check('with the song playing, the three buses and the master meter rise above -60 dBFS (the sends reach the buses)', async () => {
        await page.waitForFunction(() => [...document.querySelectorAll('daw-bus')].every((b) => typeof b.meter === 'function' && b.meter().peakDb > -60), { timeout: 15000, polling: 50 })
          .catch(async (e) => { throw new Error(`${e.message}; ${JSON.stringify(await page.evaluate(() => [...document.querySelectorAll('daw-bus')].map((b) => [b.name, b.meter().peakDb])))}`); });
        assert.deepEqual(logs, []);
      });
    }
    await checkA11y(page, 'audio running');
    // On a phone-sized screen the code blocks scroll sideways: the keyboard must reach them.
    await page.setViewport({ ...VIEWPORT, width: 360 });
    await checkA11y(page, 'audio running, 360 px wide');
  } finally {
    await context.close();
  }
}

async function testPage(browser, name, spec, servers, blank) {
  console.log(`\n${browserName} · ${name}: ${spec.title}`);
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const blobs = [];
  page.on('request', (r) => { if (r.url().startsWith('blob:')) blobs.push(r.url()); });
  try {
    await page.setViewport(VIEWPORT);
    await page.evaluateOnNewDocument(instrument);
    const logFrom = servers.log.length;
    await page.goto(spec.url, { waitUntil: 'load' });

    if (spec.noScript) {
      await check('a module script from a CDN without Access-Control-Allow-Origin does not load (no elements defined)', async () => {
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await page.evaluate(() => !!customElements.get('daw-engine')), false);
      });
      return;
    }

    await check('the elements are defined', async () => {
      await page.waitForFunction(() => ['daw-engine', 'daw-channel', 'daw-synth'].every((t) => customElements.get(t)), { timeout: 10000 });
    });
    await check(`crossOriginIsolated is ${spec.isolated}`, async () => {
      assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated === true), spec.isolated);
    });
    await check('the engine starts idle with an "Enable audio" button', async () => {
      const s = await ctxState(page);
      assert.equal(s.state, 'idle');
      const text = await page.$eval('daw-engine >>> button[part~="button"]', (b) => b.textContent.trim());
      assert.match(text, /enable audio/i);
    });

    await check('before the click, the page fetched daw-dsp.wasm and daw-worklet.js (preload when idle) and made no AudioContext', async () => {
      await page.waitForFunction(() => ['daw-dsp.wasm', 'daw-worklet.js'].every((f) => performance.getEntriesByType('resource').some((e) => e.name.endsWith(`/${f}`))), { timeout: 15000 })
        .catch(async (e) => { throw new Error(`${e.message}; fetched: ${await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).join(' '))}`); });
      assert.deepEqual(await page.evaluate(() => ({ contexts: window.__contexts, state: document.querySelector('daw-engine').engine.state })), { contexts: 0, state: 'idle' });
    });

    const button = await page.waitForSelector('daw-engine >>> button[part~="button"]', { timeout: 5000 });
    await button.click();

    if (!spec.works) {
      await check('after the click the engine is in the error state', async () => {
        await page.waitForFunction(() => document.querySelector('daw-engine').engine.state === 'error', { timeout: 15000 })
          .catch(async (e) => { throw new Error(`${e.message}; ${JSON.stringify(await ctxState(page))}`); });
      });
      await page.waitForFunction(() => document.querySelector('daw-engine').updateComplete.then(() => true));
      const s = await ctxState(page);
      const face = await page.evaluate(() => {
        const root = document.querySelector('daw-engine').shadowRoot;
        const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: r.height }; };
        const status = root.querySelector('[part~="status"]');
        const details = root.querySelector('[part~="details"]');
        return {
          status: box(status), lineHeight: parseFloat(getComputedStyle(status).lineHeight) || parseFloat(getComputedStyle(status).fontSize) * 1.4,
          title: status.title, button: root.querySelector('[part~="button"]')?.textContent.trim() ?? null,
          details: details ? { summary: details.querySelector('summary').textContent.trim(), text: details.querySelector('p').textContent } : null,
          rows: [...root.querySelector('[part~="face"]').children].map((el) => ({ tag: el.localName, ...box(el) })),
        };
      });
      await check('<daw-engine> shows one short sentence naming the cause, on one line of a one-row bar', () => {
        assert.match(s.status ?? '', spec.expectError);
        assert.ok(s.status.length <= 70, `status is ${s.status.length} characters: ${s.status}`);
        assert.ok(face.status.height <= 1.5 * face.lineHeight, `status ${face.status.height} px high, line ${face.lineHeight} px: ${s.status}`);
        const below = face.rows.filter((r) => r.top >= face.status.bottom);
        assert.deepEqual(below, [], 'bar items wrapped below the status');
      });
      await check('no "Try again" (a retry cannot fix a CSP); the details say what the page author must change, with the browser\'s message', () => {
        assert.equal(face.button, null, `button: ${face.button}`);
        assert.ok(face.details, 'a Details disclosure');
        assert.equal(face.details.summary, 'Details');
        assert.match(face.details.text, /page author must add 'wasm-unsafe-eval' to the script-src/);
        assert.match(face.details.text, /cannot fix/);
        assert.ok(face.details.text.includes(s.error), `details: ${face.details.text}; engine error: ${s.error}`);
        assert.equal(face.title, face.details.text, 'the status title carries the same advice');
      });
      await check('<daw-engine> fires daw-error (code load-failed) with the advice and retry: false', () => {
        const e = s.errors.find((x) => x.code === 'load-failed');
        assert.ok(e, `daw-error events: ${JSON.stringify(s.errors)}`);
        assert.equal(e.target, 'daw-engine');
        assert.match(e.message, spec.expectError);
        assert.match(e.advice ?? '', /page author must add 'wasm-unsafe-eval'/);
        assert.equal(e.retry, false);
      });
      await check('a later note (a trusted click on a key, and noteOn from script) fires not-running with the CSP advice, and does not retry', async () => {
        const before = await page.evaluate(() => ({ errors: window.__errors.length, states: window.__states.length }));
        const key = await page.waitForSelector('daw-synth >>> [part~="key"]');
        await key.click();
        const id = await page.evaluate(() => document.querySelector('daw-synth').noteOn(64));
        assert.equal(id, -1);
        const after = await ctxState(page);
        const notes = after.errors.slice(before.errors).filter((x) => x.code === 'not-running');
        assert.equal(notes.length, 2, `daw-error events: ${JSON.stringify(after.errors.slice(before.errors))}`);
        for (const n of notes) {
          assert.equal(n.target, 'daw-synth');
          assert.match(n.message, /^<daw-synth> noteOn: Audio blocked by this page's CSP \(needs 'wasm-unsafe-eval'\)\. The page author must add 'wasm-unsafe-eval' to the script-src of its Content-Security-Policy; a retry cannot fix it\./);
          assert.match(n.message, /The note was dropped\.$/);
          assert.doesNotMatch(n.message, /is error|user gesture/);
        }
        assert.equal(after.state, 'error');
        assert.deepEqual(await page.evaluate((from) => window.__states.slice(from), before.states), [], 'no new start attempt');
      });
      await check('the browser reported the CSP violation (wasm compile)', () => {
        assert.ok(s.csp.some((v) => /script-src|wasm/.test(v)), `violations: ${JSON.stringify(s.csp)}`);
      });
      // The whole page, and the status's box in page coordinates: the click on a key scrolled the
      // keyboard into view (with the channel strip's sends the page is taller than the 640 px viewport),
      // and in Firefox the page was once scrolled again between the picture and the measurement.
      const shot = await screenshot(page, name, true);
      await check(`the error is visible in the screenshot (${shot.file.slice(root.length + 1)})`, async () => {
        const rect = await page.$eval('daw-engine >>> [part~="status"]', (el) => { const r = el.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; });
        assert.ok(rect.width > 50, `status text box is ${rect.width}px wide`);
        const st = imageStats(shot.img, rect);
        assert.ok(st.colours > 5 && st.foreground > 0.05, `status area: ${JSON.stringify(st)}`);
      });
      await checkA11y(page, 'the error state (Details open)');
      return;
    }

    await check('after the click the engine runs (state running, status "Running")', async () => {
      await page.waitForFunction(() => document.querySelector('daw-engine').engine.state === 'running', { timeout: 20000 })
        .catch(async (e) => { throw new Error(`${e.message}; ${JSON.stringify(await ctxState(page))}; console: ${logs.join(' | ')}`); });
      await page.waitForFunction(() => document.querySelector('daw-engine').shadowRoot.querySelector('[part~="status"]').textContent.trim() === 'Running', { timeout: 5000 });
    });
    await check(`the engine takes the ${spec.isolated ? 'shared-memory' : 'batched-message'} path`, async () => {
      assert.equal(await page.evaluate(() => document.querySelector('daw-engine').engine.shared), spec.isolated);
    });
    await check('the channel is silent before any note (peak < -60 dBFS)', async () => {
      await new Promise((r) => setTimeout(r, 300));
      const peak = await page.evaluate(() => document.querySelector('daw-channel').meter().peakDb);
      assert.ok(peak < -60, `peak ${peak}`);
    });
    await check('a chord on the synth makes the channel meter rise above -60 dBFS', async () => {
      const ids = await page.evaluate(() => { const s = document.querySelector('daw-synth'); return [60, 64, 67].map((p) => s.noteOn(p, 0.9)); });
      assert.ok(ids.every((id) => id > 0), `note ids ${ids}`);
      await page.waitForFunction(() => document.querySelector('daw-channel').meter().peakDb > -60, { timeout: 5000, polling: 50 })
        .catch(async (e) => { throw new Error(`${e.message}; meter ${JSON.stringify(await page.evaluate(() => document.querySelector('daw-channel').meter()))}`); });
      const status = await page.evaluate(() => document.querySelector('daw-engine').engine.status());
      assert.ok(status.activeVoices >= 3, `active voices ${status.activeVoices}`);
      assert.equal(status.nonFiniteSamples, 0);
    });
    await check('the master meter rises too', async () => {
      await page.waitForFunction(() => document.querySelector('daw-engine').engine.master.meter().peakDb > -60, { timeout: 3000, polling: 50 });
    });
    await check("the on-screen channel meter moves (peak bar scaled > 0)", async () => {
      await page.waitForFunction(() => {
        const bar = document.querySelector('daw-channel').shadowRoot.querySelector('[part~="meter"] .peak');
        const m = /scaleY\(([\d.e-]+)\)/.exec(bar?.style.transform ?? '');
        return m && Number(m[1]) > 0.05;
      }, { timeout: 3000, polling: 50 });
    });
    const shot = await screenshot(page, name);
    await page.evaluate(() => document.querySelector('daw-synth').allNotesOff());
    await check(`the screenshot shows the UI (${shot.file.slice(root.length + 1)})`, async () => {
      const st = imageStats(shot.img);
      const b = imageStats(blank.img);
      assert.ok(st.colours > b.colours + 20, `colours ${st.colours} vs blank ${b.colours}`);
      assert.ok(st.foreground > b.foreground + 0.02, `non-background share ${st.foreground.toFixed(3)} vs blank ${b.foreground.toFixed(3)}`);
      for (const tag of ['daw-engine', 'daw-channel']) {
        const rect = await page.$eval(tag === 'daw-engine' ? 'daw-engine >>> [part~="face"]' : 'daw-channel >>> [part~="strip"]', (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
        assert.ok(rect.width > 40 && rect.height > 20, `${tag} box ${JSON.stringify(rect)}`);
        const s = imageStats(shot.img, rect);
        assert.ok(s.colours > 8 && s.foreground > 0.03, `${tag} area ${JSON.stringify(s)}`);
      }
    });
    await check('the synth\'s on-screen keyboard (<daw-synth keyboard> inside <daw-channel>) is visible', async () => {
      const box = await page.evaluate(() => {
        const kb = document.querySelector('daw-synth').shadowRoot?.querySelector('[part~="keyboard"]');
        if (!kb) return null;
        const r = kb.getBoundingClientRect();
        return { width: r.width, height: r.height, visible: kb.checkVisibility?.() ?? true };
      });
      assert.ok(box && box.visible && box.width > 100 && box.height > 20, `keyboard box ${JSON.stringify(box)}`);
    });
    await check('engine.loadMidi() fetches dist/daw-midi.js from beside the page module on first use and schedules a file', async () => {
      const r = await page.evaluate(async () => {
        const before = performance.getEntriesByType('resource').filter((e) => /daw-midi\.js$/.test(e.name)).length;
        // Format 0, 480 ticks per quarter: one note (C4, velocity 100) one beat long.
        const bytes = new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0, 0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 13,
          0, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0, 0, 0xff, 0x2f, 0]);
        const engine = document.querySelector('daw-engine').engine;
        const song = await engine.loadMidi(bytes, { route: document.querySelector('daw-synth').synth, tempo: 'keep' });
        const loaded = performance.getEntriesByType('resource').filter((e) => /daw-midi\.js$/.test(e.name)).map((e) => e.name);
        await song.remove();
        return { before, loaded, count: song.count, beats: song.beats, script: document.querySelector('script[type=module]')?.src };
      });
      assert.equal(r.before, 0, 'not fetched before the first loadMidi()');
      assert.deepEqual(r.loaded, [new URL('daw-midi.js', r.script).href]);
      assert.equal(r.count, 1);
      assert.equal(r.beats, 1);
    });
    if (spec.manifestCheck) {
      await check('dist/custom-elements.json lists exactly the attributes the elements observe at run time', async () => {
        const manifest = JSON.parse(readFileSync(join(dist, 'custom-elements.json'), 'utf8'));
        // Attributes an element sets on itself for styling, documented but not observed.
        const setByElement = { 'daw-clip': ['playing'] };
        const documented = Object.fromEntries(manifest.modules.flatMap((m) => m.declarations).filter((d) => d.tagName)
          .map((d) => [d.tagName, d.attributes.map((a) => a.name).sort()]));
        assert.deepEqual(Object.keys(documented).sort(), ['daw-bus', 'daw-channel', 'daw-clip', 'daw-engine', 'daw-loudness', 'daw-meter', 'daw-mixer', 'daw-scope', 'daw-spectrum', 'daw-synth', 'daw-transport', 'daw-sequence', 'daw-steps'].sort());
        // The feature tags are defined on first appearance: make each appear and wait for its definition.
        await page.evaluate(async (tags) => {
          for (const t of tags) document.body.appendChild(document.createElement(t)).remove();
          await Promise.all(tags.map((t) => customElements.whenDefined(t)));
        }, Object.keys(documented));
        const runtime = await page.evaluate((setBy, tags) => Object.fromEntries(tags.map((t) => {
          const props = customElements.get(t).elementProperties;
          const attrs = [...props].filter(([, o]) => o.attribute !== false && !o.state).map(([k, o]) => (typeof o.attribute === 'string' ? o.attribute : String(k).toLowerCase()));
          return [t, [...attrs, ...(setBy[t] ?? [])].sort()];
        })), setByElement, Object.keys(documented));
        assert.deepEqual(documented, runtime);
      });
    }
    await check('no CSP violation, no page error', async () => {
      const s = await ctxState(page);
      assert.deepEqual(s.csp, []);
      assert.deepEqual(logs.filter((l) => l.startsWith('pageerror') || l.startsWith('error')), []);
      assert.deepEqual(s.errors, []);
    });
    await check('no blob: URLs', () => assert.deepEqual(blobs, []));
    await checkA11y(page, 'audio running');
    if (spec.script.startsWith('http')) {
      // A page of core tags fetches no feature chunk; where the manifest check made every tag appear,
      // the feature chunks came from beside the script too (import() relative to it, CORS).
      const FEATURE_CHUNKS = ['daw-transport.js', 'daw-analysis.js', 'daw-console.js'];
      await check(`daw-core.js, daw-worklet.js and daw-dsp.wasm${spec.manifestCheck ? ' and the feature chunks' : ' (no feature chunk)'} came from the CDN origin, fetched with CORS`, () => {
        const variant = new URL(spec.script).pathname.split('/')[1];
        const got = servers.log.slice(logFrom).filter((r) => r.variant === variant);
        if (!spec.manifestCheck) assert.deepEqual(got.filter((r) => FEATURE_CHUNKS.includes(r.file)).map((r) => r.file), [], 'a page of core tags fetched a feature chunk');
        for (const file of ['daw-elements.js', 'daw-core.js', 'daw-worklet.js', 'daw-dsp.wasm', ...(spec.manifestCheck ? FEATURE_CHUNKS : [])]) {
          const r = got.find((x) => x.file === file);
          assert.ok(r, `${file} not requested from the CDN; got ${JSON.stringify(got)}`);
          assert.equal(r.origin, servers.origin, `${file}: Origin header ${r.origin}`);
          if (r.mode) assert.equal(r.mode, 'cors', `${file}: Sec-Fetch-Mode ${r.mode}`);
        }
      });
    }
  } finally {
    await context.close();
  }
}

// The bundle itself: no blob: URLs, no eval, siblings found with import.meta.url. The page module
// imports daw-core.js beside it and nothing else; the classes module imports only chunks beside it;
// the feature chunks are imported on first use with relative import()s (resolved against the
// importing module's URL, so a CDN include finds them: the CDN page below fetches one).
await (async () => {
  console.log('dist/');
  const read = (f) => readFileSync(join(dist, f), 'utf8');
  const page = read('daw-elements.js');
  const classes = read('daw-elements-classes.js');
  const core = read('daw-core.js');
  const jsFiles = readdirSync(dist).filter((f) => f.endsWith('.js'));
  // Statements start a line or follow ';' or '}' in minified code (not an error message quoting an import).
  const staticOf = (code) => [...new Set([...code.matchAll(/(?:^|[;}])\s*(?:import|export)\s*(?:[^"';()]*?from\s*)?["']([^"']+)["']/gm)].map((m) => m[1]))];
  await check('dist/daw-core.js finds its siblings with new URL(..., import.meta.url); no chunk uses blob: or eval', () => {
    assert.match(core, /new URL\(["']\.\/daw-worklet\.js["'],\s*import\.meta\.url\)/);
    assert.match(core, /new URL\(["']\.\/daw-dsp\.wasm["'],\s*import\.meta\.url\)/);
    // <daw-engine>'s export and record buttons (daw-exporter.js) offer their WAV as an <a download>
    // of a blob: URL: a download, not code, which a CSP's script-src does not govern.
    const downloads = new Set(['daw-exporter.js']);
    for (const f of jsFiles) {
      const code = read(f);
      if (downloads.has(f)) assert.doesNotMatch(code, /import\(\s*[^"'\s]|["'`]blob:/, f);
      else assert.doesNotMatch(code, /createObjectURL|["'`]blob:/, f);
      assert.doesNotMatch(code, /\beval\(|new Function\(/, f);
    }
  });
  await check('the page module imports only daw-core.js; daw-core.js imports the feature chunks on first use, relative to itself', () => {
    assert.deepEqual(staticOf(page), ['./daw-core.js'], 'the page module imports only daw-core.js beside it');
    assert.doesNotMatch(page, /\bimport\(/);
    assert.deepEqual(staticOf(core), [], 'daw-core.js imports nothing eagerly');
    const lazy = [...core.matchAll(/\bimport\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.ok(lazy.length >= 5 && lazy.every((u) => /^\.\/daw-[a-z-]+\.js$/.test(u) && jsFiles.includes(u.slice(2))), `dynamic imports ${lazy}`);
    assert.ok(staticOf(classes).every((u) => /^\.\/daw-[a-z-]+\.js$/.test(u) && jsFiles.includes(u.slice(2))), `classes imports ${staticOf(classes)}`);
  });
})();

// The React page: type-checked against dist/types (a wrong prop type fails here), then built by Vite.
let reactDir = null;
if (!only || only.some((p) => p.startsWith('react'))) {
  console.log('\nReact page (test/e2e/react/)');
  // The Firefox run after the Chromium one finds them done from the same inputs (hash in the build).
  const same = reactApp.upToDate() ? ' (already, from these same inputs)' : '';
  let typed = !!same;
  await check(`the React page type-checks (tsc -p test/e2e/react: App.tsx, main.tsx, and the jsx-types.tsx cases that must fail)${same}`, () => { if (!same) reactApp.typecheck(); typed = true; });
  await check(`Vite builds it into build/e2e-react/${same}`, async () => {
    if (!typed) throw new Error('not built: the type-check failed');
    reactDir = same ? reactApp.outDir : await reactApp.build();
  });
}

const servers = await startServers(dist, reactDir);
console.log(`pages ${servers.origin}  cdn ${servers.cdn}`);
const browser = await launch();
console.log(`browser: ${await browser.version()}`);
try {
  const blankPage = await browser.newPage();
  await blankPage.setViewport(VIEWPORT);
  await blankPage.goto(`${servers.origin}/blank`);
  const blank = { img: decodePng(Buffer.from(await blankPage.screenshot({ type: 'png' }))) };
  await blankPage.close();
  for (const [name, spec] of Object.entries(servers.pages)) {
    if (only && !only.includes(name)) continue;
    await testPage(browser, name, spec, servers, blank);
  }
  for (const [name, spec] of Object.entries(servers.reactPages)) {
    if (only && !only.includes(name)) continue;
    await testReactPage(browser, browserName, name, spec, { check, checkA11y, viewport: VIEWPORT });
  }
  for (const path of ['/demo/index.html', '/demo/mixer.html']) {
    if (only && !only.includes(path.slice(1))) continue;
    await testDemo(browser, path, servers);
  }
} finally {
  await browser.close();
  await servers.close();
}
finish(`e2e (${browserName})`);
