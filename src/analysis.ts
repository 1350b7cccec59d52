/**
 * Strip.analysis(): readers of a strip's on-demand analysis (loudness, true peak, correlation,
 * spectrum, scope; dsp/AnalysisBank.zig). Each strip's request is the union of its live readers'
 * kinds, written to its `analysisMask` parameter (the one contract table); a reader's release()
 * takes its kinds back, and with no reader left nothing is computed. The results arrive in the
 * control block (shared memory, or the worklet's replies on the message path: the link's business),
 * published by the DSP every 8 quanta; readers only read them. Main thread only.
 */
import {
  ANALYSIS_WORDS, AnalysisKind, AnalysisWord, SCOPE_POINTS, STRIDE, StripParam,
} from '../protocol/generated/contract.js';
import type { ControlLink } from './link.js';

/** What to analyse (Strip.analysis). `spectrum`: true (4096 points) or the FFT size. */
export interface AnalysisOptions {
  /** Sample peak with a 1.5 s hold, its maximum and a count of clipped samples. */
  peak?: boolean;
  /** True peak (ITU-R BS.1770-4 Annex 2, 4x oversampling), with its maximum. */
  truePeak?: boolean;
  /** Phase correlation, -1..+1 (300 ms). */
  correlation?: boolean;
  /** Loudness after BS.1770-4 / EBU R128: momentary, short-term, integrated, range. */
  loudness?: boolean;
  /** Spectrum of (L+R)/2: true (4096 points) or 2048, 4096, 8192. */
  spectrum?: boolean | 2048 | 4096 | 8192;
  /** Oscilloscope window of (L+R)/2, trigger-stabilised. */
  scope?: boolean;
}

/** One reading of a strip's analysis (a kind not requested reads -Infinity, or 0 for counts). */
export interface AnalysisReading {
  /** Momentary loudness (400 ms), LUFS. */
  momentary: number;
  /** Short-term loudness (3 s), LUFS. */
  shortTerm: number;
  /** Integrated loudness since the request began, LUFS (gated, BS.1770-4). */
  integrated: number;
  /** Loudness range (EBU Tech 3342), LU. */
  range: number;
  /** True-peak meter level, dBTP (instant attack, falls 20 dB in 1.7 s). */
  truePeakDb: number;
  /** Largest true peak since the request began, dBTP. */
  truePeakMaxDb: number;
  /** Phase correlation, -1..+1 (0 for silence). */
  correlation: number;
  /** Sample-peak meter level of the louder channel, dBFS. */
  peakDb: number;
  /** Peak hold marker (1.5 s, then falls), dBFS. */
  peakHoldDb: number;
  /** Largest sample peak since the request began, dBFS. */
  peakMaxDb: number;
  /** Samples at or above full scale since the request began. */
  clips: number;
  /** Publications since the request began: a new reading when it changes (about 47 a second). */
  frames: number;
}

const toDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);
const SIZES = [2048, 4096, 8192];
const VIEWS = AnalysisKind.spectrum | AnalysisKind.scope;
const KEYS = ['peak', 'truePeak', 'correlation', 'loudness', 'spectrum', 'scope'] as const;

/** The readers of every strip of one engine, and the requests they add up to. */
export class AnalysisRequests {
  private readonly readers = new Map<number, Set<AnalysisReader>>();

  constructor(private readonly link: ControlLink) {}

  /** Validates `opts` (TypeError / RangeError naming the value) and adds a reader on `slot`. */
  open(slot: number, opts: AnalysisOptions): AnalysisReader {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`analysis: expected an object like { loudness: true, spectrum: 4096 }, got ${String(opts)}`);
    let mask = 0;
    let size = 4096;
    for (const [k, v] of Object.entries(opts)) {
      const i = KEYS.indexOf(k as (typeof KEYS)[number]);
      if (i < 0) throw new TypeError(`analysis: unknown kind '${k}'; kinds: ${KEYS.join(', ')}`);
      if (k === 'spectrum' && typeof v === 'number') {
        if (!SIZES.includes(v)) throw new RangeError(`analysis: spectrum ${v} must be true or an FFT size: ${SIZES.join(', ')}`);
        size = v;
      } else if (typeof v !== 'boolean' && v !== undefined) {
        throw new TypeError(`analysis: ${k} must be true or false${k === 'spectrum' ? ` or an FFT size (${SIZES.join(', ')})` : ''}, got ${String(v)}`);
      }
      if (v) mask |= 1 << i;
    }
    if (!mask) throw new TypeError('analysis: nothing requested; ask for at least one of ' + KEYS.join(', '));
    const r = new AnalysisReader(this, this.link, slot, mask, size);
    let set = this.readers.get(slot);
    if (!set) this.readers.set(slot, (set = new Set()));
    set.add(r);
    if (mask & VIEWS) this.link.viewReaders++;
    this.update(slot);
    return r;
  }

  /** A reader let go: the strip's request shrinks to what the others still read. */
  close(r: AnalysisReader): void {
    const set = this.readers.get(r.slot);
    if (!set?.delete(r)) return;
    if (r.mask & VIEWS) this.link.viewReaders--;
    this.update(r.slot);
  }

  /** A channel's slot was given back: its readers are released (they then read nothing). */
  dropSlot(slot: number): void {
    for (const r of this.readers.get(slot) ?? []) r.release();
  }

  private update(slot: number): void {
    let mask = 0;
    let size = 0;
    for (const r of this.readers.get(slot) ?? []) {
      mask |= r.mask;
      if (r.mask & AnalysisKind.spectrum) size = Math.max(size, r.size);
    }
    if (size) this.link.block.strip[slot * STRIDE + StripParam.spectrumSize] = size;
    this.link.write('strip', slot, StripParam.analysisMask, mask);
  }
}

/**
 * A live view of one strip's analysis (from Strip.analysis()). read() and the copies cost a few
 * array reads; values change about 47 times a second. release() when done: what no reader asks
 * for is not computed.
 */
export class AnalysisReader {
  private released = false;

  /** @internal Made by Strip.analysis(). */
  constructor(
    private readonly requests: AnalysisRequests,
    private readonly link: ControlLink,
    /** The strip's slot (channels 0..63, buses 64..66, master 67). */
    readonly slot: number,
    /** Kinds this reader asked for (bits: peak 1, truePeak 2, correlation 4, loudness 8, spectrum 16, scope 32). */
    readonly mask: number,
    /** Spectrum FFT size asked for. */
    readonly size: number,
  ) {}

  get isReleased(): boolean {
    return this.released;
  }

  private row(): number {
    this.link.wantReadings();
    return this.slot * ANALYSIS_WORDS;
  }

  /** The latest values (see AnalysisReading). After release() every level reads -Infinity. */
  read(): AnalysisReading {
    const a = this.link.block.analysis;
    const o = this.row();
    const on = this.released ? 0 : a[o + AnalysisWord.running];
    const v = (kind: number, w: number, f = (x: number) => x, off = -Infinity) => (on & kind ? f(a[o + w]) : off);
    return {
      momentary: v(AnalysisKind.loudness, AnalysisWord.momentary),
      shortTerm: v(AnalysisKind.loudness, AnalysisWord.shortTerm),
      integrated: v(AnalysisKind.loudness, AnalysisWord.integrated),
      range: v(AnalysisKind.loudness, AnalysisWord.range),
      truePeakDb: v(AnalysisKind.truePeak, AnalysisWord.truePeak, toDb),
      truePeakMaxDb: v(AnalysisKind.truePeak, AnalysisWord.truePeakMax, toDb),
      correlation: v(AnalysisKind.correlation, AnalysisWord.correlation, undefined, 0),
      peakDb: v(AnalysisKind.peak | AnalysisKind.truePeak, AnalysisWord.peak, toDb),
      peakHoldDb: v(AnalysisKind.peak | AnalysisKind.truePeak, AnalysisWord.peakHold, toDb),
      peakMaxDb: v(AnalysisKind.peak | AnalysisKind.truePeak, AnalysisWord.peakMax, toDb),
      clips: v(AnalysisKind.peak | AnalysisKind.truePeak, AnalysisWord.clips, undefined, 0),
      frames: this.released ? 0 : a[o + AnalysisWord.frames],
    };
  }

  /** FFT size of the strip's spectrum: the largest any of its readers asked for. */
  get spectrumSize(): number {
    return this.link.block.strip[this.slot * STRIDE + StripParam.spectrumSize];
  }

  /**
   * Copies the spectrum (dBFS per bin, bin k at k * sampleRate / spectrumSize Hz; spectrumSize/2 + 1
   * bins) into `out`; returns the bins copied (0 when there is none: not requested, released, or the
   * pool of 4 spectra is taken by other strips).
   */
  spectrum(out: Float32Array): number {
    return this.copy(out, AnalysisWord.spectrumEntry, this.link.block.spectrumRows, this.spectrumSize / 2 + 1);
  }

  /** Copies the scope window (samples of (L+R)/2, starting at a rising zero crossing) into `out`; returns the points copied (at most 1024). */
  scope(out: Float32Array): number {
    return this.copy(out, AnalysisWord.scopeEntry, this.link.block.scopeRows, SCOPE_POINTS);
  }

  private copy(out: Float32Array, word: number, rows: readonly Float32Array[], most: number): number {
    if (!(out instanceof Float32Array)) throw new TypeError('analysis: expected a Float32Array to copy into');
    const e = this.link.block.analysis[this.row() + word];
    if (this.released || !(e >= 0)) return 0;
    const n = Math.min(out.length, most);
    out.set(rows[e].subarray(0, n));
    return n;
  }

  /** Stops this reader; the strip stops computing what no other reader asks for. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.requests.close(this);
  }
}
