//! One synth voice: band-limited oscillator -> Cytomic SVF low-pass -> exponential ADSR amp.
//!
//! Rendering runs in chunks of at most `control_period` samples. Per chunk (control rate) the voice
//! recomputes its pitch (glide), oscillator increment and mip level, and the filter cutoff from the
//! envelope; per sample it interpolates the filter gain g, the damping k, the output gain and the
//! pulse width linearly, so neither parameter changes nor the envelope sweep cause zipper steps.
//! Parameters arrive once per quantum as a `Patch`; `beginQuantum` turns the change since the last
//! quantum into per-quantum ramps. A waveform change cross-fades over one quantum.
//!
//! A voice can also fade out linearly (`startFade`): used for stolen voices (copied into a fade
//! slot by the pool) and for hard stops, always <= 5 ms.
//!
//! The pool renders voices four at a time (`renderGroup`): one voice per lane of a
//! @Vector(4, f32), phase/increment, envelope, fade, gain ramps and SVF all in vector lanes, the
//! wavetable reads as 4-lane gathers, control-rate exp2/tan as polynomials (wasm has no libm). The
//! voice's state stays in this struct: a group loads it into vectors at the start of a span
//! between note events and stores it back at the end, so stealing, fade slots and events work on
//! plain `Voice` values. `renderScalar` is the one-voice reference the tests compare it with.
const std = @import("std");
const contract = @import("contract.zig");
const Oscillator = @import("Oscillator.zig");
const Envelope = @import("Envelope.zig");
const Svf = @import("Svf.zig");
const simd = @import("simd.zig");

const Voice = @This();

/// Samples per control-rate update.
pub const control_period: usize = 16;
const quantum = contract.quantum;
const inv_quantum: f32 = 1.0 / @as(f32, @floatFromInt(quantum));

/// One synth slot's parameters, validated (non-finite values become the defaults from contract.zig,
/// everything is clamped to the documented range) and turned into per-sample coefficients.
pub const Patch = struct {
    /// Waveform.
    wave: Oscillator.Wave = .saw,
    /// Pulse width 0.05..0.95.
    pulse_width: f32 = 0.5,
    /// 12 * octave + detune_cents / 100, in semitones.
    pitch_offset: f32 = 0,
    /// Envelope coefficients.
    env: Envelope.Coefs = .{},
    /// log2 of cutoff_hz.
    log2_cutoff: f32 = @log2(@as(f32, 20000)),
    /// SVF damping from resonance.
    k: f32 = 2,
    /// Octaves of cutoff per unit of envelope.
    env_amount: f32 = 0,
    /// Cutoff key tracking 0..1 (relative to MIDI 60).
    key_track: f32 = 0,
    /// Linear output gain (0 for -inf dB).
    gain: f32 = 0.5,
    /// Voice limit for this synth, 1..max_voices.
    polyphony: u32 = 8,
    /// Glide duration in samples (0 = off).
    glide_samples: f32 = 0,
    /// Velocity sensitivity 0..1.
    velocity_sense: f32 = 1,
    /// Output channel slot, or -1 for none.
    channel: i32 = -1,

    /// Builds a patch from one synth slot of the parameter block at sample rate `fs`. Ranges come
    /// from protocol/contract.json (`contract.synth.min`/`max`).
    pub fn fromParams(p: *const [contract.stride]f32, fs: f32) Patch {
        comptime checkHandled();
        const S = contract.synth;
        const wave_i: u32 = @intFromFloat(@round(get(p, S.wave)));
        const gain_db = p[S.gain_db];
        // -inf dB is legal (silence); NaN and +inf fall back to the default; below -200 dB (1e-10)
        // is held there rather than computed into a denormal.
        const gain: f32 = if (gain_db == -std.math.inf(f32))
            0
        else
            @exp2(@max(-200, get(p, S.gain_db)) * (std.math.log2(10.0) / 20.0));
        return .{
            .wave = @enumFromInt(wave_i),
            .pulse_width = get(p, S.pulse_width),
            .pitch_offset = 12 * @round(get(p, S.octave)) + get(p, S.detune_cents) / 100,
            .env = Envelope.Coefs.compute(get(p, S.attack_ms), get(p, S.decay_ms), get(p, S.sustain), get(p, S.release_ms), fs),
            .log2_cutoff = @log2(get(p, S.cutoff_hz)),
            .k = Svf.kFromResonance(get(p, S.resonance)),
            .env_amount = get(p, S.env_amount),
            .key_track = get(p, S.key_track),
            .gain = gain,
            .polyphony = @intFromFloat(@round(get(p, S.polyphony))),
            .glide_samples = get(p, S.glide_ms) * fs / 1000,
            .velocity_sense = get(p, S.velocity_sense),
            .channel = @intFromFloat(@round(get(p, S.channel))),
        };
    }

    /// An exhaustive switch over the generated synth parameters: one added to
    /// protocol/contract.json without a case here (and a use in `fromParams`) fails the build.
    fn checkHandled() void {
        for (std.enums.values(contract.synth.Param)) |sp| switch (sp) {
            .wave, .pulse_width, .octave, .detune_cents, .attack_ms, .decay_ms, .sustain, .release_ms => {},
            .cutoff_hz, .resonance, .env_amount, .key_track, .gain_db, .polyphony, .glide_ms => {},
            .velocity_sense, .channel => {},
        };
    }

    /// Parameter `i`: non-finite reads as its default, the rest is clamped to its range.
    fn get(p: *const [contract.stride]f32, i: usize) f32 {
        const v = p[i];
        const x = if (std.math.isFinite(v)) v else contract.synth.defaults[i];
        return std.math.clamp(x, contract.synth.min[i], contract.synth.max[i]);
    }
};

/// In use (rendering).
active: bool = false,
/// Synth slot that owns the voice.
synth: u32 = 0,
/// Note id from the note-on event.
id: u32 = 0,
/// Note-on order (smaller = older), for stealing.
seq: u64 = 0,
/// Note off received (or all-notes-off).
released: bool = false,
/// The note's own pitch (MIDI, without octave/detune): the glide target.
pitch: f32 = 69,
/// Pitch the glide starts from.
glide_from: f32 = 69,
/// Samples of glide done.
glide_elapsed: f32 = 0,
/// Glide length in samples (0 = no glide).
glide_total: f32 = 0,
/// Velocity 0..1.
velocity: f32 = 1,
/// Oscillator state.
osc: Oscillator = .{},
/// Amp envelope state.
env: Envelope = .{},
/// Filter state.
svf: Svf = .{},
/// Filter gain g at the current sample (end of the last chunk).
g: f32 = 1,
/// Per-quantum ramps: value at quantum frame 0 (`*0`) and at frame 128 (`*1`).
gain0: f32 = 0,
/// Output gain (patch gain x velocity) at the end of the quantum.
gain1: f32 = 0,
/// SVF damping at the start of the quantum.
k0: f32 = 2,
/// SVF damping at the end of the quantum.
k1: f32 = 2,
/// Pulse width at the start of the quantum.
pw0: f32 = 0.5,
/// Pulse width at the end of the quantum.
pw1: f32 = 0.5,
/// log2 cutoff_hz at the start of the quantum.
lcut0: f32 = 0,
/// log2 cutoff_hz at the end of the quantum.
lcut1: f32 = 0,
/// Current waveform, and the one being cross-faded out (weight xf0 -> xf1 over the quantum).
wave: Oscillator.Wave = .saw,
/// Waveform being faded out after a wave change.
prev_wave: Oscillator.Wave = .saw,
/// Weight of `prev_wave` at the start of the quantum.
xf0: f32 = 0,
/// Weight of `prev_wave` at the end of the quantum.
xf1: f32 = 0,
/// Linear fade multiplier (1 = none) and its per-sample step (negative while fading).
fade: f32 = 1,
/// Per-sample change of `fade` (0, or negative while fading).
fade_step: f32 = 0,

fn targetGain(self: *const Voice, p: *const Patch) f32 {
    return p.gain * (1 - p.velocity_sense + p.velocity_sense * self.velocity);
}

/// Starts the voice on a note. `glide_from` is the synth's previous note pitch, if any.
pub fn start(
    self: *Voice,
    p: *const Patch,
    tables: *const Oscillator.Tables,
    fs: f32,
    synth: u32,
    id: u32,
    pitch: f32,
    velocity: f32,
    glide_from: ?f32,
    seq: u64,
) void {
    self.* = .{
        .active = true,
        .synth = synth,
        .id = id,
        .seq = seq,
        .pitch = pitch,
        .glide_from = glide_from orelse pitch,
        .glide_total = if (glide_from != null) p.glide_samples else 0,
        .velocity = if (velocity >= 0) @min(velocity, 1) else if (velocity < 0) 0 else 1,
        .wave = p.wave,
        .prev_wave = p.wave,
    };
    const g = self.targetGain(p);
    self.gain0 = g;
    self.gain1 = g;
    self.k0 = p.k;
    self.k1 = p.k;
    self.pw0 = p.pulse_width;
    self.pw1 = p.pulse_width;
    self.lcut0 = p.log2_cutoff;
    self.lcut1 = p.log2_cutoff;
    self.g = Svf.gain(self.cutoffHz(p, p.log2_cutoff, self.currentPitch()), fs);
    self.osc.setFrequency(tables, self.frequency(p), fs);
    // Start one increment into the cycle: at phase 0 every waveform is 0, so the note's first
    // sample (at its exact frame) would be silent and the onset would appear one frame late.
    self.osc.phase = self.osc.inc;
}

/// Re-reads the patch at the start of a quantum: ramps run from the previous quantum's end values
/// to the new targets over this quantum.
pub fn beginQuantum(self: *Voice, p: *const Patch) void {
    self.gain0 = self.gain1;
    self.gain1 = self.targetGain(p);
    self.k0 = self.k1;
    self.k1 = p.k;
    self.pw0 = self.pw1;
    self.pw1 = p.pulse_width;
    self.lcut0 = self.lcut1;
    self.lcut1 = p.log2_cutoff;
    self.xf0 = self.xf1;
    if (p.wave != self.wave) {
        self.prev_wave = self.wave;
        self.wave = p.wave;
        self.xf0 = 1;
    }
    self.xf1 = 0;
}

/// Starts the release stage.
pub fn noteOff(self: *Voice) void {
    self.released = true;
    self.env.release();
}

/// Fades the voice out linearly over `samples` (or faster if it is already fading faster).
pub fn startFade(self: *Voice, samples: u32) void {
    const step = -1.0 / @as(f32, @floatFromInt(@max(samples, 1)));
    if (self.fade_step == 0 or step < self.fade_step) self.fade_step = step;
}

/// True while fading out.
pub fn isFading(self: *const Voice) bool {
    return self.fade_step < 0;
}

/// Audible level estimate used to pick the quietest voice.
pub fn loudness(self: *const Voice) f32 {
    return self.env.level * self.fade;
}

fn currentPitch(self: *const Voice) f32 {
    if (self.glide_elapsed >= self.glide_total) return self.pitch;
    return self.glide_from + (self.pitch - self.glide_from) * (self.glide_elapsed / self.glide_total);
}

fn frequency(self: *const Voice, p: *const Patch) f32 {
    return 440 * @exp2((self.currentPitch() + p.pitch_offset - 69) / 12);
}

fn cutoffHz(self: *const Voice, p: *const Patch, log2_cutoff: f32, pitch: f32) f32 {
    return @exp2(log2_cutoff + p.env_amount * self.env.level + p.key_track * (pitch - 60) / 12);
}

/// Scalar reference renderer, one voice at a time (the pool uses `renderGroup`; this one stays as
/// the readable specification and is checked against it in the tests). Renders quantum frames
/// [from, to) and ADDS the voice's output to `out`. Frees the voice (sets `active = false`) when it
/// has become silent or finished fading.
pub fn renderScalar(self: *Voice, p: *const Patch, tables: *const Oscillator.Tables, fs: f32, out: *[quantum]f32, from: usize, to: usize) void {
    var pos = from;
    while (pos < to and self.active) {
        const n: usize = self.env.span(&p.env, @intCast(@min(control_period, to - pos)));
        const t0 = @as(f32, @floatFromInt(pos)) * inv_quantum;
        const t1 = @as(f32, @floatFromInt(pos + n)) * inv_quantum;
        const nf: f32 = @floatFromInt(n);

        // Control rate: pitch (with glide), oscillator increment and mip level, filter cutoff.
        const pitch = self.currentPitch();
        self.osc.setFrequency(tables, 440 * @exp2((pitch + p.pitch_offset - 69) / 12), fs);
        if (self.glide_elapsed < self.glide_total) self.glide_elapsed = @min(self.glide_elapsed + nf, self.glide_total);
        const lcut = self.lcut0 + (self.lcut1 - self.lcut0) * t1;
        const g_start = self.g;
        const g_end = Svf.gain(self.cutoffHz(p, lcut, pitch), fs);
        self.g = g_end;

        const seg = self.env.segment(&p.env);
        const c = Chunk{
            .n = n,
            .g = g_start,
            .dg = (g_end - g_start) / nf,
            .k = self.k0 + (self.k1 - self.k0) * t0,
            .dk = (self.k1 - self.k0) * inv_quantum,
            .amp = self.gain0 + (self.gain1 - self.gain0) * t0,
            .damp = (self.gain1 - self.gain0) * inv_quantum,
            .pw = self.pw0 + (self.pw1 - self.pw0) * t0,
            .dpw = (self.pw1 - self.pw0) * inv_quantum,
            .xf = self.xf0 + (self.xf1 - self.xf0) * t0,
            .dxf = (self.xf1 - self.xf0) * inv_quantum,
            .target = seg.target,
            .coef = seg.coef,
        };
        const dst = out[pos .. pos + n];
        if (c.xf > 0 or c.dxf != 0) {
            self.chunkXfade(tables, c, dst);
        } else switch (self.wave) {
            inline else => |w| self.chunk(w, tables, c, dst),
        }
        self.env.advance(&p.env, @intCast(n));
        // See Svf.sanitize: WASM has no flush-to-zero, so clear denormals / non-finite state here.
        self.svf.sanitize();
        if (!std.math.isFinite(self.fade)) self.fade = 0;
        if (self.env.isSilent(&p.env) or (self.fade_step < 0 and self.fade <= 0)) self.active = false;
        pos += n;
    }
}

const Chunk = struct {
    n: usize,
    g: f32,
    dg: f32,
    k: f32,
    dk: f32,
    amp: f32,
    damp: f32,
    pw: f32,
    dpw: f32,
    xf: f32,
    dxf: f32,
    target: f32,
    coef: f32,
};

inline fn chunk(self: *Voice, comptime wave: Oscillator.Wave, tables: *const Oscillator.Tables, c: Chunk, dst: []f32) void {
    var g = c.g;
    var k = c.k;
    var amp = c.amp;
    var pw = c.pw;
    var env = self.env.level;
    var fade = self.fade;
    var phase = self.osc.phase;
    const inc = self.osc.inc;
    const level = self.osc.level;
    var svf = self.svf;
    for (dst) |*o| {
        const pw_phase: u32 = if (wave == .pulse) @intFromFloat(pw * 4294967296.0) else 0;
        const s = Oscillator.sampleAt(wave, tables, level, phase, pw_phase);
        phase +%= inc;
        const y = svf.lowpass(s, g, k);
        env = @min(c.target + (env - c.target) * c.coef, 1.0);
        fade = @max(fade + self.fade_step, 0);
        o.* += y * env * amp * fade;
        g += c.dg;
        k += c.dk;
        amp += c.damp;
        if (wave == .pulse) pw += c.dpw;
    }
    self.svf = svf;
    self.osc.phase = phase;
    self.env.level = env;
    self.fade = fade;
}

fn chunkXfade(self: *Voice, tables: *const Oscillator.Tables, c: Chunk, dst: []f32) void {
    var g = c.g;
    var k = c.k;
    var amp = c.amp;
    var pw = c.pw;
    var xf = c.xf;
    for (dst) |*o| {
        const pw_phase = Oscillator.pulsePhase(pw);
        const a = Oscillator.sampleDyn(self.wave, tables, self.osc.level, self.osc.phase, pw_phase);
        const b = Oscillator.sampleDyn(self.prev_wave, tables, self.osc.level, self.osc.phase, pw_phase);
        self.osc.phase +%= self.osc.inc;
        const y = self.svf.lowpass(a + (b - a) * xf, g, k);
        self.env.level = @min(c.target + (self.env.level - c.target) * c.coef, 1.0);
        self.fade = @max(self.fade + self.fade_step, 0);
        o.* += y * self.env.level * amp * self.fade;
        g += c.dg;
        k += c.dk;
        amp += c.damp;
        pw += c.dpw;
        xf += c.dxf;
    }
}

// ------------------------------------------------------------------ 4-lane renderer

const V = Oscillator.V;
const U = Oscillator.U;
const M = @Vector(4, bool);

inline fn vs(x: f32) V {
    return @splat(x);
}
inline fn us(x: u32) U {
    return @splat(x);
}
inline fn mAnd(a: M, b: M) M {
    return @select(bool, a, b, @as(M, @splat(false)));
}
inline fn mOr(a: M, b: M) M {
    return @select(bool, a, @as(M, @splat(true)), b);
}
inline fn mNot(a: M) M {
    return @select(bool, a, @as(M, @splat(false)), @as(M, @splat(true)));
}
/// min(a, b) for a, b >= 0 (finite), as an integer min of the bit patterns: exact, and cheaper in
/// V8 than f32x4.min, which must handle NaN and signed zeros.
inline fn minBits(a: V, b: V) V {
    const I = @Vector(4, i32);
    const x: I = @bitCast(a);
    const y: I = @bitCast(b);
    return @bitCast(@select(i32, x < y, x, y));
}
/// max(a, 0) for finite a (negative floats have negative bit patterns): exact, see `minBits`.
inline fn maxBits(a: V, zero: V) V {
    const I = @Vector(4, i32);
    const x: I = @bitCast(a);
    const y: I = @bitCast(zero);
    return @bitCast(@select(i32, x > y, x, y));
}
inline fn finite(x: V) M {
    return @fabs(x) < vs(std.math.inf(f32)); // false for NaN
}

/// Phase increments, mip levels and table rows of a group's lanes for frequencies `hz` (not
/// inlined: it runs once per span, or per chunk while gliding).
noinline fn tuneLanes(tables: *const Oscillator.Tables, fs: f32, hz: V, vp: *const [4]*Voice, inc: *U, level: *[4]u8, row_a: *U, row_c: *U) void {
    for (0..4) |l| {
        const tu = Oscillator.tuning(tables, hz[l], fs);
        inc[l] = tu.inc;
        level[l] = tu.level;
        row_a[l] = Oscillator.row(vp[l].wave, tu.level);
        row_c[l] = Oscillator.row(vp[l].prev_wave, tu.level);
    }
}

/// One lane of a group: the voice, its synth's patch, and the channel buffer its output is added
/// to (null: rendered for timing only, output dropped).
pub const Lane = struct {
    voice: *Voice,
    patch: *const Patch,
    out: ?*[quantum]f32,
};

/// Oscillator table reads per sample this voice needs in the current quantum: 1 (sine, triangle,
/// saw, square), 2 (pulse: two saws), 4 (cross-fade after a waveform change).
pub fn reads(self: *const Voice) u8 {
    if (self.xf0 > 0 or self.xf1 != self.xf0) return 4;
    return if (self.wave == .pulse) 2 else 1;
}

/// Renders quantum frames [from, to) of up to four voices in lockstep, one voice per lane of a
/// @Vector(4, f32), and ADDS each voice's output to its lane's `out`. `nreads` must be at least
/// `reads()` of every voice. Same per-voice behaviour as the scalar description at the top of this
/// file: control rate every `control_period` samples (shortened so every lane's envelope stage
/// changes on a chunk boundary), per-sample ramps of g, k, gain, pulse width and cross-fade.
/// Voices that become silent are set inactive (the caller books them). `tmp` is scratch.
pub fn renderGroup(
    comptime nreads: u8,
    lanes: []const Lane,
    tables: *const Oscillator.Tables,
    fs: f32,
    from: usize,
    to: usize,
    tmp: *[quantum]V,
) void {
    std.debug.assert(lanes.len >= 1 and lanes.len <= 4 and from < to and to <= quantum);
    // Missing lanes run a silent stand-in (released, level 0) whose output is dropped.
    var scratch = Voice{ .active = true, .env = .{ .stage = .release, .level = 0 } };
    const scratch_patch = Patch{};
    var vp: [4]*Voice = undefined;
    var pp: [4]*const Patch = undefined;
    inline for (0..4) |l| {
        vp[l] = if (l < lanes.len) lanes[l].voice else &scratch;
        pp[l] = if (l < lanes.len) lanes[l].patch else &scratch_patch;
    }

    // ---- load the lanes' state into vectors
    var phase: U = undefined;
    var inc: U = undefined;
    var ic1: V = undefined;
    var ic2: V = undefined;
    var g: V = undefined;
    var env: V = undefined;
    var stage: U = undefined;
    var count: U = undefined;
    var updates: U = undefined;
    var attack_c: V = undefined;
    var decay_c: V = undefined;
    var sustain: V = undefined;
    var release_c: V = undefined;
    var fade: V = undefined;
    var fade_step: V = undefined;
    var gain0: V = undefined;
    var gain1: V = undefined;
    var k0: V = undefined;
    var k1: V = undefined;
    var pw0: V = undefined;
    var pw1: V = undefined;
    var xf0: V = undefined;
    var xf1: V = undefined;
    var lcut0: V = undefined;
    var lcut1: V = undefined;
    var pitch: V = undefined;
    var gfrom: V = undefined;
    var elapsed: V = undefined;
    var total: V = undefined;
    var poff: V = undefined;
    var env_amount: V = undefined;
    var key_track: V = undefined;
    // Table reads: s = A + cB * B (current wave), and C + cD * D (previous wave, while cross-fading),
    // A and C read at phase + offset (pulse width), B and D at phase.
    var cB: V = undefined;
    var cD: V = undefined;
    var pulse_a: M = undefined;
    var pulse_c: M = undefined;
    var alive: M = undefined;
    inline for (0..4) |l| {
        const v = vp[l];
        const p = pp[l];
        phase[l] = v.osc.phase;
        inc[l] = v.osc.inc;
        ic1[l] = v.svf.ic1;
        ic2[l] = v.svf.ic2;
        g[l] = v.g;
        env[l] = v.env.level;
        stage[l] = @intFromEnum(v.env.stage);
        count[l] = v.env.attack_count;
        updates[l] = p.env.attack_updates;
        attack_c[l] = p.env.attack_c;
        decay_c[l] = p.env.decay_c;
        sustain[l] = p.env.sustain;
        release_c[l] = p.env.release_c;
        fade[l] = v.fade;
        fade_step[l] = v.fade_step;
        gain0[l] = v.gain0;
        gain1[l] = v.gain1;
        k0[l] = v.k0;
        k1[l] = v.k1;
        pw0[l] = v.pw0;
        pw1[l] = v.pw1;
        xf0[l] = v.xf0;
        xf1[l] = v.xf1;
        lcut0[l] = v.lcut0;
        lcut1[l] = v.lcut1;
        pitch[l] = v.pitch;
        gfrom[l] = v.glide_from;
        elapsed[l] = v.glide_elapsed;
        total[l] = v.glide_total;
        poff[l] = p.pitch_offset;
        env_amount[l] = p.env_amount;
        key_track[l] = p.key_track;
        pulse_a[l] = v.wave == .pulse;
        pulse_c[l] = v.prev_wave == .pulse;
        alive[l] = l < lanes.len;
    }
    cB = @select(f32, pulse_a, vs(-1), vs(0));
    cD = @select(f32, pulse_c, vs(-1), vs(0));
    const t = tables.flat();
    var row_a: U = undefined;
    var row_c: U = undefined;
    var level: [4]u8 = undefined;

    var pos = from;
    var retune = true;
    while (pos < to) {
        // ---- envelope: finish due attacks, then the longest span every lane can run unchanged
        const s0 = stage == us(0);
        const fix = mAnd(s0, count >= updates);
        env = @select(f32, mAnd(fix, count == updates), vs(1), env);
        stage = @select(u32, fix, us(1), stage);
        const in_att = stage == us(0);
        const left = updates -% count;
        const span_l = @select(u32, in_att, @select(u32, left == us(1), us(1), left -% us(1)), us(control_period));
        const n: usize = @min(@min(control_period, to - pos), @as(usize, @reduce(.Min, span_l)));
        const nf: f32 = @floatFromInt(n);
        const t0 = @as(f32, @floatFromInt(pos)) * inv_quantum;
        const t1 = @as(f32, @floatFromInt(pos + n)) * inv_quantum;

        // ---- control rate: pitch (glide), oscillator increment and mip level, cutoff
        const gliding = elapsed < total;
        const cur_pitch = @select(f32, gliding, gfrom + (pitch - gfrom) * (elapsed / total), pitch);
        // The pitch moves only while gliding; it is also retuned on the chunk after the glide ends.
        if (retune) {
            const hz = vs(440) * Oscillator.exp2((cur_pitch + poff - vs(69)) * vs(1.0 / 12.0));
            tuneLanes(tables, fs, hz, &vp, &inc, &level, &row_a, &row_c);
        }
        retune = @reduce(.Or, gliding);
        elapsed = @select(f32, gliding, @select(f32, elapsed + vs(nf) < total, elapsed + vs(nf), total), elapsed);
        const lcut = lcut0 + (lcut1 - lcut0) * vs(t1);
        const g_end = Svf.gain4(Oscillator.exp2(lcut + env_amount * env + key_track * (cur_pitch - vs(60)) * vs(1.0 / 12.0)), fs);
        const inv_n = vs(1.0 / nf);
        const dg = (g_end - g) * inv_n;
        // g + k ramps as one value: a1 = 1 / (1 + g (g + k)).
        var gk = g + k0 + (k1 - k0) * vs(t0);
        const dgk = dg + (k1 - k0) * vs(inv_quantum);
        var amp = gain0 + (gain1 - gain0) * vs(t0);
        const damp = (gain1 - gain0) * vs(inv_quantum);
        var gg = g;
        _ = &amp;

        // envelope segment per lane
        const last = mAnd(in_att, count +% us(1) >= updates);
        const is_decay = stage == us(1);
        const target = @select(f32, in_att, @select(f32, last, vs(1), vs(Envelope.attack_target)), @select(f32, is_decay, sustain, vs(0)));
        const coef = @select(f32, in_att, @select(f32, last, vs(0), attack_c), @select(f32, is_decay, decay_c, release_c));

        // pulse width as a phase offset (A and C read at phase - pw), ramped per sample
        var off: U = us(0);
        var doff: U = us(0);
        if (nreads >= 2) {
            const pw_t = pw0 + (pw1 - pw0) * vs(t0);
            const pw = @select(f32, pw_t > vs(0.95), vs(0.95), @select(f32, pw_t < vs(0.05), vs(0.05), pw_t));
            const dpw = (pw1 - pw0) * vs(inv_quantum * 4294967296.0);
            inline for (0..4) |l| {
                off[l] = 0 -% @as(u32, @intFromFloat(pw[l] * 4294967296.0));
                doff[l] = 0 -% @as(u32, @bitCast(@as(i32, @intFromFloat(dpw[l]))));
            }
        }
        const off_a = @select(u32, pulse_a, off, us(0));
        const off_c = @select(u32, pulse_c, off, us(0));
        const doff_a = @select(u32, pulse_a, doff, us(0));
        const doff_c = @select(u32, pulse_c, doff, us(0));
        var pa = phase +% off_a;
        var pc = phase +% off_c;
        var xf = xf0 + (xf1 - xf0) * vs(t0);
        const dxf = (xf1 - xf0) * vs(inv_quantum);

        // ---- per sample, pass 1: amplitude (envelope x gain x fade) into `dst`
        const dst = tmp[pos .. pos + n];
        const b = target * (vs(1) - coef); // level' = level * coef + b = target + (level - target) * coef
        if (@reduce(.Or, fade_step != vs(0))) {
            for (dst) |*o| {
                env = minBits(env * coef + b, vs(1));
                fade = maxBits(fade + fade_step, vs(0));
                o.* = env * amp * fade;
                amp += damp;
            }
        } else {
            for (dst) |*o| {
                env = minBits(env * coef + b, vs(1));
                o.* = env * amp;
                amp += damp;
            }
        }
        // ---- pass 2: oscillator -> filter, times the amplitude
        for (dst) |*o| {
            var s = Oscillator.read4(t, row_a, if (nreads >= 2) pa else phase);
            if (nreads >= 2) s += cB * Oscillator.read4(t, row_a, phase);
            if (nreads >= 4) {
                const sc = Oscillator.read4(t, row_c, pc) + cD * Oscillator.read4(t, row_c, phase);
                s += (sc - s) * xf;
                xf += dxf;
                pc +%= inc +% doff_c;
            }
            phase +%= inc;
            if (nreads >= 2) pa +%= inc +% doff_a;
            const a1 = vs(1) / (vs(1) + gg * gk);
            const a2 = gg * a1;
            const a3 = gg * a2;
            const v3 = s - ic2;
            const v1 = a1 * ic1 + a2 * v3;
            const v2 = ic2 + a2 * ic1 + a3 * v3;
            ic1 = v1 + v1 - ic1;
            ic2 = v2 + v2 - ic2;
            o.* *= v2;
            gg += dg;
            gk += dgk;
        }
        g = g_end;

        // ---- end of chunk: envelope bookkeeping, sanitizing, freeing
        const att = stage == us(0);
        count = @select(u32, att, count +% us(@intCast(n)), count);
        const done = mAnd(att, count == updates);
        env = @select(f32, done, vs(1), env);
        stage = @select(u32, done, us(1), stage);
        env = @select(f32, finite(env), env, vs(0));
        // See Svf.sanitize: WASM has no flush-to-zero; a non-finite state is reset.
        const ok = mAnd(finite(ic1), finite(ic2));
        ic1 = @select(f32, mAnd(ok, @fabs(ic1) >= vs(1e-15)), ic1, vs(0));
        ic2 = @select(f32, mAnd(ok, @fabs(ic2) >= vs(1e-15)), ic2, vs(0));
        fade = @select(f32, finite(fade), fade, vs(0));
        const quiet = env < vs(Envelope.silence);
        const silent = mOr(
            mOr(mAnd(stage == us(1), mAnd(sustain < vs(Envelope.silence), quiet)), mAnd(stage == us(2), quiet)),
            mAnd(fade_step < vs(0), fade <= vs(0)),
        );
        pos += n;
        if (@reduce(.Or, mAnd(alive, silent))) {
            alive = mAnd(alive, mNot(silent));
            // A freed lane keeps running silently to the end of the span: no stage changes, zero out.
            const dead = mNot(alive);
            stage = @select(u32, dead, us(2), stage);
            env = @select(f32, dead, vs(0), env);
            fade = @select(f32, dead, vs(0), fade);
            fade_step = @select(f32, dead, vs(0), fade_step);
            if (!@reduce(.Or, alive)) break;
        }
    }

    // ---- store the state back
    inline for (0..4) |l| {
        if (l < lanes.len) {
            const v = vp[l];
            v.active = alive[l];
            v.osc.phase = phase[l];
            v.osc.inc = inc[l];
            v.osc.level = level[l];
            v.svf.ic1 = ic1[l];
            v.svf.ic2 = ic2[l];
            v.g = g[l];
            v.env.level = env[l];
            v.env.stage = @enumFromInt(@as(u8, @intCast(stage[l])));
            v.env.attack_count = count[l];
            v.fade = fade[l];
            v.fade_step = fade_step[l];
            v.glide_elapsed = elapsed[l];
        }
    }

    // ---- add each lane's output to its channel: transpose 4 x 4 blocks of (frame, lane)
    var outs: [4]?*[quantum]f32 = .{ null, null, null, null };
    for (lanes, 0..) |ln, l| outs[l] = ln.out;
    var i = from;
    while (i + 4 <= pos) : (i += 4) {
        const a = tmp[i];
        const b = tmp[i + 1];
        const c = tmp[i + 2];
        const d = tmp[i + 3];
        const r = simd.transpose4(.{ a, b, c, d });
        inline for (0..4) |l| {
            if (outs[l]) |o| {
                const dst: *[4]f32 = o[i..][0..4];
                const cur: V = dst.*;
                dst.* = cur + r[l];
            }
        }
    }
    while (i < pos) : (i += 1) {
        inline for (0..4) |l| {
            if (outs[l]) |o| o[i] += tmp[i][l];
        }
    }
}

test "Voice patch sanitizes non-finite parameters" {
    var p = contract.synth.defaults;
    for (&p) |*x| x.* = std.math.nan(f32);
    const a = Patch.fromParams(&p, 48000);
    const d = Patch.fromParams(&contract.synth.defaults, 48000);
    try std.testing.expectEqual(d.wave, a.wave);
    try std.testing.expectEqual(d.gain, a.gain);
    try std.testing.expectEqual(d.polyphony, a.polyphony);
    try std.testing.expectEqual(d.env.attack_c, a.env.attack_c);
    try std.testing.expectEqual(d.channel, a.channel);
    p = contract.synth.defaults;
    p[contract.synth.gain_db] = -std.math.inf(f32);
    p[contract.synth.cutoff_hz] = std.math.inf(f32);
    p[contract.synth.wave] = 99;
    const b = Patch.fromParams(&p, 48000);
    try std.testing.expectEqual(@as(f32, 0), b.gain);
    try std.testing.expectEqual(d.log2_cutoff, b.log2_cutoff);
    try std.testing.expectEqual(Oscillator.Wave.pulse, b.wave);
}

var test_tables: Oscillator.Tables = undefined;

fn renderLanes(lanes: []const Lane, from: usize, to: usize, tmp: *[quantum]V) void {
    var r: u8 = 1;
    for (lanes) |ln| r = @max(r, ln.voice.reads());
    switch (r) {
        1 => renderGroup(1, lanes, &test_tables, 48000, from, to, tmp),
        2 => renderGroup(2, lanes, &test_tables, 48000, from, to, tmp),
        else => renderGroup(4, lanes, &test_tables, 48000, from, to, tmp),
    }
}

test "4-lane renderer matches the scalar reference" {
    const fs: f32 = 48000;
    const S = contract.synth;
    test_tables.init();
    // Five voices, one per waveform, through a resonant filter swept by the envelope, with glide,
    // parameter ramps, a waveform change, note off, a fade and a span split by an event.
    var src: [5][contract.stride]f32 = undefined;
    var patches: [5]Patch = undefined;
    for (&src, 0..) |*p, i| {
        p.* = contract.synth.defaults;
        p[S.wave] = @floatFromInt(i);
        p[S.cutoff_hz] = 500;
        p[S.resonance] = 0.8;
        p[S.env_amount] = 3;
        p[S.key_track] = 0.5;
        p[S.attack_ms] = 3; // same for all: lanes then split their chunks where the scalar voice does
        p[S.decay_ms] = 40;
        p[S.sustain] = 0.3;
        p[S.release_ms] = 25;
        p[S.glide_ms] = 30;
        p[S.pulse_width] = 0.3;
        patches[i] = Patch.fromParams(p, fs);
    }
    var ref: [5]Voice = undefined;
    var grp: [5]Voice = undefined;
    for (&ref, 0..) |*v, i| {
        const fi: f32 = @floatFromInt(i);
        v.start(&patches[i], &test_tables, fs, 0, @intCast(i + 1), 40 + 9 * fi, 0.9, if (i % 2 == 0) 52 - fi else null, i);
        grp[i] = v.*;
    }
    var out_ref: [5][quantum]f32 = undefined;
    var out_grp: [5][quantum]f32 = undefined;
    var tmp: [quantum]V = undefined;
    var peak: f32 = 0;
    var worst: f32 = 0;
    for (0..60) |q| {
        if (q == 8) for (&src, 0..) |*p, i| {
            p[S.pulse_width] = 0.7;
            p[S.cutoff_hz] = 3000;
            p[S.resonance] = 0.3;
            p[S.gain_db] = -12;
            p[S.wave] = @floatFromInt((i + 2) % 5);
            patches[i] = Patch.fromParams(p, fs);
        };
        for (0..5) |i| {
            ref[i].beginQuantum(&patches[i]);
            grp[i].beginQuantum(&patches[i]);
            @memset(&out_ref[i], 0);
            @memset(&out_grp[i], 0);
        }
        const split: usize = if (q % 3 == 0) 37 else quantum;
        var from: usize = 0;
        for ([_]usize{ split, quantum }) |to| {
            if (to <= from) continue;
            if (from == 37 and q == 21) for (0..5) |i| {
                ref[i].noteOff();
                grp[i].noteOff();
            };
            if (from == 37 and q == 24) {
                ref[1].startFade(192);
                grp[1].startFade(192);
            }
            for (0..5) |i| if (ref[i].active) ref[i].renderScalar(&patches[i], &test_tables, fs, &out_ref[i], from, to);
            var lanes: [5]Lane = undefined;
            var n: usize = 0;
            for (&grp, 0..) |*v, i| if (v.active) {
                lanes[n] = .{ .voice = v, .patch = &patches[i], .out = &out_grp[i] };
                n += 1;
            };
            if (n > 0) renderLanes(lanes[0..@min(n, 4)], from, to, &tmp);
            if (n > 4) renderLanes(lanes[4..n], from, to, &tmp);
            from = to;
        }
        for (0..5) |i| {
            try std.testing.expectEqual(ref[i].active, grp[i].active);
            for (out_ref[i], out_grp[i]) |a, b| {
                peak = @max(peak, @fabs(a));
                worst = @max(worst, @fabs(a - b));
            }
        }
    }
    try std.testing.expect(peak > 0.1);
    try std.testing.expect(worst < 1e-4 * peak);
    for (ref) |v| try std.testing.expect(!v.active); // all released and freed by the end
}
