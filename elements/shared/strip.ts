/**
 * The controls of a mixer strip, shared by `<daw-channel>` and `<daw-bus>` (channel, bus and master
 * strips have the same pan, fader, mute, EQ and compressor): one template over the element's
 * ParamController and MeterController, and the generic section that renders any list of parameter
 * specs (a bus's effect parameters, the master's limiter) as sliders, toggles and menus.
 */
import { html, type TemplateResult } from 'lit';
import type { MeterController } from './meter.js';
import type { ParamController, ParamDef } from './params.js';
import { slider } from './slider.js';

/** A toggle button for a boolean parameter (`aria-pressed`); `short` shows only its first letter. */
export function toggle(p: ParamController, prop: string, text: string, short = false): TemplateResult {
  const on = p.values[prop] === 1;
  return html`<button part="${short ? prop : 'toggle'} button" class=${prop} aria-pressed=${on} aria-label=${text}
    @click=${() => p.set(prop, on ? 0 : 1)}>${short ? text[0] : text}</button>`;
}

/** 'reverbDecayS' -> 'Decay', 'delayTimeLMs' -> 'Time L', 'limiterCeilingDb' -> 'Ceiling': the label a spec name gives without its section and unit. */
export function labelOf(name: string, section: string): string {
  const words = name.replace(/([A-Z])/g, ' $1').split(' ');
  while (words.length > 1 && [section, 'bus', 'limiter'].includes(words[0].toLowerCase())) words.shift();
  if (words.length > 1 && /^(Db|Hz|Ms|S|Pct)$/.test(words[words.length - 1])) words.pop();
  const s = words.join(' ').toLowerCase();
  return s[0].toUpperCase() + s.slice(1);
}

/** A menu for an enum parameter. */
function choice(p: ParamController, def: ParamDef, label: string): TemplateResult {
  const cur = p.values[def.prop];
  return html`<label class="ctl" part="control"><span class="name">${label}</span>
    <select part="select" @change=${(e: Event) => p.set(def.prop, Number((e.target as HTMLSelectElement).value))}>
      ${def.spec.values!.map((v, i) => html`<option value=${i} ?selected=${i === cur}>${v}</option>`)}
    </select></label>`;
}

/**
 * A `<details>` section with one control per spec of `defs`, in their order: a toggle for a boolean,
 * a menu for an enum, a slider for a number (labels from the names, see labelOf). Nothing when
 * `defs` is empty.
 */
export function section(p: ParamController, defs: readonly ParamDef[], title: string, part: string, prefix: string): TemplateResult | null {
  if (!defs.length) return null;
  return html`<details part=${part}><summary>${title}</summary>${defs.map((d) => {
    const label = labelOf(d.spec.name, prefix);
    return d.spec.unit === 'bool' ? html`<div class="ctl">${toggle(p, d.prop, label)}</div>`
      : d.spec.values ? choice(p, d, label) : slider(p, d.prop, label, 'slider');
  })}</details>`;
}

/**
 * Pan, fader and meter, mute (and solo for channels), the gain-reduction readout, `extra` (the
 * channel's sends), EQ and compressor.
 */
export function strip(p: ParamController, meter: MeterController, solo: boolean, extra: unknown = null): TemplateResult {
  return html`${slider(p, 'pan', 'Pan', 'pan')}
      <div class="main">${slider(p, 'volumeDb', 'Volume', 'fader', true)}${meter.render()}</div>
      <div class="toggles">${toggle(p, 'mute', 'Mute', true)}${solo ? toggle(p, 'solo', 'Solo', true) : null}</div>
      <div part="gain-reduction" class="gr" aria-label="Gain reduction">GR 0.0 dB</div>
      ${extra}
      <details part="eq"><summary>EQ</summary>
        ${slider(p, 'eqLowDb', 'Low', 'slider')}${slider(p, 'eqLowHz', 'Low freq', 'slider')}
        ${slider(p, 'eqMidDb', 'Mid', 'slider')}${slider(p, 'eqMidHz', 'Mid freq', 'slider')}${slider(p, 'eqMidQ', 'Mid Q', 'slider')}
        ${slider(p, 'eqHighDb', 'High', 'slider')}${slider(p, 'eqHighHz', 'High freq', 'slider')}
      </details>
      <details part="compressor"><summary>Compressor</summary>
        ${slider(p, 'compThresholdDb', 'Threshold', 'slider')}${slider(p, 'compRatio', 'Ratio', 'slider')}
        ${slider(p, 'compKneeDb', 'Knee', 'slider')}${slider(p, 'compAttackMs', 'Attack', 'slider')}
        ${slider(p, 'compReleaseMs', 'Release', 'slider')}${slider(p, 'compMakeupDb', 'Make-up', 'slider')}
      </details>`;
}
