import { css } from 'lit';

export default css`
  :host { display: inline-block; vertical-align: top; }
  ::slotted(*) { margin-top: 6px; }
  .strip {
    display: grid; gap: 6px; width: var(--daw-strip-width, 7.5rem); padding: 8px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius);
  }
  .label { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: center; }
  .main { display: flex; gap: 6px; justify-content: center; align-items: stretch; }
  .main .ctl { justify-items: center; }
  .meter { display: flex; }
  .toggles { display: flex; gap: 4px; justify-content: center; }
  button.mute[aria-pressed='true'] { background: var(--daw-mute-color, #e0564f); }
  button.solo[aria-pressed='true'] { background: var(--daw-solo-color, #f2c94c); }
  .gr { text-align: center; color: var(--_dim); font-variant-numeric: tabular-nums; }
  details { border-top: 1px solid var(--_line); padding-top: 4px; }
  summary { cursor: pointer; color: var(--_dim); }
  details .ctl { margin-top: 4px; }
`;
