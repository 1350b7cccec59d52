/**
 * The strips' level meter: RMS and peak bars on a dB scale (ticks), a peak-hold line and a clip
 * indicator that keeps the highest peak since it was last reset (click, Enter or Space: it is a
 * native button). It reads the strip's meter slots (`strip.meter()`, never the worklet) on animation
 * frames, and only while the meter is on screen (an IntersectionObserver: a strip scrolled out of a
 * `<daw-mixer>` or hidden costs nothing, and without shared memory asks for no readings). Bars move
 * by transforms written straight into styles (no re-render); ARIA values and the readouts at 4 Hz.
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Meter } from '../../src/index.js';
import { onFrames } from './engine.js';
import { meterFraction } from './styles.js';

/** Scale ticks in dBFS (the meter spans -60..+6 dB, see meterFraction); placed by stripStyles (no style attributes: a strict CSP blocks them). */
const TICKS = [0, -6, -12, -24, -36, -48, -60];
/** Peak hold: the line stays this long at a new maximum, then falls at HOLD_FALL dB/s. */
const HOLD_MS = 1500;
const HOLD_FALL = 20;

const dbText = (db: number) => (db > -100 ? db.toFixed(1) : '-∞');

/** What a meter reads: a strip (its `meter()`, while its engine runs), or null while there is none. */
export type MeterSource = () => { meter(): Meter; readonly engine: { readonly state: string } } | null | undefined;

export class MeterController implements ReactiveController {
  #visible = false;
  #io: IntersectionObserver | null = null;
  #hold = -Infinity;
  #holdAt = 0;
  #last = 0;
  #slow = 0;
  /** Highest peak since the clip indicator was reset (dBFS). */
  max = -Infinity;
  readonly #draw = (now: number) => this.#frame(now);

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, private readonly source: MeterSource, private readonly label = 'Level') {
    host.addController(this);
  }

  hostConnected(): void {
    if (typeof IntersectionObserver !== 'function') return this.#show(true);
    this.#io = new IntersectionObserver((entries) => this.#show(entries[entries.length - 1].isIntersecting));
    this.#io.observe(this.host);
  }

  hostDisconnected(): void {
    this.#io?.disconnect();
    this.#io = null;
    this.#show(false);
  }

  /** Whether the meter is on screen and drawn on animation frames. */
  get visible(): boolean {
    return this.#visible;
  }

  #show(on: boolean): void {
    this.#visible = on;
    onFrames(this.#draw, on);
  }

  /** Resets the clip indicator and the peak hold. */
  reset(): void {
    this.max = this.#hold = -Infinity;
    this.#slow = 0;
  }

  #frame(now: number): void {
    const root = (this.host as HTMLElement & { renderRoot?: ShadowRoot }).renderRoot;
    const box = root?.querySelector?.('.mbox');
    const strip = this.source();
    if (!box || !strip || strip.engine.state !== 'running') return;
    const m = strip.meter();
    const bars = box.querySelectorAll<HTMLElement>('.meter > div');
    bars[0].style.transform = `scaleY(${meterFraction(m.rmsDb)})`;
    bars[1].style.transform = `scaleY(${meterFraction(m.peakDb)})`;
    const dt = this.#last ? Math.min(now - this.#last, 100) : 0;
    this.#last = now;
    if (m.peakDb >= this.#hold) {
      this.#hold = m.peakDb;
      this.#holdAt = now;
    } else if (now - this.#holdAt > HOLD_MS) {
      this.#hold -= (HOLD_FALL * dt) / 1000;
    }
    bars[2].style.transform = `translateY(${-meterFraction(this.#hold) * bars[2].parentElement!.clientHeight}px)`;
    bars[2].style.visibility = this.#hold > -60 ? 'visible' : '';
    if (m.peakDb > this.max) this.max = m.peakDb;
    if (now - this.#slow < 250) return;
    this.#slow = now;
    const meter = bars[0].parentElement!;
    meter.setAttribute('aria-valuenow', String(Math.round(Math.max(-60, Math.min(6, m.peakDb)))));
    meter.setAttribute('aria-valuetext', `peak ${dbText(m.peakDb)} dB, RMS ${dbText(m.rmsDb)} dB`);
    const clip = box.querySelector<HTMLElement>('.clip')!;
    const clipped = this.max >= 0;
    clip.textContent = dbText(this.max);
    clip.dataset.clip = String(clipped);
    clip.setAttribute('aria-label', `${clipped ? 'Clipped' : 'No clip'}, highest peak ${dbText(this.max)} dB: reset`);
    const gr = root!.querySelector('.gr');
    if (gr) gr.textContent = `GR ${(m.limiterReductionDb ?? m.gainReductionDb).toFixed(1)} dB`;
  }

  render() {
    return html`<div class="mbox">
      <div part="meter" class="meter" role="meter" aria-label=${this.label} aria-valuemin="-60" aria-valuemax="6" aria-valuenow="-60"
        aria-valuetext="silent"><div class="rms"></div><div class="peak"></div><div class="hold"></div></div>
      <div part="scale" class="scale" aria-hidden="true">${TICKS.map((db) => html`<span>${db}</span>`)}</div>
      <button part="clip" class="clip" data-clip="false" aria-label="No clip, highest peak -∞ dB: reset"
        @click=${(e: Event) => { this.reset(); (e.currentTarget as HTMLElement).textContent = '-∞'; (e.currentTarget as HTMLElement).dataset.clip = 'false'; }}>-∞</button>
    </div>`;
  }
}
