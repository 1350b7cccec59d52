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
const std = @import("std");
const Params = @import("Params.zig");
const Oscillator = @import("Oscillator.zig");
const Envelope = @import("Envelope.zig");
const Svf = @import("Svf.zig");

const Voice = @This();

/// Samples per control-rate update.
pub const control_period: usize = 16;
const quantum = Params.quantum;
const inv_quantum: f32 = 1.0 / @as(f32, @floatFromInt(quantum));

/// One synth slot's parameters, validated (non-finite values become the defaults from Params.zig,
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

    /// Builds a patch from one synth slot of the parameter block at sample rate `fs`.
    pub fn fromParams(p: *const [Params.stride]f32, fs: f32) Patch {
        const S = Params.synth;
        const wave_i: u32 = @intFromFloat(@round(get(p, S.wave, 0, 4)));
        const gain_db = p[S.gain_db];
        // -inf dB is legal (silence); NaN and +inf fall back to the default.
        const gain: f32 = if (gain_db == -std.math.inf(f32))
            0
        else
            @exp2(get(p, S.gain_db, -200, 12) * (std.math.log2(10.0) / 20.0));
        const ch = get(p, S.channel, -1, @floatFromInt(Params.max_channels - 1));
        return .{
            .wave = @enumFromInt(wave_i),
            .pulse_width = get(p, S.pulse_width, 0.05, 0.95),
            .pitch_offset = 12 * @round(get(p, S.octave, -4, 4)) + get(p, S.detune_cents, -1200, 1200) / 100,
            .env = Envelope.Coefs.compute(
                get(p, S.attack_ms, 0, 10000),
                get(p, S.decay_ms, 1, 10000),
                get(p, S.sustain, 0, 1),
                get(p, S.release_ms, 1, 20000),
                fs,
            ),
            .log2_cutoff = @log2(get(p, S.cutoff_hz, 20, 20000)),
            .k = Svf.kFromResonance(get(p, S.resonance, 0, 1)),
            .env_amount = get(p, S.env_amount, -8, 8),
            .key_track = get(p, S.key_track, 0, 1),
            .gain = gain,
            .polyphony = @intFromFloat(@round(get(p, S.polyphony, 1, @floatFromInt(Params.max_voices)))),
            .glide_samples = get(p, S.glide_ms, 0, 5000) * fs / 1000,
            .velocity_sense = get(p, S.velocity_sense, 0, 1),
            .channel = @intFromFloat(@round(ch)),
        };
    }

    fn get(p: *const [Params.stride]f32, i: usize, lo: f32, hi: f32) f32 {
        const v = p[i];
        const x = if (std.math.isFinite(v)) v else Params.synth.defaults[i];
        return std.math.clamp(x, lo, hi);
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

/// Renders quantum frames [from, to) and ADDS the voice's output to `out`. Frees the voice (sets
/// `active = false`) when it has become silent or finished fading.
pub fn render(self: *Voice, p: *const Patch, tables: *const Oscillator.Tables, fs: f32, out: *[quantum]f32, from: usize, to: usize) void {
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

test "Voice patch sanitizes non-finite parameters" {
    var p = Params.synth.defaults;
    for (&p) |*x| x.* = std.math.nan(f32);
    const a = Patch.fromParams(&p, 48000);
    const d = Patch.fromParams(&Params.synth.defaults, 48000);
    try std.testing.expectEqual(d.wave, a.wave);
    try std.testing.expectEqual(d.gain, a.gain);
    try std.testing.expectEqual(d.polyphony, a.polyphony);
    try std.testing.expectEqual(d.env.attack_c, a.env.attack_c);
    try std.testing.expectEqual(d.channel, a.channel);
    p = Params.synth.defaults;
    p[Params.synth.gain_db] = -std.math.inf(f32);
    p[Params.synth.cutoff_hz] = std.math.inf(f32);
    p[Params.synth.wave] = 99;
    const b = Patch.fromParams(&p, 48000);
    try std.testing.expectEqual(@as(f32, 0), b.gain);
    try std.testing.expectEqual(d.log2_cutoff, b.log2_cutoff);
    try std.testing.expectEqual(Oscillator.Wave.pulse, b.wave);
}
