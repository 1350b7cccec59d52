// Shared by scripts/soak.mjs and scripts/fuzz.mjs: a static server for the repo root on 127.0.0.1
// (/iso/... with COOP/COEP, /plain/... without, as bench/run.mjs does) and headless Debian Chromium
// driven by puppeteer-core, with --expose-gc and precise memory info so the pages can read a settled
// JS heap.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json' };

/** `--name=value` from argv (or `d`); `--name` alone gives true. */
export function arg(name, d) {
  const a = process.argv.slice(2).find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (!a) return d;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : true;
}

export function serve() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/(iso|plain)(\/.*)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    const file = normalize(join(ROOT, decodeURIComponent(m[2])));
    if (!file.startsWith(ROOT)) return void res.writeHead(403).end();
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const headers = { 'Content-Type': MIME[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (m[1] === 'iso') Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' });
      res.writeHead(200, headers).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Starts the server and Chromium, opens `page` (a path under the repo root) isolated or not, and
 * waits for `window.ready`. Returns { page, browser, close, log }. Page errors and console errors are
 * collected in `log.errors` (and printed).
 */
export async function openPage(path, { isolated = true, log = console.log, ignore = null } = {}) {
  for (const f of ['dist/daw-elements.js', 'dist/daw-worklet.js', 'dist/daw-dsp.wasm']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    protocolTimeout: 3 * 3600_000,
    args: ['--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run', '--enable-precise-memory-info',
      '--js-flags=--expose-gc', '--disable-renderer-backgrounding', '--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows'],
  });
  const errors = [];
  const page = await browser.newPage();
  page.on('pageerror', (e) => { errors.push(`pageerror: ${e.message}`); log(`pageerror: ${e.message}`); });
  page.on('console', (m) => {
    if (m.type() === 'error' && ignore?.test(m.text())) return;
    if (m.type() === 'error') { errors.push(`console.error: ${m.text()}`); log(`console.error: ${m.text()}`); }
    else if (m.type() === 'log' || m.type() === 'info') log(`page: ${m.text()}`);
  });
  await page.goto(`${origin}/${isolated ? 'iso' : 'plain'}/${path}`);
  await page.waitForFunction('window.ready === true', { timeout: 60_000 });
  const close = async () => {
    await browser.close().catch(() => undefined);
    await new Promise((r) => server.close(r));
  };
  return { page, browser, close, errors, version: await browser.version() };
}
