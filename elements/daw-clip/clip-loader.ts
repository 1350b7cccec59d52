/**
 * `<daw-clip>`'s file: fetches and decodes `src` into the engine's memory (Engine.loadSample) with
 * the loop points, replaces the file when they change, drops a load that a newer one (or a removal)
 * made stale, and frees a file only once nothing still reads it. It fires `daw-clip-load` and the
 * load's `daw-error`s through the host's emit(); the clip's player follows (loaded/lost).
 */
import type { Engine, Sample, SampleOptions } from '../../src/index.js';
import { notRunning } from '../shared/advice.js';
import type { DawEvents, Emit } from '../shared/element.js';
import type { ClipPlayer } from './clip-player.js';

/** Detail of `daw-clip-load`. */
export interface DawClipLoadDetail {
  src: string;
  /** Seconds. */
  duration: number;
  sample: Sample;
}

/** `<daw-clip>`'s events. */
export interface DawClipEvents extends DawEvents {
  'daw-clip-load': DawClipLoadDetail;
}

/** The control that starts audio from a clip, for the not-running advice. */
export const START_HINT = 'this clip\'s play button or <daw-engine>\'s "Enable audio"';

export type LoadState = 'empty' | 'loading' | 'ready' | 'error';

export class ClipLoader {
  /** The engine sample while loaded (set by the loader only). */
  sample: Sample | null = null;
  state: LoadState = 'empty';
  /** Why the last load failed ('' otherwise). */
  errorText = '';
  /** src and loop points of the file loaded or loading; a load whose token is stale is discarded. */
  #key = '';
  #token = 0;
  /** Whether `sample` is the loader's own (loaded from `src`), which it frees; a Sample given as `src` is the page's. */
  #own = false;

  constructor(private readonly host: { requestUpdate(): void }, private readonly engine: Engine, private readonly emit: Emit<DawClipEvents>, private readonly player: ClipPlayer) {}

  /** The engine failed or was closed: a load that failed then failed for want of it, not for the file. */
  get engineDown(): boolean {
    const s = this.engine.state;
    return s === 'error' || s === 'closed';
  }

  /** Loads `src` with the loop points when they differ from what is loaded or loading (or, with `again`, in any case). */
  sync(src: string, loopStart: number, loopEnd: number, again = false): void {
    const key = src ? `${src}\n${loopStart}\n${loopEnd}` : '';
    if (key === this.#key && !again) return;
    this.#key = key;
    const token = ++this.#token;
    this.errorText = '';
    this.host.requestUpdate();
    if (!src) {
      this.#drop('empty');
      return;
    }
    this.state = 'loading';
    void this.#load(src, loopStart, loopEnd, token);
  }

  /** Plays a Sample the page gave as `src` (nothing to load; never freed here). */
  use(s: Sample): void {
    if (this.sample === s) return;
    this.#token++; // a load still running is dropped
    this.#key = '';
    const old = this.sample;
    this.#retire(old);
    this.sample = s;
    this.#own = false;
    this.state = 'ready';
    this.errorText = '';
    this.player.loaded(s);
    this.host.requestUpdate();
  }

  /** Forgets the file (the element left the document): a load still running is dropped when it completes. */
  release(): void {
    this.#token++;
    this.#key = '';
    this.#retire(this.sample);
    this.sample = null;
    this.state = 'empty';
  }

  /** No file any more: playback stops, the sample is freed once faded. */
  #drop(state: LoadState): void {
    this.state = state;
    this.player.lost();
    this.#retire(this.sample);
    this.sample = null;
  }

  async #load(src: string, loopStart: number, loopEnd: number, token: number): Promise<void> {
    const { host, engine, emit } = this;
    let opts: SampleOptions = { loopStart, ...(loopEnd > 0 ? { loopEnd } : {}) };
    if (loopEnd > 0 && loopEnd <= loopStart) {
      emit('daw-error', { code: 'invalid-value', attribute: 'loop-end', value: loopEnd, range: `greater than loop-start (${loopStart} s), or 0 for the end of the file`,
        message: `<daw-clip> loop-end: ${loopEnd} is not after loop-start (${loopStart}); looping the whole file` });
      opts = {};
    }
    let sample: Sample;
    try {
      try {
        sample = await engine.loadSample(src, opts);
      } catch (e) {
        if (!(e instanceof RangeError && /loop/.test(e.message)) || token !== this.#token) throw e;
        // Loop points past the end of the file: loop the whole file and say so.
        sample = await engine.loadSample(src);
        const d = sample.duration;
        const attribute = loopEnd > d ? 'loop-end' : 'loop-start';
        const value = attribute === 'loop-end' ? loopEnd : loopStart;
        emit('daw-error', { code: 'out-of-range', attribute, value, range: `0 to ${+d.toFixed(6)} s (the file's length)`,
          message: `<daw-clip> ${attribute}: ${value} s is past the end of the file (${+d.toFixed(6)} s); looping the whole file` });
      }
    } catch (e) {
      if (token !== this.#token) return;
      const message = String((e as Error)?.message ?? e).replace(/^loadSample: /, '');
      this.errorText = message;
      this.#drop('error');
      host.requestUpdate();
      if (this.engineDown) {
        // Not the file's fault: the engine failed to start (or was closed). Say why and what to do.
        emit('daw-error', { code: 'not-running', attribute: 'src', value: src, message: notRunning('<daw-clip> src', engine, 'The file was not loaded.', START_HINT), error: e });
        return;
      }
      emit('daw-error', { code: /^no free/.test(message) ? 'capacity' : 'load-failed', attribute: 'src', value: src, message: `<daw-clip> src: ${message}`, error: e });
      return;
    }
    if (token !== this.#token) {
      sample.dispose(); // src changed or the element was removed meanwhile
      return;
    }
    const old = this.sample;
    this.#retire(old);
    this.sample = sample;
    this.#own = true;
    this.state = 'ready';
    this.player.loaded(sample); // a playing clip moves to the new file with a 5 ms cross-fade
    host.requestUpdate();
    emit('daw-clip-load', { src, duration: sample.duration, sample });
  }

  /**
   * Frees a sample once a stop or cross-fade that still reads it has been applied and has faded
   * (Sample.dispose() silences its players at once, without a fade).
   */
  #retire(s: Sample | null): void {
    if (!s || s.isDisposed || !this.#own) return;
    void this.engine.flush().then(() => setTimeout(() => s.dispose(), 50));
  }
}
