/**
 * Page-level helpers every element shares: the one engine, starting it on the first gesture (and
 * from a call that needs audio: startInGesture), and the reactive controller through which an
 * element follows the engine's state.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { getEngine, type Engine } from '../../src/index.js';
import { diagnose } from './advice.js';

const ARMED = Symbol.for('daw-elements.gesture-armed');
const LATENCY = ['interactive', 'balanced', 'playback'];

/** Parses `latency-hint`: a category name or a positive number of seconds; undefined if invalid. */
export function parseLatencyHint(s: unknown): AudioContextLatencyCategory | number | undefined {
  if (typeof s === 'number') return s > 0 && s < 10 ? s : undefined; // the property may be a number
  if (typeof s !== 'string') return undefined;
  if (LATENCY.includes(s)) return s as AudioContextLatencyCategory;
  const n = Number(s);
  return s.trim() !== '' && n > 0 && n < 10 ? n : undefined;
}

const FACES_KEY = Symbol.for('daw-elements.engine-faces');
/** The connected `<daw-engine>` elements of every copy of the script, in connect order (tag names vary with the prefix). */
const faces: Set<HTMLElement> =
  ((globalThis as Record<symbol, unknown>)[FACES_KEY] as Set<HTMLElement>) ??
  ((globalThis as Record<symbol, unknown>)[FACES_KEY] = new Set<HTMLElement>());

/** Keeps a `<daw-engine>` in the page's list of engine faces while it is connected (for its `latency-hint`). */
export class FaceController implements ReactiveController {
  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }
  hostConnected(): void {
    faces.add(this.host);
  }
  hostDisconnected(): void {
    faces.delete(this.host);
  }
}

/**
 * Creates the context with the page's `latency-hint` (from the first connected `<daw-engine
 * latency-hint>`) when there is none yet. Must run inside a user gesture, before engine.start().
 */
function prime(e: Engine): void {
  if (e.context || typeof AudioContext !== 'function') return;
  const face = [...faces].find((f) => f.isConnected && f.hasAttribute('latency-hint'));
  const hint = parseLatencyHint(face?.getAttribute('latency-hint'));
  if (hint !== undefined) e.context = new AudioContext({ latencyHint: hint });
}

/** Starts the page's engine; call it synchronously inside a user gesture (autoplay policy). */
export function startEngine(): Promise<void> {
  const e = getEngine();
  if (e.state === 'idle') prime(e);
  return e.start();
}

/** Whether this call runs inside a user gesture (transient activation), where browsers let audio start. */
const inGesture = () => !!(navigator as Navigator & { userActivation?: { isActive: boolean } }).userActivation?.isActive;

/**
 * The one "make sure audio runs" step of a call that needs audio (a note, a clip's play or its
 * button): starts the engine if it is idle or suspended (with `retry`, also after a failure that
 * starting again can fix), but only inside a user gesture, as the autoplay policy wants. `gesture`
 * is true for our own click handlers; by default the browser's transient activation says.
 * Returns true if it started (or resumed, or retried) the engine; failures become `daw-error` and
 * the error state, as for startEngine().
 */
export function startInGesture(retry = false, gesture = inGesture()): boolean {
  const e = getEngine();
  const s = e.state;
  if (!gesture || !(s === 'idle' || s === 'suspended' || (retry && s === 'error' && diagnose(e.error).retry))) return false;
  void startEngine().catch(() => undefined);
  return true;
}

/**
 * Makes the first pointerdown/keydown/touchend anywhere on the page start the engine (once per
 * engine, whichever element or copy of the script connects first). A capture listener on window runs
 * before the engine's own one on document, so the context gets the page's latency hint.
 */
export function armGesture(): void {
  const e = getEngine() as Engine & { [ARMED]?: boolean };
  if (e[ARMED] || e.state !== 'idle') return;
  e[ARMED] = true;
  const events = ['pointerdown', 'keydown', 'touchend'];
  const once = () => {
    events.forEach((t) => window.removeEventListener(t, once, true));
    if (e.state === 'idle') prime(e);
  };
  events.forEach((t) => window.addEventListener(t, once, { capture: true, passive: true }));
  e.startOnGesture();
}

/** Follows the engine while the host is connected: arms the gesture start and re-renders on state changes. */
export class EngineController implements ReactiveController {
  readonly engine: Engine = getEngine();
  readonly #onEvent = (ev: Event) => this.listener(ev);

  readonly #types: string[];

  /** `listener` gets the engine's daw-ready, daw-statechange and daw-error, and the `extra` event types. */
  constructor(private readonly host: ReactiveControllerHost & EventTarget, private readonly listener: (ev: Event) => void = () => host.requestUpdate(), extra: string[] = []) {
    this.#types = ['daw-ready', 'daw-statechange', 'daw-error', ...extra];
    host.addController(this);
  }

  hostConnected(): void {
    armGesture();
    for (const t of this.#types) this.engine.addEventListener(t, this.#onEvent);
  }

  hostDisconnected(): void {
    for (const t of this.#types) this.engine.removeEventListener(t, this.#onEvent);
  }
}

/** One requestAnimationFrame loop for every element on the page (per copy of the script). */
const subscribers = new Set<(now: number) => void>();
let raf = 0;
function tick(now: number): void {
  raf = 0;
  subscribers.forEach((f) => f(now));
  if (subscribers.size) raf = requestAnimationFrame(tick);
}

/** Calls `fn` on every animation frame from now (`on`) or no longer. */
export function onFrames(fn: (now: number) => void, on: boolean): void {
  if (!on) {
    subscribers.delete(fn);
    return;
  }
  subscribers.add(fn);
  if (!raf) raf = requestAnimationFrame(tick);
}

/** Calls `fn` on every animation frame while the host is connected (writes styles, no re-render). */
export class FrameController implements ReactiveController {
  constructor(host: ReactiveControllerHost, private readonly fn: (now: number) => void) {
    host.addController(this);
  }

  hostConnected(): void {
    onFrames(this.fn, true);
  }

  hostDisconnected(): void {
    onFrames(this.fn, false);
  }
}
