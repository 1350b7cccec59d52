/**
 * What `<daw-meter>` and `<daw-loudness>` share: the strip named by their `for` attribute, and a
 * reactive controller that holds an analysis reader on it only while the element is connected,
 * visible (IntersectionObserver, page not hidden) and the engine runs, so nothing is computed for a
 * view nobody sees. `for`: `master` (default), a bus name (`reverb`, `delay`, `drum`), or the id of
 * a channel element (any tag: its `channel` property), looked up in the element's own tree.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AnalysisOptions, AnalysisReader, Engine, Strip } from '../../src/index.js';
import { emitError } from './element.js';
import { FrameController } from './engine.js';

/** The strip `for` names: null while a channel element has no channel yet, undefined when nothing has that name. */
export function stripFor(engine: Engine, host: Element, name: string | null): Strip | null | undefined {
  const n = (name ?? 'master').trim();
  if (n === 'master') return engine.master;
  if (n === 'reverb' || n === 'delay' || n === 'drum') return engine.bus(n);
  const root = host.getRootNode() as Document | ShadowRoot;
  const el = root.getElementById?.(n) as (Element & { channel?: Strip | null }) | null;
  return el ? (el.channel ?? null) : undefined;
}

type Host = ReactiveControllerHost & HTMLElement & { engine: Engine; for: string | null };

/** Holds a reader while the host is seen and the engine runs; calls `draw(reader, now)` each animation frame (or 4 a second with prefers-reduced-motion). */
export class AnalysisController implements ReactiveController {
  reader: AnalysisReader | null = null;
  #visible = false;
  #io: IntersectionObserver | null = null;
  #last = 0;
  #strip: Strip | null = null;
  /** The `for` value last reported as naming nothing (once per value). */
  #reported: string | null = null;

  constructor(private readonly host: Host, private readonly opts: () => AnalysisOptions, private readonly draw: (r: AnalysisReader | null, now: number) => void) {
    host.addController(this);
    new FrameController(host, (now) => this.#frame(now));
  }

  hostConnected(): void {
    if (typeof IntersectionObserver === 'function') {
      this.#io = new IntersectionObserver((es) => (this.#visible = es[es.length - 1].isIntersecting));
      this.#io.observe(this.host);
    } else {
      this.#visible = true;
    }
  }

  hostDisconnected(): void {
    this.#io?.disconnect();
    this.#io = null;
    this.release();
  }

  /** Lets go of the reader (a new one is taken on the next frame if still wanted: e.g. `for` or the mode changed). */
  release(): void {
    this.reader?.release();
    this.reader = null;
    this.#strip = null;
  }

  #frame(now: number): void {
    const e = this.host.engine;
    const seen = this.#visible && document.visibilityState !== 'hidden' && e.state === 'running';
    const found = seen ? stripFor(e, this.host, this.host.for) : null;
    if (found === undefined && this.#reported !== this.host.for) {
      this.#reported = this.host.for;
      emitError(this.host, {
        code: 'invalid-value', attribute: 'for', value: this.host.for,
        message: `<${this.host.localName}> for: '${String(this.host.for)}' names no strip: use master, reverb, delay, drum or the id of a channel element`,
      });
    }
    const strip = found ?? null;
    if (strip !== this.#strip || (this.reader?.isReleased ?? false)) this.release();
    if (strip && !this.reader) {
      this.reader = strip.analysis(this.opts());
      this.#strip = strip;
    }
    if (!seen) return;
    if (reducedMotion() && now - this.#last < 250) return;
    this.#last = now;
    this.draw(this.reader, now);
  }
}

const RM = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;
/** The user asked for less motion: meters update 4 times a second, without falling animations. */
export const reducedMotion = (): boolean => !!RM?.matches;

/** dB as text with one decimal, '−∞' for silence. */
export const dbText = (v: number): string => (v > -Infinity ? v.toFixed(1).replace('-', '\u2212') : '\u2212\u221e');
