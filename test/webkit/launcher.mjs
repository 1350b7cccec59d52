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
// Drivers run in process groups of their own (see open()), so they do not die with the runner: a run
// that ends early (an uncaught exception, a signal) kills what is left of them, and Xvfb, on its way out.
const driverGroups = new Set();
function killLeftovers() {
  for (const pid of driverGroups) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const x of xvfbProcesses) x.kill();
}
process.on('exit', killLeftovers);
// A signal nobody else handles is raised again once this listener is gone, so it still ends the run.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    say(`the test runner received ${sig}`);
    killLeftovers();
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
}

export function webkitLauncher({ args = [] } = {}) {
  let display = null, current = null;
  const homes = new Set();
  const active = new Set();

  /**
   * A WebDriver command that gets no answer in `ms` fails, naming itself: with one core kept busy,
   * WebKitWebDriver once stopped answering (a session create or delete never returned, later calls
   * piled up), and the run waited for the 20-minute limit instead of saying so.
   */
  async function call(d, method, path, body, ms = 90000) {
    let r;
    try {
      r = await fetch(`${d.base}${path}`, { method, headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(ms) });
    } catch (e) {
      if (e?.name === 'TimeoutError') say(`WebKitWebDriver gave no answer to ${method} ${path} in ${ms / 1000} s`);
      throw e;
    }
    const json = await r.json();
    if (json?.value?.error) throw new Error(`WebDriver ${method} ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  }

  async function setup() {
    if (!existsSync(DRIVER)) throw new Error(`${DRIVER} not found: apt-get install -y webkit2gtk-driver`);
    if (!BROWSER) throw new Error('MiniBrowser not found (it comes with libwebkit2gtk-4.1-0); set WEBKIT_BROWSER');
    display = process.env.DISPLAY || await startXvfb();
  }
  let ready = null;

  /**
   * A WebKitWebDriver and a MiniBrowser (its own web process) of their own for each test file, in a
   * process group of their own that is killed when the file ends.
   * - One web process for all files: the page after the names suite's crashed in WebKitGTK 2.48's
   *   AudioWorklet thread (dmesg: 'AudioWorklet: segfault at 38' in libwebkit2gtk-4.1) in 3 of 4
   *   full runs, never with either file alone.
   * - One driver with a new session per file: with one core kept busy, the driver once answered a new
   *   session with 'A session already exists' and then stopped answering at all (requests piling up
   *   in CLOSE-WAIT): its state outlived the session. A driver per file has no state to outlive it,
   *   and killing its group leaves no MiniBrowser or web process behind for the next file.
   */
  async function open() {
    const port = await freePort();
    const home = mkdtempSync(join(tmpdir(), 'daw-webkit-'));
    writeFileSync(join(home, '.asoundrc'), 'pcm.!default { type null }\nctl.!default { type hw card 0 }\n');
    homes.add(home);
    const d = { base: `http://127.0.0.1:${port}`, session: null, err: '', ended: false, proc: null, exited: null };
    d.proc = spawn(DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: display, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    driverGroups.add(d.proc.pid);
    d.exited = new Promise((resolve) => d.proc.on('exit', resolve));
    d.proc.stderr.on('data', (x) => { d.err = (d.err + x).slice(-2000); });
    // An early end of the run should say why: the driver (and MiniBrowser under it) going away while
    // its file runs is printed with its last words, not left to a bare exit code.
    d.proc.on('exit', (code, signal) => {
      if (!d.ended) say(`WebKitWebDriver exited while tests ran (code ${code}, signal ${signal}): ${d.err.trim().slice(-600)}`);
    });
    d.proc.on('error', (e) => say(`WebKitWebDriver could not start: ${e.message}`));
    for (let i = 0; ; i++) {
      try { if ((await call(d, 'GET', '/status', undefined, 5000)).ready) break; } catch (e) {
        if (i >= 300) throw new Error(`WebKitWebDriver did not answer /status within 30 s: ${e.message}; ${d.err.trim().slice(-300)}`);
      }
      await sleep(100);
    }
    const caps = await call(d, 'POST', '/session', { capabilities: { alwaysMatch: { browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: BROWSER, args: ['--automation', '--autoplay-policy=allow', ...args] } } } });
    d.session = caps.sessionId;
    return d;
  }

  /** Ends a driver and everything it started: asks politely, then kills the process group. */
  async function close(d) {
    d.ended = true;
    if (d.session) await call(d, 'DELETE', `/session/${d.session}`, undefined, 30000).catch((e) => say(`the browser had gone when its test file ended (${e.message})`));
    d.session = null;
    const kill = (sig) => { try { process.kill(-d.proc.pid, sig); } catch { /* already gone */ } };
    kill('SIGTERM');
    const gone = await Promise.race([d.exited.then(() => true), sleep(5000).then(() => false)]);
    // The group may outlive its leader (a MiniBrowser or web process still exiting): SIGKILL it all.
    kill('SIGKILL');
    if (!gone) await d.exited;
    driverGroups.delete(d.proc.pid);
  }

  return {
    name: 'WebKitGTK',
    type: 'webkit-webdriver',
    concurrency: 1,
    async initialize() {},
    async startSession(id, url) {
      ready ??= setup();
      await ready;
      current = await open();
      active.add(id);
      await call(current, 'POST', `/session/${current.session}/url`, { url });
    },
    isActive: (id) => active.has(id),
    async getBrowserUrl() {
      return current?.session ? call(current, 'GET', `/session/${current.session}/url`) : undefined;
    },
    async stopSession(id) {
      active.delete(id);
      const d = current;
      current = null;
      if (!d) return {};
      // The page's AudioContexts are closed before its browser is (a teardown with running worklets
      // is where WebKitGTK's AudioWorklet thread crashed, see open).
      try {
        await call(d, 'POST', `/session/${d.session}/execute/async`, { args: [], script: `const done = arguments[arguments.length - 1];
          Promise.all((window.__dawContexts || []).filter((c) => c.state !== 'closed').map((c) => c.close().catch(() => {}))).then(() => done(true), () => done(false));` }, 30000);
      } catch { /* page gone */ }
      await close(d);
      return {};
    },
    /** A PNG (Buffer) of the first element matching CSS `selector` in the current page (WebDriver's Take Element Screenshot). */
    async elementScreenshot(selector) {
      const d = current;
      if (!d?.session) throw new Error('no WebKitGTK page is open');
      const el = await call(d, 'POST', `/session/${d.session}/element`, { using: 'css selector', value: selector });
      const id = el?.['element-6066-11e4-a52e-4f735466cecf']; // the W3C web element identifier
      if (!id) throw new Error(`WebDriver found no element for ${selector}: ${JSON.stringify(el)}`);
      return Buffer.from(await call(d, 'GET', `/session/${d.session}/element/${id}/screenshot`), 'base64');
    },
    async startDebugSession() {
      throw new Error('the WebKitGTK launcher has no debug mode');
    },
    async stop() {
      const d = current;
      current = null;
      if (d) await close(d);
      for (const x of xvfbProcesses) x.kill();
      xvfbProcesses.clear();
      for (const h of homes) rmSync(h, { recursive: true, force: true });
    },
  };
}
