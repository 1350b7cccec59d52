// node --test src/slots.test.mjs: the slot pool. Channels and synths always get the lowest free slot
// (active channels stay packed in the DSP's groups of four); inputs and sample slots reuse the one
// released last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { SlotPool } = await importTs(new URL('./slots.ts', import.meta.url));

test('lowest first: claims count up, a released slot is the next one claimed, whatever the order of releases', () => {
  const p = new SlotPool(8);
  assert.deepEqual([0, 1, 2, 3, 4].map(() => p.claim()), [0, 1, 2, 3, 4]);
  p.release(3);
  p.release(1);
  p.release(4);
  assert.equal(p.inUse, 2);
  assert.deepEqual([p.claim(), p.claim(), p.claim(), p.claim()], [1, 3, 4, 5]);
});

test('a full pool answers undefined; size 0 is always full', () => {
  const p = new SlotPool(2);
  p.claim();
  p.claim();
  assert.equal(p.claim(), undefined);
  assert.equal(new SlotPool(0).claim(), undefined);
});

test('last released first when not lowest-first', () => {
  const p = new SlotPool(4, false);
  assert.deepEqual([p.claim(), p.claim(), p.claim()], [0, 1, 2]);
  p.release(0);
  p.release(2);
  assert.deepEqual([p.claim(), p.claim(), p.claim()], [2, 0, 3]);
});
