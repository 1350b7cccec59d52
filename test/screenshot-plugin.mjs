// A web-test-runner command, `daw-screenshot`, for tests that check their page in a picture:
// `executeServerCommand('daw-screenshot', { selector, file })` takes a PNG of the element matching
// `selector` (a CSS selector in the test page's document) in the browser running the test, writes it
// to test/screenshots/<file> when there is none there or DAW_UPDATE_SCREENSHOTS=1 (those files are
// checked in: a change of the layout shows in review), otherwise to test/screenshots/latest/<file>
// (ignored by git; a slider's thumb may differ by antialiasing from run to run), and
// answers its size and what test/e2e/png.mjs measures on it (colours, share of non-background
// pixels), so the test can tell a picture of the UI from a blank one. Chromium and Firefox (the
// chrome launcher, puppeteer) screenshot the element through puppeteer; WebKitGTK through WebDriver's
// Take Element Screenshot (test/webkit/launcher.mjs: elementScreenshot).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng, imageStats } from './e2e/png.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

export function screenshotPlugin() {
  return {
    name: 'daw-screenshot',
    async executeCommand({ command, payload, session }) {
      if (command !== 'daw-screenshot') return undefined;
      const { selector, file } = payload;
      const launcher = session.browser;
      let png;
      if (typeof launcher.elementScreenshot === 'function') {
        png = await launcher.elementScreenshot(selector);
      } else if (typeof launcher.getPage === 'function') {
        const el = await launcher.getPage(session.id).$(selector);
        if (!el) throw new Error(`daw-screenshot: nothing matches ${selector}`);
        png = Buffer.from(await el.screenshot({ type: 'png' }));
      } else {
        throw new Error(`daw-screenshot: the ${launcher.name} launcher cannot take screenshots`);
      }
      if (file) {
        if (!/^[\w.-]+\.png$/.test(file)) throw new Error(`daw-screenshot: file '${file}' must be a plain name ending in .png`);
        const out = process.env.DAW_UPDATE_SCREENSHOTS === '1' || !existsSync(join(dir, file)) ? dir : join(dir, 'latest');
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, file), png);
      }
      const img = decodePng(png);
      return { width: img.width, height: img.height, ...imageStats(img) };
    },
  };
}
