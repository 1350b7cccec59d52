import { css } from 'lit';

// Opened, the failure's details take a row of their own at the end of the bar.
export default css`
  :host { display: block; }
  .face {
    display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 6px 10px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius);
  }
  .status { font-weight: 600; }
  .status[data-state='running'] { color: var(--daw-ok-color, #3ccf6e); }
  .status[data-state='error'] { color: var(--daw-error-color, #ff6b6b); }
  .details { color: var(--_dim); }
  .details summary { cursor: pointer; }
  .details[open] { flex-basis: 100%; order: 1; }
  .details p { margin: 4px 0 0; color: var(--_fg); overflow-wrap: anywhere; }
  .ctl { grid-template-columns: auto 9rem auto; align-items: center; gap: 6px; }
  .meter { height: 10px; width: 9rem; min-height: 0; }
  .meter > div { transform-origin: left; transform: scaleX(0); }
  .load, .glitches { color: var(--_dim); font-variant-numeric: tabular-nums; }
  .glitches.bad { color: var(--daw-error-color, #ff6b6b); }
  .quality { color: var(--daw-quality-color, #e0a030); font-variant-numeric: tabular-nums; }
  .quality[hidden] { display: none; }
  .history { width: 3rem; height: 1em; overflow: visible; }
  .history polyline { fill: none; stroke: var(--daw-load-color, var(--_accent)); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  button.start { background: var(--_accent); color: var(--daw-accent-text, #0b1220); font-weight: 600; }
  .record[aria-pressed='true'] { background: var(--daw-record-color, var(--daw-error-color, #ff6b6b)); color: var(--daw-accent-text, #0b1220); }
  progress { width: 6rem; accent-color: var(--_accent); }
  a[part='download'] { color: var(--_accent); }
  .content { display: block; }
`;
