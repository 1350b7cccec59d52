import { css, type PropertyDeclarations } from 'lit';
import { BRAND } from '../shared/define.js';
import { PatternElement } from '../shared/pattern-element.js';

/**
 * @summary A pattern written in HTML, looped by the transport: a note list for the enclosing `<daw-synth>`, or launch times for the enclosing `<daw-clip>`.
 *
 * @description `<daw-sequence length="4" notes="C4 0 1/2, E4 1 1/2, G4 2 1 0.8">` inside a synth
 * plays C4, E4 and G4 on beats 1, 2 and 3 of every 4-beat pass while `engine.transport` plays.
 * Notes: `pitch start [length [velocity]]`, separated by commas; pitch as a name (`C4`, `F#3`,
 * `Bb2`) or MIDI number, start and length in beats, as fractions (`3/4`) or, for the start,
 * `bar:beat` (1-based, in the transport's signature); length defaults to 1 beat, velocity (0 to 1)
 * to 1. Inside a `<daw-clip>`: `start [length [gain]]` (a launch without a length plays to the
 * file's end). The pattern starts at song beat `offset` and repeats every `length` beats from there,
 * forever (`once`: one pass); the audio thread repeats it, with no timer on the page, inside or
 * outside a transport loop. An edit replaces the whole pattern at once (the song's part not reached
 * yet plays the new one); removing the element removes its notes (a sounding one is released).
 * The element finds its synth or clip through context (any tag prefix) and shows nothing.
 *
 * @attr notes - The note list (see above).
 * @attr length - Pattern length in beats, 1/960 to 64 (default 4).
 * @attr offset - Song beat where the first pass starts (default 0).
 * @attr once - Play one pass only.
 *
 * @event daw-error - A note that does not parse (`detail.value` the token, the message says which note, at which character, and the valid form), a bad `length` or `offset`, no synth or clip around it.
 */
export class DawSequence extends PatternElement {
  static styles = css`:host { display: none; }`;
  /** Marks the class as daw-elements' sequence element. */
  static readonly [BRAND] = 'sequence';
  static properties: PropertyDeclarations = {
    notes: { type: String },
    length: { type: Number },
    offset: { type: Number },
    once: { type: Boolean },
  };

  /** The note list: `pitch start [length [velocity]]` (in a clip: `start [length [gain]]`), comma-separated. */
  declare notes: string;
  /** Pattern length in beats, 1/960 to 64; it repeats every `length` beats. */
  declare length: number;
  /** Song beat where the first pass starts. */
  declare offset: number;
  /** Play one pass only (else it repeats for as long as the song plays). */
  declare once: boolean;
  constructor() {
    super();
    this.notes = '';
    this.length = 4;
    this.offset = 0;
    this.once = false;
  }

  protected loadView() {
    return import('../shared/patterns.js').then((m) => m.SequenceView);
  }
}
