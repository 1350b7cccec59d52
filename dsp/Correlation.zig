//! Phase-correlation meter for a stereo strip: the normalised cross-correlation of L and R over
//! an integration time (Pearson's r without mean removal, as correlation meters do: audio has no
//! DC worth removing and a meter must read −1 for an inverted pair whatever its DC):
//!
//!   r = ⟨L·R⟩ / √(⟨L²⟩·⟨R²⟩),   ⟨·⟩ = one-pole average with time constant τ (default 300 ms)
//!
//! +1 for identical channels (mono), 0 for independent ones, −1 for one channel inverted; in
//! silence (⟨L²⟩·⟨R²⟩ below 1e-20, i.e. both under about −100 dBFS) it reads 0. The three sums
//! are taken over the whole quantum with `@Vector(4, f32)` and the averages advance once per call
//! with the exact decay for its length, a = exp(−n/(τ·fs)): per quantum this is a box average of
//! 128 samples inside a one-pole of τ, indistinguishable on a meter for τ ≫ 2.7 ms (τ is
//! clamped to 10 ms..10 s).
//!
//! API for the mixer (the render path): a plain struct (16 bytes of state), `init(fs)`,
//! `process(l, r)` per quantum, `value()` to read. Non-finite samples count as 0 (their lane's
//! products are dropped for that quantum), and averages below 1e-30 are flushed to 0 so silence
//! leaves no denormals. Disabled = not called; `reset()` on re-enable.
const std = @import("std");

const Correlation = @This();
const V = @Vector(4, f32);

sample_rate: f32,
/// ln of the per-sample decay, −1/(τ·fs).
ln_decay: f32 = 0,
lr: f32 = 0,
ll: f32 = 0,
rr: f32 = 0,
bad_samples: u32 = 0,

/// A meter for a sample rate in Hz (invalid rates fall back to 48 kHz), τ = 300 ms.
pub fn init(sample_rate: f32) Correlation {
    const fs: f32 = if (std.math.isFinite(sample_rate) and sample_rate >= 8000 and sample_rate <= 384000) sample_rate else 48000;
    var self = Correlation{ .sample_rate = fs };
    self.setTime(300);
    return self;
}

/// Integration time constant in ms (clamped to 10..10000; non-finite keeps 300).
pub fn setTime(self: *Correlation, tau_ms: f32) void {
    const t = if (std.math.isFinite(tau_ms)) std.math.clamp(tau_ms, 10, 10000) else 300;
    self.ln_decay = -1.0 / (t * 1e-3 * self.sample_rate);
}

pub fn reset(self: *Correlation) void {
    self.lr = 0;
    self.ll = 0;
    self.rr = 0;
}

/// Advance the averages over one run of stereo frames. Real-time safe.
pub fn process(self: *Correlation, l: []const f32, r: []const f32) void {
    const n = @min(l.len, r.len);
    if (n == 0) return;
    var slr: V = @splat(0);
    var sll: V = @splat(0);
    var srr: V = @splat(0);
    var i: usize = 0;
    while (i + 4 <= n) : (i += 4) {
        const a: V = l[i..][0..4].*;
        const b: V = r[i..][0..4].*;
        slr += a * b;
        sll += a * a;
        srr += b * b;
    }
    var tlr = @reduce(.Add, slr);
    var tll = @reduce(.Add, sll);
    var trr = @reduce(.Add, srr);
    while (i < n) : (i += 1) {
        tlr += l[i] * r[i];
        tll += l[i] * l[i];
        trr += r[i] * r[i];
    }
    // One test for the whole quantum: a non-finite sample makes a sum non-finite; then redo the
    // sums with those samples as 0 (rare path).
    if (!(tlr - tlr == 0 and tll - tll == 0 and trr - trr == 0)) {
        tlr = 0;
        tll = 0;
        trr = 0;
        for (l[0..n], r[0..n]) |a0, b0| {
            const ok_a = a0 - a0 == 0;
            const ok_b = b0 - b0 == 0;
            self.bad_samples +%= @as(u32, @intFromBool(!ok_a)) + @intFromBool(!ok_b);
            const a = if (ok_a) a0 else 0;
            const b = if (ok_b) b0 else 0;
            tlr += a * b;
            tll += a * a;
            trr += b * b;
        }
        // Finite samples whose squares overflow f32 (|x| > 1.8e19): nothing sensible to meter.
        if (!(tlr - tlr == 0 and tll - tll == 0 and trr - trr == 0)) return;
    }
    const nf: f32 = @floatFromInt(n);
    const a = @exp(self.ln_decay * nf);
    const w = (1 - a) / nf;
    self.lr = self.lr * a + w * tlr;
    self.ll = self.ll * a + w * tll;
    self.rr = self.rr * a + w * trr;
    if (self.ll < 1e-30) self.ll = 0;
    if (self.rr < 1e-30) self.rr = 0;
    if (@fabs(self.lr) < 1e-30) self.lr = 0;
}

/// The correlation in [−1, +1]; 0 in silence.
pub fn value(self: *const Correlation) f32 {
    const d = self.ll * self.rr;
    if (!(d > 1e-20)) return 0;
    return std.math.clamp(self.lr / @sqrt(d), -1, 1);
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

fn run(m: *Correlation, seconds: f32, gen: anytype) void {
    var l: [128]f32 = undefined;
    var r: [128]f32 = undefined;
    const quanta: usize = @intFromFloat(seconds * m.sample_rate / 128);
    for (0..quanta) |_| {
        gen.fill(&l, &r);
        m.process(&l, &r);
    }
}

const Noise = struct {
    rnd: std.rand.Random,
    mode: enum { same, independent, inverted },
    fn fill(self: @This(), l: []f32, r: []f32) void {
        for (l, r) |*a, *b| {
            a.* = self.rnd.float(f32) * 2 - 1;
            b.* = switch (self.mode) {
                .same => a.*,
                .inverted => -a.*,
                .independent => self.rnd.float(f32) * 2 - 1,
            };
        }
    }
};

test "identical, independent and inverted noise read +1, 0 (±0.05) and −1" {
    var prng = std.rand.DefaultPrng.init(42);
    for ([_]f32{ 44100, 48000, 96000 }) |fs| {
        var m = Correlation.init(fs);
        run(&m, 2, Noise{ .rnd = prng.random(), .mode = .same });
        try testing.expectApproxEqAbs(@as(f32, 1), m.value(), 1e-5);
        // Independent: after 2 s (≫ τ) the estimate has ~2τ·fs = 28800 effective samples, so
        // its standard deviation is ≈ 0.006; the ±0.05 bound is ~8σ, and the seed is fixed.
        m.reset();
        run(&m, 2, Noise{ .rnd = prng.random(), .mode = .independent });
        try testing.expectApproxEqAbs(@as(f32, 0), m.value(), 0.05);
        m.reset();
        run(&m, 2, Noise{ .rnd = prng.random(), .mode = .inverted });
        try testing.expectApproxEqAbs(@as(f32, -1), m.value(), 1e-5);
    }
}

test "a sine against its 90° shifted copy reads 0; level differences do not matter; silence reads 0" {
    var m = Correlation.init(48000);
    const Quad = struct {
        n: *usize,
        fn fill(self: @This(), l: []f32, r: []f32) void {
            for (l, r) |*a, *b| {
                const t: f32 = @floatFromInt(self.n.*);
                a.* = @sin(2 * std.math.pi * 1000 * t / 48000);
                b.* = 0.01 * @cos(2 * std.math.pi * 1000 * t / 48000);
                self.n.* += 1;
            }
        }
    };
    var n: usize = 0;
    run(&m, 1, Quad{ .n = &n });
    try testing.expectApproxEqAbs(@as(f32, 0), m.value(), 0.01);
    const Silence = struct {
        fn fill(_: @This(), l: []f32, r: []f32) void {
            @memset(l, 0);
            @memset(r, 0);
        }
    };
    run(&m, 30, Silence{});
    try testing.expectEqual(@as(f32, 0), m.value());
    try testing.expectEqual(@as(f32, 0), m.ll);
}

test "time constant: a switch from +1 to −1 crosses 0 after τ·ln 2" {
    var m = Correlation.init(48000);
    var prng = std.rand.DefaultPrng.init(1);
    run(&m, 3, Noise{ .rnd = prng.random(), .mode = .same });
    // After the switch ⟨LR⟩ = ⟨L²⟩(2a^k − 1) with a^k = exp(−t/τ): zero at t = τ·ln 2 = 208 ms.
    var l: [128]f32 = undefined;
    var r: [128]f32 = undefined;
    var q: usize = 0;
    const g = Noise{ .rnd = prng.random(), .mode = .inverted };
    while (m.value() > 0) : (q += 1) {
        g.fill(&l, &r);
        m.process(&l, &r);
    }
    const t_ms = @as(f32, @floatFromInt(q * 128)) / 48.0;
    try testing.expectApproxEqAbs(@as(f32, 300 * std.math.ln2), t_ms, 8);
}

test "NaN and Inf samples are counted and do not poison the averages" {
    var m = Correlation.init(48000);
    var l = [_]f32{0.5} ** 128;
    var r = [_]f32{0.5} ** 128;
    l[3] = std.math.nan(f32);
    r[7] = std.math.inf(f32);
    m.process(&l, &r);
    try testing.expectEqual(@as(u32, 2), m.bad_samples);
    try testing.expect(std.math.isFinite(m.lr) and std.math.isFinite(m.ll));
    try testing.expect(m.value() > 0.99);
}
