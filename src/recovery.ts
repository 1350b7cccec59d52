/**
 * Recovery from audio-thread failures: what the engine keeps on the main thread so that a new worklet
 * node (on the same AudioContext, or on a new one when the old one was closed under the page) can be
 * given back everything the page had, and the policy that keeps a crash loop from spinning.
 *
 * What needs no keeping: claims and every channel, bus, master and synth parameter live in the
 * control block (protocol/layout.ts), which the main thread owns; a new node reads all of it at its first
 * quantum (shared memory) or gets it in its first batch (messages). What is kept here:
 *
 * - Samples: their PCM (planar f32 at the engine's rate), because the DSP's WebAssembly memory dies
 *   with the processor. Keeping the decoded PCM costs frames x channels x 4 bytes of main-thread
 *   memory per sample (the same again as its copy in the DSP), but it restores without the network,
 *   without a decoder and without the source, which may be gone: a revoked blob: URL, a transferred
 *   ArrayBuffer, Float32Arrays the page has since changed. Re-decoding would need all of those.
 * - Clips: per channel, the plays and stops the page asked for (context time, sample, offset, loop,
 *   gain), pruned to the one in effect now and those still to come, so that a clip playing at the
 *   failure, or scheduled after it, is played again. See plan() for where it resumes.
 *
 * Not kept: notes. Notes held or queued at the failure are dropped; the page's next note-offs for them
 * are harmless.
 *
 * Main thread only.
 */
import type { Channel, Sample } from './handles.js';

/** Failures within this many milliseconds count together towards giving up. */
export const RECOVERY_WINDOW_MS = 30000;
/** Default number of failures within the window that are recovered; one more and the engine gives up. */
export const RECOVERY_ATTEMPTS = 3;
/** Seconds between restoring and the clips' restart (they restart at an exact frame, not "as soon as possible"). */
export const RESUME_LEAD = 0.05;

/** A sample's PCM kept for restoring (see the file header for the memory cost). */
export interface KeptSample {
  id: number;
  slot: number;
  channels: Float32Array[];
  frames: number;
  loopStart: number;
  loopEnd: number;
  /** Where it came from (engine.snapshot()): the absolute URL it was fetched from, else null and what it was. */
  url?: string | null;
  from?: 'url' | 'bytes' | 'pcm';
}

/** A play or stop the page asked for on a channel, at context time `t` (seconds). */
export interface ClipRecord {
  kind: 'play' | 'stop';
  t: number;
  sample: Sample | null;
  /** Start offset in frames (plays). */
  offset: number;
  loop: boolean;
  gain: number;
}

/** What to ask of the new node: a play or stop at context time `time`. */
export interface ClipRestore extends ClipRecord {
  channel: Channel;
  time: number;
}

/** What the last recovery did: `daw-statechange` detail `recovered` and `engine.lastRecovery`. */
export interface RecoveryReport {
  /** What failed: 'worklet-crashed' or 'context-lost'. */
  cause: string;
  /** Milliseconds from noticing the failure to running again with samples and clips restored. */
  ms: number;
  /** Of `ms`, the backoff waits before attempts (0 for a first failure). */
  waitMs: number;
  /** Failures within the last 30 s, this one included (1 = recovered at the first try). */
  attempt: number;
  /** Recoveries since the engine started. */
  count: number;
  /** Whether a new AudioContext was made (the old one was closed). */
  newContext: boolean;
  /** Samples re-loaded into the new DSP, and their bytes. */
  samples: number;
  sampleBytes: number;
  /** Clip plays and stops given back to channels. */
  clips: number;
}

export class Recovery {
  /** Samples by id: every sample loaded or loading. */
  readonly samples = new Map<number, KeptSample>();
  private readonly clips = new Map<Channel, ClipRecord[]>();
  private failures: number[] = [];
  /** Recoveries done. */
  count = 0;

  constructor(readonly attempts: number = RECOVERY_ATTEMPTS) {
    if (!Number.isInteger(attempts) || attempts < 0 || attempts > 100) {
      throw new RangeError(`recovery.attempts ${String(attempts)} must be a whole number 0 to 100`);
    }
  }

  keepSample(k: KeptSample): void {
    this.samples.set(k.id, k);
  }

  forgetSample(id: number): void {
    this.samples.delete(id);
  }

  /** Bytes of PCM kept on the main thread. */
  get keptBytes(): number {
    let n = 0;
    for (const k of this.samples.values()) n += k.frames * k.channels.length * 4;
    return n;
  }

  /** Records a play or stop on `ch` and forgets what it made irrelevant as of context time `now`. */
  clipEvent(ch: Channel, rec: ClipRecord, now: number): void {
    let list = this.clips.get(ch);
    if (!list) this.clips.set(ch, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1].t > rec.t) i--; // after records at the same time (ring order)
    list.splice(i, 0, rec);
    // Everything before the last record due by now is superseded by it.
    let last = -1;
    for (let j = 0; j < list.length; j++) if (list[j].t <= now) last = j;
    if (last > 0) list.splice(0, last);
  }

  forgetChannel(ch: Channel): void {
    this.clips.delete(ch);
  }

  /**
   * Moves every record by `delta` seconds: onto a new context's clock, which takes over from the old
   * one's at the moment of the loss (old time T_loss becomes the new context's time then).
   */
  rebase(delta: number): void {
    for (const list of this.clips.values()) for (const r of list) r.t += delta;
  }

  /**
   * The plays and stops to give the new node from context time `resumeAt` on; they are also the
   * records kept from now on.
   *
   * Where a clip resumes: at the position it would have reached had nothing failed, on the context
   * clock: a clip started at t0 from offset o plays, from `resumeAt`, position o + (resumeAt - t0) x
   * rate, wrapped into its loop region when looping (as AudioBufferSourceNode loops). On the same
   * context that keeps it in step with the clock (and so with whatever else the page schedules); on a
   * new context (records rebased) it continues from where it was at the loss, plus the time the new
   * context ran before `resumeAt`. A clip that would have ended by then is not restarted.
   */
  plan(resumeAt: number, rate: number): ClipRestore[] {
    const out: ClipRestore[] = [];
    const oldT = resumeAt;
    for (const [ch, list] of this.clips) {
      if (ch.isDisposed) {
        this.clips.delete(ch);
        continue;
      }
      let cur = -1;
      for (let j = 0; j < list.length; j++) if (list[j].t <= oldT) cur = j;
      const kept: ClipRecord[] = [];
      const c = cur >= 0 ? list[cur] : null;
      if (c && c.kind === 'play' && c.sample && !c.sample.isDisposed) {
        const s = c.sample;
        let p = c.offset + Math.max(0, Math.round((oldT - c.t) * rate));
        let sounding = true;
        if (c.loop) {
          if (p >= s.loopEnd && s.loopEnd > s.loopStart) p = s.loopStart + ((p - s.loopStart) % (s.loopEnd - s.loopStart));
        } else if (p >= s.frames) {
          sounding = false;
        }
        if (sounding) {
          const r = { ...c, t: resumeAt, offset: p };
          kept.push(r);
          out.push({ ...r, channel: ch, time: resumeAt });
        }
      }
      for (let j = cur + 1; j < list.length; j++) {
        const e = list[j];
        if (e.kind === 'play' && (!e.sample || e.sample.isDisposed)) continue;
        const time = Math.max(resumeAt, e.t);
        const r = { ...e, t: time };
        kept.push(r);
        out.push({ ...r, channel: ch, time });
      }
      if (kept.length) this.clips.set(ch, kept);
      else this.clips.delete(ch);
    }
    return out;
  }

  /**
   * Counts a failure at `nowMs` (performance.now()) and returns how long to wait before trying to
   * recover (0, 250 ms, 1 s, 4 s, ...: x4 each time within the window), or -1 to give up: more than
   * `attempts` failures within RECOVERY_WINDOW_MS. A recovery that then runs for the window without
   * failing starts the count afresh.
   */
  nextAttempt(nowMs: number): number {
    this.failures = this.failures.filter((t) => nowMs - t < RECOVERY_WINDOW_MS);
    this.failures.push(nowMs);
    const k = this.failures.length;
    if (k > this.attempts) return -1;
    return k === 1 ? 0 : 250 * Math.pow(4, k - 2);
  }

  /** Failures counted in the current window. */
  get failureCount(): number {
    return this.failures.length;
  }

  /** Forgets past failures (the page asked to start again). */
  resetFailures(): void {
    this.failures = [];
  }
}
