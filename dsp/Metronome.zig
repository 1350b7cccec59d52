//! The metronome click, rendered in the DSP on the transport's beats.
//!
//! A click starts on the exact song frame of every beat line of the time signature (its beat unit:
//! quarter notes in 4/4, eighths in 7/8), never swung: `round(seconds(b)·fs)` as every other
//! transport event. Each click is a Hann-windowed sine burst of `click_ms` (10 ms):
//!     x[n] = level · amp · sin(2π·f·n/fs) · ½(1 − cos(2π·n/N)),   0 ≤ n < N = round(click_ms·fs)
//! with f = 1760 Hz and amp = 1 on a bar's downbeat (the accent), f = 880 Hz and amp = 0.5 on other
//! beats. The Hann window makes it start and end at zero slope (no click of its own beyond the
//! intended one) and keeps its spectrum compact around f. The sine is computed with @sin in f64
//! per sample: a 10 ms click is 480 samples at 48 kHz, a few per second.
//!
//! `render` *adds* the click into a mono 128-frame buffer the caller mixes where it wants (e.g.
//! into the master bus after the limiter's input, or a dedicated cue output). A click that started
//! keeps ringing to its end across a stop, so a stop never cuts it into a click. Real-time safe:
//! no allocation; state is a few scalars.
const std = @import("std");
const Transport = @import("Transport.zig");
const Lanes = @import("lanes.zig");

const Metronome = @This();
const Q = Lanes.quantum;

pub const click_ms: f64 = 10;
pub const accent_hz: f64 = 1760;
pub const beat_hz: f64 = 880;
pub const accent_amp: f64 = 1;
pub const beat_amp: f64 = 0.5;

/// Output level, linear 0..1 (set with `setLevel`).
level: f32 = 0.5,
on: bool = false,
fs: f64 = 48000,
/// Click length in frames.
len: u32 = 480,
/// Frames of the current click already played (== len: idle).
n: u32 = 480,
/// Phase increment of the current click, radians per frame.
w: f64 = 0,
amp: f64 = 0,

pub fn init(sample_rate: f64) Metronome {
    const len: u32 = @intFromFloat(@round(click_ms * 1e-3 * sample_rate));
    return .{ .fs = sample_rate, .len = len, .n = len };
}

/// Sets the level (linear 0..1). Out of range or not finite: error.BadLevel, nothing changes.
pub fn setLevel(self: *Metronome, level: f32) error{BadLevel}!void {
    if (!(level >= 0 and level <= 1)) return error.BadLevel;
    self.level = level;
}

/// Adds the quantum's clicks to `out`.
pub fn render(self: *Metronome, tr: *const Transport, out: *[Q]f32) void {
    var off: u32 = 0;
    if (self.on) {
        for (tr.segments()) |s| {
            // Beat lines whose frame lies in [s.song, s.song + s.len).
            var b = tr.map.nextLine(tr.beatOfFrame(s.song - 1), .beat);
            while (true) {
                const f = tr.frameOfBeat(b);
                if (f >= s.song + s.len) break;
                if (f >= s.song) {
                    const at = s.offset + @as(u32, @intCast(f - s.song));
                    self.play(out, off, at);
                    off = at;
                    const accent = tr.map.isDownbeat(b);
                    self.w = 2 * std.math.pi * (if (accent) accent_hz else beat_hz) / self.fs;
                    self.amp = if (accent) accent_amp else beat_amp;
                    self.n = 0;
                }
                b = tr.map.nextLine(b + 1e-6, .beat);
            }
        }
    }
    self.play(out, off, Q);
}

/// Adds the current click's samples for frames [from, to).
fn play(self: *Metronome, out: *[Q]f32, from: u32, to: u32) void {
    var i = from;
    const nn: f64 = @floatFromInt(self.len);
    const g = @as(f64, self.level) * self.amp;
    while (i < to and self.n < self.len) : ({
        i += 1;
        self.n += 1;
    }) {
        const x: f64 = @floatFromInt(self.n);
        const win = 0.5 * (1 - @cos(2 * std.math.pi * x / nn));
        out[i] += @floatCast(g * @sin(self.w * x) * win);
    }
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;

test "clicks on every beat's frame, accent on downbeats, across a tempo step and a 3/4 bar" {
    const fs = 44100;
    var tr = Transport.init(fs);
    try tr.setTempoMap(&.{ .{ .beat = 0, .bpm = 100 }, .{ .beat = 6, .bpm = 150 } });
    try tr.setSignatures(&.{ .{ .bar = 0, .num = 3, .den = 4 }, .{ .bar = 2, .num = 6, .den = 8 } });
    var m = Metronome.init(fs);
    m.on = true;
    try m.setLevel(0.8);
    try tr.schedule(.{ .kind = .play, .frame = 77 });
    const quanta = 4 * fs / Q; // 4 s
    var out: [quanta * Q]f32 = undefined;
    @memset(&out, 0);
    for (0..quanta) |q| {
        tr.advance(q * Q);
        m.render(&tr, out[q * Q ..][0..Q]);
    }
    // Reference: onsets written out from the tempo (100 BPM: 0.6 s a quarter; 150 BPM from beat 6
    // = 3.6 s: 0.2 s an eighth), 3/4 bars on beats 0 and 3, then 6/8 bars of 3 quarters from 6.
    var want: [quanta * Q]f64 = undefined;
    @memset(&want, 0);
    var onsets: usize = 0;
    var k: usize = 0;
    while (true) : (k += 1) {
        const t: f64 = if (k < 6) 0.6 * @as(f64, @floatFromInt(k)) else 3.6 + 0.2 * @as(f64, @floatFromInt(k - 6));
        const on: usize = 77 + @as(usize, @intFromFloat(@round(t * fs)));
        if (on >= want.len) break;
        const accent = k == 0 or k == 3 or (k >= 6 and (k - 6) % 6 == 0);
        const hz: f64 = if (accent) 1760 else 880;
        const amp: f64 = if (accent) 1 else 0.5;
        for (0..441) |nn| {
            if (on + nn >= want.len) break;
            const x: f64 = @floatFromInt(nn);
            want[on + nn] = 0.8 * amp * @sin(2 * std.math.pi * hz * x / fs) * 0.5 * (1 - @cos(2 * std.math.pi * x / 441));
        }
        onsets += 1;
    }
    try testing.expectEqual(@as(usize, 8), onsets);
    for (out, want) |o, w| try testing.expectApproxEqAbs(w, @as(f64, o), 1e-6);
}

test "off, or level 0: silence; bad level rejected" {
    var tr = Transport.init(48000);
    var m = Metronome.init(48000);
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    var out = [_]f32{0} ** Q;
    tr.advance(0);
    m.render(&tr, &out);
    for (out) |x| try testing.expectEqual(@as(f32, 0), x);
    try testing.expectError(error.BadLevel, m.setLevel(1.5));
    try testing.expectError(error.BadLevel, m.setLevel(std.math.nan(f32)));
    try m.setLevel(0);
    m.on = true;
    tr.advance(Q);
    m.render(&tr, &out);
    for (out) |x| try testing.expectEqual(@as(f32, 0), x);
}
