// The element's type under its default tag, <daw-steps> (elements/define.ts registers it, under any prefix).
import { DawSteps } from './daw-steps.component.js';

export { DawSteps };

declare global {
  interface HTMLElementTagNameMap {
    'daw-steps': DawSteps;
  }
}
