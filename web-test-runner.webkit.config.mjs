// The browser suite in WebKitGTK (Debian's webkit2gtk-driver + MiniBrowser; test/webkit/launcher.mjs),
// same pages and headers as web-test-runner.config.mjs (DAW_ISOLATION=off for the page without
// COOP/COEP). Needs Xvfb when there is no display.
import base from './web-test-runner.config.mjs';
import { webkitLauncher } from './test/webkit/launcher.mjs';

export default {
  ...base,
  browsers: [webkitLauncher()],
};
