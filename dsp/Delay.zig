//! Stereo feedback delay for the delay bus (issue #12): stereo, ping-pong and cross-feed modes, a
//! time per side (1 ms .. 4 s, or a note value that follows the tempo), signed feedback through a
//! soft saturator, low and high cut inside the loop, modulation, width. It is a send bus, so the
//! output is the wet signal only (the dry signal is the channels' own path; a dry/wet control here
//! would add a second copy of it).
//!
//! Design (the classic tape/digital echo, as in Zölzer, "DAFX", 2nd ed., ch. 2-3 "Delays",
//! and J. Dattorro, "Effect Design, Part 2: Delay-Line Modulation and Chorus", JAES 45(10), 1997):
//!
//!   tap_s[n]  = line_s[n − d_s[n]]                       (cubic Hermite / Catmull-Rom read)
//!   f[n]      = LP(HP(tap[n]))                           (2-pole Butterworth TPT SVFs, `TptSvf`)
//!   out[n]    = width(f[n])                               (M/S: M + w·S, M − w·S)
//!   line_s[n] = Σ_t In[s][t]·x_t[n] + sat(g·Σ_t M[s][t]·f_t[n])
//!
//! with routing matrices per mode: stereo In = I, M = I; ping-pong In = [[½,½],[0,0]] (the mono sum
//! enters the left line), M = [[0,1],[1,0]] (each line feeds the other, so repeats alternate
//! sides); cross-feed In = I, M = [[1−c, c],[c, 1−c]] (spectral norm ≤ 1 for c in [0, 1]).
//! The first echo is the tap itself (level 1, filtered); repeat k has level g^(k−1) (sign included).
//!
//! sat(x) = x·(27 + x²)/(27 + 9x²) for |x| < 3, else ±1 (the [3/2] Padé approximant of tanh; value
//! and slope continuous at ±3). Slope 1 at 0, relative error < 3e-5 at |x| = 0.01 (2.6e-4 dB), and
//! |sat| ≤ 1, so at g = ±1 the line holds at most |x| + 1: bounded at every setting (the
//! interpolator's overshoot is at most 1.25x and the filters are BIBO stable).
//!
//! Time changes never step: in `glide` mode the read position follows the target with a one-pole
//! (time constant `glide_ms`) whose speed is capped at `slew_max` samples per sample (tape: pitch
//! bends by at most ±`slew_max`, the read head never stops or reverses); in `crossfade` mode a second
//! read head opens at the new time and a smoothstep fade of `glide_ms` moves over to it. Without
//! modulation and once settled the delay is the exact (fractional) number of frames asked for; a
//! whole number of frames reads the stored sample itself (the Hermite weights are [0, 1, 0, 0]).
//! Modulation adds depth·½(1 − cos 2πφ) (never shortens the set time; right side 90° later).
//!
//! Real time: fixed state (the ring holds 4 s + 10 ms at 96 kHz, 3.1 MB for both sides), nothing
//! allocated, ~30 flops per side per frame plus two 4-wide dot products. `reset` is O(1): history
//! older than `written` frames reads as silence, so the ring never needs clearing, and after a
//! `window` of quiet writes (below 1e-6, −120 dBFS) `hasTail` turns false and older history is
//! forgotten the same way, so a skipped bus never replays stale audio when its time grows later.
const std = @import("std");
const cpuNs = @import("kaiser.zig").cpuNs;
const Lanes = @import("lanes.zig");
const simd = @import("simd.zig");
const TptSvf = @import("TptSvf.zig");
const Spec = @import("FxSpec.zig");

const Delay = @This();
const V = @Vector(4, f32);
const quantum = Lanes.quantum;

pub const max_sample_rate: f32 = 96000;
/// Ring length in frames: 4 s + 10 ms of modulation at 96 kHz, + 8.
pub const capacity: usize = 384000 + 960 + 8;
/// The ring mirrors its first 3 frames after its end, so the 4 Hermite taps are contiguous.
const guard = 3;
/// Largest read-head speed change in glide mode, samples per sample.
pub const slew_max: f64 = 0.5;
/// Written values below this count as quiet (−120 dBFS).
pub const quiet_level: f32 = 1e-6;

pub const Mode = enum(u8) { stereo, ping_pong, cross_feed };
pub const TimeMode = enum(u8) { glide, crossfade };

/// Parameter ranges (protocol/contract.json `busFx` carries the same ones; BusEffects.zig tests
/// that). Times are per side.
pub const specs = struct {
    pub const time_ms = Spec{ .min = 1, .max = 4000, .default = 375, .unit = "ms", .doc = "Delay time of one side (left or right)." };
    pub const time_beats = Spec{ .min = 1.0 / 16.0, .max = 16, .default = 0.75, .unit = "beats", .doc = "Delay time as a note value in beats (quarter notes): 0.5 an eighth, 0.75 a dotted eighth; follows the tempo; the resulting time is clamped to 1 ms .. 4 s." };
    pub const tempo_bpm = Spec{ .min = 20, .max = 999, .default = 120, .unit = "bpm", .doc = "Tempo that note-value times follow." };
    pub const feedback = Spec{ .min = -1, .max = 1, .default = 0.4, .unit = "", .doc = "Level of each repeat relative to the previous one (through a soft saturator); negative inverts each repeat." };
    pub const mode = Spec{ .min = 0, .max = 2, .default = 0, .unit = "enum", .doc = "0 stereo (left and right lines apart), 1 ping-pong (mono in, repeats alternate sides), 2 cross-feed (each line feeds the other by `cross`)." };
    pub const cross = Spec{ .min = 0, .max = 1, .default = 0.5, .unit = "", .doc = "Cross-feed mode: share of each line's feedback sent to the other line." };
    pub const time_mode = Spec{ .min = 0, .max = 1, .default = 0, .unit = "enum", .doc = "How a time change sounds: 0 glide (tape-like pitch bend), 1 cross-fade to the new time." };
    pub const glide_ms = Spec{ .min = 10, .max = 2000, .default = 100, .unit = "ms", .doc = "Glide time constant, or cross-fade length." };
    pub const low_cut_hz = Spec{ .min = 10, .max = 5000, .default = 10, .unit = "Hz", .doc = "Low cut (2-pole Butterworth high-pass) inside the feedback loop; 10 (the minimum) is off." };
    pub const high_cut_hz = Spec{ .min = 200, .max = 22000, .default = 22000, .unit = "Hz", .doc = "High cut (2-pole Butterworth low-pass) inside the feedback loop; 22000 (the maximum) is off." };
    pub const mod_depth_ms = Spec{ .min = 0, .max = 10, .default = 0, .unit = "ms", .doc = "Modulation depth: the delay swings between the set time and this much longer." };
    pub const mod_rate_hz = Spec{ .min = 0.01, .max = 10, .default = 0.5, .unit = "Hz", .doc = "Modulation rate (sine; the right side 90° after the left)." };
    pub const width = Spec{ .min = 0, .max = 1, .default = 1, .unit = "", .doc = "Stereo width of the echoes: 0 mono, 1 as produced." };
};

// --- State ---------------------------------------------------------------------------------------

sample_rate: f32 = 48000,
ring_l: [capacity + guard]f32 = undefined,
ring_r: [capacity + guard]f32 = undefined,
/// Frames of the ring in use at this sample rate.
len: usize = capacity,
/// Index the current frame is written to.
w: usize = 0,
/// Frames of valid history (older frames read as 0).
written: usize = 0,
/// Consecutive quiet frames written.
quiet: usize = std.math.maxInt(u32),

// Parameters as set (clamped).
time_ms_set: [2]f32 = .{ specs.time_ms.default, specs.time_ms.default },
/// Note value per side in beats; 0 when the side is set in ms.
beats: [2]f32 = .{ 0, 0 },
bpm: f32 = specs.tempo_bpm.default,
feedback: f32 = specs.feedback.default,
mode: Mode = .stereo,
cross: f32 = specs.cross.default,
time_mode: TimeMode = .glide,
low_cut: f32 = specs.low_cut_hz.default,
high_cut: f32 = specs.high_cut_hz.default,
mod_depth: f32 = 0,
mod_rate: f32 = specs.mod_rate_hz.default,
width: f32 = 1,

// Read heads, in frames (f64: a 4 s delay at 96 kHz needs more than f32's 24 bits for sub-sample steps).
d_tgt: [2]f64 = .{ 0, 0 },
d_cur: [2]f64 = .{ 0, 0 },
/// Cross-fade: the head being faded in, its progress 0..1, and whether a fade runs.
d_new: [2]f64 = .{ 0, 0 },
fade: [2]f32 = .{ 0, 0 },
fading: [2]bool = .{ false, false },
glide_k: f64 = 0,
fade_step: f32 = 0,

// Smoothed per quantum, interpolated per frame: feedback matrix g·M (ll, lr, rl, rr), input
// matrix (ll, lr, rl, rr), width, and the modulation depth in frames (lanes 0..3 of `misc`:
// width, depth, high-cut mix, low-cut mix).
fb_prev: V = @splat(0),
fb_tgt: V = @splat(0),
in_prev: V = @splat(0),
in_tgt: V = @splat(0),
misc_prev: V = @splat(0),
misc_tgt: V = @splat(0),
coef: f32 = 0,
coef_slow: f32 = 0,

// In-loop filters (lanes 0, 1 = left, right) and their prewarped gains.
hp: TptSvf = .{},
lp: TptSvf = .{},
hp_g: f32 = 0,
hp_g_tgt: f32 = 0,
lp_g: f32 = 0,
lp_g_tgt: f32 = 0,
hp_c: TptSvf.Coefs = .{},
lp_c: TptSvf.Coefs = .{},

/// Modulation phase in cycles, wrapped to [0, 1).
phase: f32 = 0,

/// Set up in place (the struct holds 3.1 MB: keep it in static memory, never on the stack).
pub fn init(self: *Delay, sample_rate: f32) void {
    const fs = if (std.math.isFinite(sample_rate)) @min(@max(sample_rate, 8000), max_sample_rate) else 48000;
    // Fields only; the ring stays as it is (history is invalidated by `written`).
    inline for (std.meta.fields(Delay)) |f| {
        if (comptime (!std.mem.eql(u8, f.name, "ring_l") and !std.mem.eql(u8, f.name, "ring_r")))
            @field(self, f.name) = @as(*const f.type, @ptrCast(@alignCast(f.default_value.?))).*;
    }
    self.sample_rate = fs;
    const frames: usize = @intFromFloat(@ceil(fs * (specs.time_ms.max + specs.mod_depth_ms.max) / 1000));
    self.len = @min(frames + 8, capacity);
    self.coef = @floatCast(@exp(-@as(f64, quantum) / (0.010 * fs)));
    self.coef_slow = @floatCast(@exp(-@as(f64, quantum) / (0.050 * fs)));
    self.setGlideMs(specs.glide_ms.default);
    self.updateTimes();
    self.updateMatrices();
    self.setLowCutHz(self.low_cut);
    self.setHighCutHz(self.high_cut);
    self.setWidth(self.width);
    self.reset();
}

/// Clear the echoes (O(1): history is marked invalid, the ring is not touched) and jump every
/// smoothed value to its target.
pub fn reset(self: *Delay) void {
    self.w = 0;
    self.written = 0;
    self.quiet = std.math.maxInt(u32);
    self.hp = .{};
    self.lp = .{};
    self.d_cur = self.d_tgt;
    self.fading = .{ false, false };
    self.fade = .{ 0, 0 };
    self.fb_prev = self.fb_tgt;
    self.in_prev = self.in_tgt;
    self.misc_prev = self.misc_tgt;
    self.hp_g = self.hp_g_tgt;
    self.lp_g = self.lp_g_tgt;
    self.hp_c = TptSvf.Coefs.init(@splat(self.hp_g), @splat(TptSvf.butterworth_k));
    self.lp_c = TptSvf.Coefs.init(@splat(self.lp_g), @splat(TptSvf.butterworth_k));
    self.phase = 0;
}

// --- Setters (clamp, recompute targets; whatever would click is smoothed in `process`) --------

/// Time of side `side` (0 left, 1 right) in ms; the side stops following the tempo.
pub fn setTimeMs(self: *Delay, side: u1, ms: f32) void {
    self.time_ms_set[side] = specs.time_ms.clamp(ms);
    self.beats[side] = 0;
    self.updateTimes();
}

/// Time of side `side` as a note value in beats; it follows `setTempo` from now on.
pub fn setTimeBeats(self: *Delay, side: u1, beats: f32) void {
    self.beats[side] = specs.time_beats.clamp(beats);
    self.updateTimes();
}

/// Tempo in beats per minute: note-value times move to the new tempo (through the glide or
/// cross-fade, like any time change).
pub inline fn setTempo(self: *Delay, bpm: f32) void {
    self.bpm = specs.tempo_bpm.clamp(bpm);
    self.updateTimes();
}

pub fn setFeedback(self: *Delay, g: f32) void {
    self.feedback = specs.feedback.clamp(g);
    self.updateMatrices();
}

pub fn setMode(self: *Delay, m: Mode) void {
    self.mode = m;
    self.updateMatrices();
}

/// Mode by index (0 stereo, 1 ping-pong, 2 cross-feed), as the parameter table carries it.
pub fn setModeIndex(self: *Delay, x: f32) void {
    self.setMode(@enumFromInt(@as(u8, @intFromFloat(@round(specs.mode.clamp(x))))));
}

pub fn setCross(self: *Delay, c: f32) void {
    self.cross = specs.cross.clamp(c);
    self.updateMatrices();
}

pub fn setTimeMode(self: *Delay, m: TimeMode) void {
    self.time_mode = m;
}

pub fn setGlideMs(self: *Delay, ms: f32) void {
    const t = specs.glide_ms.clamp(ms);
    self.glide_k = 1 - @exp(-1000.0 / (@as(f64, t) * self.sample_rate));
    self.fade_step = 1000.0 / (t * self.sample_rate);
}

pub fn setLowCutHz(self: *Delay, hz: f32) void {
    self.low_cut = specs.low_cut_hz.clamp(hz);
    const off = self.low_cut <= specs.low_cut_hz.min;
    // Off: the mix goes to 0 and the filter keeps its last cutoff, so the fade is smooth.
    if (!off) self.hp_g_tgt = TptSvf.gain(self.low_cut, self.sample_rate);
    if (self.hp_g_tgt == 0) self.hp_g_tgt = TptSvf.gain(specs.low_cut_hz.min, self.sample_rate);
    self.misc_tgt[3] = if (off) 0 else 1;
}

pub fn setHighCutHz(self: *Delay, hz: f32) void {
    self.high_cut = specs.high_cut_hz.clamp(hz);
    const off = self.high_cut >= specs.high_cut_hz.max;
    if (!off) self.lp_g_tgt = TptSvf.gain(self.high_cut, self.sample_rate);
    if (self.lp_g_tgt == 0) self.lp_g_tgt = TptSvf.gain(specs.high_cut_hz.max, self.sample_rate);
    self.misc_tgt[2] = if (off) 0 else 1;
}

pub fn setModDepthMs(self: *Delay, ms: f32) void {
    self.mod_depth = specs.mod_depth_ms.clamp(ms);
    self.misc_tgt[1] = self.mod_depth * 0.001 * self.sample_rate;
}

pub fn setModRateHz(self: *Delay, hz: f32) void {
    self.mod_rate = specs.mod_rate_hz.clamp(hz);
}

pub fn setWidth(self: *Delay, wd: f32) void {
    self.width = specs.width.clamp(wd);
    self.misc_tgt[0] = self.width;
}

/// Jump the read heads to their targets, for a delay without a tail (`hasTail` false: nothing the
/// heads can read is audible, so there is no glide to hear): a time changed while the bus was idle
/// (a note value after a tempo change, say) is exact from the first echo on.
pub fn settleHeads(self: *Delay) void {
    self.d_cur = self.d_tgt;
    self.fading = .{ false, false };
    self.fade = .{ 0, 0 };
}

/// Delay of side `side` in frames once settled (for tests and meters).
pub fn targetFrames(self: *const Delay, side: u1) f64 {
    return self.d_tgt[side];
}

inline fn updateTimes(self: *Delay) void {
    for (0..2) |s| {
        const ms: f64 = if (self.beats[s] > 0) @as(f64, self.beats[s]) * 60000.0 / self.bpm else self.time_ms_set[s];
        const clamped = @min(@max(ms, specs.time_ms.min), specs.time_ms.max);
        self.d_tgt[s] = @max(clamped * 0.001 * self.sample_rate, 2);
    }
}

fn updateMatrices(self: *Delay) void {
    const g = self.feedback;
    const c = self.cross;
    switch (self.mode) {
        .stereo => {
            self.in_tgt = .{ 1, 0, 0, 1 };
            self.fb_tgt = .{ g, 0, 0, g };
        },
        .ping_pong => {
            self.in_tgt = .{ 0.5, 0.5, 0, 0 };
            self.fb_tgt = .{ 0, g, g, 0 };
        },
        .cross_feed => {
            self.in_tgt = .{ 1, 0, 0, 1 };
            self.fb_tgt = .{ g * (1 - c), g * c, g * c, g * (1 - c) };
        },
    }
}

// --- Processing ----------------------------------------------------------------------------------

/// sat(x): the Padé tanh described in the header, bounded by 1.
pub inline fn sat(x: f32) f32 {
    const c = @min(@max(x, -3), 3);
    return c * (27 + c * c) / (27 + 9 * c * c);
}

/// Cubic Hermite read of `ring` `d` frames before the current frame (d ≥ 2).
inline fn read(self: *const Delay, ring: *const [capacity + guard]f32, d: f64) f32 {
    const lenf: f64 = @floatFromInt(self.len);
    var p = @as(f64, @floatFromInt(self.w)) - d;
    if (p < 0) p += lenf;
    const fl = @floor(p);
    const t: f32 = @floatCast(p - fl);
    var b: usize = @intFromFloat(fl);
    b = if (b == 0) self.len - 1 else b - 1;
    // Taps older than the valid history (after a reset or a long quiet run) read as silence.
    const far: f32 = @floatCast(@as(f64, @floatFromInt(self.written)) - (d + @as(f64, t)) - 1);
    const taps: V = @select(f32, @as(V, .{ 0, 1, 2, 3 }) >= @as(V, @splat(-far)), ring[b..][0..4].*, @as(V, @splat(0)));
    const t2 = t * t;
    const t3 = t2 * t;
    const wv: V = .{
        -0.5 * t3 + t2 - 0.5 * t,
        1.5 * t3 - 2.5 * t2 + 1,
        -1.5 * t3 + 2 * t2 + 0.5 * t,
        0.5 * t3 - 0.5 * t2,
    };
    return @reduce(.Add, taps * wv);
}

/// Advance side `s`'s read heads by one frame and read it (modulation `m` frames added).
inline fn head(self: *Delay, comptime s: u1, ring: *const [capacity + guard]f32, m: f64) f32 {
    if (!self.fading[s] and self.d_cur[s] != self.d_tgt[s]) {
        if (self.time_mode == .crossfade) {
            self.fading[s] = true;
            self.d_new[s] = self.d_tgt[s];
            self.fade[s] = 0;
        } else {
            const diff = self.d_tgt[s] - self.d_cur[s];
            if (@fabs(diff) < 1e-4) {
                self.d_cur[s] = self.d_tgt[s];
            } else {
                self.d_cur[s] += @min(@max(diff * self.glide_k, -slew_max), slew_max);
            }
        }
    }
    const a = self.read(ring, self.d_cur[s] + m);
    if (!self.fading[s]) return a;
    self.fade[s] += self.fade_step;
    if (self.fade[s] >= 1) {
        self.fading[s] = false;
        self.d_cur[s] = self.d_new[s];
        return self.read(ring, self.d_new[s] + m);
    }
    const x = self.fade[s];
    const sm = x * x * (3 - 2 * x); // smoothstep: slope ≤ 1.5 per unit fade
    const b = self.read(ring, self.d_new[s] + m);
    return a + sm * (b - a);
}

/// Process one quantum of the bus in place: `l`/`r` hold the send sum on entry, the echoes
/// (wet only) on return.
pub fn process(self: *Delay, l: *[quantum]f32, r: *[quantum]f32) void {
    // Per-quantum smoothing of the matrices, width, depth and filter mixes (one-pole, 10 ms; the
    // depth 50 ms, since a depth step moves the read head), linearly interpolated per frame.
    const fb_next = smooth(self.fb_prev, self.fb_tgt, self.coef);
    const in_next = smooth(self.in_prev, self.in_tgt, self.coef);
    var misc_next = smooth(self.misc_prev, self.misc_tgt, self.coef);
    misc_next[1] = smooth(self.misc_prev, self.misc_tgt, self.coef_slow)[1];
    if (self.hp_g != self.hp_g_tgt or self.lp_g != self.lp_g_tgt) {
        self.hp_g = smooth(@splat(self.hp_g), @splat(self.hp_g_tgt), self.coef)[0];
        self.lp_g = smooth(@splat(self.lp_g), @splat(self.lp_g_tgt), self.coef)[0];
        self.hp_c = TptSvf.Coefs.init(@splat(self.hp_g), @splat(TptSvf.butterworth_k));
        self.lp_c = TptSvf.Coefs.init(@splat(self.lp_g), @splat(TptSvf.butterworth_k));
    }
    const inv: f32 = 1.0 / @as(f32, quantum);
    const fb_d = (fb_next - self.fb_prev) * @as(V, @splat(inv));
    const in_d = (in_next - self.in_prev) * @as(V, @splat(inv));
    const misc_d = (misc_next - self.misc_prev) * @as(V, @splat(inv));
    // Modulation offsets at the quantum's ends (unit depth), interpolated per frame.
    const ph0 = self.phase;
    var ph1 = ph0 + self.mod_rate * @as(f32, quantum) / self.sample_rate;
    ph1 -= @floor(ph1);
    const m0: [2]f32 = .{ lfo(ph0), lfo(ph0 - 0.25) };
    const m1: [2]f32 = .{ lfo(ph1), lfo(ph1 - 0.25) };
    self.phase = ph1;
    const hp_on = self.misc_prev[3] != 0 or misc_next[3] != 0;
    const lp_on = self.misc_prev[2] != 0 or misc_next[2] != 0;
    if (!hp_on) self.hp = .{};
    if (!lp_on) self.lp = .{};
    var fb = self.fb_prev;
    var inm = self.in_prev;
    var misc = self.misc_prev;
    for (l, r, 0..) |*xl, *xr, i| {
        fb += fb_d;
        inm += in_d;
        misc += misc_d;
        const u = @as(f32, @floatFromInt(i + 1)) * inv;
        const ml: f64 = misc[1] * (m0[0] + u * (m1[0] - m0[0]));
        const mr: f64 = misc[1] * (m0[1] + u * (m1[1] - m0[1]));
        const tl = self.head(0, &self.ring_l, ml);
        const tr = self.head(1, &self.ring_r, mr);
        // In-loop filters, each crossfaded with its input by its on/off mix (lanes 2, 3 of misc).
        // A filter that is off (mix 0) is not run and holds zero state.
        const v: V = .{ tl, tr, 0, 0 };
        const v2 = if (hp_on) v + @as(V, @splat(misc[3])) * (self.hp.tick(v, self.hp_c).hp - v) else v;
        const f = if (lp_on) v2 + @as(V, @splat(misc[2])) * (self.lp.tick(v2, self.lp_c).lp - v2) else v2;
        // Input (sanitised: NaN/Inf read as 0, and at most ±256) and feedback into the lines.
        const inl = std.math.clamp(simd.finiteOr(xl.*, 0), -256, 256);
        const inr = std.math.clamp(simd.finiteOr(xr.*, 0), -256, 256);
        var wl = inm[0] * inl + inm[1] * inr + sat(fb[0] * f[0] + fb[1] * f[1]);
        var wr = inm[2] * inl + inm[3] * inr + sat(fb[2] * f[0] + fb[3] * f[1]);
        // A repeat decaying by g each pass would reach denormals; 1e-15 is −300 dBFS.
        if (@fabs(wl) < 1e-15) wl = 0;
        if (@fabs(wr) < 1e-15) wr = 0;
        self.ring_l[self.w] = wl;
        self.ring_r[self.w] = wr;
        if (self.w < guard) {
            self.ring_l[self.len + self.w] = wl;
            self.ring_r[self.len + self.w] = wr;
        }
        self.quiet = if (@fabs(wl) > quiet_level or @fabs(wr) > quiet_level) 0 else self.quiet +| 1;
        self.w += 1;
        if (self.w == self.len) self.w = 0;
        if (self.written < self.len) self.written += 1;
        // Width: mid + w·side.
        const mid = 0.5 * (f[0] + f[1]);
        const side = 0.5 * (f[0] - f[1]) * misc[0];
        xl.* = mid + side;
        xr.* = mid - side;
    }
    self.fb_prev = fb_next;
    self.in_prev = in_next;
    self.misc_prev = misc_next;
    self.hp.sanitize();
    self.lp.sanitize();
    // After a quiet window nothing audible is left to read: forget the older history (it reads as
    // silence from now on, whether or not the mixer skips this bus).
    if (self.quiet >= self.window()) self.written = @min(self.written, self.quiet);
}

/// Convenience for the bus group layout: process lane `k` of `buf` (the delay bus is lane 1).
pub fn processLane(self: *Delay, buf: *Lanes.GroupBuf, k: usize) void {
    var l: [quantum]f32 = undefined;
    var r: [quantum]f32 = undefined;
    for (&l, &r, buf.l, buf.r) |*a, *b, x, y| {
        a.* = x[k];
        b.* = y[k];
    }
    self.process(&l, &r);
    for (l, r, &buf.l, &buf.r) |a, b, *x, *y| {
        x.*[k] = a;
        y.*[k] = b;
    }
}

/// Frames back that a read can reach now: the heads, their targets and the modulation.
fn window(self: *const Delay) usize {
    var m: f64 = 0;
    for (0..2) |s| m = @max(m, @max(@max(self.d_cur[s], self.d_tgt[s]), if (self.fading[s]) self.d_new[s] else 0));
    const depth = @max(self.misc_prev[1], self.misc_tgt[1]);
    return @as(usize, @intFromFloat(@ceil(m + depth))) + 4;
}

/// True while the delay still produces output from silent input: quiet for less than the window
/// the heads can read, or the filters' state still above −120 dBFS.
pub fn hasTail(self: *const Delay) bool {
    return self.quiet < self.window() or !self.hp.isBelow(quiet_level) or !self.lp.isBelow(quiet_level);
}

fn lfo(ph: f32) f32 {
    return 0.5 - 0.5 * @cos(2 * std.math.pi * ph);
}

fn smooth(cur: V, tgt: V, c: f32) V {
    const next = tgt + @as(V, @splat(c)) * (cur - tgt);
    return @select(f32, @fabs(next - tgt) < @as(V, @splat(1e-5)), tgt, next);
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

/// Large state lives in static memory (3.1 MB).
var test_delay: Delay = undefined;
var rec_l: [1 << 20]f32 = undefined;
var rec_r: [1 << 20]f32 = undefined;

fn fresh(fs: f32) *Delay {
    test_delay.init(fs);
    return &test_delay;
}

/// Render `frames` (a multiple of the quantum) with `gen(n, side)` as input into rec_l/rec_r.
fn render(d: *Delay, frames: usize, comptime gen: fn (usize, u1) f32) void {
    var n: usize = 0;
    while (n < frames) : (n += quantum) {
        var l: [quantum]f32 = undefined;
        var r: [quantum]f32 = undefined;
        for (0..quantum) |i| {
            l[i] = gen(n + i, 0);
            r[i] = gen(n + i, 1);
        }
        d.process(&l, &r);
        @memcpy(rec_l[n..][0..quantum], &l);
        @memcpy(rec_r[n..][0..quantum], &r);
    }
}

fn impulseBoth(n: usize, s: u1) f32 {
    _ = s;
    return if (n == 0) 0.01 else 0;
}

fn impulseLeft(n: usize, s: u1) f32 {
    return if (n == 0 and s == 0) 1 else 0;
}

/// Index of the largest |x| and the largest |x| elsewhere.
fn peakAndRest(x: []const f32) struct { at: usize, v: f32, rest: f32 } {
    var at: usize = 0;
    for (x, 0..) |v, i| {
        if (@fabs(v) > @fabs(x[at])) at = i;
    }
    var rest: f32 = 0;
    for (x, 0..) |v, i| {
        if (i != at) rest = @max(rest, @fabs(v));
    }
    return .{ .at = at, .v = x[at], .rest = rest };
}

test "echo times are exact to the sample (ms, beats, tempo change, 96 kHz and 4 s)" {
    const Case = struct { fs: f32, l_ms: f32, r_ms: f32 };
    for ([_]Case{
        .{ .fs = 48000, .l_ms = 250, .r_ms = 100 },
        .{ .fs = 48000, .l_ms = 1, .r_ms = 37.5 },
        .{ .fs = 44100, .l_ms = 500, .r_ms = 20 },
        .{ .fs = 96000, .l_ms = 4000, .r_ms = 1000 },
    }) |c| {
        const d = fresh(c.fs);
        d.setFeedback(0.5);
        d.setTimeMs(0, c.l_ms);
        d.setTimeMs(1, c.r_ms);
        d.reset();
        const dl: usize = @intFromFloat(c.l_ms * c.fs / 1000);
        const dr: usize = @intFromFloat(c.r_ms * c.fs / 1000);
        const frames = (@max(dl, dr) + 2 * quantum) / quantum * quantum;
        render(d, frames, impulseBoth);
        for ([_]struct { x: []const f32, at: usize }{ .{ .x = rec_l[0..frames], .at = dl }, .{ .x = rec_r[0..@min(frames, 2 * dr + 64)], .at = dr } }) |e| {
            const p = peakAndRest(e.x[0..@min(e.x.len, e.at + @min(64, e.at / 2))]);
            try testing.expectEqual(e.at, p.at);
            try testing.expectApproxEqRel(@as(f32, 0.01), p.v, 1e-6);
            try testing.expect(p.rest < 1e-9);
        }
    }
    // Note values follow the tempo: an eighth at 120 bpm is 250 ms; at 100 bpm, 300 ms.
    const d = fresh(48000);
    d.setTimeBeats(0, 0.5);
    d.setTimeBeats(1, 1);
    d.setTempo(120);
    d.reset();
    try testing.expectEqual(@as(f64, 12000), d.targetFrames(0));
    try testing.expectEqual(@as(f64, 24000), d.targetFrames(1));
    d.setTempo(100);
    try testing.expectEqual(@as(f64, 14400), d.targetFrames(0));
    try testing.expectEqual(@as(f64, 28800), d.targetFrames(1));
    render(d, 48000 * 2, struct { // silence while the heads glide to the new times
        fn f(n: usize, s: u1) f32 {
            _ = n;
            _ = s;
            return 0;
        }
    }.f);
    var l: [quantum]f32 = .{0.01} ++ .{0} ** (quantum - 1);
    var r = l;
    d.process(&l, &r);
    @memcpy(rec_l[0..quantum], &l);
    @memcpy(rec_r[0..quantum], &r);
    var n: usize = quantum;
    while (n < 30000) : (n += quantum) {
        l = .{0} ** quantum;
        r = l;
        d.process(&l, &r);
        @memcpy(rec_l[n..][0..quantum], &l);
        @memcpy(rec_r[n..][0..quantum], &r);
    }
    try testing.expectEqual(@as(usize, 14400), peakAndRest(rec_l[0..20000]).at);
    try testing.expectEqual(@as(usize, 28800), peakAndRest(rec_r[0..30000]).at);
}

test "level per repeat equals the feedback (sign included) within 0.1 dB" {
    for ([_]f32{ 0.9, 0.5, 0.2, -0.7, 1.0, -1.0 }) |g| {
        const d = fresh(48000);
        d.setFeedback(g);
        d.setTimeMs(0, 10);
        d.setTimeMs(1, 10);
        d.reset();
        render(d, 480 * 12 + quantum, impulseBoth);
        var prev: f32 = rec_l[480];
        try testing.expectApproxEqRel(@as(f32, 0.01), prev, 1e-6);
        for (2..12) |k| {
            const e = rec_l[480 * k];
            try testing.expectEqual(e, rec_r[480 * k]);
            try testing.expect(((e > 0) == (prev > 0)) == (g > 0));
            const db = 20 * @log10(@fabs(e / prev));
            try testing.expectApproxEqAbs(20 * @log10(@fabs(g)), db, 0.1);
            prev = e;
        }
    }
}

test "ping-pong alternates sides" {
    const d = fresh(48000);
    d.setMode(.ping_pong);
    d.setFeedback(0.8);
    d.setTimeMs(0, 100); // 4800 frames
    d.setTimeMs(1, 150); // 7200 frames
    d.reset();
    render(d, 48000, impulseLeft);
    // Repeats: left at 4800, right 7200 later, left 4800 after that, ...
    var t: usize = 0;
    var level: f32 = 0.5; // the mono sum of a left-only impulse
    for (0..6) |k| {
        const left = k % 2 == 0;
        t += if (left) 4800 else 7200;
        const on = if (left) rec_l[0..] else rec_r[0..];
        const off = if (left) rec_r[0..] else rec_l[0..];
        try testing.expectApproxEqRel(level, on[t], 1e-3);
        try testing.expect(@fabs(off[t]) < 1e-9);
        level = sat(0.8 * level);
    }
    // Nothing in between.
    var energy: f64 = 0;
    for (0..48000) |n| {
        const hit = (n == 4800 or n == 12000 or n == 16800 or n == 24000 or n == 28800 or n == 36000 or n == 40800);
        if (!hit) energy += rec_l[n] * rec_l[n] + rec_r[n] * rec_r[n];
    }
    try testing.expect(energy < 1e-18);
}

test "in-loop low and high cut: each repeat is filtered by the Butterworth design" {
    // Tolerance: 0.05 dB where the response is above -40 dB (the DTFT of a 0.5 s window of each
    // echo; the filters' impulse responses have decayed far below f32 resolution by then).
    const fs = 48000.0;
    const d = fresh(fs);
    d.setFeedback(0.5);
    d.setTimeMs(0, 500);
    d.setTimeMs(1, 500);
    d.setLowCutHz(200);
    d.setHighCutHz(3000);
    d.reset();
    render(d, 24000 * 3 + quantum, impulseBoth);
    const e1 = rec_l[24000..48000];
    const e2 = rec_l[48000..72000];
    for ([_]f64{ 60, 120, 200, 400, 1000, 2000, 3000, 5000, 9000 }) |hz| {
        const h = TptSvf.butterHp(hz, 200, fs) * TptSvf.butterLp(hz, 3000, fs);
        const m1 = TptSvf.dtftMag(e1, hz, fs) / 0.01;
        const m2 = TptSvf.dtftMag(e2, hz, fs) / 0.01;
        if (20 * @log10(h) < -40) continue;
        try testing.expectApproxEqAbs(20 * @log10(h), 20 * @log10(m1), 0.05);
        // Per repeat: g·|H|.
        try testing.expectApproxEqAbs(20 * @log10(0.5 * h), 20 * @log10(m2 / m1), 0.05);
    }
}

var noise_state: u32 = 1;
fn noise(n: usize, s: u1) f32 {
    _ = n;
    _ = s;
    noise_state = noise_state *% 1664525 +% 1013904223;
    return @as(f32, @floatFromInt(noise_state >> 8)) / 8388608.0 - 1;
}

test "bounded at maximum feedback for 60 s of full-scale noise, every mode" {
    const Case = struct { mode: Mode, g: f32, filters: bool, mod: f32 };
    for ([_]Case{
        .{ .mode = .stereo, .g = 1, .filters = false, .mod = 0 },
        .{ .mode = .ping_pong, .g = -1, .filters = true, .mod = 3 },
        .{ .mode = .cross_feed, .g = 1, .filters = true, .mod = 10 },
    }) |c| {
        const d = fresh(48000);
        d.setMode(c.mode);
        d.setFeedback(c.g);
        d.setTimeMs(0, 30);
        d.setTimeMs(1, 47);
        d.setModDepthMs(c.mod);
        d.setModRateHz(5);
        if (c.filters) {
            d.setLowCutHz(100);
            d.setHighCutHz(2000);
        }
        d.reset();
        var peak: f32 = 0;
        for (0..60 * 48000 / quantum) |_| {
            var l: [quantum]f32 = undefined;
            var r: [quantum]f32 = undefined;
            for (&l, &r) |*a, *b| {
                a.* = noise(0, 0);
                b.* = noise(0, 1);
            }
            d.process(&l, &r);
            for (l, r) |a, b| {
                try testing.expect(std.math.isFinite(a) and std.math.isFinite(b));
                peak = @max(peak, @max(@fabs(a), @fabs(b)));
            }
        }
        // |line| ≤ |x| + 1 = 2; Hermite ≤ 1.25x; the two filters' L1 norms < 1.3 each.
        try testing.expect(peak < 4.3);
        try testing.expect(peak > 1); // it did build up
    }
}

fn sine440(n: usize, s: u1) f32 {
    _ = s;
    return 0.5 * @sin(2 * std.math.pi * 440.0 * @as(f32, @floatFromInt(n % 48000)) / 48000.0);
}

/// Largest |y[n] − y[n−1]| over `x`.
fn maxStep(x: []const f32) f32 {
    var m: f32 = 0;
    for (x[1..], x[0 .. x.len - 1]) |a, b| m = @max(m, @fabs(a - b));
    return m;
}

test "time changes glide or cross-fade: no step larger than the signal's own slope" {
    for ([_]TimeMode{ .glide, .crossfade }) |tm| {
        for ([_]f32{ 300, 40, 3000 }) |to_ms| {
            const d = fresh(48000);
            d.setTimeMode(tm);
            d.setFeedback(0);
            d.setTimeMs(0, 100);
            d.setTimeMs(1, 100);
            d.reset();
            // 4 s of a 440 Hz sine (so the history covers every time asked), then the change.
            render(d, 4 * 48000, sine440);
            const steady = maxStep(rec_l[48000 .. 4 * 48000]);
            try testing.expectApproxEqRel(@as(f32, 0.5) * 2 * std.math.pi * 440.0 / 48000.0, steady, 0.01);
            d.setTimeMs(0, to_ms);
            d.setTimeMs(1, to_ms);
            const frames = 10 * 48000;
            var n: usize = 0;
            while (n < frames) : (n += quantum) {
                var l: [quantum]f32 = undefined;
                var r: [quantum]f32 = undefined;
                for (0..quantum) |i| {
                    l[i] = sine440(4 * 48000 + n + i, 0);
                    r[i] = l[i];
                }
                d.process(&l, &r);
                @memcpy(rec_l[n..][0..quantum], &l);
            }
            const during = maxStep(rec_l[0..frames]);
            // Glide: the read head moves at 1 ± slew_max, so the slope scales by at most that.
            // Cross-fade: the fade adds at most (1.5 / fade frames)·(peak-to-peak) per frame.
            const allowed = switch (tm) {
                .glide => steady * @as(f32, @floatCast(1 + slew_max)),
                .crossfade => steady + 1.5 / (0.1 * 48000.0) * 1.0,
            };
            try testing.expect(during <= allowed * 1.01);
            // And it arrived.
            try testing.expectEqual(d.d_tgt[0], d.d_cur[0]);
        }
    }
}

test "non-finite input gives finite output; the tail ends and is forgotten" {
    const d = fresh(48000);
    d.setFeedback(0.5);
    d.setTimeMs(0, 5);
    d.setTimeMs(1, 5);
    d.reset();
    try testing.expect(!d.hasTail());
    var l: [quantum]f32 = .{std.math.nan(f32)} ++ .{1} ++ .{std.math.inf(f32)} ++ .{0} ** (quantum - 3);
    var r = l;
    d.process(&l, &r);
    try testing.expect(d.hasTail());
    var quanta: usize = 0;
    while (d.hasTail()) : (quanta += 1) {
        l = .{0} ** quantum;
        r = l;
        d.process(&l, &r);
        for (l, r) |a, b| try testing.expect(std.math.isFinite(a) and std.math.isFinite(b));
        try testing.expect(quanta < 200);
    }
    // 0.5^k below 1e-6 after ~20 repeats of 240 frames: about 40 quanta.
    try testing.expect(quanta > 20);
    // A longer time now reads silence, not the old echoes.
    d.setTimeMode(.crossfade);
    d.setTimeMs(0, 20);
    d.setTimeMs(1, 20);
    for (0..20) |_| {
        l = .{0} ** quantum;
        r = l;
        d.process(&l, &r);
        for (l) |a| try testing.expect(@fabs(a) < 1e-6);
    }
}

fn ramp(n: usize, s: u1) f32 {
    _ = s;
    return @as(f32, @floatFromInt(n)) * 1e-5;
}

test "modulation: the delay follows time + depth·½(1 − cos 2π·rate·t), right side 90° later" {
    // A ramp read through the cubic Hermite interpolator comes back exact (it reproduces cubics),
    // so y[n] = (n − delay[n])·1e-5 gives the delay at every frame. Tolerance 0.1 frame (the LFO is
    // interpolated linearly across each quantum: 0.03 frame at most here; f32 ramp values: 0.01).
    const d = fresh(48000);
    d.setFeedback(0);
    d.setTimeMs(0, 50);
    d.setTimeMs(1, 50);
    d.setModDepthMs(4);
    d.setModRateHz(2);
    d.reset();
    render(d, 48000, ramp);
    var worst: f64 = 0;
    for (3000..48000) |n| {
        for ([_]f64{ 0, 0.25 }, [_][]const f32{ rec_l[0..48000], rec_r[0..48000] }) |lag, y| {
            const ph = 2.0 * @as(f64, @floatFromInt(n + 1)) / 48000.0 - lag;
            const want = 2400 + 192 * (0.5 - 0.5 * @cos(2 * std.math.pi * ph));
            const got = @as(f64, @floatFromInt(n)) - @as(f64, y[n]) / 1e-5;
            worst = @max(worst, @fabs(got - want));
        }
    }
    try testing.expect(worst < 0.1);
}

test "bench: µs per quantum (meaningful with -O ReleaseFast)" {
    const d = fresh(48000);
    d.setMode(.cross_feed);
    d.setFeedback(0.7);
    d.setLowCutHz(150);
    d.setHighCutHz(6000);
    d.setModDepthMs(2);
    d.reset();
    for (rec_r[0..48000]) |*v| v.* = noise(0, 0);
    var l: [quantum]f32 = undefined;
    var r: [quantum]f32 = undefined;
    const n = 4000;
    var best: u64 = std.math.maxInt(u64);
    for (0..5) |_| {
        const t0 = cpuNs();
        for (0..n) |q| {
            const at = (q * quantum) % (48000 - quantum);
            @memcpy(&l, rec_r[at..][0..quantum]);
            @memcpy(&r, rec_r[at..][0..quantum]);
            d.process(&l, &r);
        }
        best = @min(best, cpuNs() - t0);
    }
    const ns = @as(f64, @floatFromInt(best)) / n;
    std.debug.print("\n  delay ({s}): {d:.2} µs per quantum (thread CPU time, best of 5 runs of {d})\n", .{ @tagName(@import("builtin").mode), ns / 1000, n });
}

