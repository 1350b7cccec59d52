/**
 * The page bundle (dist/daw-elements.js): the engine API and the elements, registered as
 * <daw-engine>, <daw-channel>, <daw-synth>, <daw-clip> and <daw-transport> when it loads (loading it twice is
 * harmless; a tag another library holds is reported, not taken: see shared/define.ts).
 */
import { define } from './define.js';

export * from './classes.js';
define();
