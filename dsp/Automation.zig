//! Automation: one automated parameter following its lane (Timeline automation points) as the
//! transport plays, evaluated per frame, and its handover to the ~10 ms parameter smoothing.
//!
//! The curve. Each point has a song frame `K_i` (its time in beats through the tempo map, never
//! swung, or in seconds; rounded to the nearest frame as Timeline events are), a value `v_i` and the
//! ramp by which the value travels from the previous point to it (Web Audio's convention:
//! `linearRampToValueAtTime` describes the segment that *ends* at its point):
//!   step:        v(f) = v_{i-1} for K_{i-1} ≤ f < K_i, then v_i from K_i on (exact jump, not smoothed)
//!   linear:      v(f) = v_{i-1} + (v_i − v_{i-1})·x,           x = (f − K_{i-1})/(K_i − K_{i-1})
//!   exponential: v(f) = v_{i-1}·(v_i / v_{i-1})^x               (same sign, non-zero; else linear)
//! Before the first point the value is v_0; after the last it is v_last. Ramps are linear in time
//! (frames), also between beat-timed points under a tempo ramp.
//!
//! Resolution: per frame (`render` fills a 128-frame buffer). Linear segments are evaluated
//! directly in f64 per frame; exponential ones by an f64 multiplicative recurrence re-anchored with
//! a direct `exp` at every segment and point, so after at most 128 steps the relative error is
//! ≤ 128·2^-53 ≈ 1.4e-14 before the final rounding to f32 (2^-24 ≈ 6e-8 relative). Strip
//! parameters that the mixer reads once per quantum (filter, compressor) take the quantum's last
//! value, `value`; gains interpolated per sample between quantum ends (Smoother.Ramp) then deviate
//! from the curve only where a point falls inside a quantum (linear) or by at most
//! h²/8·max|v''| = (128²/8)·|v|·(ln(v_i/v_{i-1})/(K_i − K_{i-1}))² (exponential, h = 128 frames).
//! A strip's fader (volume) instead follows `out` at every frame (StripGroup.volumeCurve, wired by
//! ParamLanes.zig), so fader automation is exact per frame, steps included.
//!
//! Coexistence with the smoothing of immediate changes (Smoother.zig, one-pole τ = 10 ms):
//! * While the transport plays and the lane has points, the lane drives the parameter and bypasses
//!   the smoother: a ramp is already continuous, and a 10 ms lag would delay every ramp by ~10 ms.
//!   The lead writes `value` into the smoother's *current* value each quantum (so the smoother
//!   stays where the automation is) and leaves the smoother's *target* alone.
//! * An immediate write (a fader move) sets the smoother's *target* only. While the lane drives, the
//!   lane wins (a DAW's "read" mode); when the lane stops driving (transport paused or stopped, lane
//!   emptied) `render` returns false and the smoother glides from the last automated value to the
//!   last immediate target with its usual τ = 10 ms. In the other direction, the lead sets `value`
//!   to the smoother's current value before the lane starts driving, and the join below glides
//!   from there onto the lane.
//! * A jump of the song (start, seek, loop wrap, re-time, or the lane driving again after a pause)
//!   would make the lane's value jump; instead the output joins the lane smoothly: out = lane + d,
//!   where d starts as (last output − lane at the new position) and decays per frame by
//!   exp(−1/(τ·fs)) with the smoother's τ, snapping to 0 below `join_eps`. Step points inside the
//!   lane are intended jumps and are not smoothed.
//!
//! Memory: a few scalars per automated parameter; the points stay in the Timeline's storage.
//! `render` is allocation-free, O(log points + frames) per quantum.
const std = @import("std");
const Transport = @import("Transport.zig");
const Timeline = @import("Timeline.zig");
const Smoother = @import("smoother.zig");
const Lanes = @import("lanes.zig");

const Automation = @This();
const Event = Timeline.Event;
const Ramp = Timeline.Ramp;
const Q = Lanes.quantum;

/// The join offset snaps to 0 below this (relative for values above 1), as the smoother snaps.
pub const join_eps: f64 = 1e-6;

/// Output at the end of the last quantum rendered.
value: f32 = 0,
/// Decaying offset between the output and the lane after a jump of the song.
join: f64 = 0,
/// Per-frame decay of `join`: exp(−1/(τ·fs)).
coef: f64 = 0,
/// The lane drove the last quantum.
driving: bool = false,
/// Song frame that continues the last segment rendered (to detect jumps).
next_song: i64 = 0,

/// An automated parameter at rest at `initial`.
pub fn init(sample_rate: f64, initial: f32) Automation {
    return .{ .value = initial, .coef = @exp(-1.0 / (@as(f64, Smoother.tau_s) * sample_rate)) };
}

/// Song frame of a point.
pub fn pointFrame(tr: *const Transport, p: *const Event) i64 {
    if (p.flags & Event.Flags.seconds != 0) return tr.frameOfSeconds(p.time);
    return tr.frameOfBeat(p.time);
}

/// Index of the first point whose frame is > f (0 ..= len).
fn upper(points: []const Event, tr: *const Transport, f: i64) usize {
    var lo: usize = 0;
    var hi: usize = points.len;
    while (lo < hi) {
        const mid = lo + (hi - lo) / 2;
        if (pointFrame(tr, &points[mid]) <= f) lo = mid + 1 else hi = mid;
    }
    return lo;
}

/// An exponential segment needs both ends of one sign and non-zero (Web Audio's rule for
/// exponentialRampToValueAtTime); otherwise it travels linearly.
fn isExp(v0: f64, p: *const Event) bool {
    return p.c == @intFromEnum(Ramp.exponential) and v0 * @as(f64, p.value()) > 0;
}

/// The lane's value at song frame `f` (direct evaluation; `points` non-empty).
pub fn valueAt(points: []const Event, tr: *const Transport, f: i64) f64 {
    const i = upper(points, tr, f);
    if (i == 0) return points[0].value();
    if (i == points.len) return points[i - 1].value();
    return between(tr, &points[i - 1], &points[i], f);
}

fn between(tr: *const Transport, a: *const Event, b: *const Event, f: i64) f64 {
    const v0: f64 = a.value();
    const v1: f64 = b.value();
    if (b.c == @intFromEnum(Ramp.step)) return v0;
    const k0 = pointFrame(tr, a);
    const k1 = pointFrame(tr, b);
    if (k1 <= k0) return v1;
    const x = @as(f64, @floatFromInt(f - k0)) / @as(f64, @floatFromInt(k1 - k0));
    if (isExp(v0, b)) return v0 * @exp(@log(v1 / v0) * x);
    return v0 + (v1 - v0) * x;
}

/// Fills `out` with the parameter's value at every frame of the quantum the transport just
/// advanced (frames outside a segment hold the last value). Returns true when the lane drove the
/// parameter (transport playing, lane non-empty); false leaves the parameter to the smoother and
/// `out` holding `value`.
pub fn render(self: *Automation, points: []const Event, tr: *const Transport, out: *[Q]f32) bool {
    const segs = tr.segments();
    if (points.len == 0 or segs.len == 0) {
        @memset(out, self.value);
        self.driving = false;
        return false;
    }
    var held: f32 = self.value;
    var off: u32 = 0;
    for (segs) |s| {
        while (off < s.offset) : (off += 1) out[off] = held;
        if (!self.driving or s.song != self.next_song) {
            self.join = @as(f64, held) - valueAt(points, tr, s.song);
            self.driving = true;
        }
        held = self.renderSegment(points, tr, s, out);
        off = s.offset + s.len;
        self.next_song = s.song + s.len;
    }
    while (off < Q) : (off += 1) out[off] = held;
    self.value = held;
    return true;
}

fn renderSegment(self: *Automation, points: []const Event, tr: *const Transport, s: Transport.Segment, out: *[Q]f32) f32 {
    var f = s.song;
    const f_end = s.song + s.len;
    var o = s.offset;
    var i = upper(points, tr, f);
    var last: f32 = 0;
    while (f < f_end) {
        // Frames up to the next point (or the segment's end) share one formula.
        const k_next = if (i < points.len) pointFrame(tr, &points[i]) else std.math.maxInt(i64);
        const run_end = @min(f_end, k_next);
        if (i == 0 or i == points.len or points[i].c == @intFromEnum(Ramp.step)) {
            const v: f64 = if (i == 0) points[0].value() else points[i - 1].value();
            while (f < run_end) : ({
                f += 1;
                o += 1;
            }) last = self.put(out, o, v);
        } else {
            const a = &points[i - 1];
            const b = &points[i];
            const v0: f64 = a.value();
            const v1: f64 = b.value();
            const k0 = pointFrame(tr, a);
            const span: f64 = @floatFromInt(k_next - k0);
            if (isExp(v0, b)) {
                const g = @log(v1 / v0) / span;
                var v = v0 * @exp(g * @as(f64, @floatFromInt(f - k0)));
                const r = @exp(g);
                while (f < run_end) : ({
                    f += 1;
                    o += 1;
                    v *= r;
                }) last = self.put(out, o, v);
            } else {
                const d = (v1 - v0) / span;
                while (f < run_end) : ({
                    f += 1;
                    o += 1;
                }) last = self.put(out, o, v0 + d * @as(f64, @floatFromInt(f - k0)));
            }
        }
        if (f == k_next) i += 1;
        // Several points on one frame: the last one wins.
        while (i < points.len and pointFrame(tr, &points[i]) <= f) i += 1;
    }
    return last;
}

inline fn put(self: *Automation, out: *[Q]f32, o: u32, lane: f64) f32 {
    var v = lane;
    if (self.join != 0) {
        v += self.join;
        self.join *= self.coef;
        if (@fabs(self.join) <= join_eps * @max(1, @fabs(lane))) self.join = 0;
    }
    const x: f32 = @floatCast(v);
    out[o] = x;
    return x;
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;

fn pt(time: f64, v: f32, ramp: Ramp, seconds: bool) Event {
    return .{ .time = time, .id = 1, .kind = .automation, .flags = if (seconds) Event.Flags.seconds else 0, .target = 0, .param = 15, .a = @bitCast(v), .c = @intFromEnum(ramp) };
}

fn play(tr: *Transport, quanta: u64, a: *Automation, pts: []const Event, out: []f32, start_q: u64) void {
    var buf: [Q]f32 = undefined;
    for (0..quanta) |q| {
        tr.advance((start_q + q) * Q);
        _ = a.render(pts, tr, &buf);
        @memcpy(out[q * Q ..][0..Q], &buf);
    }
}

test "step, linear and exponential ramps against the analytic curve (1e-5)" {
    const fs = 48000;
    var tr = Transport.init(fs);
    // Points in seconds so their frames are exact: 0.1 s = 4800 frames.
    const pts = [_]Event{
        pt(0.1, 0.25, .step, true), // before: 0.25
        pt(0.5, 0.75, .linear, true),
        pt(1.0, 0.75, .step, true),
        pt(1.25, 20, .step, true), // jump at 60000
        pt(3.0, 18000, .exponential, true), // 20 -> 18000 Hz over 84000 frames
        pt(3.5, 0.001, .exponential, true),
        pt(4.0, -1, .linear, true),
        pt(4.1, -0.01, .exponential, true), // both negative: exponential
        pt(4.2, 0.5, .exponential, true), // a sign change: linear
    };
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    const n: usize = 206400 / Q; // 4.3 s
    var out: [n * Q]f32 = undefined;
    var a = Automation.init(fs, 0.25);
    play(&tr, n, &a, &pts, &out, 0);
    var worst: f64 = 0;
    for (out, 0..) |got, f| {
        const t = @as(f64, @floatFromInt(f));
        // The curve written out from its definition, segment by segment.
        const want: f64 = if (t < 4800)
            0.25
        else if (t < 24000)
            0.25 + 0.5 * (t - 4800) / (24000 - 4800)
        else if (t < 60000)
            0.75
        else if (t < 144000)
            20 * std.math.pow(f64, 18000.0 / 20.0, (t - 60000) / 84000)
        else if (t < 168000)
            18000 * std.math.pow(f64, 0.001 / 18000.0, (t - 144000) / 24000)
        else if (t < 192000)
            0.001 + (-1 - 0.001) * (t - 168000) / 24000
        else if (t < 196800)
            -1 * std.math.pow(f64, 0.01, (t - 192000) / 4800)
        else if (t < 201600)
            -0.01 + (0.5 + 0.01) * (t - 196800) / 4800
        else
            0.5;
        const err = @fabs(got - want) / @max(1, @fabs(want));
        worst = @max(worst, err);
    }
    try testing.expect(worst <= 1e-5);
    // The step lands on its exact frame.
    try testing.expectEqual(@as(f32, 0.75), out[59999]);
    try testing.expectEqual(@as(f32, 20), out[60000]);
}

test "beat-timed points follow the tempo map; a loop wrap joins the lane smoothly" {
    const fs = 48000;
    var tr = Transport.init(fs);
    try tr.setTempoMap(&.{ .{ .beat = 0, .bpm = 60, .ramp = .linear }, .{ .beat = 4, .bpm = 180 } });
    const pts = [_]Event{ pt(0, 0, .step, false), pt(2, 1, .linear, false) };
    const k2 = tr.frameOfSeconds(tr.map.seconds(2)); // independent of the lane code: 2 beats of the ramp
    try testing.expectEqual(@as(i64, @intFromFloat(@round(48000 * 60.0 / 30.0 * @log(1.0 + 30.0 * 2.0 / 60.0)))), k2);
    try tr.setLoop(0, 2, true);
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    const k2u: usize = @intCast(k2);
    const n = (k2u + 4800) / Q + 1;
    var out: [((2 * 48000 + 4800) / Q + 2) * Q]f32 = undefined;
    var a = Automation.init(fs, 0);
    play(&tr, n, &a, &pts, out[0 .. n * Q], 0);
    // First pass: linear in frames up to the loop end.
    for (0..k2u) |f| try testing.expectApproxEqAbs(@as(f32, @floatCast(@as(f64, @floatFromInt(f)) / @as(f64, @floatFromInt(k2)))), out[f], 1e-6);
    // After the wrap (lane back to 0) the output decays from the last value with τ = 10 ms:
    // out = lane(n) + d0·c^(n+1), c = exp(−1/480), d0 = last output − lane(0).
    const c = @exp(-1.0 / 480.0);
    const d0 = @as(f64, out[k2u - 1]);
    for (0..2400) |m| {
        const lane = @as(f64, @floatFromInt(m)) / @as(f64, @floatFromInt(k2));
        const want = lane + d0 * std.math.pow(f64, c, @as(f64, @floatFromInt(m)));
        try testing.expectApproxEqAbs(want, out[k2u + m], 1e-5);
    }
}

test "handover to the smoother when the transport stops" {
    const fs = 48000;
    var tr = Transport.init(fs);
    const pts = [_]Event{ pt(0, 0.5, .step, true), pt(0.01, 0.5, .step, true) };
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    var buf: [Q]f32 = undefined;
    var a = Automation.init(fs, 0.5);
    var cur: Lanes.V = @splat(0.5); // the smoother's current value
    const target: Lanes.V = @splat(0.9); // an immediate write made while automation plays
    tr.advance(0);
    try testing.expect(a.render(&pts, &tr, &buf));
    cur = @splat(a.value); // the lane bypasses the smoother: current follows the automation
    try testing.expectEqual(@as(f32, 0.5), cur[0]);
    try tr.schedule(.{ .kind = .stop, .frame = Q });
    tr.advance(Q);
    try testing.expect(!a.render(&pts, &tr, &buf));
    // Now the smoother owns the parameter: from 0.5 to 0.9 with its one-pole.
    const coef = Smoother.quantumCoef(fs);
    for (1..6) |k| {
        _ = Smoother.step(&cur, target, coef, 1e-6);
        const want = 0.9 + (0.5 - 0.9) * std.math.pow(f32, coef, @as(f32, @floatFromInt(k)));
        try testing.expectApproxEqAbs(want, cur[0], 1e-6);
    }
}
