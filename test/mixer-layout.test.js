// The mixer demo (demo/mixer.html: <daw-mixer> with 24 channels, three buses and the master) laid out
// in each browser engine, in an iframe as wide as a desktop window and as a phone (360 CSS px): no
// strip overlaps another, nothing sticks out of the page sideways, every part lies inside its strip,
// the channels scroll sideways while the buses and master stay inside the window (also with the
// channels scrolled to their end). Measured with getBoundingClientRect (the reference is geometry: a
// box lies inside another, within half a pixel of subpixel rounding, or it does not). A screenshot of
// each layout (test/screenshots/mixer-<browser>-<width>.png, checked in; later runs write
// test/screenshots/latest/, DAW_UPDATE_SCREENSHOTS=1 replaces the checked-in ones) must show the UI
// (many colours, not the page background alone); at 360 px, where the buses are below the frame's
// fold, a second one (…-360-buses.png) shows them.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { nextFrame } from './helpers.js';

const EPS = 0.5;
const WIDTHS = [1024, 360];
const HEIGHT = 720;
const browser = /Firefox\//.test(navigator.userAgent) ? 'firefox' : /Chrome\//.test(navigator.userAgent) ? 'chromium' : 'webkitgtk';

const fmt = (r) => `${r.left.toFixed(1)},${r.top.toFixed(1)} ${r.width.toFixed(1)}×${r.height.toFixed(1)}`;
const inside = (r, o) => r.left >= o.left - EPS && r.top >= o.top - EPS && r.right <= o.right + EPS && r.bottom <= o.bottom + EPS;
const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
// Not display:none, not in a closed <details> (whose content Chromium keeps laid out but skipped: checkVisibility says so).
const rendered = (el) => el.getClientRects().length > 0 && (el.checkVisibility?.() ?? true);

/** Loads the demo in an iframe `width` px wide; resolves with its window once every strip has rendered. */
async function loadDemo(width) {
  const frame = document.createElement('iframe');
  frame.id = 'demo-frame';
  frame.style.cssText = `width: ${width}px; height: ${HEIGHT}px; border: 0; display: block;`;
  document.body.style.margin = '0'; // the frame at the window's left edge: WebKitGTK's screenshot of it ends at the window's
  document.body.prepend(frame);
  await new Promise((resolve, reject) => {
    frame.onload = resolve;
    frame.onerror = reject;
    frame.src = '/demo/mixer.html';
  });
  const win = frame.contentWindow;
  const doc = win.document;
  // The page's module script adds the channels; the tags upgrade when the bundle has loaded (<daw-mixer>
  // and <daw-bus> when their chunk has: they are defined on first appearance).
  for (let i = 0; i < 600 && !(win.customElements.get('daw-mixer') && win.customElements.get('daw-bus') && doc.querySelectorAll('daw-channel').length === 24); i++) await nextFrame();
  const strips = [...doc.querySelectorAll('daw-channel, daw-bus')];
  expect(strips.length, 'strips in the demo').to.equal(28);
  await Promise.all([...doc.querySelectorAll('daw-engine, daw-mixer, daw-channel, daw-bus')].map((el) => el.updateComplete));
  await new Promise((r) => win.requestAnimationFrame(() => win.requestAnimationFrame(r)));
  return { frame, win, doc };
}

/** The layout problems of the demo's console: a list of sentences (empty when the layout is right). */
function problems({ win, doc }, width) {
  const out = [];
  const mixer = doc.querySelector('daw-mixer');
  const group = (part) => mixer.shadowRoot.querySelector(`[part~="${part}"]`);
  const page = { left: 0, top: -Infinity, right: width, bottom: Infinity };
  const m = mixer.getBoundingClientRect();
  if (doc.documentElement.scrollWidth > win.innerWidth) out.push(`the page is ${doc.documentElement.scrollWidth} px wide in a ${win.innerWidth} px window`);
  if (!inside(m, page)) out.push(`the mixer (${fmt(m)}) sticks out of the ${width} px window`);
  const [channels, buses] = [group('channels'), group('buses')].map((g) => g.getBoundingClientRect());
  for (const [name, g] of [['channels', channels], ['buses', buses]]) if (!inside(g, m)) out.push(`the ${name} group (${fmt(g)}) is outside the mixer (${fmt(m)})`);
  if (overlap(channels, buses) > 1) out.push(`the channels group (${fmt(channels)}) overlaps the buses group (${fmt(buses)})`);
  const chs = [...doc.querySelectorAll('daw-channel')];
  const bs = [...doc.querySelectorAll('daw-bus')];
  if (!(group('channels').scrollWidth > group('channels').clientWidth)) out.push('the channels do not scroll sideways');
  for (const b of bs) {
    const r = b.getBoundingClientRect();
    if (!inside(r, buses) || !inside(r, page)) out.push(`bus ${b.name} (${fmt(r)}) is not in view inside its group (${fmt(buses)})`);
  }
  for (const list of [chs, bs]) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i].getBoundingClientRect(), b = list[j].getBoundingClientRect();
        if (overlap(a, b) > 1) out.push(`${list[i].label || list[i].name} (${fmt(a)}) overlaps ${list[j].label || list[j].name} (${fmt(b)})`);
      }
    }
  }
  // Every part of every strip inside its strip; no control of zero size.
  for (const host of [...chs, ...bs]) {
    const h = host.getBoundingClientRect();
    for (const el of host.shadowRoot.querySelectorAll('[part], [part] *')) {
      if (!rendered(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (!inside(r, h)) out.push(`${host.label || host.name} ${el.localName}${el.getAttribute('part') ? `[part="${el.getAttribute('part')}"]` : `.${el.className}`} (${fmt(r)}) is outside its strip (${fmt(h)})`);
    }
    for (const el of host.shadowRoot.querySelectorAll('button, input, select, summary, [role="meter"]')) {
      if (!rendered(el)) continue;
      const r = el.getBoundingClientRect();
      if (!(r.width >= 1 && r.height >= 1)) out.push(`${host.label || host.name} ${el.localName} has zero size (${fmt(r)})`);
    }
  }
  return out;
}

describe(`mixer demo layout in ${browser}: no overlap, no overflow, buses and master in view`, function () {
  this.timeout(120000);

  for (const width of WIDTHS) {
    it(`${width} px wide: strips side by side without overlap, nothing outside the page, the buses in view; screenshot`, async () => {
      const demo = await loadDemo(width);
      try {
        expect(problems(demo, width)).to.deep.equal([]);
        // Scrolled to the last channel: the buses and master have not moved.
        const mixer = demo.doc.querySelector('daw-mixer');
        const channels = mixer.shadowRoot.querySelector('[part~="channels"]');
        const before = [...demo.doc.querySelectorAll('daw-bus')].map((b) => fmt(b.getBoundingClientRect()));
        channels.scrollLeft = channels.scrollWidth;
        await new Promise((r) => demo.win.requestAnimationFrame(r));
        expect(channels.scrollLeft, 'the channels scrolled').to.be.above(0);
        const last = demo.doc.querySelector('daw-channel:last-of-type').getBoundingClientRect();
        expect(inside(last, channels.getBoundingClientRect()), `the last channel (${fmt(last)}) is in view once scrolled`).to.equal(true);
        expect([...demo.doc.querySelectorAll('daw-bus')].map((b) => fmt(b.getBoundingClientRect()))).to.deep.equal(before);
        channels.scrollLeft = 0;
        await new Promise((r) => demo.win.requestAnimationFrame(() => demo.win.requestAnimationFrame(r)));
        // Written only from the isolated run: the page without COOP/COEP lays out the same.
        const shot = await executeServerCommand('daw-screenshot', { selector: '#demo-frame', file: window.DAW_EXPECT_ISOLATED ? `mixer-${browser}-${width}.png` : undefined });
        expect(shot.width, 'screenshot width').to.be.closeTo(width, 1);
        expect(shot.colours, `screenshot ${JSON.stringify(shot)}`).to.be.above(50);
        expect(shot.foreground, `screenshot ${JSON.stringify(shot)}`).to.be.above(0.2);
        // Where the buses are below the frame's fold (a phone), a second picture shows them.
        const buses = mixer.shadowRoot.querySelector('[part~="buses"]');
        if (buses.getBoundingClientRect().bottom > HEIGHT) {
          demo.win.scrollTo(0, buses.getBoundingClientRect().top + demo.win.scrollY - 8);
          await new Promise((r) => demo.win.requestAnimationFrame(() => demo.win.requestAnimationFrame(r)));
          expect(buses.getBoundingClientRect().top, 'scrolled to the buses').to.be.closeTo(8, 1);
          const more = await executeServerCommand('daw-screenshot', { selector: '#demo-frame', file: window.DAW_EXPECT_ISOLATED ? `mixer-${browser}-${width}-buses.png` : undefined });
          expect(more.colours, `screenshot ${JSON.stringify(more)}`).to.be.above(50);
          expect(more.foreground, `screenshot ${JSON.stringify(more)}`).to.be.above(0.2);
        }
      } finally {
        demo.frame.remove();
      }
    });
  }
});
