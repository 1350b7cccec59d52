// `npm test` after the build: Zig unit tests, then the browser suite on an isolated page and on a page
// without COOP/COEP. Streams every step's output and ends with one total line, "N passed, N failed".
import { spawn } from 'node:child_process';

const steps = [
  { name: 'zig', cmd: ['node', 'scripts/build-wasm.mjs', '--test'], env: {} },
  // fast units of pure logic beside the code (node --test)
  { name: 'node units', cmd: ['node', '--test', '--test-reporter=tap', 'worklet/sample-heap.test.mjs'], env: {} },
  { name: 'browser (isolated)', cmd: ['npx', 'wtr'], env: {} },
  { name: 'browser (no COOP/COEP)', cmd: ['npx', 'wtr'], env: { DAW_ISOLATION: 'off' } },
  // dist/ as a page author uses it: isolated, plain, strict-CSP pages, script from a second origin
  { name: 'e2e (chromium)', cmd: ['node', 'test/e2e/run.mjs'], env: {} },
  { name: 'e2e (firefox)', cmd: ['node', 'test/e2e/run.mjs'], env: { E2E_BROWSER: 'firefox' } },
  // what npm would publish, its exports and types from the packed tarball, bundle size
  { name: 'package', cmd: ['node', 'scripts/pack-check.mjs'], env: {} },
  { name: 'readme reference', cmd: ['node', 'scripts/readme-api.mjs', '--check'], env: {} },
  // The browser suite in Firefox ESR and WebKitGTK (DAW_FIREFOX=0 / DAW_WEBKIT=0 skip them;
  // WebKitGTK runs under Xvfb, and its WebDriver cannot press keys, so the keyboard tests skip there).
  ...(process.env.DAW_FIREFOX !== '0' ? [
    { name: 'browser, Firefox (isolated)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.firefox.config.mjs'], env: {} },
    { name: 'browser, Firefox (no COOP/COEP)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.firefox.config.mjs'], env: { DAW_ISOLATION: 'off' } },
  ] : []),
  ...(process.env.DAW_WEBKIT !== '0' ? [
    { name: 'browser, WebKitGTK (isolated)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.webkit.config.mjs'], env: {} },
    { name: 'browser, WebKitGTK (no COOP/COEP)', cmd: ['npx', 'wtr', '--config', 'web-test-runner.webkit.config.mjs'], env: { DAW_ISOLATION: 'off' } },
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

function count(name, out) {
  const plain = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  let m = [...plain.matchAll(/(\d+) passed; (\d+) skipped; (\d+) failed/g)].pop();
  if (m) return { passed: +m[1], failed: +m[3], skipped: +m[2] };
  m = /# pass (\d+)\n# fail (\d+)\n# cancelled \d+\n# skipped (\d+)/.exec(plain);
  if (m) return { passed: +m[1], failed: +m[2], skipped: +m[3] };
  m = [...plain.matchAll(/All (\d+) tests passed/g)].pop();
  if (m) return { passed: +m[1], failed: 0, skipped: 0 };
  m = [...plain.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)].pop();
  if (m) return { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
  return null;
}

let passed = 0, failed = 0, skipped = 0, broken = false;
for (const step of steps) {
  const { code, out } = await run(step);
  const c = count(step.name, out);
  if (!c) { console.log(`\n${step.name}: no test count found (exit ${code})`); broken = true; continue; }
  if (code !== 0 && c.failed === 0) { c.failed = 1; console.log(`\n${step.name}: exited ${code}`); }
  console.log(`\n${step.name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
  passed += c.passed; failed += c.failed; skipped += c.skipped;
}
console.log(`\ntotal: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken || passed === 0 ? 1 : 0);
