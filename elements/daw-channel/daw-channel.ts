// The element's type under its default tag, <daw-channel> (elements/define.ts registers it, under any prefix).
import { DawChannel } from './daw-channel.component.js';

export { DawChannel };

declare global {
  interface HTMLElementTagNameMap {
    'daw-channel': DawChannel;
  }
  interface GlobalEventHandlersEventMap {
    'daw-change': CustomEvent<import('../shared/element.js').DawChangeDetail>;
  }
}
