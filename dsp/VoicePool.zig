//! The polyphonic synth engine: a fixed pool of `contract.max_voices` voices shared by all
//! `contract.max_synths` synth slots, a frame-ordered queue of pending note events, and
//! `num_fade_slots` extra voices that play out stolen notes. Nothing is allocated after `init`;
//! a global instance lives in main.zig (about 1.7 MB, mostly the wavetables).
//!
//! Voices render four at a time (`Voice.renderGroup`, one voice per lane of a @Vector(4, f32)):
//! between two note events, the active voices (pool and fade slots) are packed into groups of four,
//! ordered by the table reads they need per sample (1: sine/triangle/saw/square, 2: pulse, 4: a
//! waveform cross-fade), so free slots cost nothing and a group pays only for its lanes' reads.
//!
//! Usage from the audio thread, once per 128-frame quantum:
//!
//!     pool.push(ev) ...                       // any number of events, any order (bool: queued?)
//!     pool.render(frame, &synth_params, &group_bufs, &touched);
//!
//! `render` writes each voice's mono output to both `l` and `r` of lane `ch % 4` of `out[ch / 4]`
//! (ch = the synth's `channel` parameter; synths with channel < 0 still run, silently).
//! `touched[g]` says whether `out[g]` already holds this quantum's audio: then the voices are
//! added to it; otherwise its content is stale and is overwritten (all four lanes), and
//! `touched[g]` is set. Groups no voice plays into are left alone.
//!
//! Timing: an event at absolute frame F sounds its first sample at output index F - frame_start of
//! the quantum that contains F. Events with F < frame_start are applied at index 0 and counted in
//! `late_events`. Events at the same frame apply in push order.
//!
//! Voice stealing policy:
//! 1. A note on for synth S that already holds `polyphony(S)` voices steals one of S's own voices.
//! 2. Otherwise it takes a free voice; if the whole pool (`max_voices`) is busy it steals from the
//!    whole pool.
//! 3. Choice of victim, in order: voices already fading out (hard stop), then released voices (the
//!    quietest first), then held voices (the oldest note first).
//! 4. The victim's complete state is copied into a fade slot, where it keeps running (envelope,
//!    filter, pitch) under a linear fade of `fade_ms` (4 ms, <= 5 ms) and is then freed; the voice
//!    slot itself restarts at once with the new note at its exact frame. If all fade slots are busy,
//!    the slot closest to the end of its fade is reused (counted in `fade_overruns`).
//! Lowering `polyphony` does not cut sounding voices; it applies to the next note on.
//! 5. The quality ladder's voice cap (`setVoiceCap`, levels 3 and 4: 64 and 32 voices) is a
//!    pool-wide polyphony: a note on with `voice_cap` voices in use steals from the whole pool as
//!    in 2; lowering the cap below the voices sounding fades the surplus out in place (victims
//!    chosen as in 3, the same `fade_ms` fade as a hard stop) at the next `render`. Both count in
//!    `stolen`.
//!
//! Note off (kind 2) releases the voices of the synth with that id (id 0: every held voice whose
//! pitch equals the event pitch). All notes off (3) releases every voice of the synth. Hard stop (4)
//! fades every voice of the synth out within `fade_ms`; with id != 0 it is a cancel that also drops
//! the synth's queued events (sent when a synth is disposed or its slot changes owner).
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const simd = @import("simd.zig");
const Oscillator = @import("Oscillator.zig");
const Voice = @import("Voice.zig");
const NoteEvent = @import("note_event.zig").NoteEvent;

const VoicePool = @This();
const quantum = contract.quantum;

/// Extra voices that play out stolen notes.
pub const num_fade_slots = 16;
/// Length of the steal / hard-stop fade.
pub const fade_ms: f32 = 4;

/// Sample rate given to `init`.
sample_rate: f32,
/// Fade length in samples.
fade_samples: u32,
/// Band-limited wavetables (read-only after init).
tables: Oscillator.Tables,
/// The voice pool.
voices: [contract.max_voices]Voice,
/// Stolen voices fading out.
faders: [num_fade_slots]Voice,
/// Per-synth parameters decoded this quantum.
patches: [contract.max_synths]Voice.Patch,
/// Quantum number in which `patches[s]` was last checked against the parameters.
patch_stamp: [contract.max_synths]u32,
/// The parameter slot `patches[s]` was decoded from (compared bitwise: decoding costs several
/// exp/log calls, so an unchanged slot is not decoded again).
patch_src: [contract.max_synths][contract.stride]u32,
/// Whether `patches[s]` / `patch_src[s]` hold a decoded slot.
patch_valid: [contract.max_synths]bool,
/// Voices of each synth in `voices` (not counting fade slots).
synth_voices: [contract.max_synths]u32,
/// Previous note pitch per synth (glide source) and whether there is one.
last_pitch: [contract.max_synths]f32,
/// Whether `last_pitch[s]` holds a pitch (kept as a flag so no NaN sentinel sits in state).
has_last_pitch: [contract.max_synths]bool,
/// Pending events, a ring ordered by frame: `queue[(q_head + i) % note_ring]`, i < q_len.
queue: [contract.event_ring]NoteEvent,
/// Index of the earliest pending event.
q_head: usize,
/// Number of pending events.
q_len: usize,
/// Per-channel mono mix of the current quantum.
chan_buf: [contract.max_channels][quantum]f32,
/// Whether `chan_buf[ch]` was written (and zeroed first) this quantum.
chan_used: [contract.max_channels]bool,
/// Scratch output of one 4-voice group (frame-major, one lane per voice).
group_out: [quantum]lanes.V,
/// Note-on counter (voice age).
seq: u64,
/// Quanta rendered.
quantum_no: u32,

/// Voices in use in the pool (fade slots not included).
active_voices: u32,
/// Voices stolen so far.
stolen: u32,
/// Events applied after their frame (at index 0 of a later quantum).
late_events: u32,
/// Events rejected by `push` because the queue was full.
dropped_events: u32,
/// Events rejected by `push` as malformed (unknown kind, synth out of range, NaN pitch).
invalid_events: u32,
/// Fade slots reused before their fade had finished.
fade_overruns: u32,
/// Most voices that may sound at once (quality ladder; `max_voices` at full quality).
voice_cap: u32,
/// Automated synth parameters this quantum (ParamLanes.zig): bit p of `auto_mask[s]` = synth s's
/// parameter p reads `auto_vals[s][p]` instead of the parameter block. Null: none (set by main.zig).
auto_mask: ?*const [contract.max_synths]u32,
auto_vals: ?*const [contract.max_synths][contract.stride]f32,

const zeros = [_]f32{0} ** quantum;

/// Resets everything and builds the wavetables. Not real-time (fills ~1.6 MB of tables); call
/// once at start-up. A non-finite or out-of-range `sample_rate` falls back to 48000.
pub fn init(self: *VoicePool, sample_rate: f32) void {
    const fs: f32 = if (sample_rate >= 8000 and sample_rate <= 768000) sample_rate else 48000;
    self.sample_rate = fs;
    self.fade_samples = @intFromFloat(@round(fade_ms * fs / 1000));
    self.tables.init();
    @memset(&self.voices, .{});
    @memset(&self.faders, .{});
    @memset(&self.patches, .{});
    @memset(&self.patch_stamp, std.math.maxInt(u32));
    @memset(&self.patch_valid, false);
    for (&self.patch_src) |*ps| @memset(ps, 0);
    @memset(&self.synth_voices, 0);
    @memset(&self.last_pitch, 0);
    @memset(&self.has_last_pitch, false);
    @memset(&self.queue, NoteEvent.make(0, 0, 0, 0, 0, 0));
    self.q_head = 0;
    self.q_len = 0;
    for (&self.chan_buf) |*b| @memset(b, 0);
    @memset(&self.chan_used, false);
    @memset(&self.group_out, @as(lanes.V, @splat(0)));
    self.seq = 0;
    self.quantum_no = 0;
    self.auto_mask = null;
    self.auto_vals = null;
    self.active_voices = 0;
    self.stolen = 0;
    self.late_events = 0;
    self.dropped_events = 0;
    self.invalid_events = 0;
    self.fade_overruns = 0;
    self.voice_cap = contract.max_voices;
}

/// Pool-wide polyphony of the quality ladder, clamped to 1..`max_voices`: see rule 5 of the
/// stealing policy. Real-time safe; takes effect at the next `render` / note on.
pub fn setVoiceCap(self: *VoicePool, cap: u32) void {
    self.voice_cap = @min(@max(cap, 1), contract.max_voices);
}

/// Voices currently sounding in the pool (not counting stolen voices still fading out).
pub fn activeVoices(self: *const VoicePool) u32 {
    return self.active_voices;
}

/// Pending events not yet applied.
pub fn pendingEvents(self: *const VoicePool) usize {
    return self.q_len;
}

/// Queues `ev`, keeping the queue ordered by frame (stable for equal frames). Returns false and
/// counts it when the queue is full (`dropped_events`) or the event is malformed
/// (`invalid_events`). Real-time safe: O(number of queued events later than `ev`).
pub fn push(self: *VoicePool, ev: NoteEvent) bool {
    if (!ev.isValid()) {
        self.invalid_events +%= 1;
        return false;
    }
    // A hard stop with id != 0 is a cancel (the synth's handle was disposed, or its slot has a new
    // owner): the events queued for that synth before it go too, so the slot's next owner never
    // plays notes the previous one scheduled (seen while writing `npm run fuzz`: a disposed synth's
    // future note sounded on the next synth in its slot).
    if (ev.kind == NoteEvent.Kind.stop_all and ev.id != 0) self.dropQueued(ev.synth);
    if (self.q_len == contract.event_ring) {
        self.dropped_events +%= 1;
        return false;
    }
    const f = ev.frame();
    var i = self.q_len;
    while (i > 0) : (i -= 1) {
        const prev = &self.queue[(self.q_head + i - 1) % contract.event_ring];
        if (prev.frame() <= f) break;
        self.queue[(self.q_head + i) % contract.event_ring] = prev.*;
    }
    self.queue[(self.q_head + i) % contract.event_ring] = ev;
    self.q_len += 1;
    return true;
}

/// Removes every queued event of synth `synth`, keeping the others in order. Real-time safe: one
/// pass over the queue.
fn dropQueued(self: *VoicePool, synth: u32) void {
    var kept: usize = 0;
    var i: usize = 0;
    while (i < self.q_len) : (i += 1) {
        const ev = self.queue[(self.q_head + i) % contract.event_ring];
        if (ev.synth == synth) continue;
        self.queue[(self.q_head + kept) % contract.event_ring] = ev;
        kept += 1;
    }
    self.q_len = kept;
}

/// Renders the quantum of 128 frames starting at absolute frame `frame_start`: applies every due
/// event at its exact frame offset and writes each voice to lane `ch % 4` (both l and r) of
/// `out[ch / 4]`: added where `touched[ch / 4]` (the group already holds audio), else stored and
/// `touched[ch / 4]` set (see the module doc). Parameters are read
/// from `synth_params` once per quantum (validated; changes are ramped across the quantum).
pub fn render(
    self: *VoicePool,
    frame_start: u64,
    synth_params: *const [contract.max_synths][contract.stride]f32,
    out: *[16]lanes.GroupBuf,
    touched: *[16]bool,
) void {
    self.quantum_no +%= 1;
    // Nothing sounding, fading or queued: skip the scans below, which touch every voice.
    if (self.active_voices == 0 and self.q_len == 0 and !self.anyFading()) return;
    @memset(&self.chan_used, false);
    if (self.active_voices > self.voice_cap) self.shed();

    for (&self.voices) |*v| if (v.active) self.beginVoice(v, synth_params);
    for (&self.faders) |*v| if (v.active) self.beginVoice(v, synth_params);

    const end = frame_start + quantum;
    var pos: usize = 0;
    while (pos < quantum) {
        while (self.q_len > 0) {
            const ev = self.queue[self.q_head];
            const f = ev.frame();
            if (f > frame_start + pos) break;
            // Frame 0 is "as soon as possible" (noteOn without a time, all notes off, the stop a
            // slot's new owner sends): never late.
            if (f < frame_start and f != 0) self.late_events +%= 1;
            self.q_head = (self.q_head + 1) % contract.event_ring;
            self.q_len -= 1;
            self.apply(ev, synth_params);
        }
        var next: usize = quantum;
        if (self.q_len > 0) {
            const f = self.queue[self.q_head].frame();
            if (f < end) next = @intCast(f - frame_start);
        }
        if (next > pos) self.renderSpan(pos, next);
        pos = next;
    }

    var g: usize = 0;
    while (g < 16) : (g += 1) {
        const b = g * 4;
        const u = self.chan_used[b .. b + 4];
        if (!(u[0] or u[1] or u[2] or u[3])) continue;
        const c0: *const [quantum]f32 = if (u[0]) &self.chan_buf[b] else &zeros;
        const c1: *const [quantum]f32 = if (u[1]) &self.chan_buf[b + 1] else &zeros;
        const c2: *const [quantum]f32 = if (u[2]) &self.chan_buf[b + 2] else &zeros;
        const c3: *const [quantum]f32 = if (u[3]) &self.chan_buf[b + 3] else &zeros;
        if (touched[g]) {
            writeGroup(true, &out[g], c0, c1, c2, c3);
        } else {
            writeGroup(false, &out[g], c0, c1, c2, c3);
            touched[g] = true;
        }
    }
}

/// Four mono channel buffers -> lanes of both sides of `dst`: added with `add`, else stored.
fn writeGroup(comptime add: bool, dst: *lanes.GroupBuf, c0: *const [quantum]f32, c1: *const [quantum]f32, c2: *const [quantum]f32, c3: *const [quantum]f32) void {
    var i: usize = 0;
    while (i < quantum) : (i += 4) {
        // Frames i..i+3 of the four channels -> four (channel-lane) vectors.
        const r = simd.transpose4(.{ c0[i..][0..4].*, c1[i..][0..4].*, c2[i..][0..4].*, c3[i..][0..4].* });
        inline for (0..4) |j| {
            if (add) {
                dst.l[i + j] += r[j];
                dst.r[i + j] += r[j];
            } else {
                dst.l[i + j] = r[j];
                dst.r[i + j] = r[j];
            }
        }
    }
}

fn patchFor(self: *VoicePool, s: u32, synth_params: *const [contract.max_synths][contract.stride]f32) *const Voice.Patch {
    if (self.patch_stamp[s] != self.quantum_no) {
        // An automated parameter replaces its value in a copy of the slot (the voices ramp it
        // across the quantum like any change: Voice.beginQuantum).
        var row: [contract.stride]f32 = undefined;
        var params: *const [contract.stride]f32 = &synth_params[s];
        if (self.auto_mask) |mask| if (mask[s] != 0) {
            row = params.*;
            var m = mask[s];
            while (m != 0) : (m &= m - 1) row[@ctz(m)] = self.auto_vals.?[s][@ctz(m)];
            params = &row;
        };
        const src: *const [contract.stride]u32 = @ptrCast(params);
        if (!self.patch_valid[s] or !std.mem.eql(u32, src, &self.patch_src[s])) {
            self.patches[s] = Voice.Patch.fromParams(params, self.sample_rate);
            self.patch_src[s] = src.*;
            self.patch_valid[s] = true;
        }
        self.patch_stamp[s] = self.quantum_no;
    }
    return &self.patches[s];
}

fn beginVoice(self: *VoicePool, v: *Voice, synth_params: *const [contract.max_synths][contract.stride]f32) void {
    v.beginQuantum(self.patchFor(v.synth, synth_params));
}

/// Renders every active voice (pool and fade slots) over quantum frames [from, to), four at a
/// time: voices are ordered by the table reads they need (1, 2, 4) so that each group of four
/// pays only for the reads its lanes need, and idle slots cost nothing.
fn renderSpan(self: *VoicePool, from: usize, to: usize) void {
    const cap = contract.max_voices + num_fade_slots;
    var list: [cap]*Voice = undefined;
    var n: usize = 0;
    // Counting sort by reads: 1 first, then 2, then 4.
    inline for ([_]u8{ 1, 2, 4 }) |r| {
        for (&self.voices) |*v| if (v.active and v.reads() == r) {
            list[n] = v;
            n += 1;
        };
        for (&self.faders) |*v| if (v.active and v.reads() == r) {
            list[n] = v;
            n += 1;
        };
    }
    var i: usize = 0;
    while (i < n) : (i += 4) {
        const m = @min(4, n - i);
        var voices: [4]Voice.Lane = undefined;
        var nreads: u8 = 1;
        for (list[i .. i + m], 0..) |v, l| {
            const p = &self.patches[v.synth];
            var out: ?*[quantum]f32 = null;
            if (p.channel >= 0) {
                const ch: usize = @intCast(p.channel);
                if (!self.chan_used[ch]) {
                    @memset(&self.chan_buf[ch], 0);
                    self.chan_used[ch] = true;
                }
                out = &self.chan_buf[ch];
            }
            voices[l] = .{ .voice = v, .patch = p, .out = out };
            nreads = @max(nreads, v.reads());
        }
        switch (nreads) {
            1 => Voice.renderGroup(1, voices[0..m], &self.tables, self.sample_rate, from, to, &self.group_out),
            2 => Voice.renderGroup(2, voices[0..m], &self.tables, self.sample_rate, from, to, &self.group_out),
            else => Voice.renderGroup(4, voices[0..m], &self.tables, self.sample_rate, from, to, &self.group_out),
        }
        for (list[i .. i + m]) |v| {
            if (!v.active and self.inPool(v)) self.freed(v);
        }
    }
}

fn anyFading(self: *const VoicePool) bool {
    for (&self.faders) |*v| if (v.active) return true;
    return false;
}

fn inPool(self: *const VoicePool, v: *const Voice) bool {
    const a = @intFromPtr(v);
    return a >= @intFromPtr(&self.voices[0]) and a <= @intFromPtr(&self.voices[contract.max_voices - 1]);
}

fn freed(self: *VoicePool, v: *Voice) void {
    self.active_voices -= 1;
    self.synth_voices[v.synth] -= 1;
}

fn apply(self: *VoicePool, ev: NoteEvent, synth_params: *const [contract.max_synths][contract.stride]f32) void {
    const s = ev.synth;
    switch (ev.kind) {
        NoteEvent.Kind.note_on => self.noteOn(ev, self.patchFor(s, synth_params)),
        NoteEvent.Kind.note_off => for (&self.voices) |*v| {
            if (!v.active or v.synth != s or v.released) continue;
            const hit = if (ev.id != 0) v.id == ev.id else @fabs(v.pitch - ev.pitch) < 1e-3;
            if (hit) v.noteOff();
        },
        NoteEvent.Kind.release_all => for (&self.voices) |*v| {
            if (v.active and v.synth == s) v.noteOff();
        },
        NoteEvent.Kind.stop_all => {
            for (&self.voices) |*v| if (v.active and v.synth == s) v.startFade(self.fade_samples);
            for (&self.faders) |*v| if (v.active and v.synth == s) v.startFade(self.fade_samples);
        },
        else => {},
    }
}

fn noteOn(self: *VoicePool, ev: NoteEvent, p: *const Voice.Patch) void {
    const s = ev.synth;
    var slot: ?*Voice = null;
    if (self.synth_voices[s] >= p.polyphony) {
        slot = self.victim(s);
    } else if (self.active_voices >= self.voice_cap) {
        slot = self.victim(null);
    } else {
        for (&self.voices) |*v| if (!v.active) {
            slot = v;
            break;
        };
        if (slot == null) slot = self.victim(null);
    }
    const v = slot orelse return; // unreachable in practice: polyphony >= 1
    if (v.active) {
        self.toFadeSlot(v);
        self.stolen +%= 1;
        self.freed(v);
    }
    const glide_from: ?f32 = if (self.has_last_pitch[s] and p.glide_samples > 0) self.last_pitch[s] else null;
    self.seq += 1;
    v.start(p, &self.tables, self.sample_rate, s, ev.id, ev.pitch, ev.velocity, glide_from, self.seq);
    self.last_pitch[s] = ev.pitch;
    self.has_last_pitch[s] = true;
    self.active_voices += 1;
    self.synth_voices[s] += 1;
}

/// Fades out (in place) the voices sounding above `voice_cap`, the victims chosen as stealing
/// chooses them among the voices not fading yet. Runs while the cap is exceeded, which lasts the
/// fade (4 ms) after the cap is lowered; otherwise not at all.
fn shed(self: *VoicePool) void {
    var sounding: u32 = 0;
    for (&self.voices) |*v| {
        if (v.active and !v.isFading()) sounding += 1;
    }
    while (sounding > self.voice_cap) : (sounding -= 1) {
        const v = self.pick(null, true) orelse break;
        v.startFade(self.fade_samples);
        self.stolen +%= 1;
    }
}

/// Best voice to steal, among synth `only`'s voices or the whole pool (see the policy above).
fn victim(self: *VoicePool, only: ?u32) ?*Voice {
    return self.pick(only, false);
}

/// `victim`, optionally leaving out the voices already fading.
fn pick(self: *VoicePool, only: ?u32, skip_fading: bool) ?*Voice {
    var best: ?*Voice = null;
    var best_class: u8 = 255;
    var best_key: f64 = 0;
    for (&self.voices) |*v| {
        if (!v.active) continue;
        if (skip_fading and v.isFading()) continue;
        if (only) |s| if (v.synth != s) continue;
        const class: u8 = if (v.isFading()) 0 else if (v.released) 1 else 2;
        const key: f64 = if (class == 2) @floatFromInt(v.seq) else v.loudness();
        if (class < best_class or (class == best_class and key < best_key)) {
            best = v;
            best_class = class;
            best_key = key;
        }
    }
    return best;
}

fn toFadeSlot(self: *VoicePool, v: *const Voice) void {
    var slot: *Voice = &self.faders[0];
    for (&self.faders) |*f| {
        if (!f.active) {
            slot = f;
            break;
        }
        if (f.fade < slot.fade) slot = f;
    } else self.fade_overruns +%= 1;
    slot.* = v.*;
    slot.startFade(self.fade_samples);
}

comptime {
    // Force semantic analysis of the whole render path even when nothing references it yet
    // (e.g. `zig build-lib dsp/VoicePool.zig -target wasm32-freestanding` as a wasm32 check).
    _ = &init;
    _ = &push;
    _ = &render;
    _ = &activeVoices;
    _ = &pendingEvents;
}
