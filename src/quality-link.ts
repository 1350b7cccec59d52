/**
 * Adaptive quality, wired (issue #15): feeds the quality controller (src/quality.ts, pure logic) with
 * what the engine already measures, and asks the DSP for the level it picks (the master strip's
 * internal `quality` parameter; the ladder itself is dsp/Quality.zig). Loaded on first use, when an
 * engine with `quality: 'auto'` runs on a realtime context (Runtime.applyQuality). Main thread only.
 *
 * Inputs, polled every 250 ms (a timer, not animation frames: a hidden tab still plays audio):
 * - the load windows (1 s each) of the load clock on cross-origin isolated pages: one controller
 *   window per new measured window, with its mean and peak load and the underruns since the last;
 * - underruns, from `AudioContext.playbackStats` (Chromium 146+): a poll that sees new ones feeds
 *   the controller at once (load not known: NaN), so a glitching engine steps down within 250 ms
 *   of the glitch, one level per poll, rather than once per load window;
 * - where neither the load nor underruns are measured the controller has nothing to go on and the
 *   level stays (reason says so); where only underruns are, a calm window (no underrun) is fed each
 *   second, so the level steps back up after the controller's hold.
 * Reading the header directly (not engine.status()) keeps the page without shared memory from
 * polling the worklet for status 30 times a second for this.
 */
import { QualityController } from './quality.js';
import type { QualitySetting } from './types.js';

/**
 * What the link needs of the engine (Runtime). Only types cross: this module imports no code the
 * engine's bundle holds, so Rollup splits it off as one chunk of its own (dist/daw-quality-link.js)
 * instead of re-chunking the shared code.
 */
export interface QualityHost {
  readonly state: string;
  readonly quality: QualitySetting;
  readonly qualityLevel: number;
  qualityReason: string;
  /** The cheapest level. */
  readonly qualityLevels: number;
  /** The load clock's windows: how many so far, the last one's mean and peak load (NaN: no figure); null where no clock measures the load (and why). */
  loadWindow(): { windows: number; mean: number; max: number } | string;
  /** Underruns the browser counted since the context started (AudioContext.playbackStats); null where it does not count them. */
  underrunCount(): number | null;
  setQualityLevel(level: number, reason: string): void;
}

/** Poll period in ms. */
const POLL_MS = 250;

export class QualityLink {
  readonly controller: QualityController;
  private timer: ReturnType<typeof setInterval> | 0 = 0;
  private windows = -1;
  private underruns = -1;
  private lastFeed = -Infinity;
  private started = false;

  constructor(private readonly rt: QualityHost) {
    this.controller = new QualityController({ maxLevel: rt.qualityLevels });
    this.resume();
  }

  /** Starts polling from the engine's current level ('auto' set again, or a new node after recovery). */
  resume(): void {
    const c = this.controller;
    c.level = this.rt.qualityLevel;
    c.setQuality('auto', this.now());
    this.rt.qualityReason = c.reason;
    if (!this.timer) this.timer = setInterval(this.poll, POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = 0;
  }

  /** Seconds on a clock that never goes back (a context replaced by recovery restarts its own). */
  private now(): number {
    return performance.now() / 1000;
  }

  private readonly poll = (): void => {
    const rt = this.rt;
    if (rt.state === 'closed' || rt.quality !== 'auto') return this.stop();
    if (rt.state !== 'running') return; // suspended, recovering: nothing plays, nothing to judge
    const t = this.now();
    // Underruns since the last poll (a new context after recovery counts from 0 again).
    const total = rt.underrunCount();
    const fresh = total !== null && this.underruns >= 0 && total > this.underruns ? total - this.underruns : 0;
    // A new load window from the clock (isolated pages).
    const load = rt.loadWindow();
    const measured = typeof load !== 'string';
    const first = !this.started;
    this.started = true;
    const newWindow = measured && load.windows !== this.windows && this.windows !== -1;
    this.windows = measured ? load.windows : -1;
    this.underruns = total ?? -1;
    // The first poll starts the controller's clock (an empty window), so the first underruns it sees
    // come with the time they took (how severe they are: src/quality.ts).
    if (first) {
      this.lastFeed = t;
      this.controller.update({ time: t, underruns: 0, loadMean: NaN, loadMax: NaN });
      return;
    }
    // Feed on a new window or fresh underruns; with underruns counted but no load figure, a calm
    // window each second; with neither, nothing (the level stays where it is).
    const calmTick = !measured && total !== null && t - this.lastFeed >= 1;
    if (!newWindow && fresh === 0 && !calmTick) {
      if (!measured && total === null) rt.qualityReason = `quality 'auto' at level ${rt.qualityLevel}: neither load nor underruns are measured here (load: ${load}; no AudioContext.playbackStats)`;
      return;
    }
    this.lastFeed = t;
    const change = this.controller.update({ time: t, underruns: fresh, loadMean: newWindow ? load.mean : NaN, loadMax: newWindow ? load.max : NaN });
    if (change) rt.setQualityLevel(change.level, change.reason);
    else rt.qualityReason = this.controller.reason;
  };
}
