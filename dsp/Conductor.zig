//! The conductor: the transport (Transport.zig) and the metronome (Metronome.zig) as the render
//! call drives them, and the thread contract around them.
//!
//! In. Transport records travel on the event ring with the notes and clips (kinds `transport` ..
//! `metronome` in protocol/contract.json), so one ordered path carries everything on pages with
//! and without shared memory, and a command and the notes written beside it arrive together. A
//! command carries its engine frame and is queued in the transport, which applies it on that
//! exact frame inside a quantum (frame 0 means "at once": the quantum's first frame, not late).
//! Setup records (tempo map, signatures, loop, swing, metronome) apply between quanta, before
//! `advance`: their positions are musical, so the tempo map's changes are exact by construction.
//! A tempo map or signature list longer than one quantum's share of the ring arrives over several
//! quanta: points are staged in order and the list applies only once its last point arrived after
//! all the others (a gap discards the list and counts a rejection).
//!
//! Why records rather than a command area in the control block: a command area would be shared
//! memory the fallback path (no SharedArrayBuffer) must mirror by message anyway, with its own
//! ordering against the ring; records need no new mechanism and keep "play at frame F" and "note
//! at frame F" in one order. The cost is a tempo map of n points taking n ring records (at most
//! 256 of the ring's 1024), which a page sets rarely.
//!
//! Out. `publish` writes the position (song frame, beats, bar/beat/tick at 960 PPQ, tempo), the
//! state and the last change with its context frame into the status words, which the worklet
//! copies into the control block header after every quantum.
//!
//! Real time: everything here is fixed arrays and scalars; `apply`, `render` and `publish` run in
//! `daw_process` and allocate nothing. Bad values the main thread let through (it validates
//! first) are counted in `transportRejected` and change nothing.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const Transport = @import("Transport.zig");
const TempoMap = @import("TempoMap.zig");
const Metronome = @import("Metronome.zig");
const Timeline = @import("Timeline.zig");

const Conductor = @This();
const Q = lanes.quantum;
const E = contract.event;
const S = contract.status;

comptime {
    std.debug.assert(contract.max_tempo_points == TempoMap.max_points);
    std.debug.assert(contract.max_signatures == TempoMap.max_signatures);
}

/// Staged list index meaning "no list in progress" (the next record must be index 0).
const idle: u32 = std.math.maxInt(u32);

transport: Transport,
metronome: Metronome,
/// Notes and clips at musical times, in WASM memory the worklet provides (`rehome`).
timeline: Timeline,
/// The metronome's output for the quantum (mono), valid when `render` returned true.
click: [Q]f32,
stage_points: [TempoMap.max_points]TempoMap.Point,
points_next: u32,
stage_sigs: [TempoMap.max_signatures]TempoMap.Signature,
sigs_next: u32,
rejected: u32,
changes: u32,
last_change: u32,
last_change_frame: u64,

pub fn init(self: *Conductor, sample_rate: f64) void {
    self.transport = Transport.init(sample_rate);
    self.metronome = Metronome.init(self.transport.fs);
    self.timeline = Timeline.init(&.{});
    @memset(&self.click, 0);
    self.points_next = idle;
    self.sigs_next = idle;
    self.rejected = 0;
    self.changes = 0;
    self.last_change = 0;
    self.last_change_frame = 0;
}

/// True for the record kinds this unit takes.
pub fn isRecord(kind: u32) bool {
    return kind >= E.transport and kind <= E.metronome;
}

fn f64At(w: *const [8]u32, i: usize) f64 {
    return @bitCast((@as(u64, w[i + 1]) << 32) | w[i]);
}

fn reject(self: *Conductor) void {
    self.rejected +%= 1;
}

/// Applies one record (its eight words) arriving in the quantum that starts at frame `now`.
pub fn apply(self: *Conductor, w: *const [8]u32, now: u64) void {
    const t = &self.transport;
    switch (w[0]) {
        E.transport => {
            const kind = std.meta.intToEnum(Transport.Command.Kind, w[1]) catch return self.reject();
            const f = (@as(u64, w[6]) << 32) | w[5];
            if (kind == .@"resume") {
                // Word 2 the state, words 3-4 the song frame (f64), word 7 the frames played since.
                const state = std.meta.intToEnum(Transport.State, w[2]) catch return self.reject();
                const song = f64At(w, 3);
                if (!(song >= 0 and song <= 1e15)) return self.reject();
                t.schedule(.{ .kind = kind, .frame = if (f == 0) now else f, .song = @intFromFloat(song), .elapsed = w[7], .resume_state = state }) catch self.reject();
                return;
            }
            const grid = std.meta.intToEnum(Transport.Grid, w[2]) catch return self.reject();
            t.schedule(.{ .kind = kind, .frame = if (f == 0) now else f, .beat = f64At(w, 3), .quantize = grid }) catch self.reject();
        },
        E.tempo_point => {
            const i = w[1];
            const n = w[2];
            if (i == 0) self.points_next = 0;
            if (n == 0 or n > TempoMap.max_points or i >= n or i != self.points_next) {
                self.points_next = idle;
                return self.reject();
            }
            self.stage_points[i] = .{ .beat = f64At(w, 3), .bpm = f64At(w, 5), .ramp = if (w[7] == 1) .linear else .step };
            self.points_next += 1;
            if (self.points_next == n) {
                self.points_next = idle;
                t.setTempoMap(self.stage_points[0..n]) catch self.reject();
            }
        },
        E.signature => {
            const i = w[1];
            const n = w[2];
            if (i == 0) self.sigs_next = 0;
            if (n == 0 or n > TempoMap.max_signatures or i >= n or i != self.sigs_next) {
                self.sigs_next = idle;
                return self.reject();
            }
            self.stage_sigs[i] = .{ .bar = w[3], .num = w[4], .den = w[5] };
            self.sigs_next += 1;
            if (self.sigs_next == n) {
                self.sigs_next = idle;
                t.setSignatures(self.stage_sigs[0..n]) catch self.reject();
            }
        },
        E.loop => t.setLoop(f64At(w, 3), f64At(w, 5), w[1] != 0) catch self.reject(),
        E.swing => t.setSwing(f64At(w, 3), f64At(w, 5)) catch self.reject(),
        E.metronome => {
            self.metronome.setLevel(@bitCast(w[3])) catch return self.reject();
            self.metronome.on = w[1] != 0;
        },
        else => self.reject(),
    }
}

/// Advances the transport over the quantum starting at frame `now`, counts its changes, hands
/// the timeline's due events (and the releases of its hanging notes) to `sink.event(offset, ev)`
/// (Timeline.emit) and renders the metronome into `click`. True when `click` holds sound to mix
/// (on, or a click still ringing after it was turned off or the transport stopped).
pub fn render(self: *Conductor, now: u64, sink: anytype) bool {
    self.transport.advance(now);
    for (self.transport.marks()) |m| {
        self.changes +%= 1;
        self.last_change = @intFromEnum(m.kind);
        self.last_change_frame = now + m.offset;
    }
    if (self.timeline.n != 0 or self.timeline.n_active != 0 or self.timeline.clip_channels != 0) self.timeline.emit(&self.transport, sink);
    const m = &self.metronome;
    if (!m.on and m.n >= m.len) return false;
    @memset(&self.click, 0);
    m.render(&self.transport, &self.click);
    return true;
}

fn put64(st: []u32, i: usize, v: u64) void {
    st[i] = @truncate(v);
    st[i + 1] = @truncate(v >> 32);
}

/// Writes the transport's status words.
pub fn publish(self: *const Conductor, st: *[S.len]u32) void {
    const t = &self.transport;
    const b = t.beat();
    const bbt = t.map.bbt(b);
    st[S.transport_state] = @intFromEnum(t.state);
    put64(st, S.transport_song_frame, @intCast(@max(t.pos, 0)));
    put64(st, S.transport_beats, @bitCast(b));
    st[S.transport_bar] = bbt.bar;
    st[S.transport_beat] = bbt.beat;
    st[S.transport_tick] = bbt.tick;
    put64(st, S.transport_bpm, @bitCast(t.map.bpmAt(b)));
    st[S.transport_changes] = self.changes;
    st[S.transport_change] = self.last_change;
    put64(st, S.transport_change_frame, self.last_change_frame);
    st[S.transport_late] = t.late_commands;
    st[S.transport_rejected] = self.rejected;
    st[S.timeline_events] = self.timeline.n;
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;

const NoSink = struct {
    pub fn event(_: *NoSink, _: u32, _: *const Timeline.Event) void {}
};

/// A record as the main thread writes it (protocol/event-ring.ts transport records).
fn rec(kind: u32, w1: u32, w2: u32, a: f64, b: f64, w7: u32) [8]u32 {
    const x: u64 = @bitCast(a);
    const y: u64 = @bitCast(b);
    return .{ kind, w1, w2, @truncate(x), @truncate(x >> 32), @truncate(y), @truncate(y >> 32), w7 };
}

fn cmd(kind: u32, quantize: u32, beat: f64, frame: u64) [8]u32 {
    const x: u64 = @bitCast(beat);
    return .{ E.transport, kind, quantize, @truncate(x), @truncate(x >> 32), @truncate(frame), @truncate(frame >> 32), 0 };
}

test "records: play at a frame, at once, a tempo map over two quanta, rejections counted" {
    var c: Conductor = undefined;
    c.init(48000);
    // Points 0 and 1 of 3 arrive; the map is not applied until point 2.
    c.apply(&rec(E.tempo_point, 0, 3, 0, 60, 0), 0);
    c.apply(&rec(E.tempo_point, 1, 3, 4, 90, 1), 0);
    try testing.expectEqual(@as(f64, 120), c.transport.map.bpmAt(0));
    c.apply(&rec(E.tempo_point, 2, 3, 8, 120, 0), 0);
    try testing.expectEqual(@as(f64, 60), c.transport.map.bpmAt(0));
    try testing.expectEqual(@as(f64, 105), c.transport.map.bpmAt(6)); // 90 → 120 over beats 4..8
    // A gap (index 1 missing) discards the list.
    c.apply(&rec(E.tempo_point, 0, 3, 0, 200, 0), 0);
    c.apply(&rec(E.tempo_point, 2, 3, 8, 200, 0), 0);
    try testing.expectEqual(@as(u32, 1), c.rejected);
    try testing.expectEqual(@as(f64, 60), c.transport.map.bpmAt(0));
    // Out of range values change nothing.
    c.apply(&rec(E.tempo_point, 0, 1, 0, 401, 0), 0);
    c.apply(&rec(E.loop, 1, 0, 4, 4, 0), 0);
    c.apply(&rec(E.swing, 0, 0, 0.7, 0.5, 0), 0);
    c.apply(&cmd(9, 0, 0, 0), 0);
    try testing.expectEqual(@as(u32, 5), c.rejected);
    // Play at frame 1000 + 77; the change and its frame are published.
    c.apply(&cmd(1, 0, 0, 1077), 1000);
    var none = NoSink{};
    try testing.expect(!c.render(1000, &none));
    var st = [_]u32{0} ** S.len;
    c.publish(&st);
    try testing.expectEqual(@as(u32, 1), st[S.transport_state]);
    try testing.expectEqual(@as(u32, 1), st[S.transport_changes]);
    try testing.expectEqual(@as(u32, 1077), st[S.transport_change_frame]);
    try testing.expectEqual(@as(u32, Q - 77), st[S.transport_song_frame]);
    // Frame 0: at once, on the quantum's first frame, not late.
    c.apply(&cmd(3, 0, 0, 0), 1128);
    _ = c.render(1128, &none);
    c.publish(&st);
    try testing.expectEqual(@as(u32, 0), st[S.transport_state]);
    try testing.expectEqual(@as(u32, 1128), st[S.transport_change_frame]);
    try testing.expectEqual(@as(u32, 0), st[S.transport_late]);
}

test "published position: beats, bar/beat/tick and tempo after a seek" {
    var c: Conductor = undefined;
    c.init(48000);
    c.apply(&rec(E.signature, 0, 1, 0, 0, 0), 0); // bar 0 .. (num and den come from words 4, 5)
    try testing.expectEqual(@as(u32, 1), c.rejected); // num 0 is refused
    const sig = [8]u32{ E.signature, 0, 1, 0, 3, 4, 0, 0 };
    c.apply(&sig, 0);
    c.apply(&cmd(4, 0, 7.25, 0), 0); // seek to beat 7.25: bar 2 (3/4), beat 1, tick 240
    var none = NoSink{};
    _ = c.render(0, &none);
    var st = [_]u32{0} ** S.len;
    c.publish(&st);
    const beats: f64 = @bitCast((@as(u64, st[S.transport_beats + 1]) << 32) | st[S.transport_beats]);
    try testing.expectApproxEqAbs(@as(f64, 7.25), beats, 1e-9);
    try testing.expectEqual(@as(u32, 2), st[S.transport_bar]);
    try testing.expectEqual(@as(u32, 1), st[S.transport_beat]);
    try testing.expectEqual(@as(u32, 240), st[S.transport_tick]);
    const bpm: f64 = @bitCast((@as(u64, st[S.transport_bpm + 1]) << 32) | st[S.transport_bpm]);
    try testing.expectEqual(@as(f64, 120), bpm);
    try testing.expectEqual(@as(u32, 4), st[S.transport_change]);
}
