/**
 * Normalisation arithmetic, composed from elementwise ops and reductions (so the gradients,
 * including those through the batch statistics, come from the primitives' rules).
 */
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import { add, div, mul, sqrt, square, sub } from './elementwise.js';
import { mean as meanOf, resolveAxes } from './reduce.js';
import { reshape } from './shape.js';

/**
 * Mean and (biased) variance over `axes`, as tf.moments.
 *
 * @example
 * const { mean, variance } = moments(x, [0, 1, 2]);   // per-channel statistics of [N, H, W, C]
 */
export function moments(x: Tensor, axes: number | readonly number[], keepDims = false): { mean: Tensor; variance: Tensor } {
  const resolved = resolveAxes(axes, x.rank, 'moments');
  const mean = meanOf(x, resolved, true);
  const variance = meanOf(square(sub(x, mean)), resolved, true);
  if (keepDims) return { mean, variance };
  const shape = x.shape.filter((_, i) => !resolved.includes(i));
  return { mean: reshape(mean, shape), variance: reshape(variance, shape) };
}

function checkBroadcasts(t: Tensor | null, x: Tensor, arg: string): void {
  if (!t) return;
  const shape = broadcastShapes(t.shape, x.shape);
  if (!shape || !shapesEqual(shape, x.shape)) {
    throw new Error(`batchNormalization: ${arg} of shape ${formatShape(t.shape)} does not broadcast to the input ${formatShape(x.shape)}`);
  }
}

/**
 * (x − mean) / √(variance + ε) · scale + offset, as tf.nn.batch_normalization; the statistics,
 * scale and offset broadcast against x (e.g. shape [C] against [N, H, W, C]).
 *
 * @example
 * const y = batchNormalization(x, mean, variance, beta, gamma, 1e-3);
 */
export function batchNormalization(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset: Tensor | null,
  scale: Tensor | null,
  epsilon = 1e-3,
): Tensor {
  checkBroadcasts(mean, x, 'mean');
  checkBroadcasts(variance, x, 'variance');
  checkBroadcasts(offset, x, 'offset');
  checkBroadcasts(scale, x, 'scale');
  if (!(epsilon > 0)) throw new Error(`batchNormalization: expected epsilon > 0, received ${epsilon}`);
  // x·inv + (offset − mean·inv): two passes over x instead of three.
  const rstd = div(1, sqrt(add(variance, epsilon)));
  const inv = scale ? mul(rstd, scale) : rstd;
  const shift = sub(offset ?? 0, mul(mean, inv));
  return add(mul(x, inv), shift);
}
