//! Whole-path tests of the time units (Transport + Timeline + Automation + Metronome) against
//! references computed another way: the tempo integral by composite Gauss–Legendre quadrature of
//! 60/BPM(β) (not the closed form), the transport by a frame-by-frame walk (not segments), and
//! event lookup by a sorted table (not binary search on the live mapping).
const std = @import("std");
const Transport = @import("Transport.zig");
const Timeline = @import("Timeline.zig");
const TempoMap = @import("TempoMap.zig");
const Automation = @import("Automation.zig");
const Metronome = @import("Metronome.zig");
const Lanes = @import("lanes.zig");

const testing = std.testing;
const Event = Timeline.Event;
const Q = Lanes.quantum;
const Hit = Timeline.Recorder.Hit;

// --- The scenario -------------------------------------------------------------------------------

const fs: f64 = 48000;
const tempo_points = [_]TempoMap.Point{
    .{ .beat = 0, .bpm = 97 },
    .{ .beat = 8, .bpm = 140, .ramp = .linear },
    .{ .beat = 16, .bpm = 72, .ramp = .linear },
    .{ .beat = 24, .bpm = 200 },
    .{ .beat = 40, .bpm = 133.25, .ramp = .linear },
    .{ .beat = 56, .bpm = 61 },
};
/// The same tempo written as a function of the beat, straight from the table above.
fn bpmRef(b: f64) f64 {
    if (b < 8) return 97;
    if (b < 16) return 140 + (72 - 140) * (b - 8) / 8;
    if (b < 24) return 72 + (200 - 72) * (b - 16) / 8;
    if (b < 40) return 200;
    if (b < 56) return 133.25 + (61 - 133.25) * (b - 40) / 16;
    return 61;
}
const swing_amount: f64 = 0.3; // 16th-note swing
const loop_begin: f64 = 26.5;
const loop_end: f64 = 31;
const play_frame: u64 = 300;
const seek1_frame: u64 = 5 * 48000 + 33;
/// Back from about beat 8.1 to 5.3: a stretch plays twice.
const seek1_beat: f64 = 5.3;
/// After 3-4 loop passes, to the loop's end: at or past the end the song plays on.
const seek2_frame: u64 = 22 * 48000 + 101;
const seek2_beat: f64 = 31;
/// 52 s: through beat 64 and song second 40, where the events end.
const quanta: u64 = 52 * 48000 / Q;
const n_events = 10_000;

/// Seconds to beat `b` by composite 8-point Gauss–Legendre over 1/64-beat cells (the tempo points
/// are on cell edges, so no cell straddles a step). Cells are accumulated once.
const Integral = struct {
    const cells = 64 * 64;
    acc: [cells + 1]f64,

    const gl_x = [_]f64{ -0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498, 0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363 };
    const gl_w = [_]f64{ 0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620, 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763 };

    fn gl(a: f64, b: f64) f64 {
        const h = (b - a) / 2;
        const m = (a + b) / 2;
        var s: f64 = 0;
        for (gl_x, gl_w) |x, w| s += w * 60 / bpmRef(m + h * x);
        return s * h;
    }
    fn init() Integral {
        var r: Integral = undefined;
        r.acc[0] = 0;
        for (0..cells) |i| {
            const a = @as(f64, @floatFromInt(i)) / 64;
            r.acc[i + 1] = r.acc[i] + gl(a, a + 1.0 / 64.0);
        }
        return r;
    }
    fn seconds(self: *const Integral, b: f64) f64 {
        const i: usize = @intFromFloat(@floor(b * 64));
        const a = @as(f64, @floatFromInt(i)) / 64;
        return self.acc[i] + (if (b > a) gl(a, b) else 0);
    }
};

/// 16th-note swing written out per pair of 16ths (half a beat).
fn swingRef(b: f64) f64 {
    const pair = @floor(b * 2) / 2;
    const u = b - pair;
    return pair + if (u < 0.25) u * (1 + swing_amount) else 0.25 * (1 + swing_amount) + (u - 0.25) * (1 - swing_amount);
}

/// Nearest frame of `x` frames; `tie` set when x is within 1e-6 of a half (either rounding passes).
fn roundRef(x: f64, tie: *bool) i64 {
    tie.* = @fabs(x - @floor(x) - 0.5) < 1e-6;
    return @intFromFloat(@round(x));
}

fn makeEvents(buf: []Event, seed: u64) void {
    var prng = std.rand.DefaultPrng.init(seed);
    const r = prng.random();
    for (buf, 0..) |*e, i| {
        const id: u32 = @intCast(i + 1);
        const kind: Event.Kind = if (i % 3 == 0) .clip_play else .note_on;
        var flags: u8 = 0;
        var time: f64 = undefined;
        switch (i % 10) {
            0, 1 => { // seconds-timed, anywhere in 0..40 s
                flags = Event.Flags.seconds;
                time = r.float(f64) * 40;
            },
            2, 3, 4, 5 => time = @as(f64, @floatFromInt(r.uintLessThan(u32, 64 * 960))) / 960, // on ticks
            else => time = r.float(f64) * 64,
        }
        if (i % 4 == 0) flags |= Event.Flags.straight;
        e.* = .{ .time = time, .id = id, .kind = kind, .flags = flags, .target = @intCast(i % 64), .a = if (kind == .clip_play) 7 else @bitCast(@as(f32, 60)), .b = 0.5 };
    }
}

const Run = struct {
    hits: []Hit,
    n_hits: usize,
    /// Bits of the metronome and one automation lane's output, hashed.
    audio_hash: u64,
    ns: u64,
};

/// Plays the scenario through the units under test.
fn runScenario(storage: []Event, batch: []Event, hits: []Hit) !Run {
    var tl = Timeline.init(storage);
    // Load in batches of 1000, as the engine would.
    var k: usize = 0;
    while (k < batch.len) : (k += 1000) try tl.add(batch[k..@min(batch.len, k + 1000)]);
    var lane = [_]Event{
        .{ .time = 0, .id = 1, .kind = .automation, .target = 0, .param = 15, .a = @bitCast(@as(f32, 0.1)) },
        .{ .time = 28, .id = 1, .kind = .automation, .target = 0, .param = 15, .a = @bitCast(@as(f32, 1)), .c = 2 },
        .{ .time = 45, .id = 1, .kind = .automation, .target = 0, .param = 15, .a = @bitCast(@as(f32, 0.5)), .c = 1 },
    };
    try tl.add(&lane);
    var tr = Transport.init(fs);
    try tr.setTempoMap(&tempo_points);
    try tr.setSwing(swing_amount, 0.25);
    try tr.setLoop(loop_begin, loop_end, true);
    try tr.schedule(.{ .kind = .play, .frame = play_frame });
    try tr.schedule(.{ .kind = .seek, .frame = seek1_frame, .beat = seek1_beat });
    try tr.schedule(.{ .kind = .seek, .frame = seek2_frame, .beat = seek2_beat });
    var auto = Automation.init(fs, 0.1);
    var met = Metronome.init(fs);
    met.on = true;
    var rec = Timeline.Recorder{ .hits = hits };
    var hash = std.hash.Wyhash.init(0);
    var click: [Q]f32 = undefined;
    var param: [Q]f32 = undefined;
    var timer = try std.time.Timer.start();
    for (0..quanta) |q| {
        rec.now = q * Q;
        tr.advance(rec.now);
        tl.emit(&tr, &rec);
        @memset(&click, 0);
        met.render(&tr, &click);
        _ = auto.render(tl.lane(false, 0, 15), &tr, &param);
        hash.update(std.mem.sliceAsBytes(&click));
        hash.update(std.mem.sliceAsBytes(&param));
    }
    const ns = timer.read();
    return .{ .hits = hits, .n_hits = rec.n, .audio_hash = hash.final(), .ns = ns };
}

fn hitLess(_: void, a: Hit, b: Hit) bool {
    if (a.frame != b.frame) return a.frame < b.frame;
    return a.id < b.id;
}

test "10,000 events on exact frames across tempo steps and ramps, swing, a loop and seeks" {
    const alloc = testing.allocator; // test scaffolding only; the units under test never allocate
    const events = try alloc.alloc(Event, n_events);
    defer alloc.free(events);
    makeEvents(events, 13);
    const ref_events = try alloc.dupe(Event, events); // `add` sorts its batch in place
    defer alloc.free(ref_events);

    // Reference song frame of every event.
    const integral = Integral.init();
    const Ref = struct { frame: i64, id: u32, tie: bool };
    const refs = try alloc.alloc(Ref, n_events);
    defer alloc.free(refs);
    var ties: usize = 0;
    for (ref_events, refs) |e, *r| {
        var t: f64 = undefined;
        if (e.flags & Event.Flags.seconds != 0) {
            t = e.time;
        } else {
            const b = if (e.flags & Event.Flags.straight != 0) e.time else swingRef(e.time);
            t = integral.seconds(b);
        }
        var tie = false;
        const fr = roundRef(t * fs, &tie);
        r.* = .{ .frame = fr, .id = e.id, .tie = tie };
        ties += @intFromBool(tie);
    }
    std.sort.pdq(Ref, refs, {}, struct {
        fn f(_: void, a: Ref, b: Ref) bool {
            return a.frame < b.frame or (a.frame == b.frame and a.id < b.id);
        }
    }.f);
    var tie_dummy = false;
    const loop_b = roundRef(integral.seconds(loop_begin) * fs, &tie_dummy);
    const loop_e = roundRef(integral.seconds(loop_end) * fs, &tie_dummy);
    const seek1 = roundRef(integral.seconds(seek1_beat) * fs, &tie_dummy);
    const seek2 = roundRef(integral.seconds(seek2_beat) * fs, &tie_dummy);

    // Frame-by-frame walk of the transport; every engine frame looks up its song frame's events.
    var expected = std.ArrayList(Hit).init(alloc);
    defer expected.deinit();
    var ambiguous = std.ArrayList(u32).init(alloc);
    defer ambiguous.deinit();
    var playing = false;
    var sf: i64 = 0;
    var passes: u32 = 0;
    for (0..quanta * Q) |f| {
        if (f == play_frame) playing = true;
        if (f == seek1_frame) sf = seek1;
        if (f == seek2_frame) sf = seek2;
        if (!playing) continue;
        var lo: usize = 0;
        var hi: usize = refs.len;
        while (lo < hi) {
            const mid = (lo + hi) / 2;
            if (refs[mid].frame < sf) lo = mid + 1 else hi = mid;
        }
        while (lo < refs.len and refs[lo].frame == sf) : (lo += 1) {
            try expected.append(.{ .frame = f, .id = refs[lo].id, .kind = ref_events[refs[lo].id - 1].kind, .released = false });
            if (refs[lo].tie) try ambiguous.append(refs[lo].id);
        }
        const before = sf;
        sf += 1;
        if (before < loop_e and sf == loop_e) {
            sf = loop_b;
            passes += 1;
        }
    }

    const storage = try alloc.alloc(Event, n_events + 16);
    defer alloc.free(storage);
    const hits = try alloc.alloc(Hit, 10 * n_events);
    defer alloc.free(hits);
    const run = try runScenario(storage, events, hits);
    try testing.expect(run.n_hits <= hits.len);
    // Our hits without the releases the timeline adds at marks.
    var got = std.ArrayList(Hit).init(alloc);
    defer got.deinit();
    for (run.hits[0..run.n_hits]) |h| if (!h.released) try got.append(h);
    std.sort.pdq(Hit, got.items, {}, hitLess);
    std.sort.pdq(Hit, expected.items, {}, hitLess);
    try testing.expectEqual(@as(usize, 0), ambiguous.items.len); // no reference frame within 1e-6 of a tie
    try testing.expect(passes >= 3);
    // Every event is due at least once; the loop passes and the seek back replay some.
    const seen = try alloc.alloc(bool, n_events + 1);
    defer alloc.free(seen);
    @memset(seen, false);
    for (expected.items) |h| seen[h.id] = true;
    try testing.expectEqual(@as(usize, n_events), std.mem.count(bool, seen, &.{true}));
    try testing.expect(expected.items.len > n_events);
    try testing.expectEqualSlices(Hit, expected.items, got.items);
    std.debug.print("\ntime: {d} events ({d} emitted incl. {d} loop passes) on their exact frames; {d} near-ties\n", .{ n_events, got.items.len, passes, ties });
}

test "determinism: a second run emits the same events and renders the same bits" {
    const alloc = testing.allocator;
    const events = try alloc.alloc(Event, 2000);
    defer alloc.free(events);
    const storage = try alloc.alloc(Event, 2016);
    defer alloc.free(storage);
    const hits1 = try alloc.alloc(Hit, 6000);
    defer alloc.free(hits1);
    const hits2 = try alloc.alloc(Hit, 6000);
    defer alloc.free(hits2);
    makeEvents(events, 5);
    const a = try runScenario(storage, events, hits1);
    makeEvents(events, 5);
    const b = try runScenario(storage, events, hits2);
    try testing.expectEqual(a.n_hits, b.n_hits);
    try testing.expectEqualSlices(Hit, a.hits[0..a.n_hits], b.hits[0..b.n_hits]);
    try testing.expectEqual(a.audio_hash, b.audio_hash);
    try testing.expect(a.n_hits > 2000);
}

test "100,000 events loaded and played, each once; cost per quantum with few due" {
    const alloc = testing.allocator;
    const n = 100_000;
    const storage = try alloc.alloc(Event, n);
    defer alloc.free(storage);
    var tl = Timeline.init(storage);
    // 100,000 notes over 512 beats at 120 BPM (256 s: ~390 a second, ~1 per quantum), added in
    // 100 batches of 1000 in shuffled order.
    var prng = std.rand.DefaultPrng.init(99);
    const r = prng.random();
    var batch: [1000]Event = undefined;
    var id: u32 = 1;
    for (0..100) |_| {
        for (&batch) |*e| {
            e.* = Event.note(.note_on, id, r.float(f64) * 512, id % 64, 60, 1);
            id += 1;
        }
        try tl.add(&batch);
    }
    try testing.expectEqual(@as(u32, n), tl.n);
    var tr = Transport.init(48000);
    try tr.setTempoMap(&.{ .{ .beat = 0, .bpm = 120, .ramp = .linear }, .{ .beat = 256, .bpm = 121 }, .{ .beat = 300, .bpm = 120 } });
    try tr.schedule(.{ .kind = .play, .frame = 0 });
    const count = try alloc.alloc(u8, n + 1);
    defer alloc.free(count);
    @memset(count, 0);
    const Counter = struct {
        count: []u8,
        last: i64 = -1,
        now: u64 = 0,
        ordered: bool = true,
        pub fn event(self: *@This(), offset: u32, e: *const Event) void {
            if (e.flags & Event.Flags.released != 0) return;
            self.count[e.id] +|= 1;
            const f: i64 = @intCast(self.now + offset);
            if (f < self.last) self.ordered = false;
            self.last = f;
        }
    };
    var c = Counter{ .count = count };
    const end_frame = tr.frameOfBeat(512) + 1;
    const nq: u64 = @intCast(@divFloor(end_frame, Q) + 1);
    var timer = try std.time.Timer.start();
    for (0..nq) |q| {
        c.now = q * Q;
        tr.advance(c.now);
        tl.emit(&tr, &c);
    }
    const ns = timer.read();
    for (count[1..]) |x| try testing.expectEqual(@as(u8, 1), x);
    try testing.expect(c.ordered);
    std.debug.print("\ntime: 100,000 events loaded, played once each: {d:.2} us per quantum (advance + emit, {s})\n", .{
        @as(f64, @floatFromInt(ns)) / @as(f64, @floatFromInt(nq)) / 1000, @tagName(@import("builtin").mode),
    });
}
