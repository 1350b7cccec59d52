// The element's type under its default tag, <daw-mixer> (elements/define.ts registers it, under any prefix).
import { DawMixer } from './daw-mixer.component.js';

export { DawMixer };

declare global {
  interface HTMLElementTagNameMap {
    'daw-mixer': DawMixer;
  }
}
