/**
 * `define({ prefix })`: registers the elements as `<prefix-engine>`, `<prefix-channel>`,
 * `<prefix-synth>`, `<prefix-clip>`, `<prefix-transport>`, `<prefix-meter>`, `<prefix-loudness>`,
 * `<prefix-spectrum>`, `<prefix-scope>`, `<prefix-bus>`, `<prefix-mixer>`, `<prefix-sequence>` and `<prefix-steps>` (default prefix `daw`). The page bundle
 * (`daw-elements`) calls `define()` when it loads; `daw-elements/classes` registers nothing, so a
 * page that shares the `daw-` names with another library calls `define({ prefix })` itself and the
 * `daw-` names are never taken. Tags already defined are handled by elements/shared/define.ts.
 */
import { DawBus } from './daw-bus/daw-bus.component.js';
import { DawChannel } from './daw-channel/daw-channel.component.js';
import { DawClip } from './daw-clip/daw-clip.component.js';
import { DawEngine } from './daw-engine/daw-engine.component.js';
import { DawMixer } from './daw-mixer/daw-mixer.component.js';
import { DawSynth } from './daw-synth/daw-synth.component.js';
import { DawTransport } from './daw-transport/daw-transport.component.js';
import { DawMeter } from './daw-meter/daw-meter.component.js';
import { DawLoudness } from './daw-loudness/daw-loudness.component.js';
import { DawSpectrum } from './daw-spectrum/daw-spectrum.component.js';
import { DawScope } from './daw-scope/daw-scope.component.js';
import { DawSequence } from './daw-sequence/daw-sequence.component.js';
import { DawSteps } from './daw-steps/daw-steps.component.js';
import { defineElement } from './shared/define.js';

/** The elements by kind: the tag is `${prefix}-${kind}`. */
const ELEMENTS = { engine: DawEngine, channel: DawChannel, synth: DawSynth, clip: DawClip, transport: DawTransport, meter: DawMeter, loudness: DawLoudness, spectrum: DawSpectrum, scope: DawScope, bus: DawBus, mixer: DawMixer, sequence: DawSequence, steps: DawSteps } as const;
type Kind = keyof typeof ELEMENTS;

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
  for (const kind of Object.keys(ELEMENTS) as Kind[]) {
    const tag = `${prefix}-${kind}`;
    result.tags[kind] = tag;
    (defineElement(tag, ELEMENTS[kind], hint) === 'taken' ? result.taken : result.defined).push(tag);
  }
  return result;
}
