import { html, type PropertyDeclarations } from 'lit';
import { BUS_NAMES, STRIP_PARAMS, type MasterParams, type Meter, type ParamSpec, type Strip } from '../../src/index.js';
import * as contract from '../../protocol/generated/contract.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { MeterController } from '../shared/meter.js';
import { ParamController, checkText, declare, defsOf, type ParamDef, type SetByName } from '../shared/params.js';
import { section, strip } from '../shared/strip.js';
import { base, stripStyles } from '../shared/styles.js';
import styles from './daw-bus.styles.js';

/** A bus effect's parameter: a strip parameter spec plus the bus it belongs to (protocol/contract.json, "busFx"). */
export type BusFxSpec = ParamSpec & { readonly bus: string };

/**
 * The bus effects' parameters, from the contract table's `busFx` list (generated as `BUS_FX`). Read
 * through the module namespace so that a contract without the list (no effect parameters yet) gives
 * an empty list, and no effect section, instead of a build error.
 */
const BUS_FX: readonly BusFxSpec[] = (contract as unknown as { BUS_FX?: readonly BusFxSpec[] }).BUS_FX ?? [];

/** Strip parameters every bus and the master have (scope 'all'), the master's limiter, the effects'. */
const STRIP_DEFS = defsOf(STRIP_PARAMS.filter((p) => !p.internal && p.scope === 'all'));
const MASTER_DEFS = defsOf(STRIP_PARAMS.filter((p) => !p.internal && p.scope === 'master'));
const FX_DEFS = defsOf(BUS_FX);
const NAMES = [...BUS_NAMES, 'master'];
const TITLES: Record<string, string> = { reverb: 'Reverb', delay: 'Delay', drum: 'Drum bus', master: 'Master' };

/**
 * @summary A bus strip (`name="reverb|delay|drum"`) with its effect's controls, or the master strip (`name="master"`).
 *
 * @description The engine has three buses, fed by the channels' sends (`send-reverb`, `send-delay`,
 * `send-drum`), and the master. This element drives one of them: the strip controls a channel has
 * where they apply to a bus (fader, pan, mute, EQ, compressor, with the same attributes:
 * `volume-db`, `pan`, `eq-low-db`, `comp-ratio`, …), a meter, and a section with the bus effect's
 * parameters (attributes in kebab-case, properties in camelCase, e.g. `reverb-decay-s` /
 * `reverbDecayS`, from the contract's effect list). For the master, that section holds the limiter
 * (`limiter-ceiling-db`, `limiter-release-ms`). A bus is not claimed: it exists while the engine
 * does, so when the element connects (or its `name` changes) it sets every parameter of its strip
 * to the element's values, and removing it leaves the bus as it was. `<daw-engine>`'s `volume-db`
 * and `ceiling-db` set the same master parameters: use one or the other. Parameters of another
 * strip's section (a limiter setting on a bus) are ignored. An unknown `name` fires `daw-error` and
 * drives nothing.
 *
 * @attr name - Which strip: `reverb`, `delay`, `drum` or `master`.
 * @attr label - Name shown on the strip (default: Reverb, Delay, Drum bus, Master).
 *
 * @event daw-error - A value was invalid or out of range, or the name is unknown.
 *   `detail: { code, message, attribute, value, range }`.
 * @event daw-change - The user changed a parameter with the strip's controls. `detail: { property, attribute, value }`.
 *
 * @csspart strip - The strip container. @csspart label - The bus name.
 * @csspart fader - The volume slider. @csspart pan - The pan slider.
 * @csspart mute - The mute toggle (also `button`). @csspart button - Every toggle button.
 * @csspart toggle - Each on/off effect parameter (freeze, …).
 * @csspart meter - The level meter. @csspart scale - Its dB scale.
 * @csspart clip - The clip indicator (highest peak since reset; click, Enter or Space resets it).
 * @csspart gain-reduction - The compressor's gain reduction (the limiter's on the master).
 * @csspart eq - The EQ section. @csspart compressor - The compressor section.
 * @csspart effect - The effect section (the limiter on the master); absent when the bus has no effect parameters.
 * @csspart control - Each labelled control. @csspart slider - Each section slider. @csspart select - Each menu.
 *
 * @cssproperty --daw-surface - Strip background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Secondary text. @cssproperty --daw-accent - Slider and active-toggle colour.
 * @cssproperty --daw-border - Border colour. @cssproperty --daw-radius - Corner radius.
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-focus-ring - Focus outline colour.
 * @cssproperty --daw-strip-width - Strip width. @cssproperty --daw-fader-height - Fader length.
 * @cssproperty --daw-meter-width - Meter width. @cssproperty --daw-meter-bg - Meter background.
 * @cssproperty --daw-meter-color - RMS bar colour. @cssproperty --daw-meter-peak-color - Peak bar colour.
 * @cssproperty --daw-meter-hold-color - Peak-hold line. @cssproperty --daw-clip-color - Clip indicator lit.
 * @cssproperty --daw-mute-color - Mute on. @cssproperty --daw-button-bg - Button background.
 */
export class DawBus extends DawElement {
  static styles = [base, stripStyles, styles];
  /** Marks the class as daw-elements' bus element (told apart from other libraries' tags, and by `<daw-mixer>`, by this, not by name). */
  static readonly [BRAND] = 'bus';
  /** The bus effects' parameter specs this element knows (the contract's `busFx` list; each names its `bus`). */
  static readonly effectParams: readonly BusFxSpec[] = BUS_FX;
  static properties: PropertyDeclarations = {
    ...declare([...STRIP_DEFS, ...MASTER_DEFS, ...FX_DEFS], ['mute']),
    name: { reflect: true },
    label: {},
  };

  /** Which strip: 'reverb', 'delay', 'drum' or 'master'. */
  declare name: string;
  /** Name shown on the strip. */
  declare label: string;

  #strip: Strip | null = null;
  protected readonly engineCtl = new EngineController(this);
  protected readonly params = new ParamController(this, [...STRIP_DEFS, ...MASTER_DEFS, ...FX_DEFS], (def, v) => {
    if (this.#strip && this.#applies(def)) (this.#strip as unknown as SetByName).set(def.spec.name, v);
  }, () => this.#strip as { get(n: string): number } | null);
  readonly #meter = new MeterController(this, () => this.#strip);

  constructor() {
    super();
    this.name = '';
    this.label = '';
  }

  /** The engine strip this element drives (null for an unknown name). */
  get strip(): Strip | null {
    return this.#strip;
  }

  /** Current levels of the strip (silence without one). */
  meter(): Meter {
    return this.#strip ? this.#strip.meter() : { peakDb: -Infinity, rmsDb: -Infinity, gainReductionDb: 0 };
  }

  /** Whether `def` is a parameter of this strip: the limiter only on the master, an effect's only on its bus. */
  #applies(def: ParamDef): boolean {
    const bus = (def.spec as Partial<BusFxSpec>).bus;
    return bus ? bus === this.name : def.spec.scope !== 'master' || this.name === 'master';
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('label')) checkText(this as unknown as HTMLElement & Record<string, unknown>, 'label', 'label');
    if (!changed.has('name')) return;
    this.params.sync();
    const e = this.engineCtl.engine;
    const n = this.name;
    this.#strip = n === 'master' ? e.master : (BUS_NAMES as readonly string[]).includes(n) ? e.bus(n) : null;
    if (!this.#strip) {
      this.emit('daw-error', { code: 'invalid-value', attribute: 'name', value: n, range: NAMES.join(' | '),
        message: `<${this.localName}> name: '${String(n)}' is not one of ${NAMES.join(', ')}; this element drives no strip` });
      return;
    }
    for (const def of this.params.defs) if (this.#applies(def)) (this.#strip as unknown as SetByName).set(def.spec.name, this.params.values[def.prop]);
  }

  render() {
    const p = this.params;
    const n = this.name;
    const label = this.label || TITLES[n] || n;
    const fx = n === 'master' ? section(p, MASTER_DEFS, 'Limiter', 'effect', 'limiter')
      : section(p, FX_DEFS.filter((d) => (d.spec as BusFxSpec).bus === n), TITLES[n] ?? 'Effect', 'effect', n);
    return html`<div part="strip" class="strip" role="group" aria-label=${label || 'Bus'}>
      <div part="label" class="label">${label}</div>
      ${strip(p, this.#meter, false, fx)}
    </div>`;
  }
}

type BusParamName = Exclude<keyof MasterParams, never>;
/** The parameter properties DawBus gets from STRIP_PARAMS (and the effects' from the contract's list). */
export type BusElementParams = { [K in BusParamName]-?: K extends 'mute' | 'invert' ? boolean : number };
// The parameter properties are declared from the tables above; this gives them their types.
export interface DawBus extends BusElementParams {}
