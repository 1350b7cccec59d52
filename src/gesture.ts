/**
 * User gestures, the autoplay policy and realtime contexts: starting audio is allowed in a gesture
 * (transient activation) or where the page's autoplay policy allows it, and only a realtime
 * AudioContext needs that. Main thread only.
 */

/**
 * Calls `fn` once, on the first pointerdown / keydown / touchend (a user gesture) in `target`
 * (capture, passive); returns a function that removes the listeners.
 */
export function onFirstGesture(target: EventTarget, fn: () => void): () => void {
  const events = ['pointerdown', 'keydown', 'touchend'];
  const go = () => {
    remove();
    fn();
  };
  const remove = () => events.forEach((e) => target.removeEventListener(e, go, true));
  events.forEach((e) => target.addEventListener(e, go, { capture: true, passive: true }));
  return remove;
}

/**
 * Whether the browser will let `ctx` run now: called in a user gesture (transient activation), or on a
 * page whose autoplay policy allows audio (Firefox: navigator.getAutoplayPolicy). False when unknown.
 */
export function mayStart(ctx: AudioContext): boolean {
  const nav = globalThis.navigator as { userActivation?: { isActive?: boolean }; getAutoplayPolicy?: (c: AudioContext) => string } | undefined;
  if (nav?.userActivation?.isActive) return true;
  try {
    return nav?.getAutoplayPolicy?.(ctx) === 'allowed';
  } catch {
    return false;
  }
}

/** Whether `ctx` is a realtime AudioContext (not an OfflineAudioContext). */
export function isRealtime(ctx: BaseAudioContext): ctx is AudioContext {
  return typeof (ctx as AudioContext).resume === 'function' && typeof (ctx as OfflineAudioContext).startRendering !== 'function';
}
