// What `npm publish` would ship, checked: `npm pack --dry-run --json` must list exactly the built
// page module, worklet, WASM, their source maps, the type declarations, the custom elements manifest,
// README, LICENSE (if there is one) and package.json — no sources, tests, demos or benchmarks. Then
// the real tarball is unpacked into a scratch node_modules and every `exports` entry is resolved by
// Node, and a TypeScript consumer is type-checked against it (bundler and node16 resolution), so the
// `types` condition, HTMLElementTagNameMap and the event map are known to work from the outside.
// Also reports (and bounds: scripts/sizes.mjs) the JavaScript size, raw and gzip, and checks that the
// bundles are minified, that their source maps lead back into the sources and that Lit's production
// build is the one bundled. Ends with "N passed, N failed".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { checks } from './checks.mjs';
import { decodeMappings, originalPosition } from './sourcemap.mjs';
import { CORE_GZIP_BUDGET, CORE_GZIP_TARGET, JS_GZIP_BUDGET, distSizes, dynamicImports, kB, shipped, staticImports } from './sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const { check, finish } = checks();

function npm(args, cwd = root) {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

// ---- what would be published ----
// The entries, the worklet, the clock's worker, and the page module's chunks (daw-core.js and the
// feature chunks it imports on first use: every .js in dist/), each with its map.
const ENTRIES = ['dist/daw-elements.js', 'dist/daw-elements-classes.js', 'dist/daw-worklet.js', 'dist/daw-clock.js', 'dist/daw-core.js'];
const JS_FILES = existsSync(join(root, 'dist')) ? shipped(root).filter((f) => f.endsWith('.js')) : [];
const DIST = [...new Set([...ENTRIES, ...JS_FILES])].flatMap((f) => [f, `${f}.map`]).concat(['dist/daw-dsp.wasm', 'dist/custom-elements.json']);
const missing = DIST.filter((f) => !existsSync(join(root, f)));
if (missing.length || !existsSync(join(root, 'dist/types'))) {
  console.log(`dist is not built (missing ${[...missing, ...(existsSync(join(root, 'dist/types')) ? [] : ['dist/types/'])].join(', ')}): run \`npm run build\``);
  console.log('\npack: 0 passed, 1 failed');
  process.exit(1);
}
const types = walk(join(root, 'dist/types')).map((f) => relative(root, f)).sort();
const expected = new Set(['package.json', 'README.md', ...(existsSync(join(root, 'LICENSE')) ? ['LICENSE'] : []), ...DIST, ...types]);

console.log('npm pack --dry-run');
const [dry] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']));
const listed = new Set(dry.files.map((f) => f.path));
await check(`the package holds exactly the ${expected.size} expected files`, () => {
  const extra = [...listed].filter((f) => !expected.has(f));
  const absent = [...expected].filter((f) => !listed.has(f));
  assert.deepEqual({ extra, absent }, { extra: [], absent: [] });
});
await check('no sources, tests, demos, benchmarks or build scripts', () => {
  const bad = [...listed].filter((f) => /^(src|elements|worklet|dsp|test|demo|bench|scripts|build|node_modules)\//.test(f) || /\.test\.|\.ts$/.test(f.replace(/\.d\.ts$/, '')));
  assert.deepEqual(bad, []);
});
await check('every type declaration file tsc wrote is in the package', () => {
  assert.ok(types.length > 0 && types.every((t) => listed.has(t) && t.endsWith('.d.ts')), `${types.length} declaration files`);
});
if (!existsSync(join(root, 'LICENSE'))) console.log(`  note  no LICENSE file (package.json says "${pkg.license}"); it will be packed once it exists`);
console.log(`  info  ${dry.filename}: ${dry.entryCount} files, ${(dry.size / 1024).toFixed(1)} kB packed, ${(dry.unpackedSize / 1024).toFixed(1)} kB unpacked`);

// ---- sizes ----
console.log('\nsizes (raw / gzip -9)');
const { files: sizes, jsGzip, core, features } = distSizes(root);
for (const f of Object.keys(sizes)) console.log(`  ${f.padEnd(30)} ${kB(sizes[f].raw).padStart(6)} kB  ${kB(sizes[f].gzip).padStart(5)} kB`);
for (const x of features) console.log(`  on first use: ${x.file} +${kB(x.gzip)} kB`);
await check(`a page with only the core tags loads at most ${kB(CORE_GZIP_BUDGET)} kB gzip of JavaScript (${core.files.join(', ')}: ${kB(core.gzip)} kB; target ${kB(CORE_GZIP_TARGET)} kB)`, () => {
  assert.ok(core.gzip <= CORE_GZIP_BUDGET, `${core.gzip} bytes > ${CORE_GZIP_BUDGET}`);
});
await check(`all JavaScript is within ${kB(JS_GZIP_BUDGET)} kB gzip (${JS_FILES.length} files: ${kB(jsGzip)} kB)`, () => {
  assert.ok(jsGzip <= JS_GZIP_BUDGET, `${jsGzip} bytes > ${JS_GZIP_BUDGET}`);
});
await check('the page module loads the feature chunks on first use (dynamic imports), each found next to it in the package', () => {
  const coreCode = readFileSync(join(root, 'dist/daw-core.js'), 'utf8');
  assert.deepEqual(staticImports(readFileSync(join(root, 'dist/daw-elements.js'), 'utf8')), ['./daw-core.js']);
  assert.deepEqual(staticImports(coreCode), [], 'daw-core.js imports nothing eagerly');
  const lazy = dynamicImports(coreCode);
  for (const want of ['./daw-transport.js', './daw-analysis.js', './daw-console.js', './daw-wav.js', './daw-rebuild.js']) assert.ok(lazy.includes(want), `${want} is not imported on first use: ${lazy}`);
  // Relative specifiers only (resolved against the module's own URL: a CDN include finds them); no absolute or bare ones.
  for (const f of JS_FILES) {
    const code = readFileSync(join(root, f), 'utf8');
    for (const spec of [...staticImports(code), ...dynamicImports(code)]) assert.ok(listed.has(`dist/${spec.slice(2)}`), `${f} imports ${spec}, which is not in the package`);
    assert.doesNotMatch(code, /\bimport\(\s*["'`](?!\.\/)/, `${f} has a dynamic import that is not relative to it`);
  }
});

// ---- the minified bundles ----
console.log('\nminified bundles');
for (const f of JS_FILES) {
  const code = readFileSync(join(root, f), 'utf8');
  await check(`${f} is minified (no comments but licences and the map URL)`, () => {
    const comments = [...code.matchAll(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm)].map((m) => m[0]).filter((c) => !/@license|^\/\/# sourceMappingURL=/.test(c.trim()));
    assert.deepEqual(comments.slice(0, 3), [], `${comments.length} comments`);
  });
  if (f === 'dist/daw-elements.js' || f === 'dist/daw-elements-classes.js') continue; // the entries only re-export the chunks (and register the tags)
  // Every string literal of the bundle that a source holds verbatim (error messages, CSS, templates),
  // looked up through the map, must land on a line of the named source that holds it. Fails if the
  // minifier's map is not chained with the bundle's (the positions would be the unminified chunk's).
  await check(`${f}.map maps the minified code back into its sources`, () => {
    assert.match(code, new RegExp(`//# sourceMappingURL=${f.split('/').pop()}\\.map\\s*$`));
    const map = JSON.parse(readFileSync(join(root, f + '.map'), 'utf8'));
    assert.equal(map.version, 3);
    assert.ok(map.sources.every((s) => existsSync(join(root, 'dist', s))), `sources outside the repo: ${map.sources.filter((s) => !existsSync(join(root, 'dist', s)))}`);
    const decoded = decodeMappings(map.mappings);
    let probes = 0;
    const wrong = [];
    code.split('\n').forEach((line, li) => {
      for (const m of line.matchAll(/(["'`])([A-Za-z][^"'`\\$\n]{9,})\1/g)) {
        if (!map.sourcesContent?.some((s) => s.includes(m[2]))) continue; // made by the minifier
        const pos = originalPosition(map, decoded, li, m.index);
        if (!pos) continue; // inside a template literal whose segment starts on an earlier line
        probes++;
        const src = pos && map.sourcesContent?.[pos.sourceIndex]?.split('\n')[pos.line];
        if (!src?.includes(m[2].slice(0, 10))) wrong.push(`${JSON.stringify(m[2].slice(0, 40))} -> ${pos.source}:${pos.line + 1}`);
      }
    });
    // (the small chunks, e.g. the WAV encoder's, may hold no such literal; the two large ones must)
    assert.ok(probes >= (f === 'dist/daw-core.js' || f === 'dist/daw-worklet.js' ? 10 : 0), `only ${probes} string literals to probe`);
    assert.deepEqual(wrong, [], `${wrong.length} of ${probes} literals map elsewhere`);
  });
}
await check("the page module has Lit's production build (no dev-mode warnings)", () => {
  const code = JS_FILES.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const dev = /in dev mode|issueWarning|Multiple versions of Lit loaded/.exec(code);
  assert.equal(dev?.[0] ?? null, null, 'a development build of Lit is bundled (nodeResolve must not use the "development" condition)');
});

// ---- the custom elements manifest ----
console.log('\ncustom-elements.json');
const manifest = JSON.parse(readFileSync(join(root, 'dist/custom-elements.json'), 'utf8'));
const decls = manifest.modules.flatMap((m) => m.declarations.filter((d) => d.customElement));
await check('package.json "customElements" points at the manifest in the package', () => {
  assert.ok(listed.has(pkg.customElements.replace(/^\.\//, '')), pkg.customElements);
});
await check('the manifest is up to date with the element sources', async () => {
  const { buildManifest } = await import('./manifest.mjs');
  assert.deepEqual(await buildManifest(), manifest, 'run `npm run build:manifest`');
});
await check('it describes every element (<daw-engine>, <daw-channel>, <daw-synth>, <daw-clip>, <daw-transport>, <daw-meter>, <daw-loudness>, <daw-spectrum>, <daw-scope>, <daw-bus>, <daw-mixer>, <daw-sequence>, <daw-steps>) with summary, events, parts and CSS properties', () => {
  assert.deepEqual(decls.map((d) => d.tagName).sort(), ['daw-bus', 'daw-channel', 'daw-clip', 'daw-engine', 'daw-loudness', 'daw-meter', 'daw-mixer', 'daw-scope', 'daw-spectrum', 'daw-synth', 'daw-transport', 'daw-sequence', 'daw-steps'].sort());
  for (const d of decls) {
    assert.ok(d.summary, `${d.tagName}: no @summary`);
    // <daw-mixer> only lays out its children: it has no value to validate, so no daw-error of its own.
    if (d.tagName !== 'daw-mixer') assert.ok(d.events.some((e) => e.name === 'daw-error'), `${d.tagName}: no daw-error event`);
    // <daw-sequence> shows nothing: no parts, no CSS properties.
    if (d.tagName !== 'daw-sequence') assert.ok(d.cssParts.length > 0 && d.cssProperties.length > 0, `${d.tagName}: no parts/CSS properties`);
    assert.ok(d.cssProperties.every((p) => p.name.startsWith('--daw-')), `${d.tagName}: CSS property names ${d.cssProperties.map((p) => p.name)}`);
    for (const a of d.attributes) assert.match(a.name, /^[a-z][a-z0-9-]*$/, `${d.tagName}: attribute name ${a.name}`);
  }
  const ch = decls.find((d) => d.tagName === 'daw-channel');
  for (const a of ['volume-db', 'pan', 'eq-high-db', 'send-reverb', 'mute', 'solo', 'label']) assert.ok(ch.attributes.some((x) => x.name === a), `daw-channel lacks ${a}`);
  const syn = decls.find((d) => d.tagName === 'daw-synth');
  for (const a of ['wave', 'attack-ms', 'release-ms', 'cutoff-hz', 'polyphony', 'keyboard']) assert.ok(syn.attributes.some((x) => x.name === a), `daw-synth lacks ${a}`);
  assert.ok(syn.members.some((m) => m.name === 'noteOn' && m.kind === 'method'), 'daw-synth lacks noteOn()');
  const clip = decls.find((d) => d.tagName === 'daw-clip');
  for (const a of ['src', 'loop', 'gain', 'offset', 'loop-start', 'loop-end', 'autoplay']) assert.ok(clip.attributes.some((x) => x.name === a), `daw-clip lacks ${a}`);
  for (const m of ['play', 'stop', 'toggle']) assert.ok(clip.members.some((x) => x.name === m && x.kind === 'method'), `daw-clip lacks ${m}()`);
  assert.ok(clip.events.some((e) => e.name === 'daw-clip-load'), 'daw-clip lacks daw-clip-load');
  const tr = decls.find((d) => d.tagName === 'daw-transport');
  for (const a of ['tempo', 'metronome', 'loop', 'loop-start', 'loop-end', 'playing']) assert.ok(tr.attributes.some((x) => x.name === a), `daw-transport lacks ${a}`);
  for (const m of ['play', 'stop']) assert.ok(tr.members.some((x) => x.name === m && x.kind === 'method'), `daw-transport lacks ${m}()`);
  assert.ok(tr.events.some((e) => e.name === 'daw-transport'), 'daw-transport lacks daw-transport');
  const bus = decls.find((d) => d.tagName === 'daw-bus');
  for (const a of ['name', 'label', 'volume-db', 'pan', 'mute', 'eq-low-db', 'comp-ratio', 'limiter-ceiling-db']) assert.ok(bus.attributes.some((x) => x.name === a), `daw-bus lacks ${a}`);
  const mixer = decls.find((d) => d.tagName === 'daw-mixer');
  for (const p of ['channels', 'buses']) assert.ok(mixer.cssParts.some((x) => x.name === p), `daw-mixer lacks part ${p}`);
});

// ---- installed from the real tarball ----
console.log('\nfrom the packed tarball');
const scratch = mkdtempSync(join(tmpdir(), 'daw-pack-'));
try {
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch]));
  const into = join(scratch, 'node_modules', 'daw-elements');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', join(scratch, packed.filename), '-C', into, '--strip-components=1']);
  // lit is the package's one dependency (bundled into the JS, needed for the types)
  for (const dep of ['lit', 'lit-html', 'lit-element', '@lit', '@lit-labs', '@types']) {
    if (existsSync(join(root, 'node_modules', dep))) symlinkSync(join(root, 'node_modules', dep), join(scratch, 'node_modules', dep));
  }
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

  // './react' is types only (typed JSX for React: elements/react.ts); the type-checks below load it.
  const typesOnly = Object.keys(pkg.exports).filter((k) => typeof pkg.exports[k] === 'object' && Object.keys(pkg.exports[k]).join() === 'types');
  await check('every "exports" entry resolves (Node, import condition) to a file in the package; the types-only ones name a declaration file in it', () => {
    assert.deepEqual(typesOnly, ['./react']);
    for (const k of typesOnly) assert.ok(existsSync(join(into, pkg.exports[k].types)), `${k}: ${pkg.exports[k].types} is not in the package`);
    const subpaths = Object.keys(pkg.exports).filter((k) => !typesOnly.includes(k)).map((k) => (k === '.' ? 'daw-elements' : `daw-elements/${k.slice(2)}`));
    const script = `for (const s of ${JSON.stringify(subpaths)}) console.log(s + ' ' + import.meta.resolve(s));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    assert.equal(lines.length, subpaths.length);
    for (const line of lines) {
      const [spec, url] = line.split(' ');
      const file = fileURLToPath(url);
      assert.ok(file.startsWith(into) && existsSync(file) && statSync(file).size > 0, `${spec} -> ${file}`);
    }
    const byName = Object.fromEntries(lines.map((l) => l.split(' ')));
    assert.match(byName['daw-elements'], /dist\/daw-elements\.js$/);
    assert.match(byName['daw-elements/classes'], /dist\/daw-elements-classes\.js$/);
    assert.match(byName['daw-elements/worklet'], /dist\/daw-worklet\.js$/);
    assert.match(byName['daw-elements/dsp.wasm'], /dist\/daw-dsp\.wasm$/);
  });
  await check('an unexported path is refused (the exports map is the public surface)', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import.meta.resolve('daw-elements/dist/types/src/engine.d.ts')"], { cwd: scratch, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  const consumer = `import { getEngine, renderOffline, DawEngine, DawChannel, DawSynth, DawClip, type DawErrorDetail, type EngineState } from 'daw-elements';
const engineEl: DawEngine | null = document.querySelector('daw-engine');
const state: EngineState | undefined = engineEl?.engine.state;
const channel: DawChannel = document.createElement('daw-channel');
const volume: number = channel.volumeDb;
const muted: boolean = channel.mute;
const synth: DawSynth = document.createElement('daw-synth');
const id: number = synth.noteOn(60, 0.8);
const clip: DawClip = document.createElement('daw-clip');
const started: boolean = clip.play();
document.addEventListener('daw-clip-load', (e) => { const d: number = e.detail.duration; console.log(d); });
document.addEventListener('daw-error', (e) => { const code: string = e.detail.code; console.log(code); });
document.addEventListener('daw-statechange', (e) => { const s: EngineState = e.detail.state; console.log(s); });
const engine = getEngine();
const ch = engine.createChannel({ label: 'Lead', volumeDb: -6 });
ch.set('pan', -0.3);
const detail: DawErrorDetail | null = null;
void renderOffline(0.1, (e) => { e.createChannel(); });
// @ts-expect-error: not a channel property (fails if the element types were 'any')
channel.notAParameter = 1;
// @ts-expect-error: noteOn takes a MIDI note number
synth.noteOn('C4');
// @ts-expect-error: playing is read-only
clip.playing = true;
console.log(state, volume, muted, id, detail, started);
`;
  // A page sharing the daw- names with another library: the side-effect-free entry and define({ prefix }).
  const prefixed = `import { define, DawChannel, type DefineResult } from 'daw-elements/classes';
const r: DefineResult = define({ prefix: 'studio' });
const tag: string = r.tags.channel;
const taken: string[] = r.taken;
const ch = document.querySelector(tag) as DawChannel | null;
// @ts-expect-error: the prefix is a string
define({ prefix: 3 });
console.log(ch?.volumeDb, taken);
`;
  // Typed JSX (daw-elements/react) in a React 19 TSX file: the parameter props, event props and refs,
  // and a prefix registered with define({ prefix }) typed through DawIntrinsicElements.
  const tsx = `import type { DawChannel, EngineState } from 'daw-elements';
import type { DawIntrinsicElements } from 'daw-elements/react';
declare module 'react' { namespace JSX { interface IntrinsicElements extends DawIntrinsicElements<'studio'> {} } }
let state: EngineState = 'idle';
export const ok = <daw-engine ondaw-statechange={(e) => { state = e.detail.state; }}>
  <daw-channel volumeDb={-6} mute ref={(c: DawChannel | null) => { c?.meter(); }} ondaw-change={(e) => e.currentTarget.volumeDb}>
    <daw-synth wave="saw" cutoffHz={2400} />
  </daw-channel>
  <studio-channel volumeDb={-3}><studio-clip src="a.wav" loop /></studio-channel>
</daw-engine>;
// @ts-expect-error: a number parameter takes no string (fails if the tags were untyped)
export const bad = <daw-channel volumeDb="loud" />;
// @ts-expect-error: the prefixed tags are typed too
export const badPrefixed = <studio-synth wave="noise" />;
console.log(state);
`;
  writeFileSync(join(scratch, 'consumer.ts'), consumer);
  writeFileSync(join(scratch, 'prefixed.ts'), prefixed);
  writeFileSync(join(scratch, 'react.tsx'), tsx);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [mod, res] of [['esnext', 'bundler'], ['node16', 'node16']]) {
    await check(`a TypeScript consumer type-checks against the package (module ${mod}, moduleResolution ${res})`, () => {
      const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable',
        '--module', mod, '--moduleResolution', res, 'consumer.ts', 'prefixed.ts'], { cwd: scratch, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });
  }
  await check('a React 19 TSX consumer type-checks with daw-elements/react (typed props, events, refs, a prefix), and wrong props fail', () => {
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable',
      '--module', 'esnext', '--moduleResolution', 'bundler', '--jsx', 'react-jsx', 'react.tsx'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
  await check('HTMLElementTagNameMap declares every tag in the shipped types', () => {
    const dts = walk(join(into, 'dist/types')).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const [tag, cls] of [['daw-engine', 'DawEngine'], ['daw-channel', 'DawChannel'], ['daw-synth', 'DawSynth'], ['daw-clip', 'DawClip'], ['daw-transport', 'DawTransport'],
      ['daw-meter', 'DawMeter'], ['daw-loudness', 'DawLoudness'], ['daw-spectrum', 'DawSpectrum'], ['daw-scope', 'DawScope'], ['daw-bus', 'DawBus'], ['daw-mixer', 'DawMixer'], ['daw-sequence', 'DawSequence'], ['daw-steps', 'DawSteps']]) {
      assert.match(dts, new RegExp(`['"]${tag}['"]\\s*:\\s*${cls}\\b`), `${tag}: ${cls} missing from HTMLElementTagNameMap`);
    }
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

finish('pack');
