/**
 * A depthwise convolution and the 1×1 convolution that reads it as one op (MobileNet's
 * depthwise → project), and the same with the 1×1 expansion that feeds it (MobileNetV2's
 * inverted-residual block, its residual add apart): one kernel each at inference, so the
 * intermediate tensors never go to memory. While gradients are recorded each is the ops it
 * stands for.
 */
import type { Conv2dGeometry, DepthwiseActivation, EpilogueActivation } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { isRecording } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { depthwiseConv2d, depthwiseGeometry, type DepthwiseConv2dOptions } from './convolution.js';
import { conv2d } from './linalg.js';
import { floatsOf, wrap } from './util.js';

export interface DepthwisePointwiseOptions {
  strides?: number | [number, number];
  padding?: DepthwiseConv2dOptions['padding'];
  dilationRate?: number | [number, number];
  /** Added per depthwise output channel, before `depthActivation`. */
  depthBias?: Tensor | null;
  /** After the depthwise convolution and its bias (default 'linear'). */
  depthActivation?: DepthwiseActivation;
  /** Added per output channel of the 1×1 convolution, before `pointActivation`. */
  pointBias?: Tensor | null;
  /** After the 1×1 convolution and its bias (default 'linear'). */
  pointActivation?: EpilogueActivation;
}

export interface ExpandDepthwisePointwiseOptions extends DepthwisePointwiseOptions {
  /** Added per expanded channel, before `expandActivation`. */
  expandBias?: Tensor | null;
  /** After the expansion and its bias (default 'linear'). */
  expandActivation?: EpilogueActivation;
}

const ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6'];

/** Checks the `part` 1×1 filter [1, 1, channels, out], its bias and activation, reading `channels` (from `reads`); returns out. */
function checkPointwise(
  filter: Tensor,
  channels: number,
  bias: Tensor | null,
  activation: string,
  part: 'point' | 'expand',
  reads: string,
  where: string,
): number {
  if (filter.rank !== 4 || filter.shape[0] !== 1 || filter.shape[1] !== 1)
    throw new Error(`${where}: expected a 1×1 ${part}Filter [1, 1, channels, outChannels], received ${formatShape(filter.shape)}`);
  if (filter.shape[2] !== channels)
    throw new Error(`${where}: ${part}Filter reads ${filter.shape[2]} channels, but ${reads} gives ${channels}`);
  const out = filter.shape[3]!;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== out))
    throw new Error(`${where}: expected ${part}Bias of shape ${formatShape([out])}, received ${formatShape(bias.shape)}`);
  if (!ACTIVATIONS.includes(activation))
    throw new Error(`${where}: expected ${part}Activation 'linear', 'relu' or 'relu6', received ${JSON.stringify(activation)}`);
  return out;
}

/** The depthwise part's geometry over an input of `shape`, and the 1×1 part's output channels, checked. */
function checkDepthwisePointwise(
  shape: readonly number[],
  depthFilter: Tensor,
  pointFilter: Tensor,
  options: DepthwisePointwiseOptions,
  where: string,
): { g: Conv2dGeometry; outChannels: number } {
  const { depthBias = null, depthActivation = 'linear', pointBias = null, pointActivation = 'linear', ...conv } = options;
  const g = depthwiseGeometry(shape, depthFilter, { ...conv, bias: depthBias, activation: depthActivation }, where);
  const reads = `the depthwise convolution (depthFilter ${formatShape(depthFilter.shape)})`;
  const outChannels = checkPointwise(pointFilter, g.outChannels, pointBias, pointActivation, 'point', reads, where);
  return { g, outChannels };
}

/**
 * conv2d(depthwiseConv2d(x, depthFilter, {bias: depthBias, activation: depthActivation}),
 * pointFilter, {bias: pointBias, activation: pointActivation}), with pointFilter a 1×1 HWIO
 * filter [1, 1, inChannels·multiplier, outChannels]. Same values as the two ops, up to float
 * rounding.
 *
 * @example
 * // MobileNetV2's depthwise → relu6 → project, batch norms folded into the biases:
 * const y = depthwisePointwiseConv2d(x, dwFilter, projectFilter, { padding: 'same', depthBias, depthActivation: 'relu6', pointBias });
 */
export function depthwisePointwiseConv2d(
  x: Tensor,
  depthFilter: Tensor,
  pointFilter: Tensor,
  options: DepthwisePointwiseOptions = {},
): Tensor {
  const where = 'depthwisePointwiseConv2d';
  const { g, outChannels } = checkDepthwisePointwise(x.shape, depthFilter, pointFilter, options, where);
  const { depthBias = null, depthActivation = 'linear', pointBias = null, pointActivation = 'linear', ...conv } = options;
  if (isRecording()) {
    const middle = depthwiseConv2d(x, depthFilter, { ...conv, bias: depthBias, activation: depthActivation });
    return conv2d(middle, pointFilter, { bias: pointBias, activation: pointActivation });
  }
  const data = kernels().depthwisePointwiseConv2d(
    floatsOf(x, where, 'x'),
    floatsOf(depthFilter, where, 'depthFilter'),
    depthBias ? floatsOf(depthBias, where, 'depthBias') : null,
    g,
    depthActivation,
    floatsOf(pointFilter, where, 'pointFilter'),
    pointBias ? floatsOf(pointBias, where, 'pointBias') : null,
    outChannels,
    pointActivation,
  );
  return wrap(data, [g.batch, g.outHeight, g.outWidth, outChannels]);
}

/**
 * depthwisePointwiseConv2d(conv2d(x, expandFilter, {bias: expandBias, activation:
 * expandActivation}), depthFilter, pointFilter, options), expandFilter a 1×1 HWIO filter
 * [1, 1, inChannels, expanded]: MobileNetV2's inverted-residual block (its residual add apart) as
 * one kernel at inference, so neither the expanded tensor nor the depthwise output goes to memory.
 *
 * @example
 * const y = expandDepthwisePointwiseConv2d(x, expandFilter, dwFilter, projectFilter, {
 *   padding: 'same', expandBias, expandActivation: 'relu6', depthBias, depthActivation: 'relu6', pointBias,
 * });
 */
export function expandDepthwisePointwiseConv2d(
  x: Tensor,
  expandFilter: Tensor,
  depthFilter: Tensor,
  pointFilter: Tensor,
  options: ExpandDepthwisePointwiseOptions = {},
): Tensor {
  const where = 'expandDepthwisePointwiseConv2d';
  const { expandBias = null, expandActivation = 'linear', ...rest } = options;
  if (x.rank !== 4) throw new Error(`${where}: expected x of rank 4 (batch, height, width, channels), received ${formatShape(x.shape)}`);
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const reads = `x ${formatShape(x.shape)}`;
  const expanded = checkPointwise(expandFilter, inChannels, expandBias, expandActivation, 'expand', reads, where);
  if (depthFilter.rank === 4 && depthFilter.shape[2] !== expanded)
    throw new Error(
      `${where}: depthFilter ${formatShape(depthFilter.shape)} reads ${depthFilter.shape[2]} channels, but expandFilter gives ${expanded}`,
    );
  const { g, outChannels } = checkDepthwisePointwise([batch, height, width, expanded], depthFilter, pointFilter, rest, where);
  if (isRecording()) {
    return depthwisePointwiseConv2d(
      conv2d(x, expandFilter, { bias: expandBias, activation: expandActivation }),
      depthFilter,
      pointFilter,
      rest,
    );
  }
  const data = kernels().expandDepthwisePointwiseConv2d(
    floatsOf(x, where, 'x'),
    inChannels,
    floatsOf(expandFilter, where, 'expandFilter'),
    expandBias ? floatsOf(expandBias, where, 'expandBias') : null,
    expandActivation,
    floatsOf(depthFilter, where, 'depthFilter'),
    rest.depthBias ? floatsOf(rest.depthBias, where, 'depthBias') : null,
    g,
    rest.depthActivation ?? 'linear',
    floatsOf(pointFilter, where, 'pointFilter'),
    rest.pointBias ? floatsOf(rest.pointBias, where, 'pointBias') : null,
    outChannels,
    rest.pointActivation ?? 'linear',
  );
  return wrap(data, [g.batch, g.outHeight, g.outWidth, outChannels]);
}
