//! Spectrum analyser for one strip: windowed real FFT of 2048, 4096 or 8192 points of the mono
//! mix (L + R)/2, magnitude in dBFS, exponential smoothing over time, optional fractional-octave
//! smoothing. Fixed buffers for the largest size; nothing allocated.
//!
//! FFT: an N-point real FFT as an N/2-point complex FFT of z[n] = x[2n] + i·x[2n+1] followed by
//! the split X[k] = ½(Z[k] + Z*[M−k]) − ½i·e^(−2πik/N)(Z[k] − Z*[M−k]), M = N/2 (Cooley–Tukey
//! radix-2 decimation in time, iterative, bit-reversed input; e.g. Oppenheim & Schafer §9.3, the
//! split after Brigham, "The FFT", §10). In f32 on split re/im arrays, so every stage with a
//! half-size ≥ 4 runs four butterflies at once in `@Vector(4, f32)`. Twiddles are one table per
//! stage half-size m (e^(−iπj/m), j < m, m = 1..4096, 8191 entries): contiguous for the vector
//! loads, shared by all sizes, and the m = N/2 row is also the split's e^(−2πik/N).
//!
//! Level: a sine of amplitude A centred on bin k gives |X[k]| = A·Σw/2, so the reading is
//! 20·log10(2·|X[k]|/Σw) dBFS (1·|X|/Σw at DC and Nyquist): A reads 20·log10(A) at its bin (the
//! window's coherent gain corrected). Between bins the reading drops by the window's scalloping
//! loss, at most 1.42 dB (Hann) / 0.83 dB (4-term Blackman–Harris) half-way: the tests check both
//! against the window's own DTFT. Windows are the periodic (DFT-even) forms: Hann, and Harris's
//! 4-term 92 dB Blackman–Harris (a = 0.35875, 0.48829, 0.14128, 0.01168; Harris 1978, Proc.
//! IEEE 66(1)), the default, for its −92 dB sidelobes on a meter with a 120 dB range.
//!
//! Time smoothing: P ← α·P + (1 − α)·|X|² per `analyze` (α = `smoothing`, 0..0.99, like an
//! AnalyserNode's smoothingTimeConstant but on power). Fractional-octave smoothing (1/N octave,
//! N = 1..48, 0 = off): bin k shows the mean power of the bins in [k·2^(−1/2N), k·2^(1/2N)]
//! (at least bin k itself), from a prefix sum in f64, O(bins): band means are exact down to
//! about 1e-13 of the total power (130 dB below it), far under the display range. Output `db[0..size/2+1]`, floored
//! at −200 dBFS (fast vector log2 from simd.zig, 1e-5 dB).
//!
//! API for the mixer: `init()` once (fills the twiddle table; ≈ 8k sin/cos), `setSize`/`setWindow`
//! outside the render path or once per change (they recompute the window, ≤ 8192 cos), `push(l, r)`
//! every quantum while someone reads (a copy into the history ring), `analyze()` at display rate
//! only (e.g. every 12th quantum ≈ 31 Hz at 48 kHz; it is the expensive part), then read `db`.
//! Memory ≈ 230 KB (`@sizeOf`, checked in Analysis.zig's test), so the engine should keep a small pool of these and attach one to a strip when
//! a `<daw-spectrum>` looks at it, rather than one per strip. Non-finite input samples enter the
//! history as 0 (counted in `bad_samples`).
const std = @import("std");
const simd = @import("simd.zig");

const Spectrum = @This();
const V = @Vector(4, f32);

pub const max_size = 8192;
pub const sizes = [_]u32{ 2048, 4096, 8192 };
pub const max_bins = max_size / 2 + 1;
pub const Window = enum(u8) { hann, blackman_harris };
/// Output floor, dBFS.
pub const floor_db = -200.0;

/// History of the mono input, newest at `pos − 1` (ring over `max_size`).
ring: [max_size]f32 align(16) = [_]f32{0} ** max_size,
pos: u32 = 0,
/// Window for the current size, and its scale 2/Σw.
window: [max_size]f32 align(16) = undefined,
scale: f32 = 0,
re: [max_size / 2]f32 align(16) = undefined,
im: [max_size / 2]f32 align(16) = undefined,
/// Per-stage twiddles: row m (m = 1, 2, 4, .., 4096) at offset m − 1, e^(−iπj/m).
tw_re: [max_size - 1]f32 align(16) = undefined,
tw_im: [max_size - 1]f32 align(16) = undefined,
/// Time-smoothed power per bin (amplitude² in full-scale units).
power: [max_bins]f32 align(16) = [_]f32{0} ** max_bins,
prefix: [max_bins + 1]f64 = undefined,
/// The reading, dBFS per bin (first `size/2 + 1` valid).
db: [max_bins + 3]f32 align(16) = [_]f32{floor_db} ** (max_bins + 3),
size: u32 = 4096,
window_kind: Window = .blackman_harris,
smoothing: f32 = 0.8,
/// 1/N-octave smoothing; 0 = off.
octave_n: u32 = 0,
bad_samples: u32 = 0,
/// `analyze` calls since init (readers can tell a new frame).
frames: u32 = 0,

/// Fill in place (the struct is ≈ 230 KB: keep it in static memory, not on a stack).
pub fn init(self: *Spectrum) void {
    // Field by field: a `self.* = .{}` could build the whole value on the stack first.
    @memset(&self.ring, 0);
    @memset(&self.power, 0);
    @memset(&self.db, floor_db);
    self.pos = 0;
    self.size = 4096;
    self.window_kind = .blackman_harris;
    self.smoothing = 0.8;
    self.octave_n = 0;
    self.bad_samples = 0;
    self.frames = 0;
    var m: usize = 1;
    while (m <= max_size / 2) : (m *= 2) {
        for (0..m) |j| {
            const a = -std.math.pi * @as(f64, @floatFromInt(j)) / @as(f64, @floatFromInt(m));
            self.tw_re[m - 1 + j] = @floatCast(@cos(a));
            self.tw_im[m - 1 + j] = @floatCast(@sin(a));
        }
    }
    self.computeWindow();
}

/// FFT size: 2048, 4096 or 8192 (others are rejected with error.InvalidSize; the main thread
/// validates first and reports the value and the valid set). Clears the smoothed power.
pub fn setSize(self: *Spectrum, n: u32) error{InvalidSize}!void {
    if (n != 2048 and n != 4096 and n != 8192) return error.InvalidSize;
    self.size = n;
    @memset(&self.power, 0);
    self.computeWindow();
}

pub fn setWindow(self: *Spectrum, w: Window) void {
    self.window_kind = w;
    self.computeWindow();
}

/// Time smoothing α (clamped to 0..0.99) and fractional-octave smoothing 1/N (clamped 0..48).
pub fn setSmoothing(self: *Spectrum, alpha: f32, octave_n: u32) void {
    self.smoothing = if (std.math.isFinite(alpha)) std.math.clamp(alpha, 0, 0.99) else 0.8;
    self.octave_n = @min(octave_n, 48);
}

fn computeWindow(self: *Spectrum) void {
    const n = self.size;
    var sum: f64 = 0;
    for (0..n) |i| {
        const x = 2 * std.math.pi * @as(f64, @floatFromInt(i)) / @as(f64, @floatFromInt(n));
        const w: f64 = switch (self.window_kind) {
            .hann => 0.5 - 0.5 * @cos(x),
            .blackman_harris => 0.35875 - 0.48829 * @cos(x) + 0.14128 * @cos(2 * x) - 0.01168 * @cos(3 * x),
        };
        self.window[i] = @floatCast(w);
        sum += w;
    }
    self.scale = @floatCast(2.0 / sum);
}

/// Append one run of stereo frames to the history. Real-time safe, cheap.
pub fn push(self: *Spectrum, l: []const f32, r: []const f32) void {
    const n = @min(l.len, r.len);
    var bad: u32 = 0;
    var p = self.pos;
    for (l[0..n], r[0..n]) |a, b| {
        const x = 0.5 * (a + b);
        const ok = x - x == 0;
        bad += @intFromBool(!ok);
        self.ring[p] = if (ok) x else 0;
        p = (p + 1) & (max_size - 1);
    }
    self.pos = p;
    self.bad_samples +%= bad;
}

/// Window the newest `size` samples, FFT, update the smoothed power and `db`. Display rate.
pub fn analyze(self: *Spectrum) void {
    const n = self.size;
    const m = n / 2;
    // Gather z[j] = w·x[2j] + i·w·x[2j+1] from the ring (oldest first).
    const start = (self.pos -% n) & (max_size - 1);
    for (0..m) |j| {
        const a = (start + 2 * j) & (max_size - 1);
        const b = (a + 1) & (max_size - 1);
        self.re[j] = self.ring[a] * self.window[2 * j];
        self.im[j] = self.ring[b] * self.window[2 * j + 1];
    }
    fft(self.re[0..m], self.im[0..m], &self.tw_re, &self.tw_im);

    // Split into the real signal's bins 0..m, power scaled to amplitude².
    const alpha = self.smoothing;
    const s2 = self.scale * self.scale;
    const row = m - 1;
    for (0..m + 1) |k| {
        const k1 = k % m;
        const k2 = (m - k) % m;
        const zr = self.re[k1];
        const zi = self.im[k1];
        const cr = self.re[k2];
        const ci = -self.im[k2];
        // Fe = (Z + Zc)/2, Fo = (Z − Zc)/(2i); X = Fe + W^k·Fo.
        const er = 0.5 * (zr + cr);
        const ei = 0.5 * (zi + ci);
        const or_ = 0.5 * (zi - ci);
        const oi = -0.5 * (zr - cr);
        const wr = if (k == m) -1.0 else self.tw_re[row + k];
        const wi = if (k == m) 0.0 else self.tw_im[row + k];
        // Components below 1e-18 (−360 dBFS) would square to f32 subnormals, which are slow on
        // common CPUs (WebAssembly cannot set flush-to-zero): flush them.
        var xr = er + wr * or_ - wi * oi;
        var xi = ei + wr * oi + wi * or_;
        if (@fabs(xr) < 1e-18) xr = 0;
        if (@fabs(xi) < 1e-18) xi = 0;
        // DC and Nyquist are not doubled by a mirror image.
        const edge: f32 = if (k == 0 or k == m) 0.25 else 1.0;
        const p = (xr * xr + xi * xi) * s2 * edge;
        self.power[k] = alpha * self.power[k] + (1 - alpha) * p;
    }
    if (!(self.power[0] - self.power[0] == 0)) @memset(self.power[0 .. m + 1], 0);
    // Denormal guard for a decaying smoothed power in silence.
    for (self.power[0 .. m + 1]) |*p| {
        if (p.* < 1e-30) p.* = 0;
    }

    if (self.octave_n == 0) {
        toDb(self.power[0 .. m + 1], self.db[0 .. m + 1]);
    } else {
        self.octaveSmooth(m + 1);
    }
    self.frames +%= 1;
}

fn octaveSmooth(self: *Spectrum, bins: usize) void {
    self.prefix[0] = 0;
    for (0..bins) |k| self.prefix[k + 1] = self.prefix[k] + self.power[k];
    const half = 1.0 / (2.0 * @as(f64, @floatFromInt(self.octave_n)));
    const lo_f = std.math.pow(f64, 2.0, -half);
    const hi_f = std.math.pow(f64, 2.0, half);
    // The averaged power goes into `db` and is converted there in place.
    for (0..bins) |k| {
        const kf: f64 = @floatFromInt(k);
        const lo = @min(@as(usize, @intFromFloat(@ceil(kf * lo_f))), k);
        const hi = @max(@min(@as(usize, @intFromFloat(@floor(kf * hi_f))), bins - 1), k);
        const avg = (self.prefix[hi + 1] - self.prefix[lo]) / @as(f64, @floatFromInt(hi + 1 - lo));
        self.db[k] = @floatCast(@max(avg, 0));
    }
    toDb(self.db[0..bins], self.db[0..bins]);
}

/// dB of power values (10·log10), floored at `floor_db`; `out` may alias `p`.
fn toDb(p: []const f32, out: []f32) void {
    const c: V = @splat(10.0 * 0.30102999566398119521);
    const tiny: V = @splat(1e-20);
    const fl: V = @splat(floor_db);
    var i: usize = 0;
    while (i + 4 <= p.len) : (i += 4) {
        const v: V = p[i..][0..4].*;
        out[i..][0..4].* = @select(f32, v > tiny, simd.log2(@max(v, tiny)) * c, fl);
    }
    while (i < p.len) : (i += 1) out[i] = if (p[i] > 1e-20) 10 * @log10(p[i]) else floor_db;
}

/// In-place complex FFT (forward, e^(−i…)) of `re`/`im` (length a power of two ≤ 4096).
pub fn fft(re: []f32, im: []f32, tw_re: []const f32, tw_im: []const f32) void {
    const n = re.len;
    const bits: u5 = @intCast(std.math.log2_int(usize, n));
    // Bit-reversal permutation.
    for (0..n) |i| {
        const j = @bitReverse(@as(u32, @intCast(i))) >> @intCast(@as(u6, 32) - bits);
        if (j > i) {
            std.mem.swap(f32, &re[i], &re[j]);
            std.mem.swap(f32, &im[i], &im[j]);
        }
    }
    // m = 1 and 2: twiddles 1 and (1, −i), scalar.
    var g: usize = 0;
    while (g < n) : (g += 2) {
        const ar = re[g];
        const ai = im[g];
        re[g] = ar + re[g + 1];
        im[g] = ai + im[g + 1];
        re[g + 1] = ar - re[g + 1];
        im[g + 1] = ai - im[g + 1];
    }
    if (n >= 4) {
        g = 0;
        while (g < n) : (g += 4) {
            var ar = re[g];
            var ai = im[g];
            var br = re[g + 2];
            var bi = im[g + 2];
            re[g] = ar + br;
            im[g] = ai + bi;
            re[g + 2] = ar - br;
            im[g + 2] = ai - bi;
            ar = re[g + 1];
            ai = im[g + 1];
            // b·(−i) = (bi, −br)
            br = im[g + 3];
            bi = -re[g + 3];
            re[g + 1] = ar + br;
            im[g + 1] = ai + bi;
            re[g + 3] = ar - br;
            im[g + 3] = ai - bi;
        }
    }
    var m: usize = 4;
    while (m < n) : (m *= 2) {
        const tr = tw_re[m - 1 ..][0..m];
        const ti = tw_im[m - 1 ..][0..m];
        g = 0;
        while (g < n) : (g += 2 * m) {
            var j: usize = 0;
            while (j < m) : (j += 4) {
                const wr: V = tr[j..][0..4].*;
                const wi: V = ti[j..][0..4].*;
                const a = g + j;
                const b = a + m;
                const ar: V = re[a..][0..4].*;
                const ai: V = im[a..][0..4].*;
                const xr: V = re[b..][0..4].*;
                const xi: V = im[b..][0..4].*;
                const br = xr * wr - xi * wi;
                const bi = xr * wi + xi * wr;
                re[a..][0..4].* = ar + br;
                im[a..][0..4].* = ai + bi;
                re[b..][0..4].* = ar - br;
                im[b..][0..4].* = ai - bi;
            }
        }
    }
}

// --- Tests ---------------------------------------------------------------------------------------

const testing = std.testing;

var test_spectrum: Spectrum = undefined;

fn feedSine(s: *Spectrum, amp: f64, bin: f64, quanta: usize) void {
    var q: [128]f32 = undefined;
    var t: usize = 0;
    for (0..quanta) |_| {
        for (&q) |*x| {
            x.* = @floatCast(amp * @sin(2 * std.math.pi * bin * @as(f64, @floatFromInt(t)) / @as(f64, @floatFromInt(s.size)) + 0.7));
            t += 1;
        }
        s.push(&q, &q);
    }
}

test "FFT matches a direct DFT (f64) of random data" {
    const s = &test_spectrum;
    s.init();
    var prng = std.rand.DefaultPrng.init(3);
    const rnd = prng.random();
    for ([_]usize{ 4, 8, 64, 1024, 4096 }) |n| {
        var xr: [4096]f32 = undefined;
        var xi: [4096]f32 = undefined;
        for (0..n) |i| {
            xr[i] = rnd.float(f32) * 2 - 1;
            xi[i] = rnd.float(f32) * 2 - 1;
        }
        @memcpy(s.re[0..n], xr[0..n]);
        @memcpy(s.im[0..n], xi[0..n]);
        fft(s.re[0..n], s.im[0..n], &s.tw_re, &s.tw_im);
        for ([_]usize{ 0, 1, 3, n / 2 - 1, n / 2, n - 1 }) |k| {
            var dr: f64 = 0;
            var di: f64 = 0;
            for (0..n) |i| {
                const a = -2 * std.math.pi * @as(f64, @floatFromInt(i * k % n)) / @as(f64, @floatFromInt(n));
                dr += xr[i] * @cos(a) - xi[i] * @sin(a);
                di += xr[i] * @sin(a) + xi[i] * @cos(a);
            }
            // f32 rounding grows like log2(n)·ε·√n·|x|.
            const tol = 1e-5 * @as(f64, @floatFromInt(n));
            try testing.expectApproxEqAbs(dr, s.re[k], tol);
            try testing.expectApproxEqAbs(di, s.im[k], tol);
        }
    }
}

test "a bin-centred sine of amplitude A reads 20·log10(A) dBFS at its bin (all sizes, both windows)" {
    const s = &test_spectrum;
    s.init();
    s.setSmoothing(0, 0);
    for (sizes) |n| {
        for ([_]Window{ .hann, .blackman_harris }) |w| {
            try s.setSize(n);
            s.setWindow(w);
            for ([_]f64{ 0.5, 0.01 }) |amp| {
                for ([_]f64{ 37, 300, @as(f64, @floatFromInt(n)) / 2 - 40 }) |bin| {
                    feedSine(s, amp, bin, n / 128);
                    s.analyze();
                    const k: usize = @intFromFloat(bin);
                    const want: f32 = @floatCast(20 * @log10(amp));
                    try testing.expectApproxEqAbs(want, s.db[k], 0.5);
                    // In fact far closer: f32 only.
                    try testing.expectApproxEqAbs(want, s.db[k], 0.01);
                    // It is the peak, and far bins are far down (window sidelobes).
                    for (s.db[0 .. n / 2 + 1], 0..) |d, i| {
                        try testing.expect(d <= s.db[k]);
                        const dist = if (i > k) i - k else k - i;
                        if (dist > 8) try testing.expect(d < want - 60);
                    }
                }
            }
        }
    }
}

test "between bins the level drops by the window's own scalloping loss" {
    const s = &test_spectrum;
    s.init();
    s.setSmoothing(0, 0);
    for ([_]Window{ .hann, .blackman_harris }) |w| {
        s.setWindow(w);
        for ([_]f64{ 0.25, 0.5 }) |frac| {
            feedSine(s, 0.5, 100 + frac, 4096 / 128);
            s.analyze();
            // Independent: |W(δ)|/W(0) of the window, evaluated directly (f64).
            var wr: f64 = 0;
            var wi: f64 = 0;
            var w0: f64 = 0;
            for (0..4096) |i| {
                const a = 2 * std.math.pi * frac * @as(f64, @floatFromInt(i)) / 4096;
                wr += s.window[i] * @cos(a);
                wi += s.window[i] * @sin(a);
                w0 += s.window[i];
            }
            const loss = 20 * @log10(@sqrt(wr * wr + wi * wi) / w0);
            const want: f32 = @floatCast(20 * @log10(0.5) + loss);
            try testing.expectApproxEqAbs(want, s.db[100], 0.05);
            if (frac == 0.5) try testing.expectApproxEqAbs(@as(f64, if (w == .hann) -1.42 else -0.83), loss, 0.01);
        }
    }
}

test "time smoothing decays by α per frame; octave smoothing averages the band; silence floors" {
    const s = &test_spectrum;
    s.init();
    s.setSmoothing(0.5, 0);
    feedSine(s, 0.5, 200, 4096 / 128);
    for (0..30) |_| s.analyze();
    const before = s.db[200];
    try testing.expectApproxEqAbs(@as(f32, -6.02), before, 0.01);
    var zero = [_]f32{0} ** 128;
    for (0..4096 / 128) |_| s.push(&zero, &zero);
    s.analyze();
    try testing.expectApproxEqAbs(before + 10 * @log10(@as(f32, 0.5)), s.db[200], 0.01);
    s.analyze();
    try testing.expectApproxEqAbs(before + 20 * @log10(@as(f32, 0.5)), s.db[200], 0.01);
    for (0..200) |_| s.analyze();
    try testing.expectEqual(@as(f32, floor_db), s.db[200]);

    // 1/3 octave on noise: bin k shows the mean power over [k·2^(−1/6), k·2^(1/6)] of the raw bins.
    s.setSmoothing(0, 0);
    var prng = std.rand.DefaultPrng.init(5);
    for (0..4096 / 128) |_| {
        var q: [128]f32 = undefined;
        for (&q) |*x| x.* = prng.random().float(f32) - 0.5;
        s.push(&q, &q);
    }
    s.analyze();
    var raw: [max_bins]f64 = undefined;
    var total: f64 = 0;
    for (0..2049) |k| {
        raw[k] = std.math.pow(f64, 10, s.db[k] / 10);
        total += raw[k];
    }
    var checked: usize = 0;
    s.setSmoothing(0, 3);
    s.analyze();
    for ([_]usize{ 1, 10, 160, 180, 200, 230, 250, 1000 }) |k| {
        const kf: f64 = @floatFromInt(k);
        var sum: f64 = 0;
        var cnt: f64 = 0;
        for (0..2049) |i| {
            const f: f64 = @floatFromInt(i);
            if ((f >= kf * std.math.pow(f64, 2, -1.0 / 6.0) - 1e-9 and f <= kf * std.math.pow(f64, 2, 1.0 / 6.0) + 1e-9) or i == k) {
                sum += raw[i];
                cnt += 1;
            }
        }
        // The f64 prefix sums resolve band means down to ~1e-13 of the total power (130 dB).
        if (sum / cnt < 1e-13 * total) continue;
        checked += 1;
        try testing.expectApproxEqAbs(@as(f32, @floatCast(10 * @log10(sum / cnt))), s.db[k], 0.05);
    }
    try testing.expectEqual(@as(usize, 8), checked);
}

test "bad input: invalid size rejected, NaN counted and kept out of the spectrum" {
    const s = &test_spectrum;
    s.init();
    try testing.expectError(error.InvalidSize, s.setSize(1000));
    try testing.expectEqual(@as(u32, 4096), s.size);
    var q = [_]f32{0.1} ** 128;
    q[9] = std.math.nan(f32);
    s.push(&q, &q);
    s.analyze();
    try testing.expectEqual(@as(u32, 1), s.bad_samples);
    for (s.db[0..2049]) |d| try testing.expect(std.math.isFinite(d));
}
