//! Sample playback inside the engine: audio buffers held in WASM memory, played into channel
//! inputs by one player per channel, started and stopped at exact sample frames.
//!
//! A DAW plays most of its audio from buffers. Playing them here instead of through
//! AudioBufferSourceNodes into the worklet's inputs saves the browser a node per source, the 32-input
//! plumbing of the worklet and a copy of every input sample into WASM memory: a channel reads its
//! clip straight from the sample table into its SIMD lane.
//!
//! Samples. The worklet places each sample's planar f32 data in memory above the module's static
//! data (it grows the memory for them, outside `process()`) and describes it with `define`: slot,
//! id (non-zero, chosen by the worklet: a generation in the high bits so a stale event never plays
//! a later sample in the same slot), left and right addresses (the same address for mono), length
//! and loop region. `clear` forgets a slot; players reading it stop at once (its memory may be
//! reused right after).
//!
//! Events (32-byte records on the event ring, `ClipEvent`):
//! * play: channel, sample id, offset (frames into the sample), gain, frame, flags (bit 0: loop).
//!   Starts at its exact frame. A channel plays one clip at a time: a play on a channel that is
//!   already playing moves the old clip to the channel's tail player, where it fades out linearly
//!   over `fade_ms` while the new one starts (no click). Without loop, the clip ends at its last
//!   frame, exactly as an AudioBufferSourceNode does; with loop it runs from `loop_start` to
//!   `loop_end` forever (an offset at or past `loop_end` starts at `loop_start`).
//! * stop: channel, frame. The clip fades out over `fade_ms` from that frame.
//! * cancel: channel. Applied when it is pushed, not at a frame: drops every queued event of the
//!   channel and fades out what it plays. The worklet sends it when a channel slot changes owner,
//!   so a previous owner's scheduled clips never play on the next one's channel.
//! A play whose sample id is not in the table when it comes due is dropped and counted.
//!
//! Rendering: a channel whose clip plays through the whole quantum without an event, fade, loop
//! wrap or end is a pointer into the sample; four such lanes are transposed straight from the
//! sample table into the group buffer. Other channels render into a per-channel scratch quantum
//! first (events at exact frames, fades, wraps) and are transposed from there. Real-time safe:
//! nothing allocated, O(channels + events) per quantum.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");
const NoteEvent = @import("note_event.zig").NoteEvent;

const Clips = @This();
const Q = lanes.quantum;
const V = lanes.V;
const channels = contract.max_channels;
const groups = lanes.groupsFor(channels);

/// Sample slots.
pub const max_samples: u32 = contract.max_samples;
/// Clip events waiting for their frame.
pub const queue_capacity = 512;
/// Fade-out on stop, cancel and when a new play replaces a sounding clip.
pub const fade_ms: f32 = 5;

/// Event kinds and flags (protocol/contract.json `events`; note kinds are NoteEvent's).
pub const Kind = contract.event;
pub const flag_loop = contract.event.flag_loop;
pub const flag_on_clock = contract.event.flag_on_clock;

pub const ClipEvent = extern struct {
    kind: u32,
    channel: u32,
    sample: u32,
    /// Frames into the sample at which playback starts.
    offset: u32,
    /// Linear gain (non-finite or negative: the event is dropped).
    gain: f32,
    frame_lo: u32,
    frame_hi: u32,
    flags: u32,

    pub fn frame(self: ClipEvent) u64 {
        return (@as(u64, self.frame_hi) << 32) | self.frame_lo;
    }

    pub fn make(kind: u32, channel: u32, sample: u32, offset: u32, gain: f32, f: u64, flags: u32) ClipEvent {
        return .{ .kind = kind, .channel = channel, .sample = sample, .offset = offset, .gain = gain, .frame_lo = @truncate(f), .frame_hi = @truncate(f >> 32), .flags = flags };
    }

    pub fn isClip(kind: u32) bool {
        return kind >= Kind.clip_play and kind <= Kind.clip_cancel;
    }
};

comptime {
    std.debug.assert(@sizeOf(ClipEvent) == @sizeOf(NoteEvent));
}

/// One entry of the sample table. `id == 0`: empty.
pub const Sample = struct {
    id: u32 = 0,
    left: [*]const f32 = undefined,
    right: [*]const f32 = undefined,
    frames: u32 = 0,
    loop_start: u32 = 0,
    loop_end: u32 = 0,
};

const Player = struct {
    /// Sample id playing; 0 = idle.
    id: u32 = 0,
    slot: u32 = 0,
    /// Next frame of the sample to play.
    pos: u32 = 0,
    loop: bool = false,
    gain: f32 = 1,
    /// Frames of fade-out left (0: not fading).
    fade: u32 = 0,
};

/// Results of `define` (protocol/contract.json `sampleDefineErrors`).
pub const DefineError = contract.sample_define_error;

samples: [max_samples]Sample,
main: [channels]Player,
/// Where a replaced or stopped clip fades out.
tail: [channels]Player,
queue: [queue_capacity]ClipEvent,
q_len: u32,
fade_frames: u32,
/// Per-channel render target for channels that cannot be read straight from their sample.
scratch: [channels][2][Q]f32,
/// Events dropped: queue full, malformed, or their sample gone when due (running count).
dropped: u32,
/// Events applied after their frame (running count).
late: u32,
/// Players sounding after the last quantum (main and tail).
playing: u32,

pub fn init(self: *Clips, sample_rate: f32) void {
    for (&self.samples) |*s| s.* = .{};
    for (&self.main) |*p| p.* = .{};
    for (&self.tail) |*p| p.* = .{};
    self.q_len = 0;
    self.fade_frames = @max(1, @as(u32, @intFromFloat(@round(sample_rate * fade_ms / 1000))));
    self.dropped = 0;
    self.late = 0;
    self.playing = 0;
}

/// Describes sample `slot`; `id % max_samples` must be `slot` (the rest is the worklet's generation). `mem_bytes` is the memory's current size: the data must lie inside it.
/// Invalid loop points (not loop_start < loop_end <= frames) mean the whole sample loops.
pub fn define(self: *Clips, slot: u32, id: u32, left: usize, right: usize, frames: u32, loop_start: u32, loop_end: u32, mem_bytes: u64) u32 {
    if (slot >= max_samples) return DefineError.bad_slot;
    if (id == 0 or slotOf(id) != slot) return DefineError.bad_id;
    if (frames == 0) return DefineError.bad_length;
    if (left % 4 != 0 or right % 4 != 0 or left == 0 or right == 0) return DefineError.misaligned;
    const bytes = @as(u64, frames) * 4;
    if (@as(u64, left) + bytes > mem_bytes or @as(u64, right) + bytes > mem_bytes) return DefineError.out_of_memory_bounds;
    self.clear(slot);
    const whole = !(loop_start < loop_end and loop_end <= frames);
    self.samples[slot] = .{
        .id = id,
        .left = @ptrFromInt(left),
        .right = @ptrFromInt(right),
        .frames = frames,
        .loop_start = if (whole) 0 else loop_start,
        .loop_end = if (whole) frames else loop_end,
    };
    return DefineError.ok;
}

/// Forgets sample `slot`: every player reading it stops at once (no fade: its memory may be reused).
pub fn clear(self: *Clips, slot: u32) void {
    if (slot >= max_samples) return;
    const id = self.samples[slot].id;
    if (id == 0) return;
    self.samples[slot] = .{};
    for (&self.main) |*p| if (p.id == id) {
        p.id = 0;
    };
    for (&self.tail) |*p| if (p.id == id) {
        p.id = 0;
    };
}

fn slotOf(id: u32) u32 {
    return id % max_samples;
}

/// Queues a clip event in frame order (stable), or applies a cancel at once. Returns false and
/// counts it when the event is malformed or the queue is full.
pub fn push(self: *Clips, ev: ClipEvent) bool {
    if (ev.channel >= channels or !ClipEvent.isClip(ev.kind)) {
        self.dropped +%= 1;
        return false;
    }
    if (ev.kind == Kind.clip_cancel) {
        var j: u32 = 0;
        for (self.queue[0..self.q_len]) |q| {
            if (q.channel == ev.channel) continue;
            self.queue[j] = q;
            j += 1;
        }
        self.q_len = j;
        self.stopChannel(ev.channel);
        return true;
    }
    if (ev.kind == Kind.clip_play and !(ev.gain >= 0 and ev.gain <= 1e6)) { // also rejects NaN
        self.dropped +%= 1;
        return false;
    }
    if (self.q_len == queue_capacity) {
        self.dropped +%= 1;
        return false;
    }
    const f = ev.frame();
    var i = self.q_len;
    while (i > 0 and self.queue[i - 1].frame() > f) : (i -= 1) self.queue[i] = self.queue[i - 1];
    self.queue[i] = ev;
    self.q_len += 1;
    return true;
}

fn stopChannel(self: *Clips, ch: u32) void {
    const m = &self.main[ch];
    if (m.id == 0) return;
    // The tail, if still fading, is cut: only one fade per channel (see the module doc).
    self.tail[ch] = m.*;
    self.tail[ch].fade = self.fade_frames;
    m.id = 0;
}

/// `late`: frames by which the event's frame had passed when it was applied (0 when on time).
fn apply(self: *Clips, ev: ClipEvent, late: u64) void {
    const ch = ev.channel;
    if (ev.kind == Kind.clip_stop) {
        self.stopChannel(ch);
        return;
    }
    const slot = slotOf(ev.sample);
    const s = &self.samples[slot];
    if (ev.sample == 0 or s.id != ev.sample) {
        self.dropped +%= 1;
        return;
    }
    self.stopChannel(ch);
    const loop = ev.flags & flag_loop != 0;
    var pos: u64 = ev.offset;
    if (ev.flags & flag_on_clock != 0 and late > 0) {
        // Where it would be had it started on its frame: `late` frames further, wrapped into the
        // loop region as `play` wraps it; a one-shot that would have ended by now does not start.
        pos += late;
        if (loop and s.loop_end > s.loop_start and pos >= s.loop_end) {
            pos = s.loop_start + (pos - s.loop_start) % (s.loop_end - s.loop_start);
        } else if (!loop and pos >= s.frames) {
            return;
        }
    }
    self.main[ch] = .{ .id = ev.sample, .slot = slot, .pos = @intCast(pos), .loop = loop, .gain = ev.gain };
}

/// True when channel `ch`'s main clip plays the whole quantum straight from its sample: no event
/// due, no tail fading, no wrap or end inside the quantum.
fn direct(self: *const Clips, ch: usize) bool {
    const p = &self.main[ch];
    if (p.id == 0 or self.tail[ch].id != 0) return false;
    const s = &self.samples[p.slot];
    if (s.id != p.id) return false;
    const end = if (p.loop) s.loop_end else s.frames;
    return p.pos < end and end - p.pos >= Q;
}

/// Adds `p`'s audio into `dst` over frames [from, to); advances it; ends it at its end or when its
/// fade is over.
fn play(self: *Clips, p: *Player, dst: *[2][Q]f32, from: usize, to: usize) void {
    var i = from;
    while (i < to and p.id != 0) {
        const s = &self.samples[p.slot];
        if (s.id != p.id) {
            p.id = 0;
            break;
        }
        const end = if (p.loop) s.loop_end else s.frames;
        if (p.pos >= end) {
            if (!p.loop) {
                p.id = 0;
                break;
            }
            p.pos = s.loop_start;
        }
        var n: usize = @min(to - i, end - p.pos);
        const l = s.left + p.pos;
        const r = s.right + p.pos;
        if (p.fade == 0) {
            for (0..n) |k| {
                dst[0][i + k] += l[k] * p.gain;
                dst[1][i + k] += r[k] * p.gain;
            }
        } else {
            n = @min(n, p.fade);
            const step = p.gain / @as(f32, @floatFromInt(self.fade_frames));
            for (0..n) |k| {
                const g = step * @as(f32, @floatFromInt(p.fade - k));
                dst[0][i + k] += l[k] * g;
                dst[1][i + k] += r[k] * g;
            }
            p.fade -= @intCast(n);
            if (p.fade == 0) p.id = 0;
        }
        p.pos += @intCast(n);
        i += n;
    }
}

/// Renders channel `ch` (main and tail) into its scratch quantum, applying its due events in
/// `due` at their frames.
fn renderScratch(self: *Clips, ch: u32, due: []const ClipEvent, frame_start: u64) *const [2][Q]f32 {
    const dst = &self.scratch[ch];
    @memset(&dst[0], 0);
    @memset(&dst[1], 0);
    var at: usize = 0;
    for (due) |ev| {
        if (ev.channel != ch) continue;
        const f = ev.frame();
        const off: usize = if (f <= frame_start) 0 else @intCast(f - frame_start);
        if (off > at) {
            self.play(&self.main[ch], dst, at, off);
            self.play(&self.tail[ch], dst, at, off);
            at = off;
        }
        // Frame 0 is "as soon as possible", never late (as counted in `render`).
        self.apply(ev, if (f < frame_start and f != 0) frame_start - f else 0);
    }
    self.play(&self.main[ch], dst, at, Q);
    self.play(&self.tail[ch], dst, at, Q);
    return dst;
}

const zeros = [_]f32{0} ** Q;

/// Renders the quantum starting at absolute frame `frame_start` into the channel inputs: lane k of
/// `inputs[g]` is channel 4g + k. Groups with `has_input[g]` already hold audio and are added to;
/// the others are stored (they are zero) and get `has_input[g]` set when a clip sounds in them.
pub fn render(self: *Clips, frame_start: u64, inputs: *[groups]lanes.GroupBuf, has_input: *[groups]bool) void {
    // Events due in this quantum leave the queue (it is frame-ordered).
    const end = frame_start + Q;
    var n_due: u32 = 0;
    while (n_due < self.q_len and self.queue[n_due].frame() < end) : (n_due += 1) {
        const f = self.queue[n_due].frame();
        if (f < frame_start and f != 0) self.late +%= 1; // frame 0: "as soon as possible", never late
    }
    // They stay at the queue's head while the channels render (`apply` never pushes), and leave it
    // at the end.
    const due = self.queue[0..n_due];

    var has_due = [_]bool{false} ** channels;
    for (due) |ev| has_due[ev.channel] = true;

    var playing: u32 = 0;
    for (0..groups) |g| {
        var left: [4][*]const f32 = undefined;
        var right: [4][*]const f32 = undefined;
        var gain: V = @splat(0);
        var any = false;
        for (0..4) |k| {
            const ch: u32 = @intCast(g * 4 + k);
            left[k] = &zeros;
            right[k] = &zeros;
            if (self.main[ch].id == 0 and self.tail[ch].id == 0 and !has_due[ch]) continue;
            if (!has_due[ch] and self.direct(ch)) {
                const p = &self.main[ch];
                const s = &self.samples[p.slot];
                left[k] = s.left + p.pos;
                right[k] = s.right + p.pos;
                gain[k] = p.gain;
                p.pos += @as(u32, Q);
                any = true;
            } else {
                const d = self.renderScratch(ch, due, frame_start);
                left[k] = &d[0];
                right[k] = &d[1];
                gain[k] = 1;
                any = true;
            }
            playing += @as(u32, @intFromBool(self.main[ch].id != 0)) + @intFromBool(self.tail[ch].id != 0);
        }
        if (!any) continue;
        const buf = &inputs[g];
        if (has_input[g]) {
            gather(true, &buf.l, left, gain);
            gather(true, &buf.r, right, gain);
        } else {
            gather(false, &buf.l, left, gain);
            gather(false, &buf.r, right, gain);
            has_input[g] = true;
        }
    }
    self.playing = playing;
    if (n_due > 0) {
        std.mem.copyForwards(ClipEvent, self.queue[0 .. self.q_len - n_due], self.queue[n_due..self.q_len]);
        self.q_len -= n_due;
    }
}

/// Frames of four planar sources → lane vectors of `dst`, scaled by the lanes' gains; stored, or
/// added with `add`.
fn gather(comptime add: bool, dst: *[Q]V, src: [4][*]const f32, gain: V) void {
    var i: usize = 0;
    while (i < Q) : (i += 4) {
        const t = simd.transpose4(.{ src[0][i..][0..4].*, src[1][i..][0..4].*, src[2][i..][0..4].*, src[3][i..][0..4].* });
        inline for (0..4) |j| {
            if (add) dst[i + j] += t[j] * gain else dst[i + j] = t[j] * gain;
        }
    }
}


/// Anything sounding or queued (the engine can skip `render` otherwise).
pub fn busy(self: *const Clips) bool {
    return self.q_len > 0 or self.playing > 0;
}

// --- tests -------------------------------------------------------------------------------------

const testing = std.testing;

const T = struct {
    var clips: Clips = undefined;
    var inputs: [groups]lanes.GroupBuf = undefined;
    var has: [groups]bool = undefined;
    var data_l: [1000]f32 = undefined;
    var data_r: [1000]f32 = undefined;

    fn setup() *Clips {
        clips.init(48000);
        for (&data_l, &data_r, 0..) |*l, *r, i| {
            l.* = @floatFromInt(i + 1);
            r.* = -@as(f32, @floatFromInt(i + 1));
        }
        return &clips;
    }
    fn run(frame: u64) void {
        for (&inputs) |*b| b.clear();
        @memset(&has, false);
        clips.render(frame, &inputs, &has);
    }
    fn lane(ch: usize, side: usize, i: usize) f32 {
        const b = &inputs[ch / 4];
        return if (side == 0) b.l[i][ch % 4] else b.r[i][ch % 4];
    }
    fn define(slot: u32, id: u32, frames: u32, ls: u32, le: u32) !void {
        try testing.expectEqual(DefineError.ok, clips.define(slot, id, @intFromPtr(&data_l), @intFromPtr(&data_r), frames, ls, le, std.math.maxInt(u64)));
    }
};

test "clip plays from its exact frame, reads straight through, ends at its last frame" {
    const c = T.setup();
    try T.define(3, 3, 300, 0, 0);
    try testing.expect(c.push(ClipEvent.make(Kind.clip_play, 6, 3, 0, 0.5, 1000 + 10, 0)));
    T.run(1000 - 128);
    try testing.expectEqual(@as(f32, 0), T.lane(6, 0, 127));
    T.run(1000);
    try testing.expectEqual(@as(f32, 0), T.lane(6, 0, 9));
    try testing.expectEqual(@as(f32, 0.5), T.lane(6, 0, 10));
    try testing.expectEqual(@as(f32, -0.5), T.lane(6, 1, 10));
    try testing.expectEqual(@as(f32, 0.5 * 118), T.lane(6, 0, 127));
    try testing.expect(T.has[1]);
    T.run(1128); // direct path: 118 .. 245
    try testing.expect(c.direct(6) == false); // 300 - 246 < 128 left after this quantum
    try testing.expectEqual(@as(f32, 0.5 * 119), T.lane(6, 0, 0));
    try testing.expectEqual(@as(f32, 0.5 * 246), T.lane(6, 0, 127));
    T.run(1256); // frames 246..299 then silence
    try testing.expectEqual(@as(f32, 0.5 * 300), T.lane(6, 0, 53));
    try testing.expectEqual(@as(f32, 0), T.lane(6, 0, 54));
    try testing.expectEqual(@as(u32, 0), c.playing);
    try testing.expectEqual(@as(u32, 0), c.late);
}

test "loop region wraps, offset past loop end starts at loop start" {
    const c = T.setup();
    try T.define(1, 1 + max_samples, 100, 10, 20); // generation in the high part
    try testing.expect(c.push(ClipEvent.make(Kind.clip_play, 0, 1 + max_samples, 15, 1, 0, flag_loop)));
    T.run(0);
    // 15..19, then 10..19 repeating
    for (0..Q) |i| {
        const want: f32 = if (i < 5) @floatFromInt(16 + i) else @floatFromInt(11 + (i - 5) % 10);
        try testing.expectEqual(want, T.lane(0, 0, i));
    }
    try testing.expect(c.push(ClipEvent.make(Kind.clip_play, 1, 1 + max_samples, 50, 1, 128, flag_loop)));
    T.run(128);
    try testing.expectEqual(@as(f32, 11), T.lane(1, 0, 0));
}

test "stop and replace fade linearly, cancel drops queued events, stale ids are dropped" {
    const c = T.setup();
    @memset(&T.data_l, 1);
    @memset(&T.data_r, 1);
    try T.define(7, 7, 1000, 0, 0);
    _ = c.push(ClipEvent.make(Kind.clip_play, 2, 7, 0, 1, 0, flag_loop));
    _ = c.push(ClipEvent.make(Kind.clip_stop, 2, 0, 0, 0, 64, 0));
    T.run(0);
    try testing.expectEqual(@as(f32, 1), T.lane(2, 0, 63));
    try testing.expectEqual(@as(f32, 1), T.lane(2, 0, 64)); // fade starts at full gain
    try testing.expectApproxEqAbs(@as(f32, 1 - 63.0 / 240.0), T.lane(2, 0, 127), 1e-6);
    T.run(128);
    T.run(256); // 240-frame fade (5 ms at 48 kHz) over
    try testing.expectEqual(@as(f32, 0), T.lane(2, 0, 127));
    try testing.expectEqual(@as(u32, 0), c.playing);

    // Replace: old fades while the new one plays at full gain: sum = 1 + (fade) at the switch.
    _ = c.push(ClipEvent.make(Kind.clip_play, 3, 7, 0, 1, 384, flag_loop));
    _ = c.push(ClipEvent.make(Kind.clip_play, 3, 7, 0, 0.5, 384 + 100, flag_loop));
    T.run(384);
    try testing.expectEqual(@as(f32, 1.5), T.lane(3, 0, 100));
    try testing.expectApproxEqAbs(@as(f32, 0.5 + 1 - 27.0 / 240.0), T.lane(3, 0, 127), 1e-6);
    try testing.expectEqual(@as(u32, 2), c.playing);

    // Cancel: a queued play for channel 3 disappears, the one for channel 4 stays.
    _ = c.push(ClipEvent.make(Kind.clip_play, 3, 7, 0, 1, 10000, 0));
    _ = c.push(ClipEvent.make(Kind.clip_play, 4, 7, 0, 1, 10000, 0));
    _ = c.push(ClipEvent.make(Kind.clip_cancel, 3, 0, 0, 0, 0, 0));
    try testing.expectEqual(@as(u32, 1), c.q_len);
    try testing.expectEqual(@as(u32, 4), c.queue[0].channel);

    // Stale id (slot 7 now holds id 7 + max_samples) → dropped when due.
    try T.define(7, 7 + max_samples, 1000, 0, 0);
    _ = c.push(ClipEvent.make(Kind.clip_play, 5, 7, 0, 1, 512, 0));
    const before = c.dropped;
    T.run(512);
    try testing.expectEqual(before + 1, c.dropped);
    try testing.expectEqual(@as(f32, 0), T.lane(5, 0, 5));
    // Clearing the slot stops its players at once.
    _ = c.push(ClipEvent.make(Kind.clip_play, 5, 7 + max_samples, 0, 1, 640, 0));
    T.run(640);
    try testing.expect(c.main[5].id != 0);
    c.clear(7);
    try testing.expectEqual(@as(u32, 0), c.main[5].id);
}

test "an event at frame 0 (as soon as possible) is not late; a past frame is" {
    const c = T.setup();
    try T.define(3, 3, 300, 0, 0);
    _ = c.push(ClipEvent.make(Kind.clip_play, 1, 3, 0, 1, 0, 0)); // play without a time
    T.run(5 * 128);
    try testing.expectEqual(@as(f32, 1), T.lane(1, 0, 0));
    _ = c.push(ClipEvent.make(Kind.clip_stop, 1, 0, 0, 0, 0, 0)); // stop without a time
    T.run(6 * 128);
    try testing.expectEqual(@as(u32, 0), c.late);
    _ = c.push(ClipEvent.make(Kind.clip_play, 2, 3, 0, 1, 6 * 128 + 5, 0)); // due before this quantum
    T.run(7 * 128);
    try testing.expectEqual(@as(u32, 1), c.late);
}

test "a late play with the on-clock flag starts where it would be by now; without it, at its offset" {
    const c = T.setup();
    // A ramp: sample frame i holds i + 1, so the output tells the position. Loop region [100, 300).
    try T.define(3, 3, 300, 100, 300);
    _ = c.push(ClipEvent.make(Kind.clip_play, 1, 3, 10, 1, 4 * 128 + 7, flag_loop | flag_on_clock)); // due 121 frames before the quantum at 5 * 128
    _ = c.push(ClipEvent.make(Kind.clip_play, 2, 3, 10, 1, 4 * 128 + 7, flag_loop));
    _ = c.push(ClipEvent.make(Kind.clip_play, 5, 3, 250, 1, 4 * 128 + 7, flag_on_clock)); // a one-shot 250 + 121 past its 300 frames
    T.run(5 * 128);
    try testing.expectEqual(@as(f32, 10 + 121 + 1), T.lane(1, 0, 0));
    try testing.expectEqual(@as(f32, 10 + 1), T.lane(2, 0, 0));
    try testing.expectEqual(@as(u32, 0), c.main[5].id);
    // Late by more than a loop length: wrapped into the region (10 + 521 = 531 -> 100 + 431 % 200 = 131).
    _ = c.push(ClipEvent.make(Kind.clip_play, 3, 3, 10, 1, 7 * 128 - 521, flag_loop | flag_on_clock));
    T.run(7 * 128);
    try testing.expectEqual(@as(f32, 131 + 1), T.lane(3, 0, 0));
}

test "define rejects bad descriptions" {
    const c = T.setup();
    try testing.expectEqual(DefineError.bad_slot, c.define(max_samples, 1, 64, 64, 10, 0, 0, 1 << 20));
    try testing.expectEqual(DefineError.bad_id, c.define(0, 0, 64, 64, 10, 0, 0, 1 << 20));
    try testing.expectEqual(DefineError.bad_id, c.define(0, 1, 64, 64, 10, 0, 0, 1 << 20)); // id's slot is 1
    try testing.expectEqual(DefineError.bad_length, c.define(0, max_samples, 64, 64, 0, 0, 0, 1 << 20));
    try testing.expectEqual(DefineError.misaligned, c.define(0, max_samples, 66, 64, 10, 0, 0, 1 << 20));
    try testing.expectEqual(DefineError.out_of_memory_bounds, c.define(0, max_samples, 64, (1 << 20) - 36, 10, 0, 0, 1 << 20));
    try testing.expectEqual(DefineError.ok, c.define(0, max_samples, 64, (1 << 20) - 40, 10, 4, 99, 1 << 20));
    try testing.expectEqual(@as(u32, 0), c.samples[0].loop_start); // bad loop → whole sample
    try testing.expectEqual(@as(u32, 10), c.samples[0].loop_end);
    // Malformed events.
    try testing.expect(!c.push(ClipEvent.make(Kind.clip_play, 64, 1, 0, 1, 0, 0)));
    try testing.expect(!c.push(ClipEvent.make(Kind.clip_play, 0, 1, 0, std.math.nan(f32), 0, 0)));
    try testing.expect(!c.push(ClipEvent.make(Kind.clip_play, 0, 1, 0, -1, 0, 0)));
}
