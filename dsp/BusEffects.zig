//! The effect slot of the three buses (lane 0 reverb, lane 1 delay, lane 2 drum; lane 3 unused).
//!
//! This is where the bus reverb and delay go later. For now it is a passthrough: the bus input
//! (the sum of the channels' post-fader sends) goes straight to the bus strip (trim, EQ,
//! compressor, fader, pan, mute) and on to the master.
//!
//! Contract for the effects that will live here:
//! * `process` runs once per quantum, in place on the bus group buffer, before the bus strips, and
//!   allocates nothing (fixed-size state in this struct; memory never grows after init).
//! * `hasTail` must return true while an effect still rings with silent input (a reverb tail,
//!   delay feedback), so the mixer keeps processing the buses instead of skipping them.
//! * `reset` is called from `daw_init` and on a bus reset request.
//! * Output must be finite; the bus strip sanitises its input anyway and counts replacements.
const std = @import("std");
const lanes = @import("lanes.zig");

const BusEffects = @This();

sample_rate: f32 = 48000,

pub fn init(sample_rate: f32) BusEffects {
    return .{ .sample_rate = sample_rate };
}

/// Clear all effect state.
pub fn reset(self: *BusEffects) void {
    _ = self;
}

/// Run the bus effects in place (passthrough for now).
pub fn process(self: *BusEffects, buf: *lanes.GroupBuf) void {
    _ = self;
    _ = buf;
}

/// True while some effect would still produce output from silent input.
pub fn hasTail(self: *const BusEffects) bool {
    _ = self;
    return false;
}

test "passthrough" {
    var fx = BusEffects.init(48000);
    var buf: lanes.GroupBuf = undefined;
    for (&buf.l, &buf.r, 0..) |*l, *r, i| {
        l.* = @splat(@floatFromInt(i));
        r.* = @splat(-@as(f32, @floatFromInt(i)));
    }
    const before = buf;
    fx.process(&buf);
    try std.testing.expectEqualSlices(lanes.V, &before.l, &buf.l);
    try std.testing.expectEqualSlices(lanes.V, &before.r, &buf.r);
    try std.testing.expect(!fx.hasTail());
}
