// Accessibility audit with axe-core (the engine behind Lighthouse's and most browsers' accessibility
// checks): its axe.min.js is evaluated in the page through the DevTools/BiDi protocol (so a strict
// CSP page needs no exception) and run over the whole document, shadow roots included, with every
// rule it runs by default (WCAG 2.x A/AA and best practices). Used by test/e2e/run.mjs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const axeVersion = require('axe-core/package.json').version;

/** Opens every <details> of the page and of every shadow root in it, so what they hold is audited too. */
export function openEverything(page) {
  return page.evaluate(() => {
    let opened = 0;
    const visit = (root) => {
      for (const d of root.querySelectorAll('details')) if (!d.open) { d.open = true; opened++; }
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot);
    };
    visit(document);
    return opened;
  });
}

/** Runs axe over the page; returns its violations, each with the failing nodes (shadow paths joined by " >>> "). */
export async function audit(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  return page.evaluate(async () => {
    // Every element has rendered its latest state (Lit updates are async) before axe reads the DOM.
    const all = [];
    const visit = (root) => { for (const el of root.querySelectorAll('*')) { all.push(el); if (el.shadowRoot) visit(el.shadowRoot); } };
    visit(document);
    await Promise.all(all.filter((el) => el.updateComplete).map((el) => el.updateComplete));
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' '), summary: n.failureSummary })),
    }));
  });
}

/** The violations as lines for a test failure. */
export function describeViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n  ');
}
