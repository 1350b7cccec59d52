import { css } from 'lit';

export default css`
  :host { display: inline-block; vertical-align: top; }
  ::slotted(*) { margin-top: 6px; }
  .sends { display: grid; gap: 2px; }
  .sends .ctl { grid-template-columns: 1fr auto; }
  .sends input { grid-column: 1 / -1; }
`;
