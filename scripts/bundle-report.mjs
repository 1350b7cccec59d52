// What each source module costs in the shipped JavaScript: every byte of a minified dist/*.js file is
// attributed, through its source map, to the source it came from (the segment covering it), and each
// source's bytes are reported raw and as their gzip contribution. The contribution is the file's gzip
// size apportioned by the source's share of its bytes weighted by how well that source compresses on
// its own (gzip of the source's bytes alone / all sources' alone): a fair split that sums to the file's
// real gzip size. Bytes without a mapping (the minifier's glue) count as "(unmapped)".
//
//   node scripts/bundle-report.mjs                 every chunk of dist/, the top sources of each
//   node scripts/bundle-report.mjs --all           every source
//   node scripts/bundle-report.mjs dist/x.js ...   only these files
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decodeMappings } from './sourcemap.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (s) => gzipSync(Buffer.from(s), { level: 9 }).length;

/** { file, raw, gzip, sources: [{ source, raw, gzip }] } for one minified file with a .map beside it. */
export function attribute(file) {
  const code = readFileSync(file, 'utf8');
  const map = JSON.parse(readFileSync(file + '.map', 'utf8'));
  const decoded = decodeMappings(map.mappings);
  const parts = new Map(); // source name -> array of code pieces
  const add = (name, text) => { if (text) (parts.get(name) ?? parts.set(name, []).get(name)).push(text); };
  // A segment covers the code up to the next segment, across line ends: a minified template literal
  // (CSS, HTML) spans lines that have no segment of their own.
  let current = '(unmapped)';
  code.split('\n').forEach((line, li) => {
    const segs = decoded[li] ?? [];
    add(current, line.slice(0, segs.length ? segs[0][0] : line.length) + '\n');
    segs.forEach((s, i) => {
      current = s.length >= 4 ? map.sources[s[1]] : '(unmapped)';
      add(current, line.slice(s[0], i + 1 < segs.length ? segs[i + 1][0] : line.length));
    });
  });
  const total = { raw: Buffer.byteLength(code), gzip: gz(code) };
  const rows = [...parts].map(([source, texts]) => {
    const text = texts.join('');
    const name = source.startsWith('(') ? source : relative(root, resolve(dirname(file), source)).replace(/^node_modules\//, '');
    return { source: name, raw: Buffer.byteLength(text), alone: gz(text) };
  });
  const alone = rows.reduce((n, r) => n + r.alone, 0);
  for (const r of rows) r.gzip = Math.round((r.alone / alone) * total.gzip);
  rows.sort((a, b) => b.gzip - a.gzip);
  return { file: relative(root, file), ...total, sources: rows };
}

/** Sums rows by a key (e.g. the folder): [{ key, raw, gzip }]. */
export function groupBy(rows, key) {
  const m = new Map();
  for (const r of rows) {
    const k = key(r.source);
    const g = m.get(k) ?? m.set(k, { key: k, raw: 0, gzip: 0 }).get(k);
    g.raw += r.raw;
    g.gzip += r.gzip;
  }
  return [...m.values()].sort((a, b) => b.gzip - a.gzip);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const all = args.includes('--all');
  const named = args.filter((a) => !a.startsWith('--'));
  const files = named.length ? named.map((f) => resolve(f)) : readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js')).sort().map((f) => join(root, 'dist', f));
  const B = (n) => `${(n / 1024).toFixed(1).padStart(6)} kB`;
  for (const f of files) {
    const r = attribute(f);
    console.log(`\n${r.file}: ${B(r.raw)} raw, ${B(r.gzip)} gzip`);
    const folder = (s) => (s.startsWith('(') ? s : s.split('/').slice(0, s.startsWith('@') || s.startsWith('elements/') ? 2 : 1).join('/'));
    for (const g of groupBy(r.sources, folder)) console.log(`  ${g.key.padEnd(48)} ${B(g.raw)} ${B(g.gzip)}`);
    console.log('  -- by source');
    for (const s of all ? r.sources : r.sources.slice(0, 25)) console.log(`  ${s.source.padEnd(48)} ${B(s.raw)} ${B(s.gzip)}`);
  }
}
