// Turns protocol/contract.json (the one contract between the threads: parameters with their ranges,
// limits and buffer sizes, strip control bits, event kinds and sizes, header and status words,
// sample-define error codes) into dsp/contract.zig and protocol/generated/contract.ts. The Zig DSP,
// the worklet and the engine read only these, so the two sides can never disagree, and the layout
// version both check at start is a hash of the table (docs aside), never bumped by hand.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url);

const snake = (s) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const kebab = (s) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const screaming = (s) => snake(s).toUpperCase();
const num = (v) => (v === '-inf' ? -Infinity : v);
const zigF32 = (v) => (v === -Infinity ? '-std.math.inf(f32)' : Number.isInteger(v) ? `${v}.0` : String(v));
const tsNum = (v) => (v === -Infinity ? '-Infinity' : String(v));
const zigDoc = (s) => s.replace(/\s+/g, ' ');

function fail(msg) {
  throw new Error(`protocol/contract.json: ${msg}`);
}
function unique(what, names) {
  const seen = new Set();
  for (const n of names) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(n)) fail(`${what}: '${n}' is not a camelCase name`);
    if (seen.has(n)) fail(`${what}: duplicate '${n}'`);
    seen.add(n);
  }
}

/**
 * Checks `table` (throws an Error naming the problem) and returns the generated Zig and TypeScript
 * and the layout version. Pure: scripts/gen-contract.test.mjs drives it with altered tables. (The
 * body is not indented: most of it is template text that lands in the generated files as written.)
 */
export function generate(table) {
// ---- checks: a bad table fails the build here, not at run time ----
const L = table.limits;
const STRIDE = L.stride;
for (const section of ['strip', 'synth']) {
  if (table[section].length > STRIDE) fail(`${section}: more than ${STRIDE} parameters`);
  unique(section, table[section].map((p) => p.name));
  for (const p of table[section]) {
    if (!(num(p.min) <= p.default && p.default <= num(p.max))) fail(`${p.name}: default ${p.default} outside ${p.min}..${p.max}`);
    if (p.values && p.values.length !== p.max - p.min + 1) fail(`${p.name}: ${p.values.length} values for ${p.min}..${p.max}`);
  }
}
// Bus-effect parameters: one flat list (index = position), each naming the bus whose effect takes it.
const busFx = table.busFx ?? [];
unique('busFx', busFx.map((p) => p.name));
if (busFx.length > L.busFxParams) fail(`busFx: more than ${L.busFxParams} parameters (limits.busFxParams)`);
for (const p of busFx) {
  if (!table.buses.includes(p.bus)) fail(`busFx ${p.name}: bus '${p.bus}' is not one of ${table.buses.join(', ')}`);
  if (!p.name.startsWith(p.bus)) fail(`busFx ${p.name}: the name must start with its bus '${p.bus}'`);
  if (!(num(p.min) <= p.default && p.default <= num(p.max))) fail(`${p.name}: default ${p.default} outside ${p.min}..${p.max}`);
  if (p.values && p.values.length !== p.max - p.min + 1) fail(`${p.name}: ${p.values.length} values for ${p.min}..${p.max}`);
}
if ((L.eventRing & (L.eventRing - 1)) !== 0) fail('limits.eventRing must be a power of two');
if (L.eventsPerQuantum > L.eventRing) fail('limits.eventsPerQuantum exceeds limits.eventRing');
if (L.channels % 4 !== 0) fail('limits.channels must be a multiple of 4 (SIMD groups)');
unique('stripControl', table.stripControl.map((c) => c.name));
unique('events.kinds', table.events.kinds.map((k) => k.name));
unique('header + status', [...table.header, ...table.status].map((w) => w.name));
unique('sampleDefineErrors', table.sampleDefineErrors.map((e) => e.name));
if (table.sampleDefineErrors[0].name !== 'ok') fail('sampleDefineErrors: code 0 must be ok');
// Words per status entry: a frame (u64) and an f64 take two (low word first).
const TYPES = { count: 1, gauge: 1, frame: 2, permille: 1, f64: 2 };
for (const w of table.status) {
  if (!(w.type in TYPES)) fail(`status ${w.name}: type '${w.type}' is not one of ${Object.keys(TYPES).join(', ')}`);
  if (w.from !== 'dsp' && w.from !== 'worklet') fail(`status ${w.name}: from '${w.from}' must be dsp or worklet`);
  if (w.from === 'dsp' && w.type === 'permille') fail(`status ${w.name}: permille is the worklet's (the DSP writes u32 words)`);
}
const dspStatus = table.status.filter((w) => w.from === 'dsp');
const workletStatus = table.status.filter((w) => w.from === 'worklet');
const dspWords = dspStatus.reduce((n, w) => n + TYPES[w.type], 0);
if (dspWords > L.statusWords) fail(`more than ${L.statusWords} DSP status words`);
// Header: control words, then the worklet's words, then the DSP's status block copied whole.
const headerIndex = {};
let h = 0;
for (const w of table.header) headerIndex[w.name] = h++;
for (const w of workletStatus) { headerIndex[w.name] = h; h += TYPES[w.type]; }
const H_DSP = h;
const dspIndex = {};
{
  let i = 0;
  for (const w of dspStatus) { dspIndex[w.name] = i; headerIndex[w.name] = H_DSP + i; i += TYPES[w.type]; }
}
if (H_DSP + L.statusWords > L.headerWords) fail(`header needs ${H_DSP + L.statusWords} words; limits.headerWords is ${L.headerWords}`);

const A = table.analysis;
unique('analysis.kinds', A.kinds.map((k) => k.name));
unique('analysis.words', A.words.map((w) => w.name));
if (A.kinds.length > 6) fail('analysis.kinds: at most 6 (the analysisMask parameter holds 0..63)');
for (const k of ['every', 'loudnessPool', 'spectrumPool', 'scopePool', 'spectrumBins', 'scopePoints']) {
  if (!(Number.isInteger(A[k]) && A[k] > 0)) fail(`analysis.${k} must be a whole number > 0`);
}

const numStrips = L.channels + L.buses + 1;
/** FNV-1a (32 bits, kept positive: a WASM u32 reaches JavaScript as a signed i32) of the table without docs. */
function layoutVersion() {
  const text = JSON.stringify(table, (k, v) => (k === 'doc' || k === '$comment' ? undefined : v));
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
  return (x >>> 0) & 0x7fffffff;
}
const VERSION = layoutVersion();

// ---- Zig ----
let z = `//! Generated by scripts/gen-contract.mjs from protocol/contract.json. Do not edit.
//! The contract with the worklet and the engine: sizes, strip control bits, event kinds, status
//! words, sample-define codes and, per strip (or synth) slot of ${STRIDE} f32 values, each parameter's
//! index, range and default.
const std = @import("std");

/// Hash of protocol/contract.json (docs aside): the worklet refuses a WASM built from another table.
pub const layout_version: u32 = ${VERSION};
pub const stride: usize = ${STRIDE};
pub const max_channels: usize = ${L.channels};
pub const num_buses: usize = ${L.buses};
/// Strip slots: channels 0..${L.channels - 1}, buses ${L.channels}..${L.channels + L.buses - 1}, master ${numStrips - 1}.
pub const num_strips: usize = ${numStrips};
pub const first_bus: usize = ${L.channels};
pub const master: usize = ${numStrips - 1};
pub const external_inputs: usize = ${L.externalInputs};
pub const max_synths: usize = ${L.synths};
pub const max_voices: usize = ${L.voices};
pub const quantum: usize = ${L.quantum};
/// Records in the main thread's event ring (notes and clips).
pub const event_ring: usize = ${L.eventRing};
/// Event records one quantum hands to the DSP; more wait in the ring.
pub const events_per_quantum: usize = ${L.eventsPerQuantum};
pub const max_samples: usize = ${L.samples};
/// f32 meter words per strip: peak, RMS, compressor and limiter gain reduction.
pub const meter_words: usize = ${L.meterWords};
/// Points of the transport's tempo map, and its time-signature changes.
pub const max_tempo_points: usize = ${L.tempoPoints};
pub const max_signatures: usize = ${L.signatures};
/// Frames by which the mixer delays everything reaching the master except the drum bus's return
/// (the drum bus's oversampler latency; Mixer.pdc), so that return lines up with the dry paths.
pub const master_delay_frames: usize = ${L.masterDelayFrames};

/// Bits of a strip's control word (\`daw_strip_ctl_ptr\`).
pub const strip_ctl = struct {
${table.stripControl.map((c, i) => `    /// ${zigDoc(c.doc)}\n    pub const ${snake(c.name)}: u32 = ${1 << i};`).join('\n')}
};

/// Event records: kinds (word 0) and clip flags (word 7).
pub const event = struct {
    /// 32-bit words per record.
    pub const words: usize = ${table.events.words};
${table.events.kinds.map((k) => `    /// ${zigDoc(k.doc)}\n    pub const ${snake(k.name)}: u32 = ${k.value};`).join('\n')}
    pub const first_kind: u32 = ${Math.min(...table.events.kinds.map((k) => k.value))};
    pub const last_kind: u32 = ${Math.max(...table.events.kinds.map((k) => k.value))};
${table.events.clipFlags.map((f, i) => `    /// ${zigDoc(f.doc)}\n    pub const flag_${snake(f.name)}: u32 = ${1 << i};`).join('\n')}
};

/// Indices of the DSP's status words (\`daw_status_ptr\`); the worklet copies the block whole.
pub const status = struct {
${dspStatus.map((w) => `    /// ${zigDoc(w.doc)} (${w.type}${TYPES[w.type] > 1 ? ': two words, low first' : ''})\n    pub const ${snake(w.name)}: usize = ${dspIndex[w.name]};`).join('\n')}
    pub const len: usize = ${L.statusWords};
};

/// Results of \`daw_sample_define\`.
pub const sample_define_error = struct {
${table.sampleDefineErrors.map((e, i) => `    pub const ${snake(e.name)}: u32 = ${i};`).join('\n')}
};

pub const analysis = struct {
    /// Quanta between publications of the results.
    pub const every: u32 = ${A.every};
    pub const loudness_pool: usize = ${A.loudnessPool};
    pub const spectrum_pool: usize = ${A.spectrumPool};
    pub const scope_pool: usize = ${A.scopePool};
    pub const spectrum_bins: usize = ${A.spectrumBins};
    pub const scope_points: usize = ${A.scopePoints};
    /// Request bits (the analysisMask strip parameter).
    pub const kind = struct {
${A.kinds.map((k, i) => `        /// ${zigDoc(k.doc)}\n        pub const ${snake(k.name)}: u32 = ${1 << i};`).join('\n')}
    };
    /// Result words per strip.
    pub const word = struct {
${A.words.map((w, i) => `        /// ${zigDoc(w.doc)}\n        pub const ${snake(w.name)}: usize = ${i};`).join('\n')}
    };
    pub const words: usize = ${A.words.length};
};

`;
for (const section of ['strip', 'synth']) {
  const ps = table[section];
  z += `pub const ${section} = struct {\n`;
  ps.forEach((p, i) => {
    z += `    /// ${zigDoc(p.doc)} [${p.min}, ${p.max}] ${p.unit}, default ${p.default}\n    pub const ${snake(p.name)}: usize = ${i};\n`;
  });
  z += `    pub const count: usize = ${ps.length};\n`;
  z += `    /// Every parameter, for exhaustive switches: a parameter the DSP does not handle fails the build.\n`;
  z += `    pub const Param = enum(u8) { ${ps.map((p) => snake(p.name)).join(', ')} };\n`;
  z += `    pub const defaults = [stride]f32{ ${Array.from({ length: STRIDE }, (_, i) => zigF32(num(ps[i]?.default ?? 0))).join(', ')} };\n`;
  z += `    pub const min = [count]f32{ ${ps.map((p) => zigF32(num(p.min))).join(', ')} };\n`;
  z += `    pub const max = [count]f32{ ${ps.map((p) => zigF32(num(p.max))).join(', ')} };\n`;
  z += `};\n\n`;
}
z += `/// Bus-effect parameters (\`daw_bus_fx_ptr\`: [bus_fx.words]f32, index = position in the list);
/// \`bus\` is the bus (index into the bus list, ${table.buses.join(', ')}) whose effect takes each.
pub const bus_fx = struct {
${busFx.map((p, i) => `    /// ${zigDoc(p.doc)} [${p.min}, ${p.max}] ${p.unit}, default ${p.default}, bus ${p.bus}\n    pub const ${snake(p.name)}: usize = ${i};`).join('\n')}
    pub const count: usize = ${busFx.length};
    /// Words of the block (limits.busFxParams): room for parameters added later.
    pub const words: usize = ${L.busFxParams};
    pub const Param = enum(u8) { ${busFx.map((p) => snake(p.name)).join(', ')} };
    pub const defaults = [count]f32{ ${busFx.map((p) => zigF32(num(p.default))).join(', ')} };
    pub const min = [count]f32{ ${busFx.map((p) => zigF32(num(p.min))).join(', ')} };
    pub const max = [count]f32{ ${busFx.map((p) => zigF32(num(p.max))).join(', ')} };
    pub const bus = [count]u8{ ${busFx.map((p) => table.buses.indexOf(p.bus)).join(', ')} };
};

`;
const wave = table.synth.find((p) => p.name === 'wave');
if (wave) z += `pub const Wave = enum(u32) { ${wave.values.join(', ')} };\n`;

// ---- TypeScript ----
/** The value type a parameter takes through the API: boolean for switches, the names (or index) for enums. */
const tsValue = (p) => (p.unit === 'bool' ? 'boolean | 0 | 1' : p.values ? `${p.values.map((v) => JSON.stringify(v)).join(' | ')} | number` : 'number');
const tsRange = (p) => (p.unit === 'bool' ? '' : p.values ? '' : ` (${num(p.min) === -Infinity ? '-Infinity' : p.min} to ${p.max}${p.unit && p.unit !== 'index' ? ` ${p.unit}` : ''})`);
/** Per bus, the options type of its effect's parameters (ReverbParams, ...), and BusFxParams by bus name. */
function busFxTypes() {
  const cap = (s) => s[0].toUpperCase() + s.slice(1);
  const used = table.buses.filter((b) => busFx.some((p) => p.bus === b));
  return [
    ...used.map((b) => optionTypes(`${cap(b)}FxParams`, `The ${b} bus's effect parameters (engine.bus('${b}').set).`, busFx, (p) => p.bus === b)),
    `/** Each bus's effect parameters, by bus name (a bus without an effect takes none). */\nexport interface BusFxParams {\n${table.buses.map((b) => `  ${b}: ${used.includes(b) ? `${cap(b)}FxParams` : 'Record<never, never>'};`).join('\n')}\n}`,
  ].join('\n');
}
function optionTypes(name, doc, params, inScope) {
  const fields = params.filter((p) => !p.internal && inScope(p)).map((p) => `  /** ${p.doc}${tsRange(p)} */\n  ${p.name}?: ${tsValue(p)};`);
  return `/** ${doc} */\nexport interface ${name} {\n${fields.join('\n')}\n}`;
}
/** One parameter as a compact row (expanded by specs() in the generated module): [name, unit, min, max, default, scope, flags (1 internal, 2 integer), values?]. */
const tsRow = (p) => `  [${JSON.stringify(p.name)}, ${JSON.stringify(p.unit)}, ${tsNum(num(p.min))}, ${p.max}, ${p.default}, ${JSON.stringify(p.scope ?? 'all')}, ${(p.internal ? 1 : 0) | (p.integer ? 2 : 0)}${p.values ? `, ${JSON.stringify(p.values)}` : ''}],`;
// docs stay in protocol/contract.json (the manifest and the option types read them there): not shipped
const STATUS_TYPE = { count: 0, gauge: 1, frame: 2, permille: 3, f64: 4 };
let t = `// Generated by scripts/gen-contract.mjs from protocol/contract.json. Do not edit.
export interface ParamSpec {
  readonly name: string;
  readonly attribute: string;
  readonly index: number;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** 'all' strips, 'channel' strips only, the 'master' strip only, or a bus effect ('bus', BUS_FX). */
  readonly scope: 'all' | 'channel' | 'master' | 'bus';
  /** Set by the engine itself, not through set(). */
  readonly internal: boolean;
  readonly integer: boolean;
  readonly values?: readonly string[];
}
/** A bus-effect parameter: a ParamSpec (index = position in BUS_FX, scope 'bus') and the bus whose effect takes it. */
export interface BusFxSpec extends ParamSpec {
  readonly bus: BusName;
}
/** Hash of protocol/contract.json (docs aside): page, worklet and WASM must agree on it. */
export const LAYOUT_VERSION = ${VERSION};
export const STRIDE = ${STRIDE};
export const MAX_CHANNELS = ${L.channels};
export const NUM_BUSES = ${L.buses};
export const NUM_STRIPS = ${numStrips};
export const FIRST_BUS = ${L.channels};
export const MASTER = ${numStrips - 1};
export const EXTERNAL_INPUTS = ${L.externalInputs};
export const MAX_SYNTHS = ${L.synths};
export const MAX_VOICES = ${L.voices};
export const QUANTUM = ${L.quantum};
/** Records in the event ring (notes and clips); a power of two. */
export const EVENT_RING = ${L.eventRing};
/** Event records one quantum hands to the DSP. */
export const EVENTS_PER_QUANTUM = ${L.eventsPerQuantum};
export const MAX_SAMPLES = ${L.samples};
export const METER_WORDS = ${L.meterWords};
/** Points of the transport's tempo map, and its time-signature changes. */
export const MAX_TEMPO_POINTS = ${L.tempoPoints};
export const MAX_SIGNATURES = ${L.signatures};
/** Frames the mixer delays the master input by, to line up the drum bus's return (part of engine.latencyFrames). */
export const MASTER_DELAY_FRAMES = ${L.masterDelayFrames};
/** Words of the DSP's status block. */
export const STATUS_WORDS = ${L.statusWords};
export const HEADER_WORDS = ${L.headerWords};
/** 32-bit words per event record. */
export const EVENT_WORDS = ${table.events.words};
export const BUS_NAMES = ${JSON.stringify(table.buses)} as const;
export type BusName = typeof BUS_NAMES[number];
/** Words of the control block's bus-effect table (BUS_FX.length used). */
export const BUS_FX_WORDS = ${L.busFxParams};
/** Bits of a strip's control word in WASM memory. */
export const StripControl = { ${table.stripControl.map((c, i) => `${c.name}: ${1 << i}`).join(', ')} } as const;
/** Event record kinds (word 0). */
export const EventKind = { ${table.events.kinds.map((k) => `${k.name}: ${k.value}`).join(', ')} } as const;
/** Clip event flags (word 7). */
export const ClipFlag = { ${table.events.clipFlags.map((f, i) => `${f.name}: ${1 << i}`).join(', ')} } as const;
/** Header word (Int32 index) of every control and status word. */
export const Header = { ${Object.entries(headerIndex).map(([k, v]) => `${k}: ${v}`).join(', ')} } as const;
/** Header word where the DSP's status block (STATUS_WORDS words) is copied. */
export const HEADER_DSP_STATUS = ${H_DSP};
/** Status words for decoding: [name, header word, type (0 count u32, 1 gauge i32, 2 frame u64 in two words, 3 permille, 4 f64 in two words)]. */
export const STATUS: readonly (readonly [keyof StatusWords, number, number])[] = [
${table.status.map((w) => `  [${JSON.stringify(w.name)}, ${headerIndex[w.name]}, ${STATUS_TYPE[w.type]}],`).join('\n')}
];
/** Analysis (Strip.analysis): request bits, pools, result words (protocol/contract.json \`analysis\`). */
export const ANALYSIS_EVERY = ${A.every};
export const SPECTRUM_POOL = ${A.spectrumPool};
export const SCOPE_POOL = ${A.scopePool};
export const SPECTRUM_BINS = ${A.spectrumBins};
export const SCOPE_POINTS = ${A.scopePoints};
export const ANALYSIS_WORDS = ${A.words.length};
export const AnalysisKind = { ${A.kinds.map((k, i) => `${k.name}: ${1 << i}`).join(', ')} } as const;
export const AnalysisWord = { ${A.words.map((w, i) => `${w.name}: ${i}`).join(', ')} } as const;
/** daw_sample_define's results, by code. */
export const SAMPLE_DEFINE_ERRORS = ${JSON.stringify(table.sampleDefineErrors.map((e) => e.text))};
/** Counters the audio thread writes (Engine.status()). */
export interface StatusWords {
${table.status.map((w) => `  /** ${w.doc} */\n  ${w.name}: number;`).join('\n')}
}
type Row = readonly [string, string, number, number, number, ParamSpec['scope'], number, (readonly string[])?];
/** Rows to ParamSpecs: index = position, attribute = the name in kebab-case. */
const specs = (rows: readonly Row[]): readonly ParamSpec[] => rows.map(([name, unit, min, max, def, scope, flags, values], index) => ({
  name, attribute: name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), index, unit, min, max, default: def, scope,
  internal: (flags & 1) > 0, integer: (flags & 2) > 0, ...(values ? { values } : {}),
}));
export const STRIP_PARAMS = /* @__PURE__ */ specs([
${table.strip.map(tsRow).join('\n')}
]);
export const SYNTH_PARAMS = /* @__PURE__ */ specs([
${table.synth.map(tsRow).join('\n')}
]);
/** Bus-effect parameters, every bus's in one list (filter by \`bus\`); index = position. */
export const BUS_FX: readonly BusFxSpec[] = /* @__PURE__ */ specs([
${busFx.map(tsRow).join('\n')}
]).map((p) => ({ ...p, scope: 'bus', bus: BUS_NAMES.find((b) => p.name.startsWith(b))! })); // the name starts with its bus (checked)
export const StripParam = {
${table.strip.map((p, i) => `  ${p.name}: ${i},`).join('\n')}
} as const;
export const SynthParam = {
${table.synth.map((p, i) => `  ${p.name}: ${i},`).join('\n')}
} as const;
export type StripParamName = keyof typeof StripParam;
export type SynthParamName = keyof typeof SynthParam;
${busFxTypes()}
${optionTypes('ChannelParams', 'A channel\'s parameters as the API takes them (createChannel options, Channel.set).', table.strip, (p) => p.scope !== 'master')}
${optionTypes('BusParams', 'A bus\'s parameters as the API takes them (engine.bus(name).set).', table.strip, (p) => !p.scope || p.scope === 'all')}
${optionTypes('MasterParams', 'The master\'s parameters as the API takes them (engine.master.set).', table.strip, (p) => p.scope !== 'channel')}
${optionTypes('SynthParams', 'A synth\'s parameters as the API takes them (createSynth options, Synth.set).', table.synth, () => true)}
`;
return { zig: z, ts: t, version: VERSION, summary: `${table.strip.length} strip, ${table.synth.length} synth parameters (stride ${STRIDE}, ${numStrips} strips), `
  + `${busFx.length} bus-effect parameters, ${table.events.kinds.length} event kinds, ${table.status.length} status words; layout version ${VERSION}` };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = generate(JSON.parse(readFileSync(new URL('protocol/contract.json', root), 'utf8')));
  writeFileSync(new URL('dsp/contract.zig', root), out.zig);
  mkdirSync(new URL('protocol/generated/', root), { recursive: true });
  writeFileSync(new URL('protocol/generated/contract.ts', root), out.ts);
  console.log(`contract: ${out.summary}`);
}
