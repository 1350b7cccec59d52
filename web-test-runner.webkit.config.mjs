// The browser suite in WebKitGTK (Debian's webkit2gtk-driver + MiniBrowser; test/webkit/launcher.mjs),
// same pages and headers as web-test-runner.config.mjs (DAW_ISOLATION=off for the page without
// COOP/COEP). Needs Xvfb when there is no display.
import base from './web-test-runner.config.mjs';
import { webkitLauncher } from './test/webkit/launcher.mjs';

export default {
  ...base,
  // Every AudioContext a test page makes is listed, so the launcher can close them before it leaves
  // the page (see stopSession in test/webkit/launcher.mjs).
  testRunnerHtml: (testFramework) => base.testRunnerHtml(testFramework).replace('</head>', `<script>
    window.__dawContexts = [];
    if (window.AudioContext) window.AudioContext = class extends window.AudioContext {
      constructor(...args) { super(...args); window.__dawContexts.push(this); }
    };
  </script></head>`),
  browsers: [webkitLauncher()],
};
