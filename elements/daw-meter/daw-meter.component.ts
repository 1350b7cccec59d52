import { html, css, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { AnalysisReader } from '../../src/index.js';
import { AnalysisController, dbText, reducedMotion, stripFor } from '../shared/analysis.js';
import { fit, themed } from '../shared/canvas.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { base } from '../shared/styles.js';

const MODES = ['peak', 'rms', 'lufs'];
const UNIT: Record<string, string> = { peak: 'dBFS', rms: 'dBFS RMS', lufs: 'LUFS' };
const TOP = 6;

/**
 * @summary A level meter for the master or any strip: dB scale with ticks, peak hold, clip
 * indicator; peak, RMS or momentary-loudness (LUFS) mode; vertical or horizontal.
 *
 * @description Drawn on a canvas on animation frames only while the element is visible and the
 * engine runs (4 times a second, without the falling animation, when the user prefers reduced
 * motion). It has role `meter` with the current level as its value (updated 4 times a second), so
 * assistive technology reads it. The clip indicator is a button: it lights when a sample reached
 * full scale and clears when pressed (keyboard: Enter or Space).
 *
 * @attr for - `master` (default), a bus (`reverb`, `delay`, `drum`) or the id of a channel element.
 * @attr mode - `peak` (default; sample peak, falls 20 dB in 1.7 s, 1.5 s hold), `rms` (300 ms) or
 *   `lufs` (momentary loudness, 400 ms).
 * @attr orientation - `vertical` (default) or `horizontal`.
 * @attr min-db - Bottom of the scale, -120 to -12 dB (default -60); the top is +6.
 *
 * @event daw-error - An invalid `mode`, `orientation` or `min-db` (the default is used), or a `for` that names no
 *   strip. `detail: { code, message, attribute, value }`.
 *
 * @csspart meter - The meter (role `meter`). @csspart canvas - The canvas with the bar, hold line and ticks.
 * @csspart clip - The clip indicator (a button; also `button`). @csspart button - The clip indicator.
 *
 * @cssproperty --daw-meter-bg - Meter background. @cssproperty --daw-meter-color - Bar colour.
 * @cssproperty --daw-meter-hot-color - Bar colour above -6 dB. @cssproperty --daw-meter-peak-color - Hold line colour.
 * @cssproperty --daw-clip-color - Clip indicator lit. @cssproperty --daw-text-dim - Tick labels.
 * @cssproperty --daw-meter-length - Length of the meter (default 140px). @cssproperty --daw-meter-width - Thickness (default 14px).
 * @cssproperty --daw-focus-ring - Focus outline colour. @cssproperty --daw-font - Font shorthand.
 */
export class DawMeter extends DawElement {
  static styles = [base, css`
    :host { display: inline-flex; flex-direction: column; align-items: center; gap: 2px; }
    :host([orientation='horizontal']) { flex-direction: row-reverse; }
    canvas { display: block; width: calc(var(--daw-meter-width, 14px) + 24px); height: var(--daw-meter-length, 140px); }
    :host([orientation='horizontal']) canvas { height: calc(var(--daw-meter-width, 14px) + 14px); width: var(--daw-meter-length, 140px); }
    button { min-height: 0; padding: 0 6px; font-size: 0.8em; }
    button[aria-pressed='true'] { background: var(--daw-clip-color, #ff4d4d); color: #fff; }
  `];
  static readonly [BRAND] = 'meter';
  static properties: PropertyDeclarations = {
    for: { reflect: true },
    mode: { reflect: true },
    orientation: { reflect: true },
    minDb: { attribute: 'min-db', type: Number },
  };

  /** `master`, a bus name, or the id of a channel element. */
  declare for: string | null;
  /** `peak`, `rms` or `lufs`. */
  declare mode: string;
  /** `vertical` or `horizontal`. */
  declare orientation: string;
  /** Bottom of the scale in dB. */
  declare minDb: number;
  #level = -Infinity;
  #hold = -Infinity;
  #clips = 0;
  #clipBase = 0;
  #aria = 0;
  protected readonly engineCtl = new EngineController(this);
  protected readonly analysis = new AnalysisController(this, () => (this.#mode() === 'lufs' ? { loudness: true, peak: true } : { peak: true }), (r, now) => this.#draw(r, now));

  constructor() {
    super();
    this.for = null;
    this.mode = 'peak';
    this.orientation = 'vertical';
    this.minDb = -60;
  }

  get engine() {
    return this.engineCtl.engine;
  }

  /** The level shown now, in the mode's unit (dBFS or LUFS). */
  get level(): number {
    return this.#level;
  }

  /** The clip indicator is lit (a sample at or above full scale since it was last cleared). */
  get clipped(): boolean {
    return this.#clips > this.#clipBase;
  }

  /** Clears the clip indicator. */
  clearClip(): void {
    this.#clipBase = this.#clips;
    this.requestUpdate();
  }

  #mode(): string {
    return MODES.includes(this.mode) ? this.mode : 'peak';
  }

  #min(): number {
    const m = Number(this.minDb);
    return m >= -120 && m <= -12 ? m : -60;
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('for') || changed.has('mode')) this.analysis.release();
    for (const [name, ok] of [['mode', MODES.includes(this.mode)], ['orientation', this.orientation === 'vertical' || this.orientation === 'horizontal'],
      ['minDb', this.#min() === Number(this.minDb)]] as const) {
      if (changed.has(name) && !ok) {
        this.emit('daw-error', { code: 'invalid-value', attribute: name === 'minDb' ? 'min-db' : name, value: this[name], message: `<${this.localName}> ${name === 'minDb' ? 'min-db' : name}: '${String(this[name])}' is not one of ${name === 'mode' ? MODES.join(', ') : name === 'minDb' ? '-120 to -12' : 'vertical, horizontal'}; using the default` });
      }
    }
  }

  #draw(r: AnalysisReader | null, now: number): void {
    const mode = this.#mode();
    const v = r?.read();
    const strip = stripFor(this.engine, this, this.for);
    const level = !v ? -Infinity : mode === 'lufs' ? v.momentary : mode === 'rms' ? (strip ? strip.meter().rmsDb : -Infinity) : v.peakDb;
    this.#level = level;
    this.#hold = v ? (mode === 'peak' ? v.peakHoldDb : Math.max(level, reducedMotion() ? level : this.#hold - 0.2)) : -Infinity;
    const clips = v?.clips ?? 0;
    if (clips < this.#clipBase) this.#clipBase = 0; // a new request counts from 0
    const lit = this.clipped;
    this.#clips = clips;
    if (lit !== this.clipped) this.requestUpdate();
    if (now - this.#aria >= 250) {
      this.#aria = now;
      const m = this.renderRoot.querySelector('[role=meter]');
      m?.setAttribute('aria-valuenow', String(Math.max(this.#min(), Math.min(TOP, Number.isFinite(level) ? Math.round(level * 10) / 10 : this.#min()))));
      m?.setAttribute('aria-valuetext', `${dbText(level)} ${UNIT[mode]}`);
    }
    this.#paint();
  }

  #paint(): void {
    const c = this.renderRoot.querySelector('canvas');
    const g = fit(c);
    if (!c || !g) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = c.width, h = c.height;
    const col = (p: string, d: string) => themed(this, p, d);
    const vert = this.orientation !== 'horizontal';
    const len = vert ? h : w, thick = 14 * dpr, min = this.#min();
    const at = (db: number) => Math.max(0, Math.min(1, (db - min) / (TOP - min))) * len;
    // In the meter's own frame: x along the level (0 = bottom/left), y across.
    g.setTransform(...((vert ? [0, -1, 1, 0, 0, h] : [1, 0, 0, 1, 0, 0]) as [number, number, number, number, number, number]));
    g.clearRect(0, 0, len, vert ? w : h);
    g.fillStyle = col('--daw-meter-bg', '#111318');
    g.fillRect(0, 0, len, thick);
    const x = at(this.#level), hot = at(-6);
    g.fillStyle = col('--daw-meter-color', '#3ccf6e');
    g.fillRect(0, 0, Math.min(x, hot), thick);
    if (x > hot) {
      g.fillStyle = col('--daw-meter-hot-color', '#f0b43c');
      g.fillRect(hot, 0, x - hot, thick);
    }
    if (this.#hold > min) {
      g.fillStyle = col('--daw-meter-peak-color', '#e9e36b');
      g.fillRect(at(this.#hold) - dpr, 0, 2 * dpr, thick);
    }
    g.fillStyle = col('--daw-text-dim', '#9aa0ad');
    g.font = `${9 * dpr}px system-ui, sans-serif`;
    for (let db = TOP; db >= min; db -= db > -24 ? 6 : 12) {
      const p = at(db);
      g.fillRect(p - dpr / 2, thick, dpr, 3 * dpr);
      g.save();
      g.translate(p, thick + 4 * dpr);
      if (vert) g.rotate(Math.PI / 2);
      g.textBaseline = vert ? 'middle' : 'top';
      g.textAlign = vert ? 'left' : 'center';
      g.fillText(String(db), 0, 0);
      g.restore();
    }
  }

  render() {
    const min = this.#min();
    return html`<div part="meter" role="meter" aria-label=${`Level (${this.for ?? 'master'}, ${this.#mode()})`} aria-valuemin=${min} aria-valuemax=${TOP} aria-valuenow=${min} aria-valuetext=${`${dbText(-Infinity)} ${UNIT[this.#mode()]}`}><canvas part="canvas" aria-hidden="true"></canvas></div><button part="clip button" aria-pressed=${String(this.clipped)} title="Clip indicator: press to clear" @click=${() => this.clearClip()}>clip</button>`;
  }
}
