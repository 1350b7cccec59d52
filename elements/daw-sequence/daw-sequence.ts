// The element's type under its default tag, <daw-sequence> (elements/define.ts registers it, under any prefix).
import { DawSequence } from './daw-sequence.component.js';

export { DawSequence };

declare global {
  interface HTMLElementTagNameMap {
    'daw-sequence': DawSequence;
  }
}
