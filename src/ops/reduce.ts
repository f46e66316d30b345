/**
 * Reductions: sum and max (differentiable), mean (composed from sum), min and argMax (not
 * differentiable; used for metrics).
 */
import type { ReduceOp } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { normalizeAxis, sizeOf } from '../tensor/shape.js';
import { mul } from './elementwise.js';
import { floatsOf, wrap } from './util.js';

/** Sorted unique axes; all axes when `axis` is undefined. */
export function resolveAxes(axis: number | readonly number[] | undefined, rank: number, where: string): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normalizeAxis(a, rank, where)))].sort((a, b) => a - b);
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduceOp(op: ReduceOp, x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): [Tensor, number[]] {
  const axes = resolveAxes(axis, x.rank, op);
  const data = kernels().reduce(op, floatsOf(x, op, 'x'), x.shape, axes);
  return [wrap(data, reducedShape(x.shape, axes, keepDims)), axes];
}

/**
 * Sum over `axis` (all axes by default).
 * @example sum(x)            // scalar
 * @example sum(x, -1, true)  // [rows, 1]
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const [out, axes] = reduceOp('sum', x, axis, keepDims);
  return record('sum', [x], out, { axes, keepDims });
}

/**
 * Mean over `axis` (all axes by default).
 * @example mean(losses)
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = resolveAxes(axis, x.rank, 'mean');
  const count = sizeOf(axes.map((a) => x.shape[a]!));
  return mul(sum(x, axes, keepDims), 1 / count);
}

/**
 * Largest value over `axis` (all axes by default). Differentiable: the gradient goes to the
 * maximal elements, split evenly between ties (as TensorFlow's reduce_max).
 * @example max(x, [1, 2])   // [N, H, W, C] → [N, C]: global max pooling
 */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const [out, axes] = reduceOp('max', x, axis, keepDims);
  return record('max', [x], out, { axes, keepDims });
}

/** Smallest value over `axis`; not differentiable. @example min(x) */
export function min(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return reduceOp('min', x, axis, keepDims)[0];
}

/**
 * Index of the largest value along `axis` (default last), as int32.
 * @example argMax(probabilities)   // [batch] predicted classes
 */
export function argMax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.rank, 'argMax');
  const data = kernels().argMax(floatsOf(x, 'argMax', 'x'), x.shape, a);
  return new Tensor(
    data,
    x.shape.filter((_, i) => i !== a),
  );
}
