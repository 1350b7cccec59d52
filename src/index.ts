/** Public API of daw-elements' engine. */
export { Engine, Channel, Strip, Synth, Sample, getEngine, renderOffline, dbToLin, linToDb, DEFAULT_SAMPLE_MEMORY } from './engine.js';
export type { EngineOptions, EngineState, EngineStatus, Meter, DawErrorDetail, FaultOptions, RecoveryReport } from './engine.js';
export type { SampleOptions, SampleSource } from './samples.js';
export { STRIP_PARAMS, SYNTH_PARAMS, BUS_NAMES, MAX_CHANNELS, EXTERNAL_INPUTS, MAX_SYNTHS, MAX_VOICES, MAX_SAMPLES } from './generated/params.js';
export type { ParamSpec, StripParamName, SynthParamName, ChannelParams, BusParams, MasterParams, SynthParams } from './generated/params.js';
export type { ParamName, ParamValue } from './engine.js';
export { checkParam, describeRange } from './validate.js';
