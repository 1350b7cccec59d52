/** Public API of daw-elements' engine. */
export { Engine, getEngine, renderOffline, dbToLin, linToDb, controlLink } from './engine.js';
export { Channel, Strip, Synth, Sample } from './handles.js';
export { DEFAULT_SAMPLE_MEMORY } from './types.js';
export type { EngineOptions, EngineState, EngineStatus, LoadFigure, UnderrunFigure, LatencyFigure, Meter, FaultOptions, ParamName, ParamValue } from './types.js';
export type { DawErrorCode, DawErrorDetail, EngineEventMap } from './errors.js';
export type { RecoveryReport } from './recovery.js';
export type { SampleOptions, SampleSource } from './samples.js';
export { STRIP_PARAMS, SYNTH_PARAMS, BUS_NAMES, MAX_CHANNELS, EXTERNAL_INPUTS, MAX_SYNTHS, MAX_VOICES, MAX_SAMPLES } from '../protocol/generated/contract.js';
export type { ParamSpec, StripParamName, SynthParamName, ChannelParams, BusParams, MasterParams, SynthParams, StatusWords } from '../protocol/generated/contract.js';
export { checkParam, describeRange } from './validate.js';
