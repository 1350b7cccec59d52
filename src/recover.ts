/**
 * Recovery from audio-thread failures, the driver: notices the loss (a processorerror, the context
 * closed under the page, the system taking audio away), rebuilds the worklet node (on a new
 * AudioContext when the old one is closed) and gives it back the samples and the clips. What is kept
 * and the crash-loop policy live in recovery.ts; the node itself is made by Runtime.boot. Main
 * thread only.
 */
import type { Runtime } from './runtime.js';
import { isRealtime, onFirstGesture } from './gesture.js';

/**
 * The rebuild itself (src/rebuild.ts: the attempts, their backoff and report, the clips played
 * again) is a chunk of its own. A failure is the worst time to fetch it (the network may be what
 * failed, or the page busy), so the engine imports it in idle time once the audio runs (preload());
 * a page that never starts never fetches it.
 */
let rebuild: Promise<typeof import('./rebuild.js')> | null = null;
export const rebuilder = (): Promise<typeof import('./rebuild.js')> => (rebuild ??= import('./rebuild.js'));

export class Keeper {
  recovering = false;
  /** Rejects the recovery attempt under way when its new node fails too (set by rebuild.ts). */
  attemptFailed: ((e: Error) => void) | null = null;
  /** The context and its time when the audio thread was lost; cleared once clips are restored. */
  lostAt: { ctx: BaseAudioContext; time: number } | null = null;
  /** Set by Engine.close(): nothing is recovered any more. */
  closing = false;
  /** Set by Engine.suspend(): a suspension asked for is not an interruption. */
  suspendRequested = false;
  private watchedContext: BaseAudioContext | null = null;
  removeResumeGesture: (() => void) | null = null;
  /** Clips the last recovery played or stopped again (rebuild.ts). */
  restoredClips = 0;

  constructor(private readonly rt: Runtime) {}

  /** Follows the state of the engine's realtime context (once per context). */
  watch(ctx: AudioContext): void {
    if (this.watchedContext === ctx) return;
    this.watchedContext = ctx;
    ctx.addEventListener('statechange', this.onContextState);
  }

  /** Engine.close(): ends a recovery attempt under way. */
  close(): void {
    this.closing = true;
    this.removeResumeGesture?.();
    this.attemptFailed?.(new Error('this engine is closed'));
  }

  /** The audio thread is gone (`worklet-crashed`) or its context closed (`context-lost`). */
  lost(code: 'worklet-crashed' | 'context-lost', err: Error): void {
    const rt = this.rt;
    if (this.closing || rt.state === 'closed') return;
    const ctx = rt.context;
    if (!this.lostAt && ctx) {
      this.lostAt = { ctx, time: ctx.currentTime };
      rt.transport?.lose(); // where the song was, as last published
    }
    if (this.attemptFailed) {
      // A node made by the recovery under way failed too: that attempt failed.
      this.attemptFailed(Object.assign(err, { code }));
      return;
    }
    if (this.recovering) return; // between attempts (a backoff wait): the next attempt sees a closed context itself
    if (rt.recovery.attempts === 0 || !ctx || !isRealtime(ctx)) {
      rt.dropNode();
      rt.startPromise = null;
      void rt.fail(code, err).catch(() => undefined);
      return;
    }
    this.recovering = true; // at once: a second loss reported before the chunk is there is the same loss
    const p = rebuilder().then((m) => m.recover(this, rt, code, err), (e: unknown) => {
      // The rebuild's chunk could not be fetched (it is preloaded once audio runs, so rarely): the engine stops in 'error'.
      this.recovering = false;
      rt.dropNode();
      rt.startPromise = null;
      return rt.fail(code, Object.assign(err, { message: `${err.message}; recovery could not be loaded (${String(e)})` }));
    });
    p.catch(() => undefined);
    rt.startPromise = p;
  }

  /**
   * After a failure, gives the new node what the control block does not hold: the samples' PCM and
   * the clips (recovery.ts). Runs inside boot(), after the node is ready. No-op on a first start.
   */
  async restore(): Promise<void> {
    const rt = this.rt;
    const kept = [...rt.recovery.samples.values()];
    this.restoredClips = 0;
    if (!this.lostAt && kept.length === 0) return;
    await Promise.all(kept.map((k) => rt.loader.send(k).done));
    if (!this.lostAt) return;
    const resumeAt = (await rebuilder()).replayClips(this, rt);
    this.lostAt = null;
    // The timeline's events, then the transport where the clock says it is at resumeAt (or later).
    await rt.transport?.resume(resumeAt);
    await rt.link.flush();
  }

  /**
   * A new AudioContext like the closed one (same sample rate, so kept samples stay valid). AudioNode
   * sources of the old context cannot feed it: they are disconnected and reported.
   */
  replaceContext(): AudioContext {
    const rt = this.rt;
    const old = rt.context as AudioContext;
    const AC = (old.constructor as typeof AudioContext) ?? globalThis.AudioContext;
    const ctx = new AC({ latencyHint: rt.options.latencyHint ?? 'interactive', sampleRate: old.sampleRate });
    let dropped = 0;
    for (const ch of rt.channels) {
      if (ch.sources.size === 0) continue;
      dropped += ch.sources.size;
      rt.detachSources(ch);
    }
    rt.context = ctx;
    // The new clock takes over from the old one's at the loss: clip records move onto it (plays and
    // stops the page asks for from now on are on the new clock already). The new clock's origin is its
    // time 0, not ctx.currentTime read here: Chromium reads currentTime live from the audio thread,
    // and a new context can render a burst of quanta (seen: 896 to 1072 frames under load) between
    // two reads in one task, which moved every restored event late by that much.
    const lost = this.lostAt;
    if (lost) {
      rt.recovery.rebase(-lost.time);
      rt.transport?.rebase(Math.round(lost.time * ctx.sampleRate));
      this.lostAt = { ctx, time: 0 };
    }
    if (dropped > 0) {
      rt.report({ code: 'context-lost', message: `${dropped} AudioNode source(s) of the closed AudioContext were disconnected: connect new ones made on engine.context (a new context)` });
    }
    return ctx;
  }

  /** statechange of the engine's realtime context. */
  private readonly onContextState = (ev: Event): void => {
    const ctx = ev.target as AudioContext;
    if (ctx !== this.rt.context) return;
    const s = ctx.state as string;
    if (s === 'closed') {
      if (!this.closing) this.lost('context-lost', new Error('it was closed by other code on the page or by the browser'));
      return;
    }
    if (this.recovering) return; // recover() sets the state
    if (s === 'running') {
      this.removeResumeGesture?.();
      this.rt.setState('running');
      return;
    }
    // 'suspended' that nobody asked this engine for, or 'interrupted' (Safari, some Chromium builds):
    // the system or the browser took audio away.
    if (s === 'interrupted' || (!this.suspendRequested && this.rt.state === 'running')) {
      this.rt.report({
        code: 'context-interrupted',
        message: `audio was ${s === 'interrupted' ? 'interrupted' : 'suspended'} by the browser or the system (another app took the device, the system paused audio, or code called context.suspend()); it resumes on the next click or key press, or by itself when the interruption ends`,
      });
      this.armResumeGesture();
    }
    this.rt.setState('suspended');
  };

  /** Resumes the context on the next pointerdown / keydown / touchend (a user gesture). */
  armResumeGesture(): void {
    if (this.removeResumeGesture || typeof document === 'undefined') return;
    const remove = onFirstGesture(document, () => {
      this.removeResumeGesture = null;
      const ctx = this.rt.context;
      if (ctx && isRealtime(ctx) && ctx.state !== 'closed' && ctx.state !== 'running') void ctx.resume().catch(() => undefined);
    });
    this.removeResumeGesture = () => {
      remove();
      this.removeResumeGesture = null;
    };
  }
}
