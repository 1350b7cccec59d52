//! Parameter smoothing, in two tiers (so no parameter move clicks or zippers):
//!
//! * Per quantum, every continuous parameter follows its target with a one-pole of time constant
//!   `tau_s` (10 ms), stepped once per 128-frame quantum, and snaps to the target once within a
//!   small per-parameter epsilon, so settled parameters are bit-exact and cost nothing downstream
//!   (filter coefficients are recomputed only while something moves).
//! * Gains are additionally ramped per sample (`Ramp`): linear interpolation across the quantum
//!   from the previous quantum's value to this one's, so a gain never steps.
const std = @import("std");
const lanes = @import("lanes.zig");

const V = lanes.V;

/// One-pole time constant for parameter moves, seconds.
pub const tau_s: f32 = 0.010;

/// One-pole coefficient for one quantum step: exp(−quantum / (τ·fs)).
pub fn quantumCoef(sample_rate: f32) f32 {
    return @floatCast(@exp(-@as(f64, lanes.quantum) / (@as(f64, tau_s) * @as(f64, sample_rate))));
}

/// Move `cur` one quantum towards `target` (per lane), snapping lanes within `eps` (relative for
/// |target| > 1). Returns true
/// when any lane changed.
pub inline fn step(cur: *V, target: V, coef: f32, eps: f32) bool {
    const old = cur.*;
    const moved = target + @as(V, @splat(coef)) * (old - target);
    // Within eps (relative above magnitude 1), or stuck because f32 cannot represent the step.
    // (A select, not @max: see simd.fmax. Targets are finite.)
    const one: V = @splat(1);
    const tol = @as(V, @splat(eps)) * @select(f32, @fabs(target) > one, @fabs(target), one);
    const near = @fabs(moved - target) <= tol;
    const stuck = moved == old;
    // A non-finite current value (cannot come from sanitised targets, but be safe) snaps too.
    const bad = (old - old) != @as(V, @splat(0));
    cur.* = @select(f32, near, target, @select(f32, bad, target, @select(f32, stuck, target, moved)));
    return @reduce(.Or, cur.* != old);
}

/// Per-sample linear gain ramp across one quantum: value at frame i (0-based) is
/// `start + (i + 1)·delta`, reaching the new value on the last frame.
pub const Ramp = struct {
    /// Value reached at the end of the previous quantum.
    prev: V = @splat(0),
    /// Value to reach at the end of this quantum.
    next: V = @splat(0),

    pub fn delta(self: Ramp) V {
        return (self.next - self.prev) * @as(V, @splat(1.0 / @as(f32, lanes.quantum)));
    }

    /// True when there is nothing to interpolate.
    pub fn isFlat(self: Ramp) bool {
        return @reduce(.And, self.next == self.prev);
    }

    /// Call at the end of each quantum.
    pub fn commit(self: *Ramp) void {
        self.prev = self.next;
    }

    /// Jump lane `k` to `v` without a ramp (reset).
    pub fn snapLane(self: *Ramp, k: usize, v: f32) void {
        self.prev[k] = v;
        self.next[k] = v;
    }
};

test step {
    // 10 ms at 48 kHz: after 20 ms (7.5 quanta) about e^-2 of a step remains.
    const c = quantumCoef(48000);
    try std.testing.expectApproxEqRel(@as(f32, @exp(-128.0 / 480.0)), c, 1e-6);
    var v: V = @splat(0);
    const target: V = .{ 1, -1, 0, 1000 };
    var n: usize = 0;
    while (step(&v, target, c, 1e-6)) n += 1;
    try std.testing.expectEqual(target, v); // snapped exactly
    // ln(1 / 1e-6) / (128/480) ≈ 52 quanta (eps is relative for the 1000 lane).
    try std.testing.expect(n >= 48 and n <= 56);
    try std.testing.expect(!step(&v, target, c, 1e-6));
}

test Ramp {
    var r = Ramp{ .prev = @splat(0), .next = .{ 1, 2, 0, -1 } };
    const d = r.delta();
    var x = r.prev;
    for (0..lanes.quantum) |_| x += d;
    for (0..4) |k| try std.testing.expectApproxEqAbs(r.next[k], x[k], 1e-5);
    r.commit();
    try std.testing.expect(r.isFlat());
}
