/**
 * Integer labels to one-hot float rows, inside the loss (sparse cross-entropy, sparse accuracy).
 */
import { Tensor } from '../tensor/tensor.js';

/** One-hot rows of `classes` columns from integer-valued labels, with range checks. */
export function oneHotFloat(labels: Tensor, classes: number, dtype: 'float32' | 'float64' | 'int32', where: string): Tensor {
  const n = labels.size;
  const out = dtype === 'float64' ? new Float64Array(n * classes) : new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`${where}: label ${i} is ${c}, expected an integer in [0, ${classes - 1}]`);
    }
    out[i * classes + c] = 1;
  }
  return new Tensor(out, [n, classes]);
}
