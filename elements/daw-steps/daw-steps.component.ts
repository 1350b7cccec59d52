import type { PropertyDeclarations } from 'lit';
import { BRAND } from '../shared/define.js';
import type { DawChangeDetail, DawEvents } from '../shared/element.js';
import { PatternElement } from '../shared/pattern-element.js';
import { base } from '../shared/styles.js';

/** The events `<daw-steps>` fires. */
export interface DawStepsEvents extends DawEvents {
  'daw-change': DawChangeDetail;
}

/**
 * @summary A step-sequencer grid: rows × steps with a velocity per step, driving a synth (rows = pitches) or clips (rows = clip elements), looped by the transport.
 *
 * @description `<daw-steps for="lead" rows="C4 E4 G4">` plays the synth element with id `lead`
 * (rows are pitches, top row first); `<daw-steps for="kick snare hat">` plays the clip elements with
 * those ids (a row each, named by the clip's `label`, else its id). The pattern repeats every
 * `steps` × `step` beats from song beat `offset` while `engine.transport` plays, scheduled as
 * `<daw-sequence>` schedules (one batch of repeating events, no timer). It is an ARIA grid: Tab
 * enters at one cell (roving tabindex), arrow keys move, Home/End go to a row's ends, Space or Enter
 * toggles a step, + / - (or Shift+Up / Shift+Down) change its velocity (1 to 9 ninths). While the
 * transport plays and the grid is on screen, the current step's column is highlighted (read from
 * the transport's position on animation frames, only then; off screen it does not listen at all).
 *
 * @attr for - Id of a synth element, or ids of clip elements (space-separated).
 * @attr rows - The pitches of a synth's rows (names or MIDI numbers; default "C4 D4 E4 F4 G4 A4 B4 C5").
 * @attr steps - Steps a row, 1 to 64 (default 16).
 * @attr step - Beats a step (default 0.25, sixteenths); a synth's note lasts one step.
 * @attr offset - Song beat where the first pass starts (default 0).
 * @attr pattern - The cells: a word per row, a character per step: "." off, "1" to "9" on at that velocity (ninths; "x" = "9").
 * @attr label - The grid's accessible name (default "Steps").
 *
 * @event daw-change - The user changed the pattern here. `detail: { property: 'pattern', attribute: 'pattern', value }`.
 * @event daw-error - A bad `steps`, `step`, `offset` or row pitch; `for` naming no synth or clip.
 *
 * @csspart grid - The grid.
 * @csspart row - Each row.
 * @csspart name - A row's name (its header cell).
 * @csspart cell - Each step (a button, `aria-pressed` when on; `current` in the playing column, `on` when on).
 *
 * @cssproperty --daw-step-size - A cell's height and width (default 22px; cells narrow down to 10px in a narrow container).
 * @cssproperty --daw-step-on - An on cell's colour (default --daw-accent).
 * @cssproperty --daw-step-current - The playing column's outline (default --daw-text).
 * @cssproperty --daw-surface - Background. @cssproperty --daw-border - Border colour.
 * @cssproperty --daw-focus-ring - Focus outline colour.
 */
export class DawSteps extends PatternElement<DawStepsEvents> {
  // The grid's own rules come with its view (steps-view.ts), loaded on first use.
  static styles = base;
  /** Marks the class as daw-elements' step-sequencer element. */
  static readonly [BRAND] = 'steps';
  static properties: PropertyDeclarations = {
    htmlFor: { type: String, attribute: 'for' },
    rows: { type: String },
    steps: { type: Number },
    step: { type: Number },
    offset: { type: Number },
    pattern: { type: String, reflect: true },
    label: { type: String },
  };

  /** The `for` attribute: the id of a synth element, or the ids of clip elements (a row each). */
  declare htmlFor: string;
  /** A synth's rows, top first: pitch names or MIDI numbers. */
  declare rows: string;
  /** Steps in a row, 1 to 64. */
  declare steps: number;
  /** Beats a step (0.25: sixteenths); steps × step is the pattern's length (up to 64 beats). */
  declare step: number;
  /** Song beat where the first pass starts. */
  declare offset: number;
  /** The cells as text: a word per row, a character per step ("." off, "1" to "9" the velocity in ninths); reflected. */
  declare pattern: string;
  /** The grid's accessible name. */
  declare label: string;
  constructor() {
    super();
    this.htmlFor = '';
    this.rows = 'C4 D4 E4 F4 G4 A4 B4 C5';
    this.steps = 16;
    this.step = 0.25;
    this.offset = 0;
    this.pattern = '';
    this.label = 'Steps';
  }

  protected loadView() {
    return import('./steps-view.js').then((m) => m.StepsView);
  }
}
