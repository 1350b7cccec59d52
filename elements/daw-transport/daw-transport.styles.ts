import { css } from 'lit';

export default css`
  :host { display: inline-block; }
  .face {
    display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 6px 10px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius);
  }
  .position { font-variant-numeric: tabular-nums; min-width: 5.5em; font-weight: 600; }
  .ctl { display: flex; align-items: center; gap: 4px; }
  .tempo { width: 4.5em; font: inherit; color: inherit; background: transparent; border: 1px solid var(--_line); border-radius: var(--_radius); }
`;
