/** Canvas helpers for the analysis views: a canvas sized to its CSS box at the device's pixel ratio, and theme colours. */

/** The 2D context of `c`, its backing store resized to the element's box × devicePixelRatio; null if it has no size. */
export function fit(c: HTMLCanvasElement | null): CanvasRenderingContext2D | null {
  if (!c) return null;
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
  if (!w || !h) return null;
  if (c.width !== w || c.height !== h) Object.assign(c, { width: w, height: h });
  return c.getContext('2d');
}

/** A `--daw-*` custom property of `el`, or `d`. */
export const themed = (el: Element, p: string, d: string): string => getComputedStyle(el).getPropertyValue(p).trim() || d;
