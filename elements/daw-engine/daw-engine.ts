// The element's type under its default tag, <daw-engine> (elements/define.ts registers it, under any prefix).
import { DawEngine } from './daw-engine.component.js';

export { DawEngine };

declare global {
  interface HTMLElementTagNameMap {
    'daw-engine': DawEngine;
  }
  interface GlobalEventHandlersEventMap {
    'daw-error': CustomEvent<import('../shared/params.js').DawElementErrorDetail>;
    'daw-ready': CustomEvent<{ engine: import('../../src/index.js').Engine }>;
    'daw-statechange': CustomEvent<{ state: import('../../src/index.js').EngineState }>;
  }
}
