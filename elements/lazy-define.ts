/**
 * Feature tags registered on first appearance (the page module's define() for <prefix-transport>,
 * <prefix-meter>, <prefix-bus>, ...): the element's chunk is imported, and the tag defined, when an
 * element with that name first appears in the document or in a shadow root of ours. A page that uses
 * only the core tags never fetches a feature chunk.
 *
 * How it watches, after Shoelace's / Web Awesome's autoloader: one scan of `:not(:defined)` elements
 * when the first tag is registered, then a MutationObserver (childList, subtree) over the document
 * and over each open shadow root our elements create (DawElement.createRenderRoot calls watch()).
 * `customElements.whenDefined(tag)` resolves once the chunk has loaded and the tag is defined, so
 * `await customElements.whenDefined('daw-meter')` works as for any tag. A chunk that cannot be
 * fetched is a `daw-error` (`load-failed`, `tag`) on document; the tag's next element imports it again.
 */
import type { DawErrorDetail } from '../src/errors.js';

/** Imports the element class of one kind (a dynamic import: its own chunk). */
export type Loader = () => Promise<CustomElementConstructor>;

/** Tags waiting for their first element: tag -> what defines it once the chunk is imported. */
const pending = new Map<string, () => Promise<unknown>>();
let observer: MutationObserver | null = null;

/** Defines `tag` from its chunk when an element `<tag>` first appears; `define` gets the loaded class. */
export function defineLazily(tag: string, loader: Loader, define: (ctor: CustomElementConstructor) => unknown): void {
  if (pending.has(tag) || customElements.get(tag)) return;
  let started: Promise<unknown> | null = null;
  const start = (): Promise<unknown> => (started ??= loader().then(define, (err: unknown) => {
    // A chunk that could not be fetched (offline, a file missing on the CDN): a daw-error on document
    // (and the console, unless a listener prevents it), and the next element of the tag imports it
    // again (Chromium and WebKit fetch it again; Firefox keeps a failed module until a reload).
    started = null;
    pending.set(tag, start);
    const detail: DawErrorDetail = {
      code: 'load-failed', tag, value: tag,
      message: `<${tag}> could not be loaded (${String(err)}): serve the files next to daw-elements.js together (its chunks are imported from beside it) and reload`,
    };
    const ev = new CustomEvent('daw-error', { detail, bubbles: true, composed: true, cancelable: true });
    if (document.dispatchEvent(ev)) console.error(`daw-elements: ${detail.message}`);
  }));
  pending.set(tag, start);
  if (!observer) {
    observer = new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) scan(n as Element);
    });
    watch(document);
  } else scan(document.documentElement);
}

/** Watches `root` (the document, or an open shadow root of ours) for feature tags added under it. */
export function watch(root: Document | ShadowRoot): void {
  if (!observer) return;
  observer.observe(root, { childList: true, subtree: true });
  scan(root);
}

function scan(root: Document | ShadowRoot | Element): void {
  if (!pending.size || !root) return;
  if ('localName' in root) visit(root);
  for (const el of root.querySelectorAll(':not(:defined)')) visit(el);
}

function visit(el: Element): void {
  const start = pending.get(el.localName);
  if (start) {
    pending.delete(el.localName);
    void start();
  }
}
