import { html, css, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { AnalysisReader } from '../../src/index.js';
import { AnalysisController } from '../shared/analysis.js';
import { fit, themed } from '../shared/canvas.js';
import { BRAND } from '../shared/define.js';
import { DawElement } from '../shared/element.js';
import { EngineController } from '../shared/engine.js';
import { base } from '../shared/styles.js';

/**
 * @summary An oscilloscope for the master or any strip: 1024 samples of (L+R)/2 from a rising zero
 * crossing, so a periodic signal stands still.
 *
 * @description Captured in the engine's WebAssembly only while the element is visible and audio
 * runs; drawn on a canvas on animation frames (4 times a second when the user prefers reduced
 * motion). Its accessible name says whether the trace is triggered and its peak level, once a second.
 *
 * @attr for - `master` (default), a bus (`reverb`, `delay`, `drum`) or the id of a channel element.
 *
 * @event daw-error - A `for` that names no strip (no such bus, no element with that id). `detail: { code, message, attribute, value }`.
 *
 * @csspart canvas - The canvas (role `img`).
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-accent - The trace.
 * @cssproperty --daw-border - The zero line.
 * @cssproperty --daw-scope-width - Width (default 320px). @cssproperty --daw-scope-height - Height (default 120px).
 */
export class DawScope extends DawElement {
  static styles = [base, css`
    :host { display: inline-block; }
    canvas { display: block; width: var(--daw-scope-width, 320px); height: var(--daw-scope-height, 120px); background: var(--_bg); border-radius: var(--_radius); }
  `];
  static readonly [BRAND] = 'scope';
  static properties: PropertyDeclarations = { for: { reflect: true } };

  /** `master`, a bus name, or the id of a channel element. */
  declare for: string | null;
  #points = new Float32Array(1024);
  #n = 0;
  #named = 0;
  protected readonly engineCtl = new EngineController(this);
  protected readonly analysis = new AnalysisController(this, () => ({ scope: true }), (r, now) => this.#draw(r, now));

  constructor() {
    super();
    this.for = null;
  }

  get engine() {
    return this.engineCtl.engine;
  }

  /** The window shown now (samples, -1..1 full scale). */
  get points(): Float32Array {
    return this.#points.subarray(0, this.#n);
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('for')) this.analysis.release();
  }

  #draw(r: AnalysisReader | null, now: number): void {
    const n = (this.#n = r ? r.scope(this.#points) : 0);
    const c = this.renderRoot.querySelector('canvas');
    const g = fit(c);
    if (!c || !g) return;
    const w = c.width, h = c.height;
    g.clearRect(0, 0, w, h);
    g.fillStyle = themed(this, '--daw-border', '#3a3f4a');
    g.fillRect(0, h / 2, w, 1);
    g.beginPath();
    let peak = 0;
    for (let i = 0; i < n; i++) {
      const v = this.#points[i];
      g.lineTo((i / (n - 1)) * w, (0.5 - v / 2) * h);
      peak = Math.max(peak, Math.abs(v));
    }
    g.strokeStyle = themed(this, '--daw-accent', '#4fa3ff');
    g.lineWidth = globalThis.devicePixelRatio || 1;
    g.stroke();
    if (now - this.#named >= 1000) {
      this.#named = now;
      c.setAttribute('aria-label', `Oscilloscope (${this.for ?? 'master'}): peak ${peak.toFixed(2)} of full scale`);
    }
  }

  render() {
    return html`<canvas part="canvas" role="img" aria-label="Oscilloscope"></canvas>`;
  }
}
