import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { Channel, ParamSpec, Sample, SampleOptions } from '../../src/index.js';
import { BRAND } from '../shared/define.js';
import { ChannelTarget } from '../shared/context.js';
import { DawElement, type DawEvents } from '../shared/element.js';
import { diagnose, notRunning, stateView } from '../shared/advice.js';
import { EngineController, startInGesture } from '../shared/engine.js';
import { ParamController, checkText, defsOf, numberConverter, type ParamDef } from '../shared/params.js';
import { DeferredRelease } from '../shared/release.js';
import { base } from '../shared/styles.js';
import { show } from '../../src/validate.js';
import styles from './daw-clip.styles.js';

/** The clip's numeric attributes, validated like the engine's parameters (checkParam: clamp + daw-error). */
const spec = (name: string, attribute: string, unit: string, max: number, def = 0): ParamSpec =>
  ({ name, attribute, index: -1, unit, min: 0, max, default: def, scope: 'all', internal: false, integer: false });
const DEFS: ParamDef[] = defsOf([
  spec('gain', 'gain', '', 16, 1), // linear gain of the clip
  spec('offset', 'offset', 's', Infinity), // where playing starts, in seconds into the file
  spec('loopStart', 'loop-start', 's', Infinity), // loop region start
  spec('loopEnd', 'loop-end', 's', Infinity), // loop region end; 0 is the end of the file
]);

/** Detail of `daw-clip-load`. */
export interface DawClipLoadDetail {
  src: string;
  /** Seconds. */
  duration: number;
  sample: Sample;
}

/** `<daw-clip>`'s events. */
export interface DawClipEvents extends DawEvents {
  'daw-clip-load': DawClipLoadDetail;
}

/**
 * What the clip shows: no src, waiting for the engine to start, loading, loaded, failed, or the file
 * cannot load because the engine failed or was closed ('no-audio').
 */
type View = 'empty' | 'waiting' | 'loading' | 'ready' | 'error' | 'no-audio';
const STATUS: Record<Exclude<View, 'error' | 'no-audio'>, string> = { empty: 'No file', waiting: 'Waiting for audio to start', loading: 'Loading…', ready: 'Ready' };
/** The control that starts audio from a clip, for the not-running advice. */
const START_HINT = 'this clip\'s play button or <daw-engine>\'s "Enable audio"';

/**
 * The element that last started a clip on each channel, shared by every copy of the script: a
 * channel plays one clip at a time, so a clip started by another `<daw-clip>` ends this one.
 */
interface Owner { replaced(): void }
const OWNERS_KEY = Symbol.for('daw-elements.clip-owners');
const owners: WeakMap<Channel, Owner> =
  ((globalThis as Record<symbol, unknown>)[OWNERS_KEY] as WeakMap<Channel, Owner>) ??
  ((globalThis as Record<symbol, unknown>)[OWNERS_KEY] = new WeakMap());

const validTime = (t: unknown) => t === undefined || (typeof t === 'number' && Number.isFinite(t) && t >= 0);

/** "drums.wav" from a URL; '' for blob:/data: URLs, which carry no name. */
function fileName(src: string): string {
  try {
    const u = new URL(src, document.baseURI);
    if (u.protocol === 'data:' || u.protocol.startsWith('blob')) return ''; // (no "blob:" literal: the bundle is checked for none)
    const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
    try {
      return decodeURIComponent(last);
    } catch {
      return last;
    }
  } catch {
    return src;
  }
}

/** Seconds as "2.50 s", "12.5 s" or "1:04.2". */
function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '';
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

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
  /** URL of the audio file (relative to the page; `blob:` URLs work). Changing it loads the new file. */
  declare src: string | null;
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

  private _sample: Sample | null = null;
  private loadState: 'empty' | 'loading' | 'ready' | 'error' = 'empty';
  private errorText = '';
  /** src and loop points of the file loaded or loading; a load whose token is stale is discarded. */
  private loadKey = '';
  private loadToken = 0;
  /** A play asked for before the file was loaded. */
  private pending: { time?: number } | null = null;
  private _playing = false;
  private playingOn: Channel | null = null;
  /** AudioContext time at which the clip ends (Infinity while looping), and of a scheduled stop. */
  private endAt = Infinity;
  private stopAt = Infinity;
  private watchTimer: ReturnType<typeof setTimeout> | 0 = 0;
  private readonly owner: Owner = { replaced: () => this.ended() };
  protected readonly engineCtl = new EngineController(this, (ev) => {
    // The engine failed to start, then started on a retry: load what failed for want of it.
    if (ev.type === 'daw-ready' && this.loadState === 'error' && this.isConnected) {
      this.loadKey = '';
      this.syncSource();
    }
    this.requestUpdate();
  });
  protected readonly params = new ParamController(this, DEFS, () => undefined);
  /** The enclosing channel element's channel (found by context, under any tag name), or a private one. */
  private readonly target = new ChannelTarget(this, this.engineCtl.engine, 'daw-clip', () => this.reroute());

  constructor() {
    super();
    this.src = null;
    this.label = '';
    this.loop = false;
    this.autoplay = false;
    this.gain = 1;
    this.offset = 0;
    this.loopStart = 0;
    this.loopEnd = 0;
    new DeferredRelease(this, () => {
      this.loadToken++; // a load still running is dropped when it completes
      this.loadKey = '';
      this.retire(this._sample);
      this._sample = null;
      this.loadState = 'empty';
      this.target.release();
    });
  }

  /** True once the file is in the engine's memory and can play. */
  get loaded(): boolean {
    return this._sample !== null;
  }

  /** True from play() until the clip ends (end of the file without `loop`), is stopped, or is replaced in its channel. */
  get playing(): boolean {
    // The engine's clock decides, also between two checks of watch() (a context clock can run in
    // bursts, ahead of the timers).
    if (this._playing && this.engineCtl.engine.now() >= this.endAt) this.ended();
    return this._playing;
  }

  /** Length of the file in seconds; NaN until it is loaded (as for `<audio>`). */
  get duration(): number {
    return this._sample ? this._sample.duration : NaN;
  }

  /** The engine sample while loaded. */
  get sample(): Sample | null {
    return this._sample;
  }

  /** The channel the clip plays into: the enclosing `<daw-channel>`'s, or its private one. */
  get channel(): Channel | null {
    return this.target.channel;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.params.sync();
    this.reroute();
    this.syncSource();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop(); // a clip does not go on sounding from outside the document (a move re-inserts it stopped)
  }

  /**
   * Follows the enclosing `<daw-channel>` (called on connect, and by `<daw-channel>` when it claims
   * its channel); claims a private headless channel when there is none.
   */
  reroute(): void {
    if (!this.isConnected) return;
    this.target.resolve();
    this.watch();
  }

  protected update(changed: PropertyValues): void {
    // The ParamController has validated gain, offset and the loop points (hostUpdate runs first).
    const host = this as unknown as HTMLElement & Record<string, unknown>;
    if (changed.has('src')) checkText(host, 'src', 'src', true);
    if (changed.has('label')) checkText(host, 'label', 'label');
    if (changed.has('src') || changed.has('loopStart') || changed.has('loopEnd')) this.syncSource();
    super.update(changed);
  }

  /** Loads `src` with the loop points when they differ from what is loaded (or loading). */
  private syncSource(): void {
    if (!this.isConnected) return;
    const { loopStart, loopEnd } = this.params.values;
    const src = this.src ? String(this.src) : '';
    const key = src ? `${src}\n${loopStart}\n${loopEnd}` : '';
    if (key === this.loadKey) return;
    this.loadKey = key;
    const token = ++this.loadToken;
    this.errorText = '';
    this.requestUpdate();
    if (!src) {
      this.pending = null;
      this.stop();
      this.retire(this._sample);
      this._sample = null;
      this.loadState = 'empty';
      return;
    }
    this.loadState = 'loading';
    void this.load(src, loopStart, loopEnd, token);
  }

  private async load(src: string, loopStart: number, loopEnd: number, token: number): Promise<void> {
    const engine = this.engineCtl.engine;
    let opts: SampleOptions = { loopStart, ...(loopEnd > 0 ? { loopEnd } : {}) };
    if (loopEnd > 0 && loopEnd <= loopStart) {
      this.emit('daw-error', { code: 'invalid-value', attribute: 'loop-end', value: loopEnd, range: `greater than loop-start (${loopStart} s), or 0 for the end of the file`,
        message: `<daw-clip> loop-end: ${loopEnd} is not after loop-start (${loopStart}); looping the whole file` });
      opts = {};
    }
    let sample: Sample;
    try {
      try {
        sample = await engine.loadSample(src, opts);
      } catch (e) {
        if (!(e instanceof RangeError && /loop/.test(e.message)) || token !== this.loadToken) throw e;
        // Loop points past the end of the file: loop the whole file and say so.
        sample = await engine.loadSample(src);
        const d = sample.duration;
        const attribute = loopEnd > d ? 'loop-end' : 'loop-start';
        const value = attribute === 'loop-end' ? loopEnd : loopStart;
        this.emit('daw-error', { code: 'out-of-range', attribute, value, range: `0 to ${+d.toFixed(6)} s (the file's length)`,
          message: `<daw-clip> ${attribute}: ${value} s is past the end of the file (${+d.toFixed(6)} s); looping the whole file` });
      }
    } catch (e) {
      if (token !== this.loadToken) return;
      const message = String((e as Error)?.message ?? e).replace(/^loadSample: /, '');
      this.loadState = 'error';
      this.errorText = message;
      this.pending = null;
      this.stop();
      this.retire(this._sample);
      this._sample = null;
      this.requestUpdate();
      if (this.engineDown) {
        // Not the file's fault: the engine failed to start (or was closed). Say why and what to do.
        this.emit('daw-error', { code: 'not-running', attribute: 'src', value: src, message: notRunning('<daw-clip> src', engine, 'The file was not loaded.', START_HINT), error: e });
        return;
      }
      this.emit('daw-error', { code: /^no free/.test(message) ? 'capacity' : 'load-failed', attribute: 'src', value: src, message: `<daw-clip> src: ${message}`, error: e });
      return;
    }
    if (token !== this.loadToken) {
      sample.dispose(); // src changed or the element was removed meanwhile
      return;
    }
    const old = this._sample;
    const pending = this.pending;
    this._sample = sample;
    this.loadState = 'ready';
    this.pending = null;
    if (this._playing || pending || this.autoplay) this.begin(pending?.time); // replaces the old file with a 5 ms cross-fade
    this.retire(old);
    this.requestUpdate();
    this.emit('daw-clip-load', { src, duration: sample.duration, sample });
  }

  /**
   * Frees a sample once a stop or cross-fade that still reads it has been applied and has faded
   * (Sample.dispose() silences its players at once, without a fade).
   */
  private retire(s: Sample | null): void {
    if (!s || s.isDisposed) return;
    void this.engineCtl.engine.flush().then(() => setTimeout(() => s.dispose(), 50));
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
    if (this.loadState === 'error' && !this.engineDown) {
      this.emit('daw-error', { code: 'load-failed', attribute: 'src', value: this.src, message: `<daw-clip> play: the file could not be loaded (${this.errorText})` });
      return false;
    }
    const e = this.engineCtl.engine;
    // A closed engine, or a failure that starting again cannot fix (a CSP, no AudioWorklet): say what to do.
    if (e.state === 'closed' || (e.state === 'error' && !diagnose(e.error).retry)) {
      this.emit('daw-error', { code: 'not-running', message: notRunning('<daw-clip> play', e, 'Nothing was played.', START_HINT) });
      return false;
    }
    if ((e.state === 'idle' || e.state === 'error' || (e.state === 'suspended' && !this._sample)) && !startInGesture(true)) {
      this.emit('daw-error', { code: 'not-running', message: notRunning('<daw-clip> play', e, 'Nothing was played.', START_HINT) });
      return false;
    }
    if (!this._sample) {
      this.pending = { time }; // played when the file is loaded
      this.requestUpdate();
      return true;
    }
    return this.begin(time);
  }

  /** Stops the clip at AudioContext `time` (default now) with a 5 ms fade; cancels a pending play. */
  stop(time?: number): void {
    if (!validTime(time)) {
      this.emit('daw-error', { code: 'invalid-value', value: time, range: 'an AudioContext time in seconds >= 0 (getEngine().now())', message: `<daw-clip> stop: time ${show(time)} is not an AudioContext time in seconds >= 0` });
      return;
    }
    if (this.pending) {
      this.pending = null;
      this.requestUpdate();
    }
    if (!this._playing) return;
    const ch = this.playingOn;
    if (ch && !ch.isDisposed && owners.get(ch) === this.owner) ch.stop(time);
    if (time === undefined || time <= this.engineCtl.engine.now()) {
      this.ended();
    } else {
      this.stopAt = time;
      this.endAt = Math.min(this.endAt, time);
      this.watch();
    }
  }

  /** Stops the clip if it plays (or is about to), plays it otherwise. Returns whether it plays now. */
  toggle(): boolean {
    if (this.playing || this.pending) this.stop();
    else this.play();
    return this._playing || this.pending !== null;
  }

  private begin(time: number | undefined): boolean {
    const s = this._sample!;
    const ch = this.channel;
    const engine = this.engineCtl.engine;
    if (!ch) {
      this.emit('daw-error', { code: 'no-channel', message: '<daw-clip> play: the enclosing <daw-channel> has no mixer channel (it is not defined yet, or no channel was free)' });
      return false;
    }
    const { offset, gain } = this.params.values;
    const loop = this.loop;
    if (!loop && offset >= s.duration) {
      this.emit('daw-error', { code: 'out-of-range', attribute: 'offset', value: offset, range: `0 to ${+s.duration.toFixed(6)} s (the file's length)`,
        message: `<daw-clip> offset: ${offset} s is at or past the end of the file (${+s.duration.toFixed(6)} s); nothing to play` });
      return false;
    }
    try {
      ch.play(s, { time, offset: Math.min(offset, s.duration), loop, gain });
    } catch (e) {
      this.emit('daw-error', { code: 'invalid-value', message: `<daw-clip> play: ${(e as Error).message}`, error: e });
      return false;
    }
    const previous = owners.get(ch);
    owners.set(ch, this.owner);
    if (previous && previous !== this.owner) previous.replaced();
    this.playingOn = ch;
    const now = engine.now();
    const remaining = s.duration - offset;
    // Without shared memory an immediate play reaches the worklet with the next batch, up to an
    // animation frame later: `playing` may end that much before the sound does.
    const start = Math.max(time ?? now, now);
    this.endAt = Math.min(loop ? Infinity : start + remaining, this.stopAt > start ? this.stopAt : Infinity); // a stop scheduled earlier applies
    this.stopAt = Infinity;
    this._playing = true;
    this.toggleAttribute('playing', true);
    this.requestUpdate();
    this.watch();
    return true;
  }

  /** Ends `playing` when the engine's clock passes the clip's end, or its channel went away or plays another clip. */
  private watch(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = 0;
    if (!this._playing) return;
    const ch = this.playingOn;
    if (!ch || ch.isDisposed || owners.get(ch) !== this.owner || ch !== this.channel) {
      this.ended();
      return;
    }
    const left = this.endAt - this.engineCtl.engine.now();
    if (left <= 0) {
      this.ended();
      return;
    }
    // The context's clock decides (it stands still while suspended); at least 4 checks a second
    // notice a channel that went away.
    this.watchTimer = setTimeout(() => this.watch(), Math.min(250, left * 1000 + 1));
  }

  private ended(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = 0;
    this.stopAt = Infinity;
    if (!this._playing) return;
    this._playing = false;
    this.toggleAttribute('playing', false);
    this.requestUpdate();
  }

  /** The button is the user gesture that may start audio (autoplay policy), then plays or stops. */
  private onClick(): void {
    if (this.playing || this.pending) {
      this.stop();
      return;
    }
    startInGesture(true, true);
    this.play();
  }

  // The engine failed or was closed: a load that failed then failed for want of it, not for the file.
  private get engineDown(): boolean {
    const s = this.engineCtl.engine.state;
    return s === 'error' || s === 'closed';
  }

  private get view(): View {
    if (this.engineDown && (this.loadState === 'loading' || this.loadState === 'error')) return 'no-audio';
    if (this.loadState !== 'loading') return this.loadState;
    const s = this.engineCtl.engine.state;
    return s === 'idle' || s === 'starting' ? 'waiting' : 'loading';
  }


  render() {
    const view = this.view;
    const name = this.label || (this.src ? fileName(String(this.src)) : '') || 'audio clip';
    const pressed = this._playing || this.pending !== null;
    const engine = this.engineCtl.engine;
    // A click may start audio, or retry a start that a retry can fix (not a CSP or a closed engine).
    const canPress = view === 'ready' || view === 'waiting' || (view === 'loading' && pressed)
      || (view === 'no-audio' && engine.state === 'error' && diagnose(engine.error).retry);
    // The status, and its long form for the title (what to do when audio is unavailable).
    const { text, detail } = stateView(engine);
    const [status, title] = view === 'error' ? [`Error: ${this.errorText}`, this.errorText] : view === 'no-audio' ? [text, detail]
      : [view === 'waiting' && engine.state === 'starting' ? 'Starting audio…' : STATUS[view], ''];
    return html`<div part="clip" class="clip">
      <button part="button" aria-pressed=${pressed} aria-label="${pressed ? 'Stop' : 'Play'} ${name}" ?disabled=${!canPress}
        @click=${() => this.onClick()}><span class="icon" aria-hidden="true"></span></button>
      <span part="label" class="label" title=${name}>${name}</span>
      <span part="duration" class="duration">${fmtTime(this.duration)}</span>
      <span part="status" class="status" role="status" data-state=${view} title=${title || nothing}>${status}</span>
    </div>`;
  }
}
