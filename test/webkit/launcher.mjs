// A @web/test-runner browser launcher for WebKitGTK through its WebDriver (Debian's
// webkit2gtk-driver: /usr/bin/WebKitWebDriver driving MiniBrowser), spoken to directly over HTTP
// (W3C WebDriver), so no webdriverio is needed. It starts Xvfb when there is no DISPLAY (WebKitGTK
// has no headless mode), and gives MiniBrowser an ALSA configuration whose default device is the
// null plugin: without any sound device GStreamer's autoaudiosink fails and every AudioContext
// stays 'suspended'. Autoplay is allowed (like Chromium's --autoplay-policy flag).
//
// Limits: one page at a time; no coverage; no debug mode; wtr's sendKeys/sendMouse commands only
// support puppeteer, playwright and webdriverio sessions, so tests using them fail here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
const BROWSER = process.env.WEBKIT_BROWSER ?? ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser', '/usr/libexec/webkit2gtk-4.1/MiniBrowser'].find(existsSync);

const freePort = () => new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Xvfb on a display it picks itself (-displayfd: no clash with another X server) and resolves
 * with ':N' once it accepts connections (it writes the number when ready).
 */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    x.stdio[3].on('data', (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(`:${m[1]}`);
    });
    x.stderr.on('data', (d) => { err += d; });
    x.on('error', (e) => reject(new Error(`Xvfb could not start (apt-get install -y xvfb): ${e.message}`)));
    x.on('exit', (code, signal) => {
      reject(new Error(`Xvfb exited (${code}) before it was ready: ${err.trim().slice(-300)}`));
      if (xvfbProcesses.has(x)) say(`Xvfb exited while tests ran (code ${code}, signal ${signal}): ${err.trim().slice(-300)}`);
    });
    xvfbProcesses.add(x);
  });
}
const xvfbProcesses = new Set();

// Why a run ended early must reach the log. @web/test-runner buffers console output and prints it on
// the next timer, and it exits (code 1, no report) right after stopping on an uncaught exception or
// SIGINT, so what it logged on the way out can be lost. These lines go to stderr at once.
const say = (m) => process.stderr.write(`\nWebKitGTK launcher: ${m}\n`);
process.on('uncaughtException', (e) => say(`uncaught exception in the test runner: ${e?.stack ?? e}`));
process.on('exit', (code) => { if (code !== 0) say(`the test runner exits with code ${code}`); });
// A signal nobody else handles is raised again once this listener is gone, so it still ends the run.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    say(`the test runner received ${sig}`);
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
}

export function webkitLauncher({ args = [] } = {}) {
  let driver = null, home = null, base = '', session = null, starting = null;
  const active = new Set();

  // A WebDriver command that gets no answer in 90 s fails, naming itself: with one core kept busy,
  // WebKitWebDriver once stopped answering (a session create or delete never returned, later calls
  // piled up), and the run waited for the 20-minute limit instead of saying so.
  async function call(method, path, body) {
    let r;
    try {
      r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(90000) });
    } catch (e) {
      if (e?.name === 'TimeoutError') say(`WebKitWebDriver gave no answer to ${method} ${path} in 90 s`);
      throw e;
    }
    const json = await r.json();
    if (json?.value?.error) throw new Error(`WebDriver ${method} ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  }

  async function start() {
    if (!existsSync(DRIVER)) throw new Error(`${DRIVER} not found: apt-get install -y webkit2gtk-driver`);
    if (!BROWSER) throw new Error('MiniBrowser not found (it comes with libwebkit2gtk-4.1-0); set WEBKIT_BROWSER');
    const env = { ...process.env };
    if (!env.DISPLAY) env.DISPLAY = await startXvfb();
    home = mkdtempSync(join(tmpdir(), 'daw-webkit-'));
    writeFileSync(join(home, '.asoundrc'), 'pcm.!default { type null }\nctl.!default { type hw card 0 }\n');
    env.HOME = home;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    driver = spawn(DRIVER, [`--port=${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let driverErr = '';
    driver.stderr.on('data', (d) => { driverErr = (driverErr + d).slice(-2000); });
    const me = driver;
    // An early end of the run should say why: the driver (and MiniBrowser under it) going away is
    // printed with its last words, not left to a bare exit code.
    driver.on('exit', (code, signal) => {
      if (driver === me) say(`WebKitWebDriver exited while tests ran (code ${code}, signal ${signal}): ${driverErr.trim().slice(-600)}`);
    });
    for (let i = 0; i < 100; i++) {
      try { if ((await call('GET', '/status')).ready) break; } catch { /* not up yet */ }
      await sleep(100);
    }
  }

  /**
   * A new MiniBrowser (its own web process) for each test file. In one web process, the page after
   * the names suite's crashed in WebKitGTK 2.48's AudioWorklet thread (dmesg: 'AudioWorklet: segfault
   * at 38' in libwebkit2gtk-4.1) in 3 of 4 full runs, never with either file alone; each file in a
   * browser of its own keeps one page's leftovers out of the next, as each Chromium test page is.
   */
  async function newSession() {
    const caps = await call('POST', '/session', { capabilities: { alwaysMatch: { browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: BROWSER, args: ['--automation', '--autoplay-policy=allow', ...args] } } } });
    session = caps.sessionId;
  }

  return {
    name: 'WebKitGTK',
    type: 'webkit-webdriver',
    concurrency: 1,
    async initialize() {},
    async startSession(id, url) {
      starting ??= start();
      await starting;
      await newSession();
      active.add(id);
      await call('POST', `/session/${session}/url`, { url });
    },
    isActive: (id) => active.has(id),
    async getBrowserUrl() {
      return session ? call('GET', `/session/${session}/url`) : undefined;
    },
    async stopSession(id) {
      active.delete(id);
      // The page's AudioContexts are closed before its browser is (a teardown with running worklets
      // is where WebKitGTK's AudioWorklet thread crashed, see newSession).
      try {
        await call('POST', `/session/${session}/execute/async`, { args: [], script: `const done = arguments[arguments.length - 1];
          Promise.all((window.__dawContexts || []).filter((c) => c.state !== 'closed').map((c) => c.close().catch(() => {}))).then(() => done(true), () => done(false));` });
      } catch { /* page gone */ }
      const ended = session;
      session = null;
      try {
        await call('DELETE', `/session/${ended}`);
      } catch (e) {
        say(`the browser had gone when its test file ended (${e.message})`);
      }
      return {};
    },
    /** A PNG (Buffer) of the first element matching CSS `selector` in the current page (WebDriver's Take Element Screenshot). */
    async elementScreenshot(selector) {
      const el = await call('POST', `/session/${session}/element`, { using: 'css selector', value: selector });
      const id = el?.['element-6066-11e4-a52e-4f735466cecf']; // the W3C web element identifier
      if (!id) throw new Error(`WebDriver found no element for ${selector}: ${JSON.stringify(el)}`);
      return Buffer.from(await call('GET', `/session/${session}/element/${id}/screenshot`), 'base64');
    },
    async startDebugSession() {
      throw new Error('the WebKitGTK launcher has no debug mode');
    },
    async stop() {
      if (session) await call('DELETE', `/session/${session}`).catch(() => undefined);
      const d = driver;
      driver = null;
      d?.kill();
      for (const x of xvfbProcesses) x.kill();
      xvfbProcesses.clear();
      if (home) rmSync(home, { recursive: true, force: true });
    },
  };
}
