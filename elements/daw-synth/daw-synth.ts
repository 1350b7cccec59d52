// The element's type under its default tag, <daw-synth> (elements/define.ts registers it, under any prefix).
import { DawSynth } from './daw-synth.component.js';

export { DawSynth };

declare global {
  interface HTMLElementTagNameMap {
    'daw-synth': DawSynth;
  }
}
