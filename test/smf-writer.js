// A Standard MIDI File writer for tests (test/midi.test.js in the browsers, src/midi-load.test.mjs in
// Node), written from the spec ("Standard MIDI Files 1.0", RP-001), independent of the reader in
// src/midi.ts: chunks, big-endian lengths, variable-length delta times.

/** Variable-length quantity: 7 bits a byte, most significant first, high bit set on all but the last. */
export function vlq(n) {
  const out = [n & 0x7f];
  while ((n = Math.floor(n / 128)) > 0) out.unshift((n & 0x7f) | 0x80);
  return out;
}
const be32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
export const chunk = (type, body) => [...[...type].map((c) => c.charCodeAt(0)), ...be32(body.length), ...body];

/** A track-name meta event at tick 0. */
export const nameEvent = (s) => [0, 0xff, 0x03, s.length, ...[...s].map((c) => c.charCodeAt(0))];
/** A tempo meta event: `us` microseconds per quarter note from `tick`. */
export const tempoEvent = (tick, us) => [tick, 0xff, 0x51, 3, (us >> 16) & 255, (us >> 8) & 255, us & 255];

/**
 * A track chunk from events [absoluteTick, ...bytes] in any order (sorted by tick, stable: events at
 * one tick keep their order), with delta times and the end-of-track event; `name` adds a track name.
 */
export function track(events, name) {
  const all = [...(name ? [nameEvent(name)] : []), ...events];
  const ev = all.map((e, i) => [e, i]).sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1]).map(([e]) => e);
  const body = [];
  let t = 0;
  for (const [tick, ...bytes] of ev) { body.push(...vlq(tick - t), ...bytes); t = tick; }
  body.push(0, 0xff, 0x2f, 0);
  return chunk('MTrk', body);
}

/** The file: a header (format, track count, ticks per quarter note) and the track chunks. */
export const smf = (format, tpq, tracks) => new Uint8Array([...chunk('MThd', [0, format, 0, tracks.length, tpq >> 8, tpq & 255]), ...tracks.flat()]);
