import { css } from 'lit';

// Keys get a width, not only a flex-basis: Firefox sizes a shrink-to-fit flex container from its
// items' widths (it made the frame 103 px around 318 px of keys while Chromium used the basis).
// The octave readout sits inside the frame, on its surface: dim text on the page's own background
// was 2.6:1 on white. (Comments out here: inside css`` they would ship in the bundle.)
export default css`
  :host { display: inline-block; vertical-align: top; }
  :host(:not([keyboard])) { display: none; }
  .keyboard {
    display: flex; flex-direction: column; gap: 2px; padding: 4px; background: var(--_bg);
    border: 1px solid var(--_line); border-radius: var(--_radius); user-select: none; touch-action: none;
  }
  .keys { display: flex; height: var(--daw-key-height, 96px); }
  .key {
    flex: none; width: var(--daw-key-width, 22px); height: 100%; padding: 0; border-radius: 0 0 4px 4px;
    background: var(--daw-key-white, #f4f4f6); color: #4a4d55; border: 1px solid #888;
    display: flex; align-items: flex-end; justify-content: center; font-size: 9px;
  }
  .key.black {
    width: calc(var(--daw-key-width, 22px) * 0.64); margin: 0 calc(var(--daw-key-width, 22px) * -0.32);
    height: 60%; z-index: 1; background: var(--daw-key-black, #1b1c20); color: transparent; border-color: #000;
  }
  .key[aria-pressed='true'] { background: var(--daw-key-active, var(--_accent)); color: var(--daw-accent-text, #0b1220); }
  .octave { color: var(--_dim); font-size: 0.9em; }
`;
