// The element's type under its default tag, <daw-transport> (elements/define.ts registers it, under any prefix).
import { DawTransport, type DawTransportEvents } from './daw-transport.component.js';

export { DawTransport };
export type { DawTransportEvents };

declare global {
  interface HTMLElementTagNameMap {
    'daw-transport': DawTransport;
  }
  interface GlobalEventHandlersEventMap {
    'daw-transport': CustomEvent<DawTransportEvents['daw-transport']>;
  }
}
