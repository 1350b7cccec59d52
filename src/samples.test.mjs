// node --test src/samples.test.mjs: the WAV writer (the way to the browser's resampler) read back by
// an independent parser written here from the RIFF/WAVE spec, sanitize(), and the checks on raw PCM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from '../scripts/import-ts.mjs';

const { wav, sanitize, toPcm } = await importTs(new URL('./samples.ts', import.meta.url));

/** RIFF/WAVE with a 'fmt ' and a 'data' chunk, 32-bit float: format, channels, rate and planar data. */
function parseWav(buf) {
  const v = new DataView(buf);
  const tag = (o) => String.fromCharCode(...new Uint8Array(buf, o, 4));
  assert.equal(tag(0), 'RIFF');
  assert.equal(v.getUint32(4, true), buf.byteLength - 8, 'RIFF size');
  assert.equal(tag(8), 'WAVE');
  let o = 12, fmt = null, data = null;
  while (o + 8 <= buf.byteLength) {
    const id = tag(o), size = v.getUint32(o + 4, true);
    if (id === 'fmt ') fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true),
      byteRate: v.getUint32(o + 16, true), align: v.getUint16(o + 20, true), bits: v.getUint16(o + 22, true) };
    if (id === 'data') data = { offset: o + 8, size };
    o += 8 + size + (size & 1);
  }
  const frames = data.size / fmt.align;
  const channels = Array.from({ length: fmt.channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => v.getFloat32(data.offset + (i * fmt.channels + c) * 4, true)));
  return { ...fmt, frames, channels };
}

test('wav(): a 32-bit float WAV with the PCM interleaved, readable by a plain RIFF parser', () => {
  const left = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i / 10));
  const right = Float32Array.from({ length: 1001 }, (_, i) => -i / 1001);
  const w = parseWav(wav({ channels: [left, right], sampleRate: 44100 }));
  assert.deepEqual({ format: w.format, channels: w.channels.length, rate: w.rate, bits: w.bits, align: w.align, byteRate: w.byteRate, frames: w.frames },
    { format: 3, channels: 2, rate: 44100, bits: 32, align: 8, byteRate: 44100 * 8, frames: 1001 });
  assert.deepEqual(w.channels[0], left);
  assert.deepEqual(w.channels[1], right);
  const mono = parseWav(wav({ channels: [left], sampleRate: 22050.4 }));
  assert.equal(mono.rate, 22050, 'rate rounded to a whole number');
  assert.deepEqual(mono.channels[0], left);
});

test('sanitize() replaces NaN and ±Infinity by 0 and counts them; finite values (and -0, denormals) stay', () => {
  const d = new Float32Array([1, NaN, -Infinity, Infinity, -0, 1e-40, -3]);
  assert.equal(sanitize(d), 3);
  assert.deepEqual([...d], [1, 0, 0, 0, -0, new Float32Array([1e-40])[0], -3]);
  assert.equal(sanitize(d), 0);
});

test('raw PCM: copied (the caller may reuse its arrays), checked for channel count, lengths, rate and emptiness', async () => {
  const ctx = { sampleRate: 48000 }; // same rate: no decoding
  const l = new Float32Array([0.5, -0.5]);
  const pcm = await toPcm([l, new Float32Array([1, 2])], ctx, {});
  l[0] = 9;
  assert.deepEqual([...pcm.channels[0]], [0.5, -0.5]);
  assert.equal(pcm.sampleRate, 48000);
  await assert.rejects(toPcm([], ctx, {}), { name: 'TypeError', message: /one Float32Array or an array of one or two \(got 0 channels\)/ });
  await assert.rejects(toPcm([l, l, l], ctx, {}), TypeError);
  await assert.rejects(toPcm([l, new Float32Array(3)], ctx, {}), { name: 'RangeError', message: /different lengths \(2 and 3 frames\)/ });
  await assert.rejects(toPcm(l, ctx, { sampleRate: 100 }), { name: 'RangeError', message: /sampleRate 100 must be 3000 to 768000 Hz/ });
  await assert.rejects(toPcm(new Float32Array(0), ctx, {}), { name: 'RangeError', message: /empty/ });
});
