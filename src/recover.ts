/**
 * Recovery from audio-thread failures, the driver: notices the loss (a processorerror, the context
 * closed under the page, the system taking audio away), rebuilds the worklet node (on a new
 * AudioContext when the old one is closed) and gives it back the samples and the clips. What is kept
 * and the crash-loop policy live in recovery.ts; the node itself is made by Runtime.boot. Main
 * thread only.
 */
import { ClipFlag, EventKind } from '../protocol/generated/contract.js';
import type { DawErrorCode } from './errors.js';
import { RESUME_LEAD } from './recovery.js';
import { isRealtime, mapState, onFirstGesture, type Runtime } from './runtime.js';

export class Keeper {
  recovering = false;
  /** Rejects the recovery attempt under way when its new node fails too. */
  private attemptFailed: ((e: Error) => void) | null = null;
  /** The context and its time when the audio thread was lost; cleared once clips are restored. */
  lostAt: { ctx: BaseAudioContext; time: number } | null = null;
  /** Set by Engine.close(): nothing is recovered any more. */
  closing = false;
  /** Set by Engine.suspend(): a suspension asked for is not an interruption. */
  suspendRequested = false;
  private watchedContext: BaseAudioContext | null = null;
  removeResumeGesture: (() => void) | null = null;
  private restoredClips = 0;

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
    const p = this.recover(code, err);
    p.catch(() => undefined);
    rt.startPromise = p;
  }

  /**
   * Rebuilds the audio thread: a new worklet node (on a new AudioContext if the old one is closed)
   * given every claim and parameter (the control block), the samples and the clips. Failures within
   * 30 s are counted; each attempt waits longer (Recovery.nextAttempt) and past the limit the engine
   * stops in 'error' with advice. A new context that the browser will not start without a user
   * gesture leaves the engine 'suspended' until the next click or key press (or start()).
   */
  private async recover(code: 'worklet-crashed' | 'context-lost', err: Error): Promise<void> {
    const rt = this.rt;
    const t0 = performance.now();
    this.recovering = true;
    rt.dropNode();
    rt.link.block.meters.fill(0); // the dead processor's last readings
    let cause: string = code;
    let error: Error = err;
    let newContext = false;
    let gestureTimer: ReturnType<typeof setTimeout> | undefined;
    let waited = 0;
    for (;;) {
      const wait = rt.recovery.nextAttempt(performance.now());
      const attempt = rt.recovery.failureCount;
      if (wait < 0) {
        this.recovering = false;
        rt.startPromise = null;
        const n = rt.recovery.attempts;
        const gaveUp = Object.assign(new Error(`the audio engine failed ${attempt} times within 30 s and stopped trying (last: ${cause}: ${error.message}). `
          + 'Reload the page; if it keeps failing, close other tabs or apps using audio, or try another browser. "Try again" (engine.start()) tries once more.'), { code: 'recovery-failed' });
        rt.error = gaveUp;
        rt.setState('error');
        rt.report({ code: 'recovery-failed', message: gaveUp.message, error, attempt: n + 1 });
        throw gaveUp;
      }
      const what = cause === 'context-lost' ? 'the AudioContext was closed' : 'the audio worklet crashed';
      rt.report({
        code: cause as DawErrorCode, attempt, error,
        message: `${what} (${error.message}); recovering${wait ? ` in ${wait} ms` : ''} (failure ${attempt} of at most ${rt.recovery.attempts} within 30 s)`,
      });
      rt.setState('recovering');
      waited += wait;
      if (wait) await new Promise((r) => setTimeout(r, wait));
      if (this.closing) throw new Error('this engine is closed');
      try {
        let ctx = rt.context!;
        if ((ctx as AudioContext).state === 'closed') {
          ctx = this.replaceContext();
          newContext = true;
          // A new context may need a user gesture to start (autoplay policy): if it is not running
          // within a second, say so and resume it on the next gesture; the rebuild goes on meanwhile.
          const fresh = ctx as AudioContext;
          void fresh.resume().catch(() => undefined);
          gestureTimer = setTimeout(() => {
            if (!this.recovering || rt.context !== fresh || fresh.state === 'running' || fresh.state === 'closed') return;
            rt.report({ code: 'context-lost', message: 'the new AudioContext waits for a user gesture (browser autoplay policy): audio resumes on the next click or key press' });
            rt.setState('suspended');
            this.armResumeGesture();
          }, 1000);
        }
        const failed = new Promise<never>((_, reject) => (this.attemptFailed = reject));
        failed.catch(() => undefined);
        const stats = { samples: rt.recovery.samples.size, sampleBytes: rt.recovery.keptBytes };
        await Promise.race([rt.boot(ctx), failed]);
        clearTimeout(gestureTimer);
        this.attemptFailed = null;
        this.recovering = false;
        rt.recovery.count++;
        rt.lastRecovery = {
          cause: code, ms: performance.now() - t0, waitMs: waited, attempt, count: rt.recovery.count, newContext, ...stats, clips: this.restoredClips,
        };
        rt.error = null;
        rt.setState(mapState((ctx as AudioContext).state), rt.lastRecovery);
        return;
      } catch (e) {
        clearTimeout(gestureTimer);
        this.attemptFailed = null;
        rt.dropNode();
        if (this.closing) throw e;
        error = e instanceof Error ? e : new Error(String(e));
        cause = (e as { code?: string }).code === 'context-lost' || (rt.context as AudioContext)?.state === 'closed' ? 'context-lost' : 'worklet-crashed';
      }
    }
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
    const lost = this.lostAt;
    if (!lost) return;
    const ctx = rt.context!;
    const resumeAt = ctx.currentTime + RESUME_LEAD;
    for (const c of rt.recovery.plan(resumeAt, ctx.sampleRate)) {
      // onClock: should the main thread have been slow enough that resumeAt has passed when the play
      // reaches the DSP, the clip starts where the clock says, not RESUME_LEAD's worth behind it.
      if (c.kind === 'play') rt.link.clip(EventKind.clipPlay, c.channel.slot, c.sample!.id, c.offset, c.gain, c.time, (c.loop ? ClipFlag.loop : 0) | ClipFlag.onClock);
      else rt.link.clip(EventKind.clipStop, c.channel.slot, 0, 0, 0, c.time, 0);
      this.restoredClips++;
    }
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
