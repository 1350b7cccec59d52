import { html, nothing, type PropertyDeclarations } from 'lit';
import { SYNTH_PARAMS, type Channel, type Synth, type SynthParamName, type SynthParams } from '../../src/index.js';
import { BRAND } from '../shared/define.js';
import { ChannelTarget, providePlayer } from '../shared/context.js';
import { DawElement } from '../shared/element.js';
import { notRunning } from '../shared/advice.js';
import { EngineController, startInGesture } from '../shared/engine.js';
import { ParamController, declare, defsOf, type ParamDef, type SetByName } from '../shared/params.js';
import { DeferredRelease } from '../shared/release.js';
import { base } from '../shared/styles.js';
import styles from './daw-synth.styles.js';

const DEFS: ParamDef[] = defsOf(SYNTH_PARAMS.filter((p) => !p.internal));
type SynthProps = { [K in Exclude<SynthParamName, 'channel'>]: K extends 'wave' ? string : number };

const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
/** Computer keys, as on most DAWs: A W S E D F T G Y H U J K play C..C of the keyboard's lower octave. */
const KEYMAP = 'awsedftgyhujk';
const noteName = (p: number) => `${NAMES[p % 12]}${Math.floor(p / 12) - 1}`;

/**
 * @summary A polyphonic synth playing into its enclosing `<daw-channel>` (or a private channel when standalone).
 *
 * @description Every synth parameter is an attribute and a property (`wave`, `pulse-width`, `octave`,
 * `detune-cents`, `attack-ms`, `decay-ms`, `sustain`, `release-ms`, `cutoff-hz`, `resonance`,
 * `env-amount`, `key-track`, `gain-db`, `polyphony`, `glide-ms`, `velocity-sense`). Play it with
 * noteOn/noteOff/play/allNotesOff (times are AudioContext times, `getEngine().context.currentTime`),
 * the on-screen keyboard (`keyboard`), the computer keyboard while it has focus (A W S E D F T G Y H
 * U J K = C..C, Z/X octave down/up) or Web MIDI (`midi`).
 *
 * Notes before the engine runs: inside a user gesture the call starts the engine and the note sounds
 * as soon as audio runs; outside a gesture the note is dropped (nothing is queued to blast out later),
 * the method returns -1 and the element fires `daw-error` with code `not-running`.
 *
 * @attr keyboard - Show a two-octave on-screen keyboard (and make the element focusable).
 * @attr midi - Listen to every Web MIDI input (asks for MIDI access when set).
 *
 * @event daw-error - Invalid parameter or note, engine not running, no free synth, MIDI unavailable.
 *   `detail: { code, message, attribute?, value?, range? }`.
 *
 * @csspart keyboard - The on-screen keyboard's frame (the keys and the octave readout).
 * @csspart key - Each key (a button; `aria-pressed` while it sounds).
 * @csspart octave - The octave readout (inside the frame, under the keys).
 *
 * @cssproperty --daw-key-width - White key width. @cssproperty --daw-key-height - Keyboard height.
 * @cssproperty --daw-key-white - White key colour. @cssproperty --daw-key-black - Black key colour.
 * @cssproperty --daw-key-active - Sounding key colour (default --daw-accent).
 * @cssproperty --daw-surface - Background. @cssproperty --daw-border - Border colour.
 * @cssproperty --daw-focus-ring - Focus outline colour.
 */
export class DawSynth extends DawElement {
  static styles = [base, styles];
  /** Marks the class as daw-elements' synth element (told apart from other libraries' tags by this, not by name). */
  static readonly [BRAND] = 'synth';
  static properties: PropertyDeclarations = {
    ...declare(DEFS),
    keyboard: { type: Boolean, reflect: true },
    midi: { type: Boolean },
    lowNote: { state: true },
  };

  // Reactive properties: `declare`d and set in the constructor (see DawChannel).
  /** Show the on-screen keyboard. */
  declare keyboard: boolean;
  /** Listen to Web MIDI inputs. */
  declare midi: boolean;
  /** Lowest note of the on-screen keyboard (C4); Z/X move it by an octave. */
  private declare lowNote: number;
  #_synth: Synth | null = null;
  /** Sounding pitches -> how many inputs hold them (on-screen, computer keys, MIDI). */
  readonly #sounding = new Map<number, number>();
  /** Computer key -> pitch it started (so Z/X between down and up cannot leave a note stuck). */
  readonly #keysDown = new Map<string, number>();
  #midiAccess: MIDIAccess | null = null;
  #midiWanted = false;
  protected readonly engineCtl = new EngineController(this, () => undefined);
  protected readonly params = new ParamController(this, DEFS, (def, v) => (this.#_synth as SetByName | null)?.set(def.spec.name, v),
    () => this.#_synth as { get(n: string): number } | null);
  /** The enclosing channel element's channel (found by context, under any tag name), or a private one. */
  readonly #target = new ChannelTarget(this, this.engineCtl.engine, 'daw-synth', () => this.reroute());
  readonly #onMidi = (e: Event) => {
    const [st, d1, d2] = (e as MIDIMessageEvent).data ?? [];
    const cmd = st & 0xf0;
    if (cmd === 0x90 && d2 > 0) this.#press(d1, d2 / 127);
    else if (cmd === 0x80 || cmd === 0x90) this.#release(d1);
  };

  constructor() {
    super();
    providePlayer(this); // a <daw-sequence>/<daw-steps> inside plays this element
    this.keyboard = false;
    this.midi = false;
    this.lowNote = 60;
    new DeferredRelease(this, () => {
      this.#_synth?.dispose();
      this.#_synth = null;
      this.#target.release();
    });
    this.addEventListener('keydown', (e) => this.#onKey(e, true));
    this.addEventListener('keyup', (e) => this.#onKey(e, false));
    this.addEventListener('focusout', (e) => {
      if (!this.contains(e.relatedTarget as Node) && !this.renderRoot.contains(e.relatedTarget as Node)) this.#releaseKeys();
    });
  }

  /** The engine synth while connected. */
  get synth(): Synth | null {
    return this.#_synth;
  }

  /** The channel the synth plays into (the enclosing `<daw-channel>`'s, or its private one). */
  get channel(): Channel | null {
    return this.#_synth?.channel ?? null;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.keyboard && !this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (!this.#_synth) {
      this.params.sync();
      try {
        this.#_synth = this.engineCtl.engine.createSynth(null, this.params.values as SynthParams);
      } catch (e) {
        this.emit('daw-error', { code: 'capacity', message: (e as Error).message, error: e });
        return;
      }
    }
    this.reroute();
    if (this.midi) this.#listenMidi(true);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#listenMidi(false);
    this.#releaseKeys();
  }

  /**
   * Routes into the enclosing `<daw-channel>` (found by context, under any tag prefix), or a private
   * headless channel when there is none; runs on connect and whenever the enclosing channel answers.
   */
  reroute(): void {
    const s = this.#_synth;
    if (!s || !this.isConnected) return;
    const target = this.#target.resolve(); // an enclosing element's is null until it has claimed; it tells us then
    if (s.channel !== target || (target && s.get('channel') !== target.slot)) s.route(target);
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('midi') && this.isConnected) this.#listenMidi(this.midi);
    if (changed.has('keyboard') && this.keyboard && !this.hasAttribute('tabindex')) this.tabIndex = 0;
  }

  /** The synth if a note may be sent now; see the class doc for the policy before start. */
  #ready(what: string): Synth | null {
    const s = this.#_synth;
    const e = this.engineCtl.engine;
    if (!s) {
      this.emit('daw-error', { code: 'not-connected', message: `<daw-synth> ${what}: the element is not in the document (or no synth slot was free)` });
      return null;
    }
    if (e.state === 'running' || e.state === 'starting' || startInGesture()) return s; // the note sounds once audio runs
    this.emit('daw-error', { code: 'not-running', message: notRunning(`<daw-synth> ${what}`, e, 'The note was dropped.') });
    return null;
  }

  #guard<T>(what: string, fn: (s: Synth) => T, fallback: T): T {
    const s = this.#ready(what);
    if (!s) return fallback;
    try {
      return fn(s);
    } catch (e) {
      this.emit('daw-error', { code: 'invalid-value', message: `<daw-synth> ${what}: ${(e as Error).message}`, error: e });
      return fallback;
    }
  }

  /** Starts a note: MIDI pitch 0..127, velocity 0..1, `time` an AudioContext time (default now). Returns its id, or -1 if not sent. */
  noteOn(pitch: number, velocity = 1, time?: number): number {
    return this.#guard('noteOn', (s) => s.noteOn(pitch, velocity, time), -1);
  }

  /** Releases the notes held at `pitch`, at `time` (AudioContext time, default now). */
  noteOff(pitch: number, time?: number): void {
    this.#guard('noteOff', (s) => s.noteOff(pitch, time), undefined);
  }

  /** Plays `pitch` for `duration` seconds from `time` (default now). Returns the note id, or -1 if not sent. */
  play(pitch: number, duration: number, opts: { time?: number; velocity?: number } = {}): number {
    return this.#guard('play', (s) => s.play(pitch, duration, opts), -1);
  }

  /** Releases every note (with `immediate`, a short fade instead of the release). */
  allNotesOff(immediate = false): void {
    this.#_synth?.allNotesOff(immediate);
    this.#sounding.clear();
    this.#keysDown.clear();
    this.requestUpdate();
  }

  /** Live input (keys, MIDI): counts holders per pitch so two inputs on one pitch release once. */
  #press(pitch: number, velocity = 0.8): void {
    if (pitch < 0 || pitch > 127) return;
    const n = this.#sounding.get(pitch) ?? 0;
    if (n === 0 && this.noteOn(pitch, velocity) < 0) return;
    this.#sounding.set(pitch, n + 1);
    this.requestUpdate();
  }

  #release(pitch: number): void {
    const n = this.#sounding.get(pitch);
    if (!n) return;
    if (n > 1) this.#sounding.set(pitch, n - 1);
    else {
      this.#sounding.delete(pitch);
      if (this.#_synth && !this.#_synth.isDisposed) this.#_synth.noteOff(pitch);
    }
    this.requestUpdate();
  }

  #releaseKeys(): void {
    for (const p of [...this.#sounding.keys()]) {
      this.#sounding.set(p, 1);
      this.#release(p);
    }
    this.#keysDown.clear();
  }

  #onKey(e: KeyboardEvent, down: boolean): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.toLowerCase();
    const onScreen = (e.composedPath()[0] as HTMLElement).dataset?.pitch;
    if (onScreen !== undefined && (key === ' ' || key === 'enter')) {
      e.preventDefault(); // no click: the key plays while held
      if (down && !e.repeat && !this.#keysDown.has(key)) {
        this.#keysDown.set(key, Number(onScreen));
        this.#press(Number(onScreen));
      } else if (!down && this.#keysDown.has(key)) {
        this.#release(this.#keysDown.get(key)!);
        this.#keysDown.delete(key);
      }
      return;
    }
    if (down && (key === 'z' || key === 'x')) {
      this.lowNote = Math.min(96, Math.max(12, this.lowNote + (key === 'z' ? -12 : 12)));
      e.preventDefault();
      return;
    }
    const i = KEYMAP.indexOf(key);
    if (i < 0 || key.length !== 1) return;
    e.preventDefault();
    if (down) {
      if (e.repeat || this.#keysDown.has(key)) return;
      this.#keysDown.set(key, this.lowNote + i);
      this.#press(this.lowNote + i);
    } else if (this.#keysDown.has(key)) {
      this.#release(this.#keysDown.get(key)!);
      this.#keysDown.delete(key);
    }
  }

  #listenMidi(on: boolean): void {
    this.#midiWanted = on;
    const attach = (a: MIDIAccess) => a.inputs.forEach((i) => (on && this.#midiWanted ? i.addEventListener('midimessage', this.#onMidi) : i.removeEventListener('midimessage', this.#onMidi)));
    if (!on) {
      if (this.#midiAccess) attach(this.#midiAccess);
      return;
    }
    if (this.#midiAccess) return attach(this.#midiAccess);
    if (typeof navigator.requestMIDIAccess !== 'function') {
      this.emit('daw-error', { code: 'unsupported', attribute: 'midi', message: '<daw-synth> midi: this browser has no Web MIDI (navigator.requestMIDIAccess)' });
      return;
    }
    navigator.requestMIDIAccess().then((a) => {
      this.#midiAccess = a;
      a.addEventListener('statechange', () => attach(a)); // inputs plugged in later
      attach(a);
    }, (err) => this.emit('daw-error', { code: 'unsupported', attribute: 'midi', message: `<daw-synth> midi: MIDI access failed: ${(err as Error)?.message ?? err}`, error: err }));
  }

  #key(pitch: number) {
    const black = NAMES[pitch % 12].length > 1;
    const on = this.#sounding.has(pitch);
    const up = () => {
      if (this.#keysDown.get('pointer') === pitch) {
        this.#keysDown.delete('pointer');
        this.#release(pitch);
      }
    };
    return html`<button part="key" class="key ${black ? 'black' : ''}" data-pitch=${pitch} aria-label=${noteName(pitch)} aria-pressed=${on}
      @pointerdown=${(e: PointerEvent) => {
        (e.target as HTMLElement).releasePointerCapture?.(e.pointerId); // glissando: pointerenter on the next key
        if (e.buttons & 1) { this.#keysDown.set('pointer', pitch); this.#press(pitch); }
      }}
      @pointerenter=${(e: PointerEvent) => {
        if (e.buttons & 1 && !this.#keysDown.has('pointer')) { this.#keysDown.set('pointer', pitch); this.#press(pitch); }
      }}
      @pointerup=${up} @pointerleave=${up} @pointercancel=${up}>${black || pitch % 12 ? '' : noteName(pitch)}</button>`;
  }

  render() {
    if (!this.keyboard) return nothing;
    const keys = [];
    for (let p = this.lowNote; p < this.lowNote + 24; p++) keys.push(this.#key(p));
    return html`<div part="keyboard" class="keyboard" role="group" aria-label="Keyboard">
      <div class="keys">${keys}</div>
      <div part="octave" class="octave">${noteName(this.lowNote)}–${noteName(this.lowNote + 23)} · Z/X octave</div>
    </div>`;
  }
}

// The parameter properties are declared from SYNTH_PARAMS above; this gives them their types.
export interface DawSynth extends SynthProps {}
