/**
 * `<daw-clip>`'s playback: starts the loaded file on the clip's channel, stops it (now or at a
 * time), keeps a play asked for before the file was loaded, and tells when it stops playing by the
 * engine's clock: the end of the file without `loop`, a scheduled stop, another clip taking the
 * channel, or the channel going away. Sets the host's `playing` attribute.
 */
import type { Channel, Engine, Sample } from '../../src/index.js';
import type { DawEvents, Emit } from '../shared/element.js';

/**
 * The player that last started a clip on each channel, shared by every copy of the script: a
 * channel plays one clip at a time, so a clip started by another `<daw-clip>` ends this one.
 */
interface Owner { replaced(): void }
const OWNERS_KEY = Symbol.for('daw-elements.clip-owners');
const owners: WeakMap<Channel, Owner> =
  ((globalThis as Record<symbol, unknown>)[OWNERS_KEY] as WeakMap<Channel, Owner>) ??
  ((globalThis as Record<symbol, unknown>)[OWNERS_KEY] = new WeakMap());

/** How the next play goes: from `offset` seconds into the file, at linear `gain`, looping or not; `autoplay` once loaded. */
export interface PlayOptions {
  offset: number;
  gain: number;
  loop: boolean;
  autoplay: boolean;
}

export class ClipPlayer {
  /** A play asked for before the file was loaded (played when it is). */
  pending: { time?: number } | null = null;
  /** Started and not yet seen to end (`playing` also asks the engine's clock). */
  started = false;
  #playingOn: Channel | null = null;
  /** AudioContext time at which the clip ends (Infinity while looping), and of a scheduled stop. */
  #endAt = Infinity;
  #stopAt = Infinity;
  #timer: ReturnType<typeof setTimeout> | 0 = 0;
  readonly #owner: Owner = { replaced: () => this.#ended() };

  /** `channel()` is where the clip plays now (a clip whose channel changed has stopped); `options()` the element's settings. */
  constructor(private readonly host: HTMLElement & { requestUpdate(): void }, private readonly engine: Engine,
    private readonly emit: Emit<DawEvents>, private readonly channel: () => Channel | null, private readonly options: () => PlayOptions) {}

  /** True from a play until the clip ends, is stopped, or is replaced in its channel. */
  get playing(): boolean {
    // The engine's clock decides, also between two checks of watch() (a context clock can run in
    // bursts, ahead of the timers).
    if (this.started && this.engine.now() >= this.#endAt) this.#ended();
    return this.started;
  }

  /** Playing or about to (a pending play): the button shows pressed. */
  get pressed(): boolean {
    return this.started || this.pending !== null;
  }

  /** Plays `sample` (or, while it loads, as soon as it is loaded) at AudioContext `time` (default now). */
  play(sample: Sample | null, time: number | undefined): boolean {
    if (sample) return this.#begin(sample, time);
    this.pending = { time };
    this.host.requestUpdate();
    return true;
  }

  /** A new file is in place: a playing clip moves to it (5 ms cross-fade); a pending play or `autoplay` starts it. */
  loaded(sample: Sample): void {
    const pending = this.pending;
    this.pending = null;
    if (this.started || pending || this.options().autoplay) this.#begin(sample, pending?.time);
  }

  /** The file is gone (src removed, or the load failed): stop, and forget a pending play. */
  lost(): void {
    this.pending = null;
    this.stop();
  }

  /** Plays `sample` at AudioContext `time` (default now), restarting it if it plays; false (and `daw-error`) when it cannot. */
  #begin(sample: Sample, time: number | undefined): boolean {
    const { offset, gain, loop } = this.options();
    const ch = this.channel();
    const engine = this.engine;
    if (!ch) {
      this.emit('daw-error', { code: 'no-channel', message: '<daw-clip> play: the enclosing <daw-channel> has no mixer channel (it is not defined yet, or no channel was free)' });
      return false;
    }
    if (!loop && offset >= sample.duration) {
      this.emit('daw-error', { code: 'out-of-range', attribute: 'offset', value: offset, range: `0 to ${+sample.duration.toFixed(6)} s (the file's length)`,
        message: `<daw-clip> offset: ${offset} s is at or past the end of the file (${+sample.duration.toFixed(6)} s); nothing to play` });
      return false;
    }
    try {
      ch.play(sample, { time, offset: Math.min(offset, sample.duration), loop, gain });
    } catch (e) {
      this.emit('daw-error', { code: 'invalid-value', message: `<daw-clip> play: ${(e as Error).message}`, error: e });
      return false;
    }
    const previous = owners.get(ch);
    owners.set(ch, this.#owner);
    if (previous && previous !== this.#owner) previous.replaced();
    this.#playingOn = ch;
    const now = engine.now();
    const remaining = sample.duration - offset;
    // Without shared memory an immediate play reaches the worklet with the next batch, up to an
    // animation frame later: `playing` may end that much before the sound does.
    const start = Math.max(time ?? now, now);
    this.#endAt = Math.min(loop ? Infinity : start + remaining, this.#stopAt > start ? this.#stopAt : Infinity); // a stop scheduled earlier applies
    this.#stopAt = Infinity;
    this.started = true;
    this.host.toggleAttribute('playing', true);
    this.host.requestUpdate();
    this.watch();
    return true;
  }

  /** Stops the clip at AudioContext `time` (default now; a valid time) with a 5 ms fade; cancels a pending play. */
  stop(time?: number): void {
    if (this.pending) {
      this.pending = null;
      this.host.requestUpdate();
    }
    if (!this.started) return;
    const ch = this.#playingOn;
    if (ch && !ch.isDisposed && owners.get(ch) === this.#owner) ch.stop(time);
    if (time === undefined || time <= this.engine.now()) {
      this.#ended();
    } else {
      this.#stopAt = time;
      this.#endAt = Math.min(this.#endAt, time);
      this.watch();
    }
  }

  /** Ends `playing` when the engine's clock passes the clip's end, or its channel went away or plays another clip. */
  watch(): void {
    clearTimeout(this.#timer);
    this.#timer = 0;
    if (!this.started) return;
    const ch = this.#playingOn;
    if (!ch || ch.isDisposed || owners.get(ch) !== this.#owner || ch !== this.channel()) {
      this.#ended();
      return;
    }
    const left = this.#endAt - this.engine.now();
    if (left <= 0) {
      this.#ended();
      return;
    }
    // The context's clock decides (it stands still while suspended); at least 4 checks a second
    // notice a channel that went away.
    this.#timer = setTimeout(() => this.watch(), Math.min(250, left * 1000 + 1));
  }

  #ended(): void {
    clearTimeout(this.#timer);
    this.#timer = 0;
    this.#stopAt = Infinity;
    if (!this.started) return;
    this.started = false;
    this.host.toggleAttribute('playing', false);
    this.host.requestUpdate();
  }
}
