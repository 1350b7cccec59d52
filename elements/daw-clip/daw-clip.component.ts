import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { Sample, type Channel, type ParamSpec } from '../../src/index.js';
import { show } from '../../src/validate.js';
import { diagnose, notRunning, stateView } from '../shared/advice.js';
import { ChannelTarget, providePlayer } from '../shared/context.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController, startInGesture } from '../shared/engine.js';
import { ParamController, checkText, defsOf, numberConverter, type ParamDef } from '../shared/params.js';
import { DeferredRelease } from '../shared/release.js';
import { base } from '../shared/styles.js';
import { ClipLoader, START_HINT, type DawClipEvents } from './clip-loader.js';
import { ClipPlayer } from './clip-player.js';
import { fileName, fmtTime } from './format.js';
import styles from './daw-clip.styles.js';

export type { DawClipEvents, DawClipLoadDetail } from './clip-loader.js';


/** Whether `x` is a Sample; false for a value whose prototype cannot be read (a hostile Proxy: checkText then reports it). */
function isSample(x: unknown): x is Sample {
  try {
    return x instanceof Sample;
  } catch {
    return false;
  }
}

/** The clip's numeric attributes, validated like the engine's parameters (checkParam: clamp + daw-error). */
const spec = (name: string, attribute: string, unit: string, max: number, def = 0): ParamSpec =>
  ({ name, attribute, index: -1, unit, min: 0, max, default: def, scope: 'all', internal: false, integer: false });
const DEFS: ParamDef[] = defsOf([
  spec('gain', 'gain', '', 16, 1), // linear gain of the clip
  spec('offset', 'offset', 's', Infinity), // where playing starts, in seconds into the file
  spec('loopStart', 'loop-start', 's', Infinity), // loop region start
  spec('loopEnd', 'loop-end', 's', Infinity), // loop region end; 0 is the end of the file
]);

/**
 * What the clip shows: no src, waiting for the engine to start, loading, loaded, failed, or the file
 * cannot load because the engine failed or was closed ('no-audio').
 */
type View = 'empty' | 'waiting' | 'loading' | 'ready' | 'error' | 'no-audio';
const STATUS: Record<Exclude<View, 'error' | 'no-audio'>, string> = { empty: 'No file', waiting: 'Waiting for audio to start', loading: 'Loading…', ready: 'Ready' };

const validTime = (t: unknown) => t === undefined || (typeof t === 'number' && Number.isFinite(t) && t >= 0);

/**
 * @summary An audio file playing in its enclosing `<daw-channel>` (or a private channel when standalone), from the engine's memory.
 *
 * @description `<daw-clip src="loops/drums.wav" loop>` loads the file into the engine (any format the
 * browser decodes; the load waits until audio starts on the first click or key press) and shows a
 * play/stop button with the file name, duration and load state. It plays into the closest
 * `<daw-channel>`; without one it claims a private headless channel, as `<daw-synth>` does. A
 * channel plays one clip at a time: starting a clip ends any other clip in the same channel (5 ms
 * cross-fade).
 *
 * `play(time?)`, `stop(time?)` and `toggle()` take AudioContext times (`getEngine().now()`); `play()`
 * while playing restarts from `offset`. Before the file is loaded, `play()` plays it as soon as it is
 * (inside a user gesture it also starts the engine; outside one, with audio not started, it fires
 * `daw-error` with code `not-running` instead). `playing` follows the engine's clock: a clip without
 * `loop` stops being `playing` when it reaches the end of the file.
 *
 * Changing `src` (or `loop-start`/`loop-end`, which are fixed when the file loads) loads it again; the
 * current file keeps playing until the new one is in place, which then takes over if the clip was
 * playing (or has `autoplay`), and the old one is freed. `gain`, `offset` and `loop` apply from the
 * next play (use the channel's `volume-db` for a live level). Removing the element stops it and,
 * after the current task (a DOM move keeps it loaded), frees the file from the engine's memory.
 * Invalid values are clamped (out of range) or ignored (not a number) and reported with `daw-error`.
 *
 * @attr playing - Present while the clip plays (set by the element, for styling: `daw-clip[playing]`).
 *
 * @event daw-clip-load - The file is loaded and can play. `detail: { src, duration, sample }`.
 * @event daw-error - The file could not be loaded or decoded, an invalid value (clamped or ignored),
 *   a play before audio started outside a gesture. `detail: { code, message, attribute?, value?, range? }`.
 *
 * @csspart clip - The container.
 * @csspart button - The play/stop toggle (`aria-pressed` while playing or about to).
 * @csspart label - The file name (or `label`).
 * @csspart duration - The file's length.
 * @csspart status - The load state: "Waiting for audio to start", "Loading…", "Ready", the error, or why
 *   audio is unavailable (the engine failed or was closed; its title says what to do).
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Duration and status text. @cssproperty --daw-accent - The pressed button.
 * @cssproperty --daw-border - Border colour. @cssproperty --daw-radius - Corner radius.
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-focus-ring - Focus outline colour.
 * @cssproperty --daw-button-bg - Button background. @cssproperty --daw-error-color - Error text.
 * @cssproperty --daw-clip-width - Largest width (default 16rem).
 * @cssproperty --daw-clip-playing-color - Border while playing (default --daw-accent).
 */
export class DawClip extends DawElement<DawClipEvents> {
  static styles = [base, styles];
  /** Marks the class as daw-elements' clip element (told apart from other libraries' tags by this, not by name). */
  static readonly [BRAND] = 'clip';
  static properties: PropertyDeclarations = {
    src: {},
    label: {},
    loop: { type: Boolean },
    autoplay: { type: Boolean },
    gain: { converter: numberConverter },
    offset: { converter: numberConverter },
    loopStart: { attribute: 'loop-start', converter: numberConverter },
    loopEnd: { attribute: 'loop-end', converter: numberConverter },
  };

  // Reactive properties: `declare`d and set in the constructor (see DawChannel).
  /**
   * URL of the audio file (relative to the page; `blob:` URLs work). Changing it loads the new file.
   * A Sample of the page's engine (`engine.recordInput()`'s, `engine.loadSample()`'s) plays as it is:
   * nothing is loaded, and the clip never frees it (the page does, with `sample.dispose()`).
   */
  declare src: string | URL | Sample | null;
  /** Name shown and read out ("Play drums"); default: the file name from `src`. */
  declare label: string;
  /** Loop the loop region (the whole file unless `loop-start`/`loop-end`) until stopped. */
  declare loop: boolean;
  /** Play as soon as the file is loaded and audio runs. */
  declare autoplay: boolean;
  /** Linear gain, 0 to 16 (default 1); applies from the next play. */
  declare gain: number;
  /** Seconds into the file where playing starts (>= 0, default 0); applies from the next play. */
  declare offset: number;
  /** Loop region start in seconds (default 0); applied when the file loads (a change reloads it). */
  declare loopStart: number;
  /** Loop region end in seconds; 0 (default) is the end of the file. Applied when the file loads. */
  declare loopEnd: number;

  protected readonly engineCtl = new EngineController(this, (ev) => {
    // The engine failed to start, then started on a retry: load what failed for want of it.
    if (ev.type === 'daw-ready' && this.#loader.state === 'error' && this.isConnected) this.#syncSource(true);
    this.requestUpdate();
  });
  protected readonly params = new ParamController(this, DEFS, () => undefined);
  /** The enclosing channel element's channel (found by context, under any tag name), or a private one. */
  readonly #target = new ChannelTarget(this, this.engineCtl.engine, 'daw-clip', () => this.reroute());
  readonly #emitter = this.emit.bind(this);
  /** Playing, stopping, and when it ends (clip-player.ts). */
  readonly #player = new ClipPlayer(this, this.engineCtl.engine, this.#emitter, () => this.channel,
    () => ({ ...(this.params.values as { offset: number; gain: number }), loop: this.loop, autoplay: this.autoplay }));
  /** The file: loading, replacing, freeing (clip-loader.ts). */
  readonly #loader = new ClipLoader(this, this.engineCtl.engine, this.#emitter, this.#player);

  constructor() {
    super();
    providePlayer(this); // a <daw-sequence>/<daw-steps> inside plays this element
    this.src = null;
    this.label = '';
    this.loop = false;
    this.autoplay = false;
    this.gain = 1;
    this.offset = 0;
    this.loopStart = 0;
    this.loopEnd = 0;
    new DeferredRelease(this, () => {
      this.#loader.release();
      this.#target.release();
    });
  }

  /** True once the file is in the engine's memory and can play. */
  get loaded(): boolean {
    return this.#loader.sample !== null;
  }

  /** True from play() until the clip ends (end of the file without `loop`), is stopped, or is replaced in its channel. */
  get playing(): boolean {
    return this.#player.playing;
  }

  /** Length of the file in seconds; NaN until it is loaded (as for `<audio>`). */
  get duration(): number {
    return this.#loader.sample ? this.#loader.sample.duration : NaN;
  }

  /** The engine sample while loaded. */
  get sample(): Sample | null {
    return this.#loader.sample;
  }

  /** The channel the clip plays into: the enclosing `<daw-channel>`'s, or its private one. */
  get channel(): Channel | null {
    return this.#target.channel;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.params.sync();
    this.reroute();
    this.#syncSource();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop(); // a clip does not go on sounding from outside the document (a move re-inserts it stopped)
  }

  /**
   * Follows the enclosing `<daw-channel>` (found by context, under any tag prefix; runs on connect
   * and whenever the enclosing channel answers); claims a private headless channel when there is none.
   */
  reroute(): void {
    if (!this.isConnected) return;
    this.#target.resolve();
    this.#player.watch();
  }

  protected update(changed: PropertyValues): void {
    // The ParamController has validated gain, offset and the loop points (hostUpdate runs first).
    const host = this as unknown as HTMLElement & Record<string, unknown>;
    if (changed.has('src') && !(isSample(this.src))) checkText(host, 'src', 'src', true);
    if (changed.has('label')) checkText(host, 'label', 'label');
    if (changed.has('src') || changed.has('loopStart') || changed.has('loopEnd')) this.#syncSource();
    super.update(changed);
  }

  /** Loads `src` with the loop points when they differ from what is loaded (or loading), or `again`. */
  #syncSource(again = false): void {
    if (!this.isConnected) return;
    const { loopStart, loopEnd } = this.params.values;
    if (isSample(this.src)) this.#loader.use(this.src);
    else this.#loader.sync(this.src ? String(this.src) : '', loopStart, loopEnd, again);
  }

  /**
   * Plays the clip from `offset` at AudioContext `time` (default now); restarts it if it plays.
   * Returns false (and fires `daw-error`) when it cannot.
   */
  play(time?: number): boolean {
    if (!validTime(time)) {
      this.emit('daw-error', { code: 'invalid-value', value: time, range: 'an AudioContext time in seconds >= 0 (getEngine().now())', message: `<daw-clip> play: time ${show(time)} is not an AudioContext time in seconds >= 0` });
      return false;
    }
    if (!this.isConnected) {
      this.emit('daw-error', { code: 'not-connected', message: '<daw-clip> play: the element is not in the document' });
      return false;
    }
    if (!this.src) {
      this.emit('daw-error', { code: 'no-source', attribute: 'src', message: '<daw-clip> play: there is no file to play; set src' });
      return false;
    }
    const loader = this.#loader;
    if (loader.state === 'error' && !loader.engineDown) {
      this.emit('daw-error', { code: 'load-failed', attribute: 'src', value: this.src, message: `<daw-clip> play: the file could not be loaded (${loader.errorText})` });
      return false;
    }
    const e = this.engineCtl.engine;
    // Audio must run or start now: a closed engine, a failure that starting again cannot fix (a CSP,
    // no AudioWorklet), or a start outside a user gesture get an answer saying what to do.
    const needsStart = e.state === 'idle' || e.state === 'error' || (e.state === 'suspended' && !loader.sample);
    if (e.state === 'closed' || (e.state === 'error' && !diagnose(e.error).retry) || (needsStart && !startInGesture(true))) {
      this.emit('daw-error', { code: 'not-running', message: notRunning('<daw-clip> play', e, 'Nothing was played.', START_HINT) });
      return false;
    }
    return this.#player.play(loader.sample, time);
  }

  /** Stops the clip at AudioContext `time` (default now) with a 5 ms fade; cancels a pending play. */
  stop(time?: number): void {
    if (!validTime(time)) {
      this.emit('daw-error', { code: 'invalid-value', value: time, range: 'an AudioContext time in seconds >= 0 (getEngine().now())', message: `<daw-clip> stop: time ${show(time)} is not an AudioContext time in seconds >= 0` });
      return;
    }
    this.#player.stop(time);
  }

  /** Stops the clip if it plays (or is about to), plays it otherwise. Returns whether it plays now. */
  toggle(): boolean {
    if (this.playing || this.#player.pending) this.stop();
    else this.play();
    return this.#player.pressed;
  }

  /** The button is the user gesture that may start audio (autoplay policy), then plays or stops. */
  #onClick(): void {
    if (this.playing || this.#player.pending) {
      this.stop();
      return;
    }
    startInGesture(true, true);
    this.play();
  }

  get #view(): View {
    const state = this.#loader.state;
    if (this.#loader.engineDown && (state === 'loading' || state === 'error')) return 'no-audio';
    if (state !== 'loading') return state;
    const s = this.engineCtl.engine.state;
    return s === 'idle' || s === 'starting' ? 'waiting' : 'loading';
  }

  render() {
    const view = this.#view;
    const name = this.label || (this.src && !(isSample(this.src)) ? fileName(String(this.src), document.baseURI) : '') || 'audio clip';
    const pressed = this.#player.pressed;
    const engine = this.engineCtl.engine;
    // A click may start audio, or retry a start that a retry can fix (not a CSP or a closed engine).
    const canPress = view === 'ready' || view === 'waiting' || (view === 'loading' && pressed)
      || (view === 'no-audio' && engine.state === 'error' && diagnose(engine.error).retry);
    // The status, and its long form for the title (what to do when audio is unavailable).
    const { text, detail } = stateView(engine);
    const [status, title] = view === 'error' ? [`Error: ${this.#loader.errorText}`, this.#loader.errorText] : view === 'no-audio' ? [text, detail]
      : [view === 'waiting' && engine.state === 'starting' ? 'Starting audio…' : STATUS[view], ''];
    return html`<div part="clip" class="clip">
      <button part="button" aria-pressed=${pressed} aria-label="${pressed ? 'Stop' : 'Play'} ${name}" ?disabled=${!canPress}
        @click=${() => this.#onClick()}><span class="icon" aria-hidden="true"></span></button>
      <span part="label" class="label" title=${name}>${name}</span>
      <span part="duration" class="duration">${fmtTime(this.duration)}</span>
      <span part="status" class="status" role="status" data-state=${view} title=${title || nothing}>${status}</span>
    </div>`;
  }
}
