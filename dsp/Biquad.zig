//! Stereo EQ band over four lanes (one lane per strip): RBJ Audio EQ Cookbook responses (low/high
//! shelf with shelf slope S = 1, peaking EQ with a given Q, A = 10^(dBgain/40)) realised as
//! Simper's trapezoidal state-variable filter in f32 (`SvfCoeffs`: same bilinear transform, same
//! transfer function, far better low-frequency precision than a direct-form biquad in f32).
//! Coefficients are computed in f64 and rounded once to f32; `Coeffs` keeps the cookbook's direct
//! form in f64 as the reference for tests. The strip sets a lane at exactly 0 dB to the identity
//! coefficients (output = input, state stays 0), and skips a band when all four lanes are 0 dB.
const std = @import("std");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");

const Biquad = @This();
const V = lanes.V;

pub const Kind = enum { low_shelf, peaking, high_shelf };

/// One lane's normalised coefficients (a0 = 1).
pub const Coeffs = struct {
    b0: f64 = 1,
    b1: f64 = 0,
    b2: f64 = 0,
    a1: f64 = 0,
    a2: f64 = 0,

    /// RBJ cookbook coefficients. `freq` in Hz (clamped to [1, 0.49·fs]), `gain_db` in dB, `q` only
    /// used by `.peaking` (shelves use S = 1, i.e. alpha = sin(w0)/√2).
    pub fn rbj(kind: Kind, sample_rate: f64, freq: f64, gain_db: f64, q: f64) Coeffs {
        const f0 = @min(@max(freq, 1.0), 0.49 * sample_rate);
        const a = std.math.pow(f64, 10.0, gain_db / 40.0);
        const w0 = 2.0 * std.math.pi * f0 / sample_rate;
        const cw = @cos(w0);
        const sw = @sin(w0);
        var b0: f64 = undefined;
        var b1: f64 = undefined;
        var b2: f64 = undefined;
        var a0: f64 = undefined;
        var a1: f64 = undefined;
        var a2: f64 = undefined;
        switch (kind) {
            .peaking => {
                const alpha = sw / (2.0 * @max(q, 1e-3));
                b0 = 1.0 + alpha * a;
                b1 = -2.0 * cw;
                b2 = 1.0 - alpha * a;
                a0 = 1.0 + alpha / a;
                a1 = -2.0 * cw;
                a2 = 1.0 - alpha / a;
            },
            .low_shelf, .high_shelf => {
                // S = 1: alpha = sin(w0)/2 · sqrt((A + 1/A)(1/S − 1) + 2) = sin(w0)/√2.
                const alpha = sw / std.math.sqrt2;
                const k = 2.0 * @sqrt(a) * alpha;
                if (kind == .low_shelf) {
                    b0 = a * ((a + 1.0) - (a - 1.0) * cw + k);
                    b1 = 2.0 * a * ((a - 1.0) - (a + 1.0) * cw);
                    b2 = a * ((a + 1.0) - (a - 1.0) * cw - k);
                    a0 = (a + 1.0) + (a - 1.0) * cw + k;
                    a1 = -2.0 * ((a - 1.0) + (a + 1.0) * cw);
                    a2 = (a + 1.0) + (a - 1.0) * cw - k;
                } else {
                    b0 = a * ((a + 1.0) + (a - 1.0) * cw + k);
                    b1 = -2.0 * a * ((a - 1.0) + (a + 1.0) * cw);
                    b2 = a * ((a + 1.0) + (a - 1.0) * cw - k);
                    a0 = (a + 1.0) - (a - 1.0) * cw + k;
                    a1 = 2.0 * ((a - 1.0) - (a + 1.0) * cw);
                    a2 = (a + 1.0) - (a - 1.0) * cw - k;
                }
            },
        }
        return .{ .b0 = b0 / a0, .b1 = b1 / a0, .b2 = b2 / a0, .a1 = a1 / a0, .a2 = a2 / a0 };
    }

    /// |H(e^{jw})| at `freq` Hz, in f64 (the reference the tests compare against).
    pub fn magnitude(c: Coeffs, sample_rate: f64, freq: f64) f64 {
        const w = 2.0 * std.math.pi * freq / sample_rate;
        const c1 = @cos(w);
        const s1 = @sin(w);
        const c2 = @cos(2 * w);
        const s2 = @sin(2 * w);
        const nr = c.b0 + c.b1 * c1 + c.b2 * c2;
        const ni = -(c.b1 * s1 + c.b2 * s2);
        const dr = 1.0 + c.a1 * c1 + c.a2 * c2;
        const di = -(c.a1 * s1 + c.a2 * s2);
        return @sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
    }
};

/// One lane's coefficients for the trapezoidal state-variable realisation (Cytomic,
/// Andrew Simper, "Linear Trapezoidal Integrated State Variable Filter With Low Noise
/// Optimisation", 2013): the same bilinear transform of the same analog prototype, prewarped at f0,
/// as the RBJ formulas, so the transfer function is identical in exact arithmetic.
pub const SvfCoeffs = struct {
    a1: f64 = 1,
    a2: f64 = 0,
    a3: f64 = 0,
    m0: f64 = 1,
    m1: f64 = 0,
    m2: f64 = 0,

    /// Cookbook band -> SVF coefficients. Shelves use Q = 1/√2 (S = 1).
    pub fn rbj(kind: Kind, sample_rate: f64, freq: f64, gain_db: f64, q: f64) SvfCoeffs {
        const f0 = @min(@max(freq, 1.0), 0.49 * sample_rate);
        const a = std.math.pow(f64, 10.0, gain_db / 40.0);
        const t = @tan(std.math.pi * f0 / sample_rate);
        var g: f64 = undefined;
        var k: f64 = undefined;
        var c = SvfCoeffs{};
        switch (kind) {
            .peaking => {
                g = t;
                k = 1.0 / (@max(q, 1e-3) * a);
                c.m0 = 1;
                c.m1 = k * (a * a - 1.0);
                c.m2 = 0;
            },
            .low_shelf => {
                g = t / @sqrt(a);
                k = std.math.sqrt2;
                c.m0 = 1;
                c.m1 = k * (a - 1.0);
                c.m2 = a * a - 1.0;
            },
            .high_shelf => {
                g = t * @sqrt(a);
                k = std.math.sqrt2;
                c.m0 = a * a;
                c.m1 = k * (1.0 - a) * a;
                c.m2 = 1.0 - a * a;
            },
        }
        c.a1 = 1.0 / (1.0 + g * (g + k));
        c.a2 = g * c.a1;
        c.a3 = g * c.a2;
        return c;
    }
};

// Coefficients per lane, as vectors: the SVF update multiplied out (see `tickWith`), computed in
// f64 from `SvfCoeffs` and rounded once.
c1: V = @splat(1),
/// d2², the input's weight on the scaled first state (see `tickWith`).
dd: V = @splat(0),
d3: V = @splat(0),
e0: V = @splat(1),
/// e1 / d2: the output's weight on the scaled first state.
et: V = @splat(0),
e2: V = @splat(0),
/// d2 = 2a2 per lane, kept to rescale the first state when the coefficients change.
d2: V = @splat(0),
// Integrator states, left and right: s1 = d2·ic1 (scaled, see `tickWith`), s2 = ic2.
s1l: V = @splat(0),
s2l: V = @splat(0),
s1r: V = @splat(0),
s2r: V = @splat(0),

/// Store lane `k`'s coefficients (rounded to f32). The first state is held scaled by d2, so it is
/// rescaled here to keep the filter's actual state (d2 changes with the coefficients). A lane set
/// to the identity (0 dB: output = input whatever the state) drops its state, so that it starts
/// again from rest.
pub fn setLane(self: *Biquad, k: usize, c: SvfCoeffs) void {
    const d2 = 2.0 * c.a2;
    const old: f64 = self.d2[k];
    if (d2 == 0 or old == 0) {
        self.resetLane(k);
    } else {
        const f: f32 = @floatCast(d2 / old);
        self.s1l[k] *= f;
        self.s1r[k] *= f;
    }
    self.d2[k] = @floatCast(d2);
    self.c1[k] = @floatCast(2.0 * c.a1 - 1.0);
    self.dd[k] = @floatCast(d2 * d2);
    self.d3[k] = @floatCast(2.0 * c.a3);
    self.e0[k] = @floatCast(c.m0 + c.m1 * c.a2 + c.m2 * c.a3);
    const e1 = c.m1 * c.a1 + c.m2 * c.a2;
    self.et[k] = if (d2 == 0) 0 else @floatCast(e1 / d2);
    self.e2[k] = @floatCast(c.m2 - c.m1 * c.a2 - c.m2 * c.a3);
}

/// Zero lane `k`'s state.
pub fn resetLane(self: *Biquad, k: usize) void {
    self.s1l[k] = 0;
    self.s2l[k] = 0;
    self.s1r[k] = 0;
    self.s2r[k] = 0;
}

/// Zero all state.
pub fn resetState(self: *Biquad) void {
    for (0..lanes.width) |k| self.resetLane(k);
}

/// The integrator states, held in locals while a quantum runs.
pub const State = struct { s1l: V, s2l: V, s1r: V, s2r: V };

pub inline fn load(self: *const Biquad) State {
    return .{ .s1l = self.s1l, .s2l = self.s2l, .s1r = self.s1r, .s2r = self.s2r };
}

pub inline fn store(self: *Biquad, st: State) void {
    self.s1l = st.s1l;
    self.s2l = st.s2l;
    self.s1r = st.s1r;
    self.s2r = st.s2r;
}

/// The coefficients as values, for loops that should hold them in locals (a store to the audio
/// buffer could alias `self` as far as the compiler knows, so fields are reloaded every sample).
pub const Coefs = struct { c1: V, dd: V, d3: V, e0: V, et: V, e2: V };

pub inline fn coefs(self: *const Biquad) Coefs {
    return .{ .c1 = self.c1, .dd = self.dd, .d3 = self.d3, .e0 = self.e0, .et = self.et, .e2 = self.e2 };
}

/// One sample of the SVF, with the first state held scaled (`s1` = d2·ic1). Simper's update
///
///   v3 = v0 − ic2,  v1 = a1·ic1 + a2·v3,  v2 = ic2 + a2·ic1 + a3·v3
///   ic1 ← 2·v1 − ic1,  ic2 ← 2·v2 − ic2,  y = m0·v0 + m1·v1 + m2·v2
///
/// multiplied out over the same integrator states (a shorter recursion: v3 → multiply → add),
///
///   ic1 ← (2a1 − 1)·ic1 + 2a2·v3,  ic2 ← ic2 + 2a2·ic1 + 2a3·v3
///   y = (m0 + m1·a2 + m2·a3)·v0 + (m1·a1 + m2·a2)·ic1 + (m2 − m1·a2 − m2·a3)·ic2,
///
/// and with s1 = d2·ic1 (d2 = 2a2) the product d2·ic1 in the ic2 update is the state itself:
///
///   s1 ← c1·s1 + d2²·v3,  ic2 ← ic2 + s1 + d3·v3,  y = e0·v0 + (e1/d2)·s1 + e2·ic2
///
/// 6 multiplies and 6 adds (17 operations in Simper's form), and multiplies are what limits the
/// loop in wasm. The transfer function is unchanged; the pole-setting 2a1 − 1 is rounded once.
pub inline fn tickWith(c: Coefs, v0: V, s1p: *V, s2p: *V) V {
    const s1 = s1p.*;
    const s2 = s2p.*;
    const v3 = v0 - s2;
    const y = c.e0 * v0 + c.et * s1 + c.e2 * s2;
    s1p.* = c.c1 * s1 + c.dd * v3;
    s2p.* = s2 + s1 + c.d3 * v3;
    return y;
}

/// `tickWith` on this band's own coefficients.
pub inline fn tick(self: *const Biquad, v0: V, s1: *V, s2: *V) V {
    return tickWith(self.coefs(), v0, s1, s2);
}

/// Filter a quantum in place.
pub fn process(self: *Biquad, l: []V, r: []V) void {
    var s1l = self.s1l;
    var s2l = self.s2l;
    var s1r = self.s1r;
    var s2r = self.s2r;
    for (l, r) |*xl, *xr| {
        xl.* = self.tick(xl.*, &s1l, &s2l);
        xr.* = self.tick(xr.*, &s1r, &s2r);
    }
    self.s1l = s1l;
    self.s2l = s2l;
    self.s1r = s1r;
    self.s2r = s2r;
}

/// End-of-quantum housekeeping: flush tiny state to 0 (see `simd.flushTiny` for why) and zero the
/// state of any lane that went non-finite. Returns a lane mask (bit k) of lanes that were reset.
pub fn sanitizeState(self: *Biquad) u4 {
    var bad: u4 = 0;
    inline for (.{ &self.s1l, &self.s2l, &self.s1r, &self.s2r }) |s| {
        const ok = simd.isFinite(s.*);
        inline for (0..lanes.width) |k| {
            if (!ok[k]) bad |= @as(u4, 1) << k;
        }
        s.* = simd.flushTiny(simd.finiteOrZero(s.*), 1e-15);
    }
    if (bad != 0) {
        inline for (0..lanes.width) |k| {
            if (bad & (@as(u4, 1) << k) != 0) self.resetLane(k);
        }
    }
    return bad;
}

/// True when every state value is exactly 0 (the filter has fully decayed).
pub fn isQuiet(self: *const Biquad) bool {
    // OR of the raw bits, so -0.0 counts as non-zero (harmless: it is flushed to +0 next quantum).
    const U = @Vector(lanes.width, u32);
    const bits = @as(U, @bitCast(self.s1l)) | @as(U, @bitCast(self.s2l)) |
        @as(U, @bitCast(self.s1r)) | @as(U, @bitCast(self.s2r));
    return @reduce(.Or, bits) == 0;
}

// ---------------------------------------------------------------------------------------------

/// Magnitude of the DFT of `x` at bin `k` (length n = x.len), in f64.
fn dftMag(x: []const f32, k: usize) f64 {
    var re: f64 = 0;
    var im: f64 = 0;
    const n: f64 = @floatFromInt(x.len);
    // Rotate with a recurrence-free angle to keep f64 accuracy.
    for (x, 0..) |v, i| {
        const ph = 2.0 * std.math.pi * @as(f64, @floatFromInt((k * i) % x.len)) / n;
        re += @as(f64, v) * @cos(ph);
        im -= @as(f64, v) * @sin(ph);
    }
    return @sqrt(re * re + im * im);
}

test "RBJ magnitude: f32 impulse response vs f64 cookbook formula" {
    // Impulse through the f32 TDF-II filter, 8192-point DFT at a spread of bins, against the f64
    // cookbook magnitude. Tolerance 1e-4 relative (the browser test uses the same bound).
    const fs = 48000.0;
    // 8192 points as in the browser test; the narrow 40 Hz, Q = 18 bell rings for ~2000 samples per
    // time constant, so its impulse response needs a longer window before truncation stops
    // mattering (this is a property of the measurement, not of the filter).
    const max_n = 65536;
    const Case = struct { kind: Kind, f: f64, db: f64, q: f64, n: usize = 8192 };
    const cases = [_]Case{
        .{ .kind = .low_shelf, .f = 100, .db = 12, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 20, .db = -24, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 2000, .db = 24, .q = 0.707 },
        .{ .kind = .peaking, .f = 1000, .db = 6, .q = 0.707 },
        .{ .kind = .peaking, .f = 40, .db = -24, .q = 18, .n = max_n },
        .{ .kind = .peaking, .f = 3000, .db = 24, .q = 18 },
        .{ .kind = .peaking, .f = 16000, .db = 24, .q = 0.1 },
        .{ .kind = .high_shelf, .f = 8000, .db = -12, .q = 0.707 },
        .{ .kind = .high_shelf, .f = 500, .db = 24, .q = 0.707 },
        .{ .kind = .high_shelf, .f = 0.45 * fs, .db = 6, .q = 0.707 },
    };
    const S = struct {
        var xl: [max_n]V = undefined;
        var xr: [max_n]V = undefined;
        var mono: [max_n]f32 = undefined;
    };
    for (cases) |c| {
        const n = c.n;
        const xl = S.xl[0..n];
        const xr = S.xr[0..n];
        const mono = S.mono[0..n];
        const co = Coeffs.rbj(c.kind, fs, c.f, c.db, c.q);
        var bq = Biquad{};
        for (0..4) |k| bq.setLane(k, SvfCoeffs.rbj(c.kind, fs, c.f, c.db, c.q));
        @memset(xl, @as(V, @splat(0)));
        @memset(xr, @as(V, @splat(0)));
        xl[0] = .{ 1, 0.5, 0, 0 };
        xr[0] = .{ 0, 0, 1, 0 };
        // Process in quanta, as the mixer does.
        var i: usize = 0;
        while (i < n) : (i += lanes.quantum) {
            bq.process(xl[i .. i + lanes.quantum], xr[i .. i + lanes.quantum]);
            _ = bq.sanitizeState();
        }
        for (mono, xr) |*m, v| m.* = v[2];
        var bin: usize = 1;
        while (bin < n / 2) : (bin = bin * 5 / 4 + 1) {
            const want = co.magnitude(fs, @as(f64, @floatFromInt(bin)) * fs / @as(f64, @floatFromInt(n)));
            const got = dftMag(mono, bin);
            try std.testing.expectApproxEqRel(want, got, 1e-4);
        }
        // Lane 0 (L, impulse 1) matches lane 2 (R); lane 1 is half of it (up to the flush of
        // states below 1e-15, which the lanes reach at different times; the first state is held
        // scaled by d2, so its flush shows in the output weighted by e1/d2: 1e-12 is −240 dB);
        // lane 3 silent.
        for (xl, xr) |vl, vr| {
            try std.testing.expectEqual(vl[0], vr[2]);
            try std.testing.expectApproxEqAbs(vl[0] * 0.5, vl[1], 1e-12);
            try std.testing.expectEqual(@as(f32, 0), vl[3]);
        }
    }
}

test "0 dB is an exact identity" {
    inline for (.{ Kind.low_shelf, Kind.peaking, Kind.high_shelf }) |kind| {
        var bq = Biquad{};
        for (0..4) |k| bq.setLane(k, SvfCoeffs.rbj(kind, 44100, 1234, 0, 3));
        var l: [lanes.quantum]V = undefined;
        var r: [lanes.quantum]V = undefined;
        for (&l, &r, 0..) |*a, *b, i| {
            const x: f32 = @sin(@as(f32, @floatFromInt(i)) * 0.3) * 0.77;
            a.* = @splat(x);
            b.* = @splat(-x);
        }
        const l0 = l;
        bq.process(&l, &r);
        try std.testing.expectEqualSlices(V, &l0, &l);
    }
}

test sanitizeState {
    var bq = Biquad{};
    bq.s1l = .{ std.math.nan(f32), 1e-20, 0.5, 0 };
    bq.s2r = .{ 0, 0, 0, std.math.inf(f32) };
    const bad = bq.sanitizeState();
    try std.testing.expectEqual(@as(u4, 0b1001), bad);
    try std.testing.expectEqual(@as(V, .{ 0, 0, 0.5, 0 }), bq.s1l);
    try std.testing.expect(!bq.isQuiet());
    bq.s1l[2] = 0;
    try std.testing.expect(bq.isQuiet());
}

test "coefficient changes keep the filter's state (the scaled first state is rescaled)" {
    // A band swept through several settings (and through 0 dB, the identity) against Simper's
    // update in f64 on unscaled states, switching at the same frames: the scaled f32 form must
    // follow it to f32 precision, so a change neither loses nor rescales what the filter holds.
    const fs = 48000.0;
    const Set = struct { kind: Kind, f: f64, db: f64, q: f64 };
    const sets = [_]Set{
        .{ .kind = .low_shelf, .f = 100, .db = 9, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 140, .db = 6, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 90, .db = -12, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 90, .db = 0, .q = 0.707 },
        .{ .kind = .low_shelf, .f = 300, .db = 3, .q = 0.707 },
    };
    var bq = Biquad{};
    // f64 reference state (ic1, ic2) for lane 0.
    var ic1: f64 = 0;
    var ic2: f64 = 0;
    var worst: f64 = 0;
    var peak: f64 = 0;
    var n: usize = 0;
    for (sets) |st| {
        const c = SvfCoeffs.rbj(st.kind, fs, st.f, st.db, st.q);
        for (0..4) |k| bq.setLane(k, c);
        // The reference drops its state where the band goes to the identity, as the filter does.
        if (st.db == 0) {
            ic1 = 0;
            ic2 = 0;
        }
        for (0..8) |_| {
            var l: [lanes.quantum]V = undefined;
            var r: [lanes.quantum]V = undefined;
            for (&l, &r) |*a, *b| {
                const x: f32 = @floatCast(0.5 * @sin(@as(f64, @floatFromInt(n)) * 0.013) + 0.3 * @sin(@as(f64, @floatFromInt(n)) * 0.0021));
                a.* = @splat(x);
                b.* = @splat(-x);
                n += 1;
            }
            const x0 = l;
            bq.process(&l, &r);
            _ = bq.sanitizeState();
            for (x0, l, r) |xv, yl, yr| {
                const v0: f64 = xv[0];
                const v3 = v0 - ic2;
                const v1 = c.a1 * ic1 + c.a2 * v3;
                const v2 = ic2 + c.a2 * ic1 + c.a3 * v3;
                ic1 = 2 * v1 - ic1;
                ic2 = 2 * v2 - ic2;
                const want = c.m0 * v0 + c.m1 * v1 + c.m2 * v2;
                worst = @max(worst, @fabs(want - yl[0]));
                worst = @max(worst, @fabs(-want - yr[3]));
                peak = @max(peak, @fabs(want));
            }
        }
    }
    try std.testing.expect(peak > 0.5);
    try std.testing.expect(worst < 2e-5 * peak);
}
