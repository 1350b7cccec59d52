// The song of the MIDI bench (bench/page.mjs `song`): 10,000 notes on 4 tracks (MIDI channels 1-4),
// written as a format 1 Standard MIDI File (480 ticks per quarter, 150 BPM, 180 BPM from the 5,001st
// note) and as the note list a Tone.js page schedules. One note starts every 3 ticks (2.5 ms, then
// 2.08 ms), one tick long, the tracks taking turns: onsets never coincide and every note is followed
// by silence, so each onset can be found in the mixed output. Intended times are worked out here from
// ticks and tempi, not by either contender.
export const TPQ = 480;
export const NOTES = 10000;
const STEP = 3;
const CHANGE = (NOTES / 2) * STEP; // tick of the tempo change
export const TEMPI = [[0, 400000], [CHANGE, 333333]]; // µs per quarter: 150 BPM, then 180.0002 BPM

/** Seconds at `tick` through TEMPI. */
export function secondsAt(tick) {
  let s = 0;
  for (let i = 0; i < TEMPI.length; i++) {
    const [t0, us] = TEMPI[i];
    const t1 = i + 1 < TEMPI.length ? Math.min(tick, TEMPI[i + 1][0]) : tick;
    if (t1 > t0) s += ((t1 - t0) * us) / (1e6 * TPQ);
  }
  return s;
}

/** The notes: { track 1-4, tick, ticks, pitch, velocity, seconds, duration (s) }. */
export function songNotes() {
  const notes = [];
  for (let k = 0; k < NOTES; k++) {
    const tick = k * STEP;
    notes.push({ track: 1 + (k % 4), tick, ticks: 1, pitch: 60 + ((k * 7) % 25), velocity: 96 + ((k * 13) % 32), seconds: secondsAt(tick), duration: secondsAt(tick + 1) - secondsAt(tick) });
  }
  return notes;
}

const vlq = (n) => { const out = [n & 0x7f]; while ((n = Math.floor(n / 128)) > 0) out.unshift((n & 0x7f) | 0x80); return out; };
const be32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const chunk = (type, body) => [...[...type].map((c) => c.charCodeAt(0)), ...be32(body.length), ...body];
function track(events) {
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // at one tick: note-offs (order 0) before note-ons (1)
  const body = [];
  let t = 0;
  for (const [tick, , ...bytes] of events) { body.push(...vlq(tick - t), ...bytes); t = tick; }
  body.push(0, 0xff, 0x2f, 0);
  return chunk('MTrk', body);
}

/** The song as a format 1 Standard MIDI File. */
export function songBytes(notes = songNotes()) {
  const tracks = [track(TEMPI.map(([tick, us]) => [tick, 0, 0xff, 0x51, 3, (us >> 16) & 255, (us >> 8) & 255, us & 255]))];
  for (let tr = 1; tr <= 4; tr++) {
    const ev = [];
    for (const n of notes) if (n.track === tr) ev.push([n.tick, 1, 0x90 | (tr - 1), n.pitch, n.velocity], [n.tick + n.ticks, 0, 0x80 | (tr - 1), n.pitch, 0]);
    tracks.push(track(ev));
  }
  return new Uint8Array([...chunk('MThd', [0, 1, 0, tracks.length, TPQ >> 8, TPQ & 255]), ...tracks.flat()]);
}
