/**
 * engine.restore() (and the session a bounce rebuilds on its private engine): validates a snapshot
 * (snapshot-check.ts), then applies it through the same control block and handles as everything
 * else. Loaded on first use (await import), so a page that never restores does not load it.
 * Main thread only.
 */
import { BUS_NAMES, MAX_CHANNELS, STRIDE, type ParamSpec } from '../protocol/generated/contract.js';
import type { Channel, Sample, Synth } from './handles.js';
import type { KeptSample } from './recovery.js';
import type { Runtime } from './runtime.js';
import type { Table } from './link.js';
import { busFxSpecs, stripSpecs, synthSpecs, type SnapshotNote } from './snapshot.js';
import { checkSnapshot, type CheckedLane, type CheckedSnapshot } from './snapshot-check.js';

const bySlot = <T extends { slot: number }>(a: Iterable<T>): T[] => [...a].sort((x, y) => x.slot - y.slot);

/** Where restore() gets a snapshot's samples: this engine's (by id), or kept PCM (a bounce's private engine). */
export interface SampleSourceMap {
  /** PCM of samples by their snapshot index (bounce: the live engine's kept PCM). */
  pcm?: Map<number, KeptSample>;
}

/** What restore() did, `daw-restore` detail. */
export interface RestoreReport {
  /** The channels and synths of the snapshot, in its order (matched to the live ones by slot order; extra ones created). */
  channels: Channel[];
  synths: Synth[];
  samples: Sample[];
}

/**
 * engine.restore(): validates everything (the JSON, then what this engine must have: samples that
 * came from bytes must still be loaded here, free channel slots), loads the samples that must be
 * loaded (a failure disposes those and rejects: nothing applied), then applies it all at once.
 * Live channels and synths are matched to the snapshot's in slot order; extra snapshot ones are
 * created, extra live ones are left as they are.
 */
export async function restore(rt: Runtime, input: unknown, from: SampleSourceMap = {}): Promise<RestoreReport> {
  const s = checkSnapshot(input);
  const live = bySlot(rt.channels);
  const liveSynths = bySlot(rt.synths);
  const have = new Map([...rt.loader.samples].filter((x) => !x.isDisposed).map((x) => [x.id, x]));
  const needChannels = Math.max(0, s.channels.length - live.length);
  if (needChannels > MAX_CHANNELS - rt.channels.size) {
    throw new RangeError(`restore: channels: the snapshot has ${s.channels.length} channels; this engine has ${live.length} and room for ${MAX_CHANNELS - rt.channels.size} more`);
  }
  const same = (i: number) => {
    const x = have.get(s.samples[i].id);
    return x && Math.abs(x.duration - s.samples[i].duration) < 1e-6 ? x : undefined;
  };
  s.samples.forEach((x, i) => {
    if (from.pcm?.has(i) || x.from === 'url' || same(i)) return;
    throw new RangeError(`restore: samples[${i}]: it was loaded from ${x.from === 'bytes' ? 'file bytes (an ArrayBuffer, Uint8Array or Blob)' : 'PCM or an AudioBuffer'}, which a snapshot cannot carry, and this engine no longer has it (id ${x.id}): load it again and put its id here, or load it from a URL`);
  });
  // Samples first: the only step that can fail after validation. A failure frees what was loaded.
  const loaded: Sample[] = [];
  let samples: Sample[];
  try {
    samples = await Promise.all(s.samples.map(async (x, i) => {
      const k = from.pcm?.get(i);
      const reuse = k ? undefined : same(i);
      if (reuse) return reuse;
      const opts = { loopStart: x.loopStart, loopEnd: x.loopEnd > x.loopStart ? x.loopEnd : undefined };
      const smp = await rt.engine.loadSample(k ? k.channels : x.url!, k ? { ...opts, sampleRate: rt.context!.sampleRate } : opts);
      loaded.push(smp);
      return smp;
    }));
  } catch (e) {
    for (const x of loaded) x.dispose();
    throw Object.assign(new Error(`restore: a sample could not be loaded (${(e as Error).message}); nothing was restored`), { cause: e });
  }
  const report = apply(rt, s, live, liveSynths, samples);
  await restoreNotes(rt, s.timeline.notes, report.synths);
  await restoreLanes(rt, s.timeline.automation, report);
  return report;
}

function apply(rt: Runtime, s: CheckedSnapshot, live: Channel[], liveSynths: Synth[], samples: Sample[]): RestoreReport {
  const link = rt.link;
  const write = (table: Table, slot: number, specs: ParamSpec[], values: Record<string, number>) => {
    for (const p of specs) link.block[table][slot * STRIDE + p.index] = values[p.name];
  };
  const e = rt.engine;
  write('strip', e.master.slot, stripSpecs('master'), s.master);
  s.buses.forEach((b) => {
    write('strip', e.bus(b.name).slot, stripSpecs('bus'), b.params);
    write('busFx', 0, busFxSpecs(b.name), b.fx);
  });
  const channels = s.channels.map((c, i) => {
    const ch = live[i] ?? e.createChannel();
    ch.label = c.label;
    write('strip', ch.slot, stripSpecs('channel'), c.params);
    return ch;
  });
  const synths = s.synths.map((x, i) => {
    const syn = liveSynths[i] ?? e.createSynth(null);
    write('synth', syn.slot, synthSpecs(), x.params);
    syn.route(x.channel === null ? null : channels[x.channel]);
    return syn;
  });
  link.changed();
  const t = e.transport;
  t.setTempoMap(s.transport.tempoMap);
  t.timeSignature = s.transport.timeSignature;
  t.loop = s.transport.loop;
  t.swing = s.transport.swing;
  t.swingGrid = s.transport.swingGrid;
  t.metronome = s.transport.metronome;
  t.metronomeLevel = s.transport.metronomeLevel;
  const now = rt.now();
  for (const ch of channels) ch.stop();
  for (const c of s.timeline.clips) {
    const ch = channels[c.channel];
    if (c.kind === 'stop') ch.stop(now + c.time);
    else ch.play(samples[c.sample!], { time: now + c.time, offset: c.offset, loop: c.loop, gain: c.gain });
  }
  const report: RestoreReport = { channels, synths, samples };
  e.dispatchEvent(new CustomEvent('daw-restore', { detail: report }));
  return report;
}

/** The timeline part of restore (async: the notes go to the audio thread): the old notes out, the snapshot's in. */
export async function restoreNotes(rt: Runtime, notes: readonly SnapshotNote[], synths: Synth[]): Promise<void> {
  const t = rt.engine.transport;
  await Promise.all([...t.scheduled].map(([first, n]) => t.unschedule({ first, count: n.length })));
  if (notes.length) await t.schedule(notes.map((n) => ({ synth: synths[n.synth], pitch: n.pitch, beat: n.beat, length: n.length, velocity: n.velocity, straight: n.straight, ...(n.repeat ? { repeat: n.repeat } : {}) })));
}

/** The automation part of restore: every lane cleared, the snapshot's set (already checked, so automate() accepts them). */
export async function restoreLanes(rt: Runtime, lanes: readonly CheckedLane[], r: RestoreReport): Promise<void> {
  const e = rt.engine;
  await e.transport.timeline.clearLanes();
  await Promise.all(lanes.map((l) => {
    const h = l.target === 'synth' ? r.synths[l.index] : l.target === 'channel' ? r.channels[l.index] : l.target === 'bus' ? e.bus(BUS_NAMES[l.index]) : e.master;
    return (h as { automate(name: string, points: readonly object[]): Promise<void> }).automate(l.param, l.points);
  }));
}

