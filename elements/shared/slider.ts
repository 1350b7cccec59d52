/**
 * A parameter slider: a native `<input type="range">` (slider role, keyboard focus) whose ARIA value
 * is the parameter's value in its unit. Frequencies and times move on a log scale. Keys: arrows one
 * step, Shift+arrows a tenth of a step, PageUp/PageDown ten steps, Home/End the ends.
 */
import { html, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { ParamSpec } from '../../src/index.js';
import type { ParamController } from './params.js';

/** Lowest fader position; below it a dB parameter whose range starts at -Infinity is silent. */
const FLOOR_DB = -60;

const isLog = (s: ParamSpec) => s.unit === 'Hz' || ((s.unit === 'ms' || s.unit === 's') && s.min > 0) || s.name === 'eqMidQ';
const lo = (s: ParamSpec) => (s.min === -Infinity ? FLOOR_DB : s.min);
const toPos = (s: ParamSpec, v: number) => (isLog(s) ? Math.log2(v) : v);
const fromPos = (s: ParamSpec, p: number) => (isLog(s) ? 2 ** p : p);

/** Step in slider positions: 1 dB, 1/6 octave, 1 for integers, 1/20 of 0..1, 1/40 of other ranges. */
export function stepOf(s: ParamSpec): number {
  return s.integer ? 1 : isLog(s) ? 1 / 6 : s.unit === 'dB' ? 1 : s.unit === 'linear' ? 0.05 : (s.max - lo(s)) / 40;
}

/** The value `e` moves `v` to, or undefined for keys the slider does not handle. */
export function keyValue(s: ParamSpec, v: number, e: KeyboardEvent): number | undefined {
  const k = e.key;
  if (k === 'Home') return s.min;
  if (k === 'End') return s.max;
  const dir = /^(ArrowUp|ArrowRight|PageUp)$/.test(k) ? 1 : /^(ArrowDown|ArrowLeft|PageDown)$/.test(k) ? -1 : 0;
  if (!dir) return undefined;
  const step = stepOf(s) * (k.startsWith('Page') ? 10 : e.shiftKey && !s.integer ? 0.1 : 1);
  const pmin = toPos(s, lo(s)), pmax = toPos(s, s.max);
  const fine = stepOf(s) / 10;
  let p = Number.isFinite(v) ? toPos(s, v) : pmin - step;
  p += dir * step;
  if (!isLog(s)) p = Math.round(p / fine) * fine; // on the grid: no float drift after many presses
  if (s.min === -Infinity && p < pmin - 1e-9) return -Infinity;
  return fromPos(s, Math.min(pmax, Math.max(pmin, p)));
}

/** The value in its unit, for aria-valuetext and readouts: "-6.0 dB", "1.20 kHz", "L 30". */
export function format(s: ParamSpec, v: number): string {
  if (v === -Infinity) return '-∞ dB';
  switch (s.unit) {
    case 'dB': return `${v.toFixed(1)} dB`;
    case 'Hz': return v >= 1000 ? `${(v / 1000).toFixed(2)} kHz` : `${Math.round(v)} Hz`;
    case 'ms': return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
    case 's': return `${v.toFixed(v < 10 ? 2 : 1)} s`;
    case 'linear': return `${Math.round(v * 100)}%`;
    case 'cents': return `${Math.round(v)} cents`;
  }
  if (s.name === 'pan') return Math.abs(v) < 0.005 ? 'centre' : `${Math.round(Math.abs(v) * 100)}% ${v < 0 ? 'left' : 'right'}`;
  if (s.name === 'compRatio') return `${v.toFixed(1)}:1`;
  // Any other unit a parameter table may bring (a bus effect's) is written after the number.
  return (s.integer ? String(v) : v.toFixed(2)) + (/^(|index|enum|bool)$/.test(s.unit) ? '' : ` ${s.unit}`);
}

/** Renders the slider for `prop` of `params`, with visible `label` and CSS part `part`. */
export function slider(params: ParamController, prop: string, label: string, part = 'control', vertical = false): TemplateResult {
  const { spec } = params.defs.find((d) => d.prop === prop)!;
  const v = params.values[prop];
  const shown = Math.max(lo(spec), v);
  return html`<label class="ctl" part="control">
    <span class="name">${label}</span>
    <input type="range" part=${part} class=${vertical ? 'v' : ''} step="any"
      min=${toPos(spec, lo(spec))} max=${toPos(spec, spec.max)} .value=${live(String(toPos(spec, shown)))}
      aria-label=${label} aria-valuemin=${lo(spec)} aria-valuemax=${spec.max}
      aria-valuenow=${Number(shown.toFixed(4))} aria-valuetext=${format(spec, v)}
      aria-orientation=${vertical ? 'vertical' : 'horizontal'}
      @input=${(e: Event) => {
        const p = Number((e.target as HTMLInputElement).value);
        params.set(prop, spec.min === -Infinity && p <= lo(spec) ? -Infinity : fromPos(spec, p));
      }}
      @keydown=${(e: KeyboardEvent) => {
        const n = keyValue(spec, params.values[prop], e);
        if (n === undefined) return;
        e.preventDefault();
        params.set(prop, n);
      }}>
    <output>${format(spec, v)}</output>
  </label>`;
}
