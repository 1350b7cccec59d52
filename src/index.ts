/** Public API of daw-elements' engine. */
export { Engine, getEngine, renderOffline, dbToLin, linToDb, controlLink } from './engine.js';
export { Bus, Channel, Strip, Synth, Sample } from './handles.js';
export { DEFAULT_SAMPLE_MEMORY } from './types.js';
export { AnalysisReader } from './analysis.js';
export type { AnalysisOptions, AnalysisReading } from './analysis.js';
export { Recording } from './record.js';
export type { RecordOptions } from './record.js';
export { Transport } from './transport.js';
export type { TransportState, TransportChange, TransportPosition, TransportEventDetail, TempoPoint, LoopRegion, Quantize, CommandOptions, TimelineNote, TimelineClip, ScheduledNotes } from './transport.js';
export type { EngineOptions, EngineState, EngineStatus, LoadFigure, UnderrunFigure, LatencyFigure, Meter, FaultOptions, ParamName, ParamValue, BusParamsOf } from './types.js';
export type { DawErrorCode, DawErrorDetail, EngineEventMap } from './errors.js';
export type { RecoveryReport } from './recovery.js';
export type { SampleOptions, SampleSource } from './samples.js';
export { STRIP_PARAMS, SYNTH_PARAMS, BUS_FX, BUS_NAMES, MAX_CHANNELS, EXTERNAL_INPUTS, MAX_SYNTHS, MAX_VOICES, MAX_SAMPLES } from '../protocol/generated/contract.js';
export type {
  ParamSpec, BusFxSpec, BusName, StripParamName, SynthParamName, ChannelParams, BusParams, BusFxParams, ReverbFxParams, DelayFxParams, MasterParams,
  SynthParams, StatusWords,
} from '../protocol/generated/contract.js';
export { checkParam, describeRange } from './validate.js';
