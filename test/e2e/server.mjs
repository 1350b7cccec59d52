// Two node:http servers on 127.0.0.1 for the end-to-end tests: the page origin (test pages with
// their COOP/COEP/CSP headers, plus dist/ same-origin) and a "CDN" origin on another port that serves
// dist/ as a CDN would. CDN paths are /<variant>/<file>: the variant names the page that asked (so
// the log says which page fetched what) and picks the headers:
//   cors    Access-Control-Allow-Origin: * and Cross-Origin-Resource-Policy: cross-origin (what we document)
//   nocorp  Access-Control-Allow-Origin: * only
//   nocors  neither (a misconfigured CDN)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';

const TYPES = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.map': 'application/json', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

async function sendFile(res, root, rel, headers) {
  const path = normalize(join(root, rel));
  if (!path.startsWith(normalize(root))) return void res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  } catch {
    res.writeHead(404, headers).end('not found');
  }
}

const PAGE_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 16px; background: #fff; color: #1d1f24; }
daw-engine { --daw-surface: #1b2030; --daw-text: #e8ebf2; }
h1 { font-size: 18px; margin: 0 0 8px; }`;

/** The test page: an engine with a channel holding a synth (as in DESIGN.md), the script from `script`. */
function pageHtml(title, script) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/page.css">
<script type="module" src="${script}"></script>
</head><body><main>
<h1>${title}</h1>
<daw-engine>
  <daw-channel label="Lead" volume-db="-6" pan="-0.3" eq-high-db="-3" send-reverb="0.2">
    <daw-synth wave="saw" attack-ms="5" release-ms="300" cutoff-hz="2400" polyphony="8" keyboard></daw-synth>
  </daw-channel>
</daw-engine>
</main></body></html>`;
}

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * Starts both servers. Returns { origin, cdn, pages, reactPages, log, close }; `pages` maps a page
 * name to its URL and what the test expects of it; `reactPages` the React app built by Vite
 * (`reactDir`, test/e2e/react/build.mjs) served as it is, with and without COOP/COEP; `log` lists
 * CDN requests ({ variant, file, origin, dest }).
 */
export async function startServers(distDir, reactDir = null) {
  const log = [];
  const cdnServer = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const [, variant, ...rest] = url.pathname.split('/');
    const file = rest.join('/');
    log.push({ variant, file, origin: req.headers.origin ?? null, dest: req.headers['sec-fetch-dest'] ?? null, mode: req.headers['sec-fetch-mode'] ?? null });
    const headers = variant === 'nocors' ? {} : variant === 'nocorp' ? { 'Access-Control-Allow-Origin': '*' }
      : { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
    void sendFile(res, distDir, file, headers);
  });
  const cdn = await listen(cdnServer);

  const csp = (wasm) => `default-src 'none'; script-src ${cdn}${wasm ? " 'wasm-unsafe-eval'" : ''}; connect-src ${cdn}; style-src 'self'; img-src 'self'`;
  const pages = {
    isolated: { title: 'isolated (COOP/COEP), script from the CDN origin', script: `${cdn}/isolated/daw-elements.js`, headers: ISOLATION, isolated: true, works: true },
    plain: { title: 'not isolated, script same-origin', script: '/dist/daw-elements.js', headers: {}, isolated: false, works: true, manifestCheck: true },
    csp: { title: "strict CSP: script-src CDN + 'wasm-unsafe-eval'", script: `${cdn}/csp/daw-elements.js`, headers: { 'Content-Security-Policy': csp(true) }, isolated: false, works: true },
    'csp-isolated': { title: "strict CSP + COOP/COEP, script from the CDN", script: `${cdn}/csp-isolated/daw-elements.js`, headers: { 'Content-Security-Policy': csp(true), ...ISOLATION }, isolated: true, works: true },
    'csp-no-wasm': { title: "strict CSP without 'wasm-unsafe-eval'", script: `${cdn}/csp-no-wasm/daw-elements.js`, headers: { 'Content-Security-Policy': csp(false) }, isolated: false, works: false, expectError: /wasm-unsafe-eval/ },
    'isolated-nocorp': { title: 'isolated, CDN sends CORS but no CORP', script: `${cdn}/nocorp/daw-elements.js`, headers: ISOLATION, isolated: true, works: true },
    'isolated-nocors': { title: 'isolated, CDN sends no CORS headers', script: `${cdn}/nocors/daw-elements.js`, headers: ISOLATION, isolated: true, works: false, noScript: true },
  };

  const reactPages = {
    react: { title: 'React 19 app built by Vite, isolated (COOP/COEP)', headers: ISOLATION, isolated: true },
    'react-plain': { title: 'React 19 app built by Vite, not isolated', headers: {}, isolated: false },
  };

  const pageServer = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const app = reactDir && /^\/(react(?:-plain)?)\/(.*)$/.exec(path);
    if (app) return void sendFile(res, reactDir, app[2] || 'index.html', reactPages[app[1]].headers);
    const name = path.slice(1);
    if (pages[name]) {
      const p = pages[name];
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store', ...p.headers });
      return void res.end(pageHtml(p.title, p.script));
    }
    if (path === '/blank') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'] });
      return void res.end('<!doctype html><html><head><link rel="stylesheet" href="/page.css"></head><body></body></html>');
    }
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/page.css') {
      res.writeHead(200, { 'Content-Type': TYPES['.css'], 'Cross-Origin-Resource-Policy': 'same-origin' });
      return void res.end(PAGE_CSS);
    }
    if (path.startsWith('/demo/')) {
      // the demo pages (npm start's), same origin, no COOP/COEP: they load ../dist/daw-elements.js
      const rel = path.slice('/demo/'.length) || 'index.html';
      return void sendFile(res, join(dirname(normalize(distDir)), 'demo'), rel, {});
    }
    if (path.startsWith('/dist/')) {
      // same-origin dist for the plain page; under COEP a same-origin load needs nothing else
      return void sendFile(res, distDir, path.slice('/dist/'.length), {});
    }
    res.writeHead(404).end('not found');
  });
  const origin = await listen(pageServer);
  for (const p of Object.values(pages)) p.url = `${origin}/${Object.keys(pages).find((k) => pages[k] === p)}`;
  for (const [name, p] of Object.entries(reactPages)) p.url = `${origin}/${name}/`;

  return {
    origin, cdn, pages, reactPages: reactDir ? reactPages : {}, log,
    close: () => Promise.all([cdnServer, pageServer].map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }))),
  };
}
