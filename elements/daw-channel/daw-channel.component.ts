import { html, type PropertyDeclarations } from 'lit';
import { STRIP_PARAMS, type Channel, type Meter, type StripParamName, type ChannelParams as ChannelOptions } from '../../src/index.js';
import { ChannelProvider } from '../shared/context.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { MeterController } from '../shared/meter.js';
import { ParamController, checkText, declare, defsOf, type ParamDef, type SetByName } from '../shared/params.js';
import { DeferredRelease } from '../shared/release.js';
import { slider } from '../shared/slider.js';
import { strip } from '../shared/strip.js';
import { base, stripStyles } from '../shared/styles.js';
import styles from './daw-channel.styles.js';

/** Channel parameters: every strip parameter of scope 'all' or 'channel' that is not internal. */
const DEFS: ParamDef[] = defsOf(STRIP_PARAMS.filter((p) => !p.internal && (p.scope === 'all' || p.scope === 'channel')));

type BoolParam = 'mute' | 'solo' | 'invert';
type ChannelParamName = Exclude<StripParamName, 'limiterCeilingDb' | 'limiterReleaseMs' | 'inputIndex'>;
/** The parameter properties DawChannel gets from STRIP_PARAMS (declared below, generated at runtime). */
export type ChannelParams = { [K in ChannelParamName]: K extends BoolParam ? boolean : number };

const SILENT: Meter = { peakDb: -Infinity, rmsDb: -Infinity, gainReductionDb: 0 };
const MEDIA_KEY = Symbol.for('daw-elements.media-sources');
/** One MediaElementAudioSourceNode per media element, ever (the browser allows only one), shared by every copy of the script. */
const mediaSources: WeakMap<HTMLMediaElement, MediaElementAudioSourceNode> =
  ((globalThis as Record<symbol, unknown>)[MEDIA_KEY] as WeakMap<HTMLMediaElement, MediaElementAudioSourceNode>) ??
  ((globalThis as Record<symbol, unknown>)[MEDIA_KEY] = new WeakMap());

/**
 * @summary A mixer channel strip: claims one channel of the page's engine while it is in the document.
 *
 * @description Every channel parameter is an attribute (kebab-case, e.g. `volume-db`, `eq-high-db`,
 * `comp-threshold-db`, `send-reverb`) and a camelCase property; `mute`, `solo` and `invert` are
 * boolean attributes (`mute` and `solo` reflect). Invalid values are clamped (out of range) or
 * ignored (not a number) and reported with `daw-error`. `<daw-synth>` and `<daw-clip>` children play into the
 * channel. Removing the element frees the channel after the current task; moving it keeps the
 * channel, its slot and its parameters.
 *
 * @attr label - Name shown on the strip.
 * @attr headless - Render no strip, only the children (the channel still works).
 *
 * @slot - Content shown below the strip, typically a `<daw-synth keyboard>` or `<daw-clip>`.
 * @attr source - CSS selector of an `<audio>` or `<video>` element to feed into the channel (the
 *   `source` property also takes an AudioNode of the engine's context).
 *
 * @event daw-error - A value was invalid or out of range, the engine has no free channel, or the
 *   source could not be connected. `detail: { code, message, attribute, value, range }`.
 * @event daw-change - The user changed a parameter with the strip's controls (fader, pan, mute, solo,
 *   EQ, compressor; also while dragging). `detail: { property, attribute, value }`. Not fired when
 *   the page sets a property or attribute.
 *
 * @csspart strip - The strip container.
 * @csspart label - The channel name.
 * @csspart fader - The volume slider.
 * @csspart pan - The pan slider.
 * @csspart mute - The mute toggle (also `button`).
 * @csspart solo - The solo toggle (also `button`).
 * @csspart button - Every toggle button.
 * @csspart meter - The level meter (peak and RMS bars, peak-hold line).
 * @csspart scale - The meter's dB scale.
 * @csspart clip - The clip indicator: the highest peak since reset, red from 0 dBFS; a click (or
 *   Enter/Space) resets it.
 * @csspart sends - The sends section; @csspart send - each send slider (Reverb, Delay, Drum).
 * @csspart gain-reduction - The compressor's gain-reduction readout.
 * @csspart eq - The EQ section (`<details>`).
 * @csspart compressor - The compressor section (`<details>`).
 * @csspart control - Each labelled control; @csspart slider - each EQ/compressor slider.
 *
 * @cssproperty --daw-surface - Strip background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Secondary text. @cssproperty --daw-accent - Slider and active-toggle colour.
 * @cssproperty --daw-border - Border colour. @cssproperty --daw-radius - Corner radius.
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-focus-ring - Focus outline colour.
 * @cssproperty --daw-strip-width - Strip width. @cssproperty --daw-fader-height - Fader length.
 * @cssproperty --daw-meter-width - Meter width. @cssproperty --daw-meter-bg - Meter background.
 * @cssproperty --daw-meter-color - RMS bar colour. @cssproperty --daw-meter-peak-color - Peak bar colour.
 * @cssproperty --daw-mute-color - Mute on. @cssproperty --daw-solo-color - Solo on.
 * @cssproperty --daw-button-bg - Button background. @cssproperty --daw-clip-color - Clip indicator lit.
 * @cssproperty --daw-meter-hold-color - Peak-hold line.
 */
export class DawChannel extends DawElement {
  static styles = [base, stripStyles, styles];
  /** Marks the class as daw-elements' channel element (told apart from other libraries' tags by this, not by name). */
  static readonly [BRAND] = 'channel';
  static properties: PropertyDeclarations = {
    ...declare(DEFS, ['mute', 'solo']),
    label: {},
    headless: { type: Boolean, reflect: true },
    source: {},
  };

  // Reactive properties are `declare`d and set in the constructor: a class field would shadow Lit's
  // accessor when the build uses define semantics for class fields (esbuild at ES2022 does).
  /** Name shown on the strip (and the engine channel's label). */
  declare label: string;
  /** Render nothing; the channel still works. */
  declare headless: boolean;
  /** CSS selector of an `<audio>`/`<video>`, or an AudioNode of the engine's context. */
  declare source: string | AudioNode | null;

  #_channel: Channel | null = null;
  #connectedSource: AudioNode | null = null;
  protected readonly engineCtl = new EngineController(this, () => this.#attachSource());
  protected readonly params = new ParamController(this, DEFS, (def, v) => (this.#_channel as SetByName | null)?.set(def.spec.name, v),
    () => this.#_channel as { get(n: string): number } | null);
  /** Answers the synths and clips inside (see elements/shared/context.ts): they find this element by context, not by tag name. */
  readonly #provider = new ChannelProvider(this);
  readonly #meter: MeterController;

  constructor() {
    super();
    this.label = '';
    this.headless = false;
    this.source = null;
    this.#meter = new MeterController(this, () => (this.headless ? null : this.#_channel));
    new DeferredRelease(this, () => {
      this.#connectedSource = null;
      this.#_channel?.dispose();
      this.#_channel = null;
      this.#provider.setValue(null);
    });
  }

  /** The engine channel while the element is connected (null if none could be claimed). */
  get channel(): Channel | null {
    return this.#_channel;
  }

  /** Current levels of the channel (silence when it has none). */
  meter(): Meter {
    return this.#_channel ? this.#_channel.meter() : SILENT;
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.#_channel) return; // moved in the DOM: the channel was kept
    this.params.sync(); // validate attributes before the claim so the channel starts at them
    checkText(this as unknown as HTMLElement & Record<string, unknown>, 'label', 'label');
    try {
      this.#_channel = this.engineCtl.engine.createChannel({ label: this.label || undefined, ...(this.params.values as ChannelOptions) });
    } catch (e) {
      this.emit('daw-error', { code: 'capacity', message: (e as Error).message, error: e });
      return;
    }
    // Synths and clips inside (also those that connected before this element was upgraded) route themselves now.
    this.#provider.setValue(this.#_channel);
    this.#attachSource();
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('label')) checkText(this as unknown as HTMLElement & Record<string, unknown>, 'label', 'label');
    if (changed.has('label') && this.#_channel) this.#_channel.label = this.label;
    if (changed.has('source')) this.#attachSource();
  }

  /** Connects `source` once the engine has a context; swaps the previous source out. */
  #attachSource(): void {
    const ch = this.#_channel;
    const ctx = this.engineCtl.engine.context;
    if (!ch || !ctx || !this.isConnected) return;
    let node: AudioNode | null = null;
    try {
      if (typeof this.source === 'string' && this.source) {
        const media = (this.getRootNode() as ParentNode).querySelector?.(this.source) ?? document.querySelector(this.source);
        if (!(media instanceof HTMLMediaElement)) throw new TypeError(`no <audio> or <video> matches '${this.source}'`);
        node = mediaSources.get(media) ?? null;
        if (!node) mediaSources.set(media, (node = new MediaElementAudioSourceNode(ctx as AudioContext, { mediaElement: media })));
      } else if (this.source && typeof this.source === 'object') {
        node = this.source;
      }
      if (node === this.#connectedSource) return;
      if (this.#connectedSource) ch.disconnectSource(this.#connectedSource);
      this.#connectedSource = null;
      if (node) {
        ch.connectSource(node);
        this.#connectedSource = node;
      }
    } catch (e) {
      this.emit('daw-error', { code: 'invalid-value', attribute: 'source', value: this.source, range: 'a CSS selector of an <audio>/<video>, or an AudioNode of the engine\'s context', message: `<daw-channel> source: ${(e as Error).message}`, error: e });
    }
  }

  render() {
    if (this.headless) return html`<slot></slot>`; // no strip; children (a synth's keyboard) still show
    const p = this.params;
    return html`<div part="strip" class="strip" role="group" aria-label=${this.label || 'Channel'}>
      <div part="label" class="label">${this.label}</div>
      ${strip(p, this.#meter, true, html`<div part="sends" class="sends" role="group" aria-label="Sends">
        ${slider(p, 'sendReverb', 'Reverb', 'send')}${slider(p, 'sendDelay', 'Delay', 'send')}${slider(p, 'sendDrum', 'Drum', 'send')}</div>`)}
    </div><slot></slot>`;
  }
}

// The parameter properties are declared from STRIP_PARAMS above; this gives them their types.
export interface DawChannel extends ChannelParams {}
