import { MAX_CHANNELS, MAX_SYNTHS } from '../protocol/generated/contract.js';
import type { Runtime } from './runtime.js';

/**
 * A pool of numbered slots (mixer channels, synths, sample slots, external inputs): claim() takes a
 * free one, release() gives it back. `lowestFirst` pools always hand out the lowest free slot, which
 * keeps active channels packed in the DSP's SIMD groups of four; the others reuse the slot released
 * last. Main thread only.
 */
export class SlotPool {
  /** Free slots, highest first (so pop() is the lowest). */
  private readonly free: number[] = [];

  constructor(readonly size: number, private readonly lowestFirst = true) {
    for (let s = size - 1; s >= 0; s--) this.free.push(s);
  }

  /** The lowest free slot, or undefined when all are in use. */
  claim(): number | undefined {
    return this.free.pop();
  }

  /** Gives `slot` back (it must have come from claim()). */
  release(slot: number): void {
    const f = this.free;
    if (!this.lowestFirst) {
      f.push(slot);
      return;
    }
    // Insert in order (highest first): pools are at most 1024 slots and releases are rare.
    let i = f.length;
    while (i > 0 && f[i - 1] < slot) i--;
    f.splice(i, 0, slot);
  }

  get inUse(): number {
    return this.size - this.free.length;
  }
}

/**
 * The one claim: a free slot (capacity daw-error and RangeError when none), its parameters at their
 * defaults, then `setup` (the options; a throw gives the slot back), then the claim is published
 * after its parameters, so the worklet snaps to them (no ramp from defaults).
 */
export function claimSlot<H>(rt: Runtime, table: 'strip' | 'synth', make: (slot: number) => H, setup: (h: H) => void): H {
  if (rt.state === 'closed') throw new Error('this engine is closed');
  const pool = table === 'strip' ? rt.channelSlots : rt.synthSlots;
  const slot = pool.claim();
  if (slot === undefined) {
    return rt.full(table === 'strip' ? `no free mixer channel: all ${MAX_CHANNELS} are in use (dispose one first)` : `no free synth slot: all ${MAX_SYNTHS} are in use`);
  }
  const h = make(slot);
  rt.link.writeDefaults(table, slot);
  try {
    setup(h);
  } catch (e) {
    pool.release(slot);
    throw e;
  }
  rt.link.claim(table, slot, ++rt.generation);
  return h;
}
