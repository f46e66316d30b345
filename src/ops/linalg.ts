/**
 * Matrix multiply and 2-D convolution ops, each with an optional fused bias and relu (the
 * kernels apply them in their epilogue, saving a pass over the output).
 */
import type { EpilogueActivation, FusedActivation } from '../backends/kernels.js';
import { kernels } from '../backends/index.js';
import { record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { checkPadding, convGeometry, pair, poolGeometry, type Padding } from './geometry.js';
import type { Pool2dOptions } from './pool.js';
import { floatsOf, wrap } from './util.js';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added to every row of the result (length = output columns). */
  bias?: Tensor | null;
  activation?: FusedActivation;
}

function checkBias(bias: Tensor | null | undefined, n: number, where: string): Tensor | null {
  if (!bias) return null;
  if (bias.rank !== 1 || bias.shape[0] !== n) {
    throw new Error(`${where}: expected bias of shape ${formatShape([n])}, received ${formatShape(bias.shape)}`);
  }
  return bias;
}

/**
 * Matrix product of two rank-2 tensors, optionally transposed, plus bias, then relu.
 *
 * @example
 * const y = matmul(x, kernel, { bias, activation: 'relu' });   // [batch, in]·[in, out] → [batch, out]
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transposeA = false, transposeB = false, activation = 'linear' } = options;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: expected two rank-2 tensors, received ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, ka] = transposeA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transposeB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (ka !== kb) {
    throw new Error(
      `matmul: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  const bias = checkBias(options.bias, n, 'matmul');
  const data = kernels().matmul(
    floatsOf(a, 'matmul', 'a'),
    floatsOf(b, 'matmul', 'b'),
    m,
    ka,
    n,
    transposeA,
    transposeB,
    bias ? floatsOf(bias, 'matmul', 'bias') : null,
    activation,
  );
  const inputs = bias ? [a, b, bias] : [a, b];
  return record('matmul', inputs, wrap(data, [m, n]), { transA: transposeA, transB: transposeB, activation });
}

export interface Conv2dOptions {
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  bias?: Tensor | null;
  /** Fused after the bias: relu, or relu6 (MobileNet's). */
  activation?: EpilogueActivation;
}

/**
 * 2-D convolution of NHWC input with an HWIO filter.
 *
 * @example
 * const y = conv2d(x, filter, { strides: 1, padding: 'same', bias, activation: 'relu' });
 */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  const strides = pair(options.strides ?? 1, 'strides', 'conv2d');
  const dilation = pair(options.dilationRate ?? 1, 'dilationRate', 'conv2d');
  const padding = checkPadding(options.padding ?? 'valid', 'conv2d');
  const activation = options.activation ?? 'linear';
  const geometry = convGeometry(x.shape, filter.shape, strides, padding, dilation, 'conv2d');
  const bias = checkBias(options.bias, geometry.outChannels, 'conv2d');
  const data = kernels().conv2d(
    floatsOf(x, 'conv2d', 'x'),
    floatsOf(filter, 'conv2d', 'filter'),
    bias ? floatsOf(bias, 'conv2d', 'bias') : null,
    geometry,
    activation,
  );
  const out = wrap(data, [geometry.batch, geometry.outHeight, geometry.outWidth, geometry.outChannels]);
  return record('conv2d', bias ? [x, filter, bias] : [x, filter], out, { geometry, activation });
}

/**
 * conv2d (+ bias, then activation) followed by max pooling, as one primitive: what a Conv2D
 * layer feeding a MaxPooling2D layer computes, without materialising the convolution's output
 * (models use it for such pairs; see src/layers/fusion.ts). Same values and gradients as
 * `maxPool2d(conv2d(x, filter, conv), pool)`.
 *
 * @example
 * const y = conv2dMaxPool(x, filter, { bias, activation: 'relu' }, { poolSize: 2 });   // [N,28,28,1] → [N,13,13,32]
 */
export function conv2dMaxPool(
  x: Tensor,
  filter: Tensor,
  conv: Omit<Conv2dOptions, 'activation'> & { activation?: FusedActivation } = {},
  pool: Pool2dOptions = {},
): Tensor {
  const where = 'conv2dMaxPool';
  const strides = pair(conv.strides ?? 1, 'strides', where);
  const dilation = pair(conv.dilationRate ?? 1, 'dilationRate', where);
  const padding = checkPadding(conv.padding ?? 'valid', where);
  const activation = conv.activation ?? 'linear';
  const convG = convGeometry(x.shape, filter.shape, strides, padding, dilation, where);
  const bias = checkBias(conv.bias, convG.outChannels, where);
  const poolSize = pair(pool.poolSize ?? 2, 'poolSize', where);
  const poolG = poolGeometry(
    [convG.batch, convG.outHeight, convG.outWidth, convG.outChannels],
    poolSize,
    pair(pool.strides ?? poolSize, 'pool strides', where),
    checkPadding(pool.padding ?? 'valid', where),
    where,
  );
  const { y, argmax } = kernels().conv2dMaxPool(
    floatsOf(x, where, 'x'),
    floatsOf(filter, where, 'filter'),
    bias ? floatsOf(bias, where, 'bias') : null,
    convG,
    poolG,
    activation,
  );
  const out = wrap(y, [poolG.batch, poolG.outHeight, poolG.outWidth, poolG.channels]);
  return record('conv2dMaxPool', bias ? [x, filter, bias] : [x, filter], out, { conv: convG, pool: poolG, activation, argmax });
}
