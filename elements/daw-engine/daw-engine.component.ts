import { html, nothing, type PropertyDeclarations } from 'lit';
import { QUALITY_LEVELS, STRIP_PARAMS, type Engine, type EngineState, type QualityChangeDetail, type QualitySetting, type RecoveryReport, type StripParamName } from '../../src/index.js';
import type { ExportState } from './exporter.js';
import { diagnose, stateView } from '../shared/advice.js';
import { BRAND } from '../shared/define.js';
import { DawElement, type DawEvents } from '../shared/element.js';
import { EngineController, FaceController, FrameController, parseLatencyHint, startEngine } from '../shared/engine.js';
import { show } from '../../src/validate.js';
import { ParamController, declare, type ParamDef, type SetByName } from '../shared/params.js';
import { slider } from '../shared/slider.js';
import { base, meterFraction } from '../shared/styles.js';
import styles from './daw-engine.styles.js';

const spec = (n: StripParamName) => STRIP_PARAMS.find((p) => p.name === n)!;
const DEFS: ParamDef[] = [
  { prop: 'volumeDb', attr: 'volume-db', spec: spec('volumeDb') },
  { prop: 'ceilingDb', attr: 'ceiling-db', spec: spec('limiterCeilingDb') },
];

/** The engine's events, which `<daw-engine>` passes on (its `daw-error`s with advice where audio stopped). */
export interface DawEngineEvents extends DawEvents {
  'daw-ready': { engine: Engine };
  'daw-statechange': { state: EngineState; recovered?: RecoveryReport | null };
  'daw-export': DawExportDetail;
  'daw-quality': QualityChangeDetail;
}

/** Parses the `quality` attribute: 'auto' or a whole number 0 … QUALITY_LEVELS; undefined if invalid. */
function parseQuality(v: string): QualitySetting | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'auto') return 'auto';
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  return n >= 0 && n <= QUALITY_LEVELS ? n : undefined;
}

/** Detail of `daw-export`: a file the export or record button made (the download link points at `url`). */
export interface DawExportDetail {
  kind: 'bounce' | 'recording';
  blob: Blob;
  url: string;
  name: string;
}

/** daw-error codes of audio-thread failures the engine recovers from. */
const FAILURES = new Set(['worklet-crashed', 'context-lost', 'context-interrupted']);

/**
 * @summary The page's audio engine and its face: start button, state, master fader and meter, DSP load.
 *
 * @description Every `<daw-engine>` on a page shows the same engine (`getEngine()`); channels and
 * synths work without one. Until audio runs it shows an "Enable audio" button; the first click,
 * key or touch anywhere on the page also starts the engine (browsers' autoplay policy).
 *
 * When the engine fails, the bar shows one short sentence naming the cause and a "Details"
 * disclosure with what to do and the browser's own message. "Try again" is offered only where a
 * retry can help (a network error, a crashed worklet); for a cause it cannot fix (a
 * Content-Security-Policy without 'wasm-unsafe-eval', a page that is not https, a browser without
 * AudioWorklet) the details say what the page author must change. The `daw-error` event carries the
 * same advice (`detail.advice`).
 *
 * @attr volume-db - Master volume, -Infinity to 12 dB (default 0).
 * @attr ceiling-db - Master limiter ceiling, -24 to 0 dBFS (default -1).
 * @attr latency-hint - `interactive` | `balanced` | `playback` or seconds; applies to the
 *   AudioContext created when the engine starts.
 * @attr export - Shows an "Export" button: bounces the session (`engine.bounce()`) with a progress bar
 *   (the button cancels while it runs), then a download link. Boolean.
 * @attr record - Shows a "Record" toggle (`aria-pressed`): records the master output live
 *   (`engine.record()`), then a download link. Boolean.
 * @attr export-seconds - Length of an export in seconds, 0 (default) for "until silence", at most 600 s.
 * @attr export-format - `wav-16` | `wav-24` (default) | `wav-f32`: the export's and the recording's WAV format.
 * @attr quality - Adaptive quality: `auto` (default: the engine steps its quality down under load or
 *   glitches and back up when calm) or a fixed level `0` (full quality) to `4` (the cheapest); sets
 *   `engine.quality` (README, "Adaptive quality"). An invalid value is a `daw-error` and changes nothing.
 *
 * @slot - Page content (channels, synths, anything).
 *
 * @event daw-ready - The engine runs (worklet and WASM loaded). `detail: { engine }`.
 * @event daw-statechange - `detail: { state, recovered? }`: idle, starting, running, suspended, recovering,
 *   closed or error; after a recovery from an audio-thread failure, `recovered` says what and how long.
 * @event daw-error - From the engine (load failure, capacity, ...) or an invalid attribute here.
 *   `detail: { code, message, advice?, attribute?, param?, value?, range? }`; `advice` (what to do)
 *   on the errors that stop audio.
 * @event daw-export - An export or recording is ready. `detail: { kind, blob, url, name }` (`kind`:
 *   'bounce' or 'recording'; `url`: the download link's blob: URL, revoked when the next one replaces it).
 * @event daw-quality - The engine's quality level changed. `detail: { level, previous, setting, reason }`.
 * @event daw-change - The user moved the master fader. `detail: { property, attribute, value }`;
 *   not fired when the page sets `volumeDb`. (A channel's `daw-change` bubbles through here too.)
 *
 * @csspart face - The bar holding everything below.
 * @csspart button - The "Enable audio" / "Resume audio" / "Try again" button.
 * @csspart status - The state text (while recovering from an audio-thread failure, what failed; after
 *   it, how long recovery took), or one sentence naming the cause of a failure (its title has the advice).
 * @csspart details - The "Details" disclosure after a failure: what to do and the browser's message.
 * @csspart fader - The master volume slider.
 * @csspart meter - The master peak/RMS meter (not shown after a failure or once the engine is closed).
 * @csspart load - The DSP load readout, `DSP n%` (mean over the last second; a `meter` role with the
 *   value and the peak for assistive technology), or `DSP —` where nothing measures it (pages without
 *   cross-origin isolation, WebKitGTK; its title says why: `engine.status().load.reason`).
 * @csspart history - The load's last 30 s as a sparkline (decorative: the readout carries the value).
 * @csspart glitches - Output underruns counted by the browser (`engine.status().underruns`), e.g.
 *   `0 glitches`; empty where the browser does not count them.
 * @csspart quality - The quality level while it is below full quality, e.g. `quality 2/4` (its title
 *   says why: `engine.status().quality.reason`); hidden at full quality.
 * @csspart control - The labelled master fader.
 * @csspart export - The "Export" / "Cancel export" button (with `export`).
 * @csspart record - The "Record" / "Stop recording" toggle (with `record`).
 * @csspart progress - The export's progress bar (a `progressbar` while it runs).
 * @csspart download - The link to the last export or recording (`download` names the file).
 *
 * @cssproperty --daw-surface - Background. @cssproperty --daw-text - Text colour.
 * @cssproperty --daw-text-dim - Secondary text. @cssproperty --daw-accent - Button and slider colour.
 * @cssproperty --daw-border - Border colour. @cssproperty --daw-radius - Corner radius.
 * @cssproperty --daw-font - Font shorthand. @cssproperty --daw-focus-ring - Focus outline colour.
 * @cssproperty --daw-ok-color - Running state colour. @cssproperty --daw-error-color - Error colour.
 * @cssproperty --daw-meter-bg, --daw-meter-color, --daw-meter-peak-color - Meter colours.
 * @cssproperty --daw-load-color - The load sparkline's colour (default: the accent).
 * @cssproperty --daw-record-color - The record button while recording (default: the error colour).
 * @cssproperty --daw-quality-color - The reduced quality level's colour (default: amber).
 */
export class DawEngine extends DawElement<DawEngineEvents> {
  static styles = [base, styles];
  /** Marks the class as daw-elements' engine element (told apart from other libraries' tags by this, not by name). */
  static readonly [BRAND] = 'engine';
  static properties: PropertyDeclarations = {
    ...declare(DEFS),
    latencyHint: { attribute: 'latency-hint' },
    exportButton: { attribute: 'export', type: Boolean },
    recordButton: { attribute: 'record', type: Boolean },
    exportSeconds: { attribute: 'export-seconds', type: Number },
    exportFormat: { attribute: 'export-format' },
    quality: { attribute: 'quality' },
  };

  /** `interactive` | `balanced` | `playback` or seconds (used when the engine creates its context). */
  declare latencyHint: string | null;
  /** `auto` or a fixed quality level `0` … `4` (the attribute; sets `engine.quality`). */
  declare quality: string | null;
  /** Master volume in dB. */
  declare volumeDb: number;
  /** Master limiter ceiling in dBFS. */
  declare ceilingDb: number;
  /** Show the export button (attribute `export`). */
  declare exportButton: boolean;
  /** Show the record button (attribute `record`). */
  declare recordButton: boolean;
  /** Export length in seconds; 0: until silence (at most 600 s). */
  declare exportSeconds: number;
  /** 'wav-16' | 'wav-24' | 'wav-f32'. */
  declare exportFormat: string;
  /** The export and record buttons' state (exporter.ts does their work). */
  readonly #x: ExportState = {
    host: this, export: null, progress: 0, recording: null, file: null,
    emit: (type, detail) => this.emit(type, detail),
  };
  #lastSlow = 0;
  /** Mean load of the last windows (the sparkline), newest last, and the window count last seen. */
  #history: number[] = [];
  #windows = -1;
  /** The audio-thread failure being recovered from, and the last recovery (shown in the state text). */
  #failure = '';
  #recovered = '';
  protected readonly engineCtl = new EngineController(this, (ev) => {
    this.requestUpdate();
    let d = (ev as CustomEvent).detail;
    if (ev.type === 'daw-error' && FAILURES.has(d?.code)) {
      this.#failure = d.message;
      this.#recovered = '';
    }
    if (ev.type === 'daw-statechange' && d?.recovered) {
      this.#failure = '';
      this.#recovered = ` (recovered from a failure in ${Math.round(d.recovered.ms)} ms)`;
    }
    // A failure that stops audio (state 'error' is set before it is reported): add what to do.
    if (ev.type === 'daw-error' && this.engine.state === 'error' && this.engine.error?.message === d?.message) {
      const { advice, retry } = diagnose(this.engine.error);
      d = { ...d, advice, retry };
    }
    this.emit(ev.type as keyof DawEngineEvents, d);
  }, ['daw-quality']);
  protected readonly params = new ParamController(this, DEFS, (def, v) => (this.engineCtl.engine.master as SetByName).set(def.spec.name, v),
    () => this.engineCtl.engine.master as { get(n: string): number });

  constructor() {
    super();
    this.latencyHint = null;
    this.exportButton = this.recordButton = false;
    this.exportSeconds = 0;
    this.exportFormat = 'wav-24';
    this.quality = null;
    new FrameController(this, (now) => this.#draw(now));
    new FaceController(this); // its latency-hint is found without a tag name
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
      this.emit('daw-error', { code: 'invalid-value', attribute: 'latency-hint', value: this.latencyHint, range: 'interactive | balanced | playback | seconds (0 to 10)',
        message: `<daw-engine> latency-hint: '${show(this.latencyHint)}' is not interactive, balanced, playback or a number of seconds; using interactive` });
    }
    if (changed.has('quality') && this.quality != null) {
      const q = parseQuality(this.quality);
      if (q === undefined) {
        this.emit('daw-error', { code: 'invalid-value', attribute: 'quality', value: this.quality, range: `auto | 0 to ${QUALITY_LEVELS}`,
          message: `<daw-engine> quality: '${show(this.quality)}' is not auto or a whole number 0 to ${QUALITY_LEVELS}; quality stays ${String(this.engine.quality)}` });
      } else {
        this.engine.quality = q;
      }
    }
  }

  #draw(now: number): void {
    const e = this.engine;
    const root = this.renderRoot as ShadowRoot;
    if (e.state !== 'running' || !root.querySelector) return;
    const m = e.master.meter();
    const bars = root.querySelectorAll<HTMLElement>('.meter > div');
    if (bars.length < 2) return;
    bars[0].style.transform = `scaleX(${meterFraction(m.rmsDb)})`;
    bars[1].style.transform = `scaleX(${meterFraction(m.peakDb)})`;
    if (now - this.#lastSlow < 250) return;
    this.#lastSlow = now;
    const meter = bars[0].parentElement!;
    meter.setAttribute('aria-valuenow', String(Math.round(Math.max(-60, Math.min(6, m.peakDb)))));
    const { load, underruns, quality } = e.status();
    const el = root.querySelector<HTMLElement>('.load')!;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    if (load.mean === null) {
      el.textContent = 'DSP —';
      // The meter's attributes only with a value (ARIA allows aria-value* on a meter, not on a span).
      for (const a of ['role', 'aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-valuetext']) el.removeAttribute(a);
      el.title = `DSP load not measured: ${load.reason ?? 'no figure yet'}`;
    } else {
      el.textContent = `DSP ${pct(load.mean)}`;
      el.setAttribute('role', 'meter');
      el.setAttribute('aria-valuemin', '0');
      el.setAttribute('aria-valuemax', '100');
      el.setAttribute('aria-valuenow', String(Math.round(Math.min(1, load.mean) * 100)));
      el.setAttribute('aria-valuetext', `${pct(load.mean)}, peak ${pct(load.max ?? load.mean)}`);
      el.title = `DSP load over the last ${load.window.toFixed(1)} s: mean ${pct(load.mean)}, slowest quantum ${pct(load.max ?? load.mean)}`;
      if (load.windows !== this.#windows) {
        this.#windows = load.windows;
        const h = this.#history;
        h.push(Math.min(1, load.mean));
        if (h.length > 30) h.shift();
        // 0 … 30 across, 0 … 10 down: full load at the top.
        root.querySelector('.history polyline')!.setAttribute('points', h.map((v, i) => `${i + 30 - h.length},${(10 - v * 10).toFixed(1)}`).join(' '));
      }
    }
    const q = root.querySelector<HTMLElement>('.quality')!;
    q.hidden = quality.level === 0;
    q.textContent = `quality ${quality.level}/${QUALITY_LEVELS}`;
    q.title = `Quality level ${quality.level} of ${QUALITY_LEVELS} (0 is full quality, quality = ${String(quality.setting)}): ${quality.reason}`;
    const g = root.querySelector<HTMLElement>('.glitches')!;
    const n = underruns.count;
    g.textContent = n === null ? '' : `${n} glitch${n === 1 ? '' : 'es'}`;
    g.classList.toggle('bad', !!n);
    if (n !== null) g.title = `Output underruns counted by the browser: ${n}, ${(underruns.seconds! * 1000).toFixed(0)} ms in all`;
  }

  /** Export button: bounces the session (or cancels the bounce running). The work loads on first use (exporter.ts). */
  async exportMix(): Promise<void> {
    return (await import('./exporter.js')).exportMix(this.#x);
  }

  /** Record button: starts recording the master output, or stops and offers the file. */
  async toggleRecording(): Promise<void> {
    return (await import('./exporter.js')).toggleRecording(this.#x);
  }

  render() {
    const s = this.engine.state;
    const view = stateView(this.engine);
    const text = (s === 'recovering' || s === 'suspended') && this.#failure ? `${view.text} ${this.#failure}`
      : s === 'running' ? `${view.text}${this.#recovered}` : view.text;
    const button = view.button
      ? html`<button part="button" class="start" ?disabled=${s === 'starting'} @click=${() => this.start()}>${view.button}</button>`
      : null;
    // After a failure: one sentence in the bar, the advice and the browser's message in a disclosure.
    const details = s === 'error'
      ? html`<details part="details" class="details"><summary>Details</summary><p>${view.detail}</p></details>`
      : null;
    return html`<div part="face" class="face">
        ${button}
        <span part="status" class="status" role="status" data-state=${s} title=${s === 'error' ? view.detail : nothing}>${text}</span>
        ${details}
        ${slider(this.params, 'volumeDb', 'Master', 'fader')}
        ${s === 'error' || s === 'closed' ? null /* no level, no load to show: the bar keeps to one row for the message */
          : html`<div part="meter" class="meter" role="meter" aria-label="Master level" aria-valuemin="-60" aria-valuemax="6" aria-valuenow="-60">
            <div class="rms"></div><div class="peak"></div></div>
          <span part="load" class="load" aria-label="DSP load">DSP —</span>
          <svg part="history" class="history" viewBox="0 0 30 10" preserveAspectRatio="none" aria-hidden="true"><polyline points=""></polyline></svg>
          <span part="glitches" class="glitches"></span>
          <span part="quality" class="quality" aria-label="Quality level" hidden></span>`}
        ${this.exportButton ? html`<button part="export button" class="export" @click=${() => this.exportMix()}>${this.#x.export ? 'Cancel export' : 'Export'}</button>` : null}
        ${this.#x.export ? html`<progress part="progress" aria-label="Export progress" max="1" .value=${this.#x.progress}></progress>` : null}
        ${this.recordButton ? html`<button part="record button" class="record" aria-pressed=${!!this.#x.recording} @click=${() => this.toggleRecording()}>${this.#x.recording ? 'Stop recording' : 'Record'}</button>` : null}
        ${this.#x.file ? html`<a part="download" href=${this.#x.file.url} download=${this.#x.file.name}>Download ${this.#x.file.name}</a>` : null}
      </div>
      <slot class="content"></slot>`;
  }
}
