// Writes dist/custom-elements.json (the Custom Elements Manifest, schema 1.0.0) for the published
// bundle. @custom-elements-manifest/analyzer (with its Lit plugin) reads the element classes —
// members, types, the class doc's @summary/@description/@slot/@event/@csspart/@cssproperty/@attr —
// and this script then fills in what it cannot see in this code base:
//   - tag names: the elements register through define({ prefix }) (elements/define.ts: `${prefix}-x`,
//     default prefix 'daw'), not a literal customElements.define call; the default tag of each class
//     is read from its HTMLElementTagNameMap entry ('daw-x': DawX) in elements/<name>/<name>.ts;
//   - the parameter attributes/properties, which the elements declare at run time from the one
//     parameter table (declare(defsOf(STRIP_PARAMS ...))): taken here from protocol/generated/contract.ts
//     with the same filters as the elements (channel: scope all|channel; synth: all; bus: all|master and the bus effects'; none internal);
//   - doc tags written several to a line (`@cssproperty --a - A. @cssproperty --b - B.`) or as a
//     list (`@cssproperty --a, --b - Both.`), which the analyzer reads only the first of;
//   - one module, dist/daw-elements.js (elements/index.ts): the module a page loads, which defines all
//     four (the classes come from dist/daw-elements-classes.js, which it imports).
// `node scripts/manifest.mjs --check` exits non-zero if the file on disk is out of date.
import { create, ts } from '@custom-elements-manifest/analyzer';
import { litPlugin } from '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'dist', 'custom-elements.json');
const MODULE = 'dist/daw-elements.js';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Each parameter's doc, from the table itself (the generated runtime table leaves them out). */
const table = JSON.parse(readFileSync(join(root, 'protocol', 'contract.json'), 'utf8'));
const DOCS = new Map([...table.strip, ...table.synth, ...(table.busFx ?? [])].map((p) => [p.name, p.doc]));

/** STRIP_PARAMS / SYNTH_PARAMS from the generated table (TypeScript → JavaScript in memory). */
async function loadParams() {
  const file = join(root, 'protocol', 'generated', 'contract.ts');
  if (!existsSync(file)) throw new Error('protocol/generated/contract.ts is missing: run `npm run gen` first');
  const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  return import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
}

/** Tag per class from the HTMLElementTagNameMap entry (`'daw-x': Class;`) in elements/<name>/<name>.ts. */
function tagNames() {
  const tags = new Map();
  for (const dir of readdirSync(join(root, 'elements'))) {
    const f = join(root, 'elements', dir, `${dir}.ts`);
    if (!existsSync(f)) continue;
    const map = /interface HTMLElementTagNameMap\s*\{([^}]*)\}/.exec(readFileSync(f, 'utf8'));
    for (const m of map?.[1].matchAll(/['"]([a-z][\w-]*-[\w-]*)['"]\s*:\s*(\w+)\s*;/g) ?? []) tags.set(m[2], m[1]);
  }
  return tags;
}

/** The JSDoc block right before `export class Name`, as plain text without the leading stars. */
function classDoc(source, name) {
  const i = source.indexOf(`export class ${name} `);
  const j = source.lastIndexOf('/**', i);
  if (i < 0 || j < 0) return '';
  return source.slice(j + 3, source.indexOf('*/', j)).split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
}

/**
 * Every `@tag rest` in a doc comment, also when several share a line. Names may be a comma list;
 * "name - description" or "name description".
 */
function docTags(doc, tag) {
  const out = [];
  const parts = doc.split(/(?=(?:^|\s)@\w+)/);
  for (const p of parts) {
    const m = new RegExp(`^\\s*@${tag}\\b\\s*([\\s\\S]*)$`).exec(p);
    if (!m) continue;
    const body = m[1].replace(/\s+/g, ' ').trim();
    const d = /^((?:[^\s,]+\s*,\s*)*[^\s,]*)\s*(?:-\s*)?([\s\S]*)$/.exec(body);
    let names = d[1].split(',').map((s) => s.trim());
    let description = d[2].trim();
    if (body.startsWith('- ') || body === '-') { names = ['']; description = body.replace(/^-\s*/, ''); } // default slot
    for (const name of names) out.push({ name, description });
  }
  return out;
}

const range = (p) => (p.values ? p.values.join(' | ') : p.unit === 'bool' ? 'boolean' : `${p.min === -Infinity ? '-Infinity' : p.min} to ${p.max}${p.unit && p.unit !== 'linear' ? ` ${p.unit}` : ''}`);
const typeOf = (p) => (p.unit === 'bool' ? 'boolean' : p.values ? p.values.map((v) => `'${v}'`).join(' | ') : 'number');
const defaultOf = (p) => (p.unit === 'bool' ? String(p.default === 1) : p.values ? `'${p.values[p.default]}'` : String(p.default));

/** Attribute + field entries for parameters bound by the elements' ParamController. */
function paramMembers(params, reflect = []) {
  const attributes = [], fields = [];
  for (const p of params) {
    const description = `${DOCS.get(p.name)} Range ${range(p)}; out-of-range values are clamped and reported with daw-error.`;
    attributes.push({ name: p.attribute, type: { text: typeOf(p) }, default: defaultOf(p), description, fieldName: p.name });
    fields.push({ kind: 'field', name: p.name, privacy: 'public', type: { text: typeOf(p) }, default: defaultOf(p), description, attribute: p.attribute, ...(reflect.includes(p.name) ? { reflects: true } : {}) });
  }
  return { attributes, fields };
}

export async function buildManifest() {
  const { STRIP_PARAMS, SYNTH_PARAMS, BUS_FX = [] } = await loadParams();
  const PARAMS = {
    DawChannel: { params: STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === 'channel')), reflect: ['mute', 'solo'] },
    DawSynth: { params: SYNTH_PARAMS.filter((p) => !p.internal), reflect: [] },
    // <daw-bus>: the strip parameters of buses and the master (scope all|master), and every bus effect's (protocol/contract.json "busFx", when there is one).
    DawBus: { params: [...STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === 'master')), ...BUS_FX], reflect: ['mute'] },
  };
  const tags = tagNames();
  const files = [...tags.values()].map((t) => join('elements', t, `${t}.component.ts`));
  const sources = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const modules = files.map((f) => ts.createSourceFile(f, sources.get(f), ts.ScriptTarget.ES2022, true));
  const analyzed = create({ modules, plugins: [...litPlugin()], context: { dev: false } });

  const declarations = [];
  for (const mod of analyzed.modules) {
    for (const d of mod.declarations ?? []) {
      if (d.kind !== 'class' || !tags.has(d.name)) continue;
      const doc = classDoc(sources.get(mod.path), d.name);
      const hidden = new Set((d.members ?? []).filter((m) => m.privacy === 'private' || m.privacy === 'protected').map((m) => m.name));
      const members = (d.members ?? []).filter((m) => !hidden.has(m.name) && !m.static);
      let attributes = (d.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
      // @attr tags describe attributes the analyzer found without a description (or not at all)
      for (const t of docTags(doc, 'attr')) {
        const a = attributes.find((x) => x.name === t.name);
        if (a) a.description ||= t.description;
        else attributes.push({ name: t.name, description: t.description });
      }
      const extra = PARAMS[d.name];
      if (extra) {
        const { attributes: pa, fields } = paramMembers(extra.params, extra.reflect);
        attributes = [...attributes.filter((a) => !pa.some((p) => p.name === a.name)), ...pa];
        for (const f of fields) if (!members.some((m) => m.name === f.name)) members.push(f);
      }
      const events = docTags(doc, 'event').map((e) => ({ name: e.name, type: { text: 'CustomEvent' }, description: e.description }));
      declarations.push({
        kind: 'class',
        name: d.name,
        tagName: tags.get(d.name),
        customElement: true,
        summary: d.summary,
        description: d.description,
        superclass: { name: 'LitElement', package: 'lit' },
        attributes,
        members,
        events,
        slots: docTags(doc, 'slot').map((s) => ({ name: s.name, description: s.description })),
        cssParts: docTags(doc, 'csspart').map((s) => ({ name: s.name, description: s.description })),
        cssProperties: docTags(doc, 'cssproperty').map((s) => ({ name: s.name, description: s.description })),
      });
    }
  }
  declarations.sort((a, b) => a.tagName.localeCompare(b.tagName));
  return {
    schemaVersion: '1.0.0',
    readme: 'README.md',
    modules: [{
      kind: 'javascript-module',
      path: MODULE,
      declarations,
      exports: [
        ...declarations.map((d) => ({ kind: 'js', name: d.name, declaration: { name: d.name, module: MODULE } })),
        ...declarations.map((d) => ({ kind: 'custom-element-definition', name: d.tagName, declaration: { name: d.name, module: MODULE } })),
      ],
    }],
    // not part of the schema's required fields; tools ignore it, people reading the file do not
    package: { name: pkg.name, version: pkg.version },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifest = await buildManifest();
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const same = existsSync(OUT) && readFileSync(OUT, 'utf8') === text;
    console.log(same ? 'custom-elements.json is up to date' : 'custom-elements.json is out of date: run `npm run build:manifest`');
    process.exit(same ? 0 : 1);
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  for (const d of manifest.modules[0].declarations) {
    console.log(`<${d.tagName}>: ${d.attributes.length} attributes, ${d.members.length} members, ${d.events.length} events, ${d.slots.length} slots, ${d.cssParts.length} parts, ${d.cssProperties.length} CSS properties`);
  }
  console.log(`wrote ${OUT.slice(root.length + 1)}`);
}
