/**
 * Datasets and data helpers: MNIST, Fashion-MNIST and CIFAR-10 loaders that return NHWC float32
 * images in [0, 1] with int32 labels, one-hot encoding, and the IDX file reader they share.
 */
import { cifar10 } from './cifar10.js';
import { cifar100 } from './cifar100.js';
import { fashionMnist } from './fashion-mnist.js';
import { mnist } from './mnist.js';

/**
 * The built-in datasets, each with `load({ dir?, limit? })` and `classNames`.
 *
 * @example
 * const { train, test } = await datasets.mnist.load();
 * train.images.shape;   // [60000, 28, 28, 1]
 */
export const datasets = { mnist, fashionMnist, cifar10, cifar100 };

export { oneHot } from './one-hot.js';
export { parseIdx, readIdx, type IdxArray, type IdxData, type IdxType } from './idx.js';
export type { ImageDataset, LabeledImages, LoadOptions } from './labeled-images.js';
export { imageDatasetFromDirectory, IMAGE_EXTENSIONS, type ImageFolderDataset, type ImageFolderOptions } from './image-folder.js';
export { decodeBmp, type DecodedImage } from './bmp.js';
export type { ColorMode } from './image-decode.js';
export { download, defaultCacheDir, fetchDatasetArchive, type DatasetArchive, type DownloadOptions } from './download.js';
export { parseTar, extractTar, type TarEntry } from './tar.js';
