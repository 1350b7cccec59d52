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

test('sizesText: kB of 1024 bytes with one decimal, the core load with its files, each feature chunk, the total and the budgets', () => {
  const f = (raw, gzip) => ({ raw, gzip });
  const files = { 'dist/daw-elements.js': f(392, 289), 'dist/daw-core.js': f(84173, 26317), 'dist/daw-worklet.js': f(8101, 3271), 'dist/daw-meter.js': f(4000, 2048), 'dist/daw-dsp.wasm': f(202108, 45960) };
  const sizes = { files, core: { files: ['dist/daw-elements.js', 'dist/daw-core.js', 'dist/daw-worklet.js'], gzip: 29877 }, features: [{ file: 'dist/daw-meter.js', gzip: 2048 }], jsGzip: 31925 };
  const text = sizesText(sizes, { core: 30 * 1024, total: 32 * 1024, target: 30 * 1024 });
  assert.match(text, /core tags loads 29\.2 kB gzip/);
  assert.match(text, /`daw-elements.js` 0\.4 \/ 0\.3 kB, `daw-core.js` 82\.2 \/ 25\.7 kB, `daw-worklet.js` 7\.9 \/ 3\.2 kB \(guard 30\.0 kB/);
  assert.match(text, /target\s+of 30\.0 kB is met\)/);
  assert.match(text, /On first use: `daw-meter.js` \+2\.0 kB\./);
  assert.match(text, /All JavaScript 31\.2 kB gzip \(guard 32\.0 kB\); `daw-dsp.wasm` 197\.4 \/ 44\.9 kB/);
  assert.match(sizesText({ ...sizes, core: { ...sizes.core, gzip: 40000 } }, { core: 40 * 1024, total: 50 * 1024, target: 30 * 1024 }), /target\s+of 30\.0 kB is not met yet/);
});
