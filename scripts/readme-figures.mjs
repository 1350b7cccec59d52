// The README's figures, generated so they cannot go stale: the "Sizes" paragraph (from dist/) and the
// browser-support table (test counts per engine, from a full `npm test` run). Each lives between
// <!-- figures:NAME:begin ... --> and <!-- figures:NAME:end --> markers.
//
//   node scripts/readme-figures.mjs           writes the sizes (run by `npm run build`; not when CI=true)
//   node scripts/readme-figures.mjs --check   only compares; prints "readme figures: N passed, N failed"
//
// The table is written by scripts/test.mjs, through updateReadme({ counts }), once every step of a
// run took place (no DAW_FIREFOX=0 / DAW_WEBKIT=0) and passed: locally it rewrites the README, with
// CI=true it fails the run if the README differs. So after a merge, `npm test` re-syncs both.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_GZIP_BUDGET, CORE_GZIP_TARGET, JS_GZIP_BUDGET, distSizes, kB } from './sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(root, 'README.md');

/** True on CI (CI=true, as CI services set it; .ci/run sets it too). */
export const CI = !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);

const marker = (name) => ({
  begin: new RegExp(`<!-- figures:${name}:begin[^>]*-->\\n`),
  end: `<!-- figures:${name}:end -->`,
});

/** `readme` with the region `name` holding `body` (the markers stay). Throws if the markers are missing. */
export function replaceRegion(readme, name, body) {
  const { begin, end } = marker(name);
  const b = begin.exec(readme);
  const e = readme.indexOf(end);
  if (!b || e < b.index) throw new Error(`README.md has no <!-- figures:${name}:begin --> … <!-- figures:${name}:end --> markers`);
  const from = b.index + b[0].length;
  return readme.slice(0, from) + body + readme.slice(e);
}

/** The "Sizes" paragraph: the core load, each feature chunk, the total, the WASM. */
export function sizesText({ files, core, features, jsGzip }, budgets = { core: CORE_GZIP_BUDGET, total: JS_GZIP_BUDGET, target: CORE_GZIP_TARGET }) {
  const s = (f) => `${kB(files[f].raw)} / ${kB(files[f].gzip)} kB`;
  const name = (f) => `\`${f.replace(/^dist\//, '')}\``;
  const met = core.gzip <= budgets.target;
  return `Sizes (raw / gzip -9, each file on its own as served; measured on \`dist/\` by \`scripts/readme-figures.mjs\`, and
\`npm test\` checks them and the budgets). A page with only the core tags loads ${kB(core.gzip)} kB gzip of JavaScript:
${core.files.map((f) => `${name(f)} ${s(f)}`).join(', ')} (guard ${kB(budgets.core)} kB, which stops growth; the target
of ${kB(budgets.target)} kB is ${met ? 'met' : 'not met yet'}). On first use: ${features.map((x) => `${name(x.file)} +${kB(x.gzip)} kB`).join(', ')}.
All JavaScript ${kB(jsGzip)} kB gzip (guard ${kB(budgets.total)} kB); \`daw-dsp.wasm\` ${s('dist/daw-dsp.wasm')}.
`;
}

/** "86 passed", "84 passed, 2 skipped". */
const cell = (c) => (c ? `${c.passed} passed${c.skipped ? `, ${c.skipped} skipped` : ''}` : 'not run');

/** Major versions of the browsers the suite runs in (the binaries the test configs use). */
export function browserVersions() {
  const run = (cmd, args) => {
    try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000 }); } catch { return ''; }
  };
  const chrome = process.env.CHROME_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  const cv = /(\d+)\.\d+\.\d+/.exec(chrome ? run(chrome, ['--version']) : '');
  const fv = /Firefox (\d+)[\d.]*(esr)?/i.exec(run(firefox, ['--version']));
  const wv = /^(\d+\.\d+)/.exec(run('dpkg-query', ['-W', '-f=${Version}\\n', 'libwebkit2gtk-4.1-0']).trim() || run('dpkg-query', ['-W', '-f=${Version}\\n', 'libwebkit2gtk-4.0-37']).trim());
  return {
    chromium: cv ? `Chromium ${cv[1]}` : 'Chromium',
    firefox: fv ? `Firefox${fv[2] ? ' ESR' : ''} ${fv[1]}` : 'Firefox ESR',
    webkit: wv ? `WebKitGTK ${wv[1]}` : 'WebKitGTK',
  };
}

/**
 * The browser-support table. `counts`: { chromium|firefox|webkit: { isolated, plain, e2e? } } with
 * { passed, skipped } each, and e2ePages (the number of end-to-end pages).
 */
export function supportTable(counts, versions) {
  const row = (label, f) => `| ${label} | ${['chromium', 'firefox', 'webkit'].map((b) => f(counts[b] ?? {})).join(' | ')} |`;
  return [
    `| | ${versions.chromium} | ${versions.firefox} | ${versions.webkit} |`,
    '|---|---|---|---|',
    row('browser suite, isolated page', (c) => cell(c.isolated)),
    row('browser suite, page without COOP/COEP', (c) => cell(c.plain)),
    row(`end-to-end (${counts.e2ePages} pages: isolated, plain, strict CSP ± isolation, no \`wasm-unsafe-eval\`, CDN without CORP / without CORS)`, (c) => cell(c.e2e)),
    '| shared-memory path on isolated pages | yes | yes | no (no `SharedArrayBuffer`; falls back to messages) |',
    '',
  ].join('\n');
}

/**
 * Brings the README's figures up to date: the sizes always, the table when `counts` is given. With
 * `check` (or CI) it only compares. Returns { ok, changed: [region names], wrote }.
 */
export function updateReadme({ counts = null, check = CI } = {}) {
  const before = readFileSync(README, 'utf8');
  let next = replaceRegion(before, 'sizes', sizesText(distSizes(root)));
  if (counts) next = replaceRegion(next, 'support', supportTable(counts, browserVersions()));
  const changed = ['sizes', 'support'].filter((n) => region(before, n) !== region(next, n));
  if (!changed.length) return { ok: true, changed, wrote: false };
  if (check) return { ok: false, changed, wrote: false };
  writeFileSync(README, next);
  return { ok: true, changed, wrote: true };
}

function region(text, name) {
  const { begin, end } = marker(name);
  const b = begin.exec(text);
  return b ? text.slice(b.index, text.indexOf(end)) : '';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  if (!check && CI) {
    console.log('readme figures: CI=true, README.md not written (`npm test` checks it)');
    process.exit(0);
  }
  const r = updateReadme({ check });
  if (check) {
    if (!r.ok) console.error(`README figures out of date (${r.changed.join(', ')}): run \`npm run build\` (sizes) or \`npm test\` (the table)`);
    console.log(`readme figures: ${r.ok ? 1 : 0} passed, ${r.ok ? 0 : 1} failed`);
    process.exit(r.ok ? 0 : 1);
  }
  console.log(r.wrote ? `README figures updated: ${r.changed.join(', ')}` : 'README figures up to date');
}
