// The element's type under its default tag, <daw-clip> (elements/define.ts registers it, under any prefix).
import { DawClip, type DawClipEvents, type DawClipLoadDetail } from './daw-clip.component.js';

export { DawClip };
export type { DawClipLoadDetail };

declare global {
  interface HTMLElementTagNameMap {
    'daw-clip': DawClip;
  }
  interface GlobalEventHandlersEventMap {
    'daw-clip-load': CustomEvent<DawClipEvents['daw-clip-load']>;
  }
}
