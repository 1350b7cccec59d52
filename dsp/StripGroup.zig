//! One group of four mixer strips (one strip per `@Vector(4, f32)` lane, L and R as separate
//! vectors), processed in place over one quantum:
//!
//!   sanitize (non-finite → 0) → trim × polarity → low shelf → peaking → high shelf (RBJ)
//!   → compressor (Giannoulis/Massberg/Reiss) → fader × mute × solo × constant-power pan → meters
//!
//! The same code runs channel groups (channels 4g..4g+3), the bus group (buses in lanes 0..2) and
//! the master (lane 0); `Role` only changes which parameters apply (solo and sends: channels only).
//! Sends are tapped by the mixer from the output of this chain (post-fader, post-pan) using
//! `sends`, so mute and solo silence them too.
//!
//! Parameters are read from the shared parameter block once per quantum, sanitised (NaN →
//! default, clamped to the documented range), smoothed (`smoother.zig`), and gains are ramped per
//! sample. Pan law (channels): gL = cos((pan+1)·π/4), gR = sin((pan+1)·π/4), −3 dB each at centre;
//! buses and master use balance instead: unity at centre, the far side turned down linearly.
//! Meters (post-fader, post-pan): peak = max(|L|,|R|) with instant attack, falling 20 dB in 1.7 s;
//! RMS = sqrt of the one-pole (τ = 300 ms) average of the mean square (L² + R²)/2.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");
const Biquad = @import("Biquad.zig");
const Compressor = @import("Compressor.zig");
const smoother = @import("smoother.zig");

const StripGroup = @This();
const V = lanes.V;
const P = contract.strip;
const np = P.count;
const width = lanes.width;
const splat = simd.splat;

pub const Role = enum { channel, bus, master };

/// How a parameter is held in `cur` (the smoothing domain) and how close counts as settled.
const Kind = enum {
    /// dB in, linear gain smoothed (so −inf dB is simply 0).
    gain_db,
    /// dB, smoothed in dB.
    db,
    /// Hz in, smoothed as log2(Hz) so sweeps move evenly in octaves.
    log_hz,
    linear,
    /// bool in, smoothed 1 − x (1 = sounding).
    mute,
    /// bool in, smoothed ±1.
    invert,
    /// computed solo-in-place factor (0 or 1), smoothed.
    solo,
    /// not smoothed (input_index).
    raw,

    fn eps(k: Kind) f32 {
        return switch (k) {
            .db => 1e-5,
            else => 1e-6,
        };
    }
};

const Spec = struct { kind: Kind, min: f32, max: f32 };

/// How the strip handles each parameter. An exhaustive switch over the generated parameter enum: a
/// parameter added to protocol/contract.json without a case here fails the build.
fn kindOf(p: P.Param) Kind {
    return switch (p) {
        .trim_db, .volume_db => .gain_db, // g_in, g_l/g_r
        .invert => .invert, // g_in
        .eq_low_db, .eq_mid_db, .eq_high_db => .db, // eq bands
        .eq_low_hz, .eq_mid_hz, .eq_high_hz => .log_hz,
        .eq_mid_q => .linear,
        .comp_threshold_db, .comp_knee_db, .comp_makeup_db => .db, // comp, makeup
        .comp_ratio, .comp_attack_ms, .comp_release_ms => .linear,
        .pan => .linear, // pan_l/pan_r
        .mute => .mute,
        .solo => .solo,
        .send_reverb, .send_delay, .send_drum => .linear, // sends (channels), read by the mixer
        .limiter_ceiling_db => .db, // master: the mixer's limiter
        .limiter_release_ms => .linear,
        .input_index => .raw, // the mixer routes external inputs with it
        .analysis_mask, .spectrum_size => .raw, // read by the mixer's AnalysisBank, not the strip
        .quality => .raw, // master: read once per quantum by daw_process (Quality.zig)
    };
}

/// Kinds from `kindOf`, ranges from protocol/contract.json: JS clamps before writing, these are the
/// audio thread's own defence.
const specs = blk: {
    var s: [np]Spec = undefined;
    for (std.enums.values(P.Param)) |p| {
        const i = @intFromEnum(p);
        s[i] = .{ .kind = kindOf(p), .min = P.min[i], .max = P.max[i] };
    }
    break :blk s;
};

const band_params = [3][]const usize{
    &.{ P.eq_low_db, P.eq_low_hz },
    &.{ P.eq_mid_db, P.eq_mid_hz, P.eq_mid_q },
    &.{ P.eq_high_db, P.eq_high_hz },
};
const band_kind = [3]Biquad.Kind{ .low_shelf, .peaking, .high_shelf };
const band_db = [3]usize{ P.eq_low_db, P.eq_mid_db, P.eq_high_db };

// Dirty bits: which derived quantities must be recomputed this quantum.
const dirty_band = [3]u8{ 1, 2, 4 };
const dirty_comp: u8 = 8;
const dirty_pan: u8 = 16;
const dirty_all: u8 = 31;

fn dirtyBit(p: usize) u8 {
    return switch (p) {
        P.eq_low_db, P.eq_low_hz => dirty_band[0],
        P.eq_mid_db, P.eq_mid_hz, P.eq_mid_q => dirty_band[1],
        P.eq_high_db, P.eq_high_hz => dirty_band[2],
        P.comp_threshold_db, P.comp_ratio, P.comp_knee_db, P.comp_attack_ms, P.comp_release_ms => dirty_comp,
        P.pan => dirty_pan,
        else => 0,
    };
}

role: Role,
/// Strip index of each lane, or −1 for an unused lane.
strips: [width]i32,
sample_rate: f32,
/// Smoothed parameter values, per lane, in the domain given by `specs[p].kind`.
cur: [np]V = undefined,
eq: [3]Biquad = .{ .{}, .{}, .{} },
/// Band b runs only if some lane has a non-zero gain (0 dB is an exact identity).
eq_on: [3]bool = .{ false, false, false },
comp: Compressor = .{},
comp_on: bool = false,
/// trim × polarity, before the EQ.
g_in: smoother.Ramp = .{},
/// fader × mute × solo × pan, per side.
g_l: smoother.Ramp = .{},
g_r: smoother.Ramp = .{},
/// Compressor make-up, dB.
makeup: smoother.Ramp = .{},
/// Send levels to buses 0..2 (channels only; the mixer applies them to this strip's output).
sends: [3]smoother.Ramp = .{ .{}, .{}, .{} },
pan_l: V = @splat(std.math.sqrt1_2),
pan_r: V = @splat(std.math.sqrt1_2),
/// Meter state: peak (linear) and mean square.
peak: V = @splat(0),
ms: V = @splat(0),
peak_decay: f32 = 1,
rms_coef: f32 = 0,
/// The same over a whole quantum (peak_decay^128, rms_coef^128).
peak_decay_q: f32 = 1,
rms_coef_q: f32 = 0,
/// The master meters after its limiter (in the mixer), so its strip does not meter.
meter_enabled: bool = true,
/// Lanes whose state and smoothers snap on the next `update` (all lanes after init).
pending_reset: u4 = 0b1111,
/// Raw parameter bits last read per lane, and their transforms (`tcache[p][k]`); lanes whose bit
/// is clear in `raw_valid` are recomputed in full.
raw_cache: [width][contract.stride / 4]@Vector(4, u32) = [_][contract.stride / 4]@Vector(4, u32){[_]@Vector(4, u32){@splat(0)} ** (contract.stride / 4)} ** width,
raw_valid: u4 = 0,
tcache: [np]V = undefined,
/// Every smoothed value had reached its target at the end of the last `update`.
settled: bool = false,
last_active: u4 = 0,
last_any_solo: bool = false,
/// Automation (ParamLanes.zig): per strip, a mask of parameters a lane drives this quantum and
/// their values (raw units, like `params`). Null: no automation (unit tests).
auto: ?Auto = null,
/// Lanes whose volume follows an automation lane this quantum (`volumeCurve`), and the smoothed
/// volume (linear) at the end of the previous quantum, where the gain ramps start.
vol_auto: u4 = 0,
vol_prev: V = @splat(1),

/// The automated parameters of every strip: bit p of `mask[s]` set means strip s's parameter p
/// follows `vals[s·stride + p]` this quantum instead of its smoother.
/// `curve[s]`: strip s's automated volume (dB) at every frame of the quantum, for the faders.
pub const Auto = struct {
    mask: *const [contract.num_strips]u32,
    vals: *const [contract.num_strips * contract.stride]f32,
    curve: *const [contract.num_strips][lanes.quantum]f32,
};

/// A fresh group. Everything snaps to the parameter block at the first `update`.
pub fn init(role: Role, strips: [width]i32, sample_rate: f32) StripGroup {
    var self = StripGroup{ .role = role, .strips = strips, .sample_rate = sample_rate };
    for (&self.cur, 0..) |*c, p| c.* = @splat(transform(p, P.defaults[p], sample_rate));
    // Peak falls 20 dB (×0.1) in 1.7 s; RMS one-pole τ = 300 ms.
    self.peak_decay = @floatCast(std.math.pow(f64, 0.1, 1.0 / (1.7 * @as(f64, sample_rate))));
    self.rms_coef = @floatCast(@exp(-1.0 / (0.3 * @as(f64, sample_rate))));
    self.peak_decay_q = std.math.pow(f32, self.peak_decay, lanes.quantum);
    self.rms_coef_q = std.math.pow(f32, self.rms_coef, lanes.quantum);
    self.meter_enabled = role != .master;
    if (role != .channel) {
        self.pan_l = @splat(1); // balance at centre
        self.pan_r = @splat(1);
    }
    return self;
}

/// `transform` plus the role's fixed overrides: sends are 0 on buses and master.
fn transformFor(self: *const StripGroup, p: usize, raw: f32) f32 {
    if (self.role != .channel and (p == P.send_reverb or p == P.send_delay or p == P.send_drum)) return 0;
    return transform(p, raw, self.sample_rate);
}

/// Raw parameter value → smoothing domain (for `.solo` the raw 0/1, which `update` combines
/// with the solo-in-place state).
fn transform(p: usize, raw_in: f32, sample_rate: f32) f32 {
    const spec = specs[p];
    const raw = if (std.math.isNan(raw_in)) P.defaults[p] else std.math.clamp(raw_in, spec.min, spec.max);
    return switch (spec.kind) {
        .gain_db => if (raw == -std.math.inf(f32)) 0 else std.math.pow(f32, 10, raw / 20),
        .db, .linear, .raw => raw,
        .log_hz => blk: {
            // High shelf held below 0.45·fs, every frequency below 0.49·fs.
            const top: f32 = if (p == P.eq_high_hz) 0.45 else 0.49;
            break :blk std.math.log2(@min(raw, top * sample_rate));
        },
        .mute => if (raw >= 0.5) 0 else 1,
        .invert => if (raw >= 0.5) -1 else 1,
        .solo => if (raw >= 0.5) 1 else 0,
    };
}

/// Per-quantum parameter update: read targets for the four lanes from `params`, apply resets,
/// smooth, recompute what moved, and set this quantum's gain ramps.
/// `active`: lane mask of claimed strips (inactive lanes fade to silence);
/// `reset`: lane mask of reset requests; `any_solo`: some active channel is soloed;
/// `coef`: `smoother.quantumCoef`.
pub fn update(self: *StripGroup, params: []const f32, active: u4, reset_in: u4, any_solo: bool, coef: f32) void {
    const reset = reset_in | self.pending_reset;
    self.pending_reset = 0;
    self.vol_prev = self.cur[P.volume_db];
    self.vol_auto = 0;
    // Fast path for the common case: nothing requested, everything settled, and the parameter
    // block bit-identical to what was last read (one xor-accumulated compare for all lanes).
    const automated = self.anyAutomated();
    if (reset == 0 and self.settled and !automated and self.raw_valid == 0b1111 and active == self.last_active and
        any_solo == self.last_any_solo and self.rawUnchanged(params))
    {
        self.setRamps(0);
        return;
    }
    // Transformed targets are cached per lane and recomputed only for parameters whose raw bits
    // changed (the transforms call pow/log2; doing them for every lane every quantum was a large
    // part of the render cost).
    var raw_changed = false;
    for (0..width) |k| {
        const s = self.strips[k];
        const bit = @as(u4, 1) << @intCast(k);
        if (s < 0) {
            if (self.raw_valid & bit == 0) {
                for (0..np) |p| self.tcache[p][k] = self.transformFor(p, P.defaults[p]);
                self.raw_valid |= bit;
                raw_changed = true;
            }
            continue;
        }
        const row: *const [contract.stride]f32 = params[@as(usize, @intCast(s)) * contract.stride ..][0..contract.stride];
        // The whole slot as eight u32x4 (aligned, so eight compares; the unused tail is compared
        // too, which can only cause a harmless recompute).
        var bits: [contract.stride / 4]@Vector(4, u32) = undefined;
        var any = self.raw_valid & bit == 0;
        for (&bits, self.raw_cache[k], 0..) |*a, b, j| {
            const f: @Vector(4, f32) = row[j * 4 ..][0..4].*;
            a.* = @bitCast(f);
            if (@reduce(.Or, a.* != b)) any = true;
        }
        if (!any) continue;
        const all = self.raw_valid & bit == 0;
        for (0..np) |p| {
            if (all or bits[p / 4][p % 4] != self.raw_cache[k][p / 4][p % 4]) self.tcache[p][k] = self.transformFor(p, row[p]);
        }
        self.raw_cache[k] = bits;
        self.raw_valid |= bit;
        raw_changed = true;
    }
    // Same raw parameters, activity and solo state as last quantum, and every value already at
    // its target: nothing to smooth or recompute.
    const same_ctl = active == self.last_active and any_solo == self.last_any_solo;
    self.last_active = active;
    self.last_any_solo = any_solo;
    if (reset == 0 and self.settled and same_ctl and !raw_changed and !automated) {
        self.setRamps(0);
        return;
    }
    var target: [np]V = self.tcache;
    {
        var on: @Vector(width, bool) = undefined;
        for (0..width) |k| on[k] = self.strips[k] >= 0 and (active & (@as(u4, 1) << @intCast(k))) != 0;
        target[P.volume_db] = @select(f32, on, target[P.volume_db], splat(0));
        // Solo in place applies to channels only: a soloed channel is the reference, others go
        // silent while any active channel is soloed. Buses and master ignore solo.
        target[P.solo] = if (self.role == .channel and any_solo) target[P.solo] else splat(1);
    }

    var dirty: u8 = 0;
    if (reset != 0) {
        dirty = dirty_all;
        for (0..width) |k| {
            if (reset & (@as(u4, 1) << @intCast(k)) == 0) continue;
            for (0..np) |p| self.cur[p][k] = target[p][k];
            self.resetLaneState(k);
        }
    }
    for (0..np) |p| {
        if (specs[p].kind == .raw) {
            self.cur[p] = target[p];
        } else if (smoother.step(&self.cur[p], target[p], coef, specs[p].kind.eps())) {
            dirty |= dirtyBit(p);
        }
    }
    if (automated) dirty |= self.applyAutomation(active);

    const c = &self.cur;
    if (dirty & dirty_pan != 0) {
        for (0..width) |k| {
            const pan = c[P.pan][k];
            if (self.role == .channel) {
                // Channels: constant-power pan, −3 dB each side at centre.
                const th = (pan + 1) * (std.math.pi / 4.0);
                self.pan_l[k] = @cos(th);
                self.pan_r[k] = @sin(th);
            } else {
                // Buses and master carry stereo mixes: a balance control, unity at centre, that
                // only turns the far side down (linearly), so a centred master passes unchanged.
                self.pan_l[k] = if (pan > 0) 1 - pan else 1;
                self.pan_r[k] = if (pan < 0) 1 + pan else 1;
            }
        }
    }
    for (0..3) |b| {
        if (dirty & dirty_band[b] == 0) continue;
        var on = false;
        for (0..width) |k| {
            const db = c[band_db[b]][k];
            if (db == 0) {
                self.eq[b].setLane(k, .{}); // identity
                continue;
            }
            on = true;
            const hz = std.math.exp2(@as(f64, c[band_params[b][1]][k]));
            const q: f64 = if (b == 1) c[P.eq_mid_q][k] else std.math.sqrt1_2;
            self.eq[b].setLane(k, Biquad.SvfCoeffs.rbj(band_kind[b], self.sample_rate, hz, db, q));
        }
        // A band going idle drops its state: with every lane at 0 dB the output does not depend
        // on it, and a band that starts again from zero state eases in without a step.
        if (!on) self.eq[b].resetState();
        self.eq_on[b] = on;
    }
    if (dirty & dirty_comp != 0) {
        for (0..width) |k| {
            self.comp.setLane(k, self.sample_rate, c[P.comp_threshold_db][k], c[P.comp_ratio][k], c[P.comp_knee_db][k], c[P.comp_attack_ms][k], c[P.comp_release_ms][k]);
        }
    }

    var settled = true;
    for (0..np) |p| {
        if (@reduce(.Or, target[p] != c[p])) settled = false;
    }
    self.settled = settled;
    self.setRamps(reset);
}

/// Some lane of this group has an automated parameter this quantum.
fn anyAutomated(self: *const StripGroup) bool {
    const a = self.auto orelse return false;
    var m: u32 = 0;
    for (self.strips) |s| {
        if (s >= 0) m |= a.mask[@intCast(s)];
    }
    return m != 0;
}

/// Parameters a lane may drive: not the routing and analysis indices (`.raw`), not solo (the
/// mixer's solo-in-place state is computed from the parameter block).
pub fn automatable(p: usize) bool {
    return p < np and specs[p].kind != .raw and p != P.solo;
}

/// Automation.zig's handover: the lane's value (at the quantum's end) goes into the smoother's
/// *current* value, bypassing the one-pole; the target (the last immediate write) is left alone,
/// so when the lane stops driving the smoother glides from here to it. Gains then ramp per sample
/// from the previous quantum's end to this value (`setRamps`). Unclaimed channels stay silent.
/// Returns the dirty bits of what moved.
fn applyAutomation(self: *StripGroup, active: u4) u8 {
    const a = self.auto.?;
    var dirty: u8 = 0;
    for (0..width) |k| {
        const s = self.strips[k];
        if (s < 0) continue;
        if (self.role == .channel and active & (@as(u4, 1) << @intCast(k)) == 0) continue;
        const su: usize = @intCast(s);
        var m = a.mask[su];
        while (m != 0) : (m &= m - 1) {
            const p: usize = @ctz(m);
            if (!automatable(p)) continue;
            const v = self.transformFor(p, a.vals[su * contract.stride + p]);
            if (p == P.volume_db) self.vol_auto |= @as(u4, 1) << @intCast(k);
            if (self.cur[p][k] != v) {
                self.cur[p][k] = v;
                dirty |= dirtyBit(p);
            }
        }
    }
    return dirty;
}

/// The smoothed value of parameter `p` on lane `k` in the parameter's own unit (the inverse of
/// `transform`): where an automation lane starts from. A silent gain reads as `silent_db`.
pub fn currentRaw(self: *const StripGroup, p: usize, k: usize) f32 {
    const c = self.cur[p][k];
    return switch (specs[p].kind) {
        .gain_db => if (c > 0) @max(silent_db, 20 * std.math.log10(c)) else silent_db,
        .db, .linear, .raw, .solo => c,
        .log_hz => std.math.exp2(c),
        .mute => 1 - c,
        .invert => (1 - c) / 2,
    };
}

/// The dB an automation lane starts from when its gain is 0 (−inf dB is not a value to ramp from).
pub const silent_db: f32 = -120;

/// True when every used lane's parameter slot holds exactly the bits in `raw_cache`.
fn rawUnchanged(self: *const StripGroup, params: []const f32) bool {
    const U4 = @Vector(4, u32);
    var diff: U4 = @splat(0);
    inline for (0..width) |k| {
        const s = self.strips[k];
        if (s >= 0) {
            const row: *const [contract.stride]f32 = params[@as(usize, @intCast(s)) * contract.stride ..][0..contract.stride];
            inline for (0..contract.stride / 4) |j| {
                const f: @Vector(4, f32) = row[j * 4 ..][0..4].*;
                diff |= @as(U4, @bitCast(f)) ^ self.raw_cache[k][j];
            }
        }
    }
    return simd.allZeroBits(diff);
}

/// This quantum's gain ramps from the smoothed values.
fn setRamps(self: *StripGroup, reset: u4) void {
    const c = &self.cur;
    self.g_in.next = c[P.trim_db] * c[P.invert];
    const post = c[P.volume_db] * c[P.mute] * c[P.solo];
    self.g_l.next = post * self.pan_l;
    self.g_r.next = post * self.pan_r;
    self.makeup.next = c[P.comp_makeup_db];
    self.sends[0].next = c[P.send_reverb];
    self.sends[1].next = c[P.send_delay];
    self.sends[2].next = c[P.send_drum];
    if (reset != 0) {
        for (0..width) |k| {
            if (reset & (@as(u4, 1) << @intCast(k)) == 0) continue;
            inline for (.{ &self.g_in, &self.g_l, &self.g_r, &self.makeup, &self.sends[0], &self.sends[1], &self.sends[2] }) |r| r.snapLane(k, r.next[k]);
        }
    }
    const z: V = @splat(0);
    self.comp_on = !self.comp.isIdentity() or @reduce(.Or, self.makeup.prev != z) or @reduce(.Or, self.makeup.next != z);
}

/// Zero lane `k`'s filter, compressor and meter state.
pub fn resetLaneState(self: *StripGroup, k: usize) void {
    for (&self.eq) |*e| e.resetLane(k);
    self.comp.gs[k] = 0;
    self.comp.g_lin[k] = 1;
    self.peak[k] = 0;
    self.ms[k] = 0;
}

/// True when the filters hold no energy: with silent input the strip's output is exactly zero,
/// so the group can be skipped (`skip`) instead of processed.
pub fn isQuiet(self: *const StripGroup) bool {
    return self.eq[0].isQuiet() and self.eq[1].isQuiet() and self.eq[2].isQuiet();
}

/// Counters a quantum can raise.
pub const Counts = struct {
    /// Non-finite input samples replaced by 0.
    bad_samples: u32 = 0,
    /// Lanes whose state went non-finite and was reset.
    lanes_reset: u32 = 0,
};

/// The channel groups' summing point: `bufs[b]` (b = 0..2) accumulates the post-fader sends to
/// bus b, `bufs[3]` the main outs, each still one lane per channel (the mixer sums the lanes at
/// the end of the quantum: one horizontal sum per frame instead of a 4×4 matrix per group).
/// A buffer whose bit in `used` is clear holds stale data and is cleared on first use.
pub const MixAcc = struct {
    bufs: [4]lanes.GroupBuf,
    used: u4 = 0,

    fn take(self: *MixAcc, b: usize) *lanes.GroupBuf {
        const bit = @as(u4, 1) << @intCast(b);
        if (self.used & bit == 0) {
            self.bufs[b].clear();
            self.used |= bit;
        }
        return &self.bufs[b];
    }
};

/// Run the strip chain over one quantum, in place. Call after `update`.
pub fn process(self: *StripGroup, buf: *lanes.GroupBuf, counts: *Counts) void {
    var gains: [lanes.quantum / Compressor.block]V = undefined;
    self.front(buf, &gains, counts);
    if (self.vol_auto != 0) self.volumeCurve(buf);
    switch (@as(u2, @intFromBool(self.comp_on)) | @as(u2, @intFromBool(self.meter_enabled)) << 1) {
        inline else => |m| self.outPass(.in_place, m & 1 != 0, m & 2 != 0, 0, buf, &gains, undefined),
    }
    self.endQuantum(counts);
}

/// `process` for a channel group, summing its output into `mix` (main and sends) instead of
/// writing it back: fader, pan, meters, the sends and the sum in one pass over the quantum. With
/// `keep`, the post-fader, post-pan output is also written back into `buf` (for the analysis of
/// a channel someone reads; the mixer's AnalysisBank).
pub fn processMix(self: *StripGroup, buf: *const lanes.GroupBuf, mix: *MixAcc, counts: *Counts, keep: bool) void {
    var gains: [lanes.quantum / Compressor.block]V = undefined;
    // `front` works in place on the input buffer, which the mixer clears after this anyway.
    const io: *lanes.GroupBuf = @constCast(buf);
    self.front(io, &gains, counts);
    if (self.vol_auto != 0) self.volumeCurve(io);
    const z: V = @splat(0);
    var send_mask: u3 = 0;
    inline for (0..3) |b| {
        if (@reduce(.Or, self.sends[b].prev != z) or @reduce(.Or, self.sends[b].next != z)) send_mask |= 1 << b;
    }
    const outs = [4]*lanes.GroupBuf{
        if (send_mask & 1 != 0) mix.take(0) else undefined,
        if (send_mask & 2 != 0) mix.take(1) else undefined,
        if (send_mask & 4 != 0) mix.take(2) else undefined,
        mix.take(3),
    };
    switch (@as(u4, send_mask) | @as(u4, @intFromBool(self.comp_on)) << 3) {
        inline else => |m| if (keep) {
            self.outPass(.mix_keep, m & 8 != 0, true, @truncate(m), io, &gains, outs);
        } else {
            self.outPass(.mix, m & 8 != 0, true, @truncate(m), io, &gains, outs);
        },
    }
    self.endQuantum(counts);
}

/// A fader following automation, at every frame: the output pass ramps the gain linearly between
/// quantum ends (vol_prev → cur), which differs from the lane inside a quantum where a point falls
/// (a step, a kink) or the curve bends (dB ramps are exponential in gain). This scales lane k by
/// lane(i) / ramp(i) before it, so fader × ramp is the lane's gain at frame i (f32 rounding aside;
/// exact while mute, solo and pan hold still). Multiplying here, after the compressor's detector
/// ran on the pre-fader signal, is the same as multiplying in the output pass. The ramp's ends are
/// ≥ 10^(−120/20) > 0 (ParamLanes' lanes start at StripGroup.silent_db at worst), so no division by 0.
fn volumeCurve(self: *const StripGroup, buf: *lanes.GroupBuf) void {
    const a = self.auto.?;
    var f: [lanes.quantum]V = undefined;
    const d = (self.cur[P.volume_db] - self.vol_prev) * splat(1.0 / @as(f32, lanes.quantum));
    for (0..width) |k| {
        const on = self.vol_auto & (@as(u4, 1) << @intCast(k)) != 0;
        const c = &a.curve[@intCast(@max(self.strips[k], 0))];
        for (&f, 0..) |*x, i| {
            const ramp = self.vol_prev[k] + @as(f32, @floatFromInt(i + 1)) * d[k];
            x[k] = if (on and ramp > 0) std.math.exp2(c[i] * (std.math.log2(10.0) / 20.0)) / ramp else 1;
        }
    }
    for (&buf.l, &buf.r, f) |*l, *r, g| {
        l.* *= g;
        r.* *= g;
    }
}

/// Input sanitising, trim × polarity, the EQ bands and (when the compressor runs) its gains.
fn front(self: *StripGroup, buf: *lanes.GroupBuf, gains: *[lanes.quantum / Compressor.block]V, counts: *Counts) void {
    // Trim × polarity at exactly 1 on every lane (start and end of the ramp) is an identity.
    const one_bits: @Vector(4, u32) = @splat(@as(u32, @bitCast(@as(f32, 1))));
    const trim_id = simd.allZeroBits((@as(@Vector(4, u32), @bitCast(self.g_in.prev)) ^ one_bits) |
        (@as(@Vector(4, u32), @bitCast(self.g_in.next)) ^ one_bits));
    const eq_mask = @as(u5, @intFromBool(self.eq_on[0])) | @as(u5, @intFromBool(self.eq_on[1])) << 1 |
        @as(u5, @intFromBool(self.eq_on[2])) << 2 | @as(u5, @intFromBool(self.comp_on)) << 3 |
        @as(u5, @intFromBool(trim_id)) << 4;
    switch (eq_mask) {
        inline else => |m| self.frontLoop(@truncate(m), m & 8 != 0, m & 16 != 0, buf, gains, counts),
    }
}

/// Non-finite input: one check on a running sum (NaN/Inf anywhere makes it non-finite; so can a
/// sum of huge finite values, which only costs the exact per-sample pass). Four accumulators so
/// the adds overlap.
fn sanitize(buf: *lanes.GroupBuf, counts: *Counts) void {
    var a: [4]V = .{ @splat(0), @splat(0), @splat(0), @splat(0) };
    var i: usize = 0;
    while (i < lanes.quantum) : (i += 4) {
        inline for (0..4) |j| a[j] += buf.l[i + j] + buf.r[i + j];
    }
    if (!@reduce(.And, simd.isFinite((a[0] + a[1]) + (a[2] + a[3])))) sanitizeSlow(buf, counts);
}

fn sanitizeSlow(buf: *lanes.GroupBuf, counts: *Counts) void {
    @setCold(true);
    for (&buf.l, &buf.r) |*l, *r| {
        const ok = @reduce(.And, simd.isFinite(l.*)) and @reduce(.And, simd.isFinite(r.*));
        if (!ok) {
            counts.bad_samples += simd.countNonFinite(l.*) + simd.countNonFinite(r.*);
            l.* = simd.finiteOrZero(l.*);
            r.* = simd.finiteOrZero(r.*);
        }
    }
}

/// Each compressor block's peak power max(L², R², floor); with `check`, also the finiteness sum of
/// `sanitize` (returns false when it is not finite: `det` is then meaningless).
fn detectBlocks(comptime check: bool, buf: *const lanes.GroupBuf, det: *[lanes.quantum / Compressor.block]V) bool {
    const blk = Compressor.block;
    var a: [blk]V = [_]V{@splat(0)} ** blk;
    for (det, 0..) |*dt, bi| {
        var pk: V = @splat(Compressor.floor_pow);
        inline for (0..blk) |j| {
            const l = buf.l[bi * blk + j];
            const r = buf.r[bi * blk + j];
            pk = simd.fmax(simd.fmax(l * l, r * r), pk);
            if (check) a[j] += l + r;
        }
        dt.* = pk;
    }
    if (!check) return true;
    return @reduce(.And, simd.isFinite((a[0] + a[1]) + (a[2] + a[3])));
}

/// Sanitising, trim and the bands of `bands` (bit b = band b), one pass per band over both sides;
/// with `detect`, also each compressor block's peak power max(L², R²), and then the compressor's
/// gains. `trim_id`: the trim ramp is exactly 1 (skipped). With no band and no
/// trim the finiteness check rides along in the detector pass (redone after a rare sanitise).
noinline fn frontLoop(self: *StripGroup, comptime bands: u3, comptime detect: bool, comptime trim_id: bool, buf: *lanes.GroupBuf, gains: *[lanes.quantum / Compressor.block]V, counts: *Counts) void {
    var det: [lanes.quantum / Compressor.block]V = undefined;
    const fused = detect and bands == 0 and trim_id;
    if (fused) {
        if (!detectBlocks(true, buf, &det)) {
            sanitizeSlow(buf, counts);
            _ = detectBlocks(false, buf, &det);
        }
        self.comp.gains(&det, gains, self.makeup.prev, self.makeup.delta());
        return;
    }
    sanitize(buf, counts);
    if (!trim_id) {
        const d = self.g_in.delta();
        var g = self.g_in.prev;
        for (&buf.l, &buf.r) |*l, *r| {
            g += d;
            l.* *= g;
            r.* *= g;
        }
    }
    // One pass per band, L and R recursions side by side. Two bands per pass (four recursions)
    // ran as fast in Node 20's V8 but ran out of registers in Chromium 156's, which spilled the
    // coefficients every frame: one band per pass made the EQ ~25% faster there.
    inline for (0..3) |b| {
        if (bands & (1 << b) != 0) {
            const co = self.eq[b].coefs();
            var st = self.eq[b].load();
            for (&buf.l, &buf.r) |*lp, *rp| {
                lp.* = Biquad.tickWith(co, lp.*, &st.s1l, &st.s2l);
                rp.* = Biquad.tickWith(co, rp.*, &st.s1r, &st.s2r);
            }
            self.eq[b].store(st);
        }
    }
    if (detect) {
        _ = detectBlocks(false, buf, &det);
        self.comp.gains(&det, gains, self.makeup.prev, self.makeup.delta());
    }
}

/// The output pass: compressor gain (ramped across each detector block) × fader × pan, then
/// meters, and the result either written back in place (`dest == .in_place`: buses, master) or
/// summed into the mix (`.mix`: channels; main into `outs[3]`, post-fader sends of `sends`, bit b =
/// bus b, into `outs[b]`). Every option is comptime, so each combination is its own tight loop.
fn outPass(
    self: *StripGroup,
    comptime dest: enum { in_place, mix, mix_keep },
    comptime comp: bool,
    comptime meter: bool,
    comptime sends: u3,
    buf: *lanes.GroupBuf,
    gains: *const [lanes.quantum / Compressor.block]V,
    outs: [4]*lanes.GroupBuf,
) void {
    const dl = self.g_l.delta();
    const dr = self.g_r.delta();
    var gl = self.g_l.prev;
    var gr = self.g_r.prev;
    var sv: [3]V = undefined;
    var sd: [3]V = undefined;
    inline for (0..3) |b| {
        if (sends & (1 << b) != 0) {
            sv[b] = self.sends[b].prev;
            sd[b] = self.sends[b].delta();
        }
    }
    var gc = self.comp.g_lin;
    // The peak is tracked squared: the squares are needed for the RMS anyway, and a vector abs
    // costs V8 three instructions (it rebuilds the sign mask every time).
    var blk_peak2: V = @splat(0);
    var sq0: V = @splat(0);
    var sq1: V = @splat(0);
    const blk = Compressor.block;
    for (0..lanes.quantum / blk) |bi| {
        const step = if (comp) (gains[bi] - gc) * splat(1.0 / @as(f32, blk)) else undefined;
        var gcs = gc;
        inline for (0..blk) |j| {
            const i = bi * blk + j;
            gl += dl;
            gr += dr;
            var l = buf.l[i];
            var r = buf.r[i];
            if (comp) {
                gcs += step;
                l *= gcs;
                r *= gcs;
            }
            l *= gl;
            r *= gr;
            if (meter) {
                const ll = l * l;
                const rr = r * r;
                blk_peak2 = simd.fmax(blk_peak2, simd.fmax(ll, rr));
                if (j % 2 == 0) sq0 += ll + rr else sq1 += ll + rr;
            }
            switch (dest) {
                .in_place => {
                    buf.l[i] = l;
                    buf.r[i] = r;
                },
                .mix, .mix_keep => {
                    if (dest == .mix_keep) {
                        buf.l[i] = l;
                        buf.r[i] = r;
                    }
                    outs[3].l[i] += l;
                    outs[3].r[i] += r;
                    inline for (0..3) |b| {
                        if (sends & (1 << b) != 0) {
                            sv[b] += sd[b];
                            outs[b].l[i] += l * sv[b];
                            outs[b].r[i] += r * sv[b];
                        }
                    }
                },
            }
        }
        if (comp) gc = gains[bi];
    }
    if (comp) self.comp.g_lin = gc;
    if (meter) self.meterBlock(@sqrt(blk_peak2), sq0 + sq1);
}

/// Meter ballistics per quantum (2.7 ms steps; the UI reads at most 60 times a second): the
/// block's peak and summed L² + R² come from the output pass without a per-sample recurrence;
/// the peak falls by peak_decay^128 and the mean square takes one one-pole step of rms_coef^128
/// toward the block's mean (exact for steady signals).
fn meterBlock(self: *StripGroup, blk_peak: V, sq: V) void {
    self.peak = simd.fmax(blk_peak, self.peak * splat(self.peak_decay_q));
    const mean = sq * splat(0.5 / @as(f32, lanes.quantum));
    self.ms = mean + (self.ms - mean) * splat(self.rms_coef_q);
}

/// Account for a quantum of silence without processing it (see `isQuiet`): meters and the
/// compressor release analytically, ramps advance.
pub fn skip(self: *StripGroup, counts: *Counts) void {
    const n = lanes.quantum;
    self.peak *= splat(self.peak_decay_q);
    self.ms *= splat(self.rms_coef_q);
    self.comp.releaseSilent(n);
    self.endQuantum(counts);
}

fn endQuantum(self: *StripGroup, counts: *Counts) void {
    var bad: u4 = 0;
    for (&self.eq) |*e| bad |= e.sanitizeState();
    bad |= self.comp.sanitizeState();
    const meters_ok = @reduce(.And, simd.isFinite(self.peak)) and @reduce(.And, simd.isFinite(self.ms));
    if (!meters_ok) {
        inline for (0..width) |k| {
            if (!std.math.isFinite(self.peak[k]) or !std.math.isFinite(self.ms[k])) bad |= @as(u4, 1) << k;
        }
    }
    if (bad != 0) {
        for (0..width) |k| {
            if (bad & (@as(u4, 1) << @intCast(k)) != 0) self.resetLaneState(k);
        }
        counts.lanes_reset += @popCount(bad);
    }
    // Meter state decays geometrically towards 0; flush it before it turns denormal (no
    // flush-to-zero in wasm; denormal arithmetic is slow on x86). 1e-10 is −200 dB.
    self.peak = simd.flushTiny(self.peak, 1e-10);
    self.ms = simd.flushTiny(self.ms, 1e-20);
    inline for (.{ &self.g_in, &self.g_l, &self.g_r, &self.makeup, &self.sends[0], &self.sends[1], &self.sends[2] }) |r| r.commit();
}

/// Meter readings for lane `k`: peak (linear), RMS (linear), compressor gain reduction (dB ≥ 0).
pub fn meters(self: *const StripGroup, k: usize) [3]f32 {
    const gr = -self.comp.gs[k];
    return .{ self.peak[k], @sqrt(self.ms[k]), if (gr > 0) gr else 0 };
}

// ---------------------------------------------------------------------------------------------

const testing = std.testing;

fn testParams() [contract.num_strips * contract.stride]f32 {
    var p: [contract.num_strips * contract.stride]f32 = undefined;
    for (0..contract.num_strips) |s| @memcpy(p[s * contract.stride ..][0..contract.stride], &P.defaults);
    return p;
}

test "pan law, volume and trim after a reset request" {
    const fs = 48000;
    var params = testParams();
    const pans = [4]f32{ -1, -0.5, 0, 1 };
    for (pans, 0..) |pan, k| {
        params[k * contract.stride + P.pan] = pan;
        params[k * contract.stride + P.volume_db] = -6;
        params[k * contract.stride + P.trim_db] = 3;
    }
    var strip = StripGroup.init(.channel, .{ 0, 1, 2, 3 }, fs);
    strip.update(&params, 0b1111, 0b1111, false, smoother.quantumCoef(fs));
    var buf: lanes.GroupBuf = undefined;
    @memset(&buf.l, splat(0.5));
    @memset(&buf.r, splat(0.25));
    var counts = Counts{};
    strip.process(&buf, &counts);
    const g = std.math.pow(f32, 10, -3.0 / 20.0);
    for (pans, 0..) |pan, k| {
        const th = (pan + 1) * std.math.pi / 4.0;
        try testing.expectApproxEqAbs(0.5 * g * @cos(th), buf.l[0][k], 1e-6);
        try testing.expectApproxEqAbs(0.25 * g * @sin(th), buf.r[127][k], 1e-6);
    }
    try testing.expectEqual(Counts{}, counts);
}

test "NaN input is replaced, counted, and leaves no state behind" {
    const fs = 48000;
    var params = testParams();
    for (0..4) |k| {
        params[k * contract.stride + P.eq_low_db] = 12;
        params[k * contract.stride + P.comp_ratio] = 4;
        params[k * contract.stride + P.comp_threshold_db] = -20;
    }
    var strip = StripGroup.init(.channel, .{ 0, 1, 2, 3 }, fs);
    var buf: lanes.GroupBuf = undefined;
    var counts = Counts{};
    for (0..3) |q| {
        strip.update(&params, 0b1111, 0, false, smoother.quantumCoef(fs));
        for (&buf.l, &buf.r, 0..) |*l, *r, i| {
            l.* = splat(@sin(@as(f32, @floatFromInt(i)) * 0.1));
            r.* = l.*;
        }
        if (q == 1) {
            buf.l[5] = .{ std.math.nan(f32), 0, std.math.inf(f32), 0 };
            buf.r[9][3] = -std.math.inf(f32);
        }
        strip.process(&buf, &counts);
        for (buf.l, buf.r) |l, r| {
            try testing.expect(@reduce(.And, simd.isFinite(l)) and @reduce(.And, simd.isFinite(r)));
        }
    }
    try testing.expectEqual(@as(u32, 3), counts.bad_samples);
    try testing.expectEqual(@as(u32, 0), counts.lanes_reset);
    // All four lanes saw the same signal apart from the replaced samples.
    try testing.expect(@fabs(buf.l[100][1] - buf.l[100][0]) < 0.1);
}

test "silent input with an idle EQ is quiet (skippable)" {
    const fs = 48000;
    var params = testParams();
    params[P.eq_mid_db] = 6;
    var strip = StripGroup.init(.channel, .{ 0, 1, 2, 3 }, fs);
    var buf: lanes.GroupBuf = undefined;
    var counts = Counts{};
    strip.update(&params, 1, 0, false, smoother.quantumCoef(fs));
    buf.clear();
    buf.l[0] = splat(1);
    strip.process(&buf, &counts);
    try testing.expect(!strip.isQuiet());
    var n: usize = 0;
    while (!strip.isQuiet()) : (n += 1) {
        try testing.expect(n < 1000);
        strip.update(&params, 1, 0, false, smoother.quantumCoef(fs));
        buf.clear();
        strip.process(&buf, &counts);
    }
}

test "automation: the fader follows its per-frame curve (a step inside a quantum on its frame); the smoother takes over after" {
    const fs = 48000;
    var params = testParams();
    for (0..4) |k| params[k * contract.stride + P.volume_db] = -6; // the immediate value (the target)
    var mask = [_]u32{0} ** contract.num_strips;
    var vals = [_]f32{0} ** (contract.num_strips * contract.stride);
    var curve: [contract.num_strips][lanes.quantum]f32 = undefined;
    var strip = StripGroup.init(.channel, .{ 0, 1, 2, 3 }, fs);
    strip.auto = .{ .mask = &mask, .vals = &vals, .curve = &curve };
    const coef = smoother.quantumCoef(fs);
    strip.update(&params, 0b1111, 0b1111, false, coef);
    var buf: lanes.GroupBuf = undefined;
    var counts = Counts{};
    @memset(&buf.l, splat(1));
    @memset(&buf.r, splat(1));
    strip.process(&buf, &counts);
    // Lane 1 automated for two quanta: a linear dB ramp, then a step at frame 77 of the second.
    const db = struct {
        fn at(f: usize) f32 {
            return if (f < 128 + 77) -6 - 12 * @as(f32, @floatFromInt(f)) / 205.0 else 3;
        }
    }.at;
    mask[1] = @as(u32, 1) << P.volume_db;
    const pan = @cos(@as(f32, std.math.pi / 4.0));
    for (0..2) |q| {
        for (&curve[1], 0..) |*c, i| c.* = db(q * 128 + i);
        vals[1 * contract.stride + P.volume_db] = curve[1][127];
        strip.update(&params, 0b1111, 0, false, coef);
        @memset(&buf.l, splat(1));
        @memset(&buf.r, splat(1));
        strip.process(&buf, &counts);
        for (0..128) |i| {
            const want = std.math.pow(f32, 10, db(q * 128 + i) / 20) * pan;
            // f32: the output pass accumulates its ramp over 128 frames (≤ ~128 half-ulps).
            try testing.expectApproxEqRel(want, buf.l[i][1], 1e-5);
            // The other lanes keep their -6 dB.
            try testing.expectApproxEqRel(std.math.pow(f32, 10, -6.0 / 20.0) * pan, buf.l[i][0], 2e-6);
        }
    }
    // The lane stops driving: the smoother glides from +3 dB (the lane's last value, in its
    // current value) back to the -6 dB target with its one-pole, one step per quantum.
    mask[1] = 0;
    strip.update(&params, 0b1111, 0, false, coef);
    const g3 = std.math.pow(f32, 10, 3.0 / 20.0);
    const g6 = std.math.pow(f32, 10, -6.0 / 20.0);
    try testing.expectApproxEqRel(g6 + (g3 - g6) * coef, strip.cur[P.volume_db][1], 1e-5);
}
