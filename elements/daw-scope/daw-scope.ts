// The element's type under its default tag, <daw-scope> (elements/define.ts registers it, under any prefix).
import { DawScope } from './daw-scope.component.js';

export { DawScope };

declare global {
  interface HTMLElementTagNameMap {
    'daw-scope': DawScope;
  }
}
