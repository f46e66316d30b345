/**
 * CIFAR-10 (Krizhevsky, 2009) from the official "binary version" layout: data_batch_1..5.bin and
 * test_batch.bin, each a run of 3,073-byte records (1 label byte, then the 32×32 R, G and B planes,
 * row-major). Records are planar (CHW); Convkit is channels-last, so the loader transposes to NHWC.
 */
import { access, open, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../tensor/tensor.js';
import { fetchDatasetArchive, type DatasetArchive } from './download.js';
import { allInOrder, keepCount, type ImageDataset, type LabeledImages, type LoadOptions } from './labeled-images.js';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const TEST_FILES = ['test_batch.bin'];

/** The class names of CIFAR-10, by label (also in the dataset's batches.meta.txt). */
const classNames: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The folder holding the nearest package.json above this module: Convkit's root. */
async function packageRoot(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(await exists(join(dir, 'package.json')))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

async function defaultDir(): Promise<string> {
  const fromEnv = process.env['CONVKIT_CIFAR10_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const shared = resolve(await packageRoot(), '../shared/datasets/cifar10-jpeg');
  if (await exists(shared)) return shared;
  throw new Error(
    'cifar10.load: no CIFAR-10 folder found; expected options.dir, the environment variable CONVKIT_CIFAR10_DIR, ' +
      `or ${shared}, holding the binary files (data_batch_1..5.bin, test_batch.bin) of cifar-10-binary.tar.gz`,
  );
}

/** Records in each file; refuses missing files and sizes that are not whole records. */
async function recordCounts(dir: string, files: readonly string[]): Promise<number[]> {
  return allInOrder(
    files.map(async (name) => {
      const path = join(dir, name);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch {
        throw new Error(
          `cifar10.load: ${path} not found; expected the CIFAR-10 binary files (${[...TRAIN_FILES, ...TEST_FILES].join(', ')}) in ${dir}`,
        );
      }
      if (size % RECORD !== 0) {
        const whole = Math.floor(size / RECORD);
        throw new Error(
          `${path}: byte ${whole * RECORD}: expected a whole number of ${RECORD}-byte records (1 label + 3 × ${PLANE} pixels), ` +
            `received ${size} bytes: ${whole} records and ${size % RECORD} bytes left over`,
        );
      }
      return size / RECORD;
    }),
  );
}

/** The first `count` records of a file (the whole file when count covers it). */
async function readRecords(path: string, count: number, total: number): Promise<Uint8Array> {
  if (count === total) return readFile(path);
  const bytes = new Uint8Array(count * RECORD);
  const handle = await open(path, 'r');
  try {
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) throw new Error(`${path}: byte ${done}: expected ${bytes.length} bytes, the file ended`);
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

/** Reads the first `limit` records of `files` (in order) into NHWC images and labels. */
async function loadSplit(
  dir: string,
  files: readonly string[],
  counts: readonly number[],
  limit: number | undefined,
): Promise<LabeledImages> {
  const n = keepCount(
    'cifar10.load',
    limit,
    counts.reduce((a, b) => a + b, 0),
  );
  const images = new Float32Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  let filled = 0;
  for (let f = 0; f < files.length && filled < n; f++) {
    const path = join(dir, files[f]!);
    const take = Math.min(counts[f]!, n - filled);
    const bytes = await readRecords(path, take, counts[f]!);
    for (let r = 0; r < take; r++) {
      const base = r * RECORD;
      const label = bytes[base]!;
      if (label > 9) {
        throw new Error(`${path}: byte ${base}: record ${r}: expected a label byte in 0..9, received ${label}`);
      }
      const i = filled + r;
      labels[i] = label;
      // Record planes R[1024] G[1024] B[1024] → pixel-major [32, 32, 3].
      const out = i * 3 * PLANE;
      for (let c = 0; c < 3; c++) {
        const src = base + 1 + c * PLANE;
        for (let p = 0; p < PLANE; p++) images[out + 3 * p + c] = bytes[src + p]! / 255;
      }
    }
    filled += take;
  }
  return { images: new Tensor(images, [n, SIDE, SIDE, 3]), labels: new Tensor(labels, [n]) };
}

/** Class names from batches.meta.txt (one a line) when present, else the standard ten. */
async function readClassNames(dir: string): Promise<string[]> {
  const path = join(dir, 'batches.meta.txt');
  if (!(await exists(path))) return [...classNames];
  const names = (await readFile(path, 'utf8'))
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length !== 10) {
    throw new Error(`${path}: expected 10 class names, one a line, received ${names.length}`);
  }
  return names;
}

/** The official binary archive and its md5 (from the CIFAR page). */
export const CIFAR10_ARCHIVE: DatasetArchive = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  checksum: 'c32a1d4ab5d03f1284b67883e8d87530',
  folder: 'cifar-10-batches-bin',
  marker: 'test_batch.bin',
};

export interface Cifar10Options extends LoadOptions {
  /** Without `dir`: download the official archive (162 MB, md5-checked) into the cache and use it. */
  download?: boolean;
  cacheDir?: string;
  /** Another copy of the archive (a mirror, a test server). */
  archive?: DatasetArchive;
}

/**
 * Loads CIFAR-10: images float32 NHWC [n, 32, 32, 3] in [0, 1] (pixel / 255), labels int32 [n].
 * Train is data_batch_1..5 in order (50,000), test is test_batch (10,000).
 *
 * The default folder is `$CONVKIT_CIFAR10_DIR`, else `../shared/datasets/cifar10-jpeg` next to
 * the package. That shared copy was rebuilt from JPEGs (lossy): fine for pipelines and training
 * tests, but its accuracies are not CIFAR-10 accuracies (see its README).
 *
 * @param options.dir folder of the .bin files
 * @param options.limit keep only the first `limit` images of each split (reads only those bytes)
 * @example
 * const { train, test, classNames } = await cifar10.load({ limit: 1000 });
 * train.images.shape;                  // [1000, 32, 32, 3]
 * classNames[train.labels.data[0]!];   // 'frog'
 */
async function load(options: Cifar10Options = {}): Promise<ImageDataset> {
  const dir =
    options.dir ??
    (options.download ? await fetchDatasetArchive(options.archive ?? CIFAR10_ARCHIVE, options.cacheDir) : await defaultDir());
  // Every file is checked before any is read: a bad test_batch is found before minutes of work.
  const [names, trainCounts, testCounts] = await allInOrder([
    readClassNames(dir),
    recordCounts(dir, TRAIN_FILES),
    recordCounts(dir, TEST_FILES),
  ]);
  const train = await loadSplit(dir, TRAIN_FILES, trainCounts, options.limit);
  const test = await loadSplit(dir, TEST_FILES, testCounts, options.limit);
  return { train, test, classNames: names };
}

/**
 * The CIFAR-10 dataset: `load` and the standard `classNames`.
 *
 * @example
 * const { test } = await cifar10.load({ dir: 'cifar-10-batches-bin', limit: 100 });
 * test.images.shape;   // [100, 32, 32, 3]
 */
export const cifar10 = { load, classNames };
