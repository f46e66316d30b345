/**
 * Reading one image file as Keras's image_dataset_from_directory does (keras/src/utils/
 * image_dataset_utils.py `load_image`: decode, first frame of a GIF, the requested channel
 * count, then resize to image_size, optionally cropping or padding to its aspect ratio): JPEG,
 * GIF and PNG through sharp (libvips), BMP through ./bmp.ts, and the common 8-bit PNGs through
 * ./png.ts (sharp's set-up costs ~10× a small PNG's decode). Pixels come back as float32 in
 * [0, 255], HWC. Used by the decoding workers and, without workers, in-process; a batch of
 * files decodes into one buffer, so a worker answers a whole batch with one transferred buffer.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resizeToAspect } from '../layers/preprocessing/resizing.js';
import type { ResizeMethod } from '../ops/image.js';
import { Tensor } from '../tensor/tensor.js';
import { decodeBmp, isBmp } from './bmp.js';
import { decodePngFast } from './png.js';

export type ColorMode = 'grayscale' | 'rgb' | 'rgba';
export const CHANNELS: Record<ColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };

/** What one decode needs: the file and how the dataset wants its images. */
export interface DecodeJob {
  path: string;
  colorMode: ColorMode;
  height: number;
  width: number;
  interpolation: ResizeMethod;
  cropToAspectRatio: boolean;
  padToAspectRatio: boolean;
}

/** Interleaved 8-bit pixels of any channel count → `channels` channels (grey by Rec. 601 luma, alpha 255). */
function toChannels(data: Uint8Array, pixels: number, from: number, to: number): Uint8Array {
  if (from === to) return data;
  const out = new Uint8Array(pixels * to);
  for (let i = 0; i < pixels; i++) {
    const r = data[i * from]!;
    const g = from >= 3 ? data[i * from + 1]! : r;
    const b = from >= 3 ? data[i * from + 2]! : r;
    const a = from === 4 || from === 2 ? data[i * from + from - 1]! : 255;
    if (to === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[i * to] = r;
      out[i * to + 1] = g;
      out[i * to + 2] = b;
      if (to === 4) out[i * to + 3] = a;
    }
  }
  return out;
}

type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Promise<Sharp> | null = null;

/** sharp, loaded on first use (so `import 'convkit'` works where its prebuilt libvips is missing). */
async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    (e: unknown) => {
      sharpModule = null;
      throw new Error(
        `decoding PNG, JPEG and GIF needs the 'sharp' package, which failed to load: ${e instanceof Error ? e.message : String(e)}`,
      );
    },
  );
  return sharpModule;
}

/** Decodes image bytes to 8-bit pixels with the requested channels; throws a message without the path. */
export async function decodePixels(bytes: Uint8Array, colorMode: ColorMode): Promise<{ data: Uint8Array; height: number; width: number }> {
  const channels = CHANNELS[colorMode];
  if (isBmp(bytes)) {
    const bmp = decodeBmp(bytes);
    return { data: toChannels(bmp.data, bmp.width * bmp.height, bmp.channels, channels), height: bmp.height, width: bmp.width };
  }
  const png = decodePngFast(bytes);
  if (png) return { data: toChannels(png.data, png.width * png.height, png.channels, channels), height: png.height, width: png.width };
  const { data, info } = await (await loadSharp())(bytes, { pages: 1, failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: toChannels(pixels, info.width * info.height, info.channels, channels), height: info.height, width: info.width };
}

/**
 * Reads, decodes and resizes one image: float32 HWC in [0, 255] of job.height × job.width.
 * Errors name the file. `syncRead` reads with one blocking call (in a worker thread: a fifth of
 * the promise-based read's cost, which goes through the thread pool four times).
 *
 * @example
 * const pixels = await decodeImageFile({ path: 'cat.png', colorMode: 'rgb', height: 64, width: 64, interpolation: 'bilinear', cropToAspectRatio: false, padToAspectRatio: false });
 */
export async function decodeImageFile(job: DecodeJob, syncRead = false): Promise<Float32Array> {
  const out = new Float32Array(job.height * job.width * CHANNELS[job.colorMode]);
  await decodeImageInto(job, out, 0, syncRead);
  return out;
}

/** decodeImageFile, writing the pixels into `out` from `offset` (an image already of the size is converted there directly). */
async function decodeImageInto(job: DecodeJob, out: Float32Array, offset: number, syncRead: boolean): Promise<void> {
  let decoded;
  try {
    decoded = await decodePixels(syncRead ? readFileSync(job.path) : await readFile(job.path), job.colorMode);
  } catch (e) {
    throw new Error(`${job.path}: cannot decode as an image (${e instanceof Error ? e.message : String(e)})`);
  }
  const { data, height, width } = decoded;
  if (height === job.height && width === job.width) {
    for (let i = 0; i < data.length; i++) out[offset + i] = data[i]!;
    return;
  }
  const image = new Tensor(Float32Array.from(data), [1, height, width, CHANNELS[job.colorMode]]);
  out.set(resizeToAspect(image, job.height, job.width, job).values(), offset);
}

/** The decodes of one batch of files: n × height × width × channels pixels (a failed file's rows stay 0), and each file's error or null. */
export interface DecodedBatch {
  pixels: Float32Array;
  errors: (string | null)[];
}

/**
 * Decodes `paths` (each as `job` says) into one buffer, two files at a time (one is read while
 * sharp decodes the other). A file that fails is reported in `errors`, not thrown.
 *
 * @example
 * const { pixels, errors } = await decodeImageBatch(job, ['a.png', 'b.png']);
 */
export async function decodeImageBatch(job: Omit<DecodeJob, 'path'>, paths: readonly string[], syncRead = false): Promise<DecodedBatch> {
  const size = job.height * job.width * CHANNELS[job.colorMode];
  const pixels = new Float32Array(paths.length * size);
  const errors: (string | null)[] = paths.map(() => null);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < paths.length) {
      const i = next++;
      try {
        await decodeImageInto({ ...job, path: paths[i]! }, pixels, i * size, syncRead);
      } catch (e) {
        errors[i] = e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all([lane(), lane()]);
  return { pixels, errors };
}
