// `npm test` after the build: the node units beside the code (seconds, no build or browser needed),
// Zig unit tests, then the browser suite on an isolated page and on a page without COOP/COEP. Streams every step's output and ends with one total line, "N passed, N failed".
// Last, the README's figures (scripts/readme-figures.mjs): the sizes, and the browser-support table
// from this run's counts when every step ran and passed; rewritten locally, compared with CI=true.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { CI, updateReadme } from './readme-figures.mjs';

// node --test units beside the code, also in sub-folders (elements/daw-clip/); only *.test.mjs
// files (`node --test scripts/` would also run this file, whose name matches Node's test-file
// patterns); `npm run test:units` runs just these.
const units = ['protocol', 'scripts', 'src', 'worklet', 'elements'].flatMap((dir) => readdirSync(new URL(`../${dir}/`, import.meta.url), { recursive: true }).filter((f) => f.endsWith('.test.mjs')).map((f) => `${dir}/${f}`));

if (process.argv.includes('--units')) {
  const code = await new Promise((resolve) => spawn(process.execPath, ['--test', ...units], { stdio: 'inherit' }).on('close', resolve));
  process.exit(code ?? 1);
}

const steps = [
  { name: 'node units', cmd: ['node', '--test', ...units], env: {} },
  { name: 'zig', cmd: ['node', 'scripts/build-wasm.mjs', '--test'], env: {} },
  { name: 'browser (isolated)', cmd: ['npx', 'wtr'], env: {}, figure: ['chromium', 'isolated'] },
  { name: 'browser (no COOP/COEP)', cmd: ['npx', 'wtr'], env: { DAW_ISOLATION: 'off' }, figure: ['chromium', 'plain'] },
  // dist/ as a page author uses it: isolated, plain, strict-CSP pages, script from a second origin
  { name: 'e2e (chromium)', cmd: ['node', 'test/e2e/run.mjs'], env: {}, figure: ['chromium', 'e2e'] },
  { name: 'e2e (firefox)', cmd: ['node', 'test/e2e/run.mjs'], env: { E2E_BROWSER: 'firefox' }, figure: ['firefox', 'e2e'] },
  // what npm would publish, its exports and types from the packed tarball, bundle size
  { name: 'package', cmd: ['node', 'scripts/pack-check.mjs'], env: {} },
  { name: 'readme reference', cmd: ['node', 'scripts/readme-api.mjs', '--check'], env: {} },
  // The browser suite in Firefox ESR and WebKitGTK (DAW_FIREFOX=0 / DAW_WEBKIT=0 skip them;
  // WebKitGTK runs under Xvfb, and its WebDriver cannot press keys, so the keyboard tests skip there).
  ...(process.env.DAW_FIREFOX !== '0' ? [
    { name: 'browser, Firefox (isolated)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.firefox.config.mjs'], env: {}, figure: ['firefox', 'isolated'] },
    { name: 'browser, Firefox (no COOP/COEP)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.firefox.config.mjs'], env: { DAW_ISOLATION: 'off' }, figure: ['firefox', 'plain'] },
  ] : []),
  ...(process.env.DAW_WEBKIT !== '0' ? [
    { name: 'browser, WebKitGTK (isolated)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.webkit.config.mjs'], env: {}, figure: ['webkit', 'isolated'] },
    { name: 'browser, WebKitGTK (no COOP/COEP)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.webkit.config.mjs'], env: { DAW_ISOLATION: 'off' }, figure: ['webkit', 'plain'] },
  ] : []),
];

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(step.cmd[0], step.cmd.slice(1), { env: { ...process.env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const tee = (stream) => (chunk) => { out += chunk; stream.write(chunk); };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const plain = (out) => out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function count(name, out) {
  const text = plain(out);
  let m = [...text.matchAll(/(\d+) passed; (\d+) skipped; (\d+) failed/g)].pop();
  if (m) return { passed: +m[1], failed: +m[3], skipped: +m[2] };
  m = [...text.matchAll(/All (\d+) tests passed/g)].pop();
  if (m) return { passed: +m[1], failed: 0, skipped: 0 };
  m = /^# pass (\d+)\n# fail (\d+)\n(?:# cancelled (\d+)\n)?# skipped (\d+)/m.exec(text); // node --test (TAP)
  if (m) return { passed: +m[1], failed: +m[2] + +(m[3] ?? 0), skipped: +m[4] };
  m = [...text.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].pop();
  if (m) return { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
  return null;
}

let passed = 0, failed = 0, skipped = 0, broken = false;
const counts = { chromium: {}, firefox: {}, webkit: {}, e2ePages: 0 };
for (const step of steps) {
  const { code, out } = await run(step);
  const c = count(step.name, out);
  if (!c) { console.log(`\n${step.name}: no test count found (exit ${code})`); broken = true; continue; }
  if (code !== 0 && c.failed === 0) { c.failed = 1; console.log(`\n${step.name}: exited ${code}`); }
  console.log(`\n${step.name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
  passed += c.passed; failed += c.failed; skipped += c.skipped;
  if (step.figure) counts[step.figure[0]][step.figure[1]] = c;
  // the e2e pages, as test/e2e/run.mjs heads them: "chrome · <page>: <title>"
  if (step.name === 'e2e (chromium)') counts.e2ePages = new Set([...plain(out).matchAll(/^\S+ · ([\w-]+):/gm)].map((m) => m[1])).size;
}

// The README's figures. The table only from a run where every step ran (no engine skipped) and passed.
const everyStep = steps.filter((s) => s.figure).length === 8;
const complete = everyStep && !broken && failed === 0;
const figures = updateReadme({ counts: complete ? counts : null, check: CI });
const why = !everyStep ? 'an engine was skipped' : 'not every step passed';
console.log(`\nreadme figures: sizes${complete ? ' and the browser-support table' : ` (the table is left as it is: ${why})`} ${
  figures.wrote ? `rewritten (${figures.changed.join(', ')}): commit README.md` : figures.ok ? 'up to date' : `out of date (${figures.changed.join(', ')}): run \`npm test\` locally and commit README.md`}`);
console.log(`readme figures: ${figures.ok ? 1 : 0} passed, ${figures.ok ? 0 : 1} failed`);
if (figures.ok) passed++; else failed++;

console.log(`\ntotal: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken || passed === 0 ? 1 : 0);
