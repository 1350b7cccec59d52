/**
 * Recovery from audio-thread failures, the rebuild: the attempts after a loss that Keeper
 * (recover.ts) noticed, and the clips played again on the new node. A chunk of its own, imported in
 * idle time once the engine runs (recover.ts, rebuilder()), so that a page never fetches it while
 * audio is failing. Main thread only.
 */
import { ClipFlag, EventKind } from '../protocol/generated/contract.js';
import type { DawErrorCode } from './errors.js';
import type { Keeper } from './recover.js';
import { RESUME_LEAD } from './recovery.js';
import { mapState, type Runtime } from './runtime.js';

/**
 * Rebuilds the audio thread: a new worklet node (on a new AudioContext if the old one is closed)
 * given every claim and parameter (the control block), the samples and the clips. Failures within
 * 30 s are counted; each attempt waits longer (Recovery.nextAttempt) and past the limit the engine
 * stops in 'error' with advice. A new context that the browser will not start without a user
 * gesture leaves the engine 'suspended' until the next click or key press (or start()).
 */
export async function recover(k: Keeper, rt: Runtime, code: 'worklet-crashed' | 'context-lost', err: Error): Promise<void> {
  const t0 = performance.now();
  k.recovering = true;
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
      k.recovering = false;
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
    if (k.closing) throw new Error('this engine is closed');
    try {
      let ctx = rt.context!;
      if ((ctx as AudioContext).state === 'closed') {
        ctx = k.replaceContext();
        newContext = true;
        // A new context may need a user gesture to start (autoplay policy): if it is not running
        // within a second, say so and resume it on the next gesture; the rebuild goes on meanwhile.
        const fresh = ctx as AudioContext;
        void fresh.resume().catch(() => undefined);
        gestureTimer = setTimeout(() => {
          if (!k.recovering || rt.context !== fresh || fresh.state === 'running' || fresh.state === 'closed') return;
          rt.report({ code: 'context-lost', message: 'the new AudioContext waits for a user gesture (browser autoplay policy): audio resumes on the next click or key press' });
          rt.setState('suspended');
          k.armResumeGesture();
        }, 1000);
      }
      const failed = new Promise<never>((_, reject) => (k.attemptFailed = reject));
      failed.catch(() => undefined);
      const stats = { samples: rt.recovery.samples.size, sampleBytes: rt.recovery.keptBytes };
      await Promise.race([rt.boot(ctx), failed]);
      clearTimeout(gestureTimer);
      k.attemptFailed = null;
      k.recovering = false;
      rt.recovery.count++;
      rt.lastRecovery = {
        cause: code, ms: performance.now() - t0, waitMs: waited, attempt, count: rt.recovery.count, newContext, ...stats, clips: k.restoredClips,
      };
      rt.error = null;
      rt.setState(mapState((ctx as AudioContext).state), rt.lastRecovery);
      return;
    } catch (e) {
      clearTimeout(gestureTimer);
      k.attemptFailed = null;
      rt.dropNode();
      if (k.closing) throw e;
      error = e instanceof Error ? e : new Error(String(e));
      cause = (e as { code?: string }).code === 'context-lost' || (rt.context as AudioContext)?.state === 'closed' ? 'context-lost' : 'worklet-crashed';
    }
  }
}

/** Plays and stops the clips again on the new node (Keeper.restore(), after a loss); returns the context time they resume at (the transport resumes there too). */
export function replayClips(k: Keeper, rt: Runtime): number {
  const ctx = rt.context!;
  const resumeAt = ctx.currentTime + RESUME_LEAD;
  for (const c of rt.recovery.plan(resumeAt, ctx.sampleRate)) {
    // onClock: should the main thread have been slow enough that resumeAt has passed when the play
    // reaches the DSP, the clip starts where the clock says, not RESUME_LEAD's worth behind it.
    if (c.kind === 'play') rt.link.clip(EventKind.clipPlay, c.channel.slot, c.sample!.id, c.offset, c.gain, c.time, (c.loop ? ClipFlag.loop : 0) | ClipFlag.onClock);
    else rt.link.clip(EventKind.clipStop, c.channel.slot, 0, 0, 0, c.time, 0);
    k.restoredClips++;
  }
  return resumeAt;
}
