/**
 * `<daw-engine>`'s export and record buttons: the work behind them, loaded on the first click (await
 * import), so a page whose engine face shows no such button does not load it. The element renders
 * the buttons, the progress bar and the link from the state here.
 */
import type { Recording } from '../../src/index.js';
import { show } from '../../src/validate.js';
import { startEngine } from '../shared/engine.js';
import type { DawEngine, DawEngineEvents, DawExportDetail } from './daw-engine.component.js';

export interface ExportState {
  host: DawEngine;
  /** The export running (its cancel) and its progress 0..1; the recording running; the last file made. */
  export: AbortController | null;
  progress: number;
  recording: Recording | null;
  file: DawExportDetail | null;
  emit<K extends keyof DawEngineEvents & string>(type: K, detail: DawEngineEvents[K]): unknown;
}

/** The format attribute, or 'wav-24' with a daw-error for anything else. */
function format(x: ExportState): 'wav-16' | 'wav-24' | 'wav-f32' {
  const f = x.host.exportFormat;
  if (f === 'wav-16' || f === 'wav-24' || f === 'wav-f32') return f;
  x.emit('daw-error', { code: 'invalid-value', attribute: 'export-format', value: f, range: 'wav-16 | wav-24 | wav-f32', message: `<daw-engine> export-format: '${show(f)}' is not wav-16, wav-24 or wav-f32; using wav-24` });
  return 'wav-24';
}

/** A file made: the download link (the last one's URL revoked), and `daw-export`. */
function made(x: ExportState, kind: DawExportDetail['kind'], blob: Blob): void {
  if (x.file) URL.revokeObjectURL(x.file.url);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  x.file = { kind, blob, url: URL.createObjectURL(blob), name: `${kind === 'bounce' ? 'mix' : 'recording'}-${stamp}.wav` };
  x.emit('daw-export', x.file);
}

function failed(x: ExportState, what: string, e: unknown): void {
  x.emit('daw-error', { code: 'export-failed', message: `<daw-engine> ${what}: ${(e as Error)?.message ?? e}`, error: e });
}

/** Bounces the session (export-seconds, or until silence within 600 s), or cancels the bounce running. */
export async function exportMix(x: ExportState): Promise<void> {
  if (x.export) return x.export.abort();
  const h = x.host;
  const secs = h.exportSeconds;
  const length = secs > 0 && secs <= 600 ? { seconds: secs } : { untilSilence: true as const, maxSeconds: 600 };
  const ac = (x.export = new AbortController());
  x.progress = 0;
  h.requestUpdate();
  try {
    if (h.engine.state !== 'running') await startEngine();
    made(x, 'bounce', await h.engine.bounce(length, { format: format(x), signal: ac.signal, onProgress: (p) => { x.progress = p.fraction; h.requestUpdate(); } }));
  } catch (e) {
    if ((e as Error)?.name !== 'AbortError') failed(x, 'export', e);
  } finally {
    x.export = null;
    h.requestUpdate();
  }
}

/** Starts recording the master output, or stops and offers the file. */
export async function toggleRecording(x: ExportState): Promise<void> {
  const rec = x.recording;
  const h = x.host;
  x.recording = null;
  try {
    if (rec) {
      h.requestUpdate();
      made(x, 'recording', await rec.stop());
    } else {
      if (h.engine.state !== 'running') await startEngine();
      x.recording = h.engine.record({ format: format(x) });
    }
  } catch (e) {
    failed(x, 'record', e);
  }
  h.requestUpdate();
}
