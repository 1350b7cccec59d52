//! The quality ladder (issue #15): what each level of the engine's quality turns down, cheapest
//! last. The level is the master strip's `quality` parameter (protocol/contract.json), written by
//! the main thread's quality controller (src/quality.ts, src/quality-link.ts), read once per quantum
//! by `daw_process` and applied here before anything renders; the level applied is published in
//! the `quality_level` status word. Offline renders never set it: they run at level 0 and stay
//! bit-identical.
//!
//! Levels (each includes the ones before it; costs from `node bench/reverb-micro.mjs [--economy]`,
//! `node bench/analysis-wasm.mjs` and the voice scaling of `npm run bench`, in WASM µs per
//! 128-frame quantum on the development machine):
//!   0  full quality.
//!   1  reverb without modulation, lines read at whole samples (Reverb.setEconomy): 7.7 -> 5.9 µs.
//!      RT60 unchanged (the gains come from the same lengths); the modulation against metallic
//!      ringing is what goes.
//!   2  analysis published at half rate, ~23 Hz instead of ~47 Hz (AnalysisBank.setHalfRate): the
//!      spectrum FFTs (28 µs per spectrum read at 4096 points, every 8 quanta) run half as often.
//!      Only pages that display analysis gain from it.
//!   3  at most 64 voices in the whole pool (VoicePool.setVoiceCap): surplus voices fade out in
//!      4 ms as stolen voices do; voices cost ~0.5 µs each (128 voices ~65 µs).
//!   4  at most 32 voices.
//! Measured and left out, for saving (next to) nothing on this engine: a lower compressor detector
//! rate (all 32 channels' compressors cost 2.5 µs per quantum together: node bench/wasm-worklet.mjs,
//! "full" against "no comp"), and a lower meter rate (the meters are one peak and one mean square
//! per strip per quantum, already vectorised: well under 1 µs for 68 strips).
//!
//! Every change is click-free: the reverb glides its modulation depth to 0 and its read positions
//! to whole samples (Reverb.setEconomy), the analysis only publishes less often, and voices over the
//! cap fade out as stolen voices do (VoicePool rule 5).
const std = @import("std");
const contract = @import("contract.zig");
const Mixer = @import("Mixer.zig");
const VoicePool = @import("VoicePool.zig");

/// The cheapest level (the `quality` parameter's maximum).
pub const max_level: u32 = @intFromFloat(contract.strip.max[contract.strip.quality]);
/// Pool-wide voice cap per level.
pub const voice_caps = [max_level + 1]u32{ contract.max_voices, contract.max_voices, contract.max_voices, 64, 32 };

/// The level in the parameter value `x`: rounded, clamped to 0..max_level; NaN (or anything not
/// finite and below) is 0, full quality.
pub fn levelOf(x: f32) u32 {
    if (!(x >= 0.5)) return 0;
    if (x >= @as(f32, @floatFromInt(max_level))) return max_level;
    return @intFromFloat(@round(x));
}

/// Applies `level` (0..max_level) to the units. Real-time safe: three stores.
pub fn apply(level: u32, mixer: *Mixer, pool: *VoicePool) void {
    const l = @min(level, max_level);
    mixer.bus_fx.reverb.setEconomy(l >= 1);
    mixer.analysis.setHalfRate(l >= 2);
    pool.setVoiceCap(voice_caps[l]);
}

test levelOf {
    const cases = [_][2]f32{ .{ 0, 0 }, .{ 0.49, 0 }, .{ 0.5, 1 }, .{ 1, 1 }, .{ 2.4, 2 }, .{ 3, 3 }, .{ 4, 4 }, .{ 9, 4 }, .{ -3, 0 }, .{ std.math.nan(f32), 0 }, .{ std.math.inf(f32), 4 }, .{ -std.math.inf(f32), 0 } };
    for (cases) |c| try std.testing.expectEqual(@as(u32, @intFromFloat(c[1])), levelOf(c[0]));
    // The ladder gets cheaper, never dearer, level by level.
    for (1..voice_caps.len) |i| try std.testing.expect(voice_caps[i] <= voice_caps[i - 1]);
    try std.testing.expectEqual(@as(u32, 4), max_level);
}
