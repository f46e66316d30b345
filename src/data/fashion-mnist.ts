/**
 * Fashion-MNIST (Zalando Research): a drop-in replacement for MNIST with 28×28 greyscale images of
 * clothing, 60,000 training and 10,000 test, 10 classes. The files come from the Debian package
 * `dataset-fashion-mnist`, gzipped IDX under /usr/share/datasets/fashion-mnist.
 */
import { access } from 'node:fs/promises';
import { allInOrder, loadIdxPair, type ImageDataset, type LoadOptions } from './labeled-images.js';

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** The class names of Fashion-MNIST, by label. */
const classNames: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

const TRAIN = { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' };
const TEST = { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' };

async function defaultDir(): Promise<string> {
  try {
    await access(DEBIAN_DIR);
  } catch {
    throw new Error(
      `fashionMnist.load: ${DEBIAN_DIR} not found; install the files with \`apt-get install dataset-fashion-mnist\` ` +
        'or pass { dir } (a folder with the four IDX files, plain or .gz)',
    );
  }
  return DEBIAN_DIR;
}

/**
 * Loads Fashion-MNIST: images float32 [n, 28, 28, 1] in [0, 1] (pixel / 255), labels int32 [n].
 *
 * @param options.dir folder of the four IDX files, plain or `.gz` (default: the Debian package's)
 * @param options.limit keep only the first `limit` images of each split
 * @example
 * const { train, test } = await fashionMnist.load();
 * train.images.shape;   // [60000, 28, 28, 1]
 * test.labels.shape;    // [10000]
 */
async function load(options: LoadOptions = {}): Promise<ImageDataset> {
  const dir = options.dir ?? (await defaultDir());
  const [train, test] = await allInOrder([
    loadIdxPair(dir, TRAIN, 10, options.limit, 'fashionMnist.load'),
    loadIdxPair(dir, TEST, 10, options.limit, 'fashionMnist.load'),
  ]);
  return { train, test, classNames: [...classNames] };
}

/**
 * The Fashion-MNIST dataset: `load`, `classNames` and the Debian install folder `defaultDir`.
 *
 * @example
 * const { test } = await fashionMnist.load({ limit: 10 });
 * fashionMnist.classNames[test.labels.data[0]!];   // 'Ankle boot'
 */
export const fashionMnist = { load, classNames, defaultDir: DEBIAN_DIR };
