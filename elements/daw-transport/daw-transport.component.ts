import { html, type PropertyDeclarations } from 'lit';
import type { TransportEventDetail } from '../../src/index.js';
import { show } from '../../src/validate.js';
import { BRAND } from '../shared/define.js';
import { DawElement, emitChange, type DawEvents } from '../shared/element.js';
import { EngineController, FrameController, startInGesture } from '../shared/engine.js';
import { base } from '../shared/styles.js';
import styles from './daw-transport.styles.js';

/** The events `<daw-transport>` fires. */
export interface DawTransportEvents extends DawEvents {
  'daw-transport': TransportEventDetail;
}

/**
 * @summary The page's transport: play/stop, tempo, position, loop and metronome toggles.
 *
 * @description It drives `engine.transport` (the page's one engine), which runs in the audio
 * thread; the position is read from it on animation frames. The buttons are native buttons
 * (Enter/Space) with `aria-pressed`, the tempo a number field (arrow keys step it). A click on play
 * also starts the engine (a user gesture).
 *
 * @attr tempo - Tempo, 20 to 400 BPM (default 120). Each setting starts from `engine.transport`'s.
 * @attr metronome - Metronome click on.
 * @attr loop - Loop the region `loop-start` .. `loop-end`.
 * @attr loop-start - Loop start in beats (default 0).
 * @attr loop-end - Loop end in beats (default 4).
 * @attr playing - Reflects the transport's state (set while it plays).
 *
 * @event daw-transport - The transport's state changed: `detail: { change, state, frame, time, count }`.
 * @event daw-change - The user changed tempo, loop or metronome here. `detail: { property, attribute, value }`.
 * @event daw-error - An invalid attribute (`detail.attribute`, `value`, `range`).
 *
 * @csspart face - The bar holding everything.
 * @csspart play - The play/stop button.
 * @csspart position - The position: bar.beat.tick.
 * @csspart tempo - The tempo field.
 * @csspart loop - The loop toggle.
 * @csspart metronome - The metronome toggle.
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-accent - Pressed toggles. @cssproperty --daw-border - Border colour.
 * @cssproperty --daw-radius - Corner radius. @cssproperty --daw-font - Font shorthand.
 * @cssproperty --daw-focus-ring - Focus outline colour.
 */
export class DawTransport extends DawElement<DawTransportEvents> {
  static styles = [base, styles];
  /** Marks the class as daw-elements' transport element. */
  static readonly [BRAND] = 'transport';
  static properties: PropertyDeclarations = {
    tempo: { type: Number },
    metronome: { type: Boolean },
    loop: { type: Boolean },
    loopStart: { type: Number, attribute: 'loop-start' },
    loopEnd: { type: Number, attribute: 'loop-end' },
    playing: { type: Boolean, reflect: true },
  };

  /** Tempo in BPM (20 to 400). */
  declare tempo: number;
  /** Metronome on. */
  declare metronome: boolean;
  /** Loop on. */
  declare loop: boolean;
  /** Loop start, beats. */
  declare loopStart: number;
  /** Loop end, beats. */
  declare loopEnd: number;
  /** True while the transport plays (read it; the buttons and `engine.transport` change it). */
  declare playing: boolean;
  #text = '';
  protected readonly engineCtl = new EngineController(this);
  readonly #onTransport = (ev: Event) => this.emit('daw-transport', (ev as CustomEvent<TransportEventDetail>).detail);

  constructor() {
    super();
    // Start from the transport's settings (a page may have set them before this element came).
    const t = this.transport;
    const l = t.loop;
    this.tempo = t.tempo;
    this.metronome = t.metronome;
    this.loop = l.enabled;
    this.loopStart = l.start;
    this.loopEnd = l.end;
    this.playing = false;
    new FrameController(this, () => this.#draw());
  }

  /** The page's engine's transport. */
  get transport() {
    return this.engineCtl.engine.transport;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.transport.addEventListener('transport', this.#onTransport);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.transport.removeEventListener('transport', this.#onTransport);
  }

  /** Starts the transport (and the engine, inside a user gesture). */
  play(): void {
    startInGesture();
    this.transport.start();
  }

  /** Stops the transport (back to where play began). */
  stop(): void {
    this.transport.stop();
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    const t = this.transport;
    this.#apply('tempo', changed.has('tempo') && this.tempo !== t.tempo, () => (t.tempo = this.tempo), '20 to 400 BPM');
    this.#apply('loop', ['loop', 'loopStart', 'loopEnd'].some((k) => changed.has(k)), () => (t.loop = { start: this.loopStart, end: this.loopEnd, enabled: this.loop }), 'loop-start >= 0, loop-end after it');
    if (changed.has('metronome')) t.metronome = this.metronome;
  }

  /** Applies a setting; a value the transport refuses becomes a daw-error naming the attribute. */
  #apply(attribute: string, due: boolean, set: () => unknown, range: string): void {
    if (!due) return;
    try {
      set();
    } catch (e) {
      const value = (this as unknown as Record<string, unknown>)[attribute];
      this.emit('daw-error', { code: 'invalid-value', attribute, value, range, message: `<daw-transport> ${attribute}: ${show(value)} was refused (${(e as Error).message})` });
    }
  }

  /** A change the user made with a control: applied, reflected and announced with daw-change. */
  #user(property: 'tempo' | 'loop' | 'metronome', value: number | boolean): void {
    (this as unknown as Record<string, unknown>)[property] = value;
    emitChange(this, { property, attribute: property, value });
  }

  #draw(): void {
    const root = this.renderRoot as ShadowRoot;
    const out = root.querySelector?.('output');
    if (!out || this.engineCtl.engine.state !== 'running') return;
    const p = this.transport.position;
    const text = `${p.bar}.${p.beat}.${String(p.tick).padStart(3, '0')}`;
    if (text !== this.#text) out.value = this.#text = text;
    const playing = p.state === 'playing';
    if (playing !== this.playing) this.playing = playing;
  }

  render() {
    const play = this.playing;
    return html`<div part="face" class="face" role="group" aria-label="Transport">
      <button part="play" class="play" aria-pressed=${play} @click=${() => (play ? this.stop() : this.play())}>${play ? 'Stop' : 'Play'}</button>
      <output part="position" class="position" aria-label="Position (bar.beat.tick)" .value=${this.#text || '1.1.000'}></output>
      <label class="ctl">Tempo <input part="tempo" class="tempo" type="number" min="20" max="400" step="1" .value=${String(this.tempo)}
        @change=${(e: Event) => {
          const v = (e.target as HTMLInputElement).valueAsNumber;
          if (v >= 20 && v <= 400) this.#user('tempo', v);
          else (e.target as HTMLInputElement).value = String(this.tempo);
        }}></label>
      <button part="loop" class="loop" aria-pressed=${this.loop} @click=${() => this.#user('loop', !this.loop)}>Loop</button>
      <button part="metronome" class="metronome" aria-pressed=${this.metronome} @click=${() => this.#user('metronome', !this.metronome)}>Click</button>
    </div>`;
  }
}
