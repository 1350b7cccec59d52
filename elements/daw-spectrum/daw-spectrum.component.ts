import { html, css, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { AnalysisReader } from '../../src/index.js';
import { AnalysisController, dbText } from '../shared/analysis.js';
import { fit, themed } from '../shared/canvas.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { base } from '../shared/styles.js';

const SIZES = [2048, 4096, 8192];

/**
 * @summary A spectrum analyser for the master or any strip: a windowed FFT of (L+R)/2 on a
 * logarithmic frequency axis, 20 Hz to 20 kHz.
 *
 * @description Computed in the engine's WebAssembly only while the element is visible and audio
 * runs; drawn on a canvas on animation frames (4 times a second when the user prefers reduced
 * motion). Its accessible name gives the strongest frequency and its level, updated once a second.
 *
 * @attr for - `master` (default), a bus (`reverb`, `delay`, `drum`) or the id of a channel element.
 * @attr size - FFT points: 2048, 4096 (default) or 8192.
 * @attr min-db - Bottom of the level axis, -160 to -24 dBFS (default -100); the top is 0.
 *
 * @event daw-error - An invalid `size` (4096 is used), or a `for` that names no strip. `detail: { code, message, attribute, value }`.
 *
 * @csspart canvas - The canvas (role `img`).
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-accent - The trace.
 * @cssproperty --daw-border - Grid lines. @cssproperty --daw-text-dim - Axis labels.
 * @cssproperty --daw-spectrum-width - Width (default 320px). @cssproperty --daw-spectrum-height - Height (default 120px).
 */
export class DawSpectrum extends DawElement {
  static styles = [base, css`
    :host { display: inline-block; }
    canvas { display: block; width: var(--daw-spectrum-width, 320px); height: var(--daw-spectrum-height, 120px); background: var(--_bg); border-radius: var(--_radius); }
  `];
  static readonly [BRAND] = 'spectrum';
  static properties: PropertyDeclarations = { for: { reflect: true }, size: { type: Number }, minDb: { attribute: 'min-db', type: Number } };

  /** `master`, a bus name, or the id of a channel element. */
  declare for: string | null;
  /** FFT points. */
  declare size: number;
  /** Bottom of the level axis in dBFS. */
  declare minDb: number;
  #bins = new Float32Array(4097);
  #n = 0;
  #named = 0;
  protected readonly engineCtl = new EngineController(this);
  protected readonly analysis = new AnalysisController(this, () => ({ spectrum: (SIZES.includes(this.size) ? this.size : 4096) as 4096 }), (r, now) => this.#draw(r, now));

  constructor() {
    super();
    this.for = null;
    this.size = 4096;
    this.minDb = -100;
  }

  get engine() {
    return this.engineCtl.engine;
  }

  /** The spectrum shown now (dBFS per bin; bin k at k × sampleRate / size Hz). */
  get bins(): Float32Array {
    return this.#bins.subarray(0, this.#n);
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('for') || changed.has('size')) this.analysis.release();
    if (changed.has('size') && !SIZES.includes(this.size)) {
      this.emit('daw-error', { code: 'invalid-value', attribute: 'size', value: this.size, message: `<${this.localName}> size: '${String(this.size)}' is not one of ${SIZES.join(', ')}; using 4096` });
    }
  }

  #draw(r: AnalysisReader | null, now: number): void {
    this.#n = r ? r.spectrum(this.#bins) : 0;
    const c = this.renderRoot.querySelector('canvas');
    const g = fit(c);
    if (!c || !g) return;
    const w = c.width, h = c.height, n = this.#n;
    const min = this.minDb >= -160 && this.minDb <= -24 ? this.minDb : -100;
    const fs = this.engine.sampleRate, size = (n - 1) * 2;
    const x = (f: number) => (Math.log(f / 20) / Math.log(1000)) * w;
    const y = (db: number) => Math.min(h, Math.max(0, (db / min) * h));
    g.clearRect(0, 0, w, h);
    g.fillStyle = themed(this, '--daw-border', '#3a3f4a');
    for (const f of [100, 1000, 10000]) g.fillRect(x(f), 0, 1, h);
    g.beginPath();
    let peak = 1;
    for (let k = 1; k < n; k++) {
      const f = (k * fs) / size;
      if (f < 20 || f > 20000) continue;
      g.lineTo(x(f), y(this.#bins[k]));
      if (this.#bins[k] > this.#bins[peak]) peak = k;
    }
    g.strokeStyle = themed(this, '--daw-accent', '#4fa3ff');
    g.lineWidth = globalThis.devicePixelRatio || 1;
    g.stroke();
    if (now - this.#named >= 1000) {
      this.#named = now;
      c.setAttribute('aria-label', n ? `Spectrum (${this.for ?? 'master'}): strongest ${Math.round((peak * fs) / size)} Hz at ${dbText(this.#bins[peak])} dBFS` : 'Spectrum: no signal analysed');
    }
  }

  render() {
    return html`<canvas part="canvas" role="img" aria-label="Spectrum"></canvas>`;
  }
}
