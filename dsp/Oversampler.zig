//! 4x oversampling for memoryless nonlinearities (the drum bus's drive and crunch), as cascaded
//! polyphase 2x stages (the multistage design of Crochiere & Rabiner, "Multirate Digital Signal
//! Processing", 1983, ch. 5; halfband filters as in Valimaki & Bilbao et al.'s anti-aliasing
//! surveys). All filters are linear-phase FIRs designed at compile time with a Kaiser window
//! (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function", 1974),
//! stopband 80 dB (β = 0.1102·(80 − 8.7)):
//!
//! * up 1x→2x: halfband, 63 taps (transition fs·[0.42, 0.58]); its even phase is a pure delay,
//!   so one 32-tap dot product per input frame;
//! * up 2x→4x and down 4x→2x: halfband, 23 taps (content above fs/2 is already 80 dB down);
//! * down 2x→1x: a full 121-tap low-pass with its transition at fs·[0.417, 0.5] (20 .. 24 kHz at
//!   48 kHz), not a halfband: a halfband's transition is centred on fs/2, and would let harmonics
//!   just above fs/2 fold back into 20 .. 24 kHz.
//!
//! Latency: (2·16 − 1)/2 + 2·(2·6 − 1)/4 + (121 − 1)/4 = 51 frames at the base rate (exact, an
//! integer by the choice of lengths), so a dry path delayed by `latency` lines up with the wet one.
//! Dot products run over taps with `@Vector(4, f32)` on contiguous history, per channel.
const std = @import("std");
const kaiser_window = @import("kaiser.zig").window;

pub const V = @Vector(4, f32);
pub const factor = 4;
pub const latency = 51;

const beta: f64 = 0.1102 * (80.0 - 8.7);

fn kaiser(i: usize, n: usize) f64 {
    const r = 2.0 * @as(f64, @floatFromInt(i)) / @as(f64, @floatFromInt(n - 1)) - 1.0;
    return kaiser_window(beta, r);
}

/// Windowed-sinc low-pass of `n` taps (odd), cutoff `fc` in cycles per sample, DC gain 1, padded
/// with zeros to `p` taps.
fn lowpass(comptime n: usize, comptime p: usize, comptime fc: f64) [p]f32 {
    @setEvalBranchQuota(200000);
    var h: [n]f64 = undefined;
    var sum: f64 = 0;
    const m = @as(f64, @floatFromInt(n - 1)) / 2;
    for (&h, 0..) |*v, i| {
        const t = @as(f64, @floatFromInt(i)) - m;
        const s = if (t == 0) 2 * fc else @sin(2 * std.math.pi * fc * t) / (std.math.pi * t);
        v.* = s * kaiser(i, n);
        sum += v.*;
    }
    var out = [_]f32{0} ** p;
    for (h, 0..) |v, i| out[i] = @floatCast(v / sum);
    return out;
}

/// Halfband of 4K − 1 taps (cutoff 1/4): taps at even offsets from the centre are 0 and the centre
/// is ½; the odd taps are normalised to sum to ½, so both polyphase branches have DC gain ½.
fn halfband(comptime k: usize) [4 * k - 1]f64 {
    @setEvalBranchQuota(200000);
    const n = 4 * k - 1;
    var h: [n]f64 = undefined;
    var odd: f64 = 0;
    const c = 2 * k - 1;
    for (&h, 0..) |*v, i| {
        const t = @as(f64, @floatFromInt(i)) - @as(f64, @floatFromInt(c));
        if (i == c) {
            v.* = 0.5;
        } else if ((i + c) % 2 == 0) {
            v.* = 0;
        } else {
            v.* = @sin(std.math.pi * t / 2) / (std.math.pi * t) * kaiser(i, n);
            odd += v.*;
        }
    }
    for (&h, 0..) |*v, i| {
        if (i != c and (i + c) % 2 == 1) v.* *= 0.5 / odd;
    }
    return h;
}

/// Interpolate by 2 with a halfband of 4K − 1 taps: out[2n] = Σ_j c_j·x[n − j] (c_j = 2·h[2j]),
/// out[2n + 1] = x[n − K + 1] (the centre tap). Delay 2K − 1 output frames.
pub fn Up(comptime k: usize, comptime max_in: usize) type {
    return struct {
        const Self = @This();
        const hist_len = 2 * k - 1;
        pub const coefs: [2 * k]f32 = blk: {
            const h = halfband(k);
            var c: [2 * k]f32 = undefined;
            for (&c, 0..) |*v, j| v.* = @floatCast(2 * h[2 * j]);
            break :blk c;
        };
        hist: [hist_len]f32 = [_]f32{0} ** hist_len,

        pub fn run(self: *Self, x: []const f32, out: []f32) void {
            var buf: [hist_len + max_in]f32 = undefined;
            @memcpy(buf[0..hist_len], &self.hist);
            @memcpy(buf[hist_len..][0..x.len], x);
            for (0..x.len) |n| {
                out[2 * n] = dot(2 * k, &coefs, buf[n..][0 .. 2 * k]);
                out[2 * n + 1] = buf[n + k];
            }
            @memcpy(&self.hist, buf[x.len..][0..hist_len]);
        }
    };
}

/// Decimate by 2 with a linear-phase FIR `h` of `n` taps (odd) padded to `p`: y[m] = Σ h[i]·v[2m − i].
/// Delay (n − 1)/2 input frames.
pub fn Down(comptime n: usize, comptime p: usize, comptime h: [p]f32, comptime max_in: usize) type {
    return struct {
        const Self = @This();
        const hist_len = n - 1;
        pub const coefs = h;
        hist: [hist_len]f32 = [_]f32{0} ** hist_len,

        pub fn run(self: *Self, v: []const f32, out: []f32) void {
            // p − n zero taps may read past the last input: keep that slack in the buffer.
            var buf: [hist_len + max_in + p]f32 = undefined;
            @memcpy(buf[0..hist_len], &self.hist);
            @memcpy(buf[hist_len..][0..v.len], v);
            @memset(buf[hist_len + v.len ..][0 .. p - n], 0);
            for (out[0 .. v.len / 2], 0..) |*y, m| y.* = dot(p, &coefs, buf[2 * m ..][0..p]);
            @memcpy(&self.hist, buf[v.len..][0..hist_len]);
        }
    };
}

inline fn dot(comptime p: usize, a: *const [p]f32, b: *const [p]f32) f32 {
    var acc: V = @splat(0);
    comptime var i = 0;
    inline while (i < p) : (i += 4) {
        const x: V = a[i..][0..4].*;
        const y: V = b[i..][0..4].*;
        acc += x * y;
    }
    return @reduce(.Add, acc);
}

const k1 = 16;
const k2 = 6;
const n_final = 121;

fn halfbandPadded(comptime k: usize) [4 * k]f32 {
    const h = halfband(k);
    var out = [_]f32{0} ** (4 * k);
    for (h, 0..) |v, i| out[i] = @floatCast(v);
    return out;
}

/// One channel's oversampler for blocks of up to `max_in` base frames.
pub fn Channel(comptime max_in: usize) type {
    return struct {
        const Self = @This();
        up1: Up(k1, max_in) = .{},
        up2: Up(k2, 2 * max_in) = .{},
        down2: Down(4 * k2 - 1, 4 * k2, halfbandPadded(k2), 4 * max_in) = .{},
        down1: Down(n_final, 124, lowpass(n_final, 124, 22.0 / 96.0), 2 * max_in) = .{},

        /// `x` (n base frames) → `hi` (4n frames at 4x).
        pub fn up(self: *Self, x: []const f32, hi: []f32) void {
            var mid: [2 * max_in]f32 = undefined;
            self.up1.run(x, mid[0 .. 2 * x.len]);
            self.up2.run(mid[0 .. 2 * x.len], hi[0 .. 4 * x.len]);
        }

        /// `hi` (4n frames at 4x) → `y` (n base frames).
        pub fn down(self: *Self, hi: []const f32, y: []f32) void {
            var mid: [2 * max_in]f32 = undefined;
            self.down2.run(hi, mid[0 .. hi.len / 2]);
            self.down1.run(mid[0 .. hi.len / 2], y[0 .. hi.len / 4]);
        }

        pub fn reset(self: *Self) void {
            self.* = .{};
        }
    };
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

test "up then down is a delay of `latency` frames with a flat passband" {
    const C = Channel(128);
    var ch = C{};
    var x: [128 * 8]f32 = [_]f32{0} ** (128 * 8);
    x[100] = 1;
    var y: [128 * 8]f32 = undefined;
    var hi: [512]f32 = undefined;
    for (0..8) |b| {
        ch.up(x[b * 128 ..][0..128], &hi);
        ch.down(&hi, y[b * 128 ..][0..128]);
    }
    var at: usize = 0;
    for (y, 0..) |v, i| {
        if (@fabs(v) > @fabs(y[at])) at = i;
    }
    try testing.expectEqual(@as(usize, 100 + latency), at);
    // Magnitude response of the chain (DTFT of its impulse response).
    const TptSvf = @import("TptSvf.zig");
    for ([_]f64{ 100, 1000, 5000, 10000, 15000, 19000 }) |hz| {
        try testing.expectApproxEqAbs(@as(f64, 1), TptSvf.dtftMag(&y, hz, 48000), 0.003); // ±0.03 dB
    }
    for ([_]f64{ 24000 }) |hz| {
        try testing.expect(TptSvf.dtftMag(&y, hz, 48000) < 1e-3);
    }
}

test "the final decimator rejects 24 .. 48 kHz (at 96 kHz) by 75 dB" {
    const TptSvf = @import("TptSvf.zig");
    const h = lowpass(n_final, 124, 22.0 / 96.0);
    var hz: f64 = 24000;
    while (hz <= 48000) : (hz += 250) {
        try testing.expect(TptSvf.dtftMag(&h, hz, 96000) < 1.8e-4);
    }
    try testing.expectApproxEqAbs(@as(f64, 1), TptSvf.dtftMag(&h, 20000, 96000), 0.002);
}
