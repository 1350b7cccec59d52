import { define } from '../shared/define.js';
import { DawSynth } from './daw-synth.component.js';

export { DawSynth };
define('daw-synth', DawSynth);

declare global {
  interface HTMLElementTagNameMap {
    'daw-synth': DawSynth;
  }
}
