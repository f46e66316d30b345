/**
 * What the image datasets share: the result types, the `limit` check, and the loader of an
 * MNIST-style pair of IDX files (images [n, h, w] uint8 + labels [n] uint8) into tensors
 * (images float32 [n, h, w, 1] in [0, 1], labels int32 [n]).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { readIdx, type IdxArray } from './idx.js';

/** Images (float32 NHWC in [0, 1]) and their class indices (int32 [n]). */
export interface LabeledImages {
  images: Tensor;
  labels: Tensor;
}

/** A train/test split of a classification dataset, with the name of each class index. */
export interface ImageDataset {
  train: LabeledImages;
  test: LabeledImages;
  classNames: string[];
}

/** Options of every dataset's `load`. */
export interface LoadOptions {
  /** Folder holding the dataset's files (each dataset has its own default). */
  dir?: string;
  /** Keep only the first `limit` examples of each split (for quick runs and tests). */
  limit?: number;
}

/** Checks `limit` and returns how many of `available` examples to keep. */
export function keepCount(where: string, limit: number | undefined, available: number): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`${where}: expected options.limit to be a positive integer, received ${String(limit)}`);
  }
  return Math.min(limit, available);
}

/**
 * Like `Promise.all`, but when several fail it rejects with the first failure in argument order,
 * not the first in time: which file an error names never depends on disk timing.
 *
 * @example
 * const [a, b] = await allInOrder([readIdx(first), readIdx(second)]);   // a bad `first` is always the one reported
 */
export async function allInOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const values: unknown[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as unknown as T;
}

/** `name` in `dir`, or `name.gz` if only the compressed file is there. */
export async function findFile(dir: string, name: string): Promise<string> {
  const plain = join(dir, name);
  try {
    await access(plain);
    return plain;
  } catch {
    try {
      await access(`${plain}.gz`);
      return `${plain}.gz`;
    } catch {
      throw new Error(`${plain}: file not found (nor ${name}.gz)`);
    }
  }
}

function expectUint8(idx: IdxArray, path: string, rank: number, what: string): Uint8Array {
  if (idx.type !== 'uint8' || idx.dims.length !== rank) {
    throw new Error(
      `${path}: byte 2: expected ${what}: uint8 of rank ${rank}, received ${idx.type} of rank ${idx.dims.length} (dims [${idx.dims.join(', ')}])`,
    );
  }
  return idx.data as Uint8Array;
}

/**
 * Loads an IDX images file and its labels file from `dir` (either may be gzipped, `name.gz`) as
 * tensors, keeping the first `limit` examples. Checks that the counts agree and every label is
 * below `numClasses`.
 */
export async function loadIdxPair(
  dir: string,
  names: { images: string; labels: string },
  numClasses: number,
  limit: number | undefined,
  where: string,
): Promise<LabeledImages> {
  const [imagesPath, labelsPath] = await allInOrder([findFile(dir, names.images), findFile(dir, names.labels)]);
  const [imagesIdx, labelsIdx] = await allInOrder([readIdx(imagesPath), readIdx(labelsPath)]);
  const pixels = expectUint8(imagesIdx, imagesPath, 3, 'images [n, height, width]');
  const labelBytes = expectUint8(labelsIdx, labelsPath, 1, 'labels [n]');
  const [count, height, width] = imagesIdx.dims as [number, number, number];
  if (labelsIdx.dims[0] !== count) {
    throw new Error(
      `${where}: ${imagesPath} holds ${count} images but ${labelsPath} holds ${labelsIdx.dims[0]} labels; expected the same count`,
    );
  }
  const n = keepCount(where, limit, count);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labelBytes[i]!;
    if (label >= numClasses) {
      // An IDX1 header is 8 bytes, so label i sits at byte 8 + i.
      throw new Error(`${labelsPath}: byte ${8 + i}: label ${i} expected in 0..${numClasses - 1}, received ${label}`);
    }
    labels[i] = label;
  }
  const size = n * height * width;
  const images = new Float32Array(size);
  for (let i = 0; i < size; i++) images[i] = pixels[i]! / 255;
  return { images: new Tensor(images, [n, height, width, 1]), labels: new Tensor(labels, [n]) };
}
