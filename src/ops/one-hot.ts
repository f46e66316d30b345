/**
 * One-hot encoding of class indices: the one implementation, used by users preparing targets
 * (Keras's `to_categorical`) and by the sparse losses inside training.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** Options of `oneHot`. */
export interface OneHotOptions {
  /** Element type of the result (default float32). */
  dtype?: 'float32' | 'float64';
  /** How errors name the caller (default 'oneHot'), e.g. the loss that encodes its labels. */
  where?: string;
}

/**
 * Turns class indices [n] into a matrix [n, numClasses] with a 1 in each row's class column.
 * Labels may be an int32 tensor, a float tensor of whole numbers, an Int32Array or a number array.
 *
 * @example
 * oneHot([2, 0], 3).toArray();   // [[0, 0, 1], [1, 0, 0]]
 * const { train } = await datasets.mnist.load({ limit: 100 });
 * const y = oneHot(train.labels, 10);   // [100, 10]
 */
export function oneHot(labels: Tensor | Int32Array | number[], numClasses: number, options: OneHotOptions = {}): Tensor {
  const where = options.where ?? 'oneHot';
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`${where}: expected numClasses to be a positive integer, received ${String(numClasses)}`);
  }
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.rank !== 1) {
      throw new Error(`${where}: expected labels of rank 1 (one class index per example), received shape ${formatShape(labels.shape)}`);
    }
    values = labels.values();
  } else {
    values = labels;
  }
  const n = values.length;
  const out = options.dtype === 'float64' ? new Float64Array(n * numClasses) : new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label)) {
      throw new Error(`${where}: labels[${i}] is ${label}; expected an integer class index in 0..${numClasses - 1}`);
    }
    if (label < 0 || label >= numClasses) {
      throw new Error(`${where}: labels[${i}] is ${label}; expected a class index in 0..${numClasses - 1} (numClasses ${numClasses})`);
    }
    out[i * numClasses + label] = 1;
  }
  return new Tensor(out, [n, numClasses]);
}
