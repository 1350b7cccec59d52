/**
 * The base of `<daw-sequence>` and `<daw-steps>`: the element holds its properties; its work (the
 * grammar, the grid, the scheduling) is a view loaded on first use (`import()`, a file of its own
 * in dist/), so a page without patterns loads none of it.
 */
import { nothing } from 'lit';
import type { Engine } from '../../src/index.js';
import { DawElement, type DawEvents } from './element.js';
import { EngineController } from './engine.js';

/** What the loaded code does for the element. */
export interface PatternView {
  /** Resolves when the pattern as it stands is in the transport's timeline (or was refused). */
  readonly done: Promise<void>;
  /** The element connected (its next `update` follows). */
  connect(): void;
  disconnect(): void;
  /** Before a render: the element's properties changed, or it connected (then: everything). */
  update(changed: Map<PropertyKey, unknown>): void;
  render(): unknown;
}

export class PatternElement<E extends DawEvents = DawEvents> extends DawElement<E> {
  protected readonly engineCtl = new EngineController(this, () => undefined);
  #view: PatternView | null = null;
  #loading: Promise<PatternView> | null = null;

  /** @internal The view's module and class (each element names its own). */
  protected loadView(): Promise<new (host: never, engine: Engine) => PatternView> {
    throw new Error('abstract');
  }

  #load(): Promise<PatternView> {
    return (this.#loading ??= this.loadView().then((V) => (this.#view = new V(this as never, this.engineCtl.engine))));
  }

  /** Resolves when the element's code is loaded and it has drawn (it needs no running engine). */
  get loaded(): Promise<boolean> {
    return this.#load().then(() => this.updateComplete);
  }

  /** Resolves when the pattern as it stands is in the transport's timeline (or was refused); waits for the engine to run. */
  get scheduled(): Promise<void> {
    return this.#load().then((v) => v.done);
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.#view) {
      this.#view.connect();
      this.requestUpdate(); // a move in the DOM: found and scheduled again, in willUpdate
    } else {
      void this.#load().then((v) => {
        if (!this.isConnected) return;
        v.connect();
        this.requestUpdate();
      });
    }
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#view?.disconnect();
  }

  /** Before each render: the view takes the changed properties (the first render after it loads, all of them). */
  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (this.#view && this.isConnected) this.#view.update(changed);
  }

  render() {
    return this.#view ? this.#view.render() : nothing;
  }

  /** @internal The view fires the element's events. */
  fire<K extends keyof E & string>(type: K, detail: E[K]): void {
    this.emit(type, detail);
  }
}
