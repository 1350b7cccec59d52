// The console elements in a running engine: <daw-bus> drives its bus (or the master), the channels'
// sends feed the buses, the meters (dB scale, peak hold, clip indicator) read the strips and draw
// only while on screen, and <daw-mixer> puts channels and buses in their groups. Levels are read from
// the engine's meters and compared with dB arithmetic: a fader move of x dB moves a stationary
// signal's level by x dB, halving a send lowers its bus by 20·log10(2) = 6.02 dB (tolerance 0.1 dB).
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { getEngine, BUS_NAMES, STRIP_PARAMS } from '../dist/daw-elements.js';
import { defineFeatures, nextFrame, task, until as waitFor, canSendKeys as probeKeys } from './helpers.js';

// The console tags load on first appearance (their chunk); the tests below mount them and use them at once.
await defineFeatures('daw-bus', 'daw-mixer');
const DawBus = customElements.get('daw-bus');

const isolatedPage = window.DAW_EXPECT_ISOLATED;
const engine = getEngine();
const HALF_DB = 20 * Math.log10(0.5);

/** Waits for `fn()`: `ms` of the engine's audio and as many ms of animation frames at 60 Hz (see helpers.js). */
const until = (fn, ms = 5000, what = String(fn)) => waitFor(fn, { engine, audio: ms / 1000, frames: Math.round(ms * 0.06), what });

function mount(html, parent = document.body) {
  const host = document.createElement('div');
  host.innerHTML = html;
  parent.append(host);
  return host;
}

function errorsOf(el) {
  const list = [];
  el.addEventListener('daw-error', (e) => list.push(e.detail));
  return list;
}

/** A 1 kHz sine of peak `amp` from the engine's context (a stationary signal: its meter reading holds still). */
function sine(amp) {
  const osc = new OscillatorNode(engine.context, { frequency: 1000 });
  const gain = new GainNode(engine.context, { gain: amp });
  osc.connect(gain);
  osc.start();
  gain.stop = () => osc.stop();
  return gain;
}

/**
 * The level `read()` settles at: readings spanning at least 0.3 s of audio (the meters' ballistics
 * and the parameter smoothing are shorter) that stay within 0.05 dB of each other. The time is the
 * frame the audio thread had rendered when it wrote the readings (engine.status().frame, which comes
 * with the meters), not the context's clock: without shared memory the readings arrive in messages,
 * and under load WebKitGTK delivered none for a while, so the same stale reading repeated over 0.3 s
 * of the context's time looked settled while the level was still falling (0.39 dB off, seen once).
 */
async function settled(read, what) {
  const seen = [];
  await until(() => {
    const t = engine.status().frame / engine.sampleRate;
    seen.push([t, read()]);
    while (seen.length > 2 && t - seen[1][0] >= 0.3) seen.shift();
    const vals = seen.map(([, v]) => v);
    return t - seen[0][0] >= 0.3 && Math.max(...vals) - Math.min(...vals) < 0.05;
  }, 8000, `${what} settles`);
  return seen[seen.length - 1][1];
}

/** Real key presses need the runner to drive the browser's input; WebKitGTK's WebDriver path cannot. */
let canSendKeys = true;
before(async () => {
  canSendKeys = await probeKeys();
});

describe(`console: <daw-bus>, sends, meters, <daw-mixer> (${isolatedPage ? 'cross-origin isolated page' : 'page without COOP/COEP'})`, function () {
  this.timeout(60000);

  before(async () => {
    await engine.start();
  });

  it('binds <daw-bus> to its strip by name, sets every parameter of it on connect, and rejects an unknown name', async () => {
    const host = mount(`<daw-bus name="delay" volume-db="-9" pan="0.25" eq-low-db="3" comp-ratio="2"></daw-bus>
      <daw-bus name="master" volume-db="-2" limiter-ceiling-db="-3" limiter-release-ms="80"></daw-bus><daw-bus name="chorus"></daw-bus>`);
    const [delay, master, bad] = host.querySelectorAll('daw-bus');
    const errors = errorsOf(bad);
    await Promise.all([delay.updateComplete, master.updateComplete, bad.updateComplete]);
    expect(delay.strip).to.equal(engine.bus('delay'));
    expect(master.strip).to.equal(engine.master);
    const got = (s, names) => Object.fromEntries(names.map((n) => [n, s.get(n)]));
    expect(got(engine.bus('delay'), ['volumeDb', 'pan', 'eqLowDb', 'compRatio', 'mute'])).to.deep.equal({ volumeDb: -9, pan: 0.25, eqLowDb: 3, compRatio: 2, mute: 0 });
    expect(got(engine.master, ['volumeDb', 'limiterCeilingDb', 'limiterReleaseMs'])).to.deep.equal({ volumeDb: -2, limiterCeilingDb: -3, limiterReleaseMs: 80 });
    expect(bad.strip).to.equal(null);
    expect(errors.map((e) => [e.code, e.attribute, e.value])).to.deep.equal([['invalid-value', 'name', 'chorus']]);
    expect(errors[0].message).to.match(/'chorus' is not one of reverb, delay, drum, master/);
    // A limiter setting on a bus is not the bus's: ignored, not written to the master.
    delay.limiterCeilingDb = -12;
    await delay.updateComplete;
    expect(engine.master.get('limiterCeilingDb')).to.equal(-3);
    // Clamped like every parameter, with a daw-error naming the attribute and the range.
    const clamps = errorsOf(master);
    master.limiterCeilingDb = -40;
    await master.updateComplete;
    expect(engine.master.get('limiterCeilingDb')).to.equal(-24);
    expect(clamps.map((e) => [e.code, e.attribute])).to.deep.equal([['out-of-range', 'limiter-ceiling-db']]);
    // Renaming moves the element to another strip, which gets the element's values.
    delay.name = 'drum';
    await delay.updateComplete;
    expect(delay.strip).to.equal(engine.bus('drum'));
    expect(engine.bus('drum').get('volumeDb')).to.equal(-9);
    for (const b of ['delay', 'drum']) engine.bus(b).setAll({ volumeDb: 0, pan: 0, eqLowDb: 0, compRatio: 1 });
    engine.master.setAll({ volumeDb: 0, limiterCeilingDb: -1, limiterReleaseMs: 50 });
    host.remove();
    await task();
  });

  it('renders the effect section generically from a parameter list: the master\'s limiter from the strip specs, each bus\'s from the contract\'s effect list (none: no section)', async () => {
    const host = mount(BUS_NAMES.map((n) => `<daw-bus name="${n}"></daw-bus>`).join('') + '<daw-bus name="master" limiter-release-ms="80"></daw-bus>');
    const buses = [...host.querySelectorAll('daw-bus')];
    await Promise.all(buses.map((b) => b.updateComplete));
    const lists = {
      master: STRIP_PARAMS.filter((p) => p.scope === 'master' && !p.internal),
      ...Object.fromEntries(BUS_NAMES.map((n) => [n, DawBus.effectParams.filter((p) => p.bus === n)])),
    };
    expect(lists.master.map((p) => p.name)).to.deep.equal(['limiterCeilingDb', 'limiterReleaseMs']);
    // The effect lists: the reverb's, the delay's (with its two note-value syncs) and the drum bus's.
    expect([lists.reverb.length, lists.delay.length, lists.drum.length]).to.deep.equal([11, 14, 11]);
    expect(lists.drum.map((p) => p.name)).to.deep.equal(['drumDrive', 'drumCurve', 'drumCrunch', 'drumTransients', 'drumBoom', 'drumBoomHz', 'drumBoomDecay', 'drumDampingHz', 'drumGlue', 'drumTrimDb', 'drumDryWet']);
    const drum = buses.find((b) => b.name === 'drum');
    drum.setAttribute('drum-curve', 'hard');
    drum.setAttribute('drum-boom-hz', '60');
    await drum.updateComplete;
    expect([engine.bus('drum').get('drumCurve'), engine.bus('drum').get('drumBoomHz')], 'drum bus: attribute -> property -> engine').to.deep.equal([2, 60]);
    engine.bus('drum').setAll({ drumCurve: 'soft', drumBoomHz: 50 });
    const reverb = buses.find((b) => b.name === 'reverb');
    reverb.setAttribute('reverb-decay-s', '2.5');
    await reverb.updateComplete;
    expect(engine.bus('reverb').get('reverbDecayS'), 'attribute -> property -> engine').to.equal(2.5);
    engine.bus('reverb').set('reverbDecayS', 1.8);
    for (const bus of buses) {
      const list = lists[bus.name];
      const fx = bus.shadowRoot.querySelector('[part~="effect"]');
      if (!list.length) {
        expect(fx, `${bus.name}: no effect parameters, no section`).to.equal(null);
        continue;
      }
      expect(fx, bus.name).to.exist;
      const controls = [...fx.querySelectorAll('input[type="range"], select, button')];
      expect(controls, `${bus.name}: one control per parameter`).to.have.length(list.length);
      list.forEach((spec, i) => {
        const c = controls[i];
        // property = the spec's camelCase name, attribute = its kebab-case one
        expect(DawBus.elementProperties.get(spec.name)?.attribute, spec.name).to.equal(spec.attribute);
        if (c.localName === 'input') {
          expect(c.getAttribute('role') ?? 'slider').to.equal('slider');
          expect(Number(c.getAttribute('aria-valuemax')), spec.name).to.equal(spec.max);
        }
      });
    }
    // The master's section: labels from the names, values in their units, attribute -> property -> engine.
    const master = buses.find((b) => b.name === 'master');
    const [ceiling, release] = master.shadowRoot.querySelectorAll('[part~="effect"] input');
    expect([ceiling.getAttribute('aria-label'), release.getAttribute('aria-label')]).to.deep.equal(['Ceiling', 'Release']);
    expect([ceiling.getAttribute('aria-valuetext'), release.getAttribute('aria-valuetext')]).to.deep.equal(['-1.0 dB', '80 ms']);
    expect(master.limiterReleaseMs).to.equal(80);
    expect(engine.master.get('limiterReleaseMs')).to.equal(80);
    master.setAttribute('limiter-ceiling-db', '-6');
    await master.updateComplete;
    expect(engine.master.get('limiterCeilingDb')).to.equal(-6);
    expect(ceiling.getAttribute('aria-valuetext')).to.equal('-6.0 dB');
    engine.master.setAll({ limiterCeilingDb: -1, limiterReleaseMs: 50 });
    host.remove();
    await task();
  });

  // These tests are about the strips, so the bus effects are set to a linear, time-invariant state that
  // settles quickly (no modulation, a 0.1 s reverb, no delay feedback, a dry drum bus): with the defaults, the reverb's
  // modulated tail and the delay's repeats building up keep a sine's level moving for seconds.
  // The drum bus at dry/wet 0 passes its input (delayed as the mains are), with no drive curve.
  const STEADY = { reverb: 'reverb-decay-s="0.1" reverb-mod-depth-ms="0"', delay: 'delay-feedback="0" delay-mod-depth-ms="0"', drum: 'drum-dry-wet="0"' };

  for (const name of ['delay', 'drum', 'master']) {
    it(`the meter of the ${name} ${name === 'master' ? 'strip' : 'bus, fed by a send,'} follows its <daw-bus> fader within 0.1 dB`, async () => {
      const send = name === 'master' ? '' : `send-${name}="0.5"`;
      const host = mount(`<daw-channel label="src" ${send}></daw-channel><daw-bus name="${name}" ${STEADY[name] ?? ''}></daw-bus>`);
      const ch = host.querySelector('daw-channel');
      const bus = host.querySelector('daw-bus');
      await bus.updateComplete;
      const src = sine(0.25);
      ch.source = src;
      await ch.updateComplete;
      const before = await settled(() => bus.meter().peakDb, `${name} peak`);
      expect(before, `${name} peak with the source playing`).to.be.within(-40, 0);
      for (const db of [-12, -3.5]) {
        bus.volumeDb = db;
        await bus.updateComplete;
        expect(bus.strip.get('volumeDb')).to.equal(db);
        const want = before + db;
        await until(() => Math.abs(bus.meter().peakDb - want) < 0.1, 5000, () => `${name} peak ${want.toFixed(2)} dB (reads ${bus.meter().peakDb.toFixed(2)})`);
        expect(await settled(() => bus.meter().peakDb, `${name} peak at ${db} dB`)).to.be.closeTo(want, 0.1);
      }
      // The drawn bar shows the same level (meterFraction: -60..+6 dB over the meter's height).
      const bar = bus.shadowRoot.querySelector('[part~="meter"] .peak');
      await until(() => Math.abs(Number(/scaleY\(([\d.e-]+)\)/.exec(bar.style.transform)?.[1]) - (bus.meter().peakDb + 60) / 66) < 0.01, 3000, 'the bar follows the meter');
      src.stop();
      bus.volumeDb = 0;
      host.remove();
      await task();
    });
  }

  it('each send moves its bus level: halving a send lowers the bus by 6.02 dB (within 0.1 dB), zero silences it', async () => {
    const host = mount(`<daw-channel label="src" send-reverb="0.5" send-delay="0.5" send-drum="0.5"></daw-channel>
      ${BUS_NAMES.map((n) => `<daw-bus name="${n}" ${STEADY[n] ?? ''}></daw-bus>`).join('')}`);
    const ch = host.querySelector('daw-channel');
    const buses = Object.fromEntries([...host.querySelectorAll('daw-bus')].map((b) => [b.name, b]));
    const src = sine(0.25);
    ch.source = src;
    await ch.updateComplete;
    const rms = (n) => buses[n].meter().rmsDb;
    const full = {};
    for (const n of BUS_NAMES) full[n] = await settled(() => rms(n), `${n} RMS`);
    for (const n of BUS_NAMES) {
      const prop = `send${n[0].toUpperCase()}${n.slice(1)}`;
      ch[prop] = 0.25;
      await ch.updateComplete;
      expect(ch.channel.get(prop)).to.equal(0.25);
      await until(() => Math.abs(rms(n) - (full[n] + HALF_DB)) < 0.1, 5000, () => `${n} RMS ${(full[n] + HALF_DB).toFixed(2)} dB (reads ${rms(n).toFixed(2)})`);
      expect(await settled(() => rms(n), `${n} RMS at send 0.25`)).to.be.closeTo(full[n] + HALF_DB, 0.1);
      ch[prop] = 0;
      await until(() => buses[n].meter().peakDb < -60, 8000, () => `${n} silent with its send at 0 (peak ${buses[n].meter().peakDb})`);
    }
    src.stop();
    host.remove();
    await task();
  });

  it('sends, bus fader and clip indicator work from the keyboard, with ARIA roles and values', async function () {
    if (!canSendKeys) this.skip(); // WebKitGTK's WebDriver cannot press keys (see the README)
    const host = mount('<daw-channel label="k"></daw-channel><daw-bus name="reverb"></daw-bus>');
    const ch = host.querySelector('daw-channel');
    const bus = host.querySelector('daw-bus');
    await Promise.all([ch.updateComplete, bus.updateComplete]);
    const sends = ch.shadowRoot.querySelector('[part~="sends"]');
    expect(sends.getAttribute('role')).to.equal('group');
    expect(sends.getAttribute('aria-label')).to.equal('Sends');
    const sliders = [...sends.querySelectorAll('input[type="range"]')];
    expect(sliders.map((s) => s.getAttribute('aria-label'))).to.deep.equal(['Reverb', 'Delay', 'Drum']);
    const delay = sliders[1];
    delay.focus();
    await sendKeys({ press: 'End' });
    await ch.updateComplete;
    expect(ch.sendDelay).to.equal(1);
    expect(ch.channel.get('sendDelay')).to.equal(1);
    expect([delay.getAttribute('aria-valuenow'), delay.getAttribute('aria-valuetext')]).to.deep.equal(['1', '100%']);
    await sendKeys({ press: 'PageDown' }); // ten steps of 0.05
    await ch.updateComplete;
    expect(ch.channel.get('sendDelay')).to.be.closeTo(0.5, 1e-6);
    await sendKeys({ press: 'ArrowDown' });
    await ch.updateComplete;
    expect(ch.channel.get('sendDelay')).to.be.closeTo(0.45, 1e-6);
    expect(delay.getAttribute('aria-valuetext')).to.equal('45%');
    // Tab moves on to the next send.
    await sendKeys({ press: 'Tab' });
    expect(ch.shadowRoot.activeElement).to.equal(sliders[2]);

    const fader = bus.shadowRoot.querySelector('[part~="fader"]');
    expect(fader.getAttribute('aria-orientation')).to.equal('vertical');
    fader.focus();
    await sendKeys({ press: 'ArrowDown' });
    await bus.updateComplete;
    expect(engine.bus('reverb').get('volumeDb')).to.equal(-1);
    expect(fader.getAttribute('aria-valuetext')).to.equal('-1.0 dB');
    const mute = bus.shadowRoot.querySelector('[part~="mute"]');
    mute.focus();
    await sendKeys({ press: ' ' });
    await bus.updateComplete;
    expect(mute.getAttribute('aria-pressed')).to.equal('true');
    expect(engine.bus('reverb').get('mute')).to.equal(1);

    // The clip indicator: a native button; lit by a peak at or above 0 dBFS, reset with Enter.
    const clip = ch.shadowRoot.querySelector('[part~="clip"]');
    expect(clip.localName).to.equal('button');
    const src = sine(1.6); // 1.6 x the pan law's 0.707 = +1.1 dBFS
    ch.source = src;
    await until(() => clip.dataset.clip === 'true', 5000, 'the clip indicator lights');
    expect(clip.getAttribute('aria-label')).to.match(/^Clipped, highest peak \d\.\d dB: reset$/);
    ch.source = null;
    src.stop();
    await until(() => ch.meter().peakDb < -60, 8000, 'the channel falls silent');
    clip.focus();
    await sendKeys({ press: 'Enter' });
    expect(clip.dataset.clip).to.equal('false');
    await until(() => /^No clip, highest peak/.test(clip.getAttribute('aria-label')), 3000, 'the reset shows');
    engine.bus('reverb').setAll({ volumeDb: 0, mute: false });
    host.remove();
    await task();
  });

  it('meters: a dB scale with ticks where the levels are drawn, a peak-hold line, a clip indicator that a click resets', async () => {
    const host = mount('<daw-channel label="m" style="--daw-fader-height: 132px"></daw-channel>');
    const ch = host.querySelector('daw-channel');
    await ch.updateComplete;
    const root = ch.shadowRoot;
    const meter = root.querySelector('[part~="meter"]');
    expect(meter.getAttribute('role')).to.equal('meter');
    expect(meter.getAttribute('aria-valuemin')).to.equal('-60');
    expect(meter.getAttribute('aria-valuemax')).to.equal('6');
    const m = meter.getBoundingClientRect();
    // Each tick label's centre sits at its level's height on the meter (the bottom one rests on the bottom).
    const ticks = [...root.querySelectorAll('[part~="scale"] span')];
    expect(ticks.map((t) => t.textContent)).to.deep.equal(['0', '-6', '-12', '-24', '-36', '-48', '-60']);
    for (const t of ticks.slice(0, -1)) {
      const r = t.getBoundingClientRect();
      const y = m.bottom - ((Number(t.textContent) + 60) / 66) * m.height;
      expect((r.top + r.bottom) / 2, `tick ${t.textContent}`).to.be.closeTo(y, 1.5);
    }
    expect(ticks.at(-1).getBoundingClientRect().bottom).to.be.closeTo(m.bottom, 1);

    const src = sine(1.6);
    ch.source = src;
    const clip = root.querySelector('[part~="clip"]');
    await until(() => clip.dataset.clip === 'true', 5000, 'the clip indicator lights');
    const peak = ch.meter().peakDb;
    expect(peak).to.be.closeTo(20 * Math.log10(1.6 * Math.SQRT1_2), 0.1);
    expect(Number(clip.textContent)).to.be.closeTo(peak, 0.11);
    // The hold line sits at the peak (its bottom edge at the peak's height).
    const hold = root.querySelector('.meter .hold');
    await until(() => Math.abs(hold.getBoundingClientRect().bottom - (m.bottom - ((peak + 60) / 66) * m.height)) < 1, 3000, 'the hold line at the peak');
    ch.source = null;
    src.stop();
    // After the signal stops the peak falls (20 dB in 1.7 s); the hold line stays for 1.5 s, then falls too.
    await until(() => ch.meter().peakDb < peak - 3, 8000, 'the peak falls');
    const y = hold.getBoundingClientRect().bottom;
    expect(y).to.be.closeTo(m.bottom - ((peak + 60) / 66) * m.height, 1.5);
    await until(() => hold.getBoundingClientRect().bottom > y + 5, 8000, 'the hold line falls after its hold time');
    clip.click();
    expect(clip.dataset.clip).to.equal('false');
    expect(clip.textContent).to.equal('-∞');
    host.remove();
    await task();
  });

  it('<daw-mixer> puts channels in the scrolling group and buses in the fixed one; meters scrolled out of view are not drawn', async () => {
    const host = mount(`<daw-mixer style="width: 700px">
      <daw-bus name="reverb"></daw-bus>
      ${Array.from({ length: 12 }, (_, i) => `<daw-channel label="c${i}"></daw-channel>`).join('')}
      <daw-bus name="master"></daw-bus>
    </daw-mixer>`);
    const mixer = host.querySelector('daw-mixer');
    await mixer.updateComplete;
    await nextFrame();
    const group = (part) => mixer.shadowRoot.querySelector(`[part~="${part}"]`);
    const inGroup = (part) => [...group(part).querySelector('slot').assignedElements()].map((e) => e.getAttribute('label') ?? e.name);
    expect(inGroup('channels')).to.deep.equal(Array.from({ length: 12 }, (_, i) => `c${i}`));
    expect(inGroup('buses')).to.deep.equal(['reverb', 'master']);
    expect(group('channels').getAttribute('role')).to.equal('group');
    expect(group('buses').getAttribute('aria-label')).to.equal('Buses and master');
    // Added later, in the middle: each goes to its group.
    mixer.insertBefore(Object.assign(document.createElement('daw-bus'), { name: 'delay' }), mixer.children[3]);
    mixer.append(Object.assign(document.createElement('daw-channel'), { label: 'late' }));
    await until(() => inGroup('buses').length === 3 && inGroup('channels').length === 13, 2000, 'the new children placed');
    expect(inGroup('buses')).to.deep.equal(['reverb', 'delay', 'master']);
    // The channels scroll; the buses stay in view at the right.
    const ch = group('channels');
    expect(ch.scrollWidth).to.be.above(ch.clientWidth);
    const last = mixer.querySelector('daw-channel[label="c11"]');
    const src = sine(0.5);
    last.source = src;
    await until(() => last.meter().peakDb > -20, 5000, 'the hidden channel has a level');
    await nextFrame();
    await nextFrame();
    const bar = last.shadowRoot.querySelector('[part~="meter"] .peak');
    expect(last.getBoundingClientRect().left, 'c11 is scrolled out of view').to.be.above(mixer.getBoundingClientRect().right);
    expect(bar.style.transform || 'scaleY(0)', 'not drawn while out of view').to.equal('scaleY(0)');
    const busBox = mixer.querySelector('daw-bus[name="master"]').getBoundingClientRect();
    ch.scrollLeft = ch.scrollWidth;
    await until(() => bar.style.transform && bar.style.transform !== 'scaleY(0)', 3000, 'drawn once scrolled into view');
    const after = mixer.querySelector('daw-bus[name="master"]').getBoundingClientRect();
    expect([after.left, after.top]).to.deep.equal([busBox.left, busBox.top]);
    src.stop();
    host.remove();
    await task();
  });
});
