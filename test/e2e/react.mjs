// The React page of the end-to-end suite (test/e2e/react/: React 19, built by Vite), driven like the
// other pages by test/e2e/run.mjs, with trusted clicks and key presses on what React rendered.
//
// Checked, each against something the page cannot fake:
//   - React 19 set the props as properties (the elements were defined before it rendered), read back
//     from the elements and from the engine's own handles (Channel.get, Synth.get);
//   - React's event props reached React: `ondaw-statechange` (the state React renders), `ondaw-change`
//     (the strip's own fader and mute buttons moving React's fader and checkbox), `ondaw-error` (a
//     cutoff typed out of range, shown by React with the element's message);
//   - the level React's fader sets is the level the engine renders: a held A4 sine (gain 0 dB,
//     sustain 1, velocity 1) through the channel at fader V and centre pan reads, on the channel's
//     meter, peak V - 3.01 dB and RMS V - 6.02 dB (constant-power pan -3.01 dB; a sine's RMS is its
//     peak - 3.01 dB; the meters are post-fader: dsp/StripGroup.zig), within 0.1 dB, held for 0.3 s of
//     engine time. The tolerance covers the peak meter's fall between two sine peaks (20 dB / 1.7 s,
//     0.03 dB per 2.3 ms period) and the synth's 20 kHz low-pass at 440 Hz (< 0.001 dB). Muting
//     takes the RMS below -60 dBFS;
//   - slots follow React: a channel React stops rendering gives its channel and synth slots back
//     (engine.channelCount / synthCount), one it renders again claims them, root.unmount() frees all;
//   - Vite copied daw-worklet.js and daw-dsp.wasm into the build and the engine loaded them from there.
// Every wait is for a real change (a DOM text React wrote, an engine counter, a meter reading held
// over engine frames), bounded by a timeout that fails the check with the last reading.
import assert from 'node:assert/strict';

const PAN_DB = 20 * Math.log10(Math.SQRT1_2); // -3.0103: constant-power pan at centre
const SINE_RMS_DB = PAN_DB; // RMS of a sine relative to its peak, also -3.0103
const TOL_DB = 0.1;

/** Waits until channel `id`'s meter reads peak/RMS within TOL_DB of the expected levels for 0.3 s of engine frames. */
async function settle(page, id, volumeDb) {
  const want = { peak: volumeDb + PAN_DB, rms: volumeDb + PAN_DB + SINE_RMS_DB };
  await page.evaluate(() => { window.__settle = null; });
  await page.waitForFunction((id, want, tol) => {
    const e = window.__engine;
    const m = document.getElementById(id).meter();
    const frame = e.status().frame;
    const s = (window.__settle ??= { since: -1, last: null });
    s.last = { peakDb: m.peakDb, rmsDb: m.rmsDb, frame };
    if (!(Math.abs(m.peakDb - want.peak) <= tol && Math.abs(m.rmsDb - want.rms) <= tol)) {
      s.since = -1;
      return false;
    }
    if (s.since < 0) s.since = frame;
    return frame - s.since >= 0.3 * e.sampleRate;
  }, { polling: 50, timeout: 15000 }, id, want, TOL_DB).catch(async (err) => {
    throw new Error(`${err.message}; last reading ${JSON.stringify(await page.evaluate(() => window.__settle?.last))}; expected peak ${want.peak.toFixed(2)} dB, RMS ${want.rms.toFixed(2)} dB ± ${TOL_DB}`);
  });
  const got = await page.evaluate(() => window.__settle.last);
  console.log(`        fader ${volumeDb} dB: meter peak ${got.peakDb.toFixed(3)} dB (expected ${want.peak.toFixed(3)}), RMS ${got.rmsDb.toFixed(3)} dB (expected ${want.rms.toFixed(3)})`);
}

/** Presses `key` `n` times on the element `selector` (focused first; `>>>` pierces shadow roots). */
async function press(page, selector, key, n) {
  const el = await page.waitForSelector(selector, { timeout: 5000 });
  await el.focus();
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

const text = (page, sel) => page.$eval(sel, (el) => el.textContent.trim());
const waitText = (page, sel, want, timeout = 5000) => page.waitForFunction((sel, want) => document.querySelector(sel)?.textContent.trim() === want, { timeout, polling: 50 }, sel, want)
  .catch(async (e) => { throw new Error(`${e.message}; ${sel} reads ${JSON.stringify(await page.$eval(sel, (el) => el.textContent.trim()).catch(() => null))}, expected ${JSON.stringify(want)}`); });

/** The React page `name` (served by test/e2e/server.mjs from build/e2e-react/). */
export async function testReactPage(browser, browserName, name, spec, { check, checkA11y, viewport }) {
  console.log(`\n${browserName} · ${name}: ${spec.title}`);
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  try {
    await page.setViewport(viewport);
    await page.goto(spec.url, { waitUntil: 'load' });

    await check('React rendered the tags as our elements and set its props as properties, not attributes', async () => {
      await page.waitForFunction(() => document.getElementById('lead')?.channel && document.querySelector('#lead daw-synth')?.synth, { timeout: 10000 });
      const r = await page.evaluate(() => {
        window.__engine = document.querySelector('daw-engine').engine;
        const lead = document.getElementById('lead');
        const synth = lead.querySelector('daw-synth');
        return {
          isolated: globalThis.crossOriginIsolated === true,
          lead: { volumeDb: lead.volumeDb, mute: lead.mute, label: lead.label, attributes: lead.getAttributeNames() },
          synth: { wave: synth.wave, sustain: synth.sustain, gainDb: synth.gainDb, attributes: synth.getAttributeNames() },
          engine: { volumeDb: lead.channel.get('volumeDb'), mute: lead.channel.get('mute'), wave: synth.synth.get('wave'), sustain: synth.synth.get('sustain'), gainDb: synth.synth.get('gainDb') },
        };
      });
      assert.equal(r.isolated, spec.isolated);
      assert.deepEqual(r.lead, { volumeDb: -6, mute: false, label: 'Lead', attributes: ['id'] });
      assert.deepEqual(r.synth, { wave: 'sine', sustain: 1, gainDb: 0, attributes: [] });
      assert.deepEqual(r.engine, { volumeDb: -6, mute: 0, wave: 0, sustain: 1, gainDb: 0 }, 'the engine\'s handles read back what React set');
    });
    await check('before any gesture: the engine is idle, and the two channels and two synths React rendered hold slots', async () => {
      const r = await page.evaluate(() => ({ state: window.__engine.state, channels: window.__engine.channelCount, synths: window.__engine.synthCount }));
      assert.deepEqual(r, { state: 'idle', channels: 2, synths: 2 });
      assert.equal(await text(page, '#state'), 'idle');
    });
    await check('React\'s "Start audio" button calls engine.start() through a ref; ondaw-statechange puts "running" in React\'s output', async () => {
      await page.click('#start');
      await waitText(page, '#state', 'running', 20000);
      assert.equal(await page.evaluate(() => window.__engine.state), 'running');
      assert.equal(await page.evaluate(() => window.__engine.shared), spec.isolated, 'shared-memory path on the isolated page, messages on the other');
    });
    await check(`a held A4 sine reads on the channel meter at the level of React's fader (-6 dB): peak V - 3.01, RMS V - 6.02 dB, ± ${TOL_DB} dB`, async () => {
      await page.click('#note');
      await page.waitForFunction(() => document.getElementById('note').getAttribute('aria-pressed') === 'true');
      await settle(page, 'lead', -6);
      const s = await page.evaluate(() => window.__engine.status());
      assert.ok(s.activeVoices >= 1, `active voices ${s.activeVoices}`);
    });
    await check('React\'s fader moved to -12 dB (6 ArrowDown presses): the property, the engine and the meter follow', async () => {
      await press(page, '#volume', 'ArrowDown', 6);
      await waitText(page, '#volume-text', '-12 dB');
      assert.deepEqual(await page.evaluate(() => { const l = document.getElementById('lead'); return [l.volumeDb, l.channel.get('volumeDb')]; }), [-12, -12]);
      await settle(page, 'lead', -12);
    });
    await check('React\'s Mute checkbox mutes the channel (mute property, engine value 1, RMS below -60 dBFS); unticking it brings the level back', async () => {
      await page.click('#mute');
      assert.deepEqual(await page.evaluate(() => { const l = document.getElementById('lead'); return [l.mute, l.channel.get('mute'), l.hasAttribute('mute')]; }), [true, 1, true]);
      await page.waitForFunction(() => document.getElementById('lead').meter().rmsDb < -60, { timeout: 15000, polling: 50 })
        .catch(async (e) => { throw new Error(`${e.message}; meter ${JSON.stringify(await page.evaluate(() => document.getElementById('lead').meter()))}`); });
      await page.click('#mute');
      assert.deepEqual(await page.evaluate(() => document.getElementById('lead').channel.get('mute')), 0);
      await settle(page, 'lead', -12);
    });
    await check('the strip\'s own fader (3 ArrowUp presses) fires daw-change; React\'s ondaw-change moves React\'s fader to -9 dB, and the meter follows', async () => {
      await press(page, '#lead >>> input[part~="fader"]', 'ArrowUp', 3);
      await waitText(page, '#volume-text', '-9 dB');
      assert.equal(await page.$eval('#volume', (i) => i.value), '-9');
      assert.equal(await page.evaluate(() => document.getElementById('lead').channel.get('volumeDb')), -9);
      await settle(page, 'lead', -9);
    });
    await check('the strip\'s Mute button fires daw-change; React\'s Mute checkbox follows it, both ways', async () => {
      const mute = await page.waitForSelector('#lead >>> button[part~="mute"]');
      await mute.click();
      await page.waitForFunction(() => document.getElementById('mute').checked === true, { timeout: 5000 });
      await mute.click();
      await page.waitForFunction(() => document.getElementById('mute').checked === false, { timeout: 5000 });
      assert.equal(await page.evaluate(() => document.getElementById('lead').channel.get('mute')), 0);
    });
    await check('a cutoff typed out of range: the synth clamps it, and React\'s ondaw-error shows the element\'s message', async () => {
      await page.click('#note'); // release A4
      await page.focus('#cutoff');
      await page.$eval('#cutoff', (i) => i.select()); // the typed text replaces the field's
      await page.keyboard.type('30000');
      await page.waitForFunction(() => /cutoff-hz: 30000 is outside 20 to 20000 Hz; using 20000/.test(document.getElementById('error')?.textContent ?? ''), { timeout: 5000, polling: 50 })
        .catch(async (e) => { throw new Error(`${e.message}; alert: ${await page.evaluate(() => document.getElementById('error')?.textContent ?? null)}; field: ${await page.$eval('#cutoff', (i) => i.value)}`); });
      assert.equal(await page.$eval('#error', (el) => el.getAttribute('role')), 'alert');
      assert.deepEqual(await page.evaluate(() => { const s = document.querySelector('#lead daw-synth'); return [s.cutoffHz, s.synth.get('cutoffHz')]; }), [20000, 20000]);
    });
    await checkA11y(page, 'React page, audio running');
    await check('React stops rendering the Pad channel: its channel and synth slots are freed; rendering it again claims new ones; Lead keeps its slot', async () => {
      await page.evaluate(() => { window.__leadSlot = document.getElementById('lead').channel; });
      await page.click('#pad-on');
      await page.waitForFunction(() => window.__engine.channelCount === 1 && window.__engine.synthCount === 1, { timeout: 5000, polling: 50 })
        .catch(async (e) => { throw new Error(`${e.message}; channels ${await page.evaluate(() => window.__engine.channelCount)}, synths ${await page.evaluate(() => window.__engine.synthCount)}`); });
      assert.equal(await page.evaluate(() => document.getElementById('pad')), null);
      await page.click('#pad-on');
      await page.waitForFunction(() => window.__engine.channelCount === 2 && window.__engine.synthCount === 2 && document.getElementById('pad')?.channel, { timeout: 5000, polling: 50 });
      assert.deepEqual(await page.evaluate(() => { const c = document.getElementById('lead').channel; return [c === window.__leadSlot, c.isDisposed, c.get('volumeDb')]; }), [true, false, -9]);
    });
    await check('root.unmount() takes every element down and frees every slot (0 channels, 0 synths, no voice); the engine keeps running', async () => {
      await page.click('#unmount');
      await page.waitForFunction(() => window.__engine.channelCount === 0 && window.__engine.synthCount === 0, { timeout: 5000, polling: 50 })
        .catch(async (e) => { throw new Error(`${e.message}; channels ${await page.evaluate(() => window.__engine.channelCount)}, synths ${await page.evaluate(() => window.__engine.synthCount)}`); });
      assert.equal(await page.evaluate(() => document.querySelectorAll('daw-engine, daw-channel, daw-synth').length), 0);
      await page.waitForFunction(() => window.__engine.status().activeVoices === 0, { timeout: 5000, polling: 50 });
      const s = await page.evaluate(() => ({ state: window.__engine.state, nonFinite: window.__engine.status().nonFiniteSamples }));
      assert.deepEqual(s, { state: 'running', nonFinite: 0 });
    });
    await check('Vite copied daw-worklet.js and daw-dsp.wasm into the build; the engine loaded them from there', () => {
      const base = `/${name}/assets/`;
      assert.ok(requests.some((p) => p.startsWith(base) && /\/daw-worklet-[\w-]+\.js$/.test(p)), `requests: ${requests.join(' ')}`);
      assert.ok(requests.some((p) => p.startsWith(base) && /\/daw-dsp-[\w-]+\.wasm$/.test(p)), `requests: ${requests.join(' ')}`);
      assert.deepEqual(requests.filter((p) => p.startsWith('/dist/')), []);
    });
    await check('no page error, nothing logged as an error', () => {
      assert.deepEqual(logs.filter((l) => l.startsWith('pageerror') || l.startsWith('error')), []);
    });
  } finally {
    await context.close();
  }
}
