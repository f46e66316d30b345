/**
 * Pooling ops over NHWC tensors: max (remembering each window's winner for the backward pass)
 * and average.
 */
import { kernels } from '../backends/index.js';
import { endsInRelu, record } from '../autograd/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPadding, pair, poolGeometry, type Padding } from './geometry.js';
import { floatsOf, wrap } from './util.js';

export interface Pool2dOptions {
  poolSize?: number | [number, number];
  /** Defaults to poolSize, as in Keras. */
  strides?: number | [number, number] | null;
  padding?: Padding;
}

function resolve(x: Tensor, options: Pool2dOptions, where: string) {
  const poolSize = pair(options.poolSize ?? 2, 'poolSize', where);
  const strides = pair(options.strides ?? poolSize, 'strides', where);
  const padding = checkPadding(options.padding ?? 'valid', where);
  return poolGeometry(x.shape, poolSize, strides, padding, where);
}

/**
 * Max pooling. @example const y = maxPool2d(x, { poolSize: 2 });   // [N,26,26,C] → [N,13,13,C]
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  const geometry = resolve(x, options, 'maxPool2d');
  const { y, argmax } = kernels().maxPool2d(floatsOf(x, 'maxPool2d', 'x'), geometry);
  const out = wrap(y, [geometry.batch, geometry.outHeight, geometry.outWidth, geometry.channels]);
  return record('maxPool2d', [x], out, { geometry, argmax, reluInput: endsInRelu(x) });
}

/**
 * Average pooling (padding cells excluded from the mean).
 * @example const y = avgPool2d(x, { poolSize: 2 });
 */
export function avgPool2d(x: Tensor, options: Pool2dOptions = {}): Tensor {
  const geometry = resolve(x, options, 'avgPool2d');
  const y = kernels().avgPool2d(floatsOf(x, 'avgPool2d', 'x'), geometry);
  const out = wrap(y, [geometry.batch, geometry.outHeight, geometry.outWidth, geometry.channels]);
  return record('avgPool2d', [x], out, { geometry });
}
