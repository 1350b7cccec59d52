/**
 * What the elements say about the engine's state: a short sentence that fits `<daw-engine>`'s bar,
 * what to do about it, and whether trying again can help. One place, so `<daw-engine>`, `<daw-synth>`
 * and `<daw-clip>` give the same advice for the same cause.
 *
 * Causes are told apart by the engine's error code and message (src/engine.ts names the CSP case
 * "'wasm-unsafe-eval'" and the secure-context case "secure context"); an unknown cause gets the
 * generic, retryable advice, so a new error code never yields a wrong "cannot be fixed".
 */
import type { Engine, EngineState } from '../../src/index.js';

const sentence = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}.`;

/** Why the engine is in the error state. */
export type Cause = 'csp' | 'insecure' | 'unsupported' | 'missing' | 'network' | 'crashed' | 'unknown';

export interface Diagnosis {
  cause: Cause;
  /** One short sentence for the bar, e.g. "Audio blocked by this page's CSP (needs 'wasm-unsafe-eval')". */
  short: string;
  /** Why, as a clause: "WebAssembly is blocked by this page's Content-Security-Policy". */
  reason: string;
  /** What to do, for whoever can do it (the visitor or the page author), e.g. "the page author must add …". */
  advice: string;
  /** Whether starting again can help: yes for a network error or a crash, no for a CSP or a missing API. */
  retry: boolean;
}

/** The engine's error, classified. */
export function diagnose(error: (Error & { code?: string }) | null | undefined): Diagnosis {
  const code = error?.code ?? '';
  const text = `${error?.name ?? ''} ${error?.message ?? ''}`;
  if (/wasm-unsafe-eval|Content.Security.Policy|\bCSP\b/i.test(text)) {
    return { cause: 'csp', retry: false, reason: "WebAssembly is blocked by this page's Content-Security-Policy", short: "Audio blocked by this page's CSP (needs 'wasm-unsafe-eval')",
      advice: "the page author must add 'wasm-unsafe-eval' to the script-src of the page's Content-Security-Policy; trying again cannot fix it" };
  }
  if (code === 'unsupported' && (/secure context/i.test(text) || globalThis.isSecureContext === false)) {
    return { cause: 'insecure', retry: false, reason: 'browsers run it only on secure pages (https or localhost)', short: 'Audio needs a secure page (https or localhost)',
      advice: 'the page author must serve the page over https (or from localhost); browsers give AudioWorklet only to secure pages' };
  }
  if (code === 'unsupported') {
    return { cause: 'unsupported', retry: false, reason: 'this browser has no AudioWorklet or WebAssembly', short: 'This browser cannot run the audio engine',
      advice: 'open the page in a current browser with AudioWorklet and WebAssembly (Chrome, Edge, Firefox, Safari)' };
  }
  const http = /HTTP (\d{3})/.exec(text);
  if (code === 'load-failed' && http && +http[1] >= 400 && +http[1] < 500) {
    return { cause: 'missing', retry: false, reason: `its files were not found (HTTP ${http[1]})`, short: `Audio engine files not found (HTTP ${http[1]})`,
      advice: 'the page author must serve daw-worklet.js and daw-dsp.wasm next to daw-elements.js (or pass workletUrl/wasmUrl to getEngine())' };
  }
  if (code === 'load-failed') {
    return { cause: 'network', retry: true, reason: 'its files could not be loaded (a network error)', short: 'The audio engine could not be loaded',
      advice: "check the network connection, then press 'Try again' on <daw-engine> (or call getEngine().start() from a click)" };
  }
  if (/worklet/.test(code)) {
    return { cause: 'crashed', retry: true, reason: 'it stopped with an error', short: 'The audio engine stopped with an error',
      advice: "press 'Try again' on <daw-engine> (or call getEngine().start() from a click) to restart it" };
  }
  return { cause: 'unknown', retry: true, reason: 'it failed to start', short: 'The audio engine failed',
    advice: "press 'Try again' on <daw-engine> (or call getEngine().start() from a click); the daw-error event has the details" };
}

/** What `<daw-engine>` shows for a state: the status text, its long form, the button (if any). */
export interface StateView {
  text: string;
  /** The full story: the cause, the advice and the browser's own message (for a title and the details). */
  detail: string;
  /** Label of the start/resume/retry button, or null for none. */
  button: string | null;
}

export function stateView(engine: Engine): StateView {
  const s = engine.state as EngineState | string;
  switch (s) {
    case 'idle': return { text: 'Audio off', detail: 'Audio starts on the first click or key press on the page.', button: 'Enable audio' };
    case 'starting': return { text: 'Starting…', detail: 'Loading the audio engine.', button: 'Enable audio' };
    case 'running': return { text: 'Running', detail: '', button: null };
    case 'suspended': return { text: 'Suspended', detail: 'The browser or the page paused audio; press Resume audio to go on.', button: 'Resume audio' };
    case 'closed': return { text: 'Audio closed', detail: 'The audio engine was closed (engine.close()); reload the page to play again.', button: null };
    case 'error': {
      const d = diagnose(engine.error as Error & { code?: string });
      return { text: d.short, detail: `${sentence(d.advice)}${engine.error?.message ? ` Error: ${engine.error.message}` : ''}`, button: d.retry ? 'Try again' : null };
    }
    default: return { text: String(s), detail: '', button: null }; // a state added to the engine later
  }
}

/**
 * The message of a `not-running` daw-error: why `what` (e.g. "<daw-synth> noteOn") did nothing in
 * this engine state and what to do, then `dropped` (e.g. "The note was dropped."). `startHint` names
 * the control that starts audio from this element.
 */
export function notRunning(what: string, engine: Engine, dropped: string, startHint = "<daw-engine>'s \"Enable audio\" button"): string {
  const s = engine.state as EngineState | string;
  let why: string;
  switch (s) {
    case 'idle':
      why = `audio has not started yet. Browsers let a page start audio only in a user gesture: call this from a click or key handler, or let the user press ${startHint} (getEngine().start() in a gesture works too).`;
      break;
    case 'suspended':
      why = 'audio is suspended (paused by the browser or by engine.suspend()). Resume it in a user gesture: <daw-engine>\'s "Resume audio" button, or getEngine().start() in a click handler.';
      break;
    case 'closed':
      why = 'the audio engine was closed (engine.close()), so nothing plays on it any more. Reload the page to play again.';
      break;
    case 'error': {
      const d = diagnose(engine.error as Error & { code?: string });
      why = `the audio engine is not running: ${d.reason}. ${sentence(d.advice)}`;
      break;
    }
    default:
      why = `the audio engine is not running (state '${s}').`;
  }
  return `${what}: ${why} ${dropped}`;
}
