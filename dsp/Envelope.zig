//! Exponential ADSR amplitude envelope (one-pole segments, the shape of an analog RC envelope).
//!
//! Every sample the level moves as `level = min(target + (level - target) * coef, 1)`, then is used
//! ("update, then use", so a note's first sample is already non-zero).
//! - Attack: approach toward an overshoot target `attack_target` (1.5) from 0, with `coef` chosen
//!   so the curve hits exactly 1.0 after `round(attack_ms * fs / 1000)` samples; the stage then
//!   snaps to 1.0 and ends. Attack 0 gives 1.0 on the first sample.
//! - Decay: toward `sustain`; after decay_ms the remaining distance is 1/1000 (-60 dB) of the start.
//! - Release: toward 0; after release_ms the level is -60 dB below the level at note off.
//! - The voice is freed once the level is below `silence` (-100 dB) in release (or in decay with
//!   sustain below -100 dB).
//! The caller drives it in spans of constant (target, coef): see `span`, `segment`, `advance`.
const std = @import("std");

const Envelope = @This();

/// Stage of the envelope.
pub const Stage = enum(u8) { attack, decay, release };

/// Overshoot target of the attack curve (an RC charging toward 1.5 and clipped at 1).
pub const attack_target: f32 = 1.5;
/// Level under which a releasing voice is freed: -100 dB.
pub const silence: f32 = 1e-5;

/// Per-sample coefficients derived from the synth's ADSR parameters (computed once per quantum).
pub const Coefs = struct {
    /// Number of attack updates; the level reaches 1.0 on update `attack_updates` (sample index
    /// attack_updates - 1 after note on = round(attack_ms * fs / 1000)).
    attack_updates: u32 = 1,
    /// Attack one-pole coefficient.
    attack_c: f32 = 0,
    /// Decay one-pole coefficient.
    decay_c: f32 = 0,
    /// Sustain level 0..1.
    sustain: f32 = 1,
    /// Release one-pole coefficient.
    release_c: f32 = 0,

    /// Coefficients for the given times (ms, already validated/clamped by the caller) at `fs`.
    pub fn compute(attack_ms: f32, decay_ms: f32, sustain: f32, release_ms: f32, fs: f32) Coefs {
        const n: u32 = @intFromFloat(@round(@max(attack_ms, 0) * fs / 1000));
        const updates = n + 1;
        // (T - 1) / T = coef^updates  =>  T (1 - coef^updates) = 1.
        const ratio = @log((@as(f64, attack_target) - 1.0) / attack_target);
        return .{
            .attack_updates = updates,
            .attack_c = @floatCast(@exp(ratio / @as(f64, @floatFromInt(updates)))),
            .decay_c = sixtyDb(decay_ms, fs),
            .sustain = std.math.clamp(sustain, 0, 1),
            .release_c = sixtyDb(release_ms, fs),
        };
    }

    fn sixtyDb(ms: f32, fs: f32) f32 {
        const samples = @max(ms * fs / 1000, 1);
        return @exp(@log(@as(f32, 0.001)) / samples);
    }
};

/// Current stage.
stage: Stage = .attack,
/// Current level (0..1).
level: f32 = 0,
/// Attack updates done so far.
attack_count: u32 = 0,

/// Restarts from level 0 in the attack stage.
pub fn start(self: *Envelope) void {
    self.* = .{};
}

/// Enters the release stage from the current level (no step).
pub fn release(self: *Envelope) void {
    self.stage = .release;
}

/// Prepares the next span: finishes an attack that is due and returns how many samples (at most
/// `max`) can run with one (target, coef) pair.
pub fn span(self: *Envelope, c: *const Coefs, max: u32) u32 {
    if (self.stage == .attack) {
        if (self.attack_count >= c.attack_updates) {
            // Natural end: the curve is at 1.0 (up to rounding), snap it. If attack_ms was shortened
            // mid-attack the count may overshoot; then decay from wherever the level is (no step).
            if (self.attack_count == c.attack_updates) self.level = 1.0;
            self.stage = .decay;
            return max;
        }
        // The last attack update is a separate one-sample span (target 1, coef 0) so the level is
        // exactly 1.0 on that sample rather than 1 - rounding.
        const left = c.attack_updates - self.attack_count;
        return if (left == 1) @min(max, 1) else @min(max, left - 1);
    }
    return max;
}

/// Target and coefficient for the current stage.
pub fn segment(self: *const Envelope, c: *const Coefs) struct { target: f32, coef: f32 } {
    return switch (self.stage) {
        .attack => if (self.attack_count + 1 >= c.attack_updates)
            .{ .target = 1.0, .coef = 0 }
        else
            .{ .target = attack_target, .coef = c.attack_c },
        .decay => .{ .target = c.sustain, .coef = c.decay_c },
        .release => .{ .target = 0, .coef = c.release_c },
    };
}

/// Books `n` samples run with `segment`; the caller has written the new `level`.
pub fn advance(self: *Envelope, c: *const Coefs, n: u32) void {
    if (self.stage == .attack) {
        self.attack_count += n;
        if (self.attack_count == c.attack_updates) {
            self.level = 1.0;
            self.stage = .decay;
        }
    }
    // A finite coefficient in (0, 1) keeps the level finite; this guard only matters if a caller
    // bypassed Coefs. Decay toward sustain never leaves denormals: level stays near sustain, and
    // levels near 0 are freed at -100 dB long before the float range underflows.
    if (!std.math.isFinite(self.level)) self.level = 0;
}

/// True when the voice can be freed without an audible step.
pub fn isSilent(self: *const Envelope, c: *const Coefs) bool {
    return switch (self.stage) {
        .attack => false,
        .decay => c.sustain < silence and self.level < silence,
        .release => self.level < silence,
    };
}

/// Runs `n` samples, writing levels to `out` (test helper and reference of the per-sample rule).
pub fn run(self: *Envelope, c: *const Coefs, out: []f32) void {
    var i: usize = 0;
    while (i < out.len) {
        const n = self.span(c, @intCast(out.len - i));
        const s = self.segment(c);
        for (out[i .. i + n]) |*o| {
            // The clip at 1 only matters in the attack, where f32 rounding over thousands of
            // samples can overshoot 1.0 by ~1e-5 just before the scheduled end.
            self.level = @min(s.target + (self.level - s.target) * s.coef, 1.0);
            o.* = self.level;
        }
        self.advance(c, n);
        i += n;
    }
}

test "Envelope attack/decay/release times" {
    const fs: f32 = 48000;
    const Case = struct { a: f32, d: f32, s: f32, r: f32 };
    const cases = [_]Case{
        .{ .a = 10, .d = 100, .s = 0.5, .r = 200 },
        .{ .a = 0, .d = 50, .s = 0.2, .r = 30 },
        .{ .a = 250, .d = 1000, .s = 0.8, .r = 1500 },
    };
    var buf: [200000]f32 = undefined;
    for (cases) |cs| {
        const c = Coefs.compute(cs.a, cs.d, cs.s, cs.r, fs);
        var e = Envelope{};
        const na: usize = @intFromFloat(@round(cs.a * fs / 1000));
        e.run(&c, buf[0 .. na + 1]);
        // Reaches exactly 1.0 at sample index round(attack * fs) and not before.
        try std.testing.expectEqual(@as(f32, 1.0), buf[na]);
        if (na > 0) try std.testing.expect(buf[na - 1] > 0.99 and buf[na - 1] <= 1.0);
        // Still rising 1 ms before the end (the clip at 1 only catches rounding).
        if (na > 48) try std.testing.expect(buf[na - 48] < 0.999);
        try std.testing.expect(buf[0] > 0);
        // Decay: distance 1/1000 after decay_ms (within a few %).
        const nd: usize = @intFromFloat(cs.d * fs / 1000);
        e.run(&c, buf[0..nd]);
        const dist = (buf[nd - 1] - cs.s) / (1 - cs.s);
        try std.testing.expectApproxEqRel(@as(f32, 0.001), dist, 0.05);
        // Release: -60 dB of the note-off level after release_ms.
        e.release();
        const l0 = e.level;
        const nr: usize = @intFromFloat(cs.r * fs / 1000);
        e.run(&c, buf[0..nr]);
        try std.testing.expectApproxEqRel(@as(f32, 0.001), buf[nr - 1] / l0, 0.05);
        try std.testing.expect(!e.isSilent(&c));
        e.run(&c, buf[0..nr]);
        try std.testing.expect(e.isSilent(&c));
    }
}
