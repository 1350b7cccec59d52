// The element's type under its default tag, <daw-engine> (elements/define.ts registers it, under any prefix).
import { DawEngine, type DawEngineEvents } from './daw-engine.component.js';

export { DawEngine };

declare global {
  interface HTMLElementTagNameMap {
    'daw-engine': DawEngine;
  }
  interface GlobalEventHandlersEventMap {
    'daw-error': CustomEvent<DawEngineEvents['daw-error']>;
    'daw-ready': CustomEvent<DawEngineEvents['daw-ready']>;
    'daw-statechange': CustomEvent<DawEngineEvents['daw-statechange']>;
    'daw-export': CustomEvent<DawEngineEvents['daw-export']>;
  }
}
