/**
 * `<daw-steps>`'s grid, keyboard and scheduling, loaded on first use with the pattern code
 * (elements/shared/patterns.ts): the element class itself holds only its properties and styles.
 */
import { adoptStyles, css, html, type LitElement } from 'lit';
import type { Engine } from '../../src/index.js';
import { show } from '../../src/validate.js';
import { onFrames } from '../shared/engine.js';
import { PatternTrack, checkLength, formatSteps, parsePitch, parseSteps, playerOf, type Hit, type Player } from '../shared/patterns.js';
import type { DawSteps } from './daw-steps.component.js';

/** The grid's rules, added to the element's shared styles when the view comes. */
const STYLE = css`:host { display: inline-block; max-width: 100%; } .grid { display: grid; gap: 2px; padding: 6px; background: var(--_bg); border: 1px solid var(--_line); border-radius: var(--_radius); } .row { display: flex; gap: 2px; align-items: center; } .row > span[role='gridcell'] { flex: 0 1 var(--daw-step-size, 22px); min-width: 10px; } .name { flex: none; min-width: 3.5em; color: var(--_dim); font-variant-numeric: tabular-nums; } .cell { display: block; width: 100%; height: var(--daw-step-size, 22px); min-height: 0; padding: 0; position: relative; overflow: hidden; } .beat { border-color: var(--_dim); } .cell > i { position: absolute; inset: auto 0 0 0; height: calc(var(--v) * 100%); background: var(--daw-step-on, var(--_accent)); } .cell[aria-pressed='true'] { background: inherit; } .cell.current { outline: 2px solid var(--daw-step-current, var(--_fg)); outline-offset: -2px; }`;

/** Velocity level a toggled-on step gets (of 9). */
const ON = 7;

export class StepsView {
  #cells: number[][] = [];
  #names: string[] = [];
  #players: Player[] = [];
  #pitches: number[] = [];
  #focus = [0, 0];
  #now = -1;
  #visible = true;
  #playing = false;
  /** The pattern text this view wrote (not parsed again when it comes back as a property change). */
  #own: string | null = null;
  /** Connected since the last update. */
  #fresh = false;
  readonly #track: PatternTrack;
  readonly #io: IntersectionObserver | null;
  readonly #onTransport = () => this.#follow();
  readonly #onLoad = () => this.#schedule();
  readonly #frame = () => this.#tick();

  constructor(private readonly host: DawSteps, private readonly engine: Engine) {
    this.#track = new PatternTrack(host, engine);
    adoptStyles(host.renderRoot as ShadowRoot, [...(host.constructor as typeof LitElement).elementStyles, STYLE]);
    this.#io = typeof IntersectionObserver === 'function' ? new IntersectionObserver((es) => {
      this.#visible = es[es.length - 1].isIntersecting;
      this.#watch(this.#visible);
      this.#follow();
    }) : null;
  }

  /** Resolves when the last pattern is in the timeline. */
  get done(): Promise<void> {
    return this.#track.done;
  }

  connect(): void {
    if (this.#io) this.#io.observe(this.host);
    else this.#watch(true);
    this.#fresh = true; // the next update finds the targets and schedules
    this.#follow();
  }

  disconnect(): void {
    this.#watch(false);
    this.#io?.disconnect();
    this.#listen(false);
    onFrames(this.#frame, false);
    void this.#track.clear();
  }

  /** Before a render: the element's properties changed, or it connected (then: everything). */
  update(changed: Map<PropertyKey, unknown>): void {
    const h = this.host;
    const all = this.#fresh;
    this.#fresh = false;
    const has = (k: string) => all || changed.has(k);
    if (has('htmlFor') || has('rows')) this.#resolve();
    const n = this.#names.length;
    if (has('htmlFor') || has('rows') || has('steps') || (changed.has('pattern') && h.pattern !== this.#own)) {
      this.#cells = parseSteps(h.pattern, n, this.#steps());
      this.#focus = [Math.min(this.#focus[0], Math.max(0, n - 1)), Math.min(this.#focus[1], this.#steps() - 1)];
    }
    this.#own = null;
    if (['htmlFor', 'rows', 'steps', 'step', 'offset', 'pattern'].some(has)) this.#schedule();
  }

  #steps(): number {
    const s = this.host.steps;
    return Number.isInteger(s) && s >= 1 && s <= 64 ? s : 16;
  }

  #bad(attribute: string, value: unknown, range: string): void {
    this.host.fire('daw-error', { code: 'invalid-value', attribute, value, range, message: `<${this.host.localName}> ${attribute}: ${show(value)} is not ${range}` });
  }

  /** Finds the targets named by `for` (ids in the element's document or shadow root; any tag prefix). */
  #resolve(): void {
    const h = this.host;
    this.#listen(false);
    const root = h.getRootNode() as Document | ShadowRoot;
    const els = String(h.htmlFor ?? '').split(/\s+/).filter(Boolean).map((id) => root.getElementById?.(id) ?? null);
    const players = els.map((e) => playerOf(e));
    this.#players = [];
    this.#names = [];
    this.#pitches = [];
    if (players.length === 1 && players[0]?.kind === 'synth') {
      for (const t of String(h.rows ?? '').split(/\s+/).filter(Boolean)) {
        const p = parsePitch(t);
        if (Number.isNaN(p)) this.#bad('rows', t, 'a pitch: a name (C4, F#3, Bb2) or a MIDI number 0 to 127');
        else {
          this.#players.push(players[0]);
          this.#pitches.push(p);
          this.#names.push(t);
        }
      }
    } else if (players.length && players.every((p) => p?.kind === 'clip')) {
      this.#players = players as Player[];
      this.#names = els.map((e) => e!.getAttribute('label') || e!.id);
      this.#listen(true);
    } else if (h.htmlFor) {
      h.fire('daw-error', { code: 'no-target', attribute: 'for', value: h.htmlFor, message: `<${h.localName}> for: "${h.htmlFor}" names no synth element, nor only clip elements (ids in this document)` });
    }
  }

  #listen(on: boolean): void {
    for (const p of this.#players) if (p.kind === 'clip') p.el[on ? 'addEventListener' : 'removeEventListener']('daw-clip-load', this.#onLoad);
  }

  #schedule(): void {
    const h = this.host;
    if (!h.isConnected) return;
    const steps = this.#steps();
    if (steps !== h.steps) return this.#bad('steps', h.steps, 'a whole number 1 to 64');
    const length = steps * h.step;
    if (!(h.step > 0) || checkLength(length)) return this.#bad('step', h.step, `beats a step, with steps × step ${checkLength(length) || 'in range'}`);
    if (!(h.offset >= 0 && h.offset <= 2 ** 20)) return this.#bad('offset', h.offset, 'a song beat 0 to 2^20');
    const hits: Hit[] = [];
    this.#cells.forEach((row, r) => row.forEach((v, c) => {
      if (!v) return;
      const p = playerOf(this.#players[r]?.el ?? null); // the synth handle or the clip's sample as they are now
      if (p) hits.push({ player: p, beat: c * h.step, length: p.kind === 'synth' ? h.step : 0, level: v / 9, pitch: this.#pitches[r] });
    }));
    void this.#track.set(hits, length, h.offset, false);
  }

  // ---- the current step: followed while the transport plays and the grid is on screen ----

  /** Hears the transport's play/stop only while on screen (its `transport` event reads a status word on animation frames while heard). */
  #watch(on: boolean): void {
    const t = this.engine.transport;
    if (on) t.addEventListener('transport', this.#onTransport);
    else t.removeEventListener('transport', this.#onTransport);
  }

  #follow(): void {
    this.#playing = this.engine.state === 'running' && this.engine.transport.position.state === 'playing';
    const on = this.#playing && this.#visible && this.host.isConnected;
    onFrames(this.#frame, on);
    if (!on) this.#show(-1);
  }

  #tick(): void {
    const h = this.host;
    const b = this.engine.transport.position.beats - h.offset;
    const len = this.#steps() * h.step;
    this.#show(b >= 0 && len > 0 ? Math.floor((b % len) / h.step) : -1);
  }

  #show(col: number): void {
    if (col === this.#now) return;
    this.#now = col;
    this.host.requestUpdate();
  }

  // ---- the grid ----

  /** The user's change: applied, written back to `pattern`, announced with daw-change, scheduled. */
  #set(r: number, c: number, v: number): void {
    this.#cells[r][c] = Math.max(0, Math.min(9, v));
    const h = this.host;
    h.pattern = this.#own = formatSteps(this.#cells);
    h.fire('daw-change', { property: 'pattern', attribute: 'pattern', value: h.pattern });
  }

  #move(r: number, c: number): void {
    const n = this.#names.length;
    const s = this.#steps();
    this.#focus = [Math.max(0, Math.min(n - 1, r)), Math.max(0, Math.min(s - 1, c))];
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => (this.host.renderRoot as ShadowRoot).querySelector<HTMLElement>(`[data-c="${this.#focus[1]}"][data-r="${this.#focus[0]}"]`)?.focus());
  }

  readonly #key = (e: KeyboardEvent) => {
    const [r, c] = this.#focus;
    const v = this.#cells[r]?.[c] ?? 0;
    const k = e.key;
    if (e.shiftKey && (k === 'ArrowUp' || k === 'ArrowDown')) this.#set(r, c, v + (k === 'ArrowUp' ? 1 : -1));
    else if (k === '+' || k === '=') this.#set(r, c, v + 1);
    else if (k === '-') this.#set(r, c, v - 1);
    else if (k === 'ArrowUp') this.#move(r - 1, c);
    else if (k === 'ArrowDown') this.#move(r + 1, c);
    else if (k === 'ArrowLeft') this.#move(r, c - 1);
    else if (k === 'ArrowRight') this.#move(r, c + 1);
    else if (k === 'Home') this.#move(e.ctrlKey ? 0 : r, 0);
    else if (k === 'End') this.#move(e.ctrlKey ? this.#names.length - 1 : r, this.#steps() - 1);
    else return; // Space and Enter click the focused button
    e.preventDefault();
  };

  readonly #click = (e: Event) => {
    const b = (e.currentTarget as HTMLElement).dataset;
    const r = Number(b.r);
    const c = Number(b.c);
    this.#focus = [r, c];
    this.#set(r, c, this.#cells[r][c] ? 0 : ON);
  };

  render() {
    const h = this.host;
    const [fr, fc] = this.#focus;
    return html`<div part="grid" class="grid" role="grid" aria-label=${h.label} @keydown=${this.#key}>
      ${this.#names.map((name, r) => html`<div part="row" class="row" role="row">
        <span part="name" class="name" role="rowheader">${name}</span>
        ${(this.#cells[r] ?? []).map((v, c) => html`<span role="gridcell"><button part="cell${v ? ' on' : ''}${c === this.#now ? ' current' : ''}"
          class="cell${c % 4 ? '' : ' beat'}${c === this.#now ? ' current' : ''}" tabindex=${r === fr && c === fc ? 0 : -1} aria-pressed=${v > 0}
          aria-label="${name}, step ${c + 1}${v ? `, velocity ${v} of 9` : ''}" style="--v:${v / 9}" data-r=${r} data-c=${c} @click=${this.#click}><i></i></button></span>`)}
      </div>`)}
    </div>`;
  }
}
