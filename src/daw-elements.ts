/**
 * The page bundle: the engine API and the elements, registered as <daw-engine>, <daw-channel>,
 * <daw-synth> and <daw-clip> when it loads (loading it twice is harmless; a tag another library
 * holds is reported, not taken: see elements/shared/define.ts).
 */
import { define } from '../elements/define.js';

export * from './daw-elements-classes.js';
define();
