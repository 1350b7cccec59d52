// Reading source maps (v3) without a dependency: enough for scripts/pack-check.mjs to check that
// the minified bundles map back into their sources.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes `mappings` into one array per generated line of segments
 * `[generatedColumn, sourceIndex, originalLine, originalColumn]` (0-based; segments without a source
 * have length 1).
 */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0, line = 0, column = 0;
  for (const text of mappings.split(';')) {
    const segs = [];
    let genCol = 0;
    for (const seg of text.split(',')) {
      if (!seg) continue;
      const vals = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        if (digit < 0) throw new Error(`invalid base64 VLQ digit '${ch}' in mappings`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0];
      if (vals.length >= 4) {
        source += vals[1];
        line += vals[2];
        column += vals[3];
        segs.push([genCol, source, line, column]);
      } else segs.push([genCol]);
    }
    lines.push(segs);
  }
  return lines;
}

/**
 * The original position of generated (line, column), both 0-based: the last segment at or before
 * the column, as browsers resolve it. Returns { source, line, column } or null.
 */
export function originalPosition(map, decoded, line, column) {
  const segs = decoded[line] ?? [];
  let hit = null;
  for (const s of segs) {
    if (s[0] > column) break;
    hit = s;
  }
  if (!hit || hit.length < 4) return null;
  return { source: map.sources[hit[1]], sourceIndex: hit[1], line: hit[2], column: hit[3] };
}
