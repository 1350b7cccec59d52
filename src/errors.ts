/**
 * One error vocabulary for the engine and the elements: every `daw-error` event (on the engine, on
 * an element) carries a {@link DawErrorDetail}, whose `code` is a {@link DawErrorCode}.
 */
import type { RecoveryReport } from './recovery.js';
import type { Engine } from './engine.js';
import type { EngineState, QualityChangeDetail } from './types.js';

/**
 * Every `daw-error` code. Each one's doc reads "from | what it means | what the page author can
 * do": the README's "Error codes" table is generated from these lines (scripts/readme-api.mjs), so
 * the two cannot drift, and no text ships in the bundle.
 */
export type DawErrorCode =
  /** engine, elements | A parameter value was outside its range and was clamped (detail: `param` or `attribute`, `value`, `range`). | Use a value inside `range`. */
  | 'out-of-range'
  /** engine, elements | A value was not of the parameter's kind (not a number, an unknown name) and was ignored; or a loaded sample held NaN or Infinity, replaced by 0. | Check the value (or the file). */
  | 'invalid-value'
  /** engine, elements | The engine (worklet script or WASM), a sample file or the code of a tag defined on first use (`tag`) could not be loaded. | Check the URL, the network and the server's CORS headers; serve the files of one build together. */
  | 'load-failed'
  /** engine, elements | The browser lacks what is needed (Web Audio, AudioWorklet, WebAssembly, Web MIDI) or the page blocks it (a CSP without `'wasm-unsafe-eval'`, not a secure context). | Serve over https or localhost, allow WASM in the CSP, or use another browser. */
  | 'unsupported'
  /** engine | The audio worklet failed to start (e.g. the page, the worklet and the WASM come from different builds). | Serve the files of one build together; `engine.start()` tries again. */
  | 'worklet-error'
  /** engine, elements | A limit was reached: every channel, synth, sample slot or external input in use, the event queue full, or the engine's sample memory full. | Dispose what is no longer needed, schedule fewer events at once, or raise the limit (`EngineOptions`). */
  | 'capacity'
  /** engine | The audio thread failed; the engine is rebuilding it (`attempt` counts failures within 30 s). | Nothing, unless it repeats: then see `recovery-failed`. */
  | 'worklet-crashed'
  /** engine | The AudioContext was closed by other code or the browser; the engine rebuilds on a new one (or waits for a gesture to start it). | Connect AudioNode sources again, made on the new `engine.context`. */
  | 'context-lost'
  /** engine | The browser or the system suspended audio (another app took the device, the system paused audio). | Nothing: it resumes on the next click or key press, or when the interruption ends. */
  | 'context-interrupted'
  /** engine | The audio thread failed too often within 30 s and the engine stopped trying (state `error`). | Reload the page; `engine.start()` tries once more. */
  | 'recovery-failed'
  /** elements | `define()`: another library holds the tag (`tag`, `element`); ours was not registered under it. | Register under another prefix: `define({ prefix })` from `daw-elements/classes`. */
  | 'name-taken'
  /** elements | An element was asked to play while the engine is not running and nothing can start it without a user gesture. | Start the engine from a click or key press (the `<daw-engine>` button, `engine.start()`). */
  | 'not-running'
  /** elements | An element not in the document (or without a slot) was asked to play. | Insert it into the page first. */
  | 'not-connected'
  /** elements | A `<daw-clip>` has no mixer channel: its `<daw-channel>` is not defined yet, or no channel was free. | Load the script that defines the tags; free a channel. */
  | 'no-channel'
  /** elements | A `<daw-clip>` was asked to play without a file. | Set its `src`. */
  | 'no-source'
  /** engine | `engine.recordInput()` could not open the input: microphone permission denied, no such device, or the device busy (the message says which). | Allow the microphone for the site (address bar or settings), pick another `deviceId`, or close the app using it. */
  | 'input-failed'
  /** elements | `<daw-engine>`'s export or record button failed (the message says why: a channel fed by AudioNodes cannot be bounced, the engine could not start, frames were lost). | Act on the message; `engine.bounce()` / `engine.record()` give the same errors. */
  | 'export-failed'
  /** elements | A `<daw-sequence>` is not inside a synth or clip element, or a `<daw-steps>`'s `for` names none. | Put the sequence inside `<daw-synth>` or `<daw-clip>`; set `for` to the id of a synth or the ids of clips. */
  | 'no-target';

/** Detail of every `daw-error` event, from the engine and from the elements. */
export interface DawErrorDetail {
  code: DawErrorCode;
  /** What happened and what to do, for people. */
  message: string;
  /** Engine API: the parameter concerned, e.g. 'volumeDb'. */
  param?: string;
  /** Elements: the attribute concerned (also for property sets), e.g. 'volume-db'. */
  attribute?: string;
  value?: unknown;
  /** Valid range, e.g. '-24 to 24 dB' or 'sine | triangle | saw | square | pulse'. */
  range?: string;
  /** worklet-crashed, context-lost, recovery-failed: failures within the last 30 s, this one included. */
  attempt?: number;
  /** `name-taken`: the tag another library holds, e.g. 'daw-clip'. */
  tag?: string;
  /** `name-taken`: the class that would have been registered under `tag`, e.g. 'DawClip'. */
  element?: string;
  /** What to do, on the errors that stop audio (from `<daw-engine>`: the engine failed to start or stopped). */
  advice?: string;
  /** With `advice`: whether starting again can help (a network error) or not (a CSP without 'wasm-unsafe-eval'). */
  retry?: boolean;
  error?: unknown;
}

/** Events the engine fires, for typed addEventListener / removeEventListener. */
export interface EngineEventMap {
  'daw-error': CustomEvent<DawErrorDetail>;
  'daw-ready': CustomEvent<{ engine: Engine }>;
  'daw-statechange': CustomEvent<{ state: EngineState; recovered?: RecoveryReport }>;
  /** The quality level changed (adaptive quality, or a new fixed level): level, previous, setting, reason. */
  'daw-quality': CustomEvent<QualityChangeDetail>;
}
