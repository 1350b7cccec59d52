/**
 * Frees what an element holds in the engine (a channel, a synth, a file) one task after it leaves
 * the document, not at once: a DOM move is a disconnect followed by a connect in the same task, and
 * the element keeps its slot, its parameters and its loaded file through it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class DeferredRelease implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | 0 = 0;

  /** `release` runs one task after a disconnect that no connect followed. */
  constructor(host: ReactiveControllerHost, private readonly release: () => void) {
    host.addController(this);
  }

  hostConnected(): void {
    clearTimeout(this.#timer); // moved in the DOM: keep everything
    this.#timer = 0;
  }

  hostDisconnected(): void {
    this.#timer = setTimeout(() => {
      this.#timer = 0;
      this.release();
    });
  }
}
