/**
 * Image bodies (PNG or JPEG) into model inputs with `sharp`: the format is checked from the
 * header, the pixel count is capped before decoding (`limitInputPixels`, against decompression
 * bombs such as a 50,000 × 50,000 PNG of a few kilobytes), and the picture is flattened onto
 * black, converted to the model's channels (1: grey, 3: sRGB), resized to its height × width
 * and scaled to [0, 1] as the datasets are.
 */
import sharp from 'sharp';
import { HttpError } from './http-error.js';

/**
 * Decodes `bytes` into a float32 [height, width, channels] instance.
 *
 * @example
 * const pixels = await decodeImage(pngBytes, [28, 28, 1], 4096 * 4096, 'body');
 */
export async function decodeImage(bytes: Buffer, shape: readonly number[], maxPixels: number, where: string): Promise<Float32Array> {
  if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) {
    throw new HttpError(400, `${where}: this model's input is ${JSON.stringify(shape)}, not an image (expected [height, width, 1 or 3])`);
  }
  const [height, width, channels] = shape as [number, number, number];
  const kind = sniff(bytes);
  if (!kind)
    throw new HttpError(
      415,
      `${where}: expected PNG or JPEG bytes, received ${bytes.length} bytes starting ${bytes.subarray(0, 8).toString('hex')}`,
    );
  try {
    // The header alone (no pixel is decoded) gives the size to check; the decoder keeps the limit too.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (pixels > maxPixels) {
      throw new HttpError(413, `${where}: ${kind} of ${meta.width}×${meta.height} pixels is over the limit of ${maxPixels} pixels`);
    }
    const image = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true });
    let pipeline = image.flatten({ background: '#000000' });
    pipeline = channels === 1 ? pipeline.greyscale().toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! / 255;
    return out;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const status = /pixel limit/i.test(message) ? 413 : 400;
    throw new HttpError(status, `${where}: could not decode the ${kind} (${bytes.length} bytes): ${message.trim()}`);
  }
}

/** 'PNG' or 'JPEG' from the magic bytes, or null. */
export function sniff(bytes: Buffer): 'PNG' | 'JPEG' | null {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'PNG';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  return null;
}
