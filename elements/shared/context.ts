/**
 * How `<daw-synth>` and `<daw-clip>` find the channel they are in, under any tag names: the Web
 * Components Community Group's context protocol (`context-request` events, through @lit/context).
 * `<daw-channel>` provides its engine Channel (null until it has claimed one); a synth or clip asks
 * on connect and subscribes, so the nearest enclosing channel answers, whatever its tag, and tells
 * it when its Channel changes. A DOM move re-asks (connect), so the new nearest channel answers.
 *
 * Elements defined late: a request nobody answers (the channel is not upgraded yet, or there is no
 * channel) is kept by the page's one ContextRoot and asked again when a channel connects.
 *
 * The context key is `Symbol.for(...)`: every copy of the script, and every prefix, shares it.
 */
import { ContextConsumer, ContextRoot, createContext } from '@lit/context';
import type { ReactiveControllerHost } from 'lit';
import type { Channel } from '../../src/index.js';

/** The enclosing channel element's engine Channel; null while it has none (not claimed, or none free). */
export const channelContext = createContext<Channel | null>(Symbol.for('daw-elements.channel'));

const ROOT_KEY = Symbol.for('daw-elements.context-root');

/** Attaches one ContextRoot to the document, once per page (shared by every copy of the script). */
function ensureContextRoot(): void {
  const doc = document as Document & { [ROOT_KEY]?: ContextRoot };
  if (doc[ROOT_KEY]) return;
  const root = (doc[ROOT_KEY] = new ContextRoot());
  root.attach(doc as unknown as HTMLElement); // only adds two event listeners
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * The channel a synth or clip plays into. `inside` is true while an enclosing channel element
 * answered (its `channel` may still be null); false means standalone (or inside a channel element
 * not defined yet): the element uses a private channel then. `onChange` runs on every answer.
 */
export class ChannelConsumer extends ContextConsumer<typeof channelContext, Host> {
  constructor(host: Host, onChange: () => void) {
    super(host, { context: channelContext, subscribe: true, callback: onChange });
  }

  hostConnected(): void {
    ensureContextRoot();
    this.value = undefined; // from a previous place in the DOM; the answer (if any) comes synchronously
    super.hostConnected();
  }

  hostDisconnected(): void {
    super.hostDisconnected();
    this.value = undefined;
  }

  get inside(): boolean {
    return this.value !== undefined;
  }

  get channel(): Channel | null {
    return this.value ?? null;
  }
}
