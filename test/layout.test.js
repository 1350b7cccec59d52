// Layout of the elements in each browser engine: every part of an element lies inside its host's box,
// the keys inside the keyboard frame, slotted elements inside their channel, no control of zero size.
// Measured with getBoundingClientRect on real renders (idle and running engine, EQ/compressor
// sections open), in a narrow and a wide container. The reference is geometry itself: a box either
// lies inside another (within half a pixel of subpixel rounding) or it does not. This is the check
// that caught Firefox sizing <daw-synth keyboard> at 103 px around 318 px of keys.
import { expect } from '@esm-bundle/chai';
import { getEngine } from '../dist/daw-elements.js';
import { defineFeatures, nextFrame, wavUrl } from './helpers.js';

await defineFeatures('daw-transport', 'daw-steps'); // loaded on first appearance; settle() below awaits every element's render

const engine = getEngine();
const EPS = 0.5; // px: subpixel layout rounds edges differently per engine
const WIDTHS = [360, 900]; // a phone and a desktop column, in CSS px
const TAGS = ['daw-engine', 'daw-channel', 'daw-synth', 'daw-clip', 'daw-transport', 'daw-steps'];


const src = wavUrl(new Float32Array(11025), 22050); // 0.5 s of silence
const page = document.createElement('div');
page.innerHTML = `
  <daw-engine volume-db="-6">
    <daw-transport></daw-transport>
    <daw-channel label="Lead with a long channel name" volume-db="-6">
      <daw-synth keyboard></daw-synth>
    </daw-channel>
    <daw-channel label="Drums"><daw-clip label="a-very-long-file-name-for-a-drum-loop.wav" src="${src}" loop></daw-clip></daw-channel>
    <daw-channel label="Empty"><daw-clip></daw-clip></daw-channel>
    <daw-synth keyboard style="--daw-key-width: 14px"></daw-synth>
    <daw-clip src="${src}"></daw-clip>
    <daw-synth id="layout-steps"><daw-sequence notes="C4 0"></daw-sequence></daw-synth>
    <daw-steps for="layout-steps" rows="C4 E4 G4" steps="16" label="A grid" pattern="9...5... ..x"></daw-steps>
    <daw-steps for="layout-steps" rows="C4 D4 E4 F4 G4 A4 B4 C5" style="--daw-step-size: 28px"></daw-steps>
  </daw-engine>`;

const rect = (el) => el.getBoundingClientRect();
const fmt = (r) => `${r.left.toFixed(1)},${r.top.toFixed(1)} ${r.width.toFixed(1)}×${r.height.toFixed(1)}`;
const inside = (r, outer) => r.left >= outer.left - EPS && r.top >= outer.top - EPS && r.right <= outer.right + EPS && r.bottom <= outer.bottom + EPS;
/** Rendered (has a layout box): not display:none, not inside a closed <details> or a hidden host. */
const rendered = (el) => el.getClientRects().length > 0;
const describe_ = (el) => `${el.getRootNode().host?.localName ?? 'document'} ${el.localName}${el.getAttribute('part') ? `[part="${el.getAttribute('part')}"]` : ''}${el.className ? `.${String(el.className).trim().replace(/\s+/g, '.')}` : ''}${el.dataset?.pitch ? `[pitch ${el.dataset.pitch}]` : ''}`;

/** Every element of ours in `root`, in document order. */
const hosts = (root) => [...root.querySelectorAll(TAGS.join(','))];

/** Waits until every element has rendered its latest state, then for a frame (layout done). */
async function settle(root) {
  for (const el of hosts(root)) await (el.loaded ?? el.updateComplete); // <daw-steps> loads its grid on first use
  await nextFrame();
}

/** Opens every <details> in the elements' shadow roots, so the sliders in them are measured too. */
function openSections(root) {
  for (const el of hosts(root)) el.shadowRoot?.querySelectorAll('details').forEach((d) => { d.open = true; });
}

/** The layout problems in `root`: a list of sentences (empty when the layout is right). */
function problems(root) {
  const out = [];
  for (const host of hosts(root)) {
    if (!rendered(host)) continue; // e.g. <daw-synth> without keyboard: display none by design
    const h = rect(host);
    if (!(h.width > 0 && h.height > 0)) out.push(`${host.localName} host has zero size (${fmt(h)})`);
    // Each part (and each part's descendants that draw: keys, labels) inside the host's box.
    for (const el of host.shadowRoot.querySelectorAll('[part], [part] *')) {
      if (!rendered(el)) continue;
      const r = rect(el);
      if (r.width === 0 && r.height === 0) continue; // empty inline text holders; controls are checked below
      if (!inside(r, h)) out.push(`${describe_(el)} (${fmt(r)}) is outside its <${host.localName}> (${fmt(h)})`);
    }
    // Controls: never zero size.
    for (const el of host.shadowRoot.querySelectorAll('button, input, select, summary, [role="slider"], [role="meter"], [role="status"]')) {
      if (!rendered(el)) continue;
      const r = rect(el);
      if (!(r.width >= 1 && r.height >= 1)) out.push(`${describe_(el)} has zero size (${fmt(r)})`);
    }
    // The keyboard frame holds all its keys.
    const frame = host.shadowRoot.querySelector('[part~="keyboard"]');
    if (frame && rendered(frame)) {
      const f = rect(frame);
      const keys = [...frame.querySelectorAll('[part~="key"]')];
      if (keys.length !== 24) out.push(`${host.localName} keyboard has ${keys.length} keys, not 24`);
      for (const k of keys) if (!inside(rect(k), f)) out.push(`${describe_(k)} (${fmt(rect(k))}) is outside the keyboard frame (${fmt(f)})`);
    }
    // Slotted elements of ours (a synth or clip in a channel, everything in an engine) inside their parent element.
    const parent = host.parentElement?.closest(TAGS.join(','));
    if (parent && rendered(parent) && !inside(h, rect(parent))) out.push(`${host.localName} (${fmt(h)}) is outside its <${parent.localName}> (${fmt(rect(parent))})`);
  }
  return out;
}

describe('layout (every engine): parts inside their element, keys inside the keyboard, no zero-size control', function () {
  this.timeout(60000);

  before(async () => {
    document.body.append(page);
    const clips = [...page.querySelectorAll('daw-clip[src]')];
    await settle(page);
    // Idle first (the "Enable audio" face, clips waiting), then the running engine; see the tests.
    page.loaded = Promise.all(clips.map((c) => new Promise((r) => c.addEventListener('daw-clip-load', r, { once: true }))));
  });

  after(() => page.remove());

  for (const width of WIDTHS) {
    it(`idle engine, ${width} px wide: every part inside its element, every key inside the keyboard`, async () => {
      page.style.width = `${width}px`;
      openSections(page);
      await settle(page);
      expect(engine.state).to.equal('idle');
      expect(page.querySelector('daw-engine').shadowRoot.querySelector('[part~="button"]'), 'Enable audio button').to.exist;
      expect(problems(page)).to.deep.equal([]);
    });
  }

  it('the keyboard frame is as wide as its keys (24 keys, 14 white)', async () => {
    page.style.width = `${WIDTHS[1]}px`;
    await settle(page);
    for (const synth of page.querySelectorAll('daw-synth[keyboard]')) {
      const frame = synth.shadowRoot.querySelector('[part~="keyboard"]');
      const keys = [...frame.querySelectorAll('[part~="key"]')].map(rect);
      const span = Math.max(...keys.map((k) => k.right)) - Math.min(...keys.map((k) => k.left));
      const white = parseFloat(getComputedStyle(synth).getPropertyValue('--daw-key-width')) || 22;
      expect(span, `keys of ${white} px white keys`).to.be.closeTo(14 * white, 1);
      // The frame adds only its padding and border around the keys.
      expect(rect(frame).width - span, `frame ${fmt(rect(frame))} around keys spanning ${span.toFixed(1)} px`).to.be.within(0, 16);
    }
  });

  for (const width of WIDTHS) {
    it(`running engine, clips loaded, ${width} px wide: every part inside its element`, async () => {
      page.style.width = `${width}px`;
      if (engine.state !== 'running') {
        const running = new Promise((r) => engine.addEventListener('daw-ready', r, { once: true }));
        page.querySelector('daw-engine').shadowRoot.querySelector('[part~="button"]').click();
        await running;
        await page.loaded;
      }
      openSections(page);
      await settle(page);
      expect(page.querySelector('daw-engine').shadowRoot.querySelector('[part~="status"]').textContent).to.match(/running/i);
      expect([...page.querySelectorAll('daw-clip[src]')].map((c) => c.shadowRoot.querySelector('[part~="status"]').textContent)).to.deep.equal(['Ready', 'Ready']);
      expect(problems(page)).to.deep.equal([]);
    });
  }
});
