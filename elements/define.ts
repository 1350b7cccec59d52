/**
 * `define({ prefix })`: registers the elements as `<prefix-engine>`, `<prefix-channel>`,
 * `<prefix-synth>`, `<prefix-clip>`, `<prefix-transport>`, `<prefix-meter>`, `<prefix-loudness>`,
 * `<prefix-spectrum>`, `<prefix-scope>`, `<prefix-bus>`, `<prefix-mixer>`, `<prefix-sequence>` and `<prefix-steps>` (default prefix `daw`). The page bundle
 * (`daw-elements`) calls `define()` when it loads; `daw-elements/classes` registers nothing, so a
 * page that shares the `daw-` names with another library calls `define({ prefix })` itself and the
 * `daw-` names are never taken. Tags already defined are handled by elements/shared/define.ts.
 * The core tags (engine, channel, synth, clip) are defined at once; the feature tags when their first
 * element appears (their chunk is imported then: elements/lazy-define.ts), or at once where their
 * classes are loaded already (`daw-elements/classes` imports them all).
 */
import { DawChannel } from './daw-channel/daw-channel.component.js';
import { DawClip } from './daw-clip/daw-clip.component.js';
import { DawEngine } from './daw-engine/daw-engine.component.js';
import { DawSynth } from './daw-synth/daw-synth.component.js';
import { defineLazily, type Loader } from './lazy-define.js';
import { defineElement } from './shared/define.js';

/** The core elements by kind (the tag is `${prefix}-${kind}`): in the page module, defined at once. */
const CORE = { engine: DawEngine, channel: DawChannel, synth: DawSynth, clip: DawClip } as const;

/**
 * The feature elements by kind: each in a chunk of its own, imported when its first element appears
 * (elements/lazy-define.ts). New feature tags are added here, at the end.
 */
const FEATURES = {
  transport: () => import('./daw-transport/daw-transport.component.js').then((m) => m.DawTransport),
  meter: () => import('./daw-meter/daw-meter.component.js').then((m) => m.DawMeter),
  loudness: () => import('./daw-loudness/daw-loudness.component.js').then((m) => m.DawLoudness),
  spectrum: () => import('./daw-spectrum/daw-spectrum.component.js').then((m) => m.DawSpectrum),
  scope: () => import('./daw-scope/daw-scope.component.js').then((m) => m.DawScope),
  bus: () => import('./daw-bus/daw-bus.component.js').then((m) => m.DawBus),
  mixer: () => import('./daw-mixer/daw-mixer.component.js').then((m) => m.DawMixer),
  sequence: () => import('./daw-sequence/daw-sequence.component.js').then((m) => m.DawSequence),
  steps: () => import('./daw-steps/daw-steps.component.js').then((m) => m.DawSteps),
} satisfies Record<string, Loader>;

type Kind = keyof typeof CORE | keyof typeof FEATURES;
type FeatureKind = keyof typeof FEATURES;

/** Feature classes already loaded (daw-elements/classes imports them all): defined at once, like the core. */
const loaded: Partial<Record<FeatureKind, CustomElementConstructor>> = {};

/** Makes define() register `kind`'s class without a chunk to wait for (called by elements/classes.ts). */
export function provide(kind: FeatureKind, ctor: CustomElementConstructor): void {
  loaded[kind] = ctor;
}

export interface DefineOptions {
  /** Start of every tag name: lowercase letters and digits, starting with a letter, words joined by '-'. Default 'daw'. */
  prefix?: string;
}

export interface DefineResult {
  /** The tag of each element under this prefix, e.g. `{ engine: 'studio-engine', ... }`. */
  tags: Record<Kind, string>;
  /** Tags that are ours now (registered by this call or already by a copy of the script). */
  defined: string[];
  /** Tags another library holds (each reported once with a `daw-error`, code `name-taken`, on `document`). */
  taken: string[];
}

const PREFIX = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Registers `<prefix-engine>`, `<prefix-channel>`, `<prefix-synth>`, `<prefix-clip>` and the other tags listed above. Calling it
 * again, from any copy of the script, is harmless; calling it with several prefixes registers each.
 * Throws TypeError for options that are not an object or a prefix that is not a string, RangeError
 * for a prefix that cannot start a custom element name.
 */
export function define(options: DefineOptions = {}): DefineResult {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`define: options must be an object such as { prefix: 'studio' }, got ${String(options)}`);
  }
  const prefix = options.prefix ?? 'daw';
  if (typeof prefix !== 'string') throw new TypeError(`define: prefix must be a string such as 'studio', got ${typeof prefix} ${String(prefix)}`);
  if (!PREFIX.test(prefix)) {
    throw new RangeError(`define: prefix '${prefix}' cannot start a custom element name; use lowercase letters and digits, starting with a letter, words joined by '-' (e.g. 'studio' or 'my-app')`);
  }
  const other = prefix === 'studio' ? 'my-studio' : 'studio';
  const hint = `define({ prefix: '${other}' }) to get <${other}-engine>, <${other}-channel>, <${other}-synth>, <${other}-clip>, …`;
  const result: DefineResult = { tags: {} as Record<Kind, string>, defined: [], taken: [] };
  for (const kind of [...Object.keys(CORE), ...Object.keys(FEATURES)] as Kind[]) {
    const tag = `${prefix}-${kind}`;
    result.tags[kind] = tag;
    const ctor = (CORE as Record<string, CustomElementConstructor>)[kind] ?? loaded[kind as FeatureKind];
    // A feature tag another library holds now is reported now; a free one is ours from its first element on.
    const outcome = ctor ? defineElement(tag, ctor, hint) : defineElement(tag, null, hint, kind);
    if (!outcome) defineLazily(tag, FEATURES[kind as FeatureKind], (c) => defineElement(tag, c, hint));
    (outcome === 'taken' ? result.taken : result.defined).push(tag);
  }
  return result;
}
