import { LitElement, html, type PropertyDeclarations } from 'lit';
import { STRIP_PARAMS, type EngineState, type StripParamName } from '../../src/index.js';
import { EngineController, FrameController, parseLatencyHint, startEngine } from '../shared/engine.js';
import { show } from '../../src/validate.js';
import { ParamController, declare, emitError, type ParamDef } from '../shared/params.js';
import { slider } from '../shared/slider.js';
import { base, meterFraction } from '../shared/styles.js';
import styles from './daw-engine.styles.js';

const spec = (n: StripParamName) => STRIP_PARAMS.find((p) => p.name === n)!;
const DEFS: ParamDef[] = [
  { prop: 'volumeDb', attr: 'volume-db', spec: spec('volumeDb') },
  { prop: 'ceilingDb', attr: 'ceiling-db', spec: spec('limiterCeilingDb') },
];

const LABELS: Record<EngineState, string> = {
  idle: 'Audio off', starting: 'Starting…', running: 'Running', suspended: 'Suspended', closed: 'Closed', error: 'Error',
};

/**
 * @summary The page's audio engine and its face: start button, state, master fader and meter, DSP load.
 *
 * @description Every `<daw-engine>` on a page shows the same engine (`getEngine()`); channels and
 * synths work without one. Until audio runs it shows an "Enable audio" button; the first click,
 * key or touch anywhere on the page also starts the engine (browsers' autoplay policy).
 *
 * @attr volume-db - Master volume, -Infinity to 12 dB (default 0).
 * @attr ceiling-db - Master limiter ceiling, -24 to 0 dBFS (default -1).
 * @attr latency-hint - `interactive` | `balanced` | `playback` or seconds; applies to the
 *   AudioContext created when the engine starts.
 *
 * @slot - Page content (channels, synths, anything).
 *
 * @event daw-ready - The engine runs (worklet and WASM loaded). `detail: { engine }`.
 * @event daw-statechange - `detail: { state }`: idle, starting, running, suspended, closed or error.
 * @event daw-error - From the engine (load failure, capacity, ...) or an invalid attribute here.
 *   `detail: { code, message, attribute?, param?, value?, range? }`.
 *
 * @csspart face - The bar holding everything below.
 * @csspart button - The "Enable audio" / "Resume audio" / "Try again" button.
 * @csspart status - The state text (and error message).
 * @csspart fader - The master volume slider.
 * @csspart meter - The master peak/RMS meter.
 * @csspart load - The DSP load readout: `DSP n%`, or `DSP —` where the browser gives the worklet no
 *   sub-millisecond clock (today Chromium, Firefox and WebKit; see `engine.status().load`).
 * @csspart control - The labelled master fader.
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Secondary text. @cssproperty --daw-accent - Button and slider colour.
 * @cssproperty --daw-border - Border colour. @cssproperty --daw-radius - Corner radius.
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-focus-ring - Focus outline colour.
 * @cssproperty --daw-ok-color - Running state colour. @cssproperty --daw-error-color - Error colour.
 * @cssproperty --daw-meter-bg, --daw-meter-color, --daw-meter-peak-color - Meter colours.
 */
export class DawEngine extends LitElement {
  static styles = [base, styles];
  static properties: PropertyDeclarations = {
    ...declare(DEFS),
    latencyHint: { attribute: 'latency-hint' },
  };

  /** `interactive` | `balanced` | `playback` or seconds (used when the engine creates its context). */
  declare latencyHint: string | null;
  /** Master volume in dB. */
  declare volumeDb: number;
  /** Master limiter ceiling in dBFS. */
  declare ceilingDb: number;
  private lastSlow = 0;
  protected readonly engineCtl = new EngineController(this, (ev) => {
    this.requestUpdate();
    const d = (ev as CustomEvent).detail;
    this.dispatchEvent(new CustomEvent(ev.type, { detail: d, bubbles: true, composed: true }));
  });
  protected readonly params = new ParamController(this, DEFS, (def, v) => this.engineCtl.engine.master.set(def.spec.name, v));

  constructor() {
    super();
    this.latencyHint = null;
    new FrameController(this, (now) => this.draw(now));
  }

  /** The shared engine. */
  get engine() {
    return this.engineCtl.engine;
  }

  /** Starts (or resumes) audio; call from a user gesture. Failures become `daw-error` and the error state. */
  start(): Promise<void> {
    return startEngine().catch(() => undefined);
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('latencyHint') && this.latencyHint != null && parseLatencyHint(this.latencyHint) === undefined) {
      emitError(this, { code: 'invalid-value', attribute: 'latency-hint', value: this.latencyHint, range: 'interactive | balanced | playback | seconds (0 to 10)',
        message: `<daw-engine> latency-hint: '${show(this.latencyHint)}' is not interactive, balanced, playback or a number of seconds; using interactive` });
    }
  }

  private draw(now: number): void {
    const e = this.engine;
    const root = this.renderRoot as ShadowRoot;
    if (e.state !== 'running' || !root.querySelector) return;
    const m = e.master.meter();
    const bars = root.querySelectorAll<HTMLElement>('.meter > div');
    if (bars.length < 2) return;
    bars[0].style.transform = `scaleX(${meterFraction(m.rmsDb)})`;
    bars[1].style.transform = `scaleX(${meterFraction(m.peakDb)})`;
    if (now - this.lastSlow < 250) return;
    this.lastSlow = now;
    const meter = bars[0].parentElement!;
    meter.setAttribute('aria-valuenow', String(Math.round(Math.max(-60, Math.min(6, m.peakDb)))));
    const load = e.status().load;
    root.querySelector('.load')!.textContent = `DSP ${Number.isNaN(load) ? '—' : `${Math.round(load * 100)}%`}`;
  }

  render() {
    const e = this.engine;
    const s = e.state;
    const text = s === 'error' ? `Error: ${e.error?.message ?? 'the audio engine failed'}` : LABELS[s];
    const button = s === 'idle' || s === 'suspended' || s === 'starting' || s === 'error'
      ? html`<button part="button" class="start" ?disabled=${s === 'starting'} @click=${() => this.start()}>${s === 'suspended' ? 'Resume audio' : s === 'error' ? 'Try again' : 'Enable audio'}</button>`
      : null;
    return html`<div part="face" class="face">
        ${button}
        <span part="status" class="status" role="status" data-state=${s}>${text}</span>
        ${slider(this.params, 'volumeDb', 'Master', 'fader')}
        <div part="meter" class="meter" role="meter" aria-label="Master level" aria-valuemin="-60" aria-valuemax="6" aria-valuenow="-60">
          <div class="rms"></div><div class="peak"></div></div>
        <span part="load" class="load" aria-label="DSP load">DSP —</span>
      </div>
      <slot class="content"></slot>`;
  }
}
