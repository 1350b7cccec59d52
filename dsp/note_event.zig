//! One note event as it travels from the main thread to the audio thread: a fixed 32-byte record
//! (eight 32-bit words, little-endian in WASM memory) so the TypeScript side can write it into a
//! `Uint32Array`/`Float32Array` view of the event ring (protocol/event-ring.ts) without any encoding step.
//!
//! Word layout: 0 kind, 1 synth, 2 id, 3 pitch (f32), 4 velocity (f32), 5 frame_lo, 6 frame_hi,
//! 7 reserved (write 0).
const std = @import("std");
const contract = @import("contract.zig");

/// The record. Declared as a nested `extern struct` because a file-level struct cannot have
/// `extern` layout, and the layout is a contract with JavaScript; import it as
/// `const NoteEvent = @import("note_event.zig").NoteEvent;`.
pub const NoteEvent = extern struct {
    /// Event kind (see `Kind`); unknown kinds are rejected by `VoicePool.push`.
    kind: u32,
    /// Synth slot, 0 .. contract.max_synths - 1.
    synth: u32,
    /// Numeric note id chosen by the sender. For a note off, id 0 releases every held voice of the
    /// synth whose pitch equals `pitch`.
    id: u32 = 0,
    /// MIDI note number, fractional allowed (69 = 440 Hz).
    pitch: f32 = 69,
    /// Velocity 0..1 (non-finite is treated as 1).
    velocity: f32 = 1,
    /// Low 32 bits of the absolute sample frame at which the event takes effect.
    frame_lo: u32 = 0,
    /// High 32 bits of the absolute sample frame.
    frame_hi: u32 = 0,
    /// Must be 0; kept so the record stays 32 bytes.
    reserved: u32 = 0,

    /// Values of `kind` (protocol/contract.json `events.kinds`; clip kinds are `Clips.ClipEvent`'s).
    pub const Kind = contract.event;

    /// The 64-bit absolute frame of the event.
    pub fn frame(self: NoteEvent) u64 {
        return (@as(u64, self.frame_hi) << 32) | self.frame_lo;
    }

    /// Builds an event for absolute frame `f` (used by tests and by the WASM glue).
    pub fn make(kind: u32, synth: u32, id: u32, pitch: f32, velocity: f32, f: u64) NoteEvent {
        return .{
            .kind = kind,
            .synth = synth,
            .id = id,
            .pitch = pitch,
            .velocity = velocity,
            .frame_lo = @truncate(f),
            .frame_hi = @truncate(f >> 32),
        };
    }

    /// True when the record can be applied: known kind, synth in range, finite pitch for notes.
    pub fn isValid(self: NoteEvent) bool {
        if (self.kind < Kind.note_on or self.kind > Kind.stop_all) return false;
        if (self.synth >= contract.max_synths) return false;
        if (self.kind == Kind.note_on or self.kind == Kind.note_off) {
            if (!std.math.isFinite(self.pitch)) return false;
        }
        return true;
    }
};

comptime {
    std.debug.assert(@sizeOf(NoteEvent) == contract.event.words * 4);
}

test "NoteEvent layout and frame" {
    const make = NoteEvent.make;
    const Kind = NoteEvent.Kind;
    try std.testing.expectEqual(@as(usize, 32), @sizeOf(NoteEvent));
    try std.testing.expectEqual(@as(usize, 12), @offsetOf(NoteEvent, "pitch"));
    try std.testing.expectEqual(@as(usize, 20), @offsetOf(NoteEvent, "frame_lo"));
    const e = make(Kind.note_on, 3, 7, 60, 1, (5 << 32) + 9);
    try std.testing.expectEqual(@as(u64, (5 << 32) + 9), e.frame());
    try std.testing.expect(e.isValid());
    try std.testing.expect(!make(9, 3, 7, 60, 1, 0).isValid());
    try std.testing.expect(!make(1, contract.max_synths, 7, 60, 1, 0).isValid());
    try std.testing.expect(!make(1, 0, 7, std.math.nan(f32), 1, 0).isValid());
}
