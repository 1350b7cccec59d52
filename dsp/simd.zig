//! Small vector helpers shared by the strip units: fast `log2`/`exp2` on `@Vector(4, f32)`, dB
//! conversions, non-finite replacement and denormal flushing.
//!
//! The compressor needs a log and an exp per sample per lane; scalar libm calls there would
//! dominate the render cost, so these are branch-free range-reduction + polynomial versions.
//! Accuracy (checked in the tests below over the whole range used): `log2` within 2e-6 absolute
//! (1.2e-5 dB), `exp2` within 1e-6 relative (1e-5 dB) — far inside the 0.01 dB budget.
//! Zig 0.11 has no vector `@intFromFloat`/`@floatFromInt`, so the integer parts go through the
//! usual "add 2^23 and reinterpret the bits" trick.
const std = @import("std");
const lanes = @import("lanes.zig");

pub const V = lanes.V;
const U = @Vector(lanes.width, u32);
const B = @Vector(lanes.width, bool);

pub inline fn splat(x: f32) V {
    return @splat(x);
}

/// log2(x) for finite x > 0 (x <= 0 or denormal gives a meaningless finite or NaN result;
/// callers clamp the input). x = m·2^e with m in [sqrt(1/2), sqrt(2)): subtracting the bits of
/// sqrt(1/2) leaves e in the top bits (arithmetic shift), then
/// log2(m) = 2/ln2 · atanh(t), t = (m-1)/(m+1), |t| <= 0.1716, series to t^9.
pub inline fn log2(x: V) V {
    const I = @Vector(lanes.width, i32);
    const bits: I = @bitCast(x);
    const e = (bits - @as(I, @splat(0x3f35_04f3))) >> @splat(23);
    const m: V = @bitCast(bits - (e << @splat(23)));
    // e as float: adding 1.5·2^23 puts e (|e| < 2^22) in the low mantissa bits.
    const ef: V = @as(V, @bitCast(e + @as(I, @splat(0x4b40_0000)))) - splat(12582912.0);
    const t = (m - splat(1)) / (m + splat(1));
    const t2 = t * t;
    const p = splat(1.0 / 9.0);
    const s = ((((p * t2 + splat(1.0 / 7.0)) * t2 + splat(1.0 / 5.0)) * t2 + splat(1.0 / 3.0)) * t2 + splat(1)) * t;
    return ef + s * splat(2.0 / std.math.ln2);
}

/// 2^x, x clamped to [-126, 126] (result always a normal, finite float; NaN gives 2^126).
/// x = n + f with n = round(x) (adding and subtracting 1.5·2^23 rounds to an integer, and leaves
/// n in the low mantissa bits) and f in [-0.5, 0.5]; 2^n through the exponent bits, 2^f by a
/// degree-6 Taylor series of e^(f·ln2).
pub inline fn exp2(x_in: V) V {
    // max(x, −126) as −min(−x, 126): a compare-and-select against a constant only lowers to
    // `pmin`/`pmax` in the `x < c ? x : c` shape (LLVM turns the others into a bitselect or an
    // IEEE max), which is `fmin(x, c)`.
    const x = -fmin(-fmin(x_in, splat(126)), splat(126));
    const magic = splat(12582912.0); // 1.5·2^23
    const t = x + magic;
    const y = (x - (t - magic)) * splat(std.math.ln2);
    const p = ((((((splat(1.0 / 720.0) * y + splat(1.0 / 120.0)) * y + splat(1.0 / 24.0)) * y + splat(1.0 / 6.0)) * y + splat(0.5)) * y + splat(1)) * y + splat(1));
    // n = bits(t) − bits(1.5·2^23) in [−126, 126] (wrapping); n + 127 is the biased exponent.
    const n: U = @as(U, @bitCast(t)) -% @as(U, @splat(0x4b40_0000));
    const scale: V = @bitCast((n +% @as(U, @splat(127))) << @splat(23));
    return p * scale;
}

/// max(a, b) as a select: wasm's `f32x4.max` is IEEE (NaN-propagating, -0 < +0), so LLVM lowers a
/// vector `@max` (maxNum) to four scalar libm `fmaxf` calls, and V8 expands `f32x4.max` into a long
/// sequence; this form lowers to `f32x4.pmax` (one `maxps`). If `a` is NaN the result is `b`.
/// Never use `@max`/`@min` on floats in per-quantum code.
pub inline fn fmax(a: V, b: V) V {
    return @select(f32, b < a, a, b);
}

/// min(a, b) as a select (`f32x4.pmin`); see `fmax`.
pub inline fn fmin(a: V, b: V) V {
    return @select(f32, a < b, a, b);
}

/// Largest lane (for lanes that are not NaN), without `@reduce(.Max)` (scalar libm calls in wasm).
pub inline fn hmax(v: V) f32 {
    const a = fmax(v, @shuffle(f32, v, undefined, @Vector(4, i32){ 2, 3, 0, 1 }));
    return fmax(a, @shuffle(f32, a, undefined, @Vector(4, i32){ 1, 0, 3, 2 }))[0];
}

/// 20·log10(x) with x clamped below at `floor_lin` (> 0); NaN reads as the floor.
pub inline fn linToDb(x: V, floor_lin: f32) V {
    return log2(fmax(x, splat(floor_lin))) * splat(20.0 * std.math.log10e / std.math.log2e);
}

/// 10^(db/20).
pub inline fn dbToLin(db: V) V {
    return exp2(db * splat(std.math.log2e / (20.0 * std.math.log10e)));
}

/// True when every bit of `x` is 0. Vector bool reductions (`@reduce(.Or, a != b)`) lower to
/// four lane extracts and a bit-packing sequence in wasm; this is two 64-bit extracts and an or.
pub inline fn allZeroBits(x: @Vector(4, u32)) bool {
    return @as(u128, @bitCast(x)) == 0;
}

/// Lanes of `x` that are finite (not NaN, not ±Inf).
pub inline fn isFinite(x: V) B {
    // x - x is 0 for finite x and NaN for NaN/Inf; NaN compares unequal.
    return (x - x) == splat(0);
}

/// `x` with non-finite lanes replaced by 0.
pub inline fn finiteOrZero(x: V) V {
    return @select(f32, isFinite(x), x, splat(0));
}

/// Number of non-finite lanes.
pub inline fn countNonFinite(x: V) u32 {
    const bad = (x - x) != splat(0); // true for NaN and ±Inf
    return @reduce(.Add, @select(u32, bad, @as(U, @splat(1)), @as(U, @splat(0))));
}

/// `x` with lanes of magnitude below `eps` set to exactly 0. Used on recursive filter state at the
/// end of every quantum: WebAssembly has no flush-to-zero mode, and on x86 a decaying state that
/// drifts into the denormal range makes every multiply on it ~100x slower.
pub inline fn flushTiny(x: V, eps: f32) V {
    return @select(f32, @fabs(x) < splat(eps), splat(0), x);
}

/// Scalar version of `finiteOrZero`.
pub inline fn finiteOr(x: f32, default: f32) f32 {
    return if (std.math.isFinite(x)) x else default;
}

test log2 {
    // Sweep 1e-7 .. 1e7 geometrically against std.math.log2 in f64.
    var x: f64 = 1e-7;
    var worst: f64 = 0;
    while (x < 1e7) : (x *= 1.0137) {
        const xf: f32 = @floatCast(x);
        const got = log2(splat(xf))[0];
        const want = std.math.log2(@as(f64, xf));
        worst = @max(worst, @fabs(got - want));
    }
    try std.testing.expect(worst < 2e-6);
}

test exp2 {
    var x: f64 = -40;
    var worst: f64 = 0;
    while (x < 40) : (x += 0.01237) {
        const xf: f32 = @floatCast(x);
        const got = exp2(splat(xf))[0];
        const want = std.math.exp2(@as(f64, xf));
        worst = @max(worst, @fabs(got / want - 1));
    }
    try std.testing.expect(worst < 1e-6);
    // Extremes stay finite and normal.
    try std.testing.expect(std.math.isNormal(exp2(splat(-1000))[0]));
    try std.testing.expect(std.math.isFinite(exp2(splat(1000))[0]));
}

test dbToLin {
    const cases = [_][2]f32{ .{ 0, 1 }, .{ -6.0206, 0.5 }, .{ 20, 10 }, .{ -120, 1e-6 }, .{ 24, 15.848932 } };
    for (cases) |c| {
        try std.testing.expectApproxEqRel(c[1], dbToLin(splat(c[0]))[0], 1e-5);
        try std.testing.expectApproxEqAbs(c[0], linToDb(splat(c[1]), 1e-6)[0], 1e-3);
    }
}

test hmax {
    try std.testing.expectEqual(@as(f32, 3), hmax(.{ 1, 3, -2, 0 }));
    try std.testing.expectEqual(@as(f32, 7), hmax(.{ 7, 3, -2, 0 }));
}

test finiteOrZero {
    const x: V = .{ std.math.nan(f32), std.math.inf(f32), -std.math.inf(f32), 1.5 };
    const y = finiteOrZero(x);
    try std.testing.expectEqual(@as(V, .{ 0, 0, 0, 1.5 }), y);
    try std.testing.expectEqual(@as(u32, 3), countNonFinite(x));
    try std.testing.expectEqual(@as(V, .{ 0, 1e-3, 0, -1 }), flushTiny(.{ 1e-20, 1e-3, -1e-16, -1 }, 1e-15));
}

/// Transposes a 4 x 4 block: `r[j][k] = m[k][j]`.
pub inline fn transpose4(m: [4]V) [4]V {
    const lo0 = @shuffle(f32, m[0], m[1], @Vector(4, i32){ 0, -1, 1, -2 });
    const hi0 = @shuffle(f32, m[0], m[1], @Vector(4, i32){ 2, -3, 3, -4 });
    const lo1 = @shuffle(f32, m[2], m[3], @Vector(4, i32){ 0, -1, 1, -2 });
    const hi1 = @shuffle(f32, m[2], m[3], @Vector(4, i32){ 2, -3, 3, -4 });
    return .{
        @shuffle(f32, lo0, lo1, @Vector(4, i32){ 0, 1, -1, -2 }),
        @shuffle(f32, lo0, lo1, @Vector(4, i32){ 2, 3, -3, -4 }),
        @shuffle(f32, hi0, hi1, @Vector(4, i32){ 0, 1, -1, -2 }),
        @shuffle(f32, hi0, hi1, @Vector(4, i32){ 2, 3, -3, -4 }),
    };
}
