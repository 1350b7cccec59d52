//! Oscilloscope buffer for one strip, stabilised by a rising-zero-crossing trigger.
//!
//! The strip pushes its mono mix (L + R)/2 (or one channel) into a history ring every quantum
//! while a `<daw-scope>` is visible; at display rate `capture(out)` copies a window of
//! `out.len` samples that starts at the most recent rising zero crossing for which the whole
//! window is already in the ring, so a periodic signal is drawn at the same phase frame after
//! frame. The trigger has hysteresis like an analog scope's: a crossing counts only if the
//! negative run before it reached below −`hysteresis` (default 0.001, −60 dBFS), so low-level
//! noise riding on the waveform cannot re-trigger it. The crossing's position is interpolated
//! linearly between the two samples around it (t = i − 1 + x[i−1]/(x[i−1] − x[i])) and the
//! window is read at t, t + 1, ... by linear interpolation, so the trace does not jitter by up to a
//! sample between frames (linear interpolation error ≤ A·(2π·f/fs)²/8, 2e-3·A at 1 kHz / 48 kHz).
//! Without a crossing (silence, DC, a period longer than the ring) it free-runs: the newest
//! `out.len` samples, `triggered = false`.
//!
//! API for the mixer: a plain struct (32 KB ring), `push(l, r)` per quantum (a copy), `capture`
//! at display rate (a backward scan, at most `capacity` samples). Nothing allocated; non-finite
//! samples enter the ring as 0 (counted in `bad_samples`).
const std = @import("std");

const Scope = @This();

pub const capacity = 8192;
const mask = capacity - 1;
/// Longest window `capture` fills (the rest of the ring is where the trigger is looked for).
pub const max_window = capacity / 2;
pub const Source = enum(u8) { mix, left, right };

ring: [capacity]f32 = [_]f32{0} ** capacity,
/// Samples written (wraps; only differences and the low bits are used).
written: u32 = 0,
filled: u32 = 0,
source: Source = .mix,
hysteresis: f32 = 0.001,
bad_samples: u32 = 0,

pub const Capture = struct {
    triggered: bool,
    /// Age of the window's first point in samples before the newest one (fractional).
    age: f32,
};

pub fn reset(self: *Scope) void {
    @memset(&self.ring, 0);
    self.written = 0;
    self.filled = 0;
}

/// Trigger hysteresis (linear, clamped to 0..1).
pub fn setHysteresis(self: *Scope, h: f32) void {
    self.hysteresis = if (std.math.isFinite(h)) std.math.clamp(h, 0, 1) else 0.001;
}

/// Append one run of stereo frames. Real-time safe, cheap.
pub fn push(self: *Scope, l: []const f32, r: []const f32) void {
    const n = @min(l.len, r.len);
    var w = self.written;
    var bad: u32 = 0;
    for (l[0..n], r[0..n]) |a, b| {
        const x = switch (self.source) {
            .mix => 0.5 * (a + b),
            .left => a,
            .right => b,
        };
        const ok = x - x == 0;
        bad += @intFromBool(!ok);
        self.ring[w & mask] = if (ok) x else 0;
        w +%= 1;
    }
    self.written = w;
    self.filled = @min(capacity, self.filled + @as(u32, @intCast(n)));
    self.bad_samples +%= bad;
}

inline fn at(self: *const Scope, age: u32) f32 {
    // age 0 = newest.
    return self.ring[(self.written -% 1 -% age) & mask];
}

/// Fill `out` (≤ `max_window` samples; longer is cut) with the triggered window. Display rate.
pub fn capture(self: *const Scope, out_in: []f32) Capture {
    const out = out_in[0..@min(out_in.len, max_window)];
    const w: u32 = @intCast(out.len);
    if (w == 0) return .{ .triggered = false, .age = 0 };
    if (self.filled >= w + 1) {
        // Crossing between ages c + 1 (negative) and c (≥ 0); the window needs c ≥ w − 1.
        var c: u32 = w - 1;
        while (c + 1 < self.filled) : (c += 1) {
            const x1 = self.at(c);
            const x0 = self.at(c + 1);
            if (!(x0 < 0 and x1 >= 0)) continue;
            // Walk the negative run back: it must reach below −hysteresis.
            var a = c + 1;
            var armed = false;
            while (a < self.filled and self.at(a) < 0) : (a += 1) {
                if (self.at(a) < -self.hysteresis) {
                    armed = true;
                    break;
                }
            }
            if (!armed) continue;
            // Fractional age of the zero: between c + 1 and c.
            const frac = x0 / (x0 - x1); // in (0, 1]
            const age0 = @as(f32, @floatFromInt(c + 1)) - frac;
            // Every point has the same fractional part: point j lies between ages base − j (newer)
            // and base − j + 1 (older), at `f` of the way to the older one; base − j ≥ 0.
            const f = 1 - frac; // in [0, 1)
            const base = c;
            for (out, 0..) |*o, j| {
                const ai = base - @as(u32, @intCast(j));
                const newer = self.at(ai);
                const older = self.at(ai + 1);
                o.* = newer + (older - newer) * f;
            }
            return .{ .triggered = true, .age = age0 };
        }
    }
    // Free run: the newest w samples (older ones not yet written read as 0).
    for (out, 0..) |*o, j| o.* = self.at(w - 1 - @as(u32, @intCast(j)));
    return .{ .triggered = false, .age = @floatFromInt(w - 1) };
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

test "a sine is captured from its rising zero, at the same phase every frame" {
    var s = Scope{};
    var out: [1024]f32 = undefined;
    var prng = std.rand.DefaultPrng.init(9);
    const f: f64 = 997.0;
    var t: usize = 0;
    var q: [128]f32 = undefined;
    for (0..200) |frame| {
        // A random number of quanta between frames, like a display that is not locked to audio.
        const quanta = 1 + prng.random().uintLessThan(usize, 20);
        for (0..quanta) |_| {
            for (&q) |*x| {
                x.* = @floatCast(0.8 * @sin(2 * std.math.pi * f * @as(f64, @floatFromInt(t)) / 48000 + 1.0));
                t += 1;
            }
            s.push(&q, &q);
        }
        const c = s.capture(&out);
        if (frame == 0 and s.filled < 1100) continue;
        try testing.expect(c.triggered);
        // Independent reference: the sine from phase 0, within the linear interpolation's error
        // bound A·ω²/8 (+1e-5 for f32).
        const w = 2 * std.math.pi * f / 48000.0;
        for (out, 0..) |o, j| {
            const want = 0.8 * @sin(w * @as(f64, @floatFromInt(j)));
            try testing.expectApproxEqAbs(want, o, 0.8 * w * w / 8 + 1e-5);
        }
    }
}

test "hysteresis: noise around zero does not re-trigger; the crossing of the waveform does" {
    var s = Scope{};
    s.setHysteresis(0.05);
    var prng = std.rand.DefaultPrng.init(2);
    var q: [128]f32 = undefined;
    var t: usize = 0;
    // A 100 Hz triangle (±0.5) with ±0.01 noise: around each rising zero the noise makes a
    // cluster of crossings within a few samples; only the first of the cluster follows a negative
    // run below −0.05, so every frame picks that one.
    for (0..100) |_| {
        for (&q) |*x| {
            const ph = @as(f64, @floatFromInt(t % 480)) / 480.0;
            const tri = if (ph < 0.5) 4 * ph - 1 else 3 - 4 * ph; // triangle −1..1, rising through 0 at 0.25
            x.* = @floatCast(0.5 * tri + (prng.random().float(f64) - 0.5) * 0.02);
            t += 1;
        }
        s.push(&q, &q);
    }
    var out: [256]f32 = undefined;
    const c = s.capture(&out);
    try testing.expect(c.triggered);
    // The window starts on the rising ramp near zero: the trace then rises for ~120 samples.
    try testing.expect(@fabs(out[0]) < 0.02);
    try testing.expect(out[100] > 0.3);
    // Its age is a whole number of periods back from a rising crossing (mod 480 ≈ phase 0.25).
    const newest_t = t - 1;
    const start_t = @as(f64, @floatFromInt(newest_t)) - c.age;
    const phase = @mod(start_t, 480.0) / 480.0;
    try testing.expectApproxEqAbs(@as(f64, 0.25), phase, 0.02);
}

test "silence and DC free-run; NaN enters as 0 and is counted" {
    var s = Scope{};
    var q = [_]f32{0.3} ** 128;
    for (0..20) |_| s.push(&q, &q);
    var out: [512]f32 = undefined;
    const c = s.capture(&out);
    try testing.expect(!c.triggered);
    for (out) |o| try testing.expectEqual(@as(f32, 0.3), o);
    q[4] = std.math.nan(f32);
    s.push(&q, &q);
    try testing.expectEqual(@as(u32, 1), s.bad_samples);
    _ = s.capture(&out);
    for (out) |o| try testing.expect(std.math.isFinite(o));
}
