//! Root of a small WASM build for `bench/reverb-micro.mjs`: one reverb and a stereo quantum in
//! static memory, nothing else. Not part of the engine's WASM.
const Reverb = @import("Reverb.zig");

var rv: Reverb = undefined;
var buf: [2][Reverb.quantum]f32 = undefined;

export fn rv_init(sample_rate: f32) void {
    rv.init(sample_rate);
}

/// Index: 0 decay, 1 pre-delay, 2 size, 3 damping, 4 low cut, 5 high cut, 6 diffusion,
/// 7 mod depth, 8 mod rate, 9 width, 10 freeze (≠ 0 is on), 11 economy (quality level ≥ 1; ≠ 0 is on).
export fn rv_set(index: u32, value: f32) void {
    switch (index) {
        0 => rv.setDecay(value),
        1 => rv.setPreDelay(value),
        2 => rv.setSize(value),
        3 => rv.setDamping(value),
        4 => rv.setLowCut(value),
        5 => rv.setHighCut(value),
        6 => rv.setDiffusion(value),
        7 => rv.setModDepth(value),
        8 => rv.setModRate(value),
        9 => rv.setWidth(value),
        10 => rv.setFreeze(value != 0),
        11 => rv.setEconomy(value != 0),
        else => {},
    }
}

export fn rv_buf_ptr() [*]f32 {
    return @ptrCast(&buf);
}

export fn rv_process() void {
    rv.process(&buf[0], &buf[1]);
}

export fn rv_has_tail() bool {
    return rv.hasTail();
}
