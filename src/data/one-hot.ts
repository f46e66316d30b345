/**
 * One-hot encoding of class indices, for losses that take a probability vector per example
 * (Keras' `categoricalCrossentropy` after `to_categorical`).
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/**
 * Turns class indices [n] into a float32 matrix [n, numClasses] with a 1 in each row's class column.
 * Labels may be an int32 tensor, a float tensor of whole numbers, an Int32Array or a number array.
 *
 * @example
 * oneHot([2, 0], 3).toArray();   // [[0, 0, 1], [1, 0, 0]]
 * const { train } = await datasets.mnist.load({ limit: 100 });
 * const y = oneHot(train.labels, 10);   // [100, 10]
 */
export function oneHot(labels: Tensor | Int32Array | number[], numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`oneHot: expected numClasses to be a positive integer, received ${String(numClasses)}`);
  }
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.rank !== 1) {
      throw new Error(`oneHot: expected labels of rank 1 (one class index per example), received shape ${formatShape(labels.shape)}`);
    }
    values = labels.data;
  } else {
    values = labels;
  }
  const n = values.length;
  const out = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label)) {
      throw new Error(`oneHot: labels[${i}] is ${label}; expected an integer class index in 0..${numClasses - 1}`);
    }
    if (label < 0 || label >= numClasses) {
      throw new Error(`oneHot: labels[${i}] is ${label}; expected a class index in 0..${numClasses - 1} (numClasses ${numClasses})`);
    }
    out[i * numClasses + label] = 1;
  }
  return new Tensor(out, [n, numClasses]);
}
