// Browser tests in Debian's headless Chromium. The whole suite runs twice (see package.json):
// once on a cross-origin isolated page (COOP/COEP: SharedArrayBuffer path) and once with
// DAW_ISOLATION=off on a page served without those headers (batched-message fallback path).
import { chromeLauncher } from '@web/test-runner-chrome';
import { existsSync } from 'node:fs';
import { screenshotPlugin } from './test/screenshot-plugin.mjs';

const isolated = process.env.DAW_ISOLATION !== 'off';

/**
 * Chromium's own render capacity for test/load.test.js, through the DevTools protocol on the test's
 * page (the chrome launcher's puppeteer page): `webaudio-enable` before the test makes its
 * AudioContext (contexts are announced as they are created), `webaudio-realtime` then answers
 * WebAudio.getRealtimeData for the page's realtime context: { renderCapacity, callbackIntervalMean, ... }.
 */
function webAudioDevtools() {
  const sessions = new Map();
  return {
    name: 'webaudio-devtools',
    async executeCommand({ command, session }) {
      if (command === 'webaudio-enable') {
        const cdp = await session.browser.getPage(session.id).createCDPSession();
        const s = { cdp, contexts: [] };
        cdp.on('WebAudio.contextCreated', (e) => s.contexts.push(e.context));
        cdp.on('WebAudio.contextWillBeDestroyed', (e) => { s.contexts = s.contexts.filter((c) => c.contextId !== e.contextId); });
        await cdp.send('WebAudio.enable');
        sessions.get(session.id)?.cdp.detach().catch(() => undefined);
        sessions.set(session.id, s);
        return true;
      }
      if (command === 'webaudio-realtime') {
        const s = sessions.get(session.id);
        const ctx = s?.contexts.filter((c) => c.contextType === 'realtime').pop();
        if (!ctx) return null;
        return (await s.cdp.send('WebAudio.getRealtimeData', { contextId: ctx.contextId })).realtimeData;
      }
      return undefined;
    },
  };
}
const executablePath = process.env.CHROME_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);

export default {
  files: process.env.DAW_TEST_FILES ?? 'test/**/*.test.js',
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 60000 } },
  testsFinishTimeout: 20 * 60 * 1000,
  browserStartTimeout: 60000,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: [
          '--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--disable-gpu', '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc',
          '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
          // engine.recordInput() (test/input.test.js): a fake microphone, granted without a prompt.
          '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
        ],
      },
    }),
  ],
  testRunnerHtml: (testFramework) => `<!doctype html><html><head><meta charset="utf-8">
    <script>window.DAW_EXPECT_ISOLATED = ${isolated};</script></head>
    <body><script type="module" src="${testFramework}"></script></body></html>`,
  plugins: [screenshotPlugin(), webAudioDevtools()],
  middleware: [
    // /dist-copy/ serves dist/ again under another URL: a second copy of the script on the page (its
    // page module and the classes module it imports are other modules than /dist/'s).
    function secondCopy(ctx, next) {
      // (/dist-copy-NAME/ too: one more copy per name, its chunks included; a query string on the
      // entry would copy the entry alone, its chunks staying the first copy's.)
      const m = /^\/dist-copy(?:-[a-z0-9]+)?\//.exec(ctx.path);
      // /dist-copy-broken/ lacks daw-console.js: a feature chunk that cannot be fetched (test/lazy.test.js).
      if (m && ctx.path === '/dist-copy-broken/daw-console.js') {
        ctx.status = 404;
        return undefined;
      }
      if (m) ctx.path = `/dist/${ctx.path.slice(m[0].length)}`;
      return next();
    },
    function headers(ctx, next) {
      if (isolated) {
        ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
        ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
      }
      ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
      if (ctx.path.endsWith('.wasm')) ctx.type = 'application/wasm';
      return next();
    },
  ],
};
