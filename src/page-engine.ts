/**
 * The page's shared engine (getEngine) and two ways to make a private one for a job: an offline
 * render (renderOffline) and, for tools and tests, the engine's control link. Main thread only.
 */
import { Engine } from './engine.js';
import { saveData, whenIdle } from './preload.js';
import type { Runtime } from './runtime.js';
import type { EngineOptions } from './types.js';

/**
 * The engine's control link (the control block views and the one event push), for tools and tests
 * that drive the worklet directly (test/alloc.test.js). Pages do not need it.
 */
export function controlLink(engine: Engine): import('./link.js').ControlLink {
  return (engine as unknown as { rt: Runtime }).rt.link;
}

const ENGINE_KEY = Symbol.for('daw-elements.engine');

/**
 * The page's one engine, shared by every element and every copy of this script on the page. It
 * creates no AudioContext until start() (or a gesture, with startOnGesture()); when the page is
 * idle it preloads the worklet script and the WASM (unless the user asked to save data).
 */
export function getEngine(options?: EngineOptions): Engine {
  const g = globalThis as unknown as Record<symbol, Engine | undefined>;
  let e = g[ENGINE_KEY];
  if (!e || e.state === 'closed') {
    const engine = (g[ENGINE_KEY] = e = new Engine(options));
    if (!options?.context && !saveData()) whenIdle(() => void engine.preload());
  }
  return e;
}

/**
 * Renders `seconds` of audio offline: builds a private engine on an OfflineAudioContext, lets
 * `setup(engine)` create channels, synths and sources (their AudioNodes on `engine.context`), renders.
 */
export async function renderOffline(
  seconds: number,
  setup: (engine: Engine) => void | Promise<void>,
  opts: { sampleRate?: number; shared?: boolean; inputs?: number; sampleMemory?: number; workletUrl?: string | URL; wasmUrl?: string | URL } = {},
): Promise<AudioBuffer> {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new RangeError(`renderOffline: seconds ${seconds} must be > 0`);
  const sampleRate = opts.sampleRate ?? 48000;
  if (!(sampleRate >= 8000 && sampleRate <= 192000)) throw new RangeError(`renderOffline: sampleRate ${sampleRate} must be 8000 to 192000`);
  const context = new OfflineAudioContext(2, Math.ceil(seconds * sampleRate), sampleRate);
  const engine = new Engine({ ...opts, context });
  await engine.start();
  await setup(engine);
  await engine.flush();
  return context.startRendering();
}
