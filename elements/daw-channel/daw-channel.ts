import { define } from '../shared/define.js';
import { DawChannel } from './daw-channel.component.js';

export { DawChannel };
define('daw-channel', DawChannel);

declare global {
  interface HTMLElementTagNameMap {
    'daw-channel': DawChannel;
  }
}
