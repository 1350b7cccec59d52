/**
 * Typed JSX for React 19 (`daw-elements/react`, types only): the tags with their properties and
 * `daw-*` event props, so `<daw-channel volumeDb="loud">` or `ondaw-change={(e: MouseEvent) => …}`
 * fails type-checking. A TSX file loads it with `import type {} from 'daw-elements/react';`.
 *
 * Nothing here is typed by hand a second time: parameter props are the engine's option types
 * (`ChannelParams`, `SynthParams`, generated from protocol/contract.json), the other props are picked from
 * the element classes, the events' details are the elements' own detail types.
 *
 * What React 19 does with them (react-dom, setValueForPropertyOnCustomComponent): a prop whose name
 * is a property of the element (`'volumeDb' in el`) is set as that property, so `daw-elements` must
 * be imported (the tags defined) before React renders them; otherwise it becomes an attribute. A
 * prop `on<name>` holding a function is added as a listener for the event `<name>`, case kept:
 * `ondaw-error`, not `onDawError`. TypeScript does not report misspelt hyphenated props
 * (`ondaw-eror`), as with `data-*`; camelCase ones (`volumDb`) are reported.
 */
import type { HTMLAttributes, Key, RefAttributes } from 'react';
import type { ChannelParams, SynthParams, Engine, EngineState, QualityChangeDetail, RecoveryReport, TransportEventDetail } from '../src/index.js';
import type { DawBus } from './daw-bus/daw-bus.js';
import type { BusElementParams } from './daw-bus/daw-bus.component.js';
import type { DawChannel } from './daw-channel/daw-channel.js';
import type { DawClip, DawClipLoadDetail } from './daw-clip/daw-clip.js';
import type { DawEngine } from './daw-engine/daw-engine.js';
import type { DawMixer } from './daw-mixer/daw-mixer.js';
import type { DawSynth } from './daw-synth/daw-synth.js';
import type { DawMeter } from './daw-meter/daw-meter.js';
import type { DawLoudness } from './daw-loudness/daw-loudness.js';
import type { DawSpectrum } from './daw-spectrum/daw-spectrum.js';
import type { DawScope } from './daw-scope/daw-scope.js';
import type { DawTransport } from './daw-transport/daw-transport.js';
import type { DawSequence } from './daw-sequence/daw-sequence.js';
import type { DawSteps } from './daw-steps/daw-steps.js';
import type { DawChangeDetail, DawElementErrorDetail } from './shared/element.js';

/** An event as a handler on element `E` receives it: `currentTarget` is the element. */
export type DawEvent<D, E extends HTMLElement> = CustomEvent<D> & { readonly currentTarget: E };

/** One prop per event: `on` + the event's name, e.g. `ondaw-error`. */
export type EventProps<M, E extends HTMLElement> = { [K in keyof M & string as `on${K}`]?: (event: DawEvent<M[K], E>) => void };

/** HTML attributes (id, className, style, children, onClick, …), key and ref; the element's own props win. */
type Base<E extends HTMLElement, Own> = Omit<HTMLAttributes<E>, keyof Own> & RefAttributes<E> & { key?: Key | null } & Own;

export interface DawEngineEvents {
  'daw-ready': { engine: Engine };
  'daw-statechange': { state: EngineState; recovered?: RecoveryReport };
  'daw-error': DawElementErrorDetail;
  'daw-change': DawChangeDetail;
  'daw-export': { kind: 'bounce' | 'recording'; blob: Blob; url: string; name: string };
  'daw-quality': QualityChangeDetail;
}
export interface DawChannelEvents {
  'daw-error': DawElementErrorDetail;
  'daw-change': DawChangeDetail;
}
export interface DawBusEvents {
  'daw-error': DawElementErrorDetail;
  'daw-change': DawChangeDetail;
}
export interface DawSynthEvents {
  'daw-error': DawElementErrorDetail;
}
/** `<daw-meter>` and `<daw-loudness>` fire `daw-error` only. */
export interface DawEvents {
  'daw-error': DawElementErrorDetail;
}
export interface DawClipEvents {
  'daw-clip-load': DawClipLoadDetail;
  'daw-error': DawElementErrorDetail;
}
export interface DawTransportEvents {
  'daw-transport': TransportEventDetail;
  'daw-change': DawChangeDetail;
  'daw-error': DawElementErrorDetail;
}

/** `<daw-engine>`: master `volumeDb`, `ceilingDb`, `latencyHint`, `quality`, the export and record buttons. */
export type DawEngineProps = Base<DawEngine, Partial<Pick<DawEngine, 'volumeDb' | 'ceilingDb' | 'latencyHint' | 'quality' | 'exportButton' | 'recordButton' | 'exportSeconds' | 'exportFormat'>> & EventProps<DawEngineEvents, DawEngine>>;
/** `<daw-channel>`: every channel parameter (`volumeDb`, `mute`, `pan`, `sendReverb`, …), `label`, `headless`, `source`. */
export type DawChannelProps = Base<DawChannel, ChannelParams & Partial<Pick<DawChannel, 'label' | 'headless' | 'source'>> & EventProps<DawChannelEvents, DawChannel>>;
/** `<daw-synth>`: every synth parameter (`wave`, `cutoffHz`, `releaseMs`, …), `keyboard`, `midi`. */
export type DawSynthProps = Base<DawSynth, SynthParams & Partial<Pick<DawSynth, 'keyboard' | 'midi'>> & EventProps<DawSynthEvents, DawSynth>>;
/** `<daw-clip>`: `src`, `label`, `loop`, `autoplay`, `gain`, `offset`, `loopStart`, `loopEnd`. */
export type DawClipProps = Base<DawClip, Partial<Pick<DawClip, 'src' | 'label' | 'loop' | 'autoplay' | 'gain' | 'offset' | 'loopStart' | 'loopEnd'>> & EventProps<DawClipEvents, DawClip>>;
/** `<daw-transport>`: `tempo`, `metronome`, `loop`, `loopStart`, `loopEnd`. */
export type DawTransportProps = Base<DawTransport, Partial<Pick<DawTransport, 'tempo' | 'metronome' | 'loop' | 'loopStart' | 'loopEnd'>> & EventProps<DawTransportEvents, DawTransport>>;

/** `<daw-meter>`: `for`, `mode`, `orientation`, `minDb`. */
export type DawMeterProps = Base<DawMeter, Partial<Pick<DawMeter, 'for' | 'mode' | 'orientation' | 'minDb'>> & EventProps<DawEvents, DawMeter>>;
/** `<daw-loudness>`: `for`. */
export type DawLoudnessProps = Base<DawLoudness, Partial<Pick<DawLoudness, 'for'>> & EventProps<DawEvents, DawLoudness>>;
/** `<daw-spectrum>`: `for`, `size`, `minDb`. */
export type DawSpectrumProps = Base<DawSpectrum, Partial<Pick<DawSpectrum, 'for' | 'size' | 'minDb'>> & EventProps<DawEvents, DawSpectrum>>;
/** `<daw-scope>`: `for`. */
export type DawScopeProps = Base<DawScope, Partial<Pick<DawScope, 'for'>> & EventProps<DawEvents, DawScope>>;

/** `<daw-bus>`: `name` ('reverb' | 'delay' | 'drum' | 'master'), `label`, the strip parameters (`volumeDb`, `pan`, …, the limiter's on the master). */
export type DawBusProps = Base<DawBus, Partial<BusElementParams> & Partial<Pick<DawBus, 'label'>> & { name?: 'reverb' | 'delay' | 'drum' | 'master' } & EventProps<DawBusEvents, DawBus>>;
/** `<daw-mixer>`: a layout of channels, buses and master (children). */
export type DawMixerProps = Base<DawMixer, object>;
/** `<daw-sequence>`: `notes`, `length`, `offset`, `once`. */
export type DawSequenceProps = Base<DawSequence, Partial<Pick<DawSequence, 'notes' | 'length' | 'offset' | 'once'>> & EventProps<DawEvents, DawSequence>>;
/** `<daw-steps>`: `htmlFor` (the `for` attribute), `rows`, `steps`, `step`, `offset`, `pattern`, `label`. */
export type DawStepsProps = Base<DawSteps, Partial<Pick<DawSteps, 'htmlFor' | 'rows' | 'steps' | 'step' | 'offset' | 'pattern' | 'label'>> & EventProps<DawChannelEvents, DawSteps>>;

/**
 * The tags under a prefix, for `define({ prefix })`: a page using `studio-` tags adds
 * `declare module 'react' { namespace JSX { interface IntrinsicElements extends DawIntrinsicElements<'studio'> {} } }`.
 */
export type DawIntrinsicElements<P extends string = 'daw'> =
  Record<`${P}-engine`, DawEngineProps> & Record<`${P}-channel`, DawChannelProps> & Record<`${P}-synth`, DawSynthProps> & Record<`${P}-clip`, DawClipProps> &
  Record<`${P}-transport`, DawTransportProps> & Record<`${P}-meter`, DawMeterProps> & Record<`${P}-loudness`, DawLoudnessProps> &
  Record<`${P}-spectrum`, DawSpectrumProps> & Record<`${P}-scope`, DawScopeProps> & Record<`${P}-bus`, DawBusProps> & Record<`${P}-mixer`, DawMixerProps> &
  Record<`${P}-sequence`, DawSequenceProps> & Record<`${P}-steps`, DawStepsProps>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends DawIntrinsicElements {}
  }
}
