//! The effect slot of the three buses: lane 0 reverb (`Reverb.zig`), lane 1 delay (`Delay.zig`),
//! lane 2 drum (a passthrough for now, see below); lane 3 unused and never touched.
//!
//! The bus input is the sum of the channels' post-fader sends; each effect replaces its lane with
//! its wet output (100 % wet: the dry signal is the channels' own main path), which then goes
//! through the bus strip (trim, EQ, compressor, fader, pan, mute) to the master.
//!
//! Parameters come from the one table (protocol/contract.json `busFx`, `contract.bus_fx`): the
//! worklet copies the page's values into `params` (`daw_bus_fx_ptr`) before a quantum; `update`
//! compares each with the value last applied and calls the unit's setter only for those that
//! changed. The setters store clamped targets; the units glide to them inside `process` (20 ms
//! one-pole for gains and filters, 150 ms for the reverb's size and pre-delay, a tape-like glide
//! or cross-fade for the delay times), so nothing steps or clicks. A non-finite value reads as the
//! default and everything is clamped to the table's range (the page has already validated it).
//!
//! Musical defaults (the table's): reverb RT60 1.8 s, pre-delay 15 ms, size 0.5, damping 0.5,
//! wet low cut 80 Hz and high cut 12 kHz; delay stereo 375 ms (left) / 500 ms (right), feedback
//! 0.35, in-loop low cut 150 Hz and high cut 6 kHz, so each repeat is darker and thinner than the
//! one before, like a tape echo, and the repeats stay out of the bass.
//!
//! The drum lane stays a passthrough. `DrumBus.zig` exists, but its 4x oversampler delays its
//! output by 51 frames (1.06 ms at 48 kHz). On a send bus that delay is heard: the bus return is
//! summed with the same channel's dry main path, and two copies of a signal 51 frames apart
//! comb-filter, |1 + a·e^(−jω·51/fs)|, with notches at (2k + 1)·fs/102 (470 Hz, 1.4 kHz, 2.4 kHz,
//! ... at 48 kHz) as deep as the two levels are equal — exactly the parallel-compression use a drum
//! bus is for. It can go in once it is latency-free (antiderivative anti-aliasing instead of the
//! oversampler, keeping its −60 dB aliasing test) or the channels' dry paths are delayed to match.
//!
//! Contract with the mixer (`Mixer.endQuantum`):
//! * `update` runs every quantum (one compare per parameter); `process` runs once per quantum when the
//!   bus group is not skipped, in place on the bus group buffer, before the bus strips, and
//!   allocates nothing: the lane being processed goes through the fixed `scratch` in this struct.
//!   An effect whose input lane is silent and that has no tail is not run (its output is exact
//!   zeros, which the silent input already is).
//! * `hasTail` is true while either effect still rings with silent input (the reverb until its
//!   tail is below −120 dBFS, the delay until its repeats are), so the mixer keeps processing the
//!   buses until then and skips them again afterwards.
//! * `init` (in place: the reverb's and delay's memories are 4.5 MB, static) from `daw_init`;
//!   `resetLanes` on a bus's reset request (the reverb's clears 1.4 MB: the worklet never asks for
//!   one today, as buses are never claimed).
//! * Output is finite: both units sanitise their input and clamp every parameter; the bus strip
//!   sanitises its input anyway and counts replacements.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const Reverb = @import("Reverb.zig");
const Delay = @import("Delay.zig");

const BusEffects = @This();
const F = contract.bus_fx;
const Q = lanes.quantum;
const V = lanes.V;

pub const reverb_lane = 0;
pub const delay_lane = 1;
pub const drum_lane = 2;

/// Parameter targets written by the worklet (`daw_bus_fx_ptr`), index = `contract.bus_fx`.
params: [F.words]f32,
/// The values last passed to the setters (after clamping).
applied: [F.count]f32,
reverb: Reverb,
delay: Delay,
scratch_l: [Q]f32,
scratch_r: [Q]f32,
/// Set by `init` and `reset`: no audio has gone in since, so the next `update` snaps the units'
/// smoothed values to their targets (parameters set before the first quantum apply at once, as
/// the strips' do, instead of gliding from the defaults).
fresh: bool,

/// Set up in place for `sample_rate` with the table's defaults, every effect silent.
pub fn init(self: *BusEffects, sample_rate: f32) void {
    self.reverb.init(sample_rate);
    self.delay.init(sample_rate);
    @memset(&self.params, 0);
    @memcpy(self.params[0..F.count], &F.defaults);
    // Not equal to anything, so `update` applies every parameter once.
    @memset(&self.applied, std.math.nan(f32));
    self.fresh = true;
    self.update();
    self.fresh = true; // values written before the first quantum snap too
}

/// Clear all effect state and snap every smoothed value to its target.
pub fn reset(self: *BusEffects) void {
    self.resetLanes(0b111);
}

/// Clear the state of the effects on the lanes in `mask` (bit k = lane k).
pub fn resetLanes(self: *BusEffects, mask: u4) void {
    if (mask & (1 << reverb_lane) != 0) self.reverb.reset();
    if (mask & (1 << delay_lane) != 0) self.delay.reset();
    self.fresh = true;
}

/// Value `i` of `params`, clamped to its range; non-finite reads as the default.
fn target(self: *const BusEffects, comptime i: usize) f32 {
    const x = self.params[i];
    if (!std.math.isFinite(x)) return F.defaults[i];
    return @min(@max(x, F.min[i]), F.max[i]);
}

/// Apply the parameters that changed since the last call through the units' setters.
pub fn update(self: *BusEffects) void {
    inline for (0..F.count) |i| {
        const v = self.target(i);
        if (v != self.applied[i]) {
            self.applied[i] = v;
            self.apply(@enumFromInt(i), v);
        }
    }
    if (self.fresh) {
        self.fresh = false;
        self.reverb.snap();
        self.delay.reset(); // O(1); its history is empty anyway
    }
}

/// One parameter to its unit's setter. The switch is exhaustive: a parameter added to the table
/// and not handled here fails the build.
fn apply(self: *BusEffects, p: F.Param, v: f32) void {
    const rv = &self.reverb;
    const dl = &self.delay;
    switch (p) {
        .reverb_decay_s => rv.setDecay(v),
        .reverb_pre_delay_ms => rv.setPreDelay(v),
        .reverb_size => rv.setSize(v),
        .reverb_damping => rv.setDamping(v),
        .reverb_low_cut_hz => rv.setLowCut(v),
        .reverb_high_cut_hz => rv.setHighCut(v),
        .reverb_diffusion => rv.setDiffusion(v),
        .reverb_mod_depth_ms => rv.setModDepth(v),
        .reverb_mod_rate_hz => rv.setModRate(v),
        .reverb_width => rv.setWidth(v),
        .reverb_freeze => rv.setFreeze(v >= 0.5),
        .delay_mode => dl.setModeIndex(v),
        .delay_time_l_ms => dl.setTimeMs(0, v),
        .delay_time_r_ms => dl.setTimeMs(1, v),
        .delay_feedback => dl.setFeedback(v),
        .delay_cross => dl.setCross(v),
        .delay_low_cut_hz => dl.setLowCutHz(v),
        .delay_high_cut_hz => dl.setHighCutHz(v),
        .delay_mod_depth_ms => dl.setModDepthMs(v),
        .delay_mod_rate_hz => dl.setModRateHz(v),
        .delay_width => dl.setWidth(v),
        .delay_glide => dl.setTimeMode(if (v >= 0.5) .crossfade else .glide),
        .delay_glide_ms => dl.setGlideMs(v),
    }
}

/// Run the bus effects in place on lanes 0 and 1 of `buf` (lane 2 passes, lane 3 is not read).
pub fn process(self: *BusEffects, buf: *lanes.GroupBuf) void {
    self.fresh = false;
    // Largest |x| per lane: an effect with silent input and no tail is not run.
    var peak: V = @splat(0);
    for (buf.l, buf.r) |l, r| peak = @max(peak, @max(@fabs(l), @fabs(r)));
    if (peak[reverb_lane] != 0 or self.reverb.hasTail()) {
        self.gather(buf, reverb_lane);
        self.reverb.process(&self.scratch_l, &self.scratch_r);
        self.scatter(buf, reverb_lane);
    }
    if (peak[delay_lane] != 0 or self.delay.hasTail()) {
        self.gather(buf, delay_lane);
        self.delay.process(&self.scratch_l, &self.scratch_r);
        self.scatter(buf, delay_lane);
    }
}

fn gather(self: *BusEffects, buf: *const lanes.GroupBuf, comptime k: usize) void {
    for (&self.scratch_l, &self.scratch_r, buf.l, buf.r) |*a, *b, x, y| {
        a.* = x[k];
        b.* = y[k];
    }
}

fn scatter(self: *const BusEffects, buf: *lanes.GroupBuf, comptime k: usize) void {
    for (self.scratch_l, self.scratch_r, &buf.l, &buf.r) |a, b, *x, *y| {
        x.*[k] = a;
        y.*[k] = b;
    }
}

/// True while some effect would still produce output (above −120 dBFS) from silent input.
pub fn hasTail(self: *const BusEffects) bool {
    return self.reverb.hasTail() or self.delay.hasTail();
}

// --- Tests -----------------------------------------------------------------------------------

const testing = std.testing;
const A = @import("Acoustics.zig");
const fs: f32 = 48000;
const max_frames = 3 * 48000;

// Large state lives in static memory.
var test_fx: BusEffects = undefined;
var rec: [4][2][max_frames]f32 = undefined;
var band_l: [max_frames]f64 = undefined;
var band_r: [max_frames]f64 = undefined;

fn set(fx: *BusEffects, comptime p: F.Param, v: f32) void {
    fx.params[@intFromEnum(p)] = v;
}

/// A fresh slot with parameters `ps` applied and snapped (as if set before the first quantum).
fn fresh(ps: []const struct { F.Param, f32 }) *BusEffects {
    const fx = &test_fx;
    fx.init(fs);
    for (ps) |p| fx.params[@intFromEnum(p[0])] = p[1];
    fx.fresh = true; // as after daw_init: the first quantum's update applies and snaps them
    return fx;
}

/// Render `n` frames (a multiple of Q); `x0[k]` on both sides of lane k at frame 0, silence after.
/// Every lane's output goes into `rec`.
fn renderImpulse(fx: *BusEffects, x0: V, n: usize) void {
    renderRange(fx, x0, 0, n);
}

/// Frames `from` .. `n` of `renderImpulse` (the impulse only if `from` is 0).
fn renderRange(fx: *BusEffects, x0: V, from: usize, n: usize) void {
    var buf: lanes.GroupBuf = undefined;
    var i: usize = from;
    while (i < n) : (i += Q) {
        buf.clear();
        if (i == 0) {
            buf.l[0] = x0;
            buf.r[0] = x0;
        }
        fx.update();
        fx.process(&buf);
        for (0..Q) |j| {
            inline for (0..4) |k| {
                rec[k][0][i + j] = buf.l[j][k];
                rec[k][1][i + j] = buf.r[j][k];
            }
        }
    }
}

/// T30 of lane 0's response in the 1 kHz octave band (energy of both sides).
fn reverbT30(n: usize) f64 {
    A.octaveBand(rec[0][0][0..n], band_l[0..n], fs, 1000);
    A.octaveBand(rec[0][1][0..n], band_r[0..n], fs, 1000);
    for (band_l[0..n], band_r[0..n]) |*a, b| a.* = a.* * a.* + b * b;
    return A.t30(band_l[0..n], fs);
}

test "lane 0 is the reverb: T30 (1 kHz octave, Schroeder) is the set decay within 10 %" {
    for ([_]f32{ 0.6, 1.8 }) |decay| {
        const fx = fresh(&.{.{ .reverb_decay_s, decay }});
        const n = @min(max_frames, @as(usize, @intFromFloat(decay * 1.6 * fs)) / Q * Q);
        renderImpulse(fx, .{ 1, 0, 0, 0 }, n);
        const t = reverbT30(n);
        std.debug.print("\nbus reverb: decay {d:.2} s, T30 {d:.3} s\n", .{ decay, t });
        try testing.expect(@fabs(t - decay) <= 0.1 * decay);
    }
}

test "lane 1 is the delay: the first echo at the set time to the frame, each repeat × feedback" {
    const fx = fresh(&.{
        .{ .delay_time_l_ms, 250 }, .{ .delay_time_r_ms, 100 }, .{ .delay_feedback, -0.5 },
        .{ .delay_low_cut_hz, 10 }, .{ .delay_high_cut_hz, 22000 }, // filters off: echoes exact
    });
    // −40 dBFS: the loop's soft saturator, sat(x) ≈ x·(1 − 8x²/27), is linear within 1e-5 there.
    const a: f32 = 0.01;
    renderImpulse(fx, .{ 0, a, 0, 0 }, 3 * 12000 + Q);
    const L = &rec[1][0];
    const R = &rec[1][1];
    // Left: 12000 frames (250 ms), right 4800 (100 ms); the first echo at level 1, repeat k at
    // (−0.5)^k, nothing in between.
    for (0..3 * 12000 + Q) |i| {
        const want_l: f32 = if (i == 12000) a else if (i == 24000) -0.5 * a else if (i == 36000) 0.25 * a else 0;
        const k = i / 4800;
        const want_r: f32 = if (i % 4800 == 0 and i > 0) a * std.math.pow(f32, -0.5, @as(f32, @floatFromInt(k - 1))) else 0;
        try testing.expectApproxEqAbs(want_l, L[i], 1e-6);
        try testing.expectApproxEqAbs(want_r, R[i], 1e-6);
    }
}

test "lane 2 passes exactly, lane 3 is untouched, the effects' lanes are replaced" {
    const fx = fresh(&.{});
    var buf: lanes.GroupBuf = undefined;
    for (0..4) |q| {
        for (&buf.l, &buf.r, 0..) |*l, *r, i| {
            const x: f32 = @floatFromInt(q * Q + i);
            l.* = .{ 0.001 * x, 0.002, @sin(x), 1e30 };
            r.* = .{ -0.001 * x, -0.002, @cos(x), std.math.nan(f32) };
        }
        const before = buf;
        fx.process(&buf);
        for (before.l, before.r, buf.l, buf.r) |bl, br, al, ar| {
            try testing.expectEqual(bl[2], al[2]);
            try testing.expectEqual(br[2], ar[2]);
            try testing.expectEqual(bl[3], al[3]);
            try testing.expect(std.math.isNan(ar[3]));
            // 375 ms delay, 15 ms pre-delay: both effects are still silent.
            try testing.expectEqual(@as(f32, 0), al[0]);
            try testing.expectEqual(@as(f32, 0), al[1]);
        }
    }
}

test "hasTail until both tails are below −120 dBFS, then exact silence (the bus can be skipped)" {
    const fx = fresh(&.{});
    try testing.expect(!fx.hasTail());
    renderImpulse(fx, .{ 1, 1, 0, 0 }, Q);
    try testing.expect(fx.hasTail());
    var buf: lanes.GroupBuf = undefined;
    var quanta: usize = 0;
    var last_loud: usize = 0;
    while (fx.hasTail()) : (quanta += 1) {
        try testing.expect(quanta < 20 * 48000 / Q); // 1.8 s RT60 and 0.35 feedback: well within 20 s
        buf.clear();
        fx.update();
        fx.process(&buf);
        for (buf.l, buf.r) |l, r| {
            for (0..2) |k| {
                try testing.expect(std.math.isFinite(l[k]) and std.math.isFinite(r[k]));
                if (@max(@fabs(l[k]), @fabs(r[k])) >= 1e-6) last_loud = quanta;
            }
        }
    }
    std.debug.print("\nbus tails: hasTail false after {d:.2} s, last sample >= -120 dBFS at {d:.2} s\n", .{
        @as(f32, @floatFromInt(quanta * Q)) / fs, @as(f32, @floatFromInt(last_loud * Q)) / fs,
    });
    try testing.expect(last_loud < quanta);
    // No tail: silent input gives exact zeros from now on.
    for (0..100) |_| {
        buf.clear();
        fx.process(&buf);
        for (buf.l, buf.r) |l, r| {
            try testing.expectEqual(@as(V, @splat(0)), l);
            try testing.expectEqual(@as(V, @splat(0)), r);
        }
    }
}

test "parameter changes take effect live: the delay time glides to the new echo time, decay shortens" {
    const fx = fresh(&.{ .{ .delay_low_cut_hz, 10 }, .{ .delay_high_cut_hz, 22000 }, .{ .delay_feedback, 0 } });
    renderImpulse(fx, @splat(0), Q); // the first quantum: from now on changes glide
    try testing.expectEqual(@as(f64, 18000), fx.delay.targetFrames(0));
    set(fx, .delay_time_l_ms, 100);
    set(fx, .delay_glide, 1);
    set(fx, .delay_glide_ms, 10);
    fx.update();
    try testing.expectEqual(@as(f64, 4800), fx.delay.targetFrames(0));
    // The cross-fade (10 ms) is over after a few quanta; then an impulse comes back at 100 ms.
    var buf: lanes.GroupBuf = undefined;
    for (0..8) |_| {
        buf.clear();
        fx.process(&buf);
    }
    renderImpulse(fx, .{ 0, 1, 0, 0 }, 6000 / Q * Q + Q);
    for (rec[1][0][0 .. 6000 / Q * Q + Q], 0..) |x, i| try testing.expectApproxEqAbs(@as(f32, if (i == 4800) 1 else 0), x, 1e-5);

    // Reverb: a decay of 0.3 s set 0.25 s into a 1.8 s tail: 0.5 s later the tail is ≥ 40 dB
    // quieter than without the change (1.8 s: −17 dB in 0.5 s; 0.3 s: −100 dB).
    const end = 36000 / Q * Q;
    const long = fresh(&.{});
    renderImpulse(long, .{ 1, 0, 0, 0 }, end);
    const e_long = energy(rec[0][0][end - 4800 .. end]);
    const short = fresh(&.{});
    renderImpulse(short, .{ 1, 0, 0, 0 }, 12000);
    set(short, .reverb_decay_s, 0.3);
    renderRange(short, .{ 1, 0, 0, 0 }, 12000, end);
    const e_short = energy(rec[0][0][end - 4800 .. end]);
    try testing.expect(e_short < e_long * 1e-4);
    try testing.expectEqual(@as(f32, 0.3), short.reverb.params.decay);
}

test "non-finite and out-of-range parameters read as the default or are clamped" {
    const fx = fresh(&.{});
    set(fx, .reverb_decay_s, std.math.nan(f32));
    set(fx, .delay_feedback, 7);
    set(fx, .delay_time_l_ms, -std.math.inf(f32));
    fx.update();
    try testing.expectEqual(@as(f32, 1.8), fx.reverb.params.decay);
    try testing.expectEqual(@as(f32, 1), fx.delay.feedback);
    try testing.expectEqual(@as(f32, 375), fx.delay.time_ms_set[0]);
}

fn energy(x: []const f32) f64 {
    var e: f64 = 0;
    for (x) |v| e += @as(f64, v) * v;
    return e;
}

test "the table's ranges are the units' own (protocol/contract.json busFx and the units' specs agree)" {
    const R = Reverb.specs;
    const D = Delay.specs;
    const pairs = .{
        .{ F.reverb_decay_s, R.decay },            .{ F.reverb_pre_delay_ms, R.pre_delay }, .{ F.reverb_size, R.size },
        .{ F.reverb_damping, R.damping },          .{ F.reverb_low_cut_hz, R.low_cut },     .{ F.reverb_high_cut_hz, R.high_cut },
        .{ F.reverb_diffusion, R.diffusion },      .{ F.reverb_mod_depth_ms, R.mod_depth }, .{ F.reverb_mod_rate_hz, R.mod_rate },
        .{ F.reverb_width, R.width },              .{ F.reverb_freeze, R.freeze },          .{ F.delay_mode, D.mode },
        .{ F.delay_time_l_ms, D.time_ms },         .{ F.delay_time_r_ms, D.time_ms },       .{ F.delay_feedback, D.feedback },
        .{ F.delay_cross, D.cross },               .{ F.delay_low_cut_hz, D.low_cut_hz },   .{ F.delay_high_cut_hz, D.high_cut_hz },
        .{ F.delay_mod_depth_ms, D.mod_depth_ms }, .{ F.delay_mod_rate_hz, D.mod_rate_hz }, .{ F.delay_width, D.width },
        .{ F.delay_glide, D.time_mode },           .{ F.delay_glide_ms, D.glide_ms },
    };
    comptime std.debug.assert(pairs.len == F.count);
    inline for (pairs) |p| {
        try testing.expectEqual(p[1].min, F.min[p[0]]);
        try testing.expectEqual(p[1].max, F.max[p[0]]);
    }
}
