/**
 * DSP load figures in the header (status words load, loadMax, loadWindows, loadMissed), written by
 * whichever thread times process(): the clock worker (src/clock-worker.ts) or, where its scope has
 * a sub-millisecond performance.now(), the worklet itself. Both feed one LoadMeter one duration per
 * quantum. Real-time safe: no allocation after the constructor (the worklet calls it from process()).
 */
import { Header } from './generated/contract.js';

/** Quanta per load window: 375 (1 s at 48 kHz). */
export const LOAD_WINDOW = 375;

export class LoadMeter {
  /** [busy ms summed, slowest ms per quantum, quanta timed, quanta untimed] in the current window; doubles in a Float64Array so storing them allocates nothing. */
  private readonly w = new Float64Array(4);

  constructor(private readonly h: Int32Array, private readonly quantumMs: number) {}

  /**
   * `quanta` quanta (1, or a device callback's quanta rendered back to back) took `ms` of process()
   * time. The window's max is the slowest such span per quantum.
   */
  add(ms: number, quanta: number): void {
    const w = this.w;
    w[0] += ms;
    const per = ms / quanta;
    if (per > w[1]) w[1] = per;
    w[2] += quanta;
    if (w[2] + w[3] >= LOAD_WINDOW) this.flush();
  }

  /**
   * `n` quanta ran in a callback that ended before the clock worker woke: left out of the figures
   * (counted in loadMissed and towards the window's length). A window in which fewer than half of
   * the quanta were timed gives no figure (-1): the timed ones would be a biased sample (the
   * worker gets a core during long callbacks more often than during short ones).
   */
  untimed(n: number): void {
    if (n <= 0) return;
    this.w[3] += n;
    Atomics.add(this.h, Header.loadMissed, n);
    if (this.w[2] + this.w[3] >= LOAD_WINDOW) this.flush();
  }

  private flush(): void {
    const w = this.w;
    const h = this.h;
    const ok = w[2] > 0 && w[2] >= w[3];
    Atomics.store(h, Header.load, ok ? Math.round((w[0] / (w[2] * this.quantumMs)) * 1000) : -1);
    Atomics.store(h, Header.loadMax, ok ? Math.round((w[1] / this.quantumMs) * 1000) : -1);
    Atomics.add(h, Header.loadWindows, 1);
    w[0] = 0;
    w[1] = 0;
    w[2] = 0;
    w[3] = 0;
  }
}
