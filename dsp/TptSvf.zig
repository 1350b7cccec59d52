//! Four independent 2-pole state-variable filters in one `@Vector(4, f32)` (stereo pairs, or two
//! bands of a stereo pair): the trapezoidal-integrated SVF of Andrew Simper (Cytomic), "Linear
//! Trapezoidal Integrated State Variable Filter With Low Noise Optimisation" (2013), with its
//! low-pass, band-pass and high-pass outputs. It is the bilinear transform of
//! H_lp(s) = 1/(s² + k·s + 1), prewarped at the cutoff (g = tan(π·fc/fs)), and stays stable under
//! coefficient changes, so the units here can move a cutoff once per quantum without clicks.
//! k = √2 is a Butterworth response; `butterLp`/`butterHp` give its exact magnitude
//! (|H|² = 1/(1 + Ω⁴), Ω = tan(πf/fs)/tan(πfc/fs)), the independent reference the tests use.
const std = @import("std");
const simd = @import("simd.zig");

const TptSvf = @This();
pub const V = @Vector(4, f32);

pub const butterworth_k: f32 = std.math.sqrt2;

ic1: V = @splat(0),
ic2: V = @splat(0),

/// Coefficients per lane, derived from g (prewarped gain) and k (damping, 1/Q).
pub const Coefs = struct {
    k: V = @splat(butterworth_k),
    a1: V = @splat(1),
    a2: V = @splat(0),
    a3: V = @splat(0),

    pub fn init(g: V, k: V) Coefs {
        const a1 = @as(V, @splat(1)) / (@as(V, @splat(1)) + g * (g + k));
        const a2 = g * a1;
        return .{ .k = k, .a1 = a1, .a2 = a2, .a3 = g * a2 };
    }
};

pub const Out = struct { lp: V, bp: V, hp: V };

/// One sample through all four filters.
pub inline fn tick(self: *TptSvf, v0: V, c: Coefs) Out {
    const v3 = v0 - self.ic2;
    const v1 = c.a1 * self.ic1 + c.a2 * v3;
    const v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
    self.ic1 = v1 + v1 - self.ic1;
    self.ic2 = v2 + v2 - self.ic2;
    return .{ .lp = v2, .bp = v1, .hp = v0 - c.k * v1 - v2 };
}

/// Once per quantum: non-finite state (only from a bad input) is cleared, and state below 1e-15
/// is set to 0 (WebAssembly has no flush-to-zero; a decaying state would otherwise crawl through
/// denormals, ~100x slower on x86, and never reach the exact 0 that lets a bus be skipped).
pub fn sanitize(self: *TptSvf) void {
    self.ic1 = simd.flushTiny(simd.finiteOrZero(self.ic1), 1e-15);
    self.ic2 = simd.flushTiny(simd.finiteOrZero(self.ic2), 1e-15);
    const bad = !@reduce(.And, simd.isFinite(self.ic1 + self.ic2));
    if (bad) self.* = .{};
}

/// True when every state magnitude is below `eps` (so the output from silence is too).
pub fn isBelow(self: *const TptSvf, eps: f32) bool {
    const e: V = @splat(eps);
    return @reduce(.And, @fabs(self.ic1) < e) and @reduce(.And, @fabs(self.ic2) < e);
}

/// Prewarped integrator gain tan(π·hz/fs), hz clamped to [1 Hz, 0.49·fs]. Called per quantum at
/// most (a libm-free tan in wasm comes from compiler-rt).
pub fn gain(hz: f32, fs: f32) f32 {
    const f = @min(@max(hz, 1), 0.49 * fs);
    return @floatCast(@tan(std.math.pi * @as(f64, f) / @as(f64, fs)));
}

/// |H| of the bilinear-transformed 2-pole Butterworth low-pass at `f` for cutoff `fc` (reference).
pub fn butterLp(f: f64, fc: f64, fs: f64) f64 {
    const o = @tan(std.math.pi * f / fs) / @tan(std.math.pi * fc / fs);
    return 1 / @sqrt(1 + o * o * o * o);
}

/// |H| of the bilinear-transformed 2-pole Butterworth high-pass (reference).
pub fn butterHp(f: f64, fc: f64, fs: f64) f64 {
    const o = @tan(std.math.pi * fc / fs) / @tan(std.math.pi * f / fs);
    return 1 / @sqrt(1 + o * o * o * o);
}

test "Butterworth low-pass and high-pass match the analytic magnitude" {
    const fs = 48000.0;
    var f = TptSvf{};
    const g: V = .{ gain(1000, fs), gain(1000, fs), gain(200, fs), gain(200, fs) };
    const c = Coefs.init(g, @splat(butterworth_k));
    // Impulse response, then its DTFT at a few frequencies.
    var lp: [4096]f32 = undefined;
    var hp: [4096]f32 = undefined;
    for (0..4096) |n| {
        const o = f.tick(@splat(if (n == 0) 1 else 0), c);
        lp[n] = o.lp[0];
        hp[n] = o.hp[2];
    }
    for ([_]f64{ 50, 200, 1000, 3000, 10000 }) |hz| {
        try std.testing.expectApproxEqRel(butterLp(hz, 1000, fs), dtftMag(&lp, hz, fs), 1e-3);
        try std.testing.expectApproxEqRel(butterHp(hz, 200, fs), dtftMag(&hp, hz, fs), 1e-3);
    }
}

/// |Σ x[n]·e^{-jωn}| in f64 (test helper, also used by the effect tests).
pub fn dtftMag(x: []const f32, hz: f64, fs: f64) f64 {
    const w = 2 * std.math.pi * hz / fs;
    var re: f64 = 0;
    var im: f64 = 0;
    for (x, 0..) |v, n| {
        const p = w * @as(f64, @floatFromInt(n));
        re += v * @cos(p);
        im -= v * @sin(p);
    }
    return @sqrt(re * re + im * im);
}
