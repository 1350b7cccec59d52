//! The whole mix for one render quantum: 64 channels in 16 groups of four lanes → three buses
//! (one group, lanes 0..2) → master (its own group, lane 0) → look-ahead limiter → stereo out.
//!
//!   external inputs ─┐
//!   (synth voices) ──┴→ channel inputs [16]GroupBuf → Strip × 16 ─┬─ main ──────────────┐
//!                                                                └─ sends → BusEffects → Strip(buses) ─┤
//!                                                                           master Strip → Limiter → out
//!
//! All state lives in this struct (one global instance in main.zig); nothing is allocated and the
//! shared blocks the worklet reads and writes (`params`, `ctl`, `ext_in`, ...) are fields, so their
//! addresses are fixed after init.
//!
//! A quantum is `beginQuantum` (control bits, solo, external inputs → channel inputs), then the
//! source hook, then `endQuantum` (strips, buses, master, limiter, meters). `process` does both
//! with no sources.
const std = @import("std");
const Params = @import("Params.zig");
const Lanes = @import("Lanes.zig");
const simd = @import("simd.zig");
const Strip = @import("Strip.zig");
const Limiter = @import("Limiter.zig");
const BusEffects = @import("BusEffects.zig");
const Smoother = @import("Smoother.zig");

const Mixer = @This();
const V = Lanes.V;
const GroupBuf = Lanes.GroupBuf;
const P = Params.strip;
const Q = Lanes.quantum;

pub const channel_groups = Lanes.groupsFor(Params.max_channels);
pub const num_inputs = Params.external_inputs;

/// Bits of `ctl[s]`.
pub const ctl_active: u32 = 1;
pub const ctl_reset: u32 = 2;

/// Indices of `status`.
pub const Status = struct {
    pub const bad_samples = 0;
    pub const states_reset = 1;
    pub const quanta = 2;
    pub const groups_skipped = 3;
    pub const groups_processed = 4;
    // 5..8: written by main.zig from the voice pool.
    pub const active_voices = 5;
    pub const late_notes = 6;
    pub const dropped_notes = 7;
    pub const stolen_voices = 8;
    pub const len = 16;
};

// --- blocks shared with the worklet (see main.zig for the ABI) ---
params: [Params.num_strips * Params.stride]f32,
ctl: [Params.num_strips]u32,
ext_in: [num_inputs][2][Q]f32,
ext_active: [num_inputs]u32,
out: [2][Q]f32,
meters: [Params.num_strips][4]f32,
status: [Status.len]u32,

// --- render state ---
sample_rate: f32,
smooth_coef: f32,
/// Channel inputs, group g lane k = channel 4g + k. Zero at the start of every quantum.
inputs: [channel_groups]GroupBuf,
/// Set when something wrote into `inputs[g]` this quantum: the group must then be processed.
has_input: [channel_groups]bool,
groups: [channel_groups]Strip,
/// Lanes 0..2: bus inputs (sum of sends); lane 3: master input from the channels' mains.
/// After the split in `endQuantum` it is the bus group's buffer (lane 3 zeroed).
sum: GroupBuf,
bus_fx: BusEffects,
bus: Strip,
master_buf: GroupBuf,
master: Strip,
limiter: Limiter,
master_peak: f32,
master_ms: f32,
any_solo: bool,

/// Reset everything for `sample_rate` (Hz). Parameters return to their defaults, all slots to
/// unclaimed. Writes in place: the struct is too large to build on the stack.
pub fn init(self: *Mixer, sample_rate_in: f32) void {
    const sample_rate = if (std.math.isFinite(sample_rate_in) and sample_rate_in >= 8000 and sample_rate_in <= 384000) sample_rate_in else 48000;
    self.sample_rate = sample_rate;
    self.smooth_coef = Smoother.quantumCoef(sample_rate);
    for (0..Params.num_strips) |s| @memcpy(self.params[s * Params.stride ..][0..Params.stride], &P.defaults);
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
        const base: i32 = @intCast(gi * Lanes.lanes);
        g.* = Strip.init(.channel, .{ base, base + 1, base + 2, base + 3 }, sample_rate);
    }
    self.sum.clear();
    self.bus_fx = BusEffects.init(sample_rate);
    const b: i32 = Params.first_bus;
    self.bus = Strip.init(.bus, .{ b, b + 1, b + 2, -1 }, sample_rate);
    self.master_buf.clear();
    self.master = Strip.init(.master, .{ Params.master, -1, -1, -1 }, sample_rate);
    self.limiter = Limiter.init(sample_rate);
    self.master_peak = 0;
    self.master_ms = 0;
    self.any_solo = false;
}

/// The channel input buffers, for sources (synth voices) to add into between `beginQuantum` and
/// `endQuantum`. Group g lane k is channel 4g + k. A source that writes into group g must call
/// `markInput(g)` so the group is processed even if it would otherwise be skipped as idle.
pub fn channelInputs(self: *Mixer) *[channel_groups]GroupBuf {
    return &self.inputs;
}

/// Record that group `g`'s input buffer received audio this quantum.
pub fn markInput(self: *Mixer, g: usize) void {
    self.has_input[g] = true;
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
    for (0..Params.max_channels) |ch| {
        if (self.isActive(ch) and self.params[ch * Params.stride + P.solo] >= 0.5) any_solo = true;
    }
    self.any_solo = any_solo;

    for (0..Params.max_channels) |ch| {
        if (!self.isActive(ch)) continue;
        const x = self.params[ch * Params.stride + P.input_index];
        if (!(x >= 0 and x < @as(f32, num_inputs))) continue; // also rejects NaN
        const idx = @min(@as(usize, @intFromFloat(@round(x))), num_inputs - 1);
        if (self.ext_active[idx] == 0) continue;
        const g = ch / Lanes.lanes;
        const k = ch % Lanes.lanes;
        const buf = &self.inputs[g];
        // Add (not store): several channels may read the same input, and a channel's lane may
        // already hold audio from a source in the future.
        for (&buf.l, &buf.r, self.ext_in[idx][0], self.ext_in[idx][1]) |*l, *r, xl, xr| {
            l[k] += xl;
            r[k] += xr;
        }
        self.has_input[g] = true;
    }
}

/// Second half of a quantum: strips, sends, buses, master, limiter, meters, counters.
pub fn endQuantum(self: *Mixer) void {
    var counts = Strip.Counts{};
    var processed: u32 = 0;
    self.sum.clear();

    for (&self.groups, &self.inputs, &self.has_input, 0..) |*grp, *buf, *has_in, g| {
        var active: u4 = 0;
        var reset: u4 = 0;
        for (0..Lanes.lanes) |k| {
            const c = &self.ctl[g * Lanes.lanes + k];
            if (c.* & ctl_active != 0) active |= @as(u4, 1) << @intCast(k);
            if (c.* & ctl_reset != 0) {
                reset |= @as(u4, 1) << @intCast(k);
                c.* &= ~ctl_reset;
            }
        }
        const quiet = grp.isQuiet();
        if (active == 0 and quiet and reset == 0) {
            // Unclaimed and silent: nothing to do (a claim comes with a reset request).
            if (has_in.*) buf.clear();
            has_in.* = false;
            for (0..Lanes.lanes) |k| self.meters[g * Lanes.lanes + k] = .{ 0, 0, 0, 0 };
            continue;
        }
        grp.update(&self.params, active, reset, self.any_solo, self.smooth_coef);
        if (!has_in.* and quiet) {
            // Idle: silent input and no filter energy, so the output is exactly zero.
            grp.skip(&counts);
        } else {
            grp.process(buf, &counts);
            mixChannels(grp, buf, &self.sum);
            buf.clear();
            processed += 1;
        }
        has_in.* = false;
        for (0..Lanes.lanes) |k| {
            const m = grp.meters(k);
            self.meters[g * Lanes.lanes + k] = .{ m[0], m[1], m[2], 0 };
        }
    }
    self.status[Status.groups_processed] = processed;
    self.status[Status.groups_skipped] = @as(u32, channel_groups) - processed;

    // Split the sum: lane 3 (channel mains) goes to the master input, lanes 0..2 stay as the
    // bus inputs.
    for (&self.sum.l, &self.sum.r, &self.master_buf.l, &self.master_buf.r) |*sl, *sr, *ml, *mr| {
        ml.* = .{ sl[3], 0, 0, 0 };
        mr.* = .{ sr[3], 0, 0, 0 };
        sl[3] = 0;
        sr[3] = 0;
    }

    // Buses. They always run (one group); idle detection as for channels.
    {
        const reset = self.takeReset(.{ Params.first_bus, Params.first_bus + 1, Params.first_bus + 2 });
        self.bus.update(&self.params, 0b0111, reset, false, self.smooth_coef);
        if (processed == 0 and self.bus.isQuiet() and !self.bus_fx.hasTail()) {
            self.bus.skip(&counts);
        } else {
            self.bus_fx.process(&self.sum);
            self.bus.process(&self.sum, &counts);
            for (&self.sum.l, &self.sum.r, &self.master_buf.l, &self.master_buf.r) |sl, sr, *ml, *mr| {
                ml[0] += @reduce(.Add, sl);
                mr[0] += @reduce(.Add, sr);
            }
        }
        for (0..Params.num_buses) |k| {
            const m = self.bus.meters(k);
            self.meters[Params.first_bus + k] = .{ m[0], m[1], m[2], 0 };
        }
    }

    // Master strip, limiter, output.
    {
        const reset = self.takeReset(.{Params.master});
        self.master.update(&self.params, 0b0001, reset, false, self.smooth_coef);
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
        const m = self.master.meters(0);
        self.meters[Params.master] = .{ self.master_peak, @sqrt(self.master_ms), m[2], self.limiter.gainReductionDb() };
    }

    self.status[Status.bad_samples] +%= counts.bad_samples;
    self.status[Status.states_reset] +%= counts.lanes_reset;
    self.status[Status.quanta] +%= 1;
}

/// Sum a processed channel group into `sum`: lanes 0..2 += send_b · out (post-fader, post-pan),
/// lane 3 += out (main). Per frame this is a 4×4 matrix-vector product, column k = (send0[k],
/// send1[k], send2[k], 1) for channel lane k, with the send levels ramped across the quantum.
fn mixChannels(grp: *const Strip, buf: *const GroupBuf, sum: *GroupBuf) void {
    var col: [Lanes.lanes]V = undefined;
    var dcol: [Lanes.lanes]V = undefined;
    const d = [3]V{ grp.sends[0].delta(), grp.sends[1].delta(), grp.sends[2].delta() };
    inline for (0..Lanes.lanes) |k| {
        col[k] = .{ grp.sends[0].prev[k], grp.sends[1].prev[k], grp.sends[2].prev[k], 1 };
        dcol[k] = .{ d[0][k], d[1][k], d[2][k], 0 };
    }
    for (&sum.l, &sum.r, buf.l, buf.r) |*sl, *sr, l, r| {
        var al = sl.*;
        var ar = sr.*;
        inline for (0..Lanes.lanes) |k| {
            col[k] += dcol[k];
            al += @as(V, @splat(l[k])) * col[k];
            ar += @as(V, @splat(r[k])) * col[k];
        }
        sl.* = al;
        sr.* = ar;
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

/// Master meters on the limiter output (same ballistics as `Strip`).
fn meterMaster(self: *Mixer) void {
    const pd = self.master.peak_decay;
    const rc = 1 - self.master.rms_coef;
    var peak = self.master_peak;
    var ms = self.master_ms;
    for (self.out[0], self.out[1]) |l, r| {
        peak = @max(@max(@fabs(l), @fabs(r)), peak * pd);
        ms += rc * ((l * l + r * r) * 0.5 - ms);
    }
    // Flush before denormal (see Strip.endQuantum); the output is finite, so these are too.
    self.master_peak = if (peak < 1e-10) 0 else peak;
    self.master_ms = if (ms < 1e-20) 0 else ms;
}

test "channel inputs start at zero and are cleared after use" {
    const S = struct {
        var m: Mixer = undefined;
    };
    const m = &S.m;
    m.init(48000);
    m.ctl[5] = ctl_active | ctl_reset;
    m.params[5 * Params.stride + P.input_index] = 2;
    m.ext_active[2] = 1;
    @memset(&m.ext_in[2][0], 0.5);
    m.beginQuantum();
    try std.testing.expectEqual(@as(f32, 0.5), m.channelInputs()[1].l[7][1]);
    try std.testing.expect(m.has_input[1]);
    m.endQuantum();
    for (m.inputs) |b| for (b.l) |v| try std.testing.expectEqual(@as(V, @splat(0)), v);
    try std.testing.expectEqual(@as(u32, 0), m.ctl[5] & ctl_reset);
    try std.testing.expectEqual(@as(u32, 1), m.status[Status.groups_processed]);
}
