//! Resonant 2-pole low-pass: the trapezoidal-integrated state-variable filter of Andrew Simper
//! (Cytomic), "Linear Trapezoidal Integrated State Variable Filter" / "SvfLinearTrapOptimised2"
//! (2013). It stays stable and keeps its tuning under per-sample modulation of g and k, which is
//! why the voice can sweep the cutoff with the envelope every sample.
//!
//! g = tan(pi fc / fs), k = 1 / Q; k = 2 is a critically damped (non-resonant) response, k -> 0 is
//! self-oscillation. We map resonance 0..1 to k = 2 .. 0.05 (Q 0.5 .. 20), always stable.
const std = @import("std");
const Osc = @import("Oscillator.zig");

const Svf = @This();

/// Smallest k (resonance 1): Q = 20, stable.
pub const k_min: f32 = 0.05;

/// First integrator state.
ic1: f32 = 0,
/// Second integrator state.
ic2: f32 = 0,

/// Clears the state.
pub fn reset(self: *Svf) void {
    self.* = .{};
}

/// Prewarped integrator gain for cutoff `hz`, clamped to [20 Hz, 0.45 fs].
pub fn gain(hz: f32, fs: f32) f32 {
    const f = if (hz > 20) @min(hz, 0.45 * fs) else 20; // NaN -> 20
    return @tan(std.math.pi * f / fs);
}

/// `gain` for four cutoffs at once (or one, for f32), without a libm call (wasm has none): tan as
/// a rational function, relative error < 1e-6 over the whole range 20 Hz .. 0.45 fs.
pub inline fn gain4(hz: anytype, fs: f32) @TypeOf(hz) {
    const T = @TypeOf(hz);
    const sp = struct {
        inline fn s(v: f32) T {
            return if (T == f32) v else @splat(v);
        }
    }.s;
    const top = sp(0.45 * fs);
    const f = Osc.sel(hz > sp(20), Osc.sel(hz > top, top, hz), sp(20)); // NaN -> 20
    const x = f * sp(std.math.pi / fs);
    const x2 = x * x;
    // [7/6] Pade approximant of tan: relative error < 4e-9 up to 0.45 pi (before f32 rounding).
    const num = ((sp(-1) * x2 + sp(378)) * x2 + sp(-17325)) * x2 + sp(135135);
    const den = ((sp(-28) * x2 + sp(3150)) * x2 + sp(-62370)) * x2 + sp(135135);
    return x * num / den;
}

/// Damping k for resonance 0..1 (non-finite is treated as 0).
pub fn kFromResonance(res: f32) f32 {
    const r = if (res > 0) @min(res, 1) else 0;
    return 2.0 - (2.0 - k_min) * r;
}

/// One low-pass sample for input `v0` with integrator gain `g` and damping `k`.
pub inline fn lowpass(self: *Svf, v0: f32, g: f32, k: f32) f32 {
    const a1 = 1.0 / (1.0 + g * (g + k));
    const a2 = g * a1;
    const a3 = g * a2;
    const v3 = v0 - self.ic2;
    const v1 = a1 * self.ic1 + a2 * v3;
    const v2 = self.ic2 + a2 * self.ic1 + a3 * v3;
    self.ic1 = 2 * v1 - self.ic1;
    self.ic2 = 2 * v2 - self.ic2;
    return v2;
}

/// Call once per block: WASM has no flush-to-zero mode, so a decaying state would crawl through
/// denormals (slow on some CPUs, and never exactly 0); and a NaN/Inf (only possible from a bad
/// input) would otherwise stick in the state forever. Both are cleared here.
pub fn sanitize(self: *Svf) void {
    if (!std.math.isFinite(self.ic1) or !std.math.isFinite(self.ic2)) {
        self.reset();
        return;
    }
    if (@fabs(self.ic1) < 1e-15) self.ic1 = 0;
    if (@fabs(self.ic2) < 1e-15) self.ic2 = 0;
}

fn magnitudeAt(hz: f32, fc: f32, res: f32, fs: f32) f32 {
    var f = Svf{};
    const g = gain(fc, fs);
    const k = kFromResonance(res);
    const w = 2 * std.math.pi * hz / fs;
    var peak: f32 = 0;
    for (0..20000) |n| {
        const y = f.lowpass(@sin(w * @as(f32, @floatFromInt(n))), g, k);
        if (n > 10000) peak = @max(peak, @fabs(y));
    }
    return peak;
}

test "Svf low-pass response" {
    const fs: f32 = 48000;
    const cases = [_]struct { hz: f32, fc: f32, res: f32, expect: f32, tol: f32 }{
        .{ .hz = 100, .fc = 1000, .res = 0, .expect = 1.0, .tol = 0.02 },
        .{ .hz = 1000, .fc = 1000, .res = 0, .expect = 0.5, .tol = 0.02 }, // k = 2: -6 dB at fc
        .{ .hz = 1000, .fc = 1000, .res = 1, .expect = 20, .tol = 1.0 }, // Q = 20 at fc
        .{ .hz = 8000, .fc = 1000, .res = 0, .expect = 0.0156, .tol = 0.004 }, // -12 dB/oct
    };
    for (cases) |c| {
        try std.testing.expectApproxEqAbs(c.expect, magnitudeAt(c.hz, c.fc, c.res, fs), c.tol);
    }
    try std.testing.expectEqual(gain(20, fs), gain(std.math.nan(f32), fs));
    // The polynomial gain matches tan() over the whole cutoff range.
    var hz: f32 = 10;
    while (hz < 30000) : (hz *= 1.01) {
        const v = gain4(@as(@Vector(4, f32), @splat(hz)), fs);
        try std.testing.expectApproxEqRel(gain(hz, fs), v[0], 1e-6);
        try std.testing.expectApproxEqRel(gain(hz, fs), gain4(hz, fs), 1e-6);
    }
    try std.testing.expectEqual(gain4(@as(f32, 20), fs), gain4(std.math.nan(f32), fs));
    try std.testing.expectEqual(@as(f32, 2), kFromResonance(std.math.nan(f32)));
    var s = Svf{ .ic1 = std.math.inf(f32), .ic2 = 1e-30 };
    s.sanitize();
    try std.testing.expectEqual(@as(f32, 0), s.ic1 + s.ic2);
}
