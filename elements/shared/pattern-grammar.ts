/**
 * The note-list grammar of `<daw-sequence notes="…">` (pure: no DOM, no engine; `node --test`
 * units in pattern-grammar.test.mjs).
 *
 *   notes  = event *( ("," / ";" / newline) event )
 *   synth event = pitch start [length [velocity]]      e.g. "C4 0 1/2", "F#3 1:3 0.25 0.8", "60 2"
 *   clip event  = start [length [gain]]                e.g. "0", "2 1/2 0.7"
 *   pitch  = name octave ("C4" = 60, "F#3", "Bb2", "c-1" = 0) / MIDI number 0 to 127
 *   start  = beats ("1.5"), a fraction ("3/4"), or bar:beat, both 1-based, in the transport's
 *            signature ("2:3" = the third beat of the second bar; "1:2.5" or "1:5/2" = beat 1.5)
 *   length = beats or a fraction (default 1 for a note; a clip without one plays to its own end)
 *   velocity 0 to 1 (default 1); gain 0 to 16, linear (default 1)
 *
 * A start must fall inside the pattern ([0, length)); a note longer than the pattern is cut to it.
 */

/** One event of a pattern: beats from the pattern's start. */
export interface PatternEvent {
  beat: number;
  /** Beats; 0 = a clip without a stop. */
  length: number;
  /** Velocity (notes) or gain (clips). */
  level: number;
  /** MIDI pitch (notes). */
  pitch?: number;
}

/** A token that does not parse: which event (0-based), where (character index) and why. */
export interface GrammarError {
  token: string;
  event: number;
  at: number;
  message: string;
}

const STEPS: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
export const SYNTH_FORM = '"pitch start [length [velocity]]", e.g. "C4 0 1/2 0.8" (pitch C4, F#3, Bb2 or 0 to 127; times in beats, a/b or bar:beat)';
export const CLIP_FORM = '"start [length [gain]]", e.g. "0 1/2" (times in beats, a/b or bar:beat)';

/** MIDI number of "C4" / "F#3" / "Bb2" / "60"; NaN if it is none in 0..127. */
export function parsePitch(t: string): number {
  const m = /^([a-g])([#b]?)(-?\d)$/i.exec(t);
  const p = m ? STEPS[m[1].toLowerCase()] + (m[2] === '#' ? 1 : m[2] === 'b' ? -1 : 0) + 12 * (Number(m[3]) + 1) : /^\d+$/.test(t) ? Number(t) : NaN;
  return p >= 0 && p <= 127 ? p : NaN;
}

/** Beats of "1.5", "3/4" or (with `bar` beats a bar) "2:3"; NaN if malformed or negative. */
export function parseBeats(t: string, bar = 0): number {
  const c = t.indexOf(':');
  if (c >= 0) {
    if (!bar) return NaN;
    const b = Number(t.slice(0, c));
    const beat = parseBeats(t.slice(c + 1));
    return Number.isInteger(b) && b >= 1 && beat >= 1 ? (b - 1) * bar + beat - 1 : NaN;
  }
  const s = t.indexOf('/');
  const v = s >= 0 ? Number(t.slice(0, s)) / Number(t.slice(s + 1)) : Number(t);
  return /^[\d./]+$/.test(t) && v >= 0 && Number.isFinite(v) ? v : NaN;
}

/**
 * Parses `text` for a synth (`clip` false) or a clip; `length` is the pattern's, `bar` the beats of
 * a bar. Events that parse are returned; each bad token gives one error (its event is skipped).
 */
export function parseNotes(text: string, clip: boolean, length: number, bar: number): { events: PatternEvent[]; errors: GrammarError[] } {
  const events: PatternEvent[] = [];
  const errors: GrammarError[] = [];
  const form = clip ? CLIP_FORM : SYNTH_FORM;
  const re = /[^,;\n]+/g;
  let m: RegExpExecArray | null;
  let n = -1;
  while ((m = re.exec(text))) {
    const fields = [...m[0].matchAll(/\S+/g)];
    if (!fields.length) continue;
    n++;
    const bad = (i: number, why: string) => {
      const f = fields[Math.min(i, fields.length - 1)];
      const token = i < fields.length ? f[0] : m![0].trim();
      errors.push({ token, event: n, at: m!.index + (f.index ?? 0), message: `"${token}" (note ${n + 1}, at character ${m!.index + (f.index ?? 0)}) ${why}; expected ${form}` });
    };
    const k = clip ? 0 : 1;
    if (fields.length > k + 3) {
      bad(k + 3, 'is one field too many');
      continue;
    }
    const pitch = clip ? undefined : parsePitch(fields[0][0]);
    if (pitch !== undefined && Number.isNaN(pitch)) {
      bad(0, 'is not a pitch');
      continue;
    }
    if (fields.length <= k) {
      bad(k, 'has no start');
      continue;
    }
    const beat = parseBeats(fields[k][0], bar);
    if (!(beat < length)) {
      bad(k, Number.isNaN(beat) ? 'is not a start' : `starts at or after the pattern's end (length ${length} beats)`);
      continue;
    }
    const len = fields[k + 1] ? parseBeats(fields[k + 1][0]) : clip ? 0 : 1;
    if (!(len >= (clip ? 0 : 1 / 960))) {
      bad(k + 1, 'is not a length (beats > 0)');
      continue;
    }
    const level = fields[k + 2] ? Number(fields[k + 2][0]) : 1;
    if (!(level >= 0 && level <= (clip ? 16 : 1))) {
      bad(k + 2, clip ? 'is not a gain 0 to 16' : 'is not a velocity 0 to 1');
      continue;
    }
    events.push({ beat, length: Math.min(len, length), level, pitch });
  }
  return { events, errors };
}

/**
 * `<daw-steps pattern>`: one word per row, one character per step: "." off, "1" to "9" the velocity
 * in ninths ("9" full), "x" = "9". Rows and steps missing are off; other characters are off too.
 */
export function parseSteps(text: string, rows: number, steps: number): number[][] {
  const words = String(text ?? '').trim().split(/\s+/);
  return Array.from({ length: rows }, (_, r) => Array.from({ length: steps }, (_, s) => {
    const c = words[r]?.[s] ?? '.';
    return c === 'x' || c === 'X' ? 9 : /[1-9]/.test(c) ? Number(c) : 0;
  }));
}

/** The grid back as its `pattern` text. */
export const formatSteps = (cells: number[][]): string => cells.map((r) => r.map((v) => (v ? String(v) : '.')).join('')).join(' ');
