// node --test elements/daw-clip/format.test.mjs: what <daw-clip> shows as the file's name and length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./format.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { fileName, fmtTime } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

const BASE = 'https://example.com/songs/index.html';

test('fileName: the last path segment, decoded, relative to the page; nothing for blob: and data: URLs', () => {
  assert.equal(fileName('loops/drums.wav', BASE), 'drums.wav');
  assert.equal(fileName('/a/b/kick%20drum.wav?v=2#t=1', BASE), 'kick drum.wav');
  assert.equal(fileName('https://cdn.example/x/', BASE), 'x'); // a trailing slash names the folder
  assert.equal(fileName('bad%E0%A4%A.wav', BASE), 'bad%E0%A4%A.wav'); // not decodable: as written
  assert.equal(fileName('data:audio/wav;base64,UklGRg==', BASE), '');
  assert.equal(fileName('blob:https://example.com/1b2c', BASE), '');
  assert.equal(fileName('http://[::1', BASE), 'http://[::1'); // not a URL: the text itself
});

test('fmtTime: two decimals under 10 s, one under a minute, m:ss.s above; nothing for NaN', () => {
  assert.equal(fmtTime(0), '0.00 s');
  assert.equal(fmtTime(2.5), '2.50 s');
  assert.equal(fmtTime(12.53), '12.5 s');
  assert.equal(fmtTime(64.2), '1:04.2');
  assert.equal(fmtTime(605), '10:05.0');
  // rounding carries into the next unit instead of showing 60 seconds
  assert.equal(fmtTime(9.999), '10.0 s');
  assert.equal(fmtTime(59.96), '1:00.0');
  assert.equal(fmtTime(59.94), '59.9 s');
  assert.equal(fmtTime(119.96), '2:00.0');
  assert.equal(fmtTime(3599.97), '60:00.0');
  assert.equal(fmtTime(NaN), '');
  assert.equal(fmtTime(Infinity), '');
});
