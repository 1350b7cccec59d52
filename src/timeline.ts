/**
 * The timeline's main-thread side: batches of events (notes from engine.transport.schedule(),
 * automation lanes from set(name, value, { beat | at }) and automate()) sent to the DSP's timeline
 * in WASM memory (dsp/Timeline.zig), and a copy of every event kept here so that an audio thread
 * rebuilt after a failure gets them back (restore()). The copy costs 32 bytes a note start or end
 * or automation point (100,000 notes: 6.4 MB), as much again as the DSP's. Main thread only.
 */
import type { EngineCore } from './handles.js';
import { show } from './validate.js';

/** A note for the timeline: `synth` plays `pitch` (MIDI 0 to 127) from `beat` for `length` beats (quarter notes). */
export interface TimelineNote {
  synth: { readonly slot: number; readonly isDisposed: boolean };
  pitch: number;
  beat: number;
  length: number;
  /** 0 to 1 (default 1). */
  velocity?: number;
  /** Not swung (default: swing applies). */
  straight?: boolean;
  /** Plays again every `repeat` beats, forever (a pattern): 1/960 to 64 beats, a whole number of ticks (1/960 beat). */
  repeat?: number;
}

/**
 * A clip launch for the timeline: `channel` plays `sample` from `beat`, for `length` beats (default:
 * to the sample's end, or on while looping), from `offset` seconds into it, at linear `gain` (0 to 16).
 */
export interface TimelineClip {
  channel: { readonly slot: number; readonly isDisposed: boolean };
  sample: { readonly id: number; readonly isDisposed: boolean; readonly sampleRate: number };
  beat: number;
  length?: number;
  offset?: number;
  gain?: number;
  loop?: boolean;
  straight?: boolean;
  repeat?: number;
}

/** Notes scheduled by one schedule() call: their ids, for unschedule(). */
export interface ScheduledNotes {
  readonly first: number;
  readonly count: number;
}

/** An automation lane as sent: one id for all its points, records of 32 bytes (dsp/Timeline.zig Event). */
export interface LaneRecords {
  id: number;
  records: ArrayBuffer;
  /** In seconds (else beats), and the points as checked (automation.ts). */
  seconds: boolean;
  pts: readonly unknown[];
}

/** Largest position (beats): dsp/TempoMap.zig max_beat. */
export const MAX_BEAT = 2 ** 20;
/** Events per timeline message: the audio thread sorts and merges each between two quanta (about a millisecond). */
const CHUNK = 8192;

/** `v` as a number in [lo, hi], else a TypeError (not a number) or RangeError naming the value and the range. */
export function inRange(what: string, v: unknown, lo: number, hi: number, unit = ''): number {
  const range = `${lo} to ${hi}${unit}`;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${what}: expected a number ${range}, got ${show(v)}`);
  if (!(v >= lo && v <= hi)) throw new RangeError(`${what}: ${v} is outside ${range}`);
  return v;
}

const noteId = (n: number): number => (0x80000000 + (n % 0x7fffffff)) >>> 0; // Synth.noteOn's ids stay below 2^31

export class TimelineStore {
  #nextNote = 1;
  #nextLane = 1;
  #nextMsg = 0;
  /** Bumped by restore(): edits from before it are in the copy it sent. */
  #epoch = 0;
  readonly #waiting = new Map<number, [(n: number) => void, (e: Error) => void]>();
  /** Note batches by their first note number (two records a note). */
  readonly #notes = new Map<number, ArrayBuffer>();
  /** Automation lanes by key (dsp/Timeline.zig laneKey: synth flag, target, parameter). */
  readonly #lanes = new Map<string, LaneRecords>();
  /** The notes of each schedule() call still scheduled, as given, by its first id (engine.snapshot() lists them). */
  readonly scheduled = new Map<number, (TimelineNote | TimelineClip)[]>();

  constructor(private readonly core: EngineCore & { whenReady(): Promise<void> }) {}

  /** See Transport.schedule. */
  async schedule(notes: readonly (TimelineNote | TimelineClip)[], opts: { replace?: ScheduledNotes } = {}): Promise<ScheduledNotes> {
    if (!Array.isArray(notes)) throw new TypeError(`transport schedule: expected an array of notes, got ${show(notes)}`);
    const n = notes.length;
    const buf = new ArrayBuffer(n * 64);
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    const d = new Float64Array(buf);
    const first = this.#nextNote;
    let r = 0;
    notes.forEach((x, i) => {
      const at = `transport schedule note ${i}`;
      const clip = typeof x === 'object' && x !== null && 'sample' in x;
      const target = clip ? (x as TimelineClip).channel : (x as TimelineNote).synth;
      if (typeof x !== 'object' || x === null || typeof target?.slot !== 'number' || target.isDisposed) {
        throw new TypeError(`${at}: expected { synth, pitch, beat, length } with a live synth, or { channel, sample, beat } with a live channel`);
      }
      const beat = inRange(`${at} beat`, x.beat, 0, MAX_BEAT, ' beats');
      const len = x.length === undefined && clip ? 0 : inRange(`${at} length`, x.length, 1 / 960, MAX_BEAT - beat, ' beats');
      const ticks = x.repeat === undefined ? 0 : inRange(`${at} repeat`, x.repeat, 1 / 960, 64, ' beats') * 960;
      if (!Number.isInteger(Math.round(ticks * 1e6) / 1e6)) throw new RangeError(`${at} repeat: ${x.repeat} beats is not a whole number of ticks (1/960 beat)`);
      const id = noteId(first + i);
      // Records (dsp/Timeline.zig Event): 0-1 time f64, 2 id, 3 kind | flags << 8 | repeat ticks << 16, 4 target, 5 a, 6 b f32, 7 c.
      let recs: [number, number, number, number, number][];
      if (clip) {
        const c = x as TimelineClip;
        if (!c.sample || typeof c.sample.id !== 'number' || c.sample.isDisposed) throw new TypeError(`${at}: expected a loaded sample (engine.loadSample)`);
        const gain = inRange(`${at} gain`, c.gain ?? 1, 0, 16);
        const offset = Math.min(Math.round(inRange(`${at} offset`, c.offset ?? 0, 0, 2 ** 24, ' s') * c.sample.sampleRate), 4294967295);
        recs = [[3, beat, c.sample.id, gain, offset]];
        if (len) recs.push([4, beat + len, 0, 0, 0]);
      } else {
        const pitch = inRange(`${at} pitch`, (x as TimelineNote).pitch, 0, 127);
        recs = [[1, beat, pitch, inRange(`${at} velocity`, (x as TimelineNote).velocity ?? 1, 0, 1), 0], [2, beat + len, pitch, 0, 0]];
      }
      const flags = (x.straight ? 2 : 0) | (clip && (x as TimelineClip).loop ? 8 : 0);
      recs.forEach(([k, time, a, b, c]) => {
        const o = 8 * r++;
        d[o / 2] = time;
        u[o + 2] = id;
        u[o + 3] = k | (flags << 8) | (Math.round(ticks) << 16);
        u[o + 4] = target.slot;
        if (clip) u[o + 5] = a;
        else f[o + 5] = a;
        f[o + 6] = b;
        u[o + 7] = c;
      });
    });
    this.#nextNote += n;
    const records = buf.slice(0, r * 32);
    const remove = opts.replace ? this.#forget(opts.replace) : undefined;
    if (n) {
      this.#notes.set(first, records);
      this.scheduled.set(first, notes.map((x) => ({ ...x })));
    }
    await this.#send(records, true, remove);
    return { first, count: n };
  }

  /** The ids of `s`'s events, dropped from the copy kept for recovery and from `scheduled`. */
  #forget(s: ScheduledNotes): Uint32Array {
    this.scheduled.delete(s.first);
    const ids = new Uint32Array(s.count);
    for (let i = 0; i < s.count; i++) ids[i] = noteId(s.first + i);
    // The copy keeps the records whose id is not going (usually: drops one whole batch).
    const gone = new Set(ids);
    for (const [k, b] of this.#notes) {
      const u = new Uint32Array(b);
      const keep: number[] = [];
      for (let r = 0; r < u.length; r += 8) if (!gone.has(u[r + 2])) keep.push(...u.subarray(r, r + 8));
      if (keep.length === u.length) continue;
      if (keep.length) this.#notes.set(k, new Uint32Array(keep).buffer); else this.#notes.delete(k);
    }
    return ids;
  }

  /** See Transport.unschedule. */
  async unschedule(s: ScheduledNotes): Promise<void> {
    const ids = this.#forget(s);
    await this.#edit({ type: 'timeline-remove', ids }, [ids.buffer]);
  }


  /** A new id for a lane's points. */
  laneId(): number {
    const id = this.#nextLane;
    this.#nextLane = this.#nextLane >= 0x7fffffff ? 1 : this.#nextLane + 1;
    return id;
  }

  lane(key: string): LaneRecords | undefined {
    return this.#lanes.get(key);
  }

  /**
   * Replaces a lane (null or no records: clears it) in one message, so that no quantum renders
   * between the old points going and the new ones arriving.
   */
  setLane(key: string, lane: LaneRecords | null): Promise<number> {
    const old = this.#lanes.get(key);
    const remove = new Uint32Array(old ? [old.id] : []);
    if (lane && lane.records.byteLength) this.#lanes.set(key, lane);
    else this.#lanes.delete(key);
    if (!lane || !lane.records.byteLength) return this.#edit({ type: 'timeline-remove', ids: remove }, [remove.buffer]);
    const events = lane.records.slice(0);
    return this.#edit({ type: 'timeline-add', events, remove }, [events, remove.buffer]);
  }

  /** Clears the lanes of a strip or synth slot given back (its next owner starts without them). */
  clearTarget(synth: boolean, slot: number): void {
    for (const key of [...this.#lanes.keys()]) {
      const [s, t] = key.split(':');
      if (s === (synth ? 's' : 'm') && +t === slot) void this.setLane(key, null).catch(() => undefined);
    }
  }

  /** Every lane by key (`s` synth or `m` mixer strip, slot, parameter index: `m:3:12`); engine.snapshot() lists them. */
  lanes(): IterableIterator<[string, LaneRecords]> {
    return this.#lanes.entries();
  }

  /** Clears every lane (engine.restore(), before the snapshot's lanes). */
  clearLanes(): Promise<unknown> {
    return Promise.all([...this.#lanes.keys()].map((k) => this.setLane(k, null)));
  }

  /**
   * After a recovery: every note and lane into the new audio thread's timeline (before its transport
   * resumes). Edits sent to the lost node, or waiting for the new one, are in the copy: the waiting
   * ones are not sent again, and all of them resolve once the copy is in.
   */
  async restore(): Promise<void> {
    this.#epoch++;
    const lost = [...this.#waiting.values()];
    this.#waiting.clear();
    const sends: Promise<number>[] = [];
    for (const b of this.#notes.values()) sends.push(this.#send(b, false));
    for (const l of this.#lanes.values()) sends.push(this.#send(l.records, false));
    const counts = await Promise.all(sends);
    for (const [resolve] of lost) resolve(counts[counts.length - 1] ?? 0);
  }

  /**
   * Sends records in chunks (copies); `wait` false posts at once, not waiting for the engine
   * (recovery: the node is up). `remove` goes with the first chunk: removed and added between the
   * same two quanta.
   */
  #send(buf: ArrayBuffer, wait = true, remove?: Uint32Array): Promise<number> {
    const sends = [];
    const n = buf.byteLength / 32;
    for (let o = 0; o < n || o === 0; o += CHUNK) {
      const part = buf.slice(o * 32, Math.min(n, o + CHUNK) * 32);
      const rm = o === 0 ? remove : undefined;
      sends.push(this.#edit({ type: 'timeline-add', events: part, ...(rm ? { remove: rm } : {}) }, rm ? [part, rm.buffer] : [part], wait));
    }
    return Promise.all(sends).then((c) => c[c.length - 1]);
  }

  /** Sends a timeline edit once the worklet runs; resolves with the timeline's event count. */
  async #edit(msg: object, transfer: Transferable[], wait = true): Promise<number> {
    const epoch = this.#epoch;
    const id = ++this.#nextMsg;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, [resolve, reject]);
      void (wait ? this.core.whenReady() : Promise.resolve()).then(() => {
        // A recovery in between sent the copy, this edit included.
        if (epoch === this.#epoch) this.core.link.node!.port.postMessage({ ...msg, id }, transfer);
      }, reject);
    });
  }

  /** The worklet's answer to a timeline edit. */
  onTimeline(d: { id: number; count: number; error: string }): void {
    const w = this.#waiting.get(d.id);
    this.#waiting.delete(d.id);
    if (d.error) w?.[1](new RangeError(d.error));
    else w?.[0](d.count);
  }
}
