//! The automation lead: every automation lane of the timeline (Timeline.zig section 3) evaluated
//! once per quantum by its Automation.zig state, and the result handed to the parameter paths.
//!
//! Wiring, as Automation.zig's header describes it. Per quantum, after the transport advanced
//! (Conductor.render) and before the strips (Mixer.endQuantum) and the voices (VoicePool.render):
//! * for each lane, if it did not drive the last quantum, its state starts from the parameter's
//!   current value (a strip's smoothed value, StripGroup.currentRaw; a synth's parameter target),
//!   so the join glides from where the parameter is onto the lane;
//! * `Automation.render` → true: the lane drives. Its value at the quantum's last frame goes into
//!   `Mixer.auto_vals` / `synth_vals` with the parameter's bit in the mask; the strip writes it into
//!   the smoother's *current* value and leaves the target (the last immediate write) alone
//!   (StripGroup.applyAutomation); a synth reads it instead of its parameter block
//!   (VoicePool.patchFor). False (stopped, paused): the bit stays clear and the smoother owns the
//!   parameter again, gliding to the target with τ = 10 ms.
//! * A strip's volume (the fader) also gets the lane's per-frame curve (`strip_curve`), which the
//!   strip applies at every frame (StripGroup.volumeCurve): fader automation is exact per frame,
//!   steps included.
//! * A lane removed from the timeline stops driving at once (its state is marked not driving,
//!   so a lane added there later joins from the parameter's value).
//!
//! Resolution: the lane is evaluated per frame (Automation.render). A strip's volume follows it at
//! every frame. Every other parameter takes the value of the quantum's last frame, once per 128
//! frames: gains (trim, sends, make-up, synth gain) are interpolated linearly per sample between
//! quantum ends (smoother.Ramp, Voice ramps), filter and compressor coefficients step per quantum;
//! see Automation.zig for the bounds.
//!
//! Memory: one Automation state (40 bytes) per (strip or synth, parameter): 4,224 states, 169 kB,
//! fixed. Real time: no allocation; O(lanes · (log points + 128)) per quantum, nothing when the
//! timeline has no lanes.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const Automation = @import("Automation.zig");
const Timeline = @import("Timeline.zig");
const Transport = @import("Transport.zig");
const StripGroup = @import("StripGroup.zig");

const ParamLanes = @This();
const stride = contract.stride;
const Q = lanes.quantum;

/// States: strips at [s·stride + p], synths at [(num_strips + s)·stride + p].
states: [Timeline.max_lanes]Automation,
/// Quantum in which each state was last rendered (a state not rendered this quantum has lost its lane).
stamp: [Timeline.max_lanes]u32,
/// States that drove in the last quantum (`driving[cur_list]`), and the list being built.
driving: [2][Timeline.max_lanes]u16,
cur_list: u1,
n_driving: u32,
quantum_no: u32,
/// Automated synth parameters (VoicePool.auto_mask / auto_vals).
synth_mask: [contract.max_synths]u32,
synth_vals: [contract.max_synths][stride]f32,
/// The per-frame curve of the lane being rendered (scratch).
buf: [Q]f32,

pub fn init(self: *ParamLanes, sample_rate: f64) void {
    for (&self.states) |*a| a.* = Automation.init(sample_rate, 0);
    @memset(&self.stamp, 0);
    self.n_driving = 0;
    self.cur_list = 0;
    self.quantum_no = 0;
    @memset(&self.synth_mask, 0);
    for (&self.synth_vals) |*v| @memset(v, 0);
    @memset(&self.buf, 0);
}

/// Where a lane starts from: a parameter's current value, in its unit.
pub const Current = struct {
    ctx: *const anyopaque,
    strip: *const fn (ctx: *const anyopaque, s: usize, p: usize) f32,
    synth_params: *const [contract.max_synths][stride]f32,
};

/// Evaluates every lane for the quantum the transport just advanced and fills the masks and values
/// (`strip_mask`/`strip_vals`: Mixer.auto_mask/auto_vals). Real-time safe.
pub fn render(self: *ParamLanes, tl: *const Timeline, tr: *const Transport, cur: Current, strip_mask: *[contract.num_strips]u32, strip_vals: *[contract.num_strips * stride]f32, strip_curve: *[contract.num_strips][Q]f32) void {
    if (self.n_driving == 0 and tl.n_lanes == 0) return;
    self.quantum_no +%= 1;
    const q = self.quantum_no;
    @memset(strip_mask, 0);
    @memset(&self.synth_mask, 0);
    const old = &self.driving[self.cur_list];
    const new = &self.driving[~self.cur_list];
    var n: u32 = 0;
    for (tl.lanes()) |r| {
        const pts = tl.store[r.start..][0..r.len];
        const e = pts[0];
        const synth = e.flags & Timeline.Event.Flags.synth != 0;
        const p: usize = e.param;
        const t: usize = e.target;
        if (synth and p == contract.synth.channel) continue;
        if (!synth and !StripGroup.automatable(p)) continue;
        const idx = (if (synth) contract.num_strips + t else t) * stride + p;
        const a = &self.states[idx];
        if (!a.driving) a.value = if (synth) sanitize(cur.synth_params[t][p], contract.synth.defaults[p]) else cur.strip(cur.ctx, t, p);
        self.stamp[idx] = q;
        if (!a.render(pts, tr, &self.buf)) continue;
        if (synth) {
            self.synth_mask[t] |= @as(u32, 1) << @intCast(p);
            self.synth_vals[t][p] = a.value;
        } else {
            strip_mask[t] |= @as(u32, 1) << @intCast(p);
            strip_vals[t * stride + p] = a.value;
            if (p == contract.strip.volume_db) strip_curve[t] = self.buf;
        }
        new[n] = @intCast(idx);
        n += 1;
    }
    // States that drove last quantum but whose lane is gone: not driving any more.
    for (old[0..self.n_driving]) |idx| {
        if (self.stamp[idx] != q) self.states[idx].driving = false;
    }
    self.cur_list = ~self.cur_list;
    self.n_driving = n;
}

fn sanitize(v: f32, default: f32) f32 {
    return if (std.math.isFinite(v)) v else default;
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;

fn pt(time: f64, v: f32, ramp: Timeline.Ramp, target: u32, param: u16, synth: bool) Timeline.Event {
    return .{ .time = time, .id = 7, .kind = .automation, .flags = Timeline.Event.Flags.seconds | (if (synth) Timeline.Event.Flags.synth else 0), .target = target, .param = param, .a = @bitCast(v), .c = @intFromEnum(ramp) };
}

const Fixed = struct {
    fn strip(_: *const anyopaque, _: usize, _: usize) f32 {
        return -6;
    }
};

test "lanes drive strips and synths while playing; a removed lane stops driving" {
    const fs = 48000;
    var storage: [8]Timeline.Event = undefined;
    var tl = Timeline.init(&storage);
    var tr = Transport.init(fs);
    var pl: ParamLanes = undefined;
    pl.init(fs);
    var synth_params: [contract.max_synths][stride]f32 = undefined;
    for (&synth_params) |*sp| sp.* = contract.synth.defaults;
    synth_params[2][contract.synth.cutoff_hz] = 200; // where the lane starts: no join to glide
    const cur = Current{ .ctx = &pl, .strip = Fixed.strip, .synth_params = &synth_params };
    var mask: [contract.num_strips]u32 = undefined;
    var vals: [contract.num_strips * stride]f32 = undefined;
    var curve: [contract.num_strips][Q]f32 = undefined;
    const vol = contract.strip.volume_db;
    const cut = contract.synth.cutoff_hz;
    var b = [_]Timeline.Event{
        pt(0, -6, .step, 3, vol, false),
        pt(1, 0, .linear, 3, vol, false), // -6 dB -> 0 dB over 48000 frames
        pt(0, 200, .step, 2, cut, true),
        pt(1, 3200, .exponential, 2, cut, true),
        pt(0, 0, .step, 3, contract.strip.input_index, false), // not automatable: ignored
    };
    try tl.add(&b);
    // Stopped: nothing drives.
    tr.advance(0);
    pl.render(&tl, &tr, cur, &mask, &vals, &curve);
    try testing.expectEqual(@as(u32, 0), mask[3]);
    try tr.schedule(.{ .kind = .play, .frame = Q });
    var q: u64 = 1;
    while (q <= 10) : (q += 1) {
        tr.advance(q * Q);
        pl.render(&tl, &tr, cur, &mask, &vals, &curve);
    }
    // After 10 quanta the song is at frame 1280; the values are the lanes' at its last frame 1279.
    try testing.expectEqual(@as(u32, 1) << vol, mask[3]);
    try testing.expectApproxEqAbs(@as(f32, -6 + 6 * 1279.0 / 48000.0), vals[3 * stride + vol], 1e-5);
    for (curve[3], 0..) |v, i| try testing.expectApproxEqAbs(@as(f32, @floatCast(-6 + 6 * @as(f64, @floatFromInt(1152 + i)) / 48000.0)), v, 1e-5);
    try testing.expectEqual(@as(u32, 1) << cut, pl.synth_mask[2]);
    try testing.expectApproxEqRel(@as(f32, @floatCast(200 * std.math.pow(f64, 16, 1279.0 / 48000.0))), pl.synth_vals[2][cut], 1e-6);
    try testing.expectEqual(@as(u32, 2), pl.n_driving);
    // The strip lane goes (the synth's stays): its bit clears at the next quantum.
    var ids = [_]u32{7};
    _ = tl.remove(&ids);
    var b2 = [_]Timeline.Event{ pt(0, 200, .step, 2, cut, true), pt(1, 3200, .exponential, 2, cut, true) };
    try tl.add(&b2);
    tr.advance(11 * Q);
    pl.render(&tl, &tr, cur, &mask, &vals, &curve);
    try testing.expectEqual(@as(u32, 0), mask[3]);
    try testing.expect(!pl.states[3 * stride + vol].driving);
    try testing.expectEqual(@as(u32, 1), pl.n_driving);
    // Stop: the lane hands back to the parameter's own value.
    try tr.schedule(.{ .kind = .stop, .frame = 12 * Q });
    tr.advance(12 * Q);
    pl.render(&tl, &tr, cur, &mask, &vals, &curve);
    try testing.expectEqual(@as(u32, 0), pl.synth_mask[2]);
}
