//! The bus effect units alone, built to WASM for `node bench/fx-cost.mjs` (the same flags as
//! build/daw-dsp.wasm). Until they are wired into the mixer this is how their cost is measured
//! in V8; each export runs `n` quanta on a fixed input.
const Delay = @import("../dsp/Delay.zig");
const DrumBus = @import("../dsp/DrumBus.zig");

var delay: Delay = undefined;
var drum: DrumBus = undefined;
var src: [48000]f32 = undefined;
var l: [128]f32 = undefined;
var r: [128]f32 = undefined;

/// Settings with every stage working: delay cross-feed with filters and modulation; drum bus with
/// comp, medium drive, crunch, transients, boom, damping. Input: noise bursts (a hit every 0.5 s).
export fn fx_setup() void {
    var s: u32 = 1;
    for (&src, 0..) |*v, i| {
        s = s *% 1664525 +% 1013904223;
        const env = @exp(-@as(f32, @floatFromInt(i % 24000)) / 4800.0);
        v.* = (@as(f32, @floatFromInt(s >> 8)) / 8388608.0 - 1) * 0.5 * env;
    }
    delay.init(48000);
    delay.setMode(.cross_feed);
    delay.setFeedback(0.7);
    delay.setLowCutHz(150);
    delay.setHighCutHz(6000);
    delay.setModDepthMs(2);
    delay.reset();
    drum = DrumBus.init(48000);
    drum.setComp(true);
    drum.setDrive(0.7);
    drum.setCurve(.medium);
    drum.setCrunch(0.5);
    drum.setTransients(0.5);
    drum.setBoom(0.5);
    drum.setDampingHz(9000);
    drum.reset();
}

fn load(q: u32) void {
    const at = (@as(usize, q) * 128) % (48000 - 128);
    @memcpy(&l, src[at..][0..128]);
    @memcpy(&r, src[at..][0..128]);
}

export fn fx_copy(n: u32) f32 {
    var acc: f32 = 0;
    for (0..n) |q| {
        load(@intCast(q));
        acc += l[5];
    }
    return acc;
}

export fn fx_delay(n: u32) f32 {
    var acc: f32 = 0;
    for (0..n) |q| {
        load(@intCast(q));
        delay.process(&l, &r);
        acc += l[5];
    }
    return acc;
}

export fn fx_drum(n: u32) f32 {
    var acc: f32 = 0;
    for (0..n) |q| {
        load(@intCast(q));
        drum.process(&l, &r);
        acc += l[5];
    }
    return acc;
}

var drum_default: DrumBus = undefined;

/// The drum bus at the table's defaults (drive 0.2, soft curve; crunch, transients, boom and glue
/// off), as a send bus runs it until someone turns its knobs.
export fn fx_drum_default(n: u32) f32 {
    if (n == 0) return 0;
    var acc: f32 = 0;
    for (0..n) |q| {
        load(@intCast(q));
        drum_default.process(&l, &r);
        acc += l[5];
    }
    return acc;
}

export fn fx_setup_default() void {
    drum_default = DrumBus.init(48000);
}
