/**
 * Fashion-MNIST (Zalando Research): a drop-in replacement for MNIST with 28×28 greyscale images of
 * clothing, 60,000 training and 10,000 test, 10 classes. The files come from the Debian package
 * `dataset-fashion-mnist`, gzipped IDX under /usr/share/datasets/fashion-mnist.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir, download } from './download.js';
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

/** The four gzipped files upstream (zalandoresearch/fashion-mnist) and their md5 from its README. */
export const FASHION_MNIST_FILES = {
  base: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  md5: {
    'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
    't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
    't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
  } as Record<string, string>,
};

export interface FashionMnistOptions extends LoadOptions {
  /** Without `dir`: download the four files (30 MB, md5-checked) into the cache and use them. */
  download?: boolean;
  cacheDir?: string;
}

/** Downloads the four files into `<cache>/fashion-mnist` (each checked, resumable); returns that folder. */
async function downloadFiles(cacheDir = defaultCacheDir()): Promise<string> {
  const dir = join(cacheDir, 'fashion-mnist');
  for (const [name, checksum] of Object.entries(FASHION_MNIST_FILES.md5))
    await download({ url: FASHION_MNIST_FILES.base + name, checksum, cacheDir: dir });
  return dir;
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
async function load(options: FashionMnistOptions = {}): Promise<ImageDataset> {
  const dir = options.dir ?? (options.download ? await downloadFiles(options.cacheDir) : await defaultDir());
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
