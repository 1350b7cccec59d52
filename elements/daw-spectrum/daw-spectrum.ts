// The element's type under its default tag, <daw-spectrum> (elements/define.ts registers it, under any prefix).
import { DawSpectrum } from './daw-spectrum.component.js';

export { DawSpectrum };

declare global {
  interface HTMLElementTagNameMap {
    'daw-spectrum': DawSpectrum;
  }
}
