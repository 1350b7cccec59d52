// The tiny check harness of the node-side test scripts (scripts/pack-check.mjs, test/e2e/run.mjs):
// each check prints ok/FAIL, and finish() prints the "label: N passed, N failed" line that
// scripts/test.mjs totals, then exits non-zero on any failure.
export function checks() {
  let passed = 0, failed = 0;
  return {
    async check(name, fn) {
      try {
        await fn();
        passed++;
        console.log(`  ok    ${name}`);
      } catch (e) {
        failed++;
        const text = e?.stack ?? String(e?.message ?? e);
        console.log(`  FAIL  ${name}\n        ${String(text).split('\n').slice(0, 6).join('\n        ')}`);
      }
    },
    finish(label) {
      console.log(`\n${label}: ${passed} passed, ${failed} failed`);
      process.exit(failed ? 1 : 0);
    },
  };
}
