import { css } from 'lit';

// Channels take the room left by the buses (at least --daw-mixer-channels-min) and scroll sideways;
// the buses and master keep their width beside them. Where both do not fit on one row (a phone),
// the buses and master go below the channels, wrapping onto as many rows as they need: always in view.
export default css`
  :host { display: block; min-width: 0; }
  .console { display: flex; flex-wrap: wrap; gap: var(--daw-mixer-gap, 8px); align-items: flex-start; }
  .channels, .buses { display: flex; gap: var(--daw-mixer-gap, 8px); align-items: flex-start; overflow-x: auto; min-width: 0; padding-bottom: 4px; }
  .channels { flex: 1 1 var(--daw-mixer-channels-min, 16rem); }
  .buses { flex: 0 1 auto; max-width: 100%; flex-wrap: wrap; }
  ::slotted(*) { flex: none; }
`;
