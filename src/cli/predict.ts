/**
 * `convkit predict m.keras img.png [more...]`: decodes PNG/JPEG files with sharp, turns each
 * into the model's input (greyscale or RGB, resized to its height and width, scaled as the
 * model was trained: from the file's metadata, or --scale/--offset), and prints the top-k
 * classes with their probabilities, or JSON with --json. Every image is decoded before anything
 * is printed; a file that is not an image is one line naming it (exit 1).
 */
import sharp from 'sharp';
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';
import { describeFlags, type FlagSpec } from './args.js';
import { expectFiles, loadModelFile, readInputInfo, splitArgs, type InputInfo } from './model-files.js';

export const PREDICT_FLAGS: Record<string, FlagSpec> = {
  top: { type: 'int', help: 'classes to print per image (default 5)', check: (v) => (v > 0 ? null : 'expected a positive value') },
  json: { type: 'boolean', help: 'print JSON: [{ file, top: [{ class, name, probability }] }]' },
  scale: { type: 'number', help: 'input = pixel (0..255) * scale + offset (default: as stored by convkit train, else 1/255)' },
  offset: { type: 'number', help: 'added after scaling (default: as stored, else 0)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const PREDICT_HELP = `Usage: convkit predict MODEL IMAGE [IMAGE...] [options]

Classifies PNG or JPEG images with a saved model (.keras, .h5 or model.json): each image is
converted to greyscale or RGB as the model's input has 1 or 3 channels, resized to its size,
and scaled as the model was trained.

Options:
${describeFlags(PREDICT_FLAGS)}`;

/** The model's input as [height, width, channels], checked to be an image of 1 or 3 channels. */
export function imageInputShape(model: Model, file: string): [number, number, number] {
  const shape = model.inputShapes?.[0];
  if (!shape || shape.length !== 4 || shape.slice(1).some((d) => d === null))
    throw new Error(
      `${file}: expected a model whose input is images [batch, height, width, channels], received input shape ${JSON.stringify(shape)}`,
    );
  const [, h, w, c] = shape as [null, number, number, number];
  if (c !== 1 && c !== 3) throw new Error(`${file}: the model's input has ${c} channels; predict feeds greyscale (1) or RGB (3) images`);
  return [h, w, c];
}

/**
 * Decodes an image file into [height, width, channels] floats (pixel * scale + offset).
 *
 * @example
 * const x = await imageTensor('digit.png', [28, 28, 1], { scale: 1 / 255, offset: 0 });
 */
export async function imageTensor(file: string, [h, w, c]: [number, number, number], info: InputInfo): Promise<Float32Array> {
  let pixels: Buffer;
  try {
    const meta = await sharp(file).metadata();
    if (meta.format !== 'png' && meta.format !== 'jpeg') throw new Error(`a ${meta.format} image; expected PNG or JPEG`);
    let image = sharp(file).removeAlpha();
    image = c === 1 ? image.greyscale() : image.toColourspace('srgb');
    pixels = await image.resize(w, h, { fit: 'fill' }).raw().toBuffer();
  } catch (e) {
    const reason = (e as Error).message.replace(/^Input file (is missing|contains unsupported image format).*/, (m) =>
      m.includes('missing') ? 'no such file' : 'not a PNG or JPEG image',
    );
    throw new Error(`${file}: cannot read it as an image: ${reason}`);
  }
  if (pixels.length !== h * w * c) throw new Error(`${file}: decoded to ${pixels.length / (h * w)} channels, expected ${c}`);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! * info.scale + info.offset;
  return out;
}

/** The k largest entries of `row`, largest first. */
export function topK(row: ArrayLike<number>, k: number): { index: number; value: number }[] {
  return Array.from(row, (value, index) => ({ index, value }))
    .sort((a, b) => b.value - a.value || a.index - b.index)
    .slice(0, k);
}

/** Runs `convkit predict`. */
export async function predict(argv: readonly string[]): Promise<void> {
  const { files, flags } = splitArgs(argv, PREDICT_FLAGS);
  if (flags['help']) {
    console.log(PREDICT_HELP);
    return;
  }
  expectFiles(files, 2, Infinity, 'a model file and at least one image: convkit predict MODEL IMAGE [IMAGE...]');
  const [modelFile, ...images] = files as [string, ...string[]];
  const model = await loadModelFile(modelFile);
  const stored = readInputInfo(modelFile);
  const info: InputInfo = {
    ...(stored ?? {}),
    scale: (flags['scale'] as number | undefined) ?? stored?.scale ?? 1 / 255,
    offset: (flags['offset'] as number | undefined) ?? stored?.offset ?? 0,
  };
  if (!stored && flags['scale'] === undefined)
    console.error(`convkit: ${modelFile} records no input scaling; using pixel * ${info.scale} + ${info.offset} (set --scale/--offset)`);
  const shape = imageInputShape(model, modelFile);
  const data = new Float32Array(images.length * shape[0] * shape[1] * shape[2]);
  for (const [i, file] of images.entries()) data.set(await imageTensor(file, shape, info), i * shape[0] * shape[1] * shape[2]);
  const out = await model.predict(new Tensor(data, [images.length, ...shape]));
  const classes = out.shape[out.shape.length - 1]!;
  const values = out.values();
  const k = Math.min((flags['top'] as number | undefined) ?? 5, classes);
  const results = images.map((file, i) => ({
    file,
    top: topK(values.subarray(i * classes, (i + 1) * classes), k).map(({ index, value }) => ({
      class: index,
      ...(info.classNames?.[index] !== undefined ? { name: info.classNames[index] } : {}),
      probability: value,
    })),
  }));
  if (flags['json']) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  for (const r of results) {
    console.log(
      `${r.file}: ${r.top.map((t) => `${'name' in t ? `${t.name} (${t.class})` : t.class} ${t.probability.toFixed(4)}`).join(', ')}`,
    );
  }
}
