// The browser suite (test/**/*.test.js) in Debian's Firefox ESR, driven by puppeteer-core over
// WebDriver BiDi through @web/test-runner-chrome's launcher (the same launcher that
// @web/test-runner-puppeteer wraps, without the full `puppeteer` package and its browser download).
// Same pages and headers as web-test-runner.config.mjs: isolated (COOP/COEP) by default,
// DAW_ISOLATION=off for the batched-message path. Firefox has no performance.memory and no
// --expose-gc, so the heap tests skip there (they say why).
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteer from 'puppeteer-core';
import { existsSync } from 'node:fs';
import base from './web-test-runner.config.mjs';

const executablePath = process.env.FIREFOX_PATH ?? ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find(existsSync);

export default {
  ...base,
  browsers: [
    chromeLauncher({
      puppeteer,
      launchOptions: {
        browser: 'firefox',
        executablePath,
        headless: true,
        extraPrefsFirefox: {
          // No gesture needed for an AudioContext (like Chromium's --autoplay-policy flag).
          'media.autoplay.default': 0,
          'media.autoplay.blocking_policy': 0,
          // A machine without a sound server has no output device, and Firefox then leaves every
          // AudioContext 'suspended' forever; cubeb's mock context gives it a fake output that runs
          // in real time (Chromium falls back to a fake sink by itself).
          'media.cubeb.force_mock_context': true,
          // engine.recordInput() (test/input.test.js): a fake microphone, granted without a prompt.
          'media.navigator.streams.fake': true,
          'media.navigator.permission.disabled': true,
        },
      },
    }),
  ],
};
