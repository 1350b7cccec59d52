//! The effect slot of the three buses: lane 0 reverb (`Reverb.zig`), lane 1 delay (`Delay.zig`),
//! lane 2 drum (`DrumBus.zig`, see below); lane 3 unused and never touched.
//!
//! The bus input is the sum of the channels' post-fader sends; each effect replaces its lane with
//! its output (the reverb and delay 100 % wet: the dry signal is the channels' own main path; the
//! drum bus has its own dry/wet, for parallel processing inside the bus), which then goes
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
//! Lane 2 is the drum bus (`DrumBus.zig`). Its 4x oversampler delays its output by 51 frames
//! (1.06 ms at 48 kHz). On a send bus that delay would be heard: the bus return is summed with the
//! same channel's dry main path, and two copies of a signal 51 frames apart comb-filter,
//! |1 + a·e^(−jω·51/fs)|, with notches at (2k + 1)·fs/102 (470 Hz, 1.4 kHz, 2.4 kHz, ... at 48 kHz)
//! as deep as the two levels are equal — exactly the parallel-compression use a drum bus is for.
//! A latency-free drive stage cannot meet the −60 dB aliasing requirement (a full-scale 5 kHz sine
//! at +12 dB, 48 kHz): first-order antiderivative anti-aliasing (Parker, Zavalishin & Le Bihan,
//! DAFx 2016) at the base rate leaves aliases at −24 dB (soft and tanh curves), and even at 2x with
//! ideal (infinitely long) resampling filters at −59 dB (soft) and −51 dB (hard clip); see
//! scripts/adaa-aliasing.mjs. Any oversampling filter has latency, so the mixer compensates it
//! instead: everything else reaching the master is delayed by `DrumBus.latency` (`Mixer.pdc`,
//! `contract.master_delay_frames`, part of the engine's reported latency), and the drum return
//! lines up with the dry paths to the frame.
//!
//! The delay's note values (`delaySyncL/R`, `sync_beats`) follow the transport: the render call
//! hands the tempo at each quantum's first frame to `setTempo` (the conductor's tempo map, steps
//! and ramps included), and a changed tempo moves the note-value times through the delay's glide or
//! cross-fade like any time change; the main thread does nothing on a tempo change.
//!
//! Contract with the mixer (`Mixer.endQuantum`):
//! * `update` runs every quantum (one compare per parameter); `process` runs once per quantum when the
//!   bus group is not skipped, in place on the bus group buffer, before the bus strips, and
//!   allocates nothing: the lane being processed goes through the fixed `scratch` in this struct.
//!   An effect whose input lane is silent and that has no tail is not run (its output is exact
//!   zeros, which the silent input already is).
//! * `hasTail` is true while any effect still rings with silent input (the reverb until its
//!   tail is below −120 dBFS, the delay until its repeats are, the drum bus while its oversampler
//!   flushes or its boom rings), so the mixer keeps processing the
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
const DrumBus = @import("DrumBus.zig");

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
drum: DrumBus,
/// Tempo (BPM) the delay's note values follow: the transport's at the quantum, from `setTempo`.
tempo: f32,
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
    self.drum = DrumBus.init(sample_rate);
    self.tempo = Delay.specs.tempo_bpm.default;
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
    if (mask & (1 << drum_lane) != 0) self.drum.reset();
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
        self.drum.reset(); // 5 kB; only before the first quantum and on a reset request
    }
}

/// The transport's tempo at this quantum (BPM; the conductor's tempo map, steps and ramps
/// included), for the delay's note values. Called by the render call before `update`; a change
/// moves note-value times like any time change (glide or cross-fade), with no main-thread work.
/// Inline (with `Delay.setTempo`): as a small function of its own, called only on tempo changes,
/// V8 tiered it up to optimised code thousands of quanta in, and the code's metadata showed as an
/// 8 kB step in test/alloc.test.js's heap readings.
pub inline fn setTempo(self: *BusEffects, bpm: f32) void {
    if (bpm == self.tempo or !std.math.isFinite(bpm)) return;
    self.tempo = bpm;
    self.delay.setTempo(bpm);
}

/// Note values of `delaySyncL/R` (index 1..15) in beats (quarter notes): 1/1 .. 1/16, then dotted
/// (×1.5), then triplets (×2/3), in the table's order.
pub const sync_beats = [16]f32{ 0, 4, 2, 1, 0.5, 0.25, 6, 3, 1.5, 0.75, 0.375, 8.0 / 3.0, 4.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0 };

/// Range of `delaySyncL/R`: an index into `sync_beats`.
pub const sync_spec = @import("FxSpec.zig"){ .min = 0, .max = sync_beats.len - 1, .default = 0, .unit = "enum", .doc = "Delay time as a note value (0 off)." };

/// Side `side`'s delay time from its sync setting (a note value) or, when that is off, its ms.
fn applyDelayTime(self: *BusEffects, comptime side: u1) void {
    const sync = if (side == 0) F.delay_sync_l else F.delay_sync_r;
    const ms = if (side == 0) F.delay_time_l_ms else F.delay_time_r_ms;
    const idx: usize = @intFromFloat(@round(self.target(sync)));
    if (idx == 0) self.delay.setTimeMs(side, self.target(ms)) else self.delay.setTimeBeats(side, sync_beats[idx]);
}

/// One parameter to its unit's setter. The switch is exhaustive: a parameter added to the table
/// and not handled here fails the build.
fn apply(self: *BusEffects, p: F.Param, v: f32) void {
    const rv = &self.reverb;
    const dl = &self.delay;
    const dr = &self.drum;
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
        .delay_time_l_ms, .delay_sync_l => self.applyDelayTime(0),
        .delay_time_r_ms, .delay_sync_r => self.applyDelayTime(1),
        .delay_feedback => dl.setFeedback(v),
        .delay_cross => dl.setCross(v),
        .delay_low_cut_hz => dl.setLowCutHz(v),
        .delay_high_cut_hz => dl.setHighCutHz(v),
        .delay_mod_depth_ms => dl.setModDepthMs(v),
        .delay_mod_rate_hz => dl.setModRateHz(v),
        .delay_width => dl.setWidth(v),
        .delay_glide => dl.setTimeMode(if (v >= 0.5) .crossfade else .glide),
        .delay_glide_ms => dl.setGlideMs(v),
        .drum_drive => dr.setDrive(v),
        .drum_curve => dr.setCurve(@enumFromInt(@as(u8, @intFromFloat(@round(v))))),
        .drum_crunch => dr.setCrunch(v),
        .drum_transients => dr.setTransients(v),
        .drum_boom => dr.setBoom(v),
        .drum_boom_hz => dr.setBoomHz(v),
        .drum_boom_decay => dr.setBoomDecay(v),
        .drum_damping_hz => dr.setDampingHz(v),
        .drum_glue => dr.setComp(v >= 0.5),
        .drum_trim_db => dr.setTrimDb(v),
        .drum_dry_wet => dr.setDryWet(v),
    }
}

/// Run the bus effects in place on lanes 0..2 of `buf` (lane 3 is not read).
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
    } else self.delay.settleHeads();
    if (peak[drum_lane] != 0 or self.drum.hasTail()) {
        self.gather(buf, drum_lane);
        self.drum.process(&self.scratch_l, &self.scratch_r);
        self.scatter(buf, drum_lane);
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
    return self.reverb.hasTail() or self.delay.hasTail() or self.drum.hasTail();
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

test "lane 2 is the drum bus (dry/wet 0: its input delayed by DrumBus.latency, exactly), lane 3 is untouched" {
    const fx = fresh(&.{.{ .drum_dry_wet, 0 }});
    var hist: [4 * Q]f32 = undefined; // lane 2's input, left and right alternate per quantum
    var hist_r: [4 * Q]f32 = undefined;
    var buf: lanes.GroupBuf = undefined;
    for (0..4) |q| {
        for (&buf.l, &buf.r, 0..) |*l, *r, i| {
            const x: f32 = @floatFromInt(q * Q + i);
            l.* = .{ 0.001 * x, 0.002, @sin(x), 1e30 };
            r.* = .{ -0.001 * x, -0.002, @cos(x), std.math.nan(f32) };
        }
        const before = buf;
        for (before.l, before.r, 0..) |bl, br, i| {
            hist[q * Q + i] = bl[2];
            hist_r[q * Q + i] = br[2];
        }
        fx.update();
        fx.process(&buf);
        for (before.l, before.r, buf.l, buf.r, 0..) |bl, _, al, ar, i| {
            const n = q * Q + i;
            const want_l: f32 = if (n >= DrumBus.latency) hist[n - DrumBus.latency] else 0;
            const want_r: f32 = if (n >= DrumBus.latency) hist_r[n - DrumBus.latency] else 0;
            try testing.expectEqual(want_l, al[2]);
            try testing.expectEqual(want_r, ar[2]);
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
    const B = DrumBus.specs;
    const pairs = .{
        .{ F.reverb_decay_s, R.decay },            .{ F.reverb_pre_delay_ms, R.pre_delay }, .{ F.reverb_size, R.size },
        .{ F.reverb_damping, R.damping },          .{ F.reverb_low_cut_hz, R.low_cut },     .{ F.reverb_high_cut_hz, R.high_cut },
        .{ F.reverb_diffusion, R.diffusion },      .{ F.reverb_mod_depth_ms, R.mod_depth }, .{ F.reverb_mod_rate_hz, R.mod_rate },
        .{ F.reverb_width, R.width },              .{ F.reverb_freeze, R.freeze },          .{ F.delay_mode, D.mode },
        .{ F.delay_time_l_ms, D.time_ms },         .{ F.delay_time_r_ms, D.time_ms },       .{ F.delay_feedback, D.feedback },
        .{ F.delay_cross, D.cross },               .{ F.delay_low_cut_hz, D.low_cut_hz },   .{ F.delay_high_cut_hz, D.high_cut_hz },
        .{ F.delay_mod_depth_ms, D.mod_depth_ms }, .{ F.delay_mod_rate_hz, D.mod_rate_hz }, .{ F.delay_width, D.width },
        .{ F.delay_glide, D.time_mode },           .{ F.delay_glide_ms, D.glide_ms },
        .{ F.drum_drive, B.drive },                .{ F.drum_curve, B.curve },              .{ F.drum_crunch, B.crunch },
        .{ F.drum_transients, B.transients },      .{ F.drum_boom, B.boom },                .{ F.drum_boom_hz, B.boom_hz },
        .{ F.drum_boom_decay, B.boom_decay },      .{ F.drum_damping_hz, B.damping_hz },    .{ F.drum_glue, B.comp },
        .{ F.drum_trim_db, B.trim_db },            .{ F.drum_dry_wet, B.dry_wet },          .{ F.delay_sync_l, sync_spec },
        .{ F.delay_sync_r, sync_spec },
    };
    comptime std.debug.assert(pairs.len == F.count);
    inline for (pairs) |p| {
        try testing.expectEqual(p[1].min, F.min[p[0]]);
        try testing.expectEqual(p[1].max, F.max[p[0]]);
    }
}

test "delay note values follow the tempo map: 1/8 is 250 ms at 120 BPM, 333.33 ms after a step to 90, and a ramp moves it every quantum" {
    const TempoMap = @import("TempoMap.zig");
    const fx = fresh(&.{ .{ .delay_sync_l, 4 }, .{ .delay_sync_r, 9 }, .{ .delay_time_l_ms, 40 } }); // 1/8, 1/8d
    var map = try TempoMap.init(120);
    // 120 BPM held to beat 4, a step to 90, held to beat 8, then a linear ramp (in beats) to 60 at beat 16.
    try map.set(&.{ .{ .beat = 0, .bpm = 120 }, .{ .beat = 4, .bpm = 90 }, .{ .beat = 8, .bpm = 90, .ramp = .linear }, .{ .beat = 16, .bpm = 60 } });
    var buf: lanes.GroupBuf = undefined;
    var last_cur: f64 = 0;
    var mid = false;
    var q: usize = 0;
    const quanta = 14 * 48000 / Q; // 0 .. 14 s: past the ramp's end (2 s + 2.67 s + 6.9 s)
    while (q < quanta) : (q += 1) {
        const b = map.beat(@as(f64, @floatFromInt(q * Q)) / fs);
        const bpm = map.bpmAt(b);
        fx.setTempo(@floatCast(bpm));
        fx.update();
        buf.clear();
        buf.l[0][1] = 1e-3; // something to echo, so the delay runs (an idle one settles at once)
        fx.process(&buf);
        // The target is the note value at this quantum's tempo, in frames (f32 tempo, f64 time).
        const want_l = 0.5 * 60.0 / @as(f64, @as(f32, @floatCast(bpm))) * fs;
        try testing.expectApproxEqRel(want_l, fx.delay.targetFrames(0), 1e-9);
        try testing.expectApproxEqRel(1.5 * want_l, fx.delay.targetFrames(1), 1e-9);
        // Glide: the read head never jumps, more than `slew_max` frames per frame.
        const cur = fx.delay.d_cur[0];
        if (q > 0) try testing.expect(@fabs(cur - last_cur) <= Delay.slew_max * Q + 1e-9);
        last_cur = cur;
        if (q == 1) try testing.expectEqual(@as(f64, 12000), fx.delay.targetFrames(0)); // 250 ms
        // After the step (beat 4 = 2 s), 333.33 ms = 16000 frames, and the head settles there.
        if (q == 1680) { // 4.48 s, 2.48 s after the step
            try testing.expectEqual(@as(f64, 16000), fx.delay.targetFrames(0));
            try testing.expectApproxEqAbs(@as(f64, 16000), cur, 1e-3);
        }
        // Within the ramp the time keeps moving: at 75 BPM (beat 12) an eighth is 400 ms.
        if (b >= 12 and !mid) {
            mid = true;
            try testing.expectApproxEqRel(@as(f64, 19200), fx.delay.targetFrames(0), 2e-3);
        }
    }
    try testing.expect(mid);
    // At the end of the ramp: 60 BPM, 500 ms, settled.
    try testing.expectEqual(@as(f64, 24000), fx.delay.targetFrames(0));
    try testing.expectApproxEqAbs(@as(f64, 24000), fx.delay.d_cur[0], 1e-3);
    // Sync off: back to the time in ms.
    set(fx, .delay_sync_l, 0);
    fx.update();
    try testing.expectEqual(@as(f64, 1920), fx.delay.targetFrames(0));
}
