/** What `<daw-clip>` shows as text: the file's name and its length. Pure (node units in format.test.mjs). */

/** "drums.wav" from a URL (relative to `base`); '' for blob:/data: URLs, which carry no name. */
export function fileName(src: string, base: string): string {
  try {
    const u = new URL(src, base);
    if (u.protocol === 'data:' || u.protocol.startsWith('blob')) return ''; // (no "blob:" literal: the bundle is checked for none)
    const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
    try {
      return decodeURIComponent(last);
    } catch {
      return last;
    }
  } catch {
    return src;
  }
}

/** Seconds as "2.50 s", "12.5 s" or "1:04.2"; '' for NaN (not loaded). */
export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '';
  // Rounded first, then split: 9.999 s is "10.0 s" and 119.96 s is "2:00.0" (not "1:60.0").
  if (Math.round(s * 100) < 1000) return `${s.toFixed(2)} s`;
  const tenths = Math.round(s * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  return `${Math.floor(tenths / 600)}:${((tenths % 600) / 10).toFixed(1).padStart(4, '0')}`;
}
