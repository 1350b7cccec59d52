//! The Kaiser window (Kaiser & Schafer 1980), shared by the FIR designs of `Oversampler` and
//! `TruePeak`; and, for the units' benchmark tests, this thread's CPU time.
const std = @import("std");

/// Modified Bessel function of the first kind, order 0 (power series; converges for all x).
pub fn besselI0(x: f64) f64 {
    var sum: f64 = 1;
    var term: f64 = 1;
    var k: f64 = 1;
    while (k < 50) : (k += 1) {
        term *= (x / (2 * k)) * (x / (2 * k));
        sum += term;
        if (term < 1e-17 * sum) break;
    }
    return sum;
}

/// The Kaiser window of shape `beta` at `r` in -1..1 (the tap's position from the centre).
pub fn window(beta: f64, r: f64) f64 {
    return besselI0(beta * @sqrt(@max(0.0, 1.0 - r * r))) / besselI0(beta);
}

/// This thread's CPU time in ns (a bench on a loaded machine is not charged for time it waited).
pub fn cpuNs() u64 {
    var ts: std.os.timespec = undefined;
    std.os.clock_gettime(std.os.CLOCK.THREAD_CPUTIME_ID, &ts) catch return 0;
    return @as(u64, @intCast(ts.tv_sec)) * 1_000_000_000 + @as(u64, @intCast(ts.tv_nsec));
}

test besselI0 {
    try std.testing.expectApproxEqRel(@as(f64, 1), besselI0(0), 1e-15);
    try std.testing.expectApproxEqRel(@as(f64, 27.239871823604442), besselI0(5), 1e-12); // I0(5)
}
