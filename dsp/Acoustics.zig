//! Room-acoustic measurements for the reverb tests (test support, not part of the render path):
//! all in f64 and written from the standards' definitions, independent of the reverb's code.
//!
//! * Octave bands: 8th-order Butterworth band-pass (4th-order high-pass at fc/√2 and low-pass at
//!   fc·√2, RBJ cookbook biquads, Q = 0.5412 and 1.3066), cf. IEC 61260 octave filters.
//! * T30: ISO 3382-1 — Schroeder backward integration of the squared band impulse response
//!   (M. R. Schroeder, "New method of measuring reverberation time", JASA 37, 1965), least-squares
//!   line through the decay curve from −5 to −35 dB, RT = −60 / slope.
//! * Normalised echo density: J. S. Abel and P. Huang, "A simple, robust measure of reverberation
//!   echo density", AES 121st Convention, 2006: the fraction of samples in a window (Hann, 20 ms)
//!   outside one standard deviation, divided by erfc(1/√2) = 0.3173 (its value for Gaussian noise).
//! * Interaural cross-correlation: max over lags |τ| ≤ 1 ms of the normalised cross-correlation
//!   (ISO 3382-1, IACC).
//! * Narrow-band peaks: Welch power spectrum (Hann, 50 % overlap) against its third-octave
//!   smoothed version (mean power within f·2^±1/6), in dB.
const std = @import("std");

pub const Biquad = struct {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64 = 0,
    z2: f64 = 0,

    /// RBJ cookbook low-pass (`high = false`) or high-pass at `f` Hz with quality `q`.
    pub fn pass(high: bool, fs: f64, f: f64, q: f64) Biquad {
        const w0 = 2 * std.math.pi * f / fs;
        const c = @cos(w0);
        const alpha = @sin(w0) / (2 * q);
        const a0 = 1 + alpha;
        const b1 = if (high) -(1 + c) else 1 - c;
        return .{ .b0 = @fabs(b1) / 2 / a0, .b1 = b1 / a0, .b2 = @fabs(b1) / 2 / a0, .a1 = -2 * c / a0, .a2 = (1 - alpha) / a0 };
    }

    pub fn tick(s: *Biquad, x: f64) f64 {
        const y = s.b0 * x + s.z1;
        s.z1 = s.b1 * x - s.a1 * y + s.z2;
        s.z2 = s.b2 * x - s.a2 * y;
        return y;
    }
};

/// `out[i]` = octave band centred on `fc` of `x[i]`.
pub fn octaveBand(x: []const f32, out: []f64, fs: f64, fc: f64) void {
    const qs = [2]f64{ 0.5411961, 1.3065630 };
    var f = [4]Biquad{
        Biquad.pass(true, fs, fc / std.math.sqrt2, qs[0]),
        Biquad.pass(true, fs, fc / std.math.sqrt2, qs[1]),
        Biquad.pass(false, fs, fc * std.math.sqrt2, qs[0]),
        Biquad.pass(false, fs, fc * std.math.sqrt2, qs[1]),
    };
    for (x, out) |v, *o| {
        var y: f64 = v;
        for (&f) |*b| y = b.tick(y);
        o.* = y;
    }
}

/// T30 in seconds from the squared band response `e` (overwritten with the decay curve in dB).
/// Returns NaN if the curve never reaches −35 dB.
pub fn t30(e: []f64, fs: f64) f64 {
    var acc: f64 = 0;
    var i = e.len;
    while (i > 0) {
        i -= 1;
        acc += e[i];
        e[i] = acc;
    }
    const total = e[0];
    for (e) |*v| v.* = 10 * std.math.log10(@max(v.* / total, 1e-300));
    var sx: f64 = 0;
    var sy: f64 = 0;
    var sxx: f64 = 0;
    var sxy: f64 = 0;
    var n: f64 = 0;
    var reached = false;
    for (e, 0..) |db, k| {
        if (db > -5) continue;
        if (db < -35) {
            reached = true;
            break;
        }
        const t = @as(f64, @floatFromInt(k)) / fs;
        sx += t;
        sy += db;
        sxx += t * t;
        sxy += t * db;
        n += 1;
    }
    if (!reached or n < 2) return std.math.nan(f64);
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return -60 / slope;
}

/// Normalised echo density of `h` in a Hann window of `win_s` seconds centred at `t_s`.
pub fn echoDensity(h: []const f32, fs: f64, t_s: f64, win_s: f64) f64 {
    const n: usize = @intFromFloat(win_s * fs);
    const c: usize = @intFromFloat(t_s * fs);
    const start = c - n / 2;
    var wsum: f64 = 0;
    var p: f64 = 0;
    for (0..n) |k| {
        const w = 0.5 - 0.5 * @cos(2 * std.math.pi * (@as(f64, @floatFromInt(k)) + 0.5) / @as(f64, @floatFromInt(n)));
        const v: f64 = h[start + k];
        wsum += w;
        p += w * v * v;
    }
    const sigma = @sqrt(p / wsum);
    var out: f64 = 0;
    for (0..n) |k| {
        const w = 0.5 - 0.5 * @cos(2 * std.math.pi * (@as(f64, @floatFromInt(k)) + 0.5) / @as(f64, @floatFromInt(n)));
        if (@fabs(@as(f64, h[start + k])) > sigma) out += w;
    }
    return out / wsum / 0.31731050786291415; // erfc(1/√2)
}

/// max over |lag| ≤ `max_lag` of |Σ l[n]·r[n+lag]| / √(Σl²·Σr²), over the common range.
pub fn iacc(l: []const f32, r: []const f32, max_lag: usize) f64 {
    var el: f64 = 0;
    var er: f64 = 0;
    for (l, r) |a, b| {
        el += @as(f64, a) * a;
        er += @as(f64, b) * b;
    }
    var best: f64 = 0;
    var lag: isize = -@as(isize, @intCast(max_lag));
    while (lag <= max_lag) : (lag += 1) {
        var s: f64 = 0;
        for (l, 0..) |a, i| {
            const j = @as(isize, @intCast(i)) + lag;
            if (j < 0 or j >= r.len) continue;
            s += @as(f64, a) * r[@intCast(j)];
        }
        best = @max(best, @fabs(s));
    }
    return best / @sqrt(el * er);
}

/// In-place radix-2 FFT (length a power of two).
pub fn fft(re: []f64, im: []f64) void {
    const n = re.len;
    var j: usize = 0;
    for (0..n) |i| {
        if (i < j) {
            std.mem.swap(f64, &re[i], &re[j]);
            std.mem.swap(f64, &im[i], &im[j]);
        }
        var m = n >> 1;
        while (m >= 1 and j & m != 0) : (m >>= 1) j ^= m;
        j |= m;
    }
    var len: usize = 2;
    while (len <= n) : (len <<= 1) {
        const ang = -2 * std.math.pi / @as(f64, @floatFromInt(len));
        var k: usize = 0;
        while (k < n) : (k += len) {
            for (0..len / 2) |q| {
                const a = ang * @as(f64, @floatFromInt(q));
                const wr = @cos(a);
                const wi = @sin(a);
                const ur = re[k + q];
                const ui = im[k + q];
                const vr = re[k + q + len / 2] * wr - im[k + q + len / 2] * wi;
                const vi = re[k + q + len / 2] * wi + im[k + q + len / 2] * wr;
                re[k + q] = ur + vr;
                im[k + q] = ui + vi;
                re[k + q + len / 2] = ur - vr;
                im[k + q + len / 2] = ui - vi;
            }
        }
    }
}

pub const nfft = 4096;

/// Welch power spectrum of `x` (segments of `nfft`, Hann, hop nfft/2) into `psd[0..nfft/2]`.
pub fn welch(x: []const f32, psd: *[nfft / 2]f64) void {
    var re: [nfft]f64 = undefined;
    var im: [nfft]f64 = undefined;
    @memset(psd, 0);
    var start: usize = 0;
    while (start + nfft <= x.len) : (start += nfft / 2) {
        for (0..nfft) |k| {
            const w = 0.5 - 0.5 * @cos(2 * std.math.pi * @as(f64, @floatFromInt(k)) / nfft);
            re[k] = w * x[start + k];
            im[k] = 0;
        }
        fft(&re, &im);
        for (psd, 0..) |*p, k| p.* += re[k] * re[k] + im[k] * im[k];
    }
}

/// Largest ratio, in dB, of a bin of `psd` to the mean of the bins within a third octave around
/// it (f·2^−1/6 … f·2^1/6), for bins between `f_lo` and `f_hi` Hz.
pub fn peakOverSmoothed(psd: *const [nfft / 2]f64, fs: f64, f_lo: f64, f_hi: f64) f64 {
    const df = fs / nfft;
    var worst: f64 = -1e9;
    for (psd, 0..) |p, k| {
        const f = @as(f64, @floatFromInt(k)) * df;
        if (f < f_lo or f > f_hi) continue;
        const lo: usize = @intFromFloat(@ceil(f * 0.8908987 / df));
        const hi: usize = @min(@as(usize, @intFromFloat(@floor(f * 1.1224620 / df))), psd.len - 1);
        var s: f64 = 0;
        for (psd[lo .. hi + 1]) |q| s += q;
        const mean = s / @as(f64, @floatFromInt(hi + 1 - lo));
        worst = @max(worst, 10 * std.math.log10(p / mean));
    }
    return worst;
}

// --- The measurements measured: each is checked on signals with a known answer ---------------

fn noise(buf: []f32, seed: u64) void {
    var prng = std.rand.DefaultPrng.init(seed);
    const rnd = prng.random();
    for (buf) |*v| v.* = @floatCast(rnd.floatNorm(f64));
}

var tbuf: [96000]f32 = undefined;
var tbuf2: [96000]f32 = undefined;
var tband: [96000]f64 = undefined;

test "T30 of exponentially decaying noise equals its decay time within 5 % (500 Hz, 2 kHz octaves)" {
    const fs = 48000.0;
    for ([_]f64{ 0.3, 1.0 }) |rt| {
        noise(&tbuf, 7);
        for (&tbuf, 0..) |*v, i| v.* *= @floatCast(std.math.pow(f64, 10, -3 * @as(f64, @floatFromInt(i)) / fs / rt));
        for ([_]f64{ 500, 2000 }) |fc| {
            octaveBand(&tbuf, &tband, fs, fc);
            for (&tband) |*v| v.* *= v.*;
            const t = t30(&tband, fs);
            try std.testing.expectApproxEqRel(rt, t, 0.05);
        }
    }
}

test "echo density: Gaussian noise reads about 1, a sparse echo train far below" {
    noise(&tbuf, 9);
    const dn = echoDensity(&tbuf, 48000, 0.5, 0.02);
    try std.testing.expect(dn > 0.9 and dn < 1.1);
    @memset(&tbuf, 0);
    var i: usize = 0;
    while (i < tbuf.len) : (i += 97) tbuf[i] = 1; // an echo every 2 ms
    try std.testing.expect(echoDensity(&tbuf, 48000, 0.5, 0.02) < 0.2);
}

test "IACC: identical channels 1, independent noises near 0" {
    noise(&tbuf, 1);
    noise(&tbuf2, 2);
    try std.testing.expectApproxEqAbs(@as(f64, 1), iacc(tbuf[0..9600], tbuf[0..9600], 48), 1e-9);
    try std.testing.expect(iacc(tbuf[0..9600], tbuf2[0..9600], 48) < 0.1);
}

test "peak over smoothed spectrum: noise within 10 dB, a ringing mode well above" {
    var psd: [nfft / 2]f64 = undefined;
    noise(&tbuf, 3);
    welch(tbuf[0..48000], &psd);
    try std.testing.expect(peakOverSmoothed(&psd, 48000, 100, 10000) < 10);
    // The same noise with a sinusoid at 0.3 of its RMS (its power 13.5 dB below the noise), but narrow.
    for (tbuf[0..48000], 0..) |*v, i| v.* += 0.3 * @as(f32, @floatCast(@sin(2 * std.math.pi * 1234.5 * @as(f64, @floatFromInt(i)) / 48000)));
    welch(tbuf[0..48000], &psd);
    try std.testing.expect(peakOverSmoothed(&psd, 48000, 100, 10000) > 10);
}
