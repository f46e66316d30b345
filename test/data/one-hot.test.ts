/** oneHot: known values for every input kind, and the errors for bad labels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneHot } from '../../src/data/one-hot.js';
import { tensor } from '../../src/tensor/tensor.js';

test('oneHot encodes number arrays, Int32Array and int32/float tensors', () => {
  const expected = [
    [0, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
  ];
  for (const labels of [[2, 0, 1], new Int32Array([2, 0, 1]), tensor([2, 0, 1], undefined, 'int32'), tensor([2, 0, 1])]) {
    const y = oneHot(labels, 3);
    assert.equal(y.dtype, 'float32');
    assert.deepEqual(y.shape, [3, 3]);
    assert.deepEqual(y.toArray(), expected);
  }
  assert.deepEqual(oneHot([], 4).shape, [0, 4]);
});

test('oneHot names the index and value of a bad label', () => {
  assert.throws(() => oneHot([0, 10], 10), /^Error: oneHot: labels\[1\] is 10; expected a class index in 0\.\.9 \(numClasses 10\)$/);
  assert.throws(() => oneHot([-1], 10), /labels\[0\] is -1/);
  assert.throws(() => oneHot(tensor([0, 1.5]), 3), /^Error: oneHot: labels\[1\] is 1\.5; expected an integer class index in 0\.\.2$/);
  assert.throws(() => oneHot([0, NaN], 3), /labels\[1\] is NaN/);
});

test('oneHot refuses a bad numClasses and labels of rank 2', () => {
  assert.throws(() => oneHot([0], 0), /expected numClasses to be a positive integer, received 0/);
  assert.throws(() => oneHot(tensor([[1], [2]]), 3), /expected labels of rank 1 .*received shape \(2, 1\)/);
});
