/**
 * A Windows BMP decoder (libvips, and so sharp, has no BMP loader): BITMAPINFOHEADER and later
 * headers, 1/4/8-bit palettes, 16-bit (5-5-5 or bit fields), 24-bit and 32-bit pixels (BI_RGB or
 * BI_BITFIELDS), bottom-up or top-down rows. RLE compression is refused by name. Every offset
 * and size is checked against the file before it is read; errors give the byte offset.
 */

/** Decoded pixels, row-major, `channels` bytes per pixel (3 RGB, or 4 RGBA when the file has alpha). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

class BmpError extends Error {
  constructor(message: string) {
    super(`BMP: ${message}`);
    this.name = 'BmpError';
  }
}

/** The lowest set bit and width of a channel mask, to scale its field to 0–255. */
function maskShape(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** True when `bytes` start with a BMP signature ('BM'). */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * Decodes a BMP file.
 *
 * @example
 * const { width, height, channels, data } = decodeBmp(readFileSync('photo.bmp'));
 */
export function decodeBmp(bytes: Uint8Array): DecodedImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, what: string): void => {
    if (end > bytes.length) throw new BmpError(`${what} needs bytes up to offset ${end}, but the file has ${bytes.length}`);
  };
  if (!isBmp(bytes)) throw new BmpError(`expected the signature 'BM' at offset 0`);
  need(18, 'the file header');
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40)
    throw new BmpError(`header size ${headerSize} at offset 14 is not supported (expected 40 or more: BITMAPINFOHEADER)`);
  need(14 + headerSize, 'the info header');
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0 || width > 1 << 15 || height > 1 << 15)
    throw new BmpError(`image size ${width}×${rawHeight} at offset 18 is out of range`);
  if (compression === 1 || compression === 2) throw new BmpError(`RLE compression (type ${compression}, offset 30) is not supported`);
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw new BmpError(`compression type ${compression} at offset 30 is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`bits per pixel ${bpp} at offset 28 is not supported`);

  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  if (compression === 3 || compression === 6) {
    if (bpp !== 16 && bpp !== 32) throw new BmpError(`bit fields (offset 30) need 16 or 32 bits per pixel, not ${bpp}`);
    const at = headerSize >= 52 ? 54 : 14 + headerSize; // masks in the header (V2+) or right after it
    const count = compression === 6 || headerSize >= 56 ? 4 : 3;
    need(at + 4 * count, 'the bit masks');
    masks = [0, 1, 2, 3].map((i) => (i < count ? view.getUint32(at + 4 * i, true) : 0));
  }
  const hasAlpha = bpp === 32 && masks[3] !== 0;
  const channels: 3 | 4 = hasAlpha ? 4 : 3;

  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const used = view.getUint32(46, true);
    const colors = used === 0 ? 1 << bpp : used;
    if (colors > 1 << bpp) throw new BmpError(`palette of ${colors} colours at offset 46 exceeds ${1 << bpp} for ${bpp}-bit pixels`);
    const start = 14 + headerSize;
    need(start + 4 * colors, 'the palette');
    palette = bytes.subarray(start, start + 4 * colors);
  }

  const stride = Math.ceil((width * bpp) / 32) * 4;
  need(pixelOffset + stride * height, `the ${width}×${height} pixel array at offset ${pixelOffset}`);
  const out = new Uint8Array(width * height * channels);
  const fields = masks.map(maskShape);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (palette) {
        const bit = x * bpp;
        const byte = bytes[row + (bit >> 3)]!;
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (4 * index + 2 >= palette.length)
          throw new BmpError(`pixel (${x}, ${y}) at offset ${row + (bit >> 3)} uses colour ${index}, beyond the palette`);
        out[o] = palette[4 * index + 2]!;
        out[o + 1] = palette[4 * index + 1]!;
        out[o + 2] = palette[4 * index]!;
      } else if (bpp === 24) {
        const p = row + 3 * x;
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      } else {
        const v = bpp === 16 ? view.getUint16(row + 2 * x, true) : view.getUint32(row + 4 * x, true);
        for (let c = 0; c < channels; c++) {
          const f = fields[c]!;
          out[o + c] = f.max === 0 ? 0 : Math.round((((v & masks[c]!) >>> f.shift) * 255) / f.max);
        }
      }
    }
  }
  return { width, height, channels, data: out };
}
