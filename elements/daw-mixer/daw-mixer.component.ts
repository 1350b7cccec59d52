import { LitElement, html } from 'lit';
import { BRAND, kindOf } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { base } from '../shared/styles.js';
import styles from './daw-mixer.styles.js';

/**
 * @summary A console: lays out its channels, buses and master; the channels scroll sideways, the buses and master stay in view.
 *
 * @description Children that are daw-elements' bus strips (`<daw-bus>`, under any prefix) go to
 * the right-hand group, in their order; every other child (channels, anything else) to the
 * channels group, which scrolls sideways. Where the two do not fit side by side (narrower than the
 * buses plus `--daw-mixer-channels-min`, e.g. a phone) the buses and master wrap below the channels.
 * Strips are told apart by their class (a brand every copy of the script shares), never by tag
 * name; a child defined later moves to its group when it is upgraded.
 *
 * @slot - `<daw-channel>`, `<daw-bus>` elements (and anything else, shown with the channels).
 *
 * @csspart console - The container of both groups.
 * @csspart channels - The channels group (scrolls sideways).
 * @csspart buses - The buses and master group.
 *
 * @cssproperty --daw-mixer-gap - Space between strips (default 8px).
 * @cssproperty --daw-mixer-channels-min - Narrowest channels group before the buses wrap below it (default 16rem).
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-text - Text colour.
 */
export class DawMixer extends DawElement {
  static styles = [base, styles];
  static readonly [BRAND] = 'mixer';
  // Children are assigned to the two groups by script (slot.assign), by what they are, not by a `slot` attribute.
  static shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, slotAssignment: 'manual' };

  readonly #observer = new MutationObserver(() => this.#assign());
  /** Tag names of children not defined yet, each waited for once. */
  readonly #waiting = new Set<string>();

  connectedCallback(): void {
    super.connectedCallback();
    this.#observer.observe(this, { childList: true });
    void this.updateComplete.then(() => this.#assign());
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer.disconnect();
  }

  /** Puts each child in its group; children whose tag is not defined yet are placed again once it is. */
  #assign(): void {
    const slots = this.renderRoot.querySelectorAll('slot');
    if (slots.length < 2) return;
    const buses: Element[] = [];
    const rest: Element[] = [];
    for (const el of this.children) {
      const ctor = customElements.get(el.localName);
      const tag = el.localName;
      if (!ctor && tag.includes('-') && !this.#waiting.has(tag)) {
        this.#waiting.add(tag);
        void customElements.whenDefined(tag).then(() => {
          this.#waiting.delete(tag);
          this.#assign();
        });
      }
      (kindOf(ctor) === 'bus' ? buses : rest).push(el);
    }
    slots[0].assign(...rest);
    slots[1].assign(...buses);
  }

  render() {
    return html`<div part="console" class="console">
      <div part="channels" class="channels" role="group" aria-label="Channels"><slot></slot></div>
      <div part="buses" class="buses" role="group" aria-label="Buses and master"><slot></slot></div>
    </div>`;
  }
}
