//! On-demand analysis of one strip (channel, bus or master): the switchboard the mixer calls once
//! per quantum with the strip's post-fader stereo output. Each kind runs only while its bit is
//! set in `mask`, i.e. while some element reads it ("analysis runs only for what someone reads",
//! DESIGN.md); a strip with mask 0 costs one branch.
//!
//!   kind          unit              state          where it lives
//!   peak          TruePeak (SP)     0.4 KB         inline (shared with true_peak)
//!   true_peak     TruePeak          0.4 KB         inline
//!   correlation   Correlation       24 B           inline
//!   loudness      Loudness          13 KB          pointer, from a pool
//!   spectrum      Spectrum          229 KB         pointer, from a pool
//!   scope         Scope             32 KB          pointer, from a pool
//!
//! (sizes are `@sizeOf`, checked in the first test below.)
//!
//! Wiring (for the lead, after #11): the control block carries a per-strip request mask (bit per
//! `Kind`) written by the elements that read; before a quantum the worklet/mixer calls
//! `setMask`, which resets each newly enabled kind (so windows never span a gap) and, for the
//! pooled kinds, needs `loudness`/`spectrum`/`scope` pointing at a free pool entry (`setMask`
//! leaves a pooled kind off while its pointer is null, so a full pool degrades to "not measured",
//! never a crash). Results are plain fields the publisher copies to shared slots at display rate;
//! `Spectrum.analyze` is the only display-rate computation and is the publisher's call, not this
//! per-quantum path. Nothing here allocates; every unit replaces non-finite input by 0.
const std = @import("std");
const TruePeak = @import("TruePeak.zig");
const Loudness = @import("Loudness.zig");
const Correlation = @import("Correlation.zig");
const Spectrum = @import("Spectrum.zig");
const Scope = @import("Scope.zig");

const Analysis = @This();

pub const Kind = enum(u5) { peak, true_peak, correlation, loudness, spectrum, scope };

pub fn bit(k: Kind) u32 {
    return @as(u32, 1) << @intFromEnum(k);
}

/// Kinds running now (bits of `Kind`).
mask: u32 = 0,
peaks: TruePeak,
correlation: Correlation,
loudness: ?*Loudness = null,
spectrum: ?*Spectrum = null,
scope: ?*Scope = null,

pub fn init(sample_rate: f32) Analysis {
    return .{ .peaks = TruePeak.init(sample_rate), .correlation = Correlation.init(sample_rate) };
}

/// Switch kinds on and off. Newly enabled kinds are reset; pooled kinds without a unit stay off.
/// Call between quanta (the mixer does it when the request mask changed).
pub fn setMask(self: *Analysis, requested: u32) void {
    var m = requested & ((1 << @typeInfo(Kind).Enum.fields.len) - 1);
    if (self.loudness == null) m &= ~bit(.loudness);
    if (self.spectrum == null) m &= ~bit(.spectrum);
    if (self.scope == null) m &= ~bit(.scope);
    const on = m & ~self.mask;
    if (on & (bit(.peak) | bit(.true_peak)) != 0 and self.mask & (bit(.peak) | bit(.true_peak)) == 0) {
        self.peaks.reset();
    } else if (on & bit(.true_peak) != 0) {
        // The sample peak kept running: only the interpolator's history and readings are stale.
        self.peaks.resetTruePeak();
    }
    if (on & bit(.correlation) != 0) self.correlation.reset();
    if (on & bit(.loudness) != 0) self.loudness.?.reset();
    if (on & bit(.scope) != 0) self.scope.?.reset();
    self.mask = m;
}

/// Feed one quantum of the strip's output. Real-time safe.
pub fn process(self: *Analysis, l: []const f32, r: []const f32) void {
    const m = self.mask;
    if (m == 0) return;
    if (m & bit(.true_peak) != 0) {
        self.peaks.process(l, r);
    } else if (m & bit(.peak) != 0) {
        self.peaks.processSamplePeak(l, r);
    }
    if (m & bit(.correlation) != 0) self.correlation.process(l, r);
    // `if (ptr) |u|`, not `.?`: a unit detached without clearing its bit is skipped, not a trap.
    if (m & bit(.loudness) != 0) if (self.loudness) |u| u.process(&.{ l, r });
    if (m & bit(.spectrum) != 0) if (self.spectrum) |u| u.push(l, r);
    if (m & bit(.scope) != 0) if (self.scope) |u| u.push(l, r);
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

var test_loudness: Loudness = undefined;
var test_spectrum: Spectrum = undefined;
var test_scope: Scope = undefined;

test "only requested kinds run; enabling resets; a pooled kind without a unit stays off" {
    // The memory figures in the header.
    try testing.expect(@sizeOf(TruePeak) < 512);
    try testing.expect(@sizeOf(Loudness) < 13 * 1024 + 512);
    try testing.expect(@sizeOf(Spectrum) < 230 * 1024);
    try testing.expect(@sizeOf(Scope) < 33 * 1024);
    var a = Analysis.init(48000);
    // ±0.5 at fs/2: a peak of 0.5, and loud after K-weighting (which removes DC).
    var q: [128]f32 = undefined;
    for (&q, 0..) |*x, i| x.* = if (i % 2 == 0) 0.5 else -0.5;
    a.process(&q, &q);
    try testing.expectEqual(@as(f32, 0), a.peaks.peak[0].level);
    a.setMask(bit(.peak) | bit(.loudness));
    try testing.expectEqual(bit(.peak), a.mask);
    a.process(&q, &q);
    try testing.expectEqual(@as(f32, 0.5), a.peaks.peak[0].level);
    try testing.expectEqual(@as(f32, 0), a.peaks.tp_max[0]); // true peak not requested
    test_loudness = Loudness.init(48000);
    a.loudness = &test_loudness;
    a.setMask(bit(.peak) | bit(.loudness) | bit(.correlation));
    for (0..400) |_| a.process(&q, &q);
    try testing.expect(test_loudness.momentary() > -10);
    try testing.expectApproxEqAbs(@as(f32, 1), a.correlation.value(), 1e-5);
    // Off, then on again: the correlation starts from scratch (reads 0 until fed).
    a.setMask(bit(.peak));
    a.setMask(bit(.peak) | bit(.correlation));
    try testing.expectEqual(@as(f32, 0), a.correlation.value());
}

test "bench: analysis cost per strip and kind, µs per 128-frame quantum (ReleaseSafe/Fast only)" {
    if (@import("builtin").mode == .Debug) return error.SkipZigTest;
    test_loudness = Loudness.init(48000);
    test_spectrum.init();
    test_scope = .{};
    var a = Analysis.init(48000);
    a.loudness = &test_loudness;
    a.spectrum = &test_spectrum;
    a.scope = &test_scope;
    var prng = std.rand.DefaultPrng.init(11);
    // Fresh noise per quantum (a repeated block would be periodic: most FFT bins exactly 0).
    const S = struct {
        var l: [48000]f32 = undefined;
        var r: [48000]f32 = undefined;
    };
    for (&S.l, &S.r) |*x, *y| {
        x.* = prng.random().float(f32) - 0.5;
        y.* = prng.random().float(f32) - 0.5;
    }
    const n = 4000;
    std.debug.print("\nanalysis cost per strip (native, this build mode), µs per quantum:\n", .{});
    inline for (.{ .peak, .true_peak, .correlation, .loudness, .spectrum, .scope }) |k| {
        a.setMask(bit(k));
        var timer = try std.time.Timer.start();
        var at: usize = 0;
        for (0..n) |_| {
            a.process(S.l[at..][0..128], S.r[at..][0..128]);
            at = if (at + 256 > S.l.len) 0 else at + 128;
        }
        const ns = timer.read();
        std.debug.print("  {s}: {d:.3}\n", .{ @tagName(k), @as(f64, @floatFromInt(ns)) / n / 1000 });
    }
    for (Spectrum.sizes) |size| {
        try test_spectrum.setSize(size);
        var timer = try std.time.Timer.start();
        for (0..50) |_| test_spectrum.analyze();
        const ns = timer.read();
        std.debug.print("  spectrum.analyze({d}): {d:.1} µs per call\n", .{ size, @as(f64, @floatFromInt(ns)) / 50 / 1000 });
    }
    var out: [1024]f32 = undefined;
    var timer = try std.time.Timer.start();
    for (0..200) |_| std.mem.doNotOptimizeAway(test_scope.capture(&out));
    std.debug.print("  scope.capture(1024): {d:.1} µs per call\n", .{@as(f64, @floatFromInt(timer.read())) / 200 / 1000});
}
