import { css } from 'lit';

export default css`
  :host { display: block; max-width: var(--daw-clip-width, 16rem); }
  .clip {
    display: grid; grid-template-columns: auto minmax(0, 1fr) auto; grid-template-areas: 'button label duration' 'button status status';
    align-items: center; gap: 0 8px; padding: 4px 8px 4px 4px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius);
  }
  button { grid-area: button; min-width: 32px; min-height: 32px; padding: 0; }
  button:disabled { cursor: default; opacity: 0.5; }
  .icon { display: inline-block; width: 0; height: 0; border-style: solid; border-width: 6px 0 6px 10px; border-color: transparent transparent transparent currentColor; vertical-align: middle; }
  button[aria-pressed='true'] .icon { width: 10px; height: 10px; border: 0; background: currentColor; }
  .label { grid-area: label; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .duration { grid-area: duration; color: var(--_dim); font-variant-numeric: tabular-nums; }
  .status { grid-area: status; color: var(--_dim); font-size: 0.9em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .status[data-state='error'] { color: var(--daw-error-color, #ff6b6b); white-space: normal; }
  .status[data-state='no-audio'] { color: var(--daw-error-color, #ff6b6b); }
  :host([playing]) .clip { border-color: var(--daw-clip-playing-color, var(--_accent)); }
`;
