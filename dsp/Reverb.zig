//! Algorithmic stereo reverb for the reverb bus: a 16-line feedback delay network laid out as four
//! `@Vector(4, f32)` groups, fed through an input diffuser and read out in stereo.
//!
//! Design and sources:
//! * Feedback delay network with an orthogonal (lossless) matrix and a per-line absorbent filter:
//!   J.-M. Jot and A. Chaigne, "Digital delay networks for designing artificial reverberators",
//!   AES 90th Convention, 1991, preprint 3030. A line of d samples is given the gain for d samples
//!   of a decay of T seconds (−60 dB in T), g = 10^(−3·d/(T·fs)), so every recirculation path
//!   loses the same dB per second and the whole network decays with one RT60 whatever the lengths
//!   (Jot's "consistent" absorbent filters). High frequencies decay faster through a second-order
//!   high shelf per line (RBJ Audio EQ Cookbook, S = 1, corner `damping_corner_hz`) whose gain is
//!   set per line the same way, from the high-frequency decay time T·(1 − 0.9·damping):
//!     G_i(dB) = −60·(d_i/fs)·(1/T_hf − 1/T).
//!   For small per-pass gains the shelf's dB response is its gain times one shape, so the decay
//!   time at frequency f is 1/(1/T + s(f)·(1/T_hf − 1/T)), s(f) the shelf shape (0 in the
//!   500 Hz–2 kHz octaves, ≈0.16 at 4 kHz, ≈0.76 at 8 kHz for fs = 48 kHz).
//! * Feedback matrix: the 16×16 Hadamard matrix / 4 (orthogonal), applied in O(N log N) = 64 adds by
//!   butterflies: two inside each vector (lane shuffles) and two across the four vectors.
//! * Input diffusion: four stages of Schroeder allpasses (M. R. Schroeder, "Natural sounding
//!   artificial reverberation", JAES 10(3), 1962) with the lengths of the input diffusers of
//!   J. Dattorro, "Effect Design, Part 1: Reverberator and Other Filters", JAES 45(9), 1997
//!   (coefficient 0.7 × diffusion), on {L, R, L, R}; lanes 2 and 3 use the negated coefficient (a
//!   different allpass), so the two copies of each channel come out decorrelated.
//! * Modulated lines against metallic ringing and fluttering modes: each line's length moves by a
//!   slow sinusoid of its own rate and phase, read with 4-point Catmull-Rom (cubic Hermite)
//!   interpolation, whose magnitude response is ≤ 1 and flat within 0.01 dB to 4 kHz at 48 kHz
//!   (linear interpolation would lose 0.07 dB per pass at 2 kHz, biasing a 10 s RT60 by 25 %).
//!   Survey: V. Välimäki, J. D. Parker, L. Savioja, J. O. Smith and J. S. Abel, "Fifty years of
//!   artificial reverberation", IEEE TASLP 20(5), 2012, section IV.
//! * The four-lane grouping of 16 lines follows the idea of Vital's reverb (GPL; no code taken).
//!
//! Signal flow per frame: input (sanitised) → pre-delay (stereo ring, linear interpolation while
//! the time glides) → {L, R, L, R} → 4 allpass stages → added to the 16 lines (per-group signs) →
//! read (modulated, interpolated) → shelf·gain → Hadamard → written back. The wet output taps all
//! 16 line reads: L = even groups + odd groups, R = even − odd (orthogonal taps, so the late tail is
//! decorrelated), then low cut and high cut (2nd-order Butterworth, Simper's trapezoidal SVF), then
//! mid/side width. The output is 100 % wet (the bus is a send).
//!
//! Contract (see BusEffects.zig): fixed-size state (lines sized for size 1 at 96 kHz; about
//! 1.4 MB, so keep the struct in static memory and call `init` in place), `process` one quantum of
//! stereo in place, nothing allocated, `hasTail` until the tail is below −120 dBFS, `reset`, finite
//! output (input is sanitised and clamped to ±1e4, every setter clamps). Denormals: every value
//! written into a delay memory and every filter state at the end of a quantum is flushed to 0 below
//! 1e-15 (WebAssembly has no flush-to-zero mode; see `simd.flushTiny`), so a long silent tail holds
//! exact zeros, not subnormals.
//!
//! Parameters: `Params` is the plain struct of targets, one setter each. Setters only store a
//! clamped target (and, for the modulation rate, the LFO step); `process` glides the smoothed
//! values once per quantum (one-pole, 20 ms; size and pre-delay 150 ms, tape-like, since they move
//! read positions) and recomputes the line gains and shelves from them, and ramps delays, width
//! and the input gain per sample, so decay, size and damping change live without clicks.
const std = @import("std");
const Lanes = @import("lanes.zig");
const simd = @import("simd.zig");

const Reverb = @This();
const V = Lanes.V;
const U = @Vector(4, u32);
const splat = simd.splat;
pub const quantum = Lanes.quantum;

/// One parameter's range. `clamp` maps NaN to the default and anything else into [min, max].
pub const Spec = struct {
    min: f32,
    max: f32,
    default: f32,
    unit: []const u8,
    doc: []const u8,

    pub fn clamp(s: Spec, x: f32) f32 {
        if (x != x) return s.default;
        return @min(@max(x, s.min), s.max);
    }
};

/// Parameter ranges; protocol/contract.json `busFx` carries the same ones (BusEffects.zig tests that).
pub const specs = struct {
    pub const decay = Spec{ .min = 0.1, .max = 30, .default = 2, .unit = "s", .doc = "Reverb time RT60 (−60 dB) in the mid frequencies." };
    pub const pre_delay = Spec{ .min = 0, .max = 250, .default = 10, .unit = "ms", .doc = "Delay before the reverb starts; glides when changed." };
    pub const size = Spec{ .min = 0, .max = 1, .default = 0.5, .unit = "", .doc = "Room size: line lengths from 5–10 ms (0) to 50–100 ms (1); glides when changed." };
    pub const damping = Spec{ .min = 0, .max = 1, .default = 0.5, .unit = "", .doc = "High-frequency damping: above ~6 kHz the RT60 is decay × (1 − 0.9 × damping)." };
    pub const low_cut = Spec{ .min = 20, .max = 1000, .default = 80, .unit = "Hz", .doc = "Low cut of the wet signal (12 dB/octave)." };
    pub const high_cut = Spec{ .min = 1000, .max = 20000, .default = 12000, .unit = "Hz", .doc = "High cut of the wet signal (12 dB/octave; at most 0.45 × sample rate)." };
    pub const diffusion = Spec{ .min = 0, .max = 1, .default = 0.8, .unit = "", .doc = "Input diffusion: how quickly echoes thicken (allpass coefficient 0.7 × diffusion)." };
    pub const mod_depth = Spec{ .min = 0, .max = 4, .default = 0.5, .unit = "ms", .doc = "Delay-line modulation depth (peak), against metallic ringing." };
    pub const mod_rate = Spec{ .min = 0.01, .max = 5, .default = 0.7, .unit = "Hz", .doc = "Delay-line modulation rate (each line runs at 0.75–1.25 × this)." };
    pub const width = Spec{ .min = 0, .max = 1, .default = 1, .unit = "", .doc = "Stereo width of the wet signal: 0 mono, 1 full." };
    pub const freeze = Spec{ .min = 0, .max = 1, .default = 0, .unit = "bool", .doc = "Freeze: the tail sustains without loss and new input is muted." };
};

/// Parameter targets (already clamped when set through the setters).
pub const Params = struct {
    decay: f32 = specs.decay.default,
    pre_delay: f32 = specs.pre_delay.default,
    size: f32 = specs.size.default,
    damping: f32 = specs.damping.default,
    low_cut: f32 = specs.low_cut.default,
    high_cut: f32 = specs.high_cut.default,
    diffusion: f32 = specs.diffusion.default,
    mod_depth: f32 = specs.mod_depth.default,
    mod_rate: f32 = specs.mod_rate.default,
    width: f32 = specs.width.default,
    freeze: bool = false,
};

pub const groups = 4;
pub const lines = groups * Lanes.width;
/// Highest sample rate at which every length is as designed (above it lengths are capped).
pub const max_rate: f32 = 96000;
/// Corner of the damping shelf.
pub const damping_corner_hz: f32 = 6000;
/// Values below this are flushed to 0 (−300 dB: far below anything audible, far above subnormals).
pub const flush_eps: f32 = 1e-15;
/// hasTail threshold on the output, −120 dBFS.
pub const tail_floor: f32 = 1e-6;

/// Line lengths in ms at size 1, line i = 4·g + k is group g, lane k (spread ~2:1, no simple
/// ratios between them). Size s scales them by 0.1 + 0.9·s.
pub const base_ms = [lines]f32{
    50.0, 61.1, 73.7, 87.1,
    52.7, 64.9, 77.5, 91.3,
    55.9, 67.6, 80.2, 95.6,
    58.3, 70.3, 83.9, 99.7,
};
/// Input allpass lengths in ms per stage (Dattorro's 142, 107, 379, 277 samples at 29.761 kHz).
/// All four lanes of a stage share the length, so a stage reads one vector; lanes 2 and 3 use the
/// negated coefficient, a different allpass, so the two copies of L and R come out decorrelated.
const diff_ms = [4]f32{ 4.77, 3.60, 12.73, 9.31 };
const diff_sign = V{ 1, 1, -1, -1 };
/// Per-line LFO rate multipliers.
const lfo_mult = [lines]f32{
    0.75, 1.08, 0.91, 1.22, 1.01, 0.83, 1.15, 0.97,
    1.25, 0.79, 1.12, 0.88, 0.94, 1.19, 0.86, 1.04,
};

const line_len = 16384; // > 99.7 ms + 4 ms modulation + taps at 96 kHz
const diff_len = 2048; // > 12.73 ms at 96 kHz
const pre_len = 32768; // > 250 ms at 96 kHz
/// Input injection signs per group (lane k of the diffused {L, R, L, R}).
const in_sign = [groups]V{ .{ 1, 1, 1, 1 }, .{ 1, -1, 1, -1 }, .{ -1, 1, 1, -1 }, .{ 1, 1, -1, -1 } };
const in_gain: f32 = 0.35;
/// Output tap gain per line (L = even + odd groups, R = even − odd).
const out_gain: f32 = 0.25;

// --- State (fixed size) ----------------------------------------------------------------------

/// One ring per line, with the first 4 samples mirrored past the end so that the 4 taps of an
/// interpolated read are one contiguous (unaligned) vector load.
lines_buf: [lines][line_len + 4]f32,
diff_buf: [4][diff_len]V,
pre_buf: [pre_len][2]f32,

sample_rate: f32,
params: Params,
/// One-pole coefficients per quantum: fast (20 ms) and slow (150 ms, slew-limited).
k_fast: f32,
k_slow: f32,
/// Damping shelf constants for this sample rate: cos(w0) and sin(w0)/√2 (S = 1).
shelf_cs: f32,
shelf_alpha: f32,

// Smoothed values.
log_decay: f32, // ln T
size_s: f32,
damping_s: f32,
pre_s: f32, // pre-delay in samples (glides)
diff_g: f32,
depth_s: f32, // samples
width_s: f32,
freeze_s: f32, // 0..1
log_low: f32,
log_high: f32,

w: u32, // line write index
dw: u32, // diffuser write index
pw: u32, // pre-delay write index
diff_taps: [4]u32, // per stage, in samples
d_prev: [groups]V, // read delay (samples) at the end of the previous quantum
// LFO phasors per line (cos, sin) and the per-quantum rotation.
lfo_c: [groups]V,
lfo_s: [groups]V,
rot_c: [groups]V,
rot_s: [groups]V,
// Loop filter: shelf biquad (TDF-II) with the line gain folded into b0..b2.
b0: [groups]V,
b1: [groups]V,
b2: [groups]V,
a1: [groups]V,
a2: [groups]V,
z1: [groups]V,
z2: [groups]V,
// Output SVFs: lanes {L, R, L, R}; [0] low cut (high-pass), [1] high cut (low-pass).
svf_a1: [2]f32,
svf_a2: [2]f32,
svf_a3: [2]f32,
svf_ic1: [2]V,
svf_ic2: [2]V,
svf_valid: bool,
// Ramps carried between quanta.
pre_prev: f32,
in_gain_prev: f32,
width_prev: f32,
// Tail tracking.
quiet_frames: u32,
/// Economy mode (quality level 1 and above, `setEconomy`): no modulation, whole-sample reads.
economy: bool,

/// Initialise in place (the struct is large). `sample_rate` is clamped to [8000, 384000]; above
/// 96 kHz the longest lengths are capped by the fixed memory.
pub fn init(self: *Reverb, sample_rate: f32) void {
    const fs = if (sample_rate == sample_rate) @min(@max(sample_rate, 8000), 384000) else 48000;
    self.sample_rate = fs;
    self.params = .{};
    self.k_fast = @floatCast(@exp(-@as(f64, quantum) / (0.020 * @as(f64, fs))));
    self.k_slow = @floatCast(@exp(-@as(f64, quantum) / (0.150 * @as(f64, fs))));
    const w0 = 2 * std.math.pi * @min(damping_corner_hz, 0.35 * fs) / fs;
    self.shelf_cs = @cos(w0);
    self.shelf_alpha = @sin(w0) / std.math.sqrt2;
    for (0..4) |s| {
        const n: u32 = @intFromFloat(@round(diff_ms[s] * fs / 1000));
        self.diff_taps[s] = @min(@max(n, 1), diff_len - 1);
    }
    self.setModRate(self.params.mod_rate);
    self.economy = false;
    self.reset();
}

/// Clear all audio state and snap every smoothed value to its target.
pub fn reset(self: *Reverb) void {
    for (&self.lines_buf) |*b| @memset(b, 0);
    for (&self.diff_buf) |*b| @memset(b, splat(0));
    @memset(&self.pre_buf, .{ 0, 0 });
    self.w = 0;
    self.dw = 0;
    self.pw = 0;
    self.quiet_frames = std.math.maxInt(u32) / 2;
    self.z1 = [_]V{splat(0)} ** groups;
    self.z2 = [_]V{splat(0)} ** groups;
    self.svf_ic1 = [_]V{splat(0)} ** 2;
    self.svf_ic2 = [_]V{splat(0)} ** 2;
    self.svf_valid = false;
    self.snap();
}

/// Snap every smoothed value to its target without clearing the audio state: for parameters set
/// before any audio went in (a jump in the read positions of a ringing network would click).
pub fn snap(self: *Reverb) void {
    const p = self.params;
    self.log_decay = @log(p.decay);
    self.size_s = p.size;
    self.damping_s = p.damping;
    self.pre_s = self.preTarget();
    self.diff_g = 0.7 * p.diffusion;
    self.depth_s = self.depthTarget();
    self.width_s = p.width;
    self.freeze_s = if (p.freeze) 1 else 0;
    self.log_low = @log(p.low_cut);
    self.log_high = @log(self.highCutHz(p.high_cut));
    self.pre_prev = self.pre_s;
    self.in_gain_prev = 1 - self.freeze_s;
    self.width_prev = self.width_s;
    for (0..groups) |g| {
        inline for (0..4) |k| {
            const ph = 2 * std.math.pi * @as(f32, @floatFromInt(g * 4 + k)) * (5.0 / 16.0);
            self.lfo_c[g][k] = @cos(ph);
            self.lfo_s[g][k] = @sin(ph);
        }
    }
    const d = self.centerDelays();
    for (0..groups) |g| self.d_prev[g] = self.clampDelay(d[g] + splat(self.depth_s) * self.lfo_s[g]);
    self.updateLoop(d);
}

// --- Setters (clamp and store a target; cheap, any thread that owns the struct) -------------

pub fn setDecay(self: *Reverb, seconds: f32) void {
    self.params.decay = specs.decay.clamp(seconds);
}
pub fn setPreDelay(self: *Reverb, ms: f32) void {
    self.params.pre_delay = specs.pre_delay.clamp(ms);
}
pub fn setSize(self: *Reverb, size: f32) void {
    self.params.size = specs.size.clamp(size);
}
pub fn setDamping(self: *Reverb, amount: f32) void {
    self.params.damping = specs.damping.clamp(amount);
}
pub fn setLowCut(self: *Reverb, hz: f32) void {
    self.params.low_cut = specs.low_cut.clamp(hz);
}
pub fn setHighCut(self: *Reverb, hz: f32) void {
    self.params.high_cut = specs.high_cut.clamp(hz);
}
pub fn setDiffusion(self: *Reverb, amount: f32) void {
    self.params.diffusion = specs.diffusion.clamp(amount);
}
pub fn setModDepth(self: *Reverb, ms: f32) void {
    self.params.mod_depth = specs.mod_depth.clamp(ms);
}
/// Also recomputes the per-line LFO rotation (32 scalar trig calls).
pub fn setModRate(self: *Reverb, hz: f32) void {
    self.params.mod_rate = specs.mod_rate.clamp(hz);
    for (0..groups) |g| {
        inline for (0..4) |k| {
            const f = self.params.mod_rate * lfo_mult[g * 4 + k];
            const th = 2 * std.math.pi * f * @as(f32, quantum) / self.sample_rate;
            self.rot_c[g][k] = @cos(th);
            self.rot_s[g][k] = @sin(th);
        }
    }
}
pub fn setWidth(self: *Reverb, width: f32) void {
    self.params.width = specs.width.clamp(width);
}
pub fn setFreeze(self: *Reverb, on: bool) void {
    self.params.freeze = on;
}
/// Apply every field of `p` through its setter.
pub fn set(self: *Reverb, p: Params) void {
    self.setDecay(p.decay);
    self.setPreDelay(p.pre_delay);
    self.setSize(p.size);
    self.setDamping(p.damping);
    self.setLowCut(p.low_cut);
    self.setHighCut(p.high_cut);
    self.setDiffusion(p.diffusion);
    self.setModDepth(p.mod_depth);
    if (p.mod_rate != self.params.mod_rate) self.setModRate(p.mod_rate);
    self.setWidth(p.width);
    self.setFreeze(p.freeze);
}

// --- Derived values --------------------------------------------------------------------------

fn preTarget(self: *const Reverb) f32 {
    return @round(self.params.pre_delay * self.sample_rate / 1000);
}
fn depthTarget(self: *const Reverb) f32 {
    return if (self.economy) 0 else self.params.mod_depth * self.sample_rate / 1000;
}

/// Economy mode, the engine's quality level 1 and above (Mixer.setQuality): the modulation depth
/// glides to 0 (20 ms) and every line's length to the nearest whole sample (within the quantum's
/// linear read-position ramp, < 0.5 sample: a pitch bend below 0.4 cents, no click); once both are
/// there the lines are read at whole samples without the Catmull-Rom interpolation, which then
/// returns the very tap it would have read (its f = 0 or f = 1 end points), so the change of read
/// path is seamless too. The decay gains are computed from the unrounded lengths; a length off by
/// < 0.5 sample (of ≥ 2,400) moves the RT60 by < 0.02 %. What is lost is the modulation against
/// metallic ringing. Cost (bench/reverb-micro.mjs): see the README's quality ladder.
pub fn setEconomy(self: *Reverb, on: bool) void {
    self.economy = on;
}
fn highCutHz(self: *const Reverb, hz: f32) f32 {
    return @min(hz, 0.45 * self.sample_rate);
}
/// Largest read delay the line memory allows with the 4 interpolation taps.
fn maxDelay() f32 {
    return line_len - 8;
}
fn clampDelay(self: *const Reverb, d: V) V {
    _ = self;
    return simd.fmin(simd.fmax(d, splat(2)), splat(maxDelay()));
}
/// Unmodulated line lengths (samples) at the smoothed size.
fn centerDelays(self: *const Reverb) [groups]V {
    const scale = (0.1 + 0.9 * self.size_s) * self.sample_rate / 1000;
    var d: [groups]V = undefined;
    for (0..groups) |g| {
        const b: V = base_ms[g * 4 ..][0..4].*;
        d[g] = simd.fmin(b * splat(scale), splat(maxDelay() - 4 * 384));
    }
    return d;
}

/// Line gains and damping shelves from the smoothed decay, damping, freeze and lengths `d`.
fn updateLoop(self: *Reverb, d: [groups]V) void {
    const fs = self.sample_rate;
    // Decay rate 1/T, going to 0 (lossless) with freeze.
    const rate = (1 - self.freeze_s) * @exp(-self.log_decay);
    const hf_ratio = 1 - 0.9 * self.damping_s;
    const extra = rate * (1 / hf_ratio - 1); // 1/T_hf − 1/T
    const cs = splat(self.shelf_cs);
    const alpha = self.shelf_alpha;
    const log2_10: f32 = std.math.log2(10.0);
    for (0..groups) |g| {
        const sec = d[g] / splat(fs);
        // g = 10^(−3·d/(T·fs)) ; shelf gain G = −60·(d/fs)·(1/T_hf − 1/T) dB, floored at −48 dB.
        const gain = simd.exp2(splat(-3 * log2_10 * rate) * sec);
        const g_db = simd.fmax(splat(-60 * extra) * sec, splat(-48));
        const a = simd.exp2(g_db * splat(log2_10 / 40));
        const sq = simd.exp2(g_db * splat(log2_10 / 80));
        const ap1 = a + splat(1);
        const am1 = a - splat(1);
        const t = splat(2 * alpha) * sq;
        const a0 = ap1 - am1 * cs + t;
        const inv = gain / a0; // fold the line gain into the numerator
        self.b0[g] = a * (ap1 + am1 * cs + t) * inv;
        self.b1[g] = splat(-2) * a * (am1 + ap1 * cs) * inv;
        self.b2[g] = a * (ap1 + am1 * cs - t) * inv;
        const inv0 = splat(1) / a0;
        self.a1[g] = splat(2) * (am1 - ap1 * cs) * inv0;
        self.a2[g] = (ap1 - am1 * cs - t) * inv0;
    }
}

/// Simper SVF coefficients for a Butterworth (k = √2) filter at `hz`.
fn setSvf(self: *Reverb, i: usize, hz: f32) void {
    const g: f32 = @floatCast(@tan(std.math.pi * @as(f64, hz) / @as(f64, self.sample_rate)));
    const k = std.math.sqrt2;
    self.svf_a1[i] = 1 / (1 + g * (g + k));
    self.svf_a2[i] = g * self.svf_a1[i];
    self.svf_a3[i] = g * self.svf_a2[i];
}

inline fn glide(cur: *f32, target: f32, k: f32, eps: f32) bool {
    if (cur.* == target) return false;
    const next = target + k * (cur.* - target);
    cur.* = if (@fabs(next - target) <= eps or next == cur.*) target else next;
    return true;
}

/// `glide` with the step per quantum limited to ±`max_step`.
inline fn glideLimited(cur: *f32, target: f32, k: f32, eps: f32, max_step: f32) bool {
    if (cur.* == target) return false;
    const step = @min(@max((target - cur.*) * (1 - k), -max_step), max_step);
    const next = cur.* + step;
    cur.* = if (@fabs(next - target) <= eps or next == cur.*) target else next;
    return true;
}

/// Largest change of a read delay per sample from size and pre-delay glides.
const max_slew: f32 = 0.1;

/// Move every smoothed value one quantum towards its target.
fn smooth(self: *Reverb) void {
    const p = self.params;
    _ = glide(&self.log_decay, @log(p.decay), self.k_fast, 1e-5);
    // Size and pre-delay move read positions: glide, and at most 0.1 sample per sample (the
    // longest line's length, the pre-delay), i.e. a pitch bend of at most ±10 % while moving.
    _ = glideLimited(&self.size_s, p.size, self.k_slow, 1e-6, max_slew * quantum / (base_ms[lines - 1] * 0.9 * self.sample_rate / 1000));
    _ = glide(&self.damping_s, p.damping, self.k_fast, 1e-6);
    _ = glideLimited(&self.pre_s, self.preTarget(), self.k_slow, 1e-3, max_slew * quantum);
    _ = glide(&self.diff_g, 0.7 * p.diffusion, self.k_fast, 1e-6);
    _ = glide(&self.depth_s, self.depthTarget(), self.k_fast, 1e-4);
    _ = glide(&self.width_s, p.width, self.k_fast, 1e-6);
    _ = glide(&self.freeze_s, if (p.freeze) 1 else 0, self.k_fast, 1e-6);
    const lo = glide(&self.log_low, @log(p.low_cut), self.k_fast, 1e-5);
    const hi = glide(&self.log_high, @log(self.highCutHz(p.high_cut)), self.k_fast, 1e-5);
    if (lo or hi or !self.svf_valid) {
        self.setSvf(0, @exp(self.log_low));
        self.setSvf(1, @exp(self.log_high));
        self.svf_valid = true;
    }
}

// --- Per-sample helpers ----------------------------------------------------------------------

/// Hadamard-4 across the lanes of one vector (two butterfly stages).
inline fn had4(x: V) V {
    const a = x * V{ 1, -1, 1, -1 } + @shuffle(f32, x, undefined, @Vector(4, i32){ 1, 0, 3, 2 });
    return a * V{ 1, 1, -1, -1 } + @shuffle(f32, a, undefined, @Vector(4, i32){ 2, 3, 0, 1 });
}

/// Catmull-Rom read of the four lines of group `g` at fractional delays `d` (≥ 2), write index
/// `w`: per line one vector load of its four taps, a 4×4 transpose, then the cubic per lane.
inline fn readGroup(self: *const Reverb, comptime g: usize, w: u32, d: V) V {
    const magic = splat(12582912.0); // 1.5·2^23: adding it rounds to an integer
    const t = d - splat(0.5) + magic;
    const n: U = @as(U, @bitCast(t)) -% @as(U, @splat(0x4b40_0000)); // round(d − 0.5)
    const f = d - (t - magic); // in [0, 1]
    // Lowest tap (delay n + 2) of each line; the taps run up to delay n − 1 (≥ 1) in memory order.
    const base = (@as(U, @splat(w)) -% n -% @as(U, @splat(2))) & @as(U, @splat(line_len - 1));
    var row: [4]V = undefined;
    inline for (0..4) |k| {
        const p: *align(4) const V = @ptrCast(&self.lines_buf[g * 4 + k][base[k]]);
        row[k] = p.*; // {x2, x1, x0, x−1} of line k
    }
    const t0 = @shuffle(f32, row[0], row[1], @Vector(4, i32){ 0, -1, 1, -2 });
    const t1 = @shuffle(f32, row[0], row[1], @Vector(4, i32){ 2, -3, 3, -4 });
    const t2 = @shuffle(f32, row[2], row[3], @Vector(4, i32){ 0, -1, 1, -2 });
    const t3 = @shuffle(f32, row[2], row[3], @Vector(4, i32){ 2, -3, 3, -4 });
    const x2 = @shuffle(f32, t0, t2, @Vector(4, i32){ 0, 1, -1, -2 });
    const x1 = @shuffle(f32, t0, t2, @Vector(4, i32){ 2, 3, -3, -4 });
    const x0 = @shuffle(f32, t1, t3, @Vector(4, i32){ 0, 1, -1, -2 });
    const xm1 = @shuffle(f32, t1, t3, @Vector(4, i32){ 2, 3, -3, -4 });
    const c1 = splat(0.5) * (x1 - xm1);
    const c2 = xm1 - splat(2.5) * x0 + splat(2) * x1 - splat(0.5) * x2;
    const c3 = splat(0.5) * (x2 - xm1) + splat(1.5) * (x0 - x1);
    return ((c3 * f + c2) * f + c1) * f + x0;
}

inline fn svfTick(v0: V, ic1: *V, ic2: *V, a1: f32, a2: f32, a3: f32) [2]V {
    const v3 = v0 - ic2.*;
    const v1 = splat(a1) * ic1.* + splat(a2) * v3;
    const v2 = ic2.* + splat(a2) * ic1.* + splat(a3) * v3;
    ic1.* = splat(2) * v1 - ic1.*;
    ic2.* = splat(2) * v2 - ic2.*;
    return .{ v1, v2 }; // band, low
}

// --- Processing ------------------------------------------------------------------------------

/// Process one quantum of stereo in place (input in, 100 % wet out). Allocates nothing.
pub fn process(self: *Reverb, l: *[quantum]f32, r: *[quantum]f32) void {
    self.smooth();
    const fs = self.sample_rate;
    const inv_q = 1.0 / @as(f32, quantum);

    // LFO: rotate each line's phasor by one quantum and renormalise (keeps |phasor| = 1).
    var d_step: [groups]V = undefined;
    var d_cur: [groups]V = undefined;
    const center = self.centerDelays();
    for (0..groups) |g| {
        const lc = self.lfo_c[g] * self.rot_c[g] - self.lfo_s[g] * self.rot_s[g];
        const ls = self.lfo_s[g] * self.rot_c[g] + self.lfo_c[g] * self.rot_s[g];
        const norm = splat(1.5) - splat(0.5) * (lc * lc + ls * ls);
        self.lfo_c[g] = lc * norm;
        self.lfo_s[g] = ls * norm;
        const c = if (self.economy) @round(center[g]) else center[g];
        const end = self.clampDelay(c + splat(self.depth_s) * self.lfo_s[g]);
        d_cur[g] = self.d_prev[g];
        d_step[g] = (end - d_cur[g]) * splat(inv_q);
        self.d_prev[g] = end;
    }
    self.updateLoop(center);
    // Whole-sample reads (economy mode, settled): every read delay an integer that does not move.
    var whole = self.economy and self.depth_s == 0;
    if (whole) for (0..groups) |g| {
        if (@reduce(.Or, d_step[g] != splat(0)) or @reduce(.Or, d_cur[g] != @round(d_cur[g]))) whole = false;
    };

    // Per-sample ramps: pre-delay (samples), input gain (freeze), width.
    const pre_end = @min(self.pre_s, @as(f32, pre_len - 2));
    const pre_step = (pre_end - self.pre_prev) * inv_q;
    var pre = self.pre_prev;
    const in_end = 1 - self.freeze_s;
    const in_step = (in_end - self.in_gain_prev) * inv_q;
    var ig = self.in_gain_prev;
    const wid_step = (self.width_s - self.width_prev) * inv_q;
    var wid = self.width_prev;
    const dg = splat(self.diff_g) * diff_sign;

    var w = self.w;
    var dw = self.dw;
    var pw = self.pw;
    var z1 = self.z1;
    var z2 = self.z2;
    var ic1 = self.svf_ic1;
    var ic2 = self.svf_ic2;
    var in_peak: V = splat(0);
    var line_peak: V = splat(0);
    const big = splat(1e4);

    // Three passes over the quantum (fewer live values per loop than one fused loop): input to
    // the diffused injection, the network, the output filters and width.
    var inj: [quantum]V = undefined;
    var wet: [quantum]V = undefined;
    for (l, r, &inj) |xl, xr, *dst| {
        // Sanitise: finite, within ±1e4 (+80 dBFS) so nothing can overflow the state, and no
        // subnormal input into the pre-delay memory.
        var x: V = .{ xl, xr, 0, 0 };
        x = simd.flushTiny(simd.fmin(simd.fmax(simd.finiteOrZero(x), -big), big), flush_eps);
        in_peak = simd.fmax(in_peak, @fabs(x));
        self.pre_buf[pw] = .{ x[0], x[1] };
        // Pre-delay read (linear interpolation; exact when the delay is an integer).
        pre += pre_step;
        const pn: u32 = @intFromFloat(pre);
        const pf = pre - @as(f32, @floatFromInt(pn));
        const p0 = self.pre_buf[(pw -% pn) & (pre_len - 1)];
        const p1 = self.pre_buf[(pw -% pn -% 1) & (pre_len - 1)];
        pw = (pw + 1) & (pre_len - 1);
        ig += in_step;
        const pl = (p0[0] + pf * (p1[0] - p0[0])) * ig;
        const pr = (p0[1] + pf * (p1[1] - p0[1])) * ig;

        // Input diffusion: 4 allpass stages over {L, R, L, R}.
        var v: V = .{ pl, pr, pl, pr };
        inline for (0..4) |s| {
            const del = self.diff_buf[s][(dw -% self.diff_taps[s]) & (diff_len - 1)];
            const u = v + dg * del;
            self.diff_buf[s][dw] = simd.flushTiny(u, flush_eps);
            v = del - dg * u;
        }
        dw = (dw + 1) & (diff_len - 1);
        dst.* = v * splat(in_gain);
    }

    if (whole) {
        var n: [groups]U = undefined;
        // Exact: d_cur holds whole numbers below 2^23 (1.5·2^23 added rounds to an integer).
        const magic = splat(12582912.0);
        for (0..groups) |g| n[g] = @as(U, @bitCast(d_cur[g] + magic)) -% @as(U, @splat(0x4b40_0000));
        self.network(true, &inj, &wet, &d_cur, d_step, n, &w, &z1, &z2, &line_peak);
    } else {
        self.network(false, &inj, &wet, &d_cur, d_step, undefined, &w, &z1, &z2, &line_peak);
    }

    for (l, r, &wet) |*xl, *xr, in| {
        // Low cut (high-pass output of the first SVF), high cut (low-pass of the second), width.
        var lr = in;
        const hp = svfTick(lr, &ic1[0], &ic2[0], self.svf_a1[0], self.svf_a2[0], self.svf_a3[0]);
        lr = lr - splat(std.math.sqrt2) * hp[0] - hp[1];
        lr = svfTick(lr, &ic1[1], &ic2[1], self.svf_a1[1], self.svf_a2[1], self.svf_a3[1])[1];
        wid += wid_step;
        const mid = 0.5 * (lr[0] + lr[1]);
        const side = 0.5 * (lr[0] - lr[1]) * wid;
        xl.* = mid + side;
        xr.* = mid - side;
    }

    self.w = w;
    self.dw = dw;
    self.pw = pw;
    self.pre_prev = pre_end;
    self.in_gain_prev = in_end;
    self.width_prev = self.width_s;
    for (0..groups) |g| {
        self.z1[g] = simd.flushTiny(z1[g], flush_eps);
        self.z2[g] = simd.flushTiny(z2[g], flush_eps);
    }
    for (0..2) |i| {
        self.svf_ic1[i] = simd.flushTiny(ic1[i], flush_eps);
        self.svf_ic2[i] = simd.flushTiny(ic2[i], flush_eps);
    }

    // Tail: quiet once neither the input nor anything written into the lines reached 1/16 of the
    // output floor (an output sample sums 16 line reads with taps ±1/4, so it is at most 4 × the
    // largest value in the lines; the cuts add little), for longer than the whole memory span.
    const loud = simd.hmax(in_peak) >= tail_floor / 16 or simd.hmax(line_peak) >= tail_floor / 16;
    self.quiet_frames = if (loud) 0 else self.quiet_frames +| @as(u32, quantum);
    _ = fs;
}

/// The feedback network over one quantum (the second pass of `process`): `whole` reads every line
/// at the whole-sample delays `n` (economy mode, settled; `d_cur` then stays as it is), else at
/// the interpolated, ramped delays `d_cur` (advanced by `d_step` per sample).
inline fn network(self: *Reverb, comptime whole: bool, inj: *const [quantum]V, wet: *[quantum]V, d_cur: *[groups]V, d_step: [groups]V, n: [groups]U, w: *u32, z1: *[groups]V, z2: *[groups]V, line_peak: *V) void {
    for (inj, wet) |v, *dst| {
        // FDN: read, loop filter, Hadamard, inject, write.
        var y: [groups]V = undefined;
        var acc_e: V = splat(0);
        var acc_o: V = splat(0);
        inline for (0..groups) |g| {
            const rd = if (whole) self.readWhole(g, w.*, n[g]) else blk: {
                d_cur[g] += d_step[g];
                break :blk self.readGroup(g, w.*, d_cur[g]);
            };
            if (g % 2 == 0) acc_e += rd else acc_o += rd;
            // TDF-II biquad (shelf · gain).
            const o = self.b0[g] * rd + z1[g];
            z1[g] = self.b1[g] * rd - self.a1[g] * o + z2[g];
            z2[g] = self.b2[g] * rd - self.a2[g] * o;
            y[g] = had4(o);
        }
        const s01 = y[0] + y[1];
        const d01 = y[0] - y[1];
        const s23 = y[2] + y[3];
        const d23 = y[2] - y[3];
        const fb = [groups]V{ s01 + s23, d01 + d23, s01 - s23, d01 - d23 };
        inline for (0..groups) |g| {
            const nv = simd.flushTiny(fb[g] * splat(0.25) + v * in_sign[g], flush_eps);
            line_peak.* = simd.fmax(line_peak.*, @fabs(nv));
            inline for (0..4) |k| self.lines_buf[g * 4 + k][w.*] = nv[k];
            if (w.* < 4) {
                inline for (0..4) |k| self.lines_buf[g * 4 + k][line_len + w.*] = nv[k];
            }
        }
        w.* = (w.* + 1) & (line_len - 1);
        // L = even + odd groups, R = even − odd, as {L, R, L, R}.
        const h = @shuffle(f32, acc_e, acc_o, @Vector(4, i32){ 0, 2, -1, -3 }) + @shuffle(f32, acc_e, acc_o, @Vector(4, i32){ 1, 3, -2, -4 });
        const t = h + @shuffle(f32, h, undefined, @Vector(4, i32){ 1, 0, 3, 2 }); // {E, E, O, O}
        const e = @shuffle(f32, t, undefined, @Vector(4, i32){ 0, 0, 0, 0 });
        const o = @shuffle(f32, t, undefined, @Vector(4, i32){ 2, 2, 2, 2 });
        dst.* = (e + o * V{ 1, -1, 1, -1 }) * splat(out_gain);
    }
}

/// Whole-sample read of the four lines of group `g` at integer delays `n` (≥ 2), write index `w`:
/// what `readGroup` returns for an integer delay, without the interpolation.
inline fn readWhole(self: *const Reverb, comptime g: usize, w: u32, n: U) V {
    const i = (@as(U, @splat(w)) -% n) & @as(U, @splat(line_len - 1));
    return .{ self.lines_buf[g * 4][i[0]], self.lines_buf[g * 4 + 1][i[1]], self.lines_buf[g * 4 + 2][i[2]], self.lines_buf[g * 4 + 3][i[3]] };
}

/// Frames a value needs to get from the input to the output at the current settings (pre-delay,
/// diffusers, the longest line) plus the output filters' settling, in frames.
fn span(self: *const Reverb) u32 {
    var n: f32 = self.pre_prev + 4 * quantum;
    for (self.diff_taps) |t| n += @floatFromInt(t);
    var longest: f32 = 0;
    for (self.d_prev) |d| longest = @max(longest, simd.hmax(d));
    n += longest;
    return @intFromFloat(n + 0.1 * self.sample_rate);
}

/// True while the reverb may still produce output above −120 dBFS from silent input.
pub fn hasTail(self: *const Reverb) bool {
    return self.quiet_frames <= self.span();
}

/// Test support: true if any delay memory or filter state holds a subnormal float.
pub fn hasSubnormal(self: *const Reverb) bool {
    const chunks = .{ std.mem.sliceAsBytes(&self.lines_buf), std.mem.sliceAsBytes(&self.diff_buf), std.mem.sliceAsBytes(&self.pre_buf), std.mem.asBytes(&self.z1), std.mem.asBytes(&self.z2), std.mem.asBytes(&self.svf_ic1), std.mem.asBytes(&self.svf_ic2) };
    inline for (chunks) |bytes| {
        const f = std.mem.bytesAsSlice(f32, bytes);
        for (f) |x| if (x != 0 and @fabs(x) < std.math.floatMin(f32)) return true;
    }
    return false;
}

// --- Unit tests (the measured tests are in reverb_tests.zig) --------------------------------

var test_rv: Reverb = undefined;

test "impulse gives a finite, decaying, non-silent tail; hasTail follows it" {
    const rv = &test_rv;
    rv.init(48000);
    try std.testing.expect(!rv.hasTail());
    var l = [_]f32{0} ** quantum;
    var r = [_]f32{0} ** quantum;
    l[0] = 1;
    r[0] = 1;
    rv.process(&l, &r);
    try std.testing.expect(rv.hasTail());
    var peak: f32 = 0;
    for (0..400) |_| {
        @memset(&l, 0);
        @memset(&r, 0);
        rv.process(&l, &r);
        for (l, r) |a, b| {
            try std.testing.expect(std.math.isFinite(a) and std.math.isFinite(b));
            peak = @max(peak, @max(@fabs(a), @fabs(b)));
        }
    }
    try std.testing.expect(peak > 1e-3);
}

test "Spec.clamp: NaN gives the default, out of range is clamped" {
    try std.testing.expectEqual(@as(f32, 2), specs.decay.clamp(std.math.nan(f32)));
    try std.testing.expectEqual(@as(f32, 30), specs.decay.clamp(std.math.inf(f32)));
    try std.testing.expectEqual(@as(f32, 0.1), specs.decay.clamp(-1));
    try std.testing.expectEqual(@as(f32, 250), specs.pre_delay.clamp(1e9));
}
