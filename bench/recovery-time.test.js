// How long recovery from a crashed worklet takes, by the sample memory it must restore: a fresh engine
// per run, a looping stereo sample of 0, 10, 60 and 180 s, a real WASM trap (engine.injectFault), and
// engine.lastRecovery's time from the processorerror to running again with the sample and the clip
// back (no backoff wait: each run is a first failure). Five runs each; prints median and range.
// Not part of the test suite (a measurement, not an assertion):
//   npx wtr --files bench/recovery-time.test.js            (DAW_ISOLATION=off, or --config for Firefox / WebKitGTK)
import { Engine } from '../dist/daw-elements.js';
import { task } from '../test/helpers.js';
describe('recovery time', function () {
  this.timeout(300000);
  it('recovery time vs kept sample bytes', async () => {
    for (const seconds of [0, 10, 60, 180]) {
      const res = [];
      let rate = 0;
      for (let k = 0; k < 5; k++) {
        const e = new Engine();
        await e.start();
        while (e.state !== 'running') await task(5);
        rate = e.sampleRate;
        if (seconds) {
          const n = Math.round(seconds * e.sampleRate);
          const s = await e.loadSample([new Float32Array(n).fill(0.1), new Float32Array(n).fill(0.1)]);
          e.createChannel().play(s, { loop: true });
        }
        await task(200);
        e.injectFault({ kind: 'trap' });
        while (!(e.state === 'running' && e.lastRecovery)) await task(2);
        res.push(e.lastRecovery.ms - e.lastRecovery.waitMs);
        await e.close();
      }
      res.sort((a, b) => a - b);
      console.log(`${seconds} s stereo (${(seconds * rate * 8 / 1048576).toFixed(1)} MB kept at ${rate} Hz): median ${res[2].toFixed(0)} ms, range ${res[0].toFixed(0)}..${res[4].toFixed(0)} ms`);
    }
  });
});
