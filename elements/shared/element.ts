/**
 * The elements' base class and their events. Every event an element fires goes through `emit()`,
 * named and typed by the element's event map (event name -> detail type), and is prefixed, bubbling
 * and composed with an object detail (shoelace's convention), so a listener on `document` hears
 * them from inside any shadow root.
 */
import { LitElement } from 'lit';
import type { DawErrorDetail } from '../../src/index.js';
import { watch } from '../lazy-define.js';

/** Detail of the `daw-error` events the elements fire: the one vocabulary (src/errors.ts). */
export type DawElementErrorDetail = DawErrorDetail;

/**
 * Detail of `daw-change`: the user changed a parameter through the element's own controls (a
 * slider, the mute/solo toggles). `value` is the property's new value, as reading it gives it.
 */
export interface DawChangeDetail {
  /** The property, e.g. 'volumeDb'. */
  property: string;
  /** Its attribute, e.g. 'volume-db'. */
  attribute: string;
  value: number | boolean | string;
}

/** The events every element fires: name -> detail. An element with more extends it. */
export interface DawEvents {
  'daw-error': DawElementErrorDetail;
}

/** Fires `type` on `target`: bubbling, composed, with an object detail; returns the event. */
function fire<D>(target: EventTarget, type: string, detail: D, cancelable = false): CustomEvent<D> {
  const ev = new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable });
  target.dispatchEvent(ev);
  return ev;
}

/** Fires `daw-error` on any target (an element's controller, or `document` for a tag that is taken). */
export const emitError = (target: EventTarget, detail: DawElementErrorDetail, cancelable = false): CustomEvent<DawElementErrorDetail> =>
  fire(target, 'daw-error', detail, cancelable);

/** Fires `daw-change` on an element whose control the user moved (elements/shared/params.ts). */
export const emitChange = (target: EventTarget, detail: DawChangeDetail): CustomEvent<DawChangeDetail> => fire(target, 'daw-change', detail);

/** An element's `emit()` as its controllers get it (they fire the element's events, typed by its map). */
export type Emit<E> = <K extends keyof E & string>(type: K, detail: E[K]) => unknown;

/** A LitElement that fires the events of its map `E` with `emit()`. */
export class DawElement<E extends DawEvents = DawEvents> extends LitElement {
  /** Lit's open shadow root, watched for feature tags to load (elements/lazy-define.ts). */
  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    if (root instanceof ShadowRoot) watch(root);
    return root;
  }

  /** Fires `type` with `detail` (typed by the element's event map); returns the event (for `defaultPrevented`). */
  protected emit<K extends keyof E & string>(type: K, detail: E[K], cancelable = false): CustomEvent<E[K]> {
    return fire(this, type, detail, cancelable);
  }
}
