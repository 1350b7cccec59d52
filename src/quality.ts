/**
 * Adaptive quality controller (issue #15): chooses the engine's quality level from DSP-load
 * measurements and underruns. Pure logic, no clock of its own and no audio: the engine feeds it one
 * measurement per window (for example every 250 ms of `status()`), and applies the level it returns.
 * Main thread only.
 *
 * Levels: 0 is full quality; each higher level is cheaper, up to `maxLevel` (the ladder itself, what
 * each level turns down, belongs to the DSP).
 *
 * The rule is a two-threshold hysteresis with a hold time, the scheme of thermostat and network
 * bit-rate controllers (quick to back off, slow to probe again: cf. TCP's multiplicative decrease and
 * the hold-down of adaptive-bitrate players), with an exponential back-off against probing cycles:
 * - Step down in the same window as any underrun, or when the window's mean load reaches `highMean`
 *   (default 0.8 of the quantum's time budget) or its peak reaches `highMax` (0.95): one level, and
 *   twice as many at each further step down with no other window in between (1, 2, 4 … levels: a
 *   multiplicative decrease). A severe overload, `severeUnderrunsPerSecond` (5) underruns a second or
 *   more or a mean load of 1 or more (the DSP slower than real time), starts at two levels.
 *   Browsers give these figures about once a second (the load clock's windows,
 *   AudioContext.playbackStats' counts), so one level a window would take 4 s to cross a 4-level
 *   ladder; this crosses it in two windows when the engine cannot keep up at all, and still takes
 *   one level for a mild overload.
 * - Step up (one level) only after `holdUpSeconds` (5 s) of calm windows in a row: no underrun, mean
 *   load below `lowMean` (0.5) and peak below `highMax`. The calm run restarts after every change.
 * - No oscillation on a steady load: a step up from a mean load below `lowMean` can only reach
 *   highMean if one level costs more than highMean / lowMean = 1.6 times the next; with a ladder whose
 *   steps are smaller than that, a steady load settles on one level. Where load is not measured (NaN:
 *   only underruns are known), or the load is not steady, a step down within `backoffSeconds` (20 s)
 *   of a step up doubles the hold before the next step up, up to `maxHoldUpSeconds` (60 s); a step up
 *   that lasts `backoffSeconds` restores the hold to `holdUpSeconds`.
 * - `quality: n` fixes level n (measurements are then ignored); `quality: 'auto'` lets the controller
 *   choose, starting from the current level. `offline: true` (offline renders, bounces) is always
 *   level 0, whatever `quality` says, so offline output stays bit-identical.
 */

export interface LoadWindow {
  /** End of the window in seconds, on any clock that never goes back (AudioContext time, performance.now() / 1000). */
  time: number;
  /** Mean DSP load over the window: render time / the quantum's real-time budget (0 … 1 is in time; NaN: not measured). */
  loadMean: number;
  /** Highest load of one quantum in the window (NaN: not measured). */
  loadMax: number;
  /** Underruns (output glitches) in the window, a whole number ≥ 0. */
  underruns: number;
}

export type QualitySetting = 'auto' | number;

export interface QualityOptions {
  /** The cheapest level, an integer from 1 to 16 (default 4). */
  maxLevel?: number;
  /** 'auto' (default) or a fixed level 0 … maxLevel. */
  quality?: QualitySetting;
  /** An offline render: always level 0 (default false). */
  offline?: boolean;
  /** Mean load that steps down (default 0.8). */
  highMean?: number;
  /** Peak load that steps down (default 0.95). */
  highMax?: number;
  /** Mean load under which a window is calm (default 0.5; must be below highMean). */
  lowMean?: number;
  /** Seconds of calm windows before a step up (default 5). */
  holdUpSeconds?: number;
  /** Underruns a second (over the window) that make an overload severe: two levels at once (default 5). */
  severeUnderrunsPerSecond?: number;
  /** Longest hold after back-offs (default 60). */
  maxHoldUpSeconds?: number;
  /** A step down this soon after a step up doubles the hold (default 20 s). */
  backoffSeconds?: number;
}

export interface QualityChange {
  level: number;
  previous: number;
  /** Why, for people: "underrun (2 in the window)", "mean load 86% ≥ 80%", "5.0 s calm (mean load < 50%)", "fixed by quality = 2" … */
  reason: string;
  /** The measurement's time (or the time given to setQuality). */
  time: number;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function num(name: string, v: unknown, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`QualityController: ${name} must be a number from ${min} to ${max}, got ${String(v)}`);
  if (v < min || v > max) throw new RangeError(`QualityController: ${name} ${v} is outside ${min} … ${max}`);
  return v;
}

export class QualityController {
  readonly maxLevel: number;
  readonly offline: boolean;
  readonly highMean: number;
  readonly highMax: number;
  readonly lowMean: number;
  readonly holdUpSeconds: number;
  readonly maxHoldUpSeconds: number;
  readonly backoffSeconds: number;
  readonly severeUnderrunsPerSecond: number;
  /** The level to run now. */
  level = 0;
  /** Why the level is what it is. */
  reason: string;
  /** 'auto' or the fixed level. */
  setting: QualitySetting = 'auto';
  /** The hold now in force before a step up (grows with back-offs). */
  hold: number;
  private lastTime = -Infinity;
  private calmSince: number | null = null;
  private lastUp: number | null = null;
  /** Steps down in a row with no other window between (the next one steps 2^downStreak levels). */
  private downStreak = 0;

  constructor(options: QualityOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`QualityController: options must be an object, got ${String(options)}`);
    this.maxLevel = num('maxLevel', options.maxLevel, 1, 16, 4);
    if (!Number.isInteger(this.maxLevel)) throw new RangeError(`QualityController: maxLevel ${this.maxLevel} is not an integer from 1 to 16`);
    this.highMax = num('highMax', options.highMax, 0.01, 100, 0.95);
    this.highMean = num('highMean', options.highMean, 0.01, this.highMax, Math.min(0.8, this.highMax));
    this.lowMean = num('lowMean', options.lowMean, 0, this.highMean, Math.min(0.5, this.highMean));
    if (this.lowMean >= this.highMean) throw new RangeError(`QualityController: lowMean ${this.lowMean} must be below highMean ${this.highMean}`);
    this.holdUpSeconds = num('holdUpSeconds', options.holdUpSeconds, 0, 3600, 5);
    this.maxHoldUpSeconds = num('maxHoldUpSeconds', options.maxHoldUpSeconds, this.holdUpSeconds, 86400, Math.max(60, this.holdUpSeconds));
    this.backoffSeconds = num('backoffSeconds', options.backoffSeconds, 0, 86400, 20);
    this.severeUnderrunsPerSecond = num('severeUnderrunsPerSecond', options.severeUnderrunsPerSecond, 0.01, 1e6, 5);
    this.hold = this.holdUpSeconds;
    this.offline = options.offline === true;
    this.reason = this.offline ? 'offline render: always full quality' : 'start';
    if (options.quality !== undefined) this.setQuality(options.quality, 0);
  }

  /** Fixes the level (a number) or hands it back to the controller ('auto'). Returns the change, if any. */
  setQuality(quality: QualitySetting, time = Number.isFinite(this.lastTime) ? this.lastTime : 0): QualityChange | null {
    if (quality !== 'auto' && (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 0 || quality > this.maxLevel)) {
      const range = `'auto' | 0 … ${this.maxLevel}`;
      if (typeof quality === 'number') throw new RangeError(`QualityController: quality ${quality} is not ${range}`);
      throw new TypeError(`QualityController: quality must be ${range}, got ${typeof quality === 'string' ? `'${quality}'` : String(quality)}`);
    }
    this.setting = quality;
    this.calmSince = null;
    this.downStreak = 0;
    if (this.offline) return null;
    if (quality === 'auto') { this.reason = `quality 'auto' from level ${this.level}`; return null; }
    return this.change(quality, `fixed by quality = ${quality}`, time);
  }

  /** Takes one window's measurement; returns the change of level it causes, or null. */
  update(w: LoadWindow): QualityChange | null {
    if (w === null || typeof w !== 'object') throw new TypeError(`QualityController.update: expected { time, loadMean, loadMax, underruns }, got ${String(w)}`);
    const { time, loadMean, loadMax, underruns } = w;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new TypeError(`QualityController.update: time must be a finite number of seconds, got ${String(time)}`);
    if (time < this.lastTime) throw new RangeError(`QualityController.update: time ${time} s is before the previous window's ${this.lastTime} s (use a clock that never goes back)`);
    for (const [name, v] of [['loadMean', loadMean], ['loadMax', loadMax]] as const) {
      if (typeof v !== 'number' || v < 0 || v === Infinity) throw new RangeError(`QualityController.update: ${name} must be a load ≥ 0 (or NaN when not measured), got ${String(v)}`);
    }
    if (typeof underruns !== 'number' || !Number.isInteger(underruns) || underruns < 0) throw new RangeError(`QualityController.update: underruns must be a whole number ≥ 0, got ${String(underruns)}`);
    const start = Number.isFinite(this.lastTime) ? this.lastTime : time;
    this.lastTime = time;
    if (this.offline || this.setting !== 'auto') return null;

    // A step up that has lasted the back-off time restores the short hold.
    if (this.lastUp !== null && time - this.lastUp > this.backoffSeconds) { this.lastUp = null; this.hold = this.holdUpSeconds; }

    let down: string | null = null;
    if (underruns > 0) down = `underrun (${underruns} in the window)`;
    else if (loadMax >= this.highMax) down = `peak load ${pct(loadMax)} ≥ ${pct(this.highMax)}`;
    else if (loadMean >= this.highMean) down = `mean load ${pct(loadMean)} ≥ ${pct(this.highMean)}`;
    if (down !== null) {
      this.calmSince = null;
      if (this.level === this.maxLevel) return null;
      if (this.lastUp !== null) { this.hold = Math.min(this.hold * 2, this.maxHoldUpSeconds); this.lastUp = null; }
      const severe = loadMean >= 1 || (time > start && underruns / (time - start) >= this.severeUnderrunsPerSecond);
      const step = Math.min(Math.max(severe ? 2 : 1, 2 ** this.downStreak), this.maxLevel - this.level);
      this.downStreak++;
      return this.change(this.level + step, down, time);
    }
    this.downStreak = 0;

    const measured = !Number.isNaN(loadMean);
    const calm = measured ? loadMean < this.lowMean && !(loadMax >= this.highMax) : true;
    if (!calm) { this.calmSince = null; return null; }
    if (this.calmSince === null) this.calmSince = start;
    if (this.level === 0 || time - this.calmSince < this.hold) return null;
    const held = time - this.calmSince;
    this.lastUp = time;
    return this.change(this.level - 1, `${held.toFixed(1)} s calm (${measured ? `mean load < ${pct(this.lowMean)}, ` : 'load not measured, '}no underrun)`, time);
  }

  private change(level: number, reason: string, time: number): QualityChange | null {
    this.calmSince = null;
    if (level === this.level) { this.reason = reason; return null; }
    const c: QualityChange = { level, previous: this.level, reason, time };
    this.level = level;
    this.reason = reason;
    return c;
  }
}
