//! Test root for the synth voice engine: `zig test dsp/synth_tests.zig` runs the unit tests of
//! NoteEvent, Oscillator, Envelope, Svf, Voice and VoicePool, and the rendered-audio tests below
//! (pitch, aliasing, timing, envelopes, stealing, limits, robustness, speed).
//! Run with `-O ReleaseFast` to get a meaningful ns/voice/quantum figure from the speed test.
const std = @import("std");
const builtin = @import("builtin");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const VoicePool = @import("VoicePool.zig");
const NoteEvent = @import("note_event.zig").NoteEvent;
const S = contract.synth;
const Kind = NoteEvent.Kind;

test {
    _ = @import("note_event.zig");
    _ = @import("Oscillator.zig");
    _ = @import("Envelope.zig");
    _ = @import("Svf.zig");
    _ = @import("Voice.zig");
    _ = @import("VoicePool.zig");
}

const fs: f32 = 48000;
const Q = contract.quantum;

// Large state lives in globals, as in main.zig.
var pool: VoicePool = undefined;
var params: [contract.max_synths][contract.stride]f32 = undefined;
var out: [16]lanes.GroupBuf = undefined;
var touched: [16]bool = undefined;
var frame: u64 = 0;
var rec: [1 << 18]f32 = undefined;

/// Fresh pool; synth 0 -> channel 0; sustain 1, attack 0, filter open.
fn setup() void {
    pool.init(fs);
    for (&params) |*p| p.* = S.defaults;
    params[0][S.channel] = 0;
    params[0][S.attack_ms] = 0;
    params[0][S.sustain] = 1;
    params[0][S.gain_db] = 0;
    frame = 0;
}

fn note(kind: u32, synth: u32, id: u32, pitch: f32, at: u64) void {
    std.debug.assert(pool.push(NoteEvent.make(kind, synth, id, pitch, 1, at)));
}

/// Renders `n` frames (multiple of Q) and records channel `ch` (left) into rec[0..n].
fn run(n: usize, ch: usize) []f32 {
    var i: usize = 0;
    while (i < n) : (i += Q) {
        for (&out) |*g| g.clear();
        @memset(&touched, false);
        pool.render(frame, &params, &out, &touched);
        for (0..Q) |j| rec[i + j] = out[ch / 4].l[j][ch % 4];
        frame += Q;
    }
    return rec[0..n];
}

// ---------------------------------------------------------------- spectrum helpers
const fft_n = 1 << 16;
var re: [fft_n]f64 = undefined;
var im: [fft_n]f64 = undefined;
var mag: [fft_n / 2]f64 = undefined;

fn fft(r: []f64, m: []f64) void {
    const n = r.len;
    var j: usize = 0;
    for (1..n) |i| {
        var bit = n >> 1;
        while (j & bit != 0) : (bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            std.mem.swap(f64, &r[i], &r[j]);
            std.mem.swap(f64, &m[i], &m[j]);
        }
    }
    var len: usize = 2;
    while (len <= n) : (len <<= 1) {
        const ang = -2.0 * std.math.pi / @as(f64, @floatFromInt(len));
        var k: usize = 0;
        while (k < n) : (k += len) {
            for (0..len / 2) |t| {
                const a = ang * @as(f64, @floatFromInt(t));
                const wr = @cos(a);
                const wi = @sin(a);
                const xr = r[k + t + len / 2] * wr - m[k + t + len / 2] * wi;
                const xi = r[k + t + len / 2] * wi + m[k + t + len / 2] * wr;
                r[k + t + len / 2] = r[k + t] - xr;
                m[k + t + len / 2] = m[k + t] - xi;
                r[k + t] += xr;
                m[k + t] += xi;
            }
        }
    }
}

/// 4-term Blackman-Harris windowed magnitude spectrum (dB) of x[0..fft_n].
fn spectrum(x: []const f32) void {
    for (0..fft_n) |i| {
        const t = 2.0 * std.math.pi * @as(f64, @floatFromInt(i)) / @as(f64, fft_n - 1);
        const w = 0.35875 - 0.48829 * @cos(t) + 0.14128 * @cos(2 * t) - 0.01168 * @cos(3 * t);
        re[i] = x[i] * w;
        im[i] = 0;
    }
    fft(&re, &im);
    for (&mag, 0..) |*m, i| m.* = 10 * std.math.log10(re[i] * re[i] + im[i] * im[i] + 1e-300);
}

/// Peak frequency near `hz` with Gaussian (log-parabolic) interpolation.
fn peakHz(hz: f64) f64 {
    const bin_hz = @as(f64, fs) / fft_n;
    const c: usize = @intFromFloat(@round(hz / bin_hz));
    var b = c - 8;
    for (c - 8..c + 9) |i| if (mag[i] > mag[b]) {
        b = i;
    };
    const a = mag[b - 1];
    const m = mag[b];
    const z = mag[b + 1];
    const d = 0.5 * (a - z) / (a - 2 * m + z);
    return (@as(f64, @floatFromInt(b)) + d) * bin_hz;
}

/// Strongest non-harmonic component relative to the fundamental `f0`, in dB. Bins within 12 bins
/// of a harmonic (or DC) are skipped; the measurement floor is the Blackman-Harris leakage of the
/// fundamental 12 bins out, about -105 dB.
fn aliasDb(f0: f64) f64 {
    const bin_hz = @as(f64, fs) / fft_n;
    const guard = 12.0; // bins; BH main lobe is +-4 bins, side lobes -92 dB
    var worst: f64 = -400;
    for (mag, 0..) |m, i| {
        const f = @as(f64, @floatFromInt(i)) * bin_hz;
        const h = @round(f / f0);
        if (@fabs(f - h * f0) < guard * bin_hz) continue; // harmonic (h = 0: DC)
        worst = @max(worst, m);
    }
    return worst - peakLevel(f0);
}

fn peakLevel(f0: f64) f64 {
    const bin_hz = @as(f64, fs) / fft_n;
    const c: usize = @intFromFloat(@round(f0 / bin_hz));
    var m: f64 = -400;
    for (c - 6..c + 7) |i| m = @max(m, mag[i]);
    return m;
}

fn pitchHz(p: f32) f64 {
    return 440 * std.math.pow(f64, 2, (@as(f64, p) - 69) / 12);
}

fn pitchFor(hz: f64) f32 {
    return @floatCast(69 + 12 * std.math.log2(hz / 440));
}

// ---------------------------------------------------------------- tests

test "pitch within 1 cent (wave, note, octave, detune)" {
    const W = contract.Wave;
    const cases = [_]struct { wave: W, pitch: f32, octave: f32, detune: f32 }{
        .{ .wave = .sine, .pitch = 69, .octave = 0, .detune = 0 },
        .{ .wave = .saw, .pitch = 36, .octave = 0, .detune = 0 },
        .{ .wave = .saw, .pitch = 60.5, .octave = 1, .detune = 0 },
        .{ .wave = .square, .pitch = 45, .octave = -1, .detune = 37 },
        .{ .wave = .triangle, .pitch = 81, .octave = 0, .detune = -250 },
        .{ .wave = .pulse, .pitch = 100, .octave = 0, .detune = 0 },
        .{ .wave = .saw, .pitch = 24, .octave = 0, .detune = 0 },
    };
    for (cases) |c| {
        setup();
        params[0][S.wave] = @floatFromInt(@intFromEnum(c.wave));
        params[0][S.octave] = c.octave;
        params[0][S.detune_cents] = c.detune;
        params[0][S.pulse_width] = 0.3;
        note(Kind.note_on, 0, 1, c.pitch, 0);
        _ = run(4 * Q, 0);
        const x = run(fft_n, 0);
        spectrum(x);
        const want = pitchHz(c.pitch + 12 * c.octave + c.detune / 100);
        const got = peakHz(want);
        const cents = 1200 * std.math.log2(got / want);
        try std.testing.expect(@fabs(cents) < 1.0);
    }
}

test "aliasing >= 60 dB below the fundamental" {
    const W = contract.Wave;
    const cases = [_]struct { wave: W, hz: f64, pw: f32 = 0.5 }{
        .{ .wave = .saw, .hz = 5000 },
        .{ .wave = .square, .hz = 5000 },
        .{ .wave = .pulse, .hz = 5000, .pw = 0.3 },
        .{ .wave = .pulse, .hz = 5000, .pw = 0.1 },
        .{ .wave = .triangle, .hz = 5000 },
        .{ .wave = .sine, .hz = 5000 },
        .{ .wave = .saw, .hz = 1234.5 },
        .{ .wave = .saw, .hz = 55 },
        .{ .wave = .square, .hz = 3520 },
        .{ .wave = .saw, .hz = 11000 },
    };
    for (cases) |c| {
        setup();
        params[0][S.wave] = @floatFromInt(@intFromEnum(c.wave));
        params[0][S.pulse_width] = c.pw;
        params[0][S.cutoff_hz] = 20000;
        params[0][S.resonance] = 0;
        note(Kind.note_on, 0, 1, pitchFor(c.hz), 0);
        _ = run(8 * Q, 0);
        spectrum(run(fft_n, 0));
        const db = aliasDb(c.hz);
        std.debug.print("\n  alias {s:>8} pw {d:.2} {d:>7.1} Hz: {d:.1} dB", .{ @tagName(c.wave), c.pw, c.hz, db });
        try std.testing.expect(db <= -60);
    }
    std.debug.print("\n", .{});
}

test "note starts at its exact frame; late events counted" {
    const offsets = [_]u64{ 0, 1, 37, 127, 128, 300 };
    for (offsets) |f| {
        setup();
        params[0][S.wave] = @floatFromInt(@intFromEnum(contract.Wave.saw));
        note(Kind.note_on, 0, 1, 60, 1000 + f);
        frame = 1000 - 1000 % Q; // quantum containing frame 1000 starts earlier
        const start = frame;
        const x = run(4 * Q, 0);
        const idx: usize = @intCast(1000 + f - start);
        for (x[0..idx]) |s| try std.testing.expectEqual(@as(f32, 0), s);
        try std.testing.expect(x[idx] != 0);
    }
    setup();
    frame = 10 * Q;
    note(Kind.note_on, 0, 1, 60, 5);
    const x = run(Q, 0);
    try std.testing.expect(x[0] != 0);
    try std.testing.expectEqual(@as(u32, 1), pool.late_events);
    // Frame 0 is "as soon as possible" (noteOn without a time, all notes off, a slot's stop on a
    // new owner): it starts at the quantum's first frame and is not late (the soak found every
    // synth removal counted as a late note).
    note(Kind.note_on, 0, 2, 64, 0);
    note(Kind.release_all, 0, 0, 0, 0);
    note(Kind.stop_all, 0, 0, 0, 0);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 1), pool.late_events);
}

test "a hard stop with an id cancels the synth's queued events; without one they stay" {
    for ([_]u32{ 0, 1 }) |id| {
        setup();
        params[0][S.wave] = 0;
        params[1][S.wave] = 0;
        frame = 0;
        note(Kind.note_on, 0, 5, 60, 4 * Q); // scheduled for later by synth 0
        note(Kind.note_on, 1, 6, 64, 4 * Q); // and by synth 1, which is not stopped
        note(Kind.stop_all, 0, id, 0, 0);
        _ = run(8 * Q, 0);
        const x0 = rec[4 * Q .. 8 * Q];
        var peak: f32 = 0;
        for (x0) |v| peak = @max(peak, @fabs(v));
        if (id == 0) try std.testing.expect(peak > 0.01) else try std.testing.expectEqual(@as(f32, 0), peak);
        // Synth 1's note sounds either way; synth 0's only without the cancel.
        try std.testing.expectEqual(@as(usize, if (id == 0) 2 else 1), pool.activeVoices());
    }
}

test "envelope: attack reaches full level on time; release frees at -100 dB" {
    // Attack: sine through an open filter; the peak over each 1 ms window tracks the envelope.
    const cases = [_]struct { attack: f32, release: f32 }{ .{ .attack = 50, .release = 100 }, .{ .attack = 200, .release = 300 } };
    for (cases) |c| {
        setup();
        params[0][S.wave] = 0;
        params[0][S.attack_ms] = c.attack;
        params[0][S.release_ms] = c.release;
        note(Kind.note_on, 0, 1, 81, 0); // 880 Hz
        const na: usize = @intFromFloat(c.attack * fs / 1000);
        const x = run((na / Q + 40) * Q, 0);
        var full: f32 = 0;
        for (x[na + 2000 ..]) |s| full = @max(full, @fabs(s));
        var before: f32 = 0;
        for (x[na - 1200 .. na - 900]) |s| before = @max(before, @fabs(s));
        var at: f32 = 0;
        for (x[na - 60 .. na + 60]) |s| at = @max(at, @fabs(s));
        try std.testing.expect(before < 0.995 * full); // still rising ~20 ms before
        try std.testing.expectApproxEqRel(full, at, 0.01); // at full level at attack_ms
        // Release: -60 dB after release_ms; freed when below -100 dB (at 5/3 release_ms).
        note(Kind.note_off, 0, 1, 81, frame);
        const nr: usize = @intFromFloat(c.release * fs / 1000);
        const y = run((nr * 17 / 10 / Q + 2) * Q, 0);
        var late: f32 = 0;
        for (y[nr - 60 .. nr + 60]) |s| late = @max(late, @fabs(s));
        try std.testing.expectApproxEqRel(@as(f32, 0.001), late / full, 0.1);
        try std.testing.expectEqual(@as(u32, 0), pool.activeVoices());
    }
}

test "decay reaches sustain +1/1000 of the distance after decay_ms" {
    setup();
    params[0][S.wave] = 0;
    params[0][S.decay_ms] = 100;
    params[0][S.sustain] = 0.25;
    note(Kind.note_on, 0, 1, 81, 0);
    const x = run(48 * Q * 4, 0);
    var peak_at_decay: f32 = 0;
    for (x[4800 - 60 .. 4800 + 60]) |s| peak_at_decay = @max(peak_at_decay, @fabs(s));
    var sus: f32 = 0;
    for (x[20000..]) |s| sus = @max(sus, @fabs(s));
    // Output amplitude (sine * filter at 880 Hz, ~1): level = 0.25 + 0.75e-3 at decay_ms.
    try std.testing.expectApproxEqRel(@as(f32, 0.25075 / 0.25), peak_at_decay / sus, 0.001);
}

fn maxStep(x: []const f32) f32 {
    var m: f32 = 0;
    for (1..x.len) |i| m = @max(m, @fabs(x[i] - x[i - 1]));
    return m;
}

test "stealing: policy order, <= 5 ms fade, no click" {
    // Oldest held voice is stolen when polyphony is reached.
    setup();
    params[0][S.polyphony] = 2;
    note(Kind.note_on, 0, 1, 60, 0);
    note(Kind.note_on, 0, 2, 64, 10);
    note(Kind.note_on, 0, 3, 67, 20);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 2), pool.activeVoices());
    try std.testing.expectEqual(@as(u32, 1), pool.stolen);
    try std.testing.expect(!hasId(1) and hasId(2) and hasId(3));

    // A released voice is stolen before an older held one; the quietest released first.
    setup();
    params[0][S.polyphony] = 3;
    params[0][S.release_ms] = 2000;
    note(Kind.note_on, 0, 1, 60, 0);
    note(Kind.note_on, 0, 2, 64, 0);
    note(Kind.note_on, 0, 3, 67, 0);
    note(Kind.note_off, 0, 2, 0, 1000); // released earlier -> quieter
    note(Kind.note_off, 0, 3, 0, 5000);
    note(Kind.note_on, 0, 4, 72, 6000);
    _ = run(50 * Q, 0);
    try std.testing.expect(hasId(1) and !hasId(2) and hasId(3) and hasId(4));

    // Click test: a sine voice is stolen mid-quantum by a silent note (velocity 0, full velocity
    // sense), so the output is the stolen voice alone: its fade must not step more than the sine
    // itself, and it must be silent 5 ms (240 frames) after the steal.
    setup();
    params[0][S.wave] = 0;
    params[0][S.polyphony] = 1;
    note(Kind.note_on, 0, 1, 69, 0);
    try std.testing.expect(pool.push(NoteEvent.make(Kind.note_on, 0, 2, 69, 0, 1000 + 77)));
    const x = run(40 * Q, 0);
    const sine_step = 2 * std.math.pi * 440.0 / fs; // amplitude ~1
    try std.testing.expect(maxStep(x[100..]) < 1.02 * sine_step);
    var before: f32 = 0;
    for (x[1077 - 120 .. 1077]) |s| before = @max(before, @fabs(s));
    try std.testing.expect(before > 0.9);
    for (x[1077 + 240 ..]) |s| try std.testing.expectEqual(@as(f32, 0), s);
    try std.testing.expectEqual(@as(u32, 1), pool.stolen);
    var still = false;
    for (pool.faders) |f| still = still or f.active;
    try std.testing.expect(!still);
    // The fade slot holds the stolen voice for 4 ms, then is free again.
    setup();
    params[0][S.polyphony] = 1;
    note(Kind.note_on, 0, 1, 69, 0);
    note(Kind.note_on, 0, 2, 69, Q);
    _ = run(2 * Q, 0);
    var n_active: usize = 0;
    for (pool.faders) |f| n_active += @intFromBool(f.active);
    try std.testing.expectEqual(@as(usize, 1), n_active); // fading (4 ms = 192 samples > 128)
    _ = run(Q, 0);
    n_active = 0;
    for (pool.faders) |f| n_active += @intFromBool(f.active);
    try std.testing.expectEqual(@as(usize, 0), n_active);
}

fn hasId(id: u32) bool {
    for (pool.voices) |v| if (v.active and v.id == id) return true;
    return false;
}

test "polyphony limit and pool exhaustion" {
    setup();
    params[0][S.polyphony] = 3;
    for (0..10) |i| note(Kind.note_on, 0, @intCast(i + 1), 60 + @as(f32, @floatFromInt(i)), i);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 3), pool.activeVoices());
    try std.testing.expectEqual(@as(u32, 7), pool.stolen);

    setup();
    params[0][S.polyphony] = 128;
    params[1] = params[0];
    params[1][S.channel] = 1;
    for (0..contract.max_voices) |i| note(Kind.note_on, 0, @intCast(i + 1), 40 + @as(f32, @floatFromInt(i % 40)), 0);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 128), pool.activeVoices());
    note(Kind.note_on, 1, 500, 60, frame);
    _ = run(Q, 1);
    try std.testing.expectEqual(@as(u32, 128), pool.activeVoices());
    try std.testing.expectEqual(@as(u32, 1), pool.stolen);
    try std.testing.expect(!hasId(1) and hasId(500)); // oldest (seq 1) of the whole pool
    try std.testing.expect(touched[0]);
}

test "voice cap (quality levels 3 and 4): surplus voices fade out in <= 5 ms without a click; new notes steal" {
    // 128 sine voices on one channel, pitches spread so they do not cancel; the output is their sum.
    setup();
    params[0][S.wave] = 0;
    params[0][S.polyphony] = 128;
    params[0][S.gain_db] = -42; // 128 voices: keep the sum near ±1
    for (0..contract.max_voices) |i| note(Kind.note_on, 0, @intCast(i + 1), 36 + @as(f32, @floatFromInt(i)) * 0.37, 0);
    const n0 = 40 * Q;
    const a = run(n0, 0);
    var step0: f32 = 0;
    for (a[Q..], Q..) |v, k| step0 = @max(step0, @fabs(v - a[k - 1]));
    try std.testing.expectEqual(@as(u32, 128), pool.activeVoices());
    // Cap 32: 96 voices fade out (the oldest held notes), each in 4 ms like a stolen voice.
    pool.setVoiceCap(32);
    const b = run(20 * Q, 0);
    var step1: f32 = 0;
    for (b, 0..) |v, k| step1 = @max(step1, @fabs(v - (if (k == 0) a[n0 - 1] else b[k - 1])));
    std.debug.print("\n  voice cap 32: largest step {d:.4} (before {d:.4})", .{ step1, step0 });
    try std.testing.expect(step1 <= step0); // the fades only lower the sum's slope
    try std.testing.expectEqual(@as(u32, 32), pool.activeVoices());
    try std.testing.expectEqual(@as(u32, 96), pool.stolen);
    try std.testing.expect(!hasId(1) and !hasId(96) and hasId(97) and hasId(128));
    // Within the 5 ms (240 frames) fade bound: after 2 quanta (256 frames) only 32 voices sound.
    setup();
    for (0..contract.max_voices) |i| note(Kind.note_on, 0, @intCast(i + 1), 40, 0);
    params[0][S.polyphony] = 128;
    _ = run(Q, 0);
    pool.setVoiceCap(64);
    _ = run(2 * Q, 0);
    try std.testing.expectEqual(@as(u32, 64), pool.activeVoices());
    // At the cap a note on steals from the whole pool (the oldest), as an exhausted pool does.
    note(Kind.note_on, 0, 900, 60, frame);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 64), pool.activeVoices());
    try std.testing.expect(hasId(900) and !hasId(65));
    // Back to full: no voice comes back, new notes take free voices again.
    pool.setVoiceCap(contract.max_voices);
    note(Kind.note_on, 0, 901, 61, frame);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 65), pool.activeVoices());
}

test "note off by id and by pitch; all notes off; hard stop" {
    setup();
    params[0][S.release_ms] = 10;
    note(Kind.note_on, 0, 1, 60, 0);
    note(Kind.note_on, 0, 2, 64, 0);
    note(Kind.note_on, 0, 3, 64, 0);
    note(Kind.note_off, 0, 0, 64, 200);
    _ = run(20 * Q, 0);
    try std.testing.expect(hasId(1) and !hasId(2) and !hasId(3));
    note(Kind.note_on, 0, 4, 67, frame);
    note(Kind.release_all, 0, 0, 0, frame + 5);
    _ = run(20 * Q, 0);
    try std.testing.expectEqual(@as(u32, 0), pool.activeVoices());

    // Hard stop: silent within 5 ms, with no step larger than the waveform's own.
    setup();
    params[0][S.wave] = 0;
    params[0][S.release_ms] = 5000;
    note(Kind.note_on, 0, 1, 69, 0);
    note(Kind.note_on, 0, 2, 76, 0);
    note(Kind.stop_all, 0, 0, 0, 1000);
    const x = run(20 * Q, 0);
    for (x[1000 + 240 ..]) |s| try std.testing.expectEqual(@as(f32, 0), s);
    try std.testing.expectEqual(@as(u32, 0), pool.activeVoices());
    const step = 2 * std.math.pi * (440.0 + 659.3) / fs;
    try std.testing.expect(maxStep(x[100..]) < 1.1 * step); // after the attack-0 onsets
}

test "event queue: ordering, capacity, invalid events" {
    setup();
    try std.testing.expect(pool.push(NoteEvent.make(Kind.note_on, 0, 2, 64, 1, 50)));
    try std.testing.expect(pool.push(NoteEvent.make(Kind.note_on, 0, 1, 60, 1, 10)));
    try std.testing.expectEqual(@as(u64, 10), pool.queue[pool.q_head].frame());
    for (2..contract.event_ring) |i| try std.testing.expect(pool.push(NoteEvent.make(Kind.note_off, 0, 99, 60, 1, 1000 + i)));
    try std.testing.expect(!pool.push(NoteEvent.make(Kind.note_off, 0, 99, 60, 1, 5)));
    try std.testing.expectEqual(@as(u32, 1), pool.dropped_events);
    try std.testing.expect(!pool.push(NoteEvent.make(7, 0, 0, 60, 1, 5)));
    try std.testing.expectEqual(@as(u32, 1), pool.invalid_events);
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(usize, contract.event_ring - 2), pool.pendingEvents());
    try std.testing.expectEqual(@as(u32, 2), pool.activeVoices());
}

test "non-finite parameters and velocity never poison state" {
    setup();
    for (&params[0], 0..) |*p, i| {
        if (i != S.channel) p.* = std.math.nan(f32);
    }
    try std.testing.expect(pool.push(NoteEvent.make(Kind.note_on, 0, 1, 60, std.math.nan(f32), 0)));
    var x = run(8 * Q, 0);
    var energy: f32 = 0;
    for (x) |s| {
        try std.testing.expect(std.math.isFinite(s));
        energy += s * s;
    }
    try std.testing.expect(energy > 0);
    // Mid-note garbage in every parameter, including Inf and huge values.
    const garbage = [_]f32{ std.math.inf(f32), -std.math.inf(f32), 1e30, -1e30, std.math.nan(f32) };
    for (garbage) |gv| {
        for (&params[0], 0..) |*p, i| {
            if (i != S.channel) p.* = gv;
        }
        x = run(4 * Q, 0);
        for (x) |s| try std.testing.expect(std.math.isFinite(s));
    }
    for (pool.voices) |v| if (v.active) {
        try std.testing.expect(std.math.isFinite(v.svf.ic1) and std.math.isFinite(v.svf.ic2));
        try std.testing.expect(std.math.isFinite(v.env.level) and std.math.isFinite(v.g));
    };
}

test "glide moves from the previous note's pitch over glide_ms" {
    setup();
    params[0][S.wave] = 0;
    params[0][S.polyphony] = 1;
    params[0][S.glide_ms] = 200;
    note(Kind.note_on, 0, 1, 57, 0);
    note(Kind.note_on, 0, 2, 69, 4800);
    const x = run(200 * Q, 0);
    // Mid-glide (100 ms in) the pitch is ~63 (311 Hz); after it, 69 (440 Hz).
    const mid = zeroCrossHz(x[4800 + 4800 - 480 .. 4800 + 4800 + 480]);
    const end = zeroCrossHz(x[4800 + 12000 .. 4800 + 12000 + 4800]);
    try std.testing.expectApproxEqRel(pitchHz(63), mid, 0.02);
    try std.testing.expectApproxEqRel(@as(f64, 440), end, 0.002);
}

fn zeroCrossHz(x: []const f32) f64 {
    var first: ?f64 = null;
    var last: f64 = 0;
    var n: usize = 0;
    for (1..x.len) |i| if (x[i - 1] < 0 and x[i] >= 0) {
        const t = @as(f64, @floatFromInt(i - 1)) + x[i - 1] / (x[i - 1] - x[i]);
        if (first == null) first = t else n += 1;
        last = t;
    };
    return @as(f64, @floatFromInt(n)) * fs / (last - first.?);
}

test "output lands in lane ch % 4 of group ch / 4, added to a touched group, stored into an untouched one; channel -1 silent" {
    setup();
    params[0][S.channel] = 6;
    params[1] = params[0];
    params[1][S.channel] = -1;
    note(Kind.note_on, 0, 1, 60, 0);
    note(Kind.note_on, 1, 1, 60, 0);
    for (&out) |*g| g.clear();
    out[1].l[5] = lanes.V{ 1, 1, 0, 1 };
    out[2].l[5] = lanes.V{ 7, 7, 7, 7 }; // stale: group 2 not touched, and no voice plays into it
    @memset(&touched, false);
    touched[1] = true; // group 1 already holds audio: added to
    pool.render(0, &params, &out, &touched);
    for (touched, 0..) |t, g| try std.testing.expectEqual(g == 1, t);
    try std.testing.expectEqual(lanes.V{ 7, 7, 7, 7 }, out[2].l[5]);
    var energy: f32 = 0;
    for (0..Q) |i| {
        energy += @fabs(out[1].l[i][2]);
        try std.testing.expectEqual(out[1].l[i][2], out[1].r[i][2]);
        for ([_]usize{ 0, 1, 3 }) |k| try std.testing.expectEqual(if (i == 5) @as(f32, 1) else 0, out[1].l[i][k]);
    }
    try std.testing.expect(energy > 0);
    try std.testing.expectEqual(@as(u32, 2), pool.activeVoices()); // channel -1 voice still runs
    // Untouched group: stale content is overwritten (lanes without a voice become 0).
    for (&out[1].l) |*v| v.* = lanes.V{ 9, 9, 9, 9 };
    @memset(&touched, false);
    pool.render(Q, &params, &out, &touched);
    try std.testing.expect(touched[1]);
    for (0..Q) |i| for ([_]usize{ 0, 1, 3 }) |k| try std.testing.expectEqual(@as(f32, 0), out[1].l[i][k]);
}

test "waveform and parameter changes on a sounding voice do not click" {
    setup();
    params[0][S.wave] = 0;
    note(Kind.note_on, 0, 1, 57, 0);
    _ = run(10 * Q, 0);
    var worst: f32 = 0;
    const changes = [_]struct { i: usize, v: f32 }{
        .{ .i = S.wave, .v = 1 },        .{ .i = S.gain_db, .v = -20 },     .{ .i = S.gain_db, .v = 0 },
        .{ .i = S.cutoff_hz, .v = 300 }, .{ .i = S.cutoff_hz, .v = 20000 }, .{ .i = S.resonance, .v = 0.9 },
    };
    for (changes) |c| {
        params[0][c.i] = c.v;
        worst = @max(worst, maxStep(run(4 * Q, 0)));
    }
    // Triangle/sine at 220 Hz and amplitude <= ~1.3 (resonance): steps ~0.03..0.1.
    try std.testing.expect(worst < 0.15);
}

test "speed: ns per voice per quantum (meaningful with -O ReleaseFast)" {
    setup();
    for (0..16) |s| {
        params[s] = params[0];
        params[s][S.channel] = @floatFromInt(s);
        params[s][S.wave] = @floatFromInt(s % 5);
        params[s][S.cutoff_hz] = 800;
        params[s][S.env_amount] = 3;
        params[s][S.resonance] = 0.5;
        params[s][S.key_track] = 0.5;
        for (0..8) |v| note(Kind.note_on, @intCast(s), @intCast(v + 1), 40 + @as(f32, @floatFromInt(v * 5 + s)), 0);
    }
    _ = run(Q, 0);
    try std.testing.expectEqual(@as(u32, 128), pool.activeVoices());
    const quanta: usize = if (builtin.mode == .Debug) 20 else 2000;
    var timer = try std.time.Timer.start();
    for (0..quanta) |_| {
        for (&out) |*g| g.clear();
        pool.render(frame, &params, &out, &touched);
        frame += Q;
    }
    const ns = @as(f64, @floatFromInt(timer.read())) / @as(f64, @floatFromInt(quanta * 128));
    const budget = 1e9 * @as(f64, Q) / fs;
    std.debug.print("\n  speed ({s}): {d:.0} ns per voice per quantum; 128 voices = {d:.1}% of a quantum\n", .{ @tagName(builtin.mode), ns, 100 * ns * 128 / budget });
    try std.testing.expectEqual(@as(u32, 128), pool.activeVoices());
}
