// node --test src/wav.test.mjs: the WAV encoder against headers written out byte by byte from the
// specifications, a reader written here from the same specifications (not from the encoder), exact
// float round trips, integer round trips within half an LSB, and the TPDF dither's statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./wav.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { encodeWav, WavEncoder, TpdfDither } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

// --- a reader for the tests: RIFF chunks, WAVEFORMATEX / WAVEFORMATEXTENSIBLE, PCM 16/24 and float 32 ---
const SUBTYPE_TAIL = '000000001000800000aa00389b71';
function readWav(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = (p) => String.fromCharCode(...bytes.subarray(p, p + 4));
  assert.equal(id(0), 'RIFF');
  assert.equal(v.getUint32(4, true), bytes.length - 8, 'RIFF size is the file length - 8');
  assert.equal(id(8), 'WAVE');
  const chunks = {};
  let p = 12;
  while (p + 8 <= bytes.length) {
    const size = v.getUint32(p + 4, true);
    chunks[id(p)] = { at: p + 8, size };
    p += 8 + size + (size & 1); // chunks are padded to even lengths
  }
  assert.equal(p, bytes.length, 'the chunks fill the file exactly');
  const f = chunks['fmt '].at;
  let tag = v.getUint16(f, true);
  const channels = v.getUint16(f + 2, true), sampleRate = v.getUint32(f + 4, true), byteRate = v.getUint32(f + 8, true);
  const blockAlign = v.getUint16(f + 12, true), bits = v.getUint16(f + 14, true);
  assert.equal(blockAlign, channels * bits / 8);
  assert.equal(byteRate, sampleRate * blockAlign);
  let mask = null;
  const extensible = tag === 0xfffe;
  if (extensible) {
    assert.equal(chunks['fmt '].size, 40);
    assert.equal(v.getUint16(f + 16, true), 22, 'cbSize');
    assert.equal(v.getUint16(f + 18, true), bits, 'valid bits');
    mask = v.getUint32(f + 20, true);
    tag = v.getUint16(f + 24, true);
    assert.equal(Buffer.from(bytes.subarray(f + 26, f + 40)).toString('hex'), SUBTYPE_TAIL);
  }
  const data = chunks.data;
  const frames = data.size / blockAlign;
  assert.ok(Number.isInteger(frames));
  if (tag === 3) assert.equal(v.getUint32(chunks.fact.at, true), frames, 'fact: frames');
  const ints = [], floats = [];
  for (let c = 0; c < channels; c++) { ints.push(new Int32Array(frames)); floats.push(new Float32Array(frames)); }
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const q = data.at + i * blockAlign + c * (bits / 8);
      if (tag === 3) floats[c][i] = v.getFloat32(q, true);
      else {
        const s = bits === 16 ? v.getInt16(q, true) : ((bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16)) << 8) >> 8;
        ints[c][i] = s;
        floats[c][i] = s / 2 ** (bits - 1);
      }
    }
  }
  return { tag, extensible, mask, channels, sampleRate, bits, frames, ints, floats, chunks: Object.keys(chunks) };
}

const hex = (s) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g).map((h) => parseInt(h, 16)));
const asciiHex = (s) => Buffer.from(s, 'ascii').toString('hex');
let seed = 12345;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
const randomChannels = (n, frames, f = () => rnd() * 2 - 1) => Array.from({ length: n }, () => Float32Array.from({ length: frames }, f));

test('header bytes: 16-bit stereo PCM, float mono with fact, 24-bit extensible with its pad byte', () => {
  const pcm16 = encodeWav([new Float32Array([0.5]), new Float32Array([-0.5])], { sampleRate: 44100, format: 'wav-16', dither: false });
  assert.deepEqual(pcm16.bytes, hex(`${asciiHex('RIFF')} 28000000 ${asciiHex('WAVE')}
    ${asciiHex('fmt ')} 10000000 0100 0200 44ac0000 10b10200 0400 1000
    ${asciiHex('data')} 04000000 0040 00c0`));
  const f32 = encodeWav([new Float32Array([0.25])], { sampleRate: 48000, format: 'wav-f32' });
  assert.deepEqual(f32.bytes, hex(`${asciiHex('RIFF')} 36000000 ${asciiHex('WAVE')}
    ${asciiHex('fmt ')} 12000000 0300 0100 80bb0000 00ee0200 0400 2000 0000
    ${asciiHex('fact')} 04000000 01000000
    ${asciiHex('data')} 04000000 0000803e`));
  const pcm24 = encodeWav([new Float32Array([0.5, -1, 2 ** -23])], { sampleRate: 48000, format: 'wav-24', dither: false });
  assert.deepEqual(pcm24.bytes, hex(`${asciiHex('RIFF')} 46000000 ${asciiHex('WAVE')}
    ${asciiHex('fmt ')} 28000000 feff 0100 80bb0000 80320200 0300 1800 1600 1800 04000000 0100 ${SUBTYPE_TAIL}
    ${asciiHex('data')} 09000000 000040 000080 010000 00`));
  assert.equal(new WavEncoder({ sampleRate: 48000, channels: 2, format: 'wav-24', extensible: false }).headerLength, 44);
});

test('more than two channels: WAVE_FORMAT_EXTENSIBLE with the float sub-format, a fact chunk and the channel mask', () => {
  const chans = randomChannels(6, 100);
  const w = readWav(encodeWav(chans, { sampleRate: 96000, format: 'wav-f32' }).bytes);
  assert.deepEqual([w.extensible, w.tag, w.mask, w.channels, w.sampleRate, w.bits, w.frames], [true, 3, 0, 6, 96000, 32, 100]);
  assert.deepEqual(w.chunks, ['fmt ', 'fact', 'data']);
  assert.equal(readWav(encodeWav(chans.slice(0, 4), { sampleRate: 48000, format: 'wav-16', channelMask: 0x33 }).bytes).mask, 0x33);
  assert.equal(readWav(encodeWav(chans.slice(0, 2), { sampleRate: 48000, format: 'wav-16' }).bytes).extensible, false);
});

test('32-bit float round trip is bit-exact, including -0, denormals and values beyond ±1 (counted, kept)', () => {
  const special = [0, -0, 1e-40, -1e-45, 1, -1, 1.5, -3, 3.4028234663852886e38, 2 ** -126];
  for (const n of [1, 2, 3, 8]) {
    const chans = randomChannels(n, 4096);
    chans[0].set(special);
    const r = encodeWav(chans, { sampleRate: 44100, format: 'wav-f32' });
    assert.equal(r.clipped, 3);
    const w = readWav(r.bytes);
    for (let c = 0; c < n; c++) assert.deepEqual(new Uint32Array(w.floats[c].buffer), new Uint32Array(chans[c].buffer), `channel ${c} of ${n}`);
  }
  const r = encodeWav([new Float32Array([NaN, Infinity, -Infinity, 0.5])], { sampleRate: 8000, format: 'wav-f32' });
  assert.equal(r.nonFinite, 3);
  assert.deepEqual([...readWav(r.bytes).floats[0]], [0, 0, 0, 0.5]);
});

for (const [format, bits] of [['wav-16', 16], ['wav-24', 24]]) {
  test(`${bits}-bit, dither off: within half an LSB of the input, exact on the grid; clamps counted`, () => {
    const scale = 2 ** (bits - 1);
    const chans = randomChannels(2, 20000);
    const w = readWav(encodeWav(chans, { sampleRate: 48000, format, dither: false }).bytes);
    let worst = 0;
    for (let c = 0; c < 2; c++) for (let i = 0; i < 20000; i++) worst = Math.max(worst, Math.abs(w.ints[c][i] - chans[c][i] * scale));
    assert.ok(worst <= 0.5, `worst error ${worst} LSB`);
    const grid = Float32Array.from({ length: 1000 }, () => Math.floor((rnd() * 2 - 1) * scale) / scale);
    assert.deepEqual(readWav(encodeWav([grid], { sampleRate: 48000, format, dither: false }).bytes).floats[0], grid);
    const r = encodeWav([new Float32Array([1, 1.5, -1, -1.0001, (scale - 1) / scale, NaN])], { sampleRate: 48000, format, dither: false });
    assert.deepEqual([r.clipped, r.nonFinite], [3, 1]);
    assert.deepEqual([...readWav(r.bytes).ints[0]], [scale - 1, scale - 1, -scale, -scale, scale - 1, 0]);
  });
}

test('TPDF dither: values in (-1, 1) LSB with a triangular density, mean 0, variance 1/6', () => {
  const d = new TpdfDither(42);
  const N = 1_000_000, bins = new Float64Array(20);
  let sum = 0, sq = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < N; i++) {
    const x = d.next();
    sum += x; sq += x * x; min = Math.min(min, x); max = Math.max(max, x);
    bins[Math.floor((x + 1) * 10)]++;
  }
  assert.ok(min > -1 && max < 1);
  const mean = sum / N, variance = sq / N - mean * mean;
  // 5 standard errors: sd(mean) = sqrt(1/6 / N) = 0.0004.
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 6) < 0.002, `variance ${variance}`);
  const cdf = (x) => (x < 0 ? (1 + x) ** 2 / 2 : 1 - (1 - x) ** 2 / 2);
  for (let b = 0; b < 20; b++) {
    const expected = N * (cdf((b + 1) / 10 - 1) - cdf(b / 10 - 1));
    assert.ok(Math.abs(bins[b] - expected) < 5 * Math.sqrt(expected), `bin ${b}: ${bins[b]} against ${expected.toFixed(0)} for a triangle`);
  }
});

test('dithered 16 and 24 bit: no DC added and the same error power (1/4 LSB²) at every signal level; without dither a quarter LSB is lost', () => {
  for (const [format, bits] of [['wav-16', 16], ['wav-24', 24]]) {
    const scale = 2 ** (bits - 1), N = 200_000;
    for (const level of [0, 0.25, 0.5, 0.75, -1234.375]) {
      const w = readWav(encodeWav([new Float32Array(N).fill(level / scale)], { sampleRate: 48000, format, seed: 9 }).bytes);
      let sum = 0, sq = 0;
      for (const q of w.ints[0]) { const e = q - level; sum += e; sq += e * e; }
      const mean = sum / N, variance = sq / N - mean * mean;
      // sd(mean) = sqrt(0.25 / N) = 0.0011 LSB: 5 of them.
      assert.ok(Math.abs(mean) < 0.0056, `${format} at ${level} LSB: mean error ${mean} LSB`);
      assert.ok(Math.abs(variance - 0.25) < 0.01, `${format} at ${level} LSB: error variance ${variance} LSB²`);
    }
  }
  const plain = readWav(encodeWav([new Float32Array(1000).fill(0.25 / 32768)], { sampleRate: 48000, format: 'wav-16', dither: false }).bytes);
  assert.ok(plain.ints[0].every((q) => q === 0), 'undithered, a quarter LSB rounds away');
});

test('dither keeps a sine of 0.3 LSB: its 1 kHz component survives at 0.3 ± 0.02 LSB (undithered: silence)', () => {
  const N = 48000, amp = 0.3 / 32768;
  const sine = Float32Array.from({ length: N }, (_, i) => amp * Math.sin(2 * Math.PI * 1000 * i / 48000));
  const component = (ints) => {
    let re = 0, im = 0;
    for (let i = 0; i < N; i++) { re += ints[i] * Math.cos(2 * Math.PI * 1000 * i / 48000); im += ints[i] * Math.sin(2 * Math.PI * 1000 * i / 48000); }
    return 2 * Math.hypot(re, im) / N;
  };
  const dithered = component(readWav(encodeWav([sine], { sampleRate: 48000, format: 'wav-16' }).bytes).ints[0]);
  assert.ok(Math.abs(dithered - 0.3) < 0.02, `${dithered} LSB`);
  assert.equal(component(readWav(encodeWav([sine], { sampleRate: 48000, format: 'wav-16', dither: false }).bytes).ints[0]), 0);
});

test('reproducible: one seed gives the same bytes, another seed other bytes', () => {
  const chans = randomChannels(2, 5000, () => (rnd() * 2 - 1) * 0.1);
  const a = encodeWav(chans, { sampleRate: 48000, format: 'wav-16', seed: 3 }).bytes;
  assert.deepEqual(encodeWav(chans, { sampleRate: 48000, format: 'wav-16', seed: 3 }).bytes, a);
  assert.notDeepEqual(encodeWav(chans, { sampleRate: 48000, format: 'wav-16', seed: 4 }).bytes, a);
});

test('streaming: a placeholder header, chunks of any size, the final header and the pad byte make the one-shot file', () => {
  for (const format of ['wav-16', 'wav-24', 'wav-f32']) {
    for (const n of [1, 3]) {
      const chans = randomChannels(n, 1589);
      const enc = new WavEncoder({ sampleRate: 44100, channels: n, format, seed: 7 });
      const parts = [enc.header(0)];
      let at = 0;
      for (const size of [1, 127, 128, 1000, 0, 333]) {
        parts.push(enc.write(chans.map((c) => c.subarray(at, at + size))));
        at += size;
      }
      parts.push(enc.end());
      const streamed = Buffer.concat(parts);
      streamed.set(enc.header(), 0);
      const once = encodeWav(chans, { sampleRate: 44100, format, seed: 7 });
      assert.deepEqual(new Uint8Array(streamed), once.bytes, `${format} × ${n}`);
      assert.equal(readWav(once.bytes).frames, 1589);
    }
  }
  // The header can also be computed up front for a known length.
  const enc = new WavEncoder({ sampleRate: 48000, channels: 2, format: 'wav-16' });
  const up = enc.header(48000);
  enc.write([new Float32Array(48000), new Float32Array(48000)]);
  assert.deepEqual(enc.header(), up);
});

test('bad input: a TypeError or RangeError naming the value and the valid range', () => {
  const one = [new Float32Array(4)];
  assert.throws(() => encodeWav(one, { sampleRate: 48000, format: 'mp3' }), { name: 'TypeError', message: /format 'mp3' is not one of 'wav-16' \| 'wav-24' \| 'wav-f32'/ });
  for (const sampleRate of [0, 44100.5, NaN, 2 ** 32, '48000']) {
    assert.throws(() => encodeWav(one, { sampleRate, format: 'wav-16' }), { name: 'RangeError', message: /sampleRate .* is not an integer from 1 to 4294967295/ });
  }
  assert.throws(() => new WavEncoder({ sampleRate: 48000, channels: 0, format: 'wav-16' }), { name: 'RangeError', message: /channels 0 is not an integer from 1 to 32767/ });
  assert.throws(() => new WavEncoder({ sampleRate: 48000, channels: 20000, format: 'wav-f32' }), { name: 'RangeError', message: /channels 20000 is not an integer from 1 to 16383/ });
  assert.throws(() => new WavEncoder({ sampleRate: 4e9, channels: 2, format: 'wav-f32' }), { name: 'RangeError', message: /over the 4294967295 bytes a second/ });
  assert.throws(() => new WavEncoder({ sampleRate: 48000, channels: 1, format: 'wav-16', channelMask: -1 }), { name: 'RangeError', message: /channelMask -1/ });
  assert.throws(() => new WavEncoder(null), TypeError);
  const enc = new WavEncoder({ sampleRate: 48000, channels: 2, format: 'wav-f32' });
  assert.throws(() => enc.write(one), { name: 'TypeError', message: /expected an array of 2 Float32Array channels, got 1 channels/ });
  assert.throws(() => enc.write([new Float32Array(4), new Float64Array(4)]), { name: 'TypeError', message: /channel 1 is not a Float32Array/ });
  assert.throws(() => enc.write([new Float32Array(4), new Float32Array(5)]), { name: 'RangeError', message: /channel 1 has 5 frames, channel 0 has 4/ });
  assert.throws(() => enc.header(2 ** 31), { name: 'RangeError', message: /2147483648 frames make 17179869184 data bytes, over the 4 GiB/ });
  assert.throws(() => enc.header(-1), { name: 'RangeError', message: /frames -1 is not a whole number/ });
  assert.throws(() => encodeWav('left', { sampleRate: 48000, format: 'wav-16' }), TypeError);
  assert.throws(() => encodeWav(one, { sampleRate: 48000, channels: 2, format: 'wav-16' }), { name: 'RangeError', message: /options.channels is 2 but 1 channels were given/ });
  assert.equal(enc.frames, 0, 'a refused write changes nothing');
});
