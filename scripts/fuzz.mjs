#!/usr/bin/env node
// `npm run fuzz`: 100,000 seeded random calls on the public API and the tags, with random and hostile
// arguments, in headless Chromium through the real engine (test/soak/fuzz.js says what is checked).
// A finding prints the seed and the call's index; `npm run fuzz -- --seed=N` replays that run.
//
// Flags: --seed=N (default 1), --calls=N (default 100000), --plain (page without COOP/COEP: the
// batched-message path), --json=FILE.
import { writeFileSync } from 'node:fs';
import { openPage, arg } from '../test/soak/browser.mjs';

const SEED = Number(arg('seed', 1));
const CALLS = Number(arg('calls', 100000));
const PLAIN = arg('plain', false) === true;
const JSON_OUT = arg('json', null);
/** The known signal after the fuzz: its level within this of the reference (clip path is exact). */
const LEVEL_TOL_DB = 0.01;

const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(7)}s]`, ...a);
const failures = [];
const check = (ok, what) => { if (!ok) { failures.push(what); log(`FAIL: ${what}`); } };

const { page, close, errors, version } = await openPage('test/soak/fuzz.html', { isolated: !PLAIN, log, ignore: /Failed to load resource|Fetch API cannot load/ }); // the browser's own messages about URLs the fuzzer makes up
let res = null;
try {
  log(`${version}, ${PLAIN ? 'page without COOP/COEP' : 'cross-origin isolated page'}: seed ${SEED}, ${CALLS} calls`);
  res = await page.evaluate((a) => window.fuzz(a), { seed: SEED, calls: CALLS });
  const c = res.counts;
  log(`${c.calls} calls in ${(res.renderMs / 1000).toFixed(1)} s (${res.seconds.toFixed(1)} s of audio, ${res.shared ? 'shared memory' : 'messages'}): ${c.returned} returned, `
    + `${c.typeError} TypeError, ${c.rangeError} RangeError, ${c.bomb} of our own hostile objects' exceptions passed on, ${c.loadFailed} load failures, ${c.other} other; ${c.async} awaited promises`);
  log(`daw-error events: ${JSON.stringify(res.dawErrors)}`);
  log(`output: peak ${res.peak.toFixed(6)}, ${res.nonFinite} non-finite; status: ${JSON.stringify(res.status)}; after cleanup: ${JSON.stringify(res.after)}`);
  if (res.level) log(`known signal afterwards: RMS ${res.level.rms.toFixed(6)} (reference ${res.level.want.toFixed(6)}), ${res.level.errorDb.toFixed(5)} dB`);
  for (const f of res.findings) check(false, `seed ${SEED} call #${f.index}: ${f.call} -> ${f.what}`);
  check(res.nonFinite === 0 && res.status.nonFiniteSamples === 0, `non-finite output: ${res.nonFinite} samples, status.nonFiniteSamples ${res.status.nonFiniteSamples}`);
  check(res.peak <= 1, `peak ${res.peak} above 0 dBFS (the limiter's highest ceiling)`);
  check(res.after.channels === 0 && res.after.synths === 0 && res.after.samples === 0 && res.after.sampleBytes === 0, `slots not given back after every handle and element was gone: ${JSON.stringify(res.after)}`);
  check(res.level && Math.abs(res.level.errorDb) <= LEVEL_TOL_DB, `the engine no longer plays a known signal at its level: ${JSON.stringify(res.level)}`);
} catch (e) {
  check(false, `fuzz stopped (seed ${SEED}): ${e.stack ?? e}`);
} finally {
  await close();
}
for (const e of errors) check(false, e);
if (JSON_OUT && res) writeFileSync(JSON_OUT, JSON.stringify(res, null, 1));
log(failures.length ? `fuzz FAILED: ${failures.length} finding(s); replay with npm run fuzz -- --seed=${SEED}${CALLS !== 100000 ? ` --calls=${CALLS}` : ''}${PLAIN ? ' --plain' : ''}` : 'fuzz passed');
process.exit(failures.length ? 1 : 0);
