//! Band-limited oscillator: mipmapped additive wavetables read with linear interpolation.
//!
//! Why not PolyBLEP: two-point PolyBLEP (Välimäki & Huovilainen 2007; Välimäki, Pekonen & Nam,
//! "Perceptually informed synthesis of bandlimited classical waveforms using integrated
//! polynomial interpolation", JASA 2012) leaves aliases around -30..-40 dB for a 5 kHz saw at
//! 48 kHz; we need >= 60 dB. Instead every table level holds an exactly band-limited Fourier
//! series (harmonics 1..H, H from `level_harmonics`), and a voice reads the level with the most
//! harmonics that all stay at or below Nyquist (H * f0 <= fs / 2). What remains is the error of the
//! linear interpolator: reading a periodic table of N points linearly turns harmonic h into images
//! at (kN +- h) f0 with relative amplitude ~ (h / (N - h))^2 (sinc^2 kernel), which then fold.
//! With N = 2048 and H <= 512 the worst image of a saw is below -73 dB (typically far lower:
//! a 5 kHz saw uses H = 4 and its images are near -110 dB). The sinc^2 droop of the interpolator
//! is pre-compensated in the stored harmonic amplitudes, so the passband stays flat.
//! (Mip-mapped wavetables: e.g. Massie, "Wavetable sampling synthesis", in Kahrs & Brandenburg,
//! Applications of DSP to Audio and Acoustics, 1998.)
//!
//! Square and pulse are the difference of two band-limited saws half/`pw` of a period apart
//! (Stilson & Smith, "Alias-free digital synthesis of classic analog waveforms", ICMC 1996), so
//! they are exactly as band-limited as the saw and DC-free for every pulse width.
//!
//! Phase is a wrapping u32 accumulator (2^32 = one period): it never drifts or grows, and its
//! frequency resolution is fs / 2^32 (~1e-5 Hz).
//!
//! Square has its own tables (the saw difference precomputed: one read instead of two). Each table
//! point is stored with the step to the next one, so a 4-voice renderer gathers one 8-byte point
//! per lane (`read4`).
const std = @import("std");
const contract = @import("contract.zig");

const Oscillator = @This();

/// Waveform selector shared with the parameter table.
pub const Wave = contract.Wave;

/// log2 of the table length.
pub const table_bits = 11;
/// Samples per table period (one guard sample follows, a copy of sample 0).
pub const table_len: usize = 1 << table_bits;
const frac_bits = 32 - table_bits;
const frac_mask: u32 = (@as(u32, 1) << frac_bits) - 1;
const frac_scale: f32 = 1.0 / @as(f32, @floatFromInt(@as(u32, 1) << frac_bits));

/// Number of harmonics in each mip level (ascending). Dense at the top of the range so a level
/// change during a glide swaps only one small harmonic near Nyquist; capped at 512 so the linear
/// interpolator's images stay below -70 dB (below ~47 Hz the top harmonics above 512 f0 are
/// omitted, all of them under -54 dB).
pub const level_harmonics = [_]u16{
    1,   2,   3,   4,   5,  6,  7,  8,  9,  10, 11,  12,  13,  14,  15,  16,
    19,  22,  26,  32,  38, 45, 53, 64, 76, 90, 107, 128, 152, 181, 215, 256,
    304, 362, 430, 512,
};
/// Number of mip levels of the saw table.
pub const num_levels = level_harmonics.len;
/// Triangle harmonics fall as 1/h^2, so levels above H = 64 (harmonic 65 is -72 dB) would add
/// nothing audible; the triangle table stops there.
pub const tri_levels = 24;
/// Highest harmonic stored in any table.
pub const max_harmonic: usize = 512;

/// One table point: the sample value and the step to the next point, `(t[j], t[j+1] - t[j])`, so
/// one 8-byte load feeds the linear interpolation `t[j] + step * frac`. (The step is the f32
/// difference the interpolator would compute anyway: results are bit-identical to reading two
/// plain samples.)
pub const Point = [2]f32;
/// Points per stored table row (one period).
pub const row_len = 1 << table_bits;
const Row = [row_len]Point;

/// The shared, read-only wavetables (about 1.6 MB). Filled once by `init` outside the audio path;
/// lives inside `VoicePool`. `extern` so the rows are contiguous: the 4-lane voice renderer
/// addresses every row as an offset (in points) from `flat()`; see `row`.
pub const Tables = extern struct {
    /// One period of sin(2 pi x).
    sine: Row,
    /// Rising band-limited saw (-1 .. 1 plus Gibbs ripple), one row per mip level.
    saw: [num_levels]Row,
    /// Band-limited square, saw(x - 1/2) - saw(x) per mip level (peaks near +-1): exactly what two
    /// saw reads half a period apart would give (the half-period shift is a whole number of table
    /// points, so both reads share one interpolation fraction), for the cost of one read.
    square: [num_levels]Row,
    /// Band-limited triangle (peak 1 at a quarter period), one row per mip level.
    tri: [tri_levels]Row,
    /// `level_of[H]` = index of the richest level with at most H harmonics.
    level_of: [max_harmonic + 1]u8,

    /// All rows as one array of points (row offsets from `row`).
    pub inline fn flat(self: *const Tables) [*]const Point {
        return @ptrCast(&self.sine);
    }

    /// Fills every table (about 1.5 M multiply-adds; call once at start-up, not per quantum).
    pub fn init(self: *Tables) void {
        var sin64: [table_len]f64 = undefined;
        for (&sin64, 0..) |*s, j| {
            s.* = @sin(2.0 * std.math.pi * @as(f64, @floatFromInt(j)) / @as(f64, @floatFromInt(table_len)));
        }
        var vals: [table_len]f32 = undefined;
        for (&vals, sin64) |*v, x| v.* = @floatCast(x);
        storePoints(&self.sine, &vals);

        var acc: [table_len]f64 = undefined;
        // Saw: 2x - 1 = -(2/pi) sum sin(2 pi h x) / h.
        @memset(&acc, 0);
        var h: usize = 1;
        for (level_harmonics, 0..) |top, m| {
            while (h <= top) : (h += 1) addHarmonic(&acc, &sin64, h, -2.0 / std.math.pi / @as(f64, @floatFromInt(h)));
            for (&vals, acc) |*v, x| v.* = @floatCast(x);
            storePoints(&self.saw[m], &vals);
            var sq: [table_len]f32 = undefined;
            for (&sq, 0..) |*v, j| v.* = vals[(j + table_len / 2) % table_len] - vals[j];
            storePoints(&self.square[m], &sq);
        }
        // Triangle: (8 / pi^2) sum_k (-1)^k sin(2 pi (2k+1) x) / (2k+1)^2.
        @memset(&acc, 0);
        h = 1;
        for (0..tri_levels) |m| {
            const top = level_harmonics[m];
            while (h <= top) : (h += 1) {
                if (h % 2 == 0) continue;
                const hf: f64 = @floatFromInt(h);
                const sign: f64 = if ((h / 2) % 2 == 0) 1.0 else -1.0;
                addHarmonic(&acc, &sin64, h, sign * 8.0 / (std.math.pi * std.math.pi) / (hf * hf));
            }
            for (&vals, acc) |*v, x| v.* = @floatCast(x);
            storePoints(&self.tri[m], &vals);
        }
        var m: usize = 0;
        for (&self.level_of, 0..) |*l, hh| {
            while (m + 1 < num_levels and level_harmonics[m + 1] <= hh) m += 1;
            l.* = @intCast(m);
        }
    }

    fn addHarmonic(acc: *[table_len]f64, sin64: *const [table_len]f64, h: usize, amp: f64) void {
        // Pre-emphasis: linear interpolation multiplies harmonic h by sinc^2(h / N); divide it out.
        const x = std.math.pi * @as(f64, @floatFromInt(h)) / @as(f64, @floatFromInt(table_len));
        const sinc = @sin(x) / x;
        const a = amp / (sinc * sinc);
        // sin(2 pi h j / N) is exactly the base table at index h*j mod N.
        for (acc, 0..) |*s, j| s.* += a * sin64[(h * j) & (table_len - 1)];
    }

    fn storePoints(dst: *Row, vals: *const [table_len]f32) void {
        for (dst, 0..) |*p, j| p.* = .{ vals[j], vals[(j + 1) % table_len] - vals[j] };
    }
};

/// Phase, 2^32 per period.
phase: u32 = 0,
/// Phase increment per sample.
inc: u32 = 0,
/// Mip level chosen by the last `setFrequency`.
level: u8 = 0,

/// Sets frequency `hz` at sample rate `fs` and picks the mip level whose harmonics all stay at or
/// below fs / 2. `hz` is clamped to [0, 0.49 fs] (non-finite becomes 0).
pub fn setFrequency(self: *Oscillator, tables: *const Tables, hz: f32, fs: f32) void {
    const t = tuning(tables, hz, fs);
    self.inc = t.inc;
    self.level = t.level;
}

/// Phase increment and mip level for frequency `hz` at `fs` (see `setFrequency`).
pub inline fn tuning(tables: *const Tables, hz: f32, fs: f32) struct { inc: u32, level: u8 } {
    var f = hz;
    if (!(f > 0)) f = 0; // also catches NaN
    f = @min(f, 0.49 * fs);
    const inc_f: f64 = @as(f64, f) / @as(f64, fs) * 4294967296.0;
    const hmax_f: f32 = if (f > 0) 0.5 * fs / f else @floatFromInt(max_harmonic);
    const hmax: usize = @intFromFloat(@min(@floor(hmax_f), @as(f32, @floatFromInt(max_harmonic))));
    return .{ .inc = @intFromFloat(@min(inc_f, 4294967295.0)), .level = tables.level_of[hmax] };
}

/// Offset (in floats from `Tables.flat`) of the row read for `wave` at mip `level`. Pulse reads
/// the saw row twice (at phase - pw and, negated, at phase); every other wave reads its row once.
pub fn row(wave: Wave, level: u32) u32 {
    const lv: u32 = @min(level, num_levels - 1);
    const tv: u32 = @min(level, tri_levels - 1);
    return switch (wave) {
        .sine => @offsetOf(Tables, "sine") / @sizeOf(Point),
        .triangle => @offsetOf(Tables, "tri") / @sizeOf(Point) + tv * row_len,
        .saw, .pulse => @offsetOf(Tables, "saw") / @sizeOf(Point) + lv * row_len,
        .square => @offsetOf(Tables, "square") / @sizeOf(Point) + lv * row_len,
    };
}

pub const V = @Vector(4, f32);
pub const U = @Vector(4, u32);
const I = @Vector(4, i32);

/// Four linear-interpolated table reads: lane l reads the row at float offset `row[l]` at
/// `phase[l]`, row offsets `rows` (a gather of 2 x 4 scalar loads; wasm SIMD has no gather instruction).
pub inline fn read4(t: [*]const Point, rows: U, phase: U) V {
    const idx = rows + (phase >> @splat(frac_bits));
    // Fraction without an int->float conversion: its 21 bits become the mantissa of 1.f.
    const fbits = ((phase & @as(U, @splat(frac_mask))) << @splat(23 - frac_bits)) | @as(U, @splat(0x3F80_0000));
    const f = @as(V, @bitCast(fbits)) - @as(V, @splat(1.0));
    // Four 8-byte loads, then deinterleave values and steps.
    const P = @Vector(2, f32);
    const p0: P = t[idx[0]];
    const p1: P = t[idx[1]];
    const p2: P = t[idx[2]];
    const p3: P = t[idx[3]];
    const lo = @shuffle(f32, p0, p1, [4]i32{ 0, 1, -1, -2 });
    const hi = @shuffle(f32, p2, p3, [4]i32{ 0, 1, -1, -2 });
    const a = @shuffle(f32, lo, hi, [4]i32{ 0, 2, -1, -3 });
    const d = @shuffle(f32, lo, hi, [4]i32{ 1, 3, -2, -4 });
    return a + d * f;
}

/// `if (c) a else b` for scalars and vectors alike.
pub inline fn sel(c: anytype, a: anytype, b: @TypeOf(a)) @TypeOf(a) {
    return if (@typeInfo(@TypeOf(a)) == .Vector) @select(f32, c, a, b) else if (c) a else b;
}

inline fn splatAs(comptime T: type, v: anytype) T {
    return if (@typeInfo(T) == .Vector) @splat(v) else v;
}

/// 2^x for f32 or @Vector(4, f32) with relative error < 1e-7 (x is clamped to [-126, 126]; NaN
/// is not expected). A polynomial, so no libm call (wasm has no exp instruction) and it
/// vectorizes; used for the control-rate pitch and cutoff.
pub inline fn exp2(x: anytype) @TypeOf(x) {
    const T = @TypeOf(x);
    const B = if (T == f32) u32 else U;
    const lo = splatAs(T, -126.0);
    const hi = splatAs(T, 126.0);
    const xc = sel(x > hi, hi, sel(lo > x, lo, x)); // (written so wasm gets pmin/pmax, not min/max)
    const n = @floor(xc + splatAs(T, 0.5));
    const f = xc - n; // [-0.5, 0.5]
    // Taylor series of e^(f ln 2) to degree 7: truncation error < 6e-9 on [-0.5, 0.5].
    const l = std.math.ln2;
    var p = splatAs(T, l * l * l * l * l * l * l / 5040.0);
    p = p * f + splatAs(T, l * l * l * l * l * l / 720.0);
    p = p * f + splatAs(T, l * l * l * l * l / 120.0);
    p = p * f + splatAs(T, l * l * l * l / 24.0);
    p = p * f + splatAs(T, l * l * l / 6.0);
    p = p * f + splatAs(T, l * l / 2.0);
    p = p * f + splatAs(T, l);
    p = p * f + splatAs(T, 1.0);
    // 2^n: 2^23 + n + 127 is an exact float whose low mantissa bits are n + 127; shift them into
    // the exponent field (the float's own exponent bits fall off the top).
    const e: B = @bitCast(n + splatAs(T, 8388608.0 + 127.0));
    const scale: T = @bitCast(e << splatAs(if (T == f32) u5 else @Vector(4, u5), 23));
    return p * scale;
}

inline fn read(t: *const Row, phase: u32) f32 {
    const p = t[phase >> frac_bits];
    const f = @as(f32, @floatFromInt(phase & frac_mask)) * frac_scale;
    return p[0] + p[1] * f;
}

/// One sample of `wave` at `phase` from mip `level`; `pw_phase` is the pulse width as a phase
/// (only used by `.pulse`). Output is DC-free with peaks near +-1.
pub inline fn sampleAt(comptime wave: Wave, tables: *const Tables, level: u8, phase: u32, pw_phase: u32) f32 {
    return switch (wave) {
        .sine => read(&tables.sine, phase),
        .triangle => read(&tables.tri[@min(level, tri_levels - 1)], phase),
        .saw => read(&tables.saw[level], phase),
        // saw(x - pw) - saw(x): +2(1 - pw) for x < pw, -2 pw after; mean 0.
        .square => read(&tables.saw[level], phase -% 0x8000_0000) - read(&tables.saw[level], phase),
        .pulse => read(&tables.saw[level], phase -% pw_phase) - read(&tables.saw[level], phase),
    };
}

/// Runtime-dispatched `sampleAt` (used only while cross-fading between two waveforms).
pub fn sampleDyn(wave: Wave, tables: *const Tables, level: u8, phase: u32, pw_phase: u32) f32 {
    return switch (wave) {
        inline else => |w| sampleAt(w, tables, level, phase, pw_phase),
    };
}

/// Converts a pulse width in [0.05, 0.95] to a phase offset.
pub fn pulsePhase(pw: f32) u32 {
    const p = std.math.clamp(pw, 0.05, 0.95);
    return @intFromFloat(p * 4294967296.0);
}

/// Returns the current sample of `wave` and advances the phase.
pub fn next(self: *Oscillator, comptime wave: Wave, tables: *const Tables, pw_phase: u32) f32 {
    const s = sampleAt(wave, tables, self.level, self.phase, pw_phase);
    self.phase +%= self.inc;
    return s;
}

var test_tables: Tables = undefined;

test "Oscillator tables: saw and triangle shapes, level choice" {
    test_tables.init();
    const t = &test_tables;
    // Richest saw level approximates the naive ramp away from the jump.
    const top = &t.saw[num_levels - 1];
    try std.testing.expectApproxEqAbs(@as(f32, -0.5), top[table_len / 4][0], 0.01);
    try std.testing.expectApproxEqAbs(@as(f32, 0.5), top[3 * table_len / 4][0], 0.01);
    // Triangle peaks at a quarter period.
    try std.testing.expectApproxEqAbs(@as(f32, 1.0), t.tri[tri_levels - 1][table_len / 4][0], 0.01);
    // Steps close each row: the last point steps to the first.
    try std.testing.expectApproxEqAbs(t.saw[3][0][0], t.saw[3][table_len - 1][0] + t.saw[3][table_len - 1][1], 1e-6);
    var o = Oscillator{};
    const cases = [_]struct { hz: f32, level_h: u16 }{
        .{ .hz = 5000, .level_h = 4 },
        .{ .hz = 440, .level_h = 53 },
        .{ .hz = 20, .level_h = 512 },
        .{ .hz = 30000, .level_h = 1 },
    };
    for (cases) |c| {
        o.setFrequency(t, c.hz, 48000);
        try std.testing.expectEqual(c.level_h, level_harmonics[o.level]);
        const hz = @min(c.hz, 0.49 * 48000);
        try std.testing.expect(@as(f32, @floatFromInt(level_harmonics[o.level])) * hz <= 24000);
    }
    // Pulse with pw 0.25 is DC-free.
    var sum: f64 = 0;
    o.setFrequency(t, 187.5, 48000); // exactly 256 samples per period
    for (0..256) |_| sum += o.next(.pulse, t, pulsePhase(0.25));
    try std.testing.expectApproxEqAbs(@as(f64, 0), sum / 256, 1e-3);
}

test "Oscillator exp2 polynomial" {
    var x: f32 = -40;
    while (x < 40) : (x += 0.0137) {
        const want = std.math.pow(f64, 2, x);
        try std.testing.expectApproxEqRel(want, @as(f64, exp2(x)), 2e-7);
        const v = exp2(@as(V, @splat(x)));
        try std.testing.expectApproxEqRel(want, @as(f64, v[3]), 2e-7);
    }
    try std.testing.expect(exp2(@as(f32, 1000)) > 1e37);
    try std.testing.expect(exp2(@as(f32, -1000)) < 1e-37);
}
