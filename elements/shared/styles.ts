/** Design tokens (`--daw-*`, each with a default) and the control styles every element shares. */
import { css } from 'lit';

// Vertical faders (input.v): writing-mode in Chromium and Firefox (bottom = minimum with rtl);
// WebKitGTK ignores writing-mode on form controls and drew a 129 px horizontal slider out of the
// strip, so it gets its own vertical appearance (Chromium and Firefox render the same with it).
// (Comments out here: inside css`` they would ship in the bundle.)
export const base = css`
  :host {
    --_bg: var(--daw-surface, #20232a);
    --_fg: var(--daw-text, #e6e8ee);
    --_dim: var(--daw-text-dim, #9aa0ad);
    --_accent: var(--daw-accent, #4fa3ff);
    --_line: var(--daw-border, #3a3f4a);
    --_radius: var(--daw-radius, 6px);
    --_focus: var(--daw-focus-ring, #ffcc33);
    color: var(--_fg);
    font: var(--daw-font, 12px/1.3 system-ui, sans-serif);
    box-sizing: border-box;
  }
  :host([hidden]) { display: none !important; }
  *, *::before, *::after { box-sizing: inherit; }
  :focus-visible { outline: 2px solid var(--_focus); outline-offset: 1px; }
  button {
    font: inherit; color: inherit; background: var(--daw-button-bg, #2e323b); border: 1px solid var(--_line);
    border-radius: var(--_radius); padding: 2px 8px; cursor: pointer; min-height: 24px;
  }
  button[aria-pressed='true'] { background: var(--_accent); color: var(--daw-accent-text, #0b1220); }
  .ctl { display: grid; gap: 2px; font-size: 0.9em; color: var(--_dim); }
  .ctl output { color: var(--_fg); font-variant-numeric: tabular-nums; }
  input[type='range'] { accent-color: var(--_accent); width: 100%; margin: 0; }
  input.v {
    writing-mode: vertical-lr; direction: rtl; -webkit-appearance: slider-vertical;
    width: 20px; height: var(--daw-fader-height, 140px);
  }
  .meter {
    position: relative; overflow: hidden; width: var(--daw-meter-width, 10px); background: var(--daw-meter-bg, #111318);
    border-radius: 2px; min-height: 40px;
  }
  .meter > div { position: absolute; inset: 0; transform-origin: bottom; transform: scaleY(0); }
  .meter .rms { background: var(--daw-meter-color, #3ccf6e); }
  .meter .peak { background: var(--daw-meter-peak-color, #e9e36b); opacity: 0.45; }
  .meter .hold { top: auto; height: 2px; transform: none; visibility: hidden; background: var(--daw-meter-hold-color, #f4f4f4); }
`;

/** A mixer strip (channel, bus, master): see strip.ts and meter.ts. The meter's ticks (0, -6, -12, -24, -36, -48, -60 dB) sit at (dB + 60) / 66 of its height. */
export const stripStyles = css`
  .strip {
    display: grid; gap: 6px; width: var(--daw-strip-width, 7.5rem); padding: 8px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius);
  }
  .label { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: center; }
  .main { display: flex; gap: 6px; justify-content: center; align-items: stretch; }
  .main .ctl { justify-items: center; }
  .mbox { display: grid; grid-template-columns: auto auto; grid-template-rows: 1fr auto; gap: 3px; }
  .scale { position: relative; width: 18px; font-size: 9px; line-height: 1; color: var(--_dim); font-variant-numeric: tabular-nums; }
  .scale span { position: absolute; right: 0; transform: translateY(50%); }
  .scale span:nth-child(1) { bottom: 90.909%; }
  .scale span:nth-child(2) { bottom: 81.818%; }
  .scale span:nth-child(3) { bottom: 72.727%; }
  .scale span:nth-child(4) { bottom: 54.545%; }
  .scale span:nth-child(5) { bottom: 36.364%; }
  .scale span:nth-child(6) { bottom: 18.182%; }
  .scale span:last-child { bottom: 0; transform: none; }
  .clip { grid-column: 1 / -1; width: 100%; padding: 0; font-size: 9px; overflow: hidden; font-variant-numeric: tabular-nums; }
  .clip[data-clip='true'] { background: var(--daw-clip-color, #e0564f); color: var(--daw-accent-text, #0b1220); }
  .toggles { display: flex; gap: 4px; justify-content: center; }
  button.mute[aria-pressed='true'] { background: var(--daw-mute-color, #e0564f); }
  button.solo[aria-pressed='true'] { background: var(--daw-solo-color, #f2c94c); }
  .gr { text-align: center; color: var(--_dim); font-variant-numeric: tabular-nums; }
  details { border-top: 1px solid var(--_line); padding-top: 4px; }
  summary { cursor: pointer; color: var(--_dim); }
  details .ctl { margin-top: 4px; }
  select { font: inherit; color: inherit; background: var(--daw-button-bg, #2e323b); border: 1px solid var(--_line); border-radius: var(--_radius); min-height: 24px; }
`;

/** Meter scale: -60..+6 dBFS to 0..1. */
export const meterFraction = (db: number) => (db > -60 ? Math.min(1, (db + 60) / 66) : 0);
