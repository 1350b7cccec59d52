// A tiny PNG decoder for the e2e screenshots (8-bit RGB/RGBA, non-interlaced — what browsers write):
// enough to measure whether a screenshot shows anything, with no image library.
import { inflateSync } from 'node:zlib';

/** Decodes a PNG buffer to { width, height, channels, pixels } (pixels: Uint8Array, row-major). */
export function decodePng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  const idat = [];
  for (let o = 8; o < buf.length;) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; colorType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  const channels = { 2: 3, 6: 4 }[colorType];
  if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels] : 0;
      const b = y > 0 ? pixels[out - stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      pixels[out + x] = v & 255;
    }
  }
  return { width, height, channels, pixels };
}

/**
 * What an image shows, in numbers: the share of pixels that differ from the most common colour
 * (the page background) and how many distinct colours there are, optionally inside a CSS-pixel
 * rectangle (scaled by `dpr`).
 */
export function imageStats(img, rect = null, dpr = 1) {
  const { width, height, channels, pixels } = img;
  const x0 = rect ? Math.max(0, Math.floor(rect.x * dpr)) : 0;
  const y0 = rect ? Math.max(0, Math.floor(rect.y * dpr)) : 0;
  const x1 = rect ? Math.min(width, Math.ceil((rect.x + rect.width) * dpr)) : width;
  const y1 = rect ? Math.min(height, Math.ceil((rect.y + rect.height) * dpr)) : height;
  const counts = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * channels;
      const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const total = Math.max(1, (x1 - x0) * (y1 - y0));
  const background = Math.max(0, ...counts.values());
  return { colours: counts.size, foreground: 1 - background / total, pixels: total };
}
