// The element's type under its default tag, <daw-bus> (elements/define.ts registers it, under any prefix).
import { DawBus } from './daw-bus.component.js';

export { DawBus };

declare global {
  interface HTMLElementTagNameMap {
    'daw-bus': DawBus;
  }
}
