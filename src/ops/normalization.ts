/**
 * Normalisation: `moments` composed from reductions; batch normalisation as two fused
 * primitives over the last (channels) axis, `fusedBatchNorm` for training (batch statistics, one
 * backward kernel for x, scale and offset) and the folded y = x·scale + shift for inference;
 * `batchNormalization` with statistics that do not run along the last axis stays composed.
 */
import type { EpilogueActivation, FusedActivation } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import { add, div, mul, relu, sqrt, square, sub } from './elementwise.js';
import { mean as meanOf, resolveAxes } from './reduce.js';
import { reshape } from './shape.js';
import { floatsOf, wrap } from './util.js';

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

function checkEpsilon(epsilon: number, where: string): void {
  if (!(epsilon > 0)) throw new Error(`${where}: expected epsilon > 0, received ${epsilon}`);
}

/** True when t holds one value per entry of x's last axis (shape [C], [1, C], [1, 1, 1, C]...). */
function alongLastAxis(t: Tensor | null, x: Tensor): boolean {
  if (!t) return true;
  const C = x.shape[x.rank - 1];
  return t.rank >= 1 && t.rank <= x.rank && t.shape[t.rank - 1] === C && t.shape.slice(0, -1).every((d) => d === 1);
}

/**
 * (x − mean) / √(variance + ε) · scale + offset, as tf.nn.batch_normalization; the statistics,
 * scale and offset broadcast against x (e.g. shape [C] against [N, H, W, C]). When all of them
 * run along x's last axis the arithmetic is folded into one per-channel scale and shift on
 * [C]-sized vectors and applied in one pass (the `batchNormInference` kernel).
 *
 * @example
 * const y = batchNormalization(x, mean, variance, beta, gamma, 1e-3);
 * const z = batchNormalization(x, mean, variance, beta, gamma, 1e-3, 'relu');   // then relu, in the same pass
 */
export function batchNormalization(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset: Tensor | null,
  scale: Tensor | null,
  epsilon = 1e-3,
  activation: FusedActivation = 'linear',
): Tensor {
  checkBroadcasts(mean, x, 'mean');
  checkBroadcasts(variance, x, 'variance');
  checkBroadcasts(offset, x, 'offset');
  checkBroadcasts(scale, x, 'scale');
  checkEpsilon(epsilon, 'batchNormalization');
  // x·inv + (offset − mean·inv): the small vectors first, then one or two passes over x.
  const rstd = div(1, sqrt(add(variance, epsilon)));
  const inv = scale ? mul(rstd, scale) : rstd;
  const shift = sub(offset ?? 0, mul(mean, inv));
  if (x.rank >= 1 && [mean, variance, offset, scale].every((t) => alongLastAxis(t, x))) {
    const C = x.shape[x.rank - 1]!;
    return scaleShift(x, reshape(inv, [C]), reshape(shift, [C]), activation);
  }
  const y = add(mul(x, inv), shift);
  return activation === 'relu' ? relu(y) : y;
}

/** y = x·scale + shift along x's last axis (scale and shift of shape [C]), as one primitive. */
function scaleShift(x: Tensor, scale: Tensor, shift: Tensor, activation: FusedActivation): Tensor {
  const where = 'batchNormalization';
  const C = x.shape[x.rank - 1]!;
  const y = kernels().batchNormInference(
    floatsOf(x, where, 'x'),
    floatsOf(scale, where, 'scale'),
    floatsOf(shift, where, 'shift'),
    x.size / Math.max(C, 1),
    C,
    activation,
  );
  return record('batchNormInference', [x, scale, shift], wrap(y, x.shape), { activation });
}

function checkChannelVector(t: Tensor | null, C: number, arg: string, x: Tensor): void {
  if (t && (t.rank !== 1 || t.shape[0] !== C)) {
    throw new Error(
      `fusedBatchNorm: expected ${arg} of shape ${formatShape([C])} for input ${formatShape(x.shape)}, received ${formatShape(t.shape)}`,
    );
  }
  if (t && t.dtype !== x.dtype) throw new Error(`fusedBatchNorm: ${arg} is ${t.dtype}, x is ${x.dtype}`);
}

/**
 * Training-mode batch normalisation over every axis but the last, fused (as
 * tf.nn.fused_batch_norm with is_training): per channel, the batch mean and biased variance, then
 * (x − mean) / √(variance + ε) · scale + offset. Differentiable in x, scale and offset, through
 * the batch statistics; the returned `mean` and `variance` ([C]) are plain values (for moving
 * averages), not differentiable.
 *
 * @example
 * const { y, mean, variance } = fusedBatchNorm(x, gamma, beta, 1e-3);   // x [N, H, W, C], gamma/beta [C]
 * const r = fusedBatchNorm(x, gamma, beta, 1e-3, 'relu');   // r.y = relu(batch norm), one pass each way
 * const m = fusedBatchNorm(x, gamma, beta, 1e-3, 'relu6');  // MobileNet's batch norm → relu6, the same
 */
export function fusedBatchNorm(
  x: Tensor,
  scale: Tensor | null,
  offset: Tensor | null,
  epsilon = 1e-3,
  activation: EpilogueActivation = 'linear',
): { y: Tensor; mean: Tensor; variance: Tensor } {
  const where = 'fusedBatchNorm';
  if (x.rank < 2 || x.shape[0] === 0) {
    throw new Error(`${where}: expected an input of rank >= 2 with at least one sample, received ${formatShape(x.shape)}`);
  }
  const C = x.shape[x.rank - 1]!;
  checkChannelVector(scale, C, 'scale', x);
  checkChannelVector(offset, C, 'offset', x);
  checkEpsilon(epsilon, where);
  const r = kernels().batchNormTrain(
    floatsOf(x, where, 'x'),
    scale ? floatsOf(scale, where, 'scale') : null,
    offset ? floatsOf(offset, where, 'offset') : null,
    C === 0 ? 0 : x.size / C,
    C,
    epsilon,
    activation,
  );
  const inputs = [x, ...(scale ? [scale] : []), ...(offset ? [offset] : [])];
  const y = record('fusedBatchNorm', inputs, wrap(r.y, x.shape), {
    activation,
    epsilon,
    mean: r.mean,
    variance: r.variance,
    hasScale: scale !== null,
    hasOffset: offset !== null,
  });
  return { y, mean: wrap(r.mean, [C]), variance: wrap(r.variance, [C]) };
}

/**
 * Moves `average` towards `value` in place: average = average·momentum + value·(1 − momentum)
 * (BatchNormalization's moving statistics), as a backend kernel; not recorded for gradients.
 * `value` may have another shape with the same number of elements (keepdims statistics).
 *
 * @example
 * assignMovingAverage(layer.movingMean, batchMean, 0.99);
 */
export function assignMovingAverage(average: Tensor, value: Tensor, momentum: number): void {
  if (value.size !== average.size)
    throw new Error(
      `assignMovingAverage: expected value with ${average.size} elements (${formatShape(average.shape)}), received ${formatShape(value.shape)}`,
    );
  kernels().movingAverageUpdate(
    floatsOf(average, 'assignMovingAverage', 'average'),
    floatsOf(value, 'assignMovingAverage', 'value'),
    momentum,
  );
}
