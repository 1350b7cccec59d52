// <daw-engine export record>: the export button bounces the session with a progress bar and offers
// a download (the file decodes to the length asked for), cancels while running (no file, no error);
// the record toggle records the live master (aria-pressed while it runs) and offers the recording;
// a bad export-format is reported; a screenshot of the face with its buttons and link.
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { getEngine } from '../dist/daw-elements.js';
import { until } from './helpers.js';

const browser = /Firefox\//.test(navigator.userAgent) ? 'firefox' : /Chrome\//.test(navigator.userAgent) ? 'chromium' : 'webkitgtk';
const part = (el, name) => el.shadowRoot.querySelector(`[part~="${name}"]`);
const next = (el, type) => new Promise((resolve) => el.addEventListener(type, (e) => resolve(e.detail), { once: true }));

describe('<daw-engine> export and record buttons', function () {
  this.timeout(180000);
  let host, face, engine;

  before(async () => {
    engine = getEngine();
    await engine.start();
    host = document.createElement('div');
    host.innerHTML = `<daw-engine id="face" export record export-seconds="1" export-format="wav-f32">
      <daw-channel label="Tone" volume-db="-12"><daw-synth wave="sine"></daw-synth></daw-channel></daw-engine>`;
    document.body.append(host);
    face = host.querySelector('daw-engine');
    await face.updateComplete;
    const synthEl = host.querySelector('daw-synth');
    await until(() => synthEl.synth, { what: 'the synth claimed' });
    await engine.transport.schedule([{ synth: synthEl.synth, pitch: 69, beat: 0, length: 8 }]);
  });
  after(() => host?.remove());

  it('has no export parts without the attributes, and labelled buttons with them', async () => {
    const plain = document.createElement('daw-engine');
    document.body.append(plain);
    await plain.updateComplete;
    expect(part(plain, 'export')).to.equal(null);
    expect(part(plain, 'record')).to.equal(null);
    plain.remove();
    expect(part(face, 'export').textContent.trim()).to.equal('Export');
    expect(part(face, 'record').getAttribute('aria-pressed')).to.equal('false');
    expect(part(face, 'export').localName).to.equal('button'); // keyboard: a native button (Enter, Space)
  });

  it('Export: a progress bar while it renders, then a download link to a WAV of export-seconds', async () => {
    const done = next(face, 'daw-export');
    part(face, 'export').click();
    // The button's work loads on the first click: the bar shows once the export has begun.
    await until(() => part(face, 'progress'), { what: 'the progress bar' });
    expect(part(face, 'progress').getAttribute('aria-label')).to.equal('Export progress');
    expect(part(face, 'export').textContent.trim()).to.equal('Cancel export');
    const d = await done;
    expect(d.kind).to.equal('bounce');
    await face.updateComplete;
    expect(part(face, 'progress')).to.equal(null);
    const link = part(face, 'download');
    expect(link.getAttribute('href')).to.equal(d.url);
    expect(link.getAttribute('download')).to.match(/^mix-.*\.wav$/);
    const sr = engine.sampleRate;
    const buf = await new OfflineAudioContext(2, 1, sr).decodeAudioData(await (await fetch(d.url)).arrayBuffer());
    expect(buf.length).to.equal(sr);
    expect(buf.getChannelData(0).some((x) => Math.abs(x) > 0.01), 'the tone is in it').to.equal(true);
  });

  it('Cancel export: no file, no error, the button is back', async () => {
    face.exportSeconds = 120;
    await face.updateComplete;
    const errors = [];
    const onError = (e) => errors.push(e.detail);
    const files = [];
    const onFile = (e) => files.push(e.detail);
    face.addEventListener('daw-error', onError);
    face.addEventListener('daw-export', onFile);
    try {
      const running = face.exportMix();
      await until(() => part(face, 'export').textContent.trim() === 'Cancel export', { what: 'the export running' });
      part(face, 'export').click(); // "Cancel export"
      await running;
      await face.updateComplete;
      expect(files).to.deep.equal([]);
      expect(errors).to.deep.equal([]);
      expect(part(face, 'export').textContent.trim()).to.equal('Export');
    } finally {
      face.removeEventListener('daw-error', onError);
      face.removeEventListener('daw-export', onFile);
      face.exportSeconds = 1;
    }
  });

  it('Record: pressed while it records the live master, then a download link', async () => {
    part(face, 'record').click();
    await until(() => part(face, 'record').getAttribute('aria-pressed') === 'true', { what: 'recording' });
    expect(part(face, 'record').textContent.trim()).to.equal('Stop recording');
    const t0 = engine.now();
    await until(() => engine.now() - t0 > 0.2, { engine, audio: 1, what: '0.2 s of audio' });
    const done = next(face, 'daw-export');
    part(face, 'record').click();
    const d = await done;
    expect(d.kind).to.equal('recording');
    expect(d.name).to.match(/^recording-.*\.wav$/);
    await face.updateComplete;
    expect(part(face, 'record').getAttribute('aria-pressed')).to.equal('false');
    expect(part(face, 'download').getAttribute('href')).to.equal(d.url);
    const buf = await new OfflineAudioContext(2, 1, engine.sampleRate).decodeAudioData(await d.blob.arrayBuffer());
    expect(buf.duration).to.be.above(0.15);
  });

  it('a bad export-format is reported and wav-24 used', async () => {
    face.exportFormat = 'mp3';
    const err = next(face, 'daw-error');
    const file = next(face, 'daw-export');
    void face.exportMix();
    const e = await err;
    expect(e).to.include({ code: 'invalid-value', attribute: 'export-format' });
    const f = await file;
    expect(new TextDecoder().decode(new Uint8Array(await f.blob.slice(0, 4).arrayBuffer()))).to.equal('RIFF');
    face.exportFormat = 'wav-f32';
  });

  it('screenshot: the face with its export and record buttons and the download link', async () => {
    await face.updateComplete;
    const shot = await executeServerCommand('daw-screenshot', { selector: '#face', file: window.DAW_EXPECT_ISOLATED ? `engine-export-${browser}.png` : undefined });
    expect(shot.colours, JSON.stringify(shot)).to.be.above(20);
    expect(shot.foreground, JSON.stringify(shot)).to.be.above(0.05);
  });
});
