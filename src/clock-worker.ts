/**
 * The load clock (dist/daw-clock.js, a classic worker script with nothing imported at run time): no
 * AudioWorkletGlobalScope has performance.now() (WebAudio/web-audio-api#2413), so on cross-origin
 * isolated pages this worker keeps the time for the worklet — the idea of openDAW's HRClock. It
 * blocks in Atomics.wait on the header's clockSeq word; the processor bumps the word and
 * Atomics.notify()s at the start (odd) and end (even) of process(); the worker stamps
 * performance.now() as it wakes.
 *
 * Spans, not single quanta: a device callback renders several quanta back to back (4 of them in a
 * few µs each at a light load in headless Chromium), quicker than a thread wakes (20 µs median,
 * 50 µs p90, 0.9 ms p99 between two workers on this 2-core machine under load), so the worker cannot
 * see each start and end. It times a span instead: from the wake that finds process() started after
 * an idle wait to the last wake that finds it ended before the next idle wait, and counts every
 * quantum ended in it (clockSeq / 2). Both ends are late by the wake-up latency, which cancels in
 * the difference; the gaps between quanta inside a callback count as busy (the browser's render
 * capacity counts them too). A wait is idle when it ended on exactly one step (the start came while
 * the worker waited) or lasted longer than IDLE_MS. A callback that ended before the worker woke is
 * left out (LoadMeter.untimed, loadMissed). test/load.test.js measures the error against a known
 * busy-wait in the worklet.
 *
 * It needs a free core: Chromium runs its realtime AudioWorklet thread at SCHED_RR (priority 8 on
 * Linux), so a notify never lets this (normal-priority) worker preempt it; the worker wakes on
 * another core or after the callback. On a machine whose other cores are busy it times few
 * callbacks, and the load window then reports no figure rather than a biased one.
 *
 * Message in: { buffer: SharedArrayBuffer (the control block), quantumMs }. Out: 'started' once the
 * loop runs. It ends with Worker.terminate() (which interrupts the wait).
 */
import { HEADER_WORDS, Header } from '../protocol/generated/contract.js';
import { LoadMeter } from '../protocol/load.js';

/** A wait after process() ended that lasted longer than this (ms) was idle time, not a quick wake. */
const IDLE_MS = 0.1;
/** Quanta after which an open span is split (see below). */
const SPLIT = 64;

const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };

scope.onmessage = (e: MessageEvent) => {
  scope.onmessage = null;
  const { buffer, quantumMs } = e.data as { buffer: SharedArrayBuffer; quantumMs: number };
  const h = new Int32Array(buffer, 0, HEADER_WORDS);
  const meter = new LoadMeter(h, quantumMs);
  const I = Header.clockSeq;
  let seen = Atomics.load(h, I);
  let last = performance.now(); // the last wake
  let open = false; // a span is open: from spanT (first quantum spanSeq, odd) to endT (seq endSeq, even)
  let spanT = 0, spanSeq = 0, endT = 0, endSeq = 0;
  scope.postMessage('started');
  for (;;) {
    // The timeout only lets a suspended context's worker sleep without a notify; nothing is timed by it.
    const r = Atomics.wait(h, I, seen, 10000);
    const t = performance.now();
    const s = Atomics.load(h, I);
    if (r === 'timed-out' && s === seen) { last = t; continue; }
    // The wait that just ended began between callbacks: process() had ended and was not called again at once.
    const idle = (seen & 1) === 0 && ((s - seen) === 1 || t - last > IDLE_MS);
    if (open && idle) {
      const quanta = (endSeq - spanSeq + 1) >> 1; // 0 (or less) right after a split
      if (quanta > 0) meter.add(endT - spanT, quanta);
      open = false;
    }
    if (!open) {
      if (s & 1) {
        open = true;
        spanT = t;
        spanSeq = (seen + 1) | 1;
      } else {
        meter.untimed(((s >> 1) - (seen >> 1)) | 0); // a whole callback ran while the worker woke
      }
    }
    if (open && (s & 1) === 0) {
      endT = t;
      endSeq = s;
      // A long span (an overloaded thread never waits idle) is split at an observed end, so the
      // figures keep coming; the split instant ends one piece and starts the next.
      if ((s - spanSeq + 1) >> 1 >= SPLIT) {
        meter.add(t - spanT, (s - spanSeq + 1) >> 1);
        spanT = t;
        spanSeq = s + 1;
      }
    }
    seen = s;
    last = t;
  }
};
