/** CIFAR-10 loader: the planar → NHWC transpose on tiny files, every refusal, and the shared copy. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cifar10 } from '../../src/data/cifar10.js';
import { cifarPixel, cifarRecord, concat, tempDir } from './fixtures.js';

const TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];

/** Five train batches of two records (labels 0..9 in order) and a test batch of three (9, 8, 7). */
async function tinyCifar(): Promise<string> {
  const dir = await tempDir();
  for (let b = 0; b < 5; b++) {
    await writeFile(join(dir, TRAIN[b]!), concat([cifarRecord(2 * b), cifarRecord(2 * b + 1)]));
  }
  await writeFile(join(dir, 'test_batch.bin'), concat([cifarRecord(9), cifarRecord(8), cifarRecord(7)]));
  return dir;
}

test('cifar10.load transposes the R, G, B planes to NHWC, in file order', async () => {
  const dir = await tinyCifar();
  const { train, test: t, classNames } = await cifar10.load({ dir });
  assert.deepEqual(train.images.shape, [10, 32, 32, 3]);
  assert.equal(train.images.dtype, 'float32');
  assert.deepEqual([...train.labels.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...t.labels.data], [9, 8, 7]);
  const at = (data: ArrayLike<number>, n: number, y: number, x: number, c: number): number => data[((n * 32 + y) * 32 + x) * 3 + c]!;
  for (const [n, y, x, c] of [
    [0, 0, 0, 0],
    [0, 0, 1, 2],
    [3, 5, 7, 1],
    [9, 31, 31, 2],
    [6, 31, 0, 0],
  ] as const) {
    assert.equal(at(train.images.data, n, y, x, c), cifarPixel(n, y, x, c), `train pixel (${n}, ${y}, ${x}, ${c})`);
  }
  assert.equal(at(t.images.data, 2, 4, 9, 1), cifarPixel(7, 4, 9, 1));
  assert.deepEqual(classNames, [...cifar10.classNames]);
});

test('cifar10.load with limit spans batch files and reads only what it needs', async () => {
  const dir = await tinyCifar();
  const { train, test: t } = await cifar10.load({ dir, limit: 3 });
  assert.deepEqual(train.images.shape, [3, 32, 32, 3]);
  assert.deepEqual([...train.labels.data], [0, 1, 2]);
  assert.equal(train.images.data[((2 * 32 + 1) * 32 + 2) * 3 + 1], cifarPixel(2, 1, 2, 1));
  assert.deepEqual([...t.labels.data], [9, 8, 7]);
});

test('cifar10.load reads class names from batches.meta.txt', async () => {
  const dir = await tinyCifar();
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  await writeFile(join(dir, 'batches.meta.txt'), `${names.join('\n')}\n\n`);
  assert.deepEqual((await cifar10.load({ dir, limit: 1 })).classNames, names);
  await writeFile(join(dir, 'batches.meta.txt'), 'a\nb\n');
  await assert.rejects(cifar10.load({ dir, limit: 1 }), /batches\.meta\.txt: expected 10 class names, one a line, received 2/);
});

test('cifar10.load refuses a size that is not whole records, naming file and byte offset', async () => {
  const dir = await tinyCifar();
  const path = join(dir, 'test_batch.bin');
  await writeFile(path, concat([cifarRecord(1), cifarRecord(2).subarray(0, 100)]));
  await assert.rejects(
    cifar10.load({ dir, limit: 1 }),
    new RegExp(
      `^Error: ${path}: byte 3073: expected a whole number of 3073-byte records .*received 3173 bytes: 1 records and 100 bytes left over$`,
    ),
  );
});

test('cifar10.load refuses a label byte above 9 with file, record and byte offset', async () => {
  const dir = await tinyCifar();
  const path = join(dir, 'data_batch_3.bin');
  await writeFile(path, concat([cifarRecord(4), cifarRecord(10)]));
  await assert.rejects(
    cifar10.load({ dir }),
    new RegExp(`^Error: ${path}: byte 3073: record 1: expected a label byte in 0\\.\\.9, received 10$`),
  );
});

test('cifar10.load names a missing file and the folder', async () => {
  const dir = await tempDir();
  await assert.rejects(cifar10.load({ dir }), /data_batch_1\.bin not found; expected the CIFAR-10 binary files/);
});

/** The loader's rule for its default folder: $CONVKIT_CIFAR10_DIR, else ../shared next to the package root. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const SHARED = process.env['CONVKIT_CIFAR10_DIR'] || resolve(packageRoot(), '../shared/datasets/cifar10-jpeg');

test('cifar10.load reads the shared CIFAR-10 copy (limit 20)', async (t) => {
  try {
    await access(join(SHARED, 'data_batch_1.bin'));
  } catch {
    t.skip(`${SHARED} absent: set CONVKIT_CIFAR10_DIR to a cifar-10-batches-bin folder`);
    return;
  }
  const { train, test: tst, classNames } = await cifar10.load({ limit: 20 });
  assert.deepEqual(train.images.shape, [20, 32, 32, 3]);
  assert.deepEqual(tst.images.shape, [20, 32, 32, 3]);
  // The shared README: first train labels 6 9 9 4 1 1 2 7 8 3; test labels run round-robin 0..9.
  assert.deepEqual([...train.labels.data.subarray(0, 10)], [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
  assert.deepEqual([...tst.labels.data.subarray(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  // Top-left RGB of records 0 and 1: (61, 62, 67) and (169, 169, 179).
  const rgb = (n: number): number[] => [...train.images.data.subarray(n * 3072, n * 3072 + 3)].map((v) => Math.round(v * 255));
  assert.deepEqual(rgb(0), [61, 62, 67]);
  assert.deepEqual(rgb(1), [169, 169, 179]);
  assert.equal(classNames[train.labels.data[0]!], 'frog');
});
