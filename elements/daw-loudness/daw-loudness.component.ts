import { html, css, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { AnalysisReader, AnalysisReading } from '../../src/index.js';
import { AnalysisController, dbText } from '../shared/analysis.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { base } from '../shared/styles.js';

const ROWS: [keyof AnalysisReading, string, string][] = [
  ['momentary', 'M', 'LUFS'], ['shortTerm', 'S', 'LUFS'], ['integrated', 'I', 'LUFS'], ['range', 'LRA', 'LU'], ['truePeakMaxDb', 'TP', 'dBTP'],
];
const NAMES: Record<string, string> = { M: 'Momentary', S: 'Short-term', I: 'Integrated', LRA: 'Loudness range', TP: 'True peak max' };

/**
 * @summary Loudness readout (EBU R128 / ITU-R BS.1770-4) of the master or any strip: momentary,
 * short-term, integrated, loudness range and maximum true peak.
 *
 * @description Plain text in a description list, so screen readers read each value with its name
 * and unit; it is updated 4 times a second while the element is visible and the engine runs (the
 * analysis is requested only then). "Reset" starts the integrated loudness, range and true-peak
 * maximum again.
 *
 * @attr for - `master` (default), a bus (`reverb`, `delay`, `drum`) or the id of a channel element.
 *
 * @event daw-error - A `for` that names no strip (no such bus, no element with that id). `detail: { code, message, attribute, value }`.
 *
 * @csspart readout - The list of values. @csspart label - Each value's short name (M, S, I, LRA, TP).
 * @csspart value - Each value. @csspart reset - The reset button (also `button`).
 * @csspart button - The reset button.
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Labels and units. @cssproperty --daw-border - Border colour.
 * @cssproperty --daw-radius - Corner radius. @cssproperty --daw-font - Font shorthand.
 * @cssproperty --daw-focus-ring - Focus outline colour.
 */
export class DawLoudness extends DawElement {
  static styles = [base, css`
    :host { display: inline-block; }
    .box { display: flex; align-items: center; gap: 10px; padding: 4px 8px; background: var(--_bg); border: 1px solid var(--_line); border-radius: var(--_radius); }
    dl { display: grid; grid-template-columns: repeat(5, auto); gap: 0 12px; margin: 0; }
    dt { color: var(--_dim); font-size: 0.85em; grid-row: 1; }
    dd { margin: 0; font-variant-numeric: tabular-nums; grid-row: 2; }
    dd small { color: var(--_dim); }
  `];
  static readonly [BRAND] = 'loudness';
  static properties: PropertyDeclarations = { for: { reflect: true } };

  /** `master`, a bus name, or the id of a channel element. */
  declare for: string | null;
  #values: string[] = ROWS.map(() => dbText(-Infinity));
  #last = -Infinity;
  protected readonly engineCtl = new EngineController(this);
  protected readonly analysis = new AnalysisController(this, () => ({ loudness: true, truePeak: true }), (r, now) => this.#draw(r, now));

  constructor() {
    super();
    this.for = null;
  }

  get engine() {
    return this.engineCtl.engine;
  }

  /** The latest reading (null while nothing is read: hidden, engine not running, no such strip). */
  get reading(): AnalysisReading | null {
    return this.analysis.reader?.read() ?? null;
  }

  /** Starts the integrated loudness, range and true-peak maximum again. */
  reset(): void {
    this.analysis.release();
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('for')) this.analysis.release();
  }

  #draw(r: AnalysisReader | null, now: number): void {
    if (now - this.#last < 250) return;
    this.#last = now;
    const v = r?.read();
    const next = ROWS.map(([k]) => dbText(v ? (v[k] as number) : -Infinity));
    if (next.join() !== this.#values.join()) {
      this.#values = next;
      this.requestUpdate();
    }
  }

  render() {
    return html`<div class="box"><dl part="readout">${ROWS.map(([, label, unit], i) => html`<dt part="label" title=${NAMES[label]}><abbr title=${NAMES[label]}>${label}</abbr></dt><dd part="value" aria-label=${`${NAMES[label]} ${this.#values[i]} ${unit}`}>${this.#values[i]} <small>${unit}</small></dd>`)}</dl><button part="reset button" @click=${() => this.reset()}>Reset</button></div>`;
  }
}
