//! Programme loudness after ITU-R BS.1770-4 and EBU R 128: K-weighting, momentary (400 ms),
//! short-term (3 s), integrated (gated) loudness, and loudness range after EBU Tech 3342.
//! Tested against the EBU Tech 3341 / 3342 minimum-requirement signals, generated in the tests.
//!
//! K-weighting (BS.1770-4 Annex 1) is two biquads per channel. The standard prints their
//! coefficients for 48 kHz only; here they are derived for any rate from the analog prototypes
//! with the bilinear transform, prewarped at f0 (s normalised to 2π·f0, K = tan(π·f0/fs)):
//!
//!   stage 1, high shelf   H(s) = (Vh·s² + (Vb/Q)·s + 1) / (s² + s/Q + 1)
//!            f0 = 1681.974450955533 Hz, Q = 0.7071752369554196, Vh = 10^(G/20),
//!            G = 3.999843853973347 dB, Vb = Vh^0.4996667741545416
//!   stage 2, high pass    H(s) = s² / (s² + s/Q + 1),  f0 = 38.13547087602444 Hz,
//!            Q = 0.5003270373238773; numerator left as (1, −2, 1) as printed in the standard
//!
//! (prototype parameters fitted to the printed 48 kHz coefficients by B. De Man / Raiden, as used
//! by libebur128). At 48 kHz the derived coefficients equal the printed ones to their 14
//! decimals (the test allows half a unit of the last printed digit, 5e-15; the difference is
//! ≤ 9e-16, f64 rounding).
//!
//! Measurement (BS.1770-4 §2, EBU Tech 3341 §2): the weighted mean square of each channel is
//! summed over 100 ms sub-blocks, z = Σ G_i·mean(y_i²) with G = 1 (L, R, C) and 1.41 (Ls, Rs);
//! loudness L = −0.691 + 10·log10(z). Momentary = mean of the last 4 sub-blocks (400 ms),
//! short-term = mean of the last 30 (3 s), both updated every 100 ms (a window reaching before
//! the first sample counts that time as silence).
//!
//! Integrated loudness: the 400 ms momentary blocks with 75 % overlap (one every 100 ms) above the
//! absolute gate (L > −70 LUFS) go into a fixed histogram of `bins` bins of 0.1 LU from −70 to
//! +10 LUFS (louder blocks share the top bin). Each bin keeps its block count and the exact sum
//! of its blocks' energies (f64), and the running total over all of them is kept too. So the
//! relative gate Γr = L(mean of all abs-gated blocks) − 10 LU is exact, and the integrated value
//! = L(Σ sums / Σ counts over the bins kept) is exact for every block outside Γr's bin: the only
//! approximation is that a bin is kept whole when its centre is ≥ Γr, so a block can be gated
//! wrongly only if it lies within 0.05 LU of Γr. Such a block has 10^(−1) of the gated mean's
//! power to within 1.2 %, so even if a fraction f of all kept blocks sat in that 0.05 LU sliver,
//! the result moves by at most 10·log10(1 + 0.9·f) LU: < 0.1 LU for f < 2.6 %. No growing
//! memory, no block list; hours of programme cost the same 800 bins.
//!
//! Loudness range (EBU Tech 3342): short-term values (3 s, every 100 ms) above −70 LUFS go into a
//! second histogram of the same bins (counts) with a running energy total; relative gate −20 LU
//! below their power mean; LRA = L95 − L10 of the values kept (nearest rank on the bin centres,
//! ≤ 0.05 LU quantisation each end, so ≤ 0.1 LU against the ±1 LU requirement).
//!
//! API for the mixer (the render path): a plain struct (≈ 13 KB, of which 12.8 KB histograms),
//! `init(fs)` once, `process(&.{l, r})` per quantum with any slice length (sub-block boundaries
//! fall anywhere inside a quantum), nothing allocated. Cost: 2 biquads (f64) per channel per
//! sample, a log10 every 100 ms. Readers: `momentary()`, `shortTerm()`, `integrated()`,
//! `loudnessRange()` (the last two walk the 800 bins: call them at display rate, not per quantum),
//! `resetIntegrated()` (the meter's reset button). Enable/disable = call or don't call `process`;
//! `reset()` when re-enabling so the windows do not span the gap. Non-finite input samples count
//! as 0 (and are counted in `bad_samples`); filter state below 1e-30 is flushed to 0 after each
//! call, so silence never leaves f64 denormals in it.
const std = @import("std");

const Loudness = @This();

/// Channels one meter can take (BS.1770 5.0: L, R, C, Ls, Rs).
pub const max_channels = 5;
/// Channel weights G_i for L, R, C, Ls, Rs (BS.1770-4 Table 3).
pub const weights = [max_channels]f64{ 1.0, 1.0, 1.0, 1.41, 1.41 };
/// Short-term window in 100 ms sub-blocks (3 s); momentary is the last 4.
pub const short_subblocks = 30;
pub const momentary_subblocks = 4;
/// Histogram: 0.1 LU bins from −70 LUFS (`hist_floor`) up to +10 LUFS.
pub const bin_lu = 0.1;
pub const hist_floor = -70.0;
pub const bins = 800;
/// Absolute gate (BS.1770-4 and Tech 3342), LUFS; relative gates in LU.
pub const absolute_gate = -70.0;
pub const relative_gate_integrated = -10.0;
pub const relative_gate_lra = -20.0;

/// Biquad coefficients (a0 = 1), f64.
pub const Coeffs = struct {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
};

/// K-weighting stage 1 (high shelf) for a sample rate in Hz, bilinear transform of the prototype.
pub fn stage1(sample_rate: f64) Coeffs {
    const f0 = 1681.974450955533;
    const g_db = 3.999843853973347;
    const q = 0.7071752369554196;
    const k = @tan(std.math.pi * f0 / sample_rate);
    const vh = std.math.pow(f64, 10.0, g_db / 20.0);
    const vb = std.math.pow(f64, vh, 0.4996667741545416);
    const a0 = 1.0 + k / q + k * k;
    return .{
        .b0 = (vh + vb * k / q + k * k) / a0,
        .b1 = 2.0 * (k * k - vh) / a0,
        .b2 = (vh - vb * k / q + k * k) / a0,
        .a1 = 2.0 * (k * k - 1.0) / a0,
        .a2 = (1.0 - k / q + k * k) / a0,
    };
}

/// K-weighting stage 2 (RLB high pass) for a sample rate in Hz.
pub fn stage2(sample_rate: f64) Coeffs {
    const f0 = 38.13547087602444;
    const q = 0.5003270373238773;
    const k = @tan(std.math.pi * f0 / sample_rate);
    const a0 = 1.0 + k / q + k * k;
    return .{ .b0 = 1.0, .b1 = -2.0, .b2 = 1.0, .a1 = 2.0 * (k * k - 1.0) / a0, .a2 = (1.0 - k / q + k * k) / a0 };
}

/// Transposed direct form II state of one biquad.
const State = struct { s1: f64 = 0, s2: f64 = 0 };

c1: Coeffs,
c2: Coeffs,
st1: [max_channels]State = [_]State{.{}} ** max_channels,
st2: [max_channels]State = [_]State{.{}} ** max_channels,
/// Samples per 100 ms sub-block (round(fs/10)).
sub_len: u32,
/// Samples accumulated in the current sub-block, and their weighted Σy² (summed over channels).
sub_pos: u32 = 0,
sub_acc: f64 = 0,
/// The last 30 sub-block energies (mean weighted square), ring; `sub_count` saturates at 2^31.
ring: [short_subblocks]f64 = [_]f64{0} ** short_subblocks,
ring_pos: u32 = 0,
sub_count: u32 = 0,
/// Latest momentary and short-term energies z (updated every 100 ms).
z_momentary: f64 = 0,
z_short: f64 = 0,
/// Integrated: abs-gated 400 ms blocks per bin (count and energy sum) and their totals.
int_count: [bins]u32 = [_]u32{0} ** bins,
int_sum: [bins]f64 = [_]f64{0} ** bins,
int_total_n: u64 = 0,
int_total_e: f64 = 0,
/// Loudness range: abs-gated short-term values per bin, and their energy total.
lra_count: [bins]u32 = [_]u32{0} ** bins,
lra_total_n: u64 = 0,
lra_total_e: f64 = 0,
/// Largest momentary / short-term loudness since `resetIntegrated` (LUFS; −inf before any).
max_momentary: f32 = -std.math.inf(f32),
max_short: f32 = -std.math.inf(f32),
/// Non-finite input samples replaced by 0 (running).
bad_samples: u32 = 0,

/// A meter for a sample rate in Hz (non-finite or outside 8 kHz..384 kHz falls back to 48 kHz).
pub fn init(sample_rate: f32) Loudness {
    const fs: f64 = if (std.math.isFinite(sample_rate) and sample_rate >= 8000 and sample_rate <= 384000) sample_rate else 48000;
    return .{
        .c1 = stage1(fs),
        .c2 = stage2(fs),
        .sub_len = @intFromFloat(@round(fs / 10.0)),
    };
}

/// Clear everything (filters, windows, histograms), keeping the sample rate.
pub fn reset(self: *Loudness) void {
    // Field by field (no 13 KB temporary on the stack).
    self.st1 = [_]State{.{}} ** max_channels;
    self.st2 = [_]State{.{}} ** max_channels;
    self.sub_pos = 0;
    self.sub_acc = 0;
    @memset(&self.ring, 0);
    self.ring_pos = 0;
    self.sub_count = 0;
    self.z_momentary = 0;
    self.z_short = 0;
    self.resetIntegrated();
}

/// Start a new integrated / LRA / max measurement (momentary and short-term keep running).
pub fn resetIntegrated(self: *Loudness) void {
    @memset(&self.int_count, 0);
    @memset(&self.int_sum, 0);
    @memset(&self.lra_count, 0);
    self.int_total_n = 0;
    self.int_total_e = 0;
    self.lra_total_n = 0;
    self.lra_total_e = 0;
    self.max_momentary = -std.math.inf(f32);
    self.max_short = -std.math.inf(f32);
}

/// Measure one run of frames: `channels[i]` is channel i (L, R, C, Ls, Rs order; 1 to 5 of them,
/// all the same length; extra channels are ignored). Real-time safe.
pub fn process(self: *Loudness, channels: []const []const f32) void {
    const nch = @min(channels.len, max_channels);
    if (nch == 0) return;
    const n = channels[0].len;
    var done: usize = 0;
    while (done < n) {
        const take = @min(n - done, self.sub_len - self.sub_pos);
        for (0..nch) |c| {
            const len = @min(take, channels[c].len -| done);
            const ms = self.filterSquares(c, channels[c][done..][0..len]);
            self.sub_acc += weights[c] * ms;
        }
        done += take;
        self.sub_pos += @intCast(take);
        if (self.sub_pos == self.sub_len) self.endSubBlock();
    }
    for (0..nch) |c| {
        inline for (.{ &self.st1[c], &self.st2[c] }) |s| {
            if (@fabs(s.s1) < 1e-30) s.s1 = 0;
            if (@fabs(s.s2) < 1e-30) s.s2 = 0;
        }
    }
}

/// K-weight `x` through channel `c`'s filters; returns Σ y².
fn filterSquares(self: *Loudness, c: usize, x: []const f32) f64 {
    const a = self.c1;
    const b = self.c2;
    var s = self.st1[c];
    var t = self.st2[c];
    var acc: f64 = 0;
    var bad: u32 = 0;
    for (x) |xs| {
        var v: f64 = xs;
        // x − x is 0 for finite x, NaN for ±inf and NaN.
        if (!(v - v == 0)) {
            v = 0;
            bad += 1;
        }
        const y1 = a.b0 * v + s.s1;
        s.s1 = a.b1 * v - a.a1 * y1 + s.s2;
        s.s2 = a.b2 * v - a.a2 * y1;
        const y2 = b.b0 * y1 + t.s1;
        t.s1 = b.b1 * y1 - b.a1 * y2 + t.s2;
        t.s2 = b.b2 * y1 - b.a2 * y2;
        acc += y2 * y2;
    }
    self.st1[c] = s;
    self.st2[c] = t;
    self.bad_samples +%= bad;
    return acc;
}

fn endSubBlock(self: *Loudness) void {
    const z = self.sub_acc / @as(f64, @floatFromInt(self.sub_len));
    self.sub_acc = 0;
    self.sub_pos = 0;
    self.ring[self.ring_pos] = z;
    self.ring_pos = if (self.ring_pos + 1 == short_subblocks) 0 else self.ring_pos + 1;
    if (self.sub_count < (1 << 31)) self.sub_count += 1;

    var m: f64 = 0;
    var sum: f64 = 0;
    for (0..short_subblocks) |i| {
        // Age 0 is the newest sub-block.
        const age = (self.ring_pos + short_subblocks - 1 - i) % short_subblocks;
        if (i < momentary_subblocks) m += self.ring[age];
        sum += self.ring[age];
    }
    self.z_momentary = m / momentary_subblocks;
    self.z_short = sum / short_subblocks;

    if (self.sub_count >= momentary_subblocks) {
        const l = lufs(self.z_momentary);
        self.max_momentary = @max(self.max_momentary, @as(f32, @floatCast(l)));
        if (l > absolute_gate) {
            const b = binOf(l);
            self.int_count[b] += 1;
            self.int_sum[b] += self.z_momentary;
            self.int_total_n += 1;
            self.int_total_e += self.z_momentary;
        }
    }
    if (self.sub_count >= short_subblocks) {
        const l = lufs(self.z_short);
        self.max_short = @max(self.max_short, @as(f32, @floatCast(l)));
        if (l > absolute_gate) {
            self.lra_count[binOf(l)] += 1;
            self.lra_total_n += 1;
            self.lra_total_e += self.z_short;
        }
    }
}

/// Loudness of a mean weighted square, LUFS (−inf for 0).
pub fn lufs(z: f64) f64 {
    if (!(z > 0)) return -std.math.inf(f64);
    return -0.691 + 10.0 * @log10(z);
}

fn binOf(l: f64) usize {
    const b = @floor((l - hist_floor) / bin_lu);
    return if (b < 0) 0 else if (b >= bins - 1) bins - 1 else @intFromFloat(b);
}

fn binCentre(b: usize) f64 {
    return hist_floor + (@as(f64, @floatFromInt(b)) + 0.5) * bin_lu;
}

/// First bin whose centre is at or above `gate` LUFS.
fn firstBinAbove(gate: f64) usize {
    const b = @ceil((gate - hist_floor) / bin_lu - 0.5);
    return if (b < 0) 0 else if (b > bins) bins else @intFromFloat(b);
}

/// Momentary loudness (400 ms), LUFS; −inf in silence.
pub fn momentary(self: *const Loudness) f32 {
    return @floatCast(lufs(self.z_momentary));
}

/// Short-term loudness (3 s), LUFS; −inf in silence.
pub fn shortTerm(self: *const Loudness) f32 {
    return @floatCast(lufs(self.z_short));
}

/// Integrated (gated) loudness since `resetIntegrated`, LUFS; −inf before any block passed the
/// absolute gate. Walks the histogram: display rate, not per quantum.
pub fn integrated(self: *const Loudness) f32 {
    if (self.int_total_n == 0) return -std.math.inf(f32);
    const mean = self.int_total_e / @as(f64, @floatFromInt(self.int_total_n));
    const first = firstBinAbove(lufs(mean) + relative_gate_integrated);
    var n: u64 = 0;
    var e: f64 = 0;
    for (first..bins) |b| {
        n += self.int_count[b];
        e += self.int_sum[b];
    }
    if (n == 0) return -std.math.inf(f32);
    return @floatCast(lufs(e / @as(f64, @floatFromInt(n))));
}

/// Loudness range (EBU Tech 3342) since `resetIntegrated`, LU; 0 before any short-term value.
pub fn loudnessRange(self: *const Loudness) f32 {
    if (self.lra_total_n == 0) return 0;
    const mean = self.lra_total_e / @as(f64, @floatFromInt(self.lra_total_n));
    const first = firstBinAbove(lufs(mean) + relative_gate_lra);
    var n: u64 = 0;
    for (first..bins) |b| n += self.lra_count[b];
    if (n == 0) return 0;
    // Nearest rank on the sorted values: index floor((n−1)·p).
    const nf: f64 = @floatFromInt(n - 1);
    const lo_rank: u64 = @intFromFloat(@floor(nf * 0.10));
    const hi_rank: u64 = @intFromFloat(@floor(nf * 0.95));
    var lo: f64 = 0;
    var hi: f64 = 0;
    var seen: u64 = 0;
    for (first..bins) |b| {
        const c = self.lra_count[b];
        if (c == 0) continue;
        if (lo_rank >= seen and lo_rank < seen + c) lo = binCentre(b);
        if (hi_rank >= seen and hi_rank < seen + c) hi = binCentre(b);
        seen += c;
    }
    return @floatCast(hi - lo);
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

test "K-weighting coefficients at 48 kHz match BS.1770-4 Tables 1 and 2" {
    const s1 = stage1(48000);
    const s2 = stage2(48000);
    // Printed in ITU-R BS.1770-4 Annex 1 (14 decimals).
    const want1 = [_]f64{ 1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585 };
    const want2 = [_]f64{ 1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621 };
    const got1 = [_]f64{ s1.b0, s1.b1, s1.b2, s1.a1, s1.a2 };
    const got2 = [_]f64{ s2.b0, s2.b1, s2.b2, s2.a1, s2.a2 };
    for (want1, got1) |w, g| try testing.expectApproxEqAbs(w, g, 0.5e-14);
    for (want2, got2) |w, g| try testing.expectApproxEqAbs(w, g, 0.5e-14);
}

test "K-weighting response: +4 dB shelf, −∞ at DC, same curve at 44.1 and 96 kHz" {
    // |H(e^jw)| of the cascade against the analog prototype's magnitude at the prewarped frequency.
    for ([_]f64{ 44100, 48000, 96000 }) |fs| {
        const s1 = stage1(fs);
        const s2 = stage2(fs);
        for ([_]f64{ 20, 100, 1000, 4000, 10000 }) |f| {
            const got = mag(s1, f, fs) * mag(s2, f, fs);
            try testing.expect(std.math.isFinite(got));
            // Independent: the analog prototypes evaluated at the bilinear-prewarped frequency.
            const want = protoMag(f, fs);
            try testing.expectApproxEqRel(want, got, 1e-9);
        }
        // 997 Hz: the gain that −0.691 cancels at 48 kHz (so a 1 kHz sine reads its level); the
        // bilinear transform warps the shelf slightly differently at other rates (≤ 0.025 dB).
        const g1k = 20 * @log10(mag(s1, 997, fs) * mag(s2, 997, fs));
        try testing.expectApproxEqAbs(@as(f64, 0.691), g1k, @as(f64, if (fs == 48000) 0.001 else 0.025));
    }
}

fn mag(c: Coeffs, f: f64, fs: f64) f64 {
    const w = 2 * std.math.pi * f / fs;
    const cr = @cos(w);
    const ci = -@sin(w);
    const c2r = @cos(2 * w);
    const c2i = -@sin(2 * w);
    const nr = c.b0 + c.b1 * cr + c.b2 * c2r;
    const ni = c.b1 * ci + c.b2 * c2i;
    const dr = 1 + c.a1 * cr + c.a2 * c2r;
    const di = c.a1 * ci + c.a2 * c2i;
    return @sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

fn protoMag(f: f64, fs: f64) f64 {
    // Stage 1: H(s) = (Vh s² + Vb/Q s + 1)/(s² + s/Q + 1), s = jΩ with Ω = tan(πf/fs)/tan(πf0/fs).
    const vh = std.math.pow(f64, 10.0, 3.999843853973347 / 20.0);
    const vb = std.math.pow(f64, vh, 0.4996667741545416);
    const o1 = @tan(std.math.pi * f / fs) / @tan(std.math.pi * 1681.974450955533 / fs);
    const q1 = 0.7071752369554196;
    const h1 = @sqrt((std.math.pow(f64, 1 - vh * o1 * o1, 2) + std.math.pow(f64, vb * o1 / q1, 2)) /
        (std.math.pow(f64, 1 - o1 * o1, 2) + std.math.pow(f64, o1 / q1, 2)));
    // Stage 2: H(s) = s²/(s² + s/Q + 1).
    const k2 = @tan(std.math.pi * 38.13547087602444 / fs);
    const q2 = 0.5003270373238773;
    const o2 = @tan(std.math.pi * f / fs) / k2;
    const h2 = o2 * o2 / @sqrt(std.math.pow(f64, 1 - o2 * o2, 2) + std.math.pow(f64, o2 / q2, 2));
    // b = (1, −2, 1) as printed, not the normalised (1, −2, 1)/a0: a constant factor a0.
    const scale = 1 + k2 / q2 + k2 * k2;
    return h1 * h2 * scale;
}

/// Test-signal generator: stereo 1 kHz sine segments at given dBFS (peak) levels, fed in quanta of
/// 128 frames like the mixer does; `check` runs after every quantum.
const Seg = struct { db: f64, seconds: f64 };

fn feedSines(m: *Loudness, fs: f64, segs: []const Seg, nch: usize, ch_db_offset: [max_channels]f64, ctx: anytype) !void {
    var bufs: [max_channels][128]f32 = undefined;
    var phase: f64 = 0;
    const dphi = 2 * std.math.pi * 1000.0 / fs;
    var t: usize = 0;
    for (segs) |sg| {
        const frames: usize = @intFromFloat(@round(sg.seconds * fs));
        var done: usize = 0;
        while (done < frames) {
            const n = @min(128, frames - done);
            for (0..n) |i| {
                const s = @sin(phase);
                phase += dphi;
                if (phase > 2 * std.math.pi) phase -= 2 * std.math.pi;
                for (0..nch) |c| bufs[c][i] = @floatCast(s * std.math.pow(f64, 10, (sg.db + ch_db_offset[c]) / 20));
            }
            var sl: [max_channels][]const f32 = undefined;
            for (0..nch) |c| sl[c] = bufs[c][0..n];
            m.process(sl[0..nch]);
            done += n;
            t += n;
            try ctx.check(m, t);
        }
    }
}

const NoCheck = struct {
    fn check(_: NoCheck, _: *Loudness, _: usize) !void {}
};

fn runStereo(segs: []const Seg) !Loudness {
    var m = Loudness.init(48000);
    try feedSines(&m, 48000, segs, 2, .{0} ** max_channels, NoCheck{});
    return m;
}

test "EBU Tech 3341 cases 1 and 2: stereo 1 kHz at −23 and −33 dBFS read −23.0 / −33.0 (M, S, I)" {
    for ([_]f64{ -23, -33 }) |db| {
        const m = try runStereo(&.{.{ .db = db, .seconds = 20 }});
        try testing.expectApproxEqAbs(db, m.momentary(), 0.1);
        try testing.expectApproxEqAbs(db, m.shortTerm(), 0.1);
        try testing.expectApproxEqAbs(db, m.integrated(), 0.1);
    }
}

test "EBU Tech 3341 cases 3, 4, 5: gated sequences read −23.0 LUFS integrated" {
    // 3: relative gate removes the −36 dBFS parts.
    var m = try runStereo(&.{ .{ .db = -36, .seconds = 10 }, .{ .db = -23, .seconds = 60 }, .{ .db = -36, .seconds = 10 } });
    try testing.expectApproxEqAbs(@as(f32, -23), m.integrated(), 0.1);
    // 4: absolute gate removes the −72 dBFS parts, relative the −36.
    m = try runStereo(&.{
        .{ .db = -72, .seconds = 10 }, .{ .db = -36, .seconds = 10 }, .{ .db = -23, .seconds = 60 },
        .{ .db = -36, .seconds = 10 }, .{ .db = -72, .seconds = 10 },
    });
    try testing.expectApproxEqAbs(@as(f32, -23), m.integrated(), 0.1);
    // 5: nothing gated; the power mean of −26, −20, −26 is −23.
    m = try runStereo(&.{ .{ .db = -26, .seconds = 20 }, .{ .db = -20, .seconds = 20.1 }, .{ .db = -26, .seconds = 20 } });
    try testing.expectApproxEqAbs(@as(f32, -23), m.integrated(), 0.1);
}

test "the relative gate is what makes case 3 read −23: without it the same blocks read −24.2" {
    const m = try runStereo(&.{ .{ .db = -36, .seconds = 10 }, .{ .db = -23, .seconds = 60 }, .{ .db = -36, .seconds = 10 } });
    const ungated = lufs(m.int_total_e / @as(f64, @floatFromInt(m.int_total_n)));
    // Power mean of 20 s at −36 and 60 s at −23: 10·log10((20·10^−3.6 + 60·10^−2.3)/80) = −24.18.
    try testing.expectApproxEqAbs(@as(f64, -24.18), ungated, 0.05);
    try testing.expectApproxEqAbs(@as(f32, -23), m.integrated(), 0.1);
}

test "EBU Tech 3341 case 6: 5.0 channels with surround weights read −23.0 LUFS" {
    var m = Loudness.init(48000);
    // L, R −28; C −24; Ls, Rs −30 dBFS.
    try feedSines(&m, 48000, &.{.{ .db = 0, .seconds = 20 }}, 5, .{ -28, -28, -24, -30, -30 }, NoCheck{});
    try testing.expectApproxEqAbs(@as(f32, -23), m.integrated(), 0.1);
}

test "EBU Tech 3341 cases 9 and 12: short-term and momentary constant at −23.0 on bursts" {
    // 9: 20 × (1.34 s at −20 + 1.66 s at −30 dBFS): S = −23.0 ± 0.1 from 3 s on.
    const Check9 = struct {
        fn check(_: @This(), m: *Loudness, t: usize) !void {
            if (t >= 3 * 48000 + 4800 and m.sub_pos < 128) try testing.expectApproxEqAbs(@as(f32, -23), m.shortTerm(), 0.1);
        }
    };
    var m = Loudness.init(48000);
    var segs: [40]Seg = undefined;
    for (0..20) |i| {
        segs[2 * i] = .{ .db = -20, .seconds = 1.34 };
        segs[2 * i + 1] = .{ .db = -30, .seconds = 1.66 };
    }
    try feedSines(&m, 48000, &segs, 2, .{0} ** max_channels, Check9{});
    // 12: 25 × (0.18 s at −20 + 0.22 s at −30 dBFS): M = −23.0 ± 0.1 from 1 s on.
    const Check12 = struct {
        fn check(_: @This(), mm: *Loudness, t: usize) !void {
            if (t >= 48000 and mm.sub_pos < 128) try testing.expectApproxEqAbs(@as(f32, -23), mm.momentary(), 0.1);
        }
    };
    m = Loudness.init(48000);
    var segs12: [50]Seg = undefined;
    for (0..25) |i| {
        segs12[2 * i] = .{ .db = -20, .seconds = 0.18 };
        segs12[2 * i + 1] = .{ .db = -30, .seconds = 0.22 };
    }
    try feedSines(&m, 48000, &segs12, 2, .{0} ** max_channels, Check12{});
}

test "EBU Tech 3342 cases 1-4: loudness range within ±1 LU" {
    const cases = [_]struct { segs: []const Seg, lra: f32 }{
        .{ .segs = &.{ .{ .db = -20, .seconds = 20 }, .{ .db = -30, .seconds = 20 } }, .lra = 10 },
        .{ .segs = &.{ .{ .db = -20, .seconds = 20 }, .{ .db = -15, .seconds = 20 } }, .lra = 5 },
        .{ .segs = &.{ .{ .db = -40, .seconds = 20 }, .{ .db = -20, .seconds = 20 } }, .lra = 20 },
        .{ .segs = &.{
            .{ .db = -50, .seconds = 20 }, .{ .db = -35, .seconds = 20 }, .{ .db = -20, .seconds = 20 },
            .{ .db = -35, .seconds = 20 }, .{ .db = -50, .seconds = 20 },
        }, .lra = 15 },
    };
    for (cases) |c| {
        const m = try runStereo(c.segs);
        try testing.expectApproxEqAbs(c.lra, m.loudnessRange(), 1.0);
    }
}

test "44.1 kHz and odd quantum sizes measure the same; NaN input is counted and harmless" {
    var m = Loudness.init(44100);
    var buf: [97]f32 = undefined;
    var phase: f64 = 0;
    var i: usize = 0;
    while (i < 44100 * 5) : (i += buf.len) {
        for (&buf) |*x| {
            x.* = @floatCast(0.1 * @sin(phase)); // −20 dBFS
            phase += 2 * std.math.pi * 1000.0 / 44100.0;
        }
        if (i <= 44100 and i + buf.len > 44100) buf[3] = std.math.nan(f32);
        m.process(&.{ &buf, &buf });
    }
    try testing.expectEqual(@as(u32, 2), m.bad_samples);
    try testing.expectApproxEqAbs(@as(f32, -20), m.shortTerm(), 0.1);
    try testing.expectApproxEqAbs(@as(f32, -20), m.integrated(), 0.1);
    // Silence afterwards: momentary falls to −inf-ish, state is flushed, nothing non-finite.
    @memset(&buf, 0);
    for (0..44100 / buf.len * 4) |_| m.process(&.{ &buf, &buf });
    try testing.expect(m.momentary() < -150);
    try testing.expect(std.math.isFinite(m.integrated()));
    m.resetIntegrated();
    try testing.expect(m.integrated() == -std.math.inf(f32));
}
