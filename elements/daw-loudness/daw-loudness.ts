// The element's type under its default tag, <daw-loudness> (elements/define.ts registers it, under any prefix).
import { DawLoudness } from './daw-loudness.component.js';

export { DawLoudness };

declare global {
  interface HTMLElementTagNameMap {
    'daw-loudness': DawLoudness;
  }
}
