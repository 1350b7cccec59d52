/**
 * The session as data: engine.snapshot() reads it here (loaded on first use); engine.restore() and engine.bounce() rebuild
 * it (restore.ts, loaded on first use).
 * It reuses what recovery already keeps (recovery.ts): the control block holds every claim and
 * parameter, recovery's records hold the samples' PCM and the clips (Recovery.plan gives the clips
 * sounding now and to come, as it does for a rebuilt worklet); the transport handle holds its
 * settings and the notes it scheduled. The JSON shape and its validator are in snapshot.ts.
 * Main thread only.
 */
import { BUS_NAMES, STRIP_PARAMS, SYNTH_PARAMS, type ParamSpec } from '../protocol/generated/contract.js';
import type { Runtime } from './runtime.js';
import {
  SNAPSHOT_SCHEMA, busFxSpecs, storeValue, stripSpecs, synthSpecs, type Snapshot, type SnapshotClip, type SnapshotLane, type SnapshotNote, type SnapshotParams, type SnapshotSample,
} from './snapshot.js';
import type { Table } from './link.js';

const bySlot = <T extends { slot: number }>(a: Iterable<T>): T[] => [...a].sort((x, y) => x.slot - y.slot);

function readParams(rt: Runtime, specs: ParamSpec[], table: Table, slot: number): SnapshotParams {
  const out: SnapshotParams = {};
  for (const p of specs) out[p.name] = storeValue(p, rt.link.read(table, slot, p.index));
  return out;
}

/** The session now: engine.snapshot(). */
export function capture(rt: Runtime, at = rt.now()): Snapshot {
  const ctx = rt.context;
  const rate = ctx?.sampleRate ?? rt.options.sampleRate ?? 48000;
  const channels = bySlot(rt.channels);
  const synths = bySlot(rt.synths);
  const samples = [...rt.loader.samples].filter((s) => !s.isDisposed).sort((a, b) => a.id - b.id);
  const kept = rt.recovery.samples;
  const master = rt.engine.master.slot;
  const t = rt.transport;
  const notes: SnapshotNote[] = [];
  for (const n of [...(t?.scheduled.values() ?? [])].flat()) {
    if (!('synth' in n)) continue; // a clip launch on the timeline: not in snapshots (yet)
    const synth = synths.findIndex((s) => s === n.synth);
    if (synth < 0) continue; // its synth was disposed: its notes no longer play
    notes.push({ synth, pitch: n.pitch, beat: n.beat, length: n.length, velocity: n.velocity ?? 1, straight: !!n.straight, ...(n.repeat ? { repeat: n.repeat } : {}) });
  }
  const clips: SnapshotClip[] = [];
  if (ctx) {
    const now = at;
    // The clips sounding now (from where they are) and those to come: recovery's plan for a node
    // started now. Its records become those it returns, which is what they already meant.
    for (const c of rt.recovery.plan(now, rate)) {
      const channel = channels.indexOf(c.channel);
      const sample = c.sample ? samples.indexOf(c.sample) : -1;
      if (channel < 0 || (c.kind === 'play' && sample < 0)) continue;
      clips.push({ kind: c.kind, channel, sample: c.kind === 'play' ? sample : null, time: Math.max(0, c.time - now), offset: c.offset / rate, loop: c.loop, gain: c.gain });
    }
  }
  return {
    schema: SNAPSHOT_SCHEMA,
    sampleRate: rate,
    master: { params: readParams(rt, stripSpecs('master'), 'strip', master) },
    buses: BUS_NAMES.map((name) => ({
      name, params: readParams(rt, stripSpecs('bus'), 'strip', rt.engine.bus(name).slot), fx: readParams(rt, busFxSpecs(name), 'busFx', 0),
    })),
    channels: channels.map((ch) => ({ label: ch.label, params: readParams(rt, stripSpecs('channel'), 'strip', ch.slot) })),
    synths: synths.map((s) => ({ channel: s.channel && !s.channel.isDisposed ? channels.indexOf(s.channel) : null, params: readParams(rt, synthSpecs(), 'synth', s.slot) })),
    samples: samples.map((s): SnapshotSample => {
      const k = kept.get(s.id);
      return {
        url: k?.from === 'url' ? k.url ?? null : null, id: s.id, from: k?.from ?? 'pcm',
        duration: s.frames / s.sampleRate, loopStart: s.loopStart / s.sampleRate, loopEnd: s.loopEnd / s.sampleRate,
      };
    }),
    transport: {
      tempoMap: (t?.tempoMap ?? [{ beat: 0, bpm: 120 }]).map((p) => ({ beat: p.beat, bpm: p.bpm, ramp: p.ramp ?? 'step' })),
      timeSignature: t?.timeSignature ?? [4, 4],
      loop: t?.loop ?? { start: 0, end: 4, enabled: false },
      swing: t?.swing ?? 0,
      swingGrid: t?.swingGrid ?? 0.5,
      metronome: t?.metronome ?? false,
      metronomeLevel: t?.metronomeLevel ?? 0.5,
    },
    timeline: { notes, clips, automation: lanes(rt, channels, synths) },
  };
}

/** The automation lanes (automation.ts keeps each lane's checked points: t, v, r), by target and parameter. */
function lanes(rt: Runtime, channels: { slot: number }[], synths: { slot: number }[]): SnapshotLane[] {
  const out: SnapshotLane[] = [];
  const buses = BUS_NAMES.map((n) => rt.engine.bus(n).slot);
  for (const [key, lane] of rt.transport?.timeline.lanes() ?? []) {
    const [kind, slotText, indexText] = key.split(':');
    const slot = Number(slotText), index = Number(indexText);
    const spec = (kind === 's' ? SYNTH_PARAMS : STRIP_PARAMS).find((p) => p.index === index);
    let target: SnapshotLane['target'], at: number;
    if (kind === 's') [target, at] = ['synth', synths.findIndex((x) => x.slot === slot)];
    else if (slot === rt.engine.master.slot) [target, at] = ['master', 0];
    else if (buses.includes(slot)) [target, at] = ['bus', buses.indexOf(slot)];
    else [target, at] = ['channel', channels.findIndex((x) => x.slot === slot)];
    if (!spec || at < 0) continue;
    const base = lane.seconds ? 'at' : 'beat';
    out.push({ target, index: at, param: spec.name, points: (lane.pts as { t: number; v: number; r: number }[]).map((p) => ({ [base]: p.t, value: storeValue(spec, p.v), ramp: RAMPS[p.r] })) });
  }
  return out;
}

const RAMPS = ['step', 'linear', 'exponential'] as const;

