// The element's type under its default tag, <daw-meter> (elements/define.ts registers it, under any prefix).
import { DawMeter } from './daw-meter.component.js';

export { DawMeter };

declare global {
  interface HTMLElementTagNameMap {
    'daw-meter': DawMeter;
  }
}
