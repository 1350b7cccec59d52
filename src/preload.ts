/**
 * Loading the engine before the first gesture. What start() needs that needs no AudioContext (the
 * WASM fetched, compiled and run once, the worklet script fetched) is done while the page is idle,
 * so that after the gesture only the context, the worklet scope and the node are left to make.
 * Measured in `node bench/run.mjs --only=startup` (bench/README.md).
 *
 * Threads: main thread only. Nothing here creates an AudioContext or logs. Preloading never fails
 * loudly: start() runs the same steps again, and reports what failed as `daw-error`.
 */

const modules = new Map<string, Promise<WebAssembly.Module>>();
const warmed = new WeakSet<WebAssembly.Module>();
const scripts = new Map<string, Promise<void>>();

/**
 * Fetches and compiles the DSP once per page and URL. A failure is forgotten, so start() (or a retry)
 * fetches again and gets its own error.
 */
export function compileWasm(url: string): Promise<WebAssembly.Module> {
  let p = modules.get(url);
  if (!p) {
    p = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    modules.set(url, p);
    p.catch(() => modules.delete(url));
  }
  return p;
}

/** The two entry points the warm-up calls (worklet/processor.ts has the whole ABI). */
interface WarmExports {
  daw_init(sampleRate: number): void;
  daw_process(): void;
}

/**
 * Runs the DSP once in a throwaway instance: daw_init (which fills ~1.6 MB of wavetables) and one
 * quantum. V8 compiles WASM functions lazily, on their first call, and optimises hot ones later;
 * that code belongs to the module, and the worklet gets this very module, so its daw_init and first
 * process() run compiled code instead of compiling on the audio thread while the first output is
 * due (measured in Chromium 156: node created to 'ready' 8.5 -> 5.8 ms median; in Node 20's V8 the
 * first daw_process() call takes 2.5-8 ms compiling, later ones 0.1 ms). The instance and its 3 MB
 * of memory are garbage afterwards.
 */
async function warm(module: WebAssembly.Module): Promise<void> {
  if (warmed.has(module)) return;
  warmed.add(module);
  const dsp = (await WebAssembly.instantiate(module, {})).exports as unknown as WarmExports;
  dsp.daw_init(48000);
  dsp.daw_process();
}

/**
 * Fetches the worklet script once, as addModule() will (CORS mode, same-origin credentials), so that
 * addModule() can take it from the HTTP cache when the server lets it be cached.
 */
function fetchScript(url: string): Promise<void> {
  let p = scripts.get(url);
  if (!p) {
    p = fetch(url, { mode: 'cors', credentials: 'same-origin' }).then((r) => r.arrayBuffer()).then(
      () => undefined,
      () => void scripts.delete(url),
    );
    scripts.set(url, p);
  }
  return p;
}

/**
 * Fetches, compiles and warms up the WASM and fetches the worklet script; resolves when done. Never
 * rejects.
 */
export function preload(workletUrl: string, wasmUrl: string): Promise<void> {
  if (typeof WebAssembly !== 'object' || typeof fetch !== 'function') return Promise.resolve();
  return Promise.all([
    compileWasm(wasmUrl).then((m) => new Promise<void>((resolve) => whenIdle(() => resolve(warm(m))))),
    fetchScript(workletUrl),
  ]).then(() => undefined, () => undefined);
}

/**
 * Calls `fn` when the page is idle (requestIdleCallback, at most `timeout` ms later; Safari has no
 * requestIdleCallback: then in a later task).
 */
export function whenIdle(fn: () => void, timeout = 1000): void {
  const ric = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
  if (typeof ric === 'function') ric(fn, { timeout });
  else setTimeout(fn, 1);
}

/** True when the user asked for less data (`Save-Data`): then nothing is preloaded unasked. */
export function saveData(): boolean {
  return (globalThis.navigator as { connection?: { saveData?: boolean } } | undefined)?.connection?.saveData === true;
}
