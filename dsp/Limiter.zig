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
/// 1 − env, the release state (see `process`).
depth: f32 = 0,
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
/// How many of the most recent frames had env exactly 1 (saturating); once it reaches L, every
/// value in the moving average's window is 1.
env_ones: u32 = max_lookahead,
/// Allow the idle pass-through (tests turn it off to compare against the per-sample loop).
fast_path: bool = true,

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

inline fn maxf(a: f32, b: f32) f32 {
    // A compare-and-select: scalar @max lowers to a libm call in wasm (its f32.max is IEEE
    // NaN-propagating, not maxNum). Only for values known not to be NaN.
    return if (a > b) a else b;
}

inline fn clampAbs(x: f32, c: f32) f32 {
    const y = if (x > c) c else x;
    return if (y < -c) -c else y;
}

/// Limit a run of stereo frames in place. Returns the number of non-finite input samples replaced.
pub fn process(self: *Limiter, l: []f32, r: []f32) u32 {
    if (self.fast_path and l.len == r.len and l.len % 4 == 0 and self.isIdle() and belowCeiling(l, r, self.ceiling)) {
        self.passThrough(l, r);
        return 0;
    }
    const la = self.lookahead;
    const ceil = self.ceiling;
    const a_rel = self.alpha_release;
    var bad: u32 = 0;
    // Exact sum of the env window at the start of the run; then add/subtract per frame.
    var sum: f64 = 0;
    {
        var i: u32 = 0;
        while (i < la) : (i += 1) sum += self.env_ring[(self.n -% i -% 1) & mask];
    }
    const inv_la = 1.0 / @as(f64, @floatFromInt(la));
    var env = self.env;
    var g: f32 = self.gain;
    var head = self.dq_head;
    var len = self.dq_len;
    var ones = self.env_ones;
    var depth = self.depth;
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
        const peak = maxf(@fabs(xl), @fabs(xr));
        const req: f32 = if (peak > ceil) ceil / peak else 1.0;
        // Sliding minimum: drop entries that can never be the minimum again, then expired ones.
        while (len > 0 and self.dq_req[(head + len - 1) & mask] >= req) len -= 1;
        const tail = (head + len) & mask;
        self.dq_frame[tail] = n;
        self.dq_req[tail] = req;
        len += 1;
        while (n -% self.dq_frame[head & mask] >= la) {
            head = (head + 1) & mask;
            len -= 1;
        }
        const hold = self.dq_req[head & mask];
        // Release: depth = 1 − env decays by αrel per frame. It is kept as its own state because
        // env itself, rounded to f32 near 1, would stall a few ulps short of 1 (a step below
        // half an ulp rounds away); this way env reaches exactly 1 and the limiter can go idle.
        const rise = 1.0 - depth * a_rel;
        if (hold < rise) {
            env = hold;
            depth = 1.0 - hold;
        } else {
            env = rise;
            depth *= a_rel;
        }
        // Moving average over the last L env values.
        const slot = n & mask;
        sum += @as(f64, env) - @as(f64, self.env_ring[(n -% la) & mask]);
        self.env_ring[slot] = env;
        ones = if (env == 1.0) ones + 1 else 0;
        g = @floatCast(sum * inv_la);
        // Delay the input by L − 1 frames.
        self.delay_l[slot] = xl;
        self.delay_r[slot] = xr;
        const dslot = (n -% (la - 1)) & mask;
        xl_p.* = clampAbs(self.delay_l[dslot] * g, ceil);
        xr_p.* = clampAbs(self.delay_r[dslot] * g, ceil);
        self.n = n +% 1;
    }
    self.dq_head = head;
    self.dq_len = len;
    self.env_ones = if (ones < max_lookahead) ones else max_lookahead;
    self.gain = g;
    self.env_sum = sum;
    // env is ≥ the smallest req seen, which is ≥ ceiling/FLT_MAX ~ 1e-39: flush to keep it normal;
    // depth decays towards 0 (env = 1 once it is below 3e-8): flush it before it goes denormal.
    self.env = if (env < 1e-30) 0 else env;
    self.depth = if (env < 1e-30) 1 else if (depth < 1e-12) 0 else depth;
    return bad;
}

/// No gain reduction in effect or pending: every req in the look-ahead window is 1 (the deque has
/// collapsed to one entry of 1), env is 1 and so is every env value the moving average still sees.
fn isIdle(self: *const Limiter) bool {
    return self.dq_len == 1 and self.dq_req[self.dq_head & mask] == 1.0 and self.env == 1.0 and
        self.gain == 1.0 and self.env_ones >= self.lookahead;
}

/// Every sample finite and at most `ceil` in magnitude (so req = 1 throughout).
fn belowCeiling(l: []const f32, r: []const f32, ceil: f32) bool {
    const V4 = @Vector(4, f32);
    const c: V4 = @splat(ceil);
    // |x| <= c is false for NaN, so one compare also rejects non-finite samples.
    const U4 = @Vector(4, u32);
    const zero: U4 = @splat(0);
    const one: U4 = @splat(1);
    var fails: U4 = zero;
    var i: usize = 0;
    while (i < l.len) : (i += 4) {
        const a: V4 = l[i..][0..4].*;
        const b: V4 = r[i..][0..4].*;
        fails |= @select(u32, @fabs(a) <= c, zero, one) | @select(u32, @fabs(b) <= c, zero, one);
    }
    return @reduce(.Or, fails) == 0;
}

/// `process` for an idle limiter on input that needs no reduction: with every req, env and g
/// exactly 1 the output is the input delayed by L − 1 frames (the final clamp cannot bite: every
/// delayed sample was at most the ceiling, or it would have left a req < 1 in the window). The
/// state is advanced to what the per-sample loop would leave.
fn passThrough(self: *Limiter, l: []f32, r: []f32) void {
    const la = self.lookahead;
    const n0 = self.n;
    const len: u32 = @intCast(l.len);
    if (len + la <= max_lookahead) {
        // Block form: store the run in the delay ring, then read it back L − 1 frames late
        // (the ring is long enough that the stores do not overwrite anything still to be read).
        ringWrite(&self.delay_l, n0, l);
        ringWrite(&self.delay_r, n0, r);
        ringFill(&self.env_ring, n0, len, 1);
        ringRead(&self.delay_l, n0 -% (la - 1), l);
        ringRead(&self.delay_r, n0 -% (la - 1), r);
        self.n = n0 +% len;
    } else {
        for (l, r) |*xl_p, *xr_p| {
            const n = self.n;
            const slot = n & mask;
            self.env_ring[slot] = 1;
            self.delay_l[slot] = xl_p.*;
            self.delay_r[slot] = xr_p.*;
            const dslot = (n -% (la - 1)) & mask;
            xl_p.* = self.delay_l[dslot];
            xr_p.* = self.delay_r[dslot];
            self.n = n +% 1;
        }
    }
    const last = self.n -% 1;
    self.dq_head = 0;
    self.dq_len = 1;
    self.dq_frame[0] = last;
    self.dq_req[0] = 1;
    self.env = 1;
    self.depth = 0;
    self.gain = 1;
    self.env_ones = max_lookahead;
    self.env_sum = @floatFromInt(la);
}

fn ringWrite(ring: *[max_lookahead]f32, start: u32, src: []const f32) void {
    const s = start & mask;
    const first = @min(src.len, max_lookahead - s);
    @memcpy(ring[s..][0..first], src[0..first]);
    @memcpy(ring[0 .. src.len - first], src[first..]);
}

fn ringRead(ring: *const [max_lookahead]f32, start: u32, dst: []f32) void {
    const s = start & mask;
    const first = @min(dst.len, max_lookahead - s);
    @memcpy(dst[0..first], ring[s..][0..first]);
    @memcpy(dst[first..], ring[0 .. dst.len - first]);
}

fn ringFill(ring: *[max_lookahead]f32, start: u32, len: u32, v: f32) void {
    const s = start & mask;
    const first = @min(len, max_lookahead - s);
    @memset(ring[s..][0..first], v);
    @memset(ring[0 .. len - first], v);
}

/// Current gain reduction in dB (≥ 0).
pub fn gainReductionDb(self: *const Limiter) f32 {
    // (Compare-and-select clamps: scalar @min/@max are libm calls in wasm.)
    const g0 = if (self.gain < 1.0) self.gain else 1.0;
    const g = if (g0 > 1e-12) g0 else 1e-12;
    if (g == 1.0) return 0;
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

test "limiter: the idle pass-through matches the per-sample loop exactly" {
    inline for (.{ 44100, 48000, 192000, 384000 }) |fs| {
        var fast = Limiter.init(fs);
        var slow = Limiter.init(fs);
        slow.fast_path = false;
        fast.setParams(0.8, 0.05, fs);
        slow.setParams(0.8, 0.05, fs);
        var idle: usize = 0;
        var prng = std.rand.DefaultPrng.init(3);
        const rnd = prng.random();
        for (0..300) |q| {
            var l: [128]f32 = undefined;
            var r: [128]f32 = undefined;
            // Mostly quiet quanta (idle), with loud bursts and the odd NaN between them.
            const loud = q % 30 == 5 or q % 47 == 0;
            for (&l, &r, 0..) |*a, *b, i| {
                a.* = (rnd.float(f32) * 2 - 1) * @as(f32, if (loud) 3 else 0.7);
                b.* = (rnd.float(f32) * 2 - 1) * 0.5;
                if (q % 41 == 7 and i == 9) a.* = std.math.nan(f32);
            }
            var l2 = l;
            var r2 = r;
            if (fast.isIdle() and !loud) idle += 1;
            try std.testing.expectEqual(slow.process(&l2, &r2), fast.process(&l, &r));
            try std.testing.expectEqualSlices(f32, &l2, &l);
            try std.testing.expectEqualSlices(f32, &r2, &r);
            try std.testing.expectEqual(slow.gain, fast.gain);
        }
        // Both paths were exercised.
        try std.testing.expect(idle > 50 and idle < 280);
    }
}
