//! The whole mix for one render quantum: 64 channels in 16 groups of four lanes → three buses
//! (one group, lanes 0..2) → master (its own group, lane 0) → look-ahead limiter → stereo out.
//!
//!   external inputs ─┐
//!   (clip players) ──┤
//!   (synth voices) ──┴→ channel inputs [16]GroupBuf → StripGroup × 16 ─┬─ main ───────────────────────┐
//!                                                                     └─ sends → BusEffects → StripGroup(buses) ─┤
//!                                                                            master StripGroup → Limiter → out
//!
//! Before the master strip, everything but the drum bus's return (the mains, the reverb and delay
//! returns, the click) is delayed by `pdc_frames` (51), the drum bus's oversampler latency, so a
//! channel's drum return lines up with its dry path (BusEffects.zig explains why the drum bus has
//! latency). The engine's reported latency includes it (`contract.master_delay_frames`).
//!
//! (Clip players and synth voices live in main.zig's Clips and VoicePool; they write into the
//! channel inputs between `beginQuantum` and `endQuantum`.)
//!
//! All state lives in this struct (one global instance in main.zig); nothing is allocated and the
//! shared blocks the worklet reads and writes (`params`, `ctl`, `ext_in`, ...) are fields, so their
//! addresses are fixed after init.
//!
//! A quantum is `beginQuantum` (control bits, solo, external inputs → channel inputs), then the
//! source hook, then `endQuantum` (strips, buses, master, limiter, meters). `process` does both
//! with no sources.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");
const StripGroup = @import("StripGroup.zig");
const Limiter = @import("Limiter.zig");
const BusEffects = @import("BusEffects.zig");
/// Frames every path to the master but the drum bus is delayed by (`pdc`).
pub const pdc_frames = @import("DrumBus.zig").latency;
comptime {
    std.debug.assert(pdc_frames == contract.master_delay_frames);
}
const smoother = @import("smoother.zig");
const AnalysisBank = @import("AnalysisBank.zig");

const Mixer = @This();
const V = lanes.V;
const GroupBuf = lanes.GroupBuf;
const P = contract.strip;
const Q = lanes.quantum;

pub const channel_groups = lanes.groupsFor(contract.max_channels);
pub const num_inputs = contract.external_inputs;

/// Bits of `ctl[s]` (protocol/contract.json `stripControl`).
pub const ctl_active = contract.strip_ctl.active;
pub const ctl_reset = contract.strip_ctl.reset;

/// Indices of `status` (protocol/contract.json `status`, the words `from: dsp`): the mixer writes
/// the first five, main.zig the voice pool's and the clip players'.
pub const Status = contract.status;

// --- blocks shared with the worklet (see main.zig for the ABI) ---
params: [contract.num_strips * contract.stride]f32,
ctl: [contract.num_strips]u32,
ext_in: [num_inputs][2][Q]f32,
ext_active: [num_inputs]u32,
out: [2][Q]f32,
meters: [contract.num_strips][contract.meter_words]f32,
status: [Status.len]u32,

// --- render state ---
sample_rate: f32,
smooth_coef: f32,
/// Channel inputs, group g lane k = channel 4g + k. Valid only where `has_input[g]`: they are not
/// cleared after use, so the first source to write into a group in a quantum stores (all four
/// lanes), later ones add.
inputs: [channel_groups]GroupBuf,
/// Set when something wrote into `inputs[g]` this quantum: the group must then be processed.
has_input: [channel_groups]bool,
groups: [channel_groups]StripGroup,
/// Lanes 0..2: bus inputs (sum of sends); lane 3: master input from the channels' mains.
/// After the split in `endQuantum` it is the bus group's buffer (lane 3 zeroed).
sum: GroupBuf,
/// The channel groups' outputs, still one lane per channel: sends to buses 0..2 and the mains.
mix: StripGroup.MixAcc,
bus_fx: BusEffects,
bus: StripGroup,
master_buf: GroupBuf,
/// Delay compensation for the drum bus (its 4x oversampler delays it `DrumBus.latency` frames):
/// everything else that reaches the master (the channels' mains, the reverb and delay returns,
/// the click) goes through this line, so a channel's drum-bus return lines up with its own dry
/// path instead of comb-filtering against it. Per side: `pdc_frames` frames of history, then the
/// quantum being delayed.
pdc: [2][pdc_frames + lanes.quantum]f32,
/// The drum bus's return (after its strip) this quantum, added to the master after the delay.
drum_ret: [2][lanes.quantum]f32,
master: StripGroup,
limiter: Limiter,
master_peak: f32,
master_ms: f32,
any_solo: bool,
/// On-demand analysis of the strips someone reads (post-fader; the master after the limiter).
analysis: AnalysisBank,
/// Mono audio added to the master input this quantum (the metronome; null: none). Set by the
/// caller before `endQuantum`.
click: ?*const [lanes.quantum]f32,
/// Automated strip parameters this quantum (StripGroup.Auto), written by ParamLanes before
/// `endQuantum`: bit p of `auto_mask[s]` = strip s's parameter p follows `auto_vals[s·stride + p]`.
auto_mask: [contract.num_strips]u32,
auto_vals: [contract.num_strips * contract.stride]f32,
/// An automated volume's per-frame curve (dB), for the fader (StripGroup.volumeCurve).
auto_curve: [contract.num_strips][Q]f32,

/// Reset everything for `sample_rate` (Hz). Parameters return to their defaults, all slots to
/// unclaimed. Writes in place: the struct is too large to build on the stack.
pub fn init(self: *Mixer, sample_rate_in: f32) void {
    const sample_rate = if (std.math.isFinite(sample_rate_in) and sample_rate_in >= 8000 and sample_rate_in <= 384000) sample_rate_in else 48000;
    self.sample_rate = sample_rate;
    self.smooth_coef = smoother.quantumCoef(sample_rate);
    for (0..contract.num_strips) |s| @memcpy(self.params[s * contract.stride ..][0..contract.stride], &P.defaults);
    @memset(&self.ctl, 0);
    for (&self.ext_in) |*e| {
        @memset(&e[0], 0);
        @memset(&e[1], 0);
    }
    @memset(&self.ext_active, 0);
    @memset(&self.out[0], 0);
    @memset(&self.out[1], 0);
    for (&self.meters) |*m| m.* = .{ 0, 0, 0, 0 };
    @memset(&self.status, 0);
    for (&self.inputs) |*b| b.clear();
    @memset(&self.has_input, false);
    for (&self.groups, 0..) |*g, gi| {
        const base: i32 = @intCast(gi * lanes.width);
        g.* = StripGroup.init(.channel, .{ base, base + 1, base + 2, base + 3 }, sample_rate);
    }
    self.sum.clear();
    self.mix.used = 0;
    self.bus_fx.init(sample_rate);
    const b: i32 = contract.first_bus;
    self.bus = StripGroup.init(.bus, .{ b, b + 1, b + 2, -1 }, sample_rate);
    self.master_buf.clear();
    for (&self.pdc) |*d| @memset(d, 0);
    for (&self.drum_ret) |*d| @memset(d, 0);
    self.master = StripGroup.init(.master, .{ contract.master, -1, -1, -1 }, sample_rate);
    self.limiter = Limiter.init(sample_rate);
    self.master_peak = 0;
    self.master_ms = 0;
    self.any_solo = false;
    self.analysis.init(sample_rate);
    self.click = null;
    @memset(&self.auto_mask, 0);
    @memset(&self.auto_vals, 0);
    for (&self.auto_curve) |*c| @memset(c, 0);
    const auto = StripGroup.Auto{ .mask = &self.auto_mask, .vals = &self.auto_vals, .curve = &self.auto_curve };
    for (&self.groups) |*g| g.auto = auto;
    self.bus.auto = auto;
    self.master.auto = auto;
}

/// The smoothed (current) value of strip `s`'s parameter `p`, in the parameter's unit. A strip
/// about to snap to its targets (claimed this quantum: reset requested) reads its target.
pub fn stripCurrent(self: *const Mixer, s: usize, p: usize) f32 {
    if (self.ctl[s] & ctl_reset != 0) {
        const v = self.params[s * contract.stride + p];
        return if (std.math.isNan(v)) P.defaults[p] else std.math.clamp(v, @max(P.min[p], StripGroup.silent_db), P.max[p]);
    }
    if (s < contract.max_channels) return self.groups[s / lanes.width].currentRaw(p, s % lanes.width);
    if (s < contract.master) return self.bus.currentRaw(p, s - contract.first_bus);
    return self.master.currentRaw(p, 0);
}

/// The channel input buffers, for sources (clips, synth voices) to write into between
/// `beginQuantum` and `endQuantum`. Group g lane k is channel 4g + k. A source adds into group g
/// if `inputFlags()[g]`, else stores all four lanes (the content is stale) and sets the flag, so
/// the group is processed even if it would otherwise be skipped as idle.
pub fn channelInputs(self: *Mixer) *[channel_groups]GroupBuf {
    return &self.inputs;
}

/// Per group: the channel input already holds audio this quantum (sources add into it then; one
/// that stores into a group without it must set it).
pub fn inputFlags(self: *Mixer) *[channel_groups]bool {
    return &self.has_input;
}

/// True if channel `ch` is claimed.
pub fn isActive(self: *const Mixer, ch: usize) bool {
    return self.ctl[ch] & ctl_active != 0;
}

/// Render one quantum with no sources other than the external inputs.
pub fn process(self: *Mixer) void {
    self.beginQuantum();
    self.endQuantum();
}

/// First half of a quantum: solo state and external inputs → channel inputs.
pub fn beginQuantum(self: *Mixer) void {
    var any_solo = false;
    for (0..contract.max_channels) |ch| {
        if (self.isActive(ch) and self.params[ch * contract.stride + P.solo] >= 0.5) any_solo = true;
    }
    self.any_solo = any_solo;

    for (&self.inputs, &self.has_input, 0..) |*buf, *has_in, g| {
        var src: [lanes.width]?*const [2][Q]f32 = .{ null, null, null, null };
        var any = false;
        for (0..lanes.width) |k| {
            const ch = g * lanes.width + k;
            if (!self.isActive(ch)) continue;
            const x = self.params[ch * contract.stride + P.input_index];
            if (!(x >= 0 and x < @as(f32, num_inputs))) continue; // also rejects NaN
            // @round without its libm call: half away from zero (x >= 0 here).
            const t = @trunc(x);
            const idx = @min(@as(usize, @intFromFloat(t)) + @intFromBool(x - t >= 0.5), num_inputs - 1);
            if (self.ext_active[idx] == 0) continue;
            src[k] = &self.ext_in[idx];
            any = true;
        }
        if (!any) continue;
        // Store (not add): this is the quantum's first write into the group (stale otherwise)
        // and the other sources come after it; several channels may read the same input (each
        // lane has its own pointer).
        gatherGroup(buf, src);
        has_in.* = true;
    }
}

const zeros = [_]f32{0} ** Q;

/// Write up to four planar inputs into the lanes of a group buffer, four frames at a time with a
/// 4×4 transpose (lane k from `src[k]`, none = silence).
fn gatherGroup(buf: *GroupBuf, src: [lanes.width]?*const [2][Q]f32) void {
    inline for (0..2) |side| {
        var p: [lanes.width]*const [Q]f32 = undefined;
        for (0..lanes.width) |k| p[k] = if (src[k]) |s| &s[side] else &zeros;
        const dst = if (side == 0) &buf.l else &buf.r;
        var i: usize = 0;
        while (i < Q) : (i += 4) {
            const c0: V = p[0][i..][0..4].*;
            const c1: V = p[1][i..][0..4].*;
            const c2: V = p[2][i..][0..4].*;
            const c3: V = p[3][i..][0..4].*;
            const t = simd.transpose4(.{ c0, c1, c2, c3 });
            inline for (0..4) |j| dst[i + j] = t[j];
        }
    }
}


/// (Σ a0, Σ a1, Σ a2, Σ a3): the lane sums of four vectors, in one vector.
inline fn laneSums(a0: V, a1: V, a2: V, a3: V) V {
    const t0 = @shuffle(f32, a0, a1, @Vector(4, i32){ 0, -1, 1, -2 }) + @shuffle(f32, a0, a1, @Vector(4, i32){ 2, -3, 3, -4 });
    const t1 = @shuffle(f32, a2, a3, @Vector(4, i32){ 0, -1, 1, -2 }) + @shuffle(f32, a2, a3, @Vector(4, i32){ 2, -3, 3, -4 });
    return @shuffle(f32, t0, t1, @Vector(4, i32){ 0, 1, -1, -2 }) + @shuffle(f32, t0, t1, @Vector(4, i32){ 2, 3, -3, -4 });
}

/// Second half of a quantum: strips, sends, buses, master, limiter, meters, counters.
pub fn endQuantum(self: *Mixer) void {
    var counts = StripGroup.Counts{};
    var processed: u32 = 0;
    self.mix.used = 0;
    const an = &self.analysis;
    an.applyRequests(&self.params);

    for (&self.groups, &self.inputs, &self.has_input, 0..) |*grp, *buf, *has_in, g| {
        var active: u4 = 0;
        var reset: u4 = 0;
        for (0..lanes.width) |k| {
            const c = &self.ctl[g * lanes.width + k];
            if (c.* & ctl_active != 0) active |= @as(u4, 1) << @intCast(k);
            if (c.* & ctl_reset != 0) {
                reset |= @as(u4, 1) << @intCast(k);
                c.* &= ~ctl_reset;
            }
        }
        const quiet = grp.isQuiet();
        if (active == 0 and quiet and reset == 0) {
            // Unclaimed and silent: nothing to do (a claim comes with a reset request).
            has_in.* = false;
            for (0..lanes.width) |k| self.meters[g * lanes.width + k] = .{ 0, 0, 0, 0 };
            if (an.groupWanted(g)) an.feedSilence(g * lanes.width, lanes.width);
            continue;
        }
        grp.update(&self.params, active, reset, self.any_solo, self.smooth_coef);
        if (!has_in.* and quiet) {
            // Idle: silent input and no filter energy, so the output is exactly zero.
            grp.skip(&counts);
            if (an.groupWanted(g)) an.feedSilence(g * lanes.width, lanes.width);
        } else {
            // Without input this quantum the buffer holds stale audio (inputs are not cleared
            // after use: every source stores into a group it is first to write).
            if (!has_in.*) buf.clear();
            const keep = an.groupWanted(g);
            grp.processMix(buf, &self.mix, &counts, keep);
            if (keep) an.feedLanes(g * lanes.width, buf, lanes.width);
            processed += 1;
        }
        has_in.* = false;
        for (0..lanes.width) |k| {
            const m = grp.meters(k);
            self.meters[g * lanes.width + k] = .{ m[0], m[1], m[2], 0 };
        }
    }
    self.status[Status.active_groups] = processed;
    self.status[Status.skipped_groups] = @as(u32, channel_groups) - processed;

    // Sum the channels' lanes: lanes 0..2 of `sum` are the bus inputs, the mains go to the
    // master input.
    self.sumLanes();

    // Buses. They always run (one group); idle detection as for channels.
    {
        const reset = self.takeReset(.{ contract.first_bus, contract.first_bus + 1, contract.first_bus + 2 });
        self.bus.update(&self.params, 0b0111, reset, false, self.smooth_coef);
        if (reset != 0) self.bus_fx.resetLanes(reset);
        self.bus_fx.update();
        if (processed == 0 and self.bus.isQuiet() and !self.bus_fx.hasTail()) {
            self.bus.skip(&counts);
            an.feedSilence(contract.first_bus, contract.num_buses);
            @memset(&self.drum_ret[0], 0);
            @memset(&self.drum_ret[1], 0);
        } else {
            self.bus_fx.process(&self.sum);
            self.bus.process(&self.sum, &counts);
            an.feedLanes(contract.first_bus, &self.sum, contract.num_buses);
            // Lanes 0, 1 (and 3, zero) join the mains; the drum return (lane 2) waits for `pdc`.
            const d = BusEffects.drum_lane;
            for (&self.sum.l, &self.sum.r, &self.master_buf.l, &self.master_buf.r, 0..) |sl, sr, *ml, *mr, i| {
                ml[0] += sl[0] + sl[1] + sl[3];
                mr[0] += sr[0] + sr[1] + sr[3];
                self.drum_ret[0][i] = sl[d];
                self.drum_ret[1][i] = sr[d];
            }
        }
        for (0..contract.num_buses) |k| {
            const m = self.bus.meters(k);
            self.meters[contract.first_bus + k] = .{ m[0], m[1], m[2], 0 };
        }
    }

    // Master strip, limiter, output.
    {
        const reset = self.takeReset(.{contract.master});
        self.master.update(&self.params, 0b0001, reset, false, self.smooth_coef);
        if (self.click) |c| {
            // The metronome, mono into both sides of the master input: through the master strip
            // and the limiter like the music, so it keeps its frames relative to the notes.
            for (&self.master_buf.l, &self.master_buf.r, c) |*ml, *mr, x| {
                ml[0] += x;
                mr[0] += x;
            }
        }
        self.compensate();
        self.master.process(&self.master_buf, &counts);
        for (&self.out[0], &self.out[1], self.master_buf.l, self.master_buf.r) |*ol, *or_, ml, mr| {
            ol.* = ml[0];
            or_.* = mr[0];
        }
        const c = self.master.cur;
        self.limiter.setParams(std.math.pow(f32, 10, c[P.limiter_ceiling_db][0] / 20), c[P.limiter_release_ms][0], self.sample_rate);
        counts.bad_samples += self.limiter.process(&self.out[0], &self.out[1]);
        if (reset != 0) {
            self.master_peak = 0;
            self.master_ms = 0;
        }
        self.meterMaster();
        an.feedPlanar(contract.master, &self.out[0], &self.out[1]);
        const m = self.master.meters(0);
        self.meters[contract.master] = .{ self.master_peak, @sqrt(self.master_ms), m[2], self.limiter.gainReductionDb() };
    }

    self.status[Status.non_finite_samples] +%= counts.bad_samples;
    self.status[Status.state_resets] +%= counts.lanes_reset;
    self.status[Status.quanta] +%= 1;
    an.publish();
}

/// Delays the master input (lane 0 of `master_buf`) by `pdc_frames` and adds the drum return,
/// which its oversampler has delayed as much.
fn compensate(self: *Mixer) void {
    inline for (0..2) |side| {
        const ms = if (side == 0) &self.master_buf.l else &self.master_buf.r;
        const line = &self.pdc[side];
        for (ms, line[pdc_frames..]) |m, *x| x.* = m[0];
        for (ms, line[0..Q], self.drum_ret[side]) |*m, x, dr| m.* = .{ x + dr, 0, 0, 0 };
        // Q > pdc_frames: the two ranges do not overlap.
        @memcpy(line[0..pdc_frames], line[Q..][0..pdc_frames]);
    }
}

/// `sum` (lanes 0..2) and `master_buf` (lane 0) from the channel accumulators in `mix` (bit b of
/// `used`: `mix.bufs[b]` holds data; the others count as silence).
fn sumLanes(self: *Mixer) void {
    const used = self.mix.used;
    const z: V = @splat(0);
    const acc = &self.mix.bufs;
    inline for (0..2) |side| {
        const ms = if (side == 0) &self.master_buf.l else &self.master_buf.r;
        const ss = if (side == 0) &self.sum.l else &self.sum.r;
        if (used == 0) {
            @memset(ms, z);
            @memset(ss, z);
        } else {
            for (ms, ss, 0..) |*m, *sm, i| {
                var a: [4]V = undefined;
                inline for (0..4) |b| {
                    a[b] = if (used & (1 << b) == 0) z else if (side == 0) acc[b].l[i] else acc[b].r[i];
                }
                const u = laneSums(a[0], a[1], a[2], a[3]);
                m.* = .{ u[3], 0, 0, 0 };
                sm.* = .{ u[0], u[1], u[2], 0 };
            }
        }
    }
}

/// Read and clear the reset bits of the given strips; lane mask in order.
fn takeReset(self: *Mixer, comptime strips: anytype) u4 {
    var mask: u4 = 0;
    inline for (strips, 0..) |s, k| {
        if (self.ctl[s] & ctl_reset != 0) {
            mask |= 1 << k;
            self.ctl[s] &= ~ctl_reset;
        }
    }
    return mask;
}

/// Master meters on the limiter output, with the strips' per-quantum ballistics (see
/// `Strip.meterBlock`): the quantum's peak and mean square, vectorised over four frames.
fn meterMaster(self: *Mixer) void {
    const V4 = @Vector(4, f32);
    var pk: V4 = @splat(0);
    var sq: V4 = @splat(0);
    var i: usize = 0;
    while (i < Q) : (i += 4) {
        const l: V4 = self.out[0][i..][0..4].*;
        const r: V4 = self.out[1][i..][0..4].*;
        pk = simd.fmax(simd.fmax(@fabs(l), @fabs(r)), pk);
        sq += l * l + r * r;
    }
    const blk_peak = simd.hmax(pk);
    const mean = @reduce(.Add, sq) * (0.5 / @as(f32, Q));
    const decayed = self.master_peak * self.master.peak_decay_q;
    const peak = if (blk_peak > decayed) blk_peak else decayed;
    const ms = mean + (self.master_ms - mean) * self.master.rms_coef_q;
    // Flush before denormal (see Strip.endQuantum); the output is finite, so these are too.
    self.master_peak = if (peak < 1e-10) 0 else peak;
    self.master_ms = if (ms < 1e-20) 0 else ms;
}

test "channel inputs: a group without input in a quantum reads silence, not the last quantum's" {
    const S = struct {
        var m: Mixer = undefined;
    };
    const m = &S.m;
    m.init(48000);
    m.ctl[5] = ctl_active | ctl_reset;
    m.params[5 * contract.stride + P.input_index] = 2;
    m.params[5 * contract.stride + P.eq_low_db] = 12; // keeps filter energy: the group is not idle
    m.ext_active[2] = 1;
    @memset(&m.ext_in[2][0], 0.5);
    @memset(&m.ext_in[2][1], 0.5);
    m.beginQuantum();
    try std.testing.expectEqual(@as(f32, 0.5), m.channelInputs()[1].l[7][1]);
    try std.testing.expect(m.has_input[1]);
    m.endQuantum();
    try std.testing.expectEqual(@as(u32, 0), m.ctl[5] & ctl_reset);
    try std.testing.expectEqual(@as(u32, 1), m.status[Status.active_groups]);
    try std.testing.expect(!m.has_input[1]);
    // The input stops; the buffer still holds 0.5s (not cleared after use). The low shelf's
    // tail decays (τ ≈ 1.6 ms at 100 Hz); had the stale 0.5 been read again, the output would
    // stay at the limiter's ceiling (0.5 · 4 · 0.707 > 0.89).
    m.ext_active[2] = 0;
    for (0..8) |_| {
        m.process();
        try std.testing.expectEqual(@as(u32, 1), m.status[Status.active_groups]);
    }
    try std.testing.expect(@fabs(m.out[0][Q - 1]) < 0.01);
}
