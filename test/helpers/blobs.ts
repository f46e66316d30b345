/**
 * Two noisy blobs in 2-D with one-hot labels: the small classification task of the training and
 * checkpoint tests.
 */
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** `n` points, alternately of class 0 (around x = -1) and class 1 (around x = 1). */
export function blobs(n: number): { x: Tensor; y: Tensor } {
  const rng = new Random(5);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    x[2 * i] = (c ? 1 : -1) + rng.normal();
    x[2 * i + 1] = rng.normal();
    y[2 * i + c] = 1;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 2]) };
}
