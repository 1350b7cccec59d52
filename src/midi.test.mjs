// node --test src/midi.test.mjs: the Standard MIDI File reader on files built here byte by byte, the
// times of notes against times worked out by hand from the file's tempo map, and 10,000 mutated
// files that may only parse or throw the documented errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const { outputFiles } = await build({ entryPoints: [new URL('./midi.ts', import.meta.url).pathname], bundle: true, format: 'esm', write: false, logLevel: 'error' });
const { parseMidi, ticksToSeconds, secondsToTicks, MAX_MIDI_EVENTS } = await import(`data:text/javascript,${encodeURIComponent(outputFiles[0].text)}`);

// --- writing files (independent of the reader: straight from the spec) ---
/** Variable-length quantity: 7 bits a byte, most significant first, high bit set on all but the last. */
function vlq(n) {
  const out = [n & 0x7f];
  while ((n = Math.floor(n / 128)) > 0) out.unshift((n & 0x7f) | 0x80);
  return out;
}
const ascii = (s) => [...s].map((c) => c.charCodeAt(0));
const be32 = (n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const chunk = (type, body) => [...ascii(type), ...be32(body.length), ...body];
const header = (format, tracks, division) => chunk('MThd', [0, format, 0, tracks, (division >> 8) & 255, division & 255]);
const smf = (...parts) => new Uint8Array(parts.flat());
const EOT = [0x00, 0xff, 0x2f, 0x00];
const tempo = (bpm) => { const us = Math.round(60e6 / bpm); return [0xff, 0x51, 0x03, (us >> 16) & 255, (us >> 8) & 255, us & 255]; };

/** A MIDI error as documented: RangeError/TypeError, message naming the byte, `offset` that byte. */
function midiError(re, offset) {
  return (e) => {
    assert.ok(e instanceof RangeError || e instanceof TypeError, `${e}`);
    assert.match(e.message, /^Standard MIDI file, byte \d+: /);
    assert.equal(e.message.match(/byte (\d+)/)[1], String(e.offset));
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    assert.match(e.message, re);
    return true;
  };
}

test('format 0 written byte by byte: running status, note-on velocity 0 as note-off, track name, default 120 BPM', () => {
  const bytes = new Uint8Array([
    0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, // MThd, format 0, 1 track, 96 ticks per quarter
    0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 31, // MTrk, 31 bytes
    0x00, 0xff, 0x03, 0x04, 0x4c, 0x65, 0x61, 0x64, // track name "Lead"
    0x00, 0x90, 0x3c, 0x64, // C4 on, velocity 100
    0x60, 0x3c, 0x00, // +96: running status, velocity 0 = off
    0x00, 0x40, 0x50, // E4 on, velocity 80 (running status)
    0x81, 0x40, 0x80, 0x40, 0x00, // +192 (VLQ 81 40): note-off
    0x00, 0x99, 0x24, 0x7f, // channel 10 kick
    0x00, 0xff, 0x2f, 0x00, // end of track
  ]);
  const f = parseMidi(bytes);
  assert.equal(f.format, 0);
  assert.equal(f.ticksPerQuarter, 96);
  assert.equal(f.tracks.length, 1);
  const t = f.tracks[0];
  assert.equal(t.name, 'Lead');
  assert.deepEqual(t.notes.slice(0, 2), [
    { tick: 0, durationTicks: 96, pitch: 60, velocity: 100, channel: 0 },
    { tick: 96, durationTicks: 192, pitch: 64, velocity: 80, channel: 0 },
  ]);
  assert.deepEqual(t.channels[0].map((n) => n.pitch), [60, 64]);
  assert.deepEqual(t.channels[9].map((n) => [n.tick, n.pitch, n.durationTicks]), [[288, 36, 0]]);
  assert.equal(t.endTick, 288);
  assert.deepEqual(f.tempoMap, [{ tick: 0, usPerQuarter: 500000, bpm: 120, seconds: 0 }]);
  assert.deepEqual(f.timeSignatures, [{ tick: 0, numerator: 4, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8 }]);
  assert.equal(ticksToSeconds(f, 96), 0.5);
  assert.equal(f.endSeconds, 1.5);
  assert.equal(f.warnings.length, 1, f.warnings.join('\n')); // the drum note still sounding at the end
  assert.match(f.warnings[0], /note 36 on channel 10 from tick 288 still sounding/);
});

test('format 1, tempo changes mid-song in two tracks: every note within 1 frame at 48 kHz of its analytic time', () => {
  const tpq = 480;
  // Conductor track: 120 BPM, 3/4; 96 BPM at tick 1920; 150 BPM at tick 3840.
  const conductor = [0x00, ...tempo(120), 0x00, 0xff, 0x58, 0x04, 3, 2, 24, 8, ...vlq(1920), ...tempo(96), ...vlq(1920), ...tempo(150), ...EOT];
  // A second tempo track (allowed in practice, merged with a warning): 60 BPM at tick 5760.
  const late = [...vlq(5760), ...tempo(60), ...EOT];
  // Notes: a quarter note every 240 ticks (an eighth) from 0 to 6720, pitch rising, each 120 ticks long.
  const notes = [];
  let last = 0;
  for (let tick = 0, pitch = 40; tick <= 6720; tick += 240, pitch++) {
    notes.push(...vlq(tick - last), 0x91, pitch, 90, ...vlq(120), 0x81, pitch, 0);
    last = tick + 120;
  }
  const f = parseMidi(smf(header(1, 3, tpq), chunk('MTrk', conductor), chunk('MTrk', [...notes, ...EOT]), chunk('MTrk', late)));
  assert.equal(f.format, 1);
  assert.deepEqual(f.tempoMap.map((t) => [t.tick, t.bpm]), [[0, 120], [1920, 96], [3840, 150], [5760, 60]]);
  assert.deepEqual(f.timeSignatures.map((s) => [s.tick, s.numerator, s.denominator]), [[0, 3, 4]]);
  assert.ok(f.warnings.some((w) => /track 2, byte \d+: tempo event outside the first track/.test(w)), f.warnings.join('\n'));
  // Analytic: 120 BPM → 1/960 s a tick; 96 BPM → 1/768; 150 BPM → 1/1200; 60 BPM → 1/480.
  const analytic = (tick) => {
    if (tick <= 1920) return tick / 960;
    if (tick <= 3840) return 2 + (tick - 1920) / 768;
    if (tick <= 5760) return 4.5 + (tick - 3840) / 1200;
    return 6.1 + (tick - 5760) / 480;
  };
  const ns = f.tracks[1].channels[1];
  assert.equal(ns.length, 29);
  let worst = 0;
  for (const n of ns) {
    assert.equal(n.durationTicks, 120);
    for (const tick of [n.tick, n.tick + n.durationTicks]) {
      const frames = Math.abs(ticksToSeconds(f, tick) - analytic(tick)) * 48000;
      worst = Math.max(worst, frames);
      assert.ok(frames < 1, `tick ${tick}: ${ticksToSeconds(f, tick)} s vs ${analytic(tick)} s`);
      assert.ok(Math.abs(secondsToTicks(f, analytic(tick)) - tick) < 1e-6);
    }
  }
  assert.ok(worst < 1e-6, `worst error ${worst} frames (the conversion is exact up to double rounding)`);
  assert.ok(Math.abs(f.endSeconds - analytic(6840)) < 1e-12);
});

test('every channel message kind, with running status; sysex and meta events skipped; unknown chunks skipped', () => {
  const body = [
    0x00, 0xa2, 60, 33, // poly pressure
    0x00, 0xb2, 7, 100, 0x00, 10, 64, // CC 7 then CC 10 by running status
    0x00, 0xc2, 5, 0x00, 6, // program 5, 6 (running status, one data byte)
    0x00, 0xd2, 70, // channel pressure
    0x00, 0xe2, 0x00, 0x40, 0x00, 0x7f, 0x7f, // pitch bend centre, then max by running status
    0x00, 0xf0, 0x03, 0x43, 0x12, 0xf7, // sysex, skipped
    0x00, 0xf7, 0x02, 0x01, 0x02, // sysex escape, skipped
    0x00, 0xff, 0x01, 0x02, 0x68, 0x69, // text meta, skipped
    0x00, 0x92, 61, 1, 0x10, 0x82, 61, 64, // a note on channel 3 (release velocity ignored)
    ...EOT,
  ];
  const f = parseMidi(smf(header(0, 1, 960), chunk('XFIH', [1, 2, 3, 4, 5]), chunk('MTrk', body), [0, 0]));
  const t = f.tracks[0];
  assert.deepEqual(t.controls.map(({ type, a, b }) => [type, a, b]), [
    ['polyPressure', 60, 33], ['controlChange', 7, 100], ['controlChange', 10, 64], ['programChange', 5, 0],
    ['programChange', 6, 0], ['channelPressure', 70, 0], ['pitchBend', 8192, 0], ['pitchBend', 16383, 0],
  ]);
  assert.ok(t.controls.every((c) => c.channel === 2 && c.tick === 0));
  assert.deepEqual(t.channels[2], [{ tick: 0, durationTicks: 16, pitch: 61, velocity: 1, channel: 2 }]);
  assert.ok(f.warnings.some((w) => /unknown chunk "XFIH" of 5 bytes skipped/.test(w)));
  assert.ok(f.warnings.some((w) => /2 bytes after the last announced track ignored/.test(w)));
  // Running status across a sysex or meta event (which the spec says cancels it) is kept, with one warning.
  const across = parseMidi(smf(header(0, 1, 96), chunk('MTrk', [0x00, 0x90, 60, 1, 0x00, 0xf0, 0x01, 0xf7, 0x00, 62, 2, 0x00, 0xff, 0x01, 0x00, 0x08, 60, 0, 0x00, 62, 0, ...EOT])));
  assert.deepEqual(across.tracks[0].notes.map((n) => [n.pitch, n.durationTicks]), [[60, 8], [62, 8]]);
  assert.deepEqual(across.warnings, ['track 0, byte 31: running status used after a sysex or meta event (which the spec says cancels it); kept']);
  // A data byte before any channel message is an error naming its offset.
  const bad = smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xf0, 0x01, 0xf7, 0x00, 60, 0, ...EOT]));
  assert.throws(() => parseMidi(bad), midiError(/data byte 0x3C where an event should start, before any channel message/, 22 + 5));
});

test('overlapping notes of one pitch pair first in, first out; note-offs with nothing to end are dropped with a warning', () => {
  const body = [0x00, 0x90, 60, 10, 0x0a, 0x90, 60, 20, 0x0a, 0x80, 60, 0, 0x14, 0x90, 60, 0, 0x00, 0x80, 60, 0, 0x00, 0x80, 61, 0, ...EOT];
  const f = parseMidi(smf(header(0, 1, 96), chunk('MTrk', body)));
  assert.deepEqual(f.tracks[0].notes.map((n) => [n.tick, n.durationTicks, n.velocity]), [[0, 20, 10], [10, 30, 20]]);
  assert.equal(f.warnings.length, 2, f.warnings.join('\n'));
  assert.ok(f.warnings.every((w) => /note-off for pitch 6[01] on channel 1 at tick 40 with no sounding note \(dropped\)/.test(w)));
});

test('notes left sounding end at the end of their track, each with a warning; a track without end-of-track ends at its last event', () => {
  const body = [0x00, 0x90, 60, 100, 0x00, 0x90, 64, 100, 0x00, 0x90, 67, 100, 0x83, 0x60, 0x80, 64, 0, 0x60, 0xff, 0x2f, 0x00];
  const f = parseMidi(smf(header(0, 1, 480), chunk('MTrk', body)));
  assert.deepEqual(f.tracks[0].notes.map((n) => [n.pitch, n.durationTicks]), [[60, 576], [64, 480], [67, 576]]);
  assert.equal(f.warnings.length, 2);
  assert.match(f.warnings[0], /note 60 on channel 1 from tick 0 still sounding at the track's end; ended at tick 576/);
  const noEnd = parseMidi(smf(header(0, 1, 480), chunk('MTrk', [0x00, 0x90, 60, 100, 0x10, 0x80, 60, 0])));
  assert.equal(noEnd.tracks[0].endTick, 16);
  assert.match(noEnd.warnings[0], /no end-of-track event .* tick 16/);
});

test('SMPTE division is converted exactly: 25 fps × 40 ticks is 1000 ticks a second; 29.97 drop-frame is 30 × ticks per 1.001 s', () => {
  const body = [0x00, ...tempo(200), 0x00, 0x90, 60, 1, 0x87, 0x68, 0x80, 60, 0, ...EOT]; // off at tick 1000
  const f = parseMidi(smf(header(0, 1, 0xe728), chunk('MTrk', body))); // -25 (0xE7), 40 ticks per frame
  assert.deepEqual(f.smpte, { framesPerSecond: 25, ticksPerFrame: 40 });
  assert.equal(f.ticksPerQuarter, 1000);
  assert.equal(ticksToSeconds(f, 1000), 1);
  assert.ok(f.warnings.some((w) => /tempo event ignored \(the file's division is SMPTE time\)/.test(w)));
  const df = parseMidi(smf(header(0, 1, 0xe350), chunk('MTrk', EOT))); // -29 (0xE3), 80 ticks per frame
  assert.equal(df.smpte.framesPerSecond, 29.97);
  assert.ok(Math.abs(ticksToSeconds(df, 30000 / 1001 * 80) - 1) < 1e-15, 'one second holds 29.97 frames');
  assert.throws(() => parseMidi(smf(header(0, 1, 0xe028), chunk('MTrk', EOT))), midiError(/SMPTE division of 32 frames per second/, 12));
});

test('bad files: each problem is a RangeError or TypeError naming its byte', () => {
  const ok = chunk('MTrk', EOT);
  const cases = [
    [new Uint8Array(ascii('RIFF0000')), TypeError, /must start with "MThd", not "RIFF"/, 0],
    [new Uint8Array([0x4d, 0x54, 0x68, 0x64, 0, 0]), RangeError, /at least 14 bytes, this one has 6/, 6],
    [smf(header(2, 1, 96), ok), RangeError, /format 2 \(independent sequences\) is not supported/, 8],
    [smf(header(7, 1, 96), ok), RangeError, /format 7 is not/, 8],
    [smf(header(0, 2, 96), ok, ok), RangeError, /format 0 file has exactly one track; the header says 2/, 10],
    [smf(header(1, 3, 96), ok, ok), RangeError, /ends after 2 of the 3 tracks/, 38],
    [smf(header(0, 1, 0), ok), RangeError, /division of 0 ticks/, 12],
    [smf([...ascii('MThd'), 0, 0, 0, 4, 0, 0, 0, 1, 0, 96], ok), RangeError, /header chunk length 4; it must be at least 6/, 4],
    [smf(header(0, 1, 96), [...ascii('MTrk'), 0, 0, 0, 9, 0, 0xff, 0x2f, 0]), RangeError, /chunk "MTrk" claims 9 bytes; 4 remain/, 18],
    [smf(header(0, 1, 96), [...ascii('MTrk'), 0xff, 0xff, 0xff, 0xff]), RangeError, /claims 4294967295 bytes; 0 remain/, 18],
    [smf(header(0, 1, 96), chunk('MTrk', [0xff, 0xff, 0xff, 0xff, 0x7f, 0x90, 60, 1, ...EOT])), RangeError, /delta time is a variable-length quantity longer than 4 bytes/, 22],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xf0, 0x8f, 0xff, 0xff, 0x7f, 1, 2])), RangeError, /sysex of 33554431 bytes runs past the end of the track chunk \(2 bytes remain\)/, 28],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0x90, 60])), RangeError, /message 0x90 is cut off by the end of the track chunk/, 25],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0x90, 60, 0x91])), RangeError, /data byte 0x91 of message 0x90 has its high bit set/, 25],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xf8, ...EOT])), RangeError, /status byte 0xF8 .* cannot appear in a MIDI file track/, 23],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xff, 0x51, 0x02, 1, 2, ...EOT])), RangeError, /tempo meta event \(FF 51\) has length 2; it must be 3/, 23],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xff, 0x51, 0x03, 0, 0, 0, ...EOT])), RangeError, /tempo of 0 µs/, 26],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xff, 0x58, 0x04, 4, 9, 24, 8, ...EOT])), RangeError, /denominator 2\^9/, 27],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00])), RangeError, /ends after a delta time, without its event/, 23],
    [smf(header(0, 1, 96), chunk('MTrk', [0x00, 0xff])), RangeError, /meta event cut off .* before its type/, 24],
  ];
  for (const [bytes, Kind, re, offset] of cases) {
    assert.throws(() => parseMidi(bytes), (e) => e instanceof Kind && midiError(re, offset)(e), `${re}`);
  }
  assert.throws(() => parseMidi('MThd'), midiError(/expected the file's bytes .* got string/, 0));
  assert.throws(() => parseMidi(null), TypeError);
  assert.throws(() => parseMidi(new Uint8Array(14), { maxEvents: 0 }), /maxEvents 0 is not an integer from 1 to 2\^30/);
});

test(`at most maxEvents events are read (default ${MAX_MIDI_EVENTS}); a file of a million running-status notes stays within it`, () => {
  const n = 3000;
  const body = [0x00, 0x90, 60, 100];
  for (let i = 1; i < n; i++) body.push(0x01, 60, i & 1 ? 0 : 100);
  const bytes = smf(header(0, 1, 96), chunk('MTrk', [...body, ...EOT]));
  assert.equal(parseMidi(bytes).tracks[0].notes.length, n / 2);
  assert.throws(() => parseMidi(bytes, { maxEvents: 1000 }), midiError(/more than 1000 events \(the cap; raise it with \{ maxEvents \}\)/));
  // The default cap (events and chunks): a track chunk and 1,000,001 running-status events (3 bytes each) are refused.
  const big = new Uint8Array(22 + 4 + 3 * (MAX_MIDI_EVENTS + 1));
  big.set(smf(header(0, 1, 96), [...ascii('MTrk'), ...be32(big.length - 22)]));
  big.set([0x00, 0x90, 60, 100], 22);
  for (let i = 1, p = 26; i <= MAX_MIDI_EVENTS; i++, p += 3) big.set([0x00, 60, i & 1 ? 0 : 100], p);
  assert.throws(() => parseMidi(big), midiError(/more than 1000000 events/));
});

test('fuzz: 10,000 mutated files either parse into consistent notes or throw only the documented errors', () => {
  // xorshift32, seeded: the same 10,000 files every run.
  let s = 0x13579bdf;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  const int = (n) => Math.floor(rnd() * n);
  const seeds = [];
  const body = [0x00, 0xff, 0x03, 0x02, 0x41, 0x42, 0x00, ...tempo(100), 0x00, 0xff, 0x58, 0x04, 6, 3, 24, 8];
  for (let i = 0; i < 40; i++) body.push(...vlq(i * 7), 0x90 | (i & 3), 40 + i, 64, 0x05, 40 + i, 0, 0x00, 0xb0, 7, i, 0x00, 0xf0, 0x02, 0x7e, 0xf7);
  seeds.push(smf(header(0, 1, 480), chunk('MTrk', [...body, ...EOT])));
  seeds.push(smf(header(1, 2, 96), chunk('MTrk', [0x00, ...tempo(140), 0x60, ...tempo(70), ...EOT]), chunk('junk', [1, 2, 3]), chunk('MTrk', body.concat(EOT))));
  seeds.push(smf(header(1, 1, 0xe728), chunk('MTrk', [...body, ...EOT])));
  const counts = { parsed: 0, RangeError: 0, TypeError: 0 };
  for (let i = 0; i < 10000; i++) {
    const bytes = Array.from(seeds[i % seeds.length]);
    for (let m = 1 + int(4); m > 0; m--) {
      const at = int(bytes.length);
      switch (int(7)) {
        case 0: bytes[at] ^= 1 << int(8); break;
        case 1: bytes[at] = int(256); break;
        case 2: bytes.splice(at, 0, int(256)); break;
        case 3: bytes.splice(at, 1 + int(8)); break;
        case 4: bytes.length = at; break;
        case 5: bytes.splice(at, 0, ...bytes.slice(int(bytes.length), int(bytes.length) + 16)); break;
        default: bytes[at] = [0x00, 0x7f, 0x80, 0xff, 0xf0, 0xf7, 0x2f][int(7)];
      }
    }
    const input = new Uint8Array(bytes);
    let f;
    try {
      f = parseMidi(input);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError) || !/^Standard MIDI file, byte \d+: \S/.test(e.message)
        || !Number.isInteger(e.offset) || e.offset < 0 || e.offset > input.length) {
        assert.fail(`file ${i} [${bytes.join(',')}]: undocumented error ${e?.stack ?? e}`);
      }
      counts[e.constructor.name]++;
      continue;
    }
    counts.parsed++;
    assert.ok(f.format === 0 || f.format === 1);
    assert.ok(f.ticksPerQuarter >= 1 && f.tempoMap[0].tick === 0 && f.warnings.length <= 51);
    for (let k = 1; k < f.tempoMap.length; k++) assert.ok(f.tempoMap[k].tick > f.tempoMap[k - 1].tick && f.tempoMap[k].seconds > f.tempoMap[k - 1].seconds);
    for (const t of f.tracks) {
      let n = 0;
      for (const note of t.notes) {
        assert.ok(note.pitch >= 0 && note.pitch < 128 && note.velocity >= 1 && note.velocity < 128 && note.channel >= 0 && note.channel < 16);
        assert.ok(Number.isInteger(note.tick) && Number.isInteger(note.durationTicks) && note.durationTicks >= 0 && note.tick + note.durationTicks <= t.endTick);
        assert.ok(Number.isFinite(ticksToSeconds(f, note.tick)));
        n++;
      }
      assert.equal(t.channels.reduce((a, c) => a + c.length, 0), n);
    }
  }
  // Both outcomes happen often enough for the test to mean something.
  assert.ok(counts.parsed > 1000 && counts.RangeError > 1000, JSON.stringify(counts));
  console.log(`fuzz outcomes: ${JSON.stringify(counts)}`);
});
