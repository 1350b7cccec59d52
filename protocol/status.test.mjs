// node --test protocol/status.test.mjs: status decoding from header words as the worklet writes them
// (Int32): counters read as unsigned, gauges as they are, the 64-bit frame from two words, the load
// from permille with -1 meaning "not measured".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { decodeStatus } = await importTs(new URL('./status.ts', import.meta.url));
const { Header, HEADER_WORDS, HEADER_DSP_STATUS, STATUS, STATUS_WORDS } = await importTs(new URL('./generated/contract.ts', import.meta.url));

test('every status word has its own header word, inside the header, DSP words in their block', () => {
  const words = STATUS.flatMap(([, i, type]) => (type === 2 || type === 4 ? [i, i + 1] : [i]));
  assert.equal(new Set(words).size, words.length, 'no overlap');
  assert.ok(words.every((i) => i > Header.ringRead && i < HEADER_WORDS));
  assert.ok(HEADER_DSP_STATUS + STATUS_WORDS <= HEADER_WORDS);
  assert.equal(Header.nonFiniteSamples, HEADER_DSP_STATUS, 'the DSP block starts with its word 0');
});

test('decoding: unsigned counters past 2^31, signed gauges, the frame past 2^32, load in permille or NaN', () => {
  const h = new Int32Array(new SharedArrayBuffer(HEADER_WORDS * 4));
  h[Header.quanta] = -1; // 2^32 - 1 quanta
  h[Header.activeVoices] = 12;
  h[Header.frame] = 128;
  h[Header.frame + 1] = 3;
  h[Header.load] = 250;
  h[Header.wasmBytes] = 0x80000000 | 0;
  let s = decodeStatus(h);
  assert.equal(s.quanta, 4294967295);
  assert.equal(s.activeVoices, 12);
  assert.equal(s.frame, 3 * 4294967296 + 128);
  assert.equal(s.load, 0.25);
  assert.equal(s.wasmBytes, 2 ** 31);
  assert.equal(s.lateNotes, 0);
  // An f64 from two words, low first, as the WASM stores it (the transport's beats).
  const f = new Float64Array([1234.56789]);
  h.set(new Int32Array(f.buffer), Header.transportBeats);
  h[Header.transportSongFrame] = -2; // 2^32 - 2: unsigned
  h[Header.transportSongFrame + 1] = 1;
  h[Header.load] = -1;
  s = decodeStatus(h);
  assert.equal(s.transportBeats, 1234.56789);
  assert.equal(s.transportSongFrame, 2 * 4294967296 - 2);
  assert.ok(Number.isNaN(s.load));
  assert.deepEqual(Object.keys(s).sort(), STATUS.map(([name]) => name).sort());
});
