//! The SIMD layout every unit shares. Strips (mixer channels) are processed four at a time: strip
//! `s` lives in group `s / 4`, lane `s % 4` of a `@Vector(4, f32)`. One render quantum is 128 frames.
const std = @import("std");
const contract = @import("contract.zig");

/// Strips per group: the lanes of a `@Vector(width, f32)`.
pub const width = 4;
pub const V = @Vector(width, f32);
pub const quantum = contract.quantum;

/// Stereo audio for one group of four strips over one quantum: `l[i][k]` is frame `i` of strip `4g + k`.
pub const GroupBuf = struct {
    l: [quantum]V,
    r: [quantum]V,

    pub fn clear(self: *GroupBuf) void {
        @memset(&self.l, @as(V, @splat(0)));
        @memset(&self.r, @as(V, @splat(0)));
    }
};

/// Groups needed to hold `n` strips.
pub fn groupsFor(n: usize) usize {
    return (n + width - 1) / width;
}

test groupsFor {
    try std.testing.expectEqual(@as(usize, 16), groupsFor(64));
    try std.testing.expectEqual(@as(usize, 1), groupsFor(3));
}
