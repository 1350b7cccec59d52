//! Feed-forward, stereo-linked compressor over four lanes, after D. Giannoulis, M. Massberg and
//! J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and Analysis", JAES 60(6),
//! 2012: level detection in dB, soft-knee static curve (their eq. 4), and the "smooth branching"
//! peak detector run on the gain in the dB domain (their eq. 17 applied to the gain signal):
//!
//!   x     = 20·log10(max(|L|, |R|))               (floored at -120 dB)
//!   y     = x                                      if 2(x − T) < −W
//!         = x + (1/R − 1)(x − T + W/2)² / (2W)     if 2|x − T| ≤ W
//!         = T + (x − T)/R                          if 2(x − T) > W
//!   gc    = y − x  (≤ 0)
//!   gs[n] = αA·gs[n−1] + (1 − αA)·gc[n]   if gc[n] < gs[n−1]   (attack)
//!         = αR·gs[n−1] + (1 − αR)·gc[n]   otherwise             (release)
//!   gain  = 10^((gs + makeup)/20),  α = exp(−1/(τ·fs))
//!
//! log/exp are the vector approximations of `simd.zig` (error < 1e-4 dB), so there are no scalar
//! libm calls per sample. Parameters are per lane and change once per quantum; the make-up gain is
//! interpolated per sample by the caller's ramp.
const std = @import("std");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");

const Compressor = @This();
const V = lanes.V;
const splat = simd.splat;

/// Detector floor, −120 dB.
pub const floor_lin: f32 = 1e-6;
/// The same as a power (the detector runs on squares: max(L², R²) needs no vector abs, which V8
/// expands to three instructions, and 10·log10(p) is the same level in dB).
pub const floor_pow: f32 = floor_lin * floor_lin;

threshold: V = @splat(0),
/// Start of the knee, T − W/2.
knee_start: V = @splat(0),
/// 1/R − 1 (0 for ratio 1, i.e. no compression).
slope: V = @splat(0),
/// Knee width W in dB.
knee: V = @splat(0),
/// 1/(2W), or 0 for a hard knee (where the knee branch only ever sees x = T and yields 0).
inv_2knee: V = @splat(0),
alpha_attack: V = @splat(0),
alpha_release: V = @splat(0),
/// The same over one detector block (α^block).
alpha_attack_block: V = @splat(0),
alpha_release_block: V = @splat(0),
/// Smoothed gain gs in dB (≤ 0).
gs: V = @splat(0),
/// Linear gain (with make-up) applied at the end of the last block; the next block ramps from it.
g_lin: V = @splat(1),

/// Set lane `k`'s parameters. `ratio` ≥ 1, `knee_db` ≥ 0, times in ms (> 0).
pub fn setLane(self: *Compressor, k: usize, sample_rate: f32, threshold_db: f32, ratio: f32, knee_db: f32, attack_ms: f32, release_ms: f32) void {
    self.threshold[k] = threshold_db;
    self.slope[k] = 1.0 / @max(ratio, 1.0) - 1.0;
    const w = @max(knee_db, 0.0);
    self.knee[k] = w;
    self.knee_start[k] = threshold_db - 0.5 * w;
    self.inv_2knee[k] = if (w > 0) 0.5 / w else 0;
    self.alpha_attack[k] = timeConstantCoef(attack_ms, sample_rate);
    self.alpha_release[k] = timeConstantCoef(release_ms, sample_rate);
    self.alpha_attack_block[k] = std.math.pow(f32, self.alpha_attack[k], block);
    self.alpha_release_block[k] = std.math.pow(f32, self.alpha_release[k], block);
}

/// One-pole coefficient exp(−1/(τ·fs)) for τ in ms.
pub fn timeConstantCoef(ms: f32, sample_rate: f32) f32 {
    const tau_s = @max(ms, 1e-3) * 1e-3;
    return @floatCast(@exp(-1.0 / (@as(f64, tau_s) * @as(f64, sample_rate))));
}

/// Static curve: gain change gc = y − x in dB for detector level `x` dB (vector form). With
/// u = x − (T − W/2), m = max(u, 0) and c = min(m, W), the three branches are one expression:
/// gc = (1/R − 1)·(c²/(2W) + m − c)  (0 below the knee, the quadratic inside it, and
/// (1/R − 1)(x − T) above it; a hard knee has c = 0). Only compare-and-select minima, which lower
/// to single `pmin`s.
pub inline fn gainComputer(self: *const Compressor, x: V) V {
    const u = x - self.knee_start;
    const m = u - simd.fmin(u, splat(0));
    const c = simd.fmin(m, self.knee);
    return self.slope * (c * c * self.inv_2knee + (m - c));
}

/// Frames per detector step. The level detector, gain computer and dB smoothing run once per block
/// on the block's peak (with α^block, so the time constants are unchanged), and the linear gain is
/// ramped across the block: a log and an exp per 8 frames (0.17 ms at 48 kHz) instead of per frame,
/// which was most of the mixer's cost in wasm. The peak over the block acts as a look-ahead of at
/// most 7 frames. (4 frames cost 1.4 µs more per quantum for 32 channels; the attack and release
/// tests hold at 8.)
pub const block = 8;

/// Detector, gain computer and smoothing for a run of blocks: `det[b]` is block b's peak power
/// max(L², R², floor_pow) (the caller starts its running maximum at `floor_pow`, so no clamp is
/// needed here); `out[b]` receives the linear gain (with make-up) to reach at the end of block b.
/// Make-up gain in dB at the end of block b is `makeup + (b+1)·block·makeup_step`. The caller ramps
/// the gain linearly from `g_lin` across each block (and stores the last gain back in `g_lin`).
pub fn gains(self: *Compressor, det: []const V, out: []V, makeup: V, makeup_step: V) void {
    // Three passes: the static curve (a log per block, independent across blocks), the
    // smoothing recursion (short), then the exps (independent again). One fused loop made each
    // block a long dependent chain, and the CPU could overlap only a few of them.
    const db_per_log2 = splat(10.0 * std.math.log10e / std.math.log2e); // of a power
    for (det, out) |d, *o| o.* = self.gainComputer(simd.log2(d) * db_per_log2);
    var gs = self.gs;
    const aa = self.alpha_attack_block;
    const ar = self.alpha_release_block;
    var frames: f32 = 0; // exact: small integers
    for (out) |*o| {
        const gc = o.*;
        const a = @select(f32, gc < gs, aa, ar);
        gs = gc + a * (gs - gc);
        frames += block;
        o.* = gs + (makeup + makeup_step * splat(frames));
    }
    self.gs = gs;
    for (out) |*o| o.* = simd.dbToLin(o.*);
}

/// Compress a run of frames in place (length a multiple of `block`, at most 1024). Make-up gain in
/// dB at frame i is `makeup + (i+1)·makeup_step`.
pub fn process(self: *Compressor, l: []V, r: []V, makeup: V, makeup_step: V) void {
    var det_buf: [1024 / block]V = undefined;
    var g_buf: [1024 / block]V = undefined;
    const nb = l.len / block;
    const det = det_buf[0..nb];
    const g = g_buf[0..nb];
    for (det, 0..) |*d, bi| {
        var m: V = @splat(floor_pow);
        inline for (0..block) |j| {
            const x = l[bi * block + j];
            const y = r[bi * block + j];
            m = simd.fmax(simd.fmax(x * x, y * y), m);
        }
        d.* = m;
    }
    self.gains(det, g, makeup, makeup_step);
    const inv: V = @splat(1.0 / @as(f32, block));
    var g_prev = self.g_lin;
    for (g, 0..) |g_next, bi| {
        const step = (g_next - g_prev) * inv;
        var gg = g_prev;
        inline for (0..block) |j| {
            gg += step;
            l[bi * block + j] *= gg;
            r[bi * block + j] *= gg;
        }
        g_prev = g_next;
    }
    self.g_lin = g_prev;
}

/// True when every lane is an exact identity: ratio 1 and fully released. (Make-up is checked by
/// the caller, which owns it.)
pub fn isIdentity(self: *const Compressor) bool {
    return @reduce(.And, self.slope == splat(0)) and @reduce(.And, self.gs == splat(0));
}

/// Advance the state over `frames` frames of silence without processing them (a skipped group):
/// silence gives gc = 0 ≥ gs, so only the release branch runs: gs ← αR^frames · gs.
pub fn releaseSilent(self: *Compressor, frames: usize) void {
    var a = self.alpha_release;
    var n = frames;
    var f: V = @splat(1);
    while (n > 0) : (n >>= 1) {
        if (n & 1 != 0) f *= a;
        a *= a;
    }
    self.gs *= f;
}

/// End-of-quantum housekeeping. gs below 1e-6 dB is inaudible; snapping it to 0 lets the group
/// reach an exact identity (and so be skipped) instead of creeping towards 0 through denormals.
/// Non-finite lanes are reset; returns their lane mask.
pub fn sanitizeState(self: *Compressor) u4 {
    const ok = simd.isFinite(self.gs);
    var bad: u4 = 0;
    inline for (0..lanes.width) |k| {
        if (!ok[k]) bad |= @as(u4, 1) << k;
    }
    self.gs = simd.flushTiny(simd.fmin(simd.finiteOrZero(self.gs), splat(0)), 1e-6);
    self.g_lin = @select(f32, simd.isFinite(self.g_lin), self.g_lin, splat(1));
    return bad;
}

/// Reference static curve in f64 (for tests).
fn staticCurveRef(x: f64, t: f64, ratio: f64, w: f64) f64 {
    if (2 * (x - t) < -w) return x;
    if (2 * @fabs(x - t) <= w and w > 0) {
        const u = x - t + w / 2;
        return x + (1 / ratio - 1) * u * u / (2 * w);
    }
    return t + (x - t) / ratio;
}

test gainComputer {
    // Constant (DC) input, long enough for gs to settle; output level vs the formula within 0.1 dB.
    const fs = 48000;
    const Case = struct { t: f32, ratio: f32, w: f32 };
    const cases = [_]Case{ .{ .t = -20, .ratio = 4, .w = 6 }, .{ .t = -30, .ratio = 20, .w = 0 }, .{ .t = -10, .ratio = 2, .w = 24 }, .{ .t = -60, .ratio = 1.5, .w = 12 } };
    const levels = [_]f32{ -70, -40, -33, -30, -27, -24, -21, -20, -19, -17, -12, -6, 0, 6 };
    for (cases) |c| {
        for (levels) |lev| {
            var comp = Compressor{};
            for (0..4) |k| comp.setLane(k, fs, c.t, c.ratio, c.w, 1, 20);
            const amp = std.math.pow(f32, 10, lev / 20);
            var out: f32 = 0;
            for (0..fs / lanes.quantum) |_| {
                var l: [lanes.quantum]V = undefined;
                var r: [lanes.quantum]V = undefined;
                // Lane 0 level on L, lane 1 on R (stereo link: max of the two), lane 2 both.
                @memset(&l, .{ amp, 0, amp, 0 });
                @memset(&r, .{ 0, -amp, -amp, 0 });
                comp.process(&l, &r, splat(0), splat(0));
                out = l[lanes.quantum - 1][0];
                try std.testing.expectEqual(-r[lanes.quantum - 1][1], out);
                try std.testing.expectEqual(l[lanes.quantum - 1][2], out);
            }
            const want = staticCurveRef(lev, c.t, c.ratio, c.w);
            const got = 20 * std.math.log10(@as(f64, out));
            try std.testing.expectApproxEqAbs(want, got, 0.1);
        }
    }
}

test "attack: 63% of the final gain reduction at the attack time" {
    // Fed one detector block at a time, so the time is resolved to `block` frames (< 10% of 1 ms).
    const fs = 48000;
    const attack_ms = [_]f32{ 1, 10, 50 };
    for (attack_ms) |att| {
        var comp = Compressor{};
        for (0..4) |k| comp.setLane(k, fs, -30, 4, 0, att, 200);
        const lo = std.math.pow(f32, 10, -40.0 / 20.0);
        const hi = std.math.pow(f32, 10, -10.0 / 20.0);
        var bl: [block]V = undefined;
        var br: [block]V = undefined;
        for (0..fs / block) |_| { // settle below threshold
            @memset(&bl, splat(lo));
            @memset(&br, splat(lo));
            comp.process(&bl, &br, splat(0), splat(0));
        }
        try std.testing.expectEqual(@as(f32, 0), comp.gs[0]);
        const final_gr: f32 = 15; // -10 dB in, T = -30, R = 4: 20 dB over -> 5 dB over, 15 dB GR
        var n: usize = 0;
        while (-comp.gs[0] < 0.632 * final_gr and n < fs) : (n += block) {
            @memset(&bl, splat(hi));
            @memset(&br, splat(hi));
            comp.process(&bl, &br, splat(0), splat(0));
        }
        const t_ms = @as(f32, @floatFromInt(n)) * 1000.0 / fs;
        try std.testing.expectApproxEqRel(att, t_ms, 0.1);
        // Keep going: it settles at the static curve's 15 dB.
        for (0..fs / block) |_| {
            @memset(&bl, splat(hi));
            @memset(&br, splat(hi));
            comp.process(&bl, &br, splat(0), splat(0));
        }
        try std.testing.expectApproxEqAbs(final_gr, -comp.gs[0], 0.01);
    }
}

test releaseSilent {
    var a = Compressor{};
    for (0..4) |k| a.setLane(k, 48000, -30, 4, 6, 5, 100);
    a.gs = .{ -10, -3, 0, -20 };
    var b = a;
    var l = [_]V{splat(0)} ** lanes.quantum;
    var r = l;
    a.process(&l, &r, splat(0), splat(0));
    b.releaseSilent(lanes.quantum);
    for (0..4) |k| try std.testing.expectApproxEqRel(a.gs[k], b.gs[k], 1e-4);
}

test "ratio 1 without make-up is an identity" {
    var comp = Compressor{};
    for (0..4) |k| comp.setLane(k, 48000, -40, 1, 6, 5, 100);
    var l: [lanes.quantum]V = undefined;
    var r: [lanes.quantum]V = undefined;
    for (&l, &r, 0..) |*a, *b, i| {
        a.* = splat(@sin(@as(f32, @floatFromInt(i))) * 2);
        b.* = splat(@cos(@as(f32, @floatFromInt(i))));
    }
    const l0 = l;
    comp.process(&l, &r, splat(0), splat(0));
    try std.testing.expect(comp.isIdentity());
    for (l0, l) |a, b| try std.testing.expectApproxEqRel(a[0], b[0], 1e-6);
}
