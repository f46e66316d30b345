/**
 * Shape ops: reshape (a view-free copy of the shape only: data is shared), transpose, and
 * broadcastTo (composed: x + zeros, so its gradient comes from `add`).
 */
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from '../tensor/shape.js';
import { add } from './elementwise.js';
import { floatsOf, wrap } from './util.js';

/**
 * Gives x a new shape with the same number of elements; one dimension may be -1 (inferred).
 * The data is shared, not copied.
 * @example reshape(x, [-1, 28 * 28])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (unknown !== -1) {
    const known = sizeOf(target.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} values) to ${formatShape(shape)}`);
    }
    target[unknown] = x.size / known;
  }
  if (sizeOf(target) !== x.size || target.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} values) to ${formatShape(shape)}`);
  }
  return record('reshape', [x], new Tensor(x.data, target), {});
}

/**
 * Permutes axes (reverses them by default).
 * @example transpose(x, [0, 3, 1, 2])   // NHWC → NCHW
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? [...perm] : [...x.shape.keys()].reverse();
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== x.rank || sorted.some((v, i) => v !== i)) {
    throw new Error(`transpose: expected a permutation of 0..${x.rank - 1}, received [${p.join(', ')}]`);
  }
  const data = kernels().transpose(floatsOf(x, 'transpose', 'x'), x.shape, p);
  return record(
    'transpose',
    [x],
    wrap(
      data,
      p.map((i) => x.shape[i]!),
    ),
    { perm: p },
  );
}

/**
 * Repeats x along its size-1 (or missing leading) axes to `shape`, NumPy-style. Composed as
 * x + zeros, so the gradient (summing back over the repeated axes) comes from `add`.
 * @example broadcastTo(bias, [batch, units])
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape);
  if (!target || !shapesEqual(target, shape)) {
    throw new Error(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  const zeros = x.dtype === 'float64' ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  return add(x, new Tensor(zeros, shape));
}
