/**
 * The page bundle (dist/daw-elements.js): the engine API and the core elements, registered as
 * <daw-engine>, <daw-channel>, <daw-synth> and <daw-clip> when it loads; the feature tags
 * (<daw-transport>, <daw-meter>, <daw-bus>, ...) are registered on their first appearance, their code
 * fetched then (elements/lazy-define.ts). Loading it twice is harmless; a tag another library holds is
 * reported, not taken: see shared/define.ts. The feature classes are types here (their code is not
 * loaded with this module): import them from `daw-elements/classes`, or await
 * `customElements.whenDefined('daw-meter')`.
 */
import { define } from './define.js';

export * from '../src/index.js';
export { DawEngine } from './daw-engine/daw-engine.js';
export { DawChannel } from './daw-channel/daw-channel.js';
export { DawSynth } from './daw-synth/daw-synth.js';
export { DawClip } from './daw-clip/daw-clip.js';
export type { DawMeter } from './daw-meter/daw-meter.js';
export type { DawLoudness } from './daw-loudness/daw-loudness.js';
export type { DawSpectrum } from './daw-spectrum/daw-spectrum.js';
export type { DawScope } from './daw-scope/daw-scope.js';
export type { DawTransport, DawTransportEvents } from './daw-transport/daw-transport.js';
export type { DawBus } from './daw-bus/daw-bus.js';
export type { DawMixer } from './daw-mixer/daw-mixer.js';
export type { DawSequence } from './daw-sequence/daw-sequence.js';
export type { DawSteps } from './daw-steps/daw-steps.js';
export type { DawStepsEvents } from './daw-steps/daw-steps.component.js';
export { define } from './define.js';
export type { DefineOptions, DefineResult } from './define.js';
export type { DawClipLoadDetail } from './daw-clip/daw-clip.js';
export type { BusFxSpec, BusElementParams } from './daw-bus/daw-bus.component.js';
export type { DawElementErrorDetail, DawChangeDetail } from './shared/element.js';
define();
