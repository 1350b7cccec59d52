/**
 * What the elements say about the engine's state: a short sentence that fits `<daw-engine>`'s bar,
 * what to do about it, and whether trying again can help. One place, so `<daw-engine>`, `<daw-synth>`
 * and `<daw-clip>` give the same advice for the same cause.
 *
 * Causes are told apart by the engine's error code and message (src/engine.ts names the CSP case
 * "'wasm-unsafe-eval'"); an unknown cause gets the generic, retryable advice, so a new error code
 * never yields a wrong "cannot be fixed".
 */
import type { Engine } from '../../src/index.js';

/** Why the engine is in the error state. */
export type Cause = 'csp' | 'unsupported' | 'network' | 'crashing' | 'failed';

export interface Diagnosis {
  /** Whether starting again can help: yes for a network error or a crash, no for a CSP or a missing API. */
  retry: boolean;
  /** One short sentence for the bar, e.g. "Audio blocked by this page's CSP (needs 'wasm-unsafe-eval')". */
  short: string;
  /** What to do, for whoever can do it (the visitor or the page author), e.g. "the page author must add …". */
  advice: string;
}

const TRY = "press 'Try again' (or call getEngine().start() in a click handler)";
// cause: [retry, short, advice]. Terse, and no more causes than the advice needs: every character
// ships in the bundle, which is at its size budget.
const CAUSES: Record<Cause, [boolean, string, string]> = {
  csp: [false, "Audio blocked by this page's CSP (needs 'wasm-unsafe-eval')",
    "the page author must add 'wasm-unsafe-eval' to the script-src of its Content-Security-Policy; a retry cannot fix it"],
  unsupported: [false, 'Audio cannot run on this page', 'it needs https (or localhost) and AudioWorklet'],
  network: [true, 'The audio engine could not be loaded', `check the network connection, then ${TRY}`],
  crashing: [true, 'The audio engine kept failing', `reload the page; if it keeps failing, close other tabs or apps using audio, or try another browser; or ${TRY}`],
  failed: [true, 'The audio engine failed', TRY],
};

/** The engine's error, classified. */
export function diagnose(error: (Error & { code?: string }) | null | undefined): Diagnosis {
  const code = error?.code;
  const text = `${error?.name} ${error?.message}`;
  const cause: Cause = /wasm-unsafe-eval|Content.Security.Policy|\bCSP\b/i.test(text) ? 'csp'
    : code === 'unsupported' ? 'unsupported'
    : code === 'load-failed' ? 'network' // also an HTTP error: the details show its status
    : code === 'recovery-failed' ? 'crashing'
    : 'failed';
  const [retry, short, advice] = CAUSES[cause];
  return { retry, short, advice };
}

const sentence = (s: string) => `${s[0].toUpperCase()}${s.slice(1)}.`;
const CLOSED = 'the audio engine was closed (engine.close()); reload the page to play again';

/** What `<daw-engine>` shows for a state: the status text, the long form after a failure (details, title), the button. */
export function stateView(engine: Engine): { text: string; detail: string; button: string | null } {
  const s = engine.state;
  if (s === 'error') {
    const d = diagnose(engine.error);
    return { text: d.short, detail: `${sentence(d.advice)} Error: ${engine.error?.message}`, button: d.retry ? 'Try again' : null };
  }
  return {
    text: ({ idle: 'Audio off', starting: 'Starting…', running: 'Running', suspended: 'Suspended', recovering: 'Recovering…', closed: 'Audio closed' } as Record<string, string>)[s] ?? s,
    detail: s === 'closed' ? sentence(CLOSED) : '',
    button: s === 'idle' || s === 'starting' ? 'Enable audio' : s === 'suspended' ? 'Resume audio' : null,
  };
}

/**
 * The message of a `not-running` daw-error: why `what` (e.g. "<daw-synth> noteOn") did nothing in
 * this engine state and what to do, then `dropped` (e.g. "The note was dropped."). `startHint` names
 * the control that starts audio from this element.
 */
export function notRunning(what: string, engine: Engine, dropped: string, startHint = "<daw-engine>'s \"Enable audio\""): string {
  const s = engine.state;
  const d = s === 'error' && diagnose(engine.error);
  const why = d ? `${d.short}. ${sentence(d.advice)}`
    : s === 'idle' || s === 'suspended' ? sentence(`audio ${s === 'idle' ? `has not started; start it in a user gesture: ${startHint}`
      : 'is suspended; resume it in a user gesture: <daw-engine>\'s "Resume audio"'}, or getEngine().start() in a click handler`)
    : s === 'closed' ? sentence(CLOSED)
    : `The audio engine is not running (${s}).`;
  return `${what}: ${why} ${dropped}`;
}
