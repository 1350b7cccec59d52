//! Brick-wall look-ahead limiter for the stereo master (scalar: there is one of it).
//!
//! With look-ahead L = round(1.5 ms · fs) samples:
//!
//!   req[n]  = min(1, ceiling / max(|L[n]|, |R[n]|))
//!   hold[n] = min(req[n−L+1 .. n])                      (sliding minimum, monotonic deque)
//!   env[n]  = min(hold[n], env[n−1] + (1 − env[n−1])(1 − αrel))
//!   g[n]    = mean(env[n−L+1 .. n])                     (moving average, smooth attack)
//!   out[n]  = x[n − (L−1)] · g[n], then clamped to ±ceiling
//!
//! Why it holds the ceiling: for m = n − L + 1, every env[k] with k in [m, n] is ≤ hold[k] ≤ req[m]
//! (m lies in each of those windows), so their mean g[n] ≤ req[m] and |x[m]|·g[n] ≤ ceiling. The
//! final clamp only absorbs float rounding, and is the absolute guarantee. Non-finite input samples
//! become 0 before anything else, so the output is always finite.
const std = @import("std");

const Limiter = @This();

/// Largest look-ahead supported: 1.5 ms at 192 kHz is 288 samples.
pub const max_lookahead = 512;
const mask = max_lookahead - 1;

lookahead: u32 = 1,
ceiling: f32 = 0.891251,
alpha_release: f32 = 0.9996,
/// Running frame counter; wraps (only differences are used).
n: u32 = 0,
delay_l: [max_lookahead]f32 = [_]f32{0} ** max_lookahead,
delay_r: [max_lookahead]f32 = [_]f32{0} ** max_lookahead,
/// Monotonic deque of (frame, req), increasing req from head to tail.
dq_frame: [max_lookahead]u32 = [_]u32{0} ** max_lookahead,
dq_req: [max_lookahead]f32 = [_]f32{0} ** max_lookahead,
dq_head: u32 = 0,
dq_len: u32 = 0,
env: f32 = 1,
/// The last L env values and their sum (f64, recomputed every call to stop drift).
env_ring: [max_lookahead]f32 = [_]f32{1} ** max_lookahead,
env_sum: f64 = 1,
/// Gain applied to the last frame (for the gain-reduction meter).
gain: f32 = 1,

/// Reset for a sample rate.
pub fn init(sample_rate: f32) Limiter {
    var self = Limiter{};
    const l: u32 = @intFromFloat(@round(1.5e-3 * @max(sample_rate, 1000)));
    self.lookahead = std.math.clamp(l, 1, max_lookahead);
    self.env_sum = @floatFromInt(self.lookahead);
    return self;
}

/// Set ceiling (linear, > 0) and release time (ms) for the next frames.
pub fn setParams(self: *Limiter, ceiling_lin: f32, release_ms: f32, sample_rate: f32) void {
    self.ceiling = if (std.math.isFinite(ceiling_lin) and ceiling_lin > 0) @min(ceiling_lin, 1.0) else 0.891251;
    const tau = @max(release_ms, 0.01) * 1e-3 * sample_rate;
    self.alpha_release = @floatCast(@exp(-1.0 / @as(f64, tau)));
}

/// Limit a run of stereo frames in place. Returns the number of non-finite input samples replaced.
pub fn process(self: *Limiter, l: []f32, r: []f32) u32 {
    const la = self.lookahead;
    const ceil = self.ceiling;
    const rel = 1.0 - self.alpha_release;
    var bad: u32 = 0;
    // Exact sum of the env window at the start of the run; then add/subtract per frame.
    var sum: f64 = 0;
    {
        var i: u32 = 0;
        while (i < la) : (i += 1) sum += self.env_ring[(self.n -% i -% 1) & mask];
    }
    for (l, r) |*xl_p, *xr_p| {
        var xl = xl_p.*;
        var xr = xr_p.*;
        if (!std.math.isFinite(xl)) {
            xl = 0;
            bad += 1;
        }
        if (!std.math.isFinite(xr)) {
            xr = 0;
            bad += 1;
        }
        const n = self.n;
        const peak = @max(@fabs(xl), @fabs(xr));
        const req: f32 = if (peak > ceil) ceil / peak else 1.0;
        // Sliding minimum: drop entries that can never be the minimum again, then expired ones.
        while (self.dq_len > 0 and self.dq_req[(self.dq_head + self.dq_len - 1) & mask] >= req) self.dq_len -= 1;
        const tail = (self.dq_head + self.dq_len) & mask;
        self.dq_frame[tail] = n;
        self.dq_req[tail] = req;
        self.dq_len += 1;
        while (n -% self.dq_frame[self.dq_head & mask] >= la) {
            self.dq_head = (self.dq_head + 1) & mask;
            self.dq_len -= 1;
        }
        const hold = self.dq_req[self.dq_head & mask];
        self.env = @min(hold, self.env + (1.0 - self.env) * rel);
        // Moving average over the last L env values.
        const slot = n & mask;
        sum += @as(f64, self.env) - @as(f64, self.env_ring[(n -% la) & mask]);
        self.env_ring[slot] = self.env;
        const g: f32 = @floatCast(sum / @as(f64, @floatFromInt(la)));
        // Delay the input by L − 1 frames.
        self.delay_l[slot] = xl;
        self.delay_r[slot] = xr;
        const dslot = (n -% (la - 1)) & mask;
        xl_p.* = std.math.clamp(self.delay_l[dslot] * g, -ceil, ceil);
        xr_p.* = std.math.clamp(self.delay_r[dslot] * g, -ceil, ceil);
        self.gain = g;
        self.n = n +% 1;
    }
    self.env_sum = sum;
    // env is ≥ the smallest req seen, which is ≥ ceiling/FLT_MAX ~ 1e-39: flush to keep it normal.
    if (self.env < 1e-30) self.env = 0;
    return bad;
}

/// Current gain reduction in dB (≥ 0).
pub fn gainReductionDb(self: *const Limiter) f32 {
    const g = std.math.clamp(self.gain, 1e-12, 1.0);
    return -20.0 * std.math.log10(g);
}

test "limiter: loud, noisy, NaN and Inf input never exceed the ceiling" {
    const fs = 48000;
    var lim = Limiter.init(fs);
    const ceiling = std.math.pow(f32, 10, -1.0 / 20.0);
    lim.setParams(ceiling, 50, fs);
    try std.testing.expectEqual(@as(u32, 72), lim.lookahead);
    var prng = std.rand.DefaultPrng.init(1);
    const rnd = prng.random();
    const amp = std.math.pow(f32, 10, 30.0 / 20.0); // +30 dBFS
    var l: [128]f32 = undefined;
    var r: [128]f32 = undefined;
    for (0..2000) |q| {
        for (&l, &r, 0..) |*a, *b, i| {
            const t: f32 = @floatFromInt(q * 128 + i);
            a.* = switch (q % 5) {
                0 => (rnd.float(f32) * 2 - 1) * amp,
                1 => @sin(t * 0.05) * amp,
                2 => if (i % 7 == 0) std.math.nan(f32) else @sin(t * 0.01) * 3,
                3 => if (i % 11 == 0) std.math.inf(f32) else -std.math.inf(f32),
                else => if (i == 64) 1e38 else 0.5,
            };
            b.* = if (q % 3 == 0) -a.* else rnd.float(f32) * 4 - 2;
        }
        _ = lim.process(&l, &r);
        for (l, r) |a, b| {
            try std.testing.expect(std.math.isFinite(a) and std.math.isFinite(b));
            try std.testing.expect(@fabs(a) <= ceiling and @fabs(b) <= ceiling);
        }
    }
}

test "limiter: a signal below the ceiling passes unchanged apart from the delay" {
    const fs = 44100;
    var lim = Limiter.init(fs);
    lim.setParams(std.math.pow(f32, 10, -1.0 / 20.0), 50, fs);
    const la = lim.lookahead;
    try std.testing.expectEqual(@as(u32, 66), la);
    var in_l: [1280]f32 = undefined;
    var in_r: [1280]f32 = undefined;
    for (&in_l, &in_r, 0..) |*a, *b, i| {
        a.* = 0.88 * @sin(@as(f32, @floatFromInt(i)) * 0.07);
        b.* = -0.5 * @cos(@as(f32, @floatFromInt(i)) * 0.011);
    }
    var out_l = in_l;
    var out_r = in_r;
    var i: usize = 0;
    while (i < out_l.len) : (i += 128) _ = lim.process(out_l[i .. i + 128], out_r[i .. i + 128]);
    for (0..in_l.len - la + 1) |k| {
        try std.testing.expectEqual(in_l[k], out_l[k + la - 1]);
        try std.testing.expectEqual(in_r[k], out_r[k + la - 1]);
    }
    try std.testing.expectEqual(@as(f32, 0), lim.gainReductionDb());
}

test "limiter: a loud sine is brought to the ceiling, then released" {
    const fs = 48000;
    var lim = Limiter.init(fs);
    const ceiling: f32 = 0.5;
    lim.setParams(ceiling, 10, fs);
    var l: [128]f32 = undefined;
    var r: [128]f32 = undefined;
    var peak: f32 = 0;
    for (0..100) |q| {
        for (&l, &r, 0..) |*a, *b, i| {
            a.* = 2 * @sin(@as(f32, @floatFromInt(q * 128 + i)) * 0.03);
            b.* = a.*;
        }
        _ = lim.process(&l, &r);
        if (q > 50) for (l) |a| {
            peak = @max(peak, @fabs(a));
        };
    }
    try std.testing.expect(peak <= ceiling and peak > 0.45);
    try std.testing.expectApproxEqAbs(@as(f32, 12), lim.gainReductionDb(), 1.0);
    // Silence: gain returns to 1 within a few release time constants.
    for (0..40) |_| {
        @memset(&l, 0);
        @memset(&r, 0);
        _ = lim.process(&l, &r);
    }
    try std.testing.expect(lim.gainReductionDb() < 0.01);
}
