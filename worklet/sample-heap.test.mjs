// node --test worklet/sample-heap.test.mjs: the sample heap on a real WebAssembly.Memory whose growth
// is limited (a `maximum`), standing in for a browser that refuses to grow: a refused grow is a
// RangeError that says what to do, and nothing already placed is lost or moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./sample-heap.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { SampleHeap } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

const PAGE = 65536;
const MiB = 1048576;

test('grows by 4 MiB at a time, and by just what is needed when the browser refuses more', () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 40 }); // 2.5 MiB at most
  const heap = new SampleHeap(memory, 1024);
  const a = heap.alloc(MiB);
  assert.equal(a.grew, true);
  assert.equal(memory.buffer.byteLength, 2 * PAGE + Math.ceil((1024 + MiB - 2 * PAGE) / PAGE) * PAGE, 'only what fits under the maximum');
  assert.ok(a.ptr >= 1024 && a.ptr % 16 === 0);
});

test('a refused grow throws a RangeError naming the sizes and what to do; loaded data and the free list are intact', () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 70 });
  const heap = new SampleHeap(memory, 0);
  const a = heap.alloc(MiB);
  new Float32Array(memory.buffer, a.ptr, MiB / 4).fill(0.25);
  const size = memory.buffer.byteLength;
  const free = heap.freeBytes;
  assert.throws(() => heap.alloc(8 * MiB), (e) => e instanceof RangeError
    && /out of sample memory: the browser would not grow the DSP's memory from 4\.1 MB by 4\.9 MB/.test(e.message)
    && /dispose samples no longer needed or load shorter ones/.test(e.message));
  assert.equal(memory.buffer.byteLength, size);
  assert.equal(heap.freeBytes, free);
  assert.ok(new Float32Array(memory.buffer, a.ptr, MiB / 4).every((x) => x === 0.25));
  // What does fit still loads, from the free block, without growing.
  const b = heap.alloc(2 * MiB);
  assert.equal(b.grew, false);
  assert.ok(b.ptr >= a.ptr + MiB);
  heap.release(a.ptr, MiB);
  heap.release(b.ptr, 2 * MiB);
  assert.equal(heap.freeBytes, size);
});

test('past 4 GiB (65536 pages) is refused without asking the memory', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new SampleHeap(memory, 0);
  assert.throws(() => heap.alloc(2 ** 32 + PAGE), /wasm32 memory holds at most 4 GiB/);
  assert.equal(memory.buffer.byteLength, PAGE);
});
