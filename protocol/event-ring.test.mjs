// node --test protocol/event-ring.test.mjs: the event ring on a real control block (an ArrayBuffer
// laid out by protocol/layout.ts): records in order through many wrap-arounds of the ring and of the
// 32-bit indices, a full ring refusing a record, the 64-bit frame split into two words, and note and
// clip records in the layout the DSP reads (dsp/NoteEvent.zig, dsp/Clips.zig).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const ring = await importTs(new URL('./event-ring.ts', import.meta.url));
const { blockViews, BLOCK_BYTES } = await importTs(new URL('./layout.ts', import.meta.url));
const { EVENT_RING, EVENT_WORDS, EventKind, ClipFlag, Header } = await importTs(new URL('./generated/contract.ts', import.meta.url));

const block = () => blockViews(new ArrayBuffer(BLOCK_BYTES));
const f32bits = (x) => new Uint32Array(new Float32Array([x]).buffer)[0];

test('records come out in order across many wrap-arounds, in batches of any size', () => {
  const b = block();
  const r = new ring.EventRecord();
  const dest = new Uint32Array(EVENT_RING * EVENT_WORDS);
  let next = 0, expect = 0;
  for (let round = 0; round < 50; round++) {
    const n = 1 + ((round * 37) % EVENT_RING); // 1 .. EVENT_RING records per round
    for (let i = 0; i < n; i++) assert.equal(ring.ringPush(b, ring.noteRecord(r, EventKind.noteOn, 1, next++, 60, 1, 0).u), true);
    assert.equal(ring.ringAvailable(b), n);
    let got = 0;
    while (got < n) {
      const k = ring.ringDrain(b, dest, 1 + (round % 7));
      for (let i = 0; i < k; i++) assert.equal(dest[i * EVENT_WORDS + 2], expect++, 'ids in order');
      got += k;
    }
    assert.equal(ring.ringAvailable(b), 0);
  }
  assert.ok(next > 3 * EVENT_RING, 'the ring wrapped several times');
});

test('indices wrap at 2^31 (Int32 header) without losing or repeating a record', () => {
  const b = block();
  const start = 0x7fffffff - 3; // four records before the Int32 index overflows
  b.header[Header.ringWrite] = start;
  b.header[Header.ringRead] = start;
  const r = new ring.EventRecord();
  for (let i = 0; i < 10; i++) assert.equal(ring.ringPush(b, ring.noteRecord(r, EventKind.noteOff, 0, i, 60, 0, 0).u), true);
  assert.equal(ring.ringAvailable(b), 10);
  assert.ok(b.header[Header.ringWrite] < 0, 'the write index went past 2^31 - 1');
  const dest = new Uint32Array(10 * EVENT_WORDS);
  assert.equal(ring.ringDrain(b, dest, 100), 10);
  assert.deepEqual([...Array(10).keys()].map((i) => dest[i * EVENT_WORDS + 2]), [...Array(10).keys()]);
});

test('a full ring refuses a record and writes nothing; ringClear drops what was queued', () => {
  const b = block();
  const r = new ring.EventRecord();
  for (let i = 0; i < EVENT_RING; i++) assert.equal(ring.ringPush(b, ring.noteRecord(r, EventKind.noteOn, 0, i, 60, 1, 0).u), true);
  const before = b.eventsU32.slice();
  assert.equal(ring.ringPush(b, ring.noteRecord(r, EventKind.noteOn, 0, 99999, 60, 1, 0).u), false);
  assert.deepEqual(b.eventsU32, before, 'nothing overwritten');
  assert.equal(ring.ringAvailable(b), EVENT_RING);
  ring.ringClear(b);
  assert.equal(ring.ringAvailable(b), 0);
  assert.equal(ring.ringPush(b, r.u), true, 'room again');
});

test('the frame is split into low and high 32-bit words; negative and fractional frames are floored at 0', () => {
  const r = new ring.EventRecord();
  const frame = (f) => { ring.noteRecord(r, EventKind.noteOn, 0, 1, 60, 1, f); return [r.u[5], r.u[6]]; };
  assert.deepEqual(frame(0), [0, 0]);
  assert.deepEqual(frame(4294967295), [4294967295, 0]);
  assert.deepEqual(frame(4294967296), [0, 1]);
  assert.deepEqual(frame(5 * 4294967296 + 9), [9, 5]);
  assert.deepEqual(frame(2 ** 52 + 3), [3, 2 ** 20]);
  assert.deepEqual(frame(1000.9), [1000, 0]);
  assert.deepEqual(frame(-5), [0, 0]);
});

test('note and clip records have the DSP layout', () => {
  const r = new ring.EventRecord();
  ring.noteRecord(r, EventKind.noteOn, 7, 0xfffffffe, 61.5, 0.25, 12);
  assert.deepEqual([...r.u], [EventKind.noteOn, 7, 0xfffffffe, f32bits(61.5), f32bits(0.25), 12, 0, 0]);
  ring.clipRecord(r, EventKind.clipPlay, 63, 1024 * 5 + 3, 48000, 0.5, 4294967296 + 1, ClipFlag.loop);
  assert.deepEqual([...r.u], [EventKind.clipPlay, 63, 1024 * 5 + 3, 48000, f32bits(0.5), 1, 1, ClipFlag.loop]);
  // a note after a clip leaves no clip flags behind in word 7
  ring.noteRecord(r, EventKind.noteOff, 1, 2, 60, 0, 0);
  assert.equal(r.u[7], 0);
});

test('drain into an offset keeps records the caller placed first', () => {
  const b = block();
  const r = new ring.EventRecord();
  ring.ringPush(b, ring.clipRecord(r, EventKind.clipStop, 4, 0, 0, 0, 0, 0).u);
  const dest = new Uint32Array(3 * EVENT_WORDS).fill(7);
  assert.equal(ring.ringDrain(b, dest, 2, 1), 1);
  assert.deepEqual([...dest.subarray(0, EVENT_WORDS)], Array(EVENT_WORDS).fill(7), 'record 0 untouched');
  assert.equal(dest[EVENT_WORDS], EventKind.clipStop);
  assert.equal(dest[EVENT_WORDS + 1], 4);
});

test('a drain up to a write index read first leaves later records for the next drain', () => {
  const b = block();
  const r = new ring.EventRecord();
  ring.ringPush(b, ring.clipRecord(r, EventKind.clipStop, 1, 0, 0, 0, 0, 0).u);
  const w = ring.ringWriteIndex(b); // the consumer reads the write index, then the sequence word ...
  ring.ringPush(b, ring.clipRecord(r, EventKind.clipStop, 2, 0, 0, 0, 0, 0).u); // ... and the producer pushes meanwhile
  const dest = new Uint32Array(4 * EVENT_WORDS);
  assert.equal(ring.ringDrain(b, dest, 4, 0, w), 1, 'only the record below the index read first');
  assert.equal(dest[1], 1);
  assert.equal(ring.ringDrain(b, dest, 4), 1, 'the later one comes with the next drain');
  assert.equal(dest[1], 2);
});

