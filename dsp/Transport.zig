//! The transport: where the song is, whether it plays, and which song frames each render quantum
//! covers. It lives in the audio thread's WASM memory and advances inside the same call that renders.
//!
//! Song frames. The song timeline is counted in integer *song frames*: beat `b` (quarter notes)
//! is at song frame `E(b) = round(seconds(b)·fs)` (nearest frame; a tie within `tie_eps` frame
//! rounds up), with `seconds` from the tempo map (TempoMap.zig: exact closed form for steps and
//! linear ramps). The transport's position `pos` is the integer song frame of the next frame to
//! render, so it never drifts: it moves by whole frames, and everything else (beats, bars, the
//! beat range of a quantum) is derived from it. Rounding once per event keeps every event on the
//! frame nearest to its exact time, 0 frames from a reference computed independently.
//! Seconds-timed events use `round(t·fs)` likewise.
//!
//! State changes. `schedule` queues play / pause / stop / seek commands at absolute engine frames
//! (the worklet's `currentFrame` clock); `advance` applies each at that exact frame inside the
//! quantum (a late command applies at the quantum's first frame and is counted). With a grid
//! (`quantize` = beat or bar) a command waits, while playing, until the song reaches the next beat or
//! bar line; a quantized play from stopped/paused moves the start up to the next line first.
//! Pause keeps the position; stop returns it to where the last play started.
//!
//! Loop. With a loop region [begin, end) (beats, rounded to song frames once), reaching `end`
//! while playing jumps to `begin` on the same frame: the loop is an integer number of frames, so
//! every pass is identical. A position at or past `end` (after a seek) plays on without looping.
//!
//! Swing delays the off-beat of each pair of grid units (8th or 16th notes) by `amount` of a grid
//! unit (0 straight, 1/3 triplet feel, 0.5 dotted): within a pair, position u ∈ [0, 2) grid
//! units maps piecewise-linearly to u·(1 + a) for u < 1 and 1 + a + (u − 1)·(1 − a) after, so
//! pair boundaries stay put and the mapping is monotonic. It applies to beat-timed timeline events
//! (`eventFrame`), not to the metronome or to seconds-timed events. A swing change while playing
//! takes effect from the next whole beat (where old and new mapping agree), so no event can fire
//! twice or be skipped (also when paused; a second change before the switch replaces the pending
//! one at the same switch beat); stopped, it applies at once.
//!
//! `advance(now)` splits the quantum into *segments*, runs of frames during which the song plays
//! continuously: frames [offset, offset + len) of the quantum are song frames [song, song + len).
//! A consumer (Timeline, Automation, Metronome) emits whatever has its song frame inside a
//! segment at `offset + (frame − song)`: exact, with no state of its own, so loops, seeks and edits
//! need no main-thread work. `marks` lists the discontinuities (started, paused, stopped, seeked,
//! looped, retimed) with their offsets, e.g. to release the notes the timeline started.
//!
//! Memory and threads: a plain struct with fixed arrays, no allocation anywhere. `schedule`,
//! `setTempoMap`, `setSignatures`, `setLoop`, `setSwing` run between quanta (the worklet's message
//! handler); `advance` and the queries run in the render call.
//!
//! Wiring (as done by Conductor.zig, ParamLanes.zig and main.zig; nothing here is exported):
//!   globals:  `var transport = Transport.init(fs)`, `var timeline = Timeline.init(storage)` with
//!             `storage` a `[]Timeline.Event` above `__heap_base` that the worklet grows (then
//!             `timeline.rehome(bigger)`), `var metronome = Metronome.init(fs)`, one
//!             `Automation.init(fs, default)` per (strip or synth, parameter) that has a lane.
//!   per quantum in `daw_process`, before the voices and clips render:
//!             transport.advance(now);
//!             timeline.emit(&transport, &sink);   // sink.event(offset, ev): notes -> pool.push
//!                 // (NoteEvent.make(kind, synth, id, pitch, velocity, now + offset)), clips ->
//!                 // clips.push (ClipEvent.make(...)); `released` offs/stops the same way
//!             for each lane: automation.render(timeline.lane(synth, target, param), &transport,
//!                 &buf) -> true: write `automation.value` (or `buf` per frame for gains) into the
//!                 parameter and the smoother's current value; false: leave it to the smoother
//!             metronome.render(&transport, &click) and mix `click` into the master;
//!             publish transport.state, beat(), bbt(), map.bpmAt(beat()), late_commands.
//!   message handler: schedule / setTempoMap / setSignatures / setLoop / setSwing,
//!             timeline.add / remove / rehome, metronome.setLevel and `on`.
//!   Error unions map to the contract's error codes; the page sees them as RangeError/daw-error.
const std = @import("std");
const TempoMap = @import("TempoMap.zig");
const Lanes = @import("lanes.zig");

const Transport = @This();
const Q: u32 = Lanes.quantum;

/// Ties closer than this (frames) to half a frame round up; far above f64's error after hours
/// (~3e-8 frame) and far below the spacing of positions at rational tempos (≥ 1.5e-4 frame).
pub const tie_eps: f64 = 1e-6;
pub const max_commands = 16;
/// A segment holds at least one frame.
pub const max_segments = Q;
pub const max_marks = Q + max_commands + 1;

pub const State = enum(u32) { stopped = 0, playing = 1, paused = 2 };
pub const Grid = TempoMap.Grid;

pub const Command = struct {
    /// `resume` puts back a transport after the audio thread was rebuilt (recovery): state
    /// `resume_state` at song frame `song` + `elapsed`, `elapsed` counting the frames the song
    /// played between the last position the page saw and `frame`; applied late, it adds the
    /// lateness (on the clock, like a clip's `onClock` play), wrapping through the loop.
    pub const Kind = enum(u32) { play = 1, pause = 2, stop = 3, seek = 4, @"resume" = 5 };
    kind: Kind,
    /// Absolute engine frame at which the command takes effect (before a grid wait).
    frame: u64,
    /// Seek target, beats (0 .. TempoMap.max_beat).
    beat: f64 = 0,
    quantize: Grid = .none,
    /// `resume`: song frame at the reference, frames played since then at `frame`, and the state.
    song: i64 = 0,
    elapsed: u64 = 0,
    resume_state: State = .stopped,
};

/// Frames [offset, offset + len) of the quantum play song frames [song, song + len).
pub const Segment = struct { offset: u32, len: u32, song: i64 };

pub const Mark = struct {
    pub const Kind = enum(u32) { started = 1, paused = 2, stopped = 3, seeked = 4, looped = 5, retimed = 6 };
    offset: u32,
    kind: Kind,
};

pub const Swing = struct {
    /// Delay of the off-beat, fraction of a grid unit: 0 .. 0.5.
    amount: f64 = 0,
    /// Grid unit in beats: 0.5 (8th notes) or 0.25 (16th notes).
    grid: f64 = 0.5,

    /// The swung position of beat `b` (see the file header).
    pub fn warp(s: Swing, b: f64) f64 {
        if (s.amount == 0) return b;
        const pair = 2 * s.grid;
        const n = @floor(b / pair);
        const u = (b - n * pair) / s.grid;
        const w = if (u < 1) u * (1 + s.amount) else (1 + s.amount) + (u - 1) * (1 - s.amount);
        return n * pair + w * s.grid;
    }
};

pub const Error = TempoMap.Error || error{
    /// More than `max_commands` waiting.
    QueueFull,
    /// A loop whose end is not after its begin (by at least one frame).
    BadLoop,
    /// Swing amount outside 0..0.5 or a grid other than 0.5 / 0.25 beats.
    BadSwing,
};

fs: f64 = 48000,
map: TempoMap = .{},
state: State = .stopped,
/// Song frame of the next frame to render.
pos: i64 = 0,
/// Where the last play started (stop returns here), beats.
start_beat: f64 = 0,
loop_on: bool = false,
loop_begin_beat: f64 = 0,
loop_end_beat: f64 = 0,
loop_begin: i64 = 0,
loop_end: i64 = 0,
/// The last quantum ended exactly on the loop end: its `looped` mark goes at the next offset 0.
loop_mark_due: bool = false,
swing: Swing = .{},
swing_next: Swing = .{},
/// Whole beat from which `swing_next` applies (inf: none pending).
swing_switch: f64 = std.math.inf(f64),
retimed: bool = false,
cmds: [max_commands]Command = undefined,
n_cmds: u32 = 0,
segs: [max_segments]Segment = undefined,
n_segs: u32 = 0,
mrks: [max_marks]Mark = undefined,
n_marks: u32 = 0,
/// Commands that arrived after their frame (applied at the next quantum's first frame; running).
late_commands: u32 = 0,

/// A stopped transport at beat 0, 120 BPM, 4/4. `sample_rate` non-finite or outside
/// 8 kHz..384 kHz falls back to 48 kHz (as `daw_init` does).
pub fn init(sample_rate: f64) Transport {
    var t = Transport{};
    t.fs = if (std.math.isFinite(sample_rate) and sample_rate >= 8000 and sample_rate <= 384000) sample_rate else 48000;
    t.map = TempoMap.init(120) catch unreachable;
    return t;
}

// --- Mapping --------------------------------------------------------------------------------

/// Song frame nearest to `t` seconds.
pub fn frameOfSeconds(self: *const Transport, t: f64) i64 {
    const x = std.math.clamp(t * self.fs, -1e15, 1e15);
    return @intFromFloat(@floor(x + 0.5 + tie_eps));
}

/// Song frame of (unswung) beat `b`.
pub fn frameOfBeat(self: *const Transport, b: f64) i64 {
    return self.frameOfSeconds(self.map.seconds(b));
}

/// Swung position of beat `b` (the pending swing from its switch beat on).
pub fn swungBeat(self: *const Transport, b: f64) f64 {
    return if (b >= self.swing_switch) self.swing_next.warp(b) else self.swing.warp(b);
}

/// Song frame of a beat-timed event at `b`: swing (unless `straight`), tempo map, nearest frame.
pub fn eventFrame(self: *const Transport, b: f64, straight: bool) i64 {
    return self.frameOfBeat(if (straight) b else self.swungBeat(b));
}

/// Beat at song frame `f`.
pub fn beatOfFrame(self: *const Transport, f: i64) f64 {
    return self.map.beat(@as(f64, @floatFromInt(f)) / self.fs);
}

/// Current position in beats (of the next frame to render).
pub fn beat(self: *const Transport) f64 {
    return self.beatOfFrame(self.pos);
}

// --- Setup (between quanta) -----------------------------------------------------------------

/// Queues a command (kept in frame order; equal frames keep their order).
pub fn schedule(self: *Transport, c: Command) Error!void {
    if (c.kind == .seek and !(c.beat >= 0 and c.beat <= TempoMap.max_beat)) return error.BadPosition;
    if (c.kind == .@"resume" and !(c.song >= 0 and c.song <= self.frameOfBeat(TempoMap.max_beat))) return error.BadPosition;
    if (self.n_cmds == max_commands) return error.QueueFull;
    var i: usize = self.n_cmds;
    while (i > 0 and self.cmds[i - 1].frame > c.frame) : (i -= 1) self.cmds[i] = self.cmds[i - 1];
    self.cmds[i] = c;
    self.n_cmds += 1;
}

/// Replaces the tempo map. If the change leaves the time before the current position unchanged
/// (a change at or after it), playing continues seamlessly; otherwise the position is kept in
/// beats and moved to that beat's new frame (a `retimed` mark at the next quantum's first frame,
/// handled by consumers like a seek).
pub fn setTempoMap(self: *Transport, pts: []const TempoMap.Point) Error!void {
    const b_now = self.beat();
    const change = self.map.firstChange(pts);
    try self.map.set(pts);
    if (change < b_now) {
        self.pos = self.frameOfBeat(b_now);
        self.retimed = true;
    }
    self.reframeLoop();
}

/// Replaces the time signatures (affects bars/beats/ticks, grid lines and the metronome only).
pub fn setSignatures(self: *Transport, sigs: []const TempoMap.Signature) Error!void {
    try self.map.setSignatures(sigs);
}

/// Sets the loop region (beats) and whether it is on.
pub fn setLoop(self: *Transport, begin: f64, end: f64, on: bool) Error!void {
    if (!(begin >= 0 and end <= TempoMap.max_beat and end > begin)) return error.BadLoop;
    if (self.frameOfBeat(end) <= self.frameOfBeat(begin)) return error.BadLoop;
    self.loop_begin_beat = begin;
    self.loop_end_beat = end;
    self.loop_on = on;
    self.reframeLoop();
}

fn reframeLoop(self: *Transport) void {
    self.loop_begin = self.frameOfBeat(self.loop_begin_beat);
    self.loop_end = self.frameOfBeat(self.loop_end_beat);
}

/// Sets swing: `amount` 0..0.5 of a grid unit, `grid` 0.5 (8ths) or 0.25 (16ths) beats.
pub fn setSwing(self: *Transport, amount: f64, grid: f64) Error!void {
    if (!(amount >= 0 and amount <= 0.5) or !(grid == 0.5 or grid == 0.25)) return error.BadSwing;
    const s = Swing{ .amount = amount, .grid = grid };
    if (self.state == .stopped) {
        self.swing = s;
        self.swing_switch = std.math.inf(f64);
        return;
    }
    // Playing or paused: from the next whole beat (or the switch already pending, still ahead).
    self.swing_next = s;
    if (std.math.isInf(self.swing_switch)) self.swing_switch = @ceil(self.beat());
}

fn commitSwing(self: *Transport) void {
    if (std.math.isInf(self.swing_switch)) return;
    self.swing = self.swing_next;
    self.swing_switch = std.math.inf(f64);
}

// --- Render path ----------------------------------------------------------------------------

/// The segments of the last `advance`.
pub fn segments(self: *const Transport) []const Segment {
    return self.segs[0..self.n_segs];
}

/// The discontinuities of the last `advance`, in frame order.
pub fn marks(self: *const Transport) []const Mark {
    return self.mrks[0..self.n_marks];
}

fn mark(self: *Transport, offset: u32, kind: Mark.Kind) void {
    if (self.n_marks < max_marks) {
        self.mrks[self.n_marks] = .{ .offset = offset, .kind = kind };
        self.n_marks += 1;
    }
}

/// Offset (≥ off) at which command `c` takes effect, `Q` or more when not in this quantum.
fn commandOffset(self: *const Transport, c: Command, now: u64, off: u32) u64 {
    if (c.frame > now + off) return c.frame - now;
    if (c.quantize == .none or self.state != .playing or c.kind == .play) return off;
    // Armed; wait for the song to reach the next grid line (recomputed every segment, so a loop
    // wrap in between is taken into account).
    const b = self.beatOfFrame(self.pos);
    var line = self.map.nextLine(b, c.quantize);
    var g = self.frameOfBeat(line);
    if (g < self.pos) {
        line = self.map.nextLine(line + 1e-6, c.quantize);
        g = self.frameOfBeat(line);
    }
    return off + @as(u64, @intCast(g - self.pos));
}

fn apply(self: *Transport, c: Command, off: u32) void {
    switch (c.kind) {
        .play => if (self.state != .playing) {
            if (c.quantize != .none) {
                const b = self.beatOfFrame(self.pos);
                const line = self.map.nextLine(b - 1e-9, c.quantize);
                self.pos = @max(self.pos, self.frameOfBeat(line));
            }
            self.state = .playing;
            self.start_beat = self.beat();
            self.mark(off, .started);
        },
        .pause => if (self.state == .playing) {
            // A pending swing change stays pending: the events fired so far must keep their frames.
            self.state = .paused;
            self.mark(off, .paused);
        },
        .stop => {
            const was = self.state;
            self.state = .stopped;
            self.commitSwing();
            self.pos = self.frameOfBeat(self.start_beat);
            if (was != .stopped) self.mark(off, .stopped);
        },
        .seek => {
            self.commitSwing();
            self.pos = self.frameOfBeat(c.beat);
            self.mark(off, .seeked);
        },
        .@"resume" => {
            self.commitSwing();
            const playing = c.resume_state == .playing;
            self.pos = if (playing) self.played(c.song, c.elapsed) else c.song;
            self.start_beat = self.beat();
            self.state = c.resume_state;
            self.mark(off, if (playing) .started else .seeked);
        },
    }
}

/// Song frame after playing `d` frames from `p0`, through the loop as `advance` plays it.
pub fn played(self: *const Transport, p0: i64, d: u64) i64 {
    const p = p0 + @as(i64, @intCast(@min(d, 1 << 50)));
    if (!self.loop_on or p0 >= self.loop_end or p < self.loop_end) return p;
    return self.loop_begin + @mod(p - self.loop_end, self.loop_end - self.loop_begin);
}

/// Advances one quantum starting at absolute engine frame `now`: applies due commands at their
/// frames and fills `segments()` and `marks()`. Allocation-free; O(commands + loop wraps).
pub fn advance(self: *Transport, now: u64) void {
    self.n_segs = 0;
    self.n_marks = 0;
    if (self.retimed) {
        self.retimed = false;
        self.mark(0, .retimed);
    }
    if (self.loop_mark_due) {
        self.loop_mark_due = false;
        self.mark(0, .looped);
    }
    var off: u32 = 0;
    while (off < Q) {
        while (self.n_cmds > 0) {
            const c = self.cmds[0];
            if (self.commandOffset(c, now, off) != off) break;
            // Late: its frame had passed when it arrived (not: it waited for a grid line).
            const waited = c.quantize != .none and self.state == .playing and c.kind != .play;
            var cc = c;
            if (c.kind == .@"resume") {
                // On the clock: lateness is time the song went on playing (not counted as late).
                if (now + off > c.frame) cc.elapsed += now + off - c.frame;
            } else if (c.frame < now and !waited) self.late_commands +%= 1;
            self.apply(cc, off);
            std.mem.copyForwards(Command, self.cmds[0 .. self.n_cmds - 1], self.cmds[1..self.n_cmds]);
            self.n_cmds -= 1;
        }
        var end: u64 = Q;
        if (self.n_cmds > 0) end = @min(end, self.commandOffset(self.cmds[0], now, off));
        if (self.state == .playing) {
            if (self.loop_on and self.pos < self.loop_end) end = @min(end, off + @as(u64, @intCast(self.loop_end - self.pos)));
            const sw = if (std.math.isInf(self.swing_switch)) self.pos else self.frameOfBeat(self.swing_switch);
            if (sw > self.pos) end = @min(end, off + @as(u64, @intCast(sw - self.pos)));
            const len: u32 = @intCast(end - off);
            self.segs[self.n_segs] = .{ .offset = off, .len = len, .song = self.pos };
            self.n_segs += 1;
            const was_inside = self.loop_on and self.pos < self.loop_end;
            self.pos += len;
            if (!std.math.isInf(self.swing_switch) and self.pos >= self.frameOfBeat(self.swing_switch)) self.commitSwing();
            if (was_inside and self.pos == self.loop_end) {
                // Reaching the end jumps to the begin before the next frame.
                self.pos = self.loop_begin;
                self.commitSwing();
                if (end < Q) self.mark(@intCast(end), .looped) else self.loop_mark_due = true;
            }
        }
        off = @intCast(end);
    }
}

/// Position in bars, beats and ticks.
pub fn bbt(self: *const Transport) TempoMap.Bbt {
    return self.map.bbt(self.beat());
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;

fn expectSegs(t: *const Transport, want: []const Segment) !void {
    try testing.expectEqualSlices(Segment, want, t.segments());
}

test "play at an exact frame, then pause, resume and stop" {
    var t = Transport.init(48000);
    try t.schedule(.{ .kind = .play, .frame = 1000 + 37 });
    t.advance(1000);
    try expectSegs(&t, &.{.{ .offset = 37, .len = Q - 37, .song = 0 }});
    try testing.expectEqualSlices(Mark, &.{.{ .offset = 37, .kind = .started }}, t.marks());
    try t.schedule(.{ .kind = .pause, .frame = 1128 + 5 });
    try t.schedule(.{ .kind = .play, .frame = 1128 + 100 });
    t.advance(1128);
    try expectSegs(&t, &.{ .{ .offset = 0, .len = 5, .song = Q - 37 }, .{ .offset = 100, .len = 28, .song = Q - 37 + 5 } });
    // Resume restarted the stop-return position; stop returns there.
    try t.schedule(.{ .kind = .stop, .frame = 1256 + 1 });
    t.advance(1256);
    try testing.expectEqual(State.stopped, t.state);
    try testing.expectEqual(@as(i64, Q - 37 + 5), t.pos);
    try testing.expectEqual(@as(u32, 0), t.late_commands);
    // A late command applies at the first frame and is counted.
    try t.schedule(.{ .kind = .play, .frame = 10 });
    t.advance(1384);
    try testing.expectEqual(@as(u32, 0), t.segments()[0].offset);
    try testing.expectEqual(@as(u32, 1), t.late_commands);
}

test "loop wraps on exact frames, every pass identical" {
    var t = Transport.init(48000);
    // 120 BPM: one beat = 24000 frames. Loop [1, 1.01) beats = 240 frames.
    try t.setLoop(1, 1.01, true);
    try t.schedule(.{ .kind = .seek, .frame = 0, .beat = 1 });
    try t.schedule(.{ .kind = .play, .frame = 0 });
    var song_total: u64 = 0;
    var wraps: u32 = 0;
    for (0..16) |qi| {
        t.advance(qi * Q);
        for (t.segments()) |s| {
            try testing.expect(s.song >= 24000 and s.song + s.len <= 24240);
            song_total += s.len;
        }
        for (t.marks()) |m| wraps += @intFromBool(m.kind == .looped);
    }
    try testing.expectEqual(@as(u64, 16 * Q), song_total);
    try testing.expectEqual(@as(u32, 16 * Q / 240), wraps);
    try testing.expectEqual(@as(i64, 24000 + (16 * Q) % 240), t.pos);
}

test "quantized commands wait for the grid line" {
    var t = Transport.init(48000);
    try t.setTempoMap(&.{.{ .beat = 0, .bpm = 375 }}); // one beat = 7680 frames = 60 quanta
    try t.schedule(.{ .kind = .seek, .frame = 0, .beat = 0.5 });
    try t.schedule(.{ .kind = .play, .frame = 0, .quantize = .beat });
    t.advance(0);
    // Started on beat 1 (the next beat line after 0.5).
    try testing.expectEqual(@as(i64, 7680), t.segments()[0].song);
    // A seek quantized to the bar, issued now, lands exactly on beat 4.
    try t.schedule(.{ .kind = .seek, .frame = Q, .beat = 16, .quantize = .bar });
    var q: u64 = 1;
    var landed: ?u64 = null;
    while (q < 400) : (q += 1) {
        t.advance(q * Q);
        for (t.marks()) |m| if (m.kind == .seeked) {
            landed = q * Q + m.offset;
        };
        if (landed != null) break;
    }
    // Song frame 4·7680 was reached 3·7680 frames after frame 0 (the start at beat 1); waiting
    // for the grid is not lateness.
    try testing.expectEqual(@as(?u64, 3 * 7680), landed);
    try testing.expectEqual(@as(u32, 0), t.late_commands);
    try testing.expectEqual(@as(i64, 16 * 7680 + Q - (3 * 7680) % Q), t.pos);
}

test "swing mapping and a change while playing waits for the next beat" {
    const s = Swing{ .amount = 1.0 / 3.0, .grid = 0.5 };
    try testing.expectEqual(@as(f64, 2), s.warp(2));
    try testing.expectApproxEqAbs(@as(f64, 2 + 2.0 / 3.0), s.warp(2.5), 1e-12);
    try testing.expectApproxEqAbs(@as(f64, 2 + 0.25 * 4.0 / 3.0), s.warp(2.25), 1e-12);
    try testing.expectApproxEqAbs(@as(f64, 2 + 0.5 * (4.0 / 3.0 + 0.5 * 2.0 / 3.0)), s.warp(2.75), 1e-12);
    var t = Transport.init(48000);
    try t.schedule(.{ .kind = .play, .frame = 0 });
    t.advance(0);
    try t.setSwing(0.5, 0.25);
    try testing.expectEqual(@as(f64, 1), t.swing_switch);
    // Before the switch beat the old (straight) mapping holds; from it, the new one.
    try testing.expectEqual(t.frameOfBeat(0.25), t.eventFrame(0.25, false));
    try testing.expectEqual(t.frameOfBeat(1.25 + 0.125), t.eventFrame(1.25, false));
    var q: u64 = 1;
    while (q < 200) : (q += 1) t.advance(q * Q);
    try testing.expect(std.math.isInf(t.swing_switch));
    try testing.expectEqual(@as(f64, 0.5), t.swing.amount);
    // Paused at beat ~1.07: two changes both wait for beat 2; the second replaces the first.
    try t.schedule(.{ .kind = .pause, .frame = 200 * Q });
    t.advance(200 * Q);
    try t.setSwing(0.1, 0.5);
    try t.setSwing(0.2, 0.5);
    try testing.expectEqual(@as(f64, 2), t.swing_switch);
    try testing.expectEqual(@as(f64, 0.2), t.swing_next.amount);
    try testing.expectEqual(t.frameOfBeat(1.25 + 0.125), t.eventFrame(1.25, false));
    try testing.expectError(error.BadSwing, t.setSwing(0.6, 0.5));
    try testing.expectError(error.BadSwing, t.setSwing(0.2, 0.3));
}

test "tempo change ahead of the position is seamless; one behind re-times" {
    var t = Transport.init(48000);
    try t.schedule(.{ .kind = .play, .frame = 0 });
    for (0..100) |q| t.advance(q * Q);
    const pos = t.pos; // 12800 frames = 0.5333 beat at 120 BPM
    try t.setTempoMap(&.{ .{ .beat = 0, .bpm = 120 }, .{ .beat = 1, .bpm = 60 } });
    try testing.expectEqual(pos, t.pos);
    try testing.expect(!t.retimed);
    try t.setTempoMap(&.{.{ .beat = 0, .bpm = 60 }});
    try testing.expect(t.retimed);
    try testing.expectEqual(@as(i64, 25600), t.pos); // same beat, twice the frames
    t.advance(100 * Q);
    try testing.expectEqual(Mark.Kind.retimed, t.marks()[0].kind);
}

test "validation" {
    var t = Transport.init(std.math.nan(f64));
    try testing.expectEqual(@as(f64, 48000), t.fs);
    try testing.expectError(error.BadPosition, t.schedule(.{ .kind = .seek, .frame = 0, .beat = -1 }));
    try testing.expectError(error.BadPosition, t.schedule(.{ .kind = .seek, .frame = 0, .beat = std.math.nan(f64) }));
    try testing.expectError(error.BadLoop, t.setLoop(2, 2, true));
    try testing.expectError(error.BadLoop, t.setLoop(2, 2 + 1e-6, true)); // under one frame
    for (0..max_commands) |_| try t.schedule(.{ .kind = .pause, .frame = 5 });
    try testing.expectError(error.QueueFull, t.schedule(.{ .kind = .pause, .frame = 5 }));
}

test "resume (recovery): on the clock through the loop, late or not; paused stays put" {
    var t = Transport.init(48000);
    try t.setLoop(0, 1, true); // 24000 frames at 120 BPM
    // The page last saw song frame 20000; 6000 frames later (at engine frame 1000) the song is 2000
    // frames into its next pass.
    try t.schedule(.{ .kind = .@"resume", .frame = 1000, .song = 20000, .elapsed = 6000, .resume_state = .playing });
    t.advance(896);
    try expectSegs(&t, &.{.{ .offset = 104, .len = 24, .song = 2000 }});
    try testing.expectEqual(Mark.Kind.started, t.marks()[0].kind);
    // Arriving 1180 frames after its frame, it plays from where the clock says, not late.
    var u = Transport.init(48000);
    try u.setLoop(0, 1, true);
    try u.schedule(.{ .kind = .@"resume", .frame = 100, .song = 20000, .elapsed = 6000, .resume_state = .playing });
    u.advance(1280);
    try expectSegs(&u, &.{.{ .offset = 0, .len = Q, .song = 3180 }});
    try testing.expectEqual(@as(u32, 0), u.late_commands);
    // Paused: the position is kept, nothing plays.
    var p = Transport.init(48000);
    try p.schedule(.{ .kind = .@"resume", .frame = 0, .song = 5000, .elapsed = 6000, .resume_state = .paused });
    p.advance(0);
    try testing.expectEqual(State.paused, p.state);
    try testing.expectEqual(@as(i64, 5000), p.pos);
    try testing.expectEqual(@as(usize, 0), p.segments().len);
}
