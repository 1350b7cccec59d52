//! WebAssembly entry points of the daw-elements DSP core (the only file with `export fn`).
//!
//! Build: `zig build-lib dsp/main.zig -target wasm32-freestanding -dynamic -rdynamic -O ReleaseFast
//! -mcpu=generic+simd128+bulk_memory -femit-bin=build/daw-dsp.wasm`; tests: `zig test dsp/main.zig`.
//!
//! ABI (all pointers are byte offsets into the module's memory; the blocks are fixed globals, so
//! they never move; the memory grows only when the worklet makes room for samples, outside
//! `daw_process`, and views are re-made then):
//!
//! * `daw_init(sample_rate: f32) void` — reset everything (parameters to defaults, all slots
//!   unclaimed, all state cleared). Call once before `daw_process`; an invalid rate (non-finite or
//!   outside 8 kHz..384 kHz) falls back to 48 kHz.
//! * `daw_process() void` — render exactly one 128-frame quantum of the whole mix into the output
//!   block. Before `daw_init` it writes silence.
//! * `daw_layout_version() u32` — `contract.layout_version`.
//! * `daw_params_ptr() [*]f32` — `[num_strips × stride]f32`, the parameter targets written by the
//!   worklet: strip s at s·stride, indices in `contract.strip`. Channels 0..63, buses 64..66
//!   (reverb, delay, drum), master 67. NaN reads as the default; values are clamped to range.
//! * `daw_strip_ctl_ptr() [*]u32` — `[num_strips]u32`: bit 0 = channel claimed (active); bit 1 =
//!   reset request, set by the worklet when a slot is (re)claimed: the next `daw_process` clears
//!   that strip's filter/compressor/meter state, snaps its smoothers to the current targets and
//!   clears bit 1. Buses and master are always active (bit 0 ignored; bit 1 honoured).
//! * `daw_ext_in_ptr() [*]f32` — `[external_inputs][2][128]f32` planar external input audio.
//! * `daw_ext_active_ptr() [*]u32` — `[external_inputs]u32`, non-zero when that input carried
//!   audio this quantum (otherwise it is treated as silence and not read).
//!   A channel's `input_index` parameter selects its input (−1 none; several may share one).
//! * `daw_out_ptr() [*]f32` — `[2][128]f32` planar master output (after the limiter).
//! * `daw_meters_ptr() [*]f32` — `[num_strips][contract.meter_words]f32`: peak (linear, instant attack, −20 dB per
//!   1.7 s), RMS (linear, τ = 300 ms over (L²+R²)/2), compressor gain reduction (dB ≥ 0), limiter
//!   gain reduction (dB ≥ 0, master only, else 0). Post-fader/post-pan; master after the limiter.
//! * `daw_status_ptr() [*]u32` — `[contract.status.len]u32`: the DSP's status words (counters and
//!   gauges), their indices and meanings in protocol/contract.json `status` (`contract.status`);
//!   the worklet copies the block whole into the control block's header.
//! * `daw_bus_fx_ptr() [*]f32` — `[contract.bus_fx.words]f32`, the bus effects' parameter targets
//!   (reverb and delay; indices in `contract.bus_fx`), written by the worklet like `daw_params_ptr`.
//!   NaN reads as the default; values are clamped to range; changes glide (BusEffects.zig).
//! * `daw_synth_params_ptr() [*]f32` — `[max_synths × stride]f32` synth parameter targets
//!   (indices in `contract.synth`; `channel` routes the synth's voices into a channel slot).
//! * `daw_events_ptr()` — `[daw_events_capacity()]NoteEvent` (32-byte records, see note_event.zig)
//!   and `daw_events_count_ptr() [*]u32`: the worklet writes the quantum's new note events and
//!   their count; `daw_process` queues them in the voice pool (ordered by frame) and clears the count.
//! * `daw_frame_ptr() [*]u32` — `[2]u32` (low, high): the absolute frame of the quantum about to be
//!   rendered (AudioWorkletGlobalScope.currentFrame); note events start at their exact frame.
//!   The event records also carry clip events (kinds 5..7, `Clips.ClipEvent`), routed to the clip
//!   players.
//! * `daw_heap_base() u32` — first byte above static data and stack. Sample data goes from here
//!   up; the worklet grows the memory for it (never during `daw_process`) and re-makes its views.
//! * `daw_sample_define(slot, id, left, right, frames, loop_start, loop_end) u32` — describes sample
//!   `slot` (`id % daw_max_samples() == slot`, id ≠ 0); `left`/`right` are byte addresses of planar
//!   f32 data (the same for mono). 0 = ok, else a `Clips.DefineError` code. Not during
//!   `daw_process` (the worklet calls it from its message handler).
//! * `daw_sample_clear(slot)` — forgets the slot; players reading it stop at once.
//! * `daw_max_samples() u32` — sample slots.
//! * `daw_analysis_ptr()`, `daw_spectrum_ptr()`, `daw_scope_ptr()`, `daw_analysis_published_ptr()`
//!   — the analysis results (AnalysisBank: a row per strip, spectra and scopes per pool entry,
//!   written every `contract.analysis.every` quanta) and their publication counter. Requests are
//!   the strips' `analysis_mask` parameters.
//! * `daw_inject_fault(quanta: u32) void` — fault injection for recovery tests (Engine.injectFault):
//!   the `quanta`-th `daw_process` from now executes WebAssembly's `unreachable` (a real trap that
//!   ends the worklet with a `processorerror`); 0 cancels. One countdown branch per quantum otherwise.
//!
//!   The event records also carry the transport's records (kinds 8..13, Conductor.zig): commands
//!   at frames, tempo map, signatures, loop, swing, metronome.
//!
//! Per quantum: channel inputs from the external inputs (Mixer.beginQuantum), the transport advanced
//! and the metronome rendered (Conductor.render), the automation lanes evaluated for the strips and
//! the synths (ParamLanes.render), clips and synth voices written into the inputs
//! (Clips.render, VoicePool.render), then strips, buses, master (with the click) and limiter
//! (Mixer.endQuantum); the transport's position and changes go into the status words.
const std = @import("std");
const contract = @import("contract.zig");
const lanes = @import("lanes.zig");
const Mixer = @import("Mixer.zig");
const VoicePool = @import("VoicePool.zig");
const NoteEvent = @import("note_event.zig").NoteEvent;
const Clips = @import("Clips.zig");
const Conductor = @import("Conductor.zig");
const Timeline = @import("Timeline.zig");
const Quality = @import("Quality.zig");
const ParamLanes = @import("ParamLanes.zig");
const builtin = @import("builtin");

/// Events one quantum can hand over; more wait in the worklet's ring for the next quantum.
const events_capacity = contract.events_per_quantum;

var mixer: Mixer = undefined;
var pool: VoicePool = undefined;
var clips: Clips = undefined;
var conductor: Conductor = undefined;
var param_lanes: ParamLanes = undefined;
var synth_params: [contract.max_synths][contract.stride]f32 = undefined;
var events: [events_capacity]NoteEvent = undefined;
var events_count: u32 = 0;
var frame: [2]u32 = .{ 0, 0 };
var ready = false;
/// Quanta until `daw_process` traps (0: no fault armed); see `daw_inject_fault`.
var fault_countdown: u32 = 0;

export fn daw_init(sample_rate: f32) void {
    mixer.init(sample_rate);
    pool.init(mixer.sample_rate);
    clips.init(mixer.sample_rate);
    conductor.init(mixer.sample_rate);
    param_lanes.init(mixer.sample_rate);
    pool.auto_mask = &param_lanes.synth_mask;
    pool.auto_vals = &param_lanes.synth_vals;
    for (&synth_params) |*sp| sp.* = contract.synth.defaults;
    events_count = 0;
    frame = .{ 0, 0 };
    ready = true;
}

export fn daw_process() void {
    if (fault_countdown != 0) {
        fault_countdown -= 1;
        // @trap, not `unreachable`: ReleaseFast may assume `unreachable` is never reached and drop
        // it, while @trap always emits the WebAssembly `unreachable` instruction.
        if (fault_countdown == 0) @trap();
    }
    if (!ready) {
        @memset(&mixer.out[0], 0);
        @memset(&mixer.out[1], 0);
        return;
    }
    // The quality level (master strip's `quality` parameter), read once per quantum: Quality.zig.
    const level = Quality.levelOf(mixer.params[contract.master * contract.stride + contract.strip.quality]);
    Quality.apply(level, &mixer, &pool);
    mixer.beginQuantum();
    // Sources add into the channel inputs (group g lane k = channel 4g + k): clips, then synth
    // voices. The ring carries both kinds of event, and the transport's records.
    const now = (@as(u64, frame[1]) << 32) | frame[0];
    const n = @min(events_count, events_capacity);
    for (events[0..n]) |*ev| {
        if (Clips.ClipEvent.isClip(ev.kind)) {
            _ = clips.push(@bitCast(ev.*));
        } else if (Conductor.isRecord(ev.kind)) {
            conductor.apply(@ptrCast(ev), now);
        } else {
            _ = pool.push(ev.*);
        }
    }
    events_count = 0;
    // The delay's note values follow the tempo at the quantum's first frame (the tempo map's steps
    // and ramps included: the transport's records above have applied).
    const tr = &conductor.transport;
    mixer.bus_fx.setTempo(@floatCast(tr.map.bpmAt(tr.beat())));
    // The transport moves first: what it and the timeline play this quantum starts on its frames.
    var sink = TimelineSink{ .now = now };
    mixer.click = if (conductor.render(now, &sink)) &conductor.click else null;
    // Automation lanes over the same segments: strip values for the mixer, synth values for the voices.
    param_lanes.render(&conductor.timeline, &conductor.transport, .{ .ctx = &mixer, .strip = stripCurrent, .synth_params = &synth_params }, &mixer.auto_mask, &mixer.auto_vals, &mixer.auto_curve);
    if (clips.busy()) clips.render(now, mixer.channelInputs(), mixer.inputFlags());
    pool.render(now, &synth_params, mixer.channelInputs(), mixer.inputFlags());
    mixer.endQuantum();
    const st = &mixer.status;
    conductor.publish(st);
    st[Mixer.Status.active_voices] = pool.activeVoices();
    st[Mixer.Status.late_notes] = pool.late_events;
    st[Mixer.Status.dropped_notes] = pool.dropped_events +% pool.invalid_events;
    st[Mixer.Status.stolen_voices] = pool.stolen;
    st[Mixer.Status.clips_playing] = clips.playing;
    st[Mixer.Status.dropped_clip_events] = clips.dropped;
    st[Mixer.Status.late_clip_events] = clips.late;
    st[Mixer.Status.quality_level] = level;
}

fn stripCurrent(ctx: *const anyopaque, s: usize, p: usize) f32 {
    const m: *const Mixer = @ptrCast(@alignCast(ctx));
    return m.stripCurrent(s, p);
}

/// Routes the timeline's due events to the voice pool and the clip players at their frames.
const TimelineSink = struct {
    now: u64,
    pub fn event(self: *TimelineSink, offset: u32, e: *const Timeline.Event) void {
        const f = self.now + offset;
        const K = contract.event;
        switch (e.kind) {
            .note_on => _ = pool.push(NoteEvent.make(K.note_on, e.target, e.id, e.pitch(), e.b, f)),
            .note_off => _ = pool.push(NoteEvent.make(K.note_off, e.target, e.id, e.pitch(), 0, f)),
            .clip_play => {
                const flags: u32 = if (e.flags & Timeline.Event.Flags.loop != 0) K.flag_loop else 0;
                _ = clips.push(Clips.ClipEvent.make(K.clip_play, e.target, e.a, e.c, e.b, f, flags));
            },
            .clip_stop => _ = clips.push(Clips.ClipEvent.make(K.clip_stop, e.target, 0, 0, 0, f, 0)),
            else => {},
        }
    }
};

/// Timeline storage: `capacity` 32-byte events at byte address `ptr` (16-byte aligned, inside the
/// memory), which the worklet took from its heap; the events move there. 0 = ok; 1 = the events do
/// not fit; 2 = outside the memory or misaligned. Not during `daw_process` (the message handler).
export fn daw_timeline_rehome(ptr: u32, capacity: u32) u32 {
    if (ptr % 16 != 0 or @as(u64, ptr) + @as(u64, capacity) * 32 > memoryBytes()) return 2;
    const store = @as([*]Timeline.Event, @ptrFromInt(ptr))[0..capacity];
    conductor.timeline.rehome(store) catch return 1;
    return 0;
}

/// Adds `count` events from byte address `ptr` (a scratch block, sorted in place). 0 = ok; 1 = no
/// room (rehome first); 2 = a malformed event (`daw_timeline_bad_index`); 3 = an automation lane
/// mixing seconds and beats. Nothing is added on error. Not during `daw_process`.
export fn daw_timeline_add(ptr: u32, count: u32) u32 {
    if (ptr % 16 != 0 or @as(u64, ptr) + @as(u64, count) * 32 > memoryBytes()) return 2;
    const batch = @as([*]Timeline.Event, @ptrFromInt(ptr))[0..count];
    conductor.timeline.add(batch) catch |e| return switch (e) {
        error.Capacity => 1,
        error.BadEvent => 2,
        error.MixedLaneTime => 3,
    };
    return 0;
}

/// Index in the last refused batch of its first malformed event.
export fn daw_timeline_bad_index() u32 {
    return conductor.timeline.bad_index;
}

/// Removes every event whose id is one of the `count` u32 ids at `ptr` (sorted in place); returns
/// how many events went. Not during `daw_process`.
export fn daw_timeline_remove(ptr: u32, count: u32) u32 {
    if (ptr % 4 != 0 or @as(u64, ptr) + @as(u64, count) * 4 > memoryBytes()) return 0;
    return conductor.timeline.remove(@as([*]u32, @ptrFromInt(ptr))[0..count]);
}

/// Events in the timeline.
export fn daw_timeline_count() u32 {
    return conductor.timeline.n;
}

/// Memory size in bytes (sample data must lie inside it).
fn memoryBytes() u64 {
    if (builtin.cpu.arch == .wasm32) return @as(u64, @wasmMemorySize(0)) * 65536;
    return std.math.maxInt(u64);
}

export fn daw_sample_define(slot: u32, id: u32, left: u32, right: u32, frames: u32, loop_start: u32, loop_end: u32) u32 {
    return clips.define(slot, id, left, right, frames, loop_start, loop_end, memoryBytes());
}

export fn daw_sample_clear(slot: u32) void {
    clips.clear(slot);
}

/// Fault injection for recovery tests: the `quanta`-th `daw_process` from now traps; 0 cancels.
export fn daw_inject_fault(quanta: u32) void {
    fault_countdown = quanta;
}

export fn daw_max_samples() u32 {
    return Clips.max_samples;
}

/// First byte above the module's static data and stack: sample data may go from here up.
export fn daw_heap_base() u32 {
    if (builtin.cpu.arch != .wasm32) return 0;
    return @intFromPtr(@extern(*u8, .{ .name = "__heap_base" }));
}

export fn daw_bus_fx_ptr() [*]f32 {
    return &mixer.bus_fx.params;
}

export fn daw_synth_params_ptr() [*]f32 {
    return @ptrCast(&synth_params);
}

export fn daw_events_ptr() [*]NoteEvent {
    return &events;
}

export fn daw_events_count_ptr() *u32 {
    return &events_count;
}

export fn daw_events_capacity() u32 {
    return events_capacity;
}

export fn daw_frame_ptr() [*]u32 {
    return &frame;
}

export fn daw_layout_version() u32 {
    return contract.layout_version;
}

export fn daw_params_ptr() [*]f32 {
    return &mixer.params;
}

export fn daw_strip_ctl_ptr() [*]u32 {
    return &mixer.ctl;
}

export fn daw_ext_in_ptr() [*]f32 {
    return @ptrCast(&mixer.ext_in);
}

export fn daw_ext_active_ptr() [*]u32 {
    return &mixer.ext_active;
}

export fn daw_out_ptr() [*]f32 {
    return @ptrCast(&mixer.out);
}

export fn daw_meters_ptr() [*]f32 {
    return @ptrCast(&mixer.meters);
}

export fn daw_status_ptr() [*]u32 {
    return &mixer.status;
}

/// `[num_strips][contract.analysis.words]f32`: each strip's analysis results (AnalysisBank).
export fn daw_analysis_ptr() [*]f32 {
    return @ptrCast(&mixer.analysis.results);
}

/// `[analysis.spectrum_pool][analysis.spectrum_bins]f32`: spectra (dBFS) by pool entry.
export fn daw_spectrum_ptr() [*]f32 {
    return @ptrCast(&mixer.analysis.spectrum_out);
}

/// `[analysis.scope_pool][analysis.scope_points]f32`: scope windows by pool entry.
export fn daw_scope_ptr() [*]f32 {
    return @ptrCast(&mixer.analysis.scope_out);
}

/// `*u32`: analysis publications so far; the worklet copies the blocks above when it changed.
export fn daw_analysis_published_ptr() *u32 {
    return &mixer.analysis.published;
}

test {
    std.testing.refAllDecls(@This());
    _ = @import("Mixer.zig");
    _ = @import("StripGroup.zig");
    _ = @import("Biquad.zig");
    _ = @import("Compressor.zig");
    _ = @import("Limiter.zig");
    _ = @import("smoother.zig");
    _ = @import("simd.zig");
    _ = @import("BusEffects.zig");
    _ = @import("Delay.zig");
    _ = @import("TptSvf.zig");
    _ = @import("FxSpec.zig");
    _ = @import("DrumBus.zig");
    _ = @import("Oversampler.zig");
    _ = @import("kaiser.zig");
    _ = @import("lanes.zig");
    _ = @import("contract.zig");
    _ = @import("synth_tests.zig");
    _ = @import("Clips.zig");
    _ = @import("reverb_tests.zig");
    _ = @import("TempoMap.zig");
    _ = @import("Transport.zig");
    _ = @import("Timeline.zig");
    _ = @import("Automation.zig");
    _ = @import("Metronome.zig");
    _ = @import("time_tests.zig");
    _ = @import("Loudness.zig");
    _ = @import("TruePeak.zig");
    _ = @import("Correlation.zig");
    _ = @import("Spectrum.zig");
    _ = @import("Scope.zig");
    _ = @import("Analysis.zig");
    _ = @import("AnalysisBank.zig");
    _ = @import("Conductor.zig");
    _ = @import("Quality.zig");
    _ = @import("ParamLanes.zig");
}

// --- End-to-end tests through the exported functions --------------------------------------------

const testing = std.testing;
const P = contract.strip;
const Q = lanes.quantum;
const Status = Mixer.Status;

const Abi = struct {
    params: [*]f32,
    ctl: [*]u32,
    ext_in: [*]f32,
    ext_active: [*]u32,
    out: [*]f32,
    meters: [*]f32,
    status: [*]u32,

    fn open(fs: f32) !Abi {
        daw_init(fs);
        try testing.expectEqual(contract.layout_version, daw_layout_version());
        return .{
            .params = daw_params_ptr(),
            .ctl = daw_strip_ctl_ptr(),
            .ext_in = daw_ext_in_ptr(),
            .ext_active = daw_ext_active_ptr(),
            .out = daw_out_ptr(),
            .meters = daw_meters_ptr(),
            .status = daw_status_ptr(),
        };
    }
    fn set(a: Abi, strip: usize, p: usize, v: f32) void {
        a.params[strip * contract.stride + p] = v;
    }
    fn claim(a: Abi, ch: usize, input: i32) void {
        a.set(ch, P.input_index, @floatFromInt(input));
        a.ctl[ch] = Mixer.ctl_active | Mixer.ctl_reset;
    }
    /// Fill external input `i` with a constant on each side.
    fn dc(a: Abi, i: usize, l: f32, r: f32) void {
        @memset(a.ext_in[i * 2 * Q ..][0..Q], l);
        @memset(a.ext_in[(i * 2 + 1) * Q ..][0..Q], r);
        a.ext_active[i] = 1;
    }
    fn outL(a: Abi, i: usize) f32 {
        return a.out[i];
    }
    fn outR(a: Abi, i: usize) f32 {
        return a.out[Q + i];
    }
    fn run(n: usize) void {
        for (0..n) |_| daw_process();
    }
    fn meter(a: Abi, strip: usize, m: usize) f32 {
        return a.meters[strip * 4 + m];
    }
};

fn near(want: f32, got: f32, rel: f32) !void {
    try testing.expectApproxEqRel(want, got, rel);
}

fn db(x: f32) f32 {
    return std.math.pow(f32, 10, x / 20);
}
const c45: f32 = 1; // master and bus balance at centre: unity
const ch45 = std.math.sqrt1_2; // channel constant-power pan at centre: −3 dB per side

test "end to end: pan law and volume apply from the first quantum after a reset request" {
    const a = try Abi.open(48000);
    a.set(0, P.pan, 0.5);
    a.set(0, P.volume_db, -6);
    a.claim(0, 3);
    a.dc(3, 0.25, 0.25);
    Abi.run(2);
    const th = 1.5 * std.math.pi / 4.0;
    // Settings made before start apply at once: already on the second quantum (the first is
    // partly the limiter's 71-sample look-ahead delay).
    for (0..Q) |i| {
        try near(0.25 * db(-6) * @cos(th) * c45, a.outL(i), 1e-5);
        try near(0.25 * db(-6) * @sin(th) * c45, a.outR(i), 1e-5);
    }
    // Meters (post-fader/post-pan): peak is the louder side; RMS of DC is sqrt((L²+R²)/2) once
    // settled; no compression.
    const l = 0.25 * db(-6) * @cos(th);
    const r = 0.25 * db(-6) * @sin(th);
    try near(r, a.meter(0, 0), 1e-5);
    try testing.expectEqual(@as(f32, 0), a.meter(0, 2));
    Abi.run(1000); // ~2.7 s: ~9 RMS time constants
    try near(@sqrt((l * l + r * r) / 2), a.meter(0, 1), 1e-3);
    try testing.expectEqual(@as(f32, 0), a.meter(contract.master, 3));
    try testing.expectEqual(@as(u32, 1002), a.status[Status.quanta]);
}

test "end to end: volume ramps without steps; -inf and mute silence" {
    const a = try Abi.open(48000);
    a.claim(0, 0);
    a.dc(0, 0.5, 0.5);
    Abi.run(4);
    a.set(0, P.volume_db, -12);
    Abi.run(1);
    // The change is a ramp: consecutive samples move by a small amount.
    var prev = a.outL(Q - 1);
    Abi.run(1);
    for (0..Q) |i| {
        try testing.expect(@fabs(a.outL(i) - prev) < 0.01);
        prev = a.outL(i);
    }
    Abi.run(200);
    try near(0.5 * db(-12) * ch45 * c45, a.outL(5), 1e-5);
    a.set(0, P.mute, 1);
    Abi.run(200);
    try testing.expectEqual(@as(f32, 0), a.outL(100));
    // With the signal gone, the peak meter falls 20 dB per 1.7 s.
    const p1 = a.meter(0, 0);
    Abi.run(100);
    try near(db(-20.0 * 100.0 * 128.0 / 48000.0 / 1.7), a.meter(0, 0) / p1, 1e-3);
    a.set(0, P.mute, 0);
    Abi.run(200);
    try near(0.5 * db(-12) * ch45 * c45, a.outL(5), 1e-5);
    a.set(0, P.volume_db, -std.math.inf(f32));
    Abi.run(200);
    try testing.expectEqual(@as(f32, 0), a.outR(100));
}

test "end to end: solo in place silences the others, buses keep working" {
    const a = try Abi.open(48000);
    a.set(0, P.pan, -1);
    a.set(1, P.pan, 1);
    a.set(1, P.send_drum, 1);
    daw_bus_fx_ptr()[contract.bus_fx.drum_dry_wet] = 0; // the drum bus passes its input: exact sums
    a.claim(0, 0);
    a.claim(1, 1);
    a.dc(0, 0.1, 0.1);
    a.dc(1, 0.2, 0.2);
    Abi.run(3);
    // L: channel 0 only (channel 1 and its post-pan send are hard right).
    try near(0.1 * c45, a.outL(0), 1e-5);
    try near(0.2 * (1 + c45) * c45, a.outR(0), 1e-5);
    a.set(1, P.solo, 1);
    Abi.run(200);
    // Channel 0 (hard left) is silent; channel 1 (hard right) and its drum send remain:
    // L = bus2 L = 0 (the send is post-pan, so the bus gets 0 on L), R = ch1 + bus0 R.
    try testing.expectApproxEqAbs(@as(f32, 0), a.outL(7), 1e-6);
    try near(0.2 * (1 + c45) * c45, a.outR(7), 1e-5);
    // A soloed-then-unclaimed channel no longer counts.
    a.ctl[1] = 0;
    Abi.run(200);
    try near(0.1 * c45, a.outL(7), 1e-5);
}

test "end to end: sends -> buses -> master, bus strip and mute" {
    const a = try Abi.open(44100);
    a.set(2, P.send_reverb, 0.5);
    a.set(2, P.send_delay, 0.25);
    a.set(2, P.send_drum, 1);
    daw_bus_fx_ptr()[contract.bus_fx.drum_dry_wet] = 0; // the drum bus passes its input
    a.claim(2, 5);
    a.dc(5, 0.1, -0.1);
    Abi.run(3);
    // The reverb (15 ms pre-delay) and the delay (375 ms) are still silent; the drum bus passes
    // its input.
    const main = 0.1 * ch45; // channel at centre
    const buses = main * c45; // the drum bus at centre
    try near((main + buses) * c45, a.outL(0), 1e-5);
    try near(-(main + buses) * c45, a.outR(0), 1e-5);
    try near(main * c45, a.meter(contract.first_bus + 2, 0), 1e-5);
    try testing.expectEqual(@as(f32, 0), a.meter(contract.first_bus, 0));
    try testing.expectEqual(@as(f32, 0), a.meter(contract.first_bus + 1, 0));
    // Mute the drum bus.
    a.set(contract.first_bus + 2, P.mute, 1);
    a.set(2, P.send_reverb, 0);
    a.set(2, P.send_delay, 0);
    Abi.run(3000); // until the reverb's and the delay's tails are below the tolerance
    try near(main * c45, a.outL(0), 1e-5);
    // Muting the channel silences its sends too.
    a.set(2, P.mute, 1);
    Abi.run(200);
    try testing.expectEqual(@as(f32, 0), a.outL(0));
}

/// Renders `quanta` of deterministic noise (±0.05, xorshift32) on external input 0 through channel 0
/// with `send_drum` and the drum bus at dry/wet `dw`; the left output into `dst`.
fn renderDrumSend(send: f32, dw: f32, dst: []f32) !void {
    const a = try Abi.open(48000);
    a.set(0, P.send_drum, send);
    daw_bus_fx_ptr()[contract.bus_fx.drum_dry_wet] = dw;
    a.claim(0, 0);
    var seed: u32 = 12345;
    var q: usize = 0;
    while (q * Q < dst.len) : (q += 1) {
        for (a.ext_in[0..Q], a.ext_in[Q .. 2 * Q]) |*l, *r| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            l.* = 0.05 * (@as(f32, @floatFromInt(seed)) / 2147483648.0 - 1);
            r.* = l.*;
        }
        a.ext_active[0] = 1;
        daw_process();
        @memcpy(dst[q * Q ..][0..Q], a.out[0..Q]);
    }
}

var drum_out: [2][64 * Q]f32 = undefined;

test "end to end: a channel sent to the drum bus (dry/wet 0) sums with its own dry path without a comb" {
    // The drum bus delays its output by its oversampler's latency; the mixer delays everything else
    // reaching the master as much (Mixer.pdc). The return of a channel sent at unity through a
    // centred bus is c45 times its main, so the output is (1 + c45) times the output without the
    // send at every frame. Without the compensation the two copies, 51 frames apart, would comb:
    // |1 + c45·e^(−jω·51)| swings between 0.29 and 1.71.
    try renderDrumSend(0, 0, &drum_out[0]);
    try renderDrumSend(1, 0, &drum_out[1]);
    var n: usize = 0;
    for (drum_out[0], drum_out[1]) |x, y| {
        if (@fabs(x) < 1e-4) continue;
        n += 1;
        try testing.expectApproxEqRel((1 + c45) * x, y, 1e-4);
    }
    try testing.expect(n > 7000);
}

test "end to end: the delay bus echoes at the time set through daw_bus_fx_ptr; the bus is skipped after" {
    const a = try Abi.open(48000);
    const fx = daw_bus_fx_ptr();
    const F = contract.bus_fx;
    // Set before the first quantum: applies at once (no glide from the default 375 ms).
    fx[F.delay_time_l_ms] = 20; // 960 frames
    fx[F.delay_time_r_ms] = 20;
    fx[F.delay_feedback] = 0;
    fx[F.delay_low_cut_hz] = 10; // off
    fx[F.delay_high_cut_hz] = 22000; // off
    a.set(0, P.send_delay, 1);
    a.claim(0, 0);
    a.dc(0, 0.1, 0.1);
    const main = 0.1 * ch45;
    // The limiter delays everything by its look-ahead, so compare the quantum where the echo's
    // step lands with the dry signal: DC, then DC + its echo (send 1, bus at centre) 960 frames on.
    Abi.run(4);
    try near(main, a.outL(5), 1e-5);
    Abi.run(8);
    try near(2 * main, a.outL(5), 1e-5);
    // The input stops: once the echo has gone by, the buses are idle again (exact silence out).
    a.ext_active[0] = 0;
    Abi.run(40);
    try testing.expect(!mixer.bus_fx.hasTail());
    try testing.expectEqual(@as(f32, 0), a.outL(0));
    try testing.expectEqual(@as(u32, 0), a.status[Status.active_groups]);
}

test "end to end: idle groups are skipped" {
    const a = try Abi.open(48000);
    Abi.run(1);
    try testing.expectEqual(@as(u32, 16), a.status[Status.skipped_groups]);
    try testing.expectEqual(@as(u32, 0), a.status[Status.active_groups]);
    // Claimed, EQ on, but no input: still idle (zero filter state).
    a.set(9, P.eq_mid_db, 6);
    a.claim(9, 4);
    Abi.run(1);
    try testing.expectEqual(@as(u32, 0), a.status[Status.active_groups]);
    // Input arrives: its group runs.
    a.dc(4, 0.3, 0.3);
    Abi.run(2);
    try testing.expectEqual(@as(u32, 1), a.status[Status.active_groups]);
    try testing.expectEqual(@as(u32, 15), a.status[Status.skipped_groups]);
    // Input stops: the group runs while the EQ rings out, then is skipped again.
    a.ext_active[4] = 0;
    var n: usize = 0;
    while (a.status[Status.active_groups] != 0) : (n += 1) {
        try testing.expect(n < 500);
        Abi.run(1);
    }
    Abi.run(1); // the limiter's look-ahead delay still held the last of the tail
    try testing.expectEqual(@as(f32, 0), a.outL(0));
}

test "end to end: NaN and Inf input recover within a quantum, output stays under the ceiling" {
    const a = try Abi.open(48000);
    a.set(0, P.volume_db, 12);
    a.set(0, P.eq_low_db, 12);
    a.set(0, P.comp_ratio, 4);
    a.set(0, P.comp_threshold_db, -30);
    a.claim(0, 0);
    a.dc(0, 0.01, 0.01);
    Abi.run(400);
    const steady = a.outL(3);
    a.ext_in[17] = std.math.nan(f32);
    a.ext_in[Q + 40] = std.math.inf(f32);
    Abi.run(1);
    try testing.expectEqual(@as(u32, 2), a.status[Status.non_finite_samples]);
    a.ext_in[17] = 0.01;
    a.ext_in[Q + 40] = 0.01;
    for (0..Q) |i| try testing.expect(std.math.isFinite(a.outL(i)) and std.math.isFinite(a.outR(i)));
    // The replaced samples were zeros, a brief dip the EQ and compressor shrug off.
    Abi.run(300);
    try near(steady, a.outL(3), 1e-4);
    // +30 dBFS on everything: the limiter holds −1 dBFS.
    const ceiling = db(-1);
    a.dc(0, db(30), -db(30));
    a.set(0, P.comp_ratio, 1);
    for (0..50) |_| {
        Abi.run(1);
        for (0..2 * Q) |i| try testing.expect(@fabs(a.out[i]) <= ceiling);
    }
    try testing.expect(a.meter(contract.master, 3) > 20);
    try testing.expectEqual(@as(u32, 0), a.status[Status.state_resets]);
}

test "bench: 32 active channels with EQ and compressor (ReleaseFast only)" {
    if (@import("builtin").mode == .Debug) return error.SkipZigTest;
    const a = try Abi.open(48000);
    var prng = std.rand.DefaultPrng.init(7);
    const rnd = prng.random();
    for (0..32) |ch| {
        a.set(ch, P.eq_low_db, 3);
        a.set(ch, P.eq_mid_db, -4);
        a.set(ch, P.eq_high_db, 2);
        a.set(ch, P.comp_ratio, 4);
        a.set(ch, P.comp_threshold_db, -20);
        a.set(ch, P.pan, @as(f32, @floatFromInt(ch)) / 32.0 - 0.5);
        a.set(ch, P.send_reverb, 0.2);
        a.claim(ch, @intCast(ch));
        for (0..2 * Q) |i| a.ext_in[ch * 2 * Q + i] = (rnd.float(f32) * 2 - 1) * 0.3;
        a.ext_active[ch] = 1;
    }
    Abi.run(200);
    const n = 20000;
    var timer = try std.time.Timer.start();
    Abi.run(n);
    const ns = timer.read();
    try testing.expectEqual(@as(u32, 8), a.status[Status.active_groups]);
    std.debug.print("\nbench: 32 channels EQ+comp: {d} ns/quantum ({d:.1}x realtime at 48 kHz)\n", .{
        ns / n,
        (128.0 / 48000.0) * 1e9 / (@as(f64, @floatFromInt(ns)) / n),
    });
}
