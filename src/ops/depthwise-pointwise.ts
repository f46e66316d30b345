/**
 * A depthwise convolution and the 1×1 convolution that reads it as one op (MobileNet's
 * depthwise → project, and SeparableConv2D): one kernel at inference, so the depthwise output
 * never goes to memory. While gradients are recorded it is the two ops it stands for.
 */
import type { DepthwiseActivation, EpilogueActivation } from '../backends/kernels.js';
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
  const { depthBias = null, depthActivation = 'linear', pointBias = null, pointActivation = 'linear', ...conv } = options;
  const depthOptions: DepthwiseConv2dOptions = { ...conv, bias: depthBias, activation: depthActivation };
  if (pointFilter.rank !== 4 || pointFilter.shape[0] !== 1 || pointFilter.shape[1] !== 1) {
    throw new Error(`${where}: expected a 1×1 pointFilter [1, 1, channels, outChannels], received ${formatShape(pointFilter.shape)}`);
  }
  const middleChannels = (depthFilter.shape[2] ?? 0) * (depthFilter.shape[3] ?? 0);
  if (pointFilter.shape[2] !== middleChannels) {
    throw new Error(
      `${where}: pointFilter reads ${pointFilter.shape[2]} channels, but the depthwise convolution gives ${middleChannels} (depthFilter ${formatShape(depthFilter.shape)})`,
    );
  }
  const outChannels = pointFilter.shape[3]!;
  if (pointBias && (pointBias.rank !== 1 || pointBias.shape[0] !== outChannels))
    throw new Error(`${where}: expected pointBias of shape ${formatShape([outChannels])}, received ${formatShape(pointBias.shape)}`);
  if (!['linear', 'relu', 'relu6'].includes(pointActivation))
    throw new Error(`${where}: expected pointActivation 'linear', 'relu' or 'relu6', received ${JSON.stringify(pointActivation)}`);
  if (isRecording())
    return conv2d(depthwiseConv2d(x, depthFilter, depthOptions), pointFilter, { bias: pointBias, activation: pointActivation });
  const probe = depthwiseGeometry(x, depthFilter, depthOptions, where);
  const data = kernels().depthwisePointwiseConv2d(
    floatsOf(x, where, 'x'),
    floatsOf(depthFilter, where, 'depthFilter'),
    depthBias ? floatsOf(depthBias, where, 'depthBias') : null,
    probe,
    depthActivation,
    floatsOf(pointFilter, where, 'pointFilter'),
    pointBias ? floatsOf(pointBias, where, 'pointBias') : null,
    outChannels,
    pointActivation,
  );
  return wrap(data, [probe.batch, probe.outHeight, probe.outWidth, outChannels]);
}
