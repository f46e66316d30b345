/**
 * CIFAR-100 (Krizhevsky, 2009) from the official "binary version" (cifar-100-binary.tar.gz):
 * train.bin (50,000) and test.bin (10,000) records of 3,074 bytes: the coarse label (0–19), the
 * fine label (0–99), then the 32×32 R, G and B planes. Transposed to NHWC like CIFAR-10. Without
 * a folder, the archive is downloaded into the cache (md5-checked) and unpacked there.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { fetchDatasetArchive, type DatasetArchive } from './download.js';
import { keepCount, type ImageDataset, type LabeledImages, type LoadOptions } from './labeled-images.js';

const PLANE = 32 * 32;
const RECORD = 2 + 3 * PLANE;

/** The official archive and its md5 (from the CIFAR page). */
export const CIFAR100_ARCHIVE: DatasetArchive = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
  checksum: '03b5dce01913d631647c71ecec9e9cb8',
  folder: 'cifar-100-binary',
  marker: 'test.bin',
};

export interface Cifar100Options extends LoadOptions {
  /** 'fine' (default: 100 classes) or 'coarse' (20 superclasses), as Keras's label_mode. */
  labelMode?: 'fine' | 'coarse';
  /** Where downloads go (default: the download cache). */
  cacheDir?: string;
  /** Another copy of the archive (a mirror, a test server). */
  archive?: DatasetArchive;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The folder with train.bin and test.bin: options.dir, $CONVKIT_CIFAR100_DIR, or the cache (downloading once). */
async function resolveDir(options: Cifar100Options): Promise<string> {
  const given = options.dir ?? process.env['CONVKIT_CIFAR100_DIR'];
  if (given) return given;
  return fetchDatasetArchive(options.archive ?? CIFAR100_ARCHIVE, options.cacheDir);
}

async function split(path: string, limit: number | undefined, labelMode: 'fine' | 'coarse'): Promise<LabeledImages> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new Error(`cifar100.load: ${path} not found; expected the CIFAR-100 binary files train.bin and test.bin there`);
  }
  if (bytes.length % RECORD !== 0) {
    const whole = Math.floor(bytes.length / RECORD);
    throw new Error(
      `${path}: byte ${whole * RECORD}: expected a whole number of ${RECORD}-byte records (2 labels + 3 × ${PLANE} pixels), received ${bytes.length} bytes`,
    );
  }
  const n = keepCount('cifar100.load', limit, bytes.length / RECORD);
  const images = new Float32Array(n * 3 * PLANE);
  const labels = new Int32Array(n);
  const which = labelMode === 'coarse' ? 0 : 1;
  const classes = labelMode === 'coarse' ? 20 : 100;
  for (let r = 0; r < n; r++) {
    const base = r * RECORD;
    const label = bytes[base + which]!;
    if (label >= classes)
      throw new Error(`${path}: byte ${base + which}: record ${r}: expected a ${labelMode} label in 0..${classes - 1}, received ${label}`);
    labels[r] = label;
    for (let c = 0; c < 3; c++) {
      const src = base + 2 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[r * 3 * PLANE + 3 * p + c] = bytes[src + p]! / 255;
    }
  }
  return { images: new Tensor(images, [n, 32, 32, 3]), labels: new Tensor(labels, [n]) };
}

async function names(dir: string, labelMode: 'fine' | 'coarse'): Promise<string[]> {
  const path = join(dir, `${labelMode}_label_names.txt`);
  const count = labelMode === 'coarse' ? 20 : 100;
  if (!(await isFile(path))) return Array.from({ length: count }, (_, i) => String(i));
  const list = (await readFile(path, 'utf8'))
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length !== count) throw new Error(`${path}: expected ${count} class names, one a line, received ${list.length}`);
  return list;
}

/**
 * Loads CIFAR-100: images float32 NHWC [n, 32, 32, 3] in [0, 1], labels int32 [n] (fine or coarse).
 *
 * @example
 * const { train, test, classNames } = await cifar100.load({ labelMode: 'coarse', limit: 1000 });
 */
async function load(options: Cifar100Options = {}): Promise<ImageDataset> {
  const labelMode = options.labelMode ?? 'fine';
  if (labelMode !== 'fine' && labelMode !== 'coarse')
    throw new Error(`cifar100.load: expected labelMode 'fine' or 'coarse', received '${String(labelMode)}'`);
  const dir = await resolveDir(options);
  const train = await split(join(dir, 'train.bin'), options.limit, labelMode);
  const test = await split(join(dir, 'test.bin'), options.limit, labelMode);
  return { train, test, classNames: await names(dir, labelMode) };
}

/**
 * The CIFAR-100 dataset.
 *
 * @example
 * const { train } = await datasets.cifar100.load();   // downloads 161 MB once
 */
export const cifar100 = { load };
