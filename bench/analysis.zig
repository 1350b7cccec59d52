//! WebAssembly harness for the analysis cost figures (bench/analysis-wasm.mjs builds and runs it):
//! one strip's `Analysis` with one kind enabled at a time, fed the same noise quantum.
const std = @import("std");
const Analysis = @import("../dsp/Analysis.zig");
const Loudness = @import("../dsp/Loudness.zig");
const Spectrum = @import("../dsp/Spectrum.zig");
const Scope = @import("../dsp/Scope.zig");

var a: Analysis = undefined;
var loudness: Loudness = undefined;
var spectrum: Spectrum = undefined;
var scope: Scope = undefined;
/// One second of independent noise per channel, walked through a quantum at a time (a repeated
/// 128-frame block would be periodic and leave most FFT bins at exactly zero).
var l: [48000]f32 = undefined;
var r: [48000]f32 = undefined;
var at: usize = 0;
var out: [1024]f32 = undefined;

export fn bench_init() void {
    a = Analysis.init(48000);
    loudness = Loudness.init(48000);
    spectrum.init();
    scope = .{};
    a.loudness = &loudness;
    a.spectrum = &spectrum;
    a.scope = &scope;
    var prng = std.rand.DefaultPrng.init(11);
    for (&l, &r) |*x, *y| {
        x.* = prng.random().float(f32) - 0.5;
        y.* = prng.random().float(f32) - 0.5;
    }
}

/// Run `n` quanta with the kinds in `mask` (bits of Analysis.Kind).
export fn bench_process(mask: u32, n: u32) void {
    a.setMask(mask);
    for (0..n) |_| {
        a.process(l[at..][0..128], r[at..][0..128]);
        at = if (at + 256 > l.len) 0 else at + 128;
    }
}

export fn bench_analyze(size: u32, n: u32) void {
    spectrum.setSize(size) catch return;
    for (0..n) |_| spectrum.analyze();
}

/// One quantum pushed before each capture, as between two display frames (and so the capture of an
/// unchanged ring cannot be hoisted out of the loop by the optimiser).
export fn bench_capture(n: u32) f32 {
    var s: f32 = 0;
    for (0..n) |_| {
        scope.push(l[at..][0..128], r[at..][0..128]);
        at = if (at + 256 > l.len) 0 else at + 128;
        s += scope.capture(&out).age;
    }
    return s;
}

export fn bench_readers(n: u32) f32 {
    var s: f32 = 0;
    for (0..n) |_| s += loudness.integrated() + loudness.loudnessRange();
    return s;
}

/// The capture buffer, exported so its stores are observable (otherwise they are dead stores).
export fn bench_out() [*]f32 {
    return &out;
}
