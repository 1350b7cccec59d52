/**
 * The page bundle without side effects (dist/daw-elements-classes.js, `daw-elements/classes`): the
 * engine API, the element classes and define(); no tag is registered until the page calls
 * `define({ prefix })`. For pages that share the `daw-` names with another library (see the README,
 * "Other libraries' tags").
 */
export * from '../src/index.js';
export { DawEngine } from './daw-engine/daw-engine.js';
export { DawChannel } from './daw-channel/daw-channel.js';
export { DawSynth } from './daw-synth/daw-synth.js';
export { DawClip } from './daw-clip/daw-clip.js';
export { DawMeter } from './daw-meter/daw-meter.js';
export { DawLoudness } from './daw-loudness/daw-loudness.js';
export { DawSpectrum } from './daw-spectrum/daw-spectrum.js';
export { DawScope } from './daw-scope/daw-scope.js';
export { DawTransport } from './daw-transport/daw-transport.js';
export type { DawTransportEvents } from './daw-transport/daw-transport.js';
export { DawBus } from './daw-bus/daw-bus.js';
export { DawMixer } from './daw-mixer/daw-mixer.js';
export { DawSequence } from './daw-sequence/daw-sequence.js';
export { DawSteps } from './daw-steps/daw-steps.js';
export type { DawStepsEvents } from './daw-steps/daw-steps.component.js';
export { define } from './define.js';

// This module imports every class, so define() here registers the feature tags at once, not on first use.
import { provide } from './define.js';
import { DawMeter as Meter } from './daw-meter/daw-meter.js';
import { DawLoudness as Loudness } from './daw-loudness/daw-loudness.js';
import { DawSpectrum as Spectrum } from './daw-spectrum/daw-spectrum.js';
import { DawScope as Scope } from './daw-scope/daw-scope.js';
import { DawTransport as Transport } from './daw-transport/daw-transport.js';
import { DawBus as Bus } from './daw-bus/daw-bus.js';
import { DawMixer as Mixer } from './daw-mixer/daw-mixer.js';
import { DawSequence as Sequence } from './daw-sequence/daw-sequence.js';
import { DawSteps as Steps } from './daw-steps/daw-steps.js';
provide('transport', Transport);
provide('meter', Meter);
provide('loudness', Loudness);
provide('spectrum', Spectrum);
provide('scope', Scope);
provide('bus', Bus);
provide('mixer', Mixer);
provide('sequence', Sequence);
provide('steps', Steps);
export type { DefineOptions, DefineResult } from './define.js';
export type { DawClipLoadDetail } from './daw-clip/daw-clip.js';
export type { BusFxSpec, BusElementParams } from './daw-bus/daw-bus.component.js';
export type { DawElementErrorDetail, DawChangeDetail } from './shared/element.js';
