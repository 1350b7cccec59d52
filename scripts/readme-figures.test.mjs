// node --test units for the README figure generator (pure text functions; the README itself is
// checked by scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaceRegion, sizesText, supportTable } from './readme-figures.mjs';

const doc = 'intro\n<!-- figures:x:begin (generated) -->\nold 1\nold 2\n<!-- figures:x:end -->\noutro\n';

test('replaceRegion swaps what is between the markers and keeps the markers and the rest', () => {
  assert.equal(replaceRegion(doc, 'x', 'new\n'), 'intro\n<!-- figures:x:begin (generated) -->\nnew\n<!-- figures:x:end -->\noutro\n');
  assert.equal(replaceRegion(replaceRegion(doc, 'x', 'a\n'), 'x', 'old 1\nold 2\n'), doc);
});

test('replaceRegion refuses a README without the markers (or with them reversed)', () => {
  assert.throws(() => replaceRegion('no markers', 'x', ''), /no <!-- figures:x:begin -->/);
  assert.throws(() => replaceRegion('<!-- figures:x:end -->\n<!-- figures:x:begin -->\n', 'x', ''), /markers/);
  assert.throws(() => replaceRegion(doc, 'y', ''), /figures:y/);
});

test('supportTable: passed and skipped per engine and page, "not run" where a step did not run', () => {
  const c = (passed, skipped = 0) => ({ passed, failed: 0, skipped });
  const t = supportTable(
    { chromium: { isolated: c(86), plain: c(85), e2e: c(80) }, firefox: { isolated: c(84, 2), plain: c(84, 2), e2e: c(79) }, webkit: { isolated: c(80, 6), plain: c(80, 6) }, e2ePages: 7 },
    { chromium: 'Chromium 156', firefox: 'Firefox ESR 153', webkit: 'WebKitGTK 2.50' },
  ).split('\n');
  assert.equal(t[0], '| | Chromium 156 | Firefox ESR 153 | WebKitGTK 2.50 |');
  assert.equal(t[2], '| browser suite, isolated page | 86 passed | 84 passed, 2 skipped | 80 passed, 6 skipped |');
  assert.equal(t[3], '| browser suite, page without COOP/COEP | 85 passed | 84 passed, 2 skipped | 80 passed, 6 skipped |');
  assert.match(t[4], /^\| end-to-end \(7 pages: .*\) \| 80 passed \| 79 passed \| not run \|$/);
});

test('sizesText: kB of 1024 bytes with one decimal, and the budget', () => {
  const f = (raw, gzip) => ({ raw, gzip });
  const text = sizesText({ files: { 'dist/daw-elements.js': f(392, 289), 'dist/daw-elements-classes.js': f(84173, 26317), 'dist/daw-worklet.js': f(8101, 3271), 'dist/daw-dsp.wasm': f(202108, 45960) }, jsGzip: 29877 }, 30 * 1024);
  assert.match(text, /`daw-elements.js` 0\.4 \/ 0\.3 kB/);
  assert.match(text, /`daw-elements-classes.js`\s+82\.2 \/ 25\.7 kB/);
  assert.match(text, /`daw-worklet.js`\s+7\.9 \/ 3\.2 kB/);
  assert.match(text, /`daw-dsp.wasm` 197\.4 \/ 44\.9 kB/);
  assert.match(text, /JavaScript 29\.2 kB gzip in all \(budget\s+30 kB, which stops growth; the target of 30 kB is not met yet\)/);
});
