// node --test units for the source-map reader scripts/pack-check.mjs relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMappings, originalPosition } from './sourcemap.mjs';

test('decodeMappings: relative fields accumulate across segments and lines; columns reset per line', () => {
  // "AAAA" = [0,0,0,0]; "EAAE" = +2 col, +2 orig col; ";" next line; "AACA" = +1 orig line;
  // "gBAAgB" = +16 col, +16 orig col (a two-digit VLQ); "CAAD" = +1 col, -1 orig col (a negative
  // delta); "C" a source-less segment one column on.
  const lines = decodeMappings('AAAA,EAAE;AACA,gBAAgB,CAAD,C;;ACAA');
  assert.deepEqual(lines, [
    [[0, 0, 0, 0], [2, 0, 0, 2]],
    [[0, 0, 1, 2], [16, 0, 1, 18], [17, 0, 1, 17], [18]],
    [],
    [[0, 1, 1, 17]],
  ]);
});

test('decodeMappings rejects characters outside base64', () => {
  assert.throws(() => decodeMappings('AA*A'), /invalid base64 VLQ digit/);
});

test('originalPosition: the last segment at or before the column, null where none or source-less', () => {
  const map = { sources: ['a.ts', 'b.ts'] };
  const d = decodeMappings('AAAA,EAAE;AACA,gBAAgB,CAAD,C;;ACAA');
  assert.deepEqual(originalPosition(map, d, 0, 1), { source: 'a.ts', sourceIndex: 0, line: 0, column: 0 });
  assert.deepEqual(originalPosition(map, d, 0, 9), { source: 'a.ts', sourceIndex: 0, line: 0, column: 2 });
  assert.deepEqual(originalPosition(map, d, 1, 16), { source: 'a.ts', sourceIndex: 0, line: 1, column: 18 });
  assert.deepEqual(originalPosition(map, d, 1, 17), { source: 'a.ts', sourceIndex: 0, line: 1, column: 17 });
  assert.equal(originalPosition(map, d, 1, 30), null); // past the source-less segment
  assert.equal(originalPosition(map, d, 2, 0), null);
  assert.deepEqual(originalPosition(map, d, 3, 5), { source: 'b.ts', sourceIndex: 1, line: 1, column: 17 });
});
