/**
 * The rest of the convolution family over NHWC input: depthwise convolution (a primitive with its
 * own kernels) and the transposed convolution, whose forward pass is conv2d's input gradient.
 */
import type { Conv2dGeometry, DepthwiseActivation } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { checkPadding, convGeometry, outputPaddingPair, pair, transposeOutputSize, type Padding } from './geometry.js';
import { floatsOf, wrap } from './util.js';

export interface DepthwiseConv2dOptions {
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  /** Added per output channel, shape [inChannels·multiplier], in the kernel's epilogue. */
  bias?: Tensor | null;
  /** Applied after the bias in the kernel's epilogue (default 'linear'). */
  activation?: DepthwiseActivation;
}

/**
 * The kernel geometry of depthwiseConv2d(x, filter, options) for an x of shape `xShape`, every
 * option and shape checked (errors start with `where`); shared with the fused depthwise → 1×1 ops.
 *
 * @example
 * const g = depthwiseGeometry(x.shape, filter, { strides: 2, padding: 'same' }, 'depthwiseConv2d');   // g.outChannels: C·multiplier
 */
export function depthwiseGeometry(
  xShape: readonly number[],
  filter: Tensor,
  options: DepthwiseConv2dOptions,
  where: string,
): Conv2dGeometry {
  const strides = pair(options.strides ?? 1, 'strides', where);
  const dilation = pair(options.dilationRate ?? 1, 'dilationRate', where);
  const padding = checkPadding(options.padding ?? 'valid', where);
  if (filter.rank !== 4) {
    throw new Error(
      `${where}: expected filter of rank 4 (kernelHeight, kernelWidth, inChannels, multiplier), received ${formatShape(filter.shape)}`,
    );
  }
  const g = convGeometry(xShape, filter.shape, strides, padding, dilation, where);
  const geometry: Conv2dGeometry = { ...g, outChannels: g.inChannels * filter.shape[3]! };
  const activation = options.activation ?? 'linear';
  if (!['linear', 'relu', 'relu6'].includes(activation))
    throw new Error(`${where}: expected activation 'linear', 'relu' or 'relu6', received ${JSON.stringify(activation)}`);
  const bias = options.bias ?? null;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== geometry.outChannels))
    throw new Error(`${where}: expected bias of shape ${formatShape([geometry.outChannels])}, received ${formatShape(bias.shape)}`);
  return geometry;
}

/**
 * Depthwise 2-D convolution: filter [kH, kW, inChannels, multiplier]; output channel c·multiplier + m
 * is input channel c convolved with filter[:, :, c, m], plus bias[c·multiplier + m], then the
 * activation ('linear', 'relu' or 'relu6'), all in one kernel pass.
 *
 * @example
 * const y = depthwiseConv2d(x, filter, { padding: 'same' });   // [N,H,W,8] with [3,3,8,2] → [N,H,W,16]
 * const z = depthwiseConv2d(x, filter, { strides: 2, padding: 'same', bias, activation: 'relu6' });
 */
export function depthwiseConv2d(x: Tensor, filter: Tensor, options: DepthwiseConv2dOptions = {}): Tensor {
  const where = 'depthwiseConv2d';
  const geometry = depthwiseGeometry(x.shape, filter, options, where);
  const activation = options.activation ?? 'linear';
  const bias = options.bias ?? null;
  const data = kernels().depthwiseConv2d(
    floatsOf(x, where, 'x'),
    floatsOf(filter, where, 'filter'),
    bias ? floatsOf(bias, where, 'bias') : null,
    geometry,
    activation,
  );
  const out = wrap(data, [geometry.batch, geometry.outHeight, geometry.outWidth, geometry.outChannels]);
  return record('depthwiseConv2d', bias ? [x, filter, bias] : [x, filter], out, { geometry, activation });
}

export interface Conv2dTransposeOptions {
  strides?: number | [number, number];
  padding?: Padding;
  /** Extra rows/columns at the bottom/right, each less than the stride (Keras `output_padding`). */
  outputPadding?: number | [number, number] | null;
}

/**
 * Transposed 2-D convolution (the adjoint of conv2d), filter stored as Keras stores it:
 * [kH, kW, outChannels, inChannels]. Output size per axis as Keras's (see transposeOutputSize in
 * geometry.ts): 'valid' n·s + max(k − s, 0), 'same' n·s.
 *
 * @example
 * const y = conv2dTranspose(x, filter, { strides: 2, padding: 'same' });   // [N,7,7,C] → [N,14,14,F]
 */
export function conv2dTranspose(x: Tensor, filter: Tensor, options: Conv2dTransposeOptions = {}): Tensor {
  const where = 'conv2dTranspose';
  const strides = pair(options.strides ?? 1, 'strides', where);
  const padding = checkPadding(options.padding ?? 'valid', where);
  const extra = outputPaddingPair(options.outputPadding, strides, where);
  if (x.rank !== 4)
    throw new Error(`${where}: expected input of rank 4 (batch, height, width, channels), received ${formatShape(x.shape)}`);
  if (filter.rank !== 4 || filter.shape[3] !== x.shape[3]) {
    throw new Error(
      `${where}: expected filter [kernelHeight, kernelWidth, outChannels, ${x.shape[3]}] for input ${formatShape(x.shape)}, received ${formatShape(filter.shape)}`,
    );
  }
  const [batch, h, w, inC] = x.shape as [number, number, number, number];
  const [kH, kW, outC] = filter.shape as [number, number, number, number];
  const rows = transposeOutputSize(h, kH, strides[0], padding, extra ? extra[0] : null, where);
  const cols = transposeOutputSize(w, kW, strides[1], padding, extra ? extra[1] : null, where);
  // The forward convolution this is the adjoint of: [N, rows, cols, outC] → [N, h, w, inC].
  const geometry: Conv2dGeometry = {
    batch,
    inHeight: rows.out,
    inWidth: cols.out,
    inChannels: outC,
    outHeight: h,
    outWidth: w,
    outChannels: inC,
    kernelHeight: kH,
    kernelWidth: kW,
    strideHeight: strides[0],
    strideWidth: strides[1],
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: rows.padBefore,
    padLeft: cols.padBefore,
  };
  const data = kernels().conv2dBackpropInput(floatsOf(x, where, 'x'), floatsOf(filter, where, 'filter'), geometry);
  return record('conv2dTranspose', [x, filter], wrap(data, [batch, rows.out, cols.out, outC]), { geometry });
}
