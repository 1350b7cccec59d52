//! The mixer's analysis switchboard for every strip (64 channels, 3 buses, master): one
//! `Analysis` per strip, the pools of the large units (loudness, spectrum, scope), and the
//! result block the worklet copies to the main thread.
//!
//! Requests: each strip's `analysis_mask` parameter (bits of `contract.analysis.kind`) is what
//! the page reads on it; the main thread sets it while a reader exists and clears it on
//! release, so nothing is computed for a view nobody reads (DESIGN.md, "Lazy"). `applyRequests`
//! compares the masks with the ones applied, once per quantum (68 float compares): a changed
//! strip takes or gives back pool entries and calls `Analysis.setMask`, which resets the kinds
//! it turns on. A pool that is full leaves that kind off for the strip ("not measured",
//! visible in the `running` word), never a crash.
//!
//! Feeding: the mixer hands each analysed strip's post-fader, post-pan output (the master after
//! its limiter: what is heard) to `feedLanes` / `feedPlanar` once per quantum; a strip whose
//! group was skipped as silent is fed silence (`feedSilence`), so loudness gating and meter
//! falls see the time pass.
//!
//! Publishing: every `contract.analysis.every` quanta (8: 21 ms at 48 kHz, ~47 Hz) `publish`
//! writes one row of `contract.analysis.words` f32 per analysed strip into `results`, runs the
//! spectrum FFTs (`Spectrum.analyze`, the one display-rate computation) into `spectrum_out`,
//! captures the scopes into `scope_out`, and bumps `published`; the worklet copies the block
//! when `published` changed. Nothing here allocates; all of it lives in the mixer's static
//! struct.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const Analysis = @import("Analysis.zig");
const Loudness = @import("Loudness.zig");
const Spectrum = @import("Spectrum.zig");
const Scope = @import("Scope.zig");

const AnalysisBank = @This();
const A = contract.analysis;
const W = A.word;
const P = contract.strip;
const Q = lanes.quantum;
const n_strips = contract.num_strips;
const n_groups = lanes.groupsFor(contract.max_channels);

comptime {
    std.debug.assert(A.spectrum_pool < A.every); // one FFT a quantum before each publication (publish)
    // The contract's request bits are Analysis.Kind's bits.
    std.debug.assert(A.kind.peak == Analysis.bit(.peak));
    std.debug.assert(A.kind.true_peak == Analysis.bit(.true_peak));
    std.debug.assert(A.kind.correlation == Analysis.bit(.correlation));
    std.debug.assert(A.kind.loudness == Analysis.bit(.loudness));
    std.debug.assert(A.kind.spectrum == Analysis.bit(.spectrum));
    std.debug.assert(A.kind.scope == Analysis.bit(.scope));
    std.debug.assert(A.spectrum_bins == Spectrum.max_bins);
    std.debug.assert(A.scope_points <= Scope.max_window);
}

units: [n_strips]Analysis,
/// Request mask and spectrum size last applied per strip (raw, before pool limits).
requested: [n_strips]u32,
sizes: [n_strips]u32,
/// Some lane of channel group g is analysed (the mixer keeps that group's output for us).
group_wanted: [n_groups]bool,
/// Pool entries and their owners (strip index, or -1 free).
loudness: [A.loudness_pool]Loudness,
loudness_owner: [A.loudness_pool]i32,
spectra: [A.spectrum_pool]Spectrum,
spectrum_owner: [A.spectrum_pool]i32,
scopes: [A.scope_pool]Scope,
scope_owner: [A.scope_pool]i32,
/// Published block: `results[s]` is strip s's row; `spectrum_out[e]` / `scope_out[e]` pool entry e's.
results: [n_strips][A.words]f32,
spectrum_out: [A.spectrum_pool][A.spectrum_bins]f32,
scope_out: [A.scope_pool][A.scope_points]f32,
/// Publications since init (the worklet copies the block when this changed).
published: u32,
countdown: u32,
/// Quality level 2 and above (`setHalfRate`): publish every `2·every` quanta instead of `every`
/// (~23 Hz at 48 kHz): half the spectrum FFTs, the one costly analysis step.
half_rate: bool,
/// Strips with a non-zero request.
active: u32,
/// True-peak just turned on: its interpolator history was zeroed, so the first quantum looks like
/// an abrupt onset (real inter-sample overshoot of up to ~1 dB for a tone); the reading starts
/// after it (`settle`).
tp_fresh: [n_strips]bool,
scratch_l: [Q]f32 align(16),
scratch_r: [Q]f32 align(16),

const zeros = [_]f32{0} ** Q;

/// Fill in place (the struct is ≈ 1.3 MB: static memory only).
pub fn init(self: *AnalysisBank, sample_rate: f32) void {
    for (&self.units) |*u| u.* = Analysis.init(sample_rate);
    @memset(&self.requested, 0);
    @memset(&self.sizes, 0);
    @memset(&self.group_wanted, false);
    for (&self.loudness) |*l| l.* = Loudness.init(sample_rate);
    @memset(&self.loudness_owner, -1);
    for (&self.spectra) |*s| s.init();
    @memset(&self.spectrum_owner, -1);
    for (&self.scopes) |*s| {
        s.reset();
        s.source = .mix;
        s.hysteresis = 0.001;
        s.bad_samples = 0;
    }
    @memset(&self.scope_owner, -1);
    for (0..n_strips) |s| self.clearRow(s);
    for (&self.spectrum_out) |*o| @memset(o, Spectrum.floor_db);
    for (&self.scope_out) |*o| @memset(o, 0);
    self.published = 0;
    self.countdown = A.every;
    self.half_rate = false;
    self.active = 0;
    @memset(&self.tp_fresh, false);
}

fn clearRow(self: *AnalysisBank, s: usize) void {
    const r = &self.results[s];
    @memset(r, 0);
    const ninf = -std.math.inf(f32);
    r[W.momentary] = ninf;
    r[W.short_term] = ninf;
    r[W.integrated] = ninf;
    r[W.spectrum_entry] = -1;
    r[W.scope_entry] = -1;
}

/// A parameter word as a whole number in 0..max (NaN and out-of-range read as `otherwise`).
fn word(x: f32, max: f32, otherwise: u32) u32 {
    if (!(x >= 0 and x <= max)) return otherwise;
    return @intFromFloat(x);
}

/// Applies changed requests (the strips' `analysis_mask` and `spectrum_size` parameters). Once
/// per quantum, before the strips run.
pub fn applyRequests(self: *AnalysisBank, params: []const f32) void {
    var any_change = false;
    for (0..n_strips) |s| {
        const row = params[s * contract.stride ..];
        const m = word(row[P.analysis_mask], 63, 0);
        const sz = word(row[P.spectrum_size], 8192, 4096);
        if (m == self.requested[s] and (m & A.kind.spectrum == 0 or sz == self.sizes[s])) continue;
        self.change(s, m, sz);
        any_change = true;
    }
    if (!any_change) return;
    self.active = 0;
    @memset(&self.group_wanted, false);
    for (0..n_strips) |s| {
        if (self.requested[s] == 0) continue;
        self.active += 1;
        if (s < contract.max_channels) self.group_wanted[s / lanes.width] = true;
    }
}

fn take(owners: []i32, s: usize) ?usize {
    for (owners, 0..) |*o, e| {
        if (o.* == -1) {
            o.* = @intCast(s);
            return e;
        }
    }
    return null;
}

fn change(self: *AnalysisBank, s: usize, m: u32, size_in: u32) void {
    const u = &self.units[s];
    const size: u32 = if (size_in == 2048 or size_in == 4096 or size_in == 8192) size_in else 4096;
    // Give back the pooled units no longer asked for.
    if (m & A.kind.loudness == 0) if (u.loudness) |p| {
        self.loudness_owner[indexIn(Loudness, &self.loudness, p)] = -1;
        u.loudness = null;
    };
    if (m & A.kind.spectrum == 0) if (u.spectrum) |p| {
        self.spectrum_owner[indexIn(Spectrum, &self.spectra, p)] = -1;
        u.spectrum = null;
    };
    if (m & A.kind.scope == 0) if (u.scope) |p| {
        self.scope_owner[indexIn(Scope, &self.scopes, p)] = -1;
        u.scope = null;
    };
    // Take the ones newly asked for (Analysis.setMask resets loudness and scope as it turns them on).
    if (m & A.kind.loudness != 0 and u.loudness == null) {
        if (take(&self.loudness_owner, s)) |e| u.loudness = &self.loudness[e];
    }
    if (m & A.kind.spectrum != 0 and u.spectrum == null) {
        if (take(&self.spectrum_owner, s)) |e| {
            const sp = &self.spectra[e];
            @memset(&sp.ring, 0);
            @memset(&sp.db, Spectrum.floor_db); // not the previous owner's last frame
            sp.setSize(size) catch unreachable; // size is one of the three (clears the smoothed power)
            u.spectrum = sp;
        }
    } else if (u.spectrum) |sp| {
        if (sp.size != size) sp.setSize(size) catch unreachable;
    }
    if (m & A.kind.scope != 0 and u.scope == null) {
        if (take(&self.scope_owner, s)) |e| u.scope = &self.scopes[e];
    }
    const was = u.mask;
    u.setMask(m);
    // Maxima and counts are "since the request began": a kind turned on starts them afresh.
    if (u.mask & ~was & (A.kind.peak | A.kind.true_peak) != 0) u.peaks.resetMax();
    if (u.mask & ~was & A.kind.true_peak != 0) self.tp_fresh[s] = true;
    self.requested[s] = m;
    self.sizes[s] = size;
    self.clearRow(s);
    self.writeRow(s);
}

fn indexIn(comptime T: type, pool: []T, p: *T) usize {
    return (@intFromPtr(p) - @intFromPtr(pool.ptr)) / @sizeOf(T);
}

/// True if some channel of group `g` is analysed: the mixer must keep the group's output.
pub inline fn groupWanted(self: *const AnalysisBank, g: usize) bool {
    return self.group_wanted[g];
}

/// Feeds lanes 0..n-1 of a group buffer (post-fader output of strips first..first+n-1).
pub fn feedLanes(self: *AnalysisBank, first: usize, buf: *const lanes.GroupBuf, n: usize) void {
    for (0..n) |k| {
        const u = &self.units[first + k];
        if (u.mask == 0) continue;
        for (&self.scratch_l, &self.scratch_r, buf.l, buf.r) |*l, *r, vl, vr| {
            l.* = vl[k];
            r.* = vr[k];
        }
        u.process(&self.scratch_l, &self.scratch_r);
        self.settle(first + k);
    }
}

/// After the first quantum of a newly enabled true peak: its readings start now (see `tp_fresh`).
inline fn settle(self: *AnalysisBank, s: usize) void {
    if (!self.tp_fresh[s]) return;
    self.tp_fresh[s] = false;
    const p = &self.units[s].peaks;
    p.tp_max = .{ 0, 0 };
    p.true_peak = .{ .{}, .{} };
}

/// Feeds one quantum of silence to strips first..first+n-1 (their group was skipped as idle).
pub fn feedSilence(self: *AnalysisBank, first: usize, n: usize) void {
    for (self.units[first..][0..n], first..) |*u, s| {
        if (u.mask == 0) continue;
        u.process(&zeros, &zeros);
        self.settle(s);
    }
}

/// Feeds strip `s` from planar buffers (the master's output).
pub fn feedPlanar(self: *AnalysisBank, s: usize, l: []const f32, r: []const f32) void {
    const u = &self.units[s];
    if (u.mask == 0) return;
    u.process(l, r);
    self.settle(s);
}

/// Quality level 2 and above: publish at half rate from the next publication on. What is measured
/// does not change (the units still see every sample; peaks hold, loudness integrates); readers
/// only get it half as often, and the spectrum's FFT runs half as often.
pub fn setHalfRate(self: *AnalysisBank, on: bool) void {
    self.half_rate = on;
}

/// Once per quantum, after the feeds: every `every` quanta, the rows, spectra and scopes. The FFTs
/// (up to 58 µs each at 8192 points, the one costly step) run one pool entry per quantum in the
/// quanta before the publication, so no quantum carries more than one.
pub fn publish(self: *AnalysisBank) void {
    self.countdown -= 1;
    if (self.countdown <= A.spectrum_pool and self.countdown >= 1) {
        const e = self.countdown - 1;
        const o = self.spectrum_owner[e];
        if (o >= 0) self.spectra[e].analyze();
    }
    if (self.countdown != 0) return;
    self.countdown = if (self.half_rate) 2 * A.every else A.every;
    if (self.active == 0) return;
    for (0..n_strips) |s| {
        if (self.requested[s] != 0) self.writeRow(s);
    }
    self.published +%= 1;
}

fn writeRow(self: *AnalysisBank, s: usize) void {
    const u = &self.units[s];
    const r = &self.results[s];
    const m = u.mask;
    const pk = &u.peaks;
    if (m & (A.kind.peak | A.kind.true_peak) != 0) {
        r[W.peak] = @max(pk.peak[0].level, pk.peak[1].level);
        r[W.peak_hold] = @max(pk.peak[0].hold, pk.peak[1].hold);
        r[W.peak_max] = @max(pk.sp_max[0], pk.sp_max[1]);
        r[W.clips] = @floatFromInt(pk.clips[0] +| pk.clips[1]);
    }
    if (m & A.kind.true_peak != 0) {
        r[W.true_peak] = @max(pk.true_peak[0].level, pk.true_peak[1].level);
        r[W.true_peak_max] = @max(pk.tp_max[0], pk.tp_max[1]);
    }
    if (m & A.kind.correlation != 0) r[W.correlation] = u.correlation.value();
    if (m & A.kind.loudness != 0) if (u.loudness) |l| {
        r[W.momentary] = l.momentary();
        r[W.short_term] = l.shortTerm();
        r[W.integrated] = l.integrated();
        r[W.range] = l.loudnessRange();
    };
    r[W.spectrum_entry] = -1;
    if (m & A.kind.spectrum != 0) if (u.spectrum) |sp| {
        const e = indexIn(Spectrum, &self.spectra, sp);
        const bins = sp.size / 2 + 1;
        @memcpy(self.spectrum_out[e][0..bins], sp.db[0..bins]);
        @memset(self.spectrum_out[e][bins..], Spectrum.floor_db);
        r[W.spectrum_entry] = @floatFromInt(e);
    };
    r[W.scope_entry] = -1;
    if (m & A.kind.scope != 0) if (u.scope) |sc| {
        const e = indexIn(Scope, &self.scopes, sc);
        const c = sc.capture(&self.scope_out[e]);
        r[W.scope_entry] = @floatFromInt(e);
        r[W.scope_triggered] = if (c.triggered) 1 else 0;
    };
    r[W.running] = @floatFromInt(m);
    r[W.frames] += 1;
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

/// The tests' bank at 48 kHz with every strip's parameters at their defaults; static, as the bank
/// is too large for a test's stack. Tests run one at a time, so they share it.
const Fixture = struct {
    var bank: AnalysisBank = undefined;
    var params: [n_strips * contract.stride]f32 = undefined;

    /// 400 quanta of a 0.5 sine at bin 64 of 4096 into strip 0 (lane 0 of group 0), silence elsewhere, each published; `n` counts frames.
    fn sine400(b: *AnalysisBank, buf: *lanes.GroupBuf, n: *usize) void {
        for (0..400) |_| {
            for (0..Q) |i| {
                const x: f32 = @floatCast(0.5 * @sin(2 * std.math.pi * 64.0 * @as(f64, @floatFromInt(n.* + i)) / 4096.0));
                buf.l[i][0] = x;
                buf.r[i][0] = x;
            }
            n.* += Q;
            b.feedLanes(0, buf, 4);
            b.feedSilence(4, 1);
            b.publish();
        }
    }

    fn reset() void {
        bank.init(48000);
        for (0..n_strips) |s| @memcpy(params[s * contract.stride ..][0..contract.stride], &P.defaults);
    }
};

test "requests take and give back pool entries; a full pool leaves the kind off; rows publish" {
    Fixture.reset();
    const b = &Fixture.bank;
    const params = &Fixture.params;
    b.applyRequests(params);
    try testing.expectEqual(@as(u32, 0), b.active);
    // Five strips ask for a spectrum: the pool has four.
    for (0..A.spectrum_pool + 1) |s| params[s * contract.stride + P.analysis_mask] = @floatFromInt(A.kind.spectrum | A.kind.peak);
    b.applyRequests(params);
    try testing.expectEqual(@as(u32, A.spectrum_pool + 1), b.active);
    try testing.expect(b.groupWanted(0) and b.groupWanted(1) and !b.groupWanted(2));
    try testing.expectEqual(A.kind.peak, b.units[A.spectrum_pool].mask);
    // A sine at bin 64 of 4096 into strip 0 (lane 0 of group 0), silence elsewhere.
    var buf: lanes.GroupBuf = undefined;
    buf.clear();
    // 400 quanta: 50 publications, so the spectrum's time smoothing (α = 0.8 a frame) has settled.
    var n: usize = 0;
    Fixture.sine400(b, &buf, &n);
    try testing.expectEqual(@as(u32, 400 / A.every), b.published);
    const e: usize = @intFromFloat(b.results[0][W.spectrum_entry]);
    try testing.expectApproxEqAbs(@as(f32, -6.0206), b.spectrum_out[e][64], 0.05);
    try testing.expectApproxEqAbs(@as(f32, 0.5), b.results[0][W.peak_max], 1e-3);
    try testing.expectEqual(@as(f32, -1), b.results[A.spectrum_pool][W.spectrum_entry]);
    // Quality level 2: the same figures, published half as often (one publication every 2·every).
    b.setHalfRate(true);
    const before = b.published;
    Fixture.sine400(b, &buf, &n);
    try testing.expectEqual(before + 400 / (2 * A.every), b.published);
    try testing.expectApproxEqAbs(@as(f32, -6.0206), b.spectrum_out[e][64], 0.05);
    try testing.expectApproxEqAbs(@as(f32, 0.5), b.results[0][W.peak_max], 1e-3);
    b.setHalfRate(false);
    // Strip 0 lets go: its entry goes to the strip that was waiting, at its next change.
    params[P.analysis_mask] = 0;
    b.applyRequests(params);
    try testing.expectEqual(@as(i32, -1), b.spectrum_owner[e]);
    try testing.expectEqual(@as(f32, -std.math.inf(f32)), b.results[0][W.momentary]);
    params[A.spectrum_pool * contract.stride + P.analysis_mask] = @floatFromInt(A.kind.spectrum);
    b.applyRequests(params);
    try testing.expectEqual(A.kind.spectrum, b.units[A.spectrum_pool].mask);
    // NaN and out-of-range requests read as none.
    params[7 * contract.stride + P.analysis_mask] = std.math.nan(f32);
    params[8 * contract.stride + P.analysis_mask] = 1e9;
    b.applyRequests(params);
    try testing.expectEqual(@as(u32, 0), b.units[7].mask | b.units[8].mask);
}

test "a true peak enabled in the middle of a tone reads the tone, not the zeroed history's onset" {
    Fixture.reset();
    const b = &Fixture.bank;
    const params = &Fixture.params;
    var l: [Q]f32 = undefined;
    var worst_fresh: f32 = 0;
    // 1 kHz at 0.1 peak; the request lands at a phase near the peak, for each of 12 phases.
    for (0..12) |start| {
        b.init(48000);
        params[contract.master * contract.stride + P.analysis_mask] = 0;
        b.applyRequests(params);
        var n: usize = start * 4;
        var q: usize = 0;
        while (q < 40) : (q += 1) {
            if (q == 20) {
                params[contract.master * contract.stride + P.analysis_mask] = @floatFromInt(A.kind.true_peak);
                b.applyRequests(params);
            }
            for (&l, 0..) |*x, i| x.* = @floatCast(0.1 * @sin(2 * std.math.pi * 1000.0 * @as(f64, @floatFromInt(n + i)) / 48000.0));
            n += Q;
            b.feedPlanar(contract.master, &l, &l);
        }
        const tp = @max(b.units[contract.master].peaks.tp_max[0], b.units[contract.master].peaks.tp_max[1]);
        worst_fresh = @max(worst_fresh, tp);
    }
    // A steady 0.1 sine: within the 4x grid's error below, and nothing above.
    try testing.expect(worst_fresh <= 0.1 * 1.001 and worst_fresh >= 0.1 * 0.99);
}
