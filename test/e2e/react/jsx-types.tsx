// Type-level cases for the typed JSX (daw-elements/react), checked with the React page by
// build.mjs: each `@ts-expect-error` line must fail to type-check, or tsc reports the directive as
// unused and the e2e step fails. Never rendered.
import type { DawChannel, DawSynth } from 'daw-elements';
import type {} from 'daw-elements/react';

export const fine = (
  <daw-engine volumeDb={-3} ceilingDb={-1} latencyHint="playback" ondaw-ready={(e) => e.detail.engine.status()}>
    <daw-channel label="Lead" volumeDb={-Infinity} mute pan={-0.3} sendReverb={0.2} className="strip" style={{ margin: 4 }}
      ondaw-change={(e) => { const v: number = e.currentTarget.volumeDb; const p: string = e.detail.property; void v; void p; }}
      ondaw-error={(e) => { const code: string = e.detail.code; void code; }}>
      <daw-synth wave="pulse" cutoffHz={2400} polyphony={8} keyboard ref={(s: DawSynth | null) => { s?.noteOn(60); }} />
      <daw-clip src="drums.wav" loop gain={0.5} ondaw-clip-load={(e) => e.detail.duration.toFixed(2)} />
    </daw-channel>
  </daw-engine>
);

export const wrong = [
  // @ts-expect-error a number parameter takes no string
  <daw-channel volumeDb="loud" />,
  // @ts-expect-error a switch takes a boolean (or 0 | 1)
  <daw-channel mute={2} />,
  // @ts-expect-error no such parameter (camelCase props are checked)
  <daw-channel volume={-6} />,
  // @ts-expect-error the limiter is the master's, not a channel's
  <daw-channel limiterCeilingDb={-1} />,
  // @ts-expect-error an unknown waveform name
  <daw-synth wave="noise" />,
  // @ts-expect-error the synth's channel routing is internal
  <daw-synth channel={3} />,
  // @ts-expect-error an event prop takes a function of the element's event
  <daw-channel ondaw-change="setVolume" />,
  // @ts-expect-error daw-error's detail has no 'state'
  <daw-engine ondaw-error={(e) => e.detail.state} />,
  // @ts-expect-error currentTarget is the element: a channel has no noteOn
  <daw-channel ondaw-change={(e) => e.currentTarget.noteOn(60)} />,
  // @ts-expect-error a ref to a channel is not a ref to a synth
  <daw-synth ref={(c: DawChannel | null) => { c?.meter(); }} />,
];
