import { define } from '../shared/define.js';
import { DawClip, type DawClipLoadDetail } from './daw-clip.component.js';

export { DawClip };
export type { DawClipLoadDetail };
define('daw-clip', DawClip);

declare global {
  interface HTMLElementTagNameMap {
    'daw-clip': DawClip;
  }
  interface GlobalEventHandlersEventMap {
    'daw-clip-load': CustomEvent<DawClipLoadDetail>;
  }
}
