/**
 * The page bundle without side effects (`daw-elements/classes`): the engine API, the element
 * classes and define(); no tag is registered until the page calls `define({ prefix })`. For pages
 * that share the `daw-` names with another library (see the README, "Other libraries' tags").
 */
export * from './index.js';
export { DawEngine } from '../elements/daw-engine/daw-engine.js';
export { DawChannel } from '../elements/daw-channel/daw-channel.js';
export { DawSynth } from '../elements/daw-synth/daw-synth.js';
export { DawClip } from '../elements/daw-clip/daw-clip.js';
export { define } from '../elements/define.js';
export type { DefineOptions, DefineResult } from '../elements/define.js';
export type { DawClipLoadDetail } from '../elements/daw-clip/daw-clip.js';
export type { DawElementErrorDetail, DawChangeDetail } from '../elements/shared/params.js';
