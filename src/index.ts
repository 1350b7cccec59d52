/** Public API of daw-elements' engine. */
export { Engine, dbToLin, linToDb } from './engine.js';
export { getEngine, renderOffline, controlLink } from './page-engine.js';
export { Bus, Channel, Strip, Synth, Sample } from './handles.js';
export { DEFAULT_SAMPLE_MEMORY, QUALITY_LEVELS } from './types.js';
export { AnalysisReader } from './analysis.js';
export type { AnalysisOptions, AnalysisReading } from './analysis.js';
export { Recording } from './record.js';
export type { RecordOptions } from './record.js';
export { Transport } from './transport.js';
export type { TransportState, TransportChange, TransportPosition, TransportEventDetail, TempoPoint, LoopRegion, Quantize, CommandOptions, TimelineNote, TimelineClip, ScheduledNotes } from './transport.js';
export type { EngineOptions, EngineState, EngineStatus, LoadFigure, UnderrunFigure, LatencyFigure, Meter, FaultOptions, ParamName, ParamValue, BusParamsOf, QualitySetting, QualityFigure, QualityChangeDetail, AutomationPoint, AutomationRamp, AutomationTime } from './types.js';
export type { DawErrorCode, DawErrorDetail, EngineEventMap } from './errors.js';
export type { RecoveryReport } from './recovery.js';
export type { SampleOptions, SampleSource } from './samples.js';
export type { LoadMidiOptions, MidiRoute, MidiRouteFunction, MidiSong, MidiSource, MidiTempoMode, MidiTrackInfo, MidiTrackLoaded } from './midi-load.js';
export type { MidiError } from './midi.js';
export { STRIP_PARAMS, SYNTH_PARAMS, BUS_FX, BUS_NAMES, MAX_CHANNELS, EXTERNAL_INPUTS, MAX_SYNTHS, MAX_VOICES, MAX_SAMPLES } from '../protocol/generated/contract.js';
export type {
  ParamSpec, BusFxSpec, BusName, StripParamName, SynthParamName, ChannelParams, BusParams, BusFxParams, ReverbFxParams, DelayFxParams, MasterParams,
  SynthParams, StatusWords,
} from '../protocol/generated/contract.js';
export { checkParam, describeRange } from './validate.js';
export type { Snapshot, SnapshotChannel, SnapshotBus, SnapshotSynth, SnapshotSample, SnapshotTransport, SnapshotNote, SnapshotClip, SnapshotParams, SnapshotValue } from './snapshot.js';
export type { RestoreReport } from './restore.js';
export type { BounceLength, BounceOptions, BounceProgress, BounceResult, BounceStem } from './bounce.js';
export type { InputRecording, InputSource, InputOptions } from './input.js';
