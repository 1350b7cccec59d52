// node --test protocol/load.test.mjs: the load window's arithmetic (protocol/load.ts) as the clock
// worker and the worklet feed it: spans of quanta, untimed quanta, and no figure when fewer than
// half of a window's quanta were timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { LoadMeter, LOAD_WINDOW } = await importTs(new URL('./load.ts', import.meta.url));
const { Header, HEADER_WORDS } = await importTs(new URL('./generated/contract.ts', import.meta.url));

const QMS = (128 / 48000) * 1000; // 2.667 ms

test('a window of spans: mean over the quanta timed, max per quantum of the slowest span, one window counted', () => {
  const h = new Int32Array(HEADER_WORDS);
  const m = new LoadMeter(h, QMS);
  // 125 callbacks of 3 quanta: 124 at 0.8 ms a callback, one at 3 ms.
  for (let i = 0; i < 124; i++) m.add(0.8, 3);
  assert.equal(h[Header.loadWindows], 0, 'not before 375 quanta');
  m.add(3, 3);
  assert.equal(h[Header.loadWindows], 1);
  assert.equal(h[Header.load], Math.round(((124 * 0.8 + 3) / (375 * QMS)) * 1000));
  assert.equal(h[Header.loadMax], Math.round((1 / QMS) * 1000));
});

test('untimed quanta: left out of the mean, counted in loadMissed; under half timed gives no figure (-1)', () => {
  const h = new Int32Array(HEADER_WORDS);
  const m = new LoadMeter(h, QMS);
  for (let i = 0; i < 200; i++) m.add(QMS / 4, 1);
  m.untimed(175);
  assert.equal(h[Header.loadWindows], 1);
  assert.equal(h[Header.load], 250, 'the timed quanta only');
  assert.equal(h[Header.loadMissed], 175);
  for (let i = 0; i < 100; i++) m.add(QMS / 4, 1);
  m.untimed(LOAD_WINDOW - 100);
  assert.equal(h[Header.loadWindows], 2);
  assert.equal(h[Header.load], -1);
  assert.equal(h[Header.loadMax], -1);
  assert.equal(h[Header.loadMissed], 175 + LOAD_WINDOW - 100);
  m.untimed(0);
  m.untimed(-3);
  assert.equal(h[Header.loadMissed], 175 + LOAD_WINDOW - 100, 'nothing for n <= 0');
});
