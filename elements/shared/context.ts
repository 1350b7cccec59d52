/**
 * How `<daw-synth>` and `<daw-clip>` find the channel they are in, under any tag names: the Web
 * Components Community Group's context protocol (github.com/webcomponents-cg/community-protocols,
 * "context"): a `context-request` event that bubbles from the consumer and is answered (and
 * stopped) by the nearest provider, which calls the event's callback now and, with `subscribe`,
 * on every change. `<daw-channel>` provides its engine Channel (null until it has claimed one). A
 * DOM move re-asks (connect), so the new nearest channel answers.
 *
 * Elements defined late: a request nobody answered (the channel is not upgraded yet, or there is
 * no channel) waits in one page-wide set and is asked again when a provider connects (it fires
 * `context-provider`, as @lit/context's ContextRoot expects); a channel upgraded inside another
 * takes over the subscribers inside it the same way.
 *
 * ChannelTarget, the consumer, also gives the synth or clip a private headless channel while there
 * is no channel element around it.
 *
 * Written here rather than taken from @lit/context: the same protocol in a fifth of the bytes
 * (the page bundle has a size budget), and the context key is `Symbol.for(...)`, so every copy of
 * the script and every prefix answer each other.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Channel, Engine } from '../../src/index.js';
import { emitError } from './element.js';

/** The context key: the enclosing channel element's engine Channel. */
export const CHANNEL_CONTEXT = Symbol.for('daw-elements.channel');

type Value = Channel | null;
type Callback = (value: Value, unsubscribe?: () => void) => void;
type Host = ReactiveControllerHost & HTMLElement;

/** The protocol's request event. */
class ContextRequestEvent extends Event {
  constructor(readonly context: unknown, readonly contextTarget: Element, readonly callback: Callback, readonly subscribe: boolean) {
    super('context-request', { bubbles: true, composed: true });
  }
}

/** Fired by a provider when it connects: waiting requests are asked again. */
class ContextProviderEvent extends Event {
  constructor(readonly context: unknown, readonly contextTarget: Element) {
    super('context-provider', { bubbles: true, composed: true });
  }
}

const WAITING_KEY = Symbol.for('daw-elements.context-waiting');

/** Consumers whose request nobody answered, page-wide (every copy of the script shares the set and its one listener). */
function waiting(): Set<{ request(): void }> {
  const doc = document as Document & { [WAITING_KEY]?: Set<{ request(): void }> };
  let set = doc[WAITING_KEY];
  if (!set) {
    const s = (set = doc[WAITING_KEY] = new Set());
    doc.addEventListener('context-provider', (e) => {
      if ((e as ContextProviderEvent).context !== CHANNEL_CONTEXT) return;
      const all = [...s];
      s.clear();
      all.forEach((c) => c.request());
    });
  }
  return set;
}

/** `<daw-channel>`'s side: answers requests from inside it with its engine Channel. */
export class ChannelProvider implements ReactiveController {
  #value: Value = null;
  /** Subscribed callbacks, each with its consumer and its one (stable) unsubscribe function. */
  readonly #subs = new Map<Callback, { target: Element; unsubscribe: () => void }>();

  constructor(private readonly host: Host) {
    host.addController(this);
    host.addEventListener('context-request', (ev) => {
      const e = ev as ContextRequestEvent;
      if (e.context !== CHANNEL_CONTEXT || e.contextTarget === host) return;
      e.stopPropagation();
      let sub = this.#subs.get(e.callback);
      if (e.subscribe && !sub) this.#subs.set(e.callback, (sub = { target: e.contextTarget, unsubscribe: () => this.#subs.delete(e.callback) }));
      e.callback(this.#value, sub?.unsubscribe);
    });
    // A channel connected inside this one (upgraded late): the subscribers inside it ask again and it answers them.
    host.addEventListener('context-provider', (ev) => {
      const e = ev as ContextProviderEvent;
      if (e.context !== CHANNEL_CONTEXT || e.contextTarget === host) return;
      e.stopPropagation();
      for (const [cb, { target }] of [...this.#subs]) target.dispatchEvent(new ContextRequestEvent(CHANNEL_CONTEXT, target, cb, true));
    });
  }

  hostConnected(): void {
    this.host.dispatchEvent(new ContextProviderEvent(CHANNEL_CONTEXT, this.host));
  }

  /** Sets the Channel and tells every subscriber inside. */
  setValue(v: Value): void {
    if (Object.is(v, this.#value)) return;
    this.#value = v;
    for (const [cb, { unsubscribe }] of [...this.#subs]) cb(v, unsubscribe);
  }
}

/**
 * `<daw-synth>`/`<daw-clip>`'s side: the channel it plays into. Inside a channel element (one that
 * answered), that element's channel, null until it has claimed one; standalone (or inside a
 * channel element not defined yet), a private headless channel claimed from the engine.
 * `onChange` runs on every answer.
 */
export class ChannelTarget implements ReactiveController {
  /** The enclosing channel element's answer; undefined while none answered. */
  #value: Value | undefined = undefined;
  #unsubscribe: (() => void) | undefined;
  #own: Channel | null = null;
  readonly #callback: Callback = (v, unsubscribe) => {
    if (this.#unsubscribe && this.#unsubscribe !== unsubscribe) this.#unsubscribe(); // another provider answered
    this.#unsubscribe = unsubscribe;
    this.#value = v;
    this.onChange();
  };

  constructor(private readonly host: Host, private readonly engine: Engine, private readonly label: string, private readonly onChange: () => void) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#value = undefined; // from a previous place in the DOM
    this.request();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#value = undefined;
    waiting().delete(this);
  }

  /** Asks the enclosing channel (answered synchronously, if there is one); waits for one otherwise. */
  request(): void {
    if (!this.host.isConnected) return;
    this.host.dispatchEvent(new ContextRequestEvent(CHANNEL_CONTEXT, this.host, this.#callback, true));
    if (this.#value === undefined) waiting().add(this);
  }

  /** The channel to play into now (null while the enclosing element has none, or none was free). */
  get channel(): Channel | null {
    return this.#value !== undefined ? this.#value : this.#own;
  }

  /**
   * Follows where the host is: inside a channel element, frees the private channel; standalone,
   * claims one (a full engine is reported with `daw-error`, code `capacity`). Returns `channel`.
   */
  resolve(): Channel | null {
    if (this.#value !== undefined) this.release();
    else if (!this.#own) {
      try {
        this.#own = this.engine.createChannel({ label: this.label });
      } catch (e) {
        emitError(this.host, { code: 'capacity', message: `<${this.host.localName}>: ${(e as Error).message}`, error: e });
      }
    }
    return this.channel;
  }

  /** Frees the private channel, if any. */
  release(): void {
    this.#own?.dispose();
    this.#own = null;
  }
}

/** The context key of a pattern's player: the enclosing synth or clip element (`<daw-sequence>`, `<daw-steps>`). */
export const PLAYER_CONTEXT = Symbol.for('daw-elements.player');

/** `<daw-synth>`/`<daw-clip>`'s side: answers a pattern's request from inside it with the element itself. */
export function providePlayer(host: HTMLElement): void {
  host.addEventListener('context-request', (ev) => {
    const e = ev as ContextRequestEvent;
    if (e.context !== PLAYER_CONTEXT || e.contextTarget === host) return;
    e.stopPropagation();
    e.callback(host as never);
  });
}

/** The nearest enclosing synth or clip element of `host` (under any tag name), or null. */
export function findPlayer(host: Element): HTMLElement | null {
  let found: HTMLElement | null = null;
  host.dispatchEvent(new ContextRequestEvent(PLAYER_CONTEXT, host, (v) => (found = v as never), false));
  return found;
}
