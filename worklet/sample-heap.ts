/**
 * Where sample data lives in the DSP's WebAssembly memory: the bytes above the module's static data
 * and stack (`daw_heap_base()`), handed out first-fit in 16-byte-aligned blocks, coalesced when
 * freed. The memory grows (never shrinks) when no free block is large enough.
 *
 * Runs in the worklet's message handler, never in process(): growing the memory detaches every view
 * on it, so the processor re-makes its views after each `alloc` that grew.
 */
const ALIGN = 16;
const PAGE = 65536;
/** Grow by at least this much at a time, so loading many small samples does not grow per sample. */
const MIN_GROWTH = 4 * 1024 * 1024;

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export class SampleHeap {
  /** Free blocks [start, end), sorted by start, never adjacent (coalesced). */
  private readonly free: Array<[number, number]> = [];
  private top: number;

  /** `base`: first usable byte; the memory's current size is read from `memory`. */
  constructor(private readonly memory: WebAssembly.Memory, base: number) {
    this.top = memory.buffer.byteLength;
    const start = align(base);
    if (start < this.top) this.free.push([start, this.top]);
  }

  /** Bytes in free blocks (below the memory's current end). */
  get freeBytes(): number {
    return this.free.reduce((n, [a, b]) => n + b - a, 0);
  }

  /**
   * A block of at least `bytes` (aligned to 16). Grows the memory if needed: returns the block and
   * whether it grew (views must then be re-made). Throws RangeError when the memory cannot grow.
   */
  alloc(bytes: number): { ptr: number; grew: boolean } {
    const size = align(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const [a, b] = this.free[i];
      if (b - a < size) continue;
      if (b - a === size) this.free.splice(i, 1);
      else this.free[i] = [a + size, b];
      return { ptr: a, grew: false };
    }
    // Extend the last block if it ends at the top, else start a new one there.
    const last = this.free[this.free.length - 1];
    const have = last && last[1] === this.top ? last[1] - last[0] : 0;
    // Ask for MIN_GROWTH; if the browser refuses that, for just what this sample needs.
    const least = Math.ceil((size - have) / PAGE);
    const wanted = Math.max(least, MIN_GROWTH / PAGE);
    const grown = this.grow(wanted) || (wanted > least && this.grow(least));
    if (!grown) {
      // Nothing changed: the memory, the free list and every loaded sample stay as they were.
      throw new RangeError(`out of sample memory: the browser would not grow the DSP's memory from ${mb(this.top)} by ${mb(least * PAGE)} (${this.growError}); dispose samples no longer needed or load shorter ones`);
    }
    const newTop = this.memory.buffer.byteLength;
    if (have > 0) last[1] = newTop;
    else this.free.push([this.top, newTop]);
    this.top = newTop;
    const r = this.alloc(size);
    return { ptr: r.ptr, grew: true };
  }

  private growError = '';

  /** memory.grow(pages); false (and the reason kept) when the browser refuses or wasm32 is full. */
  private grow(pages: number): boolean {
    try {
      if (this.memory.buffer.byteLength / PAGE + pages > 65536) throw new RangeError('a wasm32 memory holds at most 4 GiB');
      this.memory.grow(pages);
      return true;
    } catch (e) {
      this.growError = (e as Error).message;
      return false;
    }
  }

  /** Returns a block from `alloc` (same `bytes`). */
  release(ptr: number, bytes: number): void {
    const end = ptr + align(Math.max(bytes, 1));
    let i = 0;
    while (i < this.free.length && this.free[i][0] < ptr) i++;
    this.free.splice(i, 0, [ptr, end]);
    // Coalesce with the next, then with the previous block.
    if (i + 1 < this.free.length && this.free[i][1] === this.free[i + 1][0]) {
      this.free[i][1] = this.free[i + 1][1];
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1][1] === this.free[i][0]) {
      this.free[i - 1][1] = this.free[i][1];
      this.free.splice(i, 1);
    }
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
