import { useRef, useState } from 'react';
import 'daw-elements'; // defines the tags; imported before React renders them, so React sets properties
import type { DawEngine, DawSynth, EngineState } from 'daw-elements';
import type {} from 'daw-elements/react'; // typed JSX: <daw-channel volumeDb="loud"> fails type-checking

export function App() {
  const engine = useRef<DawEngine>(null);
  const synth = useRef<DawSynth>(null);
  const [state, setState] = useState<EngineState>('idle');
  const [volumeDb, setVolumeDb] = useState(-6);
  const [mute, setMute] = useState(false);
  const [cutoffHz, setCutoffHz] = useState(20000);
  const [holding, setHolding] = useState(false);
  const [pad, setPad] = useState(true);
  const [error, setError] = useState('');

  const toggleNote = () => {
    if (holding) synth.current?.noteOff(69);
    else synth.current?.noteOn(69, 1); // A4 at full velocity
    setHolding(!holding);
  };

  return (
    <>
      <daw-engine ref={engine} ondaw-statechange={(e) => setState(e.detail.state)} ondaw-error={(e) => setError(e.detail.message)}>
        <daw-channel id="lead" label="Lead" volumeDb={volumeDb} mute={mute}
          ondaw-change={(e) => { setVolumeDb(e.currentTarget.volumeDb); setMute(e.currentTarget.mute); }}>
          <daw-synth ref={synth} wave="sine" sustain={1} gainDb={0} cutoffHz={cutoffHz} />
        </daw-channel>
        {pad && (
          <daw-channel id="pad" label="Pad" volumeDb={-12}>
            <daw-synth wave="triangle" releaseMs={800} />
          </daw-channel>
        )}
      </daw-engine>
      <fieldset>
        <legend>Lead (React state)</legend>
        <button id="start" onClick={() => engine.current?.start()}>Start audio</button> Audio: <output id="state">{state}</output>
        <label>Volume <input id="volume" type="range" min={-60} max={0} step={1} value={volumeDb}
          onChange={(e) => setVolumeDb(e.target.valueAsNumber)} /></label> <output id="volume-text">{volumeDb} dB</output>
        <label><input id="mute" type="checkbox" checked={mute} onChange={(e) => setMute(e.target.checked)} /> Mute</label>
        <label>Cutoff (Hz) <input id="cutoff" type="number" value={cutoffHz} onChange={(e) => setCutoffHz(Number(e.target.value))} /></label>
        <button id="note" aria-pressed={holding} onClick={toggleNote}>Hold A4</button>
        <label><input id="pad-on" type="checkbox" checked={pad} onChange={(e) => setPad(e.target.checked)} /> Pad channel</label>
      </fieldset>
      {error && <p id="error" role="alert">{error}</p>}
    </>
  );
}
