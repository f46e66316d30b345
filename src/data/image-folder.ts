/**
 * imageDatasetFromDirectory: Keras's image_dataset_from_directory (keras/src/utils/
 * image_dataset_utils.py) for a folder with one subfolder per class. Files (.bmp .gif .jpeg
 * .jpg .png, any depth inside a class folder) are listed once, sorted, shuffled with the seed and
 * split for validation as Keras does; images are then read, decoded and resized in worker
 * threads while the consumer trains, a batch at a time, so a folder larger than memory streams.
 *
 * Where we differ from Keras, on purpose: each epoch shuffles the whole file order (Keras
 * shuffles a buffer of batchSize × 8 decoded images); a class folder without images and a file
 * that cannot be decoded are reported (Keras ignores the first and fails on the second), the
 * file skipped by default (`onError`).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { checkChoice, RESIZE_METHODS, type ResizeMethod } from '../ops/image.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { Dataset } from './dataset.js';
import { DecodePool } from './decode-pool.js';
import { CHANNELS, type ColorMode, type DecodeJob } from './image-decode.js';

export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png'];

export interface ImageFolderOptions {
  /** 'int' (default: int32 class index), 'categorical' (one-hot float32), 'binary' (float32 [1], two classes), or null (images only). */
  labelMode?: 'int' | 'categorical' | 'binary' | null;
  /** The classes, in label order; must be the subfolders' names (default: all subfolders, sorted). */
  classNames?: string[];
  /** 'rgb' (default, 3 channels), 'grayscale' (1) or 'rgba' (4). */
  colorMode?: ColorMode;
  /** Images per batch (default 32); null gives single images. */
  batchSize?: number | null;
  /** [height, width] every image is resized to (default [256, 256]). */
  imageSize?: [number, number];
  /** Shuffle the files (default true): once with the seed before the split, then every epoch. */
  shuffle?: boolean;
  seed?: number;
  /** Fraction of the files held out; with `subset`. */
  validationSplit?: number;
  /** Which part of the split to return: 'training', 'validation' or 'both' ([training, validation]). */
  subset?: 'training' | 'validation' | 'both';
  /** 'bilinear' (default), 'nearest', 'bicubic' or 'lanczos3'. */
  interpolation?: ResizeMethod;
  /** Follow symbolic links to folders (default false). */
  followLinks?: boolean;
  cropToAspectRatio?: boolean;
  padToAspectRatio?: boolean;
  /** Print "Found N files belonging to C classes." (default true). */
  verbose?: boolean;
  /** A file that fails to decode: 'skip' (default; named on stderr, counted in `skipped`) or 'raise'. */
  onError?: 'skip' | 'raise';
  /** Decoding worker threads (default: CPUs − 1, at least 1; 0 decodes on the main thread). */
  workers?: number;
}

/** A dataset of images from a folder, with what was found. */
export type ImageFolderDataset = Dataset<[Tensor, Tensor]> & {
  readonly classNames: string[];
  readonly filePaths: string[];
  /** Files that failed to decode so far (with onError 'skip'). */
  readonly skipped: Set<string>;
};

function listFiles(dir: string, followLinks: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const isDir = entry.isDirectory() || (followLinks && entry.isSymbolicLink() && statSync(path).isDirectory());
    if (isDir) out.push(...listFiles(path, followLinks));
    else if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out.sort();
}

/** Fisher–Yates with our generator (the same permutation for the same seed everywhere). */
function shuffleInPlace<T>(items: T[], rng: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/**
 * A batched dataset of (image, label) from a folder of class subfolders.
 *
 * @example
 * const [train, val] = imageDatasetFromDirectory('photos', { imageSize: [96, 96], validationSplit: 0.2, subset: 'both', seed: 1 });
 * await model.fit(train.map(([x, y]) => [ops.mul(x, 1 / 255), y] as const).prefetch(2), { epochs: 10 });
 */
export function imageDatasetFromDirectory(
  dir: string,
  options: ImageFolderOptions & { subset: 'both' },
): [ImageFolderDataset, ImageFolderDataset];
export function imageDatasetFromDirectory(dir: string, options?: ImageFolderOptions): ImageFolderDataset;
export function imageDatasetFromDirectory(
  dir: string,
  options: ImageFolderOptions = {},
): ImageFolderDataset | [ImageFolderDataset, ImageFolderDataset] {
  const where = 'imageDatasetFromDirectory';
  const labelMode = options.labelMode === undefined ? 'int' : options.labelMode;
  if (labelMode !== null) checkChoice(labelMode, ['int', 'categorical', 'binary'], where, 'labelMode');
  const colorMode = checkChoice(options.colorMode ?? 'rgb', ['grayscale', 'rgb', 'rgba'] as const, where, 'colorMode');
  const interpolation = checkChoice(options.interpolation ?? 'bilinear', RESIZE_METHODS, where, 'interpolation');
  const [height, width] = options.imageSize ?? [256, 256];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new Error(`${where}: expected imageSize [height, width] of positive integers, received ${JSON.stringify(options.imageSize)}`);
  const batchSize = options.batchSize === undefined ? 32 : options.batchSize;
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new Error(`${where}: expected batchSize to be a positive integer or null, received ${batchSize}`);
  const shuffle = options.shuffle ?? true;
  const split = options.validationSplit;
  if (split !== undefined && !(split > 0 && split < 1)) throw new Error(`${where}: expected validationSplit in (0, 1), received ${split}`);
  if ((split === undefined) !== (options.subset === undefined))
    throw new Error(`${where}: validationSplit and subset go together; received validationSplit ${split} and subset ${options.subset}`);
  if (options.subset !== undefined) checkChoice(options.subset, ['training', 'validation', 'both'], where, 'subset');
  if (split !== undefined && shuffle && options.seed === undefined)
    throw new Error(`${where}: with validationSplit and shuffle, pass a seed so the training and validation files do not overlap`);
  if (options.cropToAspectRatio && options.padToAspectRatio)
    throw new Error(`${where}: only one of cropToAspectRatio and padToAspectRatio can be true`);
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new Error(`${where}: directory '${dir}' does not exist`);
  }
  if (!stat.isDirectory()) throw new Error(`${where}: '${dir}' is a file, expected a directory of class subfolders`);

  const found = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (options.followLinks && e.isSymbolicLink() && statSync(join(dir, e.name)).isDirectory()))
    .map((e) => e.name)
    .sort();
  const classNames = options.classNames ? [...options.classNames] : found;
  if (options.classNames) {
    const missing = classNames.filter((c) => !found.includes(c));
    if (missing.length > 0)
      throw new Error(`${where}: classNames ${JSON.stringify(missing)} are not subfolders of '${dir}' (found ${JSON.stringify(found)})`);
  }
  if (labelMode === 'binary' && classNames.length !== 2)
    throw new Error(`${where}: labelMode 'binary' needs exactly 2 classes, found ${classNames.length}: ${JSON.stringify(classNames)}`);

  const files: { path: string; label: number }[] = [];
  classNames.forEach((name, label) => {
    const inClass = listFiles(join(dir, name), options.followLinks ?? false);
    if (inClass.length === 0)
      throw new Error(`${where}: class folder '${join(dir, name)}' holds no images (${IMAGE_EXTENSIONS.join(' ')})`);
    for (const path of inClass) files.push({ path, label });
  });
  if (files.length === 0)
    throw new Error(`${where}: no images found in '${dir}': expected class subfolders holding ${IMAGE_EXTENSIONS.join(' ')} files`);
  const verbose = options.verbose ?? true;
  if (verbose) console.log(`Found ${files.length} files belonging to ${classNames.length} classes.`);

  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (shuffle) shuffleInPlace(files, new Random(seed));
  const pool = new DecodePool(options.workers);
  const job: Omit<DecodeJob, 'path'> = {
    colorMode,
    height,
    width,
    interpolation,
    cropToAspectRatio: options.cropToAspectRatio ?? false,
    padToAspectRatio: options.padToAspectRatio ?? false,
  };
  const channels = CHANNELS[colorMode];
  const imageSize = height * width * channels;
  const classes = classNames.length;
  /** The labels of `n` images as one batch tensor ([n], [n, classes] or [n, 1]). */
  const labelBatch = (labels: readonly number[]): Tensor => {
    const n = labels.length;
    if (labelMode === 'categorical') {
      const oneHot = new Float32Array(n * classes);
      labels.forEach((label, i) => (oneHot[i * classes + label] = 1));
      return new Tensor(oneHot, [n, classes]);
    }
    if (labelMode === 'binary') return new Tensor(Float32Array.from(labels), [n, 1]);
    return new Tensor(Int32Array.from(labels), [n]);
  };
  /** One image's label ([], [classes] or [1]). */
  const labelOne = (label: number): Tensor => {
    const one = labelBatch([label]);
    return new Tensor(one.values(), one.shape.slice(1));
  };
  // Files per decoding job: a batch (one message each way, its pixels transferred as one buffer);
  // jobs in flight: two per worker, so a worker always has the next batch while one is collected.
  const chunk = batchSize ?? 32;
  const inFlight = Math.max(2, 2 * pool.size);

  const make = (part: { path: string; label: number }[], name: string): ImageFolderDataset => {
    const skipped = new Set<string>();
    const epochRng = new Random(seed + 1);
    const decoded = Dataset.fromGenerator(function* () {
      const order = [...part];
      if (shuffle) shuffleInPlace(order, epochRng);
      for (let i = 0; i < order.length; i += chunk) yield order.slice(i, i + chunk);
    }).map(
      async (group) => ({
        group,
        ...(await pool.decodeBatch(
          job,
          group.map((f) => f.path),
        )),
      }),
      { numParallelCalls: inFlight },
    );
    // Decoded groups → batches of batchSize: a group without failures is a batch as it came (no
    // copy); a failed file is reported and dropped, and the rows after it are re-batched.
    const batches = async function* (): AsyncGenerator<[Tensor, Tensor]> {
      let rows: Float32Array[] = [];
      let labels: number[] = [];
      const take = (n: number): [Tensor, Tensor] => {
        const pixels = new Float32Array(n * imageSize);
        rows.slice(0, n).forEach((r, i) => pixels.set(r, i * imageSize));
        const out: [Tensor, Tensor] = [new Tensor(pixels, [n, height, width, channels]), labelBatch(labels.slice(0, n))];
        rows = rows.slice(n);
        labels = labels.slice(n);
        return out;
      };
      for await (const { group, pixels, errors } of decoded) {
        if (batchSize !== null && rows.length === 0 && group.length === batchSize && errors.every((e) => e === null)) {
          yield [new Tensor(pixels, [batchSize, height, width, channels]), labelBatch(group.map((f) => f.label))];
          continue;
        }
        group.forEach(({ path, label }, i) => {
          const error = errors[i];
          if (error === null || error === undefined) {
            rows.push(pixels.subarray(i * imageSize, (i + 1) * imageSize));
            labels.push(label);
            return;
          }
          if (options.onError === 'raise') throw new Error(error);
          if (!skipped.has(path)) console.warn(`convkit: skipped ${relative(process.cwd(), path) || path}: ${error}`);
          skipped.add(path);
        });
        if (batchSize === null) {
          for (let i = 0; i < rows.length; i++) yield [new Tensor(rows[i]!, [height, width, channels]), labelOne(labels[i]!)];
          rows = [];
          labels = [];
        } else while (rows.length >= batchSize) yield take(batchSize);
      }
      if (rows.length > 0) yield take(rows.length);
    };
    const sized = new Dataset(batches, batchSize === null ? part.length : Math.ceil(part.length / batchSize));
    const ds = (labelMode === null ? sized.map(([x]) => x) : sized) as unknown as ImageFolderDataset;
    if (verbose && name) console.log(`Using ${part.length} files for ${name}.`);
    return Object.assign(ds, { classNames, filePaths: part.map((f) => f.path), skipped });
  };

  if (split === undefined) return make(files, '');
  const nVal = Math.floor(split * files.length);
  const train = files.slice(0, files.length - nVal);
  const val = files.slice(files.length - nVal);
  if (options.subset === 'training') return make(train, 'training');
  if (options.subset === 'validation') return make(val, 'validation');
  return [make(train, 'training'), make(val, 'validation')];
}
