/** The page bundle: the engine API, then the elements (each define is guarded: loading twice is harmless). */
export * from './index.js';
export { DawEngine } from '../elements/daw-engine/daw-engine.js';
export { DawChannel } from '../elements/daw-channel/daw-channel.js';
export { DawSynth } from '../elements/daw-synth/daw-synth.js';
export { DawClip } from '../elements/daw-clip/daw-clip.js';
export type { DawClipLoadDetail } from '../elements/daw-clip/daw-clip.js';
export type { DawElementErrorDetail } from '../elements/shared/params.js';
