/**
 * What `<daw-sequence>` and `<daw-steps>` share, loaded on first use (`import()` from the element,
 * its own file in dist/, so a page without a pattern does not load it): the grammar, the player a
 * pattern drives, and the scheduling of a pattern into the transport's timeline.
 *
 * How a pattern sits on the song. A pattern of `length` beats starts at song beat `offset` and
 * repeats every `length` beats from there, forever (`once`: one pass): its events go into the
 * timeline once, as repeating events (dsp/Timeline.zig, a period per event), so the audio thread
 * replays them on every pass, looped transport or not, with no work and no timer on this thread. A
 * transport loop replays the song beats in its region, so a 4-beat pattern in an 8-beat loop plays
 * twice a pass. An edit replaces the batch in one message (removed and added between the same two
 * quanta): what the song has not reached yet plays the new pattern, the rest from the next pass.
 */
import type { Channel, Engine, Sample, ScheduledNotes, Synth, TimelineClip, TimelineNote } from '../../src/index.js';
import { show } from '../../src/validate.js';
import type { DawSequence } from '../daw-sequence/daw-sequence.component.js';
import { findPlayer } from './context.js';
import { kindOf } from './define.js';
import { emitError } from './element.js';
import { CLIP_FORM, SYNTH_FORM, parseNotes } from './pattern-grammar.js';

export * from './pattern-grammar.js';

/** A pattern's target: a synth (events with a pitch) or a clip element's channel and sample. */
export type Player = { kind: 'synth'; el: HTMLElement; synth: Synth | null } | { kind: 'clip'; el: HTMLElement; channel: Channel | null; sample: Sample | null; loop: boolean; gain: number; offset: number };

/** The player element `el` (a synth or clip element of ours, under any tag name), or null. */
export function playerOf(el: Element | null): Player | null {
  const kind = kindOf(el?.constructor as CustomElementConstructor);
  const e = el as HTMLElement & Record<string, never>;
  if (kind === 'synth') return { kind, el: e, synth: e.synth };
  if (kind === 'clip') return { kind, el: e, channel: e.channel, sample: e.sample, loop: !!e.loop, gain: Number(e.gain ?? 1), offset: Number(e.offset ?? 0) };
  return null;
}

/** One scheduled event: pattern beat, length, level, and pitch (synths) or which player. */
export interface Hit {
  player: Player;
  beat: number;
  length: number;
  level: number;
  pitch?: number;
}

/** Beats a bar in the transport's signature. */
export const barBeats = (engine: Engine): number => {
  const [n, d] = engine.transport.timeSignature;
  return (n * 4) / d;
};

/**
 * A pattern's batch in the timeline: `set` replaces it (chained, so edits apply in order), `clear`
 * removes it. Failures are `daw-error`s on the host.
 */
export class PatternTrack {
  #batch: ScheduledNotes | null = null;
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly host: HTMLElement, private readonly engine: Engine) {}

  /** Resolves when the last edit is in the audio thread's timeline. */
  get done(): Promise<void> {
    return this.#chain;
  }

  /** Schedules `hits` from song beat `offset`, repeating every `length` beats unless `once`. */
  set(hits: Hit[], length: number, offset: number, once: boolean): Promise<void> {
    const repeat = once ? undefined : length;
    const events: (TimelineNote | TimelineClip)[] = [];
    for (const h of hits) {
      const beat = offset + h.beat;
      const p = h.player;
      if (p.kind === 'synth' && p.synth && !p.synth.isDisposed) {
        events.push({ synth: p.synth, pitch: h.pitch!, beat, length: h.length, velocity: h.level, repeat });
      } else if (p.kind === 'clip' && p.channel && p.sample) {
        events.push({ channel: p.channel, sample: p.sample, beat, length: h.length || undefined, gain: Math.min(16, h.level * p.gain), offset: p.offset, loop: p.loop, repeat });
      }
    }
    return this.#run(async () => {
      const old = this.#batch;
      this.#batch = null;
      if (events.length) this.#batch = await this.engine.transport.schedule(events, old ? { replace: old } : {});
      else if (old) await this.engine.transport.unschedule(old);
    });
  }

  /** Removes the pattern's events (a note they started is released). */
  clear(): Promise<void> {
    return this.#run(async () => {
      const old = this.#batch;
      this.#batch = null;
      if (old) await this.engine.transport.unschedule(old);
    });
  }

  #run(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch((e) => {
      emitError(this.host, { code: 'invalid-value', message: `<${this.host.localName}>: the transport refused the pattern (${(e as Error).message})`, error: e });
    });
    return this.#chain;
  }
}

/** A pattern length: 1/960 to 64 beats, a whole number of ticks; else the error's text. */
export function checkLength(v: number): string {
  return v >= 1 / 960 && v <= 64 && Math.abs(v * 960 - Math.round(v * 960)) < 1e-6 ? '' : '1/960 to 64 beats, a whole number of ticks (1/960 beat)';
}

/** `<daw-sequence>`'s work: finds its synth or clip (by context), parses, reports, schedules. */
export class SequenceView {
  readonly #track: PatternTrack;
  #player: HTMLElement | null = null;
  readonly #onLoad = () => this.update();

  constructor(private readonly host: DawSequence, private readonly engine: Engine) {
    this.#track = new PatternTrack(host, engine);
  }

  get done(): Promise<void> {
    return this.#track.done;
  }

  connect(): void {}

  disconnect(): void {
    this.#listen(null);
    void this.#track.clear();
  }

  render(): unknown {
    return undefined;
  }

  #listen(player: HTMLElement | null): void {
    this.#player?.removeEventListener('daw-clip-load', this.#onLoad);
    player?.addEventListener('daw-clip-load', this.#onLoad);
    this.#player = player;
  }

  update(): void {
    const host = this.host;
    if (!host.isConnected) return;
    const player = findPlayer(host);
    if (player !== this.#player) this.#listen(player);
    const tag = `<${host.localName}>`;
    const bad = (attribute: string, value: unknown, range: string, message: string) => emitError(host, { code: 'invalid-value', attribute, value, range, message: `${tag} ${attribute}: ${message}` });
    const lenErr = checkLength(host.length);
    if (lenErr) return void bad('length', host.length, lenErr, `${show(host.length)} is not ${lenErr}`);
    if (!(host.offset >= 0 && host.offset <= 2 ** 20)) return void bad('offset', host.offset, '0 to 2^20 beats', `${show(host.offset)} is not a song beat 0 to 2^20`);
    const p = playerOf(player);
    if (!p) return void emitError(host, { code: 'no-target', message: `${tag}: not inside a synth or clip element; put it inside <daw-synth> or <daw-clip>` });
    const { events, errors } = parseNotes(String(host.notes ?? ''), p.kind === 'clip', host.length, barBeats(this.engine));
    for (const e of errors) bad('notes', e.token, p.kind === 'clip' ? CLIP_FORM : SYNTH_FORM, e.message);
    void this.#track.set(events.map((e) => ({ ...e, player: p })), host.length, host.offset, host.once);
  }
}
