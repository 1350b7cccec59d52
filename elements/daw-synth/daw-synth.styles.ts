import { css } from 'lit';

export default css`
  :host { display: inline-block; vertical-align: top; }
  :host(:not([keyboard])) { display: none; }
  .keyboard {
    display: flex; height: var(--daw-key-height, 96px); padding: 4px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius); user-select: none; touch-action: none;
  }
  .key {
    flex: 0 0 var(--daw-key-width, 22px); height: 100%; padding: 0; border-radius: 0 0 4px 4px;
    background: var(--daw-key-white, #f4f4f6); color: #555; border: 1px solid #888;
    display: flex; align-items: flex-end; justify-content: center; font-size: 9px;
  }
  .key.black {
    flex-basis: calc(var(--daw-key-width, 22px) * 0.64); margin: 0 calc(var(--daw-key-width, 22px) * -0.32);
    height: 60%; z-index: 1; background: var(--daw-key-black, #1b1c20); color: transparent; border-color: #000;
  }
  .key[aria-pressed='true'] { background: var(--daw-key-active, var(--_accent)); }
  .octave { color: var(--_dim); margin-top: 2px; font-size: 0.9em; }
`;
