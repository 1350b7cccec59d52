// Type-level tests of the public API, checked by `npm run typecheck` (part of `npm test`): each
// `@ts-expect-error` line must fail to type-check, or tsc reports the directive as unused.
import { getEngine, type ChannelParams, type DawErrorCode, type DawErrorDetail, type SynthParams } from '../../src/index.js';

const engine = getEngine();
const ch = engine.createChannel({ label: 'Lead', volumeDb: -6, mute: true, pan: -0.3, sendReverb: 0.2 });
ch.set('volumeDb', -Infinity);
ch.set('solo', 1);
ch.setAll({ eqLowDb: 3, invert: false });
engine.master.set('limiterCeilingDb', -0.5);
engine.bus('reverb').set('volumeDb', -3);
engine.bus('reverb').set('reverbDecayS', 2.5);
engine.bus('reverb').set('reverbFreeze', true);
engine.bus('delay').setAll({ delayMode: 'pingpong', delayTimeLMs: 375, volumeDb: -6 });
engine.bus('delay').setAll({ delaySyncL: '1/8', delaySyncR: '1/8d' });
engine.bus('drum').setAll({ drumCurve: 'hard', drumDrive: 0.5, drumGlue: true, drumBoomHz: 60 });
const decay: number = engine.bus('reverb').get('reverbDecayS');
void decay;
const synth = engine.createSynth(ch, { wave: 'saw', cutoffHz: 2400, polyphony: 8 });
synth.set('wave', 'pulse');
synth.set('wave', 3);
ch.set('volumeDb', -6, { beat: 4, ramp: 'exponential' });
synth.set('cutoffHz', 800, { at: 1.5 });
void ch.automate('pan', [{ beat: 0, value: -1 }, { beat: 4, value: 1, ramp: 'linear' }]);
void engine.master.automate('volumeDb', []);
// @ts-expect-error a ramp is step | linear | exponential
ch.set('volumeDb', -6, { beat: 4, ramp: 'cubic' });
// @ts-expect-error a lane's values are of the parameter's kind
void ch.automate('volumeDb', [{ beat: 0, value: true }]);
const opts: ChannelParams = { compRatio: 4 };
const sopts: SynthParams = { releaseMs: 300 };
void opts;
void sopts;

// @ts-expect-error a number parameter takes no boolean
engine.createChannel({ volumeDb: true });
// @ts-expect-error a switch takes a boolean (or 0 | 1), not any number
engine.createChannel({ mute: 2 });
// @ts-expect-error no such parameter
engine.createChannel({ volume: -6 });
// @ts-expect-error the limiter is the master's, not a channel's
ch.set('limiterCeilingDb', -1);
// @ts-expect-error solo is a channel's, not the master's
engine.master.set('solo', true);
// @ts-expect-error sends are a channel's, not a bus's
engine.bus('delay').set('sendReverb', 0.5);
// @ts-expect-error the reverb's parameters are the reverb bus's, not the delay bus's
engine.bus('delay').set('reverbDecayS', 2);
// @ts-expect-error the delay's parameters are the delay bus's, not the drum bus's
engine.bus('drum').set('delayFeedback', 0.5);
// @ts-expect-error an unknown drive curve
engine.bus('drum').set('drumCurve', 'fuzz');
// @ts-expect-error an unknown note value
engine.bus('delay').set('delaySyncL', '1/3');
// @ts-expect-error an unknown delay mode
engine.bus('delay').set('delayMode', 'tape');
// @ts-expect-error a switch takes a boolean (or 0 | 1)
engine.bus('reverb').set('reverbFreeze', 2);
// @ts-expect-error an unknown waveform name
synth.set('wave', 'noise');
// @ts-expect-error the channel routing is internal (Synth.route)
engine.createSynth(null, { channel: 3 });
// @ts-expect-error a string is not a number parameter's value
synth.set('cutoffHz', '2400');

// The engine's events are typed: daw-error carries the one DawErrorDetail, whose code is a union.
engine.addEventListener('daw-error', (ev) => {
  const code: DawErrorCode = ev.detail.code;
  // @ts-expect-error a code is a name, not a number
  const n: number = ev.detail.code;
  void code;
  void n;
});
engine.addEventListener('daw-statechange', (ev) => void ev.detail.state.toUpperCase());
// Adaptive quality: the option, the property and the event are typed.
engine.addEventListener('daw-quality', (ev) => void (ev.detail.level - ev.detail.previous + ev.detail.reason.length));
engine.quality = 'auto';
engine.quality = 2;
// @ts-expect-error 'auto' or a level number
engine.quality = 'high';
const q: number = engine.status().quality.level + engine.status().qualityLevel;
void q;
// @ts-expect-error not a daw-error code
const bad: DawErrorDetail = { code: 'no-such-code', message: '' };
// element codes and engine codes are one vocabulary
const el: DawErrorDetail = { code: 'no-source', attribute: 'src', message: '' };
void bad;
void el;

// The transport: commands, settings and its event are typed.
const tr = engine.transport;
tr.start({ quantize: 'bar', at: 1.5 });
tr.setTempoMap([{ beat: 0, bpm: 90, ramp: 'linear' }, { beat: 8, bpm: 120 }]);
tr.timeSignature = [7, 8];
tr.loop = { start: 0, end: 8, enabled: true };
void tr.schedule([{ synth, pitch: 60, beat: 0, length: 1 }]);
tr.addEventListener('transport', (ev) => void ev.detail.change.toUpperCase());
// @ts-expect-error quantize is 'none' | 'beat' | 'bar'
tr.start({ quantize: 'half' });
// @ts-expect-error a ramp is 'step' or 'linear'
tr.setTempoMap([{ beat: 0, bpm: 90, ramp: 'cubic' }]);
// @ts-expect-error a note needs a synth handle
void tr.schedule([{ synth: 3, pitch: 60, beat: 0, length: 1 }]);
// @ts-expect-error a time signature is two numbers
tr.timeSignature = '3/4';
// The console's tags: <daw-bus> has the strip parameters as typed properties (the limiter's too, for
// the master), <daw-mixer> is a plain layout element.
const busEl = document.createElement('daw-bus');
busEl.name = 'reverb';
busEl.volumeDb = -3;
busEl.mute = true;
busEl.limiterCeilingDb = -1;
// @ts-expect-error a fader takes a number
busEl.volumeDb = 'loud';
// @ts-expect-error sends are a channel's, not a bus's
busEl.sendReverb = 0.5;
const mixerEl: HTMLElement = document.createElement('daw-mixer');
void mixerEl;
