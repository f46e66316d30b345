/** Fashion-MNIST loader: gzipped tiny files, and the Debian package's files when installed. */
import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fashionMnist } from '../../src/data/fashion-mnist.js';
import { tempDir, ubyteIdx } from './fixtures.js';

async function installed(): Promise<boolean> {
  try {
    await access(fashionMnist.defaultDir);
    return true;
  } catch {
    return false;
  }
}

test('fashionMnist.load reads gzipped IDX files', async () => {
  const dir = await tempDir();
  const gz = (name: string, bytes: Uint8Array): Promise<void> => writeFile(join(dir, `${name}.gz`), gzipSync(bytes));
  await gz('train-images-idx3-ubyte', ubyteIdx([2, 1, 2], [0, 51, 102, 255]));
  await gz('train-labels-idx1-ubyte', ubyteIdx([2], [9, 0]));
  await gz('t10k-images-idx3-ubyte', ubyteIdx([1, 1, 2], [204, 153]));
  await gz('t10k-labels-idx1-ubyte', ubyteIdx([1], [3]));
  const { train, test: t, classNames } = await fashionMnist.load({ dir });
  assert.deepEqual(train.images.shape, [2, 1, 2, 1]);
  assert.deepEqual([...train.images.data], [0, 0.2, 0.4, 1].map(Math.fround));
  assert.deepEqual([...train.labels.data], [9, 0]);
  assert.deepEqual([...t.images.data], [0.8, 0.6].map(Math.fround));
  assert.equal(classNames[t.labels.data[0]!], 'Dress');
});

test('fashionMnist.load reads the Debian dataset-fashion-mnist files', async (t) => {
  if (!(await installed())) {
    t.skip(`${fashionMnist.defaultDir} absent: apt-get install dataset-fashion-mnist`);
    return;
  }
  const { train, test: tst } = await fashionMnist.load();
  assert.deepEqual(train.images.shape, [60000, 28, 28, 1]);
  assert.deepEqual(tst.images.shape, [10000, 28, 28, 1]);
  assert.deepEqual([...train.labels.data.subarray(0, 5)], [9, 0, 0, 3, 0]);
  assert.deepEqual([...tst.labels.data.subarray(0, 5)], [9, 2, 1, 1, 6]);
  const counts = new Array<number>(10).fill(0);
  for (const l of train.labels.data) counts[l]! += 1;
  assert.deepEqual(counts, new Array<number>(10).fill(6000));
  assert.ok(train.images.data.every((v) => v >= 0 && v <= 1));
});

test('fashionMnist.load without the package says how to install it', async (t) => {
  if (await installed()) {
    t.skip('dataset-fashion-mnist is installed; the missing-package message cannot be shown');
    return;
  }
  await assert.rejects(fashionMnist.load(), /apt-get install dataset-fashion-mnist.*or pass \{ dir \}/);
});
