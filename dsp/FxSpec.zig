//! Range of one effect parameter: what the delay and drum-bus units accept, until their parameters
//! move into the one table (src/params.json), whose rows have the same fields. Setters clamp to
//! the range and read a non-finite value as the default, so nothing outside it reaches the DSP.
const std = @import("std");

const FxSpec = @This();

min: f32,
max: f32,
default: f32,
/// "ms", "Hz", "dB", "bpm", "beats", "" (linear), "enum" (an index; `doc` names the values).
unit: []const u8,
doc: []const u8,

/// `x` clamped to [min, max]; NaN and ±Inf give the default.
pub fn clamp(comptime self: FxSpec, x: f32) f32 {
    if (!std.math.isFinite(x)) return self.default;
    return if (x < self.min) self.min else if (x > self.max) self.max else x;
}

test clamp {
    const s = FxSpec{ .min = -1, .max = 1, .default = 0.25, .unit = "", .doc = "test" };
    try std.testing.expectEqual(@as(f32, 1), s.clamp(7));
    try std.testing.expectEqual(@as(f32, -1), s.clamp(-7));
    try std.testing.expectEqual(@as(f32, 0.5), s.clamp(0.5));
    try std.testing.expectEqual(@as(f32, 0.25), s.clamp(std.math.nan(f32)));
    try std.testing.expectEqual(@as(f32, 0.25), s.clamp(-std.math.inf(f32)));
}
