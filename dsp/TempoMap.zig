//! Musical time: a tempo map (tempo points with steps and linear ramps) and a time-signature map,
//! and the exact mapping between beats (quarter notes), seconds and bars/beats/ticks.
//!
//! Units. A *beat* here is always a quarter note (960 ticks, `ppq`); a time signature's own beat
//! unit (the denominator) only matters for bars/beats/ticks and for the metronome. Positions are
//! f64: one hour at 48 kHz is 1.7e8 frames (2^27.4), so f64's 53-bit mantissa keeps a position to
//! ~3e-8 frame (2^-25) after an hour and ~1e-6 frame after 24 hours, while f32 (24 bits) stops
//! resolving single frames after 5.8 minutes (2^24 frames). 400 BPM for 24 hours is 576,000 beats
//! (2^19.1), resolved to 2^-33 beat.
//!
//! Tempo. Point i sits at beat `b_i` with tempo `B_i` (20..400 BPM) and a ramp kind for the stretch
//! up to the next point: `step` holds `B_i`; `linear` moves the tempo linearly *in beats* to
//! `B_{i+1}` (a point is placed at a beat, so the ramp is defined on the musical axis). The last
//! point's tempo holds forever. Time is the integral of seconds per beat:
//!
//!     t(b) = t_i + ∫_{b_i}^{b} 60 / B(β) dβ,   B(β) = B_i + k·(β − b_i),  k = (B_{i+1} − B_i)/(b_{i+1} − b_i)
//!
//! and with the standard integral ∫ dx/(a + kx) = ln(a + kx)/k:
//!
//!     step   (k = 0): t(b) = t_i + 60·x / B_i                         x = b − b_i
//!     linear (k ≠ 0): t(b) = t_i + (60/k)·ln(1 + k·x/B_i)              (log1p: exact as k → 0)
//!     inverse:        x(t) = (B_i/k)·expm1(k·(t − t_i)/60)             (x = (t − t_i)·B_i/60 for k = 0)
//!
//! `t_i` is accumulated point by point when the map is set (outside the audio path), so evaluating
//! t(b) is a binary search over at most `max_points` points and one log1p. B(β) stays within
//! [20, 400] between two valid points, so the logarithm's argument is ≥ 1/20.
//!
//! Time signatures change at bar numbers (0-based); the first is at bar 0. Bar `m` starts at the
//! quarter-note position accumulated from the earlier signatures (bar length = num·4/den).
//!
//! Memory: fixed arrays inside the struct (no allocation); `set`/`setSignatures` run outside the
//! audio path (they validate and precompute), the queries are cheap and allocation-free.
const std = @import("std");

const TempoMap = @This();

/// Ticks per quarter note.
pub const ppq: u32 = 960;
pub const min_bpm: f64 = 20;
pub const max_bpm: f64 = 400;
/// Tempo points the map holds.
pub const max_points = 256;
/// Time-signature changes the map holds.
pub const max_signatures = 64;
/// Largest position accepted (beats): 400 BPM for more than 24 hours.
pub const max_beat: f64 = 1 << 20;

/// How the tempo moves from a point to the next one.
pub const Ramp = enum(u32) { step = 0, linear = 1 };

/// A tempo point: from `beat` on, the tempo is `bpm`, then held (`step`) or ramped linearly in
/// beats to the next point's tempo (`linear`).
pub const Point = struct {
    beat: f64,
    bpm: f64,
    ramp: Ramp = .step,
};

/// A time signature starting at bar `bar` (0-based): `num` beats of 1/`den` notes per bar.
pub const Signature = struct {
    bar: u32,
    num: u32 = 4,
    den: u32 = 4,
};

/// Position in bars, beats and ticks (all 0-based; a display adds 1 to bar and beat). `beat` counts
/// the signature's beat unit (1/den), `tick` the ticks into that beat (960 per quarter note, so
/// 480 per eighth-note beat).
pub const Bbt = struct { bar: u32, beat: u32, tick: u32 };

pub const Error = error{
    /// No points, more than `max_points`, or more than `max_signatures`.
    BadCount,
    /// The first point is not at beat 0 / the first signature not at bar 0.
    BadStart,
    /// Positions not strictly increasing or not finite, or beyond `max_beat`.
    BadPosition,
    /// A tempo outside 20..400 BPM (or not finite).
    BadTempo,
    /// A numerator outside 1..64 or a denominator not a power of two in 1..64.
    BadSignature,
};

points: [max_points]Point = undefined,
/// Seconds at each point.
secs: [max_points]f64 = undefined,
/// Tempo slope (BPM per beat) from each point to the next (0 for a step or the last point).
slope: [max_points]f64 = undefined,
n_points: u32 = 0,
sigs: [max_signatures]Signature = undefined,
/// Quarter-note position where each signature starts.
sig_beat: [max_signatures]f64 = undefined,
n_sigs: u32 = 0,

/// A constant tempo in 4/4.
pub fn init(bpm: f64) Error!TempoMap {
    var m = TempoMap{};
    try m.set(&.{.{ .beat = 0, .bpm = bpm }});
    try m.setSignatures(&.{.{ .bar = 0 }});
    return m;
}

/// Replaces the tempo points (validated first; on error nothing changes).
pub fn set(self: *TempoMap, pts: []const Point) Error!void {
    if (pts.len == 0 or pts.len > max_points) return error.BadCount;
    if (pts[0].beat != 0) return error.BadStart;
    for (pts, 0..) |p, i| {
        if (!std.math.isFinite(p.bpm) or p.bpm < min_bpm or p.bpm > max_bpm) return error.BadTempo;
        if (!std.math.isFinite(p.beat) or p.beat > max_beat) return error.BadPosition;
        if (i > 0 and !(p.beat > pts[i - 1].beat)) return error.BadPosition;
    }
    self.n_points = @intCast(pts.len);
    var t: f64 = 0;
    for (pts, 0..) |p, i| {
        self.points[i] = p;
        self.secs[i] = t;
        self.slope[i] = 0;
        if (i + 1 < pts.len) {
            const len = pts[i + 1].beat - p.beat;
            if (p.ramp == .linear and pts[i + 1].bpm != p.bpm) self.slope[i] = (pts[i + 1].bpm - p.bpm) / len;
            t += span(p.bpm, self.slope[i], len);
        }
    }
}

/// Replaces the signatures (validated first; on error nothing changes).
pub fn setSignatures(self: *TempoMap, sigs: []const Signature) Error!void {
    if (sigs.len == 0 or sigs.len > max_signatures) return error.BadCount;
    if (sigs[0].bar != 0) return error.BadStart;
    for (sigs, 0..) |s, i| {
        if (s.num < 1 or s.num > 64 or s.den < 1 or s.den > 64 or !std.math.isPowerOfTwo(s.den)) return error.BadSignature;
        if (i > 0 and s.bar <= sigs[i - 1].bar) return error.BadPosition;
    }
    self.n_sigs = @intCast(sigs.len);
    var q: f64 = 0;
    for (sigs, 0..) |s, i| {
        if (i > 0) q += @as(f64, @floatFromInt(s.bar - sigs[i - 1].bar)) * barLength(sigs[i - 1]);
        self.sigs[i] = s;
        self.sig_beat[i] = q;
    }
}

/// Quarter notes in one bar of `s`.
pub fn barLength(s: Signature) f64 {
    return @as(f64, @floatFromInt(s.num)) * 4 / @as(f64, @floatFromInt(s.den));
}

/// Seconds spent over `x` beats from a point of tempo `bpm` and slope `k` (see the file header).
inline fn span(bpm: f64, k: f64, x: f64) f64 {
    if (k == 0) return 60 * x / bpm;
    return (60 / k) * std.math.log1p(k * x / bpm);
}

/// Index of the tempo point governing beat `b` (the last point at or before it; 0 before beat 0).
fn pointAt(self: *const TempoMap, b: f64) usize {
    var lo: usize = 0;
    var hi: usize = self.n_points;
    while (hi - lo > 1) {
        const mid = (lo + hi) / 2;
        if (self.points[mid].beat <= b) lo = mid else hi = mid;
    }
    return lo;
}

fn pointAtSeconds(self: *const TempoMap, t: f64) usize {
    var lo: usize = 0;
    var hi: usize = self.n_points;
    while (hi - lo > 1) {
        const mid = (lo + hi) / 2;
        if (self.secs[mid] <= t) lo = mid else hi = mid;
    }
    return lo;
}

/// Seconds from beat 0 to beat `b` (negative `b` extrapolates the first tempo).
pub fn seconds(self: *const TempoMap, b: f64) f64 {
    const i = self.pointAt(b);
    return self.secs[i] + span(self.points[i].bpm, self.slope[i], b - self.points[i].beat);
}

/// The beat reached after `t` seconds (inverse of `seconds`).
pub fn beat(self: *const TempoMap, t: f64) f64 {
    const i = self.pointAtSeconds(t);
    const p = self.points[i];
    const dt = t - self.secs[i];
    const k = self.slope[i];
    if (k == 0) return p.beat + dt * p.bpm / 60;
    return p.beat + (p.bpm / k) * std.math.expm1(k * dt / 60);
}

/// Tempo at beat `b`, BPM.
pub fn bpmAt(self: *const TempoMap, b: f64) f64 {
    const i = self.pointAt(@max(b, 0));
    return self.points[i].bpm + self.slope[i] * (@max(b, 0) - self.points[i].beat);
}

/// Beat (quarter notes) of the first point that differs between `self` and `pts`, moved back to
/// the previous point when that one ramps (its ramp ends at the changed point): time before the
/// returned beat is identical under both maps. `inf` when they are equal.
pub fn firstChange(self: *const TempoMap, pts: []const Point) f64 {
    const n = @min(pts.len, self.n_points);
    var i: usize = 0;
    while (i < n and std.meta.eql(pts[i], self.points[i])) i += 1;
    if (i == n and pts.len == self.n_points) return std.math.inf(f64);
    if (i == 0) return 0;
    // Point i-1 is shared; if it ramps (in either map) the stretch from it changed.
    if (self.points[i - 1].ramp == .linear) return self.points[i - 1].beat;
    if (i < pts.len and i < self.n_points) return @min(pts[i].beat, self.points[i].beat);
    return if (i < pts.len) pts[i].beat else self.points[i].beat;
}

fn sigAt(self: *const TempoMap, b: f64) usize {
    var j: usize = 0;
    while (j + 1 < self.n_sigs and self.sig_beat[j + 1] <= b) j += 1;
    return j;
}

/// Signature in force at beat `b`.
pub fn signatureAt(self: *const TempoMap, b: f64) Signature {
    return self.sigs[self.sigAt(b)];
}

/// Tolerance (beats) for "on a grid line": far below a tick (1/960), far above f64 error.
const grid_eps = 1e-9;

/// Bars/beats/ticks of position `b` (≥ 0).
pub fn bbt(self: *const TempoMap, b_in: f64) Bbt {
    const b = @max(b_in, 0);
    const j = self.sigAt(b);
    const s = self.sigs[j];
    const len = barLength(s);
    const rel = b - self.sig_beat[j];
    const bars = @floor(rel / len + grid_eps);
    const within = @max(rel - bars * len, 0);
    const unit = 4 / @as(f64, @floatFromInt(s.den));
    const bt = @min(@floor(within / unit + grid_eps), @as(f64, @floatFromInt(s.num - 1)));
    const tick = @floor(@max(within - bt * unit, 0) * @as(f64, ppq) + grid_eps * @as(f64, ppq));
    return .{ .bar = s.bar + @as(u32, @intFromFloat(bars)), .beat = @intFromFloat(bt), .tick = @intFromFloat(tick) };
}

/// Quarter-note position of bar `bar`'s downbeat.
pub fn barBeat(self: *const TempoMap, bar: u32) f64 {
    var j: usize = 0;
    while (j + 1 < self.n_sigs and self.sigs[j + 1].bar <= bar) j += 1;
    return self.sig_beat[j] + @as(f64, @floatFromInt(bar - self.sigs[j].bar)) * barLength(self.sigs[j]);
}

/// What a grid line is.
pub const Grid = enum(u32) { none = 0, beat = 1, bar = 2 };

/// The first grid line (bar downbeat, or signature beat) at or after `b`.
pub fn nextLine(self: *const TempoMap, b_in: f64, grid: Grid) f64 {
    const b = @max(b_in, 0);
    if (grid == .none) return b;
    const j = self.sigAt(b);
    const s = self.sigs[j];
    const unit = if (grid == .bar) barLength(s) else 4 / @as(f64, @floatFromInt(s.den));
    const rel = b - self.sig_beat[j];
    const n = @ceil(rel / unit - grid_eps);
    const line = self.sig_beat[j] + n * unit;
    // A signature change is always on a bar line.
    if (j + 1 < self.n_sigs and self.sig_beat[j + 1] < line) return self.sig_beat[j + 1];
    return line;
}

/// True when `b` is a bar downbeat (for the metronome's accent).
pub fn isDownbeat(self: *const TempoMap, b: f64) bool {
    return @fabs(self.nextLine(b - grid_eps, .bar) - b) <= 2 * grid_eps * @max(1, b);
}

// --- Tests ------------------------------------------------------------------------------------

const testing = std.testing;

test "constant tempo: seconds and beats" {
    const m = try TempoMap.init(120);
    try testing.expectEqual(@as(f64, 0.5), m.seconds(1));
    try testing.expectEqual(@as(f64, 30), m.seconds(60));
    try testing.expectEqual(@as(f64, 8), m.beat(4));
    try testing.expectEqual(@as(f64, 120), m.bpmAt(1000));
}

test "linear ramp against numeric integration and round trips" {
    var m = TempoMap{};
    try m.set(&.{
        .{ .beat = 0, .bpm = 60, .ramp = .linear },
        .{ .beat = 16, .bpm = 180, .ramp = .step },
        .{ .beat = 20, .bpm = 90, .ramp = .linear },
        .{ .beat = 21, .bpm = 90.000001 },
    });
    // Composite Simpson over 60/B(β) with 200,000 intervals per tempo stretch: an independent path.
    const probes = [_]f64{ 0.25, 3, 8, 15.999, 16, 17.5, 20, 20.5, 21, 30 };
    for (probes) |b| {
        var t: f64 = 0;
        var lo: f64 = 0;
        for (0..m.n_points) |i| {
            if (m.points[i].beat >= b) break;
            const hi = if (i + 1 < m.n_points) @min(b, m.points[i + 1].beat) else b;
            const n: usize = 200_000;
            const h = (hi - m.points[i].beat) / @as(f64, @floatFromInt(n));
            var s: f64 = 0;
            for (0..n + 1) |k| {
                const x = m.points[i].beat + h * @as(f64, @floatFromInt(k));
                const w: f64 = if (k == 0 or k == n) 1.0 else if (k % 2 == 1) @as(f64, 4) else 2.0;
                // The tempo of stretch i from its definition (not bpmAt: at the stretch's end
                // bpmAt already gives the next point's tempo).
                const p = m.points[i];
                const bx = if (p.ramp == .linear and i + 1 < m.n_points)
                    p.bpm + (m.points[i + 1].bpm - p.bpm) * (x - p.beat) / (m.points[i + 1].beat - p.beat)
                else
                    p.bpm;
                s += w * 60 / bx;
            }
            t += s * h / 3;
            lo = hi;
        }
        try testing.expectApproxEqAbs(t, m.seconds(b), 1e-10);
        try testing.expectApproxEqAbs(b, m.beat(m.seconds(b)), 1e-9);
    }
    // Analytic check of the first ramp: k = 7.5 BPM/beat, t(16) = 8·ln 3.
    try testing.expectApproxEqRel(@as(f64, 8 * @log(3.0)), m.seconds(16), 1e-14);
}

test "validation" {
    var m = try TempoMap.init(100);
    try testing.expectError(error.BadTempo, m.set(&.{.{ .beat = 0, .bpm = 19.9 }}));
    try testing.expectError(error.BadTempo, m.set(&.{.{ .beat = 0, .bpm = std.math.nan(f64) }}));
    try testing.expectError(error.BadStart, m.set(&.{.{ .beat = 1, .bpm = 100 }}));
    try testing.expectError(error.BadPosition, m.set(&.{ .{ .beat = 0, .bpm = 100 }, .{ .beat = 0, .bpm = 120 } }));
    try testing.expectError(error.BadSignature, m.setSignatures(&.{.{ .bar = 0, .num = 3, .den = 6 }}));
    try testing.expectError(error.BadStart, m.setSignatures(&.{.{ .bar = 2 }}));
    try testing.expectEqual(@as(f64, 0.6), m.seconds(1)); // unchanged after the errors
}

test "signatures: bars, beats and ticks, grid lines" {
    var m = try TempoMap.init(120);
    // 4/4 for 2 bars, then 7/8 for 2 bars, then 3/4.
    try m.setSignatures(&.{ .{ .bar = 0 }, .{ .bar = 2, .num = 7, .den = 8 }, .{ .bar = 4, .num = 3, .den = 4 } });
    try testing.expectEqual(@as(f64, 8), m.barBeat(2));
    try testing.expectEqual(@as(f64, 11.5), m.barBeat(3));
    try testing.expectEqual(@as(f64, 15), m.barBeat(4));
    try testing.expectEqual(Bbt{ .bar = 1, .beat = 2, .tick = 480 }, m.bbt(6.5));
    // 7/8: beat unit is an eighth (480 ticks).
    try testing.expectEqual(Bbt{ .bar = 2, .beat = 3, .tick = 240 }, m.bbt(8 + 1.75));
    try testing.expectEqual(Bbt{ .bar = 5, .beat = 0, .tick = 0 }, m.bbt(18));
    try testing.expectEqual(@as(f64, 8), m.nextLine(5.1, .bar));
    try testing.expectEqual(@as(f64, 8), m.nextLine(8, .bar));
    try testing.expectEqual(@as(f64, 9.5), m.nextLine(9.3, .beat));
    try testing.expectEqual(@as(f64, 15), m.nextLine(14.9, .beat));
    try testing.expect(m.isDownbeat(11.5));
    try testing.expect(!m.isDownbeat(11));
}

test firstChange {
    var m = TempoMap{};
    const a = [_]Point{ .{ .beat = 0, .bpm = 100 }, .{ .beat = 8, .bpm = 120, .ramp = .linear }, .{ .beat = 16, .bpm = 140 } };
    try m.set(&a);
    try testing.expect(std.math.isInf(m.firstChange(&a)));
    var b = a;
    b[2].bpm = 150;
    try testing.expectEqual(@as(f64, 8), m.firstChange(&b)); // the ramp from beat 8 changed
    const c = [_]Point{ a[0], a[1], a[2], .{ .beat = 32, .bpm = 90 } };
    try testing.expectEqual(@as(f64, 32), m.firstChange(&c));
}
