//! The timeline: scheduled notes, clip launches and automation points held in WASM memory and
//! emitted on their exact frames as the transport plays, loops and seeks, with no main-thread work.
//!
//! Storage. The engine hands `init` one slice of `Event` records (its length is the capacity;
//! 100,000 events are 3.2 MB) and grows it outside `process()` with `rehome` (the worklet's message
//! handler: grow the WASM memory, copy, re-make views). The records are kept in one array sorted by
//! a total order whose first key is the section:
//!   0. swung beat-timed notes and clips, by beat (then kind: offs before ons at one time, then id);
//!   1. straight (unswung) beat-timed notes and clips, likewise;
//!   2. seconds-timed notes and clips, by seconds (same tie order);
//!   3. repeating beat-timed notes and clips (`param` = period), by beat (same tie order);
//!   4. automation points, by lane (synth flag, target, parameter), then time (Automation.zig reads
//!      each lane as a contiguous slice; `lane`/`lanes`).
//! Within each of sections 0..2 an event's song frame (Transport.eventFrame / frameOfSeconds) is a
//! non-decreasing function of its key — the tempo map and the swing mapping are monotonic; swung
//! and straight events are kept apart because together they are not (a swung 16th at beat 2.28
//! plays after a straight one at 2.3) — and the three are merged by frame when emitted. So the events due
//! in a run of song frames [s0, s1) are found by two binary searches on the *frame* (log2(100k) =
//! 17 probes each), under whatever tempo map and swing hold now: nothing is precomputed, so a tempo
//! or swing change needs no re-sorting.
//!
//! Edits. `add` sorts a batch (the caller's slice, sorted in place) and merges it backwards into the
//! array (O(n + k log k)); `remove` drops every event with one of the given ids (O(n log k)). Both
//! run between quanta. Emission has no cursor: for each transport segment it emits exactly the
//! events whose song frame lies in the segment. So the rule at an edit boundary is: an edit applied
//! between quanta takes effect for song frames rendered after it. An event added at a frame the song
//! has already passed in this pass fires on the next pass over it (a loop or a seek back); one
//! added at or after the next frame to render fires when reached; a removed event never fires
//! again; re-adding an event that already fired does not fire it twice in the same pass. Each song
//! frame is covered at most once per pass, so nothing fires twice and nothing is skipped.
//! A note sounding when its event is removed is released at the next quantum's first frame.
//!
//! Repeating events (a pattern: `<daw-sequence>`, `<daw-steps>`). A beat-timed note or clip event
//! with `param` = P ticks (1/960 beat) plays at beats `time + k·P/960` for every k ≥ 0, forever,
//! anchored to the song's beats: a transport loop replays the occurrences inside its region, an
//! unlooped transport meets a new one every period, and nothing is refilled from the main thread.
//! They are few (a pattern is tens of events), so emission scans their section linearly: for each
//! segment the occurrences whose beat can map into it (the segment's beats widened by the largest
//! swing delay, a quarter beat, and one frame) are checked against the exact song frame, collected
//! (at most `max_repeat_hits` a segment) and merged by frame with the other sections.
//!
//! Hanging notes. The timeline remembers the notes it started (up to `max_active`) and the
//! channels it started clips on; at a stop, pause, seek, loop wrap or re-time (Transport marks) it
//! emits a note off for each such note and a clip stop for each such channel (flag `released`) at
//! the mark's frame, before any event of the new position.
//!
//! Automation points are stored here but not emitted: Automation.zig evaluates each lane
//! (`lane`, `lanes`) per frame against the same transport segments.
//!
//! Emission calls `sink.event(offset: u32, ev: *const Event)` for each due event in frame order
//! (the lead routes notes to VoicePool.push and clips to Clips.push with frame = quantum start +
//! offset). Real-time safe: no allocation; O(segments · log n + due events) per quantum.
const std = @import("std");
const Params = @import("contract.zig");
const Transport = @import("Transport.zig");
const TempoMap = @import("TempoMap.zig");

const Timeline = @This();

/// Notes started by the timeline that it remembers to release.
pub const max_active = 512;
/// Automation lanes: every parameter of every strip and synth.
pub const max_lanes = (Params.num_strips + Params.max_synths) * Params.stride;
/// Largest seconds time accepted.
pub const max_seconds: f64 = 1e6;
/// Repeating-event occurrences emitted in one transport segment (more are counted in `repeat_overflow`).
pub const max_repeat_hits = 256;
/// Ticks per beat of a repeat period.
pub const ticks_per_beat: f64 = 960;

/// One record (32 bytes, little-endian; the TypeScript side writes it through typed views).
/// Word layout: 0-1 time (f64), 2 id, 3 kind (u8) | flags (u8) << 8 | param (u16) << 16,
/// 4 target, 5 a, 6 b, 7 c.
pub const Event = extern struct {
    /// Beats (quarter notes) on the song timeline, or seconds with `Flags.seconds`.
    time: f64,
    /// Chosen by the engine, non-zero. `remove` drops every event carrying an id (a note's on and
    /// off share one, so do the points of one automation gesture).
    id: u32,
    kind: Kind,
    flags: u8 = 0,
    /// Automation: parameter index in the strip's or synth's slot (Params.strip / Params.synth).
    /// Beat-timed notes and clips: repeat period in ticks (1/960 beat), 0 = once.
    param: u16 = 0,
    /// Notes: synth slot; clips: channel; automation: strip (or synth with `Flags.synth`).
    target: u32,
    /// Notes: pitch (f32 bits, MIDI number); clips: sample id; automation: value (f32 bits).
    a: u32 = 0,
    /// Notes: velocity 0..1; clips: gain (linear, ≥ 0).
    b: f32 = 1,
    /// Clips: offset into the sample, frames; automation: `Ramp` arriving at this point.
    c: u32 = 0,

    pub const Kind = enum(u8) { note_on = 1, note_off = 2, clip_play = 3, clip_stop = 4, automation = 5, _ };
    pub const Flags = struct {
        /// `time` is in seconds (else beats).
        pub const seconds: u8 = 1;
        /// Not swung (beat-timed notes and clips; automation is never swung).
        pub const straight: u8 = 2;
        /// Automation of a synth parameter (else a strip's).
        pub const synth: u8 = 4;
        /// Clip play loops.
        pub const loop: u8 = 8;
        /// Set on the note offs the timeline emits itself (hanging-note release).
        pub const released: u8 = 128;
    };

    pub fn note(kind: Kind, id: u32, time: f64, synth: u32, pitch_: f32, velocity: f32) Event {
        return .{ .time = time, .id = id, .kind = kind, .target = synth, .a = @bitCast(pitch_), .b = velocity };
    }
    pub fn pitch(self: Event) f32 {
        return @bitCast(self.a);
    }
    pub fn value(self: Event) f32 {
        return @bitCast(self.a);
    }
    fn section(self: Event) u32 {
        if (self.kind == .automation) return 4;
        if (self.param != 0) return 3;
        if (self.flags & Flags.seconds != 0) return 2;
        return if (self.flags & Flags.straight != 0) 1 else 0;
    }
    /// Lane key of an automation point: (synth flag, target, param).
    pub fn laneKey(self: Event) u64 {
        return (@as(u64, self.flags & Flags.synth) << 48) | (@as(u64, self.target) << 16) | self.param;
    }
};

comptime {
    std.debug.assert(Params.max_channels <= 64); // clip_channels is a u64 mask
    std.debug.assert(@sizeOf(Event) == 32);
    std.debug.assert(@offsetOf(Event, "target") == 16);
}

/// Ramp kinds of automation points (how the value travels from the previous point to this one).
pub const Ramp = enum(u32) { step = 0, linear = 1, exponential = 2 };

pub const Error = error{
    /// The batch does not fit the storage (grow it with `rehome` first).
    Capacity,
    /// An event is malformed; `bad_index` says which (time, kind, target, value or ramp out of range).
    BadEvent,
    /// An automation point in seconds on a lane in beats, or the reverse.
    MixedLaneTime,
};

/// A contiguous run of automation points of one lane.
pub const LaneRange = struct { start: u32, len: u32 };

store: []Event,
n: u32 = 0,
/// Section ends: section k is [ends[k-1], ends[k]) (ends[-1] = 0); automation is [ends[3], n).
ends: [4]u32 = .{ 0, 0, 0, 0 },
lane_table: [max_lanes]LaneRange = undefined,
n_lanes: u32 = 0,
active: [max_active]struct { synth: u32, id: u32, pitch: u32, removed: bool = false } = undefined,
n_active: u32 = 0,
/// Sounding notes whose events were removed: released at the next quantum.
n_removed: u32 = 0,
/// Occurrences of repeating events due in the current segment: song frame and index.
rep_hits: [max_repeat_hits]struct { frame: i64, i: u32 } = undefined,
/// Repeating-event occurrences dropped because one segment had more than `max_repeat_hits` (running).
repeat_overflow: u32 = 0,
/// Index in the last rejected batch of the first bad event.
bad_index: u32 = 0,
/// Notes not remembered for release because `max_active` were sounding (running).
active_overflow: u32 = 0,
/// Channels with a clip the timeline started (bit c = channel c).
clip_channels: u64 = 0,

/// A timeline on `storage` (its length is the capacity; the engine owns the memory).
pub fn init(storage: []Event) Timeline {
    return .{ .store = storage };
}

/// Moves to new storage (larger, or at least `n` long), copying the events. Between quanta.
pub fn rehome(self: *Timeline, storage: []Event) Error!void {
    if (storage.len < self.n) return error.Capacity;
    std.mem.copyForwards(Event, storage[0..self.n], self.store[0..self.n]);
    self.store = storage;
}

pub fn events(self: *const Timeline) []const Event {
    return self.store[0..self.n];
}

fn lessThan(_: void, x: Event, y: Event) bool {
    const sx = x.section();
    const sy = y.section();
    if (sx != sy) return sx < sy;
    if (sx == 4) {
        const kx = x.laneKey();
        const ky = y.laneKey();
        if (kx != ky) return kx < ky;
        const bx = x.flags & Event.Flags.seconds;
        const by = y.flags & Event.Flags.seconds;
        if (bx != by) return bx < by;
    }
    if (x.time != y.time) return x.time < y.time;
    // At one time: note offs and clip stops before ons and plays, so a repeated note retriggers.
    const ox = @intFromBool(x.kind == .note_on or x.kind == .clip_play);
    const oy = @intFromBool(y.kind == .note_on or y.kind == .clip_play);
    if (ox != oy) return ox < oy;
    return x.id < y.id;
}

fn valid(e: Event) bool {
    const seconds = e.flags & Event.Flags.seconds != 0;
    if (!(e.time >= 0 and e.time <= (if (seconds) max_seconds else TempoMap.max_beat))) return false;
    if (e.id == 0) return false;
    switch (e.kind) {
        .note_on, .note_off, .clip_play, .clip_stop => if (e.param != 0 and seconds) return false,
        else => {},
    }
    switch (e.kind) {
        .note_on, .note_off => {
            if (e.target >= Params.max_synths or !std.math.isFinite(e.pitch())) return false;
            if (!(e.b >= 0 and e.b <= 1)) return false;
        },
        .clip_play, .clip_stop => {
            if (e.target >= Params.max_channels) return false;
            if (e.kind == .clip_play and (e.a == 0 or !(e.b >= 0 and std.math.isFinite(e.b)))) return false;
        },
        .automation => {
            const synth = e.flags & Event.Flags.synth != 0;
            if (e.target >= (if (synth) Params.max_synths else Params.num_strips)) return false;
            if (e.param >= Params.stride or !std.math.isFinite(e.value())) return false;
            if (e.c > @intFromEnum(Ramp.exponential)) return false;
            if (e.c == @intFromEnum(Ramp.exponential) and e.value() == 0) return false;
        },
        else => return false,
    }
    return true;
}

/// Adds a batch (sorted in place, then merged). On error nothing is added.
pub fn add(self: *Timeline, batch: []Event) Error!void {
    if (batch.len > self.store.len - self.n) return error.Capacity;
    for (batch, 0..) |e, i| if (!valid(e)) {
        self.bad_index = @intCast(i);
        return error.BadEvent;
    };
    std.sort.pdq(Event, batch, {}, lessThan);
    // A lane keeps one time base: check the batch against itself and against the stored lanes.
    for (batch, 0..) |e, i| {
        if (e.kind != .automation) continue;
        if (i > 0 and batch[i - 1].kind == .automation and batch[i - 1].laneKey() == e.laneKey() and
            (batch[i - 1].flags ^ e.flags) & Event.Flags.seconds != 0) return error.MixedLaneTime;
        if (self.findLane(e.laneKey())) |r| {
            if ((self.store[r.start].flags ^ e.flags) & Event.Flags.seconds != 0) return error.MixedLaneTime;
        }
    }
    // Backward merge of store[0..n) and batch into store[0..n+k).
    var i: usize = self.n;
    var j: usize = batch.len;
    var w: usize = self.n + batch.len;
    while (j > 0) {
        w -= 1;
        if (i > 0 and lessThan({}, batch[j - 1], self.store[i - 1])) {
            i -= 1;
            self.store[w] = self.store[i];
        } else {
            j -= 1;
            self.store[w] = batch[j];
        }
    }
    self.n += @intCast(batch.len);
    self.reindex();
}

/// Removes every event whose id is in `ids` (sorted in place). Returns how many were removed.
pub fn remove(self: *Timeline, ids: []u32) u32 {
    std.sort.pdq(u32, ids, {}, std.sort.asc(u32));
    var w: usize = 0;
    for (self.store[0..self.n]) |e| {
        if (std.sort.binarySearch(u32, e.id, ids, {}, orderU32) == null) {
            self.store[w] = e;
            w += 1;
        }
    }
    const removed: u32 = self.n - @as(u32, @intCast(w));
    self.n = @intCast(w);
    for (self.active[0..self.n_active]) |*a| {
        if (!a.removed and std.sort.binarySearch(u32, a.id, ids, {}, orderU32) != null) {
            a.removed = true;
            self.n_removed += 1;
        }
    }
    self.reindex();
    return removed;
}

fn orderU32(_: void, a: u32, b: u32) std.math.Order {
    return std.math.order(a, b);
}

/// Section ends and the lane table.
fn reindex(self: *Timeline) void {
    var i: u32 = 0;
    for (0..4) |k| {
        while (i < self.n and self.store[i].section() == k) i += 1;
        self.ends[k] = i;
    }
    self.n_lanes = 0;
    while (i < self.n) {
        const key = self.store[i].laneKey();
        const start = i;
        while (i < self.n and self.store[i].laneKey() == key) i += 1;
        self.lane_table[self.n_lanes] = .{ .start = start, .len = i - start };
        self.n_lanes += 1;
    }
}

fn findLane(self: *const Timeline, key: u64) ?LaneRange {
    var lo: usize = 0;
    var hi: usize = self.n_lanes;
    while (lo < hi) {
        const mid = (lo + hi) / 2;
        const k = self.store[self.lane_table[mid].start].laneKey();
        if (k == key) return self.lane_table[mid];
        if (k < key) lo = mid + 1 else hi = mid;
    }
    return null;
}

/// Points of the lane of parameter `param` of strip `target` (or synth, with `synth`), sorted by time.
pub fn lane(self: *const Timeline, synth: bool, target: u32, param: u16) []const Event {
    const probe = Event{ .time = 0, .id = 1, .kind = .automation, .flags = if (synth) Event.Flags.synth else 0, .target = target, .param = param };
    const r = self.findLane(probe.laneKey()) orelse return &.{};
    return self.store[r.start..][0..r.len];
}

/// Every lane, in lane-key order.
pub fn lanes(self: *const Timeline) []const LaneRange {
    return self.lane_table[0..self.n_lanes];
}

/// Song frame of a note or clip event under the transport's current tempo map and swing.
pub fn frameOf(tr: *const Transport, e: *const Event) i64 {
    if (e.flags & Event.Flags.seconds != 0) return tr.frameOfSeconds(e.time);
    return tr.eventFrame(e.time, e.flags & Event.Flags.straight != 0);
}

/// First index in [lo, hi) whose frame is ≥ f.
fn lowerBound(self: *const Timeline, tr: *const Transport, lo_in: u32, hi_in: u32, f: i64) u32 {
    var lo = lo_in;
    var hi = hi_in;
    while (lo < hi) {
        const mid = lo + (hi - lo) / 2;
        if (frameOf(tr, &self.store[mid]) < f) lo = mid + 1 else hi = mid;
    }
    return lo;
}

fn release(self: *Timeline, offset: u32, sink: anytype) void {
    for (self.active[0..self.n_active]) |a| {
        const off = Event{ .time = 0, .id = a.id, .kind = .note_off, .flags = Event.Flags.released, .target = a.synth, .a = a.pitch, .b = 0 };
        sink.event(offset, &off);
    }
    self.n_active = 0;
    var m = self.clip_channels;
    while (m != 0) : (m &= m - 1) {
        const stop = Event{ .time = 0, .id = 0, .kind = .clip_stop, .flags = Event.Flags.released, .target = @ctz(m) };
        sink.event(offset, &stop);
    }
    self.clip_channels = 0;
}

fn track(self: *Timeline, e: *const Event) void {
    if (e.kind == .clip_play) {
        self.clip_channels |= @as(u64, 1) << @intCast(e.target);
    } else if (e.kind == .clip_stop) {
        self.clip_channels &= ~(@as(u64, 1) << @intCast(e.target));
    } else if (e.kind == .note_on) {
        if (self.n_active == max_active) {
            self.active_overflow +%= 1;
            return;
        }
        self.active[self.n_active] = .{ .synth = e.target, .id = e.id, .pitch = e.a };
        self.n_active += 1;
    } else if (e.kind == .note_off) {
        for (self.active[0..self.n_active], 0..) |a, i| {
            if (a.synth == e.target and a.id == e.id) {
                self.active[i] = self.active[self.n_active - 1];
                self.n_active -= 1;
                break;
            }
        }
    }
}

/// Emits the notes and clip events due in the quantum `tr.advance` just described, in frame order,
/// and the releases its marks call for. Real-time safe.
pub fn emit(self: *Timeline, tr: *const Transport, sink: anytype) void {
    if (self.n_removed != 0) self.releaseRemoved(sink);
    const ms = tr.marks();
    var mi: usize = 0;
    for (tr.segments()) |s| {
        while (mi < ms.len and ms[mi].offset <= s.offset) : (mi += 1) self.onMark(ms[mi], sink);
        const s1 = s.song + s.len;
        var cur: [3]u32 = undefined;
        var end: [3]u32 = undefined;
        var next: [3]i64 = undefined;
        for (0..3) |k| {
            const lo = if (k == 0) 0 else self.ends[k - 1];
            cur[k] = self.lowerBound(tr, lo, self.ends[k], s.song);
            end[k] = self.lowerBound(tr, cur[k], self.ends[k], s1);
            next[k] = if (cur[k] < end[k]) frameOf(tr, &self.store[cur[k]]) else std.math.maxInt(i64);
        }
        const n_rep = self.collectRepeats(tr, s.song, s1);
        var ri: u32 = 0;
        // Merge the four streams by frame (lower section first at equal frames).
        while (true) {
            var k: usize = 0;
            if (next[1] < next[k]) k = 1;
            if (next[2] < next[k]) k = 2;
            const rf = if (ri < n_rep) self.rep_hits[ri].frame else std.math.maxInt(i64);
            if (rf < next[k]) {
                const e = &self.store[self.rep_hits[ri].i];
                ri += 1;
                self.track(e);
                sink.event(s.offset + @as(u32, @intCast(rf - s.song)), e);
                continue;
            }
            if (next[k] == std.math.maxInt(i64)) break;
            const e = &self.store[cur[k]];
            const f = next[k];
            cur[k] += 1;
            next[k] = if (cur[k] < end[k]) frameOf(tr, &self.store[cur[k]]) else std.math.maxInt(i64);
            self.track(e);
            sink.event(s.offset + @as(u32, @intCast(f - s.song)), e);
        }
    }
    while (mi < ms.len) : (mi += 1) self.onMark(ms[mi], sink);
}

fn onMark(self: *Timeline, m: Transport.Mark, sink: anytype) void {
    if (m.kind != .started) self.release(m.offset, sink);
}

/// Note offs, at offset 0, for the sounding notes whose events were removed.
fn releaseRemoved(self: *Timeline, sink: anytype) void {
    var i: u32 = 0;
    while (i < self.n_active) {
        const a = self.active[i];
        if (!a.removed) {
            i += 1;
            continue;
        }
        const off = Event{ .time = 0, .id = a.id, .kind = .note_off, .flags = Event.Flags.released, .target = a.synth, .a = a.pitch, .b = 0 };
        sink.event(0, &off);
        self.active[i] = self.active[self.n_active - 1];
        self.n_active -= 1;
    }
    self.n_removed = 0;
}

fn onKey(e: *const Event) u1 {
    return @intFromBool(e.kind == .note_on or e.kind == .clip_play);
}

/// Collects into `rep_hits`, sorted by frame (then the timeline's order), the occurrences of
/// repeating events whose song frame lies in [s0, s1); returns how many.
fn collectRepeats(self: *Timeline, tr: *const Transport, s0: i64, s1: i64) u32 {
    const lo = self.ends[2];
    const hi = self.ends[3];
    if (lo == hi) return 0;
    // Swing delays a beat by at most amount · grid ≤ 0.5 · 0.5 beat; a frame either side covers
    // the rounding to the nearest frame.
    const b0 = tr.beatOfFrame(s0 - 1) - 0.25;
    const b1 = tr.beatOfFrame(s1 + 1);
    var n: u32 = 0;
    var idx = lo;
    while (idx < hi) : (idx += 1) {
        const e = &self.store[idx];
        const p = @as(f64, @floatFromInt(e.param)) / ticks_per_beat;
        const straight = e.flags & Event.Flags.straight != 0;
        var k = @max(0, @ceil((b0 - e.time) / p));
        while (true) : (k += 1) {
            const b = e.time + k * p;
            if (!(b < b1) or b > TempoMap.max_beat) break;
            const f = tr.eventFrame(b, straight);
            if (f < s0 or f >= s1) continue;
            if (n == max_repeat_hits) {
                self.repeat_overflow +%= 1;
                continue;
            }
            // Insertion by (frame, offs before ons) so a note repeated at its own length
            // retriggers; indices ascend, so otherwise the store's order holds.
            const on = onKey(e);
            var j = n;
            while (j > 0) : (j -= 1) {
                const h = self.rep_hits[j - 1];
                if (h.frame < f or (h.frame == f and onKey(&self.store[h.i]) <= on)) break;
                self.rep_hits[j] = h;
            }
            self.rep_hits[j] = .{ .frame = f, .i = idx };
            n += 1;
        }
    }
    return n;
}

// --- Tests ----------------------------------------------------------------------------------

const testing = std.testing;
const Q = Transport.max_segments;

/// Records what a timeline emits: absolute engine frame and the event.
pub const Recorder = struct {
    pub const Hit = struct { frame: u64, id: u32, kind: Event.Kind, released: bool };
    hits: []Hit,
    n: usize = 0,
    now: u64 = 0,
    pub fn event(self: *Recorder, offset: u32, e: *const Event) void {
        if (self.n < self.hits.len) self.hits[self.n] = .{ .frame = self.now + offset, .id = e.id, .kind = e.kind, .released = e.flags & Event.Flags.released != 0 };
        self.n += 1;
    }
};

test "add, sort, remove and lanes" {
    var buf: [16]Event = undefined;
    var tl = Timeline.init(&buf);
    var b1 = [_]Event{
        Event.note(.note_on, 1, 2, 0, 60, 1),
        Event.note(.note_off, 1, 3, 0, 60, 0),
        .{ .time = 1, .id = 3, .kind = .automation, .target = 5, .param = 15, .a = @bitCast(@as(f32, -6)), .c = 1 },
        .{ .time = 0.5, .id = 3, .kind = .automation, .target = 5, .param = 15, .a = @bitCast(@as(f32, 0)) },
        .{ .time = 0.25, .id = 4, .kind = .note_on, .flags = Event.Flags.seconds, .target = 1, .a = @bitCast(@as(f32, 64)) },
    };
    try tl.add(&b1);
    var b2 = [_]Event{ Event.note(.note_on, 2, 2, 0, 62, 1), Event.note(.note_off, 5, 2, 0, 55, 1) };
    try tl.add(&b2);
    const ev = tl.events();
    try testing.expectEqual([4]u32{ 4, 4, 5, 5 }, tl.ends);
    // At beat 2: the off first, then the ons by id.
    try testing.expectEqual(Event.Kind.note_off, ev[0].kind);
    try testing.expectEqual(@as(u32, 1), ev[1].id);
    try testing.expectEqual(@as(u32, 2), ev[2].id);
    const l = tl.lane(false, 5, 15);
    try testing.expectEqual(@as(usize, 2), l.len);
    try testing.expectEqual(@as(f64, 0.5), l[0].time);
    try testing.expectEqual(@as(usize, 0), tl.lane(false, 5, 14).len);
    var mixed = [_]Event{.{ .time = 3, .id = 9, .kind = .automation, .flags = Event.Flags.seconds, .target = 5, .param = 15 }};
    try testing.expectError(error.MixedLaneTime, tl.add(&mixed));
    var bad = [_]Event{ Event.note(.note_on, 7, 1, 0, 60, 1), Event.note(.note_on, 7, 1, 64, 60, 1) };
    try testing.expectError(error.BadEvent, tl.add(&bad));
    try testing.expectEqual(@as(u32, 1), tl.bad_index);
    var big: [12]Event = undefined;
    for (&big) |*e| e.* = Event.note(.note_on, 8, 1, 0, 60, 1);
    try testing.expectError(error.Capacity, tl.add(&big));
    var ids = [_]u32{ 3, 1 };
    try testing.expectEqual(@as(u32, 4), tl.remove(&ids));
    try testing.expectEqual(@as(u32, 3), tl.n);
    try testing.expectEqual(@as(u32, 0), tl.n_lanes);
}

test "edits while playing: from the next frame rendered, never twice, never skipped" {
    var buf: [64]Event = undefined;
    var tl = Timeline.init(&buf);
    var tr = Transport.init(48000);
    try tr.setLoop(0, 1, true); // 24000 frames
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    var hits: [64]Recorder.Hit = undefined;
    var rec = Recorder{ .hits = &hits };
    // 0.25 beat = frame 6000 = quantum 46 offset 112.
    var b = [_]Event{
        Event.note(.note_on, 1, 0.25, 0, 60, 1),
        .{ .time = 0.5, .id = 9, .kind = .clip_play, .target = 3, .a = 5 },
    };
    try tl.add(&b);
    var q: u64 = 0;
    while (q < 47) : (q += 1) {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    try testing.expectEqual(@as(usize, 1), rec.n);
    try testing.expectEqual(@as(u64, 6000), hits[0].frame);
    // Position now 6016. Re-adding the same event (remove + add) does not fire it again in this
    // pass; an event added at the frame just rendered (6015) waits for the next pass; one at the
    // next frame to render (6016) fires at once; one removed before its frame never fires.
    var ids = [_]u32{1};
    _ = tl.remove(&ids);
    const beat_of = struct {
        fn f(frame: f64) f64 {
            return frame / 24000.0;
        }
    }.f;
    var b2 = [_]Event{
        Event.note(.note_on, 1, 0.25, 0, 60, 1),
        Event.note(.note_on, 2, beat_of(6015), 0, 61, 1),
        Event.note(.note_on, 3, beat_of(6016), 0, 62, 1),
        Event.note(.note_on, 4, beat_of(7000), 0, 63, 1),
    };
    try tl.add(&b2);
    rec.now = q * Q;
    tr.advance(rec.now);
    tl.emit(&tr, &rec);
    q += 1;
    var ids4 = [_]u32{4};
    _ = tl.remove(&ids4);
    while (q < 24000 / Q + 48) : (q += 1) {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    // Hits: 6000 (id 1); 6016: the removed note 1 released, then id 3; the clip at 12000; then
    // the wrap at 24000 releases note 3 and stops the clip's channel; then the
    // second pass fires 24000 + 6000 (id 1), 24000 + 6015 (id 2), 24000 + 6016 (id 3).
    const want = [_]Recorder.Hit{
        .{ .frame = 6000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 6016, .id = 1, .kind = .note_off, .released = true },
        .{ .frame = 6016, .id = 3, .kind = .note_on, .released = false },
        .{ .frame = 12000, .id = 9, .kind = .clip_play, .released = false },
        .{ .frame = 24000, .id = 3, .kind = .note_off, .released = true },
        .{ .frame = 24000, .id = 0, .kind = .clip_stop, .released = true },
        .{ .frame = 30000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 30015, .id = 2, .kind = .note_on, .released = false },
        .{ .frame = 30016, .id = 3, .kind = .note_on, .released = false },
    };
    try testing.expectEqualSlices(Recorder.Hit, &want, hits[0..rec.n]);
}

test "swung and straight events are emitted in frame order" {
    // A swung 16th at beat 2.28 plays at 2.346 (amount 0.3), after a straight event at 2.3: sorted
    // in one run by beat, a binary search on the frame would not be valid.
    var buf: [4]Event = undefined;
    var tl = Timeline.init(&buf);
    var tr = Transport.init(48000);
    try tr.setSwing(0.3, 0.25);
    var b = [_]Event{ Event.note(.note_on, 1, 2.28, 0, 60, 1), Event.note(.note_on, 2, 2.3, 0, 60, 1) };
    b[1].flags = Event.Flags.straight;
    try tl.add(&b);
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    var hits: [4]Recorder.Hit = undefined;
    var rec = Recorder{ .hits = &hits };
    for (0..1000) |q| {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    try testing.expectEqual(@as(usize, 2), rec.n);
    try testing.expectEqual(@as(u32, 2), hits[0].id);
    try testing.expectEqual(@as(u64, @intFromFloat(@round(2.3 * 24000))), hits[0].frame);
    try testing.expectEqual(@as(u64, @intFromFloat(@round((2.0 + 0.25 * 1.3 + 0.03 * 0.7) * 24000))), hits[1].frame);
}

test "repeating events: every period, on exact frames, across loops, swing and edits" {
    var buf: [16]Event = undefined;
    var tl = Timeline.init(&buf);
    var tr = Transport.init(48000); // 120 BPM: 24000 frames a beat
    // A two-beat pattern from beat 1: a note at 1 (length 2 = its period: it must retrigger) and a
    // swung 8th off-beat at 1.5, a clip at 2.
    var b = [_]Event{
        Event.note(.note_on, 1, 1, 0, 60, 1),
        Event.note(.note_off, 1, 3, 0, 60, 0),
        Event.note(.note_on, 2, 1.5, 0, 64, 1),
        Event.note(.note_off, 2, 1.75, 0, 64, 0),
        .{ .time = 2, .id = 3, .kind = .clip_play, .target = 1, .a = 7 },
    };
    for (&b) |*e| e.param = 1920;
    try tl.add(&b);
    try testing.expectEqual([4]u32{ 0, 0, 0, 5 }, tl.ends);
    try tr.setSwing(0.2, 0.5);
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    var hits: [64]Recorder.Hit = undefined;
    var rec = Recorder{ .hits = &hits };
    const quanta = 6 * 24000 / Q; // beats 0..6
    for (0..quanta) |q| {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    // Swung 8th off-beat: 1.5 -> 1.5 + 0.2 · 0.5 = 1.6 beats; its off at 1.75 -> 1.8.
    const H = Recorder.Hit;
    const want = [_]H{
        .{ .frame = 24000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 38400, .id = 2, .kind = .note_on, .released = false },
        .{ .frame = 43200, .id = 2, .kind = .note_off, .released = false },
        .{ .frame = 48000, .id = 3, .kind = .clip_play, .released = false },
        .{ .frame = 72000, .id = 1, .kind = .note_off, .released = false },
        .{ .frame = 72000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 86400, .id = 2, .kind = .note_on, .released = false },
        .{ .frame = 91200, .id = 2, .kind = .note_off, .released = false },
        .{ .frame = 96000, .id = 3, .kind = .clip_play, .released = false },
        .{ .frame = 120000, .id = 1, .kind = .note_off, .released = false },
        .{ .frame = 120000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 134400, .id = 2, .kind = .note_on, .released = false },
        .{ .frame = 139200, .id = 2, .kind = .note_off, .released = false },
    };
    try testing.expectEqualSlices(H, &want, hits[0..rec.n]);
    // A loop [2, 8) set at beat 6: the song wraps at beat 8 (frame 192000) to beat 2 and the
    // occurrences there play again, with no new events.
    rec.n = 0;
    try tr.setLoop(2, 8, true);
    for (quanta..quanta + 4 * 24000 / Q) |q| {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    const want2 = [_]H{
        .{ .frame = 144000, .id = 3, .kind = .clip_play, .released = false },
        .{ .frame = 168000, .id = 1, .kind = .note_off, .released = false },
        .{ .frame = 168000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 182400, .id = 2, .kind = .note_on, .released = false }, // 7.5 swung to 7.6
        .{ .frame = 187200, .id = 2, .kind = .note_off, .released = false },
        .{ .frame = 192000, .id = 1, .kind = .note_off, .released = true },
        .{ .frame = 192000, .id = 0, .kind = .clip_stop, .released = true },
        .{ .frame = 192000, .id = 3, .kind = .clip_play, .released = false }, // song beat 2
        .{ .frame = 216000, .id = 1, .kind = .note_off, .released = false }, // song beat 3
        .{ .frame = 216000, .id = 1, .kind = .note_on, .released = false },
        .{ .frame = 230400, .id = 2, .kind = .note_on, .released = false }, // 3.5 swung to 3.6
        .{ .frame = 235200, .id = 2, .kind = .note_off, .released = false },
    };
    try testing.expectEqualSlices(H, &want2, hits[0..rec.n]);
    // Removing a sounding repeating note releases it at the next quantum and ends its repeats.
    rec.n = 0;
    var ids = [_]u32{1};
    _ = tl.remove(&ids);
    for (0..4 * 24000 / Q) |q| {
        rec.now = (quanta + 4 * 24000 / Q + q) * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
    }
    for (hits[0..rec.n]) |h| try testing.expect(h.id != 1 or (h.kind == .note_off and h.released));
    // Seconds-timed repeating events are malformed.
    var bad = [_]Event{.{ .time = 1, .id = 5, .kind = .note_on, .flags = Event.Flags.seconds, .param = 960, .target = 0 }};
    try testing.expectError(error.BadEvent, tl.add(&bad));
}
