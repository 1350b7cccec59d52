/**
 * Adaptive quality's state on the main thread (issue #15): the setting (EngineOptions.quality,
 * engine.quality), the level asked of the DSP (the master strip's internal `quality` parameter;
 * the ladder is dsp/Quality.zig) and why. It is the controller's host (src/quality-link.ts, loaded
 * on first use while 'auto' runs on a realtime context). Main thread only.
 */
import { Header, MASTER, StripParam } from '../protocol/generated/contract.js';
import type { QualityHost, QualityLink } from './quality-link.js';
import { isRealtime } from './gesture.js';
import type { PlaybackStats, Runtime } from './runtime.js';
import { QUALITY_LEVELS, type QualitySetting } from './types.js';

export class QualityState implements QualityHost {
  /** The setting: 'auto' or a fixed level. */
  quality: QualitySetting;
  /** The level asked of the DSP, and why. */
  qualityLevel = 0;
  qualityReason = 'full quality (not started)';
  /** The controller feeding on load and underruns while 'auto' runs realtime. */
  qualityLink: QualityLink | null = null;

  constructor(private readonly rt: Runtime) {
    this.quality = rt.options.quality ?? 'auto';
  }

  /** The engine's state (QualityHost). */
  get state(): string {
    return this.rt.state;
  }

  /**
   * Applies the quality setting to the running engine: a fixed level at once; 'auto' on a realtime
   * context loads the controller (src/quality-link.ts) on first use; an offline render (a bounce, a
   * test) stays at level 0 whatever the setting, so its output stays bit-identical.
   */
  apply(): void {
    const rt = this.rt;
    const ctx = rt.context;
    if (!ctx || rt.state === 'closed' || rt.state === 'idle' || rt.state === 'starting') return;
    if (!isRealtime(ctx)) {
      // Written even when already 0: a block restored from a realtime engine must not carry its level.
      rt.link.write('strip', MASTER, StripParam.quality, 0);
      return this.setQualityLevel(0, 'offline render: always full quality');
    }
    const q = this.quality;
    if (q !== 'auto') {
      this.stop();
      return this.setQualityLevel(q, `fixed by quality = ${q}`);
    }
    if (this.qualityLink) return this.qualityLink.resume();
    this.qualityReason = `quality 'auto' from level ${this.qualityLevel}`;
    void import('./quality-link.js').then(({ QualityLink }) => {
      if (this.quality === 'auto' && rt.state !== 'closed' && !this.qualityLink) this.qualityLink = new QualityLink(this);
    }, (e) => rt.report({ code: 'load-failed', message: `adaptive quality could not load (the level stays ${this.qualityLevel}): ${(e as Error)?.message ?? e}` }));
  }

  /** The cheapest quality level (QualityHost). */
  readonly qualityLevels = QUALITY_LEVELS;

  /** QualityHost: the load clock's windows and the last one's figures, or why there are none. */
  loadWindow(): { windows: number; mean: number; max: number } | string {
    const rt = this.rt;
    if (rt.loadReason !== 'clock' && rt.loadReason !== 'worklet') return rt.loadReason;
    const h = rt.link.block.header;
    const permille = (i: number) => {
      const v = Atomics.load(h, i);
      return v < 0 ? NaN : v / 1000;
    };
    return { windows: Atomics.load(h, Header.loadWindows), mean: permille(Header.load), max: permille(Header.loadMax) };
  }

  /** QualityHost: the browser's underrun count since the context started, or null. */
  underrunCount(): number | null {
    const ctx = this.rt.context;
    return ctx && 'playbackStats' in ctx ? (ctx as unknown as { playbackStats: PlaybackStats }).playbackStats.underrunEvents : null;
  }

  /** Ends the quality controller's polling (a fixed level, a closed engine). */
  stop(): void {
    this.qualityLink?.stop();
    this.qualityLink = null;
  }

  /** Asks the DSP for quality `level` (0 … QUALITY_LEVELS) for `reason`; a change fires `daw-quality`. */
  setQualityLevel(level: number, reason: string): void {
    const previous = this.qualityLevel;
    this.qualityReason = reason;
    if (level === previous) return;
    this.qualityLevel = Math.max(0, Math.min(QUALITY_LEVELS, level));
    this.rt.link.write('strip', MASTER, StripParam.quality, this.qualityLevel);
    this.rt.engine.dispatchEvent(new CustomEvent('daw-quality', { detail: { level: this.qualityLevel, previous, setting: this.quality, reason } }));
  }
}
