/**
 * Starts the load clock's worker (src/clock-worker.ts: dist/daw-clock.js, found beside this module
 * like the worklet, or at EngineOptions.clockUrl) for a worklet node that notifies it. Main thread
 * only; not real-time code.
 *
 * Loading: a plain `new Worker(url)`, no Blob URL, so a page with a CSP needs nothing more than a
 * script-src/worker-src that allows the URL, and nothing here needs `blob:` (the design's rule for
 * strict CSPs, checked by test/e2e). Browsers start workers only from the page's own origin: with the
 * module on a CDN the clock is not started (load is reported unavailable, with that reason) unless
 * `clockUrl` points at a copy of daw-clock.js on the page's origin. Audio never depends on it.
 */

/** The worker, or why there is none. */
export type ClockResult = { worker: Worker; reason: null } | { worker: null; reason: string };

export async function startClock(url: URL, buffer: SharedArrayBuffer, quantumMs: number): Promise<ClockResult> {
  if (typeof Worker !== 'function') return { worker: null, reason: 'no Worker' };
  // Browsers start workers only from the page's origin.
  if (url.origin !== location.origin) return { worker: null, reason: `${url} is not on this origin (see EngineOptions.clockUrl)` };
  try {
    const worker = new Worker(url, { name: 'daw-clock' });
    const ok = await new Promise<true | string>((resolve) => {
      worker.onmessage = () => resolve(true);
      worker.onerror = (e) => { e.preventDefault(); resolve(e.message || 'no script'); };
      worker.postMessage({ buffer, quantumMs });
    });
    worker.onmessage = worker.onerror = null;
    if (ok === true) return { worker, reason: null };
    worker.terminate();
    return { worker: null, reason: `${url} failed: ${ok}` };
  } catch (e) {
    return { worker: null, reason: `${url} failed: ${(e as Error)?.message ?? e}` };
  }
}
