//! True peak after ITU-R BS.1770-4 Annex 2, and sample peak with hold for meters, per stereo strip.
//! Tested against the EBU Tech 3341 true-peak signals (cases 15–19), generated in the tests.
//!
//! True peak: upsample ×4 with a polyphase FIR interpolator, take the largest |y| of the
//! oversampled signal, report 20·log10 of it in dBTP (Annex 2 steps 2–4; no attenuation stage in
//! float). Annex 2 prints a 48-coefficient example; this one is designed here, a Kaiser-windowed
//! sinc of order 48 (49 taps, centre tap 24, β = 4.5, cutoff at the input Nyquist, fs/2):
//!
//!   h[n] = sinc((n − 24)/4) · I0(β·√(1 − ((n − 24)/24)²)) / I0(β),  n = 0..48,
//!   then each of the 4 phases h[4k + p] scaled to unit DC gain.
//!
//! The sinc is zero at every 4th tap from the centre, so phase 0 is the input sample itself
//! (delayed 6 samples): the true-peak reading is never below the sample peak, and phases 1..3
//! (12 taps each) interpolate at 1/4, 1/2, 3/4 of a sample. Measured from the coefficients in the
//! tests below (fs = 48 kHz): passband within ±0.03 dB up to 16 kHz, ±0.1 dB up to 18.7 kHz,
//! −0.55 dB at 20 kHz; stopband ≥ 47 dB below the passband from 30 kHz (0.625·fs) up, i.e. the
//! images of content below 18 kHz. Latency 6 input samples (125 µs at 48 kHz), irrelevant for a
//! meter. Phase 0 needs no arithmetic (it is the sample peak); phases 1..3 run in f32 with
//! `@Vector(4, f32)` over 4 consecutive input samples, one phase at a time: per 4 samples and
//! channel, 36 vector multiply-adds.
//!
//! Sample peak with hold (for meters): per channel a `Ballistics` value with instant attack that
//! falls at `fall_db_per_s` (default 20 dB per 1.7 s, as the strip meters), and a hold marker
//! that keeps the largest value for `hold_ms` (default 1500 ms) and then falls at the same rate.
//! The same ballistics run on the true peak. `clips` counts samples with |x| ≥ 1 (full scale);
//! `tp_max` is the largest true peak since `resetMax` (for the "max true peak" readout).
//!
//! API for the mixer (the render path): a plain struct (≈ 0.5 KB), `init(fs)`, `process(l, r)`
//! once per quantum (any length), nothing allocated. Sample peak is `processSamplePeak(l, r)`
//! alone (one compare per sample) when only a peak meter is read; `process` does both. Disabled =
//! not called; `reset()` on re-enable. Non-finite samples count as 0 (counted in `bad_samples`),
//! so nothing non-finite enters the filter history.
const std = @import("std");
const kaiser = @import("kaiser.zig");

const TruePeak = @This();
const V4 = @Vector(4, f32);

/// Interpolation factor and filter shape (see the file header).
pub const factor = 4;
pub const order = 48;
pub const taps = order + 1;
/// Taps per phase (phase 0 has 13 with one non-zero; phases 1..3 have 12).
pub const per_phase = (taps + factor - 1) / factor;
const n_taps = per_phase - 1;
pub const kaiser_beta = 4.5;

pub const Ballistics = struct {
    /// Meter level (linear): instant attack, falls at the fall rate.
    level: f32 = 0,
    /// Hold marker (linear) and samples it still holds for.
    hold: f32 = 0,
    hold_left: u32 = 0,

    /// Feed the largest |x| of `n` samples. `fall` is the gain per `n` samples (≤ 1).
    fn feed(self: *Ballistics, peak: f32, n: u32, fall: f32, hold_samples: u32) void {
        self.level = if (peak >= self.level * fall) peak else self.level * fall;
        if (peak >= self.hold) {
            self.hold = peak;
            self.hold_left = hold_samples;
        } else if (self.hold_left > n) {
            self.hold_left -= n;
        } else {
            self.hold_left = 0;
            self.hold = @max(self.hold * fall, self.level);
        }
        // Denormal guard: a falling level would otherwise creep through the subnormals.
        if (self.level < 1e-20) self.level = 0;
        if (self.hold < 1e-20) self.hold = 0;
    }
};

/// `coef[p − 1][k]` = h[4k + p], phases p = 1..3, k = 0..11.
coef: [factor - 1][n_taps]f32,
/// Per channel: the last `per_phase − 1` input samples (oldest first), then room for a quantum.
hist: [2][n_taps]f32 = .{[_]f32{0} ** n_taps} ** 2,
sample_rate: f32,
hold_samples: u32 = 0,
/// Gain per sample of the fall (10^(−dB/s / (20·fs))), as ln for any block length.
ln_fall_per_sample: f32 = 0,
peak: [2]Ballistics = .{ .{}, .{} },
true_peak: [2]Ballistics = .{ .{}, .{} },
/// Largest true peak (linear) per channel since `resetMax`.
tp_max: [2]f32 = .{ 0, 0 },
/// Largest sample peak (linear) per channel since `resetMax`.
sp_max: [2]f32 = .{ 0, 0 },
/// Sample peak of the last run per channel (linear).
last_sp: [2]f32 = .{ 0, 0 },
/// Samples at or above full scale per channel (running, wraps).
clips: [2]u32 = .{ 0, 0 },
bad_samples: u32 = 0,

/// The interpolation filter's 49 taps (the design in the file header), f64.
pub fn design() [taps]f64 {
    var h: [taps]f64 = undefined;
    const c = @as(f64, order) / 2.0;
    for (0..taps) |n| {
        const t = (@as(f64, @floatFromInt(n)) - c);
        const x = t / factor;
        // Exact zeros at the sinc's nulls (every 4th tap from the centre): phase 0 is the identity.
        const sinc = if (t == 0) 1.0 else if (@mod(t, factor) == 0) 0.0 else @sin(std.math.pi * x) / (std.math.pi * x);
        const r = t / c;
        h[n] = sinc * kaiser.window(kaiser_beta, r);
    }
    for (0..factor) |p| {
        var sum: f64 = 0;
        var n: usize = p;
        while (n < taps) : (n += factor) sum += h[n];
        n = p;
        while (n < taps) : (n += factor) h[n] /= sum;
    }
    return h;
}

/// A meter for a sample rate in Hz (invalid rates fall back to 48 kHz), default ballistics.
pub fn init(sample_rate: f32) TruePeak {
    const h = design();
    var coef: [factor - 1][n_taps]f32 = undefined;
    for (1..factor) |p| {
        for (0..n_taps) |k| coef[p - 1][k] = @floatCast(h[k * factor + p]);
    }
    const fs: f32 = if (std.math.isFinite(sample_rate) and sample_rate >= 8000 and sample_rate <= 384000) sample_rate else 48000;
    var self = TruePeak{ .coef = coef, .sample_rate = fs };
    self.setBallistics(1500, 20.0 / 1.7);
    return self;
}

/// Hold time in ms (clamped to 0..60000) and fall rate in dB/s (clamped to 0..1000; 0 = no fall).
pub fn setBallistics(self: *TruePeak, hold_ms: f32, fall_db_per_s: f32) void {
    const hold = if (std.math.isFinite(hold_ms)) std.math.clamp(hold_ms, 0, 60000) else 1500;
    const fall = if (std.math.isFinite(fall_db_per_s)) std.math.clamp(fall_db_per_s, 0, 1000) else 20.0 / 1.7;
    self.hold_samples = @intFromFloat(hold * 1e-3 * self.sample_rate);
    self.ln_fall_per_sample = -fall / 20.0 * std.math.ln10 / self.sample_rate;
}

/// Clear history, meters and maxima (keeps rate and ballistics).
pub fn reset(self: *TruePeak) void {
    self.* = .{ .coef = self.coef, .sample_rate = self.sample_rate, .hold_samples = self.hold_samples, .ln_fall_per_sample = self.ln_fall_per_sample };
}

/// Clear the interpolator history and the true-peak readings only (sample peak keeps running).
pub fn resetTruePeak(self: *TruePeak) void {
    self.hist = .{[_]f32{0} ** n_taps} ** 2;
    self.true_peak = .{ .{}, .{} };
    self.tp_max = .{ 0, 0 };
}

/// Clear the maxima and clip counts only (the meter's reset button).
pub fn resetMax(self: *TruePeak) void {
    self.tp_max = .{ 0, 0 };
    self.sp_max = .{ 0, 0 };
    self.clips = .{ 0, 0 };
}

/// Sample peak only: ballistics, maxima and clip count. Real-time safe.
pub fn processSamplePeak(self: *TruePeak, l: []const f32, r: []const f32) void {
    const n: u32 = @intCast(@min(l.len, r.len));
    const fall = @exp(self.ln_fall_per_sample * @as(f32, @floatFromInt(n)));
    inline for (.{ l, r }, 0..) |x, c| {
        // Compare-and-select, not @max: NaN compares false, so it neither raises the peak nor
        // counts as a clip (wasm's f32x4.max would propagate it).
        var mv: V4 = @splat(0);
        var cv: @Vector(4, u32) = @splat(0);
        var i: usize = 0;
        while (i + 4 <= n) : (i += 4) {
            const a = @fabs(@as(V4, x[i..][0..4].*));
            mv = @select(f32, a > mv, a, mv);
            cv += @select(u32, a >= @as(V4, @splat(1.0)), @as(@Vector(4, u32), @splat(1)), @as(@Vector(4, u32), @splat(0)));
        }
        var m = @reduce(.Max, mv);
        var clips = @reduce(.Add, cv);
        while (i < n) : (i += 1) {
            const a = @fabs(x[i]);
            m = if (a > m) a else m;
            clips += @intFromBool(a >= 1.0);
        }
        // +inf is a clip, but not a meter value.
        if (m > std.math.floatMax(f32)) m = 1;
        self.last_sp[c] = m;
        self.clips[c] +%= clips;
        self.sp_max[c] = @max(self.sp_max[c], m);
        self.peak[c].feed(m, n, fall, self.hold_samples);
    }
}

/// Sample peak and true peak of one run of stereo frames. Real-time safe.
pub fn process(self: *TruePeak, l: []const f32, r: []const f32) void {
    self.processSamplePeak(l, r);
    const n: u32 = @intCast(@min(l.len, r.len));
    const fall = @exp(self.ln_fall_per_sample * @as(f32, @floatFromInt(n)));
    inline for (.{ l, r }, 0..) |x, c| {
        var m: f32 = 0;
        var done: usize = 0;
        while (done < n) {
            const len = @min(n - done, chunk);
            m = @max(m, self.oversample(c, x[done..][0..len]));
            done += len;
        }
        // Phase 0 is the input itself (6 samples late): the sample peak of this run stands for it.
        const tp = @max(m, self.last_sp[c]);
        self.tp_max[c] = @max(self.tp_max[c], tp);
        self.true_peak[c].feed(tp, n, fall, self.hold_samples);
    }
}

const chunk = 128;

/// Run `x` (≤ `chunk` samples) through channel `c`'s phases 1..3; returns their max |y|.
fn oversample(self: *TruePeak, c: usize, x: []const f32) f32 {
    var buf: [n_taps + chunk]f32 = undefined;
    @memcpy(buf[0..n_taps], &self.hist[c]);
    var bad: u32 = 0;
    for (x, 0..) |s, i| {
        const ok = s - s == 0;
        bad += @intFromBool(!ok);
        buf[n_taps + i] = if (ok) s else 0;
    }
    self.bad_samples +%= bad;
    const g = &self.coef;
    var m: V4 = @splat(0);
    var i: usize = 0;
    // Outputs for input samples i..i+3; tap k multiplies x[n − k] = buf[n_taps + n − k].
    // One pass per phase: 12 coefficient vectors and an accumulator stay in registers (all three
    // phases at once would need 36 and spill on x86-64's 16 vector registers).
    const v_end = x.len & ~@as(usize, 3);
    inline for (0..factor - 1) |p| {
        var cv: [n_taps]V4 = undefined;
        inline for (0..n_taps) |k| cv[k] = @splat(g[p][k]);
        i = 0;
        while (i < v_end) : (i += 4) {
            var y: V4 = @splat(0);
            inline for (0..n_taps) |k| y += cv[k] * @as(V4, buf[n_taps + i - k ..][0..4].*);
            m = @max(m, @fabs(y));
        }
    }
    var ms = @reduce(.Max, m);
    while (i < x.len) : (i += 1) {
        inline for (0..factor - 1) |p| {
            var y: f32 = 0;
            inline for (0..n_taps) |k| y += g[p][k] * buf[n_taps + i - k];
            ms = @max(ms, @fabs(y));
        }
    }
    @memcpy(&self.hist[c], buf[x.len..][0..n_taps]);
    return ms;
}

/// Linear to dB (dBFS / dBTP); −inf for 0.
pub fn db(x: f32) f32 {
    return if (x > 0) 20 * @log10(x) else -std.math.inf(f32);
}

/// Largest true peak since `resetMax` over both channels, dBTP.
pub fn truePeakMaxDb(self: *const TruePeak) f32 {
    return db(@max(self.tp_max[0], self.tp_max[1]));
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

/// |H(f)| of the interpolator at the 4× rate, normalised so the passband is 1 (÷ factor).
fn response(h: [taps]f64, f: f64, fs_in: f64) f64 {
    var re: f64 = 0;
    var im: f64 = 0;
    for (h, 0..) |c, n| {
        const w = 2 * std.math.pi * f / (factor * fs_in) * @as(f64, @floatFromInt(n));
        re += c * @cos(w);
        im -= c * @sin(w);
    }
    return @sqrt(re * re + im * im) / factor;
}

test "interpolator: the passband and stopband stated in the header" {
    const h = design();
    // Symmetric (linear phase) and phase 0 is the identity.
    for (0..taps) |n| try testing.expectApproxEqAbs(h[n], h[taps - 1 - n], 1e-15);
    for (0..per_phase) |k| try testing.expectEqual(@as(f64, if (k == 6) 1 else 0), h[4 * k]);
    var f: f64 = 0;
    while (f <= 96000) : (f += 50) {
        const d = 20 * @log10(response(h, f, 48000));
        if (f <= 16000) try testing.expect(@fabs(d) <= 0.03);
        if (f <= 18700) try testing.expect(@fabs(d) <= 0.1);
        if (f == 20000) try testing.expectApproxEqAbs(@as(f64, -0.55), d, 0.05);
        if (f >= 30000) try testing.expect(d <= -47);
    }
}

/// A 20 ms raised-cosine fade-in. A sine switched on abruptly has a band-limited reconstruction
/// that really does overshoot near the switch (0.4 dB for fs/6 with this filter): that is true
/// inter-sample content, not the steady tone the Tech 3341 cases describe, so the tests fade in.
fn fadeIn(t: f64) f64 {
    const len = 0.02 * 48000;
    return if (t >= len) 1 else 0.5 - 0.5 * @cos(std.math.pi * t / len);
}

/// Sine of peak `amp` at fs/`div` with `phase_deg`, 3 s stereo at 48 kHz, fed in quanta.
fn runSine(amp: f64, div: f64, phase_deg: f64) TruePeak {
    var m = TruePeak.init(48000);
    var l: [128]f32 = undefined;
    var n: usize = 0;
    while (n < 3 * 48000) : (n += 128) {
        for (&l, 0..) |*x, i| {
            const t: f64 = @floatFromInt(n + i);
            x.* = @floatCast(fadeIn(t) * amp * @sin(2 * std.math.pi * t / div + phase_deg * std.math.pi / 180));
        }
        m.process(&l, &l);
    }
    return m;
}

test "EBU Tech 3341 cases 15-19: true peak within +0.2/−0.4 dB" {
    const cases = [_]struct { amp: f64, div: f64, phase: f64, tp: f32, sp: f32 }{
        .{ .amp = 0.5, .div = 4, .phase = 0, .tp = -6, .sp = -6.02 }, // 15
        .{ .amp = 0.5, .div = 4, .phase = 45, .tp = -6, .sp = -9.03 }, // 16
        .{ .amp = 0.5, .div = 6, .phase = 60, .tp = -6, .sp = -7.27 }, // 17
        .{ .amp = 0.5, .div = 8, .phase = 67.5, .tp = -6, .sp = -6.71 }, // 18
        .{ .amp = std.math.sqrt2, .div = 4, .phase = 45, .tp = 3, .sp = 0 }, // 19: samples ±1, peak +3 dBTP
    };
    for (cases) |c| {
        const m = runSine(c.amp, c.div, c.phase);
        const tp = m.truePeakMaxDb();
        errdefer std.debug.print("case {any}: {d} dBTP, sample peak {d}\n", .{ c, tp, db(m.sp_max[0]) });
        try testing.expect(tp <= c.tp + 0.2 and tp >= c.tp - 0.4);
        // The sample peak reads the samples, lower: the true peak is doing the work.
        try testing.expectApproxEqAbs(c.sp, db(m.sp_max[0]), 0.02);
    }
}

test "true peak tracks a sweep of tones to within the 4x grid error, never below the sample peak" {
    // A 4× grid misses the crest by at most half an oversampled step: cos(π·f/(4·fs)) at worst.
    var f: f64 = 500;
    while (f < 18000) : (f *= 1.37) {
        var m = TruePeak.init(48000);
        var l: [128]f32 = undefined;
        var n: usize = 0;
        while (n < 48000 / 4) : (n += 128) {
            for (&l, 0..) |*x, i| {
                const t: f64 = @floatFromInt(n + i);
                x.* = @floatCast(fadeIn(t) * 0.7 * @sin(2 * std.math.pi * f * t / 48000 + 0.3));
            }
            m.process(&l, &l);
        }
        const worst = 20 * @log10(@cos(std.math.pi * f / (4 * 48000)));
        const tp = m.truePeakMaxDb();
        errdefer std.debug.print("{d} Hz: {d} dBTP\n", .{ f, tp });
        try testing.expect(tp >= db(0.7) + worst - 0.1 and tp <= db(0.7) + 0.1);
        try testing.expect(m.tp_max[0] >= m.sp_max[0]);
    }
}

test "sample peak ballistics: instant attack, hold, then fall at the set rate; clips counted" {
    var m = TruePeak.init(48000);
    m.setBallistics(500, 20);
    var q = [_]f32{0} ** 128;
    q[5] = 1.0;
    q[6] = -0.5;
    m.processSamplePeak(&q, &q);
    try testing.expectEqual(@as(f32, 1), m.peak[0].level);
    try testing.expectEqual(@as(u32, 1), m.clips[0]);
    @memset(&q, 0);
    // 500 ms = 24000 samples: the hold stays for 187 quanta (23936 samples), then falls.
    for (0..187) |_| m.processSamplePeak(&q, &q);
    try testing.expectEqual(@as(f32, 1), m.peak[0].hold);
    // Level fell 20 dB/s for 187 quanta.
    try testing.expectApproxEqAbs(@as(f32, -20.0 * 187.0 * 128.0 / 48000.0), db(m.peak[0].level), 0.01);
    for (0..375) |_| m.processSamplePeak(&q, &q);
    // After 1 s more the hold has fallen too, and never lies below the level.
    try testing.expect(m.peak[0].hold < 0.2 and m.peak[0].hold >= m.peak[0].level);
    // Silence eventually reads exactly 0 (no denormals).
    for (0..48000 * 20 / 128) |_| m.processSamplePeak(&q, &q);
    try testing.expectEqual(@as(f32, 0), m.peak[0].level);
}

test "non-finite input: counted, not a meter value, filter history stays finite" {
    var m = TruePeak.init(48000);
    var q = [_]f32{0.25} ** 128;
    q[10] = std.math.nan(f32);
    q[20] = std.math.inf(f32);
    m.process(&q, &q);
    try testing.expectEqual(@as(u32, 4), m.bad_samples);
    @memset(&q, 0.25);
    m.process(&q, &q);
    // +inf read as a full-scale sample (a clip), so the true peak is at least that, and finite.
    try testing.expect(std.math.isFinite(m.tp_max[0]) and m.tp_max[0] <= 1);
    try testing.expectEqual(@as(u32, 1), m.clips[0]);
    try testing.expect(std.math.isFinite(m.peak[0].level));
}
