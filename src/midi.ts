/**
 * Standard MIDI File reader (issue #13: `engine.loadMidi()` fills the timeline from it). Pure logic, no
 * DOM or audio: bytes in, notes and a tempo map out. Main thread (or a worker); never the audio thread.
 *
 * Format: "Standard MIDI Files 1.0" (MIDI Manufacturers Association, RP-001, in The Complete MIDI 1.0
 * Detailed Specification, 1996): an `MThd` header chunk (format, track count, division), then `MTrk`
 * chunks of <delta-time><event> pairs; delta times are variable-length quantities of at most 4 bytes
 * (largest 0x0FFFFFFF); channel messages may use running status; sysex (`F0`/`F7` + length) and meta
 * events (`FF type length`) are skipped or read by their length; chunks of other types are skipped.
 *
 * Decisions (the spec leaves them to the reader):
 * - Format 0 and 1 are read; format 2 (independent sequences, no shared time line) is rejected with a
 *   RangeError, as the timeline has one time line.
 * - Tempo: format 1 files should keep tempo events in the first track (the spec's "tempo map"), but
 *   files in the wild put them elsewhere, so tempo events of every track are merged in tick order (at
 *   one tick, the last one read wins) and each one outside track 0 adds a warning. No tempo event
 *   means 120 BPM (500,000 µs per quarter note), as the spec says.
 * - SMPTE division (negative frames per second, ticks per frame) is converted, exactly: ticks per
 *   quarter = fps × ticks per frame with one tempo of 1 s per quarter (1.001 s for 29.97 drop-frame,
 *   stored as 29), so ticks map to seconds through the same tempo map. Tempo events do not apply to
 *   SMPTE time and are ignored there (with a warning).
 * - Running status: the spec says sysex and meta events cancel it, so a writer must not rely on it
 *   there; files in the wild do, and the meaning is unambiguous, so it is kept across them (with one
 *   warning per track). A data byte before any channel message is an error.
 * - Notes pair per track, channel and pitch, first in first out: a note-off (or a note-on with
 *   velocity 0) ends the oldest sounding note of that pitch. A note still sounding at the track's end
 *   ends there, with a warning. A note-off with nothing to end is dropped, with a warning.
 * - Hostile input: every problem is a RangeError (or a TypeError for something that is not a MIDI
 *   file at all) whose message starts "Standard MIDI file, byte N:" and whose `offset` is N. Reading
 *   is linear in the input: each chunk and event moves forward at least one byte, and at most
 *   `maxEvents` events and track chunks (default MAX_MIDI_EVENTS = 1,000,000 over the file) are read, so memory is
 *   bounded by the cap and by the input, never by a length field in the file. Warnings keep the first
 *   MAX_WARNINGS (50) and then count.
 */

/** Default cap on events (channel, sysex and meta, over all tracks) plus chunks read from one file. */
export const MAX_MIDI_EVENTS = 1_000_000;
/** Warnings kept word for word; the rest are counted in the last line. */
export const MAX_WARNINGS = 50;

export interface MidiNote {
  /** Start, in ticks from the start of the file. */
  tick: number;
  durationTicks: number;
  /** 0 … 127 */
  pitch: number;
  /** Note-on velocity, 1 … 127. */
  velocity: number;
  /** MIDI channel 0 … 15 (shown to people as 1 … 16). */
  channel: number;
}

export type MidiControlType = 'polyPressure' | 'controlChange' | 'programChange' | 'channelPressure' | 'pitchBend';

/** Channel messages other than notes, in file order. */
export interface MidiControl {
  tick: number;
  channel: number;
  type: MidiControlType;
  /** polyPressure: the pitch; controlChange: the controller number; programChange / channelPressure: the value; pitchBend: the 14-bit value 0 … 16383 (8192 = centre). */
  a: number;
  /** polyPressure / controlChange: the value; otherwise 0. */
  b: number;
}

export interface MidiTrack {
  index: number;
  /** The first track-name meta event (FF 03), or ''. */
  name: string;
  /** Every note of the track, in start order (ties in file order). */
  notes: MidiNote[];
  /** The same notes split by MIDI channel: `channels[c]` holds channel c's, 16 arrays. */
  channels: MidiNote[][];
  controls: MidiControl[];
  /** The tick of the track's end-of-track event (or its last event if it has none). */
  endTick: number;
}

export interface TempoPoint {
  tick: number;
  /** Microseconds per quarter note (1 … 16,777,215). */
  usPerQuarter: number;
  bpm: number;
  /** Time of `tick`, in seconds from the start. */
  seconds: number;
}

export interface TimeSignature {
  tick: number;
  numerator: number;
  /** A power of two: 1, 2, 4, 8 … 128. */
  denominator: number;
  /** MIDI clocks per metronome click. */
  clocksPerClick: number;
  /** Notated 32nd notes per MIDI quarter note (24 clocks), usually 8. */
  thirtySecondsPerQuarter: number;
}

export interface MidiFile {
  format: 0 | 1;
  /** Ticks per quarter note (converted for SMPTE files, see `smpte`). */
  ticksPerQuarter: number;
  /** Set when the file's division was SMPTE time: frames per second (29.97 for drop-frame) and ticks per frame. */
  smpte: { framesPerSecond: 24 | 25 | 29.97 | 30; ticksPerFrame: number } | null;
  tracks: MidiTrack[];
  /** Tempo changes in tick order; the first is at tick 0. */
  tempoMap: TempoPoint[];
  /** Time signatures in tick order; 4/4 at tick 0 when the file gives none there. */
  timeSignatures: TimeSignature[];
  /** The last track end, in ticks and seconds. */
  endTick: number;
  endSeconds: number;
  warnings: string[];
}

export interface MidiOptions {
  /** Cap on events and chunks read (1 … 2^30; default MAX_MIDI_EVENTS). */
  maxEvents?: number;
}

/** The error every problem in a file becomes: a RangeError or TypeError carrying the byte offset. */
export type MidiError = (RangeError | TypeError) & { offset: number };

function fail(offset: number, what: string, Kind: typeof RangeError | typeof TypeError = RangeError): never {
  const e = new Kind(`Standard MIDI file, byte ${offset}: ${what}`) as MidiError;
  e.offset = offset;
  throw e;
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

function fourCC(bytes: Uint8Array, p: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) { const c = bytes[p + i]; s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`; }
  return s;
}

const u32 = (b: Uint8Array, p: number) => ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
const u16 = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];

class Warnings {
  list: string[] = [];
  more = 0;
  add(s: string) { if (this.list.length < MAX_WARNINGS) this.list.push(s); else this.more++; }
  done(): string[] { return this.more ? [...this.list, `… and ${this.more} more warnings`] : this.list; }
}

interface RawTempo { tick: number; us: number }

interface Context {
  bytes: Uint8Array;
  events: number;
  maxEvents: number;
  warnings: Warnings;
  tempos: RawTempo[];
  signatures: TimeSignature[];
  smpte: boolean;
  decoder: TextDecoder;
}

const CONTROL_TYPES: MidiControlType[] = ['polyPressure', 'controlChange', 'programChange', 'channelPressure', 'pitchBend'];

/** Reads one track chunk's events from bytes[start, end). */
function readTrack(ctx: Context, index: number, start: number, end: number): MidiTrack {
  const { bytes, warnings } = ctx;
  const notes: MidiNote[] = [];
  const channels: MidiNote[][] = Array.from({ length: 16 }, () => []);
  const controls: MidiControl[] = [];
  // Sounding notes per (channel, pitch): FIFO queues with a moving head, created on first use.
  const open = new Map<number, { queue: MidiNote[]; head: number }>();
  let sounding = 0;
  let name: string | null = null;
  let p = start;
  let tick = 0;
  let running = 0;
  let afterMeta = false; // a sysex or meta event came after the last channel message
  let warnedRunning = false;
  let ended = false;

  const vlq = (what: string): number => {
    const at = p;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      if (p >= end) fail(at, `${what} runs past the end of the track chunk (which ends at byte ${end})`);
      const b = bytes[p++];
      v = v * 128 + (b & 0x7f);
      if (b < 0x80) return v;
    }
    return fail(at, `${what} is a variable-length quantity longer than 4 bytes (the largest is 0x0FFFFFFF)`);
  };
  const data = (status: number): number => {
    if (p >= end) fail(p, `message ${hex(status)} is cut off by the end of the track chunk (at byte ${end})`);
    const b = bytes[p];
    if (b >= 0x80) fail(p, `data byte ${hex(b)} of message ${hex(status)} has its high bit set (a status byte where data was expected)`);
    p++;
    return b;
  };

  while (p < end) {
    if (++ctx.events > ctx.maxEvents) fail(p, `more than ${ctx.maxEvents} events (the cap; raise it with { maxEvents })`);
    tick += vlq('delta time');
    if (p >= end) fail(p, 'the track chunk ends after a delta time, without its event');
    const at = p;
    let status = bytes[p];
    if (status < 0x80) {
      if (!running) fail(p, `data byte ${hex(status)} where an event should start, before any channel message (no running status)`);
      if (afterMeta && !warnedRunning) { warnedRunning = true; warnings.add(`track ${index}, byte ${p}: running status used after a sysex or meta event (which the spec says cancels it); kept`); }
      status = running;
    } else p++;

    if (status < 0xf0) {
      running = status;
      afterMeta = false;
      const kind = status >> 4;
      const channel = status & 15;
      const a = data(status);
      const b = kind === 0xc || kind === 0xd ? 0 : data(status);
      if (kind === 0x9 && b > 0) {
        const note: MidiNote = { tick, durationTicks: -1, pitch: a, velocity: b, channel };
        notes.push(note);
        channels[channel].push(note);
        const key = channel * 128 + a;
        let q = open.get(key);
        if (!q) open.set(key, (q = { queue: [], head: 0 }));
        q.queue.push(note);
        sounding++;
      } else if (kind === 0x8 || kind === 0x9) {
        const q = open.get(channel * 128 + a);
        if (q && q.head < q.queue.length) {
          const note = q.queue[q.head++];
          note.durationTicks = tick - note.tick;
          if (q.head === q.queue.length) { q.queue.length = 0; q.head = 0; }
          sounding--;
        } else warnings.add(`track ${index}, byte ${at}: note-off for pitch ${a} on channel ${channel + 1} at tick ${tick} with no sounding note (dropped)`);
      } else {
        const type = CONTROL_TYPES[kind === 0xa ? 0 : kind === 0xb ? 1 : kind === 0xc ? 2 : kind === 0xd ? 3 : 4];
        controls.push(kind === 0xe ? { tick, channel, type, a: a | (b << 7), b: 0 } : { tick, channel, type, a, b });
      }
    } else if (status === 0xf0 || status === 0xf7) {
      // System exclusive (F0 <len> data) or its continuation/escape (F7 <len> data): skipped.
      afterMeta = true;
      const len = vlq('sysex length');
      if (len > end - p) fail(p, `sysex of ${len} bytes runs past the end of the track chunk (${end - p} bytes remain)`);
      p += len;
    } else if (status === 0xff) {
      afterMeta = true;
      if (p >= end) fail(p, 'meta event cut off by the end of the track chunk before its type');
      const type = bytes[p++];
      const len = vlq(`meta event ${hex(type)} length`);
      if (len > end - p) fail(p, `meta event ${hex(type)} of ${len} bytes runs past the end of the track chunk (${end - p} bytes remain)`);
      const body = p;
      p += len;
      if (type === 0x2f) { ended = true; break; }
      if (type === 0x51) {
        if (len !== 3) fail(at, `tempo meta event (FF 51) has length ${len}; it must be 3`);
        const us = (bytes[body] << 16) | (bytes[body + 1] << 8) | bytes[body + 2];
        if (us === 0) fail(body, 'tempo of 0 µs per quarter note (valid: 1 … 16,777,215)');
        if (ctx.smpte) warnings.add(`track ${index}, byte ${at}: tempo event ignored (the file's division is SMPTE time)`);
        else {
          if (index !== 0) warnings.add(`track ${index}, byte ${at}: tempo event outside the first track (merged into the tempo map)`);
          ctx.tempos.push({ tick, us });
        }
      } else if (type === 0x58) {
        if (len !== 4) fail(at, `time signature meta event (FF 58) has length ${len}; it must be 4`);
        const numerator = bytes[body], power = bytes[body + 1];
        if (numerator === 0) fail(body, 'time signature numerator 0 (valid: 1 … 255)');
        if (power > 7) fail(body + 1, `time signature denominator 2^${power} (valid: 2^0 … 2^7, whole to 128th notes)`);
        ctx.signatures.push({ tick, numerator, denominator: 2 ** power, clocksPerClick: bytes[body + 2], thirtySecondsPerQuarter: bytes[body + 3] });
      } else if (type === 0x03 && name === null) {
        name = ctx.decoder.decode(bytes.subarray(body, body + len));
      }
      // Other meta events (text, key signature, markers, sequencer-specific …) are skipped.
    } else {
      fail(at, `status byte ${hex(status)} (a system common or real-time message) cannot appear in a MIDI file track`);
    }
  }
  if (!ended) warnings.add(`track ${index}: no end-of-track event (FF 2F 00); the track ends at its last event, tick ${tick}`);
  else if (p < end) warnings.add(`track ${index}: ${end - p} bytes after the end-of-track event ignored`);
  if (sounding > 0) {
    let listed = 0;
    for (const [key, q] of open) {
      for (let i = q.head; i < q.queue.length; i++) {
        const note = q.queue[i];
        note.durationTicks = tick - note.tick;
        if (listed++ < 8) warnings.add(`track ${index}: note ${key & 127} on channel ${(key >> 7) + 1} from tick ${note.tick} still sounding at the track's end; ended at tick ${tick}`);
      }
    }
    if (listed > 8) warnings.add(`track ${index}: ${listed - 8} more notes ended at the track's end`);
  }
  return { index, name: name ?? '', notes, channels, controls, endTick: tick };
}

/**
 * Reads a Standard MIDI File (format 0 or 1). Throws a RangeError (a TypeError when the bytes are not
 * a MIDI file or not bytes) whose message names the byte offset and the problem, and whose `offset`
 * property holds that offset.
 */
export function parseMidi(input: ArrayBuffer | ArrayBufferView, options: MidiOptions = {}): MidiFile {
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  else return fail(0, `expected the file's bytes (an ArrayBuffer or Uint8Array), got ${input === null ? 'null' : typeof input}`, TypeError);
  const maxEvents = options.maxEvents ?? MAX_MIDI_EVENTS;
  if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 2 ** 30) throw new RangeError(`parseMidi: maxEvents ${maxEvents} is not an integer from 1 to 2^30`);

  if (bytes.length < 4 || fourCC(bytes, 0) !== 'MThd') fail(0, `not a Standard MIDI File: it must start with "MThd"${bytes.length >= 4 ? `, not "${fourCC(bytes, 0)}"` : ` (the input has ${bytes.length} bytes)`}`, TypeError);
  if (bytes.length < 14) fail(bytes.length, `the header chunk is cut off: a file needs at least 14 bytes, this one has ${bytes.length}`);
  const headerLength = u32(bytes, 4);
  if (headerLength < 6) fail(4, `header chunk length ${headerLength}; it must be at least 6`);
  if (headerLength > bytes.length - 8) fail(4, `header chunk length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes remain)`);
  const format = u16(bytes, 8);
  const trackCount = u16(bytes, 10);
  const division = u16(bytes, 12);
  if (format === 2) fail(8, 'format 2 (independent sequences) is not supported: save the file as format 0 or 1');
  if (format > 2) fail(8, `format ${format} is not a Standard MIDI File format (0, 1 or 2)`);
  if (trackCount === 0) fail(10, 'the header says the file has 0 tracks');
  if (format === 0 && trackCount !== 1) fail(10, `a format 0 file has exactly one track; the header says ${trackCount}`);

  const warnings = new Warnings();
  let ticksPerQuarter: number;
  let smpte: MidiFile['smpte'] = null;
  let smpteUs = 0;
  if (division & 0x8000) {
    const frames = 256 - (division >> 8); // the high byte is -24, -25, -29 or -30 in two's complement
    const ticksPerFrame = division & 0xff;
    if (frames !== 24 && frames !== 25 && frames !== 29 && frames !== 30) fail(12, `SMPTE division of ${frames} frames per second (valid: 24, 25, 29 (29.97 drop-frame), 30)`);
    if (ticksPerFrame === 0) fail(13, 'SMPTE division with 0 ticks per frame');
    const nominal = frames === 29 ? 30 : frames;
    ticksPerQuarter = nominal * ticksPerFrame;
    smpteUs = frames === 29 ? 1_001_000 : 1_000_000;
    smpte = { framesPerSecond: frames === 29 ? 29.97 : frames as 24 | 25 | 30, ticksPerFrame };
  } else {
    if (division === 0) fail(12, 'division of 0 ticks per quarter note (valid: 1 … 32767)');
    ticksPerQuarter = division;
  }

  const ctx: Context = { bytes, events: 0, maxEvents, warnings, tempos: [], signatures: [], smpte: smpte !== null, decoder: new TextDecoder() };
  const tracks: MidiTrack[] = [];
  let p = 8 + headerLength;
  while (tracks.length < trackCount) {
    if (p >= bytes.length) fail(p, `the file ends after ${tracks.length} of the ${trackCount} tracks its header announces`);
    if (bytes.length - p < 8) fail(p, `a chunk header needs 8 bytes; ${bytes.length - p} remain`);
    if (++ctx.events > maxEvents) fail(p, `more than ${maxEvents} events and chunks (the cap; raise it with { maxEvents })`);
    const type = fourCC(bytes, p);
    const length = u32(bytes, p + 4);
    if (length > bytes.length - p - 8) fail(p + 4, `chunk "${type}" claims ${length} bytes; ${bytes.length - p - 8} remain in the file`);
    if (type === 'MTrk') tracks.push(readTrack(ctx, tracks.length, p + 8, p + 8 + length));
    else warnings.add(`byte ${p}: unknown chunk "${type}" of ${length} bytes skipped`);
    p += 8 + length;
  }
  if (p < bytes.length) warnings.add(`${bytes.length - p} bytes after the last announced track ignored`);

  // Tempo map: a stable sort by tick keeps file order (track, then event) among equal ticks; the last
  // event at a tick wins. Seconds accumulate as an integer count of µs·ticks (exact below 2^53, i.e.
  // for the first ~108 days at 960 ticks per quarter), divided once per point.
  const raw = smpte ? [] : ctx.tempos.slice().sort((x, y) => x.tick - y.tick);
  const merged: RawTempo[] = [{ tick: 0, us: smpte ? smpteUs : 500_000 }];
  for (const t of raw) {
    const last = merged[merged.length - 1];
    if (last.tick === t.tick) last.us = t.us;
    else if (last.us !== t.us) merged.push({ tick: t.tick, us: t.us });
  }
  const tempoMap: TempoPoint[] = [];
  let acc = 0; // Σ Δtick × µs per quarter, an integer
  for (let i = 0; i < merged.length; i++) {
    const t = merged[i];
    if (i > 0) {
      if (merged[i - 1].us === t.us) continue; // a same-tick override restored the tempo before it
      acc += (t.tick - tempoMap[tempoMap.length - 1].tick) * tempoMap[tempoMap.length - 1].usPerQuarter;
    }
    tempoMap.push({ tick: t.tick, usPerQuarter: t.us, bpm: 60e6 / t.us, seconds: acc / (1e6 * ticksPerQuarter) });
  }

  const timeSignatures: TimeSignature[] = [];
  for (const s of ctx.signatures.slice().sort((x, y) => x.tick - y.tick)) {
    const last = timeSignatures[timeSignatures.length - 1];
    if (last && last.tick === s.tick) timeSignatures[timeSignatures.length - 1] = s;
    else timeSignatures.push(s);
  }
  if (timeSignatures.length === 0 || timeSignatures[0].tick > 0) timeSignatures.unshift({ tick: 0, numerator: 4, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8 });

  const endTick = tracks.reduce((m, t) => Math.max(m, t.endTick), 0);
  const file: MidiFile = { format: format as 0 | 1, ticksPerQuarter, smpte, tracks, tempoMap, timeSignatures, endTick, endSeconds: 0, warnings: warnings.done() };
  file.endSeconds = ticksToSeconds(file, endTick);
  return file;
}

/**
 * Seconds from the file's start to `tick`, through the tempo map: the time of the last tempo point at
 * or before `tick` plus the ticks since, at that tempo. Exact up to one rounding of a double (the
 * ticks × µs products are integers). Ticks before 0 are measured back at the first tempo.
 */
export function ticksToSeconds(timing: Pick<MidiFile, 'tempoMap' | 'ticksPerQuarter'>, tick: number): number {
  if (typeof tick !== 'number' || Number.isNaN(tick)) throw new TypeError(`ticksToSeconds: tick must be a number, got ${String(tick)}`);
  const map = timing.tempoMap;
  let lo = 0, hi = map.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (map[mid].tick <= tick) lo = mid; else hi = mid - 1; }
  const t = map[lo];
  return t.seconds + ((tick - t.tick) * t.usPerQuarter) / (1e6 * timing.ticksPerQuarter);
}

/** The inverse of ticksToSeconds (fractional ticks; round as the caller needs). */
export function secondsToTicks(timing: Pick<MidiFile, 'tempoMap' | 'ticksPerQuarter'>, seconds: number): number {
  if (typeof seconds !== 'number' || Number.isNaN(seconds)) throw new TypeError(`secondsToTicks: seconds must be a number, got ${String(seconds)}`);
  const map = timing.tempoMap;
  let lo = 0, hi = map.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (map[mid].seconds <= seconds) lo = mid; else hi = mid - 1; }
  const t = map[lo];
  return t.tick + ((seconds - t.seconds) * 1e6 * timing.ticksPerQuarter) / t.usPerQuarter;
}
