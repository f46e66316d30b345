/**
 * Batch normalisation folded into the convolution before it, for inference: with
 * scale = gamma/√(movingVariance + epsilon), BN(conv(x, W) + b) = conv(x, W·scale) + (b − mean)·scale + beta,
 * scale taken per output channel. The fusion table (fusion.ts) uses it for Conv2D and
 * DepthwiseConv2D followed by a BatchNormalization when the model is not training. The folded
 * filter and bias are computed once and kept until one of the six variables they come from is
 * written (Variable.version), so `predict` does not refold every batch.
 */
import { getHostMemory, Tensor } from '../tensor/tensor.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Variable } from '../tensor/variable.js';
import { BatchNormalization } from './batch-normalization.js';

/** A convolution's filter and bias with a batch norm folded in. */
export interface FoldedWeights {
  readonly filter: Tensor;
  readonly bias: Tensor;
}

interface Entry {
  readonly sources: readonly (Variable | null)[];
  readonly versions: readonly number[];
  readonly weights: FoldedWeights;
}

const cache = new WeakMap<BatchNormalization, Entry>();

/**
 * True when `norm` can fold into a convolution whose output channels are `channels`: built,
 * normalising the last axis of NHWC images (Keras's default), with `channels` features.
 */
export function canFold(norm: BatchNormalization, channels: number): boolean {
  return (
    norm.built &&
    (norm.axis === -1 || norm.axis === 3) &&
    norm.movingMean !== null &&
    norm.movingVariance !== null &&
    norm.movingMean.size === channels
  );
}

/**
 * The filter and bias of `conv(x, filter) + bias` followed by `norm` (inference), cached per
 * weights version. The filter's last axes hold the output channels (HWIO for Conv2D; [kH, kW,
 * inChannels, multiplier] for DepthwiseConv2D, output channel c·multiplier + m), so output
 * channel k of flat element i is i mod outChannels. Computed in float64, stored in the filter's
 * float type.
 *
 * @example
 * const { filter, bias } = foldBatchNorm(conv.kernel!, conv.bias, norm);
 * const y = ops.conv2d(x, filter, { ...conv.convOptions(), bias });   // = norm(conv(x)) at inference
 */
export function foldBatchNorm(filter: Variable, bias: Variable | null, norm: BatchNormalization): FoldedWeights {
  const channels = norm.movingMean?.size ?? 0;
  if (!canFold(norm, channels) || filter.size % channels !== 0) {
    throw new Error(
      `foldBatchNorm: "${norm.name}" (${channels} features) does not fold into a filter of shape [${filter.shape.join(', ')}]`,
    );
  }
  const sources = [filter, bias, norm.gamma, norm.beta, norm.movingMean, norm.movingVariance];
  const versions = sources.map((v) => v?.version ?? -1);
  const hit = cache.get(norm);
  if (hit && hit.sources.every((v, i) => v === sources[i]) && hit.versions.every((v, i) => v === versions[i])) return hit.weights;

  const read = (v: Variable | null): FloatArray | null => (v ? (v.values() as FloatArray) : null);
  const [w, b, gamma, beta, mean, variance] = sources.map(read);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c]! : 1) / Math.sqrt(variance![c]! + norm.epsilon);
    shift[c] = ((b ? b[c]! : 0) - mean![c]!) * scale[c]! + (beta ? beta[c]! : 0);
  }
  const Float = w instanceof Float64Array ? Float64Array : Float32Array;
  const folded = new Float(w!.length);
  for (let i = 0; i < folded.length; i++) folded[i] = w![i]! * scale[i % channels]!;
  const store = (values: FloatArray, shape: readonly number[]): Tensor => new Tensor(getHostMemory().store(values), shape);
  const weights = { filter: store(folded, filter.shape), bias: store(Float.from(shift), [channels]) };
  cache.set(norm, { sources, versions, weights });
  return weights;
}
